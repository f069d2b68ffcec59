"""Running a slow job in the background for the latest request only."""

from __future__ import annotations

import logging
import threading
from typing import Any, Callable

log = logging.getLogger("digestgen")


class LatestOnly:
    """Runs ``job(request, stale)`` on one background thread, for the latest request only.

    A new request, or :meth:`cancel`, makes the job under way stale: ``stale()`` turns
    true, and the job is expected to notice and stop early. Requests made while a job runs
    replace each other; only the last one runs next.
    """

    def __init__(self, job: Callable[[Any, Callable[[], bool]], None], name: str) -> None:
        self._job = job
        self._cond = threading.Condition()
        self._version = 0  # of the latest request or cancellation
        self._pending: tuple[int, Any] | None = None
        self._running = False
        self._stopping = False
        # Started by the first request, not here: the preview's first build runs before any
        # thread exists, so that it may fork workers (see Preview.start).
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def request(self, value: Any) -> None:
        with self._cond:
            self._version += 1
            self._pending = (self._version, value)
            self._cond.notify_all()
            if self._thread.ident is None and not self._stopping:  # not started yet
                self._thread.start()

    def cancel(self) -> None:
        """Drop the waiting request, and make the running job stale."""
        with self._cond:
            self._version += 1
            self._pending = None

    def idle(self) -> bool:
        with self._cond:
            return self._pending is None and not self._running

    def stop(self, timeout: float | None = None) -> None:
        """Cancel, and wait for a running job to end (it should see that it is stale)."""
        with self._cond:
            self._stopping = True
            self._version += 1
            self._pending = None
            self._cond.notify_all()
        if self._thread.ident is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                self._cond.wait_for(lambda: self._stopping or self._pending is not None)
                if self._stopping:
                    return
                version, value = self._pending  # type: ignore[misc]
                self._pending, self._running = None, True
            try:
                self._job(value, lambda: self._version != version)
            except Exception:  # noqa: BLE001 - one failed job must not stop the next
                log.exception("background job failed")
            finally:
                with self._cond:
                    self._running = False
                    self._cond.notify_all()
