"""The four CSL styles (Chicago note and bibliography, APA, MLA) and the article's citation."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from store.citations.dates import date_apa, date_chicago, date_long, date_mla
from store.citations.item import csl_item
from store.citations.markdown import emphasis, md_escape, md_link
from store.citations.names import names_apa, names_chicago_bib, names_mla, names_note
from store.citations.punctuation import Line, Piece
from store.citations.quotes import Quoted, nest_quotes, prepare, render_quotes
from store.citations.titles import title_case_runs
from store.errors import ValidationError
from store.nocase import unprotected

STYLES = ("analyst", "chicago-note", "chicago-bib", "apa", "mla", "markdown", "csl-json")
DEFAULT_STYLE = "analyst"


def _text(text: str | None, *, markdown: bool = False, title: bool = False,
          english: bool = True, quoted: bool = False) -> Piece | None:
    """A field as the styles print it, its quotation marks nested: ``title`` when the style
    asks for title case, which citeproc-js applies only to English (``english``)."""
    if not text:
        return None
    # Protected runs (nocase markup) keep their letters; the markup itself is never printed.
    runs = [(prepare(run, name=i > 0), protected)
            for i, (run, protected) in enumerate(unprotected(text))]
    text = "".join(run for run, _ in runs)
    # Leading ". : ; ! ?" go in front of the field, outside its quotation marks. When the
    # style sets a text case (even one that ends up doing nothing) the processor then puts
    # the whole string back, so the marks show twice: "...and then" → ...“...And Then”.
    lead = ""
    match = re.match(r"[:.;!? ]+", text) if not text.startswith(" ") else None
    if match and match.end() < len(text):
        lead = match.group(0)
        text = text if title else text[match.end():]
    if title and english:
        text = title_case_runs(runs)
    parts = nest_quotes(text, "outer" if quoted else None)
    if quoted:
        parts = [Quoted("outer", parts)]
    piece = render_quotes(parts, markdown=markdown)
    if lead:
        piece.text = (md_escape(lead) if markdown else lead) + piece.text
    return piece


@dataclass
class _Fields:
    names: list[dict]
    title: str
    outlet: str
    url: str
    parts: list[int] | None
    english: bool
    # The day the article was read, which the styles print only for an undated article.
    accessed: list[int] | None


def _fields(item: dict) -> _Fields:
    language = str(item.get("language") or "")
    # citeproc-js title-cases only items whose language starts with "en", or has none.
    english = not language or language[:2].lower() == "en"
    issued = item.get("issued", {}).get("date-parts") or [None]
    accessed = item.get("accessed", {}).get("date-parts") or [None]
    return _Fields(item.get("author", []), item.get("title", ""),
                   item.get("container-title", ""), item.get("URL", ""), issued[0], english,
                   accessed[0])


def _chicago_accessed(f: _Fields, term: str) -> str:
    """Chicago's "accessed <day>" (``term`` is the word as the note or the bibliography
    capitalises it), which stands in for a missing date only before a URL."""
    if f.parts or not f.accessed or not f.url:
        return ""
    return f"{term} {date_long(f.accessed)}"


def _chicago_note(item: dict, *, markdown: bool = False) -> str:
    f = _fields(item)
    line = Line()
    names = names_note(f.names) if f.names else ""
    line.add(md_escape(names) if markdown else names)
    # A title inside a newspaper is quoted; without an outlet it stands alone, in italics.
    title = _text(f.title, title=True, english=f.english, quoted=bool(f.outlet),
                  markdown=markdown)
    if markdown and not f.outlet:
        title = emphasis(title)
    line.add(title, ", ")
    outlet = _text(f.outlet, title=True, english=f.english, markdown=markdown)
    line.add(emphasis(outlet) if markdown else outlet, ", ")
    line.add(date_chicago(f.parts), ", ")
    line.add(_chicago_accessed(f, "accessed"), ", ")
    line.add(md_link(f.url) if markdown else f.url, ", ")
    return line.end(".")


def _chicago_bib(item: dict) -> str:
    f = _fields(item)
    title = _text(f.title, title=True, english=f.english, quoted=bool(f.outlet))
    outlet = _text(f.outlet, title=True, english=f.english)
    line = Line()
    # Without an author, the outlet (or else the title) takes the author's place.
    if f.names:
        line.add(names_chicago_bib(f.names))
        line.add(title, ". ")
    elif outlet:
        line.add(outlet)
        line.add(title, ". ")
        outlet = None
    else:
        line.add(title)
    source = Line()
    source.add(outlet)
    source.add(date_chicago(f.parts), ", ")
    line.add(Piece(source.text, source.closers), ". ")
    line.add(_chicago_accessed(f, "Accessed"), ". ")
    line.add(f.url, ". ")
    return line.end(".")


def _mla(item: dict) -> str:
    f = _fields(item)
    line = Line()
    if f.names:
        line.add(names_mla(f.names))
    line.add(_text(f.title, title=True, english=f.english, quoted=bool(f.outlet)), ". ")
    container = Line()
    container.add(_text(f.outlet, title=True, english=f.english))
    container.add(date_mla(f.parts), ", ")
    container.add(f.url, ", ")
    line.add(Piece(container.text, container.closers), ". ")
    # MLA gives the day read for any undated work, with or without a URL.
    if f.accessed and not f.parts:
        line.add("Accessed " + date_mla(f.accessed), ". ")
    return line.end(".")


def _apa(item: dict) -> str:
    f = _fields(item)
    title = _text(f.title)
    line = Line()
    if f.names:
        line.add(names_apa(f.names))
        line.add(date_apa(f.parts), ". ")
        line.add(title, ". ")
    else:
        line.add(title)
        line.add(date_apa(f.parts), ". ")
    line.add(_text(f.outlet, title=True, english=f.english), ". ")
    if f.url:
        line.mark(".")
        # APA 7 asks for "Retrieved <date>, from" before the URL of an undated page; the
        # style prints the word even when no access date is known, and so does this.
        url = f.url
        if not f.parts:
            retrieved = f"{date_long(f.accessed)}, from " if f.accessed else ""
            url = f"Retrieved {retrieved}{f.url}"
        line.add(url, " ")
        return line.end()
    return line.end(".")


_RENDER = {"chicago-note": _chicago_note, "chicago-bib": _chicago_bib, "apa": _apa,
           "mla": _mla}


def check_style(style: str) -> str:
    """``style`` if it is one of ``STYLES``; otherwise a ValidationError naming them."""
    if style not in STYLES:
        raise ValidationError(f"Unknown citation style {style!r}",
                              "use one of: " + ", ".join(STYLES), field="style")
    return style


def cite_article(article: dict, style: str = DEFAULT_STYLE) -> str:
    """The citation of an article in ``style`` (one of ``STYLES``)."""
    check_style(style)
    item = csl_item(article)
    if style in ("analyst", "chicago-note"):
        return _chicago_note(item)
    if style == "markdown":
        return _chicago_note(item, markdown=True)
    if style == "csl-json":
        return json.dumps([item], indent=2, ensure_ascii=False)
    return _RENDER[style](item)
