"""Cached and incremental builds give exactly what a clean build gives."""

from __future__ import annotations

import json
import shutil
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import article, build_site, snapshot, write_site


def clean_build(site: Path) -> dict[str, bytes]:
    shutil.rmtree(site / ".digestgen-cache", ignore_errors=True)
    shutil.rmtree(site / "output", ignore_errors=True)
    build_site(site)
    return snapshot(site / "output")


def test_nothing_changed_is_recognised_and_leaves_output_alone(news_site: Path):
    first = build_site(news_site)
    assert not first.unchanged
    before = snapshot(news_site / "output")
    again = build_site(news_site)
    assert again.unchanged and again.stories == first.stories and again.entries == first.entries
    assert snapshot(news_site / "output") == before


def test_incremental_build_after_edits_equals_a_clean_build(news_site: Path):
    build_site(news_site)
    write_site(news_site, {
        "content/bakery.md": article("Town bakery wins national prize for rye loaf", "The bakery's rye loaf won the national award.", date="2021-05-14", source="County Gazette"),
        "content/new.md": article("Library extends opening hours", "The central library will open until nine on weekdays.", date="2021-06-01", source="Town Crier"),
    })
    (news_site / "content" / "world" / "quake-pacific.md").unlink()
    result = build_site(news_site)
    assert not result.unchanged
    incremental = snapshot(news_site / "output")
    assert clean_build(news_site) == incremental


def test_a_page_linking_to_an_article_follows_its_new_address(news_site: Path):
    """An article's page was reused while its file was unchanged, even when an article it
    links to had moved to another address (an editor's change in the story lock)."""
    write_site(news_site, {"content/library.md": article(
        "Library extends opening hours", "See [the prize](bakery.md) too.", date="2021-06-01", source="Town Crier")})
    build_site(news_site)
    lock_file = news_site / "content" / ".stories.json"
    lock = json.loads(lock_file.read_text(encoding="utf-8"))
    lock["articles"]["bakery.md"] = "the-prize-loaf"
    lock_file.write_text(json.dumps(lock, indent=1), encoding="utf-8")
    build_site(news_site)
    page = (news_site / "output" / "articles" / lock["articles"]["library.md"] / "index.html").read_text(encoding="utf-8")
    assert 'href="../the-prize-loaf/index.html"' in page
    assert clean_build(news_site) == snapshot(news_site / "output")


def test_a_feed_of_headlines_builds_incrementally_as_it_builds_clean(tmp_path: Path, monkeypatch):
    """Headline-only items take latent dimensions (grouping._latent), learnt from the whole
    site: after an edit and an addition they must come out as a clean build has them."""
    from digestgen.grouping import _latent

    computed = []
    real = _latent.latent_vectors
    monkeypatch.setattr(_latent, "latent_vectors", lambda *args: computed.append(1) or real(*args))
    events = [("harbour", "dredging", "channel", "ships"), ("council", "budget", "vote", "taxes"),
              ("storm", "flooding", "river", "homes"), ("museum", "exhibit", "paintings", "opening")]
    files = {}
    for e, words in enumerate(events):
        for k in range(6):
            picked = [words[(k + j) % 4] for j in range(2)]
            files[f"content/h{e}-{k}.md"] = article(f"{picked[0].title()} {picked[1]} update {k}", "",
                                                    date=f"2021-05-{10 + e} 0{k}:00+00:00", source=f"Feed {k % 3}")
        files[f"content/full{e}.md"] = article(f"The {words[0]} {words[1]} story", " ".join(words * 20),
                                               date=f"2021-05-{10 + e} 09:00+00:00", source="Daily")
    site = write_site(tmp_path, files)
    build_site(site)
    assert computed
    write_site(site, {
        "content/h1-2.md": article("Council taxes vote delayed", "", date="2021-05-11 02:00+00:00", source="Feed 2"),
        "content/h4-0.md": article("Storm river homes evacuated", "", date="2021-05-12 08:00+00:00", source="Feed 1"),
    })
    build_site(site)
    incremental = snapshot(site / "output")
    assert clean_build(site) == incremental


