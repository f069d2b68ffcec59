"""A prebuilt full-text search index, shipped as a fingerprinted script the search page loads.

The index is made of scripts rather than JSON fetched at run time, so search works on any
static host, under any subpath, and from a site opened from disk (browsers refuse ``fetch`` on
``file://``). A query loads only what it needs:

* ``static/search-index.<hash>.js``: a small manifest (``window.DIGESTGEN_SEARCH``) naming the
  other files, and the stop words left out of the index, which the script ignores in queries;
* ``static/search/terms-<key>.<hash>.js``: the inverted index, sharded by a word's first
  letter, or on a big site its first two (shard_of()): word -> document numbers (ascending,
  delta-encoded);
* ``static/search/titles-<key>.<hash>.js``: the same for the words of titles alone, which
  rank a result above those that only mention the query;
* ``static/search/docs-<n>.<hash>.js``: documents in chunks of 100, one row per story and per
  article: ``[kind, path, title, meta, snippet]`` (and a sixth, the title's language, when it is
  not the site's), in the digest's order read backwards (the
  newest story last, each story after its versions), so a new story lands at the end and
  the next build patches the index instead of renumbering it. The script ranks higher
  numbers first. Only the chunks holding the shown results are loaded.

Same input, same bytes: documents and terms are emitted in a fixed order.
"""

from __future__ import annotations

import functools
import itertools
import json
import operator
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from ._scripts import in_pairs, translate_beyond_ascii
from .assets import hashed
from .config import Config
from .i18n import Messages, site_messages
from .models import Digest, Entry
from .output import OutputFile
from .pages import article_path, story_path

STOP_WORDS = frozenset(
    "a an and are as at be but by for from had has have he her his i in is it its of on or she "
    "that the their them they this to was were which who will with you".split()
)
SNIPPET_CHARS = 160
DOCS_PER_CHUNK = 100  # a result shown loads its chunk: small, so a few results cost little (7 results were 1.2 MB at 500)
# Every byte but [0-9a-z] to a space: translate and split run in C, twice as fast as
# findall("[0-9a-z]+"), which they match word for word.
_NOT_WORD = bytes(b if b in b"0123456789abcdefghijklmnopqrstuvwxyz" else 0x20 for b in range(256))
# Accents, as NFKD leaves them after their letters: folded away, so "cafe" finds "café"; and
# Arabic's vowel marks (harakat), which most Arabic text leaves out, so "مكتبة" finds "مَكْتَبَة".
_DIACRITICS = {c: None for block in ((0x0300, 0x0370), (0x0610, 0x061B), (0x064B, 0x0660), (0x0670, 0x0671),
                                      (0x1AB0, 0x1B00), (0x1DC0, 0x1E00), (0x20D0, 0x2100), (0xFE20, 0xFE30))
               for c in range(*block)}
# Word characters beyond the Basic Multilingual Plane: the rarer Chinese characters (planes
# 2 and 3). The others there (emoji, historic scripts) separate words, in the search script too.
_ASTRAL_WORDS = (0x20000, 0x40000)


def words(text: str) -> list[str]:
    """Lower-case words in any script, accents folded (é -> e); pairs of characters in the
    scripts written without spaces (digestgen._scripts). The search script applies the same
    rule to queries: letters, marks and numbers (Unicode's L, M and N) make words, and what
    _joined() joins is one word."""
    if text.isascii():  # most text: the same words, several times faster
        return _joined(text.lower(), _ASCII_APOSTROPHE).encode("ascii").translate(_NOT_WORD).decode("ascii").split()
    return _words_in_any_script(text)


def _words_in_any_script(text: str) -> list[str]:
    # ß as ss: Swiss German, and every keyboard without it, writes "strasse" for "Straße"; and
    # the letters with a mark of their own (no accent NFKD parts from them) as written without it
    folded = translate_beyond_ascii(unicodedata.normalize("NFKD", text), _DIACRITICS).lower().translate(_PLAIN_LETTERS)
    return in_pairs(_word_pattern().findall(_joined(folded, _apostrophe_pattern())))


