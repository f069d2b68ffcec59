"""Glue between the public API and the private steps."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ._candidates import candidate_pairs, pair_cosines
from ._cluster import agglomerate, canonical, centroids
from ._text import vectorize


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
    x = vectorize([d.title for d in docs], [d.text for d in docs])
    ei, ej = candidate_pairs(x)
    days = _days(docs)

    # stories: date distance counts; topics: it does not (topics span years)
    story, k = canonical(agglomerate(x, ei, ej, np.arange(n), threshold, days))
    topic_of_story = np.arange(k)
    if k > 1:
        topic_doc = agglomerate(x, ei, ej, story, related_threshold, None)
        # every story lies inside one topic; read the topic of each story
        t = np.empty(k, np.int64)
        t[story] = topic_doc
        topic_of_story, kt = canonical(t)
    else:
        kt = 1

    # representative: the titled member closest to the story centroid
    c = centroids(x, story, k)
    sim = pair_cosines(x, c, np.arange(n), story)
    has_title = np.array([bool(d.title.strip()) for d in docs])
    order = np.lexsort((np.arange(n), -sim, ~has_title, story))
    first = np.ones(n, bool)
    first[1:] = story[order][1:] != story[order][:-1]
    rep = order[first]

    return grouping_cls(
        stories=_groups(story, k),
        representative=tuple(int(r) for r in rep),
        topics=_groups(topic_of_story, kt),
    )
