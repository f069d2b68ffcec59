"""Reading articles: raw text, Markdown with front matter, dates, outlets."""

from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from conftest import article
from digestgen.content import read_entry
from digestgen.content.dates import parse_date
from digestgen.models import UNKNOWN_OUTLET

UTC = timezone.utc


def read(text: str | bytes, name: str = "a.md", tz=UTC):  # noqa: ANN001, ANN201
    data = text.encode("utf-8") if isinstance(text, str) else text
    entry, problems = read_entry(data, name, "." + name.rsplit(".", 1)[1], tz)
    return entry, problems


RAW = """Storm Floods Coastal Towns, Thousands Evacuated

Ferry Strike Ends After Three Days
Politics/World/News/Wire

March 3, 2020 6:05 am Last Updated: March 3, 2020 9:30 pm

Heavy rain flooded three coastal towns on Monday and thousands of residents were evacuated.

Officials said the water would recede by the weekend.

Watch Next:

Ten Things To Know About Storms

Latest News
"""


def test_raw_text_headline_dateline_and_debris():
    entry, problems = read(RAW, "storm.txt")
    assert problems == []
    assert entry.title == "Storm Floods Coastal Towns, Thousands Evacuated"
    assert entry.date == datetime(2020, 3, 3, 6, 5, tzinfo=UTC)
    assert entry.updated == datetime(2020, 3, 3, 21, 30, tzinfo=UTC)
    assert entry.paragraphs == (
        "Heavy rain flooded three coastal towns on Monday and thousands of residents were evacuated.",
        "Officials said the water would recede by the weekend.",
    )
    assert entry.source == UNKNOWN_OUTLET



def test_raw_text_whose_first_line_is_its_dateline_takes_the_next_as_headline():
    text = "March 3, 2020 6:05 am Last Updated: March 3, 2020 9:30 pm\n" + RAW.replace(
        "March 3, 2020 6:05 am Last Updated: March 3, 2020 9:30 pm\n\n", "")
    entry, problems = read(text, "storm.txt")
    assert problems == []
    assert entry.title == "Storm Floods Coastal Towns, Thousands Evacuated"
    assert (entry.date, entry.updated) == (datetime(2020, 3, 3, 6, 5, tzinfo=UTC), datetime(2020, 3, 3, 21, 30, tzinfo=UTC))
    assert entry.paragraphs[0].startswith("Heavy rain flooded")

def test_raw_text_whose_first_line_is_prose_takes_its_first_sentence_as_title():
    text = "The council voted on Monday to close the old bridge to traffic. Repairs start in May.\n"
    entry, _ = read(text, "bridge.txt")
    assert entry.title == "The council voted on Monday to close the old bridge to traffic"
    assert entry.paragraphs[0].startswith("The council voted")


def test_cp1252_text_is_decoded_not_rejected():
    data = "Caf\u00e9 owners \u201cdelighted\u201d by ruling\n\nThe ruling was welcomed.\n".encode("cp1252")
    entry, problems = read(data, "cafe.txt")
    assert problems == []
    assert entry.title == "Café owners “delighted” by ruling"


def test_cp1252_bytes_that_went_through_latin_1_upstream_read_as_cp1252():
    """U+0093/U+0094 for “ and ” (mojibake scrapers make all the time): YAML refused the
    front matter they were in (at the wrong line), and pages showed boxes."""
    text = "---\nsource: Gazette\ntitle: Mayor \u0093resigns\u0094 \u0081today\n---\n\nHe said \u0093no\u0094\x0cand left\u0085\n"
    entry, problems = read(text.encode("utf-8"), "mayor.md")
    assert problems == []
    assert entry.title == "Mayor “resigns” today"
    assert entry.paragraphs == ("He said “no” and left…",)


def test_html_comments_are_editors_notes_left_out_of_the_page_but_code_keeps_them():
    body = ("The council met. <!-- TODO: confirm with Jane Doe --> It voted.\n\n<!-- a note\n\nover lines -->\n\n"
            "`<!-- code -->` stays.\n\n<!-- never closed\n\nis text, not lost")
    entry, problems = read(article("Council votes", body))
    assert problems == []
    assert "Jane Doe" not in entry.body_html and "a note" not in entry.body_html and "over lines" not in entry.body_html
    assert "<code>&lt;!-- code --&gt;</code>" in entry.body_html
    assert entry.paragraphs == ("The council met. It voted.", "<!-- code --> stays.", "<!-- never closed", "is text, not lost")


