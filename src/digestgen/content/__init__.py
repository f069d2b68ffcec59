"""Reading the content folder into entries. The only stage that reads articles from disk."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from ..errors import ContentError, Problem
from ..models import UNKNOWN_OUTLET, Entry
from .dates import parse_date
from .decode import BinaryFileError, decode
from .markdown import FrontMatterError, parse_markdown
from .text import first_sentence, parse_text

__all__ = ["ARTICLE_SUFFIXES", "discover", "read_entries", "read_entry", "ReadResult"]

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown")
MAX_FILE_BYTES = 20 * 1024 * 1024  # a larger "article" is a mistake, not news
KNOWN_KEYS = frozenset(
    {"title", "date", "updated", "source", "url", "author", "tags", "story", "summary", "draft"}
)


@dataclass(frozen=True)
class ReadResult:
    entries: tuple[Entry, ...]
    warnings: tuple[Problem, ...] = field(default=())


def discover(content_dir: Path) -> list[Path]:
    """Article files under ``content_dir``, sorted, skipping hidden and ``_``-prefixed names.

    Symlinks are followed only while they stay inside the content folder.
    """
    if not content_dir.is_dir():
        raise ContentError(Problem(str(content_dir), None, "content folder not found"))
    root = content_dir.resolve()
    found: list[Path] = []
    for folder, dirs, files in os.walk(root, followlinks=True):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")) and _inside(Path(folder, d), root))
        for name in sorted(files):
            path = Path(folder, name)
            if name.startswith((".", "_")) or path.suffix.lower() not in ARTICLE_SUFFIXES:
                continue
            if _inside(path, root):
                found.append(path)
    return sorted(found, key=lambda p: relative_name(p, root))


def relative_name(path: Path, content_dir: Path) -> str:
    return PurePosixPath(*path.relative_to(content_dir).parts).as_posix()


def read_entries(paths: list[Path], content_dir: Path, tz: tzinfo) -> ReadResult:
    """Parse every file; collect all errors before failing, so a user fixes them in one go."""
    entries: list[Entry] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    root = content_dir.resolve()
    for path in paths:
        rel = relative_name(path, root)
        try:
            entry, found = read_entry(_read_bytes(path), rel, path.suffix, tz)
        except _TooLarge:
            errors.append(Problem(rel, None, f"file is larger than {MAX_FILE_BYTES // 2**20} MB"))
            continue
        except OSError as exc:
            errors.append(Problem(rel, None, f"cannot read file: {exc.strerror or exc}"))
            continue
        for problem in found:
            (errors if problem.severity == "error" else warnings).append(problem)
        if entry is not None:
            entries.append(entry)
    if errors:
        raise ContentError(errors)
    return ReadResult(tuple(entries), tuple(warnings))


def read_entry(data: bytes, rel: str, suffix: str, tz: tzinfo) -> tuple[Entry | None, list[Problem]]:
    """One file's bytes into an Entry, plus the problems found on the way. Pure."""
    try:
        text = decode(data)
    except BinaryFileError as exc:
        return None, [Problem(rel, None, str(exc))]
    if suffix.lower() == ".txt":
        return _entry_from_text(text, rel, tz), []
    return _entry_from_markdown(text, rel, tz)


def _entry_from_text(text: str, rel: str, tz: tzinfo) -> Entry:
    parsed = parse_text(text, tz)
    paragraphs = tuple(p.text.replace("\n", " ") for p in parsed.paragraphs)
    html = "".join(
        "<p>" + "<br>\n".join(_escape(line) for line in p.text.split("\n")) + "</p>\n"
        for p in parsed.paragraphs
    )
    title = parsed.title or _title_from(paragraphs, rel)
    return Entry(
        source_path=rel, title=title, body_html=html, paragraphs=paragraphs,
        source=UNKNOWN_OUTLET, date=parsed.date, updated=parsed.updated,
    )


def _entry_from_markdown(text: str, rel: str, tz: tzinfo) -> tuple[Entry | None, list[Problem]]:
    try:
        parsed = parse_markdown(text)
    except FrontMatterError as exc:
        return None, [Problem(rel, exc.line, str(exc))]
    meta, lines = parsed.metadata, parsed.key_lines
    problems: list[Problem] = []

    def warn(key: str, message: str) -> None:
        problems.append(Problem(rel, lines.get(key), message, "warning"))

    def fail(key: str, message: str) -> None:
        problems.append(Problem(rel, lines.get(key), message))

    def text_field(key: str) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            fail(key, f"{key} must be text, got {type(value).__name__}")
            return None
        return " ".join(str(value).split()) or None

    def date_field(key: str) -> datetime | None:
        if meta.get(key) in (None, ""):
            return None
        try:
            return parse_date(meta[key], tz)
        except ValueError as exc:
            warn(key, f"{key} ignored: {exc}")
            return None

    title = text_field("title") or parsed.heading or _title_from(parsed.paragraphs, rel)
    url = text_field("url")
    if url and urlsplit(url).scheme.lower() not in ("http", "https"):
        warn("url", f"url ignored: only http and https links are allowed, got {url[:60]!r}")
        url = None
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        fail("draft", f"draft must be true or false, got {draft!r}")
        draft = False
    entry = Entry(
        source_path=rel,
        title=title,
        body_html=parsed.body_html,
        paragraphs=parsed.paragraphs,
        source=text_field("source") or _host(url) or UNKNOWN_OUTLET,
        date=date_field("date"),
        updated=date_field("updated"),
        url=url,
        author=text_field("author"),
        tags=_tags(meta.get("tags"), lambda m: fail("tags", m)),
        story=text_field("story"),
        summary=text_field("summary"),
        draft=draft,
        extra=MappingProxyType({k: v for k, v in meta.items() if k not in KNOWN_KEYS}),
    )
    return entry, problems


def _tags(value: Any, fail) -> tuple[str, ...]:  # noqa: ANN001
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(t, (str, int, float)) for t in value):
        fail("tags must be a list of words or a comma-separated string")
        return ()
    return tuple(dict.fromkeys(t for t in (" ".join(str(v).split()) for v in value) if t))


def _title_from(paragraphs: tuple[str, ...] | list[str], rel: str) -> str:
    if paragraphs:
        return first_sentence(paragraphs[0], max_words=14)
    return PurePosixPath(rel).stem.replace("-", " ").replace("_", " ").strip() or "Untitled"


def _host(url: str | None) -> str | None:
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.") or None


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


class _TooLarge(Exception):
    pass


def _read_bytes(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _TooLarge
    return path.read_bytes()


def _inside(path: Path, root: Path) -> bool:
    try:
        return path.resolve().is_relative_to(root)
    except OSError:
        return False
