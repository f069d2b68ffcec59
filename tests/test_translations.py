"""The theme's words in the site's language: shipped catalogues, a site's own [translations]."""

from __future__ import annotations

import json
import re
import shutil
from datetime import datetime
from pathlib import Path

import jinja2
import jinja2.ext
import pytest

from conftest import REPO, article, build_site, run_cli, snapshot, write_site
from publisher_site import CONFIG, build_publisher_site

from digestgen.i18n import CALENDAR, catalogue, messages_for, shipped_languages
from digestgen.render import theme_dir

PLACEHOLDER = re.compile(r"%\((\w+)\)s")
TAG = re.compile(r"<[^>]+>")


def _messages_used() -> dict[str, tuple[str, ...]]:
    """Every message the theme and digestgen's code ask for: English text -> (singular[, plural])."""
    env = jinja2.Environment(extensions=["jinja2.ext.i18n"])  # as the templates are written, nothing compiled in
    used: dict[str, tuple[str, ...]] = {}
    for template in sorted(theme_dir().glob("*.html")):
        tree = env.parse(template.read_text(encoding="utf-8"))
        for _, _, message in jinja2.ext.extract_from_ast(tree, (*jinja2.ext.GETTEXT_FUNCTIONS, "plural_forms")):
            texts = tuple(m for m in (message if isinstance(message, tuple) else (message,)) if isinstance(m, str))
            used[texts[0]] = texts
    call = re.compile(r"""\bn?gettext\(\s*(['"])(.+?)\1(?:,\s*(['"])(.+?)\3)?""")
    for module in sorted((REPO / "src" / "digestgen").rglob("*.py")):
        for match in call.finditer(module.read_text(encoding="utf-8")):
            texts = tuple(t for t in (match.group(2), match.group(4)) if t)
            used[texts[0]] = texts
    used.update((message, (message,)) for message in CALENDAR)  # said by i18n.Messages.date
    return used


USED = _messages_used()


def _config(language: str, translations: str = "") -> str:
    """The publisher site's config in ``language``, with a [translations] table of these lines."""
    config = CONFIG.replace('language = "en"', f'language = "{language}"')
    return config + (f"\n[translations]\n{translations}" if translations else "")
LANGUAGES = shipped_languages()


def test_the_theme_and_the_code_ask_for_their_words_in_the_site_language():
    # the extraction itself: a template's words, a {% trans %} block's, search.js's, the code's
    assert {"Latest", "Every source's version", "%(num)s result for “%(query)s”.", "Moved: %(story)s"} <= set(USED)
    assert USED["%(num)s version"] == ("%(num)s version", "%(num)s versions")
    assert set(LANGUAGES) == {"en", "de", "fr", "es", "it", "pt", "nl"}
    # en.toml, the list to translate from, is the English itself
    assert {k: v if isinstance(v, str) else (v["one"], v["other"]) for k, v in catalogue("en").items()} == {
        k: v[0] if len(v) == 1 else v for k, v in USED.items()}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalogue_translates_every_message_and_keeps_its_placeholders_and_links(language: str):
    table = catalogue(language)
    assert sorted(set(USED) - set(table)) == [], "untranslated"
    assert sorted(set(table) - set(USED)) == [], "translated, but nothing asks for it"
    for key, english in USED.items():
        forms = table[key] if isinstance(table[key], dict) else {"other": table[key]}
        assert (len(english) == 2) == isinstance(table[key], dict), f"{key!r}: a plural must have forms, and only a plural"
        for category, text in forms.items():
            assert category in ("one", "other"), (key, category)
            source = english[-1] if category == "other" else english[0]
            assert set(PLACEHOLDER.findall(text)) == set(PLACEHOLDER.findall(source)), (key, category, text)
            # links and hidden text keep their markup, in the same order
            assert TAG.findall(text) == TAG.findall(source), (key, category, text)


