"""Reading and writing the story lock, ``content/.stories.json``.

The only file digestgen ever writes inside the content folder. It is small,
sorted and indented so that it diffs well in version control, and it is
replaced atomically so a killed build never leaves half a file.
"""

from __future__ import annotations

import contextlib
import glob
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
        data = json.loads(text, object_pairs_hook=_no_twice)
    except _Malformed as exc:  # a name written twice: a hand-merged conflict that kept both sides
        first = text.find(json.dumps(exc.key, ensure_ascii=False) + ":")
        raise _unreadable(path, _line(text, text.find(json.dumps(exc.key, ensure_ascii=False) + ":", first + 1)),
                          exc.message) from None
    except ValueError as exc:
        raise _unreadable(path, getattr(exc, "lineno", None), str(exc)) from None
    if not isinstance(data, dict) or data.get("format") != _FORMAT:
        found = data.get("format") if isinstance(data, dict) else None
        raise _unreadable(path, 1, f"unsupported format {found!r}")
    try:
        return StoryLock(
            stories=_table(data, "stories", list, slugs="keys"),
            articles=_table(data, "articles", str, slugs="values"),
            redirects=_table(data, "redirects", str, optional=True, slugs="both"),
            retired=_table(data, "retired", list, optional=True, slugs="keys"),
        )
    except _Malformed as exc:
        raise _unreadable(path, _line(text, text.find(json.dumps(exc.key, ensure_ascii=False))), exc.message) from None


_CONFLICT = re.compile(r"^(?:<{7}|={7}|>{7})(?: |$)", re.MULTILINE)


class _Malformed(Exception):
    def __init__(self, key: str, message: str) -> None:
        self.key, self.message = key, message


def _no_twice(pairs: list[tuple[str, object]]) -> dict:
    table: dict = {}
    for key, value in pairs:
        if key in table:
            raise _Malformed(key, f"{key!r} is written twice (a merge that kept both sides?): keep one")
        table[key] = value
    return table


# A story's or an article's address, as digestgen makes them (slugs.slugify: lower-case ASCII
# letters, digits and single hyphens, and a "-2" after an 80-character one). One edited by
# hand into anything else ("a?b#c", "UPPER", "../x") would be published as a broken address.
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def _bad_slug(slug: str) -> bool:
    return not (_SLUG.fullmatch(slug) and len(slug) <= 200)


def _table(data: dict, name: str, kind: type, *, optional: bool = False, slugs: str = "") -> dict:
    """``data[name]``: names to a path (``str``) or to a list of paths (``list``), checked,
    since a hand-merged lock can be JSON and still wrong (a list left a string); and the
    addresses in it (``slugs``: its "keys", its "values" or "both")."""
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
        for slug in (key,) * (slugs in ("keys", "both")) + (value,) * (slugs in ("values", "both")):
            if _bad_slug(slug):
                raise _Malformed(key, f"{name}: {slug!r} is not an address digestgen would make: write it in "
                                      "lower-case letters, digits and single hyphens (a-z, 0-9, -)")
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
    """Does the file at ``path`` hold ``lock``, as prepare_lock() would write it?"""
    try:
        return path.read_text(encoding="utf-8") == lock_text(lock)
    except (OSError, UnicodeDecodeError):
        return False


def prepare_lock(path: Path, lock: StoryLock) -> Path:
    """Write ``lock`` beside the lock at ``path``, whole, and return where: done before the site
    is swapped in, so a content folder that cannot take it (read-only, a full disk) stops the
    build with the site as it was. place_lock() then puts it in place; discard_lock() drops it."""
    _remove_leftovers(path)
    temporary = _temporary(path)
    try:
        with open(temporary, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(lock_text(lock))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        _remove(temporary)
        raise _cannot_write(path, exc) from None
    return temporary


def place_lock(prepared: Path, path: Path) -> None:
    """Replace the lock at ``path`` with the one prepare_lock() wrote, atomically (a rename,
    which needs no space)."""
    try:
        os.replace(prepared, path)
    except OSError as exc:
        _remove(prepared)
        raise _cannot_write(path, exc) from None


def discard_lock(prepared: Path | None) -> None:
    if prepared is not None:
        _remove(prepared)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # (what stood in its way may be a folder, say)
        path.unlink(missing_ok=True)



def _temporary(path: Path) -> Path:
    return path.with_name(f"{path.name}.{os.getpid()}.tmp")


def _remove_leftovers(path: Path) -> None:
    """Remove the prepared locks of builds killed before they placed them (hidden, so never
    read as content, but git would see them)."""
    from .output import process_alive

    for leftover in path.parent.glob(f"{glob.escape(path.name)}.*.tmp"):
        pid = leftover.name[len(path.name) + 1:-len(".tmp")]
        if pid.isdigit() and int(pid) != os.getpid() and not process_alive(int(pid)):
            leftover.unlink(missing_ok=True)


def _cannot_write(path: Path, exc: OSError) -> ContentError:
    return ContentError(Problem(str(path), None, f"cannot write the story lock: {exc.strerror or exc}"))
