"""Inputs for fuzzing the importer, shared by ``test_fuzz_import.py`` and ``bench/faults.py``.

Each strategy draws the bytes of a file an analyst might try to import: plain text, Markdown
with front matter, or an HTML page, each with the odd characters, broken structure and wrong
values that real files have. The property: importing it either stores an article or raises
one of margin's own errors.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import strategies as st

from store.articles import add_article
from store.db import open_db
from store.errors import MarginError
from store.ingest import read_source

# Characters that break naive parsers: controls, NUL, bidi marks, surrogate-free astral ones,
# line and paragraph separators, quotes and markup.
AWKWARD = st.sampled_from(["\x1b[31m", "\r", "\r\n", "\u2028", "\u202e", "\ufeff",
                           "\U0001f600", "«", "“", "'", '"', "<", ">", "&amp;", "&#0;", "---",
                           "...", "#", "-", ":", "\t", " ", "\n", "\n\n", "é", "ẞ"])
# No NUL here: a NUL anywhere makes the file binary, refused before any parsing; AWKWARD
# brings one now and then.
WORDS = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",),
                                       exclude_characters="\x00"), max_size=40)
TEXT = st.lists(st.one_of(WORDS, AWKWARD), max_size=40).map("".join)

KEYS = st.sampled_from(["title", "author", "authors", "by", "outlet", "url", "published", "date",
                        "section", "language", "lang", "tags", "Title", "x-other", "", "- item"])
VALUES = st.one_of(WORDS, st.sampled_from(["2025-09-07", "2025-13-45", "yesterday", "en", "xx-YY",
                                          "[a, b", "[a, b]", "'quoted'", '"open', "https://x",
                                          "99999-01-01T25:61", "null", "~", "|"]))


@st.composite
def markdown(draw) -> bytes:
    """Markdown with front matter that may be valid, odd or broken."""
    lines = ["---"]
    for _ in range(draw(st.integers(0, 8))):
        key, value = draw(KEYS), draw(VALUES)
        lines.append(draw(st.sampled_from([f"{key}: {value}", f"{key}:", f"  - {value}",
                                           f"{key}: {value}\n  more", value])))
    # Mostly closed, so that the fields are parsed; sometimes closed oddly, or never.
    closing = draw(st.sampled_from(["---"] * 6 + ["...", "--- ", "----", None]))
    if closing is not None:
        lines.append(closing)
    lines.append(draw(TEXT))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


TAGS = st.sampled_from(["html", "head", "body", "title", "p", "article", "main", "div", "h1",
                        "script", "style", "nav", "footer", "br", "time", "span", "table",
                        "td", "pre", "!--", "![CDATA["])


@st.composite
def html(draw) -> bytes:
    """An HTML page: a soup of elements, metadata and text, closed or not."""
    parts = [draw(st.sampled_from(["", "<!doctype html>", "<html>", "<?xml version='1.0'?>"]))]
    for _ in range(draw(st.integers(0, 30))):
        tag = draw(TAGS)
        choice = draw(st.integers(0, 4))
        if choice == 0:
            parts.append(f"<{tag}>{draw(TEXT)}</{tag}>")
        elif choice == 1:
            parts.append(f"<{tag}>")
        elif choice == 2:
            name = draw(st.sampled_from(["author", "article:published_time", "og:title",
                                         "description", "date", "og:site_name"]))
            parts.append(f'<meta name="{name}" property="{name}" content="{draw(VALUES)}">')
        elif choice == 3:
            parts.append(f'<meta charset="{draw(st.sampled_from(["utf-8", "latin-1", "bogus", "utf-16", ""]))}">')
        else:
            parts.append(draw(TEXT))
    page = "".join(parts).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        return page
    # Now and then a few raw bytes somewhere, as a damaged download has.
    cut = draw(st.integers(0, len(page)))
    return page[:cut] + draw(st.binary(max_size=16)) + page[cut:]


def plain_text() -> st.SearchStrategy[bytes]:
    """Plain text: mostly readable, sometimes arbitrary bytes."""
    return st.one_of(TEXT.map(lambda text: text.encode("utf-8", "surrogatepass")),
                     st.binary(max_size=300))


FILES = st.one_of(plain_text().map(lambda data: (".txt", data)),
                  markdown().map(lambda data: (".md", data)),
                  html().map(lambda data: (".html", data)),
                  st.tuples(st.sampled_from([".txt", ".md", ".html", ".dat", ""]),
                            st.binary(max_size=200)))


def import_file(folder: Path, suffix: str, data: bytes) -> None:
    """Import ``data`` as a file named with ``suffix`` into a fresh database in ``folder``.

    Returns quietly when the article is stored or margin refuses it with its own error; any
    other exception propagates, which is the fault the fuzzing looks for.
    """
    path = folder / f"input{suffix}"
    path.write_bytes(data)
    db = open_db(folder / "margin.db")
    try:
        try:
            add_article(db, read_source(str(path)))
        except MarginError:
            pass
    finally:
        db.conn.close()
        for leftover in folder.iterdir():
            leftover.unlink()


def scratch() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="margin-fuzz-")
