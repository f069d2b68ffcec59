"""Latent dimensions for short texts: similarity beyond shared words.

A headline has a handful of terms, and two headlines of one story often
share none ("Chromecast sells out" / "Google's streaming dongle gone in
hours").  Across the whole corpus, though, words that occur in the same
articles line up along a few dozen directions: the top singular vectors of
the tf-idf matrix (latent semantic analysis).  Two headlines whose words lie
along the same directions are alike although they share no word.

Full texts have words enough of their own, and their latent vectors, alike
across a whole beat, would merge neighbouring events (on newswire they do).
So each article takes latent dimensions in proportion to how short it is,
and full texts none; when no article is short, nothing is computed.  A
small site gets fewer directions (see ARTICLES_PER_DIM), and one of fewer
than 16 articles none.
"""
from __future__ import annotations

from hashlib import blake2b
from typing import Sequence

import numpy as np
import scipy.sparse as sp

from ._features import Features
from ._text import normalize_rows, shortness

DIMS = 70              # latent directions kept, and at most one per
ARTICLES_PER_DIM = 8   # this many articles (with fewer, they are each article's own words)
WEIGHT = 0.3           # share of a headline's similarity that is latent (times its shortness)
# ... and times its coverage, the share of its vector the directions hold, up to COVERED: a
# headline whose words lie along no direction has a latent vector of noise, made unit length
# (two such short texts sharing one common word were one story on a 32-article site).
COVERED = 0.3
BASIS_ROWS = 2000      # articles the directions are learnt from, at most (bounds the cost)
_OVERSAMPLE = 10       # extra random directions: the top DIMS come out sharper
_POWER_STEPS = 8       # fewer leave the directions noisy where singular values are close: the
                       # vectors then turned with every edit, and other stories' articles moved


def article_keys(features: Sequence[Features]) -> np.ndarray:
    """A 64-bit key per article from its own terms alone (see _sample)."""
    return np.array([int.from_bytes(blake2b(f.keys, digest_size=8).digest(), "little") for f in features],
                    dtype=np.uint64)


def with_latent(x: sp.csr_matrix, raw: sp.csr_matrix, keys: np.ndarray) -> sp.csr_matrix:
    """x (unit rows, one per article) with each short article's latent vector appended.

    The two parts are weighted so that rows stay unit length: the cosine of
    two short articles becomes (1 - WEIGHT) x their word cosine + WEIGHT x
    their latent cosine, while a full text's row is x's unchanged (plus
    nothing), so pairs of full texts score exactly as before.
    """
    weight = WEIGHT * shortness(raw)
    dims = min(DIMS, raw.shape[0] // ARTICLES_PER_DIM)
    if not weight.any() or dims < 2:
        return x
    vectors, coverage = latent_vectors(raw, dims, keys)
    weight = weight * np.minimum(1.0, coverage / COVERED)
    latent = sp.csr_matrix(vectors * np.sqrt(weight)[:, np.newaxis])
    words = sp.diags(np.sqrt(1.0 - weight)) @ x
    return normalize_rows(sp.hstack([words, latent], format="csr"))


def latent_vectors(x: sp.csr_matrix, dims: int, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Unit-length rank-`dims` LSA vectors of x's rows (zero rows stay zero), and each
    row's coverage: the length of its projection, the share of the (unit) row the
    directions hold.

    A randomized truncated SVD (Halko, Martinsson & Tropp 2011), learnt
    from at most BASIS_ROWS articles, then every article projected onto it.
    The products run in float32, several times faster than float64; the
    basis is approximate by construction.  Which articles it is learnt from,
    their order and the random start all follow `keys` (article_keys():
    each article's own words), so shuffled input gives the same vectors and
    an edit to one article barely moves the others' (_sample, _probe).
    """
    # A word of one article says nothing about which words go together, and a word no
    # sampled article has lies along no direction learnt from them (leaving both out
    # makes the products below a third smaller at 10,000 articles).
    sample = _sample(keys, BASIS_ROWS)
    shared = np.bincount(x.indices, minlength=x.shape[1]) >= 2
    shared &= np.bincount(x[sample].indices, minlength=x.shape[1]) > 0
    x = x[:, shared]
    basis = x[sample]
    x32 = basis.astype(np.float32)
    x32_t = x32.T.tocsr()
    # random directions in the span of the articles (X X^T G: cheaper to
    # draw than a random vector per word, X Ω)
    probe = _probe(keys[sample], dims + _OVERSAMPLE)
    y = x32 @ (x32_t @ probe)
    for _ in range(_POWER_STEPS):
        q, _ = np.linalg.qr(y)
        y = x32 @ (x32_t @ q)
    q, _ = np.linalg.qr(y.astype(np.float64))
    # B = Q^T X: its right singular vectors (the term-space directions) from
    # the eigenvectors of the small B B^T rather than an SVD of the wide B
    b_t = (x32_t @ q.astype(np.float32)).astype(np.float64)
    values, vectors = np.linalg.eigh(b_t.T @ b_t)
    top = np.argsort(values)[::-1][:dims]
    top = top[values[top] > 1e-9 * max(values[top[0]], 0.0)]  # drop null directions
    directions = b_t @ (vectors[:, top] / np.sqrt(values[top]))
    # Every article projected onto them (X V, as LSA "folds in" a new
    # document), not read off Q: a headline, a tiny part of X's range, is
    # poorly represented in Q but exactly projected here.
    z = x @ directions
    norms = np.linalg.norm(z, axis=1)
    coverage = np.minimum(norms, 1.0)
    norms[norms == 0] = 1.0
    return z / norms[:, np.newaxis], coverage


def _sample(keys: np.ndarray, limit: int) -> np.ndarray:
    """The row numbers of the `limit` articles with the smallest keys (all, if fewer), in
    the order of their keys, not of the input.

    The keys come from each article's own terms, not from its row, whose weights move
    with every other article's words (idf): keyed by its row, or spread evenly over the
    key order, a one-word edit anywhere drew another sample.  So an edit changes the
    sample by at most the edited article and the one it displaces."""
    return np.argsort(keys, kind="stable")[:limit]


def _probe(keys: np.ndarray, width: int) -> np.ndarray:
    """The randomized SVD's start: a random row per sampled article, drawn from its key,
    so an article brings the same row whatever else is in the sample (one start matrix
    for all, row i to the i-th article, gave the articles after an added one other rows).

    With _sample and eight power steps, 30 random one-word edits to uci-dev changed
    142 other stories in all instead of 1,660."""
    return np.stack([np.random.default_rng(int(k)).standard_normal(width, dtype=np.float32) for k in keys])
