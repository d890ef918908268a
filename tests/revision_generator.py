"""Realistic revisions of real article text, with the right answer for every annotation.

Used by ``tests/test_anchoring.py`` (a small fixed profile) and ``bench/anchoring.py`` (the
full figures). A ``Draft`` is a text being edited that remembers, for each character, the
offset it had in the revision the annotations were made on (-1 for new characters), so each
annotation's fate is known without asking the engine: the longest run of its characters
that survived side by side decides. At least 90% of it → that run's place is expected;
below 50% → an orphan is expected; between, either answer is fine, but a place given must
be the surviving one.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

from store.anchoring import Anchor, Selector

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
CONTEXT = 32  # as the store keeps prefix and suffix (store.annotations.CONTEXT_LENGTH)

EDIT_KINDS = ("typo fix", "number", "quotes", "whitespace", "inserted paragraph",
              "update note", "deleted sentence", "deleted quote", "reworded sentence",
              "moved paragraph", "lookalike")
UNTOUCHED = "untouched"

_WORD = re.compile(r"[^\W\d_]{5,}")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_SENTENCE = re.compile(r"[^.!?\n]+[.!?]+[\"”’']?")
_QUOTE = re.compile(r"[\"“][^\"“”\n]{8,}[\"”]")
_REPLACEMENTS = {"said": "stated", "reported": "said", "about": "around", "more": "over",
                 "also": "further", "will": "would", "the": "this", "has": "had",
                 "and": "as well as", "in": "within", "of": "from", "to": "toward"}


def corpus_texts() -> list[str]:
    """The real article and the hand-checked article bodies of the shared corpus."""
    texts = [(CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt").read_text(encoding="utf-8")]
    truth = json.loads((CORPUS / "html" / "ground-truth.json").read_text(encoding="utf-8"))
    texts += [page["articleBody"] for page in truth.values() if len(page["articleBody"]) > 1500]
    return texts


class Draft:
    """A text under edit that knows where each character stood in the original."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.origin = list(range(len(text)))

    def replace(self, start: int, end: int, new: str) -> None:
        """Put ``new`` in place of ``start:end``; characters it shares at either edge survive."""
        old = self.text[start:end]
        same_head = 0
        while same_head < min(len(old), len(new)) and old[same_head] == new[same_head]:
            same_head += 1
        same_tail = 0
        while (same_tail < min(len(old), len(new)) - same_head
               and old[-1 - same_tail] == new[-1 - same_tail]):
            same_tail += 1
        kept_tail = self.origin[end - same_tail:end] if same_tail else []
        middle = [-1] * (len(new) - same_head - same_tail)
        self.origin[start:end] = self.origin[start:start + same_head] + middle + kept_tail
        self.text = self.text[:start] + new + self.text[end:]

    def restyle(self, start: int, end: int, new: str) -> None:
        """Put ``new`` in place of ``start:end``, a typographic variant of the same characters
        (curly for straight quotes, other white space): the first one keeps its origin."""
        origin = self.origin[start]
        self.replace(start, end, new)
        self.origin[start] = origin

    def move(self, start: int, end: int, to: int) -> None:
        """Cut ``start:end`` and paste it at ``to`` (an offset before the cut), origins kept."""
        piece, origin = self.text[start:end], self.origin[start:end]
        del self.origin[start:end]
        self.text = self.text[:start] + self.text[end:]
        if to > start:
            to -= end - start
        self.origin[to:to] = origin
        self.text = self.text[:to] + piece + self.text[to:]

    def old_region(self, start: int, end: int) -> tuple[int, int]:
        """The stretch of the original between the surviving neighbours of ``start:end``."""
        left = start - 1
        while left >= 0 and self.origin[left] < 0:
            left -= 1
        right = end
        while right < len(self.origin) and self.origin[right] < 0:
            right += 1
        low = self.origin[left] + 1 if left >= 0 else 0
        high = self.origin[right] if right < len(self.origin) else low
        return (low, high) if high >= low else (high, low)


@dataclass
class Case:
    """One revision pair: the old text, the new one, origins, edits and annotations."""

    old: str
    new: str
    origin: list[int]
    edits: list[tuple[str, int, int]] = field(default_factory=list)  # kind, old region
    selectors: list[Selector] = field(default_factory=list)
    lookalikes: list[tuple[int, int]] = field(default_factory=list)

    def kind_of(self, selector: Selector) -> str:
        """The edit an annotation is judged under: the first that touches it."""
        for start, end in self.lookalikes:
            if selector.start < end and selector.end > start:
                return "lookalike"
        for kind, start, end in self.edits:
            if selector.start <= end and selector.end >= start:
                return kind
        return UNTOUCHED


