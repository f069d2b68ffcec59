"""Strictness: warnings never fail a build, --strict makes them fail, every error is listed."""

from __future__ import annotations

import contextlib
import io
from contextlib import redirect_stderr
from pathlib import Path

from digestgen.cli import main


def _site(tmp_path: Path, files: dict[str, str]) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "digestgen.toml").write_text('base_url = "https://news.example/"\n', encoding="utf-8")
    for name, text in files.items():
        (tmp_path / "content" / name).write_text(text, encoding="utf-8")
    return tmp_path


def _build(site: Path, *extra: str) -> tuple[int, str]:
    """The build run in the site's folder, as a user runs it: files are named from there."""
    err = io.StringIO()
    with redirect_stderr(err), contextlib.chdir(site):
        code = main(["build", *extra])
    return code, err.getvalue()


WARNINGS = {
    "baddate.md": "---\ntitle: Bad date\ndate: sometime last week\n---\n\nText one.\n",
    "ftp.md": "---\ntitle: Not web\nurl: ftp://example.com/x\n---\n\nText two.\n",
    "fine.md": "---\ntitle: Fine\n---\n\nText three.\n",
}
ERRORS = {
    "one.md": "---\ntitle: [a\n---\n\nx\n",
    "two.md": "---\ntitle: A\ntitle: B\n---\n\nx\n",
    "three.md": "---\nnever closed\n",
    "fine.md": "---\ntitle: Fine\n---\n\nText.\n",
}


def test_warnings_do_not_fail_a_build(tmp_path):
    site = _site(tmp_path, WARNINGS)
    code, stderr = _build(site)
    assert code == 0, stderr
    assert "\ncontent/baddate.md:3: warning: date ignored" in "\n" + stderr
    assert "\ncontent/ftp.md:3: warning: url ignored" in "\n" + stderr
    assert (site / "output" / "index.html").exists()


def test_strict_turns_warnings_into_errors(tmp_path):
    site = _site(tmp_path, {**WARNINGS, "links.md": '---\ntitle: "Links"\n---\nSee [this](gone.md).\n'})
    code, stderr = _build(site, "--strict")
    assert code == 1
    assert "baddate.md:3:" in stderr and "ftp.md:3:" in stderr  # both, not just the first
    assert "content/links.md:4: links to 'gone.md'" in stderr  # and those of later stages too
    assert "Traceback" not in stderr
    assert not (site / "output").exists()


def test_every_error_is_listed(tmp_path):
    site = _site(tmp_path, ERRORS)
    code, stderr = _build(site)
    assert code == 1
    lines = [l for l in stderr.splitlines() if l.split(":")[0].removeprefix("content/") in ERRORS]
    assert {l.split(":")[0] for l in lines} == {"content/one.md", "content/two.md", "content/three.md"}, stderr
    assert "content/one.md:2: invalid YAML front matter" in stderr  # where the bracket left open is
    assert "two.md:3: invalid YAML front matter: duplicated key 'title'" in stderr
    assert "three.md:1: front matter opened with '---' on line 1 is never closed" in stderr
    assert "Build failed: 3 errors" in stderr
    assert "Traceback" not in stderr


def test_a_failed_build_leaves_the_previous_output_byte_identical(tmp_path):
    site = _site(tmp_path, {"fine.md": ERRORS["fine.md"]})
    assert _build(site)[0] == 0
    before = _snapshot(site / "output")
    (site / "content" / "broken.md").write_text(ERRORS["two.md"], encoding="utf-8")
    (site / "content" / "new.md").write_text("---\ntitle: New\n---\n\nNew.\n", encoding="utf-8")
    code, stderr = _build(site)
    assert code == 1 and "broken.md:3:" in stderr
    assert _snapshot(site / "output") == before
    assert not [p for p in (*site.iterdir(), *(site / ".digestgen-cache").glob("*")) if ".building-" in p.name]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
