"""The scraper layout of ``shared/corpus/ukrainska-pravda-*.txt``: a ``date YYYY-MM-DD`` line
(``date 2025-09-07 All Sections``), the headline, and a byline run into the dateline
(``Olga KatsimonSunday, 7 September 2025, 17:21``), read as metadata.
"""

from __future__ import annotations

import re
from typing import Any

from store.ingest.draft import clean_field, parse_published
from store.ingest.written_dates import iso_from_match, match_dateline
from store.text import normalise

_SCRAPER_DATE_RE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:\s|$)")


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
    match = match_dateline(line)
    if match is None:
        return None
    names = match.group("names").strip(" ,;|-–—")
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
