"""An article's metadata as the analyst corrects it, and the article's place in the library:
editing with history and undo, the accessed date, archive and trash, and older databases."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
import sqlite_utils

from store.annotations import (
    add_annotation_by_text,
    count_annotations,
    delete_annotation,
    list_annotations,
    undo,
)
from store.articles import (
    add_article,
    archive_article,
    delete_article,
    edit_article,
    get_article,
    list_articles,
    restore_article,
    unarchive_article,
)
from store.citations import cite_article, csl_item
from store.db import open_db
from store.errors import ValidationError

TEXT = ("Kyiv says North Korean troops are in Kursk Oblast.\n\n"
        "“They guard the border,” the spokesman said.\n")
URL = "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/"


def draft(**fields) -> SimpleNamespace:
    values = {"text": TEXT, "title": "Old title", "authors": ["Olga Katsimon"],
              "outlet": "Ukrainska Pravda", "url": URL, "published": "2025-09-07",
              "section": None, "language": "en", "source": "test", "format": "txt"}
    values.update(fields)
    return SimpleNamespace(**values)


@pytest.fixture
def db(tmp_path: Path):
    database = open_db(tmp_path / "margin.db")
    yield database
    database.close()


@pytest.fixture
def article(db) -> dict:
    return add_article(db, draft())[0]


def dump(db) -> list[str]:
    return list(db.conn.iterdump())


# --- editing ----------------------------------------------------------------------------------

def test_editing_every_field_stores_it_and_the_citation_follows_at_once(db, article):
    edit_article(db, article["id"], title="Troops in Kursk", authors=["Anna Smith", "Olga Katsimon"],
                 outlet="Pravda", url="https://example.org/kursk", published="2025-09-08T10:00+03:00",
                 section="War", accessed="2025-09-10")
    stored = get_article(db, article["id"])
    assert (stored["title"], stored["authors"], stored["outlet"], stored["url"],
            stored["published"], stored["section"], stored["accessed"]) == (
        "Troops in Kursk", ["Anna Smith", "Olga Katsimon"], "Pravda", "https://example.org/kursk",
        "2025-09-08T10:00+03:00", "War", "2025-09-10")
    assert cite_article(stored, "apa") == (
        "Smith, A., & Katsimon, O. (2025, September 8). Troops in Kursk. Pravda. "
        "https://example.org/kursk")


def test_authors_given_on_one_line_are_split_at_semicolons_in_their_order(db, article):
    edit_article(db, article["id"], authors="Zoe Young; Anna Smith ;; Zoe Young")
    assert get_article(db, article["id"])["authors"] == ["Zoe Young", "Anna Smith"]


def test_an_author_in_braces_is_an_organisation_and_cited_as_written(db, article):
    edit_article(db, article["id"], authors="{Human Rights Watch}")
    stored = get_article(db, article["id"])
    assert stored["authors"] == ["{Human Rights Watch}"]
    assert csl_item(stored)["author"] == [{"literal": "Human Rights Watch"}]
    assert cite_article(stored, "apa").startswith("Human Rights Watch. (2025, September 7).")


def test_blank_fields_clear_what_may_be_empty(db, article):
    edit_article(db, article["id"], authors=[], outlet="  ", url="", published="", section="")
    stored = get_article(db, article["id"])
    assert (stored["authors"], stored["outlet"], stored["url"], stored["published"],
            stored["section"]) == ([], None, None, None, None)


@pytest.mark.parametrize("field, value, words", [
    ("title", "   ", "title"),
    ("published", "yesterday", "not a date"),
    ("published", "2025-02-30", "not a date"),
    ("accessed", "10/09/2025", "not a date"),
    ("url", "pravda.com.ua/eng", "web address"),
    ("url", "ftp://example.org/x", "web address"),
    ("authors", "{Human Rights Watch", "brace"),
])
def test_a_bad_value_is_refused_naming_its_field_and_nothing_changes(db, article, field, value,
                                                                     words):
    before = dump(db)
    with pytest.raises(ValidationError) as raised:
        edit_article(db, article["id"], **{field: value})
    assert raised.value.field == field
    assert words in str(raised.value)
    assert dump(db) == before


def test_a_field_that_is_not_metadata_is_refused(db, article):
    with pytest.raises(ValidationError, match="text"):
        edit_article(db, article["id"], text="new words")


def test_an_edit_that_changes_nothing_records_no_history(db, article):
    edit_article(db, article["id"], title="Old title", outlet="Ukrainska Pravda")
    assert undo(db) is None


# --- history and undo -------------------------------------------------------------------------

def test_undo_puts_back_the_metadata_an_edit_replaced_also_after_a_restart(tmp_path):
    path = tmp_path / "margin.db"
    db = open_db(path)
    made = add_article(db, draft())[0]
    edit_article(db, made["id"], title="New title", authors="{Reuters}", published="2025-09-09")
    db.close()

    reopened = open_db(path)
    result = undo(reopened)
    assert result["subject"] == "article" and result["action"] == "edit"
    assert result["article"]["title"] == "Old title"
    stored = get_article(reopened, made["id"])
    assert (stored["title"], stored["authors"], stored["published"]) == (
        "Old title", ["Olga Katsimon"], "2025-09-07")
    assert undo(reopened) is None
    reopened.close()


def test_undo_in_one_article_walks_back_its_edits_and_annotations_in_order(db, article):
    note = add_annotation_by_text(db, article["id"], kind="claim", text="North Korean troops")
    edit_article(db, article["id"], title="Second title")
    delete_annotation(db, note["id"])

    assert undo(db, article["id"])["action"] == "delete"
    assert undo(db, article["id"])["subject"] == "article"
    assert get_article(db, article["id"])["title"] == "Old title"
    result = undo(db, article["id"])
    assert (result["subject"], result["action"]) == ("annotation", "create")


# --- the accessed date ------------------------------------------------------------------------

def test_an_import_is_accessed_on_the_day_it_was_imported(db, article):
    assert article["accessed"] == date.today().isoformat()
    assert get_article(db, article["id"])["accessed"] == date.today().isoformat()


def test_the_csl_item_carries_the_accessed_date(db, article):
    edit_article(db, article["id"], accessed="2025-09-10")
    assert csl_item(get_article(db, article["id"]))["accessed"] == {"date-parts": [[2025, 9, 10]]}


def test_an_undated_articles_citations_give_the_day_it_was_read(db):
    undated = add_article(db, draft(published=None))[0]
    edit_article(db, undated["id"], accessed="2025-09-10")
    stored = get_article(db, undated["id"])
    assert cite_article(stored, "mla") == (
        "Katsimon, Olga. “Old Title.” Ukrainska Pravda, " + URL + ". Accessed 10 Sept. 2025.")
    assert cite_article(stored, "chicago-note") == (
        "Olga Katsimon, “Old Title,” Ukrainska Pravda, n.d., accessed September 10, 2025, "
        + URL + ".")
    assert cite_article(stored, "apa") == (
        "Katsimon, O. (n.d.). Old title. Ukrainska Pravda. Retrieved September 10, 2025, from "
        + URL)


def test_a_dated_articles_citations_leave_the_day_read_out(db, article):
    edit_article(db, article["id"], accessed="2025-09-10")
    stored = get_article(db, article["id"])
    for style in ("mla", "chicago-note", "chicago-bib", "apa"):
        assert "2025-09-10" not in cite_article(stored, style)
        assert "September 10" not in cite_article(stored, style)
        assert "10 Sept." not in cite_article(stored, style)


# --- archive and trash ------------------------------------------------------------------------

def ids(rows: list[dict]) -> list[str]:
    return [row["id"] for row in rows]


def test_an_archived_article_leaves_the_library_and_comes_back(db, article):
    other = add_article(db, draft(text="Another article.", title="Other"))[0]
    archive_article(db, article["id"])
    assert ids(list_articles(db)) == [other["id"]]
    assert ids(list_articles(db, state="archived")) == [article["id"]]
    unarchive_article(db, article["id"])
    assert set(ids(list_articles(db))) == {article["id"], other["id"]}
    assert list_articles(db, state="archived") == []


def test_a_trashed_article_is_listed_only_in_the_trash_until_restored(db, article):
    delete_article(db, article["id"])
    assert list_articles(db) == []
    assert ids(list_articles(db, state="trash")) == [article["id"]]
    restore_article(db, article["id"])
    assert ids(list_articles(db)) == [article["id"]]
    assert list_articles(db, state="trash") == []


def test_undo_brings_a_trashed_article_back(db, article):
    delete_article(db, article["id"])
    result = undo(db)
    assert (result["subject"], result["action"]) == ("article", "delete")
    assert ids(list_articles(db)) == [article["id"]]


def test_trashing_an_article_already_in_the_trash_is_refused(db, article):
    delete_article(db, article["id"])
    with pytest.raises(ValidationError, match="already in the trash"):
        delete_article(db, article["id"])


def test_an_article_in_the_trash_takes_its_annotations_out_of_every_listing_until_restored(
        db, article):
    other = add_article(db, draft(text="The bridge held.", title="Other"))[0]
    kept = add_annotation_by_text(db, other["id"], kind="claim", text="bridge held")
    trashed = add_annotation_by_text(db, article["id"], kind="claim", text="Kursk Oblast")
    removed = add_annotation_by_text(db, article["id"], kind="quote", text="They guard the border")
    delete_annotation(db, removed["id"])
    delete_article(db, article["id"])
    assert ids(list_annotations(db)) == [kept["id"]]
    assert count_annotations(db) == 1
    assert list_annotations(db, article_id=article["id"]) == []
    assert list_annotations(db, search="Kursk") == []
    # Deleted annotations of a trashed article are gone with it too; of a live one, listed.
    assert list_annotations(db, deleted=True) == []
    assert count_annotations(db, deleted=None) == 1
    restore_article(db, article["id"])
    assert set(ids(list_annotations(db))) == {kept["id"], trashed["id"]}
    assert ids(list_annotations(db, deleted=True)) == [removed["id"]]
    assert count_annotations(db) == 2


def test_an_archived_articles_annotations_stay_listed(db, article):
    annotation = add_annotation_by_text(db, article["id"], kind="claim", text="Kursk Oblast")
    archive_article(db, article["id"])
    assert ids(list_annotations(db)) == [annotation["id"]]
    assert count_annotations(db) == 1


# --- keeping the outlet's capitals as typed ------------------------------------------------

NOCASE = '<span class="nocase">{}</span>'


def test_keeping_an_outlets_capitals_protects_the_whole_name_and_not_keeping_takes_it_off():
    from store.metadata import outlet_as_stored

    assert outlet_as_stored("the  Kyiv independent ", True) == NOCASE.format("the Kyiv independent")
    assert outlet_as_stored(NOCASE.format("the Kyiv independent"), False) == "the Kyiv independent"
    assert outlet_as_stored("the Kyiv independent", False) == "the Kyiv independent"
    assert outlet_as_stored("", True) == ""


def test_an_outlet_that_keeps_its_capitals_by_itself_is_stored_without_markup():
    from store.metadata import outlet_as_stored

    assert outlet_as_stored("rt.com", True) == "rt.com"
    assert outlet_as_stored(NOCASE.format("iStories"), True) == "iStories"


def test_a_protected_part_of_an_outlet_stays_when_the_whole_is_not_kept():
    from store.metadata import outlet_as_stored
    from store.nocase import protected_whole

    partly = NOCASE.format("novaya") + " gazeta Europe"
    assert not protected_whole(partly)
    assert protected_whole(NOCASE.format("novaya gazeta"))
    assert outlet_as_stored(partly, False) == partly


# --- an older database ------------------------------------------------------------------------

def test_a_version_2_database_upgrades_keeping_its_history_and_dating_access_by_import(tmp_path):
    from store.db import MIGRATIONS, SCHEMA_VERSION

    path = tmp_path / "old.db"
    old = sqlite_utils.Database(sqlite3.connect(path))
    MIGRATIONS.apply(old, stop_before="0003_article_metadata")
    assert old.execute("PRAGMA user_version").fetchone()[0] == 2
    imported_at = "2025-09-07T21:30:00.000000+00:00"
    old["articles"].insert({"id": "a1b2c3d4", "title": "Old", "authors": '["Olga Katsimon"]',
                            "text": TEXT, "text_sha256": "x" * 64, "imported_at": imported_at})
    snapshot = {"id": "n1", "article_id": "a1b2c3d4", "kind": "claim", "start": 0, "end": 4,
                "exact": "Kyiv", "prefix": "", "suffix": "", "source_id": None, "via": None,
                "confidence": None, "grade": None, "note": None, "tags": "[]",
                "created_at": imported_at, "updated_at": imported_at, "deleted_at": None}
    old["annotations"].insert(snapshot)
    old["history"].insert({"annotation_id": "n1", "article_id": "a1b2c3d4", "action": "create",
                           "before": None, "after": json.dumps(snapshot), "at": imported_at,
                           "undone": 0})
    old.conn.commit()
    old.close()

    db = open_db(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    local_day = datetime.fromisoformat(imported_at).astimezone().date().isoformat()
    assert get_article(db, "a1b2c3d4")["accessed"] == local_day
    assert ids(list_articles(db)) == ["a1b2c3d4"]
    result = undo(db)
    assert (result["subject"], result["action"]) == ("annotation", "create")
    assert result["annotation"]["deleted_at"] is not None
    edit_article(db, "a1b2c3d4", title="Corrected")
    assert undo(db)["article"]["title"] == "Old"
    db.close()
