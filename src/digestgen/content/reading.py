"""Reading the content folder: which files are articles, and parsing them all, cached and in parallel."""

from __future__ import annotations

import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Mapping, Sequence
from zoneinfo import ZoneInfo

from .. import cache
from .._workers import die_with_parent, stop_now
from ..errors import ContentError, Problem
from ..models import UNKNOWN_OUTLET, Entry, StoryFile
from .story_files import STORIES_FOLDER, read_story_file, story_file_paths

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
_PARALLEL_FROM = 200  # below this many files to parse, worker start-up costs more than it saves


@dataclass(frozen=True)
class Analysis:
    """Work later stages need that depends on one article alone, so it is done here, on
    every core and cached with the article, instead of once per build for every article."""

    features: object  # grouping.prepare(title, text, url)
    words: str  # search.entry_words(entry): distinct words, space-separated


@dataclass(frozen=True)
class ReadResult:
    entries: tuple[Entry, ...]
    warnings: tuple[Problem, ...] = field(default=())
    story_files: tuple[StoryFile, ...] = field(default=())
    analysis: Mapping[str, Analysis] = field(default_factory=dict)  # by source path
    parsed: int = 0  # files actually parsed (not served from the cache)


def is_article(parts: Sequence[str]) -> bool:
    """Is a file at these path parts (from the content folder) one discover() takes? Not
    hidden or ``_``-prefixed at any depth, not in ``stories/``, named as an article."""
    return (bool(parts) and not any(_skipped(part) for part in parts) and parts[0] != STORIES_FOLDER
            and PurePosixPath(parts[-1]).suffix.lower() in ARTICLE_SUFFIXES)


def _skipped(name: str) -> bool:
    return name.startswith((".", "_"))


def discover(content_dir: Path, outside: list[Path] | None = None) -> list[Path]:
    """Article files under ``content_dir``, sorted, skipping hidden and ``_``-prefixed names
    and the editors' ``stories/`` folder. Symlinks are followed only while they stay inside:
    a link elsewhere would publish whatever it leads to (a home folder, a secret). Those
    skipped are added to ``outside``, when given, so that the build can say so."""
    if not content_dir.is_dir():
        raise ContentError(Problem(str(content_dir), None, "content folder not found: run digestgen in a site's folder, "
                                                           "or name one with --site DIR (digestgen new DIR makes one)"))
    root = content_dir.resolve()
    found: list[Path] = []
    unreadable: list[Problem] = []
    _walk(root, root, found, linked=False, visited={root}, outside=outside if outside is not None else [],
          unreadable=unreadable)
    if unreadable:  # its articles would vanish from the site, and their stories with them
        raise ContentError(unreadable)
    return found


def _walk(root: Path, folder: Path, found: list[Path], linked: bool, visited: set[Path], outside: list[Path],
          unreadable: list[Problem]) -> None:
    # os.scandir gives file types without extra system calls; only paths reached through a
    # symlink need resolving, to prove they stay inside and to stop at loops.
    try:
        with os.scandir(folder) as scan:
            items = sorted(scan, key=lambda item: item.name)
    except FileNotFoundError:
        return  # vanished mid-walk: nothing to read there
    except OSError as exc:
        unreadable.append(Problem(str(folder), None, f"cannot read folder: {exc.strerror or exc}"))
        return
    for item in items:
        if _skipped(item.name):
            continue
        via_link = linked or item.is_symlink()
        path = Path(item.path)
        if via_link and not _inside(path, root):
            if item.is_symlink() and _leads_out(path, root):
                outside.append(path)
            continue
        try:
            is_dir, is_file = item.is_dir(), item.is_file()
        except OSError:
            continue
        if is_dir:
            if folder == root and item.name == STORIES_FOLDER:
                continue  # editors' story files, not articles
            real = path.resolve() if via_link else path
            if real not in visited:
                visited.add(real)
                _walk(root, path, found, via_link, visited, outside, unreadable)
        elif is_file and path.suffix.lower() in ARTICLE_SUFFIXES:
            found.append(path)


def relative_name(path: Path, content_dir: Path) -> str:
    root, text = str(content_dir), str(path)
    if text.startswith(root + os.sep) and os.sep == "/":  # discover()'s paths, quickly
        return text[len(root) + 1:]
    return PurePosixPath(*path.relative_to(content_dir).parts).as_posix()


def read_entries(paths: list[Path], content_dir: Path, timezone: str, cache_dir: Path | None = None,
                 signatures: Mapping[str, tuple[int, int, int] | None] = {},
                 unknown_outlet: str = UNKNOWN_OUTLET, day_first: bool = False) -> ReadResult:
    """Parse every file (from the cache where its bytes are unchanged); collect every error
    before failing, so a user fixes them all in one go. ``signatures`` may give files'
    signatures the caller has just taken (str(path) -> signature), to spare a second stat.
    Dates without an offset are read in ``timezone``; an article naming no outlet is from
    ``unknown_outlet`` (the site's words for it); slash dates day first when ``day_first``."""
    root = content_dir.resolve()
    salt = f"{cache.code_version()}:{timezone}:{unknown_outlet}:{day_first}"
    cached = cache.load_entries(cache_dir, salt)
    fresh: dict[str, cache.CachedEntry] = {}
    todo: list[tuple[str, str, str, str, bool]] = []
    errors: list[Problem] = []
    for path in paths:
        rel = relative_name(path, root)
        try:
            signature = signatures.get(str(path)) or cache.file_signature(path)
        except OSError as exc:
            errors.append(Problem(rel, None, f"cannot read file: {exc.strerror or exc}"))
            continue
        hit = cached.get(rel)
        if hit and hit.signature == signature:
            fresh[rel] = hit
        else:
            todo.append((str(path), rel, timezone, unknown_outlet, day_first))
    for rel, result in _parse_all(todo, cached):
        fresh[rel] = result

    entries, warnings, analysis = [], [], {}
    for rel in sorted(fresh):
        item = fresh[rel]
        for problem in item.problems:
            (errors if problem.severity == "error" else warnings).append(problem)
        if item.entry is not None:
            entries.append(item.entry)
            analysis[rel] = item.analysis
    if todo or len(fresh) != len(cached):
        gone = [rel for rel in cached if rel not in fresh]
        cache.save_entries(cache_dir, salt, fresh, [job[1] for job in todo] + gone)

    story_files = _read_story_files(root, {e.source_path for e in entries}, errors, warnings)
    if errors:
        raise ContentError(errors)
    return ReadResult(tuple(entries), tuple(warnings), story_files, analysis, len(todo))


