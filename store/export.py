"""Exporting annotations: W3C Web Annotation, JSON Lines, CSV, a Markdown report and CSL-JSON.

Every format streams: rows come from a database cursor and are written as they arrive, so an
export of a hundred thousand annotations never holds them all in memory. The whole export
reads one snapshot (a single read transaction), so a write made meanwhile by the TUI cannot
leave the file half old, half new.

Output is deterministic: the same annotations always give the same bytes (no export time, fixed
key and row order), so "export, import into a fresh database with the same articles, export
again" reproduces the file exactly.

Deleted annotations are left out by default, because an export should show what the analyst
sees. ``include_deleted=True`` adds them (with ``deleted_at`` in ``jsonl``, ``margin:deletedAt``
in ``w3c``) for a full backup; ``store.interchange`` reads them back as deleted.

The W3C mapping (one ``Annotation`` per margin annotation, inside an ``AnnotationCollection``):

- ``id`` ``urn:uuid:<id>``; ``motivation`` ``classifying`` (the analyst classifies a span as a
  claim or a quote); ``created`` and ``modified`` are ``created_at`` and ``updated_at``;
  ``creator`` is the analyst who made it, a ``Person`` with a ``name`` (none for annotations
  made before margin recorded who made them).
- ``target``: a ``SpecificResource`` whose ``source`` is the article's URL, or
  ``urn:sha256:<text_sha256>`` of the revision when it has none, with a ``TextQuoteSelector``
  (exact, prefix, suffix) and a ``TextPositionSelector`` (start, end; code points, as margin
  counts). Each revision of a revised article is a state of that source: the target's ``state`` is a
  ``TimeState`` whose ``sourceDate`` is when the revision the annotation was made on was
  retrieved (``margin:revision`` gives its number). An annotation made on an older revision
  that still has a place in the newest has a second target, the newest revision's state with
  that place and ``margin:anchor`` (moved, changed…); an orphan has only the first.
  ``margin:anchor`` and, for quotes, ``margin:verified`` on the annotation say where it stands.
- ``body``: ``TextualBody`` items, each with a ``purpose`` from the W3C motivations:
  ``classifying`` — the kind (``claim`` or ``quote``; Recogito reads entity types the same way);
  ``describing`` — who made it, as citations write it: ``Name, role (via)``;
  ``assessing`` — the confidence (``likely (68%)``) and the Admiralty grade (``B2``) as text;
  ``commenting`` — the note; ``tagging`` — one body a tag, in order (how Hypothesis and
  Recogito carry tags).
- Fields that text bodies cannot carry exactly are ``margin:`` keys on the annotation (the
  prefix is declared in the ``@context``): ``margin:article``, ``margin:textSha256``,
  ``margin:revision``, ``margin:anchor``, ``margin:verified``, ``margin:source``,
  ``margin:role``, ``margin:organization``, ``margin:via``, ``margin:confidence`` (a number),
  ``margin:grade`` and, for deleted ones, ``margin:deletedAt``.
  Kind, note and tags are read back from their bodies, so they are not repeated.

The other formats: ``jsonl`` is one annotation a line with every stored field (the source by
name, role and organisation rather than its local number; the article by id and text hash),
the revision it was made on, its anchors on later revisions, and where it stands now
(``anchor``, ``current``, ``verified``), keys sorted, lines by article, place in the newest
text and id. Before a revised article's annotations come its revisions, one a line
(``"record": "revision"``, texts included), so that an import can rebuild them. ``csv`` has
the columns of ``CSV_COLUMNS`` for spreadsheets, ``anchor``, ``current``, ``verified`` and
``analyst`` among them. ``markdown`` is a report: per article its citation, then its quotes
and claims in the newest text's order (orphans last), each cited in the ``markdown`` style,
marked when orphaned, changed or no longer a verbatim quote; an orphan is cited from the
revision it was made on, with that revision's retrieval day. Who noted them is said once at
the top when one analyst made them all, else beside each ("noted by Ana Ruiz"). ``csl-json`` lists the articles whose
annotations are exported (or the one article asked for, annotated or not).
"""

from __future__ import annotations

import csv
import json
import re
from typing import Any, Iterator, TextIO

import sqlite_utils

from store.annotations import CONTEXT_LENGTH, annotation_filter
from store.articles import get_article
from store.confidence import describe, describe_grade, term
from store.errors import ValidationError
from store.nocase import as_read

