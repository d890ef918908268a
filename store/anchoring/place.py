"""Placing annotations made on one revision into another.

First the diff: an annotation whose words lie inside text both revisions share is carried
through it. The others are looked for, in this order, and each step must be clearly right or
the annotation becomes an orphan with its reason:

1. its words, folded (quotes, dashes, white space), still at the place the diff maps it to;
2. the same passage edited in place, when at least 60% of it survived in one piece, its
   words and context agree and no unchanged copy of its words elsewhere comes close;
3. its words elsewhere in text the diff shows as inserted (a moved paragraph), chosen by
   context when they occur more than once, and only when the context clearly decides.

The lookalike rule outranks every score: words that already stood elsewhere in the old
revision are never a candidate, whether the diff carries them from that other place, or
shows them as new text (a lookalike that was itself moved or edited), or pairs them with the
annotation's own deleted words (a near-copy standing right beside it).
"""

from __future__ import annotations

from typing import Callable, Sequence

from store.anchoring.alignment import Alignment
from store.anchoring.diff import diff
from store.anchoring.excerpts import Excerpts
from store.anchoring.fold import fold
from store.anchoring.model import Anchor, Selector
from store.anchoring.score import fit

# A changed passage: its words at least this alike (0 to 1), and its context on one side at
# least CLEAR while the other side is not contradicting it.
CHANGED_WORDS = 0.75
CLEAR = 0.75
AGREEING = 0.5
# Among several places with the same words, the best context must lead the next by this much.
LEAD = 0.2
# The share of an annotation that must have survived in one piece to be looked for in place.
IN_PLACE = 0.6
# Words this long (folded) are their own evidence when they occur in one new place only.
DISTINCTIVE = 40
# A passage carried in an unchanged run shorter than this, between edits, is checked against
# lookalikes too: a diff may pair its words with a near-copy whose own words were edited.
SHORT_RUN = 300
# How far beyond an annotation's length from either edge of its mapped stretch its words
# still count as being in place.
EDGE_SLACK = 8
# How far either side of a candidate its neighbours are compared with the old text: near, to
# tell passages apart, and within the whole paragraph, to tell near-copies apart whose one
# difference is a little further away.
NEIGHBOURS = (40, 200)
# At most this many occurrences of a phrase are weighed; a phrase this common is never told
# apart by its context anyway.
MOST_PLACES = 200
# Annotations longer than this are looked for in the whole text, not only near edits.
LONGEST = 1000


def anchor_all(old_text: str, new_text: str, selectors: Sequence[Selector]) -> list[Anchor]:
    """An anchor in ``new_text`` for each selector made on ``old_text``, in the same order."""
    if old_text == new_text:
        return [Anchor("exact", s.start, s.end) for s in selectors]
    alignment = Alignment(diff(old_text, new_text))
    finder = _Finder(old_text, new_text, alignment)
    anchors = []
    for selector in selectors:
        carried = alignment.carried(selector.start, selector.end)
        if carried is None:
            anchors.append(finder.place(selector))
        elif carried[1] < SHORT_RUN:
            anchors.append(finder.place_short(selector, carried[0]))
        else:
            at = carried[0]
            kind = "exact" if at == selector.start else "moved"
            anchors.append(Anchor(kind, at, at + selector.end - selector.start))
    return anchors


