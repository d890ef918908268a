"""Sharing copies through a real PostgreSQL server: what travels, how versions merge, what a
conflict keeps, and what a sync cut short leaves (store.sync).

Three local copies (Ana's, Bob's and Cy's SQLite files) sync with one throwaway server
(``pg_database``) as analysts' copies would, each with its own connection.
"""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from types import SimpleNamespace

import psycopg
import pytest

from store.annotations import (add_annotation_by_text, delete_annotation, edit_annotation,
                               get_annotation, history, list_annotations, undo)
from store.articles import archive_article, edit_article, get_article
from store.bulk import add_annotations_bulk
from store.db import open_db
from store.ingest import read_source
from store.query import parse_filter
from store.revisions.adding import import_article
from store.revisions.anchors import accept_anchor
from store.revisions.texts import list_revisions
from store.sync import list_conflicts, resolve_conflict, sync
from store.sync.incoming import CHUNK, OVERLAP

ARTICLE = Path(__file__).resolve().parents[2] / "shared" / "corpus" / \
    "ukrainska-pravda-2025-09-07-kursk.txt"


@pytest.fixture
def team(tmp_path, pg_database):
    """Three copies and a server; Ana has imported the Kursk article and shared it."""
    copies = SimpleNamespace(url=pg_database, paths={})
    for name in ("ana", "bob", "cy"):
        copies.paths[name] = tmp_path / f"{name}.db"
        setattr(copies, name, open_db(copies.paths[name], analyst=name.title()))
    copies.article = import_article(copies.ana, read_source(str(ARTICLE))).article
    sync(copies.ana, copies.url)
    sync(copies.bob, copies.url)
    sync(copies.cy, copies.url)
    return copies


def annotate(db, article_id, text, **fields):
    fields.setdefault("kind", "claim")
    return add_annotation_by_text(db, article_id, text=text, occurrence=1, **fields)


def contents(db) -> list[tuple]:
    """Every annotation (deleted ones too) as a copy holds it, without its local ids."""
    return sorted((row["id"], row["kind"], row["start"], row["end"], row["exact"], row["source"],
                   row["confidence"], row["note"], tuple(row["tags"]), bool(row["deleted_at"]),
                   row["updated_at"], row["analyst"], row["origin"])
                  for row in list_annotations(db, deleted=None))


def server_rows(url: str, table: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(f"SELECT count(*) FROM margin.{table}").fetchone()[0]


def dump(db) -> list[str]:
    """The whole database as SQL: equal dumps, equal databases."""
    return list(db.conn.iterdump())


def sync_each(team, *names):
    return [sync(getattr(team, name), team.url) for name in names]


# --- what travels ----------------------------------------------------------------------------

def test_an_annotation_made_in_one_copy_reaches_the_others_with_its_source_and_maker(team):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast", kind="quote",
                    source="Oleksandr Syrskyi", role="Commander-in-Chief", confidence=70,
                    grade="B2", note="first claim", tags=["troops"])

    sent = sync(team.ana, team.url)
    got = sync(team.bob, team.url)

    assert (sent.sent_annotations, got.received_annotations) == (1, 1)
    there = get_annotation(team.bob, made["id"])
    assert (there["exact"], there["start"], there["end"]) == ("Kursk Oblast", made["start"],
                                                              made["end"])
    assert (there["source"], there["role"], there["confidence"], there["grade"],
            there["note"], there["tags"]) == ("Oleksandr Syrskyi", "Commander-in-Chief", 70,
                                              "B2", "first claim", ["troops"])
    assert (there["analyst"], there["origin"]) == ("Ana", made["origin"])
    assert there["article_id"] == team.article["id"]
    assert contents(team.bob) == contents(team.ana)


def test_a_replayed_sync_changes_nothing_here_or_on_the_server(team):
    annotate(team.ana, team.article["id"], "Kursk Oblast", source="Syrskyi")
    annotate(team.bob, team.article["id"], "North Korean", source="Budanov")
    sync_each(team, "ana", "bob", "ana")
    before = {name: dump(getattr(team, name)) for name in ("ana", "bob")}
    rows = [server_rows(team.url, table) for table in ("articles", "revisions", "annotations")]

    again = sync_each(team, "ana", "bob")

    assert [(r.received_annotations, r.sent_annotations, r.conflicts) for r in again] == \
        [(0, 0, 0), (0, 0, 0)]
    # Only the time of the last sync moves.
    for name in ("ana", "bob"):
        after = dump(getattr(team, name))
        assert [line for line in after if "sync_server" not in line] == \
            [line for line in before[name] if "sync_server" not in line]
    assert [server_rows(team.url, table) for table in ("articles", "revisions", "annotations")] \
        == rows


