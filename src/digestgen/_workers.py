"""Worker processes that end with the build that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
from concurrent.futures import ProcessPoolExecutor

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Initializer of a build's worker pools: on Linux, have this worker killed when
    process ``parent`` (the build) dies. A build killed outright (SIGKILL from the OOM
    killer, a CI timeout, ``kill -9``) otherwise leaves its workers behind for good,
    blocked on a queue nobody will ever write, each holding a copy of the build's memory."""
    # Ctrl-C reaches the whole process group: the build stops its workers itself (stop_now),
    # and a worker that took it printed a traceback over the terminal (or broke the pool,
    # failing the build with exit 1 instead of 130)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not sys.platform.startswith("linux"):
        return
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the build died before the request took hold
        os._exit(1)


def stop_now(pool: ProcessPoolExecutor) -> None:
    """Stop ``pool`` at once, its queued work dropped and its workers killed: a build that was
    interrupted (Ctrl-C) or failed. Leaving a ``with`` block waits for every queued chunk
    (Python 3.11's pool also loses its results thread to the futures shutdown cancels, and can
    wait for good); and a worker still rendering would write into the folder the build is
    about to remove."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # shutdown() forgets them
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.kill()
    for worker in workers:
        worker.join(timeout=5)
