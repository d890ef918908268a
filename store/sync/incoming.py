"""Reading what the team changed and merging it into this copy.

Rows are read in the order the server numbered them, from a little before the last one this
copy merged (numbers can commit out of order; a version merged before is recognised and
skipped). For each version of a record, against this copy's version:

- the same version, or one merged before: nothing to do;
- a version made from this copy's (this copy's is among its parents): it replaces it;
- otherwise the two were made without knowing each other: the newer ``(updated_at,
  edited_on)`` stands, and the other is kept as an open conflict (with a history entry)
  until an analyst resolves it. A delete is a version like any other, so a newer delete
  beats an older edit and an older delete loses to a newer edit.

Merging happens in transactions of a few thousand records, each recording what it merged,
so a sync cut short keeps what it finished and the next one goes on from there. The mark of
how far this copy has read moves only when everything read was merged.
"""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable

import sqlite_utils

from store.anchoring import Selector
from store.annotations import COLUMNS
from store.articles import free_id
from store.bulk import store_rows
from store.clock import now
from store.db import copy_id, writing
from store.revisions.anchors import ANCHOR_COLUMNS, anchor_rows, fitting_anchor
from store.sources import ensure_source
from store.sync import state
from store.sync.records import (ANNOTATION_COLUMNS, ANNOTATION_FIELDS,
                                ARTICLE_COLUMNS, ARTICLE_FIELDS, LOCAL_ANNOTATIONS,
                                LOCAL_ARTICLES, REVISION_COLUMNS, rows_as_dicts)
from store.sync.server import WRITING_LOCK
from store.sync.versions import Version
from store.text import text_digest

# How many change numbers before the mark are read again: a row numbered earlier than one
# already read may commit later (writers hold a lock readers share, so this is a safeguard).
OVERLAP = 500
# Records merged per SQLite transaction: small enough that the analyst's own saves (which
# wait for the write lock) are not held up for long.
CHUNK = 10_000
# Characters of article texts kept at hand while checking where annotations are.
TEXTS_KEPT = 20_000_000

Progress = Callable[[str, int, int], None]
_INSERT_ANCHOR = (f"INSERT OR REPLACE INTO anchors ({', '.join(f'[{c}]' for c in ANCHOR_COLUMNS)}) "
                  f"VALUES ({', '.join('?' for _ in ANCHOR_COLUMNS)})")

# An incoming annotation row as read: ANNOTATION_COLUMNS, then its change number.
INCOMING = (*ANNOTATION_COLUMNS, "seq")
# _Merger._plain_new takes these rows apart and builds annotations rows by position.
assert INCOMING == ("id", "updated_at", "edited_on", "parents", "article_key", "kind", "start",
                    "end", "exact", "prefix", "suffix", "source", "role", "organization", "via",
                    "confidence", "grade", "note", "tags", "created_at", "deleted_at",
                    "revision", "analyst", "origin", "anchors", "seq")
assert COLUMNS == ("id", "article_id", "kind", "start", "end", "exact", "prefix", "suffix",
                   "source_id", "via", "confidence", "grade", "note", "tags", "created_at",
                   "updated_at", "deleted_at", "revision", "analyst", "origin")

# Two versions made apart that say the same are no conflict: when each copy imported the same
# article, the moment of import is all that differs.
CONFLICTING_ARTICLE_FIELDS = ("title", "authors", "outlet", "url", "published", "section",
                              "language", "accessed", "archived_at", "deleted_at")
_SAME_ANNOTATION_FIELDS = ("kind", "start", "end", "exact", "revision", "source", "via",
                           "confidence", "grade", "note")


def _same_annotation(one: dict, other: dict) -> bool:
    """Whether two versions of an annotation say the same (deleted or not, not when)."""
    return (all(one.get(field) == other.get(field) for field in _SAME_ANNOTATION_FIELDS)
            and json.loads(one.get("tags") or "[]") == json.loads(other.get("tags") or "[]")
            and bool(one.get("deleted_at")) == bool(other.get("deleted_at")))


