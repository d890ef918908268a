"""Reading revisions back, and measuring what changed from one to the next."""

from __future__ import annotations

import re

import sqlite_utils

from store.errors import NotFoundError

# A word as a person counts one: "6,000", "don't" and "well-known" are one each.
_WORD = re.compile(r"\w+(?:[,.'’\-]\w+)*")
_COLUMNS = ("article_id", "number", "text", "text_sha256", "source", "format", "title",
            "published", "retrieved_at")


def revision_text(db: sqlite_utils.Database, article_id: str, number: int) -> str:
    """The text of revision ``number`` of the article (its full id)."""
    return get_revision(db, article_id, number)["text"]


def get_revision(db: sqlite_utils.Database, article_id: str, number: int) -> dict:
    """Revision ``number`` of the article (its full id), text included."""
    row = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM revisions "
                     "WHERE article_id = ? AND number = ?", [article_id, number]).fetchone()
    if row is None:
        newest = db.execute("SELECT max(number) FROM revisions WHERE article_id = ?",
                            [article_id]).fetchone()[0] or 0
        raise NotFoundError(f"the article has no revision {number}",
                            f"choose a revision from 1 to {newest}")
    return dict(zip(_COLUMNS, row))


def list_revisions(db: sqlite_utils.Database, article_id: str) -> list[dict]:
    """Every revision of the article, oldest first, without its text: number, retrieved_at,
    title, published, characters, and words added and removed since the one before."""
    from store.articles import get_article
    from store.revisions.changes import word_diff

    full_id = get_article(db, article_id)["id"]
    rows = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM revisions WHERE article_id = ? "
                      "ORDER BY number", [full_id]).fetchall()
    listed = []
    previous = None
    for values in rows:
        row = dict(zip(_COLUMNS, values))
        added = removed = 0
        if previous is not None:
            for op, text in word_diff(previous, row["text"]):
                if op == "insert":
                    added += count_words(text)
                elif op == "delete":
                    removed += count_words(text)
        previous = row.pop("text")
        listed.append({**row, "characters": len(previous), "words_added": added,
                       "words_removed": removed})
    return listed


def count_words(text: str) -> int:
    """How many words ``text`` holds (runs of letters and digits)."""
    return sum(1 for _ in _WORD.finditer(text))
