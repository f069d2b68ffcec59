"""What the preview server knows about the builds: the latest version, and whether it failed.

Every finished build, good or bad, gets a new version; browser tabs wait on
:meth:`LiveState.wait_for_change` and reload when the version they were served is stale.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass

from ..errors import Problem


@dataclass(frozen=True)
class Snapshot:
    version: str  # opaque: a new server run or a new build gives a new one
    problems: tuple[Problem, ...]  # of the latest build; empty when it succeeded
    has_site: bool  # whether any build has succeeded yet


class LiveState:
    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._run = secrets.token_hex(4)  # so a tab left open across restarts reloads too
        self._generation = 0
        self._problems: tuple[Problem, ...] = ()
        self._has_site = False
        self._closed = False

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snapshot()

    def publish(self, problems: tuple[Problem, ...] | list[Problem] = ()) -> Snapshot:
        """Record a finished build (failed if it has ``problems``) and wake every waiting tab."""
        with self._cond:
            self._generation += 1
            self._problems = tuple(problems)
            self._has_site = self._has_site or not problems
            self._cond.notify_all()
            return self._snapshot()

    def wait_for_change(self, seen: str, timeout: float) -> Snapshot:
        """Return as soon as the version differs from ``seen``, or after ``timeout`` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: self._closed or self._version() != seen, timeout)
            return self._snapshot()

    def close(self) -> None:
        """Release every waiting request: the server is stopping."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _version(self) -> str:
        return f"{self._run}-{self._generation}"

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._version(), self._problems, self._has_site)
