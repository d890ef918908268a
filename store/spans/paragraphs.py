"""Paragraphs: text between blank lines (or lines, where a text has no blank lines)."""

from __future__ import annotations

import re

from store.spans.words import Span, _trimmed

_BLANK_LINES = re.compile(r"\n(?:[^\S\n]*\n)+")


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
