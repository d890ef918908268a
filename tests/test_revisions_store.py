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
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 7
    revisions = [dict(zip(("article_id", "number", "text", "sha", "retrieved_at", "title"), row))
                 for row in db.execute("SELECT article_id, number, text, text_sha256, "
                                       "retrieved_at, title FROM revisions")]
    assert revisions == [{"article_id": "a1b2c3d4", "number": 1, "text": FIRST, "sha": "f" * 64,
                          "retrieved_at": imported_at, "title": "Harbour wall approved"}]
    stored = get_article(db, "a1b2c3d4")
    assert (stored["revision"], stored["read_revision"], stored["text"]) == (1, None, FIRST)
    raw = db.execute("SELECT * FROM annotations").fetchone()
    columns = [c[0] for c in db.execute("SELECT * FROM annotations").description]
    # Made in this copy by someone it cannot name: the origin is this copy's, the analyst unknown.
    copy = db.execute("SELECT id FROM local_copy").fetchone()[0]
    # Never shared with a team's server, it is still to be sent.
    assert dict(zip(columns, raw)) == {**annotation, "revision": 1, "analyst": None,
                                       "origin": copy, "unsent": 1}
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


# --- adding a revision ------------------------------------------------------------------------

# The same page, edited: an update note on top, the quote's marks and words kept, the
# engineers' paragraph removed.
SECOND = ("Update: this article was corrected on 5 March.\n\n" + FIRST).replace(
    "\n\nEngineers warned that the old barrier had cracked in two places.", "")


def annotate(db, article_id: str) -> dict[str, dict]:
    """A claim, a quote, a deleted claim on the first revision; returns them by words."""
    made = {
        "council": add_annotation_by_text(db, article_id, kind="claim",
                                          text="6,000 homes were at risk"),
        "quote": add_annotation_by_text(db, article_id, kind="quote",
                                        text="We will build the wall before winter"),
        "engineers": add_annotation_by_text(db, article_id, kind="claim",
                                            text="the old barrier had cracked in two places"),
        "deleted": add_annotation_by_text(db, article_id, kind="claim",
                                          text="publish its own survey"),
    }
    from store.annotations import delete_annotation

    delete_annotation(db, made["deleted"]["id"])
    return made


def test_a_new_text_at_the_same_address_adds_a_revision_and_anchors_every_annotation(db, article):
    made = annotate(db, article["id"])
    result = import_article(db, draft(SECOND))
    assert result.state == "revised"
    assert result.article["id"] == article["id"]
    # Counted over the live annotations: the deleted one is anchored but not counted.
    assert result.counts == {"exact": 0, "moved": 2, "changed": 0, "orphan": 1}
    stored = get_article(db, article["id"])
    assert (stored["revision"], stored["text"]) == (2, SECOND)
    texts = [row[0] for row in db.execute(
        "SELECT text FROM revisions WHERE article_id = ? ORDER BY number", [article["id"]])]
    assert texts == [FIRST, SECOND]
    anchors = dict(db.execute("SELECT annotation_id, kind FROM anchors WHERE revision = 2"
                              ).fetchall())
    assert anchors == {made["council"]["id"]: "moved", made["quote"]["id"]: "moved",
                       made["engineers"]["id"]: "orphan", made["deleted"]["id"]: "moved"}


def test_reading_an_anchored_annotation_gives_its_place_in_the_newest_text(db, article):
    made = annotate(db, article["id"])
    import_article(db, draft(SECOND))
    council = get_annotation(db, made["council"]["id"])
    start = SECOND.index("6,000 homes were at risk")
    assert (council["start"], council["end"]) == (start, start + len("6,000 homes were at risk"))
    assert (council["anchor"], council["current"], council["revision"]) == (
        "moved", "6,000 homes were at risk", 1)
    # The selectors as made are kept beside the place now.
    assert (council["made_start"], council["made_end"]) == (made["council"]["start"],
                                                            made["council"]["end"])
    assert council["exact"] == FIRST[council["made_start"]:council["made_end"]]
    engineers = get_annotation(db, made["engineers"]["id"])
    assert (engineers["start"], engineers["end"], engineers["current"]) == (None, None, None)
    assert engineers["anchor"] == "orphan" and engineers["reason"]
    assert engineers["exact"] == "the old barrier had cracked in two places"
    raw = db.execute('SELECT start, "end", exact, revision FROM annotations WHERE id = ?',
                     [made["engineers"]["id"]]).fetchone()
    assert raw == (made["engineers"]["start"], made["engineers"]["end"],
                   "the old barrier had cracked in two places", 1)


