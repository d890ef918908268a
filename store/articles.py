"""Articles: storing imported text once, reading it back, and what the analyst changes later.

Metadata edits (checked by ``store.metadata``), archiving and the trash each write a snapshot of
the article's metadata to ``history`` in the same transaction, as annotations do, so that
``store.annotations.undo`` walks back either kind of change, also after a restart.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from store.clock import now, today
from store.db import made_here, writing
from store.errors import NotFoundError, ValidationError
from store.metadata import checked_metadata
from store.nocase import as_read
from store.text import text_digest

ARTICLE_FIELDS = ("title", "authors", "outlet", "url", "published", "section", "language",
                  "source", "format")
SHORT_ID_LENGTH = 8
# What a history snapshot of an article holds: every column an edit, archive or trash changes.
SNAPSHOT = ("title", "authors", "outlet", "url", "published", "accessed", "section",
            "archived_at", "deleted_at")
# Which articles a listing shows: the library, the archive or the trash.
STATES = {
    "library": "a.deleted_at IS NULL AND a.archived_at IS NULL",
    "archived": "a.deleted_at IS NULL AND a.archived_at IS NOT NULL",
    "trash": "a.deleted_at IS NOT NULL",
}


def add_article(db: sqlite_utils.Database, draft: Any) -> tuple[dict, bool]:
    """Store a parsed article (an ``ingest.Draft`` or any object with its fields).

    Returns ``(article, created)``. The same normalised text stored before is the same article:
    nothing is written and ``created`` is False.
    """
    text = draft.text
    if not text or not text.strip():
        raise ValidationError("the article has no text", "import a file or page with some text")
    digest = text_digest(text)
    title = (draft.title or "").strip() or _first_line(text)
    # A plain read first: opening stored text again writes nothing, so it needs no write lock,
    # which a read-only copy cannot give and another program may be holding.
    existing = _stored_with(db, digest)
    if existing:
        return get_article(db, existing), False
    with writing(db):
        # Again inside the write transaction: another program importing the same text at the
        # same moment then finds it stored instead of breaking the UNIQUE constraint.
        existing = _stored_with(db, digest)
        if existing:
            return get_article(db, existing), False
        row = {
            "id": free_id(db, digest),
            "title": title,
            "authors": json.dumps(list(draft.authors or []), ensure_ascii=False),
            "outlet": draft.outlet, "url": draft.url, "published": draft.published,
            "section": draft.section, "language": draft.language,
            "text": text, "text_sha256": digest,
            "source": draft.source, "format": draft.format,
            "imported_at": now(), "accessed": today(), **made_here(db),
        }
        row["updated_at"] = row["imported_at"]
        db["articles"].insert(row)
        # Every article is its first revision: later ones are added beside it.
        db["revisions"].insert({
            "article_id": row["id"], "number": 1, "text": text, "text_sha256": digest,
            "source": draft.source, "format": draft.format, "title": title,
            "published": draft.published, "retrieved_at": row["imported_at"]})
    return get_article(db, row["id"]), True


def _stored_with(db: sqlite_utils.Database, digest: str) -> str | None:
    """The id of the article whose text has this SHA-256, if one is stored."""
    row = db.execute("SELECT id FROM articles WHERE text_sha256 = ?", [digest]).fetchone()
    return row[0] if row else None


def free_id(db: sqlite_utils.Database, digest: str) -> str:
    """The shortest prefix of the text's hash (from 8 characters) that no other article uses."""
    for length in range(SHORT_ID_LENGTH, len(digest) + 1):
        candidate = digest[:length]
        if not db.execute("SELECT 1 FROM articles WHERE id = ?", [candidate]).fetchone():
            return candidate
    raise AssertionError("a SHA-256 digest cannot collide with itself")


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "Untitled")