@pytest.mark.parametrize("read_again", [True, False])
def test_a_copy_that_lost_its_record_of_what_it_sent_sends_nothing_twice(team, read_again):
    text = get_article(team.ana, team.article["id"])["text"]
    add_annotations_bulk(team.ana, [{"article_id": team.article["id"], "kind": "claim",
                                     "start": start, "end": start + 5}
                                    for start in range(0, 2 * OVERLAP)])
    sync(team.ana, team.url)
    # As if the sync had stopped after the server committed, before this copy noted it: read
    # from the start again, the copy recognises its own versions; read from its mark (which
    # re-reads only the overlap), it sends most of them again, and the server skips them.
    team.ana.execute("DELETE FROM sync_base")
    team.ana.execute("DELETE FROM sync_versions")
    team.ana.execute("UPDATE annotations SET unsent = 1")
    if read_again:
        team.ana.execute("UPDATE sync_server SET watermark = 0")
    team.ana.conn.commit()
    rows = server_rows(team.url, "annotations")

    report = sync(team.ana, team.url)

    assert (report.sent_annotations > 0) is not read_again
    assert report.conflicts == 0
    assert server_rows(team.url, "annotations") == rows
    assert list_conflicts(team.ana) == []
    assert sync(team.ana, team.url).sent_annotations == 0
    assert len(text) > 2 * OVERLAP


def test_article_metadata_archiving_and_new_revisions_travel_and_anchor_there(team):
    made = annotate(team.bob, team.article["id"], "despite receiving less media attention",
                    kind="quote")
    sync(team.bob, team.url)
    edit_article(team.ana, team.article["id"], title="Troops in Kursk", authors=["A. Writer"])
    archive_article(team.ana, team.article["id"])
    draft = read_source(str(ARTICLE))
    revised = dataclasses.replace(draft, text=draft.text.replace(
        "despite receiving less media attention", "despite receiving less media coverage"))
    import_article(team.ana, revised, revision_of=team.article["id"])
    sync_each(team, "ana", "bob")

    article = get_article(team.bob, team.article["id"])
    assert (article["title"], article["authors"]) == ("Troops in Kursk", ["A. Writer"])
    assert article["archived_at"] is not None
    assert [r["number"] for r in list_revisions(team.bob, team.article["id"])] == [1, 2]
    assert article["text"] == revised.text
    # Bob's quote, made on the first text, now has its place in the second, placed here.
    there = get_annotation(team.bob, made["id"])
    assert there["anchor"] == "changed"
    assert there["current"] == "despite receiving less media coverage"
    assert get_annotation(team.ana, made["id"])["current"] == there["current"]


def test_accepting_a_changed_place_travels_to_the_team(team):
    made = annotate(team.ana, team.article["id"], "despite receiving less media attention",
                    kind="quote")
    draft = read_source(str(ARTICLE))
    import_article(team.ana, dataclasses.replace(draft, text=draft.text.replace(
        "despite receiving less media attention", "despite receiving less media coverage")),
        revision_of=team.article["id"])
    sync_each(team, "ana", "bob")
    assert get_annotation(team.bob, made["id"])["reviewed_at"] is None

    accept_anchor(team.ana, made["id"])
    sync_each(team, "ana", "bob")

    assert get_annotation(team.bob, made["id"])["reviewed_at"] == \
        get_annotation(team.ana, made["id"])["reviewed_at"] is not None


def test_an_undo_travels_as_a_change_made_after_the_one_it_reverses(team):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast", confidence=40)
    sync(team.ana, team.url)
    edit_annotation(team.ana, made["id"], confidence=90)
    sync_each(team, "ana", "bob")
    assert get_annotation(team.bob, made["id"])["confidence"] == 90

    undo(team.ana)
    sync_each(team, "ana", "bob")

    assert get_annotation(team.bob, made["id"])["confidence"] == 40
    assert list_conflicts(team.bob) == []


# --- concurrent changes ----------------------------------------------------------------------