def test_a_template_or_config_edit_is_not_a_no_op(news_site: Path):
    build_site(news_site)
    write_site(news_site, {"digestgen.toml": 'title = "Renamed Digest"\n'})
    assert not build_site(news_site).unchanged
    assert "Renamed Digest" in (news_site / "output" / "index.html").read_text(encoding="utf-8")
    write_site(news_site, {"templates/404.html": '{% extends "default/404.html" %}{% block title %}Lost{% endblock %}'})
    assert not build_site(news_site).unchanged


def test_a_new_time_zone_gives_what_a_clean_build_gives(tmp_path: Path):
    # Dates without an offset are read in the site's zone: they move though no article file
    # changed. Here only the middle one of a story's three versions has none, so no field of
    # the story itself changes; digest.json, which lists every version's date, must.
    site = write_site(tmp_path, {f"content/vote-{day}.md": article(
        f"Council vote, day {day}", f"The council voted again on day {day}.",
        date=f"2021-05-{day} 10:00" + ("" if day == 11 else "+00:00"), source=f"Paper {day}", story="council-vote",
    ) for day in (10, 11, 12)})
    build_site(site)
    write_site(site, {"digestgen.toml": 'timezone = "Asia/Tokyo"\n'})
    build_site(site)
    incremental = snapshot(site / "output")
    assert b"2021-05-11T10:00:00+09:00" in incremental["digest.json"]
    assert clean_build(site) == incremental


def test_a_deleted_output_folder_is_rebuilt(news_site: Path):
    build_site(news_site)
    shutil.rmtree(news_site / "output")
    assert not build_site(news_site).unchanged
    assert (news_site / "output" / "index.html").is_file()



def test_a_file_edited_in_the_output_by_hand_is_made_again(news_site: Path):
    """An in-place minifier, an analytics snippet pasted in: the next build puts back its own."""
    build_site(news_site)
    out = news_site / "output"
    page = next(out.glob("articles/*/index.html"))
    made = page.read_bytes()
    page.write_text("hacked", encoding="utf-8")
    assert not build_site(news_site).unchanged
    assert page.read_bytes() == made
    assert build_site(news_site).unchanged  # and then it is the build's own again


@pytest.mark.parametrize("made", ["static/style.css", "feed.xml", "feed.json", "robots.txt", "CNAME"])
def test_any_file_of_the_build_edited_in_place_is_made_again(news_site: Path, made: str):
    """Not only pages: a style sheet minified in place, a feed edited by hand, the site's own files."""
    write_site(news_site, {"files/CNAME": "news.example.org\n"})
    build_site(news_site)
    target = news_site / "output" / made
    before = target.read_bytes()
    with target.open("ab") as handle:  # in place: the folder itself is not touched
        handle.write(b"/* tampered */")
    assert not build_site(news_site).unchanged
    assert target.read_bytes() == before


def test_files_deleted_from_the_output_by_hand_are_made_again(news_site: Path):
    build_site(news_site)
    out = news_site / "output"
    story = next(out.glob("stories/*/index.html")).parent
    shutil.rmtree(story)
    shard = next(out.glob("static/search/terms-*.js"))
    shard.unlink()
    assert not build_site(news_site).unchanged  # not taken for "nothing changed"
    assert (story / "index.html").is_file() and (story / "feed.xml").is_file() and shard.is_file()
    # and an edit elsewhere builds too (it used to fail linking the missing files)
    shutil.rmtree(story)
    write_site(news_site, {"content/new.md": article("Library extends opening hours", "Open until nine.",
                                                     date="2021-06-01", source="Town Crier")})
    build_site(news_site)
    assert snapshot(out) == clean_build(news_site)