FORMATS = ("w3c", "jsonl", "csv", "markdown", "csl-json")

W3C_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# margin's own terms; a URN because the project has no web address to put a vocabulary at.
MARGIN_VOCABULARY = "urn:margin:vocab#"
CONTEXT = [W3C_CONTEXT, {"margin": MARGIN_VOCABULARY}]

# Each row names its article in full (title, outlet, URL, date), so a row copied out of the
# sheet on its own still says where the words came from.
# ``anchor``, ``current`` and ``verified`` say where the words stand in the newest revision;
# ``analyst`` who made the annotation (empty when made before margin recorded it).
CSV_COLUMNS = ("id", "article_id", "article_title", "article_outlet", "article_url",
               "article_published", "kind", "exact", "anchor", "current", "verified", "source",
               "role", "via", "confidence", "confidence_term", "grade", "note", "tags",
               "analyst", "created_at", "updated_at")

# The place an annotation has in its article's newest text: its own selectors when it was made on
# the newest revision, else its anchor there (none for an orphan). See store/annotations.py.
_ANCHORED = "a.revision < ar.revision"
_CURRENT_START = f"CASE WHEN {_ANCHORED} THEN an.start ELSE a.start END"
_ROW_SQL = f"""
    SELECT a.id, a.article_id, ar.text_sha256 AS article_sha256, ar.url AS article_url,
           ar.title AS article_title, ar.outlet AS article_outlet,
           ar.published AS article_published, a.kind, a.start, a."end", a.exact, a.prefix, a.suffix,
           s.name AS source, s.role AS role, s.organization AS organization, a.via,
           a.confidence, a.grade, a.note, a.tags, a.created_at, a.updated_at, a.deleted_at,
           a.analyst, a.revision, ar.revision AS newest_revision,
           CASE WHEN {_ANCHORED} THEN coalesce(an.kind, 'orphan') ELSE 'exact' END AS anchor,
           {_CURRENT_START} AS current_start,
           CASE WHEN {_ANCHORED} THEN an."end" ELSE a."end" END AS current_end,
           CASE WHEN {_ANCHORED} THEN an.current ELSE a.exact END AS current,
           CASE WHEN {_ANCHORED} THEN an.verified WHEN a.kind = 'quote' THEN 1 END AS verified,
           CASE WHEN {_ANCHORED} THEN coalesce(an.reason, 'no anchor on the newest revision')
                ELSE '' END AS reason
    FROM annotations a
    JOIN articles ar ON ar.id = a.article_id
    LEFT JOIN anchors an ON an.annotation_id = a.id AND an.revision = ar.revision
    LEFT JOIN sources s ON s.id = a.source_id
"""
# By the place in the newest text; orphans, which have none, last in the order they were made.
_ORDER = (f" ORDER BY a.article_id, ({_CURRENT_START}) IS NULL, {_CURRENT_START}, a.revision, "
          "a.start, a.id")

# The JSON Lines record, built by SQLite itself: json_object() writes a line about as fast as
# the sqlite3 shell's JSON mode, where building dicts and calling json.dumps per row would not.
# Keys are listed in sorted order, so each line has sorted keys. The article's id and hash are
# parameters (?1, ?2): the export goes one article at a time, so no row joins the articles.
_JSONL_FIELDS = {
    "anchors": "(SELECT json_group_array(json_object({anchor})) FROM "
               "(SELECT * FROM anchors WHERE annotation_id = a.id ORDER BY revision) n)",
    "article_id": "?1", "article_sha256": "?2",
    # Where it stands in the newest text (derived from the anchors; import ignores them).
    "anchor": f"CASE WHEN {_ANCHORED} THEN coalesce(an.kind, 'orphan') ELSE 'exact' END",
    "current": f"CASE WHEN {_ANCHORED} THEN an.current ELSE a.exact END",
    "verified": f"CASE WHEN {_ANCHORED} THEN an.verified WHEN a.kind = 'quote' THEN 1 END",
    "analyst": "a.analyst", "origin": "a.origin",
    "confidence": "a.confidence", "created_at": "a.created_at", "deleted_at": "a.deleted_at",
    "end": 'a."end"', "exact": "a.exact", "grade": "a.grade", "id": "a.id", "kind": "a.kind",
    "note": "a.note", "organization": "s.organization", "prefix": "a.prefix",
    "revision": "a.revision", "role": "s.role", "source": "s.name", "start": "a.start",
    "suffix": "a.suffix", "tags": "json(a.tags)", "updated_at": "a.updated_at", "via": "a.via",
}
# An annotation's anchors, one for each revision after the one it was made on.
_ANCHOR_FIELDS = ("current", "end", "kind", "reason", "revision", "reviewed_at", "start",
                  "verified")
