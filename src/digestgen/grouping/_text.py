"""Corpus-level vectorising: prepared features -> L2-normalised TF-IDF rows."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import scipy.sparse as sp

from . import _threads
from ._features import Features, term_key, tokenize

# Each doc keeps its MAX_TERMS heaviest tf-idf terms (see vectorize()).
MAX_TERMS = 100
# An article of up to SHORT_TERMS terms (a headline, a feed item) is short; past that it
# counts as short less and less, as (SHORT_TERMS / terms)^2, and not at all past LONG_TERMS.
SHORT_TERMS = 20
LONG_TERMS = 60


def vocabulary(features: Sequence[Features]) -> np.ndarray:
    """Every term's key, sorted: a term's column in vectorize() is its rank here."""
    return np.unique(np.frombuffer(b"".join(f.keys for f in features), dtype="<i8"))


def vectorize(features: Sequence[Features], vocab: np.ndarray | None = None) -> sp.csr_matrix:
    """Return an L2-normalised sublinear-tf x idf CSR matrix, one row per doc; ``vocab``
    is vocabulary(features), when the caller has it.

    Term ids are ranks of the sorted term hashes, so the matrix does not
    depend on input order (shuffled input must give an identical partition).
    """
    n = len(features)
    keys = np.frombuffer(b"".join(f.keys for f in features), dtype="<i8")
    tf_weights = np.frombuffer(b"".join(f.weights for f in features), dtype="<f4").astype(np.float64)
    lengths = np.fromiter((len(f.keys) // 8 for f in features), dtype=np.int64, count=n)
    vocab = np.unique(keys) if vocab is None else vocab
    cols = np.searchsorted(vocab, keys)  # faster than unique(return_inverse=True)
    indptr = np.r_[0, np.cumsum(lengths)]
    # keys are sorted within each doc and ids follow sorted order: indices are sorted
    tf = sp.csr_matrix((tf_weights, cols, indptr), shape=(n, max(vocab.size, 1)))

    # smoothed idf
    df = np.bincount(tf.indices, minlength=tf.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    tf.data *= idf[tf.indices]
    # Keep each doc's MAX_TERMS heaviest terms: the tail of a long article adds
    # little to any cosine but dominates the cost of scoring pairs.
    return normalize_rows(top_terms(tf, MAX_TERMS))


def headline_fit(docs: Sequence, centres: sp.csr_matrix, story: np.ndarray, vocab: np.ndarray) -> np.ndarray:
    """How well each article's headline says what its story's articles say: the cosine of
    its headline's words (each counted once) with its story's centroid, on the columns of
    vectorize() (of the ``vocab``). 0 for a headline of none of them."""
    width = centres.shape[1]
    headlines = [dict.fromkeys(map(term_key, tokenize(doc.title))) for doc in docs]
    keys = np.fromiter((key for words in headlines for key in words), dtype=np.int64)
    row_of = np.repeat(np.arange(len(docs)), [len(words) for words in headlines])
    keep = keys != 0  # stop words
    keys, row_of = keys[keep], row_of[keep]
    if not keys.size or not vocab.size:
        return np.zeros(len(docs))
    at = np.minimum(np.searchsorted(vocab, keys), vocab.size - 1)
    known = vocab[at] == keys
    words = sp.csr_matrix((np.ones(known.sum()), (row_of[known], at[known])), shape=(len(docs), max(width, 1)))
    from ._candidates import pair_cosines  # (it imports this module)

    return pair_cosines(normalize_rows(words), centres, np.arange(len(docs)), story)


def top_terms(x: sp.csr_matrix, k: int) -> sp.csr_matrix:
    """Keep the k largest entries of every row (ties broken by term id)."""
    lengths = np.diff(x.indptr)
    if lengths.max(initial=0) <= k:
        return x
    scale = x.data.max() * 1.0001

    def kept(rows: range) -> np.ndarray:
        """Positions of the kept entries of `rows`, ascending."""
        lo, hi = x.indptr[rows.start], x.indptr[rows.stop]
        row_of = np.repeat(np.arange(rows.start, rows.stop), lengths[rows.start:rows.stop])
        # one float key = row + (1 - relative weight): sorts by row, then by
        # weight descending; the stable sort breaks ties by column (sorted indices)
        order = np.argsort(row_of + (1.0 - x.data[lo:hi] / scale), kind="stable")
        rank = np.arange(hi - lo) - (x.indptr[row_of[order]] - lo)
        return np.sort(order[rank < k]) + lo

    # rows are independent: a share of them per thread
    n = x.shape[0]
    step = -(-n // _threads.THREADS)
    keep = np.concatenate(_threads.in_threads(kept, [range(a, min(n, a + step)) for a in range(0, n, step)]))
    return sp.csr_matrix((x.data[keep], x.indices[keep], np.r_[0, np.cumsum(np.minimum(lengths, k))]), shape=x.shape)


def shortness(x: sp.csr_matrix) -> np.ndarray:
    """How short each row's article is: 1 for a headline, 0 for a full text (see SHORT_TERMS).

    Short texts borrow what their own few words lack (their neighbours' words in _smooth,
    latent dimensions in _latent); full texts have words enough, and what they would
    borrow, alike across a whole beat, would glue neighbouring events together."""
    terms = np.diff(x.indptr)
    share = np.minimum(1.0, (SHORT_TERMS / np.maximum(terms, 1)) ** 2)
    share[terms > LONG_TERMS] = 0.0
    return share


def normalize_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    """Scale each row of a CSR matrix to unit length (empty rows stay empty)."""
    m = m.tocsr(copy=True)
    lengths = np.diff(m.indptr)
    row_of = np.repeat(np.arange(m.shape[0]), lengths)
    norms = np.sqrt(np.bincount(row_of, weights=m.data**2, minlength=m.shape[0]))
    norms[norms == 0] = 1.0
    m.data /= np.repeat(norms, lengths)
    return m
