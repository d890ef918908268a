"""Articles: storing imported text once, and reading it back."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import sqlite_utils

from store.clock import now
from store.db import writing
from store.errors import NotFoundError, ValidationError
from store.nocase import as_read

ARTICLE_FIELDS = ("title", "authors", "outlet", "url", "published", "section", "language",
                  "source", "format")
SHORT_ID_LENGTH = 8


def add_article(db: sqlite_utils.Database, draft: Any) -> tuple[dict, bool]:
    """Store a parsed article (an ``ingest.Draft`` or any object with its fields).

    Returns ``(article, created)``. The same normalised text stored before is the same article:
    nothing is written and ``created`` is False.
    """
    text = draft.text
    if not text or not text.strip():
        raise ValidationError("the article has no text", "import a file or page with some text")
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
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
            "id": _free_id(db, digest),
            "title": title,
            "authors": json.dumps(list(draft.authors or []), ensure_ascii=False),
            "outlet": draft.outlet, "url": draft.url, "published": draft.published,
            "section": draft.section, "language": draft.language,
            "text": text, "text_sha256": digest,
            "source": draft.source, "format": draft.format,
            "imported_at": now(),
        }
        db["articles"].insert(row)
    return _decode(row), True


def _stored_with(db: sqlite_utils.Database, digest: str) -> str | None:
    """The id of the article whose text has this SHA-256, if one is stored."""
    row = db.execute("SELECT id FROM articles WHERE text_sha256 = ?", [digest]).fetchone()
    return row[0] if row else None


def _free_id(db: sqlite_utils.Database, digest: str) -> str:
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


def list_articles(db: sqlite_utils.Database, *, search: str | None = None) -> list[dict]:
    """Every article without its text, newest import first, with counts of live claims and quotes.

    ``search`` keeps the articles whose title, outlet or authors contain it (case-insensitive).
    """
    sql = """
        SELECT a.id, a.title, a.authors, a.outlet, a.url, a.published, a.section, a.language,
               a.source, a.format, a.imported_at, length(a.text) AS length,
               count(n.kind) FILTER (WHERE n.kind = 'claim') AS claims,
               count(n.kind) FILTER (WHERE n.kind = 'quote') AS quotes
        FROM articles a
        LEFT JOIN annotations n ON n.article_id = a.id AND n.deleted_at IS NULL
        {where}
        GROUP BY a.id
        ORDER BY a.imported_at DESC, a.id
    """
    params: list[Any] = []
    where = ""
    if search:
        # The outlet is searched as a person reads it, without nocase markup, by the same
        # Python function that shows it.
        db.conn.create_function("margin_as_read", 1, as_read, deterministic=True)
        where = ("WHERE instr(lower(a.title || ' ' || margin_as_read(a.outlet) || ' '"
                 " || a.authors), lower(?)) > 0")
        params.append(search)
    cursor = db.execute(sql.format(where=where), params)
    columns = [c[0] for c in cursor.description]
    return [_decode(dict(zip(columns, row))) for row in cursor.fetchall()]


def count_articles(db: sqlite_utils.Database) -> int:
    """How many articles the database holds."""
    return db.execute("SELECT count(*) FROM articles").fetchone()[0]


def _decode(row: dict) -> dict:
    row = dict(row)
    row["authors"] = json.loads(row["authors"]) if isinstance(row.get("authors"), str) else row.get("authors", [])
    return row
