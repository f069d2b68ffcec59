"""``digestgen new PATH``: a site that builds at once, with every option documented."""

from __future__ import annotations

import re
import tomllib
from dataclasses import fields
from pathlib import Path

from conftest import run_cli

from digestgen.build import build
from digestgen.config import Config, Paths, _TOP_KEYS, parse_config


def test_new_creates_a_site_that_builds(tmp_path: Path):
    site = tmp_path / "mysite"
    result = run_cli("new", str(site))
    assert result.returncode == 0, result.stderr
    assert (site / "digestgen.toml").is_file()
    assert list((site / "content").glob("*.md"))
    assert (site / "templates" / "README.md").read_text(encoding="utf-8").startswith("# Overriding the theme")
    assert not [p for p in (site / "templates").iterdir() if p.suffix == ".html"]
    built = run_cli("build", "--site", str(site))
    assert built.returncode == 0, built.stderr
    assert "base_url is not set" in built.stderr
    index = (site / "output" / "index.html").read_text(encoding="utf-8")
    assert "Welcome to your news digest" in index
    assert (site / "output" / "feed.xml").is_file()


def test_the_config_documents_every_option_and_every_default_is_right(tmp_path: Path):
    site = tmp_path / "s"
    assert run_cli("new", str(site)).returncode == 0
    text = (site / "digestgen.toml").read_text(encoding="utf-8")
    parse_config(tomllib.loads(text), text=text)  # valid as written
    for key in _TOP_KEYS:
        assert re.search(rf"^#? ?\[?{key}\]?( =|$)", text, re.M), f"option {key!r} is not in the scaffold"
    # uncommenting every option gives a valid config with the documented (default) values
    uncommented = re.sub(r"^# ((?:\w+ = .*)|\[grouping\])$", r"\1", text, flags=re.M)
    config = parse_config(tomllib.loads(uncommented.replace('base_url = "https://example.org/news/"\n', "")))
    defaults = Config()
    for field in fields(Config):
        if field.name not in ("title", "description", "grouping", "base_url"):
            assert getattr(config, field.name) == getattr(defaults, field.name), field.name


def test_new_refuses_a_folder_that_is_not_empty(tmp_path: Path):
    site = tmp_path / "taken"
    site.mkdir()
    (site / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("new", str(site))
    assert result.returncode == 1
    assert "not empty" in result.stderr
    assert sorted(p.name for p in site.iterdir()) == ["notes.txt"]


def test_new_accepts_an_empty_folder_and_the_site_builds_in_process(tmp_path: Path):
    site = tmp_path / "empty"
    site.mkdir()
    assert run_cli("new", str(site)).returncode == 0
    result = build(Paths.for_site(site))
    assert [s.title for s in result.digest.stories] == ["Welcome to your news digest"]


def test_new_under_a_file_says_why_it_cannot(tmp_path: Path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = run_cli("new", str(tmp_path / "notes.txt" / "site"))
    assert result.returncode == 1 and "cannot create the site: Not a directory" in result.stderr
    assert "Traceback" not in result.stderr


def test_new_shows_a_build_command_that_can_be_pasted(tmp_path: Path):
    folder = tmp_path / "two words"
    result = run_cli("new", str(folder))
    assert result.returncode == 0
    assert f"digestgen build --site '{folder}'" in result.stderr
