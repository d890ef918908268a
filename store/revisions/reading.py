"""What the analyst has read: the newest revision opened in the reader, and what changed since.

``articles.read_revision`` is the newest revision the analyst has opened (null: never). An
article revised after that is told about when it is next opened, with ``changes_since_read``,
and then marked as read with ``mark_read``.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlite_utils

from store.db import writing


@dataclass(frozen=True)
class SinceRead:
    """What changed between the revision the analyst last read (``read``) and the newest
    (``newest``): runs of words inserted and deleted, how many words each way, and how many
    live annotations made on older revisions now sit ``moved``, ``changed`` or ``orphan``."""

    read: int
    newest: int
    insertions: int
    deletions: int
    words_added: int
    words_removed: int
    annotations: dict[str, int]

    def describe(self) -> str:
        """One line for a person."""
        counts = self.annotations
        return (f"Revised since you last read it (revision {self.read} → {self.newest}): "
                f"{_plural(self.insertions, 'insertion')}, {_plural(self.deletions, 'deletion')} "
                f"({self.words_added} words added, {self.words_removed} removed); annotations: "
                f"{counts['moved']} moved, {counts['changed']} changed, "
                f"{counts['orphan']} orphaned")


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'s' * (count != 1)}"


def last_read(db: sqlite_utils.Database, article_id: str) -> tuple[int | None, int]:
    """The revision the analyst last read (None if none is known) and the newest revision.

    An article never opened since revisions were kept counts as read up to the oldest
    revision its live annotations were made on: the analyst read that one to annotate it.
    """
    read, newest = db.execute("SELECT read_revision, revision FROM articles WHERE id = ?",
                              [article_id]).fetchone()
    if read is None:
        read = db.execute("SELECT min(revision) FROM annotations WHERE article_id = ? "
                          "AND deleted_at IS NULL", [article_id]).fetchone()[0]
    return read, newest


def changes_since_read(db: sqlite_utils.Database, article_id: str) -> SinceRead | None:
    """What changed in the article (its full id) since the analyst last read it, or None when
    they read the newest revision (or nothing is known of what they read).

    Diffing a long article takes a moment: a screen reads with ``texts_since_read`` and
    measures with ``measure_since_read`` in a worker.
    """
    wanted = texts_since_read(db, article_id)
    return None if wanted is None else measure_since_read(*wanted)


def texts_since_read(db: sqlite_utils.Database, article_id: str
                     ) -> tuple[int, int, str, str, dict[str, int]] | None:
    """What ``measure_since_read`` takes (read and newest numbers, their texts, the live
    annotations' anchor counts), read from the database; None when nothing changed since."""
    read, newest = last_read(db, article_id)
    if read is None or read >= newest:
        return None
    old, new = (db.execute("SELECT text FROM revisions WHERE article_id = ? AND number = ?",
                           [article_id, number]).fetchone()[0] for number in (read, newest))
    counts = {"moved": 0, "changed": 0, "orphan": 0}
    for kind, count in db.execute(
            """SELECT coalesce(an.kind, 'orphan'), count(*) FROM annotations a
               LEFT JOIN anchors an ON an.annotation_id = a.id AND an.revision = ?
               WHERE a.article_id = ? AND a.deleted_at IS NULL AND a.revision < ?
               GROUP BY 1""", [newest, article_id, newest]).fetchall():
        if kind in counts:
            counts[kind] = count
    return read, newest, old, new, counts


def measure_since_read(read: int, newest: int, old: str, new: str,
                       counts: dict[str, int]) -> SinceRead:
    """Count the changes from ``old`` to ``new`` (no database: safe in any thread)."""
    from store.revisions.changes import word_diff
    from store.revisions.texts import count_words

    insertions = deletions = added = removed = 0
    for op, text in word_diff(old, new):
        if op == "insert":
            insertions += 1
            added += count_words(text)
        elif op == "delete":
            deletions += 1
            removed += count_words(text)
    return SinceRead(read, newest, insertions, deletions, added, removed, dict(counts))


def mark_read(db: sqlite_utils.Database, article_id: str) -> None:
    """Record that the analyst has opened the article's newest revision."""
    with writing(db):
        db.execute("UPDATE articles SET read_revision = revision WHERE id = ?", [article_id])
