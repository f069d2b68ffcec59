"""The live preview's patches: after an edit to articles' text, only what shows them is made
again, and the site is what a build with the stories as they were would make."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import article, snapshot, write_site
from publisher_site import NOW, build_publisher_site

from digestgen.build import BuildResult, build
from digestgen.config import Paths
from digestgen.patch import ShownIndex, patch, patch_theme, shown_index
from digestgen.render import theme_dir


def _articles(root: Path) -> list[Path]:
    return sorted(p for p in (root / "content").rglob("*.md") if "stories" not in p.parts)


def _append(path: Path, sentence: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{sentence}\n", encoding="utf-8")


def _search_files(path: str) -> bool:
    # The search index is left to the exact build that follows every patch.
    return path.startswith(("static/search", "search/"))


def _without_search(files: dict[str, bytes]) -> dict[str, bytes]:
    return {path: data for path, data in files.items() if not _search_files(path)}


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, BuildResult]:
    """The publisher site, built twice: the second build reads the story lock the first wrote,
    as a site whose URLs are published does."""
    root = tmp_path / "site"
    build_publisher_site(root)
    shutil.rmtree(root / "output")
    return root, build(Paths.for_site(root), now=NOW)


def _retitle(path: Path, number: int) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title: "', f'title: "Revised {number} <img src=x onerror=alert(1)>: ', 1), encoding="utf-8")


def test_every_article_edited_in_turn_gives_what_a_provisional_build_gives(built, tmp_path: Path) -> None:
    """Each patch must make again every output that shows the edited article or its story
    (article pages, story pages and feeds, listings, related stories, the site's feeds):
    one it missed would differ from the build's."""
    root, result = built
    state, index = result.state, None
    assert state is not None
    for number, path in enumerate(_articles(root)):
        if path.stem in ("draft", "future"):
            continue  # not published: not patched (tested below)
        _append(path, f"Late addition number {number} mentions zeppelins. <script>alert({number})</script>")
        if number % 2:
            _retitle(path, number)  # a new headline: pages, story titles, digest.json
        index = shown_index(state, index)
        patched = patch(state, [path], index)
        assert patched is not None, path.name
        assert 0 < len(patched.files) < len(snapshot(root / "output")) // 2
        state = patched.state
        provisional = tmp_path / f"provisional-{number}"
        build(Paths.for_site(root, output=provisional), provisional=True, update_lock=False, now=NOW)
        assert _without_search(snapshot(root / "output")) == _without_search(snapshot(provisional)), path.name
        made = {f: (root / "output" / f).read_bytes() for f in patched.files}
        assert any(b"zeppelins" in data for data in made.values())
        pages = [data for f, data in made.items() if f.endswith(".html")]
        assert not any(b"<script>alert" in data or b"<img src=x" in data for data in pages)  # escaped


def test_a_build_after_a_patch_and_a_revert_equals_a_clean_build(built, tmp_path: Path) -> None:
    """Patched files must never be taken for what they held before: the next build may
    not reuse them, whatever the content goes back to."""
    root, result = built
    path = _articles(root)[0]
    original = path.read_text(encoding="utf-8")
    _append(path, "A paragraph that will be taken back.")
    first = patch(result.state, [path], shown_index(result.state, None))
    assert first is not None
    path.write_text(original, encoding="utf-8")  # back as it was when the output was built
    build(Paths.for_site(root), now=NOW)
    clean = tmp_path / "clean"
    build(Paths.for_site(root, output=clean), now=NOW)
    assert snapshot(root / "output") == snapshot(clean)


@pytest.mark.parametrize("edit", [
    lambda text: text.replace("date: ", "date: 2021-05-30 #", 1),  # the date orders pages
    lambda text: text.replace("---\n", "---\ntags: \"new tag\"\n", 1),  # tags make listings
    lambda text: "",  # an empty file is left out, with a warning
])
def test_edits_to_more_than_the_text_are_built_not_patched(built, edit) -> None:
    root, result = built
    path = _articles(root)[0]
    before = snapshot(root / "output")
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    assert patch(result.state, [path], shown_index(result.state, None)) is None
    assert snapshot(root / "output") == before


def test_a_new_title_is_built_not_patched_until_its_urls_are_published(tmp_path: Path) -> None:
    root = tmp_path / "site"
    result = build_publisher_site(root)  # the first build: no story lock yet
    path = _articles(root)[0]
    _retitle(path, 1)
    assert patch(result.state, [path], shown_index(result.state, None)) is None  # it would rename the page


def test_new_unpublished_and_non_article_files_are_built_not_patched(built) -> None:
    root, result = built
    index: ShownIndex = shown_index(result.state, None)
    new = root / "content" / "brand-new.md"
    new.write_text('---\ntitle: "A new article"\n---\n\nIt is new.\n', encoding="utf-8")
    unpublished = [p for p in _articles(root) if p.stem in ("draft", "future")]
    assert unpublished
    for change in [new, *unpublished, root / "digestgen.toml", root / "templates" / "article.html"]:
        assert patch(result.state, [change], index) is None, change.name
    published = [p for p in _articles(root) if p.stem not in ("draft", "future")][0]
    _append(published, "Text alone.")
    assert patch(result.state, [published, new], index) is None  # one change that is not text spoils the lot



def test_an_editors_temporary_file_renamed_over_the_article_does_not_spoil_the_patch(built) -> None:
    root, result = built
    index: ShownIndex = shown_index(result.state, None)
    published = [p for p in _articles(root) if p.stem not in ("draft", "future")][0]
    _append(published, "Text alone.")
    content = root / "content"
    gone = [content / "tmpx17xkdcp", content / f"{published.name}___jb_tmp___", content / f"{published.name}.tmp.12345"]
    assert patch(result.state, [*gone, published], index) is not None
    # a folder of articles moved away is not one: it needs a build
    folder = next(p.parent for p in _articles(root) if p.parent != content)
    shutil.move(folder, root / "elsewhere")
    assert patch(result.state, [folder, published], index) is None

def test_the_index_of_what_shows_what_is_kept_while_the_site_keeps_its_shape(built) -> None:
    root, result = built
    index = shown_index(result.state, None)
    path = _articles(root)[0]
    _append(path, "More text.")
    patched = patch(result.state, [path], index)
    assert patched is not None
    assert shown_index(patched.state, index) is index


def test_in_an_editors_story_a_new_title_is_built_and_new_text_patched(tmp_path: Path) -> None:
    """An editor's story (here, by story: pins) takes the headline most like the others' for
    its title, so a new headline can change which version that is: it is built. New text is
    patched, and gives what a provisional build gives."""
    root = write_site(tmp_path / "site", {
        f"content/vote-{day}.md": article(title, f"The council voted on day {day}.", date=f"2021-05-{day}",
                                          source=f"Paper {day}", story="council-vote")
        for day, title in ((10, "Council backs new bridge plan"), (11, "Bridge plan wins council vote"),
                           (12, "Mayor welcomes result"))
    })
    build(Paths.for_site(root), now=NOW)
    shutil.rmtree(root / "output")
    result = build(Paths.for_site(root), now=NOW)  # the lock is read: the slugs are published
    path = root / "content" / "vote-12.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("Mayor welcomes result", "Council bridge plan vote"), encoding="utf-8")
    assert patch(result.state, [path], shown_index(result.state, None)) is None

    path.write_text(original.replace("voted on day 12.", "voted on day 12, at last."), encoding="utf-8")
    assert patch(result.state, [path], shown_index(result.state, None)) is not None
    provisional = tmp_path / "provisional"
    build(Paths.for_site(root, output=provisional), provisional=True, update_lock=False, now=NOW)
    assert _without_search(snapshot(root / "output")) == _without_search(snapshot(provisional))


# -- edits to the theme: the pages on screen first -----------------------------------------------


def _theme_override(root: Path, name: str, old: str, new: str) -> Path:
    """The site's own copy of a theme file, with ``old`` made ``new``."""
    text = (theme_dir() / name.removeprefix("templates/")).read_text(encoding="utf-8")
    assert old in text
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def _on_screen(files: dict[str, bytes]) -> list[str]:
    """A story page, an article page and the digest, as if open in three tabs."""
    story = next(p for p in sorted(files) if p.startswith("stories/") and p.endswith("/index.html"))
    entry = next(p for p in sorted(files) if p.startswith("articles/"))
    return [story, entry, "index.html"]


def test_a_template_edit_makes_the_pages_on_screen_as_a_build_would_and_only_those(built, tmp_path: Path) -> None:
    """Each page on screen is what a build makes with the new template; every other file is
    as it was, for the build that follows, which then makes the site a clean build's."""
    root, result = built
    before = snapshot(root / "output")
    on_screen = _on_screen(before)
    template = _theme_override(root, "templates/base.html", "Skip to content", "Skip to the news")
    patched = patch_theme(result.state, [template], on_screen)
    assert patched is not None and sorted(patched.files) == sorted(on_screen)
    clean = tmp_path / "clean"
    build(Paths.for_site(root, output=clean), now=NOW)
    expected, after = snapshot(clean), snapshot(root / "output")
    for page in on_screen:
        assert after[page] == expected[page] and b"Skip to the news" in after[page], page
    assert {p: d for p, d in after.items() if p not in on_screen} == {p: d for p, d in before.items() if p not in on_screen}
    build(Paths.for_site(root), now=NOW)  # the build that follows
    assert snapshot(root / "output") == expected


def test_a_style_sheet_edit_is_linked_from_the_pages_on_screen_and_the_old_one_stays_for_the_rest(
    built, tmp_path: Path
) -> None:
    root, result = built
    old_css = result.state.assets["style.css"]
    style = _theme_override(root, "static/style.css", ":root {", ".patched-marker { color: red }\n:root {")
    on_screen = _on_screen(snapshot(root / "output"))
    patched = patch_theme(result.state, [style], on_screen)
    assert patched is not None
    new_css = patched.state.assets["style.css"]
    assert new_css != old_css and new_css in patched.files
    assert b".patched-marker" in (root / "output" / new_css).read_bytes()
    for page in on_screen:
        assert new_css.encode() in (root / "output" / page).read_bytes()
    off_screen = next(p for p in sorted(snapshot(root / "output")) if p.startswith("articles/") and p not in on_screen)
    assert old_css.encode() in (root / "output" / off_screen).read_bytes()
    assert (root / "output" / old_css).is_file()  # what it links is still there
    build(Paths.for_site(root), now=NOW)
    clean = tmp_path / "clean"
    build(Paths.for_site(root, output=clean), now=NOW)
    assert snapshot(root / "output") == snapshot(clean)


def test_theme_edits_are_built_not_patched_when_a_patch_cannot_show_them(built) -> None:
    """A template that does not compile (the build reports it, with its line), other files
    saved with it, no page on screen, or none that the plan makes (the search page)."""
    root, result = built
    before = snapshot(root / "output")
    on_screen = _on_screen(before)
    broken = root / "templates" / "story.html"
    broken.parent.mkdir(exist_ok=True)
    broken.write_text('{% extends "base.html" %}\n{% if %}\n', encoding="utf-8")
    assert patch_theme(result.state, [broken], on_screen) is None
    broken.unlink()
    template = _theme_override(root, "templates/base.html", "Skip to content", "Skip to the news")
    an_article = _articles(root)[0]
    for changes, pages in [
        ([template, an_article], on_screen),
        ([template, root / "digestgen.toml"], on_screen),
        ([template], []),
        ([template], ["search/index.html", "stories/no-such-story/index.html"]),
    ]:
        assert patch_theme(result.state, changes, pages) is None, (changes, pages)
    assert snapshot(root / "output") == before
