"""Placing annotations made on one revision into another.

The first, conservative rule: an annotation whose words lie inside text both revisions share
(an unchanged run of the diff) is carried through the diff; any other is an orphan. It never
places an annotation on other words; ``changed`` anchors and the search for passages that
moved come on top of it.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

from store.anchoring.diff import Piece, diff
from store.anchoring.model import Anchor, Selector


def anchor_all(old_text: str, new_text: str, selectors: Sequence[Selector]) -> list[Anchor]:
    """An anchor in ``new_text`` for each selector made on ``old_text``, in the same order."""
    if old_text == new_text:
        return [Anchor("exact", s.start, s.end) for s in selectors]
    shared = [piece for piece in diff(old_text, new_text) if piece.op == "equal"]
    starts = [piece.old_start for piece in shared]
    return [_carried(selector, shared, starts) for selector in selectors]


def _carried(selector: Selector, shared: list[Piece], starts: list[int]) -> Anchor:
    """The selector carried through the unchanged run that holds all of it, or an orphan."""
    index = bisect_right(starts, selector.start) - 1
    if index >= 0:
        piece = shared[index]
        if selector.end <= piece.old_start + len(piece.text):
            start = piece.new_start + selector.start - piece.old_start
            end = start + selector.end - selector.start
            kind = "exact" if start == selector.start else "moved"
            return Anchor(kind, start, end)
    return Anchor("orphan", None, None, "the words were edited or removed")
