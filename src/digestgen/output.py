"""Writing the site: the only module that writes into the output folder.

Every build is written into a fresh sibling folder (Staging) and swapped in at the
end, so a failed or killed build leaves the previous site whole, and files of
deleted articles never linger. Render workers write their pages into that folder as
they make them, so no page's bytes cross to the main process or wait there in memory.
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import os
import re
import shutil
import subprocess
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .errors import OutputError, Problem


@dataclass(frozen=True)
class OutputFile:
    path: str  # POSIX, relative to the output root
    data: bytes
    origin: str  # what produced it, for error messages (a content file, a template)
    reuse: str | Path | None = None  # an identical file of the previous build, linked instead of written
    staged: bool = False  # already written into the build's Staging folder (data is then empty)


def file_clock(folder: Path) -> int:
    """Now, as the file system holding ``folder`` stamps files (its clock may run a tick behind
    time.time_ns()): no file written before has a later time, none written after an earlier."""
    probe = folder / f".digestgen-clock-{os.getpid()}"
    try:
        probe.write_bytes(b"")
        return probe.stat().st_mtime_ns
    except OSError:
        return time.time_ns()
    finally:
        with contextlib.suppress(OSError):
            probe.unlink()


def unchanged_since(output_dir: Path, paths: list[str], moment: int) -> set[str]:
    """Which of ``paths`` are files in the site at ``output_dir`` last changed by ``moment``
    (file_clock()). Someone may have deleted or edited one by hand (a minifier run in place):
    a build must then make it again, not link it (a stat each, 20 ms at 10k)."""
    root, kept = str(output_dir), set()
    for path in paths:
        try:
            if os.stat(os.path.join(root, path)).st_mtime_ns <= moment:
                kept.add(path)
        except OSError:
            pass
    return kept


_PLAIN_PATH = re.compile(r"[A-Za-z0-9._~-]+(?:/[A-Za-z0-9._~-]+)*")
_DOT_SEGMENT = re.compile(r"(?:^|/)\.\.?(?:/|$)")


def check_outputs(files: list[OutputFile]) -> None:
    """Refuse two outputs claiming one path, and any path that leaves the output root."""
    problems = []
    claimed: dict[str, OutputFile] = {}
    for file in files:
        if not _inside_root(file.path):
            problems.append(_outside(file.path, file.origin))
            continue
        # Case-insensitive (Windows, macOS) and normalising (macOS) file systems would merge these.
        key = file.path.lower() if file.path.isascii() else unicodedata.normalize("NFC", file.path).casefold()
        if key in claimed:
            problems.append(Problem(
                file.origin, None,
                f"output path {file.path!r} is also produced by {claimed[key].origin}",
            ))
        else:
            claimed[key] = file
    # A file where another output needs a folder (files/stories/x beside stories/x/index.html)
    folders: dict[str, OutputFile] = {}
    for key, file in claimed.items():
        cut = key.rfind("/")
        while cut > 0 and key[:cut] not in folders:
            folders[key[:cut]] = file
            cut = key.rfind("/", 0, cut)
    problems += [Problem(file.origin, None, f"output path {file.path!r} is a file where {folders[key].origin} "
                                            f"needs a folder ({folders[key].path!r})")
                 for key, file in claimed.items() if key in folders]
    if problems:
        raise OutputError(problems)


def _inside_root(path: str) -> bool:
    if _PLAIN_PATH.fullmatch(path) and not _DOT_SEGMENT.search(path):  # the usual case, quickly
        return True
    pure = PurePosixPath(path)
    return not (pure.is_absolute() or ".." in pure.parts or "\\" in path or "\x00" in path or not pure.parts)


def _outside(path: str, origin: str) -> Problem:
    return Problem(origin, None, f"refusing to write outside the output folder: {path!r}")


def replace_files(files: list[OutputFile], output_dir: Path) -> None:
    """Put ``files`` into the site at ``output_dir`` in place, for the live preview's patches
    (a build writes a whole new folder: Staging). Every file is written beside its target
    first, then all are renamed over their targets at once: a reader gets each file old or
    new, never in part, and the moment when some are new and some old is as short as can be."""
    check_outputs(files)
    output_dir = output_dir.resolve()
    ready: list[tuple[str, str]] = []
    try:
        for file in files:
            target = os.path.join(output_dir, file.path)  # checked above: relative, POSIX, no ".."
            os.makedirs(os.path.dirname(target), exist_ok=True)
            temporary = os.path.join(os.path.dirname(target), f".{os.path.basename(target)}.{os.getpid()}.tmp")
            with open(temporary, "wb") as handle:
                handle.write(file.data if file.reuse is None else Path(file.reuse).read_bytes())
            ready.append((temporary, target))
        for temporary, target in ready:
            os.replace(temporary, target)
    except OSError as exc:
        for temporary, _ in ready:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
        raise OutputError(Problem(str(output_dir), None, f"cannot update the site: {exc.strerror or exc}")) from None


class Staging:
    """The next site: a hidden folder in ``scratch`` (see _scratch_folder) or beside the output
    folder, filled file by file (also by forked render workers, through write()) and swapped
    in whole by commit(). Until then the previous site stands as it was; discard() removes
    the folder of a build that failed, and the next build's _recover() that of one that was killed."""

    def __init__(self, output_dir: Path, scratch: Path | None = None) -> None:
        self.output = output_dir.resolve()
        try:
            self.output.parent.mkdir(parents=True, exist_ok=True)
            self.scratch = _scratch_folder(self.output, scratch)
            self.root = self.scratch / f".{self.output.name}.building-{os.getpid()}"
            _recover(self.output, self.scratch)
            _remove(self.root)
            self.root.mkdir()
        except OSError as exc:
            raise self._failed(exc, None) from None
        # strings, not Paths: write() runs once per file of the site
        self._root, self._live, self._made = str(self.root), str(self.output), {str(self.root)}

    def write(self, path: str, data: bytes, origin: str) -> None:
        """Put ``data`` at ``path`` in the next site: the previous site's file, linked, when
        it holds the very same bytes; else written. Safe to call from several processes."""
        if not _inside_root(path):
            raise OutputError(_outside(path, origin))
        try:
            self._place(path, data, None)
        except OSError as exc:
            raise self._failed(exc, origin) from None

    def commit(self, files: list[OutputFile]) -> None:
        """Check every output's path, write what is not in the folder yet, then swap it in
        as the site; on any failure the folder is removed and the site stays as it was."""
        origin = None
        try:
            check_outputs(files)
            for file in sorted(files, key=lambda f: f.path):
                if not file.staged:
                    origin = file.origin
                    self._place(file.path, file.data, file.reuse)
            origin = None
            _swap_in(self.root, self.output)
        except OutputError:
            self.discard()
            raise
        except OSError as exc:
            self.discard()
            raise self._failed(exc, origin) from None

    def discard(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _place(self, path: str, data: bytes, source: str | Path | None) -> None:
        target = os.path.join(self._root, path)  # checked: relative, POSIX, no ".."
        folder = os.path.dirname(target)
        if folder not in self._made:
            self._make_folder(folder)
        if source is None:
            previous = os.path.join(self._live, path)
            if _holds(previous, data):
                source = previous  # made again, to the same bytes
        if source is None:
            with open(target, "wb") as handle:
                handle.write(data)
        elif not _link(source, target):
            shutil.copyfile(source, target)

    def _make_folder(self, folder: str) -> None:
        # Most folders hold one page (articles/<slug>/), made just after their parent: one
        # mkdir then, where os.makedirs would stat the parent first (60,000 times at 50k).
        parent = os.path.dirname(folder)
        if parent in self._made:
            try:
                os.mkdir(folder)
            except FileExistsError:
                pass  # another worker made it a moment ago
        else:
            os.makedirs(folder, exist_ok=True)
            while parent not in self._made and len(parent) > len(self._root):
                self._made.add(parent)  # made on the way (articles/ for articles/<slug>/)
                parent = os.path.dirname(parent)
        self._made.add(folder)

    def _failed(self, exc: OSError, origin: str | None) -> OutputError:
        where = f" (writing the output of {origin})" if origin else ""
        return OutputError(Problem(str(self.output), None, f"cannot write the site{where}: {exc}"))


def _holds(path: str, data: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``data``. An output made again to the same
    bytes (a page whose story changed elsewhere, the search index's unchanged shards, the
    sitemap) is then linked like a reused one: its mtime and inode stay, so a deploy by
    rsync or a cache sees only what really changed."""
    try:
        if os.stat(path).st_size != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def _link(source: str | Path, target: str) -> bool:
    """Hard-link an unchanged file of the previous build: no bytes rewritten, and the
    previous build keeps its own link until it is swapped out and removed."""
    try:
        os.link(source, target)
        return True
    except OSError:
        return False


def _scratch_folder(output_dir: Path, preferred: Path | None) -> Path:
    """Where the next site is made and the previous one deleted: ``preferred`` (the build
    cache, which a site's .gitignore leaves out, so that a ``git add -A`` right after a build
    never meets a site half deleted) when it is on the output's file system, as the swap
    needs; else beside the output folder."""
    if preferred is not None:
        with contextlib.suppress(OSError):
            preferred.mkdir(parents=True, exist_ok=True)
            # (a cache left read-only, by a build run as another user, say, only costs its use)
            if preferred.stat().st_dev == output_dir.parent.stat().st_dev and os.access(preferred, os.W_OK):
                return preferred.resolve()
    return output_dir.parent


def _swap_in(staging: Path, output_dir: Path) -> None:
    if not output_dir.exists():
        os.rename(staging, output_dir)
        return
    if _exchange(staging, output_dir):
        _remove_later(staging, output_dir)  # staging now holds the previous build
        return
    retired = staging.with_name(f".{output_dir.name}.previous-{os.getpid()}")
    _remove(retired)
    os.rename(output_dir, retired)
    os.rename(staging, output_dir)
    shutil.rmtree(retired, ignore_errors=True)


def _recover(output_dir: Path, scratch: Path) -> None:
    """Tidy up after builds that were killed: put back a previous site that a kill left
    set aside (only possible without RENAME_EXCHANGE), and delete staging and trash
    folders whose build process is gone, in ``scratch`` and beside the output (where builds
    made them before they had a scratch folder). Folders of a build still running are left alone."""
    ours = re.compile(rf"\.{re.escape(output_dir.name)}\.(building|previous|trash)-(\d+)(-\d+)?")
    found = [(folder, name) for folder in dict.fromkeys((scratch, output_dir.parent)) for name in sorted(os.listdir(folder))]
    for folder, name in found:
        match = ours.fullmatch(name)
        if not match or int(match.group(2)) == os.getpid() or process_alive(int(match.group(2))):
            continue
        kind, path = match.group(1), folder / name
        if kind == "previous" and not output_dir.exists() and path.is_dir() and not path.is_symlink():
            os.rename(path, output_dir)  # the kill came between the two renames of _swap_in
        elif kind == "trash":
            shutil.rmtree(path, ignore_errors=True)  # a detached rm may still be at it
        else:
            _remove(path)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True  # someone else's process: not ours to judge
    return True


_trash_numbers = itertools.count()


def _remove_later(path: Path, output_dir: Path) -> None:
    """Delete the previous build without making the user wait for it: renamed out of the
    way, then a shell starts ``rm`` in the background and returns at once (the next
    build's _recover finishes the job if it was cut short). Elsewhere, delete it now."""
    trash = path.with_name(f".{output_dir.name}.trash-{os.getpid()}-{next(_trash_numbers)}")
    try:
        os.rename(path, trash)
        path = trash
    except OSError:
        pass
    shell = shutil.which("sh") if os.name == "posix" else None
    if shell:
        try:
            subprocess.run([shell, "-c", 'rm -rf -- "$1" >/dev/null 2>&1 &', "sh", str(path)],
                           stdin=subprocess.DEVNULL, timeout=10, check=True)
            return
        except (OSError, subprocess.SubprocessError):
            pass
    shutil.rmtree(path, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2 RENAME_EXCHANGE); False if unsupported."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)  # the running process's C library
    except OSError:
        return False
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    return result == 0


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path)
