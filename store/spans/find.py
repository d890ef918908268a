"""Finding typed text in an article, with any kind of quotation mark standing for any other."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right

from store.spans.words import Span


_DOUBLE_MARKS = "[\"“”„«»]"
_SINGLE_MARKS = "['‘’]"
_QUOTE_CLASS = {**dict.fromkeys("\"“”„«»", _DOUBLE_MARKS),
                **dict.fromkeys("'‘’", _SINGLE_MARKS)}


def find_pattern(query: str) -> re.Pattern[str] | None:
    """A pattern that finds ``query`` ignoring case, the kind of quotation marks and how much
    whitespace (a line break too) separates its words. None for a blank query."""
    query = query.strip()
    if not query:
        return None
    parts = []
    for char in query:
        if char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(_QUOTE_CLASS.get(char, re.escape(char)))
    return re.compile("".join(parts), re.IGNORECASE)


def find_all(text: str, query: str) -> list[Span]:
    """Every match of ``query`` in the text, in order (see ``find_pattern``)."""
    pattern = find_pattern(query)
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def find_first(text: str, query: str, offset: int = 0) -> Span | None:
    """The first match of ``query`` at or after ``offset``, wrapping to the top; or None."""
    pattern = find_pattern(query)
    if pattern is None:
        return None
    found = pattern.search(text, offset) or pattern.search(text, 0, offset + len(query))
    return (found.start(), found.end()) if found else None


class Matches:
    """The matches of one query in the text, for stepping forwards and backwards."""

    def __init__(self, text: str, query: str) -> None:
        self.query = query
        self.spans: list[Span] = find_all(text, query)
        self._starts = [start for start, _ in self.spans]

    def __len__(self) -> int:
        return len(self.spans)

    def after(self, offset: int) -> int | None:
        """Index of the first match starting after ``offset``, wrapping to the first."""
        if not self.spans:
            return None
        index = bisect_right(self._starts, offset)
        return index if index < len(self.spans) else 0

    def before(self, offset: int) -> int | None:
        """Index of the last match starting before ``offset``, wrapping to the last."""
        if not self.spans:
            return None
        index = bisect_left(self._starts, offset) - 1
        return index if index >= 0 else len(self.spans) - 1

    def from_(self, offset: int) -> int | None:
        """Index of the first match starting at or after ``offset``, wrapping to the first."""
        if not self.spans:
            return None
        index = bisect_left(self._starts, offset)
        return index if index < len(self.spans) else 0
