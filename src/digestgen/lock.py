"""Reading and writing the story lock, ``content/.stories.json``.

The only file digestgen ever writes inside the content folder. It is small,
sorted and indented so that it diffs well in version control, and it is
replaced atomically so a killed build never leaves half a file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from .errors import ContentError, Problem
from .models import StoryLock

_FORMAT = 1


def read_lock(path: Path) -> StoryLock:
    if not path.exists():
        return StoryLock()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise _unreadable(path, None, str(exc)) from None
    conflict = _CONFLICT.search(text)
    if conflict:  # two branches each changed it: the usual way a team's lock breaks
        raise ContentError(Problem(
            str(path), _line(text, conflict.start()),
            "the story lock has a merge conflict: take either side as it is (git checkout --ours, or "
            "--theirs, then git add it) and build; stories the other side named get the same "
            "addresses from their headlines again"))
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise _unreadable(path, getattr(exc, "lineno", None), str(exc)) from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise _unreadable(path, 1, f"unsupported format {found!r}")
    try:
        return StoryLock(
            stories=_table(data, "stories", list),
            articles=_table(data, "articles", str),
            redirects=_table(data, "redirects", str, optional=True),
            retired=_table(data, "retired", list, optional=True),
        )
    except _Malformed as exc:
        raise _unreadable(path, _line(text, text.find(json.dumps(exc.key, ensure_ascii=False))), exc.message) from None


_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


class _Malformed(Exception):
    def __init__(self, key: str, message: str) -> None:
        self.key, self.message = key, message


def _table(data: dict, name: str, kind: type, *, optional: bool = False) -> dict:
    """``data[name]``: names to a path (``str``) or to a list of paths (``list``), checked,
    since a hand-merged lock can be JSON and still wrong (a list left a string)."""
    if name not in data and optional:
        return {}
    table = data.get(name)
    if not isinstance(table, dict):
        raise _Malformed(name, f"{name!r} must be a table of names, not {type(table).__name__}")
    for key, value in table.items():
        ok = isinstance(value, str) if kind is str else (
            isinstance(value, list) and all(isinstance(v, str) for v in value))
        if not ok:
            wanted = "an article path" if kind is str else "a list of article paths"
            raise _Malformed(key, f"{name}[{key!r}] must be {wanted}, not {json.dumps(value, ensure_ascii=False)[:60]}")
    return {k: v if kind is str else tuple(v) for k, v in table.items()}


def _line(text: str, offset: int) -> int | None:
    return text.count("\n", 0, offset) + 1 if offset >= 0 else None


def _unreadable(path: Path, line: int | None, reason: str) -> ContentError:
    return ContentError(Problem(
        str(path), line,
        f"cannot read the story lock ({reason}); restore it from version control (deleting it "
        "assigns every story its address afresh, and published addresses may change)",
    ))


def lock_text(lock: StoryLock) -> str:
    data = {
        "format": _FORMAT,
        "stories": {slug: sorted(paths) for slug, paths in sorted(lock.stories.items())},
        "articles": dict(sorted(lock.articles.items())),
        "redirects": dict(sorted(lock.redirects.items())),
    }
    if lock.retired:  # only once a story has been merged away: older locks stay as they were
        data["retired"] = {slug: sorted(paths) for slug, paths in sorted(lock.retired.items())}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def holds(path: Path, lock: StoryLock) -> bool:
    """Does the file at ``path`` hold ``lock``, as write_lock() would write it?"""
    try:
        return path.read_text(encoding="utf-8") == lock_text(lock)
    except (OSError, UnicodeDecodeError):
        return False


def check_lock_writable(path: Path) -> None:
    """Raise ContentError if the lock at ``path`` cannot be written (a read-only content folder):
    asked before the site is swapped in, so the build stops with it as it was."""
    probe = _temporary(path)
    try:
        probe.open("w").close()
        probe.unlink()
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def write_lock(path: Path, lock: StoryLock) -> None:
    """Replace the lock at ``path`` with ``lock``, atomically."""
    temporary = _temporary(path)
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(lock_text(lock))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise _cannot_write(path, exc) from None


def _temporary(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


def _cannot_write(path: Path, exc: OSError) -> ContentError:
    return ContentError(Problem(str(path), None, f"cannot write the story lock: {exc.strerror or exc}"))