_JSONL_FIELDS["anchors"] = _JSONL_FIELDS["anchors"].format(
    anchor=", ".join(f"'{key}', n.[{key}]" for key in _ANCHOR_FIELDS))
_JSONL_SQL = """
    SELECT json_object({fields})
    FROM annotations a
    JOIN articles ar ON ar.id = a.article_id
    LEFT JOIN anchors an ON an.annotation_id = a.id AND an.revision = ar.revision
    LEFT JOIN sources s ON s.id = a.source_id
    WHERE a.article_id = ?1 {live}
    {order}
""".format(fields=", ".join(f"'{key}', {_JSONL_FIELDS[key]}" for key in sorted(_JSONL_FIELDS)),
           live="{live}", order=_ORDER.replace("a.article_id, ", ""))
# An article never revised has no anchors, and every annotation stands where it was made: the
# same lines without the joins, in the order of an index (twice as fast for 20,000 annotations).
_UNREVISED = {"anchors": "json('[]')", "anchor": "'exact'", "current": "a.exact",
              "verified": "CASE WHEN a.kind = 'quote' THEN 1 END"}
_JSONL_UNREVISED_SQL = """
    SELECT json_object({fields})
    FROM annotations a
    LEFT JOIN sources s ON s.id = a.source_id
    WHERE a.article_id = ?1 {live}
    ORDER BY a.start, a.id
""".format(fields=", ".join(f"'{key}', {_UNREVISED.get(key, _JSONL_FIELDS[key])}"
                            for key in sorted(_JSONL_FIELDS)), live="{live}")
# A revised article's revisions, written before its annotations (see ``_write_jsonl``).
_REVISION_FIELDS = ("article_id", "format", "number", "published", "record", "retrieved_at",
                    "source", "text", "text_sha256", "title")
_REVISIONS_SQL = "SELECT json_object({fields}) FROM revisions WHERE article_id = ? " \
                 "ORDER BY number".format(fields=", ".join(
                     f"'{key}', {repr('revision') if key == 'record' else key}"
                     for key in _REVISION_FIELDS))
# Valid inside JSON strings, but str.splitlines() and some JSON Lines readers break lines at
# them; escaped, every record stays on one physical line for any reader.
_LINE_BREAKERS = ("\u2028", "\u2029", "\x85")
_BATCH = 1000
_MMAP_BYTES = 256 * 1024 * 1024


def export(db: sqlite_utils.Database, fmt: str, *, article_id: str | None = None, out: TextIO,
           include_deleted: bool = False) -> int:
    """Write the annotations (of one article, with ``article_id``) to ``out`` in format ``fmt``.

    Returns how many annotations were written (articles, for ``csl-json``). Open a file for
    ``csv`` with ``newline=""``: rows end with ``\\r\\n`` as RFC 4180 asks.
    """
    if fmt not in FORMATS:
        raise ValidationError(f"unknown export format {fmt!r}",
                              f"choose one of {', '.join(FORMATS)}", field="format")
    if article_id is not None:
        article_id = get_article(db, article_id)["id"]
    writer = {"w3c": _write_w3c, "jsonl": _write_jsonl, "csv": _write_csv,
              "markdown": _write_markdown, "csl-json": _write_csl_json}[fmt]
    # Rows come in text order through an index, so they are read from all over the file; with
    # the file memory-mapped each read is a memory access, not a system call (a third faster
    # for 100,000 annotations). The connection's own setting is restored afterwards.
    mmap_size = db.execute("PRAGMA mmap_size").fetchone()[0]
    db.execute(f"PRAGMA mmap_size = {max(mmap_size, _MMAP_BYTES)}")
    try:
        with db.atomic():
            return writer(db, out, article_id, include_deleted)
    finally:
        db.execute(f"PRAGMA mmap_size = {int(mmap_size)}")


def _where(article_id: str | None, include_deleted: bool) -> tuple[str, list[Any]]:
    """The annotations an export holds: those the listings show (``annotation_filter``), the
    deleted ones too if asked for; never those of an article in the trash."""
    where, params = annotation_filter(article_id=article_id,
                                      deleted=None if include_deleted else False)
    return " " + where, params


