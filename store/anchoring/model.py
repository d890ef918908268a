"""What anchoring takes (an annotation's selectors) and what it gives (an anchor)."""

from __future__ import annotations

from dataclasses import dataclass

# exact: same words at the same offsets; moved: same words at other offsets; changed: the same
# passage with edited words; orphan: the passage is gone or cannot be told apart from others.
ANCHOR_KINDS = ("exact", "moved", "changed", "orphan")


@dataclass(frozen=True)
class Selector:
    """An annotation as it was made: its words, their context and offsets in that revision."""

    exact: str
    prefix: str
    suffix: str
    start: int
    end: int


@dataclass(frozen=True)
class Anchor:
    """Where an annotation sits in a newer revision; ``start``/``end`` are None for an orphan.

    ``reason`` is one line for a person: why it is an orphan, or what changed.
    """

    kind: str
    start: int | None
    end: int | None
    reason: str = ""

    def __post_init__(self) -> None:
        if self.kind not in ANCHOR_KINDS:
            raise ValueError(f"unknown anchor kind {self.kind!r}")
        if (self.kind == "orphan") != (self.start is None):
            raise ValueError("an orphan has no offsets and every other anchor has both")
