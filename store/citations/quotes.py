"""Quotation marks inside text, nested and curled as citeproc-js does."""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.citations.markdown import md_escape
from store.citations.marks import APOSTROPHE, CLOSE_INNER, CLOSE_QUOTE, OPEN_INNER, OPEN_QUOTE
from store.citations.punctuation import Piece

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
