"""The SQLite connection and the schema's migrations.

One database file holds everything. It is opened in WAL mode with foreign keys on and a busy
timeout, so the TUI and a script can share it. The schema grows only through ``MIGRATIONS``;
a file whose schema is newer than this program knows is refused and left untouched.
"""

from __future__ import annotations

import contextlib
import getpass
import os
import sqlite3
import weakref
from pathlib import Path
from typing import Iterator

import sqlite_utils
from sqlite_utils import Migrations

from store.errors import DatabaseError

BUSY_TIMEOUT_MS = 5000

MIGRATIONS = Migrations("margin")

# Every migration sets PRAGMA user_version to its position, so a newer schema can be recognised
# before any migration (or even the migrations table) is written.
SCHEMA_VERSION = 7


@MIGRATIONS(name="0001_initial")
def _initial(db: sqlite_utils.Database) -> None:
    _run_script(
        db,
        """
        CREATE TABLE articles (
            id TEXT PRIMARY KEY,
            title TEXT NOT NULL,
            authors TEXT NOT NULL DEFAULT '[]',
            outlet TEXT,
            url TEXT,
            published TEXT,
            section TEXT,
            language TEXT,
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL UNIQUE,
            source TEXT,
            format TEXT,
            imported_at TEXT NOT NULL
        );
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE CHECK (trim(name) != ''),
            role TEXT,
            organization TEXT
        );
        CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            article_id TEXT NOT NULL REFERENCES articles(id),
            kind TEXT NOT NULL CHECK (kind IN ('claim', 'quote')),
            start INTEGER NOT NULL CHECK (start >= 0),
            "end" INTEGER NOT NULL CHECK ("end" > start),
            exact TEXT NOT NULL CHECK (length(exact) = "end" - start),
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            source_id INTEGER REFERENCES sources(id),
            via TEXT,
            confidence INTEGER CHECK (confidence BETWEEN 0 AND 100),
            grade TEXT CHECK (grade GLOB '[A-F][1-6]'),
            note TEXT,
            tags TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            deleted_at TEXT
        );
        CREATE INDEX annotations_by_article ON annotations(article_id, start);
        -- Covers the library's live claim and quote counts without reading the rows.
        CREATE INDEX annotations_live_kinds ON annotations(article_id, deleted_at, kind);
        CREATE INDEX annotations_by_source ON annotations(source_id);
        CREATE INDEX annotations_by_created ON annotations(created_at);
        CREATE TABLE history (
            id INTEGER PRIMARY KEY,
            annotation_id TEXT NOT NULL,
            article_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN ('create', 'edit', 'delete', 'restore')),
            before TEXT,
            after TEXT,
            at TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0
        );
        CREATE INDEX history_by_article ON history(article_id, id);

        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
                VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;

        -- The source's name lives in another table, so this index keeps its own copy of the
        -- text (no external content) and triggers keep it in step with both tables.
        CREATE VIRTUAL TABLE annotations_fts USING fts5(exact, note, source);
        CREATE TRIGGER annotations_fts_insert AFTER INSERT ON annotations BEGIN
            INSERT INTO annotations_fts(rowid, exact, note, source) VALUES (
                new.rowid, new.exact, coalesce(new.note, ''),
                coalesce((SELECT name FROM sources WHERE id = new.source_id), ''));
        END;
        CREATE TRIGGER annotations_fts_delete AFTER DELETE ON annotations BEGIN
            DELETE FROM annotations_fts WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER annotations_fts_update
        AFTER UPDATE OF exact, note, source_id ON annotations BEGIN
            DELETE FROM annotations_fts WHERE rowid = old.rowid;
            INSERT INTO annotations_fts(rowid, exact, note, source) VALUES (
                new.rowid, new.exact, coalesce(new.note, ''),
                coalesce((SELECT name FROM sources WHERE id = new.source_id), ''));
        END;
        CREATE TRIGGER sources_fts_rename AFTER UPDATE OF name ON sources BEGIN
            UPDATE annotations_fts SET source = new.name
                WHERE rowid IN (SELECT rowid FROM annotations WHERE source_id = new.id);
        END;
        PRAGMA user_version = 1;
        """
    )