def test_markdown_front_matter_keys_and_unknown_keys_kept():
    text = article(
        "Vote passes", "The **vote** passed.", date="2021-03-02T10:00:00+01:00", source="Wire",
        url="https://example.com/vote", author="A. Writer", summary="Short.", story="the-vote", region="EU",
    )
    entry, problems = read(text)
    assert problems == []
    assert (entry.title, entry.source, entry.url, entry.author, entry.summary, entry.story) == (
        "Vote passes", "Wire", "https://example.com/vote", "A. Writer", "Short.", "the-vote",
    )
    assert entry.date.isoformat() == "2021-03-02T10:00:00+01:00"
    assert "<strong>vote</strong>" in entry.body_html
    assert entry.extra == {"region": "EU"}



def test_numbers_in_front_matter_stay_as_written():
    """YAML 1.1 reads 24:00 as 1440 (base 60), 010 as 8 (octal) and 1.10 as 1.1."""
    entry, problems = read("---\ntitle: 24:00\nsource: 010\nauthor: 1.10\nrating: 5\nscore: 2.5\n---\nBody.\n")
    assert problems == []
    assert (entry.title, entry.source, entry.author) == ("24:00", "010", "1.10")
    assert entry.extra == {"rating": 5, "score": 2.5}  # plain numbers stay numbers for templates


def test_unicode_noncharacters_are_dropped_as_control_characters_are():
    """HTML and XML refuse U+FFFE, U+FFFF and U+FDD0-FDEF; a scraper's text may hold them."""
    entry, problems = read('---\ntitle: "Budget \\uFFFE vote"\n---\nThe \ufffe vote \U0010ffff passed \ufdd0 today.\n')
    assert problems == [] and entry.title == "Budget vote"
    assert entry.body_html == "<p>The  vote  passed  today.</p>\n"
    entry, _ = read("Budget \ufffe vote\n\nIt passed.\n", "b.txt")
    assert entry.title == "Budget vote"

def test_a_body_that_opens_with_the_headline_leads_with_what_follows_it():
    """Scraped bodies often begin with the headline again: a story's card showed it twice."""
    entry, _ = read("Quake hits Chile\n\nQUAKE hits  Chile.\n\nThe ground shook for a minute.\n", "q.txt")
    assert entry.lead == "The ground shook for a minute."
    assert entry.paragraphs[0] == "QUAKE hits Chile."  # the article itself is as it was written
    entry, _ = read(article("Quake hits Chile", "“Quake hits Chile”"))
    assert entry.lead == ""
    entry, _ = read(article("Quake hits Chile", "Quake hits Chile, killing two."))
    assert entry.lead == "Quake hits Chile, killing two."


def test_front_matter_after_blank_lines_is_read_and_toml_front_matter_is_an_error_at_its_line():
    """Its YAML was published as the article's text, headline and all, without a word."""
    entry, problems = read('\n\n---\ntitle: "Blank lines first"\nsource: X Times\ndate: "not a date"\n---\nBody text.\n')
    assert (entry.title, entry.source, entry.paragraphs) == ("Blank lines first", "X Times", ("Body text.",))
    assert [(p.line, p.severity) for p in problems] == [(6, "warning")]  # the date, at its own line
    entry, problems = read('\n---\ntitle: [unclosed\n---\nBody.\n')
    assert entry is None and [p.line for p in problems] == [3]
    entry, problems = read('+++\ntitle = "Hugo style"\n+++\nBody.\n')
    assert entry is None and [(p.line, p.message) for p in problems] == [
        (1, "TOML front matter ('+++') is not read: write it as YAML between '---' lines")]


