"""``digestgen serve``: build, serve the preview, rebuild on every save, reload open tabs.

The preview is built into a private folder (never the published output) by the same
:func:`digestgen.build.build` as ``digestgen build``. A failed rebuild leaves the last good
site in place and is shown over the page; the server itself never stops on a build error.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Callable, Sequence

from .. import cache
from ..assets import site_static
from ..build import BuildResult, build, sources_signature
from ..config import Paths
from ..errors import DigestgenError, Problem, shown_path
from ..lock import holds
from ..models import Digest, StoryLock
from ..output import process_alive, replace_files
from ..pages import absolute_root, article_path, story_path
from ..patch import ShownIndex, SiteState, patch, patch_theme, shown_index
from ..site import render_outputs
from .server import PORT_TRIES, PreviewServer, bind
from .state import LiveState, Snapshot
from .latest import LatestOnly
from .watch import Debouncer, SourceWatcher

__all__ = ["Preview", "PreviewError", "serve"]

log = logging.getLogger("digestgen")


class Preview:
    """A running preview: builds, an HTTP server and a watcher. Use as a context manager
    or call :meth:`start` and :meth:`stop`."""

    def __init__(
        self,
        paths: Paths,
        *,
        host: str = "127.0.0.1",
        port: int = 8000,
        poll: bool = False,
        poll_interval: float = 1.0,
        debounce: float = 0.1,
        drafts: bool = False,
        future: bool = False,
        config_required: bool = False,
        poll_timeout: float | None = None,
    ):
        self.paths = paths
        self.state = LiveState()
        self._host, self._port = host, port
        self._poll, self._poll_interval, self._debounce = poll, poll_interval, debounce
        self._build_options = {"drafts": drafts, "future": future, "config_required": config_required}
        self._server_options = {} if poll_timeout is None else {"poll_timeout": poll_timeout}
        self._workdir: Path | None = None
        self.root: Path | None = None
        self._build_lock = threading.Lock()
        self._warned: set[Problem] = set()
        self._server: PreviewServer | None = None
        self._http: threading.Thread | None = None
        self._debouncer: Debouncer | None = None
        self._watcher: SourceWatcher | None = None
        self._site: SiteState | None = None  # what the served site was made from, while patchable
        self._shown: ShownIndex | None = None
        self._shown_for: SiteState | None = None  # the state _shown is known to describe
        # After a template edit, the pages made with the new templates (patch_theme): the
        # others are out of date until the build that follows. None: none is.
        self._fresh: set[str] | None = None
        self._one_build = threading.Lock()  # build() calls share caches: one at a time
        # The story lock as the last exact build would have written it: a build in another
        # terminal writes just that, and the preview, which shows it already, need not rebuild.
        self._lock_shown: StoryLock | None = None
        # The digest of the last site built, and the pages that moved since it was published
        # (moved_pages): tabs showing one are sent to its new address.
        self._digest_shown: Digest | None = None
        self._moves: dict[str, str] = {}
        self._exact_builds = LatestOnly(self._exact, name="digestgen-exact-build")

    @property
    def url(self) -> str:
        assert self._server is not None, "not started"
        host, port = self._server.server_address[:2]
        shown = "127.0.0.1" if host == "0.0.0.0" else "::1" if host == "::" else host
        return f"http://[{shown}]:{port}/" if ":" in shown else f"http://{shown}:{port}/"

    def start(self) -> Preview:
        """Listen, build once, watch, then serve. Raises OSError if no port can be had.

        The first build runs before any thread of the preview's starts: a build forks its
        read and render workers only from a process of one thread (forking one that has
        others risks deadlocks in the workers), so this one renders on every core. A site
        of 10,000 articles starts in about two-thirds of the time it took with one core.
        A save made while it runs is caught by comparing the sources before and after it,
        once the watcher has started."""
        self._workdir = _make_workdir(self.paths)
        self.root = self._workdir / "site"  # what is served; each build is swapped in whole (output.Staging)
        try:
            self._server = bind(self._host, self._port, self.root, self.state, **self._server_options)
            if self._port and self._server.server_address[1] != self._port:
                log.warning("Port %d is in use; using port %d instead.", self._port, self._server.server_address[1])
            before = sources_signature(self.paths)
            self.rebuild()
            self._debouncer = Debouncer(self.rebuild, delay=self._debounce)
            self._watcher = SourceWatcher(
                self.paths, self._debouncer.trigger, ignored=(self._workdir,),
                poll=self._poll, poll_interval=self._poll_interval,
            )
            self._watcher.start()
            if sources_signature(self.paths) != before:  # saved during the first build: seen by no watcher
                self.rebuild()
            self._http = threading.Thread(target=self._server.serve_forever, args=(0.1,), name="digestgen-http", daemon=True)
            self._http.start()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        """Stop watching and serving, release waiting tabs, remove the preview folder. Idempotent."""
        if self._watcher:
            self._watcher.stop()
        if self._debouncer:
            self._debouncer.stop(timeout=30)  # let a running build finish writing
        self._exact_builds.stop(timeout=30)  # a running exact build stops at its next stage
        self.state.close()
        if self._server:
            if self._http:
                self._server.shutdown()  # waits for serve_forever, so only once it has run
            self._server.server_close()
        self._watcher = self._debouncer = self._server = self._http = None
        if self._workdir:
            shutil.rmtree(self._workdir, ignore_errors=True)
            cache.forget_build(self.paths.cache, self.root)

    def idle(self) -> bool:
        """No build running and no save waiting for one."""
        return (self._debouncer is None or self._debouncer.idle()) and self._exact_builds.idle()

    def __enter__(self) -> Preview:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def rebuild(self, changes: list[Path] | tuple[Path, ...] = ()) -> Snapshot:
        """Update the preview folder for ``changes`` and tell open tabs. Never raises for a build error.

        After an edit to what articles show (their text, say), the site is patched (patch.patch):
        only what shows those articles is made again, in a fraction of a second at any
        size. After any other edit, a first build keeps every article in the story it had
        (regrouping is most of a rebuild's time), so the edit shows at once; the pages on
        screen are published as soon as its stories are known (_show_ahead). Either way the
        exact build (regrouping, the search index) follows on a background thread, and tabs
        reload again only if the stories came out different (as soon as it knows them). A
        newer save makes it stale: it stops at its next stage and never writes, and the newer
        save is patched at once, or built once it has stopped.

        After an edit to templates or static files alone, the pages open in a browser are made
        again first (patch.patch_theme), and the build that follows makes the rest; their tabs
        are then told that it has nothing new for them."""
        if (changes and set(changes) == {self.paths.lock_file} and self._lock_shown is not None
                and holds(self.paths.lock_file, self._lock_shown)):
            return self.state.snapshot()  # the lock of the site on screen, written by a build elsewhere
        with self._build_lock:
            self._exact_builds.cancel()
            patched = self._patch(changes)
            if patched is _AS_IT_WAS:  # the exact build still follows: it records the files as they are now
                self._exact_builds.request((changes, self._site.digest))
                return self.state.snapshot()
            if patched is not None:
                self._exact_builds.request((changes, patched.digest))
                return self.state.publish(())
            shown_ahead: list[str] = []
            with self._one_build:  # a stale exact build gives way at its next stage
                quick, problems = self._build(changes, provisional=bool(changes),
                                              stories_known=partial(self._show_ahead, shown_ahead) if changes else None)
            if changes and quick is not None and quick.unchanged and not self.state.snapshot().problems:
                return self.state.snapshot()  # a file the build skips (_notes.md): tabs stay as they are
            if quick is not None:
                self._fresh = None
            # A tab that reloaded for a page shown ahead has this build's page already (if it
            # did not fail: then the pages shown ahead give way to the last good site).
            snapshot = self.state.publish(problems, settled=shown_ahead if quick is not None else (), **self._take_moves())
            if quick is not None and quick.provisional:
                self._exact_builds.request((changes, quick.digest))
            else:
                self._index_shown()  # ready for the next save's patch while the user reads
            return snapshot

    def _exact(self, request: tuple, stale: Callable[[], bool]) -> None:
        """The exact build after a patch or a quick build (on the LatestOnly thread)."""
        changes, quick_digest = request
        holding = False  # the build lock, which the write and the publishing need

        def give_way(stage: str, count: int) -> None:
            nonlocal holding
            if stale() or self._saves_waiting():
                raise _Superseded(stage)
            if stage == "writing files":
                # No patch may meet the write: take the build lock, or give way to whoever has it.
                if not self._build_lock.acquire(blocking=False):
                    raise _Superseded(stage)
                holding = True
                if stale():
                    raise _Superseded(stage)

        shown_ahead: list[str] = []

        def show_regrouped(state: SiteState) -> None:
            """When regrouping moved articles, the pages on screen as this build will write
            them: at 10,000 articles, a second sooner than its write (at 50,000, seven)."""
            if state.digest == quick_digest or not self._build_lock.acquire(blocking=False):
                return  # nothing new to show, or a save is being patched in: it goes first
            try:
                if not stale():
                    self._show_ahead(shown_ahead, state)
            finally:
                self._build_lock.release()

        # The pages on screen as they are now, to tell which ones the build changes although
        # the stories come out as they were: the search page, whose index a patch leaves as it
        # was (the build replaces it, and the files the open page loads go with the old folder).
        on_screen = {page: _read(self.root / page) for page in self.state.on_screen()}
        try:
            with self._one_build:
                if stale():
                    return
                exact, problems = self._build(changes, provisional=False, progress=give_way,
                                              stories_known=show_regrouped)
            if not holding:  # failed, or found nothing to do, before writing
                self._build_lock.acquire()
                holding = True
            if stale():
                return  # a newer save came meanwhile; its own exact build follows it
            if exact is None or exact.digest != quick_digest:
                self.state.publish(problems, settled=shown_ahead if exact is not None else (), **self._take_moves())
            else:
                changed = {page for page, data in on_screen.items() if _read(self.root / page) != data}
                if self._fresh is not None:  # pages off screen had the old templates: now they are new too
                    self.state.publish((), settled=self._fresh - changed)
                elif changed:
                    self.state.publish((), settled=on_screen.keys() - changed)
            if exact is not None:
                self._fresh = None
            self._index_shown()  # ready for the next save's patch while the user reads
        except _Superseded as stopped:
            log.debug("exact build stopped before %s: newer saves are waiting", stopped)
        finally:
            if holding:
                self._build_lock.release()

    def _show_ahead(self, shown: list[str], state: SiteState) -> None:
        """Once a build's stories are known, publish the pages on screen as it will write them
        (LiveState.publish's ``ahead``), and add their paths to ``shown``: at 10,000 articles a
        new article's story shows in the digest in half the time the build takes."""
        pages = self.state.on_screen()
        if not pages:
            return
        try:
            made = render_outputs(state.environment, state.digest, state.config, state.assets, state.salt, set(pages))
        except Exception:  # noqa: BLE001 - the build renders them too, and reports what fails
            log.debug("could not show the pages on screen ahead of the build", exc_info=True)
            return
        if made:
            # A style sheet saved with the article (a pull, "save all") has a new name, which the
            # build writes only at its end: written now, beside the old one, as patch_theme does.
            served = state.paths.output
            replace_files([f for f in site_static(state.paths.static)[0] if not (served / f.path).is_file()], served)
            shown.extend(f.path for f in made)
            # The other pages on screen are served from their files as they were until the
            # build writes: their tabs wait for it (reloaded now, a deleted article's showed
            # it again, then "Page not found" at each publish that followed).
            self.state.publish((), ahead={f.path: f.data for f in made}, settled=set(pages) - set(shown))

    def _index_shown(self) -> None:
        """What shows what in the site being served (patch.shown_index), unless known: a
        fifth of a second at 10,000 articles when the site changed shape, else a check."""
        if self._site is not None and self._shown_for is not self._site:
            self._shown = shown_index(self._site, self._shown)
            self._shown_for = self._site

    def _take_moves(self) -> dict[str, dict[str, str]]:
        """LiveState.publish's ``moved``, when pages moved since the last publish."""
        moves, self._moves = self._moves, {}
        return {"moved": moves} if moves else {}

    def _saves_waiting(self) -> bool:
        return bool(self._debouncer and self._debouncer.has_pending())

    def _patch(self, changes: list[Path] | tuple[Path, ...]) -> SiteState | object | None:
        """After edits to what articles show, the site patched in place (patch.patch); _AS_IT_WAS
        when the articles read as they were; else None."""
        if not changes or self._site is None:
            return None
        started = time.perf_counter()
        try:
            themed = patch_theme(self._site, changes, self.state.on_screen())
            if themed is None:
                self._index_shown()
            patched = themed or patch(self._site, changes, self._shown)
        except Exception:  # noqa: BLE001 - a patch that fails is a build that runs
            log.debug("patch failed; building instead", exc_info=True)
            self._site = None  # the folder may be part-patched: only a build may follow
            return None
        if patched is None:
            return None
        if not patched.files:  # saved as they were: nothing to make, and no tab to reload
            log.info("%s: unchanged", _describe(changes, self.paths))
            return _AS_IT_WAS
        self._site = self._shown_for = patched.state  # a patch leaves the site's shape as it was
        if themed is not None:
            self._fresh = set(patched.files)
        elif self._fresh is not None:
            self._fresh |= set(patched.files)
        count = len(patched.files)
        log.info("%s: updated %d file%s in %.2f s (%s)", _describe(changes, self.paths), count, "s" if count != 1 else "",
                 time.perf_counter() - started,
                 "the pages on screen; the others next" if themed else "stories as they were; regrouping next")
        return patched.state

    def _build(self, changes: list[Path] | tuple[Path, ...], provisional: bool,
               progress: Callable[[str, int], None] | None = None,
               stories_known: Callable[[SiteState], None] | None = None) -> tuple[BuildResult | None, tuple[Problem, ...]]:
        """Build; ``progress`` may raise _Superseded as a stage starts, which stops the build
        with the served site as it was (it changes only in the last stage)."""
        started = time.perf_counter()
        try:
            # update_lock=False: previewing must never change which story URLs get published.
            result = build(replace(self.paths, output=self.root), update_lock=False, provisional=provisional,
                           progress=progress, stories_known=stories_known, **self._build_options)
        except _Superseded:
            raise
        except DigestgenError as exc:
            self._site = None
            problems = tuple(exc.problems)
        except Exception as exc:  # noqa: BLE001 - a bug in a build must not stop the preview
            log.debug("unexpected build failure", exc_info=True)
            problems = (Problem("digestgen", None, f"unexpected error: {type(exc).__name__}: {exc}"),)
            self._site = None
        else:
            if result.digest is not None:
                if self._digest_shown is not None:
                    self._moves.update(moved_pages(self._digest_shown, result.digest))
                self._digest_shown = result.digest
            self._site = result.state if result.state is not None else self._site
            if self._site is not None and self._server is not None:
                self._server.base_path = absolute_root(self._site.config)
            if result.lock is not None and not result.provisional:
                self._lock_shown = result.lock
            self._log_success(result, changes, time.perf_counter() - started)
            return result, ()
        self._log_failure(problems)
        return None, problems

    def _log_success(self, result, changes, seconds: float) -> None:  # noqa: ANN001
        for warning in result.warnings:
            if warning not in self._warned:
                log.warning("%s", warning)
        self._warned = set(result.warnings)
        for stage, stage_seconds in result.timings.items():
            log.debug("%-8s %6.3f s", stage, stage_seconds)
        what = _describe(changes, self.paths)
        done = "rebuilt, stories as they were (regrouping next)" if result.provisional else "rebuilt"
        log.info("%s in %.2f s", f"{what}: {done}" if what else "Built", seconds)

    def _log_failure(self, problems: tuple[Problem, ...]) -> None:
        for problem in problems:
            log.error("%s", problem)
        count = len(problems)
        log.error(
            "Build failed: %d error%s; %s", count, "s" if count != 1 else "",
            "still serving the last good build." if self.state.snapshot().has_site else "nothing to serve yet.",
        )


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None

class _Superseded(Exception):
    """An exact build given up as a stage starts: newer saves are waiting, or were served."""


# A preview rewrites its whole folder on every save (a fresh tree of links, then the old
# one removed): on a disk that took 1-2 s a rebuild at 2,000 articles, in memory 0.1 s.
# Like `hugo server`, which renders to memory, the preview goes to /dev/shm where there is
# room for it; else to the system's temporary folder.
_RAM_FOLDER = Path("/dev/shm")
_WORKDIR_PREFIX = "digestgen-serve-"


_AS_IT_WAS = object()  # Preview._patch: the saved articles read as they did


def _make_workdir(paths: Paths) -> Path:
    parent = _RAM_FOLDER if _has_room(_RAM_FOLDER, paths.content, (paths.static, paths.files)) else Path(tempfile.gettempdir())
    _remove_abandoned(parent, paths.cache)
    return Path(tempfile.mkdtemp(prefix=f"{_WORKDIR_PREFIX}{os.getpid()}-", dir=parent))


def _has_room(folder: Path, content: Path, copied: Sequence[Path] = ()) -> bool:
    """Room for a preview: ten times the content (a site is about five times its articles,
    and two builds overlap while the old one is removed), plus twice the folders copied
    as they are (``copied``: static files, a video among them), and never less than 1 GiB."""
    try:
        if not (folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)):
            return False
        free = shutil.disk_usage(folder).free
    except OSError:
        return False
    return free >= max(1 << 30, 10 * _size(content) + 2 * sum(map(_size, copied)))


def _size(folder: Path) -> int:
    size = 0
    for root, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                size += os.stat(os.path.join(root, name)).st_size  # a linked file is copied whole
    return size


def _remove_abandoned(parent: Path, cache_folder: Path) -> None:
    """Delete preview folders left by a preview that was killed (its process is gone), and
    this site's records of the builds into them."""
    pattern = re.compile(rf"{re.escape(_WORKDIR_PREFIX)}(\d+)-\w+")
    with contextlib.suppress(OSError):
        for name in os.listdir(parent):
            match = pattern.fullmatch(name)
            if match and int(match.group(1)) != os.getpid() and not process_alive(int(match.group(1))):
                shutil.rmtree(parent / name, ignore_errors=True)
                cache.forget_build(cache_folder, parent / name / "site")


class PreviewError(Exception):
    """The preview cannot start; its message says why (cli prints it)."""


def serve(
    paths: Paths,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    poll: bool = False,
    drafts: bool = False,
    future: bool = False,
    config_required: bool = False,
) -> None:
    """Run the preview until Ctrl-C. Raises PreviewError if it cannot listen or there is no
    site folder (a mistyped --site: nothing would ever appear to rebuild from)."""
    if not paths.site.is_dir():
        raise PreviewError(f"{paths.site}: no such site folder (digestgen new makes one)")
    preview = Preview(paths, host=host, port=port, poll=poll, drafts=drafts, future=future, config_required=config_required)
    restore = _stop_on_sigterm()
    try:
        try:
            # The first build of a big site takes a while, and a silent terminal looks hung.
            log.info("Building the preview of %s…", paths.site)
            preview.start()
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PreviewError(f"ports {port} to {port + PORT_TRIES - 1} are all in use; "
                                   "pass --port with another number, or --port 0 for any free port.") from None
            raise PreviewError(f"cannot listen on {host} port {port}: {exc.strerror or exc}") from None
        print(f"Serving {paths.site} at {preview.url} (Ctrl-C to stop)", flush=True)
        threading.Event().wait()  # until Ctrl-C
    except KeyboardInterrupt:
        print("\nStopping.", file=sys.stderr)
    finally:
        preview.stop()
        restore()



def _stop_on_sigterm():  # noqa: ANN202
    """Let a process manager's SIGTERM stop the preview like Ctrl-C, cleaning up; returns an undo."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):  # noqa: ANN001, ANN202
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)


def moved_pages(before: Digest, after: Digest) -> dict[str, str]:
    """Pages of ``before`` that are gone from ``after`` while what they showed lives on at
    another address: an article by its file, a story where all its articles went; and a
    deleted article's page to its story, when that is still there. Pure."""
    article_at = {e.source_path: article_path(e) for e in after.entries}
    story_at = {e.source_path: story_path(s) for s in after.stories for e in s.entries}
    pages = set(article_at.values()) | {story_path(s) for s in after.stories}
    moved = {}
    for story in before.stories:
        if story_path(story) not in pages:
            homes = {story_at.get(e.source_path) for e in story.entries} - {None}
            if len(homes) == 1:
                moved[story_path(story)] = homes.pop()
        for entry in story.entries:
            now = article_at.get(entry.source_path)
            if now is None and story_path(story) in pages:
                now = story_path(story)  # the article is gone (deleted, made a draft): its story is not
            if now is not None and now != article_path(entry) and article_path(entry) not in pages:
                moved[article_path(entry)] = now
    return moved


def _describe(changes, paths: Paths) -> str:  # noqa: ANN001
    if not changes:
        return ""
    first = Path(changes[0])
    try:
        name = first.relative_to(paths.site).as_posix()
    except ValueError:
        name = str(first)
    name = shown_path(name)  # a saved file's name is printed: not its control characters
    return name if len(changes) == 1 else f"{name} and {len(changes) - 1} more"
