"""Dates as news sites write them, read without the build machine's locale or zone.

``strptime`` month names follow the process locale, so month names are matched
here instead; a date without an offset is read in the site's time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from zoneinfo import ZoneInfo

MIN_YEAR, MAX_YEAR = 2, 9998

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_TIME = r"(?:,?\s+(?:at\s+)?(?P<hour>\d{1,2})(?::(?P<minute>\d{2}))?(?::(?P<second>\d{2}))?\s*(?P<ampm>[ap]\.?\s?m\.?)?)?"
# Zone abbreviations as news sites print them, each naming one offset (IST, which is India's,
# Ireland's or Israel's, names none); ET, CT, MT and PT follow the date's daylight saving.
_ABBREVIATIONS = {
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AST": -4, "ADT": -3, "NST": -3.5, "NDT": -2.5,
    "WET": 0, "WEST": 1, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3, "MSK": 3,
    "SAST": 2, "WAT": 1, "EAT": 3, "PKT": 5, "HKT": 8, "SGT": 8, "AWST": 8, "JST": 9, "KST": 9,
    "ACST": 9.5, "ACDT": 10.5, "AEST": 10, "AEDT": 11, "NZST": 12, "NZDT": 13,
}
_REGIONAL = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles"}
_ZONE = (
    r"(?:\s*(?P<zone>(?:UTC|GMT)?\s?[+-]\d{1,2}(?::?\d{2})?|UTC|GMT|Z|"
    + "|".join(sorted([*_ABBREVIATIONS, *_REGIONAL], key=len, reverse=True))
    + r")\b\.?)?(?:\s*\([a-z .]+\))?"  # "GMT-0400 (EDT)", as JavaScript writes dates
)
_PATTERNS = [
    # July 12, 2018 5:47 pm  /  Jul. 12 2018  /  Thursday, July 12, 2018
    re.compile(r"(?:[a-z]+,?\s+)?" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME + _ZONE, re.I),
    # 12 July 2018 17:47
    re.compile(r"(?:[a-z]+,?\s+)?(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{4})" + _TIME + _ZONE, re.I),
    # 06/05/1998 06:50:00 (US order, as the wires write it)
    re.compile(r"(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})" + _TIME + _ZONE, re.I),
]
# 06/05/1998 as the rest of the world writes it: 6 May (see day_first)
_DAY_FIRST = re.compile(r"(?P<day>\d{1,2})/(?P<mnum>\d{1,2})/(?P<year>\d{4})" + _TIME + _ZONE, re.I)


def day_first(language: str) -> bool:
    """Is a slash date (06/05/1998) day first on a site in ``language``? Month first in US
    English, as American newswires write it (and the site's default language, en); day first
    everywhere else, British English included: read month first, a French site's 12/03/2024
    was 3 December, without a word, and an article could vanish as future-dated."""
    return language.lower() not in ("en", "en-us")


def parse_date(value: object, tz: tzinfo, day_first: bool = False) -> datetime:
    """Return an aware datetime for ``value`` or raise ValueError saying why; a slash date
    is read day first when ``day_first`` (see day_first()), else month first."""
    if isinstance(value, datetime):
        return _in_range(value if value.tzinfo else _local(value, tz))
    if isinstance(value, date):
        return _in_range(_local(datetime.combine(value, time()), tz))
    if not isinstance(value, str):
        raise ValueError(f"expected a date, got {type(value).__name__} {repr(value)[:60]}")
    text = " ".join(value.split())
    if not text:
        raise ValueError("empty date")
    if len(text) > 80:
        raise ValueError(f"not a date: {text[:40]!r}…")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _parse_words(text, day_first)
    if parsed is None:
        raise ValueError(f"unrecognised date {text!r} (use ISO 8601, e.g. 2018-07-12 17:47)")
    return _in_range(parsed if parsed.tzinfo else _local(parsed, tz))


def _local(naive: datetime, tz: tzinfo) -> datetime:
    """``naive`` as a time in ``tz``. A time the clocks skipped (02:30 when they spring forward
    from 02:00 to 03:00) is the moment it names by the old offset, shown as the clocks then read
    (03:30); otherwise the time is kept as written."""
    aware = naive.replace(tzinfo=tz)
    try:
        return aware.astimezone(timezone.utc).astimezone(tz)
    except OverflowError:  # within a day of year 1 or 9999: _in_range refuses it
        return aware


def _in_range(value: datetime) -> datetime:
    """Refuse years 1 and 9999: converting those to another zone overflows ``datetime``."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"date out of range: {value.year} (years {MIN_YEAR}-{MAX_YEAR} only)")
    return value


def _parse_words(text: str, day_first: bool = False) -> datetime | None:
    for pattern in (*_PATTERNS[:-1], _DAY_FIRST) if day_first else _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _from_match(match)
    if not _RFC_2822.fullmatch(text):
        return None  # parsedate takes much else, dropping what it cannot read: "5:47 PM" was 5:47
    try:
        return parsedate_to_datetime(text)  # RFC 2822, as in RSS feeds
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


_RFC_2822 = re.compile(r"(?:[a-z]{3},\s*)?\d{1,2}\s+[a-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}(?::\d{2})?(?:\s+(?:[+-]\d{4}|[a-z]{1,5}))?", re.I)


def _from_match(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    month = int(parts["mnum"]) if parts.get("mnum") else _MONTHS[parts["month"].lower()]
    hour = int(parts["hour"] or 0)
    ampm = (parts["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    try:
        return datetime(
            int(parts["year"]), month, int(parts["day"]),
            hour, int(parts["minute"] or 0), int(parts["second"] or 0), tzinfo=_zone(parts["zone"]),
        )
    except ValueError:
        return None


def _zone(zone: str | None) -> tzinfo | None:
    if not zone:
        return None
    name = zone.upper().rstrip(".")
    if name in ("UTC", "GMT", "Z"):
        return timezone.utc
    if name in _ABBREVIATIONS:
        return timezone(timedelta(hours=_ABBREVIATIONS[name]))
    if name in _REGIONAL:
        return ZoneInfo(_REGIONAL[name])
    sign, hours, minutes = re.fullmatch(r"(?:UTC|GMT)?\s?([+-])(\d{1,2}):?(\d{2})?", name).groups()
    if int(hours) > 14 or int(minutes or 0) > 59:
        raise ValueError(f"offset out of range: {zone}")
    return timezone((1 if sign == "+" else -1) * timedelta(hours=int(hours), minutes=int(minutes or 0)))


def in_zone(value: datetime, tz: tzinfo) -> datetime:
    """``value`` as the time in ``tz``; a time without a zone is one in ``tz`` (the site's)."""
    return value.astimezone(tz) if value.tzinfo else value.replace(tzinfo=tz)


def iso_text(value: datetime) -> str:
    """``value`` as RFC 3339 / ISO 8601 text to the second, its offset in whole minutes. Before
    time zones were standardised a zone's offset was the local mean time's (New York's was
    -04:56:02), and RFC 3339, xs:dateTime and HTML's datetime take only ±hh:mm: the offset is
    rounded to the minute, and the time told in it."""
    offset = value.utcoffset()
    if offset is not None and offset.total_seconds() % 60:
        value = value.astimezone(timezone(timedelta(minutes=round(offset.total_seconds() / 60))))
    return value.replace(microsecond=0).isoformat()
