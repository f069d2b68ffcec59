"""The build cache, ``.digestgen-cache/`` in the site: parsed entries and the last build's fingerprint.

Entries are keyed by the hash of their file's bytes, its path and the reader's
code, so a cache hit is exactly what parsing the file again would give. A file
whose size, mtime and inode are unchanged is trusted without re-hashing, as
make, Hugo and git do. The cache is an optimisation only: deleting it is always
safe, and an unreadable cache is ignored.
"""

from __future__ import annotations

import contextlib

import copyreg
import hashlib
import json
import logging
import os
import pickle
import threading
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Iterator

from .errors import Problem
from .models import Entry


# Entry.extra is a read-only MappingProxyType, which pickle cannot store by itself.
def _read_only(data: dict) -> MappingProxyType:
    return MappingProxyType(data)


copyreg.pickle(MappingProxyType, lambda proxy: (_read_only, (dict(proxy),)))

# Parsed entries, in shards by path, so an edit rewrites one shard, not every entry: at
# 10,000 articles the whole cache is 140 MB, which took 0.35 s to pickle on every build.
_ENTRIES = "entries"
_SHARDS = 256
_OLD_ENTRIES = "entries.pickle"  # the single file earlier versions wrote, removed when seen


@dataclass(frozen=True)
class CachedEntry:
    signature: tuple[int, int, int]  # size, mtime_ns, inode
    content_hash: str
    entry: Entry | None
    problems: tuple[Problem, ...]
    analysis: object = None  # per-article work for later stages (content.reading.Analysis)


