"""Quotations: which quotation marks pair up, and the quotation around an offset."""

from __future__ import annotations

import re

from store.spans.words import Span, _trimmed, is_word_char

# Quotation marks: each opening mark and the marks that may close it.
_OPENERS = {"“": "”", "‘": "’", '"': '"', "«": "»", "„": "“”"}
_CLOSERS = frozenset("”’\"»“")
QUOTE_MARKS = frozenset("\"“”‘’«»„")
# The marks found by the regular-expression engine: a paragraph is read a mark at a time, not
# a character at a time (re-anchoring a 2.5 MB article checks thousands of paragraphs).
_MARK = re.compile("[" + re.escape("".join(sorted(QUOTE_MARKS))) + "]")


def quotation_pairs(text: str, start: int = 0, end: int | None = None) -> list[Span]:
    """Offsets ``(open, close)`` of the quotation marks that pair up within ``text[start:end]``.

    Straight ``"`` marks open or close by what stands next to them; a ``’`` between two
    letters is an apostrophe, and one after a letter closes only an open ``‘``.
    """
    end = len(text) if end is None else end
    stack: list[tuple[str, int]] = []
    pairs = []
    for found in _MARK.finditer(text, start, end):
        index = found.start()
        char = found.group()
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