# What the annotations' full-text index holds for one row, as SQL over ``annotations`` (named
# ``row``): the source's name and role live in ``sources`` and the tags are a JSON list, so the
# index keeps its own copy of the text. Used by the triggers, the rebuild and bulk imports.
ANNOTATION_FTS_COLUMNS = ("exact", "note", "source", "role", "via", "tags")


def annotation_fts_values(row: str) -> str:
    """The SQL expressions, in ``ANNOTATION_FTS_COLUMNS`` order, indexing the annotation ``row``."""
    return (f"{row}.exact, coalesce({row}.note, ''), "
            f"coalesce((SELECT name FROM sources WHERE id = {row}.source_id), ''), "
            f"coalesce((SELECT role FROM sources WHERE id = {row}.source_id), ''), "
            f"coalesce({row}.via, ''), "
            f"coalesce((SELECT group_concat(value, ' ') FROM json_each({row}.tags)), '')")


@MIGRATIONS(name="0002_search_role_via_tags")
def _search_role_via_tags(db: sqlite_utils.Database) -> None:
    """Free text also finds an annotation by its tags, its source's role and its channel (via)."""
    columns = ", ".join(ANNOTATION_FTS_COLUMNS)
    _run_script(
        db,
        f"""
        DROP TRIGGER annotations_fts_insert;
        DROP TRIGGER annotations_fts_delete;
        DROP TRIGGER annotations_fts_update;
        DROP TRIGGER sources_fts_rename;
        DROP TABLE annotations_fts;
        CREATE VIRTUAL TABLE annotations_fts USING fts5({columns});
        INSERT INTO annotations_fts(rowid, {columns})
            SELECT rowid, {annotation_fts_values("annotations")} FROM annotations;
        CREATE TRIGGER annotations_fts_insert AFTER INSERT ON annotations BEGIN
            INSERT INTO annotations_fts(rowid, {columns})
                VALUES (new.rowid, {annotation_fts_values("new")});
        END;
        CREATE TRIGGER annotations_fts_delete AFTER DELETE ON annotations BEGIN
            DELETE FROM annotations_fts WHERE rowid = old.rowid;
        END;
        CREATE TRIGGER annotations_fts_update
        AFTER UPDATE OF exact, note, source_id, via, tags ON annotations BEGIN
            DELETE FROM annotations_fts WHERE rowid = old.rowid;
            INSERT INTO annotations_fts(rowid, {columns})
                VALUES (new.rowid, {annotation_fts_values("new")});
        END;
        CREATE TRIGGER sources_fts_update AFTER UPDATE OF name, role ON sources BEGIN
            UPDATE annotations_fts SET source = new.name, role = coalesce(new.role, '')
                WHERE rowid IN (SELECT rowid FROM annotations WHERE source_id = new.id);
        END;
        PRAGMA user_version = 2;
        """
    )


@MIGRATIONS(name="0003_article_metadata")
def _article_metadata(db: sqlite_utils.Database) -> None:
    """Articles get an accessed day, an archive and a trash, and their edits join the history.

    ``accessed`` of an article already stored is the local day it was imported. The history
    is rebuilt (SQLite cannot loosen a NOT NULL or a CHECK in place) with a ``subject``: an
    annotation's change names the annotation, an article's change names none, and both share
    one sequence so that undo walks back whichever came last.
    """
    _run_script(
        db,
        """
        ALTER TABLE articles ADD COLUMN accessed TEXT;
        ALTER TABLE articles ADD COLUMN archived_at TEXT;
        ALTER TABLE articles ADD COLUMN deleted_at TEXT;
        UPDATE articles SET accessed = date(imported_at, 'localtime');
        CREATE TABLE history_new (
            id INTEGER PRIMARY KEY,
            annotation_id TEXT,
            article_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN (
                'create', 'edit', 'delete', 'restore', 'archive', 'unarchive')),
            before TEXT,
            after TEXT,
            at TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0,
            subject TEXT NOT NULL DEFAULT 'annotation'
                CHECK (subject IN ('annotation', 'article')),
            CHECK ((subject = 'annotation') = (annotation_id IS NOT NULL))
        );
        INSERT INTO history_new (id, annotation_id, article_id, action, before, after, at, undone)
            SELECT id, annotation_id, article_id, action, before, after, at, undone FROM history;
        DROP TABLE history;
        ALTER TABLE history_new RENAME TO history;
        CREATE INDEX history_by_article ON history(article_id, id);
        PRAGMA user_version = 3;
        """
    )


