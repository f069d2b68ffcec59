"""Raw scraped articles (``.txt``): headline, dateline, paragraphs, minus site furniture."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo

from .dates import parse_date

# A sentence's end: a full stop, question or exclamation mark before a space (or the end);
# in Chinese and Japanese (。！？), Hindi (।) and Arabic (؟) its own marks, whatever follows
# (no space does: read without them, a Japanese or Hindi text's paragraphs were dropped as
# a scraper's headline lists).
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*(?=\s|$)|[。！？｡।॥؟۔][\"'”’»)\]」』）]*")
# A full stop after these ends no sentence ("Raúl R. Labrador", "Mr. Kim", "the U.S. Senate").
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr st jr sr gen gov sen rep lt col sgt capt cmdr adm prof rev hon pres supt insp "
    "inc co corp ltd bros no nos vs etc jan feb mar apr jun jul aug sep sept oct nov dec mt ft".split())


def _abbreviated(text: str, stop: int) -> bool:
    """Is the '.' at ``stop`` an initial's or an abbreviation's rather than a sentence's end?"""
    if text[stop] != ".":
        return False
    word = text[:stop].rsplit(" ", 1)[-1].lstrip("(\"'“‘«")
    return len(word) == 1 and word.isalpha() or "." in word or word.casefold() in _ABBREVIATIONS
_UPDATED_SPLIT = re.compile(r"\s*(?:[|·•,–—-]\s*)?(?:last\s+)?updated:?\s*", re.I)
_PUBLISHED_PREFIX = re.compile(r"^(?:published|posted|first published)(?:\s+on)?:?\s*", re.I)
# Lines a site wraps around the article: dropped wherever they end the text.
_FURNITURE = re.compile(
    r"(latest news|advertisement|share this( article| story)?|tweet with a location"
    r"|(click|tap) here to .*|sign up for .*newsletter.*|comments?|loading\.*)[.:!]?",
    re.I,
)
# Headings after which a site lists other articles: they and all after them go.
_CUTOFF = re.compile(r"(watch next|read next|related( articles| stories| coverage)?|more from .*|recommended( for you)?|you may also like|read more)\s*:?.*", re.I)
_HEADLINE_WORDS = 20  # a line this short that is not a sentence reads as a headline
_TOP_WINDOW = 6  # how far down scraper debris is looked for above the body


@dataclass(frozen=True)
class Paragraph:
    line: int  # 1-based line of its first line in the file
    text: str  # lines joined by newlines

    @property
    def words(self) -> int:
        return len(self.text.split())


@dataclass(frozen=True)
class ParsedText:
    title: str
    paragraphs: tuple[Paragraph, ...]
    date: datetime | None
    updated: datetime | None


def split_paragraphs(text: str, first_line: int = 1) -> list[Paragraph]:
    paragraphs: list[Paragraph] = []
    block: list[str] = []
    start = first_line
    for number, raw in enumerate(text.split("\n"), start=first_line):
        line = " ".join(raw.split())
        if line:
            if not block:
                start = number
            block.append(line)
        elif block:
            paragraphs.append(Paragraph(start, "\n".join(block)))
            block = []
    if block:
        paragraphs.append(Paragraph(start, "\n".join(block)))
    return paragraphs


def is_sentence(text: str) -> bool:
    return bool(_SENTENCE_END.search(text)) or len(text.split()) > 2 * _HEADLINE_WORDS


def reads_as_body(text: str) -> bool:
    """True for a first line that is prose rather than a headline."""
    words = len(text.split())
    return words > 2 * _HEADLINE_WORDS or (text.rstrip("\"'”’").endswith(".") and words >= 12)


def first_sentence(text: str, max_words: int = 25) -> str:
    flat = " ".join(text.split())
    sentence = next((flat[:end.end()] for end in _SENTENCE_END.finditer(flat) if not _abbreviated(flat, end.start())), flat)
    words = sentence.split()
    if len(words) > max_words:
        return " ".join(words[:max_words]) + "…"
    return sentence.rstrip(".。｡।")


def parse_text(text: str, tz: tzinfo, day_first: bool = False) -> ParsedText:
    paragraphs = split_paragraphs(text)
    title = ""
    date = updated = None
    found = _dateline(paragraphs[0].text.partition("\n")[0], tz, day_first) if paragraphs else None
    if found:  # a dateline above the headline: the date, not the title
        date, updated = found
        head = paragraphs[0]
        rest = head.text.partition("\n")[2]
        paragraphs[0:1] = [Paragraph(head.line + 1, rest)] if rest else []
    if paragraphs:
        head = paragraphs[0]
        first_line, _, rest = head.text.partition("\n")
        if reads_as_body(head.text):
            title = first_sentence(head.text)
        else:
            title = first_line
            paragraphs[0:1] = [Paragraph(head.line + 1, rest)] if rest else []

    body: list[Paragraph] = []
    in_top = True
    for index, paragraph in enumerate(paragraphs):
        if in_top and index < _TOP_WINDOW and date is None:
            found = _dateline(paragraph.text, tz, day_first)
            if found:
                date, updated = found
                continue
        if in_top and index < _TOP_WINDOW and not is_sentence(paragraph.text) and paragraph.words <= _HEADLINE_WORDS:
            continue  # related-link headlines, section trails: not the article
        in_top = False
        body.append(paragraph)
    return ParsedText(title, tuple(_drop_furniture(body)), date, updated)


def _dateline(text: str, tz: tzinfo, day_first: bool) -> tuple[datetime, datetime | None] | None:
    if "\n" in text or len(text) > 120:
        return None
    parts = _UPDATED_SPLIT.split(_PUBLISHED_PREFIX.sub("", text), maxsplit=1)
    try:
        date = parse_date(parts[0], tz, day_first)
    except ValueError:
        return None
    updated = None
    if len(parts) > 1:
        try:
            updated = parse_date(parts[1], tz, day_first)
        except ValueError:
            pass
    return date, updated


def _drop_furniture(body: list[Paragraph]) -> list[Paragraph]:
    # Cut at a "Watch Next:"-style heading near the end when only short lines follow it.
    tail_start = max(1, len(body) - 6)
    for index in range(tail_start, len(body)):
        first = body[index].text.split("\n", 1)[0]
        after = body[index + 1:]
        if _CUTOFF.fullmatch(first) and len(first) < 80 and all(not is_sentence(p.text) for p in after):
            body = body[:index]
            break
    while body and _FURNITURE.fullmatch(body[-1].text):
        body = body[:-1]
    return body
