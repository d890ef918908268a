"""Bulk imports keep every promise a single write makes: search, history, the schema, atomicity."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest

from store.annotations import add_annotation, list_annotations, undo
from store.articles import add_article
from store.bulk import add_annotations_bulk, new_ids
from store.db import open_db
from store.errors import ValidationError

KURSK_FILE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / \
    "ukrainska-pravda-2025-09-07-kursk.txt"
KURSK_TEXT = KURSK_FILE.read_text(encoding="utf-8").split("\n", 1)[1]
WORDS = [match.span() for match in re.finditer(r"\w+", KURSK_TEXT)]


def open_with_article(path: Path):
    db = open_db(path)
    article, _ = add_article(db, SimpleNamespace(
        text=KURSK_TEXT, title="North Korean troops in Kursk", authors=[], outlet=None, url=None,
        published=None, section=None, language="en", source=None, format="txt"))
    return db, article["id"]


@pytest.fixture
def library(tmp_path: Path):
    db, article_id = open_with_article(tmp_path / "margin.db")
    yield db, article_id
    db.close()


def rows(article_id: str, count: int, *, first_word: int = 0) -> list[dict]:
    """Spans of three words each, sourced and noted in turn."""
    made = []
    for n in range(count):
        start = WORDS[first_word + n][0]
        end = WORDS[first_word + n + 2][1]
        made.append({"article_id": article_id, "kind": ("claim", "quote")[n % 2],
                     "start": start, "end": end,
                     "source": ("Vadym Skibitskyi", "Ukrinform", None)[n % 3],
                     "note": f"checked against report {n}" if n % 4 == 0 else None})
    return made


def schema(db) -> list[tuple]:
    return db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master "
                      "ORDER BY type, name").fetchall()


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


def searched(db, words: str) -> set[str]:
    return {row["id"] for row in list_annotations(db, search=words)}


def test_bulk_rows_are_found_by_the_words_of_their_text_note_and_source(library):
    db, article_id = library
    made = add_annotations_bulk(db, rows(article_id, 12))
    stored = {row["id"]: row for row in list_annotations(db)}
    assert set(made) == set(stored)
    first_word = KURSK_TEXT[WORDS[0][0]:WORDS[0][1]]
    assert made[0] in searched(db, first_word)
    assert searched(db, "report 8") == {made[8]}
    assert searched(db, "Ukrinform") == {made[n] for n in (1, 4, 7, 10)}


def test_bulk_rows_are_indexed_exactly_as_rows_added_one_by_one(tmp_path):
    one_by_one, first_article = open_with_article(tmp_path / "single.db")
    in_bulk, bulk_article = open_with_article(tmp_path / "bulk.db")
    for row in rows(first_article, 20):
        add_annotation(one_by_one, **row)
    add_annotations_bulk(in_bulk, rows(bulk_article, 20))
    indexed = "SELECT rowid, exact, note, source FROM annotations_fts ORDER BY rowid"
    assert in_bulk.execute(indexed).fetchall() == one_by_one.execute(indexed).fetchall()
    one_by_one.close()
    in_bulk.close()


@pytest.mark.parametrize("already", [0, 30], ids=["into an empty library", "into a bigger one"])
def test_a_bulk_import_leaves_the_schema_as_it_found_it(library, already):
    db, article_id = library
    for row in rows(article_id, already, first_word=100):
        add_annotation(db, **row)
    before = schema(db)
    add_annotations_bulk(db, rows(article_id, 10))
    assert schema(db) == before


def test_an_annotation_added_after_a_bulk_import_is_found_by_search(library):
    db, article_id = library
    add_annotations_bulk(db, rows(article_id, 5))
    later = add_annotation(db, article_id, kind="claim", start=WORDS[50][0], end=WORDS[52][1],
                           note="typed after the import")
    assert searched(db, "typed after") == {later["id"]}


def test_a_bulk_import_that_fails_while_writing_leaves_the_database_unchanged(library):
    db, article_id = library
    kept = add_annotation(db, article_id, kind="claim", start=WORDS[3][0], end=WORDS[5][1],
                          note="already here")
    before = dump(db)
    failing = rows(article_id, 40)
    failing[-1]["id"] = failing[0]["id"] = "the-same-id"  # passes the checks, fails the insert
    with pytest.raises(ValidationError, match="not stored"):
        add_annotations_bulk(db, failing)
    assert dump(db) == before
    later = add_annotation(db, article_id, kind="claim", start=WORDS[7][0], end=WORDS[9][1],
                           note="written after the failure")
    assert searched(db, "written after") == {later["id"]}
    assert searched(db, "already here") == {kept["id"]}


def test_a_failed_bulk_import_inside_the_callers_transaction_keeps_the_callers_work(library):
    db, article_id = library
    before = schema(db)
    failing = rows(article_id, 3)
    failing[1]["id"] = failing[2]["id"] = "twice"
    with db.atomic():
        mine = add_annotation(db, article_id, kind="quote", start=WORDS[0][0], end=WORDS[1][1])
        with pytest.raises(ValidationError):
            add_annotations_bulk(db, failing)
    assert schema(db) == before
    assert [row["id"] for row in list_annotations(db)] == [mine["id"]]


def test_every_bulk_row_can_be_undone_newest_first_within_its_article(library):
    db, article_id = library
    made = add_annotations_bulk(db, rows(article_id, 4))
    assert [undo(db, article_id)["annotation"]["id"] for _ in made] == made[::-1]
    assert list_annotations(db) == []


def test_a_small_import_into_a_bigger_library_does_not_rebuild_its_indexes(library):
    db, article_id = library
    for row in rows(article_id, 8, first_word=100):
        add_annotation(db, **row)
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    add_annotations_bulk(db, rows(article_id, 3))
    db.conn.set_trace_callback(None)
    assert not [sql for sql in statements if sql.startswith(("DROP INDEX", "CREATE INDEX"))]


def test_a_big_import_rebuilds_the_indexes_it_dropped(library):
    db, article_id = library
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    add_annotations_bulk(db, rows(article_id, 3))
    db.conn.set_trace_callback(None)
    dropped = {sql.split()[-1].strip("[]") for sql in statements if sql.startswith("DROP INDEX")}
    assert dropped == {"annotations_by_article", "annotations_live_kinds", "annotations_unsent",
                       "annotations_by_source", "annotations_by_created", "history_by_article",
                       "annotations_by_analyst", "annotations_unsent"}


@pytest.mark.parametrize("fails", [False, True], ids=["after an import", "after a failed one"])
def test_the_page_cache_is_enlarged_for_an_import_and_given_back(library, fails, monkeypatch):
    db, article_id = library
    monkeypatch.setattr("store.bulk.CACHE_KIB_PER_ROW", 100)  # 200 rows: 20,000 KiB
    before = db.execute("PRAGMA cache_size").fetchone()[0]
    many = rows(article_id, 200)
    if fails:
        many[5]["id"] = many[6]["id"] = "twice"
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        add_annotations_bulk(db, many)
    except ValidationError:
        assert fails
    db.conn.set_trace_callback(None)
    assert "PRAGMA cache_size = -20000" in statements
    assert db.execute("PRAGMA cache_size").fetchone()[0] == before


def test_new_ids_are_distinct_random_version_4_uuids():
    made = new_ids(2000)
    assert len(set(made)) == 2000
    for text in made:
        parsed = uuid.UUID(text)
        assert str(parsed) == text
        assert parsed.version == 4 and parsed.variant == uuid.RFC_4122
    # Every hex digit shows up in every random position, so no position is stuck.
    for position in (0, 9, 15, 20, 35):
        assert len({text[position] for text in made}) == 16
    assert {text[19] for text in made} == set("89ab")
