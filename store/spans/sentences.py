"""Sentences: pysbd's boundaries, fitted to news copy, worked out paragraph by paragraph.

Sentence boundaries come from pysbd, which is accurate but slow (about 6 ms a kilobyte), so
``Boundaries`` segments a paragraph only when someone asks about it and remembers the answer
by the paragraph's text: a 2.5 MB article costs nothing until the cursor reaches a paragraph.
"""

from __future__ import annotations

import re
import threading
from bisect import bisect_left, bisect_right
from typing import Iterable

from store.spans.paragraphs import paragraphs
from store.spans.quotations import QUOTE_MARKS, quotation_pairs
from store.spans.saying import SAYING_VERBS
from store.spans.words import Span, _trimmed, is_word_char


class Boundaries:
    """Paragraphs and sentences of one article, worked out once and only when needed."""

    _segmenter = None
    _memo: dict[str, tuple[Span, ...]] = {}
    _lock = threading.Lock()  # the reader warms the segmenter up in a thread

    def __init__(self, text: str) -> None:
        self.text = text
        self._paragraphs: list[Span] | None = None
        self._paragraph_starts: list[int] = []
        self._sentences: dict[int, tuple[Span, ...]] = {}

    @property
    def paragraphs(self) -> list[Span]:
        """Every paragraph, computed on first use."""
        if self._paragraphs is None:
            self._paragraphs = paragraphs(self.text)
            self._paragraph_starts = [start for start, _ in self._paragraphs]
        return self._paragraphs

    def paragraph_index(self, offset: int) -> int:
        """The index of the paragraph holding ``offset``, or of the next one after a gap."""
        spans = self.paragraphs
        if not spans:
            return -1
        index = bisect_right(self._paragraph_starts, offset) - 1
        if index < 0:
            return 0
        if offset > spans[index][1] and index + 1 < len(spans):
            return index + 1
        return index

    def paragraph_at(self, offset: int) -> Span | None:
        """The paragraph under ``offset`` (the next one when on a blank line)."""
        index = self.paragraph_index(offset)
        return self.paragraphs[index] if index >= 0 else None

    def next_paragraph_start(self, offset: int) -> int:
        """Start of the first paragraph beginning after ``offset``."""
        self.paragraphs
        index = bisect_right(self._paragraph_starts, offset)
        starts = self._paragraph_starts
        return starts[index] if index < len(starts) else len(self.text)

    def previous_paragraph_start(self, offset: int) -> int:
        """Start of the last paragraph beginning before ``offset``."""
        self.paragraphs
        index = bisect_left(self._paragraph_starts, offset) - 1
        return self._paragraph_starts[index] if index >= 0 else 0

    def sentences_in(self, index: int) -> tuple[Span, ...]:
        """The sentences of paragraph ``index`` as absolute spans."""
        cached = self._sentences.get(index)
        if cached is not None:
            return cached
        start, end = self.paragraphs[index]
        relative = self._segment(self.text[start:end])
        spans = tuple((start + s, start + e) for s, e in relative)
        self._sentences[index] = spans
        return spans

    def sentence_at(self, offset: int) -> Span | None:
        """The sentence under ``offset``; between sentences, the one that follows."""
        index = self.paragraph_index(offset)
        if index < 0:
            return None
        sentences = self.sentences_in(index)
        for span in sentences:
            if offset < span[1] or (offset == span[1] and span is sentences[-1]):
                return span
        return sentences[-1] if sentences else None

    def next_sentence_start(self, offset: int) -> int:
        """Start of the first sentence beginning after ``offset``."""
        index = self.paragraph_index(offset)
        if index < 0:
            return len(self.text)
        while index < len(self.paragraphs):
            for start, _ in self.sentences_in(index):
                if start > offset:
                    return start
            index += 1
        return len(self.text)

    def previous_sentence_start(self, offset: int) -> int:
        """Start of the last sentence beginning before ``offset``."""
        index = min(self.paragraph_index(offset), len(self.paragraphs) - 1)
        while index >= 0:
            for start, _ in reversed(self.sentences_in(index)):
                if start < offset:
                    return start
            index -= 1
        return 0

    @classmethod
    def _segment(cls, paragraph: str) -> tuple[Span, ...]:
        """Sentence spans of one paragraph, remembered by its text (articles repeat little,
        but the same boilerplate paragraph is common across a library)."""
        found = cls._memo.get(paragraph)
        if found is None:
            with cls._lock:
                found = tuple(segment_sentences(paragraph, cls._pysbd()))
            if len(cls._memo) > 20000:
                cls._memo.clear()
            cls._memo[paragraph] = found
        return found

    @classmethod
    def _pysbd(cls):
        if cls._segmenter is None:
            import pysbd  # imported late: it is slow to load and only the reader needs it

            cls._segmenter = pysbd.Segmenter(language="en", clean=False)
        return cls._segmenter


