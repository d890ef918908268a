"""Searching only the parts of a long text where an answer can be.

An annotation's words can only have moved into text the diff shows as inserted (anything
else is carried from some old place), and a lookalike can only have been removed where the
diff shows a deletion. Searching those stretches, with a margin, instead of the whole text
keeps a 2.5 MB article with thousands of annotations quick.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Iterable

from store.anchoring.fold import FoldedText

# Stands between two stretches so that no match runs from one into the next.
_GAP = "\x00"


class Excerpts:
    """Stretches of a text, folded and searchable as one, with offsets of the whole text."""

    def __init__(self, text: str, stretches: Iterable[tuple[int, int]], margin: int) -> None:
        merged: list[list[int]] = []
        for low, high in sorted((max(0, lo - margin), min(len(text), hi + margin))
                                for lo, hi in stretches):
            if merged and low <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], high)
            else:
                merged.append([low, high])
        self._starts = []  # where each stretch begins in the joined text
        self._lows = []    # and in the whole text
        parts, at = [], 0
        for low, high in merged:
            self._starts.append(at)
            self._lows.append(low)
            parts.append(text[low:high])
            at += high - low + len(_GAP)
        self._folded = FoldedText(_GAP.join(parts))

    def find_all(self, needle: str, limit: int, mark: int = 0) -> list[tuple[int, int]]:
        """Where the folded ``needle`` occurs, as offsets of the whole text (at most ``limit``).

        Each match is given from the character ``mark`` places into the folded needle to
        the match's end.
        """
        found = []
        for at in self._folded.find_all(needle, limit):
            start = self._folded.original(at + mark)
            end = self._folded.original(at + len(needle))
            index = bisect_right(self._starts, start) - 1
            shift = self._lows[index] - self._starts[index]
            found.append((start + shift, end + shift))
        return found
