"""A prebuilt full-text search index, shipped as a fingerprinted script the search page loads.

The index is made of scripts rather than JSON fetched at run time, so search works on any
static host, under any subpath, and from a site opened from disk (browsers refuse ``fetch`` on
``file://``). A query loads only what it needs:

* ``static/search-index.<hash>.js``: a small manifest (``window.DIGESTGEN_SEARCH``) naming the
  other files, and the stop words left out of the index, which the script ignores in queries;
* ``static/search/terms-<letter>.<hash>.js``: the inverted index, sharded by a word's first
  letter: word -> document numbers (ascending, delta-encoded);
* ``static/search/docs-<n>.<hash>.js``: documents in chunks of 500, one row per story and per
  article: ``[kind, path, title, meta, snippet]``, in the digest's order read backwards (the
  newest story last, each story after its versions), so a new story lands at the end and
  the next build patches the index instead of renumbering it. The script ranks higher
  numbers first. Only the chunks holding the shown results are loaded.

Same input, same bytes: documents and terms are emitted in a fixed order.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import operator
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .config import Config
from .models import Digest, Entry
from .output import OutputFile
from .pages import article_path, story_path
from .render import human_date

STOP_WORDS = frozenset(
    "a an and are as at be but by for from had has have he her his i in is it its of on or she "
    "that the their them they this to was were which who will with you".split()
)
SNIPPET_CHARS = 160
DOCS_PER_CHUNK = 500
# Every byte but [0-9a-z] to a space: translate and split run in C, twice as fast as
# findall("[0-9a-z]+"), which they match word for word.
_NOT_WORD = bytes(b if b in b"0123456789abcdefghijklmnopqrstuvwxyz" else 0x20 for b in range(256))


def words(text: str) -> list[str]:
    """Lower-case ASCII words, accents folded: the same rule the search script applies to queries."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").lower()
    return folded.translate(_NOT_WORD).decode("ascii").split()


def entry_words(entry: Entry) -> str:
    """The distinct indexable words of one article, space-separated (one string pickles far
    faster than hundreds): computed where articles are read, in parallel and cached, since
    it depends on that article alone."""
    return " ".join(_indexable(" ".join([entry.title, entry.source, entry.author or "", *entry.tags, entry.text])))


def _indexable(text: str) -> list[str]:
    """Distinct words worth an index entry, in order of first appearance."""
    return [w for w in dict.fromkeys(words(text)) if w not in STOP_WORDS and len(w) > 1]


def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def _entry_meta(entry: Entry, config: Config) -> str:
    when = human_date(entry.date.astimezone(config.tzinfo), config.language) if entry.date else ""
    return " · ".join(p for p in (entry.source, when) if p)


@dataclass(frozen=True)
class Postings:
    """The inverted index one build made, kept so the next can patch it rather than start over:
    editing one article changes a few hundred words' postings, not the 150,000 of a 10k site."""

    texts: tuple[str, ...] = ()  # per document number: its indexed words, space-separated
    # word -> '"word":[document numbers, delta-encoded]', as its shard shows it; in word order
    terms: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SearchIndex:
    files: list[OutputFile]  # the manifest first (the file the search page loads), then chunks and shards
    postings: Postings | None  # for the next build; None when the last build's files were kept


# Patching costs about a millisecond per changed document; past this many, start over.
PATCH_LIMIT = 200