def test_character_references_in_front_matter_read_as_the_characters_they_name():
    """Copied from a page's HTML: the headline showed "Beyonc&#233;", and its address spelled it out."""
    entry, problems = read('---\ntitle: "Beyonc&#233; &amp; Jay-Z: R&D &copy=1 &#1;"\nsource: "A &amp; B"\n'
                           'url: "https://x.example/a?b=1&amp;c=2"\n---\nBody.\n')
    assert problems == [] and (entry.title, entry.source) == ("Beyoncé & Jay-Z: R&D &copy=1", "A & B")
    assert entry.url == "https://x.example/a?b=1&amp;c=2"  # an address is taken as written


def test_a_headline_made_from_the_first_sentence_runs_past_initials_and_abbreviations():
    """It stopped at the first full stop: "WASHINGTON — Representative Raúl R"."""
    entry, _ = read("---\nsource: Wire\n---\n\nWASHINGTON — Raúl R. Labrador met Mr. Kim of the U.S. Senate. Talks went on.\n")
    assert entry.title == "WASHINGTON — Raúl R. Labrador met Mr. Kim of the U.S. Senate"


def test_a_title_of_invisible_characters_is_no_title():
    """Zero-width spaces made a headline that showed nothing, on its page and in its story."""
    entry, _ = read('---\ntitle: "\\u200b\\u200b\\u2060"\nsource: Wire\n---\n\nQuake hits the coast. More later.\n')
    assert entry.title == "Quake hits the coast"


def test_outlet_falls_back_to_the_url_host_then_a_label():
    entry, _ = read(article("T", "Body.", url="https://www.example.org/a"))
    assert entry.source == "example.org"
    entry, _ = read(article("T", "Body."))
    assert entry.source == UNKNOWN_OUTLET


def test_missing_title_comes_from_the_body_and_headline_only_items_are_valid():
    entry, _ = read("---\nsource: Wire\n---\n\nMinisters agreed a new budget. It passed late.\n")
    assert entry.title == "Ministers agreed a new budget"
    entry, problems = read('---\ntitle: "Headline only"\nsource: Feed\n---\n')
    assert problems == [] and entry.title == "Headline only" and entry.paragraphs == ()


def test_the_bodys_headings_sit_below_the_pages_title():
    entry, _ = read_entry(article("Budget passes", "# Background\n\nThe vote.\n\n## Reaction\n\nCheers.\n\n###### Note\n\nEnd.").encode(),
                          "budget.md", ".md", ZoneInfo("UTC"))
    assert "<h2>Background</h2>" in entry.body_html and "<h3>Reaction</h3>" in entry.body_html
    assert "<h6>Note</h6>" in entry.body_html and "<h1" not in entry.body_html
    # a body that keeps "#" for the title starts at "##": that is the page's <h2>, no level skipped
    entry, _ = read_entry(article("Budget passes", "## Background\n\nThe vote.\n\n### Reaction\n\nCheers.").encode(),
                          "budget.md", ".md", ZoneInfo("UTC"))
    assert "<h2>Background</h2>" in entry.body_html and "<h3>Reaction</h3>" in entry.body_html

def test_a_heading_that_opens_an_untitled_body_is_its_title_and_not_repeated_below_it():
    entry, _ = read_entry(b"---\nsource: Wire\n---\n\n# Budget passes\n\nThe vote.\n\n# Reaction\n\nCheers.\n",
                          "budget.md", ".md", ZoneInfo("UTC"))
    assert entry.title == "Budget passes" and "Budget passes" not in entry.body_html
    assert entry.body_html.startswith("<p>The vote.</p>") and "<h2>Reaction</h2>" in entry.body_html
    entry, _ = read_entry(b"---\ntitle: Budget\n---\n\n# Budget passes\n\nThe vote.\n", "b.md", ".md", ZoneInfo("UTC"))
    assert "<h2>Budget passes</h2>" in entry.body_html  # a titled article keeps its body whole


def test_unparseable_date_is_a_warning_naming_file_and_line_and_the_entry_stays():
    entry, problems = read('---\ntitle: "T"\nsource: S\ndate: "next tuesday"\n---\nBody.\n', "dir/x.md")
    assert entry is not None and entry.date is None
    assert [str(p) for p in problems] == [
        "dir/x.md:4: warning: date ignored: unrecognised date 'next tuesday' (use ISO 8601, e.g. 2018-07-12 17:47)"
    ]



