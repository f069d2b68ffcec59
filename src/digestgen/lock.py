"""Reading and writing the story lock, ``content/.stories.json``.

The only file digestgen ever writes inside the content folder. It is small,
sorted and indented so that it diffs well in version control, and it is
replaced atomically so a killed build never leaves half a file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from .errors import ContentError, Problem
from .models import StoryLock

LOCK_FILENAME = ".stories.json"
_FORMAT = 1


def read_lock(path: Path) -> StoryLock:
    if not path.exists():
        return StoryLock()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != _FORMAT:
            raise ValueError(f"unsupported format {data.get('format')!r}")
        return StoryLock(
            stories={str(k): tuple(map(str, v)) for k, v in data["stories"].items()},
            articles={str(k): str(v) for k, v in data["articles"].items()},
            redirects={str(k): str(v) for k, v in data.get("redirects", {}).items()},
            retired={str(k): tuple(map(str, v)) for k, v in data.get("retired", {}).items()},
        )
    except (OSError, ValueError, KeyError, AttributeError, TypeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ContentError(Problem(
            str(path), line,
            f"cannot read the story lock ({exc}); restore it from version control, "
            "or delete it to let story URLs be assigned afresh",
        )) from None


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
