"""``margin sync``, ``margin conflicts`` and ``margin resolve`` as a person runs them: against a
real server, with what goes wrong said in one line, exit status 2 and this copy unchanged."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import psycopg
import pytest

from test_cli import KURSK, assert_refused, dump, margin


@pytest.fixture
def copy_db(tmp_path: Path) -> Path:
    """A copy holding the real article and one annotation, never synced."""
    db = tmp_path / "ana.db"
    assert margin("import", str(KURSK), db=db).returncode == 0
    added = margin("add", _article_id(db), "--kind", "claim", "--text", "Kursk Oblast", "--occurrence", "1",
                   "--source", "Vadym Skibitskyi", db=db)
    assert added.returncode == 0, added.stderr
    return db


def _article_id(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id FROM articles").fetchone()[0]


def _annotation_id(db: Path) -> str:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT id FROM annotations").fetchone()[0]


def _server_rows(url: str) -> int:
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT (SELECT count(*) FROM margin.articles) + (SELECT count(*) FROM "
            "margin.revisions) + (SELECT count(*) FROM margin.annotations)").fetchone()[0]


def test_a_sync_prints_what_travelled_and_remembers_the_server_without_its_password(
        copy_db, tmp_path, pg_cluster, pg_database):
    result = margin("sync", pg_database, db=copy_db)

    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip().endswith(
        "received nothing new; sent 1 article, 1 revision, 1 annotation")
    assert "sending: 3 of 3 changes" in result.stderr.decode()
    with sqlite3.connect(copy_db) as conn:
        remembered = conn.execute("SELECT url FROM sync_server").fetchone()[0]
    assert pg_cluster.password not in remembered
    assert remembered == pg_database.replace(f":{pg_cluster.password}@", "@")

    # Another copy syncs through the environment; this one again with the remembered address
    # and the password where libpq looks for it.
    other = tmp_path / "bob.db"
    got = margin("sync", db=other, env={"MARGIN_SYNC_URL": pg_database})
    again = margin("sync", db=copy_db, env={"PGPASSWORD": pg_cluster.password})

    assert got.returncode == 0, got.stderr
    assert "received 1 article, 1 annotation" in got.stdout.decode()
    assert again.returncode == 0, again.stderr
    assert "received nothing new; sent nothing new" in again.stdout.decode()


def test_sync_without_an_address_says_how_to_give_one(copy_db):
    before = dump(copy_db)

    result = margin("sync", db=copy_db, env={"MARGIN_SYNC_URL": ""})

    assert_refused(result, "no server to sync with", "MARGIN_SYNC_URL")
    assert dump(copy_db) == before


def test_an_address_that_is_not_postgresql_is_refused(copy_db):
    before = dump(copy_db)

    result = margin("sync", "https://example.org/team", db=copy_db)

    assert_refused(result, "not the address of a PostgreSQL server", "postgresql://")
    assert dump(copy_db) == before


def test_a_wrong_password_is_one_line_and_changes_nothing(copy_db, pg_cluster, pg_database):
    before = dump(copy_db)
    wrong = pg_database.replace(pg_cluster.password, "not-the-password")

    result = margin("sync", wrong, db=copy_db)

    assert_refused(result, "did not accept margin_admin with that password")
    assert "not-the-password" not in result.stderr.decode()
    assert dump(copy_db) == before


def test_an_unreachable_server_is_one_line_and_changes_nothing(copy_db, pg_cluster):
    from pg_cluster import free_port

    before = dump(copy_db)
    url = f"postgresql://someone:secret@127.0.0.1:{free_port()}/team"

    result = margin("sync", url, db=copy_db)

    assert_refused(result, "cannot reach the server 127.0.0.1:", "running")
    assert dump(copy_db) == before


def test_a_server_without_tls_when_tls_is_required_is_one_line(copy_db, pg_cluster, pg_database):
    before = dump(copy_db)

    result = margin("sync", pg_database + "?sslmode=require", db=copy_db)

    assert_refused(result, "TLS", "sslmode")
    assert dump(copy_db) == before


def test_a_user_who_may_not_create_the_schema_is_told_so(copy_db, pg_cluster, pg_database):
    pg_cluster.create_role("visitor", "visitor-pass")
    url = pg_cluster.url(pg_database.rsplit("/", 1)[1], user="visitor", password="visitor-pass")
    before = dump(copy_db)

    result = margin("sync", url, db=copy_db)

    assert_refused(result, "visitor has no permission", "owner")
    assert dump(copy_db) == before


def test_a_user_who_may_not_write_margins_tables_is_told_so_before_anything(
        copy_db, tmp_path, pg_cluster, pg_database):
    assert margin("sync", pg_database, db=tmp_path / "owner.db").returncode == 0
    database = pg_database.rsplit("/", 1)[1]
    pg_cluster.create_role("reader", "reader-pass")
    pg_cluster.execute("GRANT USAGE ON SCHEMA margin TO reader", database=database)
    pg_cluster.execute("GRANT SELECT ON ALL TABLES IN SCHEMA margin TO reader", database=database)
    before, rows = dump(copy_db), _server_rows(pg_database)

    result = margin("sync", pg_cluster.url(database, user="reader", password="reader-pass"),
                    db=copy_db)

    assert_refused(result, "reader may not read and add to margin's tables", "INSERT")
    assert dump(copy_db) == before
    assert _server_rows(pg_database) == rows


def test_a_server_set_up_by_a_newer_margin_is_refused_and_left_alone(
        copy_db, tmp_path, pg_cluster, pg_database):
    assert margin("sync", pg_database, db=tmp_path / "owner.db").returncode == 0
    pg_cluster.execute("UPDATE margin.server SET schema_version = 99",
                       database=pg_database.rsplit("/", 1)[1])
    before, rows = dump(copy_db), _server_rows(pg_database)

    result = margin("sync", pg_database, db=copy_db)

    assert_refused(result, "set up by a newer margin (server schema 99, this one knows 1)",
                   "upgrade margin")
    assert dump(copy_db) == before
    assert _server_rows(pg_database) == rows


def test_without_psycopg_sync_says_how_to_install_it(copy_db, tmp_path):
    # An interpreter in which the optional package cannot be imported, as without the extra.
    blocker = tmp_path / "no_psycopg"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text("import sys\nsys.modules['psycopg'] = None\n")
    before = dump(copy_db)

    result = margin("sync", "postgresql://someone@127.0.0.1/team", db=copy_db,
                    env={"PYTHONPATH": str(blocker)})

    assert_refused(result, "needs the psycopg package", 'pip install "margin[team]"')
    assert dump(copy_db) == before


def test_conflicts_are_listed_and_resolved_from_the_command_line(copy_db, tmp_path, pg_database):
    other = tmp_path / "bob.db"
    assert margin("sync", pg_database, db=copy_db).returncode == 0
    assert margin("sync", pg_database, db=other).returncode == 0
    annotation = _annotation_id(copy_db)
    assert margin("edit", annotation[:8], "--note", "Ana's note", db=copy_db).returncode == 0
    assert margin("edit", annotation[:8], "--note", "Bob's note", db=other).returncode == 0
    assert margin("sync", db=copy_db, env={"MARGIN_SYNC_URL": pg_database}).returncode == 0

    synced = margin("sync", pg_database, db=other)
    listed = margin("conflicts", db=other)

    assert "1 new conflict kept for review" in synced.stdout.decode()
    line = listed.stdout.decode().strip()
    assert f"annotation {annotation[:8]}  open  other version of" in line
    assert line.endswith("Ana's note")
    number = line.split()[0]

    assert_refused(margin("resolve", number, db=other), "--keep or --take-other")
    resolved = margin("resolve", number, "--take-other", db=other)
    assert resolved.returncode == 0, resolved.stderr
    assert resolved.stdout.decode().strip() == f"{number}  resolved: took the other version"
    assert margin("conflicts", db=other).stdout.decode().strip() == "no open conflicts"
    shown = margin("annotations", "--json", db=other)
    assert '"note": "Ana\'s note"' in shown.stdout.decode()
    assert_refused(margin("resolve", number, "--keep", db=other), "already resolved")
    assert_refused(margin("resolve", "999", "--keep", db=other), "no conflict 999")


def test_the_sync_command_needs_nothing_of_the_tui(copy_db, pg_database):
    # The headless commands import the store only (DESIGN: they start fast).
    script = ("import sys; from tui.cli import main\n"
              "try:\n    main(['--db', sys.argv[1], 'sync', sys.argv[2]], prog_name='margin')\n"
              "except SystemExit: pass\n"
              "assert 'textual' not in sys.modules, 'textual was imported'\n")
    import subprocess

    done = subprocess.run([sys.executable, "-c", script, str(copy_db), pg_database],
                          capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode()