def read_article(path: Path, content_dir: Path, timezone: str,
                 unknown_outlet: str = UNKNOWN_OUTLET, day_first: bool = False) -> tuple[Entry | None, tuple[Problem, ...]]:
    """One article file, parsed now (no cache), as read_entries() would: for the live preview,
    which patches its site after an edit to one article without reading the rest."""
    rel = relative_name(path, content_dir.resolve())
    _, result = _parse_one((str(path), rel, timezone, unknown_outlet, day_first), None)
    return result.entry, result.problems


def _parse_all(todo: list[tuple[str, str, str, str, bool]], cached: dict[str, cache.CachedEntry]):  # noqa: ANN202
    if len(todo) < _PARALLEL_FROM or (os.cpu_count() or 1) < 2:
        return [_parse_one(job, cached.get(job[1])) for job in todo]
    # fork is cheapest, but unsafe once other threads exist (the live preview has some)
    method = "fork" if threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods() else "spawn"
    workers = min(os.cpu_count() or 2, 8)
    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    try:
        chunk = max(16, len(todo) // (workers * 8))
        results = list(pool.map(_parse_one, todo, [cached.get(job[1]) for job in todo], chunksize=chunk))
    except BaseException:  # Ctrl-C: stopped now, not after every file is read
        stop_now(pool)
        raise
    pool.shutdown()
    return results


def _parse_one(job: tuple[str, str, str, str, bool], cached: cache.CachedEntry | None) -> tuple[str, cache.CachedEntry]:
    from . import MAX_FILE_BYTES, read_entry  # the per-file parser lives in the package facade

    path_text, rel, timezone, unknown_outlet, day_first = job
    path = Path(path_text)
    try:
        signature = cache.file_signature(path)
        if signature[0] > MAX_FILE_BYTES:  # refuse before reading it all into memory
            return rel, cache.CachedEntry(signature, "", None, (Problem(rel, None, f"file is larger than {MAX_FILE_BYTES // 2**20} MB"),))
        data = path.read_bytes()
    except OSError as exc:
        return rel, cache.CachedEntry((0, 0, 0), "", None, (Problem(rel, None, f"cannot read file: {exc.strerror or exc}"),))
    digest = cache.content_hash(data, rel)
    if cached is not None and cached.content_hash == digest:  # touched, not changed
        return rel, replace(cached, signature=signature)
    entry, problems = read_entry(data, rel, path.suffix, ZoneInfo(timezone), unknown_outlet, day_first)
    if entry is None:
        return rel, cache.CachedEntry(signature, digest, None, tuple(problems))
    # The key stands for the entry in every fingerprint (fingerprint.Fingerprinter): what the
    # entry holds that its file does not say is in it too, the site's words for "Unknown outlet"
    # (digest.json kept the old ones after a language change).
    entry = replace(entry, key=digest if entry.source != unknown_outlet else cache.content_hash(data, rel, unknown_outlet))
    return rel, cache.CachedEntry(signature, digest, entry, tuple(problems), _analyse(entry))


def _analyse(entry: Entry) -> Analysis:
    from ..grouping import prepare
    from ..search import entry_words

    return Analysis(prepare(entry.title, entry.text, entry.url), entry_words(entry))


def _read_story_files(root: Path, known: set[str], errors: list[Problem], warnings: list[Problem]) -> tuple[StoryFile, ...]:
    story_files = []
    claimed: dict[str, str] = {}
    paths, others = story_file_paths(root)
    for path in others:
        warnings.append(Problem(relative_name(path, root), None, f"not read: {STORIES_FOLDER}/ holds story files "
                                f"({STORIES_FOLDER}/<slug>.md) only; articles go anywhere else in the content folder", "warning"))
    for path in paths:
        rel = relative_name(path, root)
        try:
            data = path.read_bytes()
        except OSError as exc:  # a folder named like a story file, a dangling symlink
            errors.append(Problem(rel, None, f"cannot read story file: {exc.strerror or exc}"))
            continue
        story, found = read_story_file(data, rel, known)
        for problem in found:
            (errors if problem.severity == "error" else warnings).append(problem)
        if story:
            for member, line in zip(story.entries, story.entry_lines):
                if member in claimed:
                    errors.append(Problem(rel, line, f"{member!r} is already in story file {claimed[member]}"))
                claimed[member] = rel
            story_files.append(story)
    return tuple(story_files)


def _leads_out(link: Path, root: Path) -> bool:
    """Does ``link`` lead to an article file or a folder outside ``root``? (Not when it leads
    nowhere: a dangling link or a loop is skipped like any unreadable name.)"""
    try:
        target = link.resolve(strict=True)
        return not target.is_relative_to(root) and (target.is_dir() or target.suffix.lower() in ARTICLE_SUFFIXES
                                                    or link.suffix.lower() in ARTICLE_SUFFIXES)
    except (OSError, RuntimeError):
        return False


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False
