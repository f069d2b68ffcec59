"""What the preview server knows about the builds: the latest version, whether it failed,
and which pages are open in a browser.

Every finished build, good or bad, gets a new version; browser tabs wait on
:meth:`LiveState.wait_for_change` and reload when the version they were served is stale.
A tab names its page as it waits, so the preview knows which pages are on screen and
makes those first: after a template edit (patch.patch_theme), and once a build's stories
are known (the pages published ``ahead`` of the build's files).
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from ..errors import Problem

# A page counts as on screen while a tab waits on it, and for a while after: a tab that
# has just reloaded asks again only once its page has loaded.
ON_SCREEN_SECONDS = 30.0
ON_SCREEN_MAX = 20  # the most recently watched pages, when more are open


@dataclass(frozen=True)
class Snapshot:
    version: str  # opaque: a new server run or a new build gives a new one
    problems: tuple[Problem, ...]  # of the latest build; empty when it succeeded
    has_site: bool  # whether any build has succeeded yet
    # Pages (output paths) this version has as the one before it (settled_since) had them:
    # a tab that was served one of them at that version shows this version already.
    settled: frozenset[str] = frozenset()
    settled_since: str | None = None
    # Pages (output path -> bytes) to serve in place of their files: a build under way
    # will write them so (see LiveState.publish).
    ahead: Mapping[str, bytes] = field(default_factory=dict)
    # Pages whose article or story lives at another address since (output path -> output
    # path): a title edited before its address is in the story lock, a story merged. A tab
    # showing one goes to the new address, as Hugo's server sends it, not to "Page not found".
    moved: Mapping[str, str] = field(default_factory=dict)

    def needs_reload(self, seen: str, page: str | None) -> bool:
        """Does a tab showing ``page`` as served at version ``seen`` need to reload?"""
        return self.version != seen and not (seen == self.settled_since and page in self.settled)


class LiveState:
    def __init__(self, clock=time.monotonic) -> None:  # noqa: ANN001
        self._cond = threading.Condition()
        self._run = secrets.token_hex(4)  # so a tab left open across restarts reloads too
        self._generation = 0
        self._problems: tuple[Problem, ...] = ()
        self._has_site = False
        self._closed = False
        self._settled: frozenset[str] = frozenset()
        self._settled_since: str | None = None
        self._ahead: dict[str, bytes] = {}
        self._moved: dict[str, str] = {}
        self._clock = clock
        self._waiting: dict[str, int] = {}  # page -> tabs waiting on it now
        self._watched: dict[str, float] = {}  # page -> when a tab last waited on it

    def snapshot(self) -> Snapshot:
        with self._cond:
            return self._snapshot()

    def publish(self, problems: tuple[Problem, ...] | list[Problem] = (), settled: Collection[str] = (),
                ahead: Mapping[str, bytes] | None = None, moved: Mapping[str, str] | None = None) -> Snapshot:
        """Record a finished build (failed if it has ``problems``) and wake every waiting tab.
        ``settled``: pages that are as the previous version had them (see Snapshot.settled).
        ``ahead``: pages of a build still under way, served until the next publish in place
        of their files, which that build will write the same (or, failing, leave as they were).
        ``moved``: pages now at another address (Snapshot.moved); kept across publishes, as a
        tab may sleep through several, and followed from move to move."""
        with self._cond:
            if moved:
                self._moved = {old: moved.get(new, new) for old, new in self._moved.items()} | dict(moved)
                self._moved = {old: new for old, new in self._moved.items() if old != new}
            self._settled_since = self._version()
            self._generation += 1
            self._problems = tuple(problems)
            self._settled = frozenset(settled) if not problems else frozenset()
            self._ahead = dict(ahead or {})
            self._has_site = self._has_site or not problems
            self._cond.notify_all()
            return self._snapshot()

    def wait_for_change(self, seen: str, timeout: float, page: str | None = None) -> Snapshot:
        """Return as soon as the version differs from ``seen``, or after ``timeout`` seconds.
        ``page``: the page the waiting tab shows (an output path), which is on screen meanwhile."""
        with self._cond:
            if page is not None:
                self._forget_left()  # a tab names its page: many may come, each is kept a while
                self._waiting[page] = self._waiting.get(page, 0) + 1
                self._watched[page] = self._clock()
            try:
                self._cond.wait_for(lambda: self._closed or self._version() != seen, timeout)
                return self._snapshot()
            finally:
                if page is not None:
                    self._waiting[page] -= 1
                    if not self._waiting[page]:
                        del self._waiting[page]
                    self._watched[page] = self._clock()

    def on_screen(self) -> list[str]:
        """Pages open in a browser: waited on now or lately, the most recently watched first."""
        with self._cond:
            self._forget_left()
            return sorted(self._watched, key=lambda page: (page not in self._waiting, -self._watched[page]))[:ON_SCREEN_MAX]

    def _forget_left(self) -> None:
        now = self._clock()
        for page, when in list(self._watched.items()):
            if page not in self._waiting and now - when > ON_SCREEN_SECONDS:
                del self._watched[page]

    def close(self) -> None:
        """Release every waiting request: the server is stopping."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    def _version(self) -> str:
        return f"{self._run}-{self._generation}"

    def _snapshot(self) -> Snapshot:
        return Snapshot(self._version(), self._problems, self._has_site, self._settled, self._settled_since, self._ahead,
                        self._moved)
