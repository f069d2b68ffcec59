"""A small publisher's site for the feed, link and browser tests: several outlets, tags,
stories over two months, a draft and a future-dated article. Built with a pinned "now"."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from conftest import BAKERY, QUAKE_A, QUAKE_B, article, write_site

from digestgen.build import BuildResult, build
from digestgen.config import Paths

NOW = datetime(2021, 6, 1, 12, 0, tzinfo=timezone.utc)

CONFIG = """
title = "The Morning Digest"
description = "Every version of the day's news, side by side"
base_url = "https://news.example.org/news/"
language = "en"
timezone = "Europe/London"
page_size = 2
author = "The Digest Desk"
"""

FERRY = article(
    "Ferry service to the islands suspended after storm damage",
    """
    The ferry service to the outer islands was suspended on Monday after a storm damaged
    the harbour wall, the operator said. Repairs are expected to take a week.
    """,
    date="2021-04-19 08:00", source="Island Times", tags="transport, weather",
)
ELECTION = article(
    "Council election turnout highest in twenty years",
    """
    Turnout in the council election reached 48 percent, the highest in twenty years,
    officials said on Friday. Counting continues in three wards.
    """,
    date="2021-05-07 22:30", source="County Gazette", tags="politics", author="Sam Reeve",
)
DRAFT = article(
    "Draft: bridge reopening plans",
    "The bridge may reopen in July, according to a draft timetable.",
    date="2021-05-20", source="County Gazette", draft="true",
)
FUTURE = article(
    "Summer festival line-up to be announced",
    "The summer festival will announce its line-up next month.",
    date="2021-07-01 09:00", source="Island Times",
)


def publisher_files(config: str = CONFIG) -> dict[str, str]:
    files = {
        "content/quake-andes.md": QUAKE_A,
        "content/world/quake-pacific.md": QUAKE_B,
        "content/bakery.md": BAKERY,
        "content/ferry.md": FERRY,
        "content/election.md": ELECTION,
        "content/draft.md": DRAFT.replace('draft: "true"', "draft: true"),
        "content/future.md": FUTURE,
    }
    if config:
        files["digestgen.toml"] = config
    return files


def build_publisher_site(root: Path, *, config: str = CONFIG, **options) -> BuildResult:  # noqa: ANN003
    write_site(root, publisher_files(config))
    options.setdefault("now", NOW)
    return build(Paths.for_site(root), **options)