def test_an_update_before_the_date_is_a_warning_at_its_line_and_ignored():
    entry, problems = read(article("Vote", "Passed.", date="2021-03-02 10:00", updated="2021-03-01"))
    assert entry.updated is None and entry.date.isoformat() == "2021-03-02T10:00:00+00:00"
    assert [(p.line, p.severity) for p in problems] == [(4, "warning")]
    assert problems[0].message.startswith("updated ignored: 2021-03-01T00:00:00+00:00 is before the date")


def test_a_merge_conflict_left_in_an_article_is_a_warning_at_its_line():
    text = article("Vote", "First line.\n\n<<<<<<< HEAD\nOurs.\n=======\nTheirs.\n>>>>>>> other\n", date="2021-03-02")
    entry, problems = read(text, "vote.md")
    assert entry is not None  # published, as before, but said
    start = text.splitlines().index("<<<<<<< HEAD") + 1
    assert [(p.line, p.severity) for p in problems] == [(start, "warning")]
    assert "merge conflict" in problems[0].message
    # in the front matter it breaks the YAML too; the warning says why
    entry, problems = read("---\n<<<<<<< HEAD\ntitle: A\n=======\ntitle: B\n>>>>>>> other\n---\nBody.\n", "t.md")
    assert entry is None and [(p.line, p.severity) for p in problems][0] == (2, "warning")
    assert [p.severity for p in problems[1:]] == ["error"]
    # a heading underlined with ======= is no conflict
    assert read(article("Vote", "Results\n=======\n\nIn.", date="2021-03-02"))[1] == []


@pytest.mark.parametrize(("front", "line"), [
    ('title: "T"\nsource: [unclosed\ndate: 2021-03-01', 3),       # the bracket left open, not where YAML gave up
    ('title: "A quake\nsource: X\ndate: 2021-03-01\nurl: y', 2),   # likewise an unclosed quote
    ("title: T\ntags:\n  - a\n - b\ndate: 2021-03-01", 5),       # a badly indented item, where it is
    ("title: A: b: c\ndate: 2021-03-01", 2),
])
def test_bad_yaml_is_an_error_at_the_line_of_the_mistake(front: str, line: int):
    entry, problems = read(f"---\n{front}\n---\nBody.\n", "bad.md")
    assert entry is None
    assert [(p.path, p.line, p.severity) for p in problems] == [("bad.md", line, "error")]
    assert "invalid YAML front matter" in problems[0].message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1999-07-07 08:30:27", "1999-07-07T08:30:27-04:00"),
        ("06/05/1998 06:50:00", "1998-06-05T06:50:00-04:00"),
        ("July 12, 2018 5:47 pm", "2018-07-12T17:47:00-04:00"),
        ("2018-07-12T17:47:00Z", "2018-07-12T17:47:00+00:00"),
        ("Thu, 12 Jul 2018 17:47:00 +0100", "2018-07-12T17:47:00+01:00"),
        ("12 July 2018", "2018-07-12T00:00:00-04:00"),
        # zones as news sites print them; before, the abbreviation sent these to a lenient
        # RFC 2822 reader that dropped "PM" and the zone: 05:47 in the site's zone
        ("Jul 12, 2018 5:47 PM EDT", "2018-07-12T17:47:00-04:00"),
        ("12 July 2018 17:47 CET", "2018-07-12T17:47:00+01:00"),
        ("Jul 12, 2018 17:47 UTC+2", "2018-07-12T17:47:00+02:00"),
        ("Mar 14 2014 10:00:00 GMT-0400 (EDT)", "2014-03-14T10:00:00-04:00"),
        ("January 12, 2018 5:47 p.m. ET", "2018-01-12T17:47:00-05:00"),  # ET: EST in winter
        ("12 July 2018 17:47 +0530", "2018-07-12T17:47:00+05:30"),
        ("Thu, 12 Jul 2018 17:47:00 EDT", "2018-07-12T17:47:00-04:00"),
        # a time the clocks skipped (New York springs forward from 02:00 to 03:00) is shown as they then read
        ("2020-03-08 02:30", "2020-03-08T03:30:00-04:00"),
        ("2020-11-01 01:30", "2020-11-01T01:30:00-04:00"),  # one that came twice: the first
    ],
)
def test_dates_are_read_as_news_sites_write_them_and_without_an_offset_in_the_site_timezone(value, expected):
    assert parse_date(value, ZoneInfo("America/New_York")).isoformat() == expected


