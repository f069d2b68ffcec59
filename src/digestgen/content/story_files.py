"""Editors' story files, ``content/stories/<slug>.md``: title, summary (the body), featured, entries."""

from __future__ import annotations

import posixpath
import unicodedata
from pathlib import Path, PurePosixPath

from ..errors import Problem
from ..models import StoryFile
from ..slugs import slugify
from .decode import BinaryFileError, decode
from .markdown import FrontMatterError, parse_markdown

STORIES_FOLDER = "stories"
_KEYS = {"title", "featured", "entries"}


def story_file_paths(content_dir: Path) -> tuple[list[Path], list[Path]]:
    """The story files (``stories/<slug>.md``), and the other files in ``stories/``, which are
    not read: a scraper writing its articles to a folder of that name lost them all silently."""
    folder = content_dir / STORIES_FOLDER
    if not folder.is_dir():
        return [], []
    found = sorted(p for p in folder.rglob("*") if not any(part.startswith((".", "_")) for part in p.relative_to(folder).parts))
    # a folder named like a story file is one that cannot be read (an error, naming it)
    story = [p for p in found if p.parent == folder and p.suffix.lower() == ".md"]
    files = [p for p in found if not p.is_dir()]
    chosen = set(story)
    return story, [p for p in files if p not in chosen]


_ARTICLE_KEYS = frozenset({"date", "updated", "source", "url", "author", "tags", "story", "summary", "draft", "language"})


def read_story_file(data: bytes, rel: str, known_paths: set[str]) -> tuple[StoryFile | None, list[Problem]]:
    try:
        text = decode(data)
        parsed = parse_markdown(text)
    except (BinaryFileError, FrontMatterError) as exc:
        return None, [Problem(rel, getattr(exc, "line", None), str(exc))]
    meta, lines = parsed.metadata, parsed.key_lines
    unknown = [key for key in meta if key not in _KEYS]
    if any(key in _ARTICLE_KEYS for key in unknown):  # an article filed under stories/: one message, not one per key
        first = min((lines[key] for key in unknown if key in lines), default=None)
        problems = [Problem(rel, first, f"this reads as an article ({', '.join(k for k in unknown if k in _ARTICLE_KEYS)}), "
                                        f"but {STORIES_FOLDER}/ holds story files (title, featured, entries): "
                                        "keep articles anywhere else in the content folder")]
    else:
        problems = [Problem(rel, lines.get(key), f"unknown key {key!r} in a story file; valid keys: entries, featured, title")
                    for key in unknown]
    title = meta.get("title")
    if title is not None and not isinstance(title, (str, int, float)):
        problems.append(Problem(rel, lines.get("title"), "title must be text"))
        title = None
    featured = meta.get("featured", False)
    if not isinstance(featured, bool):
        problems.append(Problem(rel, lines.get("featured"), "featured must be true or false"))
        featured = False
    entries = meta.get("entries") or []
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        problems.append(Problem(rel, lines.get("entries"), "entries must be a list of article paths relative to the content folder"))
        entries = []
    # As the file system spells them: "café.md" typed in one Unicode form names the file in
    # the other too (macOS writes names decomposed), "./2024/vote.md" names 2024/vote.md;
    # listed twice is listed once.
    if any(path not in known_paths for path in entries):
        spelled = {unicodedata.normalize("NFC", known): known for known in known_paths}
        entries = [spelled.get(unicodedata.normalize("NFC", posixpath.normpath(path)), path) for path in entries]
    entries = list(dict.fromkeys(entries))
    line_of = _item_lines(text, lines.get("entries"), entries)
    for path in entries:
        if path not in known_paths:
            problems.append(Problem(rel, line_of[path], f"entries: no article {path!r} in the content folder", "warning"))
    stem = PurePosixPath(rel).stem
    slug = slugify(stem, "story")
    if slug != stem:
        problems.append(Problem(rel, None, f"a story file's name is its URL slug: rename it to {slug}.md"))
    story = StoryFile(
        slug=slug,
        source_path=rel,
        title=" ".join(str(title).split()) if title is not None else None,
        summary=" ".join(parsed.paragraphs) or None,
        featured=featured,
        entries=tuple(p for p in entries if p in known_paths),
        entry_lines=tuple(line_of[p] for p in entries if p in known_paths),
    )
    return story, problems


def _item_lines(text: str, key_line: int | None, entries: list[str]) -> dict[str, int | None]:
    """The file line of each of ``entries``, listed from ``key_line`` on (the key's own line for
    an entry written otherwise, in another Unicode form say), for messages that point at it."""
    found: dict[str, int | None] = {path: key_line for path in entries}
    if key_line is None:
        return found
    lines = text.split("\n")
    for number in range(key_line, len(lines) + 1):
        line = unicodedata.normalize("NFC", lines[number - 1])
        if line.strip() == "---":
            break
        for path in entries:
            if found[path] == key_line and unicodedata.normalize("NFC", path) in line:
                found[path] = number
    return found
