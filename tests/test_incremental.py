"""Cached and incremental builds give exactly what a clean build gives."""

from __future__ import annotations

import shutil
from datetime import datetime, timezone
from pathlib import Path

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


def test_a_template_or_config_edit_is_not_a_no_op(news_site: Path):
    build_site(news_site)
    write_site(news_site, {"digestgen.toml": 'title = "Renamed Digest"\n'})
    assert not build_site(news_site).unchanged
    assert "Renamed Digest" in (news_site / "output" / "index.html").read_text(encoding="utf-8")
    write_site(news_site, {"templates/404.html": '{% extends "default/404.html" %}{% block title %}Lost{% endblock %}'})
    assert not build_site(news_site).unchanged


def test_a_deleted_output_folder_is_rebuilt(news_site: Path):
    build_site(news_site)
    shutil.rmtree(news_site / "output")
    assert not build_site(news_site).unchanged
    assert (news_site / "output" / "index.html").is_file()


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
    for path in (news_site / ".digestgen-cache").iterdir():
        if path.is_file() and path.name != ".gitignore":
            path.write_bytes(b"garbage")
    (news_site / "content" / "bakery.md").touch()
    assert not build_site(news_site).unchanged
    assert clean_build(news_site) == snapshot(news_site / "output")
