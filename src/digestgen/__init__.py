"""digestgen: a static site generator for a curated news digest.

The public surface is small: :func:`digestgen.build.build` with :class:`Paths`, the models, and
the exceptions in :mod:`digestgen.errors`. Everything else is private.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .config import Config, Paths  # noqa: E402
from .errors import ConfigError, ContentError, DigestgenError, OutputError, Problem, TemplateError  # noqa: E402
from .models import Digest, Entry, Story  # noqa: E402



__all__ = [
    "Config", "ConfigError", "ContentError", "Digest", "DigestgenError", "Entry", "OutputError",
    "Paths", "Problem", "Story", "TemplateError", "__version__",
]
