"""Paths stay inside: no slug, story value, file name or symlink reads outside the site or
writes outside output/; clashes are errors naming both sources. Plus slug properties."""

from __future__ import annotations

import io
import itertools
import os
import re
import unicodedata
from contextlib import redirect_stderr
from pathlib import Path, PurePosixPath

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digestgen.build import build
from digestgen.cli import main
from digestgen.config import Paths
from digestgen.errors import OutputError
from digestgen.output import OutputFile, Staging, check_outputs
from digestgen.slugs import MAX_SLUG_LENGTH, slugify, unique_slugs

SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
HOSTILE_NAMES = [
    "..", "../..", "../../etc/passwd", "/etc/passwd", "C:\\Windows\\system32", "..\\..\\boot.ini",
    "a\x00b", "CON", "nul", "Com1", "LPT9.txt", "aux.md", "x" * 5000, "é" * 300, "Café", "Cafe\u0301",
    "CAFÉ", "\u202eevil", "﹒﹒／﹒﹒", "．．/．．", "%2e%2e%2f", "~root", "$HOME", "", " ", "-", "---", "日本語",
]


def _site(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "content").mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = tmp_path / "content" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return tmp_path


def _build(site: Path) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stderr(err):
        code = main(["build", "--site", str(site), "-q"])
    return code, err.getvalue()


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_slugify_never_escapes(name):
    slug = slugify(name, "article")
    assert SLUG.match(slug) and slug not in RESERVED and len(slug) <= MAX_SLUG_LENGTH + 10


def test_hostile_titles_and_story_values_stay_inside(tmp_path):
    files = {}
    for i, name in enumerate(HOSTILE_NAMES):
        y = '"' + name.replace("\\", "\\\\").replace('"', '\\"').replace("\x00", "\\0") + '"'
        files[f"t{i:02}.md"] = f"---\ntitle: {y}\nstory: {y}\nslug: {y}\nurl: {y}\n---\n\nText {i}.\n"
    site = _site(tmp_path / "site", files)
    outside_before = _files(tmp_path)
    code, stderr = _build(site)
    assert code == 0, stderr
    new = _files(tmp_path) - outside_before
    assert new and all(p.startswith(("site/output/", "site/.digestgen-cache/")) or p == "site/content/.stories.json" for p in new), new
    for rel in _files(site / "output"):
        assert all(SLUG.match(part) or "." in part for part in PurePosixPath(rel).parts[:-1]), rel
    articles = sorted(p.name for p in (site / "output" / "articles").iterdir())
    assert len(articles) == len(HOSTILE_NAMES) == len(set(articles))  # case/NFC twins stay distinct


def test_file_names_of_every_kind_build(tmp_path):
    names = ["CON.md", "nul.txt", "Café.md", "Cafe\u0301.md", "UPPER.md", "upper.md", "a b.md",
             "x" * 200 + ".md", "-.md", "sub/../sub2/ok.md", "日本語.txt", "semi;colon.md", "quote'\".md"]
    files = {n: f"---\ntitle: Same title\n---\n\nText of {n!r}.\n" for n in names if not n.endswith(".txt")}
    files.update({n: "Same title\n\nText.\n" for n in names if n.endswith(".txt")})
    site = _site(tmp_path, files)
    code, stderr = _build(site)
    assert code == 0, stderr
    articles = [p.name for p in (site / "output" / "articles").iterdir()]
    assert len(articles) == len(set(articles)) == len(files)  # NFC and NFD names are two files: two pages


