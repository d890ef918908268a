"""Citations of articles and annotations, as plain text an analyst can paste anywhere.

``chicago-note``, ``chicago-bib``, ``apa`` and ``mla`` reproduce, character for character,
what the CSL reference processor (citeproc-js) prints as plain text for an
``article-newspaper`` item with the official CSL styles: "Chicago Manual of Style 18th edition
(notes and bibliography)" (the full note of a first citation, and its bibliography entry),
"APA Style 7th edition" and "MLA Handbook 9th edition". That includes the processor's habits
that a style guide would not predict, such as its headline capitalisation, how it nests and
curls quotation marks, and how it merges punctuation (``“It Ended.,”``), and what the styles
themselves do with missing parts: Chicago prints "n.d." for no date and files an article
without a byline under its newspaper; APA writes "Retrieved" before the URL of an undated
page; an undated article gets the day it was read (``accessed``) in MLA, and in Chicago and
APA when it has a URL. An article without an outlet is a work on its own, whose title the
styles set in italics instead of quotation marks; plain text has no italics, so the title
stands bare, as citeproc-js prints it as text (``markdown`` shows the italics). The item
those styles are given is ``csl_item(article)``, whatever the style.
``tests/test_citeproc.py`` runs citeproc-js on the same items to hold this to account.

An outlet keeps its own capitals (``POLYGRAPH.info``, ``Express.co.uk``, ``rt.com``): the
processor would title-case it too unless the name is protected, as Zotero users do by hand
with ``<span class="nocase">…</span>``. The item protects an outlet that is a web address or
has a capital after its first letter by itself, keeps the analyst's own markup in any other,
and the styles print protected text as written, without the markup.

``analyst`` (the default) is the Chicago note with the annotation's kind, confidence and
grade after it; ``markdown`` is the Chicago note with the outlet in italics and the URL as a
link; ``csl-json`` is the article as a CSL-JSON item.

Pure functions of plain dicts: no database, no terminal. Each job has its module: ``bylines``
(a byline into CSL names), ``item`` (the CSL-JSON item), ``titles`` (headline capitalisation),
``quotes`` and ``punctuation`` (quotation marks and the marks between fields), ``names`` and
``dates`` (as each style prints them), ``styles`` (the four styles and the article's
citation), ``lead`` (an annotation's span and attribution before the article's citation).
"""

from store.citations.bylines import csl_name
from store.citations.item import csl_item, date_parts
from store.citations.lead import attribution, cite_annotation
from store.citations.quotes import quote_span
from store.citations.styles import DEFAULT_STYLE, STYLES, cite_article
from store.citations.titles import title_case

__all__ = ["DEFAULT_STYLE", "STYLES", "attribution", "cite_annotation", "cite_article",
           "csl_item", "csl_name", "date_parts", "quote_span", "title_case"]
