"""Turning files, web pages, URLs and standard input into article drafts (no database here).

``read_source`` returns a ``Draft``: the normalised text and what the source says about
itself. What each format keeps as text:

- ``.txt`` and standard input: the whole file but its front matter. The scraper layout of
  ``shared/corpus/ukrainska-pravda-*.txt`` (a ``date YYYY-MM-DD …`` line, headline, byline run
  into the dateline) is the exception: those three lines are metadata, and the text starts
  after the byline. In any other text file the first line is the title *and* stays in the
  text, because an analyst may quote it and every word of the file should be citable.
- ``.md``: Markdown turned into plain text (headings kept without ``#``, markup removed).
- ``.html``, ``.htm`` and ``http(s)://`` URLs: the article text trafilatura finds, one block
  a paragraph, separated by blank lines.
"""

from __future__ import annotations

import codecs
import dataclasses
import json
import logging
import math
import re
import stat
import sys
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from store.errors import InputError
from store.text import clean_characters, decode, markdown_to_text, normalise

MAX_BYTES = 20 * 1024 * 1024
"""Largest file, page or stream margin will read (20 MB)."""

USER_AGENT = "Mozilla/5.0 (compatible; margin terminal reader)"

# trafilatura and its helpers log warnings such as "discarding data" for pages they cannot
# use; margin reports those as InputError itself, so without a handler Python's last-resort
# logger must not print them over the terminal.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

_TEXT_SUFFIXES = {".txt", ".text"}
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}
_URL_RE = re.compile(r"^https?://", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_TITLE_LIMIT = 200


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


def read_source(source: str, *, stdin: bytes | None = None, timeout: float = 20.0) -> Draft:
    """Read a path, an ``http(s)://`` URL or ``-`` (standard input) into a ``Draft``.

    ``stdin`` supplies the bytes for ``-`` (read from ``sys.stdin`` when None); ``timeout``
    bounds each network wait in seconds. Every bad input raises ``InputError``.
    """
    if not source.strip():
        raise InputError("no file or URL given", "Name a file, an http(s):// URL, or - for standard input.")
    if source == "-":
        return _read_stdin(stdin)
    if _URL_RE.match(source):
        return _read_url(source, timeout)
    if _SCHEME_RE.match(source):
        raise InputError(
            f"{source}: only http:// and https:// addresses can be imported",
            "Download the document and import the saved file instead.",
        )
    return _read_file(source)


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
            changes[name] = _clean_field(value)
    names = author if author is not None else authors
    if names is not None:
        changes["authors"] = _split_authors(names)
    if published is not None:
        changes["published"] = _checked_published(published, "published date")
    if language is not None:
        changes["language"] = _checked_language(language)
    return dataclasses.replace(draft, **changes)


def parse_published(value: str) -> str | None:
    """Return ``value`` as an ISO 8601 date (``YYYY-MM-DD``) or ``YYYY-MM-DDTHH:MM`` with the
    offset only when ``value`` has one (``Z`` becomes ``+00:00``); None when it is no date."""
    match = _ISO_RE.match(value.strip())
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


_ISO_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})"
    r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?[ ]?(Z|[+-]\d{2}(?::?\d{2})?)?)?$",
    re.IGNORECASE,
)


# --- sources ---------------------------------------------------------------------------------


