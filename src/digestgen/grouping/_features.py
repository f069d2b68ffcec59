"""Per-document features: tokens, light stemming, section-weighted tf.

Pure Python and independent of every other document, so the build can run
prepare() in its worker processes and cache the result by content hash.
Importing this module must stay cheap (no numpy/scipy).
"""
from __future__ import annotations

import math
from array import array
from collections import Counter
from hashlib import blake2b
from typing import NamedTuple
from urllib.parse import unquote, urlsplit

from .._scripts import in_pairs, may_have_unspaced, separators, translate_beyond_ascii

# Tokenising is the hottest loop at 10k articles, and Python's regex engine
# manages ~20M chars/s.  Instead: lowercase, turn punctuation into spaces
# (str.translate for what is beyond ASCII, only in text that has any;
# bytes.translate for ASCII's), all in C, and split.  Bytes >= 0x80 are kept,
# so accented and non-Latin words survive.
_ASCII_WORD = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
_TABLE = bytes(b if (b in _ASCII_WORD or b >= 0x80) else 0x20 for b in range(256))


def tokenize(text: str, limit: int | None = None) -> list[str]:
    """Lowercased word tokens (at most `limit` of them); pairs of characters in scripts
    written without spaces (see digestgen._scripts)."""
    if limit is not None:
        text = text[: 12 * limit]  # ~12 chars per token: avoids lowering long tails
    text = text.lower()
    unspaced = False
    if not text.isascii():
        text = translate_beyond_ascii(text, separators())
        unspaced = may_have_unspaced(text)
    # decode back to str: str objects cache their hash, bytes do not, and every
    # token is hashed twice (vocabulary set, id lookup)
    toks = text.encode("utf-8", "replace").translate(_TABLE).decode("utf-8", "replace").split()
    if unspaced:
        toks = in_pairs(toks)
    return toks if limit is None else toks[:limit]


# Function words plus news boilerplate and scraper debris ("Tweet with a
# location", photo credits).  Generic English/news vocabulary, not tuned to any
# corpus; and French, German, Spanish, Portuguese and Italian function words and
# weekdays (counted as words, they made French reports of two strikes on one
# morning one story), but not "un" nor "los", which English news writes for the
# UN and Los Angeles.
STOPWORDS = frozenset(
    """
    a about above after again against all almost also although always am among an and another any
    anyone anything are around as at be became because become been before being below between both
    but by can cannot could did do does doing done down during each either else even ever every
    few for from further get gets got had has have having he her here hers herself him himself his
    how however i if in into is it its itself just least less like made make makes many may me
    might mine more most much must my myself neither no nor not now of off often on once one only
    or other others our ours ourselves out over own per perhaps rather really same several shall
    she should since so some still such than that the their theirs them themselves then there
    these they this those though through thus to too toward towards under until up upon us very
    was we were what whatever when where whether which while who whom whose why will with within
    without would yet you your yours yourself yourselves
    said says say saying told tell according reported reports report reporting week weeks
    monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow
    mr mrs ms dr new news just like know well way back going go time year years day days
    de la el le les der die und
    au aux avec ce ces cette dans des du elle elles est et été être il ils je leur leurs lui mais
    même nous ou où par pas pour qu que qui sa se ses sont sur une vous ont avait était sera
    selon après avant chez contre entre depuis sans sous vers lors plus moins aussi très déjà
    encore ainsi alors donc car comme hier aujourd demain lundi mardi mercredi jeudi vendredi
    samedi dimanche
    das den dem des ein eine einer eines einem einen oder aber auch als auf aus bei durch für
    gegen im ist mit nach nicht noch nur sich sie er es wir sind wurde werden wird haben hatte
    vom von vor zu zum zur unter wie wenn dass daß schon sehr mehr seit sowie laut sagte heute
    gestern montag dienstag mittwoch donnerstag freitag samstag sonntag
    unos unas del al en con por para sobre desde hasta qué su sus es fue ha han había
    está están este esta estos estas ese esa más muy también ya lo según dijo hoy ayer lunes
    martes miércoles jueves viernes sábado domingo
    os um uma uns umas do da dos das na nos nas em com sem até seu sua seus suas são ser estão
    isso isto mais muito já ao aos às pelo pela pelos pelas segundo disse hoje ontem terça
    quarta quinta sexta feira
    il lo gli uno ed di della dei degli delle dal dalla nel nella sul sulla tra fra che non si
    sono stato stata hanno anche più molto già oggi ieri lunedì martedì mercoledì giovedì
    venerdì sabato domenica
    tweet tweets location photo photos image images caption getty credit video videos watch
    click here read share email print subscribe advertisement copyright reserved rights
    http https www com html updated update am pm et gmt utc
    """.split()
)


