"""Annotations: spans of an article tagged as claims or quotes, with their history.

Every write checks the span against the article's text (``exact == text[start:end]``) and the
field rules, then records a JSON snapshot in ``history`` in the same transaction, so that
``undo`` can walk back any create, edit or delete, also after a restart.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any, Iterable

import sqlite_utils

from store.anchoring.model import ANCHOR_KINDS
from store.articles import get_article, revert_article
from store.citations.quotes import quote_span
from store.clock import now
from store.db import made_here, writing
from store.display import excerpt
from store.errors import NotFoundError, ValidationError
from store.revisions.anchors import ANCHOR_ACTIONS, restore_anchor
from store.revisions.texts import revision_text
from store.sources import ensure_source
from store.text import clean_characters

KINDS = ("claim", "quote")
CONTEXT_LENGTH = 32
GRADE_PATTERN = re.compile(r"[A-F][1-6]")

# Columns of the annotations table, in order; history snapshots hold exactly these.
COLUMNS = ("id", "article_id", "kind", "start", "end", "exact", "prefix", "suffix", "source_id",
           "via", "confidence", "grade", "note", "tags", "created_at", "updated_at", "deleted_at",
           "revision", "analyst", "origin")
# Fields a person edits; the source is given by name (and role), not by id.
EDITABLE = ("kind", "start", "end", "source", "role", "via", "confidence", "grade", "note", "tags")

# Where each annotation is in its article's newest text. Made on the newest revision, it is its
# own selectors; made on an older one, its anchor on the newest (an orphan, or no anchor at
# all, has no place: start and end are NULL). The made-on selectors are kept beside it.
_ANCHORED = "a.revision < ar.revision"
# Whether a sync found a concurrent edit of the annotation that nobody has resolved yet.
_CONFLICT_OF = ("EXISTS (SELECT 1 FROM conflicts c WHERE c.record_id = a.id "
                "AND c.subject = 'annotation' AND c.resolved_at IS NULL)")
_SELECT = f"""
    SELECT a.id, a.article_id, a.kind,
           CASE WHEN {_ANCHORED} THEN an.start ELSE a.start END AS start,
           CASE WHEN {_ANCHORED} THEN an."end" ELSE a."end" END AS "end",
           a.exact, a.prefix, a.suffix,
           a.source_id, s.name AS source, s.role AS role, s.organization AS organization,
           a.via, a.confidence, a.grade, a.note, a.tags, a.created_at, a.updated_at,
           a.deleted_at, ar.title AS article_title,
           CASE WHEN {_ANCHORED} THEN coalesce(an.kind, 'orphan') ELSE 'exact' END AS anchor,
           CASE WHEN {_ANCHORED} THEN an.current ELSE a.exact END AS current,
           CASE WHEN {_ANCHORED} THEN an.verified
                WHEN a.kind = 'quote' THEN 1 END AS verified,
           a.revision, a.start AS made_start, a."end" AS made_end,
           CASE WHEN {_ANCHORED} THEN coalesce(an.reason, 'no anchor on the newest revision')
                ELSE '' END AS reason,
           an.reviewed_at, a.analyst, a.origin, {_CONFLICT_OF} AS conflict
    FROM annotations a
    JOIN articles ar ON ar.id = a.article_id
    LEFT JOIN anchors an ON an.annotation_id = a.id AND an.revision = ar.revision
    LEFT JOIN sources s ON s.id = a.source_id
"""


# The same anchor and verification as ``_SELECT`` reads them, for a WHERE clause that has only
# the annotation at hand (``count_annotations`` joins neither the article nor its anchors).
_NEWEST_OF = "(SELECT revision FROM articles WHERE id = a.article_id)"
_ANCHOR_ROW = f"FROM anchors WHERE annotation_id = a.id AND revision = {_NEWEST_OF}"
_ANCHOR_OF = (f"(CASE WHEN a.revision < {_NEWEST_OF} "
              f"THEN coalesce((SELECT kind {_ANCHOR_ROW}), 'orphan') ELSE 'exact' END)")
_VERIFIED_OF = (f"(CASE WHEN a.revision < {_NEWEST_OF} THEN (SELECT verified {_ANCHOR_ROW}) "
                "ELSE 1 END)")


class DuplicateAnnotationError(ValidationError):
    """The annotation to add is one that is already there: same article, kind, span and
    source, not deleted. ``existing`` is that annotation's id."""

    def __init__(self, kind: str, source: str | None, existing: str) -> None:
        by = f" by {source}" if source else " with no source"
        super().__init__(f"these words are already a {kind}{by} (annotation {existing})",
                         "edit that annotation to change it")
        self.existing = existing