def test_concurrent_edits_keep_the_newer_everywhere_and_the_older_as_an_open_conflict(team):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast", confidence=50)
    sync_each(team, "ana", "bob", "cy")
    edit_annotation(team.ana, made["id"], confidence=10, note="Ana's reading")
    edit_annotation(team.bob, made["id"], confidence=90, note="Bob's reading")  # later

    reports = sync_each(team, "ana", "bob", "ana", "cy")

    assert [r.conflicts for r in reports] == [0, 1, 1, 1]
    for name in ("ana", "bob", "cy"):
        db = getattr(team, name)
        assert (get_annotation(db, made["id"])["confidence"],
                get_annotation(db, made["id"])["note"]) == (90, "Bob's reading")
        [conflict] = list_conflicts(db)
        assert (conflict["lost"]["confidence"], conflict["lost"]["note"]) == (10, "Ana's reading")
        # Review finds it, and the history keeps the losing side.
        assert [row["id"] for row in list_annotations(
            db, **parse_filter("conflict:yes"))] == [made["id"]]
        assert [entry["before"]["note"] for entry in history(db, made["id"])
                if entry["action"] == "conflict"] == ["Ana's reading"]
    assert contents(team.ana) == contents(team.bob) == contents(team.cy)


def test_a_newer_delete_beats_an_older_edit_and_the_edit_is_kept_as_a_conflict(team):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast")
    sync_each(team, "ana", "bob")
    edit_annotation(team.ana, made["id"], note="still matters")
    delete_annotation(team.bob, made["id"])  # later

    sync_each(team, "ana", "bob", "ana")

    for db in (team.ana, team.bob):
        assert get_annotation(db, made["id"])["deleted_at"] is not None
        [conflict] = list_conflicts(db)
        assert conflict["lost"]["note"] == "still matters" and not conflict["lost"]["deleted_at"]
        # Deleted, yet Review's conflict:yes shows it: the edit is still to be looked at.
        assert [row["id"] for row in list_annotations(db, **parse_filter("conflict:yes"))] == \
            [made["id"]]


def test_an_older_delete_loses_to_a_newer_edit(team):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast")
    sync_each(team, "ana", "bob")
    delete_annotation(team.ana, made["id"])
    edit_annotation(team.bob, made["id"], note="keep it")  # later

    sync_each(team, "ana", "bob", "ana")

    for db in (team.ana, team.bob):
        there = get_annotation(db, made["id"])
        assert there["deleted_at"] is None and there["note"] == "keep it"
        [conflict] = list_conflicts(db)
        assert conflict["lost"]["deleted_at"] is not None


@pytest.mark.parametrize("take, confidence", [("kept", 90), ("lost", 10)])
def test_a_conflict_resolved_in_one_copy_closes_in_the_others(team, take, confidence):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast", confidence=50)
    sync_each(team, "ana", "bob", "cy")
    edit_annotation(team.ana, made["id"], confidence=10)
    edit_annotation(team.bob, made["id"], confidence=90)
    sync_each(team, "ana", "bob", "ana", "cy")
    [conflict] = list_conflicts(team.cy)

    resolve_conflict(team.cy, conflict["id"], take=take)
    reports = sync_each(team, "cy", "ana", "bob")

    assert [r.conflicts for r in reports] == [0, 0, 0]
    for name in ("ana", "bob", "cy"):
        db = getattr(team, name)
        assert get_annotation(db, made["id"])["confidence"] == confidence
        assert list_conflicts(db) == []
        assert list_annotations(db, **parse_filter("conflict:yes")) == []


def test_the_same_change_made_in_two_copies_is_no_conflict(team):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast")
    sync_each(team, "ana", "bob")
    edit_annotation(team.ana, made["id"], note="agreed")
    edit_annotation(team.bob, made["id"], note="agreed")

    sync_each(team, "ana", "bob", "ana")

    assert list_conflicts(team.ana) == list_conflicts(team.bob) == []
    assert contents(team.ana) == contents(team.bob)


def test_concurrent_article_edits_keep_the_newer_title_and_the_other_as_a_conflict(team):
    edit_article(team.ana, team.article["id"], title="Ana's title")
    edit_article(team.bob, team.article["id"], title="Bob's title")

    sync_each(team, "ana", "bob", "ana")

    for db in (team.ana, team.bob):
        assert get_article(db, team.article["id"])["title"] == "Bob's title"
        [conflict] = list_conflicts(db)
        assert conflict["subject"] == "article" and conflict["lost"]["title"] == "Ana's title"


