"""What a page states about its article in schema.org linked data (``<script type=
"application/ld+json">``): the names it gives as the article's authors.

Linked data lists authors one by one, as the site's own records have them, so it is trusted
before the byline text an extractor pieces together: that text can run a publisher into the
list ("Condé Nast; Molly Wood") or lose the full stop of an initial ("Sarah E Needleman").
"""

from __future__ import annotations

import json
import re
from typing import Any

from store.ingest.draft import clean_field

# schema.org types of an article: Article, NewsArticle, OpinionNewsArticle, BlogPosting,
# LiveBlogPosting, Report. A WebPage or WebSite "author" is the site's, not the article's.
_ARTICLE_TYPE_RE = re.compile(r"(?:Article|Posting|Report)$")


def linked_data_authors(tree: Any, outlet: str | None) -> list[str]:
    """The author names the page's linked data gives its article, in order.

    Names equal to the outlet's ("Al-Bawaba" on Al Bawaba) are left out: a site naming itself
    as author says only who published the page, which the outlet already says.
    """
    for item in _linked_data_objects(tree):
        if not _is_article(item):
            continue
        cleaned = (clean_field(_name_of(author) or "") for author in _as_list(item.get("author")))
        names = [name for name in cleaned if name and not (outlet and plain_letters(name) == plain_letters(outlet))]
        if names:
            return names
    return []


def linked_data_publisher(tree: Any) -> str | None:
    """The name of the publisher the page's linked data gives its article.

    A publisher given only by ``@id`` is looked up among the page's other objects; a page
    whose article names none may still describe its news organisation on its own.
    """
    objects = _linked_data_objects(tree)
    by_id = {item["@id"]: item for item in objects if isinstance(item.get("@id"), str)}
    for item in objects:
        if not _is_article(item):
            continue
        for publisher in _as_list(item.get("publisher")):
            if isinstance(publisher, dict) and "name" not in publisher and isinstance(publisher.get("@id"), str):
                publisher = by_id.get(publisher["@id"], publisher)
            name = _name_of(publisher)
            if name and name.strip():
                return name
    for item in objects:
        if "NewsMediaOrganization" in _as_list(item.get("@type")):
            name = _name_of(item)
            if name and name.strip():
                return name
    return None


def _linked_data_objects(tree: Any) -> list[dict[str, Any]]:
    """Every JSON object in the page's linked data, nested lists and @graph included."""
    found: list[dict[str, Any]] = []
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):  # RecursionError: nested deeper than json can go
            continue  # a broken block says nothing; the byline text still may
        pending = [data]
        while pending:
            value = pending.pop(0)
            if isinstance(value, list):
                pending.extend(value)
            elif isinstance(value, dict):
                found.append(value)
                pending.extend(_as_list(value.get("@graph")))
    return found


def _is_article(item: dict[str, Any]) -> bool:
    """Whether a linked-data object is an article by its @type."""
    return any(isinstance(kind, str) and _ARTICLE_TYPE_RE.search(kind) for kind in _as_list(item.get("@type")))


def _name_of(author: Any) -> str | None:
    """An author's name: the ``name`` of a Person or Organization, or a plain string."""
    if isinstance(author, str):
        return author
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        return author["name"]
    return None


def _as_list(value: Any) -> list[Any]:
    """A JSON value as a list: itself if it is one, empty for null, else alone in a list."""
    return value if isinstance(value, list) else [] if value is None else [value]


def plain_letters(name: str) -> str:
    """A name reduced to its letters and digits, in one case, for comparing spellings."""
    return "".join(character for character in name.casefold() if character.isalnum())
