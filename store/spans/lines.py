"""Rows and columns: offsets mapped to the lines a text area draws, and spans cut by line."""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterable

from store.spans.words import Span


class LineIndex:
    """Converts between text offsets and (row, column) locations with a binary search.

    Lines break where ``str.splitlines`` breaks them, as Textual's ``Document`` does, so rows
    here are the rows a ``TextArea`` shows.
    """

    def __init__(self, text: str) -> None:
        starts = [0]
        lengths = []
        position = 0
        for line in text.splitlines(keepends=True):
            stripped = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            lengths.append(len(stripped))
            position += len(line)
            starts.append(position)
        if not text or text.endswith(tuple("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")):
            lengths.append(0)
        else:
            starts.pop()
        self.starts: list[int] = starts
        self.lengths: list[int] = lengths
        self.length = len(text)

    def __len__(self) -> int:
        return len(self.starts)

    def location(self, offset: int) -> tuple[int, int]:
        """The (row, column) of ``offset``."""
        offset = max(0, min(offset, self.length))
        row = bisect_right(self.starts, offset) - 1
        return row, min(offset - self.starts[row], self.lengths[row])

    def offset(self, location: tuple[int, int]) -> int:
        """The offset of a (row, column) location, clamped to the text."""
        row, column = location
        row = max(0, min(row, len(self.starts) - 1))
        return self.starts[row] + max(0, min(column, self.lengths[row]))

    def line_span(self, row: int) -> Span:
        """Offsets of the start and end (before the line break) of a row."""
        return self.starts[row], self.starts[row] + self.lengths[row]

    def rows(self, start: int, end: int) -> range:
        """The rows that a span touches."""
        first = self.location(start)[0]
        last = self.location(max(start, end - 1))[0] if end > start else first
        return range(first, last + 1)


# --- spans on lines, for drawing highlights

def spans_by_line(spans: Iterable[tuple[int, int, object]], lines: LineIndex
                  ) -> dict[int, list[tuple[int, int, object]]]:
    """Cut spans into per-row pieces ``(start column, end column, payload)`` for drawing."""
    by_line: dict[int, list[tuple[int, int, object]]] = {}
    for start, end, payload in spans:
        if end <= start:
            continue
        first_row, first_col = lines.location(start)
        last_row, last_col = lines.location(end)
        for row in range(first_row, last_row + 1):
            col_start = first_col if row == first_row else 0
            col_end = last_col if row == last_row else lines.lengths[row]
            if col_end > col_start:
                by_line.setdefault(row, []).append((col_start, col_end, payload))
    return by_line