def test_a_future_entry_goes_live_when_its_time_comes_without_other_changes(news_site: Path):
    write_site(news_site, {"content/embargo.md": article("Embargoed report on river health", "The river is cleaner.", date="2030-01-01T09:00:00+00:00", source="Wire")})
    early = build_site(news_site, now=datetime(2029, 12, 31, tzinfo=timezone.utc))
    assert "Embargoed report" not in (news_site / "output" / "index.html").read_text(encoding="utf-8")
    assert build_site(news_site, now=datetime(2029, 12, 31, 12, tzinfo=timezone.utc)).unchanged
    later = build_site(news_site, now=datetime(2030, 1, 2, tzinfo=timezone.utc))
    assert not later.unchanged and later.entries == early.entries + 1
    assert "Embargoed report" in (news_site / "output" / "index.html").read_text(encoding="utf-8")


def test_a_corrupt_cache_is_ignored(news_site: Path):
    build_site(news_site)
    for path in (news_site / ".digestgen-cache").rglob("*"):
        if path.is_file() and path.name != ".gitignore":
            path.write_bytes(b"garbage")
    (news_site / "content" / "bakery.md").touch()
    assert not build_site(news_site).unchanged
    assert clean_build(news_site) == snapshot(news_site / "output")


def test_an_edit_rewrites_one_shard_of_the_entry_cache(news_site: Path):
    """The parsed-entry cache is kept in shards: an edit must not rewrite every entry."""
    from digestgen import cache

    build_site(news_site)
    cache.finish_writing()
    shards = news_site / ".digestgen-cache" / "entries"
    before = {p.name: p.stat().st_ino for p in shards.glob("*.pickle")}
    assert len(before) >= 2  # the fixture's articles land in more than one shard
    with (news_site / "content" / "bakery.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA new paragraph about rye.\n")
    build_site(news_site)
    cache.finish_writing()
    after = {p.name: p.stat().st_ino for p in shards.glob("*.pickle")}
    assert after.keys() == before.keys()
    assert sum(after[name] != before[name] for name in after) == 1
    assert clean_build(news_site) == snapshot(news_site / "output")


def test_an_edit_rerenders_only_what_shows_the_edited_article(news_site: Path):
    first = build_site(news_site)
    out = news_site / "output"
    bakery = next(s for s in first.digest.stories if s.entries[0].source_path == "bakery.md")
    quake = next(s for s in first.digest.stories if len(s.entries) == 2)
    quake_page = out / "articles" / quake.entries[0].slug / "index.html"
    bakery_page = out / "articles" / bakery.entries[0].slug / "index.html"
    inodes = {p: p.stat().st_ino for p in out.rglob("*.html")}

    with (news_site / "content" / "bakery.md").open("a", encoding="utf-8") as handle:
        handle.write("\nThe judges praised its crust.\n")
    second = build_site(news_site)

    rewritten = {p for p in out.rglob("*.html") if inodes.get(p) != p.stat().st_ino}
    assert 0 < second.files_rendered < second.files_written
    assert bakery_page in rewritten
    # pages that do not show the bakery story are linked from the previous build, not rewritten
    untouched = {out / "stories" / quake.slug / "index.html", quake_page, out / "404.html"}
    untouched |= {out / "articles" / e.slug / "index.html" for e in quake.entries}
    assert not untouched & rewritten
    assert "praised its crust" in bakery_page.read_text(encoding="utf-8")
    assert clean_build(news_site) == snapshot(out)


def test_an_edit_rewrites_only_the_files_whose_bytes_change(news_site: Path):
    """Whatever made a file again (a listing whose story changed elsewhere, the search
    index, the sitemap, the stylesheet), the output keeps the previous file where its bytes
    are the same, so a deploy by rsync or a CDN sees only what really changed."""
    write_site(news_site, {"digestgen.toml": 'base_url = "https://example.org/"\n'})  # for a sitemap
    build_site(news_site)
    out = news_site / "output"
    before = {p.relative_to(out): (p.stat().st_ino, p.read_bytes()) for p in out.rglob("*") if p.is_file()}

    with (news_site / "content" / "bakery.md").open("a", encoding="utf-8") as handle:
        handle.write("\nThe judges praised its crust.\n")
    build_site(news_site)

    after = {p.relative_to(out): (p.stat().st_ino, p.read_bytes()) for p in out.rglob("*") if p.is_file()}
    same = {path for path in after if path in before and before[path][1] == after[path][1]}
    changed = {path for path in after if path in before and before[path][1] != after[path][1]}
    assert changed and same
    assert {path for path in same if after[path][0] != before[path][0]} == set()
    assert {path for path in changed if after[path][0] == before[path][0]} == set()
    assert any(path.suffix == ".js" for path in same)  # search shards the edit left alone
    assert Path("sitemap.xml") in same


