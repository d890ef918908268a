"""Conflicts: the losing sides of concurrent edits, kept until an analyst resolves them.

Resolving one makes a new version of the record (taking the losing side's fields, or keeping
what stands) that names the lost version among its parents: when it reaches the other copies
they see the conflict answered and close it there too.
"""

from __future__ import annotations

import json

import sqlite_utils

from store.annotations import COLUMNS
from store.clock import now
from store.db import writing
from store.errors import NotFoundError, ValidationError
from store.sources import ensure_source
from store.sync.records import ANNOTATION_FIELDS

# What an article's losing version can give back: its metadata, not its texts.
ARTICLE_TAKEN = ("title", "authors", "outlet", "url", "published", "section", "language",
                 "accessed", "archived_at", "deleted_at")


def list_conflicts(db: sqlite_utils.Database, *, open_only: bool = True,
                   record_id: str | None = None) -> list[dict]:
    """Conflicts, newest first, each with the losing version decoded (``lost``)."""
    sql = ("SELECT id, subject, record_id, article_id, kept_version, lost_version, lost, "
           "found_at, resolved_at FROM conflicts WHERE 1 = 1")
    params: list = []
    if open_only:
        sql += " AND resolved_at IS NULL"
    if record_id is not None:
        sql += " AND record_id = ?"
        params.append(record_id)
    cursor = db.execute(sql + " ORDER BY id DESC", params)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    for row in rows:
        row["lost"] = json.loads(row["lost"])
    return rows


def resolve_conflict(db: sqlite_utils.Database, conflict_id: int, *, take: str = "kept") -> dict:
    """Resolve a conflict by keeping the version that stands (``take="kept"``) or putting the
    losing one back (``take="lost"``); returns the conflict as now stored."""
    if take not in ("kept", "lost"):
        raise ValidationError(f"a conflict is resolved by keeping or taking, not {take!r}",
                              "keep the version that stands or take the other one")
    with writing(db):
        row = db.execute("SELECT subject, record_id, article_id, lost, resolved_at FROM conflicts "
                         "WHERE id = ?", [conflict_id]).fetchone()
        if row is None:
            raise NotFoundError(f"no conflict {conflict_id}", "list the open conflicts")
        subject, record_id, article_id, lost, resolved_at = row
        if resolved_at:
            raise ValidationError("that conflict was already resolved", "nothing was changed")
        lost = json.loads(lost)
        stamp = now()
        if subject == "annotation":
            _resolve_annotation(db, record_id, article_id, lost if take == "lost" else None, stamp)
        else:
            _resolve_article(db, record_id, lost if take == "lost" else None, stamp)
        db.execute("UPDATE conflicts SET resolved_at = ? WHERE id = ?", [stamp, conflict_id])
    return next(c for c in list_conflicts(db, open_only=False, record_id=record_id)
                if c["id"] == conflict_id)


def _resolve_annotation(db: sqlite_utils.Database, annotation_id: str, article_id: str,
                        lost: dict | None, stamp: str) -> None:
    listed = ", ".join(f'"{column}"' for column in COLUMNS)
    before = dict(zip(COLUMNS, db.execute(f"SELECT {listed} FROM annotations WHERE id = ?",
                                          [annotation_id]).fetchone()))
    after = {**before, "updated_at": stamp}
    if lost is not None:
        after.update({field: lost[field] for field in ANNOTATION_FIELDS if field in lost})
        after["source_id"] = (ensure_source(db, lost["source"], role=lost.get("role"),
                                            organization=lost.get("organization"))["id"]
                              if lost.get("source") else None)
    db["annotations"].update(annotation_id, {k: after[k] for k in COLUMNS if k != "id"})
    db["history"].insert({"subject": "annotation", "annotation_id": annotation_id,
                          "article_id": article_id, "action": "resolve",
                          "before": json.dumps(before, ensure_ascii=False),
                          "after": json.dumps(after, ensure_ascii=False), "at": stamp,
                          "undone": 1})


def _resolve_article(db: sqlite_utils.Database, article_id: str, lost: dict | None,
                     stamp: str) -> None:
    listed = ", ".join(ARTICLE_TAKEN)
    before = dict(zip(ARTICLE_TAKEN, db.execute(f"SELECT {listed} FROM articles WHERE id = ?",
                                                [article_id]).fetchone()))
    after = dict(before)
    if lost is not None:
        after.update({field: lost[field] for field in ARTICLE_TAKEN if field in lost})
    db["articles"].update(article_id, {**after, "updated_at": stamp})
    db["history"].insert({"subject": "article", "annotation_id": None, "article_id": article_id,
                          "action": "resolve", "before": json.dumps(before, ensure_ascii=False),
                          "after": json.dumps(after, ensure_ascii=False), "at": stamp,
                          "undone": 1})
