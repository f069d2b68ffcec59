"""Content: turning article files into entries.

This module parses one file's bytes (pure; ``read_entry``); ``reading`` walks the content
folder and parses every file, cached and in parallel. Together they are the only stage
that reads articles from disk.
"""

from __future__ import annotations

import difflib
import html
import re
import unicodedata
from datetime import datetime, tzinfo
from pathlib import PurePosixPath
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit

from ..errors import Problem
from ..i18n import language_tag
from ..models import UNKNOWN_OUTLET, Entry
from .dates import parse_date
from .decode import BinaryFileError, decode
from .links import link_articles, rebase_links
from .markdown import FrontMatterError, parse_markdown
from .text import first_sentence, parse_text
from .reading import ARTICLE_SUFFIXES, ReadResult, discover, is_article, read_article, read_entries, relative_name  # noqa: E402

__all__ = ["ARTICLE_SUFFIXES", "ReadResult", "discover", "is_article", "link_articles", "read_article", "read_entries", "read_entry",
           "relative_name"]

MAX_FILE_BYTES = 20 * 1024 * 1024  # no article is this long: refuse before reading it
# markdown-it reads hostile Markdown at well under 1 MB/s, and holds a token per table cell or
# list item (a 1.9 MB table of 10,000 columns took 1.4 GB and 20 s, on each parsing core):
# Markdown gets a tighter bound. The longest real articles are a fifth of it.
MAX_MARKDOWN_BYTES = 512 * 1024
KNOWN_KEYS = frozenset(
    {"title", "date", "updated", "source", "url", "author", "tags", "story", "summary", "draft", "language"}
)


def read_entry(data: bytes, rel: str, suffix: str, tz: tzinfo,
               unknown_outlet: str = UNKNOWN_OUTLET, day_first: bool = False) -> tuple[Entry | None, list[Problem]]:
    """One file's bytes into an Entry, plus the problems found on the way. Pure.
    ``unknown_outlet`` is the outlet of an article that names none, in the site's words;
    ``day_first``: slash dates are read day first (dates.day_first).

    Never raises for any bytes: whatever is wrong with the file comes back as a Problem.
    """
    limit = MAX_FILE_BYTES if suffix.lower() == ".txt" else MAX_MARKDOWN_BYTES
    if len(data) > limit:
        size = f"{limit // 2**20} MB" if limit >= 2**20 else f"{limit // 2**10} KB"
        hint = "" if suffix.lower() == ".txt" else ": a longer text (a transcript) can be a .txt file"
        return None, [Problem(rel, None, f"file is larger than {size}{hint}")]
    try:
        text = decode(data)
    except BinaryFileError as exc:
        return None, [Problem(rel, exc.line, str(exc))]
    if not text.strip():
        return None, [Problem(rel, None, "empty file: skipped", "warning")]
    conflict = _merge_conflict(text)
    if conflict:
        entry, problems = _read_text(text, rel, suffix, tz, unknown_outlet, day_first)
        return entry, [Problem(rel, conflict, "a merge conflict's markers (<<<<<<< and >>>>>>>) are in this file: "
                                              "resolve the conflict, or they are published as text", "warning"), *problems]
    return _read_text(text, rel, suffix, tz, unknown_outlet, day_first)


# A git merge that stopped: "<<<<<<< HEAD" ... ">>>>>>> branch" at the start of lines. Both
# ends are asked for, as "=======" alone underlines a Markdown heading.
_CONFLICT_START = re.compile(r"^<{7}(?: |$)", re.MULTILINE)
_CONFLICT_END = re.compile(r"^>{7}(?: |$)", re.MULTILINE)


def _merge_conflict(text: str) -> int | None:
    """The line a merge conflict starts at in ``text``, if it has one."""
    start = _CONFLICT_START.search(text)
    if start and _CONFLICT_END.search(text, start.end()):
        return text.count("\n", 0, start.start()) + 1
    return None


_FRONT_MATTER_IN_TEXT = re.compile(r"\s*---[ \t]*\n(?:[A-Za-z_][\w-]*[ \t]*:.*\n|[ \t]+.*\n|[ \t]*\n)+---[ \t]*(?:\n|$)")