def test_grouping_is_remembered_only_for_the_same_input(news_site: Path, monkeypatch):
    import digestgen.build as build_module

    calls = []
    real = build_module.group
    monkeypatch.setattr(build_module, "group", lambda docs, settings: calls.append(len(docs)) or real(docs, settings))
    build_site(news_site)
    write_site(news_site, {"templates/404.html": '{% extends "default/404.html" %}{% block title %}Lost{% endblock %}'})
    build_site(news_site)
    assert calls == [3]  # a template edit regroups nothing
    bakery = news_site / "content" / "bakery.md"
    bakery.write_text(bakery.read_text(encoding="utf-8").replace('source: "County Gazette"', 'source: "County Gazette"\ntags: ["bread"]'), encoding="utf-8")
    assert not build_site(news_site).unchanged
    assert calls == [3]  # nor does tagging an article: tags are not what grouping reads
    with (news_site / "content" / "bakery.md").open("a", encoding="utf-8") as handle:
        handle.write("\nA new paragraph about rye.\n")
    build_site(news_site)
    assert calls == [3, 3]  # changed text is grouped again
    bakery.write_text(bakery.read_text(encoding="utf-8").replace("2021-05-14", "2021-08-14"), encoding="utf-8")
    build_site(news_site)
    assert calls == [3, 3, 3]  # so is a changed date: it weighs in the grouping
    assert clean_build(news_site) == snapshot(news_site / "output")


def _search_terms(site: Path) -> dict[str, dict]:
    """Every term shard of the search index: word -> delta-encoded document numbers."""
    shards = {}
    for path in sorted((site / "output" / "static" / "search").glob("terms-*.js")):
        text = path.read_text(encoding="utf-8")
        shards.update(json.loads(text[text.index(",", text.index(",") + 1) + 1:-3]))
    return shards


def test_the_search_index_patched_after_edits_equals_a_fresh_one(news_site: Path):
    """The next build patches the last search index instead of making it again: a word
    must come and go with the article that has it, and nothing else may move."""
    bakery = "content/bakery.md"
    steps = [
        {bakery: article("Town bakery wins prize", "Its zanzibarish rye loaf won the national award.", date="2021-05-14", source="County Gazette")},
        {bakery: article("Town bakery wins prize", "Its rye loaf won the national award.", date="2021-05-14", source="County Gazette")},
        {"content/later.md": article("Zanzibarish spice market reopens", "Traders returned to the market.", date="2021-07-01", source="Wire")},
        {"content/earlier.md": article("Ferry timetable changes", "Ferries will run hourly.", date="2019-01-01", source="Wire")},
    ]
    build_site(news_site)
    for number, step in enumerate(steps):
        write_site(news_site, step)
        build_site(news_site)
        patched = snapshot(news_site / "output")
        assert ("zanzibarish" in _search_terms(news_site)) == (number != 1), number
        assert clean_build(news_site) == patched, number


def test_an_edited_template_is_never_served_from_the_compiled_cache(news_site: Path):
    """Compiled templates are kept between builds; an edit of one must still show."""
    for word in ("Lost", "Gone", "Lost"):
        write_site(news_site, {"templates/404.html": f'{{% extends "default/404.html" %}}{{% block title %}}{word}{{% endblock %}}'})
        build_site(news_site)
        assert f"<title>{word}" in (news_site / "output" / "404.html").read_text(encoding="utf-8")
    assert any((news_site / ".digestgen-cache" / "templates").iterdir())