def _stem(word: str) -> str:
    """Very light English suffix folding: plurals and -ing/-ed.

    Headlines word the same event differently ("releases", "released",
    "release"); folding these lets them share terms.  Deliberately timid so that
    proper names are rarely damaged.
    """
    if word[0].isdigit() or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("sses"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        return word[:-3]
    if word.endswith("ed") and len(word) > 4:
        return word[:-2] if not word.endswith("eed") else word
    if word.endswith("e") and len(word) > 4:
        return word[:-1]
    return word


# Section weights.  The headline and the lead carry the event; long bodies end
# in background and scraped debris, so the tail is cut off and counts less.
# The words of the article's address (most news sites put a slug of the
# headline there) count between the two: for a headline-only feed item, or a
# scraped one whose headline is debris ("Phenomena:"), they are the only other
# words about the event.
TITLE_WEIGHT = 3.0
URL_WEIGHT = 2.0
LEAD_WEIGHT = 1.5
LEAD_TOKENS = 60
BODY_TOKENS = 400


class Features(NamedTuple):
    """One document's terms and their sublinear, section-weighted tf.

    Depends on that document alone, so a build can compute it in worker
    processes and cache it by content hash; idf and everything else that
    needs the whole corpus happens in group().  Compact and cheap to load:
    `keys` are the terms' 64-bit hashes (signed little-endian int64, sorted
    ascending) and `weights` the matching float32 tf weights, both as bytes,
    so group() reads a whole corpus with one numpy call and no per-term
    Python work.  (Two distinct terms sharing a 64-bit hash is vanishingly
    unlikely and would only make them count as one word.)
    """

    keys: bytes
    weights: bytes


def _term_key(token: str) -> int:
    """Hash key of a token's index term (0 for stopwords and stray letters).

    The hash is an unkeyed blake2b, stable across processes and runs
    (Python's own hash() of a str is salted per process).
    """
    if token in STOPWORDS or (len(token) < 2 and not token.isdigit()):
        return 0
    stem = _stem(token)
    if stem in STOPWORDS:
        return 0
    return int.from_bytes(blake2b(stem.encode("utf-8"), digest_size=8).digest(), "little", signed=True) or 1


class _KeyCache(dict):
    """token -> _term_key(token), memoised.  News vocabulary is Zipfian, so nearly every
    token is a repeat, and a hit is dict.__getitem__ itself, in C (an lru_cache wrapper
    costs several times that).  Emptied when full, so a long-lived preview stays bounded."""

    def __missing__(self, token: str) -> int:
        if len(self) >= 1 << 18:  # about 30 MB, as the lru_cache it replaced held
            self.clear()
        key = self[token] = _term_key(token)
        return key


_key = _KeyCache().__getitem__
term_key = _key  # a token's index term's key, as prepare() counts it (0: none)


# Path segments that name a site's machinery, not the story.
_URL_BOILERPLATE = frozenset("htm html shtml php asp aspx jsp cms story stories article articles view index amp".split())


def url_words(url: str | None) -> str:
    """The words of a URL's path: "/2014/03/10/elephants-hear-age/" -> "elephants hear age".
    Numbers and anything with a digit (dates, ids, hashes) are left out."""
    if not url:
        return ""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return ""
    words = tokenize(path)
    return " ".join(w for w in words if w.isalpha() and len(w) > 2 and w not in _URL_BOILERPLATE)


def prepare(title: str, text: str, url: str | None = None) -> Features:
    """Tokenise and weight one document; see Features."""
    body = tokenize(text, BODY_TOKENS)
    # Each section's tokens counted in one C-level pass, then weighted per distinct term: the
    # weights are halves, so every sum is exact, the same however the counts are added up.
    counts: dict[int, float] = Counter(map(_key, body[LEAD_TOKENS:]))
    for weight, tokens in ((LEAD_WEIGHT, body[:LEAD_TOKENS]), (URL_WEIGHT, tokenize(url_words(url))),
                           (TITLE_WEIGHT, tokenize(title))):
        for key, count in Counter(map(_key, tokens)).items():
            counts[key] = counts.get(key, 0) + weight * count
    counts.pop(0, None)
    keys = sorted(counts)
    return Features(
        array("q", keys).tobytes(),
        array("f", [1.0 + math.log(counts[k]) for k in keys]).tobytes(),
    )


assert all((2 * w).is_integer() for w in (TITLE_WEIGHT, URL_WEIGHT, LEAD_WEIGHT)), "weights must be halves"