def test_counts_take_the_plural_form_of_the_language():
    def versions(language: str, n: int) -> str:
        return messages_for(language).ngettext("%(num)s version", "%(num)s versions", n)

    assert [versions("en", n) for n in (0, 1, 2)] == ["0 versions", "1 version", "2 versions"]
    assert [versions("fr", n) for n in (0, 1, 2)] == ["0 version", "1 version", "2 versions"]  # 0 is singular in French
    assert [versions("de-AT", n) for n in (0, 1, 2)] == ["0 Fassungen", "1 Fassung", "2 Fassungen"]  # a region: its language
    assert versions("pt-BR", 0) == "0 versão" and versions("pt-PT", 0) == "0 versões"
    assert versions("sv", 1) == "1 version"  # no catalogue: English
    # search.js gets every form to count with itself, %% as % as gettext gives it unfilled
    forms = messages_for("de", (("%(num)s version", (("one", "1 %% sicher"), ("other", "%(num)s %% sicher"))),))
    assert forms.plural_forms("%(num)s version", "%(num)s versions") == {"one": "1 % sicher", "other": "%(num)s % sicher"}
    assert forms.ngettext("%(num)s version", "%(num)s versions", 3) == "3 % sicher"


def _visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r'<[^>]*?(?:aria-label|placeholder|title)="([^"]*)"[^>]*>', r" \1 ", html)  # what a screen reader says
    return " ".join(TAG.sub(" ", html).split())


def _all_pages(out: Path) -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html")))


def test_a_german_site_shows_the_theme_in_german_and_none_of_its_english(tmp_path: Path):
    build_publisher_site(tmp_path, config=_config("de"))
    out = tmp_path / "output"
    pages = {p.relative_to(out).as_posix(): _visible_text(p.read_text(encoding="utf-8")) for p in out.rglob("*.html")}
    index = pages["index.html"]
    assert "Zum Inhalt springen" in index and "Neueste Quellen Archiv Themen Suchen" in index
    assert "herausgegeben von The Digest Desk" in index
    story = next(text for path, text in pages.items() if path.startswith("stories/") and "2 Fassungen" in text)
    assert "Die Fassung jeder Quelle" in story and "Diese Fassung lesen" in story
    assert "1 Meldung" in pages["archive/index.html"] or "Meldungen" in pages["archive/index.html"]
    assert "Keine Treffer" not in pages["search/index.html"]  # search.js's words travel in an attribute
    # Every English phrase of the theme that German words differently is gone from every page.
    german = catalogue("de")
    phrases = [k for k, v in german.items() if isinstance(v, str) and v != k and " " in k and "%" not in k and "<" not in k]
    assert len(phrases) > 15
    leftovers = {path: [p for p in phrases if p in text] for path, text in pages.items()}
    assert {path: found for path, found in leftovers.items() if found} == {}


def test_feeds_the_search_index_and_redirects_speak_the_site_language(tmp_path: Path):
    build_publisher_site(tmp_path, config=_config("fr"))
    out = tmp_path / "output"
    assert "2 versions de ce sujet\u00a0:" in (out / "feed.xml").read_text(encoding="utf-8")
    docs = "".join(p.read_text(encoding="utf-8") for p in (out / "static" / "search").glob("docs-*.js"))
    assert "Sujet, 2 versions" in docs and "Story," not in docs
    search_page = (out / "search" / "index.html").read_text(encoding="utf-8")
    assert "Aucun r\\u00e9sultat pour \\u00ab\\u00a0%(query)s\\u00a0\\u00bb." in search_page
    assert '<html lang="fr">' in search_page


def test_a_sites_own_translations_go_over_the_shipped_ones(tmp_path: Path):
    config = _config("de", '"Latest" = "Aktuell"\n"%(num)s version" = { one = "eine Quelle", other = "%(num)s Quellen" }\n')
    build_publisher_site(tmp_path, config=config)
    index = _visible_text((tmp_path / "output" / "index.html").read_text(encoding="utf-8"))
    assert "Aktuell Quellen Archiv" in index  # the site's word, then the catalogue's
    every_page = _all_pages(tmp_path / "output")
    assert "2 Quellen" in every_page and "eine Quelle" in every_page and "source-count\">1 Fassung" not in every_page