@lru_cache(maxsize=1)
def code_version() -> str:
    """A hash of digestgen's own source: any code change invalidates every cached result."""
    digest = hashlib.blake2b(digest_size=16)
    package = Path(__file__).parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def file_signature(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def signature_or_none(path: Path) -> tuple[int, int, int] | None:
    """A file's signature, or None when it vanished or cannot be read (an editor's atomic
    save can remove a file between listing and looking): the build that follows reports it."""
    try:
        return file_signature(path)
    except OSError:
        return None


def content_hash(data: bytes, *salt: str) -> str:
    digest = hashlib.blake2b(data, digest_size=16)
    for part in salt:
        digest.update(b"\0" + part.encode())
    return digest.hexdigest()


# A long-lived process (the live preview) keeps the parsed entries in memory too, so
# a rebuild does not unpickle them all again. Keyed by cache file and salt.
_in_memory: dict[Path, tuple[str, dict[str, CachedEntry]]] = {}


def load_entries(folder: Path | None, salt: str) -> dict[str, CachedEntry]:
    """source path -> cached parse, or empty when there is no usable cache."""
    if folder is None:
        return {}
    shards = folder / _ENTRIES
    remembered = _in_memory.get(shards)
    if remembered and remembered[0] == salt:
        return remembered[1]
    entries: dict[str, CachedEntry] = {}
    try:
        names = sorted(os.listdir(shards))
    except OSError:
        return {}
    for name in names:
        if not name.endswith(".pickle"):
            continue
        try:
            with open(shards / name, "rb") as handle:
                stored_salt, shard = pickle.load(handle)
        except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            continue  # its entries are parsed again, and the shard rewritten
        if stored_salt == salt:
            entries.update(shard)
    return entries


@lru_cache(maxsize=1 << 17)
def _shard_of(path: str) -> int:
    return int.from_bytes(hashlib.blake2b(path.encode("utf-8", "surrogatepass"), digest_size=4).digest(), "little") % _SHARDS


_saving: threading.Thread | None = None


def save_entries(folder: Path | None, salt: str, entries: dict[str, CachedEntry],
                 changed: Iterable[str] | None = None) -> None:
    """Remember ``entries`` now; write the shards holding the ``changed`` paths (all when
    None) on a thread while the build goes on (not a daemon: a command-line build still
    finishes writing before it exits)."""
    global _saving
    if folder is None:
        return
    shards = folder / _ENTRIES
    _in_memory[shards] = (salt, entries)
    dirty = set(range(_SHARDS)) if changed is None else {_shard_of(path) for path in changed}
    if not dirty:
        return
    parts: dict[int, dict[str, CachedEntry]] = {number: {} for number in dirty}
    for path, item in entries.items():
        part = parts.get(_shard_of(path))
        if part is not None:
            part[path] = item
    if _saving is not None:
        _saving.join()  # one writer at a time; the newest state wins

    def write() -> None:
        for number, part in sorted(parts.items()):
            _atomic_write(shards / f"{number:02x}.pickle", pickle.dumps((salt, part), protocol=pickle.HIGHEST_PROTOCOL))
        try:
            (folder / _OLD_ENTRIES).unlink(missing_ok=True)
        except OSError:
            pass

    _saving = threading.Thread(target=write, name="digestgen-cache-writer")
    _saving.start()


# The newest value saved under each name, so the live preview does not unpickle what it
# has just pickled: (folder, key, value).
_remembered: dict[str, tuple[Path, str, object]] = {}


def load_pickle(folder: Path, name: str, key: str) -> object | None:
    """The value saved under ``name`` if it was saved for ``key``, else None."""
    remembered = _remembered.get(name)
    if remembered and remembered[0] == folder and remembered[1] == key:
        return remembered[2]
    try:
        with open(folder / name, "rb") as handle:
            stored_key, value = pickle.load(handle)
    except (OSError, pickle.PickleError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None
    return value if stored_key == key else None


def save_pickle(folder: Path, name: str, key: str, value: object, *, persist: bool = True) -> None:
    """Save ``value`` under ``name`` for ``key``; with ``persist=False`` for this process only."""
    _remembered[name] = (folder, key, value)
    if persist:
        _atomic_write(folder / name, pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL))


def finish_writing() -> None:
    """Wait for a cache write in progress (before forking workers: fork and threads don't mix)."""
    if _saving is not None:
        _saving.join()


@dataclass(frozen=True)
class BuildRecord:
    """What the last successful build consumed and produced, to recognise a no-op rebuild."""

    inputs: str  # fingerprint of every input file's signature, the options and the code
    valid_until: float | None  # when a future-dated entry goes live or one expires
    output: tuple[int, int]  # inode and mtime of the output folder it wrote
    stories: int
    entries: int
    files: int
    left_out: int = 0  # articles it did not publish: drafts, future-dated, expired
    warnings: list[list] = field(default_factory=list)  # [path, line, message, severity] each
    products: dict[str, str] = field(default_factory=dict)  # render fingerprint -> output path
    search_files: list[str] = field(default_factory=list)  # the search index's output paths, manifest first
    others: list[str] = field(default_factory=list)  # every other file it wrote: static files, feeds, the sitemap …
    # output.file_clock() once all its files were in place: a file changed since is not the build's
    written: int = 0


def inputs_fingerprint(parts: Iterable[object]) -> str:
    digest = hashlib.blake2b(code_version().encode(), digest_size=20)
    for part in parts:
        digest.update(repr(part).encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()


def folder_signatures(*folders: Path) -> list[tuple[str, tuple[int, int, int] | None]]:
    """Signatures of every file under ``folders`` (missing folders give none)."""
    found = []
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    found.append((str(path), signature_or_none(path)))
    return found


def output_signature(folder: Path) -> tuple[int, int] | None:
    try:
        stat = folder.stat()
        (folder / "digest.json").stat()
    except OSError:
        return None
    return (stat.st_ino, stat.st_mtime_ns)


def _record_path(folder: Path, output: Path) -> Path:
    # One record per output folder: the live preview and `digestgen build` keep their own.
    return folder / f"last-build-{hashlib.blake2b(str(output).encode(), digest_size=6).hexdigest()}.json"


def last_build(folder: Path, output: Path) -> BuildRecord | None:
    try:
        data = json.loads(_record_path(folder, output).read_text(encoding="utf-8"))
        data["output"] = tuple(data["output"])
        return BuildRecord(**data)
    except (OSError, ValueError, TypeError, KeyError):
        return None


def save_build(folder: Path, output: Path, record: BuildRecord) -> None:
    # A shallow dict, not dataclasses.asdict, which deep-copies every product's path list
    # (0.1 s at 10,000 articles); json writes the tuples as lists all the same.
    data = {name: getattr(record, name) for name in record.__dataclass_fields__}
    _atomic_write(_record_path(folder, output), json.dumps(data, sort_keys=True).encode("utf-8"))


def forget_build(folder: Path, output: Path) -> None:
    """Drop the record of the builds into ``output``, a folder that is gone for good (a live
    preview's): each preview builds into a folder of its own, and their records piled up."""
    with contextlib.suppress(OSError):
        _record_path(folder, output).unlink()


def forget_outputs(folder: Path, output: Path, paths: set[str]) -> None:
    """The files at ``paths`` in ``output`` were rewritten outside a build (the live preview's
    patches): the next build must neither reuse them for what they held before nor take
    the folder for the one it recorded as current."""
    record = last_build(folder, output)
    if record is not None:
        save_build(folder, output, replace(
            record, inputs="", output=output_signature(output) or record.output,
            products={key: path for key, path in record.products.items() if path not in paths},
        ))


def _atomic_write(path: Path, data: bytes) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        (path.parent / ".gitignore").exists() or (path.parent / ".gitignore").write_text("*\n")
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError:
        pass  # a cache that cannot be written only costs speed


@contextlib.contextmanager
def one_build_at_a_time(folder: Path) -> Iterator[None]:
    """Hold the site's build lock (``build.lock`` in its cache) while the ``with`` block runs;
    wait for it, saying so, when another build of the site holds it. Two builds at once (a
    file watcher starting one on every save) each reused the files of the site they found at
    their start, which the other had swapped out meanwhile: the site that stood last was a
    mix, and the next build took it as current. Without file locks (Windows) or a cache that
    cannot be written, builds are not held back."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = open(folder / "build.lock", "ab")  # noqa: SIM115 - held open while the block runs
    except OSError:
        yield
        return
    with handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            logging.getLogger("digestgen").info("Waiting for another build of this site to finish…")
            fcntl.flock(handle, fcntl.LOCK_EX)
        yield  # (closing the file releases the lock)
