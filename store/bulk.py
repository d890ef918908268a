"""Many annotations at once, for imports and merges: one transaction, the same rules.

``add_annotation`` costs a transaction, a handful of queries and a commit per annotation,
which is right for a person pressing a key and far too slow for a file of thousands. Here every
row is checked first (``store.annotations._checked``, the very rules a single write obeys), and
only if all pass are they written, in one transaction. A bad row writes nothing and its error
names the row.

Inside that transaction, the work the schema does row by row for a single write is done once
for all the rows (``bench/README.md`` has the measurements):

- The full-text trigger is dropped, the rows go in, one ``INSERT ... SELECT`` indexes them all,
  and the trigger is created again from its own stored SQL. FTS5 writes out its pending index
  at the end of every statement that fires the trigger: twice the cost with 500 rows a
  statement, eight times with one.
- When the import at least doubles a table, that table's secondary indexes are dropped too and
  built again afterwards: one sort beats inserting each row at its place in each index.
- The page cache is enlarged while the rows go in, so the primary key's b-tree (random UUIDs)
  stays in memory instead of being written out and read back.

DDL is transactional in SQLite: a failure rolls back the dropped trigger and indexes with the
rows, and since the write lock is held from the first ``DROP`` to the ``COMMIT``, no other
connection ever sees the schema without them.
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import contextmanager
from operator import itemgetter
from typing import Any, Iterable, Iterator, Mapping

import sqlite_utils

from store.annotations import COLUMNS, _checked
from store.articles import get_article
from store.clock import now
from store.db import ANNOTATION_FTS_COLUMNS, annotation_fts_values, made_here, writing
from store.errors import ValidationError
from store.sources import ensure_source

FTS_TRIGGER = "annotations_fts_insert"
# Enough for the b-trees an import of this many rows touches (about 2 KiB a row), capped.
CACHE_KIB_PER_ROW = 2
CACHE_KIB_MAX = 256 * 1024

_INSERT_ANNOTATIONS = (f"INSERT INTO annotations ({', '.join(f'[{c}]' for c in COLUMNS)}) "
                       f"VALUES ({', '.join('?' for _ in COLUMNS)})")
# The same for rows that hold a version the team's server has already (a merge): not unsent.
_INSERT_SENT_ANNOTATIONS = (f"INSERT INTO annotations ({', '.join(f'[{c}]' for c in COLUMNS)}, "
                            f"unsent) VALUES ({', '.join('?' for _ in COLUMNS)}, 0)")
_IN_COLUMN_ORDER = itemgetter(*COLUMNS)
# What the trigger indexes for one new row, for every row after a rowid: the same expressions.
_FILL_FTS = f"""
    INSERT INTO annotations_fts(rowid, {', '.join(ANNOTATION_FTS_COLUMNS)})
    SELECT rowid, {annotation_fts_values("annotations")}
    FROM annotations WHERE rowid > ?
"""
# The snapshot a single write records (``store.annotations._record``), made by SQLite from the
# rows just stored: the same keys and values, without a round trip through Python's json.
_INSERT_HISTORY = f"""
    INSERT INTO history (annotation_id, article_id, action, before, after, at, undone)
    SELECT id, article_id, 'create', NULL,
           json_object({', '.join(f"'{c}', [{c}]" for c in COLUMNS)}), created_at, 0
    FROM annotations WHERE rowid > ? ORDER BY rowid
