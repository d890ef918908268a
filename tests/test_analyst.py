"""Who made each article and annotation, and in which copy of the database: recorded by the
store on every create, kept by edits, given by --analyst, config.toml or the login name,
filtered with ``by:`` in Review and ``--by`` on the command line, and carried by the JSONL
export and import. Real database files and real processes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from store import db as store_db
from store.annotations import add_annotation_by_text, edit_annotation, list_annotations
from store.articles import add_article, get_article
from store.bulk import add_annotations_bulk
from store.db import MIGRATIONS, copy_id, open_db
from store.export import export
from store.ingest import read_source
from store.interchange import import_annotations
from store.query import parse_filter
from tui.app import MarginApp

from test_cli import assert_refused, dump, margin
from test_review import KURSK, SIZE, excerpts, open_review, settled, status, type_filter

NORTH = "North Korean troops remain in Russia"  # words the article has once
LOGIN = {"USER": "login-name", "LOGNAME": "login-name", "LNAME": "", "USERNAME": ""}


def made(path: Path, table: str) -> list[tuple]:
    """(analyst, origin) of every row of ``table``, as the file holds them."""
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT analyst, origin FROM {table} ORDER BY rowid").fetchall()


def stored_copy_id(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id FROM local_copy").fetchone()[0]


# --- The store ----------------------------------------------------------------------------

def test_each_database_is_a_copy_with_its_own_random_id_kept_across_openings(tmp_path):
    first, second = open_db(tmp_path / "a.db"), open_db(tmp_path / "b.db")
    assert copy_id(first) != copy_id(second)
    assert len(copy_id(first)) == 32
    kept = copy_id(first)
    first.conn.close()
    assert copy_id(open_db(tmp_path / "a.db")) == kept


def test_articles_and_annotations_record_the_analyst_and_copy_and_edits_keep_the_maker(tmp_path):
    path = tmp_path / "margin.db"
    ana = open_db(path, analyst="Ana Ruiz")
    article, _ = add_article(ana, read_source(str(KURSK)))
    note = add_annotation_by_text(ana, article["id"], kind="claim", text=NORTH)
    ana.conn.close()
    ben = open_db(path, analyst="Ben Okafor")
    edit_annotation(ben, note["id"], note="checked by Ben")
    [bulk] = add_annotations_bulk(ben, [{"article_id": article["id"], "kind": "quote",
                                         "start": 0, "end": 5}])
    copy = copy_id(ben)
    assert made(path, "articles") == [("Ana Ruiz", copy)]
    assert made(path, "annotations") == [("Ana Ruiz", copy), ("Ben Okafor", copy)]
    shown = {row["id"]: row["analyst"] for row in list_annotations(ben)}
    assert shown == {note["id"]: "Ana Ruiz", bulk: "Ben Okafor"}
    assert get_article(ben, article["id"])["analyst"] == "Ana Ruiz"


def test_without_a_name_the_login_name_is_recorded(tmp_path, monkeypatch):
    for variable, value in LOGIN.items():
        monkeypatch.setenv(variable, value)
    db = open_db(tmp_path / "margin.db")
    article, _ = add_article(db, read_source(str(KURSK)))
    add_annotation_by_text(db, article["id"], kind="claim", text=NORTH)
    assert made(tmp_path / "margin.db", "annotations") == [("login-name", copy_id(db))]


def test_a_version_5_database_upgrades_its_rows_to_this_copy_with_the_maker_unknown(tmp_path):
    path = tmp_path / "margin.db"
    # A version 5 database as margin 5 made it: every migration up to this one, and rows.
    old = sqlite3.connect(path)
    MIGRATIONS.apply(store_db.sqlite_utils.Database(old), stop_before="0006_analyst_and_origin")
    old.execute("INSERT INTO articles (id, title, text, text_sha256, imported_at) "
                "VALUES ('a1b2c3d4', 'Memo', 'The bridge was hit.', 'x', '2025-01-01T00:00:00')")
    old.execute("INSERT INTO annotations (id, article_id, kind, start, \"end\", exact, created_at, "
                "updated_at) VALUES ('n1', 'a1b2c3d4', 'claim', 4, 10, 'bridge', "
                "'2025-01-01T00:00:00', '2025-01-01T00:00:00')")
    old.commit()
    assert old.execute("PRAGMA user_version").fetchone()[0] == 5
    old.close()

    db = open_db(path, analyst="Ana Ruiz")
    assert db.execute("PRAGMA user_version").fetchone()[0] == 7
    copy = copy_id(db)
    assert made(path, "articles") == [(None, copy)]
    assert made(path, "annotations") == [(None, copy)]
    # What is made after the upgrade names its maker.
    add_annotation_by_text(db, "a1b2c3d4", kind="quote", text="hit")
    assert made(path, "annotations")[-1] == ("Ana Ruiz", copy)


def test_an_import_keeps_who_made_each_annotation_and_where(tmp_path):
    source = open_db(tmp_path / "source.db", analyst="Ana Ruiz")
    article, _ = add_article(source, read_source(str(KURSK)))
    add_annotation_by_text(source, article["id"], kind="claim", text=NORTH)
    out = tmp_path / "out.jsonl"
    with out.open("w", encoding="utf-8") as stream:
        export(source, "jsonl", out=stream)
    [line] = out.read_text(encoding="utf-8").splitlines()
    assert (json.loads(line)["analyst"], json.loads(line)["origin"]) == ("Ana Ruiz",
                                                                         copy_id(source))
    target = open_db(tmp_path / "target.db", analyst="Ben Okafor")
    add_article(target, read_source(str(KURSK)))
    assert import_annotations(target, out).added == 1
    assert made(tmp_path / "target.db", "annotations") == [("Ana Ruiz", copy_id(source))]
    # A later edit in a file that does not say who made it (an older export) keeps the maker.
    older = {key: value for key, value in json.loads(line).items()
             if key not in ("analyst", "origin")}
    older.update(note="seen again", updated_at="2099-01-01T00:00:00+00:00")
    assert import_annotations(target, json.dumps(older) + "\n").updated == 1
    assert made(tmp_path / "target.db", "annotations") == [("Ana Ruiz", copy_id(source))]


def test_by_in_the_filter_line_names_the_analyst():
    assert parse_filter('by:"Ana  Ruiz" kind:claim') == {"analyst": "Ana Ruiz", "kind": "claim"}
    assert parse_filter("by:ben") == {"analyst": "ben"}


# --- The command line ---------------------------------------------------------------------

@pytest.fixture
def kursk_db(tmp_path: Path) -> tuple[Path, str]:
    db = tmp_path / "margin.db"
    result = margin("--analyst", "Ana Ruiz", "import", str(KURSK), db=db)
    assert result.returncode == 0, result.stderr
    return db, result.stdout.decode().split()[0]


def add(db: Path, article: str, words: str, *options: str, env: dict | None = None):
    result = margin(*options, "add", article, "--kind", "claim", "--text", words, db=db, env=env)
    assert result.returncode == 0, result.stderr
    return result


def test_the_analyst_comes_from_the_option_else_config_else_the_login_name(
        kursk_db, private_user_folders):
    db, article = kursk_db
    add(db, article, NORTH, "--analyst", "Ana Ruiz", env=LOGIN)
    add(db, article, "Pyongyang", env=LOGIN)
    config = private_user_folders["config"] / "margin" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text('[analyst]\nname = "Chen Wei"\n', encoding="utf-8")
    add(db, article, "recruitment plan", env=LOGIN)
    add(db, article, "fortifications", "--analyst", "Dana", env=LOGIN)
    copy = stored_copy_id(db)
    assert made(db, "articles") == [("Ana Ruiz", copy)]
    assert made(db, "annotations") == [("Ana Ruiz", copy), ("login-name", copy),
                                       ("Chen Wei", copy), ("Dana", copy)]


@pytest.mark.parametrize("content, words", [
    ('[analyst]\nname = ""\n', "not a name"),
    ("[analyst]\nname = 7\n", "not a name"),
    ('[analyst\nname = "Ana"\n', "TOML"),
])
def test_a_bad_analyst_in_the_config_is_one_line_and_writes_nothing(
        kursk_db, private_user_folders, content, words):
    db, article = kursk_db
    config = private_user_folders["config"] / "margin" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text(content, encoding="utf-8")
    before = dump(db)
    assert_refused(margin("add", article, "--kind", "claim", "--text", NORTH, db=db),
                   words, "config.toml")
    assert dump(db) == before


def test_a_blank_analyst_option_is_refused(kursk_db):
    db, article = kursk_db
    before = dump(db)
    assert_refused(margin("--analyst", " ", "add", article, "--kind", "claim", "--text",
                          NORTH, db=db),
                   "not a name")
    assert dump(db) == before


def test_annotations_by_lists_one_analysts_and_json_says_who_and_where(kursk_db):
    db, article = kursk_db
    add(db, article, NORTH, "--analyst", "Ana Ruiz")
    add(db, article, "Pyongyang", "--analyst", "Ben Okafor")
    listed = margin("annotations", "--by", "ana ruiz", db=db)
    assert listed.returncode == 0, listed.stderr
    assert NORTH in listed.stdout.decode()
    assert "Pyongyang" not in listed.stdout.decode()
    rows = json.loads(margin("annotations", "--by", "Ben Okafor", "--json", db=db).stdout)
    assert [(row["exact"], row["analyst"], row["origin"]) for row in rows] == [
        ("Pyongyang", "Ben Okafor", stored_copy_id(db))]
    nobody = margin("annotations", "--by", "Ana", db=db)
    assert nobody.stdout.decode().strip() == "No annotations match."


# --- Review ---------------------------------------------------------------------------------

async def retype_filter(pilot, line: str):
    """Type a new line into the filter, which has the focus already."""
    pilot.app.screen.query_one("#filter").value = ""
    await pilot.press(*line)
    return await settled(pilot)


async def test_by_in_reviews_filter_shows_only_that_analysts_annotations(tmp_path):
    path = tmp_path / "margin.db"
    for analyst, words in (("Ana Ruiz", NORTH), ("Ben Okafor", "Pyongyang"),
                           ("Ana Ruiz", "recruitment plan")):
        db = open_db(path, analyst=analyst)
        article, _ = add_article(db, read_source(str(KURSK)))
        add_annotation_by_text(db, article["id"], kind="claim", text=words)
        db.conn.close()
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = await type_filter(pilot, 'by:"ana ruiz"')
        assert set(excerpts(screen)) == {NORTH, "recruitment plan"}
        assert "2 annotations" in status(screen)
        screen = await retype_filter(pilot, "by:Ben Okafor")
        # Unquoted, the name ends at the space: "Okafor" is a word of the span, matching none.
        assert excerpts(screen) == []
        screen = await retype_filter(pilot, 'by:"Ben Okafor"')
        assert screen.query_one("#filter").value == 'by:"Ben Okafor"'
        assert excerpts(screen) == ["Pyongyang"]
