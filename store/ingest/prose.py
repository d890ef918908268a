"""Whether what was read is an article at all: prose, not a table of data or a system file.

An article, however short, is written in words. Two rules tell other files apart, checked
in this order; the refusal names the rule that applied, so the person can see why:

- **rows of data**: three or more lines with no blank line between any of them, and every
  line splits into the same number (two or more) of fields at the same separator (comma,
  semicolon, tab or bar), as a CSV file does. Articles have paragraphs, or lines whose
  commas fall where the sentences put them.
- **no prose**: fewer than two words of prose, where a word of prose is made of letters
  (a hostname, a version number, a path, a line of ``KEY=value`` settings have none or one).
"""

from __future__ import annotations

import csv
import re

from store.errors import InputError

_MIN_PROSE_WORDS = 2
_MIN_DATA_ROWS = 3
_SEPARATORS = (",", ";", "\t", "|")
# A token of prose once its surrounding punctuation is set aside: letters, with apostrophes
# or hyphens inside ("don't", "Ivanova-Smith").
_PROSE_WORD_RE = re.compile(r"^[^\W\d_]+(?:[-'’][^\W\d_]+)*$")
_PUNCTUATION = "\"'“”‘’«»()[]{}<>.,;:!?…—–-*_"


class NotAnArticleError(InputError):
    """What was read is not prose: a table of data, a system file, a list of settings."""


def check_article(text: str, name: str) -> None:
    """Raise ``NotAnArticleError`` when ``text`` (read from ``name``) breaks a rule above."""
    rows = _data_rows(text)
    if rows:
        count, fields, separator = rows
        raise NotAnArticleError(
            f"{name} does not look like an article: its {count} lines are rows of data, "
            f"{fields} fields each separated by {_SEPARATOR_NAMES[separator]}",
            "Open a table in a spreadsheet; import it as an article only if it is meant to be "
            "read as one.",
        )
    words = sum(1 for token in text.split() if _PROSE_WORD_RE.match(token.strip(_PUNCTUATION)))
    if words < _MIN_PROSE_WORDS:
        raise NotAnArticleError(
            f"{name} does not look like an article: it has {_count(words, 'word')} of prose",
            "An article needs at least two words written in letters; import it as an article "
            "only if it is meant to be read as one.",
        )


_SEPARATOR_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "bars"}


def _data_rows(text: str) -> tuple[int, int, str] | None:
    """(lines, fields, separator) when every line of ``text`` is a row of the same shape."""
    lines = text.strip("\n").split("\n")
    if len(lines) < _MIN_DATA_ROWS or any(not line.strip() for line in lines):
        return None
    for separator in _SEPARATORS:
        if separator not in lines[0]:
            continue
        widths = {len(row) for row in csv.reader(lines, delimiter=separator)}
        if len(widths) == 1 and (fields := widths.pop()) >= 2:
            return len(lines), fields, separator
    return None


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