class SeveralMatchesError(ValidationError):
    """Typed text appears more than once and no occurrence was chosen.

    ``contexts`` holds each appearance with a few words around it, in order, for a person to
    choose from by number.
    """

    def __init__(self, typed: str, contexts: list[str]) -> None:
        shown = contexts[:MAX_LISTED]
        more = len(contexts) - len(shown)
        listing = "; ".join(f"{number} {context}" for number, context in enumerate(shown, 1))
        if more:
            listing += f"; and {more} more"
        super().__init__(f"the text {_excerpt(typed)!r} appears {len(contexts)} times: {listing}",
                         f"choose which one, 1 to {len(contexts)}", field="occurrence")
        self.contexts = contexts


# How many appearances of an ambiguous text are listed, and how much context each shows.
MAX_LISTED = 10
AROUND = 20


def find_span(text: str, typed: str, occurrence: int | None = 1) -> tuple[int, int]:
    """Offsets in ``text`` of the ``occurrence``-th (1-based) appearance of ``typed``.

    The words are found as a person types them (``store.spans.find``: quotation marks,
    dashes and spacing need not be the article's own, but capitals must), and the offsets are
    those of the article's own words. With ``occurrence`` None the text must appear once:
    several appearances raise ``SeveralMatchesError`` listing them.
    """
    if not typed or not typed.strip():
        raise ValidationError("the text to annotate is empty", "give the exact words to annotate",
                              field="text")
    if occurrence is not None and occurrence < 1:
        raise ValidationError(f"occurrence {occurrence} is not a position",
                              "count occurrences from 1 for the first match, 2 for the second…",
                              field="occurrence")
    spans = appearances(text, typed)
    if not spans:
        raise NotFoundError(f"the text {_excerpt(typed)!r} is not in the article",
                            "copy the words exactly as the article has them")
    if occurrence is None:
        if len(spans) > 1:
            raise SeveralMatchesError(typed, [_in_context(text, span) for span in spans])
        return spans[0]
    if occurrence > len(spans):
        found = len(spans)
        raise NotFoundError(
            f"the text {_excerpt(typed)!r} appears {found} time{'s' if found > 1 else ''}, "
            f"so there is no occurrence {occurrence}",
            f"choose an occurrence between 1 and {found}")
    return spans[occurrence - 1]


def appearances(text: str, typed: str) -> list[tuple[int, int]]:
    """Every appearance of ``typed`` in ``text`` as ``find_span`` counts them: found as a
    person types (capitals must match), overlapping ones too ("aa" twice in "aaa"), as a
    person counting them would see them."""
    from store.spans.find import find_pattern

    pattern = find_pattern(typed, ignore_case=False)
    spans: list[tuple[int, int]] = []
    found = pattern.search(text) if pattern is not None else None
    while found is not None:
        spans.append(found.span())
        found = pattern.search(text, found.start() + 1)
    return spans


def _in_context(text: str, span: tuple[int, int]) -> str:
    """One appearance on one line with up to ``AROUND`` characters either side, quoted."""
    start, end = span
    before = text[max(0, start - AROUND):start]
    after = text[end:end + AROUND]
    # Whole words only at the edges: a cut word reads as a different one.
    if start > AROUND and not text[start - AROUND - 1].isspace():
        before = before.split(None, 1)[1] if len(before.split(None, 1)) > 1 else ""
    if end + AROUND < len(text) and not text[end + AROUND].isspace():
        after = after.rsplit(None, 1)[0] if len(after.rsplit(None, 1)) > 1 else ""
    words = " ".join(f"{before}{text[start:end]}{after}".split())
    return f"“{'…' if start > AROUND else ''}{words}{'…' if end + AROUND < len(text) else ''}”"


