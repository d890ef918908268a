"""Quotation marks inside text, nested and curled as citeproc-js does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.citations.markdown import md_escape
from store.citations.marks import APOSTROPHE, CLOSE_INNER, CLOSE_QUOTE, OPEN_INNER, OPEN_QUOTE
from store.citations.punctuation import Piece
from store.spans.quotations import quotation_pairs

# The characters citeproc-js counts as letters when it tells an apostrophe from a quote.
_LETTER = ("[-0-9a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4"
           "\u05d6-\u05ff\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218\u0219\u021a"
           "\u021b\u202a-\u202e]")
_INNER_APOSTROPHE = re.compile(f"({_LETTER})\u2019({_LETTER})")
_QUOTE_OPENERS = (" \"", " '", "(\"", "('", OPEN_QUOTE, OPEN_INNER)
_QUOTE_CLOSERS = ("\"", "'", CLOSE_QUOTE, CLOSE_INNER)
_QUOTE_TAG = re.compile("|".join(re.escape(t) for t in _QUOTE_OPENERS + _QUOTE_CLOSERS))
_CLOSER_OF = {" \"": "\"", "(\"": "\"", " '": "'", "('": "'", OPEN_QUOTE: CLOSE_QUOTE,
              OPEN_INNER: CLOSE_INNER}
_FLIP = {"outer": "inner", "inner": "outer"}


@dataclass
class Quoted:
    """Text inside quotation marks: ``level`` is "outer" (“ ”) or "inner" (‘ ’)."""

    level: str
    parts: list  # of str and Quoted


def nest_quotes(text: str, enclosing: str | None = None) -> list:
    """Split text at its quotation marks into plain strings and ``Quoted`` parts.

    Straight and curly marks are read alike; each quotation becomes double or single by its
    depth, counting the marks the style puts around the whole (``enclosing``). Marks that
    cannot be paired stay as typed, except that a stray straight apostrophe curls (’).
    """
    text = " " + _INNER_APOSTROPHE.sub(r"\1'\2", text)
    tags = _QUOTE_TAG.findall(text)
    strings = _QUOTE_TAG.split(text)
    if not tags:
        return [text[1:]]
    forced: list[bool] = []  # indexed, as in citeproc-js, by opening mark rather than by mark
    for i in range(len(tags) - 1):
        if tags[i] in _QUOTE_OPENERS:
            if strings[i + 1] == "" and tags[i + 1] in ("\"", "'"):
                tags[i + 1] = " " + tags[i + 1]
                forced.append(True)
            else:
                forced.append(False)

    def forced_at(k: int) -> bool:
        return 0 <= k < len(forced) and forced[k]

    stack: list[tuple[str, int]] = []  # (closing mark, position)
    for i, tag in enumerate(tags):
        following = strings[i + 1]
        if tag == "'" and following and following[0] not in ",.?:; ":
            strings[i + 1] = APOSTROPHE + following
            tags[i] = ""
            continue
        if tag == " '" and following[:1] == " ":
            strings[i + 1] = " " + APOSTROPHE + following
            tags[i] = ""
            continue
        while True:
            if tag in _QUOTE_OPENERS:
                stack.append((_CLOSER_OF[tag], i))
                failed = None
                break
            if stack and tag == stack[-1][0]:
                stack.pop()
                failed = None
                break
            failed = stack[-1][1] if stack else i
            if tag == "'":
                strings[i + 1] = APOSTROPHE + strings[i + 1]
                tags[i] = ""
            else:
                lost = tags[failed][1:] if forced_at(failed - 1) else tags[failed]
                strings[failed + 1] = lost + strings[failed + 1]
                tags[failed] = ""
            if stack and tag != "'":
                stack.pop()
                continue
            break
        if failed is not None:
            strings[i + 1] = tags[i] + strings[i + 1]
            tags[i] = ""
    while stack:
        _, pos = stack.pop()
        if tags[pos] in (" '", "'"):
            strings[pos + 1] = " " + APOSTROPHE + strings[pos + 1]
        else:
            strings[pos + 1] = tags[pos] + strings[pos + 1]
        tags[pos] = ""
    for i in range(len(tags) - 1, -1, -1):
        if not tags[i]:
            strings[i] += strings[i + 1]
            del strings[i + 1], tags[i]

    # The first straight mark decides whether straight double or single marks open the
    # outermost quotation of this text; curly marks keep their own kind.
    outer_kind = {" \"": "outer", "(\"": "outer", " '": "inner", "('": "inner",
                  OPEN_QUOTE: "outer", OPEN_INNER: "inner"}
    seen = False
    for i, tag in enumerate(tags):
        if tag in (" \"", " '", "(\"", "('"):
            if not seen:
                double = tag in (" \"", "(\"")
                outer_kind.update({" \"": "outer" if double else "inner",
                                   "(\"": "outer" if double else "inner",
                                   " '": "inner" if double else "outer",
                                   "('": "inner" if double else "outer"})
                seen = True
            if not forced_at(i - 1):
                strings[i] += tag[0]

    root: list = []
    stack_parts = [root]
    levels: list[str] = []
    first = True

    def add(chunk: str) -> None:
        nonlocal first
        if first:
            chunk = chunk[1:] if chunk[:1] == " " else chunk
            chunk = chunk[1:] if chunk[:1] == " " else chunk
            first = False
        if chunk:
            stack_parts[-1].append(chunk)

    add(strings[0])
    for tag, chunk in zip(tags, strings[1:]):
        if tag in _QUOTE_OPENERS:
            around = levels[-1] if levels else enclosing
            level = _FLIP[around] if around else outer_kind[tag]
            quoted = Quoted(level, [])
            stack_parts[-1].append(quoted)
            stack_parts.append(quoted.parts)
            levels.append(level)
        else:
            stack_parts.pop()
            levels.pop()
        add(chunk)
    return root


def render_quotes(parts: list, *, markdown: bool = False) -> Piece:
    """Nested quotation parts as text with curly marks, double outside and single inside."""
    out: list[str] = []
    closers = 0
    for part in parts:
        if isinstance(part, Quoted):
            inner = render_quotes(part.parts, markdown=markdown)
            opener, closer = ((OPEN_QUOTE, CLOSE_QUOTE) if part.level == "outer"
                              else (OPEN_INNER, CLOSE_INNER))
            out.append(opener + inner.text + closer)
            closers = inner.closers + 1
        else:
            out.append(md_escape(part) if markdown else part)
            closers = 0
    return Piece("".join(out), closers)


def prepare(text: str, *, name: bool = False) -> str:
    """What citeproc-js does to every string it prints before anything else: a narrow
    no-break space before a spaced ``: ; ? ! »`` and after ``«``, one space before a
    straight apostrophe, and (except in names) a space before a leading one, which makes it
    an opening quotation mark."""
    text = re.sub(" ([:;?!\u00bb])", "\u202f\\1", text).replace("\u00ab ", "\u00ab\u202f")
    text = re.sub(r"\s+'", " '", text)
    return text if name else re.sub(r"^'", " '", text)


# The marks margin curls by depth; guillemets and „…“ are left as the article has them.
_ENGLISH_MARKS = frozenset("\"\u201c\u201d\u2018\u2019")
_DOUBLE_MARKS = frozenset("\"\u201c\u201d\u00ab\u00bb\u201e")


def quote_span(text: str, length: int | None = None) -> str:
    """A span of the article on one line inside margin's quotation marks (“…”), cut to
    ``length`` characters of its own when given.

    The article's own marks are not doubled: a span that is one quotation (its marks
    included, perhaps with a period after the closing one) or that begins or ends with an
    unpaired double mark (the rest of its quotation lies outside the span) is given margin's
    marks in place of its own. Quotations inside the span alternate as a style nests them:
    single inside double, double inside single, curled whether the article typed them
    straight or curly.
    """
    chars = list(" ".join((text or "").split()))
    pairs = quotation_pairs("".join(chars)) + _straight_single_pairs(chars)
    paired = {i for pair in pairs for i in pair}
    whole = next((p for p in pairs if p[0] == 0 and re.fullmatch(
        r"[.,;:!?]*", "".join(chars[p[1] + 1:]))), None)
    if whole:
        pairs.remove(whole)
        chars[whole[0]] = chars[whole[1]] = ""
    else:
        if chars and 0 not in paired and chars[0] in _DOUBLE_MARKS - {"\u201d", "\u00bb"}:
            chars[0] = ""
        last = len(chars) - 1
        if last > 0 and last not in paired and chars[last] in _DOUBLE_MARKS - {"\u201c",
                                                                               "\u00ab",
                                                                               "\u201e"}:
            chars[last] = ""

    def marks_at(index: int) -> tuple[str, str]:
        # Inside margin's double marks, the first level is single.
        depth = sum(1 for o, c in pairs if o < index < c)
        return (OPEN_INNER, CLOSE_INNER) if depth % 2 == 0 else (OPEN_QUOTE, CLOSE_QUOTE)

    for opening, closing in pairs:
        if {chars[opening], chars[closing]} <= _ENGLISH_MARKS | {"'"}:
            chars[opening], chars[closing] = marks_at(opening)
    # A straight apostrophe curls, as every style prints it.
    chars = [APOSTROPHE if char == "'" else char for char in chars]
    # A double mark left unpaired inside the span opens or closes a quotation that runs past
    # its edge: it takes the mark of its depth too, facing the way it was typed.
    for index, char in enumerate(chars):
        if index in paired or char not in ("\"", "\u201c", "\u201d"):
            continue
        before = chars[index - 1] if index else " "
        opens = char == "\u201c" or (char == "\"" and (not before or before.isspace()))
        chars[index] = marks_at(index)[0 if opens else 1]
    inside = "".join(chars).strip()
    if length is not None and len(inside) > length:
        inside = inside[: length - 1].rstrip() + "\u2026"
    return f"{OPEN_QUOTE}{inside}{CLOSE_QUOTE}"


def _straight_single_pairs(chars: list[str]) -> list[tuple[int, int]]:
    """Offsets of straight single quotation marks that pair up: one opens after a space or
    another mark and before a letter, one closes after a letter or a period and before a
    space or punctuation. Any other ``'`` is an apostrophe."""
    pairs, opened = [], []
    for index, char in enumerate(chars):
        if char != "'":
            continue
        before = chars[index - 1] if index else " "
        after = chars[index + 1] if index + 1 < len(chars) else " "
        if (before.isspace() or before in "(\"\u201c\u2018") and after.isalnum():
            opened.append(index)
        elif opened and (before.isalnum() or before in ".,!?") and (
                after.isspace() or after in ".,;:!?)\"\u201d\u2019"):
            pairs.append((opened.pop(), index))
    return pairs