def receive(db: sqlite_utils.Database, connection: Any, report: Any,
            progress: Progress | None = None) -> None:
    """Merge every change on the server since this copy's mark into this copy."""
    since = max(0, state.watermark(db) - OVERLAP)
    with connection.transaction():
        # Rows are added holding this lock: once it is ours, no row numbered below the
        # newest is still to commit.
        connection.execute("SELECT pg_advisory_xact_lock_shared(%s)", [WRITING_LOCK])
        report.server_top = newest_change(connection)
        total = connection.execute(
            "SELECT (SELECT count(*) FROM margin.articles WHERE seq > %(s)s) "
            "+ (SELECT count(*) FROM margin.revisions WHERE seq > %(s)s) "
            "+ (SELECT count(*) FROM margin.annotations WHERE seq > %(s)s)",
            {"s": since}).fetchone()[0]
        if progress:
            progress("receiving", 0, total)
        merger = _Merger(db, connection, report)
        articles = _fetch(connection, "articles", ARTICLE_COLUMNS, since)
        revisions = _fetch(connection, "revisions",
                           tuple(c for c in REVISION_COLUMNS if c != "text"), since)
        merger.articles(articles, revisions)
        done = len(articles) + len(revisions)
        if progress:
            progress("receiving", done, total)
        cursor = connection.cursor(name="margin_incoming")
        listed = ", ".join(f'"{column}"' for column in ANNOTATION_COLUMNS)
        cursor.execute(f"SELECT {listed}, seq FROM margin.annotations WHERE seq > %s "
                       "ORDER BY seq", [since])
        # The next chunk is read while this one is merged: the server and the network work
        # while SQLite writes (both let go of Python's lock while they wait or write). Only
        # that thread uses the connection until the chunks are done.
        with ThreadPoolExecutor(max_workers=1) as reader:
            coming = reader.submit(cursor.fetchmany, CHUNK)
            while rows := coming.result():
                coming = reader.submit(cursor.fetchmany, CHUNK)
                merger.annotations(rows)
                done += len(rows)
                if progress:
                    progress("receiving", done, total)
        cursor.close()
    with writing(db):
        state.advance(db, merger.mark(since), now())


def newest_change(connection: Any) -> int:
    """The highest change number the server has committed (0 for none)."""
    return connection.execute(
        "SELECT greatest((SELECT max(seq) FROM margin.articles), "
        "(SELECT max(seq) FROM margin.revisions), (SELECT max(seq) FROM margin.annotations), 0)"
    ).fetchone()[0]


def _fetch(connection: Any, table: str, columns: Iterable[str], since: int) -> list[dict]:
    columns = (*columns, "seq")
    listed = ", ".join(f'"{column}"' for column in columns)
    return [dict(zip(columns, row)) for row in connection.execute(
        f"SELECT {listed} FROM margin.{table} WHERE seq > %s ORDER BY seq", [since])]


