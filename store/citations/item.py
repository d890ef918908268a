"""The CSL-JSON item of an article, the input of every style."""

from __future__ import annotations

import re
from datetime import date

from store.citations.bylines import csl_name
from store.citations.titles import protect_outlet


def date_parts(published: str | None) -> list[int] | None:
    """``[year, month, day]`` (or fewer) of an ISO 8601 date or date and time; None if unknown.

    The calendar date is the one written, in the article's own time zone: an article published
    at 01:00+03:00 on 8 September is dated 8 September.
    """
    match = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?=$|[T\s])", published or "")
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return [p for p in (year, month, day) if p is not None]


def csl_item(article: dict) -> dict:
    """The article as a CSL-JSON ``article-newspaper`` item, the input of every style here."""
    item: dict = {"id": str(article.get("id") or ""), "type": "article-newspaper"}
    title = " ".join((article.get("title") or "").split())
    if title:
        item["title"] = title
    written = article.get("authors") or []
    if isinstance(written, str):  # one string, as in front matter: "A. Author; B. Author"
        written = written.split(";")
    authors = [n for n in (csl_name(a) for a in written) if n]
    if authors:
        item["author"] = authors
    outlet = " ".join((article.get("outlet") or "").split())
    if outlet:
        item["container-title"] = protect_outlet(outlet)
    if article.get("url"):
        item["URL"] = article["url"].strip()
    parts = date_parts(article.get("published"))
    if parts:
        item["issued"] = {"date-parts": [parts]}
    accessed = date_parts(article.get("accessed"))
    if accessed:
        item["accessed"] = {"date-parts": [accessed]}
    if article.get("language"):
        item["language"] = article["language"]
    return item