def test_the_same_text_again_is_unchanged_and_writes_nothing(db, article, tmp_path):
    annotate(db, article["id"])
    before = list(db.conn.iterdump())
    result = import_article(db, draft(FIRST))
    assert (result.state, result.article["id"]) == ("unchanged", article["id"])
    assert list(db.conn.iterdump()) == before


def test_a_revision_of_an_unknown_article_is_refused_and_writes_nothing(db, article):
    before = list(db.conn.iterdump())
    with pytest.raises(NotFoundError, match="no article"):
        import_article(db, draft(SECOND, url=None), revision_of="ffffffff")
    assert list(db.conn.iterdump()) == before


def test_revision_of_adds_a_revision_whatever_the_address(db, article):
    result = import_article(db, draft(SECOND, url="https://mirror.example/other"),
                            revision_of=article["id"][:6])
    assert (result.state, result.article["id"], result.article["revision"]) == (
        "revised", article["id"], 2)


def test_a_text_at_the_address_of_an_article_in_the_trash_is_a_new_article(db, article):
    from store.articles import delete_article

    delete_article(db, article["id"])
    result = import_article(db, draft(SECOND))
    assert result.state == "imported" and result.article["id"] != article["id"]


def test_each_annotation_is_anchored_from_the_revision_it_was_made_on(db, article):
    import_article(db, draft(SECOND))
    later = add_annotation_by_text(db, article["id"], kind="claim",
                                   text="this article was corrected on 5 March")
    assert later["revision"] == 2
    third = SECOND.replace("Update: this article was corrected on 5 March.\n\n",
                           "Update: this article was corrected on 5 March.\n\nNew lead.\n\n")
    import_article(db, draft(third))
    read = get_annotation(db, later["id"])
    assert (read["anchor"], read["current"], read["revision"]) == (
        "exact", "this article was corrected on 5 March", 2)
    assert third[read["start"]:read["end"]] == "this article was corrected on 5 March"


def test_a_quote_that_lost_its_quotation_marks_is_not_verified(db, article):
    quote = add_annotation_by_text(db, article["id"], kind="quote",
                                   text="We will build the wall before winter")
    claim = add_annotation_by_text(db, article["id"], kind="claim", text="6,000 homes")
    assert get_annotation(db, quote["id"])["verified"] == 1
    unquoted = FIRST.replace("“We will build the wall before winter,”",
                             "We will build the wall before winter,")
    import_article(db, draft(unquoted))
    read = get_annotation(db, quote["id"])
    assert read["current"] == "We will build the wall before winter"
    assert read["verified"] == 0
    assert get_annotation(db, claim["id"])["verified"] is None


def test_a_quote_still_verbatim_within_its_marks_is_verified(db, article):
    quote = add_annotation_by_text(db, article["id"], kind="quote",
                                   text="We will build the wall before winter")
    import_article(db, draft(SECOND))
    assert get_annotation(db, quote["id"])["verified"] == 1


def test_a_revision_keeps_the_title_the_analyst_set_and_follows_one_never_edited(db, article):
    edit_article(db, article["id"], title="Council approves harbour wall")
    import_article(db, draft(SECOND, title="Harbour wall approved, with changes",
                             published="2025-03-05"))
    stored = get_article(db, article["id"])
    assert stored["title"] == "Council approves harbour wall"
    assert stored["published"] == "2025-03-05"
    row = db.execute("SELECT title, published FROM revisions WHERE article_id = ? AND number = 2",
                     [article["id"]]).fetchone()
    assert row == ("Harbour wall approved, with changes", "2025-03-05")


