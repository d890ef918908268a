"""Folding text for comparison: quotes, dashes and runs of white space made plain.

An edit that only swaps straight quotes for curly ones, or two spaces for one, must not stop
a passage from being found; the anchor still reports ``changed`` because the characters differ.
Folding keeps a map back to the original offsets, stored only where white space was squeezed,
so folding a 2.5 MB text costs one ``translate`` and one regular-expression pass.
"""

from __future__ import annotations

import re
from bisect import bisect_right

_SAME_LENGTH = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-",
    "\u2212": "-",
    "\t": " ", "\n": " ", "\r": " ", "\f": " ", "\v": " ", "\u00a0": " ", "\u2007": " ",
    "\u202f": " ", "\u2009": " ", "\u200a": " ", "\u2028": " ", "\u2029": " ",
})
_SPACES = re.compile(r" {2,}")


def fold(text: str) -> str:
    """``text`` with typographic quotes and dashes plain and each run of white space one space."""
    return _SPACES.sub(" ", text.translate(_SAME_LENGTH))


class FoldedText:
    """A folded text that can say where each of its offsets lies in the original."""

    def __init__(self, text: str) -> None:
        plain = text.translate(_SAME_LENGTH)
        # After each squeezed run: (offset in the folded text, offset in the original).
        self._folded = [0]
        self._original = [0]
        parts = []
        taken = 0
        folded_at = 0
        for run in _SPACES.finditer(plain):
            parts.append(plain[taken:run.start() + 1])
            folded_at += run.start() + 1 - taken
            taken = run.end()
            self._folded.append(folded_at)
            self._original.append(taken)
        parts.append(plain[taken:])
        self.text = "".join(parts)

    def original(self, offset: int) -> int:
        """The original offset of the folded text's ``offset``."""
        index = bisect_right(self._folded, offset) - 1
        return self._original[index] + offset - self._folded[index]

    def find_all(self, needle: str, limit: int) -> list[int]:
        """Folded offsets of the occurrences of ``needle`` (at most ``limit`` of them)."""
        found = []
        at = self.text.find(needle)
        while at >= 0 and len(found) < limit:
            found.append(at)
            at = self.text.find(needle, at + 1)
        return found