class _Finder:
    """Looks for the annotations the diff could not carry whole."""

    def __init__(self, old_text: str, new_text: str, alignment: Alignment) -> None:
        self.old_text = old_text
        self.new_text = new_text
        self.alignment = alignment
        self._inserted: Excerpts | None = None
        self._removed: Excerpts | None = None

    @property
    def inserted(self) -> Excerpts:
        """The new text's inserted runs: the only places an annotation can have moved to."""
        if self._inserted is None:
            runs = [(p.new_start, p.new_start + len(p.text))
                    for p in self.alignment.pieces if p.op == "insert"]
            self._inserted = Excerpts(self.new_text, runs, LONGEST)
        return self._inserted

    @property
    def removed(self) -> Excerpts:
        """The old text's deleted runs: the only places a moved lookalike can have come from."""
        if self._removed is None:
            runs = [(p.old_start, p.old_start + len(p.text))
                    for p in self.alignment.pieces if p.op == "delete"]
            self._removed = Excerpts(self.old_text, runs, LONGEST + max(NEIGHBOURS))
        return self._removed

    def place_short(self, selector: Selector, at: int) -> Anchor:
        """A selector carried to ``at`` by a short unchanged run: kept unless it is a lookalike."""
        end = at + selector.end - selector.start
        if self._stood_elsewhere(selector, at, end, unless_own=True):
            return _orphan("the passage was deleted; a lookalike elsewhere was there before")
        return Anchor("exact" if at == selector.start else "moved", at, end)

    def place(self, selector: Selector) -> Anchor:
        """The anchor of one selector that no unchanged run holds whole."""
        words = fold(selector.exact).strip()
        if not words:
            return _orphan("the annotation has no words to look for")
        length = selector.end - selector.start
        mapped = self.alignment.mapped(selector.start, selector.end)
        found = self._candidates(selector, words, mapped)
        # Candidates where the diff maps the annotation decide first; the others (often
        # many, for a few common words) are checked for lookalikes only when needed.
        edge = [_at_edge(place, mapped, length) for place in found]
        here = [place for place, at_edge in zip(found, edge)
                if at_edge and not self._lookalike(selector, *place, in_place=True)]
        if here:
            start, end = min(here, key=lambda place: abs(place[0] - mapped[0]))
            return self._found(selector, start, end)
        # No candidate at the edge survived, so the places left are those away from it.
        elsewhere = [place for place, at_edge in zip(found, edge) if not at_edge]
        kept, longest = self.alignment.own_share(selector.start, selector.end)
        if longest >= IN_PLACE * length:
            return self._changed(selector, mapped, lambda: self._kept(selector, elsewhere))
        places = self._kept(selector, elsewhere)
        if places:
            return self._moved(selector, places)
        if len(places) < len(found):
            return _orphan("the passage was deleted; the same words elsewhere were there before")
        if kept == 0:
            return _orphan("the passage was deleted")
        return _orphan("the words changed too much")

    def _candidates(self, selector: Selector, words: str,
                    mapped: tuple[int, int]) -> list[tuple[int, int]]:
        """Where the folded words occur in the new text, in order, lookalikes included. They
        are looked for only where they can be: in inserted text and near the place the diff
        maps them to (anywhere, for a very long annotation)."""
        length = selector.end - selector.start
        if length > LONGEST:
            found = Excerpts(self.new_text, [(0, len(self.new_text))], 0).find_all(words, MOST_PLACES)
        else:
            found = self.inserted.find_all(words, MOST_PLACES)
        nearby = Excerpts(self.new_text, [mapped], length + EDGE_SLACK)
        return sorted(set(found) | set(nearby.find_all(words, MOST_PLACES)))

    def _kept(self, selector: Selector, places: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """``places`` away from where the diff maps the annotation, lookalikes left out."""
        return [place for place in places if not self._lookalike(selector, *place, in_place=False)]

    def _lookalike(self, selector: Selector, start: int, end: int, in_place: bool) -> bool:
        """Whether new ``start:end`` holds words that already stood elsewhere in the old text
        (``in_place``: where the diff maps the annotation).

        Two ways to tell: the diff carries them from another place, or the old text at the
        place they come from (or replace) already had these words, outside the annotation.
        The second catches a lookalike that was itself edited, which the diff then shows as
        deleted and inserted again.
        """
        foreign = self.alignment.foreign(start, end, selector.start, selector.end)
        if foreign * 10 > end - start or foreign > 2:
            return True
        return self._stood_elsewhere(selector, start, end, unless_own=in_place)

    def _stood_elsewhere(self, selector: Selector, start: int, end: int,
                         unless_own: bool = False) -> bool:
        """Whether new ``start:end`` is another old passage that the diff shows as new text.

        A moved or edited lookalike shows in the diff as deleted in one place and inserted in
        another, and a diff may even pair the annotation's deleted words with the lookalike.
        So the candidate with its neighbours on either side is looked up in the old text: if
        it stood there, and was removed, anywhere but at the annotation itself, it is taken
        to be that passage and is no candidate. With ``unless_own`` (words the diff carried
        from the annotation itself) a neighbourhood that also fits the annotation's own old
        place keeps them: only text that fits another place better is a lookalike.
        """
        length = selector.end - selector.start
        line_start = self.new_text.rfind("\n", 0, start) + 1
        line_end = self.new_text.find("\n", end)
        line_end = len(self.new_text) if line_end < 0 else line_end
        sides = [(max(line_start, start - reach), end) for reach in NEIGHBOURS]
        sides += [(start, max(end, min(line_end, end + reach))) for reach in NEIGHBOURS]
        nowhere = None
        for low, high in sides:
            if nowhere is not None and (low <= nowhere[0] and high >= nowhere[1]):
                # Reaching further on the same side: the text around holds the nearer text,
                # which stood nowhere in the removed text, so it cannot have stood there either.
                continue
            before = fold(self.new_text[low:start]).lstrip()
            around = fold(self.new_text[low:high]).strip()
            if len(around) > LONGEST + max(NEIGHBOURS):
                continue
            own = elsewhere = False
            found = self.removed.find_all(around, MOST_PLACES, mark=len(before))
            if not found and around:
                nowhere = (low, high)
            for there, _ in found:
                if abs(there - selector.start) <= 2:
                    own = True
                elif not self._still_there(there, there + length):
                    elsewhere = True  # gone from there: it may be what stands here now
            if elsewhere and not (unless_own and own):
                return True
        return False

    def _still_there(self, start: int, end: int) -> bool:
        """Whether old ``start:end`` still reads the same (folded) where the diff maps it."""
        if self.alignment.carried(start, end) is not None:
            return True
        new_start, new_end = self.alignment.mapped(start, end)
        return fold(self.new_text[new_start:new_end]).strip() == fold(self.old_text[start:end]).strip()

    def _found(self, selector: Selector, start: int, end: int) -> Anchor:
        """The anchor for a place holding the annotation's words, folded."""
        current = self.new_text[start:end]
        if current != selector.exact:
            return Anchor("changed", start, end, f"now reads {_excerpt(current)}")
        return Anchor("exact" if start == selector.start else "moved", start, end)

    def _changed(self, selector: Selector, mapped: tuple[int, int],
                 rival_places: Callable[[], list[tuple[int, int]]]) -> Anchor:
        """The passage edited in place, when its words and context agree clearly;
        ``rival_places`` gives the unchanged copies of its words elsewhere, looked for last."""
        start, end = _trimmed(self.new_text, *mapped, selector.exact)
        if start >= end:
            return _orphan("the words changed too much")
        if self._stood_elsewhere(selector, start, end):
            return _orphan("the passage was deleted; a lookalike elsewhere was there before")
        here = fit(selector, self.new_text, start, end)
        if here.words < CHANGED_WORDS:
            return _orphan("the words changed too much")
        if here.best_side < CLEAR or here.worst_side < AGREEING * here.best_side:
            return _orphan("the words and the text around them both changed")
        places = rival_places()
        rivals = [fit(selector, self.new_text, *place).context for place in places]
        if rivals and max(rivals) >= here.context - LEAD:
            return _orphan(f"the words changed here and also stand unchanged at {places[0][0]:,}")
        return Anchor("changed", start, end, f"now reads {_excerpt(self.new_text[start:end])}")

    def _moved(self, selector: Selector, places: list[tuple[int, int]]) -> Anchor:
        """The words found elsewhere, when one place is clearly theirs."""
        fits = sorted(((fit(selector, self.new_text, *place), place) for place in places),
                      key=lambda pair: pair[0].context, reverse=True)
        best, place = fits[0]
        if len(fits) == 1:
            distinctive = len(fold(selector.exact).strip()) >= DISTINCTIVE
            if distinctive or best.best_side >= CLEAR:
                return self._found(selector, *place)
            return _orphan("the words stand elsewhere now, without their context")
        runner_up = fits[1][0]
        if best.best_side >= CLEAR and best.context - runner_up.context >= LEAD:
            return self._found(selector, *place)
        starts = [f"{p[0]:,}" for _, p in fits[:3]]
        more = "" if len(fits) <= 3 else f" and {len(fits) - 3} more"
        return _orphan(f"{len(fits)} places match equally: at {', '.join(starts)}{more}")


def _at_edge(place: tuple[int, int], mapped: tuple[int, int], length: int) -> bool:
    """Whether words found at ``place`` are where the diff maps the annotation: at the start
    or the end of the mapped stretch, which may be long when a long insertion replaced
    part of the annotation."""
    reach = length + EDGE_SLACK
    for low, high in ((mapped[0], min(mapped[1], mapped[0] + reach)),
                      (max(mapped[0], mapped[1] - reach), mapped[1])):
        if place[0] < high and place[1] > low or place[0] <= low == high <= place[1]:
            return True
    return False


def _trimmed(text: str, start: int, end: int, exact: str) -> tuple[int, int]:
    """``start:end`` without white space at its edges, unless the annotation had it too."""
    if not exact[:1].isspace():
        while start < end and text[start].isspace():
            start += 1
    if not exact[-1:].isspace():
        while end > start and text[end - 1].isspace():
            end -= 1
    return start, end


def _excerpt(text: str, most: int = 60) -> str:
    flat = " ".join(text.split())
    return f"“{flat}”" if len(flat) <= most else f"“{flat[:most - 1]}…”"


def _orphan(reason: str) -> Anchor:
    return Anchor("orphan", None, None, reason)
