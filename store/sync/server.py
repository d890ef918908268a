"""The team server's schema, created and upgraded by margin itself.

Everything lives in one PostgreSQL schema, ``margin``, so the team's database can hold other
things beside it. ``margin.server`` names the server (an id made once, so a copy can tell a
server rebuilt from scratch) and its schema version; a server set up by a newer margin is
refused, never altered. Each table keeps every version it was sent: rows are only added, so
sending the same version twice changes nothing (its primary key is the version).

One sequence, ``margin.changes``, numbers every row as it arrives. A copy reads the rows
numbered after the last it read. Numbers are taken before a transaction commits, so without
care a reader could pass a number whose row commits later; writers therefore add their rows
holding an advisory lock that readers share, and readers also re-read a small overlap.
"""

from __future__ import annotations

from typing import Any

from store.sync.errors import SyncError

# Keys of PostgreSQL advisory locks: any two numbers margin alone uses.
WRITING_LOCK = 0x6D617267  # "marg"
SCHEMA_LOCK = 0x6D617268

_SCHEMA_1 = """
CREATE SCHEMA IF NOT EXISTS margin;
CREATE TABLE margin.server (
    only_row boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    id text NOT NULL DEFAULT md5(random()::text || clock_timestamp()::text),
    schema_version integer NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE SEQUENCE margin.changes;
CREATE TABLE margin.articles (
    key text NOT NULL,
    updated_at text NOT NULL,
    edited_on text NOT NULL,
    parents text[] NOT NULL DEFAULT '{}',
    seq bigint NOT NULL DEFAULT nextval('margin.changes'),
    title text NOT NULL,
    authors text NOT NULL,
    outlet text, url text, published text, section text, language text, accessed text,
    archived_at text, deleted_at text, source text, format text,
    imported_at text NOT NULL,
    analyst text, origin text,
    PRIMARY KEY (key, updated_at, edited_on)
);
CREATE INDEX articles_by_seq ON margin.articles (seq);
CREATE TABLE margin.revisions (
    article_key text NOT NULL,
    number integer NOT NULL CHECK (number >= 1),
    text_sha256 text NOT NULL,
    text text NOT NULL,
    source text, format text, title text, published text,
    retrieved_at text NOT NULL,
    edited_on text NOT NULL,
    seq bigint NOT NULL DEFAULT nextval('margin.changes'),
    PRIMARY KEY (article_key, number)
);
CREATE INDEX revisions_by_seq ON margin.revisions (seq);
CREATE TABLE margin.annotations (
    id text NOT NULL,
    updated_at text NOT NULL,
    edited_on text NOT NULL,
    parents text[] NOT NULL DEFAULT '{}',
    seq bigint NOT NULL DEFAULT nextval('margin.changes'),
    article_key text NOT NULL,
    kind text NOT NULL,
    start integer NOT NULL,
    "end" integer NOT NULL,
    exact text NOT NULL,
    prefix text NOT NULL,
    suffix text NOT NULL,
    source text, role text, organization text,
    via text, confidence integer, grade text, note text,
    tags text NOT NULL,
    created_at text NOT NULL,
    deleted_at text,
    revision integer NOT NULL,
    analyst text, origin text,
    anchors text NOT NULL DEFAULT '[]',
    PRIMARY KEY (id, updated_at, edited_on)
);
CREATE INDEX annotations_by_seq ON margin.annotations (seq);
-- The newest version of each annotation: what a person querying the server wants to see.
CREATE VIEW margin.current_annotations AS
    SELECT DISTINCT ON (id) * FROM margin.annotations ORDER BY id, updated_at DESC, edited_on DESC;
CREATE VIEW margin.current_articles AS
    SELECT DISTINCT ON (key) * FROM margin.articles ORDER BY key, updated_at DESC, edited_on DESC;
INSERT INTO margin.server (schema_version) VALUES (1);
"""

# Each entry brings the server's schema from its position to the next.
MIGRATIONS = [_SCHEMA_1]
SERVER_SCHEMA = len(MIGRATIONS)


def prepare(connection: Any, place: str) -> str:
    """Create or upgrade the server's schema as needed; returns the server's id.

    Two copies syncing for the first time at once are serialised by a lock, so the schema
    is made once.
    """
    with connection.transaction():
        version = _version(connection)
        if version == SERVER_SCHEMA:
            _check_privileges(connection, place)
            return _server_id(connection)
        connection.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEMA_LOCK])
        version = _version(connection)
        if version > SERVER_SCHEMA:
            raise SyncError(
                f"the server {place} was set up by a newer margin (server schema {version}, "
                f"this one knows {SERVER_SCHEMA})",
                "upgrade margin to sync with it; nothing was changed")
        for script in MIGRATIONS[version:]:
            connection.execute(script)
        connection.execute("UPDATE margin.server SET schema_version = %s", [SERVER_SCHEMA])
        return _server_id(connection)


# What a copy needs of the server: read and add rows, number them, and stage them in a
# temporary table.
# (CASE, since naming a table in a schema one may not use is itself refused.)
_PRIVILEGES = """
    SELECT CASE WHEN has_schema_privilege('margin', 'USAGE') THEN
               has_table_privilege('margin.articles', 'SELECT, INSERT')
               AND has_table_privilege('margin.revisions', 'SELECT, INSERT')
               AND has_table_privilege('margin.annotations', 'SELECT, INSERT')
               AND has_sequence_privilege('margin.changes', 'USAGE')
               AND has_database_privilege(current_database(), 'TEMPORARY')
           ELSE false END
"""


def _check_privileges(connection: Any, place: str) -> None:
    """Refuse before anything is read or written when this user cannot take part."""
    if not connection.execute(_PRIVILEGES).fetchone()[0]:
        user = connection.execute("SELECT current_user").fetchone()[0]
        raise SyncError(f"{user} may not read and add to margin's tables on {place}",
                        "ask the database's owner to grant USAGE on schema margin, SELECT and "
                        "INSERT on its tables and USAGE on margin.changes")


def _version(connection: Any) -> int:
    # A plain query of the catalog, not to_regclass(), which may answer from a cache taken
    # before another copy's transaction created the table.
    exists = connection.execute(
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "ON n.oid = c.relnamespace WHERE n.nspname = 'margin' AND c.relname = 'server')"
    ).fetchone()[0]
    if not exists:
        return 0
    return connection.execute("SELECT schema_version FROM margin.server").fetchone()[0]


def _server_id(connection: Any) -> str:
    return connection.execute("SELECT id FROM margin.server").fetchone()[0]