def _read_file(source: str) -> Draft:
    """Read a path: size checked before reading, format chosen by suffix (or by sniffing)."""
    path = Path(source).expanduser()
    try:
        info = path.stat()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file", "Check the path (or give an http(s):// URL).") from None
    except OSError as err:
        raise InputError(f"cannot open {source}: {err.strerror}", "Check the path and its permissions.") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{source} is a directory", "Give the path of a file inside it.")
    if stat.S_ISREG(info.st_mode) and info.st_size > MAX_BYTES:
        raise _too_large(source, info.st_size)
    try:
        with path.open("rb") as handle:
            # Bounded even after the size check: a pipe or a growing file has no honest size.
            data = handle.read(MAX_BYTES + 1)
    except OSError as err:
        raise InputError(f"cannot read {source}: {err.strerror}", "Check the file's permissions.") from None
    _check_size(data, source)
    suffix = path.suffix.lower()
    absolute = str(path.resolve())
    if suffix in _HTML_SUFFIXES or (
        suffix not in _TEXT_SUFFIXES | _MARKDOWN_SUFFIXES and _looks_like_html(data)
    ):
        return _html_draft(data, source, absolute, "html")
    fmt = "md" if suffix in _MARKDOWN_SUFFIXES else "txt"
    return _text_draft(decode(data, source), source, absolute, fmt)


def _read_stdin(data: bytes | None) -> Draft:
    """Read ``-``: like a text file, or like a page when the bytes start as HTML."""
    name = "standard input"
    if data is None:
        data = sys.stdin.buffer.read(MAX_BYTES + 1)
    _check_size(data, name)
    if _looks_like_html(data):
        return _html_draft(data, name, "-", "stdin")
    return _text_draft(decode(data, name), name, "-", "stdin")


def _read_url(url: str, timeout: float) -> Draft:
    """Fetch an http(s) URL and read it by its Content-Type (HTML, plain text or Markdown)."""
    data, final_url, content_type, charset = _fetch(url, timeout)
    _check_size(data, url)
    if content_type in ("text/plain", "text/markdown", "text/x-markdown"):
        text = _decode_declared(data, charset, html=False) if charset else None
        if text is None:
            text = decode(data, url)
        fmt = "txt" if content_type == "text/plain" else "md"
        draft = _text_draft(text, url, url, fmt)
        return dataclasses.replace(draft, format="url", url=draft.url or final_url)
    if content_type and "html" not in content_type and "xml" not in content_type and not _looks_like_html(data):
        raise InputError(
            f"{url} is {content_type}, not a web page",
            "margin reads HTML, text and Markdown: save the document as text and import that.",
        )
    return _html_draft(data, url, url, "url", page_url=final_url, charset=charset)


def _check_size(data: bytes, name: str) -> None:
    """Refuse input that is empty or over MAX_BYTES."""
    if len(data) > MAX_BYTES:
        raise _too_large(name)
    if not data:
        raise InputError(f"{name} is empty", "Import a file or page that holds the article's text.")


def _too_large(name: str, size: int | None = None) -> InputError:
    """The error for input over MAX_BYTES; ``size`` when it is known (a file, Content-Length)."""
    limit = f"{MAX_BYTES // 2**20} MB"
    shown = f"{math.ceil(size / 2**20 * 10) / 10:.1f} MB, " if size else ""
    title = f"{name} is {shown}over the {limit} limit"
    return InputError(title, "Import the article alone: save just its text, or split the file.")


def _looks_like_html(data: bytes) -> bool:
    """Whether bytes start like an HTML document (a doctype or <html near the top)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


# --- text and Markdown -----------------------------------------------------------------------


def _text_draft(decoded: str, name: str, source: str, fmt: str) -> Draft:
    """A draft from decoded text or Markdown: front matter, then the scraper layout or a plain text."""
    text = clean_characters(decoded)
    if not normalise(text):
        raise InputError(f"{name} contains no text (only whitespace)", "Import a file that holds the article's text.")
    meta, body = _split_front_matter(text, name)
    fields: dict[str, Any] = {}
    if fmt == "md":
        plain, heading = markdown_to_text(body)
        plain = normalise(plain)
        fields["title"] = heading or _first_line(plain)
    else:
        plain = normalise(body)
        scraped = _parse_scraper_layout(plain)
        if scraped is not None:
            fields, plain = scraped
        else:
            fields["title"] = _first_line(plain)
    if not plain:
        raise InputError(f"{name} has front matter but no text after it", "Add the article's text below the closing ---.")
    fields.update({key: value for key, value in meta.items() if value not in (None, [])})
    return Draft(text=plain, source=source, format=fmt, **fields)


def _first_line(text: str) -> str | None:
    """The first non-empty line as a title, shortened at a word when it is a long paragraph."""
    line = next((line.strip() for line in text.split("\n") if line.strip()), None)
    if line is None or len(line) <= _TITLE_LIMIT:
        return line
    cut = line.rfind(" ", 0, _TITLE_LIMIT)
    return line[: cut if cut > 0 else _TITLE_LIMIT].rstrip(" ,;:") + "…"


# Front matter: a deliberately small, strict subset of YAML (PyYAML is not a dependency).

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


def _split_front_matter(text: str, name: str) -> tuple[dict[str, Any], str]:
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
        return _split_authors(value if isinstance(value, list) else value or "")
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
        return _checked_language(value, f"{name}: front matter line {line_no}: language")
    return _clean_field(value)


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
    return InputError(
        f"{name}: front matter line {line_no} {problem}",
        "Fix that line (key: value, or a list of '  - value' lines) or remove the front matter.",
    )


# The scraper layout: "date 2025-09-07 All Sections", headline, and a byline run into the
# dateline ("Olga KatsimonSunday, 7 September 2025, 17:21").

_SCRAPER_DATE_RE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:\s|$)")


def _numbered(names: str) -> dict[str, int]:
    """Map space-separated names to 1, 2, 3…"""
    return {name: number for number, name in enumerate(names.split(), 1)}


_MONTHS = {
    **_numbered("january february march april may june july august september october november december"),
    **_numbered("jan feb mar apr may jun jul aug sep oct nov dec"),
    "sept": 9,
    **_numbered("січня лютого березня квітня травня червня липня серпня вересня жовтня листопада грудня"),
    **_numbered("января февраля марта апреля мая июня июля августа сентября октября ноября декабря"),
}
_WEEKDAYS = (
    "monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|"
    "понеділок|вівторок|середа|четвер|п['’ʼ]?ятниця|субота|неділя|"
    "понедельник|вторник|среда|четверг|пятница|суббота|воскресенье"
)
_MONTH_ALT = "|".join(sorted(_MONTHS, key=len, reverse=True))
_TIME = r"(?:[\s,]*(?:at\s+)?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?:\s*(?P<half>[ap])\.?m\.?)?)?"
_BYLINE_RES = (
    re.compile(  # Sunday, 7 September 2025, 17:21
        rf"^(?P<names>.*?)[\s,]*(?:(?P<weekday>{_WEEKDAYS})\.?,?\s*)?(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_ALT})\.?,?\s+"
        rf"(?P<year>\d{{4}}){_TIME}\s*$",
        re.IGNORECASE,
    ),
    re.compile(  # Sunday, September 7, 2025, 17:21
        rf"^(?P<names>.*?)[\s,]*(?:(?P<weekday>{_WEEKDAYS})\.?,?\s*)?(?P<month>{_MONTH_ALT})\.?\s+(?P<day>\d{{1,2}}),?\s+"
        rf"(?P<year>\d{{4}}){_TIME}\s*$",
        re.IGNORECASE,
    ),
)


def _parse_scraper_layout(text: str) -> tuple[dict[str, Any], str] | None:
    """Recognise the scraper layout; return (fields, article text) or None for other texts."""
    lines = text.split("\n")
    date_match = _SCRAPER_DATE_RE.match(lines[0])
    if not date_match or parse_published(date_match.group(1)) is None:
        return None
    rest = [i for i in range(1, len(lines)) if lines[i].strip()]
    if not rest:
        return None
    fields: dict[str, Any] = {"title": lines[rest[0]].strip(), "published": date_match.group(1)}
    start = rest[0] + 1
    if len(rest) > 1:
        byline = _parse_byline(lines[rest[1]].strip())
        if byline is not None:
            fields.update(byline)
            start = rest[1] + 1
    return fields, normalise("\n".join(lines[start:]))


def _parse_byline(line: str) -> dict[str, Any] | None:
    """Split ``Olga KatsimonSunday, 7 September 2025, 17:21`` into authors and a time."""
    for pattern in _BYLINE_RES:
        match = pattern.match(line)
        if match:
            break
    else:
        return None
    names = match.group("names").strip(" ,;|-–—")
    # A caption such as "Rally in Kyiv, 7 September 2025" must stay article text: a dateline
    # has a weekday or a time, and the names before it are short and have no colon.
    if not (match.group("weekday") or match.group("hour")) or ":" in names or len(names.split()) > 12:
        return None
    month = _MONTHS[match.group("month").lower()]
    published = f"{match.group('year')}-{month:02d}-{int(match.group('day')):02d}"
    if match.group("hour") is not None:
        hour = int(match.group("hour"))
        if match.group("half"):  # 12-hour clock: 12:05 am is 00:05, 12:05 pm is 12:05
            hour = hour % 12 + (12 if match.group("half").lower() == "p" else 0)
        published += f"T{hour:02d}:{match.group('minute')}"
    if parse_published(published) is None:
        return None
    names = re.sub(r"^(?:by|від|автор)\s+", "", names, flags=re.IGNORECASE)
    authors = [n for n in re.split(r"\s*(?:,|;|&|\band\b|\bта\b|\bі\b|\bи\b)\s*", names) if n.strip()]
    return {"authors": [_clean_field(n) for n in authors], "published": published}


# --- HTML and URLs ---------------------------------------------------------------------------


def _fetch(url: str, timeout: float) -> tuple[bytes, str, str, str | None]:
    """GET ``url`` following redirects; return (body, final URL, content type, charset)."""
    # Imported here: http.client pulls in the email package, and most commands never fetch.
    import http.client
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        _ascii_url(url),
        headers={
            "User-Agent": USER_AGENT,
            "Accept": "text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.8",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length", "")
            if length.isdigit() and int(length) > MAX_BYTES:
                raise _too_large(url, int(length))
            data = response.read(MAX_BYTES + 1)
            final_url = response.geturl()
            if final_url == request.full_url:
                final_url = url  # not redirected: keep the address as the user wrote it
            content_type = response.headers.get_content_type() if response.headers.get("Content-Type") else ""
            charset = response.headers.get_content_charset()
            encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    except urllib.error.HTTPError as err:
        err.close()
        if 300 <= err.code < 400:
            # urllib gives up after ten redirects, or at once on one back to an address seen.
            raise InputError(f"{url} redirects in a loop and never reaches a page",
                             "Open it in a browser, save the page and import the .html file.") from None
        raise InputError(f"{url} answered HTTP {err.code} {err.reason}".rstrip(), _http_advice(err.code)) from None
    except urllib.error.URLError as err:
        raise _network_error(url, err.reason, timeout) from None
    except (OSError, http.client.HTTPException) as err:  # timeouts while reading, resets, hang-ups
        raise _network_error(url, err, timeout) from None
    except ValueError as err:
        raise InputError(f"{url} is not a valid address ({err})", "Check the URL.") from None
    if encoding in ("gzip", "x-gzip", "deflate"):
        data = _inflate(data, encoding, url)
    elif encoding not in ("", "identity"):
        raise InputError(f"{url} came compressed as {encoding}, which margin cannot read", "Save the page from a browser and import the .html file.")
    return data, final_url, content_type, charset


def _ascii_url(url: str) -> str:
    """``url`` as HTTP needs it: an IDNA host and a percent-encoded path (``/wiki/Київ``)."""
    import urllib.parse

    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    netloc = parts.netloc
    if parts.hostname and not parts.hostname.isascii():
        try:
            netloc = netloc.replace(parts.hostname, parts.hostname.encode("idna").decode("ascii"))
        except UnicodeError:
            raise InputError(f"{url} has a host name that is not valid", "Check the address.") from None
    safe = "/%:@!$&'()*+,;=?~-._"
    return urllib.parse.urlunsplit(
        (parts.scheme, netloc, urllib.parse.quote(parts.path, safe=safe), urllib.parse.quote(parts.query, safe=safe), "")
    )


def _inflate(data: bytes, encoding: str, url: str) -> bytes:
    """Decompress a gzip or deflate body without letting it grow past MAX_BYTES."""
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    try:
        inflater = zlib.decompressobj(wbits)
        out = inflater.decompress(data, MAX_BYTES + 1)
    except zlib.error:
        try:  # some servers send raw deflate without the zlib header
            inflater = zlib.decompressobj(-zlib.MAX_WBITS)
            out = inflater.decompress(data, MAX_BYTES + 1)
        except zlib.error:
            raise InputError(f"{url} sent a damaged {encoding} body", "Try again, or save the page from a browser.") from None
    if len(out) > MAX_BYTES or inflater.unconsumed_tail:
        raise _too_large(url)
    return out


def _http_advice(code: int) -> str:
    """One line of advice for an HTTP error status."""
    if code in (404, 410):
        return "Check the address: the page may have moved or been removed."
    if code in (401, 403, 451):
        return "The site refused access: save the page from your browser and import the .html file."
    if code == 429:
        return "The site is rate-limiting requests: wait a while and try again."
    if code >= 500:
        return "The site failed to answer: try again later."
    return "Check the address, or save the page from your browser and import the .html file."


def _network_error(url: str, reason: object, timeout: float) -> InputError:
    """The error for a URL that could not be fetched, saying why in a person's words."""
    import socket
    import ssl

    if isinstance(reason, TimeoutError):
        return InputError(f"{url} did not answer within {timeout:g} s", "Check your connection, or try again later.")
    if isinstance(reason, ConnectionRefusedError):
        return InputError(f"{url} is unreachable: the connection was refused", "Check the address and port, or try again later.")
    if isinstance(reason, socket.gaierror):
        return InputError(f"{url} is unreachable: its host name was not found", "Check the address and your network connection.")
    if isinstance(reason, ssl.SSLError):
        return InputError(f"{url}: the secure connection failed ({reason.reason or reason})", "Check the address; the site's certificate may be invalid.")
    detail = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
    return InputError(f"{url} is unreachable: {detail}", "Check the address and your network connection.")


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(data: bytes, declared: str | None) -> str:
    """Decode a page: BOM, then the HTTP charset, then <meta charset>, then UTF-8, then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    if declared:
        text = _decode_declared(data, declared, html=True)
        if text is not None:
            return text
    match = _META_CHARSET_RE.search(data[:4096])
    if match:
        text = _decode_declared(data, match.group(1).decode("ascii"), html=True)
        if text is not None:
            return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from trafilatura.utils import decode_file  # guesses the encoding (charset_normalizer)

        return decode_file(data)


def _decode_declared(data: bytes, charset: str, *, html: bool) -> str | None:
    """Decode with a declared charset, as browsers do; None if Python does not know it."""
    try:
        name = codecs.lookup(charset).name
    except LookupError:
        return None
    if name == "utf-8":
        name = "utf-8-sig"  # a BOM is not text
    if html and name in ("latin-1", "iso8859-1", "ascii"):
        name = "cp1252"  # what browsers do for these labels (WHATWG Encoding)
    if html and name.startswith("utf-16"):
        name = "utf-8"  # a page that could declare this in ASCII is not UTF-16
    return data.decode(name, "replace")


def _html_draft(
    data: bytes, name: str, source: str, fmt: str, *, page_url: str | None = None, charset: str | None = None
) -> Draft:
    """A draft from the bytes of a web page; ``page_url`` is where it was fetched from."""
    if b"\x00" in data[:4096] and data[:2] not in (b"\xff\xfe", b"\xfe\xff"):
        raise InputError(f"{name} looks like a binary file (it contains NUL bytes)", "Import a text, Markdown or HTML file instead.")
    fields = _extract_html(_decode_html(data, charset), name, page_url)
    if page_url:
        fields["url"] = page_url
    return Draft(source=source, format=fmt, **fields)


# Options measured on shared/corpus/html (tests/test_ingest_corpus.py): favor_precision
# drops headlines, standfirsts and "adapted from" lines that are not article text, and
# scores best; comments are never the article.
_EXTRACT_OPTIONS = {"include_comments": False, "include_tables": True}
# favor_precision can also drop real paragraphs; when it keeps less than this share of the
# words the balanced mode finds, the balanced text wins, since missing text is invisible.
_PRECISION_MIN_SHARE = 0.5


def _extract_html(page: str, name: str, page_url: str | None) -> dict[str, Any]:
    """Run trafilatura on a decoded page; return Draft fields (text and metadata)."""
    import trafilatura  # slow to import: only when a page is actually read
    from trafilatura.utils import load_html

    tree = load_html(page)
    if tree is None:
        raise InputError(f"{name} is not an HTML page margin can read", "Check that it is a web page, or save it again from a browser.")
    _merge_split_body(tree)
    precise = trafilatura.bare_extraction(tree, url=page_url, favor_precision=True, with_metadata=True, **_EXTRACT_OPTIONS)
    balanced = trafilatura.bare_extraction(tree, url=page_url, with_metadata=precise is None, **_EXTRACT_OPTIONS)
    precise_text = _blocks_text(precise)
    balanced_text = _blocks_text(balanced)
    text = precise_text
    if len(precise_text.split()) < _PRECISION_MIN_SHARE * len(balanced_text.split()):
        text = balanced_text
    if not text:
        raise InputError(
            f"no article text found in {name}",
            "The page may need JavaScript or a login: save it from your browser, or paste the text into a .txt file.",
        )
    document = precise or balanced
    title = _clean_field(document.title or "") or _first_line(text)
    text = _without_headline(text, title)
    fields: dict[str, Any] = {
        "text": text,
        "title": title,
        "authors": _split_authors(document.author or ""),
        "outlet": _clean_field(document.sitename or ""),
        "url": _clean_field(document.url) if document.url and _URL_RE.match(document.url) else None,
        "published": _published_from_tree(tree) or parse_published(document.date or ""),
        "section": _meta_content(tree, ("article:section",)),
        "language": _language_from_tree(tree) or _checked_language(document.language or "", None),
    }
    return fields


def _without_headline(text: str, title: str | None) -> str:
    """Drop a first paragraph that repeats the title: the headline is metadata, as in .txt."""
    first, _, rest = text.partition("\n\n")
    if title and rest and " ".join(first.split()).casefold() == title.casefold():
        return rest
    return text


def _blocks_text(document: Any) -> str:
    """The extracted text with each block (paragraph, heading, list, table) its own paragraph."""
    if document is None or document.body is None:
        return ""
    from trafilatura.xml import xmltotxt

    blocks = (normalise(xmltotxt(block, False)) for block in document.body)
    return normalise("\n\n".join(block for block in blocks if block))


def _merge_split_body(tree: Any) -> None:
    """Join an article body that the page splits into sibling containers of the same class.

    trafilatura keeps only the first element matching its article-body patterns; pages such
    as Wired's break the body into several ``article__body`` containers between ad slots,
    which loses half the article. Moving the later containers' children into the first one
    keeps all of it. Only same-class containers under the same parent or grandparent move.
    """
    try:
        from trafilatura.xpaths import BODY_XPATH
    except ImportError:  # internal to trafilatura; without it extraction still works
        return
    first = None
    for expression in BODY_XPATH:
        first = next((element for element in expression(tree) if element is not None), None)
        if first is not None:
            break
    if first is None or not first.get("class"):
        return
    parent = first.getparent()
    grandparent = parent.getparent() if parent is not None else None
    ancestors = set(first.iterancestors())
    for element in list(tree.iter(first.tag)):
        if element is first or element.get("class") != first.get("class") or element in ancestors:
            continue
        owner = element.getparent()
        if owner is None or not (owner is parent or (grandparent is not None and owner.getparent() is grandparent)):
            continue
        if any(ancestor is first for ancestor in element.iterancestors()):
            continue
        for child in list(element):
            first.append(child)


_PUBLISHED_KEYS = (
    "article:published_time",
    "og:article:published_time",
    "datepublished",
    "article.published",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "dc.date.issued",
)


def _published_from_tree(tree: Any) -> str | None:
    """The publication time the page states in its metadata, with its offset if given."""
    value = _meta_content(tree, _PUBLISHED_KEYS)
    if value and (published := parse_published(value)):
        return published
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        match = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script.text or "")
        if match and (published := parse_published(match.group(1))):
            return published
    return None


def _meta_content(tree: Any, keys: tuple[str, ...]) -> str | None:
    """The content of the first <meta> whose property, name or itemprop is one of ``keys``."""
    found: dict[str, str] = {}
    for meta in tree.iterfind(".//meta"):
        content = (meta.get("content") or "").strip()
        if not content:
            continue
        for attribute in ("property", "name", "itemprop"):
            key = (meta.get(attribute) or "").strip().lower()
            if key in keys and key not in found:
                found[key] = content
    for key in keys:
        if key in found:
            return _clean_field(found[key])
    return None


def _language_from_tree(tree: Any) -> str | None:
    """The language a page declares (<html lang>, Content-Language or og:locale)."""
    root = tree.getroottree().getroot()
    for value in (root.get("lang"), root.get("xml:lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang")):
        if value and (language := _checked_language(value, None)):
            return language
    for meta in tree.iterfind(".//meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language" or (meta.get("property") or "") == "og:locale":
            language = _checked_language((meta.get("content") or "").split(",")[0], None)
            if language:
                return language
    return None


# --- fields ----------------------------------------------------------------------------------

_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")


def _clean_field(value: str) -> str | None:
    """A one-line metadata value: normalised like article text, line breaks become spaces."""
    text = " ".join(normalise(value).split())
    return text or None


def _split_authors(value: str | list[Any]) -> list[str]:
    """Authors from a list or a ``;``-separated string, trimmed, without repeats."""
    parts = value.split(";") if isinstance(value, str) else [str(item) for item in value if item is not None]
    authors: list[str] = []
    for part in parts:
        name = _clean_field(part)
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


def _checked_language(value: str, what: str | None = "language") -> str | None:
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
