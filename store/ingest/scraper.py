"""The scraper layout of ``shared/corpus/ukrainska-pravda-*.txt``: a ``date YYYY-MM-DD`` line
(``date 2025-09-07 All Sections``), the headline, and a byline run into the dateline
(``Olga KatsimonSunday, 7 September 2025, 17:21``), read as metadata.
"""

from __future__ import annotations

import re
from typing import Any

from store.ingest.draft import parse_published
from store.ingest.written_dates import parse_byline_dateline
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
        byline = parse_byline_dateline(lines[rest[1]].strip())
        if byline is not None:
            fields.update(byline)
            start = rest[1] + 1
    return fields, normalise("\n".join(lines[start:]))
