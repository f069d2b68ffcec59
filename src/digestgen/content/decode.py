"""Bytes from the web into text: UTF-8 first, then what scrapers actually produce."""

from __future__ import annotations

import codecs


class BinaryFileError(ValueError):
    pass


def decode(data: bytes) -> str:
    """Decode article bytes, never rejecting legacy encodings.

    UTF-8 (with or without BOM) and BOM-marked UTF-16 are exact; anything else
    is read as cp1252, the usual encoding of scraped Western news, and bytes
    cp1252 leaves undefined fall back to Latin-1 so nothing is dropped.
    """
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return _normalise(data.decode("utf-16"))
        except UnicodeDecodeError as exc:
            raise BinaryFileError(f"invalid UTF-16 at byte {exc.start}") from None
    if b"\x00" in data:
        raise BinaryFileError("binary data (NUL bytes), not a text article")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
    return _normalise(text)


def _normalise(text: str) -> str:
    if "\x00" in text:
        raise BinaryFileError("binary data (NUL characters), not a text article")
    return text.replace("\r\n", "\n").replace("\r", "\n")