def _annotation_rows(db: sqlite_utils.Database, article_id: str | None, include_deleted: bool,
                     order: str = _ORDER) -> Iterator[dict]:
    where, params = _where(article_id, include_deleted)
    cursor = db.execute(_ROW_SQL + where + order, params)
    columns = [c[0] for c in cursor.description]
    for values in cursor:
        row = dict(zip(columns, values))
        row["tags"] = json.loads(row["tags"])
        yield row


def _count(db: sqlite_utils.Database, article_id: str | None, include_deleted: bool) -> int:
    where, params = _where(article_id, include_deleted)
    return db.execute("SELECT count(*) FROM annotations a" + where, params).fetchone()[0]


# --- JSON Lines -----------------------------------------------------------------------------

def _write_jsonl(db: sqlite_utils.Database, out: TextIO, article_id: str | None,
                 include_deleted: bool) -> int:
    live = "" if include_deleted else "AND a.deleted_at IS NULL"
    written = 0
    for article, digest in _article_hashes(db, article_id):
        revised = _revised(db, article)
        sql = (_JSONL_SQL if revised else _JSONL_UNREVISED_SQL).format(live=live)
        cursor = db.execute(sql, [article, digest])
        first = cursor.fetchone()
        if first is None:
            continue
        if revised:
            # Every revision, texts included: an annotation's selectors and anchors index
            # these texts, and the database it is imported into may hold none of them.
            _write_lines(out, db.execute(_REVISIONS_SQL, [article]).fetchall())
        _write_lines(out, [first])
        written += 1
        while batch := cursor.fetchmany(_BATCH):
            _write_lines(out, batch)
            written += len(batch)
    return written


def _write_lines(out: TextIO, batch: list[tuple[str]]) -> None:
    chunk = "\n".join(line for (line,) in batch) + "\n"
    # Three plain substring tests: far faster than a regular expression over megabytes.
    for breaker in _LINE_BREAKERS:
        if breaker in chunk:
            chunk = chunk.replace(breaker, f"\\u{ord(breaker):04x}")
    out.write(chunk)


def _revised(db: sqlite_utils.Database, article_id: str) -> bool:
    return db.execute("SELECT revision > 1 FROM articles WHERE id = ?", [article_id]).fetchone()[0]


def _article_hashes(db: sqlite_utils.Database, article_id: str | None) -> list[tuple[str, str]]:
    """(id, text_sha256) of the article asked for, or of every article, by id; none in the
    trash, whose annotations are not exported (see ``_where``)."""
    if article_id is not None:
        return db.execute("SELECT id, text_sha256 FROM articles WHERE id = ? AND "
                          "deleted_at IS NULL", [article_id]).fetchall()
    return db.execute("SELECT id, text_sha256 FROM articles WHERE deleted_at IS NULL "
                      "ORDER BY id").fetchall()


# --- W3C Web Annotation ---------------------------------------------------------------------

def _write_w3c(db: sqlite_utils.Database, out: TextIO, article_id: str | None,
               include_deleted: bool) -> int:
    scope = f"article:{article_id}" if article_id else "all"
    collection_id = f"urn:margin:export:{scope}"
    total = _count(db, article_id, include_deleted)
    # The envelope is written by hand so the items can stream between its two halves.
    out.write("{\n"
              f'  "@context": {json.dumps(CONTEXT)},\n'
              f'  "id": {json.dumps(collection_id)},\n'
              '  "type": "AnnotationCollection",\n'
              '  "label": "Annotations exported from margin",\n'
              f'  "total": {total},\n'
              '  "first": {\n'
              f'    "id": {json.dumps(collection_id + ":page:1")},\n'
              '    "type": "AnnotationPage",\n'
              f'    "partOf": {json.dumps(collection_id)},\n'
              '    "startIndex": 0,\n'
              '    "items": [')
    written = 0
    states = _RevisionStates(db)
    for row in _annotation_rows(db, article_id, include_deleted):
        # One annotation a line: diffs stay readable, and the C encoder is used (json.dumps
        # with indent= falls back to pure Python, some twenty times slower).
        item = json.dumps(w3c_annotation(row, states), ensure_ascii=False)
        out.write(("\n      " if written == 0 else ",\n      ") + item)
        written += 1
    out.write(("\n    " if written else "") + "]\n  }\n}\n")
    return written


