"""URL slugs: ASCII, lower-case, unique, and never a path outside the output folder."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import Iterable

from ._scripts import separators, translate_beyond_ascii

MAX_SLUG_LENGTH = 80
_APOSTROPHES = re.compile(r"['’ʼ`]")
# Names Windows refuses as file or folder names, whatever the extension.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(text: str, fallback: str = "untitled") -> str:
    """``"North Korea’s Kim Sends…"`` → ``"north-koreas-kim-sends"``.

    Only ``[a-z0-9-]`` survive, so no slug can hold a separator, ``..`` or NUL.
    Text with nothing ASCII to keep (a Greek or Chinese headline) gets the
    fallback plus a short hash of its NFC form, so it stays distinct and stable
    from build to build; NFC and NFD spellings of one text give one slug.
    """
    # Punctuation beyond ASCII separates words as ASCII's does ("Mumbai–Pune" was "mumbaipune");
    # an apostrophe inside a word does not ("Korea’s": "koreas").
    spaced = translate_beyond_ascii(_APOSTROPHES.sub("", text), separators()).translate(_LETTERS)
    ascii_text = unicodedata.normalize("NFKD", spaced).encode("ascii", "ignore").decode("ascii").lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    if len(slug) > MAX_SLUG_LENGTH:
        slug = slug[:MAX_SLUG_LENGTH].rsplit("-", 1)[0] or slug[:MAX_SLUG_LENGTH]
    if not _LETTER.search(slug) and any(ch.isalpha() and not ch.isascii() for ch in text):
        slug = ""  # only the digits of a Japanese or Arabic headline ("7-48"): no name, and one many share
    if not slug:
        nfc = " ".join(unicodedata.normalize("NFC", text).split())
        suffix = hashlib.sha256(nfc.encode("utf-8", "surrogatepass")).hexdigest()[:8] if nfc else ""
        base = re.sub(r"[^a-z0-9]+", "-", fallback.lower()).strip("-") or "untitled"
        slug = f"{base}-{suffix}" if suffix else base
    if slug in _RESERVED:
        slug += "-1"
    return slug


# Letters that decompose to no ASCII letter, as they are written without their marks
# ("Straßenbahn" was "straenbahn", Turkish "sarsıldı" "sarsld").
_LETTERS = str.maketrans({"ß": "ss", "ẞ": "SS", "ı": "i", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe",
                          "Œ": "OE", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "þ": "th", "Þ": "TH", "ð": "d", "Ð": "D",
                          "ħ": "h", "Ħ": "H", "ŋ": "ng", "Ŋ": "NG"})

_LETTER = re.compile("[a-z]")
_PLAIN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")


def is_slug(text: str) -> bool:
    """Is ``text`` a slug slugify() could have made (and would leave as it is)?"""
    if _PLAIN_SLUG.fullmatch(text) and len(text) <= MAX_SLUG_LENGTH and text not in _RESERVED:
        return True  # the usual case, without slugify's Unicode work
    return bool(text) and slugify(text) == text


def unique_slugs(texts: Iterable[str], taken: Iterable[str] = (), fallback: str = "untitled") -> list[str]:
    """Slugs for ``texts`` in order; a clash gets ``-2``, ``-3``… in input order."""
    used = set(taken)
    last: dict[str, int] = {}  # base -> the highest n it was given: base-2 ... base-n are all used
    result = []
    for text in texts:
        base = slugify(text, fallback)
        slug, n = base, last.get(base, 1)
        while slug in used:  # without `last`, k texts with one title would probe k^2 / 2 slugs
            n += 1
            slug = f"{base}-{n}"
        last[base] = n
        used.add(slug)
        result.append(slug)
    return result