@MIGRATIONS(name="0004_articles_in_trash")
def _articles_in_trash(db: sqlite_utils.Database) -> None:
    """An index of the articles in the trash, whose annotations every listing leaves out.

    Without it each listing would read every article to its ``deleted_at``, which lies after
    the text, through all of the text's pages (a millisecond per query for 500 articles).
    """
    _run_script(
        db,
        """
        CREATE INDEX articles_in_trash ON articles(id) WHERE deleted_at IS NOT NULL;
        PRAGMA user_version = 4;
        """
    )


@MIGRATIONS(name="0005_article_revisions")
def _article_revisions(db: sqlite_utils.Database) -> None:
    """Articles keep every revision of their text, and annotations an anchor on each newer one.

    Every article stored so far becomes revision 1 of itself, retrieved when it was imported,
    and every annotation was made on it. ``articles.text`` stays the newest revision's text,
    so reading, search and spans need not know about revisions. The history is rebuilt again
    (its CHECK cannot be widened in place) so that accepting or re-attaching an anchor can be
    undone like any other change.
    """
    _run_script(
        db,
        """
        CREATE TABLE revisions (
            -- A revision is part of its article: whatever removes the article removes it.
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            number INTEGER NOT NULL CHECK (number >= 1),
            text TEXT NOT NULL,
            text_sha256 TEXT NOT NULL,
            source TEXT,
            format TEXT,
            title TEXT,
            published TEXT,
            retrieved_at TEXT NOT NULL,
            PRIMARY KEY (article_id, number)
        );
        CREATE INDEX revisions_by_text ON revisions(text_sha256);
        INSERT INTO revisions (article_id, number, text, text_sha256, source, format, title,
                               published, retrieved_at)
            SELECT id, 1, text, text_sha256, source, format, title, published, imported_at
            FROM articles;
        ALTER TABLE articles ADD COLUMN revision INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE articles ADD COLUMN read_revision INTEGER;
        ALTER TABLE annotations ADD COLUMN revision INTEGER NOT NULL DEFAULT 1
            CHECK (revision >= 1);
        CREATE TABLE anchors (
            annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            revision INTEGER NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('exact', 'moved', 'changed', 'orphan')),
            start INTEGER,
            "end" INTEGER,
            current TEXT,
            reason TEXT NOT NULL DEFAULT '',
            verified INTEGER CHECK (verified IN (0, 1)),
            reviewed_at TEXT,
            PRIMARY KEY (annotation_id, revision),
            CHECK ((kind = 'orphan') = (start IS NULL)),
            CHECK ((start IS NULL) = ("end" IS NULL) AND (start IS NULL) = (current IS NULL))
        ) WITHOUT ROWID;
        CREATE TABLE history_new (
            id INTEGER PRIMARY KEY,
            annotation_id TEXT,
            article_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN (
                'create', 'edit', 'delete', 'restore', 'archive', 'unarchive',
                'accept', 'reattach')),
            before TEXT,
            after TEXT,
            at TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0,
            subject TEXT NOT NULL DEFAULT 'annotation'
                CHECK (subject IN ('annotation', 'article')),
            CHECK ((subject = 'annotation') = (annotation_id IS NOT NULL))
        );
        INSERT INTO history_new SELECT id, annotation_id, article_id, action, before, after, at,
                                       undone, subject FROM history;
        DROP TABLE history;
        ALTER TABLE history_new RENAME TO history;
        CREATE INDEX history_by_article ON history(article_id, id);
        PRAGMA user_version = 5;
        """
    )


