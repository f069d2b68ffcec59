"""Threshold-bounded agglomeration over cluster centroids.

Each round every cluster links to its single most similar candidate cluster
(first-neighbour rule, as in FINCH, Sarfraz et al. 2019) when that similarity
reaches the threshold; the connected components of those links become the
next round's clusters.  Similarity between clusters is a size-aware centroid
cosine (see linkage()), so a loose family of headlines that share a rare name
is pulled together through the centroid even when most pairs share no word,
while big clusters of different events do not merge on generic overlap.  Every round is a handful of
vectorised sparse operations, and the number of rounds is logarithmic in the
size of the largest cluster in practice.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from ._candidates import pair_cosines
from ._text import normalize_rows

_MAX_ROUNDS = 100
# Two big clusters of one story have centroids nearly alike; two single
# articles of one story only pair up at the story's typical cosine rho0.  The
# linkage compares the centroid cosine with what is expected for the two sizes
# (see linkage()); RATIO is the centroid cosine demanded of two large clusters,
# and rho0 = threshold / RATIO the pairwise cosine expected inside a story.
RATIO = 0.4
# Date distance as a soft constraint (story level only, when both dates are
# known): no penalty within GRACE days (follow-ups, time zones), then the
# similarity is scaled down linearly over SPAN days to FLOOR, so two articles
# months apart need a much higher text similarity to count as one event.
DATE_PENALTY = (3.0, 30.0, 0.3)  # (grace days, span days, floor factor)


def membership(labels: np.ndarray, n_clusters: int) -> sp.csr_matrix:
    n = labels.size
    return sp.csr_matrix((np.ones(n), (labels, np.arange(n))), shape=(n_clusters, n))


def centroids(x: sp.csr_matrix, labels: np.ndarray, n_clusters: int) -> sp.csr_matrix:
    """Unit-length centroid (normalised sum of unit doc vectors) per cluster."""
    return normalize_rows(membership(labels, n_clusters) @ x)


def canonical(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """Renumber clusters 0..k-1 in order of their smallest member index."""
    _, first, inverse = np.unique(labels, return_index=True, return_inverse=True)
    rank = np.empty(first.size, np.int64)
    rank[np.argsort(first, kind="stable")] = np.arange(first.size)
    return rank[inverse.ravel()], first.size


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
    date_params: tuple[float, float, float] = DATE_PENALTY,
) -> np.ndarray:
    """Merge clusters (initial `labels`) along candidate doc edges; return labels.

    Dot products of the clusters' summed vectors are computed for the cluster
    pairs that candidate edges connect, and after each round recomputed only
    for pairs that touch a cluster which just merged; the rest are reused.
    """
    labels, k = canonical(labels)
    a, b = _cluster_pairs(labels[edge_i], labels[edge_j], k)
    sums = membership(labels, k) @ x
    dot = pair_cosines(sums, sums, a, b)
    for _ in range(_MAX_ROUNDS):
        if a.size == 0:
            break
        size = np.bincount(labels, minlength=k).astype(float)
        sq = np.asarray(sums.multiply(sums).sum(axis=1)).ravel()
        sim = linkage(dot, a, b, size, sq, threshold)
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
        # new ids in order of smallest member doc, as canonical() would give
        new_labels, k_new = canonical(comp[labels])
        remap = np.empty(k, np.int64)
        remap[labels] = new_labels
        labels, k = new_labels, k_new
        a, b, dot = _cluster_pairs(remap[a], remap[b], k, dot)
        sums = membership(labels, k) @ x
        # pairs touching a merged cluster: the summed dot misses part pairs
        # that no candidate edge connected, so rescore those exactly
        merged = np.bincount(remap, minlength=k) > 1
        redo = merged[a] | merged[b]
        dot[redo] = pair_cosines(sums, sums, a[redo], b[redo])
    return labels


def linkage(dot, a, b, size, sq, threshold):
    """Size-aware centroid similarity of cluster pairs, on the threshold's scale.

    For clusters of sizes m_a, m_b drawn from one story whose articles pair up
    at cosine rho0, the expected centroid cosine is f(m_a) f(m_b) with
    f(m) = sqrt(rho0 / (rho0 + (1 - rho0) / m)): rho0 for two singletons,
    approaching 1 for two large clusters.  The score is the observed centroid
    cosine relative to that expectation, scaled so that for two single
    articles it is just their cosine.  Large clusters therefore need nearly
    identical centroids to merge (two big "bankruptcy filing" clusters about
    different companies stay apart), while a lone article can still join a
    loose story.
    """
    rho0 = min(threshold / RATIO, 0.99)
    coh = sq / size**2                       # |centroid sum|^2 / m^2
    f = np.sqrt(rho0 / (rho0 + (1 - rho0) / size))
    centroid_cos = dot / (size[a] * size[b] * np.sqrt(coh[a] * coh[b]))
    return centroid_cos * rho0 / (f[a] * f[b])


def _cluster_pairs(a, b, k, dot=None):
    """Unique unordered cluster pairs (a < b) of the given pairs, summing `dot`."""
    keep = a != b
    a, b = a[keep], b[keep]
    code = np.minimum(a, b) * k + np.maximum(a, b)
    uniq, inv = np.unique(code, return_inverse=True)
    if dot is None:
        return uniq // k, uniq % k
    return uniq // k, uniq % k, np.bincount(inv.ravel(), weights=dot[keep], minlength=uniq.size)


def _date_ranges(days: np.ndarray, labels: np.ndarray, k: int):
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    known = ~np.isnan(days)
    np.minimum.at(lo, labels[known], days[known])
    np.maximum.at(hi, labels[known], days[known])
    lo[np.isinf(lo)] = np.nan
    hi[np.isinf(hi)] = np.nan
    return lo, hi