@pytest.mark.parametrize("value", ["Jul 12, 2018 5:47 PM XYZ", "12 July 2018 17:47 +25:00", "Jul 12 2018 5:47 PM, or so"])
def test_a_date_with_words_it_cannot_read_is_refused_not_half_read(value):
    with pytest.raises(ValueError, match="unrecognised date"):
        parse_date(value, ZoneInfo("UTC"))


# -- the plain-prose shortcut past markdown-it -----------------------------------------------

from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from digestgen.content import markdown as markdown_module  # noqa: E402

# Every character that means something to CommonMark somewhere, plus whitespace of all kinds.
_TRICKY = "#>-+*=~`|:_[]!<&;\\\"'().0123456789 \t\r\x00\x0b\x0c\xa0\u2028é"
_TOKENS = [*_TRICKY, "word", "News", "AT&T", "&amp;", "&#35;", "1.", "- ", "  ", " _ ", "a_b", "é_1", "*a*",
           # character references: known, unknown, numeric, invalid, and ones that stand for markup
           "&lt;", "&#x3C;", "&#60;", "&#0;", "&#xD800;", "&bogus;", "&AMP;", "&nbsp;", "&#10;", "&#x2a;", "&quot;"]
_LINE = st.lists(st.sampled_from(_TOKENS), max_size=12).map("".join)
# Wire copy's ``quotes'': backtick strings of several lengths among words and spaces, with a
# few of the characters the shortcut lets through, so that code spans open, close, cross
# lines and paragraphs, hold only spaces, or find no closer. _LINE alone would rarely make
# a body that takes the shortcut and has a code span in it. (Lines are stripped: one with
# space at either end never takes the shortcut.)
_QUOTING = ["`", "``", "```", "`", "``", "''", "'''", " ", "  ", "a b", " said. ", "Quote,", "word",
            "&", "&amp;", "&#96;", ">", '"', " _ ", "a_b", "\t", "\x0c", "\xa0", "\u2028", "\u3000", "é", "-"]
_QUOTED_LINE = st.lists(st.sampled_from(_QUOTING), max_size=12).map(lambda tokens: "".join(tokens).strip())


def _body(line: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(st.one_of(line, st.just("")), max_size=8).map("\n".join)


def _by_markdown_it(body: str) -> tuple[str, tuple[str, ...]]:
    tokens = markdown_module._md.parse(body)
    paragraphs = tuple(p for i, t in enumerate(tokens) if t.type == "inline"
                       and not (i and tokens[i - 1].type == "heading_open") for p in [markdown_module._plain(t)] if p)
    return markdown_module._md.renderer.render(tokens, markdown_module._md.options, {}), paragraphs


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(_body(_LINE), _body(_QUOTED_LINE)))
@example("Shares rose 5% on Monday & \"traders\" said > expected.\nA second line.\n\nNext paragraph.")
@example("1999 was a year.")
@example("Tom & Jerry &amp; friends")
@example("&lt;script&gt;alert(1)&lt;/script&gt; &#x3C;b> &#0; &#1114112; &bogus; &AMP; `&amp;` &#96;x&#96;")
@example("``Quote across\nlines,'' he said. ``Another\none.''\n\n``New paragraph,'' she said.")
@example("``Opened in one paragraph\n\nis not closed in the next,'' he said.")
@example("An unmatched ` backtick, and `` two, and ``` three.")
@example("Runs ``of `one` and ``` lengths `` close ``` by length ````.")
@example("a`b``c`d``e")
@example("` spaced ` and `  ` and ` ` and `` `tick` `` and `\xa0x\xa0`")
@example("` `\n\n`\u3000`\n\nText.")
@example("`& \" > a_b _ x`")
@example("`` `\n`` and ``\n``")
def test_the_plain_prose_shortcut_renders_exactly_what_markdown_it_renders(body: str):
    shortcut = markdown_module.plain_prose(body)
    if shortcut is not None:
        assert shortcut == _by_markdown_it(body)


