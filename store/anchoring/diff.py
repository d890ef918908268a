"""Differences between two revisions' texts, in code-point offsets of both."""

from __future__ import annotations

from dataclasses import dataclass

import fast_diff_match_patch

OPERATIONS = {"=": "equal", "-": "delete", "+": "insert"}


@dataclass(frozen=True)
class Piece:
    """A run of text the two revisions share, or that one of them alone has.

    ``old_start`` and ``new_start`` are where the run begins (or would begin) in each text.
    """

    op: str
    text: str
    old_start: int
    new_start: int


def diff(old: str, new: str) -> list[Piece]:
    """The pieces that turn ``old`` into ``new``, cleaned up so that they follow words."""
    pieces = []
    old_at = new_at = 0
    for op, text in fast_diff_match_patch.diff(old, new, counts_only=False, cleanup="Semantic"):
        pieces.append(Piece(OPERATIONS[op], text, old_at, new_at))
        if op != "+":
            old_at += len(text)
        if op != "-":
            new_at += len(text)
    return pieces