def get_article(db: sqlite_utils.Database, article_id: str) -> dict:
    """The article with this id; a unique prefix of an id is accepted too."""
    # The whole id first: it uses the primary key, while LIKE cannot and reads every row.
    cursor = db.execute("SELECT * FROM articles WHERE id = ?", [article_id])
    row = cursor.fetchone()
    if row:
        return _decode(dict(zip([c[0] for c in cursor.description], row)))
    rows = db.execute(
        "SELECT * FROM articles WHERE id = ? OR id LIKE ? ESCAPE '\\' LIMIT 2",
        [article_id, _like_prefix(article_id)],
    )
    found = [dict(zip([c[0] for c in rows.description], row)) for row in rows.fetchall()]
    exact = [row for row in found if row["id"] == article_id]
    if exact:
        return _decode(exact[0])
    if len(found) == 1 and article_id:
        return _decode(found[0])
    if not found:
        raise NotFoundError(f"no article with id {article_id!r}",
                            "run 'margin articles' to see the ids")
    raise NotFoundError(f"more than one article id starts with {article_id!r}",
                        "give more characters of the id")


def _like_prefix(prefix: str) -> str:
    escaped = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped + "%"


def list_articles(db: sqlite_utils.Database, *, search: str | None = None,
                  state: str | None = "library", trashed: bool | None = None,
                  archived: bool | None = None) -> list[dict]:
    """The articles of the library (or, with ``state``, of the archive or the trash) without
    their text, newest import first, with counts of live claims and quotes.

    ``search`` keeps the articles whose title, outlet or authors contain it (case-insensitive).
    With ``state`` None, ``trashed`` and ``archived`` choose instead, each True for only such
    articles, False for none of them, None for either.
    """
    if state is not None and state not in STATES:
        raise ValueError(f"unknown state {state!r}; states are {', '.join(STATES)}")
    sql = """
        SELECT a.id, a.title, a.authors, a.outlet, a.url, a.published, a.section, a.language,
               a.source, a.format, a.imported_at, a.accessed, a.archived_at, a.deleted_at,
               length(a.text) AS length,
               count(n.kind) FILTER (WHERE n.kind = 'claim') AS claims,
               count(n.kind) FILTER (WHERE n.kind = 'quote') AS quotes
        FROM articles a
        LEFT JOIN annotations n ON n.article_id = a.id AND n.deleted_at IS NULL
        {where}
        GROUP BY a.id
        ORDER BY a.imported_at DESC, a.id
    """
    params: list[Any] = []
    if state is not None:
        where = f"WHERE {STATES[state]}"
    else:
        conditions = [f"a.{column} IS {'NOT ' if wanted else ''}NULL"
                      for column, wanted in (("deleted_at", trashed), ("archived_at", archived))
                      if wanted is not None]
        where = "WHERE " + (" AND ".join(conditions) or "1")
    if search:
        # The outlet is searched as a person reads it, without nocase markup, by the same
        # Python function that shows it.
        db.conn.create_function("margin_as_read", 1, as_read, deterministic=True)
        where += (" AND instr(lower(a.title || ' ' || margin_as_read(a.outlet) || ' '"
                  " || a.authors), lower(?)) > 0")
        params.append(search)
    cursor = db.execute(sql.format(where=where), params)
    columns = [c[0] for c in cursor.description]
    return [_decode(dict(zip(columns, row))) for row in cursor.fetchall()]


def count_articles(db: sqlite_utils.Database) -> int:
    """How many articles the database holds, archived and trashed ones too."""
    return db.execute("SELECT count(*) FROM articles").fetchone()[0]


def _decode(row: dict) -> dict:
    row = dict(row)
    row["authors"] = json.loads(row["authors"]) if isinstance(row.get("authors"), str) else row.get("authors", [])
    return row


# --- what the analyst changes ---------------------------------------------------------------

def edit_article(db: sqlite_utils.Database, article_id: str, **changes: Any) -> dict:
    """Change some of an article's metadata (``store.metadata.EDITABLE``); returns it as stored.

    Every value is checked before anything is written; an edit that changes nothing records
    nothing.
    """
    fields = checked_metadata(changes)
    with writing(db):
        full_id = get_article(db, article_id)["id"]
        before = _snapshot(db, full_id)
        after = {**before, **fields}
        if after != before:
            db["articles"].update(full_id, {**fields, "updated_at": now()})
            _record(db, full_id, "edit", before, after)
    return get_article(db, full_id)