def parse_occurrence(text: str | None) -> int:
    """Which appearance of a text was asked for, from what was typed: 1 when blank.

    Digits of any script are read (``３`` is 3); anything else, or 0, raises ValidationError.
    """
    text = (text or "").strip()
    if not text:
        return 1
    # isdecimal, not isdigit: "²" is a digit to Python but int() cannot read it.
    if not text.isdecimal() or int(text) < 1:
        raise ValidationError(f"occurrence {text!r} is not a position",
                              "give 1 for the first appearance of the text, 2 for the second…",
                              field="occurrence")
    return int(text)


def _excerpt(text: str, length: int = 60) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def add_annotation(db: sqlite_utils.Database, article_id: str, *, kind: str, start: int, end: int,
                   source: str | None = None, role: str | None = None, via: str | None = None,
                   confidence: int | None = None, grade: str | None = None,
                   note: str | None = None, tags: Iterable[str] = (),
                   id: str | None = None) -> dict:
    """Annotate ``text[start:end]`` of an article; returns the stored annotation."""
    article = get_article(db, article_id)
    fields = _checked({"kind": kind, "start": start, "end": end, "via": via,
                       "confidence": confidence, "grade": grade, "note": note, "tags": tags},
                      article["text"], article["revision"])
    stamp = now()
    row = {"id": id or str(uuid.uuid4()), "article_id": article["id"], **fields,
           "source_id": None, "created_at": stamp, "updated_at": stamp, "deleted_at": None}
    with writing(db):
        row.update(made_here(db))
        row["source_id"] = _source_id(db, source, role)
        _refuse_duplicate(db, row)
        db["annotations"].insert({column: row[column] for column in COLUMNS})
        _record(db, row["id"], article["id"], "create", None, row)
    return get_annotation(db, row["id"])


def _refuse_duplicate(db: sqlite_utils.Database, row: dict) -> None:
    """Refuse ``row`` if another live annotation of the article has its kind, span and
    source (as when the same command runs twice, or an edit or restore would make one); a
    claim and a quote of the same words may stand."""
    # "+a.source_id" keeps SQLite on the (article, start) index: by the source index it
    # would read every annotation of a much-quoted source, a millisecond at each add.
    found = db.execute(
        "SELECT a.id, s.name FROM annotations a LEFT JOIN sources s ON s.id = a.source_id "
        "WHERE a.article_id = ? AND a.kind = ? AND a.start = ? AND a.\"end\" = ? "
        "AND +a.source_id IS ? AND a.deleted_at IS NULL AND a.id != ? LIMIT 1",
        [row["article_id"], row["kind"], row["start"], row["end"], row["source_id"],
         row["id"]]).fetchone()
    if found:
        raise DuplicateAnnotationError(row["kind"], found[1], found[0])


def add_annotation_by_text(db: sqlite_utils.Database, article_id: str, *, text: str,
                           occurrence: int | None = 1, **fields: Any) -> dict:
    """Annotate the ``occurrence``-th appearance of ``text`` in the article, found as a person
    types it (see ``find_span``; None: the only appearance)."""
    article = get_article(db, article_id)
    start, end = find_span(article["text"], text, occurrence)
    return add_annotation(db, article["id"], start=start, end=end, **fields)


def edit_annotation(db: sqlite_utils.Database, annotation_id: str, **changes: Any) -> dict:
    """Change some of an annotation's fields (see ``EDITABLE``); returns it as now stored."""
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"cannot edit {', '.join(sorted(unknown))}",
                              f"editable fields are {', '.join(EDITABLE)}")
    # Read inside the write transaction: another program's edit in between would otherwise be
    # overwritten, and the history's "before" would not be what was replaced.
    with writing(db):
        before = _raw(db, annotation_id)
        article = get_article(db, before["article_id"])
        merged = {key: before[key] for key in ("kind", "start", "end", "via", "confidence",
                                               "grade", "note")}
        merged["tags"] = json.loads(before["tags"])
        merged.update({k: v for k, v in changes.items() if k not in ("source", "role", "start",
                                                                    "end")})
        text, revision = _selection_for(db, before, article, changes)
        merged["start"], merged["end"] = _span_for(db, before, article, changes)
        fields = _checked(merged, text, revision)
        source_id = before["source_id"]
        if "source" in changes:
            source_id = _source_id(db, changes["source"], changes.get("role"))
        elif changes.get("role") is not None and source_id is not None:
            db["sources"].update(source_id, {"role": changes["role"] or None})
        after = {**before, **fields, "source_id": source_id, "updated_at": now()}
        if after == {**before, "updated_at": after["updated_at"]}:
            return get_annotation(db, before["id"])
        if not after["deleted_at"]:
            _refuse_duplicate(db, after)
        db["annotations"].update(before["id"], {k: after[k] for k in COLUMNS if k != "id"})
        _record(db, before["id"], before["article_id"], "edit", before, after)
    return get_annotation(db, before["id"])


