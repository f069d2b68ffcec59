"""Watching the site's sources: which changes matter, and waiting for a burst of saves to settle.

:func:`should_rebuild` is the whole decision and is pure; :class:`Debouncer` turns a burst
of events into one call; :class:`SourceWatcher` wires watchdog to both.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import EVENT_TYPE_CLOSED_NO_WRITE, EVENT_TYPE_OPENED, FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from ..config import Paths

log = logging.getLogger("digestgen")

# Editors' swap, backup and lock files: saving one is not an edit of the site.
_TEMP_SUFFIXES = (".swp", ".swo", ".swx", ".swpx", "~", ".tmp", ".bak", ".crdownload", ".part")
_TEMP_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db"})  # 4913: vim probes a folder with it
# Reading a file is not changing it: the build itself opens every source.
_READ_ONLY_EVENTS = frozenset({EVENT_TYPE_OPENED, EVENT_TYPE_CLOSED_NO_WRITE})


def is_editor_temp(name: str) -> bool:
    return (
        name in _TEMP_NAMES
        or name.endswith(_TEMP_SUFFIXES)
        or name.startswith(".#")  # emacs lock
        or (name.startswith("#") and name.endswith("#"))  # emacs auto-save
        or _SED_TEMP.fullmatch(name) is not None  # sed -i writes sedXXXXXX, then renames it
    )


_SED_TEMP = re.compile(r"sed[A-Za-z0-9]{6}")


def should_rebuild(event_path: Path | str, paths: Paths, ignored: Iterable[Path] = ()) -> bool:
    """Whether a change at ``event_path`` can change the site.

    Yes for the config file, the story lock and anything in content/, templates/, static/ or
    files/, except editor temp files, hidden files (the build skips them, but in files/) and
    the output, cache and any ``ignored`` folders (the preview the server builds into must
    not trigger itself).
    """
    path = Path(event_path)
    if not path.name or is_editor_temp(path.name):
        return False
    if path in (paths.config_file, paths.lock_file):  # the lock: a pull, or a story URL edited by hand
        return True
    for folder in (paths.output, paths.cache, *ignored):
        if path == folder or path.is_relative_to(folder):
            return False
    for folder in paths.source_folders:
        if path == folder:
            return True
        if path.is_relative_to(folder):
            return folder == paths.files or not any(part.startswith(".") for part in path.relative_to(folder).parts)
    return False


def event_paths(event: FileSystemEvent) -> list[Path]:
    """The paths an event touches that could matter: both ends of a move, none for a mere read
    or for a folder's own timestamps (the files inside report their changes themselves)."""
    if event.event_type in _READ_ONLY_EVENTS or (event.is_directory and event.event_type == "modified"):
        return []
    found = [event.src_path, getattr(event, "dest_path", "")]
    return [Path(os.fsdecode(p)) for p in found if p]


class Debouncer:
    """Calls ``action(changes)`` once a burst of :meth:`trigger` calls has been quiet for ``delay``.

    Runs on one worker thread, so actions never overlap; changes that arrive while an
    action runs are collected for the next call.
    """

    def __init__(self, action: Callable[[list[Path]], None], delay: float = 0.1):
        self._action = action
        self._delay = delay
        self._cond = threading.Condition()
        self._pending: dict[Path, None] = {}
        self._last = 0.0
        self._stopped = False
        self._busy = False
        self._thread = threading.Thread(target=self._run, name="digestgen-rebuild", daemon=True)
        self._thread.start()

    def trigger(self, path: Path) -> None:
        with self._cond:
            self._pending[path] = None
            self._last = time.monotonic()
            self._cond.notify_all()

    def has_pending(self) -> bool:
        """Have saves arrived since the running action started?"""
        with self._cond:
            return bool(self._pending)

    def idle(self) -> bool:
        with self._cond:
            return not self._pending and not self._busy

    def stop(self, timeout: float | None = None) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify_all()
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._stopped and not self._pending:
                    self._cond.wait()
                while not self._stopped and (quiet := time.monotonic() - self._last) < self._delay:
                    self._cond.wait(self._delay - quiet)
                if self._stopped:
                    return
                changes, self._pending = list(self._pending), {}
                self._busy = True
            try:
                self._action(changes)
            except Exception:  # noqa: BLE001 - the watcher must outlive any bug in an action
                log.exception("digestgen: rebuild failed unexpectedly")
            finally:
                with self._cond:
                    self._busy = False