def archive_article(db: sqlite_utils.Database, article_id: str) -> dict:
    """Take an article out of the library into the archive; its annotations stay in Review."""
    return _set_state(db, article_id, "archived_at", True, "archive")


def unarchive_article(db: sqlite_utils.Database, article_id: str) -> dict:
    """Bring an archived article back into the library."""
    return _set_state(db, article_id, "archived_at", False, "unarchive")


def delete_article(db: sqlite_utils.Database, article_id: str) -> dict:
    """Move an article to the trash: out of the library and the archive until restored."""
    return _set_state(db, article_id, "deleted_at", True, "delete")


def restore_article(db: sqlite_utils.Database, article_id: str) -> dict:
    """Bring an article back from the trash, where it was before (library or archive)."""
    return _set_state(db, article_id, "deleted_at", False, "restore")


_ALREADY = {
    ("archived_at", True): ("the article is already archived", "list the archive to find it"),
    ("archived_at", False): ("the article is not archived", "only archived articles unarchive"),
    ("deleted_at", True): ("the article is already in the trash", "restore it from the trash"),
    ("deleted_at", False): ("the article is not in the trash", "only articles in the trash restore"),
}


def _set_state(db: sqlite_utils.Database, article_id: str, column: str, on: bool,
               action: str) -> dict:
    with writing(db):
        full_id = get_article(db, article_id)["id"]
        before = _snapshot(db, full_id)
        if bool(before[column]) == on:
            raise ValidationError(*_ALREADY[(column, on)])
        change = {column: now() if on else None}
        db["articles"].update(full_id, {**change, "updated_at": now()})
        _record(db, full_id, action, before, {**before, **change})
    return get_article(db, full_id)


def count_live_annotations(db: sqlite_utils.Database, article_id: str) -> int:
    """How many annotations of the article are not deleted: what trashing it would hide."""
    return db.execute("SELECT count(*) FROM annotations WHERE article_id = ? AND deleted_at IS NULL",
                      [get_article(db, article_id)["id"]]).fetchone()[0]


def revert_article(db: sqlite_utils.Database, article_id: str, snapshot: str) -> dict:
    """Put back the metadata of a history snapshot (JSON); for ``undo``, inside its transaction."""
    values = json.loads(snapshot)
    # Undoing is a change made now: a copy that shares its work must see it as the newest.
    db["articles"].update(article_id, {**{column: values[column] for column in SNAPSHOT},
                                       "updated_at": now()})
    return get_article(db, article_id)


def article_history(db: sqlite_utils.Database, article_id: str) -> list[dict]:
    """Every recorded change of an article's metadata and state, oldest first."""
    cursor = db.execute(
        "SELECT id, action, before, after, at, undone FROM history "
        "WHERE subject = 'article' AND article_id = ? ORDER BY id",
        [get_article(db, article_id)["id"]])
    return [{"id": i, "action": a, "before": json.loads(b), "after": json.loads(c), "at": at,
             "undone": bool(u)} for i, a, b, c, at, u in cursor.fetchall()]


def _snapshot(db: sqlite_utils.Database, full_id: str) -> dict:
    columns = ", ".join(SNAPSHOT)
    row = db.execute(f"SELECT {columns} FROM articles WHERE id = ?", [full_id]).fetchone()
    return dict(zip(SNAPSHOT, row))


def _record(db: sqlite_utils.Database, article_id: str, action: str, before: dict,
            after: dict) -> None:
    db["history"].insert({"subject": "article", "annotation_id": None, "article_id": article_id,
                          "action": action, "before": json.dumps(before, ensure_ascii=False),
                          "after": json.dumps(after, ensure_ascii=False), "at": now(),
                          "undone": 0})
