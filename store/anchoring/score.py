"""How well a place in the new text fits an annotation: its words and the words around it."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.fuzz import ratio

from store.anchoring.fold import fold
from store.anchoring.model import Selector


@dataclass(frozen=True)
class Fit:
    """Similarities from 0 to 1 of a candidate's words, and of the text before and after it."""

    words: float
    before: float
    after: float

    @property
    def context(self) -> float:
        """Both sides together: a passage that kept its neighbours on both sides scores 1."""
        return (self.before + self.after) / 2

    @property
    def best_side(self) -> float:
        return max(self.before, self.after)


def similarity(one: str, other: str) -> float:
    """0 to 1: how alike two strings are once quotes, dashes and white space are folded."""
    return ratio(fold(one), fold(other)) / 100


def fit(selector: Selector, new_text: str, start: int, end: int) -> Fit:
    """How well ``new_text[start:end]`` and its surroundings match the selector."""
    return Fit(similarity(selector.exact, new_text[start:end]),
               _side(selector.prefix, new_text, start, before=True),
               _side(selector.suffix, new_text, end, before=False))


def _side(context: str, new_text: str, at: int, before: bool) -> float:
    wanted = fold(context)
    if before:
        near = fold(new_text[max(0, at - 2 * len(context) - 8):at])
        near = near[len(near) - len(wanted):] if wanted else near
    else:
        near = fold(new_text[at:at + 2 * len(context) + 8])[:len(wanted)]
    if not wanted:
        # The annotation began or ended its text: the same holds only at the new text's edge.
        return 1.0 if not near.strip() else 0.0
    return ratio(wanted, near) / 100
