"""Versions of a record: when it was changed and in which copy.

Two versions of one record are ordered by ``(updated_at, edited_on)``: the later time wins,
and the copy's id breaks a tie, so every copy picks the same winner without asking another.
"""

from __future__ import annotations

from typing import NamedTuple


class Version(NamedTuple):
    """One version of an article's metadata or of an annotation."""

    updated_at: str
    edited_on: str

    def __str__(self) -> str:
        # Times hold no spaces, so the first space splits the two again.
        return f"{self.updated_at} {self.edited_on}"

    @classmethod
    def parse(cls, text: str) -> "Version":
        updated_at, _, edited_on = text.partition(" ")
        return cls(updated_at, edited_on)
