"""The store as a user of the CLI or the TUI meets it: one behaviour a test."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from store.annotations import (
    COLUMNS,
    add_annotation,
    add_annotation_by_text,
    count_annotations,
    delete_annotation,
    edit_annotation,
    get_annotation,
    history,
    list_annotations,
    restore_annotation,
    undo,
)
from store.articles import add_article, count_articles, get_article, list_articles
from store.db import SCHEMA_VERSION, open_db
from store.errors import DatabaseError, NotFoundError, ValidationError
from store.sources import ensure_source, find_source, suggest_sources

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK_FILE = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
# The scraper's first line ("date 2025-09-07 All Sections") is not article text.
KURSK_TEXT = KURSK_FILE.read_text(encoding="utf-8").split("\n", 1)[1]
KURSK_TITLE = ("North Korean troops concentrated in Kursk Oblast to support border security, "
               "Kyiv says")
SOURCE_NAME = "Vadym Skibitskyi"
QUOTE = ('"There are all the signs that by the end of the year, Russia will fully meet its '
         'recruitment plan."')
# Astral characters (flags, emoji) are one code point each in Python and two UTF-16 units.
EMOJI_TEXT = "Kyiv 🇺🇦 said: “we hold 😀 the line” — and 𝔇𝔦𝔘 agreed.\nSecond line 🙂 here."


def draft(text: str, **fields) -> SimpleNamespace:
    """What the importer hands the store: the normalised text and its metadata."""
    values = {"text": text, "title": None, "authors": [], "outlet": None, "url": None,
              "published": None, "section": None, "language": None, "source": None,
              "format": "txt"}
    values.update(fields)
    return SimpleNamespace(**values)


def kursk_draft() -> SimpleNamespace:
    return draft(KURSK_TEXT, title=KURSK_TITLE, authors=["Olga Katsimon"],
                 outlet="Ukrainska Pravda",
                 url="https://www.pravda.com.ua/eng/news/2025/09/7/7529739/",
                 published="2025-09-07T17:21:00+03:00", language="en",
                 source=str(KURSK_FILE), format="txt")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "margin.db"


@pytest.fixture
def db(db_path: Path):
    database = open_db(db_path)
    yield database
    database.close()


@pytest.fixture
def kursk(db) -> dict:
    article, _ = add_article(db, kursk_draft())
    return article


@pytest.fixture
def emoji(db) -> dict:
    article, _ = add_article(db, draft(EMOJI_TEXT, title="Emoji"))
    return article


def table_count(db, table: str) -> int:
    return db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def file_state(path: Path) -> tuple[bytes, int]:
    return path.read_bytes(), path.stat().st_mtime_ns


# --- the database file --------------------------------------------------------------------


def test_a_new_database_has_every_table_and_both_search_indexes(db):
    names = set(db.table_names())
    assert {"articles", "sources", "annotations", "history"} <= names
    virtual = {row[0] for row in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table'"
        " AND sql LIKE 'CREATE VIRTUAL TABLE%fts5%'")}
    assert virtual == {"articles_fts", "annotations_fts"}


def test_a_new_database_records_its_migration_and_schema_version(db):
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = [row[0] for row in db.execute("SELECT name FROM _sqlite_migrations")]
    assert names == ["0001_initial", "0002_search_role_via_tags", "0003_article_metadata",
                     "0004_articles_in_trash", "0005_article_revisions",
                     "0006_analyst_and_origin", "0007_team_sync"]


def test_reopening_a_database_runs_no_migration_twice(db_path):
    open_db(db_path).close()
    database = open_db(db_path)
    assert database.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 7
    database.close()


def test_a_version_1_database_upgrades_and_then_searches_tags_role_and_via(db_path):
    from store.db import MIGRATIONS

    old = sqlite_utils.Database(sqlite3.connect(db_path))
    MIGRATIONS.apply(old, stop_before="0002_search_role_via_tags")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 1
    # Stored as that version stored articles: today's add_article writes later columns too.
    article = {"id": "0a1b2c3d", "title": KURSK_TITLE, "text": KURSK_TEXT,
               "text_sha256": hashlib.sha256(KURSK_TEXT.encode()).hexdigest(),
               "imported_at": "2025-09-07T18:00:00+00:00"}
    old["articles"].insert(article)
    # And its annotation as that version wrote one: today's store writes later columns too.
    old["sources"].insert({"id": 1, "name": SOURCE_NAME, "role": "Deputy Head of DIU"})
    start = KURSK_TEXT.index(QUOTE)
    made = {"id": "5b0e6f1c-0000-4000-8000-000000000001", "article_id": article["id"],
            "kind": "quote", "start": start, "end": start + len(QUOTE), "exact": QUOTE,
            "source_id": 1, "via": "interview with Ukrinform", "tags": '["recruitment"]',
            "created_at": article["imported_at"], "updated_at": article["imported_at"]}
    old["annotations"].insert(made)
    old.conn.commit()
    old.close()

    database = open_db(db_path)
    assert database.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    for words in ("Russia", "Skibitskyi", "Deputy", "Ukrinform", "recruitment"):
        assert ids(list_annotations(database, search=words)) == {made["id"]}, words
    # The rebuilt triggers follow later edits, also of the source's role.
    edit_annotation(database, made["id"], via="Telegram channel", role="spokesman")
    assert ids(list_annotations(database, search="Telegram spokesman")) == {made["id"]}
    assert list_annotations(database, search="Ukrinform") == []
    assert list_annotations(database, search="Deputy") == []
    database.close()


def test_the_connection_uses_wal_foreign_keys_and_a_busy_timeout(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.execute("PRAGMA busy_timeout").fetchone()[0] > 0


def test_a_second_connection_in_the_process_leaves_the_first_seeing_other_programs_writes(
        db_path):
    # margin opens a connection for the app and more for Review's background reads; opening
    # one must not cost the others their locks, or another program's next writes go unseen.
    import subprocess
    import sys

    first = open_db(db_path)
    second = open_db(db_path)
    try:
        for name in ("Kyrylo Budanov", "Andrii Kovalenko", "Oleksandr Syrskyi"):
            write = ("import sys; from store.db import open_db; from store.sources import "
                     "ensure_source; ensure_source(open_db(sys.argv[1]), sys.argv[2])")
            subprocess.run([sys.executable, "-c", write, str(db_path), name], check=True,
                           timeout=60, cwd=Path(__file__).resolve().parents[1])
            assert find_source(first, name) is not None
            assert find_source(second, name) is not None
    finally:
        second.conn.close()
        first.conn.close()


def test_foreign_keys_stop_an_annotation_of_a_missing_article(db):
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("""INSERT INTO annotations (id, article_id, kind, start, "end", exact,
                      created_at, updated_at) VALUES ('x', 'nope', 'claim', 0, 1, 'a', 't', 't')""")


def test_a_database_in_a_missing_directory_is_created(tmp_path):
    path = tmp_path / "deeper" / "still" / "margin.db"
    open_db(path).close()
    assert path.is_file()


def test_an_empty_file_becomes_a_new_database(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    database = open_db(path)
    assert "annotations" in database.table_names()
    database.close()


def test_a_database_from_a_newer_margin_is_refused_and_left_unchanged(db_path):
    database = open_db(db_path)
    add_article(database, kursk_draft())
    database.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    database.close()
    before = file_state(db_path)
    with pytest.raises(DatabaseError, match="newer margin"):
        open_db(db_path)
    assert file_state(db_path) == before


def test_a_newer_database_left_with_its_wal_is_refused_without_folding_the_wal_in(tmp_path):
    # A newer margin that crashed leaves a -wal file; closing a read-write connection on it
    # would checkpoint the log into the database and so change it.
    origin = tmp_path / "origin.db"
    writer = sqlite3.connect(origin)
    writer.execute("PRAGMA journal_mode = wal")
    writer.execute("PRAGMA wal_autocheckpoint = 0")
    writer.execute("CREATE TABLE future (x)")
    writer.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    writer.commit()
    path = tmp_path / "newer.db"
    shutil.copy(origin, path)
    shutil.copy(f"{origin}-wal", f"{path}-wal")
    writer.close()
    before, wal_before = file_state(path), Path(f"{path}-wal").read_bytes()
    with pytest.raises(DatabaseError, match="newer margin"):
        open_db(path)
    assert file_state(path) == before
    assert Path(f"{path}-wal").read_bytes() == wal_before


def test_a_directory_is_refused_as_a_database(tmp_path):
    folder = tmp_path / "notes"
    folder.mkdir()
    with pytest.raises(DatabaseError, match="directory"):
        open_db(folder)
    assert list(folder.iterdir()) == []


def test_a_file_that_is_not_sqlite_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("These are my notes, not a database.\n")
    before = file_state(path)
    with pytest.raises(DatabaseError, match="not a SQLite database"):
        open_db(path)
    assert file_state(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_a_sqlite_database_of_another_program_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE contacts (name TEXT)")
    other.execute("INSERT INTO contacts VALUES ('Ada')")
    other.commit()
    other.close()
    before = file_state(path)
    with pytest.raises(DatabaseError, match="another program"):
        open_db(path)
    assert file_state(path) == before
    check = sqlite3.connect(path)
    assert check.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    check.close()


def test_every_database_error_has_a_title_and_advice(tmp_path):
    with pytest.raises(DatabaseError) as caught:
        open_db(tmp_path)
    assert caught.value.title and caught.value.advice
    assert "\n" not in str(caught.value)


# --- articles -----------------------------------------------------------------------------


def test_importing_the_same_text_twice_is_one_article(db):
    first, created = add_article(db, kursk_draft())
    again, created_again = add_article(db, kursk_draft())
    assert created and not created_again
    assert again["id"] == first["id"]
    assert count_articles(db) == 1


def test_an_article_keeps_its_metadata_and_text(db, kursk):
    stored = get_article(db, kursk["id"])
    assert stored["title"] == KURSK_TITLE
    assert stored["authors"] == ["Olga Katsimon"]
    assert stored["outlet"] == "Ukrainska Pravda"
    assert stored["published"] == "2025-09-07T17:21:00+03:00"
    assert stored["text"] == KURSK_TEXT
    assert stored["text_sha256"] == hashlib.sha256(KURSK_TEXT.encode()).hexdigest()


def test_an_article_id_is_short_and_the_same_in_every_database(tmp_path):
    ids = []
    for name in ("one.db", "two.db"):
        database = open_db(tmp_path / name)
        ids.append(add_article(database, kursk_draft())[0]["id"])
        database.close()
    assert ids[0] == ids[1]
    assert len(ids[0]) == 8
    assert ids[0] == hashlib.sha256(KURSK_TEXT.encode()).hexdigest()[:8]


def test_an_article_without_a_title_is_named_by_its_first_line(db):
    article, _ = add_article(db, draft("\n\n  Opening words  \nand the rest"))
    assert article["title"] == "Opening words"


@pytest.mark.parametrize("text", ["", "   \n\t  \n"])
def test_an_article_with_no_text_is_refused_and_nothing_is_written(db, text):
    with pytest.raises(ValidationError):
        add_article(db, draft(text))
    assert count_articles(db) == 0


def test_an_article_is_found_by_a_unique_prefix_of_its_id(db, kursk):
    assert get_article(db, kursk["id"][:3])["id"] == kursk["id"]


def test_a_prefix_shared_by_two_articles_asks_for_more_characters(db):
    by_first_char: dict[str, str] = {}
    for n in range(100):
        article, _ = add_article(db, draft(f"Article number {n}"))
        if article["id"][0] in by_first_char:
            break
        by_first_char[article["id"][0]] = article["id"]
    with pytest.raises(NotFoundError, match="more than one"):
        get_article(db, article["id"][0])


@pytest.mark.parametrize("wanted", ["ffffffff0", "%", "_"])
def test_an_unknown_article_id_is_not_found(db, kursk, wanted):
    with pytest.raises(NotFoundError):
        get_article(db, wanted)


def test_the_article_list_counts_live_claims_and_quotes(db, kursk):
    add_annotation_by_text(db, kursk["id"], kind="claim", text="North Korean troops remain")
    add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE)
    gone = add_annotation_by_text(db, kursk["id"], kind="quote", text="Pyongyang")
    delete_annotation(db, gone["id"])
    [listed] = list_articles(db)
    assert (listed["claims"], listed["quotes"]) == (1, 1)
    assert "text" not in listed and listed["length"] == len(KURSK_TEXT)


def test_the_article_list_finds_a_protected_outlet_by_the_words_a_person_reads(db):
    leak, _ = add_article(db, draft("Body of the leak.", title="Leak",
                                    outlet='<span class="nocase">iStories</span> Media'))
    assert [a["id"] for a in list_articles(db, search="istories media")] == [leak["id"]]
    # The markup is not words of the outlet.
    assert list_articles(db, search="nocase") == []


# --- adding annotations -------------------------------------------------------------------


def test_an_annotation_by_offsets_stores_the_exact_words_and_their_context(db, kursk):
    start = KURSK_TEXT.index(QUOTE)
    end = start + len(QUOTE)
    stored = add_annotation(db, kursk["id"], kind="quote", start=start, end=end,
                            source=SOURCE_NAME, confidence=80, grade="B2")
    assert stored["exact"] == QUOTE
    assert stored["prefix"] == KURSK_TEXT[start - 32:start]
    assert stored["suffix"] == KURSK_TEXT[end:end + 32]
    assert stored["source"] == SOURCE_NAME
    assert stored["deleted_at"] is None
    assert stored["created_at"] == stored["updated_at"]
    assert get_annotation(db, stored["id"]) == stored


def test_context_is_cut_short_at_the_ends_of_the_article(db, kursk):
    first = add_annotation(db, kursk["id"], kind="claim", start=0, end=5)
    last = add_annotation(db, kursk["id"], kind="claim", start=len(KURSK_TEXT) - 5,
                          end=len(KURSK_TEXT))
    assert first["prefix"] == "" and last["suffix"] == ""


def test_offsets_count_code_points_so_emoji_are_one_character(db, emoji):
    start = EMOJI_TEXT.index("we hold")
    end = EMOJI_TEXT.index("”")
    stored = add_annotation(db, emoji["id"], kind="quote", start=start, end=end)
    assert stored["exact"] == "we hold 😀 the line"
    assert (stored["start"], stored["end"]) == (start, end)
    assert stored["prefix"] == EMOJI_TEXT[:start]
    assert stored["suffix"] == EMOJI_TEXT[end:end + 32]


def test_a_single_astral_character_can_be_annotated(db, emoji):
    at = EMOJI_TEXT.index("🙂")
    stored = add_annotation(db, emoji["id"], kind="claim", start=at, end=at + 1)
    assert stored["exact"] == "🙂"


def test_an_annotation_by_text_finds_the_words_after_emoji(db, emoji):
    stored = add_annotation_by_text(db, emoji["id"], kind="claim", text="𝔇𝔦𝔘 agreed")
    assert EMOJI_TEXT[stored["start"]:stored["end"]] == "𝔇𝔦𝔘 agreed"


def test_an_annotation_by_text_takes_the_first_occurrence_by_default(db, kursk):
    stored = add_annotation_by_text(db, kursk["id"], kind="claim", text="North Korean")
    assert stored["start"] == KURSK_TEXT.index("North Korean")


def test_an_annotation_by_text_takes_the_occurrence_asked_for(db, kursk):
    stored = add_annotation_by_text(db, kursk["id"], kind="claim", text="North Korean",
                                    occurrence=3)
    second = KURSK_TEXT.index("North Korean", KURSK_TEXT.index("North Korean") + 1)
    assert stored["start"] == KURSK_TEXT.index("North Korean", second + 1)
    assert stored["exact"] == "North Korean"


def test_an_occurrence_past_the_last_match_says_how_many_there_are(db, kursk):
    times = KURSK_TEXT.count("Skibitskyi")
    with pytest.raises(NotFoundError, match=f"appears {times} times") as caught:
        add_annotation_by_text(db, kursk["id"], kind="claim", text="Skibitskyi",
                               occurrence=times + 1)
    assert f"between 1 and {times}" in caught.value.advice
    assert table_count(db, "annotations") == 0


def test_a_text_that_appears_once_says_once(db, kursk):
    with pytest.raises(NotFoundError, match="appears 1 time,"):
        add_annotation_by_text(db, kursk["id"], kind="claim", text="Pyongyang", occurrence=2)


def test_text_that_is_not_in_the_article_is_not_found(db, kursk):
    with pytest.raises(NotFoundError, match="not in the article"):
        add_annotation_by_text(db, kursk["id"], kind="claim", text="North Korean tanks")
    assert table_count(db, "annotations") == 0


@pytest.mark.parametrize("occurrence", [0, -1])
def test_an_occurrence_below_one_is_refused(db, kursk, occurrence):
    with pytest.raises(ValidationError):
        add_annotation_by_text(db, kursk["id"], kind="claim", text="Kursk", occurrence=occurrence)


def test_annotating_a_missing_article_is_not_found(db):
    with pytest.raises(NotFoundError):
        add_annotation(db, "deadbeef", kind="claim", start=0, end=1)
    assert table_count(db, "annotations") == 0


VALID = {"kind": "claim", "start": 10, "end": 20}
INVALID = [
    pytest.param({"start": 20, "end": 20}, "span", id="start equals end"),
    pytest.param({"start": 21, "end": 20}, "span", id="start after end"),
    pytest.param({"start": 0, "end": len(KURSK_TEXT) + 1}, "span", id="end past the text"),
    pytest.param({"start": -1, "end": 5}, "span", id="negative start"),
    pytest.param({"start": -5, "end": -1}, "span", id="negative span"),
    pytest.param({"start": "10"}, "span", id="start as a string"),
    pytest.param({"end": 20.0}, "span", id="end as a float"),
    pytest.param({"start": True}, "span", id="start as a boolean"),
    pytest.param({"kind": "opinion"}, "kind", id="kind opinion"),
    pytest.param({"kind": "Claim"}, "kind", id="kind with a capital"),
    pytest.param({"kind": None}, "kind", id="no kind"),
    pytest.param({"confidence": 101}, "confidence", id="confidence 101"),
    pytest.param({"confidence": -1}, "confidence", id="confidence -1"),
    pytest.param({"confidence": "abc"}, "confidence", id="confidence abc"),
    pytest.param({"confidence": "50"}, "confidence", id="confidence as a string"),
    pytest.param({"confidence": 50.5}, "confidence", id="confidence 50.5"),
    pytest.param({"confidence": True}, "confidence", id="confidence True"),
    pytest.param({"grade": "G7"}, "grade", id="grade G7"),
    pytest.param({"grade": "B0"}, "grade", id="grade B0"),
    pytest.param({"grade": "A7"}, "grade", id="grade A7"),
    pytest.param({"grade": "B22"}, "grade", id="grade B22"),
    pytest.param({"grade": "2B"}, "grade", id="grade 2B"),
]


@pytest.mark.parametrize(("change", "field"), INVALID)
def test_an_invalid_annotation_is_refused_and_nothing_is_written(db, kursk, change, field):
    with pytest.raises(ValidationError) as caught:
        add_annotation(db, kursk["id"], **{**VALID, **change})
    assert caught.value.field == field
    assert caught.value.advice
    assert table_count(db, "annotations") == 0
    assert table_count(db, "history") == 0
    assert table_count(db, "annotations_fts") == 0


def test_a_refused_annotation_creates_no_source(db, kursk):
    with pytest.raises(ValidationError):
        add_annotation(db, kursk["id"], kind="claim", start=0, end=5, source="Nobody Yet",
                       confidence=300)
    assert table_count(db, "sources") == 0


@pytest.mark.parametrize(("typed", "stored"), [("b2", "B2"), (" c3 ", "C3"), ("F6", "F6"),
                                               ("", None), (None, None)])
def test_a_grade_is_stored_in_capitals(db, kursk, typed, stored):
    annotation = add_annotation(db, kursk["id"], **VALID, grade=typed)
    assert annotation["grade"] == stored


@pytest.mark.parametrize("confidence", [0, 100, None])
def test_confidence_from_0_to_100_or_none_is_accepted(db, kursk, confidence):
    stored = add_annotation(db, kursk["id"], **VALID, confidence=confidence)
    assert stored["confidence"] == confidence


def test_tags_are_kept_once_each_in_order_without_blanks(db, kursk):
    annotation = add_annotation(db, kursk["id"], **VALID, tags=["dprk", " ", "labour", "dprk"])
    assert annotation["tags"] == ["dprk", "labour"]


def test_blank_via_and_note_are_stored_as_empty(db, kursk):
    annotation = add_annotation(db, kursk["id"], **VALID, via="  ", note="")
    assert annotation["via"] is None and annotation["note"] is None


def database_rows(db) -> list[str]:
    return list(db.conn.iterdump())


def test_the_same_annotation_twice_is_refused_naming_the_one_already_there(db, kursk):
    first = add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE,
                                   source=SOURCE_NAME, confidence=80)
    before = database_rows(db)
    with pytest.raises(ValidationError) as refused:
        add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE,
                               source=SOURCE_NAME.upper(), role="a new role", note="again")
    message = str(refused.value)
    assert first["id"] in message and "edit that annotation" in message
    assert "--" not in message
    assert database_rows(db) == before
    assert [a["id"] for a in list_annotations(db)] == [first["id"]]


def test_the_same_words_may_be_a_claim_and_a_quote_or_have_two_sources(db, kursk):
    quote = add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE, source=SOURCE_NAME)
    claim = add_annotation_by_text(db, kursk["id"], kind="claim", text=QUOTE, source=SOURCE_NAME)
    other = add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE, source="Someone")
    nobody = add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE)
    assert len({quote["id"], claim["id"], other["id"], nobody["id"]}) == 4
    with pytest.raises(ValidationError, match=nobody["id"]):
        add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE)


def test_a_deleted_annotation_does_not_stop_the_same_one_being_added_but_its_restore_is_refused(
        db, kursk):
    first = add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE, source=SOURCE_NAME)
    delete_annotation(db, first["id"])
    second = add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE,
                                    source=SOURCE_NAME)
    with pytest.raises(ValidationError, match=second["id"]):
        restore_annotation(db, first["id"])
    assert get_annotation(db, first["id"])["deleted_at"] is not None


def test_an_edit_that_would_make_two_of_the_same_annotation_is_refused(db, kursk):
    quote = add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE, source=SOURCE_NAME)
    claim = add_annotation_by_text(db, kursk["id"], kind="claim", text=QUOTE, source=SOURCE_NAME)
    with pytest.raises(ValidationError, match=quote["id"]):
        edit_annotation(db, claim["id"], kind="quote")
    assert get_annotation(db, claim["id"])["kind"] == "claim"
    assert edit_annotation(db, claim["id"], note="still a claim")["note"] == "still a claim"


# --- editing, deleting, restoring, undoing -------------------------------------------------


def test_editing_changes_the_fields_given_and_keeps_the_others(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, confidence=40, note="first look",
                             source=SOURCE_NAME, tags=["dprk"])
    edited = edit_annotation(db, created["id"], confidence=70, grade="b2")
    assert (edited["confidence"], edited["grade"]) == (70, "B2")
    assert edited["note"] == "first look"
    assert (edited["source"], edited["tags"]) == (SOURCE_NAME, ["dprk"])
    assert edited["created_at"] == created["created_at"]
    assert edited["updated_at"] > created["updated_at"]


def test_editing_the_span_rereads_the_exact_words_and_context(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID)
    start = KURSK_TEXT.index("Pyongyang")
    edited = edit_annotation(db, created["id"], start=start, end=start + len("Pyongyang"))
    assert edited["exact"] == "Pyongyang"
    assert edited["prefix"] == KURSK_TEXT[start - 32:start]


def test_an_annotation_is_edited_by_a_prefix_of_its_id(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID)
    assert edit_annotation(db, created["id"][:8], note="short id")["note"] == "short id"


def test_an_invalid_edit_is_refused_and_changes_nothing(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, confidence=40)
    with pytest.raises(ValidationError):
        edit_annotation(db, created["id"], confidence=40, grade="Z9")
    with pytest.raises(ValidationError):
        edit_annotation(db, created["id"], end=len(KURSK_TEXT) + 1)
    assert get_annotation(db, created["id"]) == created
    assert [entry["action"] for entry in history(db, created["id"])] == ["create"]


def test_editing_a_field_that_is_not_editable_is_refused(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID)
    with pytest.raises(ValidationError, match="cannot edit"):
        edit_annotation(db, created["id"], exact="other words")
    with pytest.raises(ValidationError, match="cannot edit"):
        edit_annotation(db, created["id"], article_id="elsewhere")


def test_an_edit_that_changes_nothing_records_nothing(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, confidence=40)
    assert edit_annotation(db, created["id"], confidence=40) == created
    assert len(history(db, created["id"])) == 1


def test_editing_an_unknown_annotation_is_not_found(db, kursk):
    with pytest.raises(NotFoundError):
        edit_annotation(db, "00000000-0000-0000-0000-000000000000", note="x")


def test_a_deleted_annotation_leaves_the_listing_but_is_kept(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID)
    deleted = delete_annotation(db, created["id"])
    assert deleted["deleted_at"] is not None
    assert list_annotations(db) == []
    assert [a["id"] for a in list_annotations(db, deleted=True)] == [created["id"]]
    assert get_annotation(db, created["id"])["deleted_at"] == deleted["deleted_at"]
    assert table_count(db, "annotations") == 1


def test_deleting_twice_is_refused(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID)
    delete_annotation(db, created["id"])
    with pytest.raises(ValidationError, match="already deleted"):
        delete_annotation(db, created["id"])


def test_a_restored_annotation_is_back_as_it_was(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, note="keep me")
    delete_annotation(db, created["id"])
    restored = restore_annotation(db, created["id"])
    assert restored["deleted_at"] is None
    assert {k: v for k, v in restored.items() if k != "updated_at"} == \
        {k: v for k, v in created.items() if k != "updated_at"}
    assert [a["id"] for a in list_annotations(db)] == [created["id"]]


def test_restoring_a_live_annotation_is_refused(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID)
    with pytest.raises(ValidationError, match="not deleted"):
        restore_annotation(db, created["id"])


def test_undo_walks_back_delete_then_edit_then_create(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, confidence=40, note="first")
    edit_annotation(db, created["id"], confidence=90, note="second")
    delete_annotation(db, created["id"])

    step = undo(db)
    assert step["action"] == "delete"
    assert step["annotation"]["deleted_at"] is None
    assert (step["annotation"]["confidence"], step["annotation"]["note"]) == (90, "second")

    step = undo(db)
    assert step["action"] == "edit"
    assert (step["annotation"]["confidence"], step["annotation"]["note"]) == (40, "first")
    assert step["annotation"]["deleted_at"] is None

    step = undo(db)
    assert step["action"] == "create"
    assert step["annotation"]["deleted_at"] is not None
    assert list_annotations(db) == []

    assert undo(db) is None


def test_undo_of_a_restore_deletes_again(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID)
    delete_annotation(db, created["id"])
    restore_annotation(db, created["id"])
    step = undo(db)
    assert step["action"] == "restore"
    assert step["annotation"]["deleted_at"] is not None


def test_undo_of_an_edit_brings_back_the_old_span_and_source(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, source=SOURCE_NAME)
    edit_annotation(db, created["id"], start=0, end=5, source="DIU")
    back = undo(db)["annotation"]
    assert (back["start"], back["end"], back["exact"]) == (10, 20, KURSK_TEXT[10:20])
    assert back["source"] == SOURCE_NAME


def test_undo_in_one_article_leaves_the_other_articles_alone(db, kursk, emoji):
    in_kursk = add_annotation(db, kursk["id"], **VALID)
    in_emoji = add_annotation(db, emoji["id"], kind="quote", start=0, end=4)
    step = undo(db, article_id=kursk["id"])
    assert step["annotation"]["id"] == in_kursk["id"]
    assert get_annotation(db, in_emoji["id"])["deleted_at"] is None
    assert undo(db, article_id=kursk["id"]) is None
    assert undo(db)["annotation"]["id"] == in_emoji["id"]


def test_undo_works_after_the_database_is_reopened(db_path):
    database = open_db(db_path)
    article, _ = add_article(database, kursk_draft())
    created = add_annotation(database, article["id"], **VALID, confidence=40)
    edit_annotation(database, created["id"], confidence=95)
    database.close()

    reopened = open_db(db_path)
    step = undo(reopened)
    assert step["action"] == "edit"
    assert step["annotation"]["confidence"] == 40
    reopened.close()

    again = open_db(db_path)
    assert undo(again)["action"] == "create"
    assert undo(again) is None
    again.close()


def test_history_holds_a_json_snapshot_of_every_change(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, confidence=40)
    edit_annotation(db, created["id"], confidence=60)
    delete_annotation(db, created["id"])
    restore_annotation(db, created["id"])
    entries = history(db, created["id"])
    assert [e["action"] for e in entries] == ["create", "edit", "delete", "restore"]
    assert entries[0]["before"] is None
    for entry in entries:
        assert set(entry["after"]) == set(COLUMNS)
        assert entry["at"] and not entry["undone"]
    for earlier, later in zip(entries, entries[1:]):
        assert later["before"] == earlier["after"]
    assert entries[1]["before"]["confidence"] == 40 and entries[1]["after"]["confidence"] == 60
    assert entries[2]["after"]["deleted_at"] is not None
    assert entries[3]["after"]["deleted_at"] is None
    for before, after in db.execute("SELECT before, after FROM history"):
        assert before is None or isinstance(json.loads(before), dict)
        assert isinstance(json.loads(after), dict)


def test_history_keeps_non_ascii_text_readable(db, emoji):
    created = add_annotation(db, emoji["id"], kind="quote", start=0, end=7, note="прапор 🇺🇦")
    [raw] = db.execute("SELECT after FROM history WHERE annotation_id = ?", [created["id"]])
    assert "прапор 🇺🇦" in raw[0]


def test_an_undone_change_is_marked_in_history_not_erased(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, note="typed by hand")
    edit_annotation(db, created["id"], note="typed again")
    undo(db)
    entries = history(db, created["id"])
    assert [e["undone"] for e in entries] == [False, True]
    assert entries[1]["after"]["note"] == "typed again"


# --- listing and searching ----------------------------------------------------------------


@pytest.fixture
def annotated(db, kursk, emoji) -> dict:
    """A few annotations of both articles, by different sources and confidences."""
    made = {
        "quote": add_annotation_by_text(db, kursk["id"], kind="quote", text=QUOTE,
                                        source=SOURCE_NAME, role="Deputy Head of DIU",
                                        confidence=85, grade="B2", note="recruitment forecast"),
        "claim": add_annotation_by_text(db, kursk["id"], kind="claim",
                                        text="Around 6,000 workers are expected in Kursk Oblast",
                                        source="vadym skibitskyi", confidence=55,
                                        note="check against satellite imagery"),
        "unsourced": add_annotation_by_text(db, kursk["id"], kind="claim",
                                            text="DIU assesses that the participation"),
        "emoji": add_annotation_by_text(db, emoji["id"], kind="quote", text="we hold 😀 the line",
                                        source="Kyiv", confidence=20),
        "deleted": add_annotation_by_text(db, kursk["id"], kind="claim", text="Yelabuga zone",
                                          source=SOURCE_NAME, confidence=99),
    }
    delete_annotation(db, made["deleted"]["id"])
    return made


def ids(rows: list[dict]) -> set[str]:
    return {row["id"] for row in rows}


def test_listing_shows_live_annotations_in_the_order_they_were_made(db, annotated):
    listed = list_annotations(db)
    assert [a["id"] for a in listed] == [annotated[k]["id"] for k in
                                         ("quote", "claim", "unsourced", "emoji")]
    assert listed[0]["article_title"] == KURSK_TITLE
    assert count_annotations(db) == 4


def test_listing_by_article(db, annotated, emoji):
    assert ids(list_annotations(db, article_id=emoji["id"])) == {annotated["emoji"]["id"]}


def test_listing_by_kind(db, annotated):
    assert ids(list_annotations(db, kind="quote")) == {annotated["quote"]["id"],
                                                       annotated["emoji"]["id"]}
    with pytest.raises(ValidationError):
        list_annotations(db, kind="opinion")


@pytest.mark.parametrize("typed", ["Vadym Skibitskyi", "vadym skibitskyi", "VADYM  SKIBITSKYI "])
def test_listing_by_source_ignores_case_and_spacing(db, annotated, typed):
    assert ids(list_annotations(db, source=typed)) == {annotated["quote"]["id"],
                                                       annotated["claim"]["id"]}
    assert count_annotations(db, source=typed) == 2


def test_listing_by_minimum_confidence_leaves_out_the_unrated(db, annotated):
    assert ids(list_annotations(db, min_confidence=55)) == {annotated["quote"]["id"],
                                                            annotated["claim"]["id"]}
    assert len(list_annotations(db, min_confidence=0)) == 3


def test_listing_deleted_or_everything(db, annotated):
    assert ids(list_annotations(db, deleted=True)) == {annotated["deleted"]["id"]}
    assert len(list_annotations(db, deleted=None)) == 5


def test_listing_filters_combine(db, annotated, kursk):
    found = list_annotations(db, article_id=kursk["id"], kind="claim", source=SOURCE_NAME,
                             min_confidence=50)
    assert ids(found) == {annotated["claim"]["id"]}


def test_listing_sorts_and_pages(db, annotated):
    by_confidence = list_annotations(db, order_by="confidence", descending=True)
    assert [a["confidence"] for a in by_confidence] == [85, 55, 20, None]
    page = list_annotations(db, order_by="confidence", descending=True, limit=2, offset=1)
    assert [a["confidence"] for a in page] == [55, 20]
    with pytest.raises(ValidationError):
        list_annotations(db, order_by="colour")


@pytest.mark.parametrize(("words", "expected"), [
    ("recruitment", {"quote"}),                 # in the exact words (and the note)
    ("satellite imagery", {"claim"}),           # only in the note
    ("skibitskyi", {"quote", "claim"}),         # only the source's name
    ("Skibit", set()),                          # a word matches whole words only
    ("Skibit*", {"quote", "claim"}),            # unless a star asks for its beginning
    ("workers Kursk", {"claim"}),               # every word must appear
    ("hold line", {"emoji"}),
    ("Yelabuga", set()),                        # deleted annotations are not found
    ("Pyongyang", set()),                       # in the article, but not annotated
])
def test_full_text_search_over_exact_words_note_and_source(db, annotated, words, expected):
    assert ids(list_annotations(db, search=words)) == {annotated[k]["id"] for k in expected}
    assert count_annotations(db, search=words) == len(expected)


def test_search_finds_a_source_by_its_new_name_after_a_rename(db, annotated):
    source = find_source(db, SOURCE_NAME)
    db["sources"].update(source["id"], {"name": "Vadym Skibitsky"})
    assert list_annotations(db, search="Skibitskyi") == []
    assert ids(list_annotations(db, search="Skibitsky")) == {annotated["quote"]["id"],
                                                             annotated["claim"]["id"]}


def test_search_follows_an_edited_note_and_source(db, annotated):
    claim = annotated["claim"]["id"]
    edit_annotation(db, claim, note="compare with Ukrinform", source="DIU")
    assert claim not in ids(list_annotations(db, search="satellite"))
    assert claim in ids(list_annotations(db, search="Ukrinform"))
    assert claim in ids(list_annotations(db, search="DIU"))
    assert claim not in ids(list_annotations(db, search="Vadym"))


def test_search_follows_an_undone_edit(db, annotated):
    claim = annotated["claim"]["id"]
    edit_annotation(db, claim, note="compare with Ukrinform")
    undo(db)
    assert claim in ids(list_annotations(db, search="satellite"))
    assert claim not in ids(list_annotations(db, search="Ukrinform"))


@pytest.mark.parametrize("typed", ['"unbalanced', "AND", "OR", "NOT", "*", "NEAR(", "NEAR(a b",
                                   "-", ":", "", "   ", "'", '""', "a:b", "^start", "(", ")",
                                   "source:", "exact:Kyiv", "+", "😀", "a AND OR b", "\x00"])
def test_search_never_fails_on_what_a_person_types(db, annotated, typed):
    listed = list_annotations(db, search=typed)
    assert isinstance(listed, list)
    assert count_annotations(db, search=typed) == len(listed)


def test_search_treats_operator_words_as_words(db, kursk):
    made = add_annotation_by_text(db, kursk["id"], kind="claim", text="Kursk Oblast",
                                  note="NOT confirmed AND disputed")
    assert ids(list_annotations(db, search="NOT confirmed")) == {made["id"]}
    assert ids(list_annotations(db, search='"disputed')) == {made["id"]}


def test_search_finds_words_next_to_emoji(db, annotated):
    assert ids(list_annotations(db, search="hold 😀")) == {annotated["emoji"]["id"]}


# --- sources ------------------------------------------------------------------------------


def test_a_source_is_found_whatever_the_case(db):
    made = ensure_source(db, SOURCE_NAME)
    assert find_source(db, "vadym SKIBITSKYI")["id"] == made["id"]
    assert find_source(db, "  Vadym Skibitskyi ")["id"] == made["id"]
    assert find_source(db, "Vadym") is None


def test_the_same_source_typed_in_another_case_is_one_source(db, kursk):
    first = add_annotation(db, kursk["id"], **VALID, source=SOURCE_NAME)
    second = add_annotation(db, kursk["id"], kind="quote", start=30, end=40,
                            source="VADYM   skibitskyi")
    assert first["source_id"] == second["source_id"]
    assert second["source"] == SOURCE_NAME
    assert table_count(db, "sources") == 1


def test_a_source_name_of_only_spaces_is_refused(db):
    with pytest.raises(ValidationError):
        ensure_source(db, "   ")


def test_an_annotation_with_a_blank_source_has_none(db, kursk):
    assert add_annotation(db, kursk["id"], **VALID, source="  ")["source"] is None
    assert table_count(db, "sources") == 0


def test_source_suggestions_match_the_start_of_the_name_first(db):
    for name in (SOURCE_NAME, "Volodymyr Zelensky", "DIU", "Kyrylo Budanov", "vadym Other"):
        ensure_source(db, name)
    assert {s["name"] for s in suggest_sources(db, "vad")} == {SOURCE_NAME, "vadym Other"}
    assert [s["name"] for s in suggest_sources(db, "Sk")] == [SOURCE_NAME]
    assert [s["name"] for s in suggest_sources(db, "bud")] == ["Kyrylo Budanov"]
    ensure_source(db, "Skadi Smith")
    assert [s["name"] for s in suggest_sources(db, "sk")] == ["Skadi Smith", SOURCE_NAME]


def test_source_suggestions_take_percent_and_underscore_literally(db):
    ensure_source(db, "Agency_X")
    ensure_source(db, "AgencyYX")
    ensure_source(db, "100% Media")
    assert [s["name"] for s in suggest_sources(db, "Agency_")] == ["Agency_X"]
    assert [s["name"] for s in suggest_sources(db, "%")] == []
    assert [s["name"] for s in suggest_sources(db, "100%")] == ["100% Media"]


def test_source_suggestions_without_a_prefix_list_sources_up_to_the_limit(db):
    for n in range(15):
        ensure_source(db, f"Source {n:02}")
    assert len(suggest_sources(db, "")) == 10
    assert len(suggest_sources(db, "", limit=3)) == 3


def test_a_sources_role_is_remembered_for_the_next_annotation(db, kursk):
    add_annotation(db, kursk["id"], **VALID, source=SOURCE_NAME,
                   role="Deputy Head of Defence Intelligence of Ukraine")
    later = add_annotation(db, kursk["id"], kind="quote", start=30, end=40, source=SOURCE_NAME)
    assert later["role"] == "Deputy Head of Defence Intelligence of Ukraine"
    assert find_source(db, SOURCE_NAME)["role"] == "Deputy Head of Defence Intelligence of Ukraine"


def test_a_new_role_replaces_the_remembered_one(db, kursk):
    ensure_source(db, SOURCE_NAME, role="Spokesperson")
    add_annotation(db, kursk["id"], **VALID, source=SOURCE_NAME, role="Deputy Head of DIU")
    assert find_source(db, SOURCE_NAME)["role"] == "Deputy Head of DIU"


def test_a_role_edited_on_an_annotation_is_remembered_for_its_source(db, kursk):
    created = add_annotation(db, kursk["id"], **VALID, source=SOURCE_NAME)
    edit_annotation(db, created["id"], role="Deputy Head of DIU")
    assert find_source(db, SOURCE_NAME)["role"] == "Deputy Head of DIU"
    assert get_annotation(db, created["id"])["role"] == "Deputy Head of DIU"


def test_the_whole_store_survives_a_restart(db_path):
    database = open_db(db_path)
    article, _ = add_article(database, kursk_draft())
    made = add_annotation_by_text(database, article["id"], kind="quote", text=QUOTE,
                                  source=SOURCE_NAME, confidence=85, grade="b2", tags=["dprk"])
    database.close()
    reopened = open_db(db_path)
    assert get_annotation(reopened, made["id"]) == made
    assert ids(list_annotations(reopened, search="recruitment")) == {made["id"]}
    reopened.close()
    assert os.path.getsize(db_path) > 0


# --- many annotations at once -------------------------------------------------------------


def bulk_rows(article_id: str) -> list[dict]:
    return [
        {"article_id": article_id, "kind": "quote", "start": KURSK_TEXT.index(QUOTE),
         "end": KURSK_TEXT.index(QUOTE) + len(QUOTE), "source": SOURCE_NAME,
         "role": "Deputy Head of DIU", "confidence": 85, "grade": "b2", "tags": ["dprk"]},
        {"article_id": article_id[:5], "kind": "claim", "start": 0, "end": 12,
         "source": "VADYM SKIBITSKYI", "note": "headline"},
        {"article_id": article_id, "kind": "claim", "start": 20, "end": 30},
    ]


def test_a_bulk_import_stores_what_single_adds_would(db, kursk):
    from store.bulk import add_annotations_bulk

    made = add_annotations_bulk(db, bulk_rows(kursk["id"]))
    stored = [get_annotation(db, annotation_id) for annotation_id in made]
    assert stored[0]["exact"] == QUOTE and stored[0]["grade"] == "B2"
    assert stored[0]["prefix"] == KURSK_TEXT[stored[0]["start"] - 32:stored[0]["start"]]
    assert stored[0]["role"] == "Deputy Head of DIU" and stored[0]["tags"] == ["dprk"]
    assert stored[1]["article_id"] == kursk["id"] and stored[1]["exact"] == KURSK_TEXT[:12]
    assert stored[1]["source_id"] == stored[0]["source_id"]
    assert stored[2]["source"] is None
    assert table_count(db, "sources") == 1
    assert ids(list_annotations(db, search="headline")) == {made[1]}
    assert ids(list_annotations(db, search="Skibitskyi")) == {made[0], made[1]}


def test_a_bulk_import_is_in_history_and_undone_from_its_last_row(db, kursk):
    from store.bulk import add_annotations_bulk

    made = add_annotations_bulk(db, bulk_rows(kursk["id"]))
    assert [history(db, i)[0]["action"] for i in made] == ["create"] * 3
    stored = db.execute("SELECT * FROM annotations WHERE id = ?", [made[0]]).fetchone()
    assert history(db, made[0])[0]["after"] == dict(zip(COLUMNS, stored))
    assert history(db, made[0])[0]["after"]["exact"] == QUOTE
    assert undo(db)["annotation"]["id"] == made[2]
    assert undo(db)["annotation"]["id"] == made[1]


def test_a_bulk_import_without_history_records_none(db, kursk):
    from store.bulk import add_annotations_bulk

    add_annotations_bulk(db, bulk_rows(kursk["id"]), record_history=False)
    assert table_count(db, "history") == 0 and table_count(db, "annotations") == 3


@pytest.mark.parametrize(("bad", "field"), [({"confidence": 101}, "confidence"),
                                            ({"grade": "G7"}, "grade"),
                                            ({"kind": "opinion"}, "kind"),
                                            ({"end": len(KURSK_TEXT) + 1}, "span")])
def test_one_bad_row_in_a_bulk_import_writes_nothing_and_is_named(db, kursk, bad, field):
    from store.bulk import add_annotations_bulk

    rows = bulk_rows(kursk["id"])
    rows[2].update(bad)
    with pytest.raises(ValidationError, match="^row 3: ") as caught:
        add_annotations_bulk(db, rows)
    assert caught.value.field == field
    for table in ("annotations", "history", "sources", "annotations_fts"):
        assert table_count(db, table) == 0


def test_a_bulk_import_into_a_missing_article_writes_nothing(db, kursk):
    from store.bulk import add_annotations_bulk

    rows = bulk_rows(kursk["id"]) + [{"article_id": "deadbeef", "kind": "claim", "start": 0,
                                      "end": 1}]
    with pytest.raises(NotFoundError):
        add_annotations_bulk(db, rows)
    assert table_count(db, "annotations") == 0


def test_a_bulk_import_with_an_id_already_stored_writes_nothing(db, kursk):
    from store.bulk import add_annotations_bulk

    existing = add_annotation(db, kursk["id"], **VALID)
    rows = bulk_rows(kursk["id"])
    rows[1]["id"] = existing["id"]
    with pytest.raises(ValidationError, match="not stored"):
        add_annotations_bulk(db, rows)
    assert table_count(db, "annotations") == 1 and table_count(db, "history") == 1
    assert table_count(db, "sources") == 0


def test_a_bulk_import_keeps_the_ids_it_is_given(db, kursk):
    from store.bulk import add_annotations_bulk

    rows = bulk_rows(kursk["id"])
    rows[0]["id"] = "urn:uuid:given-by-an-export"
    made = add_annotations_bulk(db, rows)
    assert made[0] == "urn:uuid:given-by-an-export"
    assert get_annotation(db, made[0])["exact"] == QUOTE


def test_a_bulk_import_of_nothing_writes_nothing(db):
    from store.bulk import add_annotations_bulk

    assert add_annotations_bulk(db, []) == []
    assert table_count(db, "annotations") == 0 and table_count(db, "history") == 0
