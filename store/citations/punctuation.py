"""Pieces of a citation and the punctuation citeproc-js writes where they meet."""

from __future__ import annotations

from dataclasses import dataclass

# What citeproc-js makes of two punctuation marks that meet: the left one ends a field, the
# right one starts the delimiter or suffix that follows it.
_MEET = {
    "!": {".": "!", "?": "!?", ":": "!", ",": "!,", ";": "!;"},
    "?": {"!": "?!", ".": "?", ":": "?", ",": "?,", ";": "?;"},
    ".": {"!": ".!", "?": ".?", ":": ".:", ",": ".,", ";": ".;"},
    ":": {"!": "!", "?": "?", ".": ":", ",": ":,", ";": ":;"},
    ",": {"!": ",!", "?": ",?", ":": ",:", ".": ",.", ";": ",;"},
    ";": {"!": "!", "?": "?", ":": ";", ",": ";,", ".": ";"},
}


def meet(left: str, mark: str) -> str:
    """The mark(s) citeproc-js prints where ``left`` ends a field and ``mark`` follows."""
    if left in _MEET and mark in _MEET[left]:
        return _MEET[left][mark]
    if left == mark:
        return mark
    return left + mark


@dataclass
class Piece:
    """Rendered text whose last ``closers`` characters close quotations (punctuation goes
    inside them, American style) and whose ``tail`` closes other markup (punctuation goes
    after it)."""

    text: str
    closers: int = 0
    tail: str = ""


class Line:
    """A citation being written left to right, merging punctuation where fields meet."""

    def __init__(self) -> None:
        self.text = ""
        self.closers = 0
        self.tail = ""

    def mark(self, mark: str) -> None:
        """Add a punctuation mark after what is written, as the processor would."""
        if not self.text:
            return
        end = len(self.text) - self.closers
        body, quotes = self.text[:end], self.text[end:]
        merged = meet(body[-1:], mark)
        if self.tail:
            # Markdown emphasis: merge with the mark inside it, but write the new mark after.
            if merged != body[-1:]:
                self.text += self.tail + mark
            else:
                self.text += self.tail
        else:
            self.text = body[:-1] + merged + quotes
        self.closers, self.tail = 0, ""

    def add(self, piece: Piece | str | None, delimiter: str = "") -> None:
        """Add a field after ``delimiter`` (", " or ". "); an empty field adds nothing."""
        if isinstance(piece, str):
            piece = Piece(piece)
        if piece is None or not piece.text:
            return
        if self.text and delimiter:
            if delimiter[0] in ",.;:":
                self.mark(delimiter[0])
                delimiter = delimiter[1:]
            self.text += self.tail + delimiter
            self.tail = ""
        self.text += piece.text
        self.closers, self.tail = piece.closers, piece.tail

    def end(self, mark: str = "") -> str:
        if mark:
            self.mark(mark)
        return self.text + self.tail
