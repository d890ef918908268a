"""Dates as pages and bylines write them for people ("Sunday, 7 September 2025, 17:21",
"Monday, November 18th, 2019 at 11:08 a.m.", in English, Ukrainian or Russian month names),
and bylines run into them ("By Louis Jacobson on Monday, …").
"""

from __future__ import annotations

import re
from typing import Any

from store.ingest.draft import clean_field, parse_published


def _numbered(names: str) -> dict[str, int]:
    """Map space-separated names to 1, 2, 3…"""
    return {name: number for number, name in enumerate(names.split(), 1)}


_MONTHS = {
    **_numbered("january february march april may june july august september october november december"),
    **_numbered("jan feb mar apr may jun jul aug sep oct nov dec"),
    "sept": 9,
    **_numbered("січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня"),
    **_numbered("января февраля марта апреля мая июня июля августа сентября октября ноября декабря"),
}
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    "понеділок|вівторок|середа|четвер|п['’ʼ]?ятниця|субота|неділя|"
    "понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
)
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th)?"  # "18th" as well as "18"
_TIME = r"(?:[\s,]*(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<half>[ap])\.?m\.?)?)?"
# Each pattern may follow a run of names (a byline run into its dateline).
_DATELINE_RES = (
    re.compile(  # Sunday, 7 September 2025, 17:21
        rf"^(?P<names>.*?)[\s,]*(?:(?P<weekday>{_WEEKDAYS})\.?,?\s*)?{_DAY}\s+(?P<month>{_MONTH_ALT})\.?,?\s+"
        rf"(?P<year>\d{{4}}){_TIME}\s*$",
        re.IGNORECASE,
    ),
    re.compile(  # Sunday, September 7, 2025, 17:21
        rf"^(?P<names>.*?)[\s,]*(?:(?P<weekday>{_WEEKDAYS})\.?,?\s*)?(?P<month>{_MONTH_ALT})\.?\s+{_DAY},?\s+"
        rf"(?P<year>\d{{4}}){_TIME}\s*$",
        re.IGNORECASE,
    ),
)


def match_dateline(text: str) -> re.Match[str] | None:
    """The match of a written date at the end of ``text``, names before it in ``names``."""
    for pattern in _DATELINE_RES:
        match = pattern.match(text)
        if match:
            return match
    return None


def iso_from_match(match: re.Match[str]) -> str | None:
    """The ISO 8601 date (and time, if written) of a ``match_dateline`` match; None if no such day."""
    month = _MONTHS[match.group("month").lower()]
    written = f"{match.group('year')}-{month:02d}-{int(match.group('day')):02d}"
    if match.group("hour") is not None:
        hour = int(match.group("hour"))
        if match.group("half"):  # 12-hour clock: 12:05 am is 00:05, 12:05 pm is 12:05
            hour = hour % 12 + (12 if match.group("half").lower() == "p" else 0)
        written += f"T{hour:02d}:{match.group('minute')}"
    return parse_published(written)  # checks the calendar and writes ASCII digits


def parse_written_date(text: str) -> str | None:
    """``text`` as an ISO 8601 date when it is nothing but a written date; None otherwise."""
    match = match_dateline(" ".join(text.split()))
    if match is None or match.group("names"):
        return None
    return iso_from_match(match)


def parse_byline_dateline(line: str) -> dict[str, Any] | None:
    """Split a byline run into its dateline into authors and a time: ``Olga KatsimonSunday, 7
    September 2025, 17:21``, ``By Louis Jacobson on Monday, November 18th, 2019 at 11:04 a.m.``."""
    match = match_dateline(line)
    if match is None:
        return None
    names = re.sub(r"\s+on$", "", match.group("names").strip(" ,;|-–—"), flags=re.IGNORECASE).strip(" ,;|-–—")
    # A caption such as "Rally in Kyiv, 7 September 2025" must stay article text: a dateline
    # has a weekday or a time, and the names before it are short and have no colon.
    if not (match.group("weekday") or match.group("hour")) or ":" in names or len(names.split()) > 12:
        return None
    published = iso_from_match(match)
    if published is None:
        return None
    names = re.sub(r"^(?:by|від|автор)\s+", "", names, flags=re.IGNORECASE)
    authors = [n for n in re.split(r"\s*(?:,|;|&|\band\b|\bта\b|\bі\b|\bи\b)\s*", names) if n.strip()]
    return {"authors": [clean_field(n) for n in authors], "published": published}
