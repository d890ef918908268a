"""Importing annotations from a W3C Web Annotation or JSON Lines export (``import-annotations``).

``import_annotations`` merges a file into the database by annotation id:

- a new id is added; an id already stored is updated only when something differs, so importing
  the same file twice changes nothing, not even ``updated_at`` or the history;
- when this database's copy was changed after the file's (a later ``updated_at``), it is kept
  and the annotation is counted as ``kept``, so importing a colleague's older export never
  reverts an analyst's later edit;
- an annotation's article is found by id, else by the SHA-256 of its text, else by the target's
  URL; an annotation whose article is missing, whose ``exact`` text is not what the article has
  at its offsets, whose bodies are not marked as the plain text margin writes, or whose fields
  break the store's rules is rejected with a reason, and the rest still import;
- every write is checked like a typed one (``store.annotations._checked``) and recorded in the
  history as a ``create`` or ``edit``, so ``undo`` reverses imports too.

Revisions: a JSONL export carries a revised article's revisions (texts included) before its
annotations. A revision this database lacks is added when it follows the newest one here, and
the annotations already here are anchored on it as importing the text would; a revision it
has with the same text is nothing new (the earlier time it was retrieved is kept, so times
survive a round trip); one with another text, or whose text does not match its hash, is
refused with a reason (``revisions_refused``). An annotation is placed on the revision it was
made on (``revision`` in JSONL, ``margin:revision`` in margin's W3C; exports older than
revisions mean the newest), and its anchors are the file's where they fit this database's
texts, else placed here by the anchoring engine. An anchor the other database reviewed later
(accepted, re-attached) replaces the one here.

The whole import is one transaction: a file that is not JSON, or not shaped like annotations,
raises ``InputError`` naming the line or item, and leaves the database as it was.

W3C annotations from other tools import too: the span comes from a ``TextPositionSelector``
(else from a ``TextQuoteSelector``, placed by its prefix and suffix, and refused when the quote
occurs more than once and they do not single out one place), the kind from a
``classifying`` body (``claim`` when there is none), the note from ``commenting`` bodies (and
bodies without a purpose, as Hypothesis writes comments), tags from ``tagging`` bodies, who
made it from a ``creator`` that is a ``Person`` with a name, or a bare name (an address names
no one, so then, as for a file that names no creator, it is whoever imports it). An id
that is not ``urn:uuid:`` becomes a name-based UUID of it, so re-importing is still a no-op.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Iterator, TextIO

import sqlite_utils

from store.anchoring import Selector
from store.annotations import COLUMNS, KINDS, _checked, _record
from store.clock import now
from store.db import made_here, writing
from store.errors import InputError, ValidationError
from store.revisions.anchors import (ANCHOR_COLUMNS, anchor_article, anchor_rows,
                                     fitting_anchor)
from store.revisions.texts import revision_text
from store.sources import ensure_source, find_source
from store.text import text_digest

FORMATS = ("w3c", "jsonl")

_EXCERPT = 40
_MARGIN_FORMAT = "text/plain"
_TEXT_FORMATS = (_MARGIN_FORMAT, "text/markdown")
# What a body holds, by its W3C purpose, as messages name it.
_BODY_NAMES = {"classifying": "kind", "commenting": "note", "tagging": "tag",
               "describing": "attribution", "assessing": "assessment"}
_ARTICLE_CACHE = 32
# Stands for a source not stored yet, so that an annotation naming one never looks unchanged.
_NEW_SOURCE = -1
_ROWS_PER_FLUSH = 500
_ROW = f"({', '.join('?' for _ in COLUMNS)})"
_SELECT_STORED = f"SELECT {', '.join(f'[{c}]' for c in COLUMNS)} FROM annotations WHERE id = ?"
_ANCHOR_LIST = ", ".join(f"[{c}]" for c in ANCHOR_COLUMNS)
_INSERT_ANCHOR = (f"INSERT INTO anchors ({_ANCHOR_LIST}) "
                  f"VALUES ({', '.join('?' for _ in ANCHOR_COLUMNS)})")
_INSERT = f"INSERT INTO annotations ({', '.join(f'[{c}]' for c in COLUMNS)}) VALUES "


@dataclass
class ImportReport:
    """What an import did: counts of annotations, and one line for each one not imported."""

    format: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    # Revisions of articles added from the file, and one line for each that could not be.
    revisions: int = 0
    revisions_refused: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """How many annotations the file held."""
        return self.added + self.updated + self.unchanged + len(self.kept) + len(self.rejected)

    def summary(self) -> str:
        """One line for people: ``3 added, 1 updated, 5 unchanged, 1 rejected``."""
        parts = [f"{self.added} added", f"{self.updated} updated", f"{self.unchanged} unchanged"]
        if self.kept:
            parts.append(f"{len(self.kept)} kept (newer here)")
        parts.append(f"{len(self.rejected)} rejected")
        if self.revisions:
            parts.append(f"{self.revisions} article revision{'s' if self.revisions > 1 else ''} "
                         "added")
        return ", ".join(parts)


@dataclass
class _Incoming:
    """One annotation read from a file, before it meets the database."""

    location: str
    id: str
    kind: Any = "claim"
    start: Any = None
    end: Any = None
    exact: Any = None
    prefix: str = ""
    suffix: str = ""
    article_id: str | None = None
    article_sha256: str | None = None
    article_url: str | None = None
    source: Any = None
    role: Any = None
    organization: Any = None
    via: Any = None
    confidence: Any = None
    grade: Any = None
    note: Any = None
    tags: Any = ()
    created_at: str | None = None
    updated_at: str | None = None
    deleted_at: str | None = None
    # The revision its selectors were made on (None in exports older than revisions), and its
    # anchors on later ones as exported (None when the file has none: they are computed).
    revision: Any = None
    anchors: Any = None
    # The hash of that revision's text, when the file names it (margin's W3C does).
    revision_sha256: Any = None
    # Who made it and in which copy, when the file says (margin's JSONL does).
    analyst: Any = None
    origin: Any = None
    # Why the file's copy cannot be trusted (a body's format changed); the merge rejects it.
    problem: str | None = None


@dataclass
class _IncomingRevision:
    """One revision of an article read from a JSONL file."""

    location: str
    article_id: Any
    number: Any
    text: Any
    text_sha256: Any
    retrieved_at: Any
    source: Any = None
    format: Any = None
    title: Any = None
    published: Any = None


def import_annotations(db: sqlite_utils.Database, source: str | os.PathLike[str] | TextIO
                       ) -> ImportReport:
    """Merge the annotations of a ``w3c`` or ``jsonl`` export into the database.

    ``source`` is a path, an open text file, or the exported text itself (a string starting
    with ``{`` or ``[``). The format is recognised from the content.
    """
    text, name = _read(source)
    fmt, records = _parse(text, name)
    report = ImportReport(format=fmt)
    merger = _Merger(db, report)
    with writing(db):
        for record in records:
            merger.merge(record)
        merger.flush()
    return report


# --- Reading and recognising the file ---------------------------------------------------------

def _read(source: str | os.PathLike[str] | TextIO) -> tuple[str, str]:
    """The text to import and a name for it in messages."""
    if hasattr(source, "read"):
        text = source.read()
        name = getattr(source, "name", "the input")
        if isinstance(text, bytes):
            text = _decode(text, name)
        return text, str(name)
    if isinstance(source, str) and source.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
        return source, "the input"
    path = Path(source)
    if path.is_dir():
        raise InputError(f"{path} is a directory", "give the path of a w3c or jsonl export file")
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file",
                         "give the path of a w3c or jsonl export file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read it ({error.strerror})",
                         "check the path and its permissions") from None
    return _decode(data, str(path)), str(path)


def _decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(f"{name}: byte {error.start} is not UTF-8",
                         "exports are UTF-8 JSON; export the annotations again") from None


def _parse(text: str, name: str) -> tuple[str, Iterator[_Incoming]]:
    """The format of ``text`` and its annotations, read lazily (errors raise while iterating)."""
    body = text.lstrip("\ufeff \t\r\n")
    if not body:
        raise InputError(f"{name} is empty", "give a w3c or jsonl export of margin")
    try:
        first = json.loads(body.split("\n", 1)[0])
    except ValueError:
        first = None
    if isinstance(first, dict) and "type" not in first and (
            "kind" in first or first.get("record") == "revision"):
        return "jsonl", _jsonl_records(text, name)
    try:
        document = json.loads(text.lstrip("\ufeff"))
    except json.JSONDecodeError as error:
        raise InputError(f"{name}: line {error.lineno}, column {error.colno}: "
                         f"not JSON ({error.msg})",
                         "give a w3c (JSON) or jsonl (one JSON object a line) export") from None
    return "w3c", _w3c_records(document, name)


def _jsonl_records(text: str, name: str) -> Iterator[_Incoming]:
    for number, line in _lines(text):
        if not line.strip():
            continue
        where = f"line {number}"
        try:
            record = json.loads(line)
        except ValueError as error:
            raise InputError(f"{name}: {where}: not JSON ({error})",
                             "each line of a jsonl export is one JSON object") from None
        if not isinstance(record, dict):
            raise InputError(f"{name}: {where}: not an annotation (a JSON {type(record).__name__})",
                             "each line of a jsonl export is one JSON object")
        if record.get("record") == "revision":
            missing = [key for key in ("article_id", "number", "text", "text_sha256",
                                       "retrieved_at") if key not in record]
            if missing:
                raise InputError(f"{name}: {where}: not a revision of an article "
                                 f"(no {', '.join(missing)})",
                                 "use a JSONL export written by margin")
            yield _IncomingRevision(where, **{key: record.get(key) for key in (
                "article_id", "number", "text", "text_sha256", "retrieved_at", "source", "format",
                "title", "published")})
            continue
        missing = [key for key in ("id", "kind", "start", "end", "exact") if key not in record]
        if not ("article_id" in record or "article_sha256" in record):
            missing.append("article_id")
        if missing or not isinstance(record["id"], str):
            raise InputError(f"{name}: {where}: not a margin annotation "
                             f"(no {', '.join(missing) or 'id'})",
                             "use a JSONL export written by margin")
        yield _Incoming(
            location=where, id=record["id"], kind=record["kind"], start=record["start"],
            end=record["end"], exact=record["exact"],
            article_id=record.get("article_id"), article_sha256=record.get("article_sha256"),
            source=record.get("source"), role=record.get("role"),
            organization=record.get("organization"), via=record.get("via"),
            confidence=record.get("confidence"), grade=record.get("grade"),
            note=record.get("note"), tags=record.get("tags") or (),
            created_at=record.get("created_at"), updated_at=record.get("updated_at"),
            deleted_at=record.get("deleted_at"), revision=record.get("revision"),
            anchors=record.get("anchors"), analyst=record.get("analyst"),
            origin=record.get("origin"))


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """Numbered lines, split at ``\\n`` only: JSON may hold U+2028 and friends in its strings."""
    start, number = 0, 1
    while start < len(text):
        end = text.find("\n", start)
        if end < 0:
            end = len(text)
        yield number, text[start:end]
        start, number = end + 1, number + 1


def _w3c_records(document: Any, name: str) -> Iterator[_Incoming]:
    for index, annotation in enumerate(_w3c_annotations(document, name), start=1):
        yield _from_w3c(annotation, f"annotation {index}", name)


def _w3c_annotations(document: Any, name: str) -> Iterator[dict]:
    """The annotations of a collection, page, list or single annotation, in file order."""
    if isinstance(document, list):
        for item in document:
            yield from _w3c_annotations(item, name)
        return
    types = _types(document)
    if "AnnotationCollection" in types:
        page = document.get("first")
        if page is not None and not isinstance(page, dict):
            raise InputError(f"{name}: the collection refers to its pages by address",
                             "export with the pages inside the file (as margin does)")
        if page is not None:
            yield from _w3c_annotations(page, name)
    elif "AnnotationPage" in types:
        items = document.get("items", [])
        if not isinstance(items, list):
            raise InputError(f"{name}: the page's items are not a list",
                             "give a W3C AnnotationPage whose items are annotations")
        yield from _w3c_annotations(items, name)
        following = document.get("next")
        if isinstance(following, dict):
            yield from _w3c_annotations(following, name)
    elif "Annotation" in types:
        yield document
    else:
        shown = f"type {', '.join(types)}" if types else "no type"
        raise InputError(f"{name}: found JSON with {shown} where an annotation should be",
                         "give a W3C Annotation, AnnotationPage or AnnotationCollection")


def _types(value: Any) -> list[str]:
    if not isinstance(value, dict):
        return []
    kinds = value.get("type", [])
    return [kinds] if isinstance(kinds, str) else [k for k in kinds if isinstance(k, str)]


def _from_w3c(annotation: dict, where: str, name: str) -> _Incoming:
    raw_id = annotation.get("id")
    if not isinstance(raw_id, str) or not raw_id:
        raise InputError(f"{name}: {where} has no id", "every W3C annotation needs an id")
    record = _Incoming(location=where, id=_w3c_id(raw_id))
    target = annotation.get("target")
    if isinstance(target, list):
        target = next((t for t in target if isinstance(t, dict) and "selector" in t),
                      target[0] if target else None)
    if isinstance(target, str):
        target = {"source": target}
    if not isinstance(target, dict):
        raise InputError(f"{name}: {where} ({raw_id}) has no target",
                         "every W3C annotation needs a target")
    # margin's own export names the revision the selectors were made on.
    record.revision = annotation.get("margin:revision", target.get("margin:revision"))
    record.revision_sha256 = target.get("margin:textSha256")
    source = target.get("source")
    if isinstance(source, dict):
        source = source.get("id")
    if isinstance(source, str):
        if source.startswith("urn:sha256:"):
            record.article_sha256 = source.removeprefix("urn:sha256:")
        else:
            record.article_url = source
    selectors = target.get("selector", [])
    for selector in selectors if isinstance(selectors, list) else [selectors]:
        kinds = _types(selector)
        if "TextPositionSelector" in kinds:
            record.start, record.end = selector.get("start"), selector.get("end")
        elif "TextQuoteSelector" in kinds:
            record.exact = selector.get("exact")
            record.prefix = _text_or_empty(selector.get("prefix"))
            record.suffix = _text_or_empty(selector.get("suffix"))
    _read_bodies(annotation, record)
    record.article_id = annotation.get("margin:article")
    record.article_sha256 = annotation.get("margin:textSha256") or record.article_sha256
    for key, attribute in (("margin:source", "source"), ("margin:role", "role"),
                           ("margin:organization", "organization"), ("margin:via", "via"),
                           ("margin:confidence", "confidence"), ("margin:grade", "grade"),
                           ("margin:deletedAt", "deleted_at"), ("created", "created_at"),
                           ("modified", "updated_at")):
        if key in annotation:
            setattr(record, attribute, annotation[key])
    record.analyst = _creator_name(annotation.get("creator"))
    return record


# A scheme and no spaces: an IRI (https://…, mailto:…, acct:…), which names no one readably.
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")


def _creator_name(creator: Any) -> str | None:
    """The analyst a W3C ``creator`` names: the name of a ``Person`` (as margin writes it),
    or a bare string that is a name rather than an address; the first such of a list."""
    if isinstance(creator, list):
        return next(filter(None, map(_creator_name, creator)), None)
    if isinstance(creator, dict):
        name = creator.get("name") if "Person" in _types(creator) else None
    else:
        name = creator if isinstance(creator, str) and not _IRI.fullmatch(creator.strip()) \
            else None
    if not isinstance(name, str) or not name.strip():
        return None
    return " ".join(name.split())


def _w3c_id(raw: str) -> str:
    """margin's id for a W3C id: the UUID of ``urn:uuid:``, else a UUID named by the id."""
    if raw.lower().startswith("urn:uuid:"):
        try:
            return str(uuid.UUID(raw[len("urn:uuid:"):]))
        except ValueError:
            pass
    return str(uuid.uuid5(uuid.NAMESPACE_URL, raw))


def _read_bodies(annotation: dict, record: _Incoming) -> None:
    bodies = annotation.get("body", [])
    bodies = bodies if isinstance(bodies, list) else [bodies]
    from_margin = any(key.startswith("margin:") for key in annotation)
    record.problem = next(filter(None, (_format_problem(body, from_margin) for body in bodies)),
                          None)
    notes: list[str] = []
    tags: list[str] = []
    classes: list[str] = []
    if isinstance(annotation.get("bodyValue"), str):
        notes.append(annotation["bodyValue"])
    for body in bodies:
        if not isinstance(body, dict) or not isinstance(body.get("value"), str):
            continue
        purposes = body.get("purpose", [])
        purposes = [purposes] if isinstance(purposes, str) else purposes
        value = body["value"]
        if "classifying" in purposes:
            classes.append(value)
        elif "tagging" in purposes:
            tags.append(value)
        elif "commenting" in purposes or not purposes:
            notes.append(value)
    kinds = [value for value in classes if value in KINDS]
    if kinds:
        record.kind = kinds[0]
    elif classes and from_margin:
        record.kind = classes[0]  # margin wrote it, so a kind it cannot read is an error
    else:
        record.kind = "claim"  # another tool's classes (Recogito's PLACE, PERSON) are no kind
    record.note = "\n\n".join(notes) or None
    record.tags = tags


def _format_problem(body: Any, from_margin: bool) -> str | None:
    """Why a body's declared format cannot be read as margin's plain text, or None.

    margin marks every body it writes ``text/plain``, so in its own export any other format, or
    none, means the file was edited. Other tools may leave the format out or write Markdown,
    which reads fine as text; HTML and the like would show their markup in a note. Their
    bodies that margin does not read (a linked page, a description) may be in any format.
    """
    if not isinstance(body, dict):
        return None
    purposes = body.get("purpose", [])
    purposes = [purposes] if isinstance(purposes, str) else purposes
    # A body without a purpose is read as a note (as Hypothesis writes comments).
    what = next((_BODY_NAMES[p] for p in purposes if p in _BODY_NAMES),
                "body" if purposes else "note")
    declared = body.get("format")
    if from_margin:
        if declared is None:
            return f"its {what} has no format, where margin writes text/plain"
        if declared != _MARGIN_FORMAT:
            return f"its {what} is marked {declared!r}, where margin writes text/plain"
    elif declared is not None and declared not in _TEXT_FORMATS and _read_as_text(body, purposes):
        return f"its {what} is marked {declared!r}; only plain text or Markdown can be kept"
    return None


def _read_as_text(body: dict, purposes: list) -> bool:
    """Whether ``_read_bodies`` takes this body's value as a kind, a tag or a note."""
    return isinstance(body.get("value"), str) and (
        not purposes or any(p in ("classifying", "tagging", "commenting") for p in purposes))


def _text_or_empty(value: Any) -> str:
    return value if isinstance(value, str) else ""


# --- Merging into the database ----------------------------------------------------------------

class _Merger:
    """Writes incoming annotations through the store's checks, one transaction for the file."""

    def __init__(self, db: sqlite_utils.Database, report: ImportReport) -> None:
        self.db = db
        self.report = report
        self.articles: dict[tuple, dict | None] = {}
        self.sources: dict[str, int | None] = {}
        self.pending: dict[str, dict] = {}
        self.pending_anchors: list[tuple] = []
        self.to_place: dict[tuple[str, int, int], list[tuple[dict, Selector]]] = {}
        self.texts: dict[tuple[str, int], str] = {}
        # A file's article id → this database's, for an article known here by another id.
        self.same_article: dict[str, str] = {}
        # The hash of each revision's text the file gave: (its article id, number) → hash.
        self.file_revisions: dict[tuple[Any, Any], str] = {}
        self.stamp = now()
        self.made_here = made_here(db)

    def merge(self, record: "_Incoming | _IncomingRevision") -> None:
        """Add, update or skip one annotation or revision, and count what happened."""
        if isinstance(record, _IncomingRevision):
            try:
                self._merge_revision(record)
            except ValidationError as error:
                self.report.revisions_refused.append(
                    f"{record.location}: revision {record.number!r} of article "
                    f"{record.article_id!r}: {error.title}")
            return
        try:
            self._merge(record)
        except ValidationError as error:
            self._reject(record, error.title)

    def _merge(self, record: _Incoming) -> None:
        try:
            record.id = str(uuid.UUID(record.id))
        except (ValueError, AttributeError, TypeError):
            return self._reject(record, f"its id {record.id!r} is not a UUID")
        if record.problem:
            return self._reject(record, record.problem)
        article = self._article(record)
        if article is None:
            return self._reject(record, f"its article ({_article_hint(record)}) is not in this "
                                        "database; import the article first")
        text, revision = article["text"], article["revision"]
        existing = self._stored(record.id)
        if record.revision is not None:
            revision = self._made_on(record, article)
        elif (existing is not None and existing["article_id"] == article["id"]
                and existing["revision"] != revision):
            # An export older than revisions gives the selectors of the revision the
            # annotation was made on, which only this database's copy can tell.
            revision = existing["revision"]
        if revision != article["revision"]:
            text = self._text(article["id"], revision)
        if record.start is None and record.end is None and isinstance(record.exact, str):
            record.start, record.end = _anchor(text, record.exact, record.prefix, record.suffix)
        fields = _checked({"kind": record.kind, "start": record.start, "end": record.end,
                           "via": _optional_text(record.via, "via"),
                           "confidence": record.confidence, "grade": record.grade,
                           "note": _optional_text(record.note, "note"),
                           "tags": _tag_list(record.tags)}, text, revision)
        if record.exact is not None and fields["exact"] != record.exact:
            return self._reject(
                record, f"the article has {_excerpt(fields['exact'])!r} at "
                        f"{record.start}–{record.end}, not {_excerpt(str(record.exact))!r}")
        if existing is not None and existing["article_id"] != article["id"]:
            return self._reject(record, "an annotation of another article has this id")
        source = self._source(record)
        source_id = None if source is None else source["id"]
        if source is not None and source_id is None:
            source_id = _NEW_SOURCE
        row = {"id": record.id, "article_id": article["id"], **fields, "source_id": source_id,
               "created_at": _timestamp(record.created_at, "created")
               or (existing["created_at"] if existing else self.stamp),
               "updated_at": _timestamp(record.updated_at, "modified"),
               "deleted_at": _timestamp(record.deleted_at, "deleted"),
               **self._made_by(record, existing)}
        if existing is None:
            row["updated_at"] = row["updated_at"] or row["created_at"]
            row["source_id"] = self._ensure_source(source)
            self._add(row)
            self.pending_anchors.extend(self._anchors(record, row, article, defer=True))
            self.report.added += 1
            return None
        have = {number for (number,) in self.db.execute(
            "SELECT revision FROM anchors WHERE annotation_id = ?", [record.id])}
        self._merge_anchors(self._anchors(record, row, article, have))
        if row["updated_at"] is None:
            # A file without times (another tool's): compare content, stamp a change now.
            row["updated_at"] = existing["updated_at"]
            if _same(existing, row):
                self.report.unchanged += 1
                return None
            row["updated_at"] = self.stamp
        if _same(existing, row):
            self.report.unchanged += 1
        elif _later(existing["updated_at"], row["updated_at"]):
            self.report.kept.append(
                f"{record.location}: annotation {record.id[:8]} was changed here at "
                f"{existing['updated_at']}, after the file's {row['updated_at']}; kept this copy")
        else:
            row["source_id"] = self._ensure_source(source)
            self.flush()
            self.db["annotations"].update(row["id"], {k: row[k] for k in COLUMNS if k != "id"})
            _record(self.db, row["id"], row["article_id"], "edit", existing, row)
            self.report.updated += 1
        return None

    def _made_by(self, record: _Incoming, existing: dict | None) -> dict:
        """Who made the annotation and where: as the file says, else as this copy already
        has it, else (a file that does not say, of an annotation new here) whoever imports it
        into this copy."""
        if existing is not None:
            made = {"analyst": existing["analyst"], "origin": existing["origin"]}
        else:
            made = self.made_here
        return {"analyst": _optional_text(record.analyst, "analyst") or made["analyst"],
                "origin": _optional_text(record.origin, "origin") or made["origin"]}

    def _reject(self, record: _Incoming, reason: str) -> None:
        label = record.id[:8] if isinstance(record.id, str) else repr(record.id)
        self.report.rejected.append(f"{record.location}: annotation {label}: {reason}")

    def _article(self, record: _Incoming) -> dict | None:
        """The article by id (if its text hash agrees), else by text hash, else by URL."""
        key = (record.article_id, record.article_sha256, record.article_url)
        if key in self.articles:
            return self.articles[key]
        found = None
        if isinstance(record.article_id, str):
            found = self._one("id = ?", self.same_article.get(record.article_id,
                                                              record.article_id))
            if (found and record.article_sha256 and found["text_sha256"] != record.article_sha256
                    and not self._has_text(found["id"], record.article_sha256)):
                found = None
        if found is None and isinstance(record.article_sha256, str):
            found = self._one("text_sha256 = ?", record.article_sha256)
        if found is None and isinstance(record.article_url, str):
            found = self._one("url = ?", record.article_url)
        if len(self.articles) >= _ARTICLE_CACHE:
            self.articles.clear()
        self.articles[key] = found
        return found

    def _has_text(self, article_id: str, digest: str) -> bool:
        """Whether one of the article's revisions has the text with this hash."""
        return self.db.execute("SELECT 1 FROM revisions WHERE article_id = ? AND text_sha256 = ?",
                               [article_id, digest]).fetchone() is not None

    def _text(self, article_id: str, number: int) -> str:
        """The text of a revision, the last few kept: annotations come article by article."""
        if (article_id, number) not in self.texts:
            if len(self.texts) >= 4:
                self.texts.clear()
            self.texts[(article_id, number)] = revision_text(self.db, article_id, number)
        return self.texts[(article_id, number)]

    # --- revisions and anchors ----------------------------------------------------------------

    def _merge_revision(self, incoming: _IncomingRevision) -> None:
        """Add a revision of an article that this database lacks, anchoring the annotations
        already here on it as importing a text would; the same text at the same number is
        nothing new, except an earlier time it was retrieved."""
        number, text = incoming.number, incoming.text
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ValidationError(f"its number {number!r} is not a revision number",
                                  "export the annotations again")
        if not isinstance(text, str) or not isinstance(incoming.text_sha256, str) or \
                text_digest(text) != incoming.text_sha256:
            raise ValidationError("its text does not match its hash",
                                  "export the annotations again")
        if isinstance(incoming.article_id, str):
            self.file_revisions[(incoming.article_id, number)] = incoming.text_sha256
        retrieved_at = _timestamp(incoming.retrieved_at, "retrieved")
        if retrieved_at is None:
            raise ValidationError("it has no time it was retrieved", "export the annotations again")
        article_id = self._revised_article(incoming)
        stored = self.db.execute("SELECT text_sha256, retrieved_at FROM revisions "
                                 "WHERE article_id = ? AND number = ?",
                                 [article_id, number]).fetchone()
        if stored is not None:
            if stored[0] != incoming.text_sha256:
                raise ValidationError(f"this database's revision {number} of the article has "
                                      "another text", "the two copies of the article differ; "
                                      "import the newer text as a revision instead")
            if _later(stored[1], retrieved_at):
                # The same words were seen earlier elsewhere: the earliest sighting is kept,
                # so a round trip through another database gives the same times back.
                self.db.execute("UPDATE revisions SET retrieved_at = ? WHERE article_id = ? "
                                "AND number = ?", [retrieved_at, article_id, number])
            return
        newest = self.db.execute("SELECT revision FROM articles WHERE id = ?",
                                 [article_id]).fetchone()[0]
        if number != newest + 1:
            raise ValidationError(f"this database has revisions 1 to {newest} of the article",
                                  "export the annotations with every revision again")
        self.flush()
        self.db["revisions"].insert({
            "article_id": article_id, "number": number, "text": text,
            "text_sha256": incoming.text_sha256, "source": incoming.source,
            "format": incoming.format, "title": incoming.title,
            "published": incoming.published, "retrieved_at": retrieved_at})
        anchor_article(self.db, article_id, newest, text, number)
        self.db["articles"].update(article_id, {"text": text, "text_sha256": incoming.text_sha256,
                                                "revision": number})
        self.articles.clear()
        self.report.revisions += 1

    def _revised_article(self, incoming: _IncomingRevision) -> str:
        """This database's id for the article a revision belongs to: its own id, else the
        article whose revision of the same number has the same text."""
        wanted = incoming.article_id
        if isinstance(wanted, str) and wanted in self.same_article:
            return self.same_article[wanted]
        found = None
        if isinstance(wanted, str):
            row = self.db.execute("SELECT id FROM articles WHERE id = ?", [wanted]).fetchone()
            found = row[0] if row else None
        if found is None:
            row = self.db.execute("SELECT article_id FROM revisions WHERE number = ? AND "
                                  "text_sha256 = ? LIMIT 1",
                                  [incoming.number, incoming.text_sha256]).fetchone()
            found = row[0] if row else None
        if found is None:
            raise ValidationError("no article here has this id, or this text as its revision "
                                  f"{incoming.number}", "import the article first")
        if isinstance(wanted, str):
            self.same_article[wanted] = found
        return found

    def _made_on(self, record: _Incoming, article: dict) -> int:
        """This database's number for the revision an annotation was made on: the one with
        the same text when the file names its hash (numbers differ when the two databases
        met the article at different times), else the same number if there is one."""
        number = record.revision
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            raise ValidationError(f"its revision {number!r} is not a revision number",
                                  "export the annotations again")
        digest = record.revision_sha256 or self.file_revisions.get((record.article_id, number))
        if digest is None and not any(key[0] == record.article_id for key in self.file_revisions):
            digest = record.article_sha256  # the article had one revision in the file
        if isinstance(digest, str):
            row = self.db.execute("SELECT max(number) FROM revisions WHERE article_id = ? AND "
                                  "text_sha256 = ?", [article["id"], digest]).fetchone()
            if row[0] is not None:
                return row[0]
        if digest is not None or number > article["revision"]:
            raise ValidationError(f"it was made on revision {number} of the article, whose "
                                  "text this database does not have",
                                  "import a JSONL export, which carries the article's revisions")
        return number

    def _anchors(self, record: _Incoming, row: dict, article: dict,
                 have: set[int] = frozenset(), defer: bool = False) -> list[tuple]:
        """The annotation's anchors on each revision after the one it was made on: the file's,
        where they fit this database's texts, else placed here as a new revision would be
        (unless this database has one on that revision, listed in ``have``). With ``defer``
        those to place wait for ``flush``, which places each group with one diff."""
        made_on, newest = row["revision"], article["revision"]
        if made_on >= newest:
            return []
        given = {}
        if isinstance(record.anchors, list):
            # The file's anchors, by the text of their revision; used where that text has
            # the same number here.
            hashes = dict(self.db.execute("SELECT text_sha256, number FROM revisions WHERE "
                                          "article_id = ?", [article["id"]]).fetchall())
            for anchor in record.anchors:
                if isinstance(anchor, dict):
                    digest = self.file_revisions.get((record.article_id, anchor.get("revision")))
                    if hashes.get(digest) == anchor.get("revision"):
                        given[anchor["revision"]] = anchor
        made_text = self._text(article["id"], made_on)
        selector = Selector(row["exact"], row["prefix"], row["suffix"], row["start"], row["end"])
        anchors = []
        for number in range(made_on + 1, newest + 1):
            text = article["text"] if number == newest else self._text(article["id"], number)
            anchor = fitting_anchor(given.get(number), text, row["kind"])
            if anchor is None and number in have:
                continue
            if anchor is None and defer:
                self.to_place.setdefault((article["id"], made_on, number), []).append(
                    (row, selector))
                continue
            if anchor is None:
                anchor = anchor_rows(made_text, text, number, [(row, selector)])[0][2:]
            anchors.append((row["id"], number, *anchor))
        return anchors

    def _place_waiting(self) -> list[tuple]:
        """Anchors for the new annotations that the file gave none for, a diff per group."""
        anchors = []
        for (article_id, made_on, number), members in self.to_place.items():
            anchors.extend(anchor_rows(self._text(article_id, made_on), self._text(article_id, number),
                                   number, members))
        self.to_place.clear()
        return anchors

    def _merge_anchors(self, anchors: list[tuple]) -> None:
        """Store the anchors an annotation here lacks, and those the file has reviewed later
        (an analyst accepted or re-attached them in the other database)."""
        for anchor in anchors:
            stored = self.db.execute(f"SELECT {_ANCHOR_LIST} FROM anchors WHERE annotation_id = ? "
                                     "AND revision = ?", anchor[:2]).fetchone()
            if stored is None or (anchor[-1] is not None and tuple(stored) != anchor and (
                    stored[-1] is None or _later(anchor[-1], stored[-1]))):
                self.db.execute(_INSERT_ANCHOR.replace("INSERT", "INSERT OR REPLACE"), anchor)

    def _one(self, condition: str, value: str) -> dict | None:
        rows = self.db.execute(
            f"SELECT id, text, text_sha256, revision FROM articles WHERE {condition} LIMIT 2",
            [value]).fetchall()
        if len(rows) != 1:
            return None
        return dict(zip(("id", "text", "text_sha256", "revision"), rows[0]))

    def _add(self, row: dict) -> None:
        self.pending[row["id"]] = row
        if len(self.pending) >= _ROWS_PER_FLUSH:
            self.flush()

    def flush(self) -> None:
        """Write the new annotations waiting in memory, and their ``create`` history rows.

        New rows are written a few hundred at a time: one multi-row INSERT fills the full-text
        index in one go, where a write a row (``add_annotation``) costs a dozen queries. The
        history rows are what ``store.annotations._record`` writes for a create.
        """
        if not self.pending:
            return
        anchors, self.pending_anchors = self.pending_anchors, []
        anchors.extend(self._place_waiting())
        rows = list(self.pending.values())
        self.pending.clear()
        per_statement = max(1, min(_ROWS_PER_FLUSH, self.db.conn.getlimit(
            sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(COLUMNS)))
        for first in range(0, len(rows), per_statement):
            chunk = rows[first:first + per_statement]
            self.db.conn.execute(_INSERT + ", ".join([_ROW] * len(chunk)),
                                 [row[column] for row in chunk for column in COLUMNS])
        stamp = now()
        self.db.conn.executemany(
            "INSERT INTO history (annotation_id, article_id, action, before, after, at, undone) "
            "VALUES (?, ?, 'create', NULL, ?, ?, 0)",
            [(row["id"], row["article_id"], _snapshot(row), stamp) for row in rows])
        self.db.conn.executemany(_INSERT_ANCHOR, anchors)

    def _stored(self, annotation_id: str) -> dict | None:
        if annotation_id in self.pending:
            self.flush()
        row = self.db.execute(_SELECT_STORED, [annotation_id]).fetchone()
        return dict(zip(COLUMNS, row)) if row else None

    def _source(self, record: _Incoming) -> dict | None:
        """The file's source as ``{"id", "name", "role", "organization"}``, without writing.

        ``id`` is the stored source of that name (any case), or None when it is new: the
        source is only created or given the file's role when the annotation is written, so an
        annotation that is unchanged or kept leaves the sources as they were.
        """
        name = _optional_text(record.source, "source")
        if name is None or not name.strip():
            return None
        name = " ".join(name.split())
        key = name.casefold()
        if key not in self.sources:
            found = find_source(self.db, name)
            self.sources[key] = found["id"] if found else None
        return {"id": self.sources[key], "name": name,
                "role": _optional_text(record.role, "role"),
                "organization": _optional_text(record.organization, "organization")}

    def _ensure_source(self, source: dict | None) -> int | None:
        if source is None:
            return None
        stored = ensure_source(self.db, source["name"], role=source["role"],
                               organization=source["organization"])
        self.sources[source["name"].casefold()] = stored["id"]
        return stored["id"]


def _snapshot(row: dict) -> str:
    """An annotation as ``store.annotations._record`` keeps it in the history."""
    return json.dumps({column: row[column] for column in COLUMNS}, ensure_ascii=False)


def _same(stored: dict, row: dict) -> bool:
    """Whether a stored annotation already holds exactly ``row``."""
    return all(stored[c] == row[c] or (c == "tags" and json.loads(stored[c]) == json.loads(row[c]))
               for c in COLUMNS)


def _later(first: str, second: str) -> bool:
    """Whether time ``first`` is after ``second`` (ISO 8601; compared as text if unparsable)."""
    try:
        return datetime.fromisoformat(first) > datetime.fromisoformat(second)
    except (TypeError, ValueError):
        return str(first) > str(second)


def _timestamp(value: Any, what: str) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValidationError(f"its {what} time {value!r} is not text", "give an ISO 8601 time")
    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"its {what} time {value!r} is not an ISO 8601 time",
                              "give a time such as 2025-09-07T17:21:00+03:00") from None
    return value


def _optional_text(value: Any, what: str) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise ValidationError(f"its {what} {value!r} is not text", f"give the {what} as a string")


def _tag_list(tags: Any) -> list[str]:
    if isinstance(tags, str):
        return [tags]
    if not isinstance(tags, (list, tuple)) or not all(isinstance(t, str) for t in tags):
        raise ValidationError(f"its tags {tags!r} are not a list of words", "give tags as strings")
    return list(tags)


def _anchor(text: str, exact: str, prefix: str, suffix: str) -> tuple[int, int]:
    """Where a quote without offsets sits: its only place, or the one its context fits.

    A quote found more than once whose prefix and suffix fit none or several of its places is
    refused: taking the first would put the annotation on words the file did not mean.
    """
    if not exact:
        raise ValidationError("its quote is empty and has no offsets",
                              "export it again with its positions")
    places = []
    start = text.find(exact)
    while start >= 0:
        places.append(start)
        start = text.find(exact, start + 1)
    if not places:
        raise ValidationError(f"{_excerpt(exact)!r} is not in the article",
                              "check that the file was made from this version of the article")
    fitting = [place for place in places if text.endswith(prefix, 0, place)
               and text.startswith(suffix, place + len(exact))]
    if len(places) > 1 and len(fitting) != 1:
        raise ValidationError(f"{_excerpt(exact)!r} occurs {len(places)} times in the article "
                              f"and the text around it in the file fits "
                              f"{'none' if not fitting else len(fitting)} of them",
                              "export it again with its positions")
    chosen = places[0] if len(places) == 1 else fitting[0]
    return chosen, chosen + len(exact)


def _article_hint(record: _Incoming) -> str:
    return (record.article_id or (record.article_sha256 and f"text {record.article_sha256[:12]}…")
            or record.article_url or "not named")


def _excerpt(text: str) -> str:
    return text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…"
