"""Scripts written without spaces between words, for the tokenisers of grouping and search.

Chinese, Japanese, Thai, Lao, Khmer and Myanmar put no space between words (Korean spaces
its words but glues particles to them), so cutting text at spaces and punctuation makes
each sentence one long word, shared with no other text. A run of these scripts is cut into
overlapping pairs of characters instead, "花莲县" -> "花莲", "莲县", as search engines index
them (Lucene's CJK bigrams): two texts about one thing share many pairs, as they share
words elsewhere.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# Code point ranges, as a regular expression's character class. templates/static/search.js
# has the same list, for queries.
UNSPACED = ("\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u31ff"
            "\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\uac00-\ud7af\uf900-\ufaff")
_FIRST = "\u0e00"
_RUNS = re.compile(f"([{UNSPACED}]+)")


@functools.cache
def separators() -> dict[int, str]:
    """A str.translate() table turning the punctuation, symbols, spaces and control characters
    of every script beyond ASCII into spaces: „Merkel“ is Merkel, and 东京，大阪 two words.
    Currency signs stay with their amounts (£2m), as they always have."""
    return {code: " " for code in range(0x80, 0x10000)
            if (kind := unicodedata.category(chr(code)))[0] in "PSZ" and kind != "Sc" or kind == "Cc"}


_ASCII_BYTES = bytes(range(0x80))
_MAX_REPLACES = 24  # past this many distinct characters to replace, one str.translate() is quicker


def translate_beyond_ascii(text: str, table: dict[int, str | None]) -> str:
    """``text.translate(table)``, for a table that leaves ASCII alone and maps to ASCII or
    deletes. str.translate() looks up every character in the table, 50 ns each: half a
    millisecond an article for text with one curly quote. Most text beyond ASCII has a
    handful of distinct such characters, which C code finds and replaces in a few µs."""
    if text.isascii():
        return text
    beyond = text.encode("utf-8", "surrogatepass").translate(None, _ASCII_BYTES).decode("utf-8", "surrogatepass")
    changed = [c for c in set(beyond) if ord(c) in table]
    if len(changed) > _MAX_REPLACES:
        return text.translate(table)
    for character in sorted(changed):
        text = text.replace(character, table[ord(character)] or "")
    return text


def may_have_unspaced(text: str) -> bool:
    """False when ``text`` surely holds no unspaced script (checked in C: most text is spaced)."""
    return not text.isascii() and max(text, default="") >= _FIRST


def in_pairs(tokens: list[str]) -> list[str]:
    """``tokens`` with every run of an unspaced script cut into overlapping pairs of
    characters (a lone character stays as it is); the rest of a token is kept whole."""
    if max("".join(tokens), default="") < _FIRST:  # none to cut: checked in C, not token by token
        return tokens
    out: list[str] = []
    for token in tokens:
        if token.isascii() or max(token) < _FIRST:  # isascii() is a flag, max() a scan
            out.append(token)
            continue
        for number, part in enumerate(_RUNS.split(token)):
            if number % 2:  # split() puts the runs at odd places
                out.extend(part[i:i + 2] for i in range(max(1, len(part) - 1)))
            elif part:
                out.append(part)
    return out