def test_symlinks_out_of_the_content_folder_are_not_read(tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: SECRET-TITLE\n---\n\nSECRET-BODY\n", encoding="utf-8")
    (tmp_path / "secretdir").mkdir()
    (tmp_path / "secretdir" / "inner.md").write_text("---\ntitle: SECRET-DIR\n---\n\nx\n", encoding="utf-8")
    site = _site(tmp_path / "site", {"ok.md": "---\ntitle: Ok\n---\n\nFine.\n"})
    os.symlink(secret, site / "content" / "link.md")
    os.symlink("/etc/passwd", site / "content" / "passwd.txt")
    os.symlink(tmp_path / "secretdir", site / "content" / "dirlink")
    os.symlink("../../secret.md", site / "content" / "relative.md")
    os.symlink("self.md", site / "content" / "self.md")  # loops: skipped, as a dangling link is (it crashed)
    os.symlink("loop-b.md", site / "content" / "loop-a.md")
    os.symlink("loop-a.md", site / "content" / "loop-b.md")
    code, stderr = _build(site)
    assert code == 0, stderr
    everything = b"".join((site / "output" / f).read_bytes() for f in _files(site / "output"))
    assert b"SECRET" not in everything and b"root:x:" not in everything
    # ... and said so: a folder of articles linked in was otherwise missing without a word
    warnings = build(Paths.for_site(site)).warnings
    skipped = sorted(Path(w.path).name for w in warnings if "symlink leads out of the content folder" in w.message)
    assert skipped == ["dirlink", "link.md", "passwd.txt", "relative.md"], warnings


def test_two_outputs_claiming_one_path_name_both_sources():
    files = [
        OutputFile("articles/a/index.html", b"1", "first.md"),
        OutputFile("articles/A/index.html", b"2", "second.md"),
        OutputFile("static/caf\u00e9.css", b"3", "static/one"),
        OutputFile("static/cafe\u0301.css", b"4", "static/two"),
    ]
    with pytest.raises(OutputError) as caught:
        check_outputs(files)
    messages = [str(p) for p in caught.value.problems]
    assert any("second.md" in m and "first.md" in m for m in messages), messages
    assert any("static/two" in m and "static/one" in m for m in messages), messages


@pytest.mark.parametrize("path", ["../x", "/etc/x", "a/../../x", "a\\..\\x", "a\x00b", "", "."])
@pytest.mark.parametrize("way", ["written by a render worker", "committed with the rest"])
def test_unsafe_output_paths_are_refused(tmp_path, path, way):
    staging = Staging(tmp_path / "output")
    with pytest.raises(OutputError) as caught:
        if way == "written by a render worker":
            staging.write(path, b"x", "origin.md")
        else:
            staging.commit([OutputFile(path, b"x", "origin.md")])
    assert "origin.md" in str(caught.value)
    staging.discard()
    assert not (tmp_path / "output").exists() and not (tmp_path / "x").exists()
    assert not list(tmp_path.iterdir())  # nothing written anywhere


def test_static_files_differing_by_case_clash_naming_both(tmp_path):
    site = _site(tmp_path, {"ok.md": "---\ntitle: Ok\n---\n\nFine.\n"})
    (site / "static").mkdir()
    (site / "static" / "Notes.txt").write_text("a")
    (site / "static" / "notes.txt").write_text("b")
    code, stderr = _build(site)
    assert code == 1
    assert "Notes.txt" in stderr and "notes.txt" in stderr, stderr


# ---- property-based slugs ----

@settings(max_examples=1000, deadline=None)
@given(st.text(max_size=200), st.sampled_from(["untitled", "article", "story"]))
def test_slugify_properties(text, fallback):
    slug = slugify(text, fallback)
    assert slug == slugify(text, fallback)  # deterministic
    assert SLUG.match(slug), slug  # never empty, only [a-z0-9-], no separators, no '..'
    assert slug not in RESERVED
    assert len(slug) <= MAX_SLUG_LENGTH + 3
    assert slugify(unicodedata.normalize("NFD", text), fallback) == slugify(unicodedata.normalize("NFC", text), fallback)
    assert os.path.dirname(os.path.normpath(os.path.join("output", slug))) == "output"  # never escapes


@pytest.mark.parametrize(("title", "slug"), [
    ("Mumbai–Pune expressway reopens", "mumbai-pune-expressway-reopens"),  # was "mumbaipune"
    ("Storm—and then the flood", "storm-and-then-the-flood"),
    ("Café «chic» reopens", "cafe-chic-reopens"),
    ("North Korea’s Kim Sends…", "north-koreas-kim-sends"),  # an apostrophe joins its word
    ("Straßenbahn fährt wieder", "strassenbahn-fahrt-wieder"),  # was "straenbahn": letters without an ASCII base
    ("Deprem sarsıldı", "deprem-sarsildi"),
    ("Øresund and Łódź", "oresund-and-lodz"),
    ("2024", "2024"),  # digits alone, when there is nothing else
])
def test_punctuation_beyond_ascii_separates_words_in_slugs(title, slug):
    assert slugify(title) == slug


@settings(max_examples=500, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=40), st.lists(st.text(alphabet="abc-12", max_size=5), max_size=5))
def test_unique_slugs_properties(texts, taken):
    slugs = unique_slugs(texts, taken=taken)
    assert slugs == unique_slugs(texts, taken=taken)
    assert len(slugs) == len(texts) == len(set(slugs))
    assert not set(slugs) & set(taken)
    assert all(SLUG.match(s) and s not in RESERVED for s in slugs)
    # each text takes the lowest free one of its slug, slug-2, slug-3, ...
    used = set(taken)
    for text, slug in zip(texts, slugs):
        base = slugify(text, "untitled")
        candidates = itertools.chain([base], (f"{base}-{n}" for n in itertools.count(2)))
        assert slug == next(c for c in candidates if c not in used)
        used.add(slug)


def test_a_headline_in_another_script_is_not_named_by_its_digits_alone():
    """"能登半島地震…震度7 死者48人に" was stories/7-48/, and every Arabic headline with "800"
    in it shared stories/800/: a name that says nothing, and a clash the next one loses."""
    assert slugify("能登半島地震…震度7 死者48人に", "story").startswith("story-")
    assert slugify("800 قتيل في الزلزال", "article") != slugify("800 جريح في الزلزال", "article")