def _selection_for(db: sqlite_utils.Database, before: dict, article: dict,
                   changes: dict) -> tuple[str, int]:
    """The text and revision number an edit's selectors refer to.

    A new span is a new selection on the newest revision; any other edit keeps the selectors
    on the revision they were made on, which anchoring never overwrites.
    """
    if _new_span(db, before, article, changes) is not None:
        return article["text"], article["revision"]
    if before["revision"] == article["revision"]:
        return article["text"], article["revision"]
    return revision_text(db, article["id"], before["revision"]), before["revision"]


def _span_for(db: sqlite_utils.Database, before: dict, article: dict,
              changes: dict) -> tuple[Any, Any]:
    """The offsets an edit stores: the new span, or the ones the annotation was made with."""
    span = _new_span(db, before, article, changes)
    return span if span is not None else (before["start"], before["end"])


def _new_span(db: sqlite_utils.Database, before: dict, article: dict,
              changes: dict) -> tuple[Any, Any] | None:
    """The span an edit gives in the newest text, or None when it leaves the place as it is.

    A person sees (and a form hands back) the annotation where it is now in the newest text,
    so offsets equal to that place are no new selection.
    """
    if "start" not in changes and "end" not in changes:
        return None
    if before["revision"] == article["revision"]:
        now_at = (before["start"], before["end"])
    else:
        row = db.execute("SELECT start, \"end\" FROM anchors WHERE annotation_id = ? "
                         "AND revision = ?", [before["id"], article["revision"]]).fetchone()
        now_at = tuple(row) if row else (None, None)
    span = (changes.get("start", now_at[0]), changes.get("end", now_at[1]))
    return None if span == now_at else span


def delete_annotation(db: sqlite_utils.Database, annotation_id: str) -> dict:
    """Soft-delete an annotation: it leaves every listing but stays restorable."""
    return _set_deleted(db, annotation_id, True)


def restore_annotation(db: sqlite_utils.Database, annotation_id: str) -> dict:
    """Bring a deleted annotation back."""
    return _set_deleted(db, annotation_id, False)


def _set_deleted(db: sqlite_utils.Database, annotation_id: str, deleted: bool) -> dict:
    """Delete or restore an annotation, recording the change so that undo can reverse it."""
    with writing(db):
        before = _raw(db, annotation_id)
        if bool(before["deleted_at"]) == deleted:
            if deleted:
                raise ValidationError("that annotation is already deleted",
                                      "restore it to bring it back")
            raise ValidationError("that annotation is not deleted", "only deleted annotations restore")
        if not deleted:
            _refuse_duplicate(db, before)
        stamp = now()
        changes = {"deleted_at": stamp if deleted else None, "updated_at": stamp}
        db["annotations"].update(before["id"], changes)
        _record(db, before["id"], before["article_id"], "delete" if deleted else "restore", before,
                {**before, **changes})
    return get_annotation(db, before["id"])


