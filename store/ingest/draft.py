"""What an import produces: the ``Draft``, and the metadata fields it may carry (titles, authors,
dates, language tags), checked the same way whoever gives them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from store.errors import InputError
from store.text import normalise

_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?[ ]?(Z|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.IGNORECASE,
)
# Any script's decimal digit (\d is Unicode-aware): ٢٠٢٥ and ２０２５ are the year 2025.
_DIGIT_RE = re.compile(r"\d")
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


@dataclass(kw_only=True)
class Draft:
    """An article read from a source, not yet stored; every field a person may override."""

    text: str
    title: str | None = None
    authors: list[str] = field(default_factory=list)
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    section: str | None = None
    language: str | None = None
    source: str = ""  # absolute path, URL or "-"; empty for drafts made in code
    format: str
    # What the import decided that a person should know, by field: {"authors": "the author was
    # left empty: …"}. A value the person gives for the field makes its notice moot.
    notices: dict[str, str] = field(default_factory=dict)


def apply_overrides(
    draft: Draft,
    *,
    title: str | None = None,
    author: str | list[str] | None = None,
    authors: str | list[str] | None = None,
    outlet: str | None = None,
    url: str | None = None,
    published: str | None = None,
    section: str | None = None,
    language: str | None = None,
) -> Draft:
    """Return a copy of ``draft`` with the metadata given on the command line.

    None keeps the draft's value and an empty string clears it. ``author`` (or ``authors``)
    is a list or one string with names separated by ``;``. ``published`` must be an ISO 8601
    date or date and time; ``language`` a tag such as ``en`` or ``pt-BR``.
    """
    changes: dict[str, Any] = {}
    for name, value in (("title", title), ("outlet", outlet), ("url", url), ("section", section)):
        if value is not None:
            changes[name] = clean_field(value)
    names = author if author is not None else authors
    if names is not None:
        changes["authors"] = split_authors(names)
    if published is not None:
        changes["published"] = _checked_published(published, "published date")
    if language is not None:
        changes["language"] = checked_language(language)
    changes["notices"] = {name: notice for name, notice in draft.notices.items() if name not in changes}
    return dataclasses.replace(draft, **changes)


def parse_published(value: str) -> str | None:
    """Return ``value`` as an ISO 8601 date (``YYYY-MM-DD``) or ``YYYY-MM-DDTHH:MM`` with the
    offset only when ``value`` has one (``Z`` becomes ``+00:00``); None when it is no date.

    Digits of any script (Arabic-Indic ``٢٠٢٥``, fullwidth ``２０２５``) are read as their
    values, and the result is always written in ASCII digits.
    """
    ascii_digits = _DIGIT_RE.sub(lambda digit: str(int(digit.group())), value.strip())
    match = _ISO_RE.match(ascii_digits)
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
    except ValueError:
        return None
    result = f"{year}-{month}-{day}"
    if hour is None:
        return result
    result += f"T{int(hour):02d}:{minute}"
    if offset:
        if offset.upper() == "Z":
            return result + "+00:00"
        sign, digits = offset[0], offset[1:].replace(":", "")
        hours, minutes = digits[:2], digits[2:] or "00"
        if int(hours) > 23 or int(minutes) > 59:
            return None
        result += f"{sign}{hours}:{minutes}"
    return result


def clean_field(value: str) -> str | None:
    """A one-line metadata value: normalised like article text, line breaks become spaces."""
    text = " ".join(normalise(value).split())
    return text or None


def split_authors(value: str | list[Any]) -> list[str]:
    """Authors from a list or a ``;``-separated string, trimmed, without repeats."""
    parts = value.split(";") if isinstance(value, str) else [str(item) for item in value if item is not None]
    authors: list[str] = []
    for part in parts:
        name = clean_field(part)
        if name and name not in authors:
            authors.append(name)
    return authors


def _checked_published(value: str, what: str) -> str | None:
    """``value`` as an ISO date or time, None if blank; InputError naming ``what`` otherwise."""
    if not value.strip():
        return None
    published = parse_published(value)
    if published is None:
        raise InputError(
            f"{what} '{value}' is not a date",
            "Use YYYY-MM-DD or YYYY-MM-DDTHH:MM, with an offset such as +03:00 if known.",
        )
    return published


def checked_language(value: str, what: str | None = "language") -> str | None:
    """A language tag such as ``en`` or ``pt-BR`` (``en_US`` is accepted as ``en-US``).

    Raises InputError naming ``what`` for anything else; with ``what`` None (tags read
    from a page) an unusable tag is silently dropped instead.
    """
    tag = value.strip().replace("_", "-")
    if not tag:
        return None
    if not _LANGUAGE_RE.match(tag):
        if what is None:
            return None
        raise InputError(f"{what} '{value}' is not a language tag", "Use a code such as en, uk or pt-BR.")
    primary, *rest = tag.split("-")
    return "-".join([primary.lower(), *rest])
