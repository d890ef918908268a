"""Anchors on the newest revision: computing them, and what the analyst does with them.

Every annotation (deleted ones too) gets an anchor row for each revision added after the one
it was made on. Its selectors are never rewritten: an anchor only says where its words are
now. The analyst can accept a ``changed`` anchor or re-attach an annotation to a span of the
newest text; both are recorded in the history, so ``store.annotations.undo`` reverses them.
"""

from __future__ import annotations

import json
from typing import Any

import sqlite_utils

from store.anchoring import ANCHOR_KINDS, Anchor, Selector, anchor_all
from store.clock import now
from store.db import writing
from store.errors import ValidationError
from store.spans.quotations import quotation_pairs

# The history actions an anchor's changes are recorded under (subject: the annotation).
ANCHOR_ACTIONS = ("accept", "reattach")
ANCHOR_COLUMNS = ("annotation_id", "revision", "kind", "start", "end", "current", "reason",
                  "verified", "reviewed_at")
REATTACHED = "re-attached by the analyst"
REVIEWED_EARLIER = "the analyst accepted these words on an earlier revision"
# The context kept either side of a place the analyst chose, as annotations keep theirs.
CONTEXT_LENGTH = 32
_INSERT = (f"INSERT OR REPLACE INTO anchors ({', '.join(f'[{c}]' for c in ANCHOR_COLUMNS)}) "
           f"VALUES ({', '.join('?' for _ in ANCHOR_COLUMNS)})")


# --- computing anchors for a new revision ----------------------------------------------------

def anchor_article(db: sqlite_utils.Database, article_id: str, previous: int, new_text: str,
                   number: int) -> dict[str, int]:
    """Anchor every annotation of the article on its new revision ``number`` (text
    ``new_text``), the newest having been ``previous``; returns the live ones' counts by kind.

    Each is placed from the revision it was made on, or, when the analyst accepted or
    re-attached it on ``previous``, from that place: the analyst's word outranks the engine's.
    Runs inside the caller's write transaction.
    """
    rows = db.execute(
        """SELECT a.id, a.kind, a.revision, a.start, a."end", a.exact, a.prefix, a.suffix,
                  a.deleted_at IS NULL, an.start, an."end", an.current, an.reviewed_at
           FROM annotations a
           LEFT JOIN anchors an ON an.annotation_id = a.id AND an.revision = ?
           WHERE a.article_id = ?""", [previous, article_id]).fetchall()
    groups: dict[int, list[tuple]] = {}
    for row in rows:
        reviewed = row[12] is not None and row[9] is not None and row[2] < previous
        groups.setdefault(previous if reviewed else row[2], []).append(row)
    counts = {"exact": 0, "moved": 0, "changed": 0, "orphan": 0}
    written = []
    quotes_new = Quotations(new_text)
    for base, members in groups.items():
        old_text = db.execute("SELECT text FROM revisions WHERE article_id = ? AND number = ?",
                              [article_id, base]).fetchone()[0]
        made = [(row[1], row[5], _selector(row, base, old_text)) for row in members]
        for row, (anchor, current, verified) in zip(
                members, placed(old_text, new_text, made, quotes_new)):
            kind, reason, reviewed_at = anchor.kind, anchor.reason, None
            if base != row[2] and kind in ("exact", "moved"):
                # Carried unchanged from where the analyst put it: that review still holds,
                # and words that differ from the annotation's own stay "changed".
                reviewed_at = row[12]
                if current != row[5]:
                    kind, reason = "changed", REVIEWED_EARLIER
            written.append((row[0], number, kind, anchor.start, anchor.end, current, reason,
                            verified, reviewed_at))
            if row[8]:
                counts[kind] += 1
    # In key order: each row then goes at the end of the b-tree instead of at a random page,
    # a third of the time for 10,000 anchors.
    written.sort()
    db.conn.executemany(_INSERT.replace("INSERT OR REPLACE", "INSERT"), written)
    return counts


def placed(old_text: str, new_text: str, made: list[tuple[str, str, Selector]],
           quotes_new: "Quotations | None" = None) -> list[tuple[Anchor, str | None, int | None]]:
    """For annotations made on ``old_text``, each given as (kind, exact as annotated,
    selector): its anchor on ``new_text``, the words now there, and for a quote whether it
    still holds (1 or 0; None for a claim). The one place revisions are anchored, whether
    imported as text or read from an export."""
    quotes_old = Quotations(old_text)
    quotes_new = quotes_new or Quotations(new_text)
    results = []
    for (kind, exact, selector), anchor in zip(made, anchor_all(old_text, new_text,
                                                                 [m[2] for m in made])):
        current = None if anchor.start is None else new_text[anchor.start:anchor.end]
        verified = None
        if kind == "quote":
            verified = int(quote_holds(exact, selector, anchor, current, quotes_old, quotes_new))
        results.append((anchor, current, verified))
    return results