def selector_at(text: str, start: int, end: int) -> Selector:
    """An annotation of ``text[start:end]`` as the store would keep it."""
    return Selector(text[start:end], text[max(0, start - CONTEXT):start],
                    text[end:end + CONTEXT], start, end)


def _paragraphs(text: str) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[^\n]+", text)]


def _near_copy(sentence: str, rng: random.Random) -> str:
    """A sentence a reader might take for ``sentence``: one figure or word differs."""
    numbers = list(_NUMBER.finditer(sentence))
    if numbers:
        m = rng.choice(numbers)
        return f"{sentence[:m.start()]}{rng.randrange(2, 99)}{sentence[m.end():]}"
    words = list(_WORD.finditer(sentence))
    if not words:
        return "Reportedly, " + sentence
    m = rng.choice(words)
    return f"{sentence[:m.start()]}{rng.choice(['reportedly', 'also', 'formerly'])} {sentence[m.start():]}"


def _prepare(base: str, rng: random.Random, typos: int, lookalikes: int):
    """The revision the annotations are made on: the base text with typos to be fixed later
    and near-copies of sentences to be deleted later. Returns the text, the typos (offset,
    typo, right word) and the originals' spans."""
    text = base
    originals: list[tuple[int, int]] = []
    for _ in range(lookalikes):
        sentences = [m for m in _SENTENCE.finditer(text) if 40 <= len(m.group().strip()) <= 300
                     and not any(m.start() < e and m.end() > s for s, e in originals)]
        paragraphs = _paragraphs(text)
        if not sentences or len(paragraphs) < 3:
            break
        m = rng.choice(sentences)
        lead = len(m.group()) - len(m.group().lstrip())
        start, end = m.start() + lead, m.end()
        copy = "\n\n" + _near_copy(text[start:end], rng)
        at = rng.choice([e for s, e in paragraphs if not s <= start < e] or [len(text)])
        text = text[:at] + copy + text[at:]
        originals = [(s + len(copy), e + len(copy)) if s >= at else (s, e) for s, e in originals]
        originals.append((start + len(copy), end + len(copy)) if start >= at else (start, end))
    fixes = []
    for _ in range(typos):
        words = [m for m in _WORD.finditer(text)
                 if not any(m.start() < e and m.end() > s for s, e in originals)]
        if not words:
            break
        m = rng.choice(words)
        word = m.group()
        i = rng.randrange(1, len(word) - 2)
        typo = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if typo != word:
            text = text[:m.start()] + typo + text[m.end():]
            fixes.append((m.start(), typo, word))
    return text, fixes, originals


def _sentences(text: str) -> list[tuple[int, int]]:
    spans = []
    for m in _SENTENCE.finditer(text):
        lead = len(m.group()) - len(m.group().lstrip())
        if m.end() - m.start() - lead >= 20:
            spans.append((m.start() + lead, m.end()))
    return spans