def undo(db: sqlite_utils.Database, article_id: str | None = None) -> dict | None:
    """Reverse the latest change not yet undone: an annotation's create, edit, delete or
    restore, the acceptance or re-attachment of its anchor (``store.revisions.anchors``), or
    an article's metadata edit, archiving or trashing (``store.articles``).

    With ``article_id``, only changes to that article and its annotations count. Returns
    ``{"subject": "annotation", "action": ..., "annotation": ...}`` or
    ``{"subject": "article", "action": ..., "article": ...}`` describing what was reversed, or
    None if nothing is left.
    """
    sql = ("SELECT id, subject, annotation_id, article_id, action, before FROM history "
           "WHERE undone = 0")
    params: list[Any] = []
    if article_id is not None:
        sql += " AND article_id = ?"
        params.append(article_id)
    # The latest change is found inside the write transaction, so two undos at once reverse
    # two changes, not the same one twice.
    with writing(db):
        row = db.execute(sql + " ORDER BY id DESC LIMIT 1", params).fetchone()
        if row is None:
            return None
        history_id, subject, annotation_id, changed_article, action, before = row
        db.execute("UPDATE history SET undone = 1 WHERE id = ?", [history_id])
        if subject == "article":
            article = revert_article(db, changed_article, before)
            return {"subject": "article", "action": action, "article": article}
        stamp = now()
        if action == "create":
            db["annotations"].update(annotation_id, {"deleted_at": stamp, "updated_at": stamp})
        else:
            snapshot = json.loads(before)
            if action in ANCHOR_ACTIONS:
                restore_anchor(db, snapshot)
                db["annotations"].update(annotation_id, {"updated_at": stamp})
            else:
                # Snapshots from before revisions existed were all made on the first.
                snapshot.setdefault("revision", 1)
                # Undoing is a change made now, not a return to the old time: a copy that
                # shares its work must see it as newer than the change it reverses.
                snapshot["updated_at"] = stamp
                # Snapshots from before analysts were recorded leave who made it as it is.
                db["annotations"].update(annotation_id, {k: snapshot[k] for k in COLUMNS
                                                         if k != "id" and k in snapshot})
    return {"subject": "annotation", "action": action,
            "annotation": get_annotation(db, annotation_id)}


def describe_undo(result: dict, length: int = 40) -> str:
    """What a person is told after ``undo`` reversed ``result["action"]``, in one line."""
    if result["subject"] == "article":
        title = f"“{excerpt(result['article']['title'], length)}”"
        return {
            "edit": f"Undid the change to the article {title}",
            "delete": f"Brought the article {title} back from the trash",
            "restore": f"Moved the article {title} to the trash again",
            "archive": f"Brought the article {title} back from the archive",
            "unarchive": f"Archived the article {title} again",
        }[result["action"]]
    annotation = result["annotation"]
    what = f"{annotation['kind']} {quote_span(annotation['exact'], length)}"
    return {
        "create": f"Undid adding the {what}",
        "accept": f"The {what} is marked as changed again",
        "reattach": f"Undid re-attaching the {what}",
        "delete": f"Restored the {what}",
        "restore": f"Deleted the {what} again",
    }.get(result["action"], f"Undid the last change to the {what}")


def history(db: sqlite_utils.Database, annotation_id: str) -> list[dict]:
    """Every recorded change of one annotation, oldest first, snapshots decoded."""
    cursor = db.execute(
        "SELECT id, action, before, after, at, undone FROM history WHERE annotation_id = ? ORDER BY id",
        [annotation_id])
    return [{"id": i, "action": a, "before": json.loads(b) if b else None,
             "after": json.loads(c) if c else None, "at": at, "undone": bool(u)}
            for i, a, b, c, at, u in cursor.fetchall()]


def get_annotation(db: sqlite_utils.Database, annotation_id: str) -> dict:
    """One annotation (deleted or not) by id or unique id prefix, with its source's name and role."""
    # The whole id first: it uses the primary key, while LIKE cannot and reads every row.
    rows = _rows(db.execute(_SELECT + " WHERE a.id = ?", [annotation_id]))
    if rows:
        return rows[0]
    cursor = db.execute(_SELECT + " WHERE a.id LIKE ? LIMIT 2",
                        [annotation_id.replace("%", "").replace("_", "") + "%"])
    rows = _rows(cursor)
    exact = [row for row in rows if row["id"] == annotation_id]
    if exact:
        return exact[0]
    if len(rows) == 1 and len(annotation_id) >= 4:
        return rows[0]
    if not rows or len(annotation_id) < 4:
        raise NotFoundError(f"no annotation with id {annotation_id!r}",
                            "run 'margin annotations' to see the ids")
    raise NotFoundError(f"more than one annotation id starts with {annotation_id!r}",
                        "give more characters of the id")


