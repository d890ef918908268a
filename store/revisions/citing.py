"""The article an annotation is cited from."""

from __future__ import annotations

from datetime import datetime

import sqlite_utils


def cited_article(db: sqlite_utils.Database, annotation: dict) -> dict:
    """The article to cite ``annotation`` from (a row of ``store.annotations``).

    An annotation still placed in the newest text is cited from the article as stored. An
    orphan's words are only in the revision it was made on, so it is cited from that revision:
    the article with that revision's text and, as the day accessed, the day it was retrieved.
    """
    from store.articles import get_article

    article = get_article(db, annotation["article_id"])
    if annotation.get("anchor") != "orphan":
        return article
    text, retrieved_at = db.execute(
        "SELECT text, retrieved_at FROM revisions WHERE article_id = ? AND number = ?",
        [article["id"], annotation["revision"]]).fetchone()
    day = datetime.fromisoformat(retrieved_at).astimezone().date().isoformat()
    return {**article, "text": text, "accessed": day, "revision": annotation["revision"]}
