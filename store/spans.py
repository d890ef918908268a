"""Spans of an article's text: words, sentences, paragraphs, quotations, matches and lines.

Everything here works on code-point offsets into the article's normalised text, the same
offsets the annotations store, so the reader can ask "which sentence is under offset 1234?"
without knowing how the text is drawn. Nothing here imports Textual or Rich.

Sentence boundaries come from pysbd, which is accurate but slow (about 6 ms a kilobyte), so
``Boundaries`` segments a paragraph only when someone asks about it and remembers the answer
by the paragraph's text: a 2.5 MB article costs nothing until the cursor reaches a paragraph.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Iterable

Span = tuple[int, int]

# Characters that keep a word together when they sit between two word characters:
# "Russia's", "Russia’s", "high-precision", "1,000", "U.S".
_JOINERS = frozenset("'’-.,")

# Quotation marks: each opening mark and the marks that may close it.
_OPENERS = {"“": "”", "‘": "’", '"': '"', "«": "»", "„": "“”"}
_CLOSERS = frozenset("”’\"»“")
QUOTE_MARKS = frozenset("\"“”‘’«»„")

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


def is_word_char(char: str) -> bool:
    """Whether ``char`` belongs to a word: letters, digits, underscore and combining marks."""
    return char.isalnum() or char == "_" or unicodedata.category(char).startswith("M")


def _joined(text: str, index: int) -> bool:
    """Whether the boundary before ``text[index]`` lies inside a word."""
    if index <= 0 or index >= len(text):
        return False
    before, after = text[index - 1], text[index]
    if is_word_char(before):
        if is_word_char(after):
            return True
        return after in _JOINERS and index + 1 < len(text) and is_word_char(text[index + 1])
    return (before in _JOINERS and is_word_char(after) and index >= 2
            and is_word_char(text[index - 2]))


def _is_word_start(text: str, index: int) -> bool:
    return 0 <= index < len(text) and is_word_char(text[index]) and not _joined(text, index)


def word_at(text: str, offset: int) -> Span | None:
    """The word under ``offset`` (or ending right before it), or None if there is none."""
    n = len(text)
    if n == 0:
        return None
    offset = max(0, min(offset, n))
    if offset == n or not (is_word_char(text[offset]) or _joined(text, offset)):
        if offset > 0 and is_word_char(text[offset - 1]):
            offset -= 1
        else:
            return None
    start = offset
    while _joined(text, start):
        start -= 1
    end = offset + 1
    while end < n and _joined(text, end):
        end += 1
    return start, end


def next_word_start(text: str, offset: int) -> int:
    """Where the next word after ``offset`` begins; the end of the text if none does."""
    index = max(offset, 0) + 1
    n = len(text)
    while index < n and not _is_word_start(text, index):
        index += 1
    return min(index, n)


def previous_word_start(text: str, offset: int) -> int:
    """Where the word before ``offset`` begins (the current word's start if inside one)."""
    index = min(offset, len(text)) - 1
    while index > 0 and not _is_word_start(text, index):
        index -= 1
    return max(index, 0)


def snap_to_words(text: str, start: int, end: int) -> Span:
    """Widen a span to whole words and trim the whitespace at its ends.

    A start inside a word moves back to the word's start, an end inside a word moves forward
    to the word's end, so a selection never cuts a word in two.
    """
    if start > end:
        start, end = end, start
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start == end:
        return start, end
    while _joined(text, start):
        start -= 1
    while _joined(text, end):
        end += 1
    return start, end


def _trimmed(text: str, start: int, end: int) -> Span:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def paragraphs(text: str) -> list[Span]:
    """The paragraphs of the text, as spans without their surrounding whitespace.

    Paragraphs are separated by blank lines; a text with no blank lines at all (as some
    extractors produce) has one paragraph a line.
    """
    separators = [(m.start(), m.end()) for m in _BLANK_LINES.finditer(text)]
    if not separators:
        separators = [(m.start(), m.end()) for m in re.finditer(r"\n", text)]
    spans = []
    position = 0
    for sep_start, sep_end in separators + [(len(text), len(text))]:
        start, end = _trimmed(text, position, sep_start)
        if start < end:
            spans.append((start, end))
        position = sep_end
    return spans


class LineIndex:
    """Converts between text offsets and (row, column) locations with a binary search.

    Lines break where ``str.splitlines`` breaks them, as Textual's ``Document`` does, so rows
    here are the rows a ``TextArea`` shows.
    """

    def __init__(self, text: str) -> None:
        starts = [0]
        lengths = []
        position = 0
        for line in text.splitlines(keepends=True):
            stripped = line.rstrip("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
            lengths.append(len(stripped))
            position += len(line)
            starts.append(position)
        if not text or text.endswith(tuple("\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")):
            lengths.append(0)
        else:
            starts.pop()
        self.starts: list[int] = starts
        self.lengths: list[int] = lengths
        self.length = len(text)

    def __len__(self) -> int:
        return len(self.starts)

    def location(self, offset: int) -> tuple[int, int]:
        """The (row, column) of ``offset``."""
        offset = max(0, min(offset, self.length))
        row = bisect_right(self.starts, offset) - 1
        return row, min(offset - self.starts[row], self.lengths[row])

    def offset(self, location: tuple[int, int]) -> int:
        """The offset of a (row, column) location, clamped to the text."""
        row, column = location
        row = max(0, min(row, len(self.starts) - 1))
        return self.starts[row] + max(0, min(column, self.lengths[row]))

    def line_span(self, row: int) -> Span:
        """Offsets of the start and end (before the line break) of a row."""
        return self.starts[row], self.starts[row] + self.lengths[row]

    def rows(self, start: int, end: int) -> range:
        """The rows that a span touches."""
        first = self.location(start)[0]
        last = self.location(max(start, end - 1))[0] if end > start else first
        return range(first, last + 1)


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


_LABEL = re.compile(r"([A-Z][\w’'-]*(?: [\w’'-]+){0,2}):[^\S\n]+(?=\S)")


def segment_sentences(paragraph: str, segmenter) -> list[Span]:
    """Sentence spans (relative to the paragraph) of one paragraph.

    Two things pysbd does not do for news copy are done here: a leading label such as
    ``Source:`` or ``Quote:`` is a segment of its own, so selecting the sentence after it
    leaves the label out; and a quotation of several sentences is split into them, where pysbd
    keeps it whole. Sentence edges drop whitespace and a quotation mark left unpaired.
    """
    spans: list[Span] = []
    body_start = 0
    label = _LABEL.match(paragraph)
    if label and len(label.group(1)) <= 24:
        spans.append((0, len(label.group(1)) + 1))
        body_start = label.end()
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


def quotation_pairs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Offsets ``(open, close)`` of the quotation marks that pair up within ``text[start:end]``.

    Straight ``"`` marks open or close by what stands next to them; a ``’`` between two
    letters is an apostrophe, and one after a letter closes only an open ``‘``.
    """
    end = len(text) if end is None else end
    stack: list[tuple[str, int]] = []
    pairs = []
    for index in range(start, end):
        char = text[index]
        if char not in QUOTE_MARKS:
            continue
        before = text[index - 1] if index > 0 else " "
        after = text[index + 1] if index + 1 < len(text) else " "
        if char == "’":
            if is_word_char(before) and is_word_char(after):
                continue  # an apostrophe: Russia’s
            if any(mark == "‘" for mark, _ in stack):
                _close(stack, pairs, "‘", index)
            continue
        if char == '"':
            opening = _straight_opens(before, after, stack)
            if opening:
                stack.append(('"', index))
            else:
                _close(stack, pairs, '"', index)
            continue
        if char == "“" and stack and stack[-1][0] == "„":
            _close(stack, pairs, "„", index)
            continue
        if char in _OPENERS:
            stack.append((char, index))
        elif char in _CLOSERS:
            opener = {"”": "“", "»": "«"}.get(char)
            if opener:
                if not _close(stack, pairs, opener, index):
                    _close(stack, pairs, "„", index)
    pairs.sort()
    return pairs


def _straight_opens(before: str, after: str, stack: list[tuple[str, int]]) -> bool:
    """Whether a straight double quote opens (True) or closes (False) a quotation."""
    open_here = any(mark == '"' for mark, _ in stack)
    if before.isspace() or before in "([{—–-/" or before in _OPENERS:
        if not after.isspace():
            return True
    if after.isspace() or after in ".,;:!?)]}—–-" or after in _CLOSERS:
        if not before.isspace():
            return False
    return not open_here


def _close(stack: list[tuple[str, int]], pairs: list[Span], opener: str, index: int) -> bool:
    """Pair the innermost open ``opener`` with a closing mark at ``index``."""
    for position in range(len(stack) - 1, -1, -1):
        if stack[position][0] == opener:
            pairs.append((stack[position][1], index))
            del stack[position:]
            return True
    return False


def quotation_at(text: str, offset: int, within: Span | None = None) -> Span | None:
    """The inside of the innermost quotation enclosing ``offset``, marks excluded.

    ``within`` limits the search (the reader passes the paragraph under the cursor). A cursor
    on either mark, or just after the closing one, counts as inside. Returns None when no
    quotation encloses the offset.
    """
    start, end = within if within is not None else (0, len(text))
    best = None
    for q_open, q_close in quotation_pairs(text, start, end):
        if q_open <= offset <= q_close + 1:
            if best is None or q_close - q_open < best[1] - best[0]:
                best = (q_open, q_close)
    if best is None:
        return None
    inside = _trimmed(text, best[0] + 1, best[1])
    return inside if inside[0] < inside[1] else None


# --- finding text

_DOUBLE_MARKS = "[\"“”„«»]"
_SINGLE_MARKS = "['‘’]"
_QUOTE_CLASS = {**dict.fromkeys("\"“”„«»", _DOUBLE_MARKS),
                **dict.fromkeys("'‘’", _SINGLE_MARKS)}


def find_pattern(query: str) -> re.Pattern[str] | None:
    """A pattern that finds ``query`` ignoring case, the kind of quotation marks and how much
    whitespace (a line break too) separates its words. None for a blank query."""
    query = query.strip()
    if not query:
        return None
    parts = []
    for char in query:
        if char.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(_QUOTE_CLASS.get(char, re.escape(char)))
    return re.compile("".join(parts), re.IGNORECASE)


def find_all(text: str, query: str) -> list[Span]:
    """Every match of ``query`` in the text, in order (see ``find_pattern``)."""
    pattern = find_pattern(query)
    if pattern is None:
        return []
    return [(m.start(), m.end()) for m in pattern.finditer(text)]


def find_first(text: str, query: str, offset: int = 0) -> Span | None:
    """The first match of ``query`` at or after ``offset``, wrapping to the top; or None."""
    pattern = find_pattern(query)
    if pattern is None:
        return None
    found = pattern.search(text, offset) or pattern.search(text, 0, offset + len(query))
    return (found.start(), found.end()) if found else None


class Matches:
    """The matches of one query in the text, for stepping forwards and backwards."""

    def __init__(self, text: str, query: str) -> None:
        self.query = query
        self.spans: list[Span] = find_all(text, query)
        self._starts = [start for start, _ in self.spans]

    def __len__(self) -> int:
        return len(self.spans)

    def after(self, offset: int) -> int | None:
        """Index of the first match starting after ``offset``, wrapping to the first."""
        if not self.spans:
            return None
        index = bisect_right(self._starts, offset)
        return index if index < len(self.spans) else 0

    def before(self, offset: int) -> int | None:
        """Index of the last match starting before ``offset``, wrapping to the last."""
        if not self.spans:
            return None
        index = bisect_left(self._starts, offset) - 1
        return index if index >= 0 else len(self.spans) - 1

    def from_(self, offset: int) -> int | None:
        """Index of the first match starting at or after ``offset``, wrapping to the first."""
        if not self.spans:
            return None
        index = bisect_left(self._starts, offset)
        return index if index < len(self.spans) else 0


# --- who said it

@dataclass(frozen=True)
class SourceHint:
    """A name the article gives for who said something, with what else it says about them."""

    name: str
    role: str | None = None
    via: str | None = None


# A capitalised word of a name, or an initial ("J."); a full stop after a longer word ends
# the sentence, not the name.
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][\w’'\-]*)"
_SAID = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:[^\S\n]+{_NAME_WORD})*)[^\S\n]+(?:also[^\S\n]+|further[^\S\n]+|"
    rf"then[^\S\n]+|later[^\S\n]+|has[^\S\n]+|had[^\S\n]+)?"
    rf"(?:said|says|told|tells|reported|reports|stated|states)\b")
_SAID_AFTER = re.compile(
    rf"[,”\"][^\S\n]+(?:said|says)[^\S\n]+(?P<name>{_NAME_WORD}(?:[^\S\n]+{_NAME_WORD})*)")
_ACCORDING = re.compile(
    rf"\b[Aa]ccording to[^\S\n]+(?P<name>(?:the[^\S\n]+)?{_NAME_WORD}"
    rf"(?:[^\S\n]+(?:{_NAME_WORD}|of|the|for|and))*)")
_SOURCE_LINE = re.compile(r"^[^\S\n]*Sources?:[^\S\n]*(?P<rest>[^\n]+)", re.MULTILINE)
_NOT_NAMES = frozenset(
    "he she they it we i you this that these those there the a an his her their its our "
    "who which what officials official spokesperson spokesman spokeswoman police reports "
    "report media sources source".split())


def _clean_name(name: str) -> str | None:
    words = name.split()
    while words and words[0].lower() in _NOT_NAMES | {"but", "and", "also", "however", "details:",
                                                      "background:", "quote:", "source:"}:
        words.pop(0)
    while words and words[-1].lower() in {"of", "the", "and", "for"}:
        words.pop()
    words = [w.rstrip(":,") for w in words]
    if not words or all(w.lower() in _NOT_NAMES for w in words):
        return None
    return " ".join(words)


def _source_lines(text: str) -> list[tuple[int, SourceHint]]:
    """The article's ``Source:`` lines as hints: name, then role, then the channel."""
    hints = []
    for match in _SOURCE_LINE.finditer(text):
        parts = [p.strip() for p in re.split(r",(?![^()]*\))", match.group("rest")) if p.strip()]
        if not parts:
            continue
        name = _clean_name(parts[0])
        if not name:
            continue
        role = via = None
        for part in parts[1:]:
            channel = re.match(r"(?:in|on|via|during|at)\s+(?:an?\s+|the\s+)?(.+)", part)
            if channel and via is None:
                via = channel.group(1).strip()
            elif role is None:
                role = part
        hints.append((match.start(), SourceHint(name, role, via)))
    return hints


def _speakers(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """Names introduced as speakers ("X said", "according to X") in ``text[start:end]``."""
    found = []
    for pattern in (_SAID, _SAID_AFTER, _ACCORDING):
        for match in pattern.finditer(text, start, end):
            name = _clean_name(match.group("name"))
            if name:
                found.append((match.start("name"), name))
    return found


def source_hints(text: str, start: int, end: int, bounds: Boundaries | None = None,
                 reach: int = 6) -> list[SourceHint]:
    """Who the article says spoke the span ``text[start:end]``, most likely first.

    Looks at the span's own paragraph ("X said", "says X", "according to X"), then at the
    article's ``Source:`` line, then at speakers named in the ``reach`` paragraphs before.
    A surname alone ("Skibitskyi") becomes the full name if the article gives it elsewhere.
    """
    bounds = bounds or Boundaries(text)
    spans = bounds.paragraphs
    index = bounds.paragraph_index(start)
    if index < 0:
        return []
    lines = _source_lines(text)
    full_names = [hint.name for _, hint in lines]
    ordered: list[SourceHint] = []

    def add(hint: SourceHint) -> None:
        for known in full_names:
            if known != hint.name and known.split()[-1] == hint.name.split()[-1]:
                hint = SourceHint(known, hint.role, hint.via)
        if all(h.name.lower() != hint.name.lower() for h in ordered):
            ordered.append(hint)
        else:
            # The same person found again may carry the role or channel the first lacked.
            for i, h in enumerate(ordered):
                if h.name.lower() == hint.name.lower():
                    ordered[i] = SourceHint(h.name, h.role or hint.role, h.via or hint.via)

    p_start, p_end = spans[index]
    own = _speakers(text, p_start, p_end)
    own.sort(key=lambda item: abs(item[0] - start))
    for _, name in own:
        add(SourceHint(name))
    before = [hint for position, hint in lines if position <= start]
    after = [hint for position, hint in lines if position > start]
    for hint in reversed(before):
        add(hint)
    for i in range(index - 1, max(-1, index - 1 - reach), -1):
        for _, name in reversed(_speakers(text, *spans[i])):
            add(SourceHint(name))
    for hint in after:
        add(hint)
    # Fill in the role and channel of names the Source: line describes.
    described = {hint.name.lower(): hint for _, hint in lines}
    return [SourceHint(h.name, h.role or getattr(described.get(h.name.lower()), "role", None),
                       h.via or getattr(described.get(h.name.lower()), "via", None))
            for h in ordered]


# --- spans on lines, for drawing highlights

def spans_by_line(spans: Iterable[tuple[int, int, object]], lines: LineIndex
                  ) -> dict[int, list[tuple[int, int, object]]]:
    """Cut spans into per-row pieces ``(start column, end column, payload)`` for drawing."""
    by_line: dict[int, list[tuple[int, int, object]]] = {}
    for start, end, payload in spans:
        if end <= start:
            continue
        first_row, first_col = lines.location(start)
        last_row, last_col = lines.location(end)
        for row in range(first_row, last_row + 1):
            col_start = first_col if row == first_row else 0
            col_end = last_col if row == last_row else lines.lengths[row]
            if col_end > col_start:
                by_line.setdefault(row, []).append((col_start, col_end, payload))
    return by_line
