"""Markdown markup for the ``markdown`` style: escapes, italics, links."""

from __future__ import annotations

import re

from store.citations.punctuation import Piece


def md_escape(text: str) -> str:
    """Text with the characters Markdown would read as markup escaped."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def emphasis(piece: Piece | None) -> Piece | None:
    """Markdown italics around a field; punctuation that follows goes after them."""
    if piece is None:
        return None
    return Piece("*" + piece.text, 0, "*")


def md_link(url: str) -> str:
    """A URL as a Markdown link to itself; empty for no URL."""
    if not url:
        return ""
    target = f"<{url}>" if re.search(r"[\s()<>]", url) else url
    return f"[{md_escape(url)}]({target})"