def list_annotations(db: sqlite_utils.Database, *, limit: int | None = None, offset: int = 0,
                     order_by: str = "created", descending: bool = False,
                     **filters: Any) -> list[dict]:
    """Annotations matching ``filters`` (see ``annotation_filter``), with source and article title.

    ``order_by`` is one of ``ORDERINGS``; ``limit`` and ``offset`` page through the result.
    """
    if "ordered_scan" not in filters:
        filters["ordered_scan"] = (order_by == "created" and limit is not None
                                   and _many_matches(db, filters))
    where, params = annotation_filter(**filters)
    if order_by not in ORDERINGS:
        raise ValidationError(f"cannot sort by {order_by!r}", f"sort by one of {', '.join(ORDERINGS)}")
    direction = "DESC" if descending else "ASC"
    # Ties in insertion order (rowid): the created_at index then yields a page without sorting
    # every row, even when a bulk import gave thousands of annotations one timestamp.
    sql = f"{_SELECT} {where} ORDER BY {ORDERINGS[order_by].format(dir=direction)}, a.rowid {direction}"
    if limit is not None:
        sql += " LIMIT ? OFFSET ?"
        params += [limit, offset]
    return _rows(db.execute(sql, params))


# With fewer matches than this for a word or a source, fetching and sorting them all beats
# walking the created_at index in order (see ``ordered_scan``); with more, the walk ends sooner.
MANY_MATCHES = 1000


def _many_matches(db: sqlite_utils.Database, filters: dict[str, Any]) -> bool:
    """Whether the search and the source (those given) together match ``MANY_MATCHES`` or more."""
    query = match_query(filters.get("search"), filters.get("source"))
    if query is None:
        return False
    probe = "SELECT 1 FROM annotations_fts WHERE annotations_fts MATCH ? LIMIT ?"
    return db.execute(f"SELECT count(*) FROM ({probe})", [query, MANY_MATCHES]).fetchone()[0] \
        >= MANY_MATCHES


def count_annotations(db: sqlite_utils.Database, **filters: Any) -> int:
    """How many annotations match ``filters``."""
    where, params = annotation_filter(**filters)
    sql = ("SELECT count(*) FROM annotations a LEFT JOIN sources s ON s.id = a.source_id "
           f"{where}")
    return db.execute(sql, params).fetchone()[0]


# Text order: by the place in the newest text; orphans, which have none, after the others, in
# the order of the text they were made on.
_PLACE = (f"(CASE WHEN {_ANCHORED} THEN an.start ELSE a.start END) IS NULL, "
          f"CASE WHEN {_ANCHORED} THEN an.start ELSE a.start END {{dir}}, a.revision, a.start")
ORDERINGS = {
    "created": "a.created_at {dir}",
    "kind": "a.kind {dir}, a.created_at {dir}",
    "source": "s.name IS NULL, s.name COLLATE NOCASE {dir}",
    "confidence": "a.confidence IS NULL, a.confidence {dir}",
    "excerpt": "a.exact COLLATE NOCASE {dir}",
    "article": "ar.title COLLATE NOCASE {dir}, " + _PLACE,
    # Made before margin recorded who made what: last either way, like a missing source.
    "analyst": "a.analyst IS NULL, a.analyst COLLATE NOCASE {dir}",
    "position": "a.article_id {dir}, " + _PLACE,
}