"""
# The last hex digit a version 4 UUID may have in its variant position, for each random one.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def add_annotations_bulk(db: sqlite_utils.Database, rows: Iterable[Mapping[str, Any]], *,
                         record_history: bool = True) -> list[str]:
    """Store many annotations in one transaction; returns their ids in the order given.

    Each row is a mapping with ``article_id`` and the keyword arguments of ``add_annotation``
    (``kind``, ``start``, ``end``, ``source``, ``role``, ``via``, ``confidence``, ``grade``,
    ``note``, ``tags``, ``id``). ``record_history=False`` leaves the creates out of ``history``,
    so they cannot be undone one by one; imports that can be repeated may prefer that.
    """
    checked = _check_rows(db, rows)
    if not checked:
        return []
    stamp = now()
    fresh = iter(new_ids(sum(1 for _, _, row in checked if not row.get("id"))))
    ids = [row.get("id") or next(fresh) for _, _, row in checked]
    with _roomy_page_cache(db, len(checked)), writing(db):
        last_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM annotations").fetchone()[0]
        sources: dict[str, tuple[int, str | None]] = {}
        made = made_here(db)
        values = [
            _IN_COLUMN_ORDER({
                "id": annotation_id, "article_id": article_id, **fields,
                "source_id": _source_id(db, sources, row.get("source"), row.get("role")),
                "created_at": stamp, "updated_at": stamp, "deleted_at": None, **made})
            for annotation_id, (article_id, fields, row) in zip(ids, checked)]
        try:
            set_aside = _store_rows(db, values, last_rowid)
        except sqlite3.IntegrityError as error:
            raise ValidationError(f"the annotations were not stored ({error})",
                                  "give each annotation an id of its own, or none") from None
        if record_history:
            last_history = db.execute("SELECT coalesce(max(id), 0) FROM history").fetchone()[0]
            if len(values) >= last_history:
                set_aside += _drop_indexes(db, "history")
            db.execute(_INSERT_HISTORY, [last_rowid])
        for sql in set_aside:
            db.execute(sql)
    return ids


def store_rows(db: sqlite_utils.Database, values: list[tuple], *, unsent: bool = True) -> None:
    """Write complete annotation rows (values in ``COLUMNS`` order, already checked) fast,
    inside the caller's write transaction: for merges that bring many at once.

    ``unsent=False`` stores them as versions the team's server already has, with nothing to
    send (marking them so afterwards would visit every row again).
    """
    if not values:
        return
    last_rowid = db.execute("SELECT coalesce(max(rowid), 0) FROM annotations").fetchone()[0]
    with _roomy_page_cache(db, len(values)):
        for sql in _store_rows(db, values, last_rowid,
                               _INSERT_ANNOTATIONS if unsent else _INSERT_SENT_ANNOTATIONS):
            db.execute(sql)


def _store_rows(db: sqlite_utils.Database, values: list[tuple], last_rowid: int,
                insert: str = _INSERT_ANNOTATIONS) -> list[str]:
    """Insert the rows with the full-text index filled once for all of them; returns the SQL
    of the indexes set aside, for the caller to rebuild when its other writes are done."""
    trigger = _drop_trigger(db, FTS_TRIGGER)
    # A rebuild sorts every row of the table, so it pays only when most rows are new: when
    # the import at least doubles the table. max(rowid) is at least the rows already there.
    set_aside = _drop_indexes(db, "annotations") if len(values) >= last_rowid else []
    db.conn.executemany(insert, values)
    if trigger is not None:
        db.execute(_FILL_FTS, [last_rowid])
        db.execute(trigger)
    return set_aside


def _check_rows(db: sqlite_utils.Database,
                rows: Iterable[Mapping[str, Any]]) -> list[tuple[str, dict, Mapping[str, Any]]]:
    """Every row checked against its article: ``(article id, stored fields, row)`` each."""
    texts: dict[Any, tuple[str, str, int]] = {}
    checked = []
    for number, row in enumerate(rows, 1):
        wanted = row.get("article_id")
        if wanted not in texts:
            article = get_article(db, str(wanted or ""))
            texts[wanted] = (article["id"], article["text"], article["revision"])
        article_id, text, revision = texts[wanted]
        try:
            # The row itself: _checked reads only the fields it checks, by name.
            fields = _checked(row, text, revision)
        except ValidationError as error:
            raise ValidationError(f"row {number}: {error.title}", error.advice,
                                  field=error.field) from None
        checked.append((article_id, fields, row))
    return checked


def new_ids(count: int) -> list[str]:
    """``count`` random UUIDs, version 4, written as ``str(uuid.uuid4())`` writes them.

    One read of the system's randomness for all of them: ``uuid.uuid4()`` a row costs more
    than a third of what the whole baseline import does.
    """
    digits = os.urandom(16 * count).hex()
    ids = []
    for at in range(0, len(digits), 32):
        h = digits[at:at + 32]
        ids.append(f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}")
    return ids


@contextmanager
def _roomy_page_cache(db: sqlite_utils.Database, rows: int) -> Iterator[None]:
    """Enlarge the connection's page cache for ``rows`` new rows, and give the memory back after."""
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    page_kib = db.execute("PRAGMA page_size").fetchone()[0] // 1024
    # A negative cache_size is in KiB, a positive one in pages.
    before_kib = -before if before < 0 else before * page_kib
    wanted_kib = min(CACHE_KIB_MAX, CACHE_KIB_PER_ROW * rows)
    if wanted_kib <= before_kib:
        yield
        return
    db.execute(f"PRAGMA cache_size = -{wanted_kib}")
    try:
        yield
    finally:
        db.execute(f"PRAGMA cache_size = {before}")


def _drop_trigger(db: sqlite_utils.Database, name: str) -> str | None:
    """Drop a trigger inside the open transaction; returns the SQL that makes it again."""
    found = db.execute("SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?",
                       [name]).fetchone()
    if found is None:
        return None
    db.execute(f"DROP TRIGGER [{name}]")
    return found[0]


def _drop_indexes(db: sqlite_utils.Database, table: str) -> list[str]:
    """Drop the table's plain indexes inside the open transaction; returns the SQL to rebuild them.

    Only indexes made by ``CREATE INDEX`` that enforce nothing: a primary key or a unique
    index must stay, since it is what rejects a duplicate while the rows go in.
    """
    found = db.execute(
        "SELECT m.name, m.sql FROM pragma_index_list(?) AS i "
        "JOIN sqlite_master AS m ON m.type = 'index' AND m.name = i.name "
        "WHERE i.origin = 'c' AND i.[unique] = 0", [table]).fetchall()
    for name, _ in found:
        db.execute(f"DROP INDEX [{name}]")
    return [sql for _, sql in found]


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
