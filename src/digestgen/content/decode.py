"""Bytes from the web into text: UTF-8 first, then what scrapers actually produce."""

from __future__ import annotations

import codecs
import re


class BinaryFileError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line  # of the first thing that gave it away, when one did


# C0 controls other than tab, newline, carriage return and form feed, plus DEL:
# never part of an article, often a sign of a binary file.
# Control characters and Unicode's noncharacters (U+FDD0-FDEF, U+FFFE and U+FFFF of every
# plane): HTML and XML refuse both, and no text means them.
NONCHARACTERS = "\ufdd0-\ufdef" + "".join(f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17))
_CONTROLS = re.compile(f"[\x01-\x08\x0b\x0e-\x1f\x7f{NONCHARACTERS}]")
_MAX_CONTROL_SHARE = 0.01  # more than 1% control characters: binary, not text
# The same controls as UTF-8 bytes, and the bytes every noncharacter's UTF-8 form holds
# (U+FDD0-FDEF: EF B7 90-AF; U+xFFFE, U+xFFFF: .. BF BE, .. BF BF): see _count_controls.
_CONTROL_BYTES = bytes([*range(0x01, 0x09), 0x0B, *range(0x0E, 0x20), 0x7F])
_NONCHARACTER_MARKS = (b"\xef\xb7", b"\xbf\xbe", b"\xbf\xbf")
_SAMPLE = 4096


def _cp1252_byte(byte: int) -> str:
    """One byte read as cp1252; the five bytes cp1252 leaves undefined read as Latin-1."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return chr(byte)


_CP1252 = tuple(_cp1252_byte(b) for b in range(256))
# C1 controls (U+0080-U+009F) in decoded text are cp1252 bytes that went through a Latin-1
# decoder somewhere upstream ("\x93resigns\x94" for “resigns”): read as cp1252, as HTML reads
# them in a character reference; the five cp1252 leaves undefined are dropped. YAML refused the
# front matter they were in, and pages showed them as boxes. A form feed (a page break) is a space.
_C1 = re.compile("[\x80-\x9f\x0c]")
_C1_READ = {chr(b): "" if _CP1252[b] == chr(b) else _CP1252[b] for b in range(0x80, 0xA0)} | {"\x0c": " "}


def _fallback(exc: UnicodeError) -> tuple[str, int]:
    if not isinstance(exc, UnicodeDecodeError):
        raise exc
    bad = exc.object[exc.start:exc.end]
    return "".join(_CP1252[b] for b in bad), exc.end


codecs.register_error("digestgen-cp1252", _fallback)


def decode(data: bytes) -> str:
    """Decode article bytes, never rejecting legacy encodings.

    UTF-8 (with or without BOM) and BOM-marked UTF-32/UTF-16 are exact, as is
    UTF-16 without a BOM when its zero bytes give it away. Bytes that are not
    valid UTF-8 are read one by one as cp1252, the usual encoding of scraped
    Western news (a cp1252 file decodes as cp1252; a UTF-8 file with a stray
    cp1252 byte keeps its UTF-8), and bytes cp1252 leaves undefined fall back
    to Latin-1 so nothing is dropped. Binary data raises BinaryFileError.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return _exact(data, "utf-32", "UTF-32")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _exact(data, "utf-16", "UTF-16")
    if b"\x00" in data:
        guess = _utf16_without_bom(data)
        if guess:
            return _exact(data, guess, "UTF-16")
        raise BinaryFileError("binary data (NUL bytes), not a text article: save it as UTF-8 text, "
                              "or move it out of the content folder", data.count(b"\n", 0, data.index(b"\x00")) + 1)
    return _normalise(data.decode("utf-8", errors="digestgen-cp1252"))


def _exact(data: bytes, codec: str, name: str) -> str:
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise BinaryFileError(f"invalid {name} at byte {exc.start}") from None
    return _normalise(text.removeprefix("\ufeff"))


def _utf16_without_bom(data: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes read as UTF-16 text: every other byte zero, as
    in Western text; or, in other scripts (Greek, Chinese: no zero bytes but in ASCII), its
    spaces and line ends on one side only, and the whole decoding as text."""
    sample = data[:_SAMPLE]
    if len(data) % 2 or len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    pairs = len(sample) // 2
    if odd.count(0) >= 0.9 * pairs and even.count(0) == 0:
        return "utf-16-le"
    if even.count(0) >= 0.9 * pairs and odd.count(0) == 0:
        return "utf-16-be"
    codes = [(a, b) for a, b in zip(even, odd)]
    little = sum(1 for a, b in codes if b == 0 and a in _SPACING)
    big = sum(1 for a, b in codes if a == 0 and b in _SPACING)
    codec = "utf-16-le" if little > big else "utf-16-be"
    if max(little, big) < max(2, pairs // 100) or min(little, big) > 0:
        return None
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    readable = sum(1 for c in text[:_SAMPLE] if c.isprintable() or c in "\t\n\r")
    return codec if "\x00" not in text and readable >= 0.98 * min(len(text), _SAMPLE) else None


_SPACING = frozenset(b" \n\r\t")


def _normalise(text: str) -> str:
    if "\x00" in text:
        raise BinaryFileError("binary data (NUL characters), not a text article")
    controls = _count_controls(text)
    if controls:
        if controls > max(8, _MAX_CONTROL_SHARE * len(text)):
            raise BinaryFileError(f"binary data ({controls} control characters), not a text article")
        text = _CONTROLS.sub("", text)
    if _C1.search(text):
        text = _C1.sub(lambda m: _C1_READ[m.group()], text)
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _count_controls(text: str) -> int:
    """len(_CONTROLS.findall(text)), a ninth of the time on ordinary text: C code counts
    the control bytes, and the pattern runs only where a noncharacter may be (at 10,000
    articles the pattern alone took 1.3 s of CPU in a clean build)."""
    data = text.encode("utf-8", "surrogatepass")
    if any(mark in data for mark in _NONCHARACTER_MARKS):
        return len(_CONTROLS.findall(text))
    return len(data) - len(data.translate(None, _CONTROL_BYTES))
