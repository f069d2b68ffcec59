"""Relative closeness: two tight clusters that are only loosely alike are two events.

In a busy week, two events of one beat (a shutdown's deal and, days before,
its president's emergency declaration; two states' religious-freedom laws)
share so much vocabulary that their clusters' centroids come close enough to
merge, while each event's own versions are far more alike among themselves
than to the other event's.  So a link between two clusters of several
articles each is weakened when the mean cosine across them falls short of
COHESION times the mean cosine within the looser of the two (the relative
closeness of Chameleon, Karypis, Han and Kumar 1999).  A lone article is
never held back: it has no within-cluster mean to be compared with.

Only full texts are held to it, in proportion to both clusters' share of
full texts: a headline's few words make its cosines too coarse to compare (on
uci-dev the rule cost 0.04 F1 when headlines were held to it too).  A brief
of a few dozen words (a wire alert, an editor's summary) has words enough,
and is held to it in full: counted as partly short, as it is for borrowing
words (_text.shortness), two quakes' briefs in one week, Peru's and Turkey's,
became one story (with no change on basil, uci-dev or duc2006, nor on basil
and uci-dev packed into a week).  Near-duplicates (a wire story reprinted by several outlets,
cosine >= DUPLICATE) are left out of the within-cluster mean: reprints of
one article are alike by copying, and counted, they would make the reprints'
cluster refuse the other outlets' versions of their own story.

With events packed into 7 days, basil went 0.911 -> 0.977 F1, and basil with
two reprints of every event's first article 0.947 -> 0.967; as dated, basil
0.972 -> 0.998 (benchmarks/grouping.py --direct [--dense 7]).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from ._candidates import pair_cosines

COHESION = 0.8    # cross-cluster mean cosine demanded, relative to the looser cluster's own
DUPLICATE = 0.7   # cosine from which two articles count as copies of one text
# A text of up to HEADLINE_TERMS terms is spared the rule; past that it is held to it more
# and more, as 1 - (HEADLINE_TERMS / terms)^2, and in full past BRIEF_TERMS.
HEADLINE_TERMS = 10
BRIEF_TERMS = 30


def _fullness(raw: sp.csr_matrix) -> np.ndarray:
    """How far each article is held to the rule: 0 for a headline, 1 from a brief on."""
    terms = np.diff(raw.indptr)
    spared = np.minimum(1.0, (HEADLINE_TERMS / np.maximum(terms, 1)) ** 2)
    spared[terms > BRIEF_TERMS] = 0.0
    return 1.0 - spared


@dataclass(frozen=True)
class Cohesion:
    """Per article, what the rule needs: how full a text it is, and its near-duplicates."""

    fullness: np.ndarray    # 1 - shortness: 1 for a full text, 0 for a headline
    dup_i: np.ndarray       # near-duplicate pairs (i, j) ...
    dup_j: np.ndarray
    dup_cos: np.ndarray     # ... and their cosine on the clustered vectors

    @classmethod
    def of(cls, x: sp.csr_matrix, raw: sp.csr_matrix, edge_i: np.ndarray, edge_j: np.ndarray,
           raw_cos: np.ndarray) -> "Cohesion":
        """Cohesion data for clustering x, given the raw cosines of the candidate edges."""
        dup = raw_cos >= DUPLICATE
        i, j = edge_i[dup], edge_j[dup]
        return cls(_fullness(raw), i, j, pair_cosines(x, x, i, j))

    def factor(self, labels: np.ndarray, k: int, size: np.ndarray, sq: np.ndarray,
               dot: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Multiplier in [0, 1] for the links between clusters a and b (see module doc).

        `size` and `sq` are per cluster: its article count and the squared
        length of its summed (unit) vectors; `dot` the dot products of the
        pairs' summed vectors.
        """
        same = labels[self.dup_i] == labels[self.dup_j]
        owner = labels[self.dup_i][same]
        dup_sum = np.bincount(owner, weights=self.dup_cos[same], minlength=k)
        dup_pairs = np.bincount(owner, minlength=k)
        # |sum|^2 = size + 2 x (sum of cosines over pairs within the cluster)
        pairs = size * (size - 1) / 2 - dup_pairs
        with np.errstate(divide="ignore", invalid="ignore"):
            within = np.where(pairs > 0, ((sq - size) / 2 - dup_sum) / pairs, np.nan)
        looser = np.minimum(within[a], within[b])     # NaN when either has no pair
        full = np.bincount(labels, weights=self.fullness, minlength=k) / size
        demand = COHESION * full[a] * full[b] * looser
        across = dot / (size[a] * size[b])
        held = demand > 0                              # False where NaN
        out = np.ones(a.size)
        out[held] = np.clip(across[held] / demand[held], 0.0, 1.0)
        return out