def test_a_new_story_leaves_the_older_search_chunks_as_they_were(news_site: Path, monkeypatch):
    """Search documents are numbered oldest first, so a new story lands at the end: the
    chunks before it keep their bytes and names (and browsers their cached copies)."""
    import digestgen.search

    monkeypatch.setattr(digestgen.search, "DOCS_PER_CHUNK", 2)
    build_site(news_site)
    chunks = lambda: sorted(p.name for p in (news_site / "output" / "static" / "search").glob("docs-*.js"))  # noqa: E731
    before = chunks()
    write_site(news_site, {"content/new.md": article("Library extends opening hours", "The central library will open until nine.", date="2021-06-01", source="Town Crier")})
    build_site(news_site)
    after = chunks()
    assert len(before) >= 3 and before[:-1] == after[:len(before) - 1]
    incremental = snapshot(news_site / "output")
    assert clean_build(news_site) == incremental


def test_a_template_edit_re_renders_the_pages_that_use_it_and_only_those(news_site: Path):
    build_site(news_site)
    before = snapshot(news_site / "output")
    write_site(news_site, {"templates/story.html": '{% extends "default/story.html" %}{% block title %}Story: {{ story.title }}{% endblock %}'})
    build_site(news_site)
    after = snapshot(news_site / "output")
    changed = {name for name in after if before.get(name) != after[name]}
    stories = {name for name in after if name.startswith("stories/") and name.endswith("index.html")}
    assert stories and stories <= changed
    assert not any(name.startswith(("articles/", "sources/")) or name == "index.html" for name in changed)
    assert all("<title>Story: " in after[name].decode() for name in stories)
    # base.html is used by every page: editing it re-renders them all
    from digestgen.render import theme_dir

    base = (theme_dir() / "base.html").read_text(encoding="utf-8").replace("</body>", "<!-- edited -->\n</body>")
    write_site(news_site, {"templates/base.html": base})
    build_site(news_site)
    pages = [name for name in snapshot(news_site / "output") if name.endswith(".html")]
    assert all(b"<!-- edited -->" in (news_site / "output" / name).read_bytes() for name in pages)
    incremental = snapshot(news_site / "output")
    assert clean_build(news_site) == incremental


def test_a_provisional_build_keeps_the_search_index_and_the_exact_build_updates_it(news_site: Path):
    build_site(news_site)
    search = {k: v for k, v in snapshot(news_site / "output").items() if k.startswith(("static/search", "search/"))}
    write_site(news_site, {"content/new.md": article(
        "Library extends opening hours", "The central library will open until nine on weekdays.",
        date="2021-06-01", source="Town Crier")})
    quick = build_site(news_site, provisional=True, update_lock=False)
    assert quick.provisional
    after_quick = snapshot(news_site / "output")
    assert "articles/library-extends-opening-hours/index.html" in after_quick
    assert {k: v for k, v in after_quick.items() if k.startswith(("static/search", "search/"))} == search
    build_site(news_site, update_lock=False)
    exact = snapshot(news_site / "output")
    assert any(b"library" in data for path, data in exact.items() if path.startswith("static/search/terms-"))
    assert clean_build(news_site) == exact


