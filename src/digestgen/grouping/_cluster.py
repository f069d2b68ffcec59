"""Threshold-bounded agglomeration over cluster centroids.

Each round every cluster links to its single most similar candidate cluster
(first-neighbour rule, as in FINCH, Sarfraz et al. 2019) when that similarity
reaches the threshold; the connected components of those links become the
next round's clusters.  Similarity between clusters is the cosine of their
(summed) centroids, so a loose family of headlines that share a rare name is
pulled together through the centroid even when most pairs share no word, while
the threshold keeps distinct events apart.  Every round is a handful of
vectorised sparse operations, and the number of rounds is logarithmic in the
size of the largest cluster in practice.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ._candidates import pair_cosines
from ._text import normalize_rows

_MAX_ROUNDS = 50
GAMMA = 1.0


def membership(labels: np.ndarray, n_clusters: int) -> sp.csr_matrix:
    n = labels.size
    return sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(n_clusters, n))


def centroids(x: sp.csr_matrix, labels: np.ndarray, n_clusters: int) -> sp.csr_matrix:
    """Unit-length centroid (normalised sum of unit doc vectors) per cluster."""
    return normalize_rows(membership(labels, n_clusters) @ x)


def canonical(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Renumber clusters 0..k-1 in order of their smallest member index."""
    _, first = np.unique(labels, return_index=True)
    order = np.argsort(first, kind="stable")
    remap = np.empty(order.size, np.int64)
    remap[np.unique(labels)[order]] = np.arange(order.size)
    return remap[labels], order.size


def date_factor(lo_a, hi_a, lo_b, hi_b, grace: float, span: float, floor: float) -> np.ndarray:
    """Soft penalty for clusters whose date ranges are far apart (NaN = unknown)."""
    gap = np.maximum(0.0, np.maximum(lo_a, lo_b) - np.minimum(hi_a, hi_b))
    f = 1.0 - np.maximum(0.0, gap - grace) / span
    f = np.maximum(floor, f)
    return np.where(np.isnan(gap), 1.0, f)


def agglomerate(
    x: sp.csr_matrix,
    edge_i: np.ndarray,
    edge_j: np.ndarray,
    labels: np.ndarray,
    threshold: float,
    days: np.ndarray | None = None,
    date_params: tuple[float, float, float] = (3.0, 60.0, 0.5),
) -> np.ndarray:
    """Merge clusters (initial `labels`) along candidate doc edges; return labels."""
    labels, k = canonical(labels)
    for _ in range(_MAX_ROUNDS):
        a, b = labels[edge_i], labels[edge_j]
        cross = a != b
        a, b = a[cross], b[cross]
        if a.size == 0:
            break
        lo, hi = np.minimum(a, b), np.maximum(a, b)
        code = np.unique(lo * k + hi)
        a, b = code // k, code % k
        sums = membership(labels, k) @ x
        sim = pair_cosines(sums, sums, a, b)
        size = np.bincount(labels, minlength=k).astype(float)
        # cohesion: squared norm of the sum over size^2 = mean pairwise sim (incl. self)
        coh = np.asarray(sums.multiply(sums).sum(axis=1)).ravel() / size**2
        sim /= size[a] * size[b] * (coh[a] * coh[b]) ** (GAMMA / 2)
        if days is not None:
            lo_d, hi_d = _date_ranges(days, labels, k)
            sim *= date_factor(lo_d[a], hi_d[a], lo_d[b], hi_d[b], *date_params)
        # first neighbour of every cluster (ties -> smaller cluster id)
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        s2 = np.concatenate([sim, sim])
        order = np.lexsort((dst, -s2, src))
        src, dst, s2 = src[order], dst[order], s2[order]
        first = np.ones(src.size, bool)
        first[1:] = src[1:] != src[:-1]
        link = first & (s2 >= threshold)
        if not link.any():
            break
        g = sp.csr_matrix((np.ones(link.sum()), (src[link], dst[link])), shape=(k, k))
        _, comp = connected_components(g, directed=False)
        labels, k = canonical(comp[labels])
    return labels


def _date_ranges(days: np.ndarray, labels: np.ndarray, k: int):
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    known = ~np.isnan(days)
    np.minimum.at(lo, labels[known], days[known])
    np.maximum.at(hi, labels[known], days[known])
    lo[np.isinf(lo)] = np.nan
    hi[np.isinf(hi)] = np.nan
    return lo, hi