def search_index(digest: Digest, config: Config, known: Mapping[str, str] = {},
                 previous: Postings | None = None) -> SearchIndex:
    """The search index of ``digest``; the same bytes however it is made.

    ``known`` maps an entry's source path to its entry_words(), where already computed.
    ``previous`` is the last build's Postings: when few documents changed, they are patched."""
    docs: list[list[str]] = []
    texts: list[str] = []
    for story in reversed(digest.stories):
        for entry in reversed(story.entries):
            docs.append(["a", article_path(entry), entry.title, _entry_meta(entry, config),
                         _snippet(entry.summary or entry.lead)])
            texts.append(known.get(entry.source_path) or entry_words(entry))
        when = human_date(story.date.astimezone(config.tzinfo), config.language) if story.date else ""
        count = len(story.entries)
        meta = " · ".join(p for p in (f"Story, {count} version{'s' if count != 1 else ''}", when) if p)
        docs.append(["s", story_path(story), story.title, meta, _snippet(story.blurb)])
        texts.append(" ".join(_indexable(" ".join([story.title, story.blurb, *story.sources]))))
    terms = _patched(previous, texts) if previous is not None else None
    postings = Postings(tuple(texts), _terms(texts) if terms is None else terms)

    files: list[OutputFile] = []
    doc_files = []
    for first in range(0, max(len(docs), 1), DOCS_PER_CHUNK):
        chunk = files_for("docs", str(first // DOCS_PER_CHUNK), _json(docs[first:first + DOCS_PER_CHUNK]))
        files.append(chunk)
        doc_files.append(chunk.path)
    shards: dict[str, list[str]] = {}
    for word, entry in postings.terms.items():
        shards.setdefault(word[0], []).append(entry)
    term_files = {}
    for key in sorted(shards):
        shard = files_for("terms", key, "{" + ",".join(shards[key]) + "}")
        files.append(shard)
        term_files[key] = shard.path

    manifest = {"stop": sorted(STOP_WORDS), "chunk": DOCS_PER_CHUNK, "count": len(docs),
                "docs": doc_files, "terms": term_files}
    files.insert(0, _script("search-index", "window.DIGESTGEN_SEARCH=", _json(manifest), ";\n"))
    return SearchIndex(files, postings)


def _terms(texts: Sequence[str]) -> dict[str, str]:
    """word -> its entry (_entry()), in word order, for documents numbered by position.

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


def _patched(previous: Postings, texts: Sequence[str]) -> dict[str, str] | None:
    """previous.terms updated for ``texts``, or None when too much changed to be worth it.
    Documents are compared by position, so this suits edits and additions at the end, not
    insertions that renumber everything after them."""
    old = previous.texts
    changed = [n for n, (a, b) in enumerate(zip(old, texts)) if a != b]
    changed += range(min(len(old), len(texts)), max(len(old), len(texts)))
    if len(changed) > PATCH_LIMIT:
        return None
    terms = dict(previous.terms)
    gone = set(changed)
    now = {n: set(texts[n].split()) for n in changed if n < len(texts)}
    touched = set().union(*now.values(), *(old[n].split() for n in changed if n < len(old)))
    new_words = False
    for word in touched:
        kept = [n for n in _numbers(terms.get(word)) if n not in gone]
        found = sorted(kept + [n for n, words in now.items() if word in words])
        if found:
            new_words = new_words or word not in terms
            terms[word] = _entry(word, found)
        else:
            terms.pop(word, None)
    return dict(sorted(terms.items())) if new_words else terms


def _entry(word: str, numbers: list[int]) -> str:
    # Words are [0-9a-z]+, so they need no escaping.
    return f'"{word}":[' + ",".join(map(str, [numbers[0], *map(operator.sub, numbers[1:], numbers)])) + "]"


def _numbers(entry: str | None) -> list[int]:
    return list(itertools.accumulate(json.loads(entry[entry.index(":") + 1:]))) if entry else []


def _json(data: object) -> str:
    # U+2028/2029 are valid JSON but end a line in older JavaScript engines.
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def files_for(kind: str, key: str, payload: str) -> OutputFile:
    return _script(f"search/{kind}-{key}", f"DIGESTGEN_SEARCH_LOADED({json.dumps(kind)},{json.dumps(key)},", payload, ");\n")


def _script(name: str, before: str, payload: str, after: str) -> OutputFile:
    script = f"{before}{payload}{after}".encode("utf-8")
    digest_hex = hashlib.sha256(script).hexdigest()[:10]
    return OutputFile(f"static/{name}.{digest_hex}.js", script, "the search index")