def test_the_search_index_is_kept_while_what_it_shows_is_as_it_was(news_site: Path, monkeypatch):
    """A template or config edit leaves the stories as they were, and their search index
    with them: it is kept, not made again (a fifth of such a rebuild at 10,000 articles).
    An edit to what it shows makes it again, from the index it kept."""
    import digestgen.search

    made = []
    real = digestgen.search.search_index
    monkeypatch.setattr(digestgen.search, "search_index", lambda *args: made.append(1) or real(*args))

    def search_files() -> dict[str, bytes]:
        return {k: v for k, v in snapshot(news_site / "output").items() if k.startswith("static/search/")}

    build_site(news_site)
    before = search_files()
    made.clear()
    write_site(news_site, {
        "templates/article.html": '{% extends "default/article.html" %}{% block title %}Now: {{ entry.title }}{% endblock %}',
        "digestgen.toml": 'title = "Renamed Digest"\n',
    })
    build_site(news_site)
    assert made == [] and search_files() == before
    assert clean_build(news_site) == snapshot(news_site / "output")

    made.clear()
    write_site(news_site, {"content/bakery.md": article(
        "Town bakery wins prize", "Its zanzibarish rye loaf won the national award.", date="2021-05-14", source="County Gazette")})
    build_site(news_site)
    assert made and "zanzibarish" in _search_terms(news_site)
    made.clear()
    write_site(news_site, {"digestgen.toml": 'title = "Renamed Digest"\nlanguage = "de"\n'})
    build_site(news_site)
    assert made  # the dates it shows are in German now
    write_site(news_site, {"content/bakery.md": article(
        "Town bakery wins prize", "Its rye loaf won the national award.", date="2021-05-14 23:30+00:00", source="County Gazette")})
    build_site(news_site)
    made.clear()
    write_site(news_site, {"digestgen.toml": 'title = "Renamed Digest"\nlanguage = "de"\ntimezone = "Pacific/Auckland"\n'})
    build_site(news_site)
    assert made  # the same moment, but 15 May where the site is now
    docs = b"".join(v for k, v in search_files().items() if k.startswith("static/search/docs-"))
    assert "15. Mai 2021".encode() in docs
    incremental = snapshot(news_site / "output")
    assert clean_build(news_site) == incremental


@pytest.mark.parametrize("config", ['language = "de"\n', '[translations]\n"Unknown outlet" = "Nobody we know"\n'])
def test_the_words_for_an_unknown_outlet_change_everywhere_a_clean_build_has_them(news_site: Path, config: str):
    """A plain-text article names no outlet: it is from the site's words for an unknown one.
    When those change, every file that names it changes as a clean build has it, digest.json too."""
    write_site(news_site, {"content/plain.txt": "Harbour dredging begins\n\nThe harbour authority began dredging.\n"})
    build_site(news_site)
    write_site(news_site, {"digestgen.toml": config})
    build_site(news_site)
    incremental = snapshot(news_site / "output")
    assert incremental == clean_build(news_site)
    assert "Unknown outlet" not in incremental["digest.json"].decode("utf-8")


def test_damaged_compiled_templates_are_compiled_afresh(news_site: Path):
    """A cache file cut short (a disk filled mid-write) failed every build with a traceback."""
    from conftest import run_cli

    build_site(news_site)
    compiled = list((news_site / ".digestgen-cache" / "templates").iterdir())
    assert compiled
    for path in compiled:
        path.write_bytes(path.read_bytes()[:17])
    write_site(news_site, {"content/late.md": article("Late news", "A late report.", date="2021-05-03")})
    result = run_cli("build", "--site", str(news_site))  # a process of its own, which reads them
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert (news_site / "output" / "articles" / "late-news" / "index.html").exists()


def test_a_cache_that_cannot_be_written_only_costs_its_use(news_site: Path, monkeypatch):
    """A cache left read-only (by a build run as another user): the next site is made beside
    the output instead, where it was made before builds had a cache to make it in."""
    import os

    from digestgen import output

    build_site(news_site)
    cache = (news_site / ".digestgen-cache").resolve()
    real_access, real_mkdir = os.access, Path.mkdir
    monkeypatch.setattr(output.os, "access", lambda path, mode: real_access(path, mode) and Path(path) != cache)

    def mkdir(path: Path, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if path.parent == cache:  # as a read-only file system would (root writes anywhere else)
            raise OSError(30, "Read-only file system", str(path))
        real_mkdir(path, *args, **kwargs)
    monkeypatch.setattr(Path, "mkdir", mkdir)
    write_site(news_site, {"content/late.md": article("Late news", "A late report.", date="2021-05-03")})
    build_site(news_site)
    assert (news_site / "output" / "articles" / "late-news" / "index.html").exists()
