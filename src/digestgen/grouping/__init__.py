"""Story grouping: which articles report the same event, and which stories are related.

Pipeline (each step in its own private module):

1. ``_text``: tokenise headline and body, weight headline and lead above the
   tail, sublinear tf x idf, L2-normalise.
2. ``_candidates``: candidate pairs from an inverted index over each article's
   top-weighted terms (no all-pairs similarity matrix), keeping the best few
   per article.
3. ``_cluster``: threshold-bounded agglomeration on centroid similarity, with
   date distance as a soft penalty, first at story level, then again over the
   stories at the lower, date-free topic level.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

__all__ = ["Document", "GroupingSettings", "Grouping", "group"]


@dataclass(frozen=True)
class Document:
    title: str            # headline, may be "" (some articles have none)
    text: str             # plain-text body, may be "" (headline-only feed items)
    source: str           # outlet name, e.g. "The New York Times"
    date: datetime | None # timezone-aware or None


@dataclass(frozen=True)
class GroupingSettings:
    threshold: float = 0.15          # story (event) level
    related_threshold: float = 0.1   # topic level ("related stories")


@dataclass(frozen=True)
class Grouping:
    stories: tuple[tuple[int, ...], ...]
    representative: tuple[int, ...]
    topics: tuple[tuple[int, ...], ...]


def group(docs: Sequence[Document], settings: GroupingSettings = GroupingSettings()) -> Grouping:
    """Group `docs` into stories (same event) and topics (related stories).

    Pure and deterministic: the result depends only on the documents' content
    and order, never on hash seeds or timing.
    """
    from ._pipeline import run

    return run(docs, settings.threshold, settings.related_threshold, Grouping)
