"""Text and Markdown files: front matter, then the scraper layout or a plain text."""

from __future__ import annotations

from typing import Any

from store.errors import InputError
from store.ingest.draft import Draft
from store.ingest.front_matter import split_front_matter
from store.ingest.scraper import parse_scraper_layout
from store.text import clean_characters, markdown_to_text, normalise

# A title is a line in a list and a citation: a first paragraph longer than this is cut at a word.
_TITLE_LIMIT = 200


def text_draft(decoded: str, name: str, source: str, fmt: str) -> Draft:
    """A draft from decoded text or Markdown: front matter, then the scraper layout or a plain text."""
    text = clean_characters(decoded)
    if not normalise(text):
        raise InputError(f"{name} contains no text (only whitespace)", "Import a file that holds the article's text.")
    meta, body = split_front_matter(text, name)
    fields: dict[str, Any] = {}
    if fmt == "md":
        plain, heading = markdown_to_text(body)
        plain = normalise(plain)
        fields["title"] = heading or first_line(plain)
    else:
        plain = normalise(body)
        scraped = parse_scraper_layout(plain)
        if scraped is not None:
            fields, plain = scraped
        else:
            fields["title"] = first_line(plain)
    if not plain:
        raise InputError(f"{name} has front matter but no text after it", "Add the article's text below the closing ---.")
    fields.update({key: value for key, value in meta.items() if value not in (None, [])})
    return Draft(text=plain, source=source, format=fmt, **fields)


def first_line(text: str) -> str | None:
    """The first non-empty line as a title, shortened at a word when it is a long paragraph."""
    line = next((line.strip() for line in text.split("\n") if line.strip()), None)
    if line is None or len(line) <= _TITLE_LIMIT:
        return line
    cut = line.rfind(" ", 0, _TITLE_LIMIT)
    return line[: cut if cut > 0 else _TITLE_LIMIT].rstrip(" ,;:") + "…"
