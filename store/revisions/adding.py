"""Importing a text: a new article, the same text again, or a new revision of an article.

A text is a revision of an article when it is imported as one explicitly, or when its page's
address is the address of an article in the library (not in the trash) and its text is new.
Adding a revision writes, in one transaction, the revision, the article's newest text and an
anchor on it for every annotation of the article, deleted ones too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import sqlite_utils

from store.articles import add_article, get_article
from store.clock import now, today
from store.db import writing
from store.errors import ValidationError
from store.revisions.anchors import anchor_article
from store.text import text_digest

# What importing did: a new article, the text of one already stored, a new revision of one,
# or the newest text of the article it was meant to revise.
STATES = ("imported", "already there", "revised", "unchanged")
# The article's metadata a new revision may bring, unless the analyst set it by hand: a
# headline edited along with the text, a corrected date, the day it was read again.
FOLLOWS_REVISION = ("title", "published", "accessed")


@dataclass
class Imported:
    """What ``import_article`` did: ``state`` (see ``STATES``), the article as now stored and,
    for a revision, how many live annotations ended up ``exact``, ``moved``, ``changed`` or
    ``orphan`` (``counts``)."""

    article: dict
    state: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def created(self) -> bool:
        """Whether a new article was stored."""
        return self.state == "imported"


def import_article(db: sqlite_utils.Database, draft: Any, revision_of: str | None = None
                   ) -> Imported:
    """Store a parsed article (an ``ingest.Draft``): as a new article, as nothing new, or as a
    new revision of the article ``revision_of`` (an id or unique prefix) or, without it, of
    the article in the library with the draft's address."""
    digest = _digest(draft)
    target = get_article(db, revision_of) if revision_of is not None else None
    stored = _article_with_text(db, digest)
    if stored is not None:
        article = get_article(db, stored)
        if target is not None and target["id"] != article["id"]:
            raise ValidationError(
                f"that text is already the article {article['id']} "
                f"({' '.join(article['title'].split())[:60]})",
                "import it as a revision of that article, or leave it as it is")
        newest = article["text_sha256"] == digest
        asked = target is not None or (draft.url and draft.url == article["url"])
        return Imported(article, "unchanged" if newest and asked else "already there")
    if target is None and draft.url:
        found = _live_article_at(db, draft.url)
        target = get_article(db, found) if found else None
    if target is None:
        article, created = add_article(db, draft)
        return Imported(article, "imported" if created else "already there")
    article, counts = add_revision(db, target["id"], draft)
    return Imported(article, "revised", counts)


def add_revision(db: sqlite_utils.Database, article_id: str, draft: Any
                 ) -> tuple[dict, dict[str, int]]:
    """Add the draft's text as the article's newest revision and anchor every annotation on it.

    Returns the article as now stored and the live annotations' counts by anchor kind.
    """
    digest = _digest(draft)
    with writing(db):
        article = get_article(db, article_id)
        if article["text_sha256"] == digest:
            raise ValidationError("that text is already the article's newest revision",
                                  "nothing was changed")
        number = article["revision"] + 1
        title = (draft.title or "").strip() or None
        _insert(db, "INSERT INTO revisions", {
            "article_id": article["id"], "number": number, "text": draft.text,
            "text_sha256": digest, "source": draft.source, "format": draft.format,
            "title": title, "published": draft.published, "retrieved_at": now()})
        counts = anchor_article(db, article["id"], article["revision"], draft.text, number)
        changes = {"text": draft.text, "text_sha256": digest, "revision": number,
                   "updated_at": now()}
        changes.update(_followed_metadata(db, article, {
            "title": title, "published": draft.published, "accessed": today()}))
        # Plain SQL: a table's update() would first read the whole old row back, text and all.
        db.execute(f"UPDATE articles SET {', '.join(f'[{key}] = ?' for key in changes)} "
                   "WHERE id = ?", [*changes.values(), article["id"]])
    return get_article(db, article["id"]), counts


def _insert(db: sqlite_utils.Database, statement: str, row: dict) -> None:
    """``statement`` (``INSERT INTO table``) with the row's columns and values."""
    db.execute(f"{statement} ({', '.join(f'[{key}]' for key in row)}) "
               f"VALUES ({', '.join('?' for _ in row)})", list(row.values()))


def _followed_metadata(db: sqlite_utils.Database, article: dict, offered: dict) -> dict:
    """The metadata a revision brings (see ``FOLLOWS_REVISION``) that the analyst never
    edited by hand (an edit undone does not count) and that the new page states."""
    edited: set[str] = set()
    for before, after in db.execute(
            "SELECT before, after FROM history WHERE subject = 'article' AND action = 'edit' "
            "AND undone = 0 AND article_id = ?", [article["id"]]).fetchall():
        old, new = json.loads(before), json.loads(after)
        edited |= {key for key in new if old.get(key) != new.get(key)}
    return {key: value for key, value in offered.items()
            if key in FOLLOWS_REVISION and key not in edited and value}


def _digest(draft: Any) -> str:
    if not draft.text or not draft.text.strip():
        raise ValidationError("the article has no text", "import a file or page with some text")
    return text_digest(draft.text)


def _article_with_text(db: sqlite_utils.Database, digest: str) -> str | None:
    """The id of the article one of whose revisions has this text, the newest first."""
    row = db.execute("SELECT id FROM articles WHERE text_sha256 = ?", [digest]).fetchone()
    if row:
        return row[0]
    row = db.execute("SELECT article_id FROM revisions WHERE text_sha256 = ? "
                     "ORDER BY retrieved_at DESC LIMIT 1", [digest]).fetchone()
    return row[0] if row else None


def _live_article_at(db: sqlite_utils.Database, url: str) -> str | None:
    """The article outside the trash with this address, the last imported if several."""
    row = db.execute("SELECT id FROM articles WHERE url = ? AND deleted_at IS NULL "
                     "ORDER BY imported_at DESC, id LIMIT 1", [url]).fetchone()
    return row[0] if row else None