def test_an_edit_of_an_old_annotations_note_keeps_its_selectors_on_its_revision(db, article):
    made = annotate(db, article["id"])
    import_article(db, draft(SECOND))
    council = get_annotation(db, made["council"]["id"])
    # The form hands back the place it shows, in the newest text: no new selection.
    edited = edit_annotation(db, council["id"], note="checked", start=council["start"],
                             end=council["end"])
    assert (edited["note"], edited["revision"], edited["made_start"]) == (
        "checked", 1, made["council"]["start"])
    assert edited["anchor"] == "moved"


def test_a_new_span_is_a_new_selection_on_the_newest_revision_and_undo_reverts_it(db, article):
    made = annotate(db, article["id"])
    import_article(db, draft(SECOND))
    start = SECOND.index("6,000 homes")
    edited = edit_annotation(db, made["council"]["id"], start=start, end=start + 11)
    assert (edited["revision"], edited["exact"], edited["anchor"]) == (2, "6,000 homes", "exact")
    assert (edited["start"], edited["made_start"]) == (start, start)
    undone = undo(db)["annotation"]
    assert (undone["revision"], undone["exact"], undone["anchor"]) == (
        1, "6,000 homes were at risk", "moved")


def test_a_new_annotation_on_a_revised_article_is_made_on_the_newest_revision(db, article):
    import_article(db, draft(SECOND))
    made = add_annotation_by_text(db, article["id"], kind="claim", text="6,000 homes")
    assert made["revision"] == 2 and made["anchor"] == "exact"


# --- what the analyst does with an anchor -----------------------------------------------------

def test_orphans_lists_the_live_annotations_that_lost_their_place(db, article):
    made = annotate(db, article["id"])
    import_article(db, draft(SECOND))
    assert [row["id"] for row in orphans(db, article["id"])] == [made["engineers"]["id"]]


def test_reattaching_an_orphan_places_it_keeps_its_selectors_and_undo_takes_it_back(db, article):
    made = annotate(db, article["id"])
    import_article(db, draft(SECOND))
    start = SECOND.index("The river authority")
    placed = reattach(db, made["engineers"]["id"], start, start + len("The river authority"))
    assert (placed["anchor"], placed["start"], placed["current"]) == (
        "changed", start, "The river authority")
    assert placed["reviewed_at"] is not None
    raw = db.execute('SELECT start, "end", exact, revision FROM annotations WHERE id = ?',
                     [placed["id"]]).fetchone()
    assert raw == (made["engineers"]["start"], made["engineers"]["end"],
                   "the old barrier had cracked in two places", 1)
    assert orphans(db, article["id"]) == []
    result = undo(db)
    assert (result["action"], result["annotation"]["anchor"]) == ("reattach", "orphan")
    assert result["annotation"]["start"] is None
    assert [row["id"] for row in orphans(db, article["id"])] == [placed["id"]]


def test_a_reattached_annotation_is_carried_from_its_new_place_to_the_next_revision(db, article):
    made = annotate(db, article["id"])
    import_article(db, draft(SECOND))
    start = SECOND.index("The river authority")
    reattach(db, made["engineers"]["id"], start, start + len("The river authority"))
    import_article(db, draft("Another update.\n\n" + SECOND))
    read = get_annotation(db, made["engineers"]["id"])
    assert (read["anchor"], read["current"], read["revision"]) == (
        "changed", "The river authority", 1)
    assert read["reviewed_at"] is not None


def test_reattaching_needs_a_span_of_the_newest_text_and_writes_nothing_otherwise(db, article):
    made = annotate(db, article["id"])
    with pytest.raises(ValidationError, match="newest text"):
        reattach(db, made["council"]["id"], 0, 5)
    import_article(db, draft(SECOND))
    before = list(db.conn.iterdump())
    with pytest.raises(ValidationError, match="outside the article"):
        reattach(db, made["engineers"]["id"], 10, len(SECOND) + 5)
    assert list(db.conn.iterdump()) == before


