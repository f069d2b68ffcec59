"""Story grouping: which articles report the same event, and which stories are related.

Pipeline (each step in its own private module):

1. ``_features``: prepare() - tokenise headline and body, weight headline and
   lead above the tail, sublinear tf.  Per document, pure Python, cacheable;
   the build runs it in its worker processes.
2. ``_text``: corpus idf, each article's top terms, L2-normalised rows.
3. ``_candidates``: candidate pairs from an inverted index over each article's
   top-weighted terms (no all-pairs similarity matrix), keeping the best few
   per article; exact cosines of given pairs, scored in chunks on two
   threads (the element-wise products run in C without the GIL).
4. ``_smooth``: blend each article with its close neighbours (cosine >= the
   story threshold, date-penalised), so short headlines of one story share
   vocabulary.
5. ``_latent``: short texts (headlines) also take latent (LSA) dimensions,
   so headlines whose words co-occur across the corpus are alike although
   they share no word; full texts score on their words alone.
6. ``_cluster``: threshold-bounded agglomeration on size-aware centroid
   similarity, with date distance as a soft penalty; a link must be mutual
   or go to a cluster twice the size, so look-alike stories (and
   neighbouring topics) do not chain into one.  ``_cohesion``: at story
   level, two tight clusters of full texts only loosely alike (two events
   of one beat in one week) are held apart.
7. ``_refine``: one nearest-centroid reassignment step of every article.

Stories are steps 4-7; topics (related stories) are steps 6-7 again on the
raw vectors over whole stories at the lower, date-free related_threshold,
each story going whole to its majority topic.

Knobs (GroupingSettings, exposed in digestgen.toml):

- ``threshold`` (story level): the similarity an article or cluster needs to
  join a story (for short texts, word and latent similarity blended), and
  the cosine a neighbour needs to lend its words in smoothing.  Lower merges more versions of one event, and headline
  fragments of it, into one story, at the risk of merging two look-alike
  incidents; higher keeps stories tight but splits a story whose versions are
  worded differently.
- ``related_threshold`` (topic level): the same trade-off between stories:
  lower links more stories as related (one ongoing topic), higher links only
  near-identical subjects.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

from ._features import Features, prepare

__all__ = ["Document", "Features", "GroupingSettings", "Grouping", "group", "prepare"]


@dataclass(frozen=True)
class Document:
    title: str            # headline, may be "" (some articles have none)
    text: str             # plain-text body, may be "" (headline-only feed items)
    source: str           # outlet name, e.g. "The New York Times"
    date: datetime | None # timezone-aware or None
    # prepare(title, text, url), when the caller has it (e.g. from the build cache);
    # group() computes it when None.  Must match title, text and url; given it, group()
    # reads neither text nor url, so a caller may leave them empty.
    features: Features | None = None
    url: str | None = None  # the article's address, whose path words count too


@dataclass(frozen=True)
class GroupingSettings:
    threshold: float = 0.15          # story (event) level; see the module docstring
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
    from threadpoolctl import threadpool_limits

    from ._pipeline import run

    # One BLAS thread. OpenBLAS splits even a 2,000 x 80 QR across every core and
    # spin-waits between the parts: on a busy 2-core machine nine of them took 3-8 s
    # instead of 0.05, and group() at 10,000 articles twice the CPU it needs. And a
    # float summed on one thread is summed the same on any machine, however many cores
    # it has: the grouping, and so the site, never depends on them.
    with threadpool_limits(limits=1, user_api="blas"):
        return run(docs, settings.threshold, settings.related_threshold, Grouping)
