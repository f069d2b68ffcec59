"""digestgen.toml: strict keys, suggestions, every problem at once."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from digestgen.config import load_config
from digestgen.errors import ConfigError


def test_defaults_when_there_is_no_config(tmp_path: Path):
    config = load_config(tmp_path / "digestgen.toml")
    assert (config.title, config.timezone, config.base_url) == ("News Digest", "UTC", "")


def test_values_are_read(tmp_path: Path):
    path = tmp_path / "digestgen.toml"
    path.write_text('title = "Morning Brief"\nbase_url = "https://example.com/news"\ntimezone = "Europe/Berlin"\n\n[grouping]\nthreshold = 0.4\n')
    config = load_config(path)
    assert config.title == "Morning Brief"
    assert config.base_url == "https://example.com/news/"
    assert config.grouping.threshold == 0.4


def test_unknown_keys_are_errors_with_suggestions_all_reported(tmp_path: Path):
    path = tmp_path / "digestgen.toml"
    path.write_text('title = "X"\ntitel = "Y"\ntimezone = "Mars/Olympus"\n\n[grouping]\ntreshold = 0.5\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 3
    assert f"{path}:2: unknown key 'titel' (did you mean 'title'?)" in messages[0]
    assert f"{path}:3: unknown time zone 'Mars/Olympus'" in messages[2]
    assert f"{path}:6: unknown key 'grouping.treshold' (did you mean 'grouping.threshold'?)" in messages[1]


def _first_problem(tmp_path: Path, text: str) -> str:
    """The first problem a config file holding ``text`` is refused for, with the file's path
    as ``PATH``."""
    path = tmp_path / "digestgen.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    return str(caught.value.problems[0]).replace(str(path), "PATH")


def test_invalid_toml_names_the_line(tmp_path: Path):
    assert _first_problem(tmp_path, 'title = "X"\nbase_url = \n').startswith("PATH:2: invalid TOML")


@pytest.mark.parametrize("url", ["https://example.org/news/?ref=feed", "https://example.org/news/#top", "example.org/news/",
                                 "https://example.org/news/index.html", "https://example.org/Home.HTM",
                                 "https://[::1/", "http://a]b/", "https://example.org:99999/",  # these were tracebacks
                                 "https://x\\\"><img src=x onerror=alert(1)>:80/", "https://exa mple.org/", "https://a..b/"])
def test_a_base_url_that_is_not_a_folders_address_is_an_error_at_its_line(tmp_path: Path, url: str):
    assert _first_problem(tmp_path, f'title = "X"\nbase_url = "{url}"\n').startswith("PATH:2: base_url must")


def test_a_base_url_with_a_password_is_an_error_that_does_not_repeat_it(tmp_path: Path):
    """A deploy preview's address pasted with its credentials would publish them on every page."""
    problem = _first_problem(tmp_path, 'title = "X"\nbase_url = "https://editor:s3cret@example.org/news/"\n')
    assert problem.startswith("PATH:2: base_url must not hold a user name or password") and "s3cret" not in problem


@pytest.mark.parametrize(("url", "expected"), [
    ("https://example.org/my news", "https://example.org/my%20news/"),
    ("https://example.org/café/", "https://example.org/caf%C3%A9/"),
    ("https://example.org/a%20b/", "https://example.org/a%20b/"),  # already encoded: kept
    ("https://bücher.example/", "https://xn--bcher-kva.example/"),
])
def test_a_base_url_is_written_as_addresses_must_be(tmp_path: Path, url: str, expected: str):
    """Feeds, the sitemap and robots.txt give it as it is: no spaces or raw non-ASCII."""
    path = tmp_path / "digestgen.toml"
    path.write_text(f'base_url = "{url}"\n', encoding="utf-8")
    assert load_config(path).base_url == expected


def test_an_expiry_past_a_century_is_an_error_not_a_crash(tmp_path: Path):
    assert _first_problem(tmp_path, "expire_after_days = 999999\n").startswith("PATH:1: expire_after_days must be at most 36500")


def test_a_config_saved_with_a_byte_order_mark_is_read(tmp_path: Path):
    path = tmp_path / "digestgen.toml"
    path.write_bytes('\ufefftitle = "Notepad Digest"\n'.encode("utf-8"))
    assert load_config(path).title == "Notepad Digest"


@pytest.mark.parametrize("text", ['title = "X"\ngrouping = { threshold = 5 }\n', 'title = "X"\ngrouping.threshold = 5\n',
                                  'title = "X"\ngrouping.threshold = 0\n', 'title = "X"\n[grouping]\nrelated_threshold = 0\n'])
def test_a_bad_value_in_an_inline_table_or_a_dotted_key_is_named_at_its_line(tmp_path: Path, text: str):
    assert _first_problem(tmp_path, text).startswith(("PATH:2: grouping.threshold must be between 0 and 1, above 0",
                                                      "PATH:3: grouping.related_threshold must be between 0 and 1, above 0"))


def test_odd_config_files_are_errors_naming_the_file_not_tracebacks_hangs_or_defaults(tmp_path: Path):
    import os

    def problem(path: Path) -> str:
        with pytest.raises(ConfigError) as caught:
            load_config(path)
        return str(caught.value.problems[0]).replace(str(path), "PATH")

    dangling = tmp_path / "dangling.toml"
    dangling.symlink_to(tmp_path / "nowhere.toml")  # was read as "no config": a site built with the defaults
    assert problem(dangling) == "PATH: cannot read config: it is a symlink to nothing"
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('title = "News"\nauthor = "Jos\u00e9"\n'.encode("latin-1"))
    assert problem(latin1) == "PATH:2: cannot read config: it is not UTF-8 text (save it as UTF-8)"
    deep = tmp_path / "deep.toml"
    deep.write_text("x = " + "{a = " * 5000 + "1" + "}" * 5000 + "\n", encoding="utf-8")
    assert problem(deep) == "PATH: invalid TOML: nested too deeply to read"
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)  # reading it waited for a writer for good
    assert problem(fifo) == "PATH: cannot read config: not a regular file"


def test_a_machine_without_a_time_zone_database_builds_all_the_same(tmp_path: Path):
    """Slim containers ship none: every build ended in a traceback ('No time zone found with
    key UTC'), and a right zone name was called unknown."""
    import subprocess
    import sys

    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text("---\ntitle: A\ndate: 2024-01-01 10:00\n---\n\nx\n", encoding="utf-8")
    (tmp_path / "digestgen.toml").write_text('timezone = "Europe/Berlin"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONTZPATH": str(tmp_path / "no-such-folder")}
    done = subprocess.run([sys.executable, "-m", "digestgen", "build", "--site", str(tmp_path), "-q"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert '"date": "2024-01-01T10:00:00+01:00"' in (tmp_path / "output" / "digest.json").read_text(encoding="utf-8")