def _read_text(text: str, rel: str, suffix: str, tz: tzinfo, unknown_outlet: str,
               day_first: bool = False) -> tuple[Entry | None, list[Problem]]:
    try:
        if suffix.lower() == ".txt":
            problems = []
            if _FRONT_MATTER_IN_TEXT.match(text):  # a scraper's slip: its keys were dropped as debris, "---" the headline
                problems.append(Problem(rel, 1, "this .txt file starts with front matter (--- … ---), which only Markdown "
                                                "files are read for: rename it to .md", "warning"))
            return _entry_from_text(text, rel, tz, unknown_outlet, day_first), problems
        return _entry_from_markdown(text, rel, tz, unknown_outlet, day_first)
    except (RecursionError, MemoryError):
        return None, [Problem(rel, None, "file is too deeply nested or too large to read")]
    except Exception as exc:  # noqa: BLE001 - a safety net: one odd file must not stop the build with a traceback
        return None, [Problem(rel, None, f"cannot read this file ({type(exc).__name__}: {str(exc)[:200]}); please report this as a digestgen bug")]


def _entry_from_text(text: str, rel: str, tz: tzinfo, unknown_outlet: str, day_first: bool) -> Entry | None:
    parsed = parse_text(text, tz, day_first)
    paragraphs = tuple(p.text.replace("\n", " ") for p in parsed.paragraphs)
    html = "".join(
        "<p>" + "<br>\n".join(_escape(line) for line in p.text.split("\n")) + "</p>\n"
        for p in parsed.paragraphs
    )
    title = _short(parsed.title, MAX_TITLE) or _short(_title_from(paragraphs, rel), MAX_TITLE) or "Untitled"
    return Entry(
        source_path=rel, title=title, body_html=html, paragraphs=paragraphs,
        source=unknown_outlet, date=parsed.date, updated=parsed.updated,
    )


def _entry_from_markdown(text: str, rel: str, tz: tzinfo, unknown_outlet: str,
                         day_first: bool) -> tuple[Entry | None, list[Problem]]:
    try:
        parsed = parse_markdown(text)
    except FrontMatterError as exc:
        return None, [Problem(rel, exc.line, str(exc))]
    meta, lines = parsed.metadata, parsed.key_lines
    problems: list[Problem] = []

    def warn(key: str, message: str) -> None:
        problems.append(Problem(rel, lines.get(key), message, "warning"))

    def warn_at(line: int | None, message: str) -> None:
        problems.append(Problem(rel, line, message, "warning"))

    def fail(key: str, message: str) -> None:
        problems.append(Problem(rel, lines.get(key), message))

    def text_field(key: str, limit: int = MAX_FIELD) -> str | None:
        value = meta.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            fail(key, f"{key} must be text, got {_type_name(value)}")
            return None
        return _short(_CHARACTER_REFERENCE.sub(_character, str(value)) if key in _PROSE_KEYS else str(value), limit)

    def date_field(key: str) -> datetime | None:
        value = meta.get(key)
        if value is None or value == "":
            return None
        try:
            return parse_date(value, tz, day_first)
        except ValueError as exc:
            warn(key, f"{key} ignored: {exc}")
            return None

    for key in meta:
        near = _known_key_near(key)
        if near:  # "Draft: true", "darft: true": the article would be published without a word
            slip = "keys are written in lower case: " if key.lower() == near else ""
            warn(key, f"unknown key {key!r} (did you mean {near!r}?): {slip}it is kept for templates as "
                      f"entry.extra, not read as {near}")
    source_lines = text.splitlines()
    for key in sorted(_PROSE_KEYS & {k for k, v in meta.items() if v is None}):
        line = lines.get(key)
        if line and line <= len(source_lines) and source_lines[line - 1].partition(":")[2].lstrip().startswith("#"):
            warn(key, f"{key} is empty: YAML reads what follows a # as a comment, so a {key} that starts "
                      f"with # (a hashtag) must be quoted: {key}: \"#…\"")
    title = text_field("title", MAX_TITLE) or _short(parsed.heading, MAX_TITLE) or _short(_title_from(parsed.paragraphs, rel), MAX_TITLE) or "Untitled"
    url = text_field("url", MAX_URL)
    if url and not _web_url(url):
        warn("url", f"url ignored: only http and https links with a host are allowed, got {url[:60]!r}")
        url = None
    elif url:
        # Browsers read a backslash in an http(s) address as a slash, so it would lead
        # elsewhere (…/a.html\?cid=1, common in scraped feeds, to …/a.html/?cid=1): escaped, the
        # address is valid and names what the article says.
        url = url.replace("\\", "%5C")
    given = text_field("language")
    language = language_tag(given) if given is not None else None
    if given is not None and language is None:
        warn("language", f"language ignored: not a language tag such as 'fr' or 'pt-BR', got {given[:40]!r}")
    date, updated = date_field("date"), date_field("updated")
    if date and updated and updated < date:
        warn("updated", f"updated ignored: {updated.isoformat()} is before the date, {date.isoformat()}")
        updated = None
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        fail("draft", f"draft must be true or false, got {repr(draft)[:60]}")
        draft = False
    body_html, stranded = rebase_links(parsed.body_html, rel, url, lambda address: _line_of(text, address))
    for target in dict.fromkeys(stranded):
        warn_at(_line_of(text, target), f"links to {target!r}, which leads nowhere on this site: an address relative to "
                "the article, other than another article's file, needs the article's url to be read against")
    entry = Entry(
        source_path=rel,
        title=title,
        body_html=body_html,
        paragraphs=parsed.paragraphs,
        source=text_field("source") or _host(url) or unknown_outlet,
        date=date,
        updated=updated,
        url=url,
        author=text_field("author"),
        tags=_tags(meta.get("tags"), lambda m: fail("tags", m)),
        story=text_field("story"),
        summary=text_field("summary", MAX_SUMMARY),
        draft=draft,
        language=language,
        extra=MappingProxyType({k: v for k, v in meta.items() if k not in KNOWN_KEYS}),
    )
    return entry, problems