def test_a_language_digestgen_does_not_ship_speaks_english_counted_as_english_and_says_so(tmp_path: Path):
    result = build_publisher_site(tmp_path, config=_config("zh"))
    pages = _all_pages(tmp_path / "output")
    assert "1 version<" in pages and "2 versions" in pages and "1 versions" not in pages  # zh has one form only
    assert [w.message.split(":")[0] for w in result.warnings if "ships no words" in w.message] == ["language 'zh'"]
    assert next(w for w in result.warnings if "ships no words" in w.message).line == 4  # language = "zh"
    # given some words, it says how many more stay English (one given silenced it for the other eighty)
    some = build_publisher_site(tmp_path / "some", config=_config("zh", '"Latest" = "最新"\n'))
    said = next(w.message for w in some.warnings if "ships no words" in w.message)
    assert re.search(r"\[translations\] gives 1 of its words: \d{2,} stay English \('.+', …\)", said), said
    # given them all, it is quiet
    from digestgen.i18n import catalogue

    every = "".join(f"{json.dumps(key)} = {json.dumps(value) if isinstance(value, str) else _inline_table(value)}\n"
                    for key, value in catalogue("en").items())
    quiet = build_publisher_site(tmp_path / "given", config=_config("zh", every))
    assert not [w for w in quiet.warnings if "ships no words" in w.message]


def _inline_table(forms: dict) -> str:
    return "{ " + ", ".join(f"{category} = {json.dumps(text)}" for category, text in forms.items()) + " }"

def test_a_site_in_another_language_translates_the_theme_itself(tmp_path: Path):
    config = _config("sv", '"Latest" = "Senaste"\n"%(num)s version" = { one = "%(num)s version", other = "%(num)s versioner" }\n')
    build_publisher_site(tmp_path, config=config)
    page = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="sv">' in page and ">Senaste</a>" in page and "1 version" in page
    assert "2 versioner" in _all_pages(tmp_path / "output")
    assert ">Sources</a>" in page  # not translated: English


def test_what_a_translation_is_filled_with_is_escaped(tmp_path: Path):
    hostile = '<img src=x onerror="alert(1)">'
    config = _config("de").replace('author = "The Digest Desk"', f"author = '{hostile}'")
    write_site(tmp_path, {"content/x.md": article("Ein Artikel", "Text.", date="2021-05-01", source=hostile)})
    build_publisher_site(tmp_path, config=config)
    out = tmp_path / "output"
    for page in out.rglob("*.html"):
        assert "<img src=x" not in page.read_text(encoding="utf-8"), page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "herausgegeben von &lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in index


def test_a_bad_translation_fails_the_build_naming_the_line_and_keeps_the_site(tmp_path: Path):
    site = write_site(tmp_path, {"content/a.md": article("One", "Text.", date="2021-05-01", source="Gazette"),
                                 "digestgen.toml": 'language = "de"\n'})
    assert run_cli("build", "--site", str(site)).returncode == 0
    before = snapshot(site / "output")
    (site / "digestgen.toml").write_text('language = "de"\n\n[translations]\n"Latest" = "Aktuell"\n'
                                         '"%(num)s version" = { one = "eine" }\n"Search" = 3\n', encoding="utf-8")
    result = run_cli("build", "--site", str(site))
    assert result.returncode != 0
    assert "digestgen.toml:5: translations.'%(num)s version': a plural needs its 'other' form" in result.stderr
    assert "digestgen.toml:6: translations.'Search' must be a string" in result.stderr
    assert snapshot(site / "output") == before


def test_a_translation_change_rebuilds_the_pages_that_show_it_as_a_clean_build_would(tmp_path: Path):
    site = write_site(tmp_path, {
        "content/a.md": article("Harbour dredging begins", "The harbour authority began dredging.", date="2021-05-01", source="Gazette"),
        "content/b.md": article("Dredging of the harbour starts", "Dredging of the harbour began.", date="2021-05-01", source="Crier"),
        "digestgen.toml": 'language = "nl"\n',
    })
    build_site(site)
    assert "2 versies" in (site / "output" / "index.html").read_text(encoding="utf-8")
    (site / "digestgen.toml").write_text('language = "nl"\n[translations]\n"%(num)s version" = { one = "%(num)s bron", other = "%(num)s bronnen" }\n'
                                         '"Story, %(num)s version" = { one = "Bericht uit %(num)s bron", other = "Bericht uit %(num)s bronnen" }\n',
                                         encoding="utf-8")
    build_site(site)
    incremental = snapshot(site / "output")
    assert b"2 bronnen" in incremental["index.html"]
    assert any(b"Bericht uit 2 bronnen" in data for path, data in incremental.items() if path.startswith("static/search/docs-"))
    shutil.rmtree(site / "output")
    shutil.rmtree(site / ".digestgen-cache", ignore_errors=True)  # the last site may still be going from it
    build_site(site)
    assert snapshot(site / "output") == incremental