class _RevisionStates:
    """Each revision's retrieved time and text hash, and the newest text of the article being
    written, read once: a revision's date sits after its text in the row, so reading it a row
    at a time would read the whole text for every annotation."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.revisions: dict[tuple[str, int], tuple[str, str]] = {}
        self.newest: tuple[str, str] | None = None

    def of(self, article_id: str, number: int) -> tuple[str, str]:
        """(retrieved_at, text_sha256) of revision ``number`` of the article."""
        if (article_id, number) not in self.revisions:
            for found, retrieved_at, digest in self.db.execute(
                    "SELECT number, retrieved_at, text_sha256 FROM revisions WHERE article_id = ?",
                    [article_id]):
                self.revisions[(article_id, found)] = (retrieved_at, digest)
        return self.revisions[(article_id, number)]

    def newest_text(self, article_id: str) -> str:
        """The article's newest text (rows come article by article, so one is kept)."""
        if self.newest is None or self.newest[0] != article_id:
            text = self.db.execute("SELECT text FROM articles WHERE id = ?",
                                   [article_id]).fetchone()[0]
            self.newest = (article_id, text)
        return self.newest[1]


def w3c_annotation(row: dict, states: _RevisionStates) -> dict:
    """One annotation (a row with its source, article and anchor fields) as a W3C Web Annotation.

    Its first target is the revision it was made on, as a state of the article (a ``TimeState``
    at the time that revision was retrieved), with the selectors it was made with. When it was
    made on an older revision and still has a place in the newest, a second target gives that
    place on the newest revision, with ``margin:anchor`` saying how it was found there.
    """
    made_on = _w3c_state(row, row["revision"], states, row["exact"], row["prefix"],
                         row["suffix"], row["start"], row["end"])
    target: dict | list = made_on
    if row["revision"] != row["newest_revision"] and row["current_start"] is not None:
        text = states.newest_text(row["article_id"])
        start, end = row["current_start"], row["current_end"]
        now_at = _w3c_state(row, row["newest_revision"], states, row["current"],
                            text[max(0, start - CONTEXT_LENGTH):start],
                            text[end:end + CONTEXT_LENGTH], start, end)
        now_at["margin:anchor"] = row["anchor"]
        target = [made_on, now_at]
    annotation: dict[str, Any] = {
        "id": f"urn:uuid:{row['id']}",
        "type": "Annotation",
        "motivation": "classifying",
        "created": row["created_at"],
        "modified": row["updated_at"],
        # Who made it, as the model's Agent. Only a name is known: an id would have to be
        # invented, and one made up here would wrongly claim the same person across exports.
        "creator": {"type": "Person", "name": row["analyst"]} if row["analyst"] else None,
        "body": _w3c_bodies(row),
        "target": target,
        "margin:article": row["article_id"],
        "margin:textSha256": row["article_sha256"],
        "margin:revision": row["revision"],
        "margin:anchor": row["anchor"],
        "margin:verified": None if row["verified"] is None else bool(row["verified"]),
        "margin:source": row["source"],
        "margin:role": row["role"],
        "margin:organization": row["organization"],
        "margin:via": row["via"],
        "margin:confidence": row["confidence"],
        "margin:grade": row["grade"],
        "margin:deletedAt": row["deleted_at"],
    }
    return _without_empty(annotation)


def _w3c_state(row: dict, number: int, states: _RevisionStates, exact: str, prefix: str,
               suffix: str, start: int, end: int) -> dict:
    """The article as revision ``number`` showed it, and a span of that text."""
    retrieved_at, digest = states.of(row["article_id"], number)
    resource: dict[str, Any] = {
        "type": "SpecificResource",
        # Without an address, the text's own hash names the revision.
        "source": row["article_url"] or f"urn:sha256:{digest}",
    }
    if row["newest_revision"] > 1:
        # Only a revised article has states to tell apart; leaving the date out otherwise
        # keeps an export of unrevised articles the same in any database holding them.
        resource["state"] = {"type": "TimeState", "sourceDate": retrieved_at}
    return {
        **resource,
        "selector": [
            _without_empty({"type": "TextQuoteSelector", "exact": exact, "prefix": prefix,
                            "suffix": suffix}),
            {"type": "TextPositionSelector", "start": start, "end": end},
        ],
        "margin:revision": number,
        "margin:textSha256": digest,
    }


