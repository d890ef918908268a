"""Words: where they start and end, and snapping a selection to whole words."""

from __future__ import annotations

import unicodedata

Span = tuple[int, int]
"""A ``(start, end)`` pair of code-point offsets into an article's text."""

# Characters that keep a word together when they sit between two word characters:
# "Russia's", "Russia’s", "high-precision", "1,000", "U.S".
_JOINERS = frozenset("'’-.,")


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
