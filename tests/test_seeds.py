"""The default site: the two seed articles become one story with two versions."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO, run_cli

SEEDS = REPO.parent / "shared" / "seeds"


def test_default_content_is_the_seeds_byte_for_byte():
    names = sorted(p.name for p in (REPO / "content").iterdir() if not p.name.startswith("."))
    assert names == ["000_a1fa717a64f3349e.txt", "002_26553d661653d5c2.txt"]
    if SEEDS.is_dir():
        for name in names:
            assert (REPO / "content" / name).read_bytes() == (SEEDS / name).read_bytes()


def test_seed_site_builds_one_story_linking_both_versions(tmp_path: Path):
    out = tmp_path / "out"
    result = run_cli("build", "--content", str(REPO / "content"), "--output", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Built 1 story from 2 articles into " in result.stderr

    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    assert len(digest["stories"]) == 1
    story = digest["stories"][0]
    assert sorted(e["source_path"] for e in story["entries"]) == [
        "000_a1fa717a64f3349e.txt", "002_26553d661653d5c2.txt",
    ]
    assert "Kim Sends Auspicious Letter to Trump" in story["title"]

    page = (out / story["url"]).read_text(encoding="utf-8")
    for entry in story["entries"]:
        # links on the story page are relative to it: ../../articles/<slug>/index.html
        assert f'href="../../{entry["url"]}"' in page
        assert (out / entry["url"]).is_file()
    assert "Unknown outlet" in page  # raw .txt articles name no outlet; never blank


def test_seed_article_pages_drop_scraper_debris(tmp_path: Path):
    out = tmp_path / "out"
    assert run_cli("build", "--content", str(REPO / "content"), "--output", str(out)).returncode == 0
    digest = json.loads((out / "digest.json").read_text(encoding="utf-8"))
    by_path = {e["source_path"]: e for e in digest["stories"][0]["entries"]}

    first = (out / by_path["000_a1fa717a64f3349e.txt"]["url"]).read_text(encoding="utf-8")
    assert by_path["000_a1fa717a64f3349e.txt"]["date"] == "2018-07-12T17:47:00+00:00"
    assert "Watch Next" not in first and "Historic Summit" not in first
    assert "July 12, 2018 5:47 pm" not in first.split('<div class="body">')[1]

    second = (out / by_path["002_26553d661653d5c2.txt"]["url"]).read_text(encoding="utf-8")
    body = second.split('<div class="body">')[1]
    assert "International/News/News/KBS" not in body
    assert "Rocket Man" not in body
    assert "Latest News" not in body
    assert "President Trump released a letter" in body
