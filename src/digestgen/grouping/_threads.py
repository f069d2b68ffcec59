"""Grouping's heavy steps on two threads.

numpy's sorts and searches and scipy's element-wise sparse products run in C
without the GIL, and while the build groups, its second core would otherwise
idle.  Work is split into independent pieces whose results are each
computed exactly as they would be alone, so the output never depends on
the threads' timing.
"""
from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Two, not one per core: each thread holds its piece's arrays, and the row copies
# that feed the products (scipy fancy indexing) keep the GIL, so more threads
# mostly wait for each other.
THREADS = min(os.cpu_count() or 1, 2)


def in_threads(fn: Callable[[T], R], items: Sequence[T]) -> list[R]:
    """[fn(item) for item in items], on THREADS threads when there is more than one item."""
    if len(items) < 2 or THREADS < 2:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(fn, items))