class _Editor:
    """Applies one edit of a kind to a draft; each returns the old region it touched."""

    def __init__(self, draft: Draft, rng: random.Random, pool: list[str], fixes, originals):
        self.draft, self.rng, self.pool = draft, rng, pool
        self.fixes, self.originals = list(fixes), list(originals)

    def _at(self, old_offset: int) -> int | None:
        try:
            return self.draft.origin.index(old_offset)
        except ValueError:
            return None

    def _replace(self, start: int, end: int, new: str) -> tuple[int, int]:
        region = self.draft.old_region(start, end)
        self.draft.replace(start, end, new)
        return region

    def apply(self, kind: str) -> tuple[int, int] | None:
        return getattr(self, "_" + kind.replace(" ", "_"))()

    def _typo_fix(self):
        while self.fixes:
            offset, typo, word = self.fixes.pop()
            at = self._at(offset)
            if at is not None and self.draft.text[at:at + len(typo)] == typo:
                return self._replace(at, at + len(typo), word)
        return None

    def _number(self):
        numbers = list(_NUMBER.finditer(self.draft.text))
        if not numbers:
            return None
        m = self.rng.choice(numbers)
        digits = [i for i, c in enumerate(m.group()) if c.isdigit()]
        i = self.rng.choice(digits)
        new = m.group()[:i] + str((int(m.group()[i]) + 1) % 10 or 1) + m.group()[i + 1:]
        return self._replace(m.start(), m.end(), new)

    def _quotes(self):
        text = self.draft.text
        paragraphs = [p for p in _paragraphs(text) if any(c in text[p[0]:p[1]] for c in "\"'“”’")]
        if not paragraphs:
            return None
        start, end = self.rng.choice(paragraphs)
        region = self.draft.old_region(start, end)
        opening = True
        for i in range(start, end):
            c = self.draft.text[i]
            if c == '"':
                self.draft.restyle(i, i + 1, "“" if opening else "”")
                opening = not opening
            elif c in "“”":
                self.draft.restyle(i, i + 1, '"')
            elif c == "'":
                self.draft.restyle(i, i + 1, "’")
            elif c == "’":
                self.draft.restyle(i, i + 1, "'")
        return region

    def _whitespace(self):
        text = self.draft.text
        start, end = self.rng.choice(_paragraphs(text))
        spaces = [i for i in range(start, end) if text[i] == " "]
        if not spaces:
            return None
        chosen = sorted(self.rng.sample(spaces, min(3, len(spaces))), reverse=True)
        region = self.draft.old_region(chosen[-1], chosen[0] + 1)
        for i in chosen:
            self.draft.restyle(i, i + 1, self.rng.choice(["  ", "\u00a0", " \n"]))
        return region

    def _inserted_paragraph(self):
        paragraph = self.rng.choice(self.pool)
        ends = [e for _, e in _paragraphs(self.draft.text)]
        at = self.rng.choice(ends)
        return self._replace(at, at, "\n\n" + paragraph)

    def _update_note(self):
        note = ("Update, 8 September 2025, 10:14: this article has been updated with new "
                "figures and a statement.\n\n")
        return self._replace(0, 0, note)

    def _deleted_sentence(self):
        sentences = _sentences(self.draft.text)
        if not sentences:
            return None
        start, end = self.rng.choice(sentences)
        if self.draft.text[end:end + 1] == " ":
            end += 1
        return self._replace(start, end, "")

    def _deleted_quote(self):
        quotes = list(_QUOTE.finditer(self.draft.text))
        if not quotes:
            return self._deleted_sentence()
        m = self.rng.choice(quotes)
        return self._replace(m.start(), m.end(), "")

    def _reworded_sentence(self):
        sentences = _sentences(self.draft.text)
        if not sentences:
            return None
        start, end = self.rng.choice(sentences)
        words = list(re.finditer(r"[^\W\d_]+", self.draft.text[start:end]))
        if len(words) < 4:
            return None
        region = self.draft.old_region(start, end)
        for m in sorted(self.rng.sample(words, min(2, len(words))), key=lambda m: -m.start()):
            word = m.group()
            new = _REPLACEMENTS.get(word.lower())
            if new is None:
                new = self.rng.choice(["", "reportedly " + word, word + " again"])
            a, b = start + m.start(), start + m.end()
            if new == "" and self.draft.text[b:b + 1] == " ":
                b += 1
            self.draft.replace(a, b, new)
        return region

    def _moved_paragraph(self):
        text = self.draft.text
        paragraphs = _paragraphs(text)
        if len(paragraphs) < 3:
            return None
        start, end = self.rng.choice(paragraphs[1:])
        while end < len(text) and text[end] == "\n":
            end += 1
        if end == len(text):
            return None
        origins = [o for o in self.draft.origin[start:end] if o >= 0]
        to = self.rng.choice([s for s, _ in paragraphs if not start <= s < end])
        self.draft.move(start, end, to)
        if not origins:
            return None
        return min(origins), max(origins) + 1

    def _lookalike(self):
        while self.originals:
            start, end = self.originals.pop()
            at = self._at(start)
            if at is not None and self.draft.origin[at + end - start - 1] == end - 1:
                tail = at + end - start
                if self.draft.text[tail:tail + 1] == " ":
                    tail += 1
                return self._replace(at, tail, "")
        return None


def make_case(base: str, rng: random.Random, edits: int, annotations: int,
              pool: list[str], kinds=EDIT_KINDS) -> Case:
    """A revision pair made from ``base`` with ``edits`` edits of the given kinds, and
    annotations on the old text, half of them near an edit."""
    plan = [rng.choice(kinds) for _ in range(edits)]
    old, fixes, originals = _prepare(base, rng, plan.count("typo fix"), plan.count("lookalike"))
    draft = Draft(old)
    editor = _Editor(draft, rng, pool, fixes, originals)
    case = Case(old, "", [], lookalikes=list(originals))
    for kind in plan:
        region = editor.apply(kind)
        if region is not None:
            case.edits.append((kind, *region))
    case.new, case.origin = draft.text, draft.origin
    case.selectors = _annotations(old, rng, annotations, case)
    return case


