"""Neighbour smoothing: blend each article's vector with its close neighbours'.

A headline has five or six terms, so two headlines of one story often share
none ("Titanfall PC includes 35GB of uncompressed audio" / "Respawn: Titanfall
patch fixes connection problems" share one; a review and an interview may
share nothing).  Adding to each vector a share of its near neighbours' vectors
(one step of diffusion on the candidate graph) gives it the vocabulary of the
story around it, so fragments of one story become similar through the terms
their neighbourhoods share.

Only neighbours at cosine >= the story threshold, after the same date
penalty agglomeration applies, contribute: an article never borrows words from
something it would not be grouped with on its own, so two look-alike
incidents (or one mission's landing and, two months later, its budget cut)
are not pulled together by smoothing.

Only short texts borrow, in proportion to their shortness (_text.shortness).
Full texts have words enough of their own, and in a busy week, when dates no
longer keep same-beat events apart, their neighbours' words glued those events
together: basil with its events packed into 7 days scored 0.875 with full texts
smoothed, 0.911 without (benchmarks/grouping.py --direct --dense 7).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._cluster import DATE_PENALTY, date_factor
from ._text import MAX_TERMS, normalize_rows, shortness, top_terms

# Weight of the neighbourhood relative to the article itself (both unit
# length).  Higher merges story fragments more readily (recall on headline
# feeds) at the risk of merging neighbouring stories (precision).
SMOOTHING = 0.6


def smooth(x: sp.csr_matrix, edge_i: np.ndarray, edge_j: np.ndarray, cos: np.ndarray,
           min_sim: float, days: np.ndarray) -> sp.csr_matrix:
    """Return unit rows of x + SMOOTHING * (cosine-weighted mean of close neighbours).

    `cos` holds x's cosines along the candidate edges (edge_i, edge_j).
    """
    n = x.shape[0]
    w = cos * date_factor(days[edge_i], days[edge_i], days[edge_j], days[edge_j], *DATE_PENALTY)
    keep = w >= min_sim
    i, j, w = edge_i[keep], edge_j[keep], w[keep]
    adjacency = sp.csr_matrix((np.r_[w, w], (np.r_[i, j], np.r_[j, i])), shape=(n, n))
    # unit-length weight rows: the neighbourhood counts SMOOTHING times as much
    # as a headline, however many neighbours it has (a full text's row: nothing)
    lend = sp.diags(SMOOTHING * shortness(x)) @ normalize_rows(adjacency)
    lend.eliminate_zeros()
    blended = x + lend @ x
    # the blend can have ~k x MAX_TERMS terms per row; the tail adds cost, not signal
    return normalize_rows(top_terms(normalize_rows(blended.tocsr()), MAX_TERMS))