def test_a_language_change_shows_on_every_page_in_the_same_process_and_the_next(tmp_path: Path):
    """Templates are compiled with their words (render._ConstantTranslations): a new language
    must never meet templates compiled for the last one, in memory or in the cache folder."""
    site = write_site(tmp_path, {"content/a.md": article("One", "Text.", date="2021-05-01", source="Gazette")})
    nav = re.compile(r'<li><a href="index.html" aria-current="page">([^<]+)</a>')
    for language, word in [("de", "Neueste"), ("fr", "À la une"), ("en", "Latest")]:
        (site / "digestgen.toml").write_text(f'language = "{language}"\n', encoding="utf-8")
        build_site(site)
        assert nav.findall((site / "output" / "index.html").read_text(encoding="utf-8")) == [word]
    for language, word in [("de", "Neueste"), ("fr", "À la une")]:
        (site / "digestgen.toml").write_text(f'language = "{language}"\n', encoding="utf-8")
        assert run_cli("build", "-q", "--site", str(site)).returncode == 0
        assert nav.findall((site / "output" / "index.html").read_text(encoding="utf-8")) == [word]


def test_words_nothing_asks_for_are_a_warning_naming_the_line_and_an_error_when_strict(tmp_path: Path):
    site = write_site(tmp_path, {
        "content/a.md": article("One", "Text.", date="2021-05-01", source="Gazette"),
        "templates/index.html": '{% extends "default/index.html" %}{% block head %}{{ _("Our own words") }}'
                                '{% include "partials/follow.j2" %}{% endblock %}',
        "templates/partials/follow.j2": '{{ _("Follow us") }}',  # a partial by Jinja's own name for one
        "digestgen.toml": 'language = "de"\n\n[translations]\n"Lastest" = "Aktuell"\n"Our own words" = "Unsere Worte"\n'
                          '"Search" = "Finden"\n"Follow us" = "Folgen Sie uns"\n',
    })
    result = run_cli("build", "--site", str(site))
    assert result.returncode == 0
    assert "digestgen.toml:4: warning: translations: nothing asks for 'Lastest' (did you mean 'Latest'?)" in result.stderr
    assert result.stderr.count("translations:") == 1  # a site template's words and digestgen's own are asked for
    assert "Unsere Worte" in (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "Folgen Sie uns" in (site / "output" / "index.html").read_text(encoding="utf-8")
    strict = run_cli("build", "--strict", "--site", str(site))
    assert strict.returncode != 0 and "digestgen.toml:4: translations: nothing asks for 'Lastest'" in strict.stderr


def test_pages_in_a_right_to_left_language_say_so(tmp_path: Path):
    site = write_site(tmp_path, {"content/a.md": article("One", "Text.", date="2021-05-01", source="Gazette"),
                                 "digestgen.toml": 'language = "he-IL"\n'})
    build_site(site)
    assert '<html lang="he-IL" dir="rtl">' in (site / "output" / "index.html").read_text(encoding="utf-8")
    assert [messages_for(tag).direction for tag in ("ar", "fa-IR", "ur", "en", "de", "tr")] == ["rtl"] * 3 + ["ltr"] * 3


def test_dates_are_said_in_the_sites_words_too(tmp_path: Path):
    config = _config("sv", '"May" = "maj"\n"%(date)s, %(time)s" = "%(date)s kl. %(time)s"\n')
    build_publisher_site(tmp_path, config=config)
    out = tmp_path / "output"
    assert ">7 maj 2021</time>" in (out / "index.html").read_text(encoding="utf-8")
    assert "kl. " in _all_pages(out) and "maj 2021" in (out / "archive" / "index.html").read_text(encoding="utf-8")
    docs = "".join(p.read_text(encoding="utf-8") for p in (out / "static" / "search").glob("docs-*.js"))
    assert "7 maj 2021" in docs
    french = messages_for("fr")
    moment = datetime(2021, 7, 14, 9, 5)
    assert (french.date(moment), french.date_and_time(moment), french.month_name(8)) == ("14 juillet 2021", "14 juillet 2021 à 09:05", "août")
    assert messages_for("de").date(moment) == "14. Juli 2021"
    japanese = messages_for("ja", (("%(month)s %(year)s", "%(year)s年%(month)s"), ("May", "5月")))
    assert japanese.month_and_year(5, 2021) == "2021年5月"


@pytest.mark.parametrize(("line", "message"), [
    ('"Page %(number)s" = "Sida %(nummer)s"', "translations.'Page %(number)s': %(nummer)s is not filled in here (this text's values: %(number)s)"),
    ('"Latest" = "100% nytt"', "translations.'Latest': write a % that is not a value's place as %%"),
    ('"%(num)s story" = { one = "%(num)s nyhet", other = "%(n)s nyheter" }', "translations.'%(num)s story': %(n)s is not filled in here"),
])
def test_a_translation_may_fill_in_only_what_the_english_does(tmp_path: Path, line: str, message: str):
    site = write_site(tmp_path, {"content/a.md": article("One", "Text.", date="2021-05-01", source="Gazette"),
                                 "digestgen.toml": f'language = "sv"\n[translations]\n{line}\n'})
    result = run_cli("build", "--site", str(site))
    assert result.returncode != 0
    assert f"digestgen.toml:3: {message}" in result.stderr


def _article_page(out: Path, title_part: str) -> str:
    for page in sorted((out / "articles").glob("*/index.html")):
        text = page.read_text(encoding="utf-8")
        if title_part in text.split("<h1", 1)[1].split("</h1>", 1)[0]:
            return text
    raise AssertionError(f"no article page titled {title_part!r}")


def test_an_article_in_another_language_is_marked_as_such_wherever_its_words_show(tmp_path: Path):
    site = write_site(tmp_path, {
        "content/en.md": article("Magnitude 6.8 earthquake strikes off the coast of Chile",
                                 "A magnitude 6.8 earthquake struck off the coast of Valparaiso, Chile on Tuesday.",
                                 date="2021-05-04 10:00", source="Wire"),
        "content/fr.md": article("Séisme de magnitude 6,8 au large du Chili",
                                 "Un séisme de magnitude 6,8 a frappé mardi au large de Valparaiso, au Chili. Earthquake Chile Valparaiso magnitude 6.8.",
                                 date="2021-05-04 09:00", source="Le Monde", language="fr"),
        "content/ar.md": article("زلزال بقوة 6.8 قبالة سواحل تشيلي", "ضرب زلزال بقوة 6.8 قبالة سواحل فالبارايسو في تشيلي.",
                                 date="2021-05-05", source="الجزيرة", language="ar"),
        "content/bad.md": article("An article with a wrong tag", "Text.", date="2021-05-01", source="Wire", language="français"),
    })
    result = build_site(site)
    assert [str(w).removeprefix(f"{site}/") for w in result.warnings if "language" in w.message] == [
        "content/bad.md:5: warning: language ignored: not a language tag such as 'fr' or 'pt-BR', got 'français'"]
    out = site / "output"
    french = _article_page(out, "Séisme")
    assert '<h1 lang="fr">Séisme' in french and '<div class="body" lang="fr">' in french
    arabic = _article_page(out, "زلزال")
    assert '<h1 lang="ar" dir="rtl">' in arabic and '<div class="body" lang="ar" dir="rtl">' in arabic
    english = _article_page(out, "Magnitude")
    assert "<h1>Magnitude" in english and '<div class="body">' in english
    assert ' lang="fr">Séisme de magnitude 6,8 au large du Chili</a>' in english  # the French version, listed
    story = next(p.read_text(encoding="utf-8") for p in (out / "stories").glob("*/index.html") if "Le Monde" in p.read_text(encoding="utf-8"))
    assert '<h3 lang="fr">' in story and '<p class="lead" lang="fr">' in story and "<h3><a" in story
    digest = {e["source_path"]: e["language"] for s in json.loads((out / "digest.json").read_text())["stories"] for e in s["entries"]}
    assert digest == {"en.md": None, "fr.md": "fr", "ar.md": "ar", "bad.md": None}
    feeds = "".join(p.read_text(encoding="utf-8") for p in (out / "stories").glob("*/feed.xml"))
    assert '<entry xml:lang="fr">' in feeds and '<entry xml:lang="ar">' in feeds


def test_a_story_titled_by_its_french_version_says_so_and_an_editors_title_is_the_sites(tmp_path: Path):
    site = write_site(tmp_path, {
        "content/fr.md": article("Grève des contrôleurs aériens à Marseille", "Les contrôleurs aériens de Marseille sont en grève.",
                                 date="2021-05-04", source="Le Monde", language="fr", story="strike"),
        "content/other.md": article("Ferry timetable changes", "The ferry timetable changes on Monday.", date="2021-05-03", source="Wire"),
    })
    build_site(site)
    page = (site / "output" / "stories" / "strike" / "index.html").read_text(encoding="utf-8")
    assert '<h1 lang="fr">Grève' in page and '<p class="blurb lede" lang="fr">' in page
    assert '<h2 lang="fr"><a' in (site / "output" / "index.html").read_text(encoding="utf-8")
    items = {i["title"]: i.get("language") for i in json.loads((site / "output" / "feed.json").read_text())["items"]}
    assert items == {"Grève des contrôleurs aériens à Marseille": "fr", "Ferry timetable changes": None}  # as Atom's xml:lang
    outlet = (site / "output" / "sources" / "le-monde" / "index.html").read_text(encoding="utf-8")
    assert 'in <a href="../../stories/strike/index.html" lang="fr">Grève' in outlet  # its story, as a listing names it
    write_site(site, {"content/stories/strike.md": "---\ntitle: Air traffic controllers strike in Marseille\n---\n"})
    build_site(site)
    page = (site / "output" / "stories" / "strike" / "index.html").read_text(encoding="utf-8")
    assert "<h1>Air traffic controllers strike in Marseille</h1>" in page
    assert '<p class="blurb lede" lang="fr">' in page  # the blurb is still the French version's lead


def test_an_article_naming_no_outlet_is_from_the_unknown_one_in_the_sites_words(tmp_path: Path):
    from digestgen.patch import patch, shown_index

    seeds = REPO / "content"
    site = write_site(tmp_path, {"digestgen.toml": 'language = "de"\n'})
    shutil.copytree(seeds, site / "content")
    result = build_site(site)
    assert (site / "output" / "sources" / "unbekannte-quelle" / "index.html").is_file()
    assert "Unknown outlet" not in _all_pages(site / "output")
    # the live preview reads an edited article as the build did: the edit is patched, not rebuilt
    edited = sorted((site / "content").glob("*.txt"))[0]
    edited.write_text(edited.read_text(encoding="utf-8") + "\nEin neuer Absatz.\n", encoding="utf-8")
    assert patch(result.state, [edited], shown_index(result.state, None)) is not None


def test_a_language_must_be_a_language_tag_and_one_text_may_serve_every_count(tmp_path: Path):
    site = write_site(tmp_path, {"content/a.md": article("One", "Text.", date="2021-05-01", source="Gazette"),
                                 "digestgen.toml": 'title = "X"\nlanguage = "../../secrets"\n'})
    result = run_cli("build", "--site", str(site))
    assert result.returncode != 0
    assert "digestgen.toml:2: language must be a language tag such as 'en' or 'pt-BR', got '../../secrets'" in result.stderr
    (site / "digestgen.toml").write_text('language = "pt_BR"\n[translations]\n"%(num)s story" = "%(num)s x notícias"\n', encoding="utf-8")
    build_site(site)
    archive = (site / "output" / "archive" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="pt-BR">' in archive and "1 x notícias" in archive


@pytest.mark.parametrize(("language", "locale"), [("en", "en_US"), ("pt-PT", "pt_PT"), ("zh-Hant-TW", "zh_TW"), ("tlh", None)])
def test_open_graph_names_the_locale_with_its_region(tmp_path: Path, language: str, locale: str | None):
    # og:locale is language_TERRITORY: a bare "en" is not one, and crawlers fall back to en_US
    build_publisher_site(tmp_path, config=_config(language))
    page = (tmp_path / "output" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<meta property="og:locale" content="([^"]*)">', page) == ([locale] if locale else [])
