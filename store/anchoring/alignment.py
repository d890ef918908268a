"""Where each old offset went: the diff read as a map between the two revisions."""

from __future__ import annotations

from bisect import bisect_right
from typing import Sequence

from store.anchoring.diff import Piece


class Alignment:
    """The runs two revisions share, searchable from either side, and what lies between them."""

    def __init__(self, pieces: Sequence[Piece]) -> None:
        self.pieces = list(pieces)
        self._old_starts = [piece.old_start for piece in self.pieces]
        shared = [piece for piece in self.pieces if piece.op == "equal"]
        self._shared = shared
        self._shared_old = [piece.old_start for piece in shared]
        self._shared_new = [piece.new_start for piece in shared]

    def carried(self, start: int, end: int) -> tuple[int, int] | None:
        """Where old ``start:end`` begins in the new text when one unchanged run holds all of
        it, with that run's length (a short run between edits deserves a closer look)."""
        index = bisect_right(self._shared_old, start) - 1
        if index < 0:
            return None
        piece = self._shared[index]
        if end <= piece.old_start + len(piece.text):
            return piece.new_start + start - piece.old_start, len(piece.text)
        return None

    def mapped(self, start: int, end: int) -> tuple[int, int]:
        """Where old ``start:end`` lands in the new text, replacements at its edges included."""
        new_start = self._new_edge(start, opening=True)
        new_end = self._new_edge(max(start, end - 1), opening=False)
        return new_start, max(new_start, new_end)

    def _new_edge(self, offset: int, opening: bool) -> int:
        # An insert shares its old_start with the piece after it, so the last piece starting
        # at or before ``offset`` is the one holding the old character.
        index = max(bisect_right(self._old_starts, offset) - 1, 0)
        piece = self.pieces[index]
        if piece.op == "equal":
            return piece.new_start + offset - piece.old_start + (0 if opening else 1)
        # A deleted character: the passage's edge is where the deletion happened, reaching
        # over what replaced it when the deletion ends with the passage.
        ends_here = piece.old_start + len(piece.text) == offset + 1
        follower = self.pieces[index + 1] if index + 1 < len(self.pieces) else None
        if not opening and ends_here and follower is not None and follower.op == "insert":
            return follower.new_start + len(follower.text)
        return piece.new_start

    def own_share(self, start: int, end: int) -> tuple[int, int]:
        """Of old ``start:end``: characters kept unchanged, and the longest unbroken run of them."""
        kept = longest = 0
        index = max(bisect_right(self._shared_old, start) - 1, 0)
        while index < len(self._shared) and self._shared[index].old_start < end:
            piece = self._shared[index]
            overlap = min(end, piece.old_start + len(piece.text)) - max(start, piece.old_start)
            if overlap > 0:
                kept += overlap
                longest = max(longest, overlap)
            index += 1
        return kept, longest

    def foreign(self, new_start: int, new_end: int, own_start: int, own_end: int) -> int:
        """How many characters of new ``new_start:new_end`` were already in the old text
        outside old ``own_start:own_end``: words that stood elsewhere before this revision."""
        count = 0
        index = max(bisect_right(self._shared_new, new_start) - 1, 0)
        while index < len(self._shared) and self._shared[index].new_start < new_end:
            piece = self._shared[index]
            lo = max(new_start, piece.new_start)
            hi = min(new_end, piece.new_start + len(piece.text))
            if hi > lo:
                old_lo = piece.old_start + lo - piece.new_start
                old_hi = old_lo + hi - lo
                inside = max(0, min(old_hi, own_end) - max(old_lo, own_start))
                count += hi - lo - inside
            index += 1
        return count