def _tags(value: Any, fail) -> tuple[str, ...]:  # noqa: ANN001
    if value is None:
        return ()
    if isinstance(value, str):
        value = value.split(",")
    if not isinstance(value, list) or not all(isinstance(t, (str, int, float)) and not isinstance(t, bool) for t in value):
        fail("tags must be a list of words or a comma-separated string")
        return ()
    tags = tuple(dict.fromkeys(t for t in (_short(str(v), MAX_FIELD) for v in value) if t))
    if len(tags) > MAX_TAGS:
        fail(f"too many tags: {len(tags)} (at most {MAX_TAGS})")
        return ()
    return tags


def _title_from(paragraphs: tuple[str, ...] | list[str], rel: str) -> str:
    if paragraphs:
        return first_sentence(paragraphs[0], max_words=14)
    return PurePosixPath(rel).stem.replace("-", " ").replace("_", " ").strip() or "Untitled"


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:  # e.g. an unclosed IPv6 bracket
        return None
    return _short(host.removeprefix("www."), MAX_FIELD)


def _escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace('"', "&quot;").replace("'", "&#39;")
    )


# Caps on front matter text: longer values are mistakes or attacks, and every title
# is repeated on several pages, so a megabyte title would become many megabytes of site.
MAX_TITLE, MAX_FIELD, MAX_URL, MAX_SUMMARY, MAX_TAGS = 300, 200, 2000, 1000, 50


# Front matter copied from a page's HTML keeps its character references ("Beyonc&#233;"),
# which the body's Markdown reads as the characters they name: the headline showed them as
# written, and its address spelled them out (beyonc-233-...). Only complete ones (with the
# ';'), so "R&D" or "&copy=1" stay as they are.
_PROSE_KEYS = frozenset({"title", "source", "author", "summary"})
_CHARACTER_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def _character(match: re.Match[str]) -> str:
    return html.unescape(match.group(0))


def _short(text: str | None, limit: int) -> str | None:
    """Whitespace collapsed, cut at ``limit`` characters with an ellipsis; None when blank."""
    if not text:
        return None
    flat = " ".join(text.split())
    if not any(unicodedata.category(c)[0] not in "CZ" for c in flat):  # zero-width spaces alone show nothing
        return None
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    return flat


def _known_key_near(key: object) -> str | None:
    """The known front-matter key an unknown ``key`` is a slip of: another case ("Draft") or
    a typo ("darft", "sourse"); None for a key of the site's own (kept as entry.extra)."""
    if not isinstance(key, str) or key in KNOWN_KEYS:
        return None
    if key.lower() in KNOWN_KEYS:
        return key.lower()
    near = difflib.get_close_matches(key.lower(), sorted(KNOWN_KEYS), n=1, cutoff=0.8)
    return near[0] if near else None


def _line_of(text: str, address: str) -> int | None:
    """The line of ``text`` where ``address`` is first written, if it is there as it is."""
    at = text.find(address)
    return text.count("\n", 0, at) + 1 if at >= 0 else None


_NOT_IN_URL = re.compile(r"[\s\x00-\x1f\x7f]")  # \s is str.isspace()'s whitespace


def _web_url(url: str) -> bool:
    """An absolute http(s) URL naming a host, with nothing a browser would reinterpret."""
    if _NOT_IN_URL.search(url):
        return False
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(host) and url.lower().startswith(("http://", "https://"))


def _type_name(value: Any) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false"}.get(type(value), type(value).__name__)
