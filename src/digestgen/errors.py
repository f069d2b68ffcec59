"""Everything that can go wrong in a build, as values a user can act on.

The hierarchy::

    DigestgenError            a build could not finish; carries every Problem found
    ├── ConfigError           digestgen.toml is unreadable, has unknown keys or bad values
    ├── ContentError          content files cannot be turned into entries, the story lock
    │                         cannot be read or written, or (under --strict) warnings
    ├── TemplateError         a template does not compile or fails while rendering
    └── OutputError           two outputs claim one path, or output/ cannot be written

A :class:`Problem` is one finding with a location. Warnings are Problems too: a
build returns them in ``BuildResult.warnings``, and they fail it only under
``--strict``. (``digestgen new`` has its own ``scaffold.ScaffoldError``: it builds nothing.)
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int | None
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        path = shown_path(self.path)
        where = path if self.line is None else f"{path}:{self.line}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


# Control characters, and the format characters that reorder text (bidi overrides): a file
# name from a scraper may hold them, and printed as they are they would drive the terminal
# (retitle it, move the cursor up and erase the errors above) or forge a line of their own.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def shown_path(path: str) -> str:
    """``path`` as a terminal may print it: unprintable characters written as escapes (``\\x1b``)."""
    if not _UNPRINTABLE.search(path):
        return path
    return _UNPRINTABLE.sub(lambda m: repr(m.group())[1:-1] if unicodedata.category(m.group()) == "Cc"
                            else f"\\u{ord(m.group()):04x}", path)


class DigestgenError(Exception):
    """A build stopped. ``problems`` lists every error found, not just the first."""

    def __init__(self, problems: list[Problem] | Problem):
        self.problems = [problems] if isinstance(problems, Problem) else list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __reduce__(self):  # noqa: ANN204 - errors cross process boundaries in parallel builds
        return (type(self), (self.problems,))


class ConfigError(DigestgenError):
    pass


class ContentError(DigestgenError):
    pass


class TemplateError(DigestgenError):
    pass


class OutputError(DigestgenError):
    pass
