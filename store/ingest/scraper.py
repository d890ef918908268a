"""The scraper layout of ``shared/corpus/ukrainska-pravda-*.txt``: a ``date YYYY-MM-DD`` line
(``date 2025-09-07 All Sections``), the headline, and a byline run into the dateline
(``Olga KatsimonSunday, 7 September 2025, 17:21``), read as metadata.
"""

from __future__ import annotations

import re
from typing import Any

from store.ingest.draft import clean_field, parse_published
from store.text import normalise

_SCRAPER_DATE_RE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:\s|$)")


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
_TIME = r"(?:[\s,]*(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<half>[ap])\.?m\.?)?)?"
_BYLINE_RES = (
    re.compile(  # Sunday, 7 September 2025, 17:21
        rf"^(?P<names>.*?)[\s,]*(?:(?P<weekday>{_WEEKDAYS})\.?,?\s*)?(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_ALT})\.?,?\s+"
        rf"(?P<year>\d{{4}}){_TIME}\s*$",
        re.IGNORECASE,
    ),
    re.compile(  # Sunday, September 7, 2025, 17:21
        rf"^(?P<names>.*?)[\s,]*(?:(?P<weekday>{_WEEKDAYS})\.?,?\s*)?(?P<month>{_MONTH_ALT})\.?\s+(?P<day>\d{{1,2}}),?\s+"
        rf"(?P<year>\d{{4}}){_TIME}\s*$",
        re.IGNORECASE,
    ),
)


def parse_scraper_layout(text: str) -> tuple[dict[str, Any], str] | None:
    """Recognise the scraper layout; return (fields, article text) or None for other texts."""
    lines = text.split("\n")
    date_match = _SCRAPER_DATE_RE.match(lines[0])
    published = parse_published(date_match.group(1)) if date_match else None
    if published is None:
        return None
    rest = [i for i in range(1, len(lines)) if lines[i].strip()]
    if not rest:
        return None
    fields: dict[str, Any] = {"title": lines[rest[0]].strip(), "published": published}
    start = rest[0] + 1
    if len(rest) > 1:
        byline = _parse_byline(lines[rest[1]].strip())
        if byline is not None:
            fields.update(byline)
            start = rest[1] + 1
    return fields, normalise("\n".join(lines[start:]))


def _parse_byline(line: str) -> dict[str, Any] | None:
    """Split ``Olga KatsimonSunday, 7 September 2025, 17:21`` into authors and a time."""
    for pattern in _BYLINE_RES:
        match = pattern.match(line)
        if match:
            break
    else:
        return None
    names = match.group("names").strip(" ,;|-–—")
    # A caption such as "Rally in Kyiv, 7 September 2025" must stay article text: a dateline
    # has a weekday or a time, and the names before it are short and have no colon.
    if not (match.group("weekday") or match.group("hour")) or ":" in names or len(names.split()) > 12:
        return None
    month = _MONTHS[match.group("month").lower()]
    written = f"{match.group('year')}-{month:02d}-{int(match.group('day')):02d}"
    if match.group("hour") is not None:
        hour = int(match.group("hour"))
        if match.group("half"):  # 12-hour clock: 12:05 am is 00:05, 12:05 pm is 12:05
            hour = hour % 12 + (12 if match.group("half").lower() == "p" else 0)
        written += f"T{hour:02d}:{match.group('minute')}"
    published = parse_published(written)  # checks the calendar and writes ASCII digits
    if published is None:
        return None
    names = re.sub(r"^(?:by|від|автор)\s+", "", names, flags=re.IGNORECASE)
    authors = [n for n in re.split(r"\s*(?:,|;|&|\band\b|\bта\b|\bі\b|\bи\b)\s*", names) if n.strip()]
    return {"authors": [clean_field(n) for n in authors], "published": published}
