"""URL slugs: ASCII, lower-case, unique, and never a path outside the output folder."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

MAX_SLUG_LENGTH = 80
# Names Windows refuses as file or folder names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(text: str, fallback: str = "untitled") -> str:
    """``"North Korea’s Kim Sends…"`` → ``"north-koreas-kim-sends"``.

    Only ``[a-z0-9-]`` survive, so no slug can hold a separator, ``..`` or NUL.
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    ascii_text = re.sub(r"['’`]", "", ascii_text)
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rsplit("-", 1)[0] or slug[:MAX_SLUG_LENGTH]
    if not slug:
        slug = fallback
    if slug in _RESERVED:
        slug += "-1"
    return slug


def unique_slugs(texts: Iterable[str], taken: Iterable[str] = (), fallback: str = "untitled") -> list[str]:
    """Slugs for ``texts`` in order; a clash gets ``-2``, ``-3``… in input order."""
    used = set(taken)
    result = []
    for text in texts:
        base = slugify(text, fallback)
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        result.append(slug)
    return result
