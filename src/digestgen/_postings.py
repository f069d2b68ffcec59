"""The search index's inverted index, made with numpy: word -> the documents that hold it.

Its own module so that numpy is loaded only by the builds that make a search index, not
by every read worker or by a build that finds nothing to do.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from typing import Iterator, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .search import posting


def entries(texts: Sequence[str]) -> dict[str, str]:
    """word -> its entry (search.posting()), in word order, for documents numbered by position.
    Documents are their words (search.words()), separated by single spaces.

    A 10,000-article site has about three million (word, document) pairs: grouped with a
    dict of lists, hashing each word took three seconds. Here each word of up to
    _PACKED characters becomes a number that sorts as the word does (base 37: the
    characters [0-9a-z] in ASCII order, after 0 for "no character"), so stable numpy sorts
    group the pairs, documents ascending; the few longer words go the dict way.
    This runs while the build holds its pages in memory, so documents are read a few
    thousand at a time and words sorted by first character, one character at a time: at
    60,000 documents it peaks at 274 MB traced, the dict of lists at 220 MB."""
    if not any(texts):
        return {}
    texts, longer = _ascii_words(texts)  # the others go the dict way, with the long ones
    # document d's words are words first_word[d] to first_word[d + 1] - 1
    first_word = np.cumsum([0, *(text.count(" ") + 1 if text else 0 for text in texts)])
    code = np.empty(first_word[-1], np.int64)
    for lo in range(0, len(texts), _DOCUMENTS):  # their characters, a few MB at a time
        at, to = first_word[lo], first_word[min(lo + _DOCUMENTS, len(texts))]
        if at == to:
            continue  # documents without words
        text = " ".join(text for text in texts[lo:lo + _DOCUMENTS] if text).encode("ascii") + bytes(_PACKED)
        ends = _word_ends(text)
        code[at:to] = part = _packed(np.frombuffer(text, np.uint8), ends)
        long = np.flatnonzero(part < 0)
        starts = np.where(long > 0, ends[long - 1] + 1, 0).tolist()
        for start, end, number in zip(starts, ends[long].tolist(), _documents(long + at, first_word).tolist()):
            longer[text[start:end].decode("ascii")].append(number)
    names = [str(n) for n in range(len(texts))]  # every document number and every gap between two
    terms: dict[str, str] = {}
    for words in _by_first_character(code):
        terms |= _listed(*_sorted(code[words], words, first_word), names)
    for word in sorted(longer):  # sorted too, so the sort below merges two runs
        terms[word] = posting(word, longer[word])
    return {word: terms[word] for word in sorted(terms)}


def _ascii_words(texts: Sequence[str]) -> tuple[Sequence[str], defaultdict[str, list[int]]]:
    """``texts`` with their words of [0-9a-z] alone (what the numbers below can hold), and
    every other word with its documents, ascending."""
    others: defaultdict[str, list[int]] = defaultdict(list)
    if all(text.isascii() for text in texts):
        return texts, others
    kept = list(texts)
    for number, text in enumerate(texts):
        if not text.isascii():
            ascii_words = []
            for word in text.split(" "):
                if word.isascii():
                    ascii_words.append(word)
                else:
                    others[word].append(number)
            kept[number] = " ".join(ascii_words)
    return kept, others


def _by_first_character(code: np.ndarray) -> Iterator[np.ndarray]:
    """The numbers of the words (of up to _PACKED characters) that start with each of the
    36 characters in turn, in the characters' order, which is the words' order: so each
    sort, and the arrays it makes, holds a fraction of all words."""
    first = np.empty(code.size, np.uint8)
    for at in range(0, code.size, _CHUNK):
        part = code[at:at + _CHUNK]
        first[at:at + _CHUNK] = np.where(part < 0, 0, part // 37 ** (_PACKED - 1))
    for digit in range(1, 37):
        words = np.flatnonzero(first == digit)
        if words.size:
            yield words


def _sorted(code: np.ndarray, words: np.ndarray, first_word: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """For words (numbered ``words``, with the numbers ``code``): each one's document in
    word order, then document order; where each distinct word's documents start; the words."""
    order = np.argsort(code, kind="stable")
    code = code[order]
    first = np.flatnonzero(np.diff(code, prepend=-2))
    return _documents(words[order], first_word), first, _unpacked(code[first])


