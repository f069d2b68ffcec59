"""Worker processes that end with the build that started them."""

from __future__ import annotations

import ctypes
import os
import signal
import sys

_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def die_with_parent(parent: int) -> None:
    """Initializer of a build's worker pools: on Linux, have this worker killed when
    process ``parent`` (the build) dies. A build killed outright (SIGKILL from the OOM
    killer, a CI timeout, ``kill -9``) otherwise leaves its workers behind for good,
    blocked on a queue nobody will ever write, each holding a copy of the build's memory."""
    if not sys.platform.startswith("linux"):
        return
    try:
        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return
    prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the build died before the request took hold
        os._exit(1)
