"""What changed between two revisions, for a person: whole words, in their paragraphs."""

from __future__ import annotations

import re

from store.anchoring.diff import diff

# A change is widened to whole words: "6,000" became "7,000", not "6" became "7". Inner
# punctuation of a number or a word (6,000  3.5  don't  well-known) belongs to it.
_WORD_END = re.compile(r"(?:\w+[,.'’\-])*\w*$")
_WORD_START = re.compile(r"^\w*(?:[,.'’\-]\w+)*")

Segment = tuple[str, str]  # (op, text): op is "equal", "delete" or "insert"


def changed_paragraphs(old: str, new: str) -> list[list[Segment]]:
    """The paragraphs that changed from ``old`` to ``new``, each as segments in reading order:
    unchanged text, then deleted and inserted words in place. Unchanged paragraphs are left
    out; a change that spans paragraphs stays one."""
    paragraphs: list[list[Segment]] = [[]]
    changed = [False]
    for op, text in word_diff(old, new):
        if op != "equal":
            paragraphs[-1].append((op, text))
            changed[-1] = True
            continue
        parts = text.split("\n\n")
        for number, part in enumerate(parts):
            if number:
                paragraphs.append([])
                changed.append(False)
            if part:
                paragraphs[-1].append(("equal", part))
    return [paragraph for paragraph, was in zip(paragraphs, changed) if was]


def word_diff(old: str, new: str) -> list[Segment]:
    """The segments turning ``old`` into ``new``, each run of changes widened to whole words."""
    merged: list[list] = []  # [op, text] or ["change", deleted, inserted]
    for piece in diff(old, new):
        if piece.op == "equal":
            merged.append(["equal", piece.text])
        elif merged and merged[-1][0] == "change":
            merged[-1][1 if piece.op == "delete" else 2] += piece.text
        else:
            merged.append(["change", piece.text if piece.op == "delete" else "",
                           piece.text if piece.op == "insert" else ""])
    for index, item in enumerate(merged):
        if item[0] != "change":
            continue
        before = merged[index - 1] if index > 0 else None
        after = merged[index + 1] if index + 1 < len(merged) else None
        if before is not None and (item[1][:1].isalnum() or item[2][:1].isalnum()):
            found = _WORD_END.search(before[1])
            if found and found.group():
                before[1] = before[1][:found.start()]
                item[1], item[2] = found.group() + item[1], found.group() + item[2]
        if after is not None and (item[1][-1:].isalnum() or item[2][-1:].isalnum()):
            found = _WORD_START.match(after[1])
            if found and found.group():
                after[1] = after[1][found.end():]
                item[1], item[2] = item[1] + found.group(), item[2] + found.group()
    segments: list[Segment] = []
    for item in merged:
        if item[0] == "equal":
            if item[1]:
                segments.append(("equal", item[1]))
            continue
        if item[1]:
            segments.append(("delete", item[1]))
        if item[2]:
            segments.append(("insert", item[2]))
    return segments
