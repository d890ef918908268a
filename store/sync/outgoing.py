"""Sending what changed in this copy since it last synced.

A record has changed here when its ``updated_at`` is not the one it had when last exchanged
(``sync_base``); such a version is this copy's, so its ``edited_on`` is this copy's id. Its
parents are the versions it knowingly replaces: the one it was edited from, and the losing
sides of conflicts resolved here, so that other copies can tell an answered conflict from a
new one.

Rows go to the server with COPY into a temporary table, then into margin's tables in one
statement that skips versions the server has (a sync cut short and run again sends them
again, harmlessly). Only after the server has committed does this copy record them as sent.
"""

from __future__ import annotations

import json
from typing import Any, Callable

import sqlite_utils

from store.db import copy_id, writing
from store.sync import state
from store.sync.records import (ANNOTATION_COLUMNS, ARTICLE_COLUMNS, LOCAL_ANNOTATIONS,
                                LOCAL_ARTICLES, REVISION_COLUMNS, rows_as_dicts)
from store.sync.server import WRITING_LOCK
from store.sync.versions import Version

Progress = Callable[[str, int, int], None]


def changed_here(db: sqlite_utils.Database) -> dict[str, list[dict]]:
    """The articles, revisions and annotations this copy has not yet sent, as server rows."""
    me = copy_id(db)
    resolved = _resolved_losers(db)
    articles = []
    for row in rows_as_dicts(db.execute(
            f"""SELECT a.*, b.updated_at AS base_at, b.edited_on AS base_on
                FROM ({LOCAL_ARTICLES}) a
                LEFT JOIN sync_base b ON b.kind = 'article' AND b.key = a.key
                WHERE b.updated_at IS NULL OR b.updated_at != a.updated_at""")):
        row["parents"] = _parents(row, resolved.get(row["key"], []))
        row["edited_on"] = me
        articles.append({column: row[column] for column in ARTICLE_COLUMNS})
    revisions = rows_as_dicts(db.execute(
        """SELECT k.text_sha256 AS article_key, r.number, r.text_sha256, r.text, r.source,
                  r.format, r.title, r.published, r.retrieved_at, ? AS edited_on
           FROM revisions r JOIN revisions k ON k.article_id = r.article_id AND k.number = 1
           LEFT JOIN sync_versions v ON v.kind = 'revision'
                AND v.key = k.text_sha256 || '/' || r.number AND v.version = r.text_sha256
           WHERE v.key IS NULL
           ORDER BY r.article_id, r.number""", [me]))
    annotations = []
    for row in rows_as_dicts(db.execute(
            f"""SELECT a.*, b.updated_at AS base_at, b.edited_on AS base_on
                FROM ({LOCAL_ANNOTATIONS}) a
                LEFT JOIN sync_base b ON b.kind = 'annotation' AND b.key = a.id
                WHERE b.updated_at IS NULL OR b.updated_at != a.updated_at""")):
        row["parents"] = _parents(row, resolved.get(row["id"], []))
        row["edited_on"] = me
        annotations.append({column: row[column] for column in ANNOTATION_COLUMNS})
    return {"articles": articles, "revisions": revisions, "annotations": annotations}


def _parents(row: dict, resolved: list[str]) -> list[str]:
    parents = [str(Version(row["base_at"], row["base_on"]))] if row.get("base_at") else []
    return parents + [version for version in resolved if version not in parents]


def _resolved_losers(db: sqlite_utils.Database) -> dict[str, list[str]]:
    losers: dict[str, list[str]] = {}
    for record, version in db.execute(
            "SELECT c.record_id, c.lost_version FROM conflicts c WHERE c.resolved_at IS NOT NULL "
            "AND c.subject = 'annotation' UNION ALL "
            "SELECT r.text_sha256, c.lost_version FROM conflicts c JOIN revisions r "
            "ON r.article_id = c.record_id AND r.number = 1 "
            "WHERE c.resolved_at IS NOT NULL AND c.subject = 'article'"):
        losers.setdefault(record, []).append(version)
    return losers


def send(db: sqlite_utils.Database, connection: Any, report: Any,
         progress: Progress | None = None) -> None:
    """Send every change of this copy to the server, then record them as sent."""
    changes = changed_here(db)
    total = sum(len(rows) for rows in changes.values())
    if progress:
        progress("sending", 0, total)
    if total == 0:
        return
    with connection.transaction():
        copied = 0
        for table, columns in (("articles", ARTICLE_COLUMNS), ("revisions", REVISION_COLUMNS),
                               ("annotations", ANNOTATION_COLUMNS)):
            _copy_in(connection, table, columns, changes[table])
            copied += len(changes[table])
            if progress:
                # Streamed, not yet committed: the server takes them all or none.
                progress("sending", copied, total)
        connection.execute("SELECT pg_advisory_xact_lock(%s)", [WRITING_LOCK])
        for table, columns in (("articles", ARTICLE_COLUMNS), ("revisions", REVISION_COLUMNS),
                               ("annotations", ANNOTATION_COLUMNS)):
            listed = ", ".join(f'"{column}"' for column in columns)
            connection.execute(f"INSERT INTO margin.{table} ({listed}) SELECT {listed} "
                               f"FROM outgoing_{table} ON CONFLICT DO NOTHING")
        differing = _differing_revisions(connection)
    # The server has them now; a failure from here on only makes the next sync send them again.
    with writing(db):
        sent_revisions = [row for row in changes["revisions"]
                          if (row["article_key"], row["number"]) not in differing]
        state.mark_seen(db, "revision", [(f"{row['article_key']}/{row['number']}",
                                          row["text_sha256"]) for row in sent_revisions])
        for kind, table, key in (("article", "articles", "key"),
                                 ("annotation", "annotations", "id")):
            versions = [(row[key], Version(row["updated_at"], row["edited_on"]))
                        for row in changes[table]]
            state.set_bases(db, kind, versions)
            state.mark_seen(db, kind, versions)
    report.sent_articles += len(changes["articles"])
    report.sent_revisions += len(sent_revisions)
    report.sent_annotations += len(changes["annotations"])
    for article_key, number in sorted(differing):
        report.problems.append(
            f"revision {number} of article {article_key[:8]} differs between this copy and the "
            "team's server, so it was not sent; the two copies met different texts")


def _copy_in(connection: Any, table: str, columns: tuple[str, ...], rows: list[dict]) -> None:
    """COPY rows into a temporary table shaped like one of margin's (without its numbering)."""
    listed = ", ".join(f'"{column}"' for column in columns)
    connection.execute(f"CREATE TEMPORARY TABLE outgoing_{table} ON COMMIT DROP AS "
                       f"SELECT {listed} FROM margin.{table} WITH NO DATA")
    cursor = connection.cursor()
    with cursor.copy(f"COPY outgoing_{table} ({listed}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[column] for column in columns])


def _differing_revisions(connection: Any) -> set[tuple[str, int]]:
    """Revisions sent whose number the server already gives to another text."""
    return {(key, number) for key, number in connection.execute(
        "SELECT o.article_key, o.number FROM outgoing_revisions o JOIN margin.revisions r "
        "USING (article_key, number) WHERE r.text_sha256 != o.text_sha256")}