def annotation_filter(*, article_id: str | None = None, kind: str | None = None,
                      source: str | None = None, search: str | None = None,
                      tags: Iterable[str] = (),
                      min_confidence: int | None = None, max_confidence: int | None = None,
                      deleted: bool | None = False, in_trash: bool | None = False,
                      anchor: str | None = None, verified: bool | None = None,
                      analyst: str | None = None, conflict: bool | None = None,
                      ordered_scan: bool = False) -> tuple[str, list[Any]]:
    """A WHERE clause and its parameters for the listing filters.

    ``search`` is free text for the full-text index (never a syntax error: see ``fts_query``);
    ``source`` keeps the annotations whose source's name has a word beginning with each word
    of it, in any case (``omar``, ``Lamr`` and ``Omar Lamrani`` all find Omar Lamrani);
    ``tags`` keeps those carrying every tag given (whole tags, any case);
    ``deleted`` is False for live annotations, True for deleted ones, None for both.
    ``in_trash`` is False for the annotations of articles not in the trash (an article in the
    trash is gone until restored, and its annotations with it; an archived one keeps them),
    True for those of articles in the trash, None for both.
    ``anchor`` keeps those whose place in the article's newest revision is that kind (one of
    ``ANCHOR_KINDS``: made on the newest, an annotation is ``exact``); ``verified`` keeps the
    quotes whose words still stand verbatim in their quotation marks (True) or not (False).
    ``analyst`` keeps those made by the analyst of that name (the whole name, any case).
    ``conflict`` keeps those with a concurrent edit from another copy still to resolve (True)
    or without (False).
    ``ordered_scan`` (for a page in ``created`` order) has SQLite walk the created_at index and
    test each row against the full-text matches and the source, stopping when the page is
    full, instead of fetching and sorting every match: ten to a hundred times faster for a
    common word or source over 100,000 annotations, but a whole pass over the index for a rare
    one, so ``list_annotations`` asks for it only when there are many matches.
    """
    clauses: list[str] = []
    params: list[Any] = []
    if article_id is not None:
        clauses.append("a.article_id = ?")
        params.append(article_id)
    if kind is not None:
        if kind not in KINDS:
            raise ValidationError(f"unknown kind {kind!r}", "use claim or quote", field="kind")
        clauses.append("a.kind = ?")
        params.append(kind)
    # A unary + keeps the planner from using the index on that side (see ordered_scan).
    walk = "+" if ordered_scan else ""
    for tag in tags:
        clauses.append("EXISTS (SELECT 1 FROM json_each(a.tags) WHERE value = ? COLLATE NOCASE)")
        params.append(" ".join(tag.split()))
    if min_confidence is not None:
        clauses.append("a.confidence >= ?")
        params.append(min_confidence)
    if max_confidence is not None:
        clauses.append("a.confidence <= ?")
        params.append(max_confidence)
    if deleted is not None:
        clauses.append("a.deleted_at IS NOT NULL" if deleted else "a.deleted_at IS NULL")
    if analyst is not None:
        clauses.append("a.analyst = ? COLLATE NOCASE")
        params.append(" ".join(analyst.split()))
    if conflict is not None:
        clauses.append(_CONFLICT_OF if conflict else f"NOT {_CONFLICT_OF}")
    if anchor is not None:
        if anchor not in ANCHOR_KINDS:
            raise ValidationError(f"unknown anchor {anchor!r}",
                                  f"use one of {', '.join(ANCHOR_KINDS)}")
        clauses.append(f"{_ANCHOR_OF} = ?")
        params.append(anchor)
    if verified is not None:
        clauses.append(f"a.kind = 'quote' AND coalesce({_VERIFIED_OF}, 0) = ?")
        params.append(int(verified))
    if in_trash is not None:
        # A list built once per query: the trash holds few articles, and the test leaves the
        # planner free to walk whichever annotations index it chose.
        clauses.append(f"a.article_id {'' if in_trash else 'NOT '}IN "
                       "(SELECT id FROM articles WHERE deleted_at IS NOT NULL)")
    if search or source is not None:
        query = match_query(search, source)
        if query is None and source is not None:
            clauses.append("0")  # a source with no words in it names nobody
        elif query is not None:
            clauses.append(f"{walk}a.rowid IN "
                           "(SELECT rowid FROM annotations_fts WHERE annotations_fts MATCH ?)")
            params.append(query)
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def fts_query(text: str) -> str | None:
    """An FTS5 query for free text: every word must appear, as a whole word.

    "recruit" does not find "recruitment": a search that widened words on its own would list
    passages the analyst did not ask for. A word typed with a star (``recruit*``) asks for
    every word beginning so. Quotes and operators a person types are taken as plain words,
    so no input can be an FTS5 syntax error. Returns None when the text has no words at all.
    """
    words = re.findall(r"(\w+)(\*?)", text)
    if not words:
        return None
    return " ".join(f'"{word}"{star}' for word, star in words)


