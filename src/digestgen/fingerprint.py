"""Fingerprints of render inputs: equal fingerprints mean a page would render to the same bytes.

Pure. Values are walked structurally (dataclasses field by field, mappings in key order),
and each model object is hashed once per Fingerprinter however many pages show it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import date, datetime
from enum import Enum
from typing import Any, Mapping


class Fingerprinter:
    def __init__(self, salt: str = "") -> None:
        self._salt = salt.encode()
        self._memo: dict[int, tuple[object, bytes]] = {}

    def __call__(self, *values: Any) -> str:
        digest = hashlib.blake2b(self._salt, digest_size=16)
        for value in values:
            self._feed(digest, value)
        return digest.hexdigest()

    def _feed(self, digest: "hashlib._Hash", value: Any) -> None:
        # Exact types first: a page's inputs are mostly strings, models and lists of them,
        # and this runs a few hundred thousand times a build.
        kind = type(value)
        if kind is str:
            digest.update(_text(value))
        elif _is_dataclass(kind):
            digest.update(self._object(value))
        elif kind is list or kind is tuple:
            digest.update(b"[")
            for item in value:
                self._feed(digest, item)
            digest.update(b"]")
        elif kind is dict and all(type(key) is str for key in value):
            digest.update(b"{")  # string keys sort as themselves, without repr()
            for key in sorted(value):
                self._feed(digest, key)
                self._feed(digest, value[key])
            digest.update(b"}")
        elif kind is datetime:
            digest.update(_moment(value))
        else:
            self._feed_other(digest, value)

    def _feed_other(self, digest: "hashlib._Hash", value: Any) -> None:  # noqa: C901 - one case per kind
        if value is None or isinstance(value, (bool, int, float, Enum)):
            digest.update(repr(value).encode() + b"\x00")
        elif isinstance(value, str):
            digest.update(_text(value))
        elif isinstance(value, bytes):
            digest.update(b"b" + len(value).to_bytes(8, "little") + value)
        elif isinstance(value, (datetime, date)):
            digest.update(_moment(value))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            digest.update(self._object(value))
        elif isinstance(value, Mapping):
            digest.update(b"{")
            for key in sorted(value, key=repr):
                self._feed(digest, key)
                self._feed(digest, value[key])
            digest.update(b"}")
        elif isinstance(value, (list, tuple, set, frozenset)):
            items = sorted(value, key=repr) if isinstance(value, (set, frozenset)) else value
            digest.update(b"[")
            for item in items:
                self._feed(digest, item)
            digest.update(b"]")
        elif callable(value):
            digest.update(b"f" + f"{value.__module__}.{value.__qualname__}".encode())
        else:
            digest.update(b"r" + repr(value).encode())

    def _object(self, value: Any) -> bytes:
        remembered = self._memo.get(id(value))
        if remembered is not None and remembered[0] is value:
            return remembered[1]
        inner = hashlib.blake2b(type(value).__qualname__.encode(), digest_size=16)
        if getattr(value, "key", ""):  # read from a file with this hash: only the slug is added later
            inner.update(b"k" + value.key.encode() + b"\x00" + getattr(value, "slug", "").encode())
            result = b"o" + inner.digest()
            self._memo[id(value)] = (value, result)
            return result
        for field in dataclasses.fields(value):
            inner.update(field.name.encode())
            self._feed(inner, getattr(value, field.name))
        result = b"o" + inner.digest()
        self._memo[id(value)] = (value, result)  # keeps value alive, so its id is not reused
        return result


_DATACLASS_TYPES: dict[type, bool] = {}
_ZONES: dict[object, bytes] = {}  # tzinfo -> its repr, which for a ZoneInfo is slow to make


def _text(value: str) -> bytes:
    data = value.encode("utf-8", "surrogatepass")
    return b"s" + len(data).to_bytes(8, "little") + data


def _moment(value: date) -> bytes:
    zone = getattr(value, "tzinfo", None)
    named = _ZONES.get(zone)
    if named is None:
        named = _ZONES[zone] = repr(zone).encode()
    return b"d" + value.isoformat().encode() + named


def _is_dataclass(kind: type) -> bool:
    known = _DATACLASS_TYPES.get(kind)
    if known is None:
        known = _DATACLASS_TYPES[kind] = dataclasses.is_dataclass(kind) and not issubclass(kind, Enum)
    return known
