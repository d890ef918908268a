"""Web pages: decoding by the declared or sniffed charset, and the article text and metadata that
trafilatura finds.
"""

from __future__ import annotations

import codecs
import logging
import re
from typing import Any

from store.errors import InputError
from store.ingest.authors import checked_authors, name_before_affiliation
from store.ingest.boilerplate import remove_teasers
from store.ingest.draft import Draft, checked_language, clean_field, parse_published, split_authors
from store.ingest.fetching import URL_RE
from store.ingest.linked_data import linked_data_authors
from store.ingest.outlet import TITLE_SEPARATOR_RE, page_outlet, site_names
from store.ingest.standfirst import mark_subheadings, with_standfirst
from store.ingest.text_files import first_line
from store.ingest.written_dates import parse_byline_dateline, parse_written_date
from store.text import UTF16_BOMS, binary_error, normalise

# trafilatura and its helpers log warnings such as "discarding data" for pages they cannot
# use; margin reports those as InputError itself, so without a handler Python's last-resort
# logger must not print them over the terminal.
for _name in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
    logging.getLogger(_name).addHandler(logging.NullHandler())


def looks_like_html(data: bytes) -> bool:
    """Whether bytes start like an HTML document (a doctype or <html near the top)."""
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def _decode_html(data: bytes, declared: str | None) -> str:
    """Decode a page: BOM, then the HTTP charset, then <meta charset>, then UTF-8, then a guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", "replace")
    if data[:2] in UTF16_BOMS:
        return data.decode("utf-16", "replace")
    if declared:
        text = decode_declared(data, declared, html=True)
        if text is not None:
            return text
    match = _META_CHARSET_RE.search(data[:4096])
    if match:
        text = decode_declared(data, match.group(1).decode("ascii"), html=True)
        if text is not None:
            return text
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        from trafilatura.utils import decode_file  # guesses the encoding (charset_normalizer)

        return decode_file(data)


def decode_declared(data: bytes, charset: str, *, html: bool) -> str | None:
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


def html_draft(
    data: bytes, name: str, source: str, fmt: str, *, page_url: str | None = None, charset: str | None = None
) -> Draft:
    """A draft from the bytes of a web page; ``page_url`` is where it was fetched from."""
    if b"\x00" in data[:4096] and data[:2] not in UTF16_BOMS:
        raise binary_error(name)
    fields = _extract_html(_decode_html(data, charset), name, page_url)
    if page_url:
        fields["url"] = page_url
    return Draft(source=source, format=fmt, **fields)


# Options measured on shared/corpus/html (tests/test_ingest_corpus.py): favor_precision
# drops headlines and "adapted from" lines that are not article text, and scores best; it
# drops standfirsts too, which store/ingest/standfirst.py puts back. Comments are never the
# article.
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
    remove_teasers(tree)
    mark_subheadings(tree)
    precise = trafilatura.bare_extraction(tree, url=page_url, favor_precision=True, with_metadata=True, **_EXTRACT_OPTIONS)
    balanced = trafilatura.bare_extraction(tree, url=page_url, with_metadata=precise is None, **_EXTRACT_OPTIONS)
    precise_text = blocks_text(precise)
    balanced_text = blocks_text(balanced)
    text = precise_text
    if len(precise_text.split()) < _PRECISION_MIN_SHARE * len(balanced_text.split()):
        text = balanced_text
    if not text:
        raise InputError(
            f"no article text found in {name}",
            "The page may need JavaScript or a login: save it from your browser, or paste the text into a .txt file.",
        )
    document = precise or balanced
    url = clean_field(document.url) if document.url and URL_RE.match(document.url) else None
    page_title = clean_field(document.title or "")
    outlet = page_outlet(tree, page_url or url, page_title)
    # The title may end in any name the site calls itself ("| Hosted"), trusted as the outlet or not.
    title = _without_site_name(page_title, [outlet, *site_names(tree), document.sitename]) or first_line(text)
    text = with_standfirst(tree, _without_headline(text, title))
    byline = (linked_data_authors(tree, outlet) or _affiliated_byline(tree)
              or split_authors(document.author or "") or _dateline_byline(tree))
    authors, author_notice = checked_authors(byline)
    fields: dict[str, Any] = {
        "text": text,
        "title": title,
        "authors": authors,
        "outlet": outlet,
        "url": url,
        "published": _published_from_tree(tree) or parse_published(document.date or ""),
        "section": _meta_content(tree, ("article:section",)),
        "language": _language_from_tree(tree) or checked_language(document.language or "", None),
        "notices": {"authors": author_notice} if author_notice else {},
    }
    return fields


def _without_site_name(title: str | None, own_names: list[str | None]) -> str | None:
    """``title`` without the site's name that pages add before or after a separator.

    Only a part that is one of the site's ``own_names`` (in any case) goes: "Storm - what we know" keeps
    its tail, and a title that is nothing but the name stays as it is.
    """
    names = {name.casefold() for name in own_names if name}
    if not title or not names:
        return title
    separators = list(TITLE_SEPARATOR_RE.finditer(title))
    if not separators:
        return title
    last, first = separators[-1], separators[0]
    if title[last.end():].casefold() in names:
        return title[: last.start()]
    if title[: first.start()].casefold() in names:
        return title[first.end():]
    return title


def _affiliated_byline(tree: Any) -> list[str]:
    """The author of a ``<meta name="author">`` written "Name. Organisation", as a list.

    Read from the page itself because the extractor drops the full stop that ends the name
    ("Finian Cunningham Sputnik International").
    """
    byline = _meta_content(tree, ("author",))
    name = name_before_affiliation(byline) if byline else None
    return [name] if name else []


_BYLINE_START_RE = re.compile(r"^by(?:\s|$)", re.IGNORECASE)
_BYLINE_MAX_WORDS = 30


def _dateline_byline(tree: Any) -> list[str]:
    """The authors of the page's first "By … on <date>" line, which extractors can miss
    ("By Louis Jacobson on Monday, November 18th, 2019 at 11:04 a.m." on PolitiFact)."""
    for element in tree.iter("p", "div", "span"):
        if not _BYLINE_START_RE.match(_opening_text(element)):
            continue
        text = " ".join(element.text_content().split())
        if len(text.split()) <= _BYLINE_MAX_WORDS:
            byline = parse_byline_dateline(text)
            if byline:
                return [name for name in byline["authors"] if name]
    return []


def _opening_text(element: Any) -> str:
    """The words an element starts with (its own text, or its first child's): a cheap look at
    whether it opens with a label, before its whole text is gathered."""
    text = (element.text or "").strip()
    if not text and len(element) and isinstance(element[0].tag, str):
        text = (element[0].text or "").strip()
    return " ".join(text.split())


def _without_headline(text: str, title: str | None) -> str:
    """Drop a first paragraph that repeats the title: the headline is metadata, as in .txt."""
    first, _, rest = text.partition("\n\n")
    if title and rest and " ".join(first.split()).casefold() == title.casefold():
        return rest
    return text


def blocks_text(document: Any) -> str:
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
    """The publication time the page states in its metadata (or under a "Published:" label),
    with its offset if given."""
    value = _meta_content(tree, _PUBLISHED_KEYS)
    if value and (published := parse_published(value)):
        return published
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        match = re.search(r'"datePublished"\s*:\s*"([^"]+)"', script.text or "")
        if match and (published := parse_published(match.group(1))):
            return published
    return _published_label(tree)


# "Published: Monday, November 18th, 2019 at 11:08 a.m.": the date a page prints for readers
# under a label. Only "published" or "posted": an "Updated" date is not when it appeared.
_PUBLISHED_LABEL_RE = re.compile(r"^(?:first\s+)?(?:published|posted)(?:\s+on)?\s*:?\s+(?P<date>.+)$", re.IGNORECASE)
_PUBLISHED_LABEL_START_RE = re.compile(r"^(?:first\s+)?(?:published|posted)\b", re.IGNORECASE)
_PUBLISHED_LABEL_MAX_CHARS = 80


def _published_label(tree: Any) -> str | None:
    """The date after the first "Published:" label on the page, when the rest is only a date.

    Trusted before the date the extractor guesses from the page, which can be another date
    printed near the top (a fact-check prints when the claim it checks was made).
    """
    for element in tree.iter("p", "span", "div", "time", "li", "dd"):
        if not _PUBLISHED_LABEL_START_RE.match(_opening_text(element)):
            continue
        text = " ".join(element.text_content().split())
        if len(text) > _PUBLISHED_LABEL_MAX_CHARS:
            continue
        match = _PUBLISHED_LABEL_RE.match(text)
        if match and (published := parse_written_date(match.group("date"))):
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
            return clean_field(found[key])
    return None


def _language_from_tree(tree: Any) -> str | None:
    """The language a page declares (<html lang>, Content-Language or og:locale)."""
    root = tree.getroottree().getroot()
    for value in (root.get("lang"), root.get("xml:lang"), root.get("{http://www.w3.org/XML/1998/namespace}lang")):
        if value and (language := checked_language(value, None)):
            return language
    for meta in tree.iterfind(".//meta"):
        if (meta.get("http-equiv") or "").lower() == "content-language" or (meta.get("property") or "") == "og:locale":
            language = checked_language((meta.get("content") or "").split(",")[0], None)
            if language:
                return language
    return None