def test_accepting_a_changed_anchor_marks_it_reviewed_and_undo_marks_it_changed_again(db, article):
    made = annotate(db, article["id"])
    edited = SECOND.replace("6,000 homes were at risk", "7,000 homes were at risk")
    import_article(db, draft(edited))
    start = edited.index("7,000 homes were at risk")
    # The anchor as the engine stores a passage whose words were edited.
    db.execute("""UPDATE anchors SET kind = 'changed', start = ?, "end" = ?, current = ?,
                  reason = 'a number changed' WHERE annotation_id = ?""",
               [start, start + 24, "7,000 homes were at risk", made["council"]["id"]])
    db.conn.commit()
    accepted = accept_anchor(db, made["council"]["id"])
    assert (accepted["anchor"], accepted["current"]) == ("changed", "7,000 homes were at risk")
    assert accepted["reviewed_at"] is not None
    with pytest.raises(ValidationError, match="already accepted"):
        accept_anchor(db, made["council"]["id"])
    result = undo(db)
    assert (result["action"], result["annotation"]["reviewed_at"]) == ("accept", None)
    with pytest.raises(ValidationError, match="not changed"):
        accept_anchor(db, made["quote"]["id"])


# --- citing -----------------------------------------------------------------------------------

def test_an_orphan_is_cited_from_the_revision_it_was_made_on_as_accessed_then(db, article):
    made = annotate(db, article["id"])
    db.execute("UPDATE revisions SET retrieved_at = '2025-03-04T10:00:00+00:00' "
               "WHERE article_id = ? AND number = 1", [article["id"]])
    db.conn.commit()
    import_article(db, draft(SECOND))
    orphan = get_annotation(db, made["engineers"]["id"])
    cited = cited_article(db, orphan)
    assert (cited["accessed"], cited["revision"], cited["text"]) == ("2025-03-04", 1, FIRST)
    placed = get_annotation(db, made["council"]["id"])
    assert cited_article(db, placed)["accessed"] == get_article(db, article["id"])["accessed"]
    from store.citations import cite_annotation

    item = json.loads(cite_annotation(orphan, cited, "csl-json"))
    item = item[0] if isinstance(item, list) else item
    assert item["accessed"] == {"date-parts": [[2025, 3, 4]]}


def test_words_since_edited_are_cited_from_their_own_revision_even_once_accepted(db, article):
    made = annotate(db, article["id"])
    db.execute("UPDATE revisions SET retrieved_at = '2025-03-04T10:00:00+00:00' "
               "WHERE article_id = ? AND number = 1", [article["id"]])
    db.conn.commit()
    import_article(db, draft(FIRST.replace("6,000 homes", "7,000 homes")))
    changed = get_annotation(db, made["council"]["id"])
    assert (changed["anchor"], changed["current"]) == ("changed", "7,000 homes were at risk")
    # "6,000" is only in the first revision: a citation of it must name that one.
    cited = cited_article(db, changed)
    assert (cited["accessed"], cited["revision"], cited["text"]) == ("2025-03-04", 1, FIRST)
    accept_anchor(db, changed["id"])
    assert cited_article(db, get_annotation(db, changed["id"]))["accessed"] == "2025-03-04"
    # Words that stand verbatim in the newest text are cited from it.
    quote = get_annotation(db, made["quote"]["id"])
    assert cited_article(db, quote)["accessed"] == get_article(db, article["id"])["accessed"]


# --- interchange ------------------------------------------------------------------------------

def test_an_export_read_back_after_a_revision_finds_every_annotation_unchanged(db, article):
    import io

    from store.export import export
    from store.interchange import import_annotations

    annotate(db, article["id"])
    import_article(db, draft(SECOND))
    for fmt in ("jsonl", "w3c"):
        out = io.StringIO()
        export(db, fmt, out=out)
        before = list(db.conn.iterdump())
        report = import_annotations(db, out.getvalue())
        # Selectors are exported as made, on the revision each was made on.
        assert (report.rejected, report.unchanged, report.added) == ([], 3, 0), fmt
        assert list(db.conn.iterdump()) == before


def test_annotations_added_in_bulk_to_a_revised_article_are_made_on_its_newest_revision(
        db, article):
    from store.bulk import add_annotations_bulk

    import_article(db, draft(SECOND))
    start = SECOND.index("6,000")
    [made] = add_annotations_bulk(db, [{"article_id": article["id"], "kind": "claim",
                                        "start": start, "end": start + 5}])
    read = get_annotation(db, made)
    assert (read["revision"], read["anchor"], read["current"]) == (2, "exact", SECOND[start:start + 5])
