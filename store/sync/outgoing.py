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
from typing import Any, Callable, NamedTuple

import sqlite_utils

from store.clock import now
from store.db import copy_id, writing
from store.sync import state
from store.sync.connection import driver
from store.sync.records import (ANNOTATION_COLUMNS, ARTICLE_COLUMNS, LOCAL_ANNOTATIONS,
                                LOCAL_ARTICLES, REVISION_COLUMNS, rows_as_dicts)
from store.sync.incoming import newest_change
from store.sync.server import WRITING_LOCK
from store.sync.versions import Version

Progress = Callable[[str, int, int], None]
# Lines of COPY text sent to the server at a time.
COPY_LINES = 5000
# From how many annotations sent the index of unsent ones is set aside while their marks clear.
CLEAR_WITHOUT_INDEX = 10_000


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
    # Annotations can be many: SQLite writes each one's line of COPY text itself.
    annotations = [Outgoing(*row) for row in db.execute(
        f"""SELECT a.id, a.updated_at, b.updated_at, b.edited_on, {_copy_line(me)}
            FROM ({LOCAL_ANNOTATIONS}) a
            LEFT JOIN sync_base b ON b.kind = 'annotation' AND b.key = a.id
            WHERE +a.unsent = 1
              AND (b.updated_at IS NULL OR b.updated_at != a.updated_at)""")]
    return {"articles": articles, "revisions": revisions, "annotations": annotations}


class Outgoing(NamedTuple):
    """An annotation to send: which version, the one it follows, and its line of COPY text."""

    id: str
    updated_at: str
    base_at: str | None
    base_on: str | None
    line: str


def _copy_text(expression: str) -> str:
    """SQL for a value as COPY's text format writes it: backslash escapes, NULL as \\N."""
    escaped = expression
    for character, escape in (("'\\'", "'\\\\'"), ("char(9)", "'\\t'"),
                              ("char(10)", "'\\n'"), ("char(13)", "'\\r'")):
        escaped = f"replace({escaped}, {character}, {escape})"
    return f"coalesce({escaped}, '\\N')"


def _copy_line(me: str) -> str:
    """SQL making an annotation's row of ``ANNOTATION_COLUMNS`` as one line of COPY text.

    Its parents are an array literal: the base, then the losing sides of conflicts resolved
    here. Versions hold no quotes or backslashes (a time, a space and a hex id).
    """
    base = "'\"' || b.updated_at || ' ' || b.edited_on || '\"'"
    losers = ("(SELECT group_concat('\"' || c.lost_version || '\"', ',') FROM conflicts c "
              "WHERE c.subject = 'annotation' AND c.record_id = a.id "
              "AND c.resolved_at IS NOT NULL)")
    parents = (f"'{{' || CASE WHEN b.updated_at IS NULL THEN coalesce({losers}, '') "
               f"ELSE {base} || coalesce(',' || {losers}, '') END || '}}'")
    values = {"edited_on": f"'{me}'", "parents": parents}
    return " || char(9) || ".join(
        (_copy_text if column in _FREE_TEXT else _plain)(values.get(column, f'a."{column}"'))
        for column in ANNOTATION_COLUMNS)


# Columns a person (or an article) writes freely; the others are ids, times, numbers, codes.
_FREE_TEXT = {"exact", "prefix", "suffix", "source", "role", "organization", "via", "note",
              "tags", "analyst", "anchors", "article_key"}


def _plain(expression: str) -> str:
    """A value that holds no tab, newline or backslash, as COPY text."""
    return f"coalesce({expression}, '\\N')"


