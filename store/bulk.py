"""Many annotations at once, for imports and merges: one transaction, the same rules.

``add_annotation`` costs a transaction, a handful of queries and a commit per annotation,
which is right for a person pressing a key and far too slow for a file of thousands. Here every
row is checked first (``store.annotations._checked``, the very rules a single write obeys), and
only if all pass are they written, in one transaction. A bad row writes nothing and its error
names the row.

Rows go in as multi-row ``INSERT`` statements rather than one ``executemany`` statement a row:
the full-text index is filled by a trigger, and FTS5 writes out its pending index at the end of
every statement, so a statement a row leaves one tiny index segment a row to merge (about three
times the cost, measured with ``bench/store.py``).
"""

from __future__ import annotations

import sqlite3
import uuid
from typing import Any, Iterable, Mapping

import sqlite_utils

from store.annotations import COLUMNS, _checked
from store.articles import get_article
from store.clock import now
from store.errors import ValidationError
from store.sources import ensure_source

FIELDS = ("kind", "start", "end", "via", "confidence", "grade", "note", "tags")
ROWS_PER_STATEMENT = 500
_ROW = f"({', '.join('?' for _ in COLUMNS)})"
_INSERT_ANNOTATIONS = f"INSERT INTO annotations ({', '.join(f'[{c}]' for c in COLUMNS)}) VALUES "
# The snapshot a single write records (``store.annotations._record``), made by SQLite from the
# rows just stored: the same keys and values, without a round trip through Python's json.
_INSERT_HISTORY = f"""
    INSERT INTO history (annotation_id, article_id, action, before, after, at, undone)
    SELECT id, article_id, 'create', NULL,
           json_object({', '.join(f"'{c}', [{c}]" for c in COLUMNS)}), created_at, 0
    FROM annotations WHERE rowid > ? ORDER BY rowid
"""


def add_annotations_bulk(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]], *,
                         record_history: bool = True) -> list[str]:
    """Store many annotations in one transaction; returns their ids in the order given.

    Each row is a mapping with ``article_id`` and the keyword arguments of ``add_annotation``
    (``kind``, ``start``, ``end``, ``source``, ``role``, ``via``, ``confidence``, ``grade``,
    ``note``, ``tags``, ``id``). ``record_history=False`` leaves the creates out of ``history``,
    so they cannot be undone one by one; imports that can be repeated may prefer that.
    """
    texts: dict[str, tuple[str, str]] = {}
    checked: list[tuple[dict, Mapping[str, Any]]] = []
    for number, row in enumerate(rows, 1):
        wanted = row.get("article_id")
        if wanted not in texts:
            article = get_article(db, str(wanted or ""))
            texts[wanted] = (article["id"], article["text"])
        article_id, text = texts[wanted]
        try:
            fields = _checked({key: row.get(key) for key in FIELDS}, text)
        except ValidationError as error:
            raise ValidationError(f"row {number}: {error.title}", error.advice,
                                  field=error.field) from None
        checked.append(({"article_id": article_id, **fields}, row))

    stamp = now()
    ids: list[str] = []
    values: list[Any] = []
    with db.atomic():
        last_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM annotations").fetchone()[0]
        sources: dict[str, tuple[int, str | None]] = {}
        for fields, row in checked:
            annotation = {"id": row.get("id") or str(uuid.uuid4()), **fields,
                          "source_id": _source_id(db, sources, row.get("source"), row.get("role")),
                          "created_at": stamp, "updated_at": stamp, "deleted_at": None}
            ids.append(annotation["id"])
            values.extend(annotation[c] for c in COLUMNS)
        per_statement = min(ROWS_PER_STATEMENT,
                            db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(COLUMNS))
        width = len(COLUMNS) * per_statement
        try:
            for first in range(0, len(values), width):
                chunk = values[first:first + width]
                rows_here = len(chunk) // len(COLUMNS)
                db.conn.execute(_INSERT_ANNOTATIONS + ", ".join([_ROW] * rows_here), chunk)
        except sqlite3.IntegrityError as error:
            raise ValidationError(f"the annotations were not stored ({error})",
                                  "give each annotation an id of its own, or none") from None
        if record_history:
            db.execute(_INSERT_HISTORY, [last_rowid])
    return ids


def _source_id(db: sqlite_utils.Database, known: dict[str, tuple[int, str | None]],
               name: str | None, role: str | None) -> int | None:
    """The id of the named source, asking the database once per name (and again for a new role)."""
    if not name or not name.strip():
        return None
    # Keyed by the name as typed (spaces collapsed): SQLite's NOCASE folds only ASCII, so
    # folding case here could merge names the database keeps apart.
    key = " ".join(name.split())
    if key not in known or (role and role != known[key][1]):
        source = ensure_source(db, name, role=role)
        known[key] = (source["id"], source["role"])
    return known[key][0]