def match_query(search: str | None, source: str | None) -> str | None:
    """One FTS5 query for free text and a source named by the beginnings of its words."""
    parts = []
    query = fts_query(search) if search else None
    if query is not None:
        parts.append(query)
    if source is not None:
        words = re.findall(r"\w+", source)
        if not words:
            return None
        parts.append("source : (" + " ".join(f'"{word}"*' for word in words) + ")")
    return " AND ".join(parts) if parts else None


def _checked(fields: dict, text: str, revision: int = 1) -> dict:
    """Validate the writable fields against the rules and ``text``, the article's revision
    number ``revision``; returns the stored values."""
    kind = fields.get("kind")
    if kind not in KINDS:
        raise ValidationError(f"unknown kind {kind!r}", "use claim or quote", field="kind")
    start, end = fields.get("start"), fields.get("end")
    if not isinstance(start, int) or not isinstance(end, int) or isinstance(start, bool):
        raise ValidationError("a span needs whole-number offsets", "give start and end as integers",
                              field="span")
    if not 0 <= start < end <= len(text):
        raise ValidationError(f"the span {start}–{end} is outside the article (0–{len(text)})",
                              "select some text of the article", field="span")
    confidence = fields.get("confidence")
    if confidence is not None and (isinstance(confidence, bool) or not isinstance(confidence, int)
                                   or not 0 <= confidence <= 100):
        raise ValidationError(f"confidence {confidence!r} is not a percentage",
                              "give a whole number from 0 to 100", field="confidence")
    grade = fields.get("grade") or None
    if grade is not None:
        grade = str(grade).strip().upper()
        if not GRADE_PATTERN.fullmatch(grade):
            raise ValidationError(f"grade {fields['grade']!r} is not an Admiralty code",
                                  "give a letter A–F and a digit 1–6, such as B2", field="grade")
    tags = fields.get("tags") or []
    if isinstance(tags, str):
        tags = [tags]
    tags = list(dict.fromkeys(tag for tag in map(_blank_to_none, tags) if tag))
    return {
        "kind": kind, "start": start, "end": end, "exact": text[start:end],
        "prefix": text[max(0, start - CONTEXT_LENGTH):start],
        "suffix": text[end:end + CONTEXT_LENGTH],
        "via": _blank_to_none(fields.get("via")), "confidence": confidence, "grade": grade,
        "note": _blank_to_none(fields.get("note")),
        "tags": json.dumps(tags, ensure_ascii=False), "revision": revision,
    }


def _blank_to_none(value: str | None) -> str | None:
    """Typed text as stored: no control characters (they could drive a terminal), blank is None."""
    if value is None:
        return None
    value = clean_characters(str(value)).strip()
    return value or None


def _source_id(db: sqlite_utils.Database, name: str | None, role: str | None) -> int | None:
    if not name or not name.strip():
        return None
    return ensure_source(db, name, role=role)["id"]


def _record(db: sqlite_utils.Database, annotation_id: str, article_id: str, action: str,
            before: dict | None, after: dict | None) -> None:
    def snapshot(row: dict | None) -> str | None:
        return json.dumps({k: row[k] for k in COLUMNS}, ensure_ascii=False) if row else None

    db["history"].insert({"annotation_id": annotation_id, "article_id": article_id,
                          "action": action, "before": snapshot(before), "after": snapshot(after),
                          "at": now(), "undone": 0})


def _raw(db: sqlite_utils.Database, annotation_id: str) -> dict:
    full_id = get_annotation(db, annotation_id)["id"]
    cursor = db.execute(f"SELECT {', '.join(_quoted(c) for c in COLUMNS)} FROM annotations WHERE id = ?",
                        [full_id])
    return dict(zip(COLUMNS, cursor.fetchone()))


def _quoted(column: str) -> str:
    return f'"{column}"'


def _rows(cursor: Any) -> list[dict]:
    columns = [c[0] for c in cursor.description]
    rows = []
    for values in cursor.fetchall():
        row = dict(zip(columns, values))
        row["tags"] = json.loads(row["tags"])
        if "conflict" in row:
            row["conflict"] = bool(row["conflict"])
        rows.append(row)
    return rows