def test_ordinary_news_prose_takes_the_shortcut():
    body = ('WASHINGTON (Reuters) - The Senate voted 52-48 on Tuesday, officials said.\n\n'
            'It was the "closest vote" in years; AT&T shares fell 2.5% after 10 a.m.\n'
            "Analysts weren't surprised.\n")
    html, paragraphs = markdown_module.plain_prose(body)
    assert html == _by_markdown_it(body)[0]
    assert paragraphs[1].startswith("It was the")


def test_newswire_quotes_take_the_shortcut():
    # Old wire copy quotes ``like this'', and CommonMark reads the backticks as code spans.
    body = ("WASHINGTON _ ``We will not back down,'' the senator said Tuesday. ``Not now,\n"
            "not ever.''\n\n``It's a fight,'' said one aide, who asked not to be named.\n")
    shortcut = markdown_module.plain_prose(body)
    assert shortcut is not None
    assert shortcut == _by_markdown_it(body)
    assert shortcut[0].startswith("<p>WASHINGTON _ <code>We will not back down,'' the senator")


def test_scraped_text_with_character_references_takes_the_shortcut():
    # Scraped news is full of "&amp;" and "&#8217;"; one article in six has some.
    body = "Q&amp;A: AT&amp;T&#8217;s chief says &lt;no comment&gt; &amp; leaves &quot;soon&quot;.\n"
    html, paragraphs = markdown_module.plain_prose(body)
    assert (html, paragraphs) == _by_markdown_it(body)
    assert html == "<p>Q&amp;A: AT&amp;T\u2019s chief says &lt;no comment&gt; &amp; leaves &quot;soon&quot;.</p>\n"
    assert paragraphs == ("Q&A: AT&T\u2019s chief says <no comment> & leaves \"soon\".",)


def test_a_line_opening_with_three_backticks_is_left_to_markdown_it():
    assert markdown_module.plain_prose("Before.\n```\nfenced\n```") is None


@settings(max_examples=400, deadline=None)
@given(st.text(st.one_of(st.characters(max_codepoint=127), st.sampled_from("\ufdd0\ufdef\ufffe\uffff\U0001fffe\U0010ffff\u3fff\ud800é’"),
                         st.characters())))
def test_control_characters_and_noncharacters_are_counted_however_the_text_is_made_up(text: str):
    """Counting them is done on bytes where no noncharacter can be (decode._count_controls),
    and must agree with the pattern that removes them."""
    from digestgen.content.decode import _CONTROLS, _count_controls

    assert _count_controls(text) == len(_CONTROLS.findall(text))


def test_a_slip_in_a_known_key_is_a_warning_at_its_line_and_a_sites_own_key_is_not():
    """'Draft: true' or 'darft: true' published the draft without a word."""
    entry, problems = read("---\ntitle: Scoop\nDraft: true\nsourse: Daily\nimage: x.png\n---\n\nNot ready.\n")
    assert entry.draft is False and dict(entry.extra) == {"Draft": True, "sourse": "Daily", "image": "x.png"}
    assert [(p.line, p.severity, p.message) for p in problems] == [
        (3, "warning", "unknown key 'Draft' (did you mean 'draft'?): keys are written in lower case: it is kept for "
                       "templates as entry.extra, not read as draft"),
        (4, "warning", "unknown key 'sourse' (did you mean 'source'?): it is kept for templates as entry.extra, "
                       "not read as source"),
    ]


def test_a_title_that_yaml_took_for_a_comment_is_a_warning_saying_how_to_write_it():
    entry, problems = read("---\ntitle: #MeToo founder speaks out\n---\n\nThe founder spoke on Monday.\n")
    assert entry.title == "The founder spoke on Monday"
    assert [(p.line, p.message) for p in problems] == [
        (2, 'title is empty: YAML reads what follows a # as a comment, so a title that starts with # (a hashtag) '
            'must be quoted: title: "#…"')]


@pytest.mark.parametrize(("front", "line", "hint"), [
    ("title: Storm: roads closed", 2, "must be quoted: title: \"Storm: roads closed\""),
    ("title: 'It's here'", 2, "write a ' inside '…' as ''"),
    ("title: x\n\tdate: 2024-01-01", 3, "YAML indents with spaces, not tabs"),
])
def test_the_yaml_slips_of_headlines_say_how_to_write_them(front: str, line: int, hint: str):
    entry, problems = read(f"---\n{front}\n---\n\nBody.\n")
    assert entry is None and problems[0].line == line and hint in problems[0].message, problems