def _w3c_bodies(row: dict) -> list[dict]:
    # Imported here: the citations module is only needed by some formats, and jsonl, the one
    # for bulk, should start fast.
    from store.citations import attribution

    def body(purpose: str, value: str) -> dict:
        return {"type": "TextualBody", "purpose": purpose, "value": value, "format": "text/plain"}

    bodies = [body("classifying", row["kind"])]
    who = attribution(row)
    if who:
        bodies.append(body("describing", who))
    if row["confidence"] is not None:
        bodies.append(body("assessing", f"confidence: {describe(row['confidence'])}"))
    if row["grade"]:
        bodies.append(body("assessing", f"grade: {row['grade']} ({describe_grade(row['grade'])})"))
    if row["note"]:
        bodies.append(body("commenting", row["note"]))
    bodies.extend(body("tagging", tag) for tag in row["tags"])
    return bodies


def _without_empty(mapping: dict) -> dict:
    return {key: value for key, value in mapping.items() if value is not None and value != ""}


# --- CSV ------------------------------------------------------------------------------------

def _write_csv(db: sqlite_utils.Database, out: TextIO, article_id: str | None,
               include_deleted: bool) -> int:
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    written = 0
    for row in _annotation_rows(db, article_id, include_deleted):
        confidence = row["confidence"]
        cells = {**row, "confidence": "" if confidence is None else confidence,
                 "confidence_term": term(confidence) if confidence is not None else "",
                 "tags": "; ".join(row["tags"]), "article_outlet": as_read(row["article_outlet"]),
                 "verified": _yes_no(row["verified"])}
        writer.writerow([_spreadsheet_safe(cells[column]) for column in CSV_COLUMNS])
        written += 1
    return written


def _yes_no(verified: int | None) -> str:
    """A quote's check as a cell: ``yes``, ``no``; empty for a claim, which quotes no one."""
    return "" if verified is None else ("yes" if verified else "no")


def _spreadsheet_safe(value: Any) -> Any:
    """A cell that a spreadsheet shows as text, never runs as a formula.

    Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or
    ``@`` (and, after a tab or carriage return, whatever follows) as a formula, so a note such
    as ``=HYPERLINK("http://evil", "x")`` copied from an article would run when the analyst opens
    the file (OWASP "CSV injection"). A leading apostrophe makes the application treat the cell
    as text and is not shown. Numbers we write ourselves are left as numbers.
    """
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


# --- Markdown report ------------------------------------------------------------------------

def _write_markdown(db: sqlite_utils.Database, out: TextIO, article_id: str | None,
                    include_deleted: bool) -> int:
    from store.citations import cite_annotation, cite_article
    from store.revisions import cited_article
    from store.revisions.citing import cites_own_revision

    out.write("# Annotations\n")
    makers = _makers(db, article_id, include_deleted)
    if len(makers) == 1 and None not in makers:
        # One analyst noted everything: said once, not on every annotation.
        out.write(f"\nNoted by {markdown_escape(_one_line(makers.pop()))}.\n")
    named = len(makers) > 1
    written = 0
    for article in _articles_in_scope(db, article_id, include_deleted):
        out.write(f"\n## {_heading(article['title'])}\n\n")
        out.write(cite_article(article, "markdown").strip() + "\n")
        # Quotes first, then claims, each in the order they appear in the newest text.
        order = _ORDER.replace("ORDER BY a.article_id,", "ORDER BY a.kind = 'claim',")
        kind = None
        for row in _annotation_rows(db, article["id"], include_deleted, order):
            if row["kind"] != kind:
                kind = row["kind"]
                out.write(f"\n### {'Quotes' if kind == 'quote' else 'Claims'}\n")
            view = _annotation_view(row)
            # Words no longer in the newest text are cited from the revision they were made on.
            cited = cited_article(db, view) if cites_own_revision(view) else article
            out.write("\n" + cite_annotation(view, cited, "markdown").strip() + "\n")
            standing = _markdown_standing(row, cited)
            if standing:
                out.write("\n" + standing + "\n")
            details = _markdown_details(row, named)
            if details:
                out.write("\n" + details + "\n")
            written += 1
    return written


