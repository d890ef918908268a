"""Front matter: a deliberately small, strict subset of YAML at the top of a text or Markdown file
(PyYAML is not a dependency).
"""

from __future__ import annotations

import json
import re
from typing import Any

from store.errors import InputError
from store.ingest.draft import checked_language, clean_field, parse_published, split_authors

_FM_KEY_RE = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:(?:[ \t]+(.*?))?[ \t]*$")
_FM_ITEM_RE = re.compile(r"^[ \t]*-(?:[ \t]+(.*?))?[ \t]*$")
_FM_FIELDS = {
    "title": "title",
    "author": "authors",
    "authors": "authors",
    "outlet": "outlet",
    "publisher": "outlet",
    "url": "url",
    "published": "published",
    "date": "published",
    "section": "section",
    "language": "language",
    "lang": "language",
}


def split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
    """Split ``---`` … ``---`` front matter off the top of ``text``; return (fields, body)."""
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return {}, text
    first = next((line for line in lines[1:] if line.strip() and not line.lstrip().startswith("#")), "")
    if not _FM_KEY_RE.match(first):
        return {}, text  # a horizontal rule opening a plain text, not front matter
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise InputError(
            f"{name}: the front matter opened on line 1 is never closed",
            "End it with a line of three dashes (---) before the text.",
        )
    return _parse_front_matter(lines[1:end], name), "\n".join(lines[end + 1 :])


def _parse_front_matter(lines: list[str], name: str) -> dict[str, Any]:
    """Draft fields from front-matter lines; unknown keys are skipped, known ones checked."""
    fields: dict[str, Any] = {}
    seen: dict[str, int] = {}
    index = 0
    while index < len(lines):
        line_no = index + 2  # the opening --- is line 1
        line = lines[index].rstrip()
        index += 1
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        match = _FM_KEY_RE.match(line)
        if not match:
            raise _front_matter_error(name, line_no, "is not 'key: value'")
        key, raw = match.group(1).lower(), match.group(2) or ""
        items: list[tuple[int, str]] = []
        while index < len(lines) and (not lines[index].strip() or lines[index].startswith((" ", "\t", "-"))):
            if lines[index].strip():
                items.append((index + 2, lines[index].rstrip()))
            index += 1
        target = _FM_FIELDS.get(key)
        if target is None:
            continue  # keys margin does not use (layout, tags, draft…) may hold any YAML
        if target in seen:
            raise _front_matter_error(name, line_no, f"sets {target} again (first on line {seen[target]})")
        seen[target] = line_no
        if raw and items:
            _fm_scalar(raw, name, line_no)  # a block scalar (| or >) gets its own message
            raise _front_matter_error(name, items[0][0], "continues a value over several lines, which is not supported")
        if items:
            value: Any = []
            for item_no, item in items:
                item_match = _FM_ITEM_RE.match(item)
                if not item_match:
                    raise _front_matter_error(name, item_no, "should be a list item ('  - value')")
                value.append(_fm_scalar(item_match.group(1) or "", name, item_no))
        elif raw.startswith("["):
            value = _fm_flow_list(raw, name, line_no)
        else:
            value = _fm_scalar(raw, name, line_no)
        fields[target] = _fm_field(target, value, name, line_no)
    return fields


def _fm_field(target: str, value: Any, name: str, line_no: int) -> Any:
    """Check one front-matter value and convert it to the Draft field's type."""
    if target == "authors":
        return split_authors(value if isinstance(value, list) else value or "")
    if isinstance(value, list):
        raise _front_matter_error(name, line_no, f"gives {target} a list; it takes one value")
    if value is None or not value.strip():
        return None
    if target == "published":
        published = parse_published(value)
        if published is None:
            raise _front_matter_error(name, line_no, f"has published '{value}', which is not a date (YYYY-MM-DD)")
        return published
    if target == "language":
        return checked_language(value, f"{name}: front matter line {line_no}: language")
    return clean_field(value)


def _fm_scalar(raw: str, name: str, line_no: int) -> str | None:
    """One YAML scalar: double- or single-quoted, or plain up to a comment; None for null."""
    raw = raw.strip()
    if raw.startswith('"'):
        try:
            value, end = json.JSONDecoder().raw_decode(raw)
        except ValueError:
            raise _front_matter_error(name, line_no, "has a double-quoted value that is not closed properly") from None
        if not isinstance(value, str) or raw[end:].strip() and not raw[end:].strip().startswith("#"):
            raise _front_matter_error(name, line_no, "has text after a quoted value")
        return value
    if raw.startswith("'"):
        match = re.match(r"'((?:[^']|'')*)'[ \t]*(#.*)?$", raw)
        if not match:
            raise _front_matter_error(name, line_no, "has a single-quoted value that is not closed properly")
        return match.group(1).replace("''", "'")
    if raw[:1] in ("|", ">", "{", "&", "*", "!", "%", "@", "`"):
        raise _front_matter_error(name, line_no, f"starts a value with '{raw[0]}', which margin does not read; quote the value")
    raw = re.sub(r"(^|[ \t])#.*$", "", raw).strip()  # YAML: " #" starts a comment
    return None if raw in ("", "~", "null", "Null", "NULL") else raw


def _fm_flow_list(raw: str, name: str, line_no: int) -> list[str | None]:
    """A one-line YAML list such as ``[Anna Kovalenko, "Smith, John"]``."""
    if not raw.endswith("]"):
        raise _front_matter_error(name, line_no, "opens a list with [ but does not close it on the same line")
    inner = raw[1:-1].strip()
    if not inner:
        return []
    parts = re.findall(r"""\s*("(?:[^"\\]|\\.)*"|'(?:[^']|'')*'|[^,]+)\s*(?:,|$)""", inner)
    return [_fm_scalar(part, name, line_no) for part in parts]


def _front_matter_error(name: str, line_no: int, problem: str) -> InputError:
    """The error for one front-matter line, with the advice every such line shares."""
    return InputError(
        f"{name}: front matter line {line_no} {problem}",
        "Fix that line (key: value, or a list of '  - value' lines) or remove the front matter.",
    )
