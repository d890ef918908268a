"""Article revisions in the store: the migration, adding a revision, reading anchored
annotations, and what the analyst does with an anchor. Real SQLite files throughout."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from store.annotations import (add_annotation_by_text, edit_annotation, get_annotation,
                               list_annotations, undo)
from store.articles import edit_article, get_article
from store.db import SCHEMA_VERSION, open_db
from store.errors import NotFoundError, ValidationError
from store.revisions import (accept_anchor, cited_article, import_article, list_revisions,
                             orphans, reattach)

URL = "https://example.org/news/flood-wall"
FIRST = ("Harbour wall approved\n\n"
         "The council said 6,000 homes were at risk from the spring tides.\n\n"
         "“We will build the wall before winter,” the mayor said on Tuesday.\n\n"
         "Engineers warned that the old barrier had cracked in two places.\n\n"
         "The river authority will publish its own survey next month.")


def draft(text: str, url: str | None = URL, title: str = "Harbour wall approved",
          published: str | None = "2025-03-04") -> SimpleNamespace:
    """What the importer hands the store for a page (an ``ingest.Draft``'s fields)."""
    return SimpleNamespace(text=text, title=title, authors=["Ana Reyes"], outlet="Coast News",
                           url=url, published=published, section=None, language="en",
                           source="page.html", format="html", notices={})


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "margin.db")
    yield database
    database.close()


@pytest.fixture
def article(db) -> dict:
    return import_article(db, draft(FIRST)).article


def by_words(db, article_id: str) -> dict[str, dict]:
    """The article's annotations (deleted ones too), keyed by the words they were made on."""
    return {row["exact"]: row for row in list_annotations(db, article_id=article_id,
                                                           deleted=None)}


# --- migration 0005 ---------------------------------------------------------------------------

def test_a_version_4_database_upgrades_with_each_article_as_its_first_revision(tmp_path):
    from store.db import MIGRATIONS

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    MIGRATIONS.apply(old, stop_before="0005_article_revisions")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 4
    imported_at = "2025-03-04T09:15:00.000000+00:00"
    old["articles"].insert({"id": "a1b2c3d4", "title": "Harbour wall approved", "text": FIRST,
                            "text_sha256": "f" * 64, "url": URL, "source": "page.html",
                            "format": "html", "published": "2025-03-04",
                            "imported_at": imported_at, "accessed": "2025-03-04"})
    start = FIRST.index("6,000 homes")
    annotation = {"id": "n1", "article_id": "a1b2c3d4", "kind": "claim", "start": start,
                  "end": start + 11, "exact": "6,000 homes", "prefix": "", "suffix": "",
                  "source_id": None, "via": None, "confidence": 70, "grade": None,
                  "note": "check", "tags": "[]", "created_at": imported_at,
                  "updated_at": imported_at, "deleted_at": None}
    old["annotations"].insert(annotation)
    old["history"].insert({"annotation_id": "n1", "article_id": "a1b2c3d4", "action": "create",
                           "before": None, "after": json.dumps(annotation), "at": imported_at,
                           "undone": 0, "subject": "annotation"})
    old.conn.commit()
    old.close()

    db = open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 5
    revisions = [dict(zip(("article_id", "number", "text", "sha", "retrieved_at", "title"), row))
                 for row in db.execute("SELECT article_id, number, text, text_sha256, "
                                       "retrieved_at, title FROM revisions")]
    assert revisions == [{"article_id": "a1b2c3d4", "number": 1, "text": FIRST, "sha": "f" * 64,
                          "retrieved_at": imported_at, "title": "Harbour wall approved"}]
    stored = get_article(db, "a1b2c3d4")
    assert (stored["revision"], stored["read_revision"], stored["text"]) == (1, None, FIRST)
    raw = db.execute("SELECT * FROM annotations").fetchone()
    columns = [c[0] for c in db.execute("SELECT * FROM annotations").description]
    assert dict(zip(columns, raw)) == {**annotation, "revision": 1}
    read = get_annotation(db, "n1")
    assert (read["start"], read["end"], read["anchor"], read["current"]) == (
        start, start + 11, "exact", "6,000 homes")
    # The history survived the rebuild: undoing the create deletes the annotation.
    assert undo(db)["annotation"]["deleted_at"] is not None


def test_a_database_newer_than_revisions_is_still_refused(tmp_path):
    from store.errors import DatabaseError

    path = tmp_path / "newer.db"
    open_db(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match="newer margin"):
        open_db(path)
    assert path.read_bytes() == before