def _makers(db: sqlite_utils.Database, article_id: str | None, include_deleted: bool) -> set:
    """Who made the annotations a report holds (None for those made before margin recorded it)."""
    where, params = _where(article_id, include_deleted)
    return {name for (name,) in db.execute("SELECT DISTINCT a.analyst FROM annotations a" + where,
                                           params)}


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _heading(title: str) -> str:
    """A title as the text of a heading: one line, markup escaped, a closing ``#`` kept."""
    text = markdown_escape(" ".join(title.split()))
    return text[:-1] + "\\#" if text.endswith("#") else text


def _annotation_view(row: dict) -> dict:
    """The row in the shape ``store.annotations.get_annotation`` returns, for the citations."""
    return {key: value for key, value in row.items()
            if key not in ("article_sha256", "article_url")}


def _markdown_standing(row: dict, cited: dict) -> str:
    """A line marking an annotation whose words are not as annotated in the newest revision:
    orphaned, changed, or a quote no longer verbatim or within its quotation marks."""
    newest = row["newest_revision"]
    if row["anchor"] == "orphan":
        return (f"**Orphaned** in revision {newest} ({markdown_escape(row['reason'])}): cited "
                f"from revision {row['revision']}, retrieved {cited['accessed']}.")
    marks = []
    if row["anchor"] == "changed":
        marks.append(f"**Changed** in revision {newest}: it now reads "
                     f"“{markdown_escape(' '.join(row['current'].split()))}”; cited from "
                     f"revision {row['revision']}, retrieved {cited['accessed']}.")
    if row["verified"] == 0:
        marks.append(f"**Unverified quote**: in revision {newest} these words are no longer "
                     "verbatim or no longer within quotation marks.")
    return " ".join(marks)


def _markdown_details(row: dict, named: bool = False) -> str:
    """The analyst's judgement of one annotation: confidence, grade, tags, note; with
    ``named`` (a report of several analysts' work), who noted it."""
    parts = []
    if row["confidence"] is not None:
        parts.append(f"confidence {describe(row['confidence'])}")
    if row["grade"]:
        parts.append(f"grade {row['grade']} ({describe_grade(row['grade'])})")
    if row["tags"]:
        parts.append("tags: " + ", ".join(markdown_escape(tag) for tag in row["tags"]))
    if row["deleted_at"]:
        parts.append(f"deleted {row['deleted_at']}")
    if named and row["analyst"]:
        parts.append(f"noted by {markdown_escape(_one_line(row['analyst']))}")
    lines = ["*" + " · ".join(parts) + "*"] if parts else []
    if row["note"]:
        lines.append("Note: " + markdown_escape(row["note"]).replace("\n", "  \n"))
    return "\n\n".join(lines)


_MARKDOWN_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
_MARKDOWN_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])", re.MULTILINE)


def markdown_escape(text: str) -> str:
    """``text`` with backslashes before the characters Markdown would read as markup."""
    text = _MARKDOWN_INLINE.sub(r"\\\1", text)
    return _MARKDOWN_LINE_START.sub(lambda m: m.group(1) + _escape_marker(m.group(2)), text)


def _escape_marker(marker: str) -> str:
    return marker[:-1] + "\\" + marker[-1] if marker[-1] in ".)" else "\\" + marker


# --- CSL-JSON -------------------------------------------------------------------------------

def _write_csl_json(db: sqlite_utils.Database, out: TextIO, article_id: str | None,
                    include_deleted: bool) -> int:
    from store.citations import csl_item

    out.write("[")
    written = 0
    for article in _articles_in_scope(db, article_id, include_deleted):
        item = json.dumps(csl_item(article), ensure_ascii=False, indent=2)
        out.write(("\n  " if written == 0 else ",\n  ") + item.replace("\n", "\n  "))
        written += 1
    out.write(("\n" if written else "") + "]\n")
    return written


def _articles_in_scope(db: sqlite_utils.Database, article_id: str | None,
                       include_deleted: bool) -> Iterator[dict]:
    """The article asked for (annotated or not), else every article with annotations exported."""
    if article_id is not None:
        yield get_article(db, article_id)
        return
    live = "" if include_deleted else " AND n.deleted_at IS NULL"
    ids = [row[0] for row in db.execute(
        "SELECT a.id FROM articles a WHERE a.deleted_at IS NULL AND EXISTS "
        f"(SELECT 1 FROM annotations n WHERE n.article_id = a.id{live}) ORDER BY a.id")]
    for found in ids:
        yield get_article(db, found)
