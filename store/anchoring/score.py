"""How well a place in the new text fits an annotation: its words and the words around it."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.fuzz import ratio

from store.anchoring.fold import fold
from store.anchoring.model import Selector


# Context shorter than this counts for less, in proportion.
FULL_CONTEXT = 16


@dataclass(frozen=True)
class Fit:
    """Similarities from 0 to 1 of a candidate's words, and of the text before and after it."""

    words: float
    before: float
    after: float
    # How much of each side's evidence is missing because the context was short.
    unknown_before: float = 0.0
    unknown_after: float = 0.0

    @property
    def context(self) -> float:
        """Both sides together: a passage that kept its neighbours on both sides scores 1."""
        return (self.before + self.after) / 2

    @property
    def best_side(self) -> float:
        """The side that agrees best."""
        return max(self.before, self.after)

    @property
    def worst_side(self) -> float:
        """The side that agrees least, counting what a short context cannot tell as agreeing."""
        return min(self.before + self.unknown_before, self.after + self.unknown_after)


def similarity(one: str, other: str) -> float:
    """0 to 1: how alike two strings are once quotes, dashes and white space are folded."""
    return ratio(fold(one), fold(other)) / 100


def fit(selector: Selector, new_text: str, start: int, end: int) -> Fit:
    """How well ``new_text[start:end]`` and its surroundings match the selector."""
    before = _side(selector.prefix, new_text, start, before=True)
    after = _side(selector.suffix, new_text, end, before=False)
    return Fit(similarity(selector.exact, new_text[start:end]), before, after,
               _unknown(selector.prefix), _unknown(selector.suffix))


def _unknown(context: str) -> float:
    return 0.0 if not context else max(0.0, 1 - len(fold(context)) / FULL_CONTEXT)


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
    # A few characters of context (the text ended just after the words) are weak evidence.
    return ratio(wanted, near) / 100 * (1 - _unknown(context))
