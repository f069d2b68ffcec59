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
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{where}: {prefix}{self.message}"


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
