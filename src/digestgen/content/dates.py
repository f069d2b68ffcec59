"""Dates as news sites write them, read without the build machine's locale or zone.

``strptime`` month names follow the process locale, so month names are matched
here instead; a date without an offset is read in the site's time zone.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime

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
_ZONE = r"(?:\s*(?P<zone>UTC|GMT|Z|[+-]\d{2}:?\d{2}))?"
_PATTERNS = [
    # July 12, 2018 5:47 pm  /  Jul. 12 2018  /  Thursday, July 12, 2018
    re.compile(r"(?:[a-z]+,?\s+)?" + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})" + _TIME + _ZONE, re.I),
    # 12 July 2018 17:47
    re.compile(r"(?:[a-z]+,?\s+)?(?P<day>\d{1,2})\s+" + _MONTH + r",?\s+(?P<year>\d{4})" + _TIME + _ZONE, re.I),
    # 06/05/1998 06:50:00 (US order, as the wires write it)
    re.compile(r"(?P<mnum>\d{1,2})/(?P<day>\d{1,2})/(?P<year>\d{4})" + _TIME + _ZONE, re.I),
]


def parse_date(value: object, tz: tzinfo) -> datetime:
    """Return an aware datetime for ``value`` or raise ValueError saying why."""
    if isinstance(value, datetime):
        return _in_range(value if value.tzinfo else value.replace(tzinfo=tz))
    if isinstance(value, date):
        return _in_range(datetime.combine(value, time(), tzinfo=tz))
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
        parsed = _parse_words(text)
    if parsed is None:
        raise ValueError(f"unrecognised date {text!r} (use ISO 8601, e.g. 2018-07-12 17:47)")
    return _in_range(parsed if parsed.tzinfo else parsed.replace(tzinfo=tz))


def _in_range(value: datetime) -> datetime:
    """Refuse years 1 and 9999: converting those to another zone overflows ``datetime``."""
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"date out of range: {value.year} (years {MIN_YEAR}-{MAX_YEAR} only)")
    return value


def _parse_words(text: str) -> datetime | None:
    for pattern in _PATTERNS:
        match = pattern.fullmatch(text)
        if match:
            return _from_match(match)
    try:
        return parsedate_to_datetime(text)  # RFC 2822, as in RSS feeds
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _from_match(match: re.Match[str]) -> datetime | None:
    parts = match.groupdict()
    month = int(parts["mnum"]) if parts.get("mnum") else _MONTHS[parts["month"].lower()]
    hour = int(parts["hour"] or 0)
    ampm = (parts["ampm"] or "").lower().replace(".", "").replace(" ", "")
    if ampm:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if ampm == "pm" else 0)
    zone = parts["zone"]
    offset = None
    try:
        if zone:
            if zone.upper() in ("UTC", "GMT", "Z"):
                offset = timezone.utc
            else:
                sign = 1 if zone[0] == "+" else -1
                digits = zone[1:].replace(":", "")
                offset = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
        return datetime(
            int(parts["year"]), month, int(parts["day"]),
            hour, int(parts["minute"] or 0), int(parts["second"] or 0), tzinfo=offset,
        )
    except ValueError:
        return None
