"""Threshold-bounded agglomeration over cluster centroids.

Each round every cluster links to its single most similar candidate cluster
(first-neighbour rule, as in FINCH, Sarfraz et al. 2019) when that similarity
reaches the threshold and the link is mutual or goes to a cluster at least
JOIN_RATIO times its size (see JOIN_RATIO); the connected components of those
links become the next round's clusters.  Similarity between clusters is a
size-aware centroid cosine (see linkage()), so a loose family of headlines
that share a rare name is pulled together through the centroid even when most
pairs share no word, while big clusters of different events do not merge on
generic overlap.
Every round is a handful of vectorised sparse operations, and after the first
few rounds only a few clusters merge, so later rounds rescore little (a few
dozen rounds at most on the benchmark corpora; _MAX_ROUNDS bounds them).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from ._candidates import pair_cosines
from ._cohesion import Cohesion
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
# A cluster's link to its nearest neighbour is kept only when the two are each
# other's nearest (mutual) or the neighbour is at least JOIN_RATIO times its
# size (a fragment joining a bigger story).  Plain first-neighbour links chain:
# A's nearest is B, B's is C, and A, B, C become one cluster in a single
# round although A and C may have nothing in common; with full texts such
# chains glue neighbouring stories (and then neighbouring topics) together.
# Fragments of a headline story still join it, since the story is bigger.
# Both levels: at topic level plain first-neighbour chains glue neighbouring
# topics in a round where no link between them was mutual;
# a topic still grows into a chain of stories over several rounds.
JOIN_RATIO = 2.0


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
    cohesion: Cohesion | None = None,
) -> np.ndarray:
    """Merge clusters (initial `labels`) along candidate doc edges; return labels.

    With `cohesion`, links between tight clusters that are only loosely alike
    are weakened (see _cohesion).

    Dot products of the clusters' summed vectors are computed for the cluster
    pairs that candidate edges connect, and after each round recomputed only
    for pairs that touch a cluster which just merged; the rest are reused.
    """
    labels, k = canonical(labels)
    a, b = _cluster_pairs(labels[edge_i], labels[edge_j], k)
    sums = membership(labels, k) @ x
    sq = _row_sq(sums)
    dot = pair_cosines(sums, sums, a, b)
    size = np.bincount(labels, minlength=k).astype(float)
    lo_d, hi_d = _date_ranges(days, labels, k) if days is not None else (None, None)
    for _ in range(_MAX_ROUNDS):
        if a.size == 0:
            break
        sim = linkage(dot, a, b, size, sq, threshold)
        if days is not None:
            lo, hi = _nan_if_inf(lo_d), _nan_if_inf(hi_d)
            sim *= date_factor(lo[a], hi[a], lo[b], hi[b], *date_params)
        if cohesion is not None:
            sim *= cohesion.factor(labels, k, size, sq, dot, a, b)
        # first neighbour of every cluster (ties -> smaller cluster id); two
        # scatter passes instead of a sort: this runs every round
        src = np.concatenate([a, b])
        dst = np.concatenate([b, a])
        s2 = np.concatenate([sim, sim])
        best = np.full(k, -np.inf)
        np.maximum.at(best, src, s2)
        tied = (s2 == best[src]) & (s2 >= threshold)
        nearest = np.full(k, k)
        np.minimum.at(nearest, src[tied], dst[tied])
        nearest = _keep_links(nearest, size, k, JOIN_RATIO)
        if not (nearest < k).any():
            break
        comp = _first_neighbour_components(nearest, k)
        # new ids in order of smallest member doc, as canonical() would give
        new_labels, k_new = canonical(comp[labels])
        remap = np.empty(k, np.int64)
        remap[labels] = new_labels
        labels, k = new_labels, k_new
        a, b, dot = _cluster_pairs(remap[a], remap[b], k, dot)
        # everything per cluster is updated from the old clusters, not the
        # docs, and only where clusters merged: later rounds merge few
        merged = np.bincount(remap, minlength=k) > 1
        sums, sq = _merge_rows(sums, sq, remap, k, merged)
        size = np.bincount(remap, weights=size, minlength=k)
        if days is not None:
            lo_d, hi_d = _merge_ranges(remap, k, lo_d, hi_d)
        # pairs touching a merged cluster: the summed dot misses part pairs
        # that no candidate edge connected, so rescore those exactly
        redo = merged[a] | merged[b]
        dot[redo] = pair_cosines(sums, sums, a[redo], b[redo])
    return labels


def _keep_links(nearest: np.ndarray, size: np.ndarray, k: int, join_ratio: float) -> np.ndarray:
    """Drop links that are neither mutual nor to a cluster join_ratio x bigger (see JOIN_RATIO)."""
    linked = nearest < k
    target = np.where(linked, nearest, 0)
    keep = linked & ((nearest[target] == np.arange(k)) | (size * join_ratio <= size[target]))
    return np.where(keep, nearest, k)


def _first_neighbour_components(nearest: np.ndarray, k: int) -> np.ndarray:
    """Connected components of the first-neighbour links (nearest[c] == k: none).

    Every cluster has at most one outgoing link, chosen by a symmetric
    similarity with ties broken by id, so the only cycles are mutual pairs:
    following links (by pointer doubling, O(k log depth)) ends in a
    2-cycle or at an unlinked cluster, whose smaller id names the component.
    """
    parent = np.where(nearest < k, nearest, np.arange(k))
    for _ in range(64):  # doubling: 64 steps reach any depth
        jumped = parent[parent]
        # a 2-cycle alternates between its two ids; settle on the smaller
        jumped = np.minimum(jumped, parent[jumped])
        if np.array_equal(jumped, parent):
            break
        parent = jumped
    return parent


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


def _merge_rows(sums: sp.csr_matrix, sq: np.ndarray, remap: np.ndarray, k: int,
                merged: np.ndarray) -> tuple[sp.csr_matrix, np.ndarray]:
    """Summed rows and their squared lengths after old cluster c became remap[c]: the
    rows of clusters that merged are summed (as membership(remap, k) @ sums would, to
    the same floats), the others are moved as they are."""
    sums.sort_indices()
    into_merged = merged[remap]
    kept_old = np.flatnonzero(~into_merged)
    merged_new = np.flatnonzero(merged)
    part_old = np.flatnonzero(into_merged)
    # old clusters in ascending order within each merged row, as in the full product
    local = np.searchsorted(merged_new, remap[part_old])
    joining = sp.csr_matrix((np.ones(part_old.size), (local, part_old)), shape=(merged_new.size, sums.shape[0]))
    joined = (joining @ sums).tocsr()
    joined.sort_indices()
    rows = np.empty(k, np.int64)  # new cluster -> its row in the stacked matrix
    rows[remap[kept_old]] = np.arange(kept_old.size)
    rows[merged_new] = kept_old.size + np.arange(merged_new.size)
    stacked = sp.vstack([sums[kept_old], joined], format="csr")
    new_sq = np.empty(k)
    new_sq[remap[kept_old]] = sq[kept_old]
    new_sq[merged_new] = _row_sq(joined)
    out = stacked[rows]
    out.has_sorted_indices = True
    return out, new_sq


def _row_sq(m: sp.csr_matrix) -> np.ndarray:
    """Squared length of every row."""
    rows = np.repeat(np.arange(m.shape[0]), np.diff(m.indptr))
    return np.bincount(rows, weights=m.data**2, minlength=m.shape[0])


def _date_ranges(days: np.ndarray, labels: np.ndarray, k: int):
    """Earliest and latest known date per cluster (+inf / -inf: none known)."""
    lo = np.full(k, np.inf)
    hi = np.full(k, -np.inf)
    known = ~np.isnan(days)
    np.minimum.at(lo, labels[known], days[known])
    np.maximum.at(hi, labels[known], days[known])
    return lo, hi


def _merge_ranges(remap: np.ndarray, k: int, lo: np.ndarray, hi: np.ndarray):
    new_lo = np.full(k, np.inf)
    new_hi = np.full(k, -np.inf)
    np.minimum.at(new_lo, remap, lo)
    np.maximum.at(new_hi, remap, hi)
    return new_lo, new_hi


def _nan_if_inf(v: np.ndarray) -> np.ndarray:
    return np.where(np.isinf(v), np.nan, v)


def date_ranges(days: np.ndarray, labels: np.ndarray, k: int):
    """Earliest and latest date per cluster, NaN where none is known."""
    lo, hi = _date_ranges(days, labels, k)
    return _nan_if_inf(lo), _nan_if_inf(hi)