def _selector(row: tuple, base: int, text: str) -> Selector:
    """The selector placed from: the annotation as made, or its reviewed place on ``base``."""
    if base == row[2]:
        return Selector(row[5], row[6], row[7], row[3], row[4])
    start, end = row[9], row[10]
    return Selector(row[11], text[max(0, start - CONTEXT_LENGTH):start],
                    text[end:end + CONTEXT_LENGTH], start, end)


def quote_holds(exact: str, selector: Selector, anchor: Anchor, current: str | None,
                quotes_old: "Quotations", quotes_new: "Quotations") -> bool:
    """Whether a quote still stands: its words as annotated, verbatim, and still within
    quotation marks if they were within them where it was placed from."""
    if anchor.start is None or current != exact:
        return False
    if quotes_old.encloses(selector.start, selector.end):
        return quotes_new.encloses(anchor.start, anchor.end)
    return True


class Quotations:
    """Which spans of a text lie inside quotation marks, paired a paragraph at a time (as the
    reader pairs them) and each paragraph only once."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pairs: dict[tuple[int, int], list[tuple[int, int]]] = {}

    def encloses(self, start: int, end: int) -> bool:
        """Whether one pair of marks holds all of ``text[start:end]`` (the marks may be in it)."""
        text = self.text
        first = text.rfind("\n\n", 0, start)
        paragraph = (0 if first < 0 else first + 2, len(text) if (last := text.find("\n\n", end)) < 0
                     else last)
        if paragraph not in self.pairs:
            self.pairs[paragraph] = quotation_pairs(text, *paragraph)
        return any(opening <= start and end <= closing + 1
                   for opening, closing in self.pairs[paragraph])


def anchor_rows(old_text: str, new_text: str, number: int,
            members: list[tuple[dict, Selector]]) -> list[tuple]:
    """Anchor rows (``ANCHOR_COLUMNS`` values) for annotations, each given as (row,
    selector), made on ``old_text``: their places on ``new_text``, the text of revision
    ``number``, as importing that revision places them."""
    made = [(row["kind"], row["exact"], selector) for row, selector in members]
    return [(row["id"], number, anchor.kind, anchor.start, anchor.end, current, anchor.reason,
             verified, None)
            for (row, _), (anchor, current, verified) in zip(members,
                                                             placed(old_text, new_text, made))]


def fitting_anchor(given: Any, text: str, kind: str) -> tuple | None:
    """An anchor given from elsewhere (a file, a team's server) as a row's values from
    ``kind`` on, if it is one and its place and words fit ``text``; else None."""
    if not isinstance(given, dict) or given.get("kind") not in ANCHOR_KINDS:
        return None
    start, end, current = given.get("start"), given.get("end"), given.get("current")
    if given["kind"] == "orphan":
        if start is not None or end is not None or current is not None:
            return None
    elif not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
              and text[start:end] == current):
        return None
    verified = given.get("verified")
    if (kind == "quote") != (verified in (0, 1)) or (kind == "claim" and verified is not None):
        return None
    reason, reviewed_at = given.get("reason"), given.get("reviewed_at")
    if not isinstance(reason, (str, type(None))) or not isinstance(reviewed_at, (str, type(None))):
        return None
    return (given["kind"], start, end, current, reason, verified, reviewed_at)


# --- what the analyst does with an anchor ----------------------------------------------------

def accept_anchor(db: sqlite_utils.Database, annotation_id: str) -> dict:
    """Mark a ``changed`` anchor as seen and accepted; returns the annotation as now read."""
    from store.annotations import get_annotation

    with writing(db):
        annotation = get_annotation(db, annotation_id)
        if annotation["anchor"] != "changed":
            raise ValidationError(f"the annotation is {annotation['anchor']}, not changed",
                                  "only an annotation whose words were edited is accepted")
        if annotation["reviewed_at"]:
            raise ValidationError("the changed words were already accepted",
                                  "undo brings the mark back")
        before = _anchor_row(db, annotation)
        after = {**before, "reviewed_at": now()}
        _write(db, annotation, "accept", before, after)
    return get_annotation(db, annotation["id"])


def reattach(db: sqlite_utils.Database, annotation_id: str, start: int, end: int) -> dict:
    """Place an annotation made on an older revision on ``text[start:end]`` of the newest.

    Its original selectors stay as they were; the new place is its anchor, marked as the
    analyst's own, and future revisions are anchored from it. Returns the annotation as read.
    """
    from store.annotations import get_annotation
    from store.articles import get_article

    with writing(db):
        annotation = get_annotation(db, annotation_id)
        article = get_article(db, annotation["article_id"])
        if annotation["revision"] == article["revision"]:
            raise ValidationError("the annotation was made on the newest text",
                                  "change its span by editing it instead")
        text = article["text"]
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
            raise ValidationError(f"the span {start}–{end} is outside the article (0–{len(text)})",
                                  "select some words of the newest text")
        words = text[start:end]
        exact = annotation["exact"]
        if words != exact:
            kind = "changed"
        else:
            kind = "exact" if (start, end) == (annotation["made_start"], annotation["made_end"]) \
                else "moved"
        verified = None
        if annotation["kind"] == "quote":
            made = revision_text_of(db, annotation)
            selector = Selector(exact, annotation["prefix"], annotation["suffix"],
                                annotation["made_start"], annotation["made_end"])
            verified = int(quote_holds(exact, selector, Anchor(kind, start, end), words,
                                       Quotations(made), Quotations(text)))
        before = _anchor_row(db, annotation)
        after = {"annotation_id": annotation["id"], "revision": article["revision"],
                 "kind": kind, "start": start, "end": end, "current": words,
                 "reason": REATTACHED, "verified": verified, "reviewed_at": now()}
        _write(db, annotation, "reattach", before, after)
    return get_annotation(db, annotation["id"])


def orphans(db: sqlite_utils.Database, article_id: str) -> list[dict]:
    """The article's live annotations that lost their place in the newest text, in the order
    of the text they were made on."""
    from store.annotations import list_annotations
    from store.articles import get_article

    full_id = get_article(db, article_id)["id"]
    rows = list_annotations(db, article_id=full_id, order_by="position")
    return sorted((row for row in rows if row["anchor"] == "orphan"),
                  key=lambda row: (row["revision"], row["made_start"], row["id"]))


def restore_anchor(db: sqlite_utils.Database, snapshot: dict) -> None:
    """Put an anchor back as a history snapshot holds it (for ``undo``, inside its transaction)."""
    if snapshot.get("absent"):
        db.execute("DELETE FROM anchors WHERE annotation_id = ? AND revision = ?",
                   [snapshot["annotation_id"], snapshot["revision"]])
        return
    db.execute(_INSERT, [snapshot[column] for column in ANCHOR_COLUMNS])


def revision_text_of(db: sqlite_utils.Database, annotation: dict) -> str:
    """The text of the revision an annotation was made on."""
    return db.execute("SELECT text FROM revisions WHERE article_id = ? AND number = ?",
                      [annotation["article_id"], annotation["revision"]]).fetchone()[0]


def _anchor_row(db: sqlite_utils.Database, annotation: dict) -> dict:
    """The annotation's anchor on the newest revision as a snapshot (``absent`` if none)."""
    newest = db.execute("SELECT revision FROM articles WHERE id = ?",
                        [annotation["article_id"]]).fetchone()[0]
    cursor = db.execute(f"SELECT {', '.join(f'[{c}]' for c in ANCHOR_COLUMNS)} FROM anchors "
                        "WHERE annotation_id = ? AND revision = ?", [annotation["id"], newest])
    row = cursor.fetchone()
    if row is None:
        return {"annotation_id": annotation["id"], "revision": newest, "absent": True}
    return dict(zip(ANCHOR_COLUMNS, row))


def _write(db: sqlite_utils.Database, annotation: dict, action: str, before: dict,
           after: dict) -> None:
    db.execute(_INSERT, [after[column] for column in ANCHOR_COLUMNS])
    # The analyst's decision about the place is a change of the annotation: it travels to
    # the team with it.
    db.execute("UPDATE annotations SET updated_at = ? WHERE id = ?", [now(), annotation["id"]])
    db["history"].insert({"annotation_id": annotation["id"], "article_id": annotation["article_id"],
                          "action": action, "before": json.dumps(before, ensure_ascii=False),
                          "after": json.dumps(after, ensure_ascii=False), "at": now(),
                          "undone": 0})
