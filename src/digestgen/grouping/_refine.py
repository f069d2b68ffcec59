"""Refinement: move each article to the story whose centroid it is closest to.

Agglomeration decides merges between whole clusters, so an article that got
pulled into the wrong cluster early stays there.  Article-level nearest-
centroid reassignment (k-means steps restricted to candidate clusters) fixes
most of those: on headline data an article is nearest to its own story's
centroid far more often than any single threshold keeps it in that story.
Only the clusters of an article's candidate neighbours are considered, so a
round costs O(candidate edges), never O(n x clusters).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._candidates import pair_cosines
from ._cluster import DATE_PENALTY, canonical, date_factor, date_ranges, membership

ROUNDS = 1  # one nearest-centroid step: further rounds changed nothing measurable but cost time


def refine(
    x: sp.csr_matrix,
    edge_i: np.ndarray,
    edge_j: np.ndarray,
    labels: np.ndarray,
    threshold: float,
    days: np.ndarray | None = None,
) -> np.ndarray:
    """Reassign articles to their most similar candidate cluster; return labels.

    An article's own cluster is scored leave-one-out (its centroid without the
    article), otherwise every article would simply prefer its own cluster.  An
    article moves only to a cluster whose centroid it reaches with cosine >=
    `threshold` (so the threshold still bounds what joins a story, and a lone
    article stays alone unless it would have been merged anyway), with the
    same soft date penalty as agglomeration.  Ties go to the smaller cluster id.
    """
    n = x.shape[0]
    src = np.concatenate([edge_i, edge_j, np.arange(n)])
    nbr = np.concatenate([edge_j, edge_i, np.arange(n)])
    self_sq = np.asarray(x.multiply(x).sum(axis=1)).ravel()
    labels, k = canonical(labels)
    for _ in range(ROUNDS):
        sums = membership(labels, k) @ x
        sq = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
        code = np.unique(src * k + labels[nbr])
        doc, cl = code // k, code % k
        dot = pair_cosines(x, sums, doc, cl)
        own = labels[doc] == cl
        num = np.where(own, dot - self_sq[doc], dot)
        den2 = np.where(own, sq[cl] - 2 * dot + self_sq[doc], sq[cl])
        sim = np.where(den2 > 1e-12, num / np.sqrt(np.maximum(den2, 1e-12)), 0.0)
        if days is not None:
            lo, hi = date_ranges(days, labels, k)
            sim *= date_factor(days[doc], days[doc], lo[cl], hi[cl], *DATE_PENALTY)
        # the own cluster always qualifies; others only from the threshold on
        sim = np.where(own | (sim >= threshold), sim, -np.inf)
        # best cluster per article (rows of `code` are sorted by article)
        order = np.lexsort((cl, -sim, doc))
        first = np.ones(order.size, bool)
        first[1:] = doc[order][1:] != doc[order][:-1]
        new, k_new = canonical(cl[order][first])
        if k_new == k and np.array_equal(new, labels):
            break
        labels, k = new, k_new
    return labels


def majority(parts: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Label of each part (e.g. story): the label most of its members carry.

    Used at topic level, where articles are refined individually but a story
    must stay whole inside one topic.  Ties go to the smaller label.
    """
    width = int(labels.max()) + 1
    code, count = np.unique(parts.astype(np.int64) * width + labels, return_counts=True)
    part, label = code // width, code % width
    order = np.lexsort((label, -count, part))
    first = np.ones(order.size, bool)
    first[1:] = part[order][1:] != part[order][:-1]
    out = np.empty(int(parts.max()) + 1, np.int64)
    out[part[order][first]] = label[order][first]
    return out
