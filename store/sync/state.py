"""What this copy remembers about its server: the address, how far it has read, and which
versions of which records it has exchanged.

All of it sits in the SQLite file beside the data it describes, and changes in the same
transactions, so a sync cut short leaves it telling the truth.
"""

from __future__ import annotations

from typing import Any, Iterable

import sqlite_utils

from store.db import writing
from store.sync.versions import Version


def remembered_url(db: sqlite_utils.Database) -> str | None:
    """The server this copy last synced with (without its password), if any."""
    row = db.execute("SELECT url FROM sync_server").fetchone()
    return row[0] if row else None


def watermark(db: sqlite_utils.Database) -> int:
    """The highest change number of the server this copy has read and merged."""
    row = db.execute("SELECT watermark FROM sync_server").fetchone()
    return row[0] if row else 0


def meet(db: sqlite_utils.Database, url: str, server_id: str) -> bool:
    """Record that this copy syncs with ``server_id`` at ``url``; returns True when it is a
    server this copy has not synced with before.

    A copy follows one server. Moving to another (or to the same address after the server
    was rebuilt) starts afresh: everything here is sent to it, and all of it is read.
    """
    with writing(db):
        row = db.execute("SELECT server_id FROM sync_server").fetchone()
        fresh = row is None or row[0] != server_id
        if fresh:
            db.execute("DELETE FROM sync_versions")
            db.execute("DELETE FROM sync_base")
            # The unsent mark said "the old server has this": the new one has nothing yet.
            db.execute("UPDATE annotations SET unsent = 1 WHERE unsent = 0")
            db.execute("INSERT OR REPLACE INTO sync_server (only, url, server_id, watermark) "
                       "VALUES (1, ?, ?, 0)", [url, server_id])
        else:
            db.execute("UPDATE sync_server SET url = ?", [url])
    return fresh


def advance(db: sqlite_utils.Database, mark: int, at: str) -> None:
    """Remember that every change up to ``mark`` has been merged (never moving back)."""
    db.execute("UPDATE sync_server SET watermark = max(watermark, ?), synced_at = ?", [mark, at])


def bases(db: sqlite_utils.Database, kind: str) -> dict[str, Version]:
    """The version each record of ``kind`` had when it was last exchanged with the server."""
    return {key: Version(at, on) for key, at, on in db.execute(
        "SELECT key, updated_at, edited_on FROM sync_base WHERE kind = ?", [kind])}


def set_bases(db: sqlite_utils.Database, kind: str, versions: Iterable[tuple[str, Version]],
              replaced: Iterable[tuple[str, Version]] = ()) -> None:
    """Record the versions now exchanged; the ``replaced`` bases they follow become versions
    merely seen (a record's base counts as seen without a row of its own)."""
    mark_seen(db, kind, replaced)
    # In key order: the b-tree then grows at its end instead of splitting pages everywhere.
    db.conn.executemany(
        "INSERT OR REPLACE INTO sync_base (kind, key, updated_at, edited_on) VALUES (?, ?, ?, ?)",
        sorted((kind, key, version.updated_at, version.edited_on) for key, version in versions))


def seen(db: sqlite_utils.Database, kind: str) -> set[tuple[str, str]]:
    """The (record, version) pairs of ``kind`` this copy has sent or merged and since moved
    past: with the bases, every version it knows."""
    return set(db.execute("SELECT key, version FROM sync_versions WHERE kind = ?", [kind]))


def mark_seen(db: sqlite_utils.Database, kind: str, versions: Iterable[tuple[str, Any]]) -> None:
    db.conn.executemany(
        "INSERT OR IGNORE INTO sync_versions (kind, key, version) VALUES (?, ?, ?)",
        sorted((kind, key, str(version)) for key, version in versions))
