"""Candidate generation and exact scoring of candidate pairs.

An all-pairs similarity matrix on news TF-IDF is effectively dense (common
words link everything), so it costs O(n^2).  Instead each document is
represented by its few highest-weighted terms; two documents are candidates
when they share one of those terms.  Terms that are among the top terms of very
many documents say little about any event and would make the candidate set
quadratic, so their postings are dropped from candidate generation (they still
count when candidates are scored exactly).
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from . import _threads
from ._text import top_terms

TOP_TERMS = 12          # top-weighted terms per doc used as index keys
SMALL_SITE = 1000       # below this many docs, proportionally more (all, on a site of a few dozen)
MAX_POSTINGS = 400      # index keys shared by more docs than this are ignored
NEIGHBOURS = 15       # candidates kept per doc (by partial score)
_BLOCK = 2048           # rows per block of the sparse product (bounds memory)
_PAIR_CHUNK = 100_000   # pairs scored at once
_MERGE_RATIO = 8       # merge path when len_a + len_b <= this x the shorter length
_MERGE_NNZ = 1_000_000  # row entries copied at once on that path, per thread


def candidate_pairs(x: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Return candidate pairs (i, j), i < j, unique, lexicographically sorted."""
    n = x.shape[0]
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    # A small site can afford more: two versions of one match report ("Arsenal beat Chelsea",
    # "Gunners sink Blues") may share no top word yet be alike in all they say. Growing with
    # the site's smallness, not cut off at a size, so a site's next article moves little.
    keys = top_terms(x, max(TOP_TERMS, TOP_TERMS * SMALL_SITE // n))
    postings = np.bincount(keys.indices, minlength=x.shape[1])
    usable = (postings >= 2) & (postings <= MAX_POSTINGS)
    stranded_i, stranded_j = _stranded_pairs(keys, usable, postings > MAX_POSTINGS)
    keys = keys.multiply(usable[np.newaxis, :].astype(np.float64)).tocsr()
    keys.eliminate_zeros()
    keys_t = keys.T.tocsr()

    def best_partners(start):
        stop = min(n, start + _BLOCK)
        # partial scores: dot product over shared index keys only
        prod = (keys[start:stop] @ keys_t).tocsr()
        lengths = np.diff(prod.indptr)
        rows = np.repeat(np.arange(start, stop), lengths)
        cols = prod.indices
        vals = prod.data
        mask = cols != rows
        rows, cols, vals = rows[mask], cols[mask], vals[mask]
        # keep the NEIGHBOURS best partial scores per row
        order = np.lexsort((cols, -vals, rows))
        rows, cols = rows[order], cols[order]
        first = np.searchsorted(rows, rows, side="left")
        keep = (np.arange(rows.size) - first) < NEIGHBOURS
        return rows[keep], cols[keep]

    pi, pj = zip(*_threads.in_threads(best_partners, list(range(0, n, _BLOCK))))
    i = np.concatenate([*pi, stranded_i])
    j = np.concatenate([*pj, stranded_j])
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    code = np.unique(lo * n + hi)
    return code // n, code % n


def _stranded_pairs(keys: sp.csr_matrix, usable: np.ndarray, common: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs for the articles whose every index key is over-common (in more than MAX_POSTINGS
    articles' keys): hundreds of reprints of one wire text, each with the same words, would
    otherwise meet no one, and become a story each. Such articles are grouped by their
    heaviest over-common key, and each meets the first NEIGHBOURS of its group: linear in
    their number, and as every reprint's nearest is then one of those, the agglomeration
    gathers the whole run in two rounds (a chain of neighbours took one round per link)."""
    n = keys.shape[0]
    rows = np.repeat(np.arange(n), np.diff(keys.indptr))
    met = np.bincount(rows[usable[keys.indices]], minlength=n) > 0
    pick = common[keys.indices] & ~met[rows]
    doc, term, weight = rows[pick], keys.indices[pick], keys.data[pick]
    if doc.size < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    order = np.lexsort((term, -weight, doc))  # each article's heaviest key first
    doc, term = doc[order], term[order]
    heaviest = np.r_[True, doc[1:] != doc[:-1]]
    doc, term = doc[heaviest], term[heaviest]
    order = np.lexsort((doc, term))
    doc, term = doc[order], term[order]
    start = np.searchsorted(term, term, side="left")  # where each article's group starts
    end = np.searchsorted(term, term, side="right")
    hubs_i, hubs_j = [], []
    for k in range(NEIGHBOURS):
        has = start + k < end
        hub = doc[np.minimum(start + k, doc.size - 1)]
        keep = has & (hub != doc)
        hubs_i.append(hub[keep])
        hubs_j.append(doc[keep])
    return np.concatenate(hubs_i), np.concatenate(hubs_j)


def pair_cosines(a: sp.csr_matrix, b: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Row-wise dot products a[i[k]] . b[j[k]] for every k (a sparse "sampled" product).

    Never forms a[i] @ b.T: each pair costs about its rows' lengths (see the
    two paths below), so a singleton compared with a huge cluster costs only
    the singleton's terms.
    """
    out = np.zeros(i.size)
    if i.size == 0:
        return out
    a = a.tocsr()
    b = b.tocsr()
    a.sort_indices()
    b.sort_indices()
    len_a = np.diff(a.indptr)
    len_b = np.diff(b.indptr)
    # Two paths.  scipy's C merge of two sorted rows costs the sum of both
    # lengths; walking the shorter row with binary searches costs its length
    # times a cache-missing search.  Rows of similar length (article vs
    # article, the bulk of all pairs) take the merge, which is several times
    # faster; an article or small cluster vs a huge cluster takes the walk.
    la, lb = len_a[i], len_b[j]
    short = la + lb <= _MERGE_RATIO * np.minimum(la, lb)
    sel = np.nonzero(short)[0]
    # chunks of at most _MERGE_NNZ copied entries bound the memory
    cost = np.cumsum(la[sel] + lb[sel])
    cuts = np.searchsorted(cost, np.arange(_MERGE_NNZ, cost[-1] if cost.size else 0, _MERGE_NNZ))
    parts = [part for part in np.split(sel, cuts) if part.size]
    for part, dots in zip(parts, _threads.in_threads(lambda part: _row_dots(a[i[part]], b[j[part]]), parts)):
        out[part] = dots
    if short.all():
        return out
    long_pairs = np.nonzero(~short)[0]
    out[long_pairs] = _walk_shorter(a, b, i[long_pairs], j[long_pairs], len_a, len_b)
    return out


def _row_dots(a: sp.csr_matrix, b: sp.csr_matrix) -> np.ndarray:
    return np.asarray(a.multiply(b).sum(axis=1)).ravel()


def _walk_shorter(a, b, i, j, len_a, len_b) -> np.ndarray:
    """pair_cosines for pairs of very unequal rows: walk the shorter row and look
    its terms up in the other by binary search over (row, column) keys of the
    looked-up rows only (a small, cache-friendly array; not the whole matrix)."""
    out = np.zeros(i.size)
    width = np.int64(max(a.shape[1], b.shape[1]))
    swap = len_a[i] > len_b[j]          # walk b's row, look up in a
    chunks = []
    for flip in (False, True):
        sel = np.nonzero(swap == flip)[0]
        # Pairs by the row looked up, so that each chunk looks up in few rows (a chunk's
        # lookup keys are all its rows' entries): unsorted, every chunk met every big
        # centroid, and its keys grew with the site (7.7M entries a chunk at 50,000 articles).
        sel = sel[np.argsort((i if flip else j)[sel], kind="stable")]
        # at least one chunk per thread, when there is enough to share
        pieces = max(-(-sel.size // _PAIR_CHUNK), _threads.THREADS if sel.size >= 1000 * _threads.THREADS else 1)
        chunks += [(flip, part) for part in np.array_split(sel, pieces) if part.size]

    def dots(chunk):
        flip, sel = chunk
        walk, look = (b, a) if flip else (a, b)
        w_rows, l_rows = (j[sel], i[sel]) if flip else (i[sel], j[sel])
        counts = np.diff(walk.indptr)[w_rows]
        total = int(counts.sum())
        if total == 0:
            return np.zeros(sel.size)
        pair = np.repeat(np.arange(sel.size), counts)
        pos = _positions(walk.indptr, w_rows, counts, total)
        target = l_rows[pair].astype(np.int64) * width + walk.indices[pos]
        rows = np.unique(l_rows)
        l_counts = np.diff(look.indptr)[rows]
        l_pos = _positions(look.indptr, rows, l_counts, int(l_counts.sum()))
        if l_pos.size == 0:
            return np.zeros(sel.size)
        # rows ascending, columns sorted within rows: the keys are sorted
        l_keys = np.repeat(rows.astype(np.int64), l_counts) * width + look.indices[l_pos]
        hit = np.searchsorted(l_keys, target)
        hit[hit >= l_keys.size] = 0
        found = l_keys[hit] == target
        contrib = np.where(found, walk.data[pos] * look.data[l_pos[hit]], 0.0)
        return np.bincount(pair, weights=contrib, minlength=sel.size)

    for (_, sel), values in zip(chunks, _threads.in_threads(dots, chunks)):
        out[sel] = values
    return out


def _positions(indptr: np.ndarray, rows: np.ndarray, counts: np.ndarray, total: int) -> np.ndarray:
    """Positions in .indices/.data of all entries of `rows`, row after row."""
    pos = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    return pos + np.repeat(indptr[rows], counts)