def _parents(row: dict, resolved: list[str]) -> list[str]:
    """An article version's parents: its base, then conflicts resolved here."""
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
    started = now()
    changes = changed_here(db)
    total = sum(len(rows) for rows in changes.values())
    if progress:
        progress("sending", 0, total)
    if total == 0:
        return
    lines = [row.line for row in changes["annotations"]]
    with connection.transaction():
        for table, columns in (("articles", ARTICLE_COLUMNS), ("revisions", REVISION_COLUMNS)):
            _copy_in(connection, table, columns, changes[table])
        connection.execute("SELECT pg_advisory_xact_lock(%s)", [WRITING_LOCK])
        # Nobody added anything since this copy read: its mark can pass its own rows too.
        alone = newest_change(connection) == report.server_top
        for table, columns in (("articles", ARTICLE_COLUMNS), ("revisions", REVISION_COLUMNS)):
            _insert_new(connection, table, columns)
        differing = _differing_revisions(connection)
        if progress:
            progress("sending", len(changes["articles"]) + len(changes["revisions"]), total)
        # Straight into the table, the fast way; if the server has some of these versions
        # already (a sync that stopped after the server took them), through a staging table
        # that skips those.
        try:
            with connection.transaction():
                _copy_lines(connection, "margin.annotations", ANNOTATION_COLUMNS, lines)
        except driver().errors.UniqueViolation:
            connection.execute(f"CREATE TEMPORARY TABLE outgoing_annotations ON COMMIT DROP AS "
                               f"SELECT * FROM margin.annotations WITH NO DATA")
            _copy_lines(connection, "outgoing_annotations", ANNOTATION_COLUMNS, lines)
            _insert_new(connection, "annotations", ANNOTATION_COLUMNS)
        mark = newest_change(connection) if alone else None
        if progress:
            # Streamed, not yet committed: the server takes them all or none.
            progress("sending", total, total)
    # The server has them now; a failure from here on only makes the next sync send them again.
    with writing(db):
        sent_revisions = [row for row in changes["revisions"]
                          if (row["article_key"], row["number"]) not in differing]
        state.mark_seen(db, "revision", [(f"{row['article_key']}/{row['number']}",
                                          row["text_sha256"]) for row in sent_revisions])
        versions = [(row["key"], Version(row["updated_at"], row["edited_on"]))
                    for row in changes["articles"]]
        state.set_bases(db, "article", versions)
        state.mark_seen(db, "article", versions)
        _record_sent(db, changes["annotations"], started)
        if mark is not None:
            state.advance(db, mark, now())
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


def _record_sent(db: sqlite_utils.Database, sent: list[Outgoing], started: str) -> None:
    """Make the annotations sent the versions last exchanged, inside a write transaction.

    What was changed here before the sync began was sent as it is now, so SQLite records
    those itself and clears their ``unsent`` mark; the few changed since (the analyst kept
    working) are recorded as sent and stay marked, as they have changed again.
    """
    me = copy_id(db)
    db.execute("""INSERT OR IGNORE INTO sync_versions (kind, key, version)
                  SELECT 'annotation', b.key, b.updated_at || ' ' || b.edited_on
                  FROM annotations a JOIN sync_base b ON b.kind = 'annotation' AND b.key = a.id
                  WHERE a.unsent = 1 AND b.updated_at != a.updated_at
                    AND a.updated_at < ?""", [started])
    db.execute("""INSERT OR REPLACE INTO sync_base (kind, key, updated_at, edited_on)
                  SELECT 'annotation', a.id, a.updated_at, ?
                  FROM annotations a
                  LEFT JOIN sync_base b ON b.kind = 'annotation' AND b.key = a.id
                  WHERE a.unsent = 1 AND a.updated_at < ?
                    AND (b.updated_at IS NULL OR b.updated_at != a.updated_at)
                  ORDER BY a.id""", [me, started])
    later = {key for (key,) in db.execute(
        "SELECT id FROM annotations WHERE unsent = 1 AND updated_at >= ?", [started])}
    late = [row for row in sent if row.id in later]
    state.set_bases(db, "annotation", [(row.id, Version(row.updated_at, me)) for row in late],
                    replaced=[(row.id, Version(row.base_at, row.base_on)) for row in late
                              if row.base_at is not None])
    # Clearing many marks is cheaper without their index, made again (nearly empty) after.
    index = None
    if len(sent) >= CLEAR_WITHOUT_INDEX:
        index = db.execute("SELECT sql FROM sqlite_master WHERE type = 'index' "
                           "AND name = 'annotations_unsent'").fetchone()[0]
        db.execute("DROP INDEX annotations_unsent")
    db.execute("UPDATE annotations SET unsent = 0 WHERE unsent = 1 AND updated_at < ?",
               [started])
    if index is not None:
        db.execute(index)


def _insert_new(connection: Any, table: str, columns: tuple[str, ...]) -> None:
    """Add the staged rows the server does not have yet to margin's table."""
    listed = ", ".join(f'"{column}"' for column in columns)
    connection.execute(f"INSERT INTO margin.{table} ({listed}) SELECT {listed} "
                       f"FROM outgoing_{table} ON CONFLICT DO NOTHING")


def _copy_lines(connection: Any, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
    """COPY rows already written as COPY text into ``table``."""
    listed = ", ".join(f'"{column}"' for column in columns)
    cursor = connection.cursor()
    with cursor.copy(f"COPY {table} ({listed}) FROM STDIN") as copy:
        for first in range(0, len(lines), COPY_LINES):
            copy.write("\n".join(lines[first:first + COPY_LINES]) + "\n")


def _differing_revisions(connection: Any) -> set[tuple[str, int]]:
    """Revisions sent whose number the server already gives to another text."""
    return {(key, number) for key, number in connection.execute(
        "SELECT o.article_key, o.number FROM outgoing_revisions o JOIN margin.revisions r "
        "USING (article_key, number) WHERE r.text_sha256 != o.text_sha256")}