@MIGRATIONS(name="0006_analyst_and_origin")
def _analyst_and_origin(db: sqlite_utils.Database) -> None:
    """Articles and annotations record who made them (``analyst``) and in which copy of the
    database (``origin``, the ``local_copy`` id generated here once).

    What was stored before was made in this copy, so its origin is filled in; who made it is
    not known (the person upgrading need not be the one who wrote it), so analyst stays NULL.
    """
    _run_script(
        db,
        """
        CREATE TABLE local_copy (
            only INTEGER PRIMARY KEY CHECK (only = 1),
            id TEXT NOT NULL
        );
        INSERT INTO local_copy (only, id) VALUES (1, lower(hex(randomblob(16))));
        ALTER TABLE articles ADD COLUMN analyst TEXT;
        ALTER TABLE articles ADD COLUMN origin TEXT;
        ALTER TABLE annotations ADD COLUMN analyst TEXT;
        ALTER TABLE annotations ADD COLUMN origin TEXT;
        UPDATE articles SET origin = (SELECT id FROM local_copy);
        UPDATE annotations SET origin = (SELECT id FROM local_copy);
        CREATE INDEX annotations_by_analyst ON annotations(analyst COLLATE NOCASE);
        PRAGMA user_version = 6;
        """
    )


@MIGRATIONS(name="0007_team_sync")
def _team_sync(db: sqlite_utils.Database) -> None:
    """What sharing through a team's server needs to know (``store.sync``).

    Articles get ``updated_at``, as annotations have, so that the newer of two versions of
    their metadata can win. ``sync_server`` remembers the server (its address without any
    password, its id and how far this copy has read its changes); ``sync_versions`` every
    version of a record this copy has exchanged with it (so a change read twice is
    recognised), and ``sync_base`` the version each record had when last exchanged (a record
    whose version differs has changed here since). ``annotations.unsent`` marks those that
    may have changed since they were last sent, so a sync need not compare every one. ``conflicts`` holds the losing side of each
    concurrent edit until the analyst resolves it; the history is rebuilt once more so that
    finding and resolving one are recorded beside every other change.
    """
    _run_script(
        db,
        """
        ALTER TABLE articles ADD COLUMN updated_at TEXT;
        UPDATE articles SET updated_at = imported_at;
        -- Whether an annotation may have changed since it was last sent: every new row is, and
        -- any write that moves updated_at makes it so again, whichever path wrote it.
        ALTER TABLE annotations ADD COLUMN unsent INTEGER NOT NULL DEFAULT 1;
        CREATE INDEX annotations_unsent ON annotations(id) WHERE unsent = 1;
        CREATE TRIGGER annotations_changed AFTER UPDATE OF updated_at ON annotations
            WHEN new.unsent = 0 AND new.updated_at IS NOT old.updated_at BEGIN
            UPDATE annotations SET unsent = 1 WHERE rowid = new.rowid;
        END;
        CREATE TABLE sync_server (
            only INTEGER PRIMARY KEY CHECK (only = 1),
            url TEXT,
            server_id TEXT,
            watermark INTEGER NOT NULL DEFAULT 0,
            synced_at TEXT
        );
        CREATE TABLE sync_versions (
            kind TEXT NOT NULL CHECK (kind IN ('article', 'annotation', 'revision')),
            key TEXT NOT NULL,
            version TEXT NOT NULL,
            PRIMARY KEY (kind, key, version)
        ) WITHOUT ROWID;
        CREATE TABLE sync_base (
            kind TEXT NOT NULL CHECK (kind IN ('article', 'annotation')),
            key TEXT NOT NULL,
            updated_at TEXT NOT NULL,
            edited_on TEXT NOT NULL,
            PRIMARY KEY (kind, key)
        ) WITHOUT ROWID;
        CREATE TABLE conflicts (
            id INTEGER PRIMARY KEY,
            subject TEXT NOT NULL CHECK (subject IN ('annotation', 'article')),
            record_id TEXT NOT NULL,
            article_id TEXT NOT NULL,
            kept_version TEXT NOT NULL,
            lost_version TEXT NOT NULL,
            lost TEXT NOT NULL,
            found_at TEXT NOT NULL,
            resolved_at TEXT,
            UNIQUE (subject, record_id, lost_version)
        );
        CREATE INDEX conflicts_open ON conflicts(record_id) WHERE resolved_at IS NULL;
        CREATE TABLE history_new (
            id INTEGER PRIMARY KEY,
            annotation_id TEXT,
            article_id TEXT NOT NULL,
            action TEXT NOT NULL CHECK (action IN (
                'create', 'edit', 'delete', 'restore', 'archive', 'unarchive',
                'accept', 'reattach', 'conflict', 'resolve')),
            before TEXT,
            after TEXT,
            at TEXT NOT NULL,
            undone INTEGER NOT NULL DEFAULT 0,
            subject TEXT NOT NULL DEFAULT 'annotation'
                CHECK (subject IN ('annotation', 'article')),
            CHECK ((subject = 'annotation') = (annotation_id IS NOT NULL))
        );
        INSERT INTO history_new SELECT id, annotation_id, article_id, action, before, after, at,
                                       undone, subject FROM history;
        DROP TABLE history;
        ALTER TABLE history_new RENAME TO history;
        CREATE INDEX history_by_article ON history(article_id, id);
        PRAGMA user_version = 7;
        """
    )