def _listed(numbers: np.ndarray, first: np.ndarray, words: list[str], names: list[str]) -> dict[str, str]:
    """word -> its entry, from the document ``numbers`` of all words one after another (the
    i-th word's from ``first[i]``): a few thousand words at a time, each group's numbers
    made one string (``names[n]`` is str(n)) and cut at offsets computed from their widths."""
    ends = np.append(first[1:], numbers.size)
    terms = {}
    for group in range(0, len(words), _WORDS):
        lo, hi = first[group], ends[min(group + _WORDS, len(words)) - 1]
        starts = first[group:group + _WORDS] - lo
        part = numbers[lo:hi]
        deltas = part.copy()
        deltas[1:] -= part[:-1]
        deltas[starts] = part[starts]
        listed = ",".join(map(names.__getitem__, deltas.tolist()))
        width = np.full(deltas.size, 2, np.int64)  # a number's digits and its comma
        for power in itertools.takewhile(lambda p: p < len(names), (10 ** k for k in itertools.count(1))):
            width += deltas >= power
        offsets = np.append(0, np.cumsum(width))
        cut_from = offsets[starts].tolist()
        cut_to = (np.append(offsets[starts[1:]], offsets[-1]) - 1).tolist()
        for word, a, b in zip(words[group:group + _WORDS], cut_from, cut_to):
            terms[word] = f'"{word}":[{listed[a:b]}]'
    return terms


_PACKED = 12  # characters a word number holds: 37 ** 12 < 2 ** 63
_CHARACTERS = b"0123456789abcdefghijklmnopqrstuvwxyz"
_DIGIT = np.zeros(256, np.uint8)  # a character's digit; 0 for the space after a word
_DIGIT[np.frombuffer(_CHARACTERS, np.uint8)] = np.arange(1, 37)
_CHARACTER = np.frombuffer(b"\0" + _CHARACTERS, np.uint8)
_CHUNK = 1 << 18  # words numbered at once
_WORDS = 1 << 13  # distinct words listed at once
_DOCUMENTS = 1 << 12  # documents whose characters are read at once


def _word_ends(text: bytes) -> np.ndarray:
    """Where each word of ``text`` ends: its space, or the _PACKED zeros at the end."""
    characters = np.frombuffer(text, np.uint8)[:len(text) - _PACKED]
    return np.append(np.flatnonzero(characters == 32), characters.size)


def _packed(characters: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Each word's number; -1 for a word longer than _PACKED characters. ``characters``
    end with _PACKED zeros, so every word has that many to read."""
    windows = sliding_window_view(characters, _PACKED)
    code = np.empty(ends.size, np.int64)
    for at in range(0, ends.size, _CHUNK):
        end = ends[at:at + _CHUNK]
        start = np.empty_like(end)
        start[0] = ends[at - 1] + 1 if at else 0
        start[1:] = end[:-1] + 1
        length = end - start
        digits = _DIGIT[windows[start]]
        digits[np.arange(_PACKED) >= length[:, np.newaxis]] = 0  # past the word: the next ones'
        part = np.zeros(end.size, np.int64)
        for column in digits.T:
            part *= 37
            part += column
        part[length > _PACKED] = -1
        code[at:at + _CHUNK] = part
    return code


def _documents(words: np.ndarray, first_word: np.ndarray) -> np.ndarray:
    """The document of each of ``words`` (word numbers), as 32-bit numbers, a chunk at a time."""
    found = np.empty(words.size, np.int32)
    for at in range(0, words.size, _CHUNK):
        found[at:at + _CHUNK] = np.searchsorted(first_word, words[at:at + _CHUNK], side="right") - 1
    return found


def _unpacked(code: np.ndarray) -> list[str]:
    digits = np.empty((code.size, _PACKED), np.uint8)
    for column in range(_PACKED - 1, -1, -1):
        code, digit = np.divmod(code, 37)
        digits[:, column] = _CHARACTER[digit]
    return digits.view(f"S{_PACKED}").ravel().astype(str).tolist()  # "S" drops the trailing NULs