# Turkish "Diyarbakır" is found as "diyarbakir", Danish "Ø" as "o", Polish "ł" as "l" (as
# slugs spell them); search.js folds the same letters
_PLAIN_LETTERS = str.maketrans({"ß": "ss", "ı": "i", "ø": "o", "æ": "ae", "œ": "oe", "đ": "d", "ł": "l", "þ": "th",
                                "ð": "d", "ħ": "h", "ŋ": "ng"})


# What makes one word of what would be several, as a reader types it: an apostrophe inside a
# word ("don't" is "dont": as "don" it began "Donald"; a possessive's 's goes, "Trump's" is
# "trump"), the dots of an abbreviation ("U.S." is "us", "N.A.T.O." "nato": single letters were
# no words at all) and a number's point or comma ("7.4" is "74", "1,000" "1000"). search.js's
# joined() does the same to queries.
# Each pattern starts with the character it takes out, which the engine finds quickly: one
# that started with its lookbehind, tried at every character, made indexing four times as slow.
_ABBREVIATION_DOT = re.compile(r"\.(?<=\b[a-z]\.)(?=[a-z]\b)", re.ASCII)  # a dot between single letters
_NUMBER_POINT = re.compile(r"[.,](?<=[0-9][.,])(?=[0-9])")
_ASCII_APOSTROPHE = re.compile(r"'(?<=[0-9a-z]')(?:s(?![0-9a-z])|(?=[0-9a-z]))")


def _joined(text: str, apostrophe: re.Pattern[str]) -> str:
    if "'" in text or "\u2019" in text:
        text = apostrophe.sub("", text)
    if "." in text or "," in text:
        text = _ABBREVIATION_DOT.sub("", _NUMBER_POINT.sub("", text))
    return text


@functools.cache
def _apostrophe_pattern() -> re.Pattern[str]:
    """An apostrophe (' or ’) inside a word, and a possessive's 's with it, in any script."""
    letter = f"[{_word_ranges()}]"
    return re.compile(f"['\u2019](?<={letter}['\u2019])(?:s(?!{letter})|(?={letter}))")


@functools.cache
def _word_pattern() -> re.Pattern[str]:
    """Runs of letters, marks and numbers, as the running Python's Unicode database has them
    (made on first use, in about 10 ms)."""
    return re.compile(f"[{_word_ranges()}]+")


@functools.cache
def _word_ranges() -> str:
    ranges, start = [], None
    for code in range(0x10001):
        word = code < 0x10000 and unicodedata.category(chr(code))[0] in "LMN"
        if word and start is None:
            start = code
        elif not word and start is not None:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(code - 1))}")
            start = None
    ranges.append(f"{chr(_ASTRAL_WORDS[0])}-{chr(_ASTRAL_WORDS[1] - 1)}")
    return "".join(ranges)


def entry_words(entry: Entry) -> str:
    """The distinct indexable words of one article, space-separated (one string pickles far
    faster than hundreds): computed where articles are read, in parallel and cached, since
    it depends on that article alone."""
    return " ".join(_indexable(" ".join([entry.title, entry.source, entry.author or "", *entry.tags, entry.text])))


def _indexable(text: str) -> list[str]:
    """Distinct words worth an index entry, in order of first appearance; a word joined at an
    apostrophe brings what follows it too: "Brien" finds "O'Brien", and "économie" finds
    "l'économie", as the whole word does."""
    found = words(text)
    if "'" in text or "\u2019" in text:
        found += words(" ".join(_AFTER_APOSTROPHE.findall(text)))
    return [w for w in dict.fromkeys(found) if w not in STOP_WORDS and len(w) > 1]


_AFTER_APOSTROPHE = re.compile(r"['\u2019](\w+)")



def _snippet(text: str) -> str:
    text = " ".join(text.split())
    if len(text) <= SNIPPET_CHARS:
        return text
    return text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + "…"


def _language(language: str | None, say: Messages) -> list[str]:
    """A result's sixth field, its title's and snippet's language, when not the site's (so the
    page can mark them lang=, as the theme marks them on its own pages); else nothing."""
    return [language] if say.is_other(language) else []


def _entry_meta(entry: Entry, config: Config, say: Messages) -> str:
    when = say.date(entry.date.astimezone(config.tzinfo)) if entry.date else ""
    # the outlet isolated (FSI … PDI, as <bdi> on pages): an Arabic name took the date's
    # day number into its right-to-left run ("14 الجزيرة March 2024")
    return " · ".join(p for p in (f"\u2068{entry.source}\u2069", when) if p)