def _annotations(text: str, rng: random.Random, count: int, case: Case) -> list[Selector]:
    words = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
    sentences = _sentences(text)
    quotes = [(m.start(), m.end()) for m in _QUOTE.finditer(text)]
    focus = [(s, e) for _, s, e in case.edits] + case.lookalikes
    selectors = []
    for s, e in case.lookalikes:
        selectors.append(selector_at(text, s, e))
        inner = [w for w in words if s <= w[0] and w[1] <= e]
        if len(inner) > 3:
            i = rng.randrange(len(inner) - 2)
            selectors.append(selector_at(text, inner[i][0], inner[i + 2][1]))
    from bisect import bisect_left
    while len(selectors) < count:
        if focus and rng.random() < 0.5:
            s, e = rng.choice(focus)
            around = rng.randint(max(0, s - 80), min(len(text) - 1, e + 80))
        else:
            around = rng.randrange(len(text))
        size = rng.choice(["word", "word", "sentence", "quotation"])
        if size == "sentence" and sentences:
            i = min(bisect_left(sentences, (around, around)), len(sentences) - 1)
            start, end = sentences[i]
        elif size == "quotation" and quotes:
            i = min(bisect_left(quotes, (around, around)), len(quotes) - 1)
            start, end = quotes[i]
            if rng.random() < 0.5:  # the words inside the marks
                start, end = start + 1, end - 1
        else:
            i = min(bisect_left(words, (around, around)), len(words) - 1)
            j = min(i + rng.randrange(3), len(words) - 1)
            start, end = words[i][0], words[j][1]
            while end > start and not text[end - 1].isalnum():
                end -= 1
        if end > start:
            selectors.append(selector_at(text, start, end))
    return selectors


@dataclass(frozen=True)
class Truth:
    """What the generator knows about one annotation: the share of it that survived in one
    piece, and that piece's place in the new text."""

    survived: float
    start: int | None
    end: int | None


def truth(case: Case, selector: Selector, new_place: list[int]) -> Truth:
    """The longest run of the annotation's characters that survived side by side."""
    best = run = 0
    best_end = None
    for i in range(selector.start, selector.end):
        here = new_place[i]
        if here >= 0 and run and _next_to(case, new_place[i - 1], here):
            run += 1
        else:
            run = 1 if here >= 0 else 0
        if run > best:
            best, best_end = run, here + 1
    length = selector.end - selector.start
    if not best:
        return Truth(0.0, None, None)
    return Truth(best / length, best_end - best, best_end)


def _next_to(case: Case, before: int, after: int) -> bool:
    """Whether new offset ``after`` follows ``before`` with at most added white space between."""
    if after == before + 1:
        return True
    between = case.new[before + 1:after]
    return after > before and between.isspace() and len(between) <= 2 and all(
        origin < 0 for origin in case.origin[before + 1:after])


def new_places(case: Case) -> list[int]:
    """For each old offset, its offset in the new text (-1 when it did not survive)."""
    place = [-1] * len(case.old)
    for new_offset, old_offset in enumerate(case.origin):
        if old_offset >= 0:
            place[old_offset] = new_offset
    return place


def verdict(case: Case, selector: Selector, anchor: Anchor, known: Truth) -> str:
    """``right``, ``wrong``, ``missed`` (an orphan where a place was expected) or ``fine``
    (an orphan where one was expected or allowed)."""
    length = selector.end - selector.start
    if anchor.kind == "orphan":
        return "missed" if known.survived >= 0.9 else "fine"
    if known.survived < 0.5 or known.start is None:
        return "wrong"
    if anchor.start >= known.end or anchor.end <= known.start:
        return "wrong"
    for i in range(anchor.start, anchor.end):
        old = case.origin[i]
        if old >= 0 and not selector.start <= old < selector.end and case.new[i].isalnum():
            return "wrong"  # it took in words that stood elsewhere
    if known.survived >= 0.9:
        uncovered = max(0, anchor.start - known.start) + max(0, known.end - anchor.end)
        if uncovered > max(2, length // 10):
            return "wrong"
        if anchor.end - anchor.start > 1.5 * (known.end - known.start) + 10:
            return "wrong"
    return "right"
