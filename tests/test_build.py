"""Building a site: the pages a reader sees, from any working directory, deterministically."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from conftest import BAKERY, QUAKE_A, QUAKE_B, article, build_site, load_digest, run_cli, snapshot, write_site


def test_two_outlets_form_one_story_and_unrelated_stays_apart(news_site: Path):
    build_site(news_site)
    digest = load_digest(news_site)
    stories = {tuple(sorted(e["source_path"] for e in s["entries"])) for s in digest["stories"]}
    assert stories == {("quake-andes.md", "world/quake-pacific.md"), ("bakery.md",)}


def test_index_lists_stories_newest_first_with_blurb_date_and_sources(news_site: Path):
    build_site(news_site)
    index = (news_site / "output" / "index.html").read_text(encoding="utf-8")
    assert index.index("sourdough") < index.index("Valparaiso")  # May story before March story
    assert "2 versions" in index and "Andes Wire, Pacific Daily" in index
    assert '<time datetime="2021-03-02T11:40:00+00:00">2 March 2021</time>' in index


def test_story_page_links_every_version_and_the_originals(news_site: Path):
    build_site(news_site)
    story = next(s for s in load_digest(news_site)["stories"] if len(s["entries"]) == 2)
    page = (news_site / "output" / story["url"]).read_text(encoding="utf-8")
    for entry in story["entries"]:
        assert f'href="../../{entry["url"]}"' in page
        assert f'href="{entry["original_url"]}"' in page
        assert entry["source"] in page
    article_page = (news_site / "output" / story["entries"][0]["url"]).read_text(encoding="utf-8")
    assert f'href="../../{story["url"]}"' in article_page  # back to its story
    assert f'href="../../{story["entries"][1]["url"]}"' in article_page  # and to the other version


def test_digest_json_has_the_documented_shape(news_site: Path):
    build_site(news_site)
    digest = load_digest(news_site)
    assert set(digest) >= {"title", "stories"}
    for story in digest["stories"]:
        assert set(story) >= {"id", "slug", "title", "url", "date", "updated", "entries"}
        for entry in story["entries"]:
            assert set(entry) >= {"id", "source_path", "title", "source", "date", "url", "original_url"}
            assert (news_site / "output" / entry["url"]).is_file()


def test_same_input_gives_byte_identical_output(news_site: Path, tmp_path: Path):
    build_site(news_site)
    first = snapshot(news_site / "output")
    copy = write_site(tmp_path / "copy", {})
    for path in (news_site / "content").rglob("*"):
        if path.is_file():
            write_site(copy, {str(path.relative_to(news_site)): path.read_bytes()})
    build_site(copy)
    assert snapshot(copy / "output") == first
    build_site(news_site)
    assert snapshot(news_site / "output") == first


def test_deleted_articles_do_not_linger(news_site: Path):
    build_site(news_site)
    bakery = next(s for s in load_digest(news_site)["stories"] if len(s["entries"]) == 1)
    (news_site / "content" / "bakery.md").unlink()
    build_site(news_site)
    assert not (news_site / "output" / bakery["url"]).exists()
    assert not (news_site / "output" / bakery["entries"][0]["url"]).exists()


def test_a_build_leaves_nothing_beside_the_site_for_git_to_find(news_site: Path, monkeypatch):
    """The previous site is deleted in the background after the swap. It once waited beside
    the output folder, where ``git add -A`` right after a build met it half deleted (or
    committed it); now it waits in the git-ignored build cache."""
    from digestgen import output

    monkeypatch.setattr(output.subprocess, "run", lambda *a, **k: None)  # an rm that has not started yet
    before = sorted(p.name for p in news_site.iterdir())
    build_site(news_site)
    write_site(news_site, {"content/late.md": article("Late news", "A late report.", date="2021-05-03")})
    build_site(news_site)
    assert sorted(p.name for p in news_site.iterdir()) == sorted({*before, "output", ".digestgen-cache"})
    trash = [p for p in (news_site / ".digestgen-cache").iterdir() if ".output.trash-" in p.name]
    assert trash
    trash[0].rename(trash[0].with_name(".output.trash-999999999-0"))  # as if this build's process had ended
    monkeypatch.undo()
    write_site(news_site, {"content/later.md": article("Later news", "A later report.", date="2021-05-04")})
    assert run_cli("build", "--site", str(news_site)).returncode == 0  # the next build deletes what an rm left
    assert not (news_site / ".digestgen-cache" / ".output.trash-999999999-0").exists()
    # and the site that build replaced goes too, by the rm it started (on a busy machine, a moment later)
    deadline = time.monotonic() + 20
    while [p for p in (news_site / ".digestgen-cache").iterdir() if ".output." in p.name] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [p.name for p in (news_site / ".digestgen-cache").iterdir() if ".output." in p.name]


def test_content_and_output_options_work_from_any_directory(news_site: Path, tmp_path: Path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_cli("build", "--content", str(news_site / "content"), "--output", str(tmp_path / "pub"), "-q", cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # --quiet
    assert json.loads((tmp_path / "pub" / "digest.json").read_text())["stories"]


def test_hidden_and_underscore_files_are_skipped(news_site: Path):
    write_site(news_site, {"content/_draft-notes.md": BAKERY, "content/.hidden/x.md": BAKERY, "content/_wip/y.md": BAKERY})
    build_site(news_site)
    paths = [e["source_path"] for s in load_digest(news_site)["stories"] for e in s["entries"]]
    assert sorted(paths) == ["bakery.md", "quake-andes.md", "world/quake-pacific.md"]


def test_static_assets_are_fingerprinted_and_linked(news_site: Path):
    build_site(news_site)
    css = list((news_site / "output" / "static").glob("style.*.css"))
    assert len(css) == 1
    index = (news_site / "output" / "index.html").read_text(encoding="utf-8")
    assert f'href="static/{css[0].name}"' in index


def test_a_sites_style_sheets_and_scripts_find_the_files_they_import(news_site: Path):
    """A page links a style sheet by its hashed name; what that sheet imports is named as it
    was written, and was not there: only the hashed names were published."""
    import re

    write_site(news_site, {
        "static/css/extra.css": '@import "base.css";\n@import url("theme/colors.css");\nbody { background: url(../bg.png); }\n',
        "static/css/base.css": "p { margin: 0; }\n",
        "static/css/theme/colors.css": ":root { --accent: teal; }\n",
        "static/bg.png": b"\x89PNG\r\n\x1a\n",
        "static/app.js": 'import { helper } from "./helper.js";\nhelper();\n',
        "static/helper.js": "export function helper() {}\n",
    })
    build_site(news_site)
    static = news_site / "output" / "static"
    extra, = static.glob("css/extra.*.css")
    app, = static.glob("app.*.js")
    imported = re.findall(r'@import (?:url\()?"([^"]+)"', extra.read_text()) + ["../bg.png"]
    assert all((extra.parent / name).is_file() for name in imported), imported
    assert (app.parent / "helper.js").is_file()


def test_a_static_file_named_with_spaces_is_linked_by_a_valid_address(news_site: Path):
    write_site(news_site, {
        "static/my logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "templates/base.html": '{% extends "default/base.html" %}'
                               "{% block site_head %}<link rel=\"preload\" href=\"{{ assets['my logo.svg'] }}\">{% endblock %}",
    })
    build_site(news_site)
    index = (news_site / "output" / "index.html").read_text(encoding="utf-8")
    assert 'href="static/my%20logo.svg"' in index and (news_site / "output" / "static" / "my logo.svg").is_file()


def _one_subject_over_the_years(root: Path, years: int) -> Path:
    """``years`` stories on one subject, a year apart: too far apart to be one story, alike
    enough to be related."""
    import random

    rng = random.Random(3)

    def words(n: int) -> str:
        return " ".join("".join(rng.choice("bcdfghjklmnpqrstvwxz") + rng.choice("aeiou") for _ in range(4))
                        for _ in range(n))

    return write_site(root, {
        f"content/ferry-{year}.md": article(
            f"Bayline ferry dispute: {words(2)}",
            f"The Bayline harbour ferry dispute between crews and operator goes on. {words(5)}",
            date=f"{year}-03-05", source="Gazette")
        for year in range(2010, 2010 + years)
    })


def test_a_story_page_lists_its_newest_related_stories_and_links_them_all(tmp_path: Path):
    import re

    site = _one_subject_over_the_years(tmp_path / "small", 11)
    build_site(site)
    assert all(len(s["related"]) == 10 for s in load_digest(site)["stories"])
    assert not (site / "output" / "related").exists()  # every story page lists them all

    site = _one_subject_over_the_years(tmp_path / "big", 13)
    build_site(site)
    stories = load_digest(site)["stories"]  # newest first
    assert len(stories) == 13 and len({s["topic"] for s in stories}) == 1
    assert all(len(s["related"]) == 12 for s in stories)  # digest.json names them all
    oldest = (site / "output" / stories[-1]["url"]).read_text(encoding="utf-8")
    related = oldest[oldest.index('id="related-heading"'):]
    listed = re.findall(r'href="\.\./\.\./(stories/[^"]+)"', related)
    assert listed == [s["url"] for s in stories[:10]]  # the ten newest
    link = re.search(r'<a href="\.\./\.\./(related/[^"]+)">All 13 stories on this subject</a>', related)
    assert link, related[:2000]
    page = (site / "output" / link.group(1)).read_text(encoding="utf-8")
    cards = re.findall(r'<h2><a href="\.\./\.\./(stories/[^"]+)">', page)
    assert cards == [s["url"] for s in stories]  # all of them, newest first
    write_site(site, {"digestgen.toml": 'base_url = "https://example.org/"\n'})
    build_site(site)  # a sitemap needs the site's address
    sitemap = (site / "output" / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/" + link.group(1).removesuffix("index.html") in sitemap


def test_a_busy_month_comes_in_pages_newest_first(tmp_path: Path, monkeypatch):
    import re

    from digestgen import pages

    # A busy digest has thousands of stories a month; five in pages of two show the same.
    monkeypatch.setattr(pages, "STORIES_PER_MONTH_PAGE", 2)
    site = write_site(tmp_path, {
        f"content/day-{day}.md": article(f"Story of day {day}", f"What happened on day {day}.",
                                         date=f"2021-05-{day:02d}", source="Gazette", story=f"day-{day}")
        for day in range(1, 6)
    })
    build_site(site)
    out = site / "output" / "archive" / "2021" / "05"
    first, second, third = ((out / p / "index.html").read_text(encoding="utf-8") for p in ("", "page/2", "page/3"))
    assert not (out / "page" / "4").exists()

    def cards(page: str) -> list[str]:
        return re.findall(r'<h2><a href="[./]*stories/(day-\d)/index.html">', page)

    assert [cards(first), cards(second), cards(third)] == [["day-5", "day-4"], ["day-3", "day-2"], ["day-1"]]
    assert '<link rel="next" href="../../../archive/2021/05/page/2/index.html">' in first
    up = "../../../../../"  # from archive/2021/05/page/2/ to the root
    assert f'<a rel="prev" href="{up}archive/2021/05/index.html">' in second
    assert f'<a rel="next" href="{up}archive/2021/05/page/3/index.html">' in second
    assert "<title>May 2021, page 3 · Archive" in third
    write_site(site, {"digestgen.toml": 'base_url = "https://example.org/"\n'})
    build_site(site)  # a sitemap needs the site's address
    sitemap = (site / "output" / "sitemap.xml").read_text(encoding="utf-8")
    assert "https://example.org/archive/2021/05/page/3/" in sitemap


def test_a_months_address_trimmed_to_its_year_lists_that_years_months(news_site: Path):
    """archive/2021/05/ trimmed to archive/2021/ was a 404; the archive links each year's page."""
    import re

    build_site(news_site)
    out = news_site / "output" / "archive"
    year = (out / "2021" / "index.html").read_text(encoding="utf-8")
    assert "<title>2021 · Archive · " in year and "<h1>2021</h1>" in year
    assert re.findall(r'href="\.\./\.\./archive/(2021/\d\d)/index.html"', year) == ["2021/03", "2021/05"]
    assert '<a href="../archive/2021/index.html">2021</a>' in (out / "index.html").read_text(encoding="utf-8")
    month = (out / "2021" / "05" / "index.html").read_text(encoding="utf-8")
    assert '› <a href="../../../archive/2021/index.html">2021</a></nav>' in month


