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
  a paragraph, separated by blank lines, opening with the standfirst when the page has one;
  teasers, share prompts and related-link lists are taken out first (``boilerplate``).
"""

from __future__ import annotations

import dataclasses
import stat
import sys
from pathlib import Path

from store.errors import InputError
from store.ingest.draft import Draft, apply_overrides, parse_published
from store.ingest.fetching import SCHEME_RE, TIME_LIMIT, URL_RE, WAIT_LIMIT, fetch
from store.ingest.html import decode_declared, html_draft, looks_like_html
from store.ingest.limits import MAX_BYTES, READ_LIMIT, check_declared_size, check_size
from store.ingest.prose import NotAnArticleError, check_article
from store.ingest.text_files import text_draft
from store.text import decode

__all__ = ["MAX_BYTES", "Draft", "NotAnArticleError", "apply_overrides", "parse_published", "read_source"]

_TEXT_SUFFIXES = {".txt", ".text"}
_MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".mkdn"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml"}


def read_source(
    source: str, *, stdin: bytes | None = None, timeout: float = WAIT_LIMIT, time_limit: float = TIME_LIMIT,
    allow_non_article: bool = False,
) -> Draft:
    """Read a path, an ``http(s)://`` URL or ``-`` (standard input) into a ``Draft``.

    ``stdin`` supplies the bytes for ``-`` (read from ``sys.stdin`` when None); ``timeout``
    bounds each network wait and ``time_limit`` a whole download, in seconds. Every bad input
    raises ``InputError``; text that is not an article (see ``store.ingest.prose``) raises
    ``NotAnArticleError`` unless ``allow_non_article`` is true.
    """
    draft = _read_any(source, stdin, timeout, time_limit)
    if not allow_non_article:
        check_article(draft.text, "standard input" if source == "-" else source)
    return draft


def _read_any(source: str, stdin: bytes | None, timeout: float, time_limit: float) -> Draft:
    """The draft of any source, by its kind: path, URL or standard input."""
    if not source.strip():
        raise InputError("no file or URL given", "Name a file, an http(s):// URL, or - for standard input.")
    if source == "-":
        return _read_stdin(stdin)
    if URL_RE.match(source):
        return _read_url(source, timeout, time_limit)
    if SCHEME_RE.match(source):
        raise InputError(
            f"{source}: only http:// and https:// addresses can be imported",
            "Download the document and import the saved file instead.",
        )
    return _read_file(source)


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
    if stat.S_ISREG(info.st_mode):
        check_declared_size(info.st_size, source)
    try:
        with path.open("rb") as handle:
            # Bounded even after the size check: a pipe or a growing file has no honest size.
            data = handle.read(READ_LIMIT)
    except OSError as err:
        raise InputError(f"cannot read {source}: {err.strerror}", "Check the file's permissions.") from None
    check_size(data, source)
    suffix = path.suffix.lower()
    absolute = str(path.resolve())
    if suffix in _HTML_SUFFIXES or (
        suffix not in _TEXT_SUFFIXES | _MARKDOWN_SUFFIXES and looks_like_html(data)
    ):
        return html_draft(data, source, absolute, "html")
    fmt = "md" if suffix in _MARKDOWN_SUFFIXES else "txt"
    return text_draft(decode(data, source), source, absolute, fmt)


def _read_stdin(data: bytes | None) -> Draft:
    """Read ``-``: like a text file, or like a page when the bytes start as HTML."""
    name = "standard input"
    if data is None:
        data = sys.stdin.buffer.read(READ_LIMIT)
    check_size(data, name)
    if looks_like_html(data):
        return html_draft(data, name, "-", "stdin")
    return text_draft(decode(data, name), name, "-", "stdin")


def _read_url(url: str, timeout: float, time_limit: float) -> Draft:
    """Fetch an http(s) URL and read it by its Content-Type (HTML, plain text or Markdown)."""
    data, final_url, content_type, charset = fetch(url, timeout, time_limit)
    check_size(data, url)
    if content_type in ("text/plain", "text/markdown", "text/x-markdown"):
        text = decode_declared(data, charset, html=False) if charset else None
        if text is None:
            text = decode(data, url)
        fmt = "txt" if content_type == "text/plain" else "md"
        draft = text_draft(text, url, url, fmt)
        return dataclasses.replace(draft, format="url", url=draft.url or final_url)
    if content_type and "html" not in content_type and "xml" not in content_type and not looks_like_html(data):
        raise InputError(
            f"{url} is {content_type}, not a web page",
            "margin reads HTML, text and Markdown: save the document as text and import that.",
        )
    return html_draft(data, url, url, "url", page_url=final_url, charset=charset)