@dataclass(frozen=True)
class Postings:
    """The inverted index one build made, kept so the next can patch it rather than start over:
    editing one article changes a few hundred words' postings, not the 200,000 of a 10k site.
    Held as its shards' text, not as a dict of every word: a patch splits and rewrites only
    the shards the changed documents' words are in (remaking and sorting a dict of 200,000
    words took a fifth of a one-article edit at 10,000 articles)."""

    texts: tuple[str, ...] = ()  # per document number: its indexed words, space-separated
    depth: int = 1  # the shard_of() depth the shards are cut at
    # shard_of(word, depth) -> its words' entries, '"word":[document numbers, delta-encoded]',
    # in word order, one per line (no word or entry holds a newline); in key order
    shards: Mapping[str, str] = field(default_factory=dict)

    def __getstate__(self) -> tuple[int, str, int, dict[str, str]]:
        # The documents as one long string: 12,000 short ones pickle three times as slowly.
        return len(self.texts), "\n".join(self.texts), self.depth, dict(self.shards)

    def __setstate__(self, state: tuple[int, str, int, dict[str, str]]) -> None:
        count, texts, depth, shards = state
        object.__setattr__(self, "texts", tuple(texts.split("\n")) if count else ())
        object.__setattr__(self, "depth", depth)
        object.__setattr__(self, "shards", shards)


@dataclass(frozen=True)
class SearchIndex:
    files: list[OutputFile]  # the manifest first (the file the search page loads), then chunks and shards
    # for the next build, by kind ("terms": every word of a document, "titles": its title's);
    # None when the last build's files were kept
    postings: Mapping[str, Postings] | None


# Patching costs about a millisecond per changed document; past this many, start over.
PATCH_LIMIT = 200