def test_digest_json_is_laid_out_as_json_dumps_lays_it_out(tmp_path: Path):
    # digest.json is written piece by piece for speed; it must stay exactly what
    # json.dumps(indent=2, ensure_ascii=False) writes: related lists, nulls, odd titles.
    site = _one_subject_over_the_years(tmp_path, 3)
    write_site(site, {"content/odd.md": article('A "quoted" back\\slash, é, \u2028 and 東京', "No date, no link.")})
    build_site(site)
    raw = (site / "output" / "digest.json").read_bytes()
    data = json.loads(raw)
    assert any(s["related"] for s in data["stories"]) and any(s["date"] is None for s in data["stories"])
    assert raw == (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def test_tags_whose_names_make_one_slug_keep_their_own_pages(tmp_path: Path):
    """"C", "C++" and "C#" are three tags, each named as written; "Politics" and "politics" one."""
    write_site(tmp_path, {
        "content/c.md": article("Compiler news", "A new C standard.", date="2021-03-01", source="Dev Wire", tags=["C"]),
        "content/cpp.md": article("Template news", "Modules arrive.", date="2021-03-02", source="Dev Wire",
                                  tags=["C++", "Politics"]),
        "content/cs.md": article("Runtime news", "A faster runtime.", date="2021-03-03", source="Dev Wire",
                                 tags=["C#", "politics"]),
        # one tag too, though typed on a Mac (e + combining accent) or with an invisible space pasted in
        "content/cafe.md": article("Cafe news", "Coffee.", date="2021-03-04", source="Dev Wire", tags=["Caf\u00e9"]),
        "content/cafe2.md": article("Cafe2 news", "Tea.", date="2021-03-05", source="Dev Wire", tags=["Cafe\u0301", "Poli\u200btics"]),
    })
    build_site(tmp_path)
    out = tmp_path / "output"
    names = {}
    for page in sorted(out.glob("tags/*/index.html")):
        html = page.read_text(encoding="utf-8")
        names[page.parent.name] = (html.split("<h1")[1].split(">", 1)[1].split("<")[0].strip(), html.count('class="article-item"'))
    assert names == {"c": ("C", 1), "c-2": ("C#", 1), "c-3": ("C++", 1), "politics": ("Poli\u200btics", 3),
                     "cafe": ("Cafe\u0301", 2)}, names
    cpp = next(out.glob("articles/template-news*/index.html")).read_text(encoding="utf-8")
    assert "><bdi>C++</bdi></a>" in cpp and 'href="../../tags/c-3/index.html"' in cpp


def test_a_merged_storys_old_address_leads_to_the_story_and_its_feed_still_serves(tmp_path: Path):
    write_site(tmp_path, {
        "content/a.md": article("Dam <b>bursts</b> upstream", "The dam burst.", date="2021-03-01", source="One", story="dam"),
        "content/b.md": article("Valley evacuated", "The valley was evacuated.", date="2021-03-02", source="Two", story="valley"),
    })
    build_site(tmp_path)
    write_site(tmp_path, {"content/b.md": article("Valley evacuated", "The valley was evacuated.", date="2021-03-02",
                                                  source="Two", story="dam")})
    build_site(tmp_path)
    out = tmp_path / "output"
    moved = (out / "stories" / "valley" / "index.html").read_text(encoding="utf-8")
    assert "<title>Moved: Dam &lt;b&gt;bursts&lt;/b&gt; upstream</title>" in moved  # the title, escaped
    assert 'content="0; url=../dam/index.html"' in moved and ">Dam &lt;b&gt;bursts&lt;/b&gt; upstream</a>" in moved
    # a feed cannot redirect: its readers get the story's feed at the old address
    assert (out / "stories" / "valley" / "feed.xml").read_bytes() == (out / "stories" / "dam" / "feed.xml").read_bytes()


def test_an_update_given_as_a_date_shows_no_invented_time(tmp_path: Path):
    write_site(tmp_path, {
        "content/a.md": article("Bridge reopens", "Traffic flows.", date="2021-03-01", updated="2021-03-04", source="One"),
        "content/b.md": article("Ferry returns", "Boats sail.", date="2021-03-01", updated="2021-03-04 14:05", source="Two"),
    })
    build_site(tmp_path)
    bridge = next((tmp_path / "output").glob("articles/bridge-reopens/index.html")).read_text(encoding="utf-8")
    ferry = next((tmp_path / "output").glob("articles/ferry-returns/index.html")).read_text(encoding="utf-8")
    assert ">4 March 2021</time>" in bridge and ", 00:00</time>" not in bridge
    assert ">4 March 2021, 14:05</time>" in ferry


def test_the_sites_files_folder_is_published_at_the_root_as_it_is(tmp_path: Path):
    write_site(tmp_path, {
        "content/a.md": article("Bridge reopens", "Traffic flows.", date="2021-03-01", source="One"),
        "files/CNAME": "news.example.org\n",
        "files/.well-known/security.txt": "Contact: mailto:desk@example.org\n",
        "files/robots.txt": "User-agent: *\nDisallow: /drafts/\n",
        "files/.DS_Store": "junk",
        "files/notes.txt~": "an editor's backup",
    })
    build_site(tmp_path)
    out = tmp_path / "output"
    assert (out / "CNAME").read_text() == "news.example.org\n"
    assert (out / ".well-known" / "security.txt").is_file()
    assert (out / "robots.txt").read_text() == "User-agent: *\nDisallow: /drafts/\n"  # the site's, not the made one
    assert not (out / ".DS_Store").exists() and not (out / "notes.txt~").exists()
    # an edit there is not taken for "nothing changed"
    (tmp_path / "files" / "CNAME").write_text("digest.example.org\n")
    assert not build_site(tmp_path).unchanged
    assert (out / "CNAME").read_text() == "digest.example.org\n"


def test_a_file_that_would_replace_a_page_is_an_error(tmp_path: Path):
    from digestgen.errors import OutputError

    write_site(tmp_path, {"content/a.md": article("Bridge reopens", "Traffic flows.", source="One"),
                          "files/index.html": "<p>mine</p>"})
    with pytest.raises(OutputError) as caught:
        build_site(tmp_path)
    assert str(caught.value.problems[0]).endswith("output path 'index.html' is also produced by the digest index")


def test_a_file_where_the_site_needs_a_folder_is_an_error_naming_both(tmp_path: Path):
    """It was the file system's 'Is a directory' from deep in the staging folder, and a file
    in the way of static/ was blamed on a style sheet."""
    from digestgen.errors import OutputError

    write_site(tmp_path, {"content/a.md": article("Bridge reopens", "Traffic flows.", source="One"),
                          "files/static": "in the way", "files/articles/bridge-reopens": "in the way too"})
    with pytest.raises(OutputError) as caught:
        build_site(tmp_path)
    messages = sorted(str(p) for p in caught.value.problems)
    assert len(messages) == 2 and all("is a file where" in m and "needs a folder" in m for m in messages), messages
    assert messages[0].startswith(f"{tmp_path}/files/articles/bridge-reopens: output path 'articles/bridge-reopens'")
    assert messages[1].startswith(f"{tmp_path}/files/static: output path 'static'")


def test_a_story_file_names_its_articles_in_either_unicode_form_and_once(tmp_path: Path):
    import unicodedata

    decomposed = unicodedata.normalize("NFD", "café.md")  # as macOS names files
    write_site(tmp_path, {
        f"content/{decomposed}": article("Café reopens", "Coffee again.", date="2021-03-01", source="One"),
        "content/b.md": article("Bakery opens", "Bread again.", date="2021-03-02", source="Two"),
        "content/stories/high-street.md": '---\ntitle: "High street"\nentries: ["café.md", "./b.md", "b.md"]\n---\n',
    })
    result = build_site(tmp_path)
    assert [w for w in result.warnings if "/stories/" in w.path] == []
    story = next(s for s in load_digest(tmp_path)["stories"] if s["slug"] == "high-street")
    assert sorted(e["source_path"] for e in story["entries"]) == sorted(["b.md", decomposed])


def test_relative_links_lead_to_the_linked_article_or_the_outlets_page(tmp_path: Path):
    """An article written for the site links another by its file; a scraped one links its
    outlet's pages relatively. Neither address exists as written on this site."""
    write_site(tmp_path, {
        "content/2021/quake.md": article("Quake strikes the coast", "The ground shook.", date="2021-03-01", source="One"),
        "content/follow-up.md": article(
            "Aftershocks continue",
            "See [the first report](2021/quake.md#damage), [a draft](notes.md) and [the map](/maps/coast) ![](img/map.png).",
            date="2021-03-02", source="Coast Times", url="https://coast.example/news/aftershocks.html"),
    })
    result = build_site(tmp_path)
    out = tmp_path / "output"
    page = next(out.glob("articles/aftershocks-continue/index.html")).read_text(encoding="utf-8")
    assert '<a href="../quake-strikes-the-coast/index.html#damage">the first report</a>' in page
    assert (out / "articles" / "quake-strikes-the-coast" / "index.html").is_file()
    assert '<a href="https://coast.example/maps/coast">the map</a>' in page  # the outlet's page
    assert 'src="https://coast.example/news/img/map.png"' in page
    # no such article: its text without the address, which would 404 and name the file
    assert '<a >a draft</a>' in page and "notes.md" not in page
    assert [(w.line, w.message) for w in result.warnings if w.path == f"{tmp_path}/content/follow-up.md"] == [
        (8, "links to 'notes.md', which is not a published article: its text is published without the link")]
    # the story feed's text resolves its links from the article's page
    feed = next(p for p in out.glob("stories/*/feed.xml") if "Aftershocks" in p.read_text(encoding="utf-8"))
    assert 'xml:base="../../articles/aftershocks-continue/index.html"' in feed.read_text(encoding="utf-8")


def test_relative_links_of_an_article_without_its_url_are_warned_about_at_their_line(tmp_path: Path):
    """With no original address to read them against, relative links (but another article's
    file) lead nowhere on this site: each is a warning at its line. An address from the
    domain's root may be the site's own page, and is left alone."""
    write_site(tmp_path, {
        "content/quake.md": article("Quake strikes the coast", "The ground shook.", date="2021-03-01", source="One"),
        "content/statement.md": article("Council statement", "Read [the statement](press/statement.html) and [the quake](quake.md).\n\n"
                                        "![the map](img/map.png) [about us](/about/)", date="2021-03-02", source="Council"),
    })
    result = build_site(tmp_path)
    assert [(w.line, w.message) for w in result.warnings if w.path.endswith("statement.md")] == [
        (line, f"links to {target!r}, which leads nowhere on this site: an address relative to the article, other than "
               "another article's file, needs the article's url to be read against")
        for line, target in ((7, "press/statement.html"), (9, "img/map.png"))]


def test_a_backslash_in_an_articles_url_is_escaped_not_read_as_a_slash(tmp_path: Path):
    """Scraped feeds write ``…/a.html\\?cid=rss``; a browser reads the backslash as a slash and
    goes elsewhere, and the HTML is invalid: escaped, the address is what the article says."""
    write_site(tmp_path, {"content/a.md": article("Quake strikes the coast", "[Map](map.html)", date="2021-03-01",
                                                  url="http://coast.example/news/a.html\\?cid=rss")})
    build_site(tmp_path)
    page = (tmp_path / "output" / "articles" / "quake-strikes-the-coast" / "index.html").read_text(encoding="utf-8")
    assert 'href="http://coast.example/news/a.html%5C?cid=rss"' in page and "\\" not in page
    assert 'href="http://coast.example/news/map.html"' in page


def test_a_look_at_drafts_and_future_articles_leaves_the_story_lock_alone(news_site: Path):
    """build --drafts / --future is a preview: a draft's working title must not become its address for good."""
    build_site(news_site)
    lock = (news_site / "content" / ".stories.json").read_text(encoding="utf-8")
    write_site(news_site, {
        "content/plans.md": article("Working title about the bridge", "A draft.", date="2021-03-01", source="One")
        .replace("---\n\n", "draft: true\n---\n\n", 1),
        "content/later.md": article("Embargoed bridge report", "Not yet.", date="2999-01-01", source="One"),
    })
    build_site(news_site, drafts=True, future=True)
    assert "working-title" in json.dumps(load_digest(news_site))  # shown in the preview
    assert (news_site / "content" / ".stories.json").read_text(encoding="utf-8") == lock


def test_articles_unpublished_for_a_while_come_back_at_their_addresses(news_site: Path):
    """Made drafts (or dated ahead, or expired) and published again: the story and its
    articles keep the addresses they had, although a headline changed meanwhile."""
    def addresses() -> dict[str, tuple[str, str]]:
        return {e["source_path"]: (s["slug"], e["url"]) for s in load_digest(news_site)["stories"] for e in s["entries"]}

    build_site(news_site)
    before = addresses()
    retitled = QUAKE_A.replace("Magnitude 6.8 earthquake strikes off the coast of Valparaiso, Chile",
                               "Chile quake: tsunami alert lifted after an hour")
    write_site(news_site, {"content/quake-andes.md": retitled.replace("---\n\n", "draft: true\n---\n\n", 1),
                           "content/world/quake-pacific.md": QUAKE_B.replace("---\n\n", "draft: true\n---\n\n", 1)})
    build_site(news_site)
    assert set(addresses()) == {"bakery.md"}
    write_site(news_site, {"content/quake-andes.md": retitled, "content/world/quake-pacific.md": QUAKE_B})
    build_site(news_site)
    assert addresses() == before


def test_the_summary_counts_the_articles_left_out(tmp_path: Path):
    write_site(tmp_path, {
        "content/a.md": article("Bridge reopens", "Traffic flows.", date="2021-03-01", source="One"),
        "content/b.md": article("Plans for the bridge", "A draft.", date="2021-03-01", source="One", draft="true"),
    })
    (tmp_path / "content" / "b.md").write_text((tmp_path / "content" / "b.md").read_text().replace('"true"', "true"))
    result = run_cli("build", "--site", str(tmp_path))
    assert "Built 1 story from 1 article (1 more left out: drafts, future-dated or expired) into" in result.stderr
    again = run_cli("build", "--site", str(tmp_path))  # and when nothing changed (it said "1 story from 1 article")
    assert "up to date (1 story from 1 article (1 more left out: drafts, future-dated or expired)" in again.stderr


def test_an_article_alone_in_its_story_is_not_one_of_all_one_versions(tmp_path: Path):
    build_site(write_site(tmp_path, {"content/a.md": article("Bridge reopens", "Traffic flows.", date="2021-03-01",
                                                              source="One")}))
    page = next((tmp_path / "output").glob("articles/*/index.html")).read_text(encoding="utf-8")
    assert "· 1 version</p>" in page and "side by side" not in page


def test_a_story_file_no_article_can_be_in_is_a_warning(news_site: Path):
    """A story file with no entries, to which no article is pinned, is never published: a
    featured story vanished without a word."""
    write_site(news_site, {
        "content/stories/election-night.md": "---\ntitle: Election night\nfeatured: true\n---\nLive.\n",
        "content/stories/ferries.md": "---\ntitle: The ferries\n---\n",
        "content/ferry.md": article("Ferry timetable changes", "New times.", date="2021-05-02", story="ferries"),
    })
    result = build_site(news_site)
    named = f"{news_site}/content/stories/election-night.md"
    assert [(w.path, w.severity) for w in result.warnings if "no article is in this story" in w.message] == [
        (named, "warning")]
    assert "'story: election-night'" in next(w.message for w in result.warnings if w.path == named)


def test_a_pin_a_story_file_overrules_is_a_warning_at_the_story_files_line(news_site: Path):
    """The story file wins over the article's own ``story:``; the editor who pinned it hears so."""
    write_site(news_site, {
        "content/stories/chile-quake.md": "---\ntitle: Chile quake\nentries:\n  - quake-andes.md\n  - bakery.md\n---\n",
        "content/bakery.md": BAKERY.replace("---\n\n", "story: bread-prizes\n---\n\n", 1),
    })
    result = build_site(news_site)
    story = next(s for s in load_digest(news_site)["stories"] if s["slug"] == "chile-quake")
    assert "bakery.md" in [e["source_path"] for e in story["entries"]]
    assert [(w.path, w.line, w.message) for w in result.warnings if "pinned" in w.message] == [
        (f"{news_site}/content/stories/chile-quake.md", 5,
         "'bakery.md' is pinned to story 'bread-prizes' in its front matter, but this story file lists it: "
         "it stays in story 'chile-quake'")]


def test_what_a_site_adds_to_every_page_is_on_every_page(news_site: Path):
    """The theme's own pages fill its head and scripts blocks (the front page, the search
    page): a site's additions there went missing from them. site_head and site_scripts are
    the site's."""
    write_site(news_site, {
        "static/css/extra.css": "p { margin: 0; }\n",
        "templates/base.html": '{% extends "default/base.html" %}\n'
                               "{% block site_head %}<link rel=\"stylesheet\" href=\"{{ assets['css/extra.css'] }}\">{% endblock %}\n"
                               '{% block site_scripts %}<script src="https://stats.example.org/s.js" defer></script>{% endblock %}\n',
    })
    build_site(news_site)
    out = news_site / "output"
    pages = [p for p in out.rglob("*.html") if "<html" in p.read_text(encoding="utf-8") and "http-equiv" not in p.read_text(encoding="utf-8")]
    assert {"index.html", "search/index.html"} <= {p.relative_to(out).as_posix() for p in pages}
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert 'static/css/extra.' in html and "stats.example.org/s.js" in html, page


def test_default_names_the_theme_even_beside_a_templates_default_folder(news_site: Path):
    write_site(news_site, {
        "templates/default/base.html": "<p>a copy left in templates/default/</p>",
        "templates/base.html": '{% extends "default/base.html" %}{% block site_head %}<meta name="x">{% endblock %}',
    })
    build_site(news_site)
    page = next((news_site / "output" / "stories").glob("*/index.html")).read_text(encoding="utf-8")
    assert "a copy left" not in page and "<main" in page and '<meta name="x">' in page


def test_a_sites_own_favicon_ico_is_not_hidden_by_the_themes_icon(news_site: Path):
    build_site(news_site)
    assert 'rel="icon"' in (news_site / "output" / "index.html").read_text(encoding="utf-8")
    write_site(news_site, {"files/favicon.ico": b"\x00\x00\x01\x00"})
    build_site(news_site)
    out = news_site / "output"
    assert 'rel="icon"' not in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "favicon.ico").is_file() and not (out / "static" / "favicon.svg").exists()
    write_site(news_site, {"static/favicon.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>"})  # the site's own: linked
    build_site(news_site)
    assert 'rel="icon"' in (out / "index.html").read_text(encoding="utf-8")