# A label is the outlet's signpost, written as a heading: one to three words before a colon,
# the first capitalised ("Source:", "Editor's note:", "Read more:", "UPDATE:"). Words before a
# colon that make a clause are the sentence's own and say who spoke, which a quote must keep:
# a verb of saying after the first word ("Zelensky said:", "He told reporters:"), an article
# or subject pronoun at the head, which headings drop ("The ministry added:", "Another
# caveat:"), or an attribution ("According to Skibitskyi:").
_LABEL = re.compile(r"([A-Z][\w’'-]*(?: [\w’'-]+){0,2}):[^\S\n]+(?=\S)")
_CLAUSE_HEADS = frozenset("according the a an another this that these those he she we they i"
                          .split())


def label_end(paragraph: str) -> int:
    """Where the words after a paragraph's leading label start; 0 when it has no label."""
    match = _LABEL.match(paragraph)
    if match is None or len(match.group(1)) > 24:
        return 0
    head, *rest = match.group(1).split()
    if head.lower() in _CLAUSE_HEADS or any(word in SAYING_VERBS for word in rest):
        return 0
    return match.end()


def segment_sentences(paragraph: str, segmenter) -> list[Span]:
    """Sentence spans (relative to the paragraph) of one paragraph.

    Two things pysbd does not do for news copy are done here. A leading label such as
    ``Source:`` or ``Quote:`` is the outlet's signpost, nobody's words: it belongs to no
    sentence, so the first sentence starts after it, ``s`` anywhere on the label selects the
    sentence it introduces, and sentence motions never stop on it; "Zelensky said:" is no
    label but part of the sentence (see ``label_end``). And a quotation of several
    sentences is split into them, where pysbd keeps it whole. Sentence edges drop whitespace
    and a quotation mark left unpaired.
    """
    spans: list[Span] = []
    body_start = label_end(paragraph)
    flat = paragraph.replace("\n", " ")
    pieces = _locate(flat, body_start, segmenter.segment(flat[body_start:]))
    for start, end in pieces:
        for s, e in _split_quotation(flat, start, end, segmenter):
            s, e = _trim_unpaired_marks(flat, s, e)
            if s < e:
                spans.append((s, e))
    return spans


def _locate(text: str, offset: int, pieces: Iterable[str]) -> list[Span]:
    """Find each segment's position in ``text`` from ``offset`` on, in order."""
    spans = []
    position = offset
    for piece in pieces:
        piece = piece.strip()
        if not piece:
            continue
        found = text.find(piece, position)
        if found < 0:
            # pysbd changed the text after all: fall back to the rest as one sentence.
            rest = _trimmed(text, position, len(text))
            if rest[0] < rest[1]:
                spans.append(rest)
            return spans
        spans.append((found, found + len(piece)))
        position = found + len(piece)
    return spans


def _split_quotation(text: str, start: int, end: int, segmenter) -> list[Span]:
    """Split a segment at the sentence ends of a long quotation inside it."""
    best = None
    for q_start, q_end in quotation_pairs(text, start, end):
        if best is None or q_end - q_start > best[1] - best[0]:
            best = (q_start, q_end)
    if best is None or best[1] - best[0] < 2:
        return [(start, end)]
    inner = _locate(text, best[0] + 1, segmenter.segment(text[best[0] + 1:best[1]]))
    inner = [span for span in inner if span[1] <= best[1]]
    if len(inner) < 2:
        return [(start, end)]
    spans = [(start, inner[0][1])]
    spans += inner[1:-1]
    spans.append((inner[-1][0], end))
    return spans


def _trim_unpaired_marks(text: str, start: int, end: int) -> Span:
    """Drop a quotation mark at either edge whose partner lies outside the span."""
    start, end = _trimmed(text, start, end)
    if start >= end:
        return start, end
    paired = {position for pair in quotation_pairs(text, start, end) for position in pair}
    if text[start] in QUOTE_MARKS and start not in paired:
        start += 1
    last = end - 1
    if last >= start and text[last] in QUOTE_MARKS and last not in paired:
        # A ’ right after a letter is more likely an apostrophe (the workers’) than a mark.
        if not (text[last] == "’" and last > 0 and is_word_char(text[last - 1])):
            end -= 1
    return _trimmed(text, start, end)
