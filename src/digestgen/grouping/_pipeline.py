"""Glue between the public API and the private steps."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._candidates import candidate_pairs, pair_cosines
from ._cluster import agglomerate, canonical, centroids
from ._cohesion import Cohesion
from ._features import prepare
from ._latent import article_keys, with_latent
from ._refine import majority, refine
from ._smooth import smooth
from ._text import headline_fit, vectorize, vocabulary


# A headline fits its story less than this share of the story's best-fitting one
# (headline_fit): it is vague, and heads the story only when all are.
VAGUE_HEADLINE = 0.5


def _days(docs) -> np.ndarray:
    out = np.full(len(docs), np.nan)
    for i, d in enumerate(docs):
        if d.date is not None:
            out[i] = d.date.timestamp() / 86400.0
    return out


def _groups(labels: np.ndarray, k: int) -> tuple[tuple[int, ...], ...]:
    order = np.argsort(labels, kind="stable")
    bounds = np.searchsorted(labels[order], np.arange(k + 1))
    return tuple(tuple(int(v) for v in order[bounds[c]:bounds[c + 1]]) for c in range(k))


def run(docs: Sequence, threshold: float, related_threshold: float, grouping_cls):
    n = len(docs)
    if n == 0:
        return grouping_cls((), (), ())
    features = [d.features if d.features is not None else prepare(d.title, d.text, d.url) for d in docs]
    vocab = vocabulary(features)
    raw = vectorize(features, vocab)
    raw_i, raw_j = candidate_pairs(raw)
    raw_cos = pair_cosines(raw, raw, raw_i, raw_j)
    days = _days(docs)

    # Stories: on neighbour-smoothed vectors (see _smooth) with latent
    # dimensions for short texts (see _latent), along the same candidate
    # edges; date distance counts, and tight clusters that are only loosely
    # alike stay apart (see _cohesion).
    x = with_latent(smooth(raw, raw_i, raw_j, raw_cos, threshold, days), raw, article_keys(features))
    cohesion = Cohesion.of(x, raw, raw_i, raw_j, raw_cos)
    story = agglomerate(x, raw_i, raw_j, np.arange(n), threshold, days, cohesion=cohesion)
    story, k = canonical(refine(x, raw_i, raw_j, story, threshold, days))

    # Topics: coarser, on the raw vectors (smoothing would blur neighbouring
    # topics into each other), date-free (topics span years), with the same
    # mutual-or-bigger link rule as stories (see JOIN_RATIO).  Articles are
    # refined one by one, then each story goes whole to its majority topic.
    if k > 1:
        topic_doc = agglomerate(raw, raw_i, raw_j, story, related_threshold, None)
        topic_doc = refine(raw, raw_i, raw_j, topic_doc, related_threshold, None)
        topic_of_story, kt = canonical(majority(story, topic_doc))
    else:
        topic_of_story, kt = np.zeros(1, np.int64), 1

    # representative: the titled member closest to the story centroid, of
    # those whose headline says much of what the story's articles say (a live
    # blog, which sums up everything, is closest, and its "Live updates" says
    # nothing: it would be the story's title, and its address for good)
    c = centroids(raw, story, k)
    sim = pair_cosines(raw, c, np.arange(n), story)
    fit = headline_fit(docs, c, story, vocab)
    best_fit = np.zeros(k)
    np.maximum.at(best_fit, story, fit)
    vague = np.round(fit, 9) < np.round(VAGUE_HEADLINE * best_fit[story], 9)
    has_title = np.array([bool(d.title.strip()) for d in docs])
    # rounded: in a two-article story both are exactly equally close, and
    # float noise must not pick the headline; ties go to the earliest report
    # (the first version of the news, and a rule of the articles' content, not
    # of their file names), then to the first article
    earliest = np.where(np.isnan(days), np.inf, days)
    order = np.lexsort((np.arange(n), earliest, -np.round(sim, 9), vague, ~has_title, story))
    first = np.ones(n, bool)
    first[1:] = story[order][1:] != story[order][:-1]
    rep = order[first]

    return grouping_cls(
        stories=_groups(story, k),
        representative=tuple(int(r) for r in rep),
        topics=_groups(topic_of_story, kt),
    )