def test_templates_get_what_the_readme_says_they_get(tmp_path: Path, monkeypatch):
    import re

    from conftest import REPO

    from digestgen import site as rendering

    seen: dict[str, set[str]] = {}
    real = rendering._render_bytes

    def recording(env, template, context):  # noqa: ANN001, ANN202
        seen.setdefault(template, set()).update(context)
        return real(env, template, context)

    monkeypatch.setattr(rendering, "_render_bytes", recording)
    monkeypatch.setattr(rendering, "_PARALLEL_FROM", 10**9)  # render in this process, where it is recorded
    write_site(tmp_path, {"content/a.md": article("Harbour dredging begins", "Dredging.", date="2021-05-01", source="X", tags=["port"]),
                          "content/b.md": article("Harbour dredging starts", "Dredging.", date="2021-05-01", source="Y")})
    build_site(tmp_path)
    readme = (REPO / "README.md").read_text(encoding="utf-8").split("### What templates get", 1)[1].split("\n\n", 3)
    every_page = set(re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", readme[1]))) - {"url"}
    rows = [line for line in readme[2].splitlines() if line.startswith("| `")]
    assert rows and len(seen) == 11, sorted(seen)
    for row in rows:
        _, names, gets, _ = row.split("|")
        promised = set(re.findall(r"`(\w+)`", re.sub(r"\([^)]*\)", "", gets)))
        templates = [name for name in re.findall(r"`([\w.]+\.html)`", names) if name in seen]  # (not related.html)
        if not templates:
            continue
        for template in templates:  # (text_direction and og_locale are the environment's, for every template)
            assert every_page - {"text_direction", "og_locale"} <= seen[template], template
        # a row may speak for several templates ("outlet or tag"): each name is one of theirs
        assert promised <= set().union(*(seen[template] for template in templates)), row


def test_template_helpers_take_root_addresses_absolute_ones_and_days(tmp_path: Path):
    """url("/x") is from the site's root (a subpath too), as Hugo's relURL reads it; an absolute
    address stays; the date filters and time_tag take a day from front matter (a YAML date)."""
    write_site(tmp_path, {
        "content/a.md": "---\ntitle: Harbour dredging begins\ndate: 2021-05-01\nsource: X\nevent: 2024-05-01\n---\n\nDredging.\n",
        "templates/article.html": '{% extends "default/article.html" %}{% block main %}<p class="t">'
                                  '{{ url("/search/index.html") }}|{{ url("https://example.org/a") }}|{{ url("//cdn.example/x.js") }}|'
                                  '{{ time_tag(entry.extra.event) }}|{{ entry.extra.event|date }}|{{ entry.extra.event|isodate }}|'
                                  '{{ entry.extra.event|datetime }}</p>{{ super() }}{% endblock %}',
    })
    build_site(tmp_path)
    page = next((tmp_path / "output" / "articles").glob("*/index.html")).read_text(encoding="utf-8")
    assert ('<p class="t">../../search/index.html|https://example.org/a|//cdn.example/x.js|'
            '<time datetime="2024-05-01">1 May 2024</time>|1 May 2024|2024-05-01|1 May 2024</p>') in page


def test_words_a_template_translates_from_an_article_are_escaped(tmp_path: Path):
    """_(entry.source) is not the template's own words: unless the site's words translate it,
    it is escaped, not trusted as markup."""
    import re

    hostile = "<img src=x onerror=alert(1)>"
    write_site(tmp_path, {
        "content/a.md": article("Harbour dredging begins", "Dredging.", date="2021-05-01", source=hostile),
        "content/b.md": article("Harbour dredging starts", "Dredging.", date="2021-05-01", source="Latest"),
        "templates/article.html": '{% extends "default/article.html" %}{% block main %}<p class="t">{{ _(entry.source) }}|'
                                  '{{ _(entry.source ~ "!") }}|{{ _("Latest") }}</p>{{ super() }}{% endblock %}',
        "digestgen.toml": 'language = "de"\n',
    })
    build_site(tmp_path)
    shown = sorted(re.search(r'<p class="t">(.*?)</p>', p.read_text(encoding="utf-8")).group(1)
                   for p in (tmp_path / "output" / "articles").glob("*/index.html"))
    assert shown == ["&lt;img src=x onerror=alert(1)&gt;|&lt;img src=x onerror=alert(1)&gt;!|Neueste", "Neueste|Latest!|Neueste"]


def test_a_page_with_nothing_of_its_own_to_say_is_described_as_the_site_is(tmp_path: Path):
    """A headline-only article has no text to describe it: its page, and its story's, take
    the site's description, as Hugo's and Zola's themes do, rather than none."""
    write_site(tmp_path, {"content/a.md": article("Quake strikes the coast", "", date="2021-03-01", source="One"),
                          "digestgen.toml": 'description = "News from the coast"\n'})
    build_site(tmp_path)
    for page in ("articles/quake-strikes-the-coast/index.html", "stories/quake-strikes-the-coast/index.html"):
        html = (tmp_path / "output" / page).read_text(encoding="utf-8")
        assert '<meta name="description" content="News from the coast">' in html, page
        assert '<meta property="og:description" content="News from the coast">' in html, page


def test_an_article_page_lists_a_dozen_of_its_storys_other_versions_and_links_the_rest(tmp_path: Path):
    """Listing every other version on every version's page wrote n x n lines: 564 MB of article
    pages for one story of 1,600 versions. The story page shows them all."""
    import re

    write_site(tmp_path, {f"content/v{k:02}.md": article(f"Harbour dredging report {k}", "Dredging began.", date="2021-05-01",
                                                         source=f"Paper {k:02}", story="harbour-dredging")
                          for k in range(20)})
    build_site(tmp_path)
    page = (tmp_path / "output" / "articles" / "harbour-dredging-report-0" / "index.html").read_text(encoding="utf-8")
    aside = page.split('<aside class="other-versions"', 1)[1].split("</aside>", 1)[0]
    assert len(re.findall(r'<span class="outlet">', aside)) == 12
    assert '<li><a href="../../stories/harbour-dredging/index.html">and 7 more versions</a></li>' in aside
    story = (tmp_path / "output" / "stories" / "harbour-dredging" / "index.html").read_text(encoding="utf-8")
    assert all(f"Paper {k:02}" in story for k in range(20))


def test_a_build_waits_for_another_build_of_the_site_to_finish(news_site: Path):
    """Two builds at once each reused the files of the site they found at their start, which the
    other swapped out meanwhile: the site that stood last could be a mix of the two, and the
    next build took it as current. A second build now waits, and says so."""
    import subprocess
    import sys

    from digestgen import cache
    from digestgen.config import Paths

    build_site(news_site)
    write_site(news_site, {"content/late.md": article("Late news", "A late report.", date="2021-05-03")})
    with cache.one_build_at_a_time(Paths.for_site(news_site).cache):  # another build, under way
        second = subprocess.Popen([sys.executable, "-m", "digestgen", "build", "--site", str(news_site)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            second.wait(timeout=3)
    _, err = second.communicate(timeout=60)
    assert second.returncode == 0, err
    assert err.startswith("Waiting for another build of this site to finish…")
    assert snapshot(news_site / "output") == clean_copy_build(news_site)


def clean_copy_build(site: Path) -> dict[str, bytes]:
    """What a clean build of ``site``'s sources (its story lock too) makes."""
    import shutil

    copy = site.parent / (site.name + "-clean")
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output", ".digestgen-cache"))
    build_site(copy)
    return snapshot(copy / "output")


def test_an_outlet_named_right_to_left_keeps_the_date_beside_it_in_order(tmp_path: Path):
    """Not isolated, an Arabic outlet name took the date's day number into its right-to-left run:
    "14 الجزيرة March 2024". Isolated (<bdi>, or FSI…PDI in the search results' plain text), it cannot."""
    write_site(tmp_path, {
        "content/ar.md": article("البرلمان يقر الميزانية", "أقر البرلمان.", source="الجزيرة", language="ar",
                                 date="2024-03-14", story="budget"),
        "content/en.md": article("Parliament passes the budget", "It passed.", source="Gazette", date="2024-03-14",
                                 story="budget"),
        "content/headline.md": article("Ferry strike called off", "", source="Gazette"),
    })
    build_site(tmp_path)
    out = tmp_path / "output"
    english = (out / "articles" / "parliament-passes-the-budget" / "index.html").read_text(encoding="utf-8")
    assert '<span class="outlet"><bdi>الجزيرة</bdi></span>' in english
    index = "".join(p.read_text(encoding="utf-8") for p in (out / "static" / "search").glob("docs-*.js"))
    assert '"\u2068الجزيرة\u2069 · 14 March 2024"' in index
    # a headline without date, author or body has no empty paragraph or box to show
    headline = (out / "articles" / "ferry-strike-called-off" / "index.html").read_text(encoding="utf-8")
    assert '<p class="meta"></p>' not in headline and '<div class="body">' not in headline


def test_links_to_article_files_named_with_hash_question_mark_or_accents_lead_to_them(tmp_path: Path):
    """"q#1.md" was read as "q" with a fragment, its link dropped with a warning; a missing
    "Müller.md" was warned about without its line (the link is percent-encoded by then)."""
    write_site(tmp_path, {
        "content/q#1.md": article("Question one answered", "Yes.", source="One"),
        "content/what?.md": article("What happened next", "This.", source="One"),
        "content/links.md": article("Links", "See [one](q%231.md#top), [what](what%3F.md)\n\nand [gone](Müller.md).", source="Two"),
    })
    result = build_site(tmp_path)
    page = (tmp_path / "output" / "articles" / "links" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../question-one-answered/index.html#top">one</a>' in page
    assert '<a href="../what-happened-next/index.html">what</a>' in page
    assert [(w.line, w.message) for w in result.warnings if w.path.endswith("links.md")] == [
        (8, "links to 'Müller.md', which is not a published article: its text is published without the link")]


def test_files_in_the_stories_folder_that_are_no_story_files_are_warned_about(tmp_path: Path):
    """A scraper writing its articles to content/stories/ lost them all without a word."""
    write_site(tmp_path, {
        "content/a.md": article("Quake hits the city", "A quake hit.", source="One"),
        "content/stories/quake.MD": "---\ntitle: The quake\nentries: [a.md]\n---\n",
        "content/stories/2024/fire.txt": "Fire downtown\n\nA fire.\n",
        "content/stories/notes.markdown": "x\n",
        "content/stories/_draft.md": "---\ntitle: Later\n---\n",
    })
    result = build_site(tmp_path)
    assert sorted((w.path.split("content/", 1)[1], w.message) for w in result.warnings if "not read" in w.message) == [
        (f"stories/{name}", "not read: stories/ holds story files (stories/<slug>.md) only; articles go anywhere "
                            "else in the content folder") for name in ("2024/fire.txt", "notes.markdown")]
    assert load_digest(tmp_path)["stories"][0]["title"] == "The quake"  # .MD, as articles' .MD, is read


def test_a_french_site_reads_its_slash_dates_day_first_and_rereads_them_when_the_language_changes(tmp_path: Path):
    write_site(tmp_path, {"digestgen.toml": 'language = "fr"\ntimezone = "Europe/Paris"\n',
                          "content/ratp.md": article("Grève RATP", "Texte.", source="Le Parisien", date="12/03/2024 08:00")})
    build_site(tmp_path)
    assert load_digest(tmp_path)["stories"][0]["entries"][0]["date"] == "2024-03-12T08:00:00+01:00"
    (tmp_path / "digestgen.toml").write_text('language = "en"\ntimezone = "Europe/Paris"\n', encoding="utf-8")
    build_site(tmp_path)  # the cached reading was the French one
    assert load_digest(tmp_path)["stories"][0]["entries"][0]["date"] == "2024-12-03T08:00:00+01:00"
