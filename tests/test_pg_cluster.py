"""The throwaway PostgreSQL server the sync tests stand on behaves like a real, locked-down server.

Each test here pins one thing a sync test will rely on: password logins over TCP, a fresh
database per test, connections that can be killed mid-way, a role that may not create
tables, and a server that does not speak TLS.
"""

from __future__ import annotations

import os
import tempfile

import psycopg
import pytest
from psycopg import errors
from psycopg.conninfo import conninfo_to_dict

from pg_cluster import PgCluster, StartFailed, free_port

# Names of the databases earlier tests in this process were given (see the emptiness test).
DATABASES_SEEN: list[str] = []


def test_the_server_answers_over_tcp_on_127_0_0_1_with_the_password(pg_cluster, pg_database):
    assert "@127.0.0.1:" in pg_database
    with psycopg.connect(pg_database) as conn:
        version = conn.execute("SELECT version()").fetchone()[0]
        address = conn.execute("SELECT inet_server_addr()::text").fetchone()[0]
    assert version.startswith("PostgreSQL ")
    # Over TCP, not the unix socket: the server reports the address it was reached on.
    assert address == "127.0.0.1/32"


def test_a_wrong_password_is_refused(pg_cluster, pg_database):
    database = conninfo_to_dict(pg_database)["dbname"]
    wrong = pg_cluster.url(database, user="margin_admin", password="not-the-password")
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(wrong).close()


def test_a_url_without_a_password_is_refused(pg_cluster, pg_database):
    database = conninfo_to_dict(pg_database)["dbname"]
    with pytest.raises(psycopg.OperationalError, match="password"):
        psycopg.connect(pg_cluster.url(database, user="margin_admin")).close()


@pytest.mark.parametrize("turn", ["first", "second"])
def test_each_test_gets_an_empty_database_of_its_own(pg_cluster, pg_database, turn):
    with psycopg.connect(pg_database, autocommit=True) as conn:
        name = conn.execute("SELECT current_database()").fetchone()[0]
        tables = conn.execute(
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')"
            " AND n.nspname NOT LIKE 'pg_toast%'").fetchone()[0]
        assert tables == 0
        # Leave something behind: the next turn must not see it.
        conn.execute("CREATE TABLE left_behind (n int)")
        conn.execute("INSERT INTO left_behind VALUES (1)")
    assert name not in DATABASES_SEEN
    existing = {row[0] for row in pg_cluster.execute("SELECT datname FROM pg_database")}
    # The databases of earlier tests in this process were dropped, not merely left aside.
    assert existing.isdisjoint(DATABASES_SEEN)
    DATABASES_SEEN.append(name)


def test_terminate_backends_kills_an_open_connection(pg_cluster, pg_database):
    database = conninfo_to_dict(pg_database)["dbname"]
    victim = psycopg.connect(pg_cluster.url(database, application_name="margin-sync"))
    bystander = psycopg.connect(pg_cluster.url(database, application_name="someone-else"))
    try:
        assert victim.execute("SELECT 1").fetchone() == (1,)
        assert pg_cluster.terminate_backends(database, application_name="margin-sync") == 1
        with pytest.raises(psycopg.OperationalError):
            victim.execute("SELECT 1")
        # Only the named application's connection was ended.
        assert bystander.execute("SELECT 1").fetchone() == (1,)
        assert pg_cluster.terminate_backends(database) == 1
        with pytest.raises(psycopg.OperationalError):
            bystander.execute("SELECT 1")
    finally:
        victim.close()
        bystander.close()


def test_a_role_without_privileges_cannot_create_a_table_in_someone_elses_database(
        pg_cluster, pg_database):
    database = conninfo_to_dict(pg_database)["dbname"]
    pg_cluster.create_role("reader_only", "reader-password")
    try:
        with psycopg.connect(pg_cluster.url(database, "reader_only", "reader-password")) as conn:
            # It can log in and read...
            assert conn.execute("SELECT current_user").fetchone() == ("reader_only",)
            # ...but since PostgreSQL 15 the public schema is not open to everyone.
            with pytest.raises(errors.InsufficientPrivilege):
                conn.execute("CREATE TABLE annotations (id int)")
    finally:
        pg_cluster.execute("DROP ROLE reader_only")


def test_the_owner_of_a_database_can_create_tables_in_it(pg_cluster):
    pg_cluster.create_role("team_owner", "owner-password")
    pg_cluster.create_database("team_owned", owner="team_owner")
    try:
        with psycopg.connect(pg_cluster.url("team_owned", "team_owner", "owner-password")) as conn:
            conn.execute("CREATE TABLE annotations (id int)")
            conn.execute("INSERT INTO annotations VALUES (7)")
            assert conn.execute("SELECT id FROM annotations").fetchall() == [(7,)]
    finally:
        pg_cluster.drop_database("team_owned")
        pg_cluster.execute("DROP ROLE team_owner")


def test_requiring_tls_of_this_server_fails_with_an_ssl_error(pg_cluster, pg_database):
    database = conninfo_to_dict(pg_database)["dbname"]
    with pytest.raises(psycopg.OperationalError, match="SSL"):
        psycopg.connect(pg_cluster.url(database, sslmode="require")).close()


def test_a_free_port_refuses_connections(pg_cluster):
    url = pg_cluster.url("postgres").replace(f":{pg_cluster.port}/", f":{free_port()}/")
    with pytest.raises(psycopg.OperationalError, match="refused"):
        psycopg.connect(url, connect_timeout=5).close()


def test_a_server_that_cannot_start_says_why_and_leaves_nothing_behind(pg_cluster, monkeypatch):
    # (pg_cluster only so that this skips, or fails in CI, where PostgreSQL is missing.)
    made = []
    real_mkdtemp = tempfile.mkdtemp
    monkeypatch.setattr(tempfile, "mkdtemp", lambda **kw: made.append(real_mkdtemp(**kw)) or made[-1])
    broken = PgCluster(settings={"shared_buffers": "'plenty'"})
    with pytest.raises(StartFailed, match="shared_buffers") as failure:
        broken.start()
    assert "end of its log" in str(failure.value)
    assert len(made) == 1 and not os.path.exists(made[0])