class SourceWatcher:
    """Watches a site's sources and feeds relevant changes to ``on_change``."""

    def __init__(
        self,
        paths: Paths,
        on_change: Callable[[Path], None],
        *,
        ignored: Iterable[Path] = (),
        poll: bool = False,
        poll_interval: float = 1.0,
    ):
        self._paths = paths
        self._ignored = tuple(ignored)
        self._on_change = on_change
        self._poll_interval = poll_interval
        self._observer: BaseObserver = PollingObserver(timeout=poll_interval) if poll else Observer()
        self._handler = _Handler(self._dispatch)
        self._watches: dict[Path, ObservedWatch] = {}
        # A source folder that is a symlink (content/ kept in another repository) is watched
        # at its target: OS events are not followed through a link (watchdog asks inotify
        # not to), and the preview went stale without a word. Events there are named back.
        self._linked: dict[Path, Path] = {}  # target -> the folder as the site names it
        self._lock = threading.Lock()

    def start(self) -> None:
        try:
            self._schedule()
            self._observer.start()
        except OSError as exc:  # e.g. the system's inotify watch limit: polling still works
            if isinstance(self._observer, PollingObserver):
                raise
            log.warning("Cannot watch for changes with OS events (%s); polling instead.", exc)
            self._observer = PollingObserver(timeout=self._poll_interval)
            self._watches.clear()
            self._schedule()
            self._observer.start()

    def stop(self) -> None:
        self._observer.stop()
        if self._observer.is_alive():
            self._observer.join(timeout=5)

    def _dispatch(self, event: FileSystemEvent) -> None:
        for path in map(self._as_named, event_paths(event)):
            if path in self._paths.source_folders and event.is_directory:
                try:
                    self._schedule()  # a source folder appeared (or went): watch what is there now
                except OSError as exc:
                    log.warning("Cannot watch %s for changes: %s", path, exc)
            if should_rebuild(path, self._paths, self._ignored):
                self._on_change(path)

    def _schedule(self) -> None:
        """Watch each source folder that exists, recursively, and the folders holding them
        (not recursively) to see the config file change and missing folders appear."""
        paths = self._paths
        wanted = {folder: True for folder in paths.source_folders if folder.is_dir()}
        for folder in (paths.site, paths.config_file.parent, paths.content.parent):
            if folder.is_dir():
                wanted.setdefault(folder, False)
        with self._lock:
            for folder in [f for f in self._watches if f not in wanted]:  # deleted: watch it anew if it returns
                with contextlib.suppress(KeyError, OSError):
                    self._observer.unschedule(self._watches.pop(folder))
            for folder, recursive in wanted.items():
                if folder not in self._watches:
                    target = folder.resolve() if recursive and folder.is_symlink() else folder
                    if target != folder:
                        self._linked[target] = folder
                    self._watches[folder] = self._observer.schedule(self._handler, str(target), recursive=recursive)

    def _as_named(self, path: Path) -> Path:
        for target, folder in self._linked.items():
            if path == target or path.is_relative_to(target):
                return folder / path.relative_to(target)
        return path


class _Handler(FileSystemEventHandler):
    def __init__(self, dispatch: Callable[[FileSystemEvent], None]):
        self._dispatch = dispatch

    def on_any_event(self, event: FileSystemEvent) -> None:
        self._dispatch(event)