def test_two_copies_syncing_at_once_end_up_the_same(team):
    text = get_article(team.ana, team.article["id"])["text"]
    for name, offset in (("ana", 0), ("bob", 1)):
        add_annotations_bulk(getattr(team, name), [
            {"article_id": team.article["id"], "kind": "claim", "start": start,
             "end": start + 7 + offset} for start in range(0, len(text) - 10, 2)])
    failures = []

    def run(name):
        # Each thread its own connection, as two analysts' programs would have.
        try:
            sync(open_db(team.paths[name]), team.url)
        except Exception as error:  # reported below, with the thread's name
            failures.append((name, error))

    threads = [threading.Thread(target=run, args=(name,)) for name in ("ana", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sync_each(team, "ana", "bob", "cy")

    assert len(contents(team.cy)) == 2 * len(range(0, len(text) - 10, 2))
    assert contents(team.ana) == contents(team.bob) == contents(team.cy)
    assert server_rows(team.url, "annotations") == len(contents(team.cy))


def test_ten_thousand_annotations_travel_both_ways(team):
    text = get_article(team.ana, team.article["id"])["text"]
    spans = [(start, start + length) for length in range(3, 12) for start in range(len(text) - 12)]
    assert len(spans) >= 20_000
    ana = add_annotations_bulk(team.ana, [{"article_id": team.article["id"], "kind": "claim",
                                           "start": s, "end": e, "confidence": 60}
                                          for s, e in spans[:10_000]])
    bob = add_annotations_bulk(team.bob, [{"article_id": team.article["id"], "kind": "quote",
                                           "start": s, "end": e, "source": "Budanov"}
                                          for s, e in spans[10_000:20_000]])

    reports = sync_each(team, "ana", "bob", "ana")

    assert (reports[0].sent_annotations, reports[1].received_annotations,
            reports[1].sent_annotations, reports[2].received_annotations) == \
        (10_000, 10_000, 10_000, 10_000)
    assert contents(team.ana) == contents(team.bob)
    assert {row[0] for row in contents(team.ana)} == set(ana) | set(bob)
    assert server_rows(team.url, "annotations") == 20_000


# --- a sync cut short ------------------------------------------------------------------------

def _cut_when(cluster, url, stage, after):
    """A progress callback that ends the sync's connection once ``stage`` passes ``after``."""
    database = url.rsplit("/", 1)[1]
    cut = []

    def progress(seen_stage, done, total):
        if seen_stage == stage and done > after and not cut:
            cut.append(cluster.terminate_backends(database, application_name="margin sync"))
    return progress, cut


def test_a_sync_cut_off_while_receiving_finishes_when_run_again_with_nothing_twice(
        team, pg_cluster):
    text = get_article(team.ana, team.article["id"])["text"]
    spans = [(start, start + length) for length in range(3, 12) for start in range(len(text) - 12)]
    assert len(spans) > CHUNK
    add_annotations_bulk(team.ana, [{"article_id": team.article["id"], "kind": "claim",
                                     "start": start, "end": end} for start, end in spans])
    sync(team.ana, team.url)
    # Cut after the first chunk of annotations was merged (store.sync.incoming.CHUNK).
    progress, cut = _cut_when(pg_cluster, team.url, "receiving", CHUNK)

    from store.sync import SyncError
    with pytest.raises(SyncError, match="lost during the sync"):
        sync(team.bob, team.url, progress=progress)
    assert cut == [1]
    partly = len(contents(team.bob))
    assert 0 < partly < len(contents(team.ana))  # the first chunk was kept

    report = sync(team.bob, team.url)

    assert report.received_annotations == len(contents(team.ana)) - partly
    assert contents(team.bob) == contents(team.ana)
    assert list_conflicts(team.bob) == []


def test_a_sync_cut_off_while_sending_sends_all_when_run_again(team, pg_cluster):
    text = get_article(team.ana, team.article["id"])["text"]
    add_annotations_bulk(team.ana, [{"article_id": team.article["id"], "kind": "claim",
                                     "start": start, "end": start + 6}
                                    for start in range(0, 500)])
    progress, cut = _cut_when(pg_cluster, team.url, "sending", 0)

    from store.sync import SyncError
    with pytest.raises(SyncError, match="run the sync again"):
        sync(team.ana, team.url, progress=progress)
    assert cut == [1]
    assert server_rows(team.url, "annotations") == 0  # all or nothing

    report = sync(team.ana, team.url)
    sync(team.bob, team.url)

    assert report.sent_annotations == 500
    assert server_rows(team.url, "annotations") == 500
    assert contents(team.bob) == contents(team.ana)
    assert len(text) > 500


def test_versions_read_again_are_no_conflict(team):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast", confidence=10)
    sync(team.ana, team.url)
    for confidence in (20, 30):
        edit_annotation(team.ana, made["id"], confidence=confidence)
        sync(team.ana, team.url)

    # Bob reads all three versions, then reads them again (they are within the overlap).
    reports = sync_each(team, "bob", "bob", "cy")

    assert [r.conflicts for r in reports] == [0, 0, 0]
    assert list_conflicts(team.bob) == list_conflicts(team.cy) == []
    assert get_annotation(team.bob, made["id"])["confidence"] == 30


def test_annotations_imported_from_an_older_file_are_sent_too(team, tmp_path):
    import io

    from store.export import export
    from store.interchange import import_annotations

    # Dan works apart; his export reaches Ana after her last sync, with its older times.
    dan = open_db(tmp_path / "dan.db", analyst="Dan")
    article = import_article(dan, read_source(str(ARTICLE))).article
    made = annotate(dan, article["id"], "Kursk Oblast", note="from Dan's file")
    edit_annotation(dan, made["id"], note="from Dan's file, edited")
    exported = io.StringIO()
    export(dan, "jsonl", out=exported)
    sync(team.ana, team.url)
    exported.seek(0)
    assert import_annotations(team.ana, exported).added == 1

    sent = sync(team.ana, team.url)
    sync(team.bob, team.url)

    assert sent.sent_annotations == 1
    assert get_annotation(team.bob, made["id"])["note"] == "from Dan's file, edited"
    assert get_annotation(team.bob, made["id"])["analyst"] == "Dan"


def test_revisions_that_differ_between_copies_are_reported_and_nothing_is_lost(team):
    draft = read_source(str(ARTICLE))
    ana_text = draft.text.replace("despite receiving less media attention",
                                  "despite receiving less media coverage")
    bob_text = draft.text.replace("despite receiving less media attention",
                                  "despite receiving less attention")
    import_article(team.ana, dataclasses.replace(draft, text=ana_text),
                   revision_of=team.article["id"])
    import_article(team.bob, dataclasses.replace(draft, text=bob_text),
                   revision_of=team.article["id"])

    sync(team.ana, team.url)
    report = sync(team.bob, team.url)

    # Bob's copy keeps its own second text, and says the two copies differ.
    assert get_article(team.bob, team.article["id"])["text"] == bob_text
    assert any("revision 2 of article" in problem and "differs" in problem
               for problem in report.problems)
    assert get_article(team.ana, team.article["id"])["text"] == ana_text
    # Cy, who had neither, takes the server's.
    sync(team.cy, team.url)
    assert get_article(team.cy, team.article["id"])["text"] == ana_text


def test_two_copies_meeting_an_empty_server_at_once_set_it_up_once(tmp_path, pg_database):
    paths = [tmp_path / f"{name}.db" for name in ("one", "two")]
    for path in paths:
        db = open_db(path)
        made = import_article(db, read_source(str(ARTICLE))).article
        annotate(db, made["id"], "Kursk Oblast", source=path.stem)
    failures = []

    def run(path):
        try:
            sync(open_db(path), pg_database)
        except Exception as error:  # reported below, with the copy's name
            failures.append((path.stem, error))

    threads = [threading.Thread(target=run, args=(path,)) for path in paths]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    for path in paths:
        sync(open_db(path), pg_database)

    with psycopg.connect(pg_database) as connection:
        assert connection.execute("SELECT count(*), max(schema_version) FROM margin.server"
                                  ).fetchone() == (1, 1)
    one, two = open_db(paths[0]), open_db(paths[1])
    assert contents(one) == contents(two) and len(contents(one)) == 2
    # Both imported the same text: one article, known by the same id in both.
    ids = [db.execute("SELECT id FROM articles").fetchall() for db in (one, two)]
    assert ids[0] == ids[1] and len(ids[0]) == 1


def test_a_version_6_database_upgrades_with_its_history_and_everything_to_send(tmp_path):
    import sqlite3

    import sqlite_utils

    from store.db import MIGRATIONS

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    MIGRATIONS.apply(sqlite_utils.Database(old), stop_before="0007_team_sync")
    old.execute("INSERT INTO articles (id, title, text, text_sha256, imported_at) "
                "VALUES ('a1b2c3d4', 'Memo', 'The bridge was hit.', 'x', '2025-01-01T00:00:00')")
    old.execute("INSERT INTO revisions (article_id, number, text, text_sha256, retrieved_at) "
                "VALUES ('a1b2c3d4', 1, 'The bridge was hit.', 'x', '2025-01-01T00:00:00')")
    old.execute("INSERT INTO annotations (id, article_id, kind, start, \"end\", exact, created_at, "
                "updated_at) VALUES ('n1', 'a1b2c3d4', 'claim', 4, 10, 'bridge', "
                "'2025-01-01T00:00:00', '2025-01-02T00:00:00')")
    old.execute("INSERT INTO history (annotation_id, article_id, action, before, after, at) "
                "VALUES ('n1', 'a1b2c3d4', 'create', NULL, '{}', '2025-01-01T00:00:00')")
    old.commit()
    old.close()

    db = open_db(path)

    assert db.execute("PRAGMA user_version").fetchone()[0] == 7
    assert db.execute("SELECT updated_at FROM articles").fetchone()[0] == "2025-01-01T00:00:00"
    assert db.execute("SELECT action, at FROM history").fetchall() == \
        [("create", "2025-01-01T00:00:00")]
    assert db.execute("SELECT unsent FROM annotations").fetchone()[0] == 1
    assert db.execute("SELECT count(*) FROM sync_server").fetchone()[0] == 0


def test_one_copy_syncing_twice_at_once_sends_and_takes_everything_once(team):
    # As when the analyst presses the sync key while a scripted `margin sync` runs.
    text = get_article(team.ana, team.article["id"])["text"]
    add_annotations_bulk(team.ana, [{"article_id": team.article["id"], "kind": "claim",
                                     "start": start, "end": start + 9}
                                    for start in range(0, len(text) - 10)])
    add_annotations_bulk(team.bob, [{"article_id": team.article["id"], "kind": "quote",
                                     "start": start, "end": start + 4}
                                    for start in range(0, len(text) - 10)])
    sync(team.bob, team.url)
    failures = []

    def run():
        try:
            sync(open_db(team.paths["ana"]), team.url)
        except Exception as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    sync_each(team, "bob", "cy")

    assert contents(team.ana) == contents(team.bob) == contents(team.cy)
    assert server_rows(team.url, "annotations") == len(contents(team.ana)) == 2 * (len(text) - 10)
    assert list_conflicts(team.ana) == []
    assert sync(team.ana, team.url).sent_annotations == 0
def test_a_copy_moved_to_a_new_server_sends_it_everything_it_holds(team, pg_cluster):
    made = annotate(team.ana, team.article["id"], "Kursk Oblast", note="sent to the old one")
    sync(team.ana, team.url)
    pg_cluster.create_database("margin_test_moved")
    try:
        moved = pg_cluster.url("margin_test_moved")

        report = sync(team.ana, moved)
        sync(team.cy, moved)

        assert (report.sent_articles, report.sent_annotations) == (1, 1)
        assert server_rows(moved, "annotations") == 1
        assert get_annotation(team.cy, made["id"])["note"] == "sent to the old one"
    finally:
        pg_cluster.drop_database("margin_test_moved")


def test_a_version_that_does_not_fit_this_copy_is_held_with_a_message_not_stored(team):
    good = annotate(team.ana, team.article["id"], "Kursk Oblast")
    sync(team.ana, team.url)
    # Rows another program wrote on the server: words not at their place, an unknown article.
    listed = ("id, updated_at, edited_on, article_key, kind, start, \"end\", exact, prefix, "
              "suffix, tags, created_at, revision")
    with psycopg.connect(team.url) as connection:
        key = connection.execute("SELECT key FROM margin.articles LIMIT 1").fetchone()[0]
        for row_id, article_key, exact in (
                ("00000000-0000-4000-8000-000000000001", key, "not these words"),
                ("00000000-0000-4000-8000-000000000002", "f" * 64, "Kursk Oblast")):
            connection.execute(
                f"INSERT INTO margin.annotations ({listed}) VALUES (%s, '2026-01-01T00:00:00', "
                "'elsewhere', %s, 'claim', 0, %s, %s, '', '', '[]', '2026-01-01T00:00:00', 1)",
                [row_id, article_key, len(exact), exact])
    later = annotate(team.ana, team.article["id"], "North Korean troops", kind="quote")
    sync(team.ana, team.url)

    report = sync(team.bob, team.url)
    again = sync(team.bob, team.url)

    problems = " | ".join(report.problems)
    assert "annotation 00000000: its words are not at its place" in problems
    assert "annotation 00000000: its article is not in this copy yet" in problems
    ids = {row[0] for row in contents(team.bob)}
    assert {good["id"], later["id"]} <= ids
    assert not any(row_id.startswith("00000000") for row_id in ids)
    # Held, not dropped: the next sync reads them again and says so again.
    assert len(again.problems) == 2