def search_index(digest: Digest, config: Config, known: Mapping[str, str] = {},
                 previous: Mapping[str, Postings] | None = None) -> SearchIndex:
    """The search index of ``digest``; the same bytes however it is made.

    ``known`` maps an entry's source path to its entry_words(), where already computed.
    ``previous`` is the last build's SearchIndex.postings: when few documents changed, they
    are patched. Title words are listed as words are, so that every document a query finds
    can be ranked without loading it."""
    docs: list[list[str]] = []
    texts: list[str] = []
    titles: list[str] = []  # each document's title words: search ranks title matches first
    say = site_messages(config)
    for story in reversed(digest.stories):
        for entry in reversed(story.entries):
            docs.append(["a", article_path(entry), entry.title, _entry_meta(entry, config, say),
                         _snippet(entry.summary or entry.lead), *_language(entry.language, say)])
            texts.append(known.get(entry.source_path) or entry_words(entry))
            titles.append(" ".join(_indexable(entry.title)))
        when = say.date(story.date.astimezone(config.tzinfo)) if story.date else ""
        count = len(story.entries)
        meta = " · ".join(p for p in (say.ngettext("Story, %(num)s version", "Story, %(num)s versions", count), when) if p)
        docs.append(["s", story_path(story), story.title, meta, _snippet(story.blurb), *_language(story.title_language, say)])
        texts.append(" ".join(_indexable(" ".join([story.title, story.blurb, *story.sources]))))
        titles.append(" ".join(_indexable(story.title)))
    depth = 2 if len(docs) >= TWO_LETTER_SHARDS_FROM else 1
    postings = {kind: _postings(kind_texts, (previous or {}).get(kind), depth)
                for kind, kind_texts in (("terms", texts), ("titles", titles))}

    files: list[OutputFile] = []
    doc_files = []
    for first in range(0, max(len(docs), 1), DOCS_PER_CHUNK):
        chunk = files_for("docs", str(first // DOCS_PER_CHUNK), _json(docs[first:first + DOCS_PER_CHUNK]))
        files.append(chunk)
        doc_files.append(chunk.path)
    manifest = {"stop": sorted(STOP_WORDS), "chunk": DOCS_PER_CHUNK, "count": len(docs), "docs": doc_files,
                **({"depth": depth} if depth > 1 else {}),
                **{kind: _shard_files(files, kind, kind_postings.shards) for kind, kind_postings in postings.items()}}
    files.insert(0, _script("search-index", "window.DIGESTGEN_SEARCH=", _json(manifest), ";\n"))
    return SearchIndex(files, postings)


def _postings(texts: list[str], previous: Postings | None, depth: int) -> Postings:
    """The postings of ``texts``, in shards at ``depth``: ``previous`` patched, where few
    documents changed."""
    shards = _patched(previous, texts) if previous is not None and previous.depth == depth else None
    if shards is None:
        from ._postings import entries  # imports numpy, which only an index made afresh needs

        shards = _sharded(entries(texts), depth)
    return Postings(tuple(texts), depth, shards)


def _sharded(terms: Mapping[str, str], depth: int) -> dict[str, str]:
    """``terms`` (word -> its entry, in word order) cut into shards, as Postings.shards."""
    shards: dict[str, list[str]] = {}
    for word, entry in terms.items():
        shards.setdefault(shard_of(word, depth), []).append(entry)
    return {key: "\n".join(shards[key]) for key in sorted(shards)}


def _shard_files(files: list[OutputFile], kind: str, shards: Mapping[str, str]) -> dict[str, str]:
    """One script per shard, added to ``files``; returns each shard's key and path, for the manifest."""
    paths = {}
    for key, lines in shards.items():
        shard = files_for(kind, key, "{" + lines.replace("\n", ",") + "}")
        files.append(shard)
        paths[key] = shard.path
    return paths


# From this many documents, a word's shard is named by its first two letters, not its first:
# one-letter shards grow with the site (terms-s was 1.1 MB at 10,000 articles, 5.5 MB at
# 50,000), and a query of three words loaded three of them.
TWO_LETTER_SHARDS_FROM = 2_000


def shard_of(word: str, depth: int = 1) -> str:
    """The shard that lists ``word`` (the search script's rule, shardOf): its first character,
    [0-9a-z], and at ``depth`` 2 its second too when that is [0-9a-z] as well; a word in any
    other script goes to one of 64 shards by its first character's code point."""
    first = word[0]
    if not first.isascii():
        return f"u{ord(first) % 64:02x}"
    return word[:2] if depth > 1 and len(word) > 1 and word[1].isascii() else first


def _patched(previous: Postings, texts: Sequence[str]) -> dict[str, str] | None:
    """previous.shards updated for ``texts``, or None when too much changed to be worth it.
    Documents are compared by position, so this suits edits and additions at the end, not
    insertions that renumber everything after them."""
    old = previous.texts
    changed = [n for n, (a, b) in enumerate(zip(old, texts)) if a != b]
    changed += range(min(len(old), len(texts)), max(len(old), len(texts)))
    if len(changed) > PATCH_LIMIT:
        return None
    gone = set(changed)
    now = {n: set(texts[n].split()) for n in changed if n < len(texts)}
    touched: dict[str, list[str]] = {}  # shard -> its words that changed documents have or had
    for word in set().union(*now.values(), *(old[n].split() for n in changed if n < len(old))):
        touched.setdefault(shard_of(word, previous.depth), []).append(word)
    shards = dict(previous.shards)
    for key, shard_words in touched.items():
        terms = {_word_of(entry): entry for entry in shards[key].split("\n")} if key in shards else {}
        new_words = False
        for word in shard_words:
            kept = [n for n in _numbers(terms.get(word)) if n not in gone]
            found = sorted(kept + [n for n, words in now.items() if word in words])
            if found:
                new_words = new_words or word not in terms
                terms[word] = posting(word, found)
            else:
                terms.pop(word, None)
        if terms:
            shards[key] = "\n".join(terms[word] for word in sorted(terms)) if new_words else "\n".join(terms.values())
        else:
            shards.pop(key, None)
    return shards if shards.keys() <= previous.shards.keys() else dict(sorted(shards.items()))


def _word_of(entry: str) -> str:
    return entry[1:entry.index('":[')]


def posting(word: str, numbers: list[int]) -> str:
    """A word's posting as its shard holds it: ``"word":[first, deltas...]`` (also made in
    _postings, for an index made afresh). Words are letters, marks and numbers, which JSON
    never escapes."""
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
    return OutputFile(hashed(f"static/{name}.js", script), script, "the search index")
