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

TOP_TERMS = 12          # top-weighted terms per doc used as index keys
MAX_POSTINGS = 400      # index keys shared by more docs than this are ignored
NEIGHBOURS = 25         # candidates kept per doc (by partial score)
_BLOCK = 2048           # rows per block of the sparse product (bounds memory)
_PAIR_CHUNK = 100_000   # pairs scored at once


def top_terms(x: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of every row (ties broken by term id)."""
    lengths = np.diff(x.indptr)
    rows = np.repeat(np.arange(x.shape[0]), lengths)
    order = np.lexsort((x.indices, -x.data, rows))
    rank = np.arange(x.nnz) - x.indptr[rows[order]]
    keep = np.sort(order[rank < k])
    return sp.csr_matrix(
        (x.data[keep], (rows[keep], x.indices[keep])), shape=x.shape
    )


def candidate_pairs(x: sp.csr_matrix) -> tuple[np.ndarray, np.ndarray]:
    """Return candidate pairs (i, j), i < j, unique, lexicographically sorted."""
    n = x.shape[0]
    if n < 2:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = top_terms(x, TOP_TERMS)
    postings = np.bincount(keys.indices, minlength=x.shape[1])
    usable = (postings >= 2) & (postings <= MAX_POSTINGS)
    keys = keys.multiply(usable[np.newaxis, :].astype(np.float64)).tocsr()
    keys.eliminate_zeros()
    keys_t = keys.T.tocsr()

    pi, pj = [], []
    for start in range(0, n, _BLOCK):
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
        pi.append(rows[keep])
        pj.append(cols[keep])
    i = np.concatenate(pi)
    j = np.concatenate(pj)
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    code = np.unique(lo * n + hi)
    return code // n, code % n


def pair_cosines(a: sp.csr_matrix, b: sp.csr_matrix, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    """Row-wise dot products a[i[k]] . b[j[k]] for every k, in chunks."""
    out = np.empty(i.size)
    for s in range(0, i.size, _PAIR_CHUNK):
        e = min(i.size, s + _PAIR_CHUNK)
        out[s:e] = np.asarray(a[i[s:e]].multiply(b[j[s:e]]).sum(axis=1)).ravel()
    return out