def test_a_list_nested_ten_deep_keeps_the_rest_of_the_article():
    """CommonMark's preset stopped at 20 levels of nesting, and dropped the rest of the text."""
    body = "".join("  " * i + f"- point {i}\n" for i in range(10)) + "\nSecond paragraph.\n\n## Reaction\n\nThird paragraph.\n"
    entry, _ = read(f"---\ntitle: Council outline\n---\n\nIntro.\n\n{body}")
    assert "point 9" in entry.body_html and "Third paragraph." in entry.body_html and "Reaction</h2>" in entry.body_html


def test_a_txt_file_with_front_matter_is_warned_about_as_a_misnamed_markdown_file():
    entry, problems = read("---\ntitle: Mayor resigns\nsource: Gazette\n---\n\nThe mayor resigned.\n", "b.txt")
    assert [(p.line, p.severity, p.message) for p in problems] == [
        (1, "warning", "this .txt file starts with front matter (--- … ---), which only Markdown files are read for: rename it to .md")]
    _, problems = read("---\nA scraped rule line, then text\n---\n\nThe mayor resigned.\n", "c.txt")
    assert problems == []


def test_a_stray_nul_byte_is_an_error_at_its_line():
    """One NUL in an otherwise fine article failed the build naming the file only: which of
    its hundred lines holds the invisible byte?"""
    _, problems = read(b"---\ntitle: Fine\n---\n\nText.\nMore\x00 text.\n", "nul.md")
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [(6, "binary data (NUL bytes), not a text article")]


@pytest.mark.parametrize(("language", "expected"), [("en", "1998-06-05"), ("en-US", "1998-06-05"),
                                                    ("fr", "1998-05-06"), ("de", "1998-05-06"), ("en-GB", "1998-05-06")])
def test_a_slash_date_is_read_day_first_on_a_site_not_in_us_english(language, expected):
    """A French site's 12/03/2024 was 3 December, without a word; in October, 12/10 was a
    December date, and the article left out as future-dated."""
    from digestgen.content.dates import day_first

    dayfirst = day_first(language)
    md, _ = read_entry(article("Grève", "Texte.", date="06/05/1998 08:00").encode(), "a.md", ".md", UTC, day_first=dayfirst)
    txt, _ = read_entry(b"Greve RATP\n\n06/05/1998 08:00\n\nLe texte de l'article.\n", "b.txt", ".txt", UTC, day_first=dayfirst)
    assert md.date.date().isoformat() == txt.date.date().isoformat() == expected


def test_raw_text_in_chinese_japanese_and_hindi_keeps_its_paragraphs():
    """Their sentences end in 。 or । with no space after: every paragraph read as a
    scraper's headline list, and up to six of them were dropped without a word."""
    japanese = "東京で記録的な大雪 交通機関に乱れ\n" + "".join(f"\n第{i}段落。東京都心で{i}センチの積雪を観測した。\n" for i in range(1, 9))
    hindi = "दिल्ली में भारी बारिश\n\nराजधानी दिल्ली में सोमवार को हुई भारी बारिश से कई इलाकों में पानी भर गया।\n\nमौसम विभाग ने येलो अलर्ट जारी किया है।\n"
    chinese = "花莲发生强烈地震\n\n台湾东部花莲县周三发生强烈地震，多栋建筑倒塌。\n\n当局表示救援工作仍在进行。\n"
    for text, paragraphs in ((japanese, 8), (hindi, 2), (chinese, 2)):
        entry, problems = read(text.encode("utf-8"), "a.txt")
        assert problems == [] and len(entry.paragraphs) == paragraphs, entry.paragraphs
    entry, _ = read(article("", "台湾东部花莲县周三发生强烈地震，多栋建筑倒塌。当局表示救援工作仍在进行。"), "b.md")
    assert entry.title == "台湾东部花莲县周三发生强烈地震，多栋建筑倒塌"  # its first sentence, not the whole paragraph