class _Merger:
    """Merges incoming versions into one copy, counting what it did in the report."""

    def __init__(self, db: sqlite_utils.Database, connection: Any, report: Any) -> None:
        self.db = db
        self.connection = connection
        self.report = report
        self.me = copy_id(db)
        self.highest = 0
        # Change numbers of rows that could not be merged yet: the mark stays below them.
        self.held: list[int] = []
        self.sources: dict[str, int] = {}
        self.texts: dict[tuple[str, int], str] = {}
        self.local_articles: dict[str, dict] = {}
        self.newest: dict[str, int] = {}

    def mark(self, since: int) -> int:
        """How far this copy may say it has read."""
        top = max(self.highest, since)
        return min([top, *(seq - 1 for seq in self.held)])

    def _hold(self, seq: int, problem: str) -> None:
        self.held.append(seq)
        self.report.problems.append(problem)

    # --- articles and their revisions -------------------------------------------------------

    def _load_articles(self) -> None:
        self.local_articles = {row["key"]: row for row in rows_as_dicts(self.db.execute(
            f"SELECT a.*, x.revision, x.text_sha256 AS newest_sha256 FROM ({LOCAL_ARTICLES}) a "
            "JOIN articles x ON x.id = a.id"))}
        self.newest = {row["id"]: row["revision"] for row in self.local_articles.values()}

    def articles(self, versions: list[dict], revisions: list[dict]) -> None:
        """Merge article versions, then the revisions read (texts fetched as needed)."""
        if not versions and not revisions:
            return
        with writing(self.db):
            self._load_articles()
            seen = state.seen(self.db, "article")
            bases = state.bases(self.db, "article")
            for row in versions:
                self.highest = max(self.highest, row["seq"])
                version = Version(row["updated_at"], row["edited_on"])
                if (row["key"], str(version)) in seen:
                    continue
                local = self.local_articles.get(row["key"])
                if local is None:
                    if not self._create_article(row):
                        continue
                elif version.edited_on != self.me:
                    self._merge_article(row, version, local, bases.get(row["key"]))
                seen.add((row["key"], str(version)))
                state.mark_seen(self.db, "article", [(row["key"], version)])
            self._load_articles()
            revisions_seen = state.seen(self.db, "revision")
            for row in revisions:
                self.highest = max(self.highest, row["seq"])
                key = f"{row['article_key']}/{row['number']}"
                if (key, row["text_sha256"]) in revisions_seen:
                    continue
                if self._add_revision(row):
                    state.mark_seen(self.db, "revision", [(key, row["text_sha256"])])

    def _server_revisions(self, key: str) -> list[dict]:
        return [dict(zip(REVISION_COLUMNS, row)) for row in self.connection.execute(
            f"SELECT {', '.join(REVISION_COLUMNS)} FROM margin.revisions WHERE article_key = %s "
            "ORDER BY number", [key])]

    def _create_article(self, row: dict) -> bool:
        """Store an article this copy has never had, with every revision the server has."""
        revisions = self._server_revisions(row["key"])
        if [r["number"] for r in revisions] != list(range(1, len(revisions) + 1)) or not revisions \
                or revisions[0]["text_sha256"] != row["key"] or any(
                    text_digest(r["text"]) != r["text_sha256"]
                    for r in revisions):
            self._hold(row["seq"], f"article {row['key'][:8]} on the server lacks revisions or "
                                   "its texts do not match their hashes; it was not taken")
            return False
        newest = revisions[-1]
        twin = self.db.execute("SELECT id FROM articles WHERE text_sha256 = ?",
                               [newest["text_sha256"]]).fetchone()
        if twin:
            self._hold(row["seq"], f"article {row['key'][:8]} has the same newest text as "
                                   f"article {twin[0]} here, which began from another text; "
                                   "it was not taken")
            return False
        article_id = free_id(self.db, row["key"])
        values = {field: row[field] for field in ARTICLE_FIELDS}
        self.db["articles"].insert({
            "id": article_id, **values, "text": newest["text"],
            "text_sha256": newest["text_sha256"], "revision": newest["number"],
            "updated_at": row["updated_at"]})
        self.db["revisions"].insert_all(
            [{"article_id": article_id, **{c: r[c] for c in REVISION_COLUMNS
                                           if c not in ("article_key", "edited_on")}}
             for r in revisions])
        state.mark_seen(self.db, "revision",
                        [(f"{row['key']}/{r['number']}", r["text_sha256"]) for r in revisions])
        state.set_bases(self.db, "article", [(row["key"], Version(row["updated_at"],
                                                                   row["edited_on"]))])
        self.newest[article_id] = newest["number"]
        self.local_articles[row["key"]] = {"key": row["key"], "id": article_id,
                                           "updated_at": row["updated_at"], **values,
                                           "revision": newest["number"],
                                           "newest_sha256": newest["text_sha256"]}
        self.report.received_articles += 1
        return True

    def _merge_article(self, row: dict, version: Version, local: dict,
                       base: Version | None) -> None:
        mine = base if base and base.updated_at == local["updated_at"] else \
            Version(local["updated_at"], self.me)
        if version == mine:
            state.set_bases(self.db, "article", [(row["key"], version)])
            return
        parents = set(row["parents"] or [])
        self._close_conflicts("article", local["id"], parents)
        incoming = {field: row[field] for field in ARTICLE_FIELDS}
        same = all(local[field] == incoming[field] for field in CONFLICTING_ARTICLE_FIELDS)
        here = {**{field: local[field] for field in ARTICLE_FIELDS},
                "updated_at": mine.updated_at}
        there = {**incoming, "updated_at": version.updated_at}
        if str(mine) in parents or version > mine:
            if str(mine) not in parents and not same:
                self._conflict("article", local["id"], local["id"], kept=version, lost=mine,
                               lost_values=here, kept_values=there)
            self.db["articles"].update(local["id"], {**incoming,
                                                     "updated_at": row["updated_at"]})
            local.update(incoming, updated_at=row["updated_at"])
            state.set_bases(self.db, "article", [(row["key"], version)])
            self.report.received_articles += 1
        elif not same:
            self._conflict("article", local["id"], local["id"], kept=mine, lost=version,
                           lost_values=there, kept_values=here)

    def _add_revision(self, row: dict) -> bool:
        """Add a revision the server has to an article here, anchoring its annotations on it."""
        from store.revisions.anchors import anchor_article

        local = self.local_articles.get(row["article_key"])
        if local is None:
            # The article itself was not taken (said above), or is still to come.
            self.held.append(row["seq"])
            return False
        number, newest = row["number"], local["revision"]
        if number <= newest:
            stored = self.db.execute("SELECT text_sha256 FROM revisions WHERE article_id = ? "
                                     "AND number = ?", [local["id"], number]).fetchone()
            if stored and stored[0] == row["text_sha256"]:
                return True
            self._hold(row["seq"], f"revision {number} of article {local['id']} differs between "
                                   "this copy and the team's server; this copy's was kept")
            return False
        if number > newest + 1:
            self.held.append(row["seq"])
            return False
        full = self.connection.execute(
            f"SELECT {', '.join(REVISION_COLUMNS)} FROM margin.revisions WHERE article_key = %s "
            "AND number = %s", [row["article_key"], number]).fetchone()
        revision = dict(zip(REVISION_COLUMNS, full))
        if text_digest(revision["text"]) != revision["text_sha256"]:
            self._hold(row["seq"], f"revision {number} of article {local['id']} on the server does "
                                   "not match its hash; it was not taken")
            return False
        twin = self.db.execute("SELECT id FROM articles WHERE text_sha256 = ? AND id != ?",
                               [revision["text_sha256"], local["id"]]).fetchone()
        if twin:
            self._hold(row["seq"], f"revision {number} of article {local['id']} is the text of "
                                   f"article {twin[0]} here; it was not taken")
            return False
        self.db["revisions"].insert({"article_id": local["id"],
                                     **{c: revision[c] for c in REVISION_COLUMNS
                                        if c not in ("article_key", "edited_on")}})
        anchor_article(self.db, local["id"], newest, revision["text"], number)
        self.db.execute("UPDATE articles SET text = ?, text_sha256 = ?, revision = ? WHERE id = ?",
                        [revision["text"], revision["text_sha256"], number, local["id"]])
        local["revision"] = self.newest[local["id"]] = number
        self.report.received_revisions += 1
        return True

    # --- annotations ------------------------------------------------------------------------

    def annotations(self, rows: list[tuple]) -> None:
        """Merge one chunk of annotation versions (rows of ``INCOMING``), in one transaction."""
        if not rows:
            return
        if not self.local_articles:
            self._load_articles()
        # Rows come in change order: the last one's number is the highest.
        self.highest = max(self.highest, rows[-1][-1])
        with writing(self.db):
            ids = json.dumps(sorted({row[0] for row in rows}))
            local = {row["id"]: row for row in rows_as_dicts(self.db.execute(
                f"SELECT * FROM ({LOCAL_ANNOTATIONS}) a "
                "WHERE a.id IN (SELECT value FROM json_each(?))", [ids]))}
            bases = {key: Version(at, on) for key, at, on in self.db.execute(
                "SELECT key, updated_at, edited_on FROM sync_base WHERE kind = 'annotation' "
                "AND key IN (SELECT value FROM json_each(?))", [ids])}
            seen = set(self.db.execute(
                "SELECT key, version FROM sync_versions WHERE kind = 'annotation' "
                "AND key IN (SELECT value FROM json_each(?))", [ids]))
            # Most rows of a first sync are one version of an annotation this copy has never
            # met, made on its article's newest text: stored as they come, without the
            # comparisons below. Any other row takes the general way.
            known = {*local, *bases, *(key for key, _ in seen),
                     *(key for key, count in Counter(row[0] for row in rows).items()
                       if count > 1)}
            plain, new_bases, others = self._plain_new(rows, known)
            new: dict[str, dict] = {}
            replaced: list[dict] = []
            merged: list[tuple[str, Version]] = []
            for raw in others:
                row = dict(zip(INCOMING, raw))
                version = Version(row["updated_at"], row["edited_on"])
                if (row["id"], str(version)) in seen or \
                        (new_bases.get(row["id"]) or bases.get(row["id"])) == version:
                    continue
                if version.edited_on == self.me:
                    # Made here, and sent by a sync that stopped before it could note so:
                    # this copy has it, or something made from it.
                    seen.add((row["id"], str(version)))
                    merged.append((row["id"], version))
                    base = new_bases.get(row["id"]) or bases.get(row["id"])
                    if base is None or version > base:
                        new_bases[row["id"]] = version
                    continue
                article = self.local_articles.get(row["article_key"])
                problem = self._unfit(row, article)
                if problem:
                    self._hold(row["seq"], f"annotation {row['id'][:8]}: {problem}")
                    continue
                seen.add((row["id"], str(version)))
                merged.append((row["id"], version))
                mine = local.get(row["id"]) or new.get(row["id"])
                if mine is None:
                    new[row["id"]] = self._as_local(row, article)
                    new_bases[row["id"]] = version
                    continue
                mine_version = self._version_of(mine, new_bases.get(row["id"])
                                                or bases.get(row["id"]))
                if mine_version == version:
                    new_bases[row["id"]] = version
                    continue
                parents = set(row["parents"] or [])
                self._close_conflicts("annotation", row["id"], parents)
                if str(mine_version) in parents or version > mine_version:
                    if str(mine_version) not in parents and not _same_annotation(mine, row):
                        self._conflict("annotation", row["id"], article["id"], kept=version,
                                       lost=mine_version, lost_values=self._snapshot(mine),
                                       kept_values=self._snapshot(row))
                    replacement = self._as_local(row, article)
                    if row["id"] in new:
                        new[row["id"]] = replacement
                    else:
                        replaced = [r for r in replaced if r["id"] != row["id"]]
                        replaced.append(replacement)
                    local[row["id"]] = replacement
                    new_bases[row["id"]] = version
                elif not _same_annotation(mine, row):
                    # The version here stands, still this copy's to send as it is.
                    self._conflict("annotation", row["id"], article["id"], kept=mine_version,
                                   lost=version, lost_values=self._snapshot(row),
                                   kept_values=self._snapshot(mine))
            self._write(plain, list(new.values()), replaced)
            # What now holds the version exchanged has nothing to send: rows written just now
            # were stored so; the others were replaced here, or hold a version this copy sent
            # and had not noted.
            written = {row[0] for row in plain}.union(new)
            self.db.conn.executemany(
                "UPDATE annotations SET unsent = 0 WHERE id = ? AND updated_at = ?",
                sorted((key, version.updated_at) for key, version in new_bases.items()
                       if key not in written))
            # Bases moved past become versions merely seen; a version that lost stays seen.
            state.set_bases(self.db, "annotation", new_bases.items(),
                            replaced=[(key, bases[key]) for key in new_bases
                                      if key in bases and bases[key] != new_bases[key]])
            state.mark_seen(self.db, "annotation",
                            [(key, version) for key, version in merged
                             if new_bases.get(key) != version])

    def _plain_new(self, rows: list[tuple], known: set[str]
                   ) -> tuple[list[tuple], dict[str, Version], list[tuple]]:
        """Split a chunk: the versions stored as they come (annotations new here, not among
        ``known``, made elsewhere on their article's newest text here, their words there) as
        annotations rows in ``COLUMNS`` order, with the version each becomes the base of;
        and the other rows, which the general way stores, holds, or says what is wrong with."""
        plain: list[tuple] = []
        bases: dict[str, Version] = {}
        others: list[tuple] = []
        # Per article key: its id here, its newest revision and that revision's text.
        articles: dict[str, tuple[str, int, str] | None] = {}
        sources: dict[str, int | None] = {}
        for raw in rows:
            (annotation_id, updated_at, edited_on, _, article_key, kind, start, end, exact,
             prefix, suffix, source, role, organization, via, confidence, grade, note, tags,
             created_at, deleted_at, revision, analyst, origin, _, _) = raw
            if annotation_id in known or edited_on == self.me:
                others.append(raw)
                continue
            if article_key not in articles:
                article = self.local_articles.get(article_key)
                articles[article_key] = None if article is None else (
                    article["id"], self.newest[article["id"]],
                    self._text(article["id"], self.newest[article["id"]]))
            article = articles[article_key]
            if article is None or revision != article[1] or \
                    not (0 <= start < end <= len(article[2])) or article[2][start:end] != exact:
                others.append(raw)
                continue
            if source not in sources:
                sources[source] = self._source_id(source, role, organization)
            plain.append((annotation_id, article[0], kind, start, end, exact, prefix, suffix,
                          sources[source], via, confidence, grade, note, tags, created_at,
                          updated_at, deleted_at, revision, analyst, origin))
            bases[annotation_id] = Version(updated_at, edited_on)
        return plain, bases, others

    def _version_of(self, row: dict, base: Version | None) -> Version:
        """The version of a row here: the one last exchanged, or this copy's own if changed."""
        if base is not None and base.updated_at == row["updated_at"]:
            return base
        return Version(row["updated_at"], row.get("edited_on") or self.me)

    def _unfit(self, row: dict, article: dict | None) -> str | None:
        """Why an incoming annotation cannot be stored here (yet), or None."""
        if article is None:
            return "its article is not in this copy yet"
        if row["revision"] > article["revision"]:
            return f"it was made on revision {row['revision']}, which this copy does not have yet"
        text = self._text(article["id"], row["revision"])
        if not (0 <= row["start"] < row["end"] <= len(text)) or \
                text[row["start"]:row["end"]] != row["exact"]:
            return "its words are not at its place in the article's text here"
        return None

    def _text(self, article_id: str, number: int) -> str:
        if (article_id, number) not in self.texts:
            if sum(len(text) for text in self.texts.values()) > TEXTS_KEPT:
                self.texts.clear()
            self.texts[(article_id, number)] = self.db.execute(
                "SELECT text FROM revisions WHERE article_id = ? AND number = ?",
                [article_id, number]).fetchone()[0]
        return self.texts[(article_id, number)]

    def _as_local(self, row: dict, article: dict) -> dict:
        """An incoming version as this copy's annotations row (plus what goes beside it)."""
        values = {field: row[field] for field in ANNOTATION_FIELDS}
        return {"id": row["id"], "article_id": article["id"], **values,
                "source_id": self._source_id(row["source"], row["role"], row["organization"]),
                "updated_at": row["updated_at"],
                "edited_on": row["edited_on"], "anchors": row["anchors"],
                "source": row["source"], "role": row["role"],
                "organization": row["organization"]}

    def _source_id(self, name: str | None, role: str | None,
                   organization: str | None) -> int | None:
        if not name or not name.strip():
            return None
        key = name.casefold()
        if key not in self.sources:
            self.sources[key] = ensure_source(self.db, name, role=role,
                                              organization=organization)["id"]
        return self.sources[key]

    def _write(self, plain: list[tuple], new: list[dict], replaced: list[dict]) -> None:
        """Store new rows (``plain`` ones already in ``COLUMNS`` order, needing no anchors)
        and replace rows here, with the anchors they need."""
        store_rows(self.db, plain + [tuple(row[column] for column in COLUMNS) for row in new],
                   unsent=False)
        assignments = ", ".join(f'"{column}" = ?' for column in COLUMNS if column != "id")
        self.db.conn.executemany(
            f"UPDATE annotations SET {assignments} WHERE id = ?",
            [[row[column] for column in COLUMNS if column != "id"] + [row["id"]]
             for row in replaced])
        self._anchor([*new, *replaced], fresh={row["id"] for row in new})
        self.report.received_annotations += len(plain) + len(new) + len(replaced)
        self.report.received_deleted += sum(1 for row in replaced if row["deleted_at"])

    def _anchor(self, rows: list[dict], fresh: set[str]) -> None:
        """Anchors on this copy's newer revisions: the analyst's reviewed ones as sent, the
        rest placed by the engine as importing the revision here would."""
        groups: dict[tuple[str, int, int], list[dict]] = {}
        for row in rows:
            newest = self.newest[row["article_id"]]
            if row["id"] not in fresh:
                self.db.execute("DELETE FROM anchors WHERE annotation_id = ?", [row["id"]])
            if row["revision"] >= newest:
                continue
            reviewed = {}
            for anchor in json.loads(row["anchors"] or "[]"):
                fitting = self._fitting(anchor, row)
                if fitting is not None:
                    reviewed[anchor["revision"]] = fitting
            for number in range(row["revision"] + 1, newest + 1):
                if number in reviewed:
                    self.db.execute(_INSERT_ANCHOR, [row["id"], number, *reviewed[number]])
                else:
                    groups.setdefault((row["article_id"], row["revision"], number), []).append(row)
        for (article_id, made_on, number), members in groups.items():
            self.db.conn.executemany(_INSERT_ANCHOR, anchor_rows(
                self._text(article_id, made_on), self._text(article_id, number), number,
                [(row, Selector(row["exact"], row["prefix"], row["suffix"], row["start"],
                                row["end"])) for row in members]))

    def _fitting(self, anchor: Any, row: dict) -> tuple | None:
        """A sent anchor's values from ``kind`` on, if it fits this copy's text of its
        revision, else None."""
        if not isinstance(anchor, dict) or not isinstance(anchor.get("revision"), int):
            return None
        number = anchor["revision"]
        if not row["revision"] < number <= self.newest[row["article_id"]]:
            return None
        return fitting_anchor(anchor, self._text(row["article_id"], number), row["kind"])

    @staticmethod
    def _snapshot(row: dict) -> dict:
        """What a conflict keeps of a version: every field, its source by name, its anchors."""
        return {**{field: row.get(field) for field in ANNOTATION_FIELDS},
                "source": row.get("source"), "role": row.get("role"),
                "organization": row.get("organization"), "anchors": row.get("anchors"),
                "updated_at": row["updated_at"]}

    # --- conflicts --------------------------------------------------------------------------

    def _conflict(self, subject: str, record_id: str, article_id: str, *, kept: Version,
                  lost: Version, lost_values: dict, kept_values: dict) -> None:
        """Keep the losing side of a concurrent edit, open, and in the history; each side's
        values are stored with the copy it was made in."""
        lost_values = {**lost_values, "edited_on": lost.edited_on}
        kept_values = {**kept_values, "edited_on": kept.edited_on}
        stamp = now()
        cursor = self.db.execute(
            "INSERT OR IGNORE INTO conflicts (subject, record_id, article_id, kept_version, "
            "lost_version, lost, found_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [subject, record_id, article_id, str(kept), str(lost),
             json.dumps(lost_values, ensure_ascii=False), stamp])
        if cursor.rowcount:
            self.db.execute(
                "INSERT INTO history (subject, annotation_id, article_id, action, before, after, "
                "at, undone) VALUES (?, ?, ?, 'conflict', ?, ?, ?, 1)",
                [subject, record_id if subject == "annotation" else None, article_id,
                 json.dumps(lost_values, ensure_ascii=False),
                 json.dumps(kept_values, ensure_ascii=False), stamp])

    def _close_conflicts(self, subject: str, record_id: str, parents: set[str]) -> None:
        """Conflicts whose losing side a version knowingly replaces were resolved elsewhere."""
        if not parents:
            return
        self.db.execute(
            "UPDATE conflicts SET resolved_at = ? WHERE subject = ? AND record_id = ? "
            "AND resolved_at IS NULL AND lost_version IN (SELECT value FROM json_each(?))",
            [now(), subject, record_id, json.dumps(sorted(parents))])
