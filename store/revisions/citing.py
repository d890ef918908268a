"""The article an annotation is cited from."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils


def cited_article(db: sqlite_utils.Database, annotation: dict) -> dict:
    """The article to cite ``annotation`` from (a row of ``store.annotations``).

    An annotation whose words stand verbatim in the newest text is cited from the article as
    stored. Any other (an orphan, or words since edited) is cited from the revision it was
    made on, where its words are: the article with that revision's text and, as the day
    accessed, the day it was retrieved.
    """
    from store.articles import get_article

    article = get_article(db, annotation["article_id"])
    if not cites_own_revision(annotation):
        return article
    text, retrieved_at = db.execute(
        "SELECT text, retrieved_at FROM revisions WHERE article_id = ? AND number = ?",
        [article["id"], annotation["revision"]]).fetchone()
    day = datetime.fromisoformat(retrieved_at).astimezone().date().isoformat()
    return {**article, "text": text, "accessed": day, "revision": annotation["revision"]}


def cites_own_revision(annotation: dict) -> bool:
    """Whether ``annotation``'s words are no longer in the newest text, so that a citation of
    them must name the revision they were made on: an orphan, or a passage whose words were
    edited (even when the analyst accepted its new place, the words quoted are the old ones)."""
    if annotation.get("anchor") == "orphan":
        return True
    current = annotation.get("current")
    return current is not None and current != annotation["exact"]
