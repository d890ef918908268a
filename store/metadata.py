"""The rules an article's metadata follows when a person edits it, in one place.

The form, the command line and any script give values as typed; ``checked_metadata`` returns
them as stored or raises a ``ValidationError`` naming the field. Dates are read as imports
read them (``parse_published``); authors are an ordered list, and an author written in braces,
``{Human Rights Watch}``, is an organisation: citations print it as written, never inverted.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from store.errors import ValidationError
from store.ingest.draft import clean_field, parse_published, split_authors
from store.nocase import as_read, keeps_own_capitals, protect, protected_whole

EDITABLE = ("title", "authors", "outlet", "url", "published", "accessed", "section")
"""The fields of an article a person may change, in the order a form shows them."""

ORGANISATION_OPEN, ORGANISATION_CLOSE = "{", "}"


def checked_metadata(changes: dict[str, Any]) -> dict[str, Any]:
    """``changes`` (field → value as typed) as the ``articles`` columns store them.

    Blank clears a field, except the title, which an article always has. ``authors`` is a list
    of names or one line of names separated by ``;``.
    """
    unknown = [name for name in changes if name not in EDITABLE]
    if unknown:
        raise ValidationError(f"an article has no editable field {', '.join(sorted(unknown))}",
                              f"the editable fields are {', '.join(EDITABLE)}",
                              field=sorted(unknown)[0])
    checked: dict[str, Any] = {}
    for name, value in changes.items():
        checked[name] = _RULES[name](value)
    return checked


def outlet_as_stored(typed: str, keep_capitals: bool) -> str:
    """The outlet to store when the analyst says whether its capitals stay as typed.

    Kept: the whole name in nocase markup, unless it keeps its own capitals by itself (a web
    address, a capital inside a word), which stays automatic and unmarked. Not kept: the
    analyst's protection of the whole name is taken off; any other markup stays as typed.
    """
    if keep_capitals and not keeps_own_capitals(as_read(typed)):
        return protect(typed)
    return as_read(typed) if protected_whole(typed) or keep_capitals else typed


def _title(value: Any) -> str:
    title = clean_field(str(value or ""))
    if not title:
        raise ValidationError("the title is empty", "give the article a title", field="title")
    return title


def _authors(value: Any) -> str:
    if value is None:
        value = []
    if not isinstance(value, str):
        value = ";".join(str(item) for item in value if item is not None)
    names = [_author(name) for name in split_authors(value)]
    return json.dumps(list(dict.fromkeys(name for name in names if name)), ensure_ascii=False)


def _author(name: str) -> str | None:
    """One author as stored; an organisation keeps its braces, with nothing inside them trimmed away."""
    opens, closes = name.startswith(ORGANISATION_OPEN), name.endswith(ORGANISATION_CLOSE)
    inner = name[1:-1] if opens and closes else name
    if opens != closes or ORGANISATION_OPEN in inner or ORGANISATION_CLOSE in inner:
        raise ValidationError(f"the author {name!r} has an unmatched brace",
                              "write an organisation as {Name of the organisation}, "
                              "a person without braces", field="authors")
    if not opens:
        return name
    inner = " ".join(inner.split())
    return f"{ORGANISATION_OPEN}{inner}{ORGANISATION_CLOSE}" if inner else None


def _optional_text(value: Any) -> str | None:
    return clean_field(str(value)) if value is not None else None


def _url(value: Any) -> str | None:
    url = _optional_text(value)
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in url:
        raise ValidationError(f"{url!r} is not a web address",
                              "give the whole address, starting with https:// or http://",
                              field="url")
    return url


def _date(name: str, *, day_only: bool = False):
    def check(value: Any) -> str | None:
        text = _optional_text(value)
        if text is None:
            return None
        parsed = parse_published(text)
        if parsed is None:
            advice = ("write the day as YYYY-MM-DD" if day_only else
                      "write YYYY-MM-DD, or YYYY-MM-DDTHH:MM with an offset such as +03:00")
            raise ValidationError(f"the {name} date {text!r} is not a date", advice, field=name)
        return parsed[:10] if day_only else parsed

    return check


_RULES = {
    "title": _title,
    "authors": _authors,
    "outlet": _optional_text,
    "url": _url,
    "published": _date("published"),
    "accessed": _date("accessed", day_only=True),
    "section": _optional_text,
}