def _run_script(db: sqlite_utils.Database, script: str) -> None:
    """Run SQL statements one by one; ``executescript`` would commit the migration's transaction."""
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            db.conn.execute(statement)
            statement = ""


def open_db(path: str | os.PathLike[str], analyst: str | None = None) -> sqlite_utils.Database:
    """Open (creating if needed) the database at ``path`` and bring its schema up to date.

    ``analyst`` is who works through this connection: every article and annotation it creates
    records the name (``analyst_of``). None means the login name.
    """
    path = Path(path)
    _check_file(path)
    # SQLite keeps a WAL database's lock and log in files beside it, so in a folder margin
    # cannot write (a read-only mount, a shared copy) it could not even read the file. There
    # it is opened as a file nothing changes: everything reads, and a write fails as read-only.
    read_only = path.exists() and not os.access(path.parent, os.W_OK)
    try:
        version = _schema_version(path, read_only)
        if version > SCHEMA_VERSION:
            raise DatabaseError(
                f"{path} was made by a newer margin (schema {version}, this one knows {SCHEMA_VERSION})",
                "upgrade margin to open it; the file was left unchanged",
            )
        if read_only:
            conn = sqlite3.connect(_read_only_uri(path), uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
        else:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    except sqlite3.DatabaseError as error:
        raise DatabaseError(
            f"{path} is not a margin database ({error})",
            "use a new file name, or the path of a database margin made",
        ) from None
    db = sqlite_utils.Database(conn)
    try:
        # Before any PRAGMA below: switching to WAL rewrites the header of a file not ours.
        if version == 0 and _has_foreign_tables(db):
            raise DatabaseError(
                f"{path} is a SQLite database of another program",
                "use a new file name, or the path of a database margin made",
            )
        conn.execute("PRAGMA foreign_keys = ON")
        if read_only:
            if version < SCHEMA_VERSION:
                raise DatabaseError(
                    f"{path} was made by an older margin and is in a read-only folder, so it cannot be updated",
                    "copy it to a folder you can write to and open the copy",
                )
            _ANALYSTS[db] = analyst
            return db
        if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
            conn.execute("PRAGMA journal_mode = wal")
        conn.execute("PRAGMA synchronous = NORMAL")
        if version < SCHEMA_VERSION:
            MIGRATIONS.apply(db)
        _ANALYSTS[db] = analyst
    except sqlite3.OperationalError as error:
        conn.close()
        raise DatabaseError(f"cannot use the database {path} ({error})",
                            "check the file's permissions and free disk space") from None
    except DatabaseError:
        conn.close()
        raise
    return db


# Who works through each open database; kept beside it, not in it, since two programs (or two
# analysts) may share one file at once.
_ANALYSTS: weakref.WeakKeyDictionary[sqlite_utils.Database, str | None] = (
    weakref.WeakKeyDictionary())


def analyst_of(db: sqlite_utils.Database) -> str | None:
    """The analyst working through ``db``: the name it was opened with, else the login name
    (None when the system cannot tell)."""
    name = _ANALYSTS.get(db)
    if name:
        return name
    try:
        return getpass.getuser() or None
    except (OSError, KeyError):
        return None


def copy_id(db: sqlite_utils.Database) -> str:
    """This database's own id, generated once when it was made: the ``origin`` of what it
    creates, so copies that share their work can tell whose is whose."""
    return db.execute("SELECT id FROM local_copy").fetchone()[0]


def made_here(db: sqlite_utils.Database) -> dict[str, str | None]:
    """The ``analyst`` and ``origin`` a new article or annotation records."""
    return {"analyst": analyst_of(db), "origin": copy_id(db)}


@contextlib.contextmanager
def writing(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """A write transaction: every store function that writes runs inside one.

    It takes the write lock when it begins (``BEGIN IMMEDIATE``), waiting up to the busy
    timeout for another writer. A deferred transaction would take it only at its first write,
    after reading; in WAL mode SQLite cannot wait at that point (the snapshot read may be stale),
    so two programs writing at once would fail at once with "database is locked". Inside another
    transaction it is a savepoint, so store functions can call each other. A lock that is not
    released in time, a full disk or a read-only file becomes a ``DatabaseError``.
    """
    if db.conn.in_transaction:
        with _as_database_error(db), db.atomic():
            yield db
        return
    with _as_database_error(db):
        db.conn.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.conn.rollback()
            raise
        try:
            db.conn.execute("COMMIT")
        except BaseException:
            db.conn.rollback()
            raise


@contextlib.contextmanager
def _as_database_error(db: sqlite_utils.Database) -> Iterator[None]:
    """SQLite's operational failures as what they mean for the analyst's work."""
    try:
        yield
    except sqlite3.OperationalError as error:
        raise database_error(error, _path_of(db)) from None


def database_error(error: sqlite3.OperationalError, path: str) -> DatabaseError:
    """The ``DatabaseError`` that tells a person what an ``OperationalError`` means."""
    message = str(error)
    if "locked" in message or "busy" in message:
        return DatabaseError(
            f"the database {path} is busy: another program kept it locked for over "
            f"{BUSY_TIMEOUT_MS // 1000} seconds, and nothing was saved",
            "try again once the other program has finished writing")
    if "full" in message:
        return DatabaseError(f"the disk holding {path} is full, and nothing was saved",
                             "free some disk space and try again")
    if "readonly" in message or "read-only" in message:
        return DatabaseError(f"the database {path} is read-only, and nothing was saved",
                             "make the file and its folder writable, or use another database")
    return DatabaseError(f"the database {path} could not be written ({message}), "
                         "and nothing was saved", "check the disk and the file's permissions")


def _path_of(db: sqlite_utils.Database) -> str:
    row = db.conn.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else "in memory"


def _schema_version(path: Path, read_only: bool = False) -> int:
    """``PRAGMA user_version`` read through a read-only connection.

    Closing a read-write connection can checkpoint a leftover WAL into the file, which would
    change a database we are about to refuse. SQLite reads the file's header here too, so a
    file that is not SQLite is refused without our opening it (see ``_check_file``).
    """
    if not path.exists() or path.stat().st_size == 0:
        return 0
    uri = _read_only_uri(path) if read_only else f"{path.resolve().as_uri()}?mode=ro"
    probe = sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        return probe.execute("PRAGMA user_version").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if error.sqlite_errorcode == sqlite3.SQLITE_NOTADB:
            raise DatabaseError(f"{path} is not a SQLite database",
                                "use a new file name, or the path of a database margin made"
                                ) from None
        raise
    finally:
        probe.close()


def _read_only_uri(path: Path) -> str:
    """The URI that opens ``path`` read-only as a file no one changes, needing no files beside it."""
    return f"{path.resolve().as_uri()}?mode=ro&immutable=1"


def _check_file(path: Path) -> None:
    """Refuse paths that SQLite would fail on with an unhelpful message.

    The file itself is never opened here: closing any handle on a database file drops every
    lock this process holds on it (POSIX locks belong to the process), and with its locks
    gone an open connection of the app (margin opens a second one for Review) goes stale:
    another program's last connection then checkpoints and deletes the WAL it still reads.
    """
    if path.is_dir():
        raise DatabaseError(f"{path} is a directory, not a database file",
                            "use the path of a file, e.g. margin.db inside it")
    if not path.exists() and not path.parent.exists():
        path.parent.mkdir(parents=True, exist_ok=True)


def _has_foreign_tables(db: sqlite_utils.Database) -> bool:
    return any(name != Migrations.migrations_table for name in db.table_names())
