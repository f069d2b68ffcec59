"""The search index's inverted index, made with numpy: word -> the documents that hold it.

Its own module so that numpy is loaded only by the builds that make a search index, not
by every read worker or by a build that finds nothing to do.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .search import _entry


def entries(texts: Sequence[str]) -> dict[str, str]:
    """word -> its entry (search._entry()), in word order, for documents numbered by position.
    Documents are their words, [0-9a-z]+ (search.words()), separated by single spaces.

    A 10,000-article site has about three million (word, document) pairs: grouped with a
    dict of lists, hashing each word took three seconds. Here each word of up to
    _PACKED characters becomes a number that sorts as the word does (base 37: the
    characters [0-9a-z] in ASCII order, after 0 for "no character"), so one stable numpy
    sort groups the pairs, documents ascending; the few longer words go the dict way.
    Arrays are 32-bit where they can be, and strings made a chunk at a time: this runs
    while the build's pages are held in memory."""
    if not any(texts):
        return {}
    counts = np.array([text.count(" ") + 1 if text else 0 for text in texts], np.int64)
    text = " ".join(text for text in texts if text).encode("ascii") + bytes(_PACKED)
    characters = np.frombuffer(text, np.uint8)
    spaces = np.flatnonzero(characters == 32).astype(np.int32)
    start = np.append(np.int32(0), spaces + 1)
    length = np.append(spaces, np.int32(len(text) - _PACKED)) - start
    del spaces
    doc = np.repeat(np.arange(len(texts), dtype=np.int32), counts)
    code = _packed(characters, start, length)
    long = np.flatnonzero(length > _PACKED)
    longer: defaultdict[str, list[int]] = defaultdict(list)
    for at, size, number in zip(start[long].tolist(), length[long].tolist(), doc[long].tolist()):
        longer[text[at:at + size].decode("ascii")].append(number)
    del characters, text, start, length
    order = np.argsort(code, kind="stable")[long.size:]  # the long words' -1 sort first
    code, numbers = code[order], doc[order]
    del order, doc
    first = np.flatnonzero(np.diff(code, prepend=-2))  # where each word's numbers begin
    words = _unpacked(code[first])
    del code
    deltas = numbers.copy()
    deltas[1:] -= numbers[:-1]
    deltas[first] = numbers[first]
    del numbers
    # every entry's numbers in one string, cut out at character offsets
    names = [str(n) for n in range(len(texts))]
    listed = ",".join(",".join(map(names.__getitem__, deltas[at:at + _CHUNK].tolist()))
                      for at in range(0, deltas.size, _CHUNK))
    width = np.full(deltas.size, 2, np.int32)  # of a number and its comma: its digits + 1
    for power in itertools.takewhile(lambda p: p < len(texts), (10 ** k for k in itertools.count(1))):
        width += deltas >= power
    bounds = np.append(0, np.cumsum(width, dtype=np.int64))
    del deltas, width
    cut_from = bounds[first].tolist()
    cut_to = (np.append(bounds[first[1:]], bounds[-1]) - 1).tolist()
    terms = {word: f'"{word}":[{listed[a:b]}]' for word, a, b in zip(words, cut_from, cut_to)}
    for word in sorted(longer):  # sorted too, so the sort below merges two runs
        terms[word] = _entry(word, longer[word])
    return {word: terms[word] for word in sorted(terms)}


_PACKED = 12  # characters a word number holds: 37 ** 12 < 2 ** 63
_CHARACTERS = b"0123456789abcdefghijklmnopqrstuvwxyz"
_DIGIT = np.zeros(256, np.uint8)  # a character's digit; 0 for the space after a word
_DIGIT[np.frombuffer(_CHARACTERS, np.uint8)] = np.arange(1, 37)
_CHARACTER = np.frombuffer(b"\0" + _CHARACTERS, np.uint8)
_CHUNK = 1 << 18  # words numbered or listed at once


def _packed(characters: np.ndarray, start: np.ndarray, length: np.ndarray) -> np.ndarray:
    """Each word's number; -1 for a word longer than _PACKED characters. ``characters``
    end with _PACKED zeros, so every word has that many to read."""
    windows = sliding_window_view(characters, _PACKED)
    code = np.zeros(start.size, np.int64)
    for at in range(0, start.size, _CHUNK):
        digits = _DIGIT[windows[start[at:at + _CHUNK]]]
        digits[np.arange(_PACKED) >= length[at:at + _CHUNK, np.newaxis]] = 0  # the next words'
        part = code[at:at + _CHUNK]
        for column in digits.T:
            part *= 37
            part += column
    code[length > _PACKED] = -1
    return code


def _unpacked(code: np.ndarray) -> list[str]:
    digits = np.empty((code.size, _PACKED), np.uint8)
    for column in range(_PACKED - 1, -1, -1):
        code, digit = np.divmod(code, 37)
        digits[:, column] = _CHARACTER[digit]
    return digits.view(f"S{_PACKED}").ravel().astype(str).tolist()  # "S" drops the trailing NULs
