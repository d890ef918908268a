"""Finding typed text in an article as a person types it: any quotation mark stands for any
other of its kind, any dash for any other, and any run of whitespace (a line break too) for any
other."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right

from store.spans.words import Span


_DOUBLE_MARKS = "[\"“”„«»]"
_SINGLE_MARKS = "['‘’]"
# Hyphen-minus, hyphen, non-breaking hyphen, figure, en and em dash, horizontal bar, minus.
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DASH_CLASS = "[" + re.escape(_DASHES) + "]"
_CLASS = {**dict.fromkeys("\"“”„«»", _DOUBLE_MARKS), **dict.fromkeys("'‘’", _SINGLE_MARKS),
          **dict.fromkeys(_DASHES, _DASH_CLASS)}


def find_pattern(query: str, ignore_case: bool = True) -> re.Pattern[str] | None:
    """A pattern that finds ``query`` whatever the kind of its quotation marks and dashes and
    however much whitespace (a line break too) separates its words; ignoring case unless
    ``ignore_case`` is False. None for a blank query.

    Spaces typed around a dash may be missing in the text: "war - not" finds "war—not", as
    one keyboard's hyphen with spaces is another writer's em dash without.
    """
    query = unicodedata.normalize("NFC", query).strip()
    if not query:
        return None
    parts: list[str] = []
    for char in query:
        if char.isspace():
            if not parts or parts[-1] not in (r"\s+", r"\s*"):
                parts.append(r"\s*" if parts and parts[-1] == _DASH_CLASS else r"\s+")
        elif char in _DASHES:
            if parts and parts[-1] == r"\s+":
                parts[-1] = r"\s*"
            parts.append(_DASH_CLASS)
        else:
            parts.append(_CLASS.get(char, re.escape(char)))
    return re.compile("".join(parts), re.IGNORECASE if ignore_case else 0)


def find_all(text: str, query: str, ignore_case: bool = True) -> list[Span]:
    """Every match of ``query`` in the text, in order (see ``find_pattern``)."""
    pattern = find_pattern(query, ignore_case)
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
