"""Properties of the store that must hold for any text and any sequence of edits."""

from __future__ import annotations

import tempfile
import unicodedata
from pathlib import Path
from types import SimpleNamespace

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from store.annotations import (
    add_annotation,
    add_annotation_by_text,
    appearances,
    delete_annotation,
    edit_annotation,
    get_annotation,
    list_annotations,
    restore_annotation,
    undo,
)
from store.articles import add_article
from store.db import open_db
from store.errors import ValidationError

CONTEXT = 32

# Text as the importer leaves it: no control characters but newline and tab, and in NFC
# (``store.text.normalise``), as typed words are compared with it. Astral characters
# (emoji, flags, mathematical letters) are drawn often, since they are where code points and
# UTF-16 units part ways.
ASTRAL = ["😀", "🇺", "🇦", "𝔇", "𝕏", "🙂", "👩", "\u200d", "💻"]
CHARACTERS = st.one_of(
    st.characters(exclude_categories=("Cs", "Cc")),
    st.sampled_from(["\n", "\t", " ", "a", "é"] + ASTRAL),
)
TEXTS = (st.text(CHARACTERS, min_size=1, max_size=300)
         .map(lambda text: unicodedata.normalize("NFC", text)).filter(lambda text: text.strip()))


def draft(text: str) -> SimpleNamespace:
    return SimpleNamespace(text=text, title="Property", authors=[], outlet=None, url=None,
                           published=None, section=None, language=None, source=None, format="txt")


def fresh_db():
    """A new database in its own temporary directory; the caller closes both."""
    folder = tempfile.TemporaryDirectory()
    return folder, open_db(Path(folder.name) / "margin.db")


@st.composite
def text_and_span(draw):
    text = draw(TEXTS)
    start = draw(st.integers(0, len(text) - 1))
    end = draw(st.integers(start + 1, len(text)))
    return text, start, end


@settings(max_examples=60, deadline=None)
@given(text_and_span())
def test_a_stored_span_reads_back_as_the_same_characters_with_their_context(case):
    text, start, end = case
    folder, db = fresh_db()
    try:
        article, _ = add_article(db, draft(text))
        made = add_annotation(db, article["id"], kind="quote", start=start, end=end)
        for stored in (made, get_annotation(db, made["id"])):
            assert (stored["start"], stored["end"]) == (start, end)
            assert stored["exact"] == text[start:end]
            assert stored["prefix"] == text[max(0, start - CONTEXT):start]
            assert stored["suffix"] == text[end:end + CONTEXT]
        assert db.execute("SELECT length(exact) FROM annotations").fetchone()[0] == end - start
    finally:
        db.close()
        folder.cleanup()


@settings(max_examples=40, deadline=None)
@given(text_and_span())
def test_annotating_by_text_and_occurrence_finds_the_same_span(case):
    text, start, end = case
    exact = text[start:end]
    # Typed words never begin or end with a space (they are trimmed, as a person means them).
    assume(exact.strip() == exact)
    # Which appearance it is, counted as margin lists them (overlapping ones too: "aa" twice
    # in "aaa"; a curly quote where a straight one is typed, a line break for a space).
    spans = appearances(text, exact)
    assert (start, end) in spans
    occurrence = spans.index((start, end)) + 1
    folder, db = fresh_db()
    try:
        article, _ = add_article(db, draft(text))
        made = add_annotation_by_text(db, article["id"], kind="claim", text=exact,
                                      occurrence=occurrence)
        assert (made["start"], made["end"], made["exact"]) == (start, end, exact)
    finally:
        db.close()
        folder.cleanup()


# --- any sequence of changes against a model ----------------------------------------------

ARTICLE_TEXTS = (
    "North Korean troops remain on Russian territory.\nSource: Vadym Skibitskyi, DIU.",
    "Kyiv 🇺🇦 said: “we hold 😀 the line” — and 𝔇𝔦𝔘 agreed.\n\tIndented 🙂 line.",
)
SOURCES = st.sampled_from([None, "Vadym Skibitskyi", "vadym skibitskyi", "DIU", "Kyiv"])
NOTES = st.sampled_from([None, "", "first look", "checked twice", "прапор 🇺🇦"])
CONFIDENCES = st.one_of(st.none(), st.integers(0, 100))
KIND = st.sampled_from(["claim", "quote"])


def source_key(name: str | None) -> str | None:
    """Sources are one per name whatever the case or spacing."""
    return " ".join(name.split()).lower() if name and name.strip() else None


class AnnotationModel(RuleBasedStateMachine):
    """The store against a dictionary: same steps, same undo rules, same result."""

    @initialize()
    def open_store(self):
        self.folder, self.db = fresh_db()
        self.articles = [add_article(self.db, draft(text))[0] for text in ARTICLE_TEXTS]
        self.texts = {article["id"]: article["text"] for article in self.articles}
        self.state: dict[str, dict] = {}       # annotation id -> its fields in the model
        self.order: list[str] = []             # ids in the order they were made
        self.log: list[dict] = []              # the model's history, oldest first

    def teardown(self):
        if hasattr(self, "db"):
            self.db.close()
            self.folder.cleanup()

    def _record(self, annotation_id: str, action: str, before: dict) -> None:
        self.log.append({"id": annotation_id, "article": self.state[annotation_id]["article"],
                         "action": action, "before": dict(before), "undone": False})

    def _ids(self, deleted: bool | None = None) -> list[str]:
        return [i for i in self.order if deleted is None or self.state[i]["deleted"] == deleted]

    def _pick(self, data, deleted: bool | None = None) -> str:
        return data.draw(st.sampled_from(self._ids(deleted)), label="annotation")

    @rule(data=st.data(), kind=KIND, source=SOURCES, confidence=CONFIDENCES, note=NOTES)
    def add(self, data, kind, source, confidence, note):
        article = data.draw(st.sampled_from(self.articles))
        length = len(article["text"])
        start = data.draw(st.integers(0, length - 1))
        end = data.draw(st.integers(start + 1, length))
        made = add_annotation(self.db, article["id"], kind=kind, start=start, end=end,
                              source=source, confidence=confidence, note=note)
        self.state[made["id"]] = {"article": article["id"], "kind": kind, "start": start,
                                  "end": end, "confidence": confidence,
                                  "note": note or None, "source": source_key(source),
                                  "deleted": False}
        self.order.append(made["id"])
        self.log.append({"id": made["id"], "article": article["id"], "action": "create",
                         "before": None, "undone": False})

    @precondition(lambda self: self.order)
    @rule(data=st.data())
    def edit(self, data):
        annotation_id = self._pick(data)
        current = self.state[annotation_id]
        length = len(self.texts[current["article"]])
        changes = {}
        if data.draw(st.booleans(), label="edit kind"):
            changes["kind"] = data.draw(KIND)
        if data.draw(st.booleans(), label="edit span"):
            changes["start"] = data.draw(st.integers(0, length - 1))
            changes["end"] = data.draw(st.integers(changes["start"] + 1, length))
        if data.draw(st.booleans(), label="edit confidence"):
            changes["confidence"] = data.draw(CONFIDENCES)
        if data.draw(st.booleans(), label="edit note"):
            changes["note"] = data.draw(NOTES)
        if data.draw(st.booleans(), label="edit source"):
            changes["source"] = data.draw(SOURCES)
        edit_annotation(self.db, annotation_id, **changes)
        after = dict(current)
        after.update({k: v for k, v in changes.items() if k not in ("note", "source")})
        if "note" in changes:
            after["note"] = changes["note"] or None
        if "source" in changes:
            after["source"] = source_key(changes["source"])
        if after != current:
            self._record(annotation_id, "edit", current)
            self.state[annotation_id] = after

    @precondition(lambda self: self.order)
    @rule(data=st.data(), field=st.sampled_from(["confidence", "grade", "kind", "span"]))
    def edit_badly(self, data, field):
        annotation_id = self._pick(data)
        length = len(self.texts[self.state[annotation_id]["article"]])
        bad = {"confidence": {"confidence": 101}, "grade": {"grade": "G7"},
               "kind": {"kind": "opinion"}, "span": {"start": 0, "end": length + 1}}[field]
        try:
            edit_annotation(self.db, annotation_id, **bad)
        except ValidationError:
            return
        raise AssertionError(f"the edit {bad} was accepted")

    @precondition(lambda self: self._ids(deleted=False))
    @rule(data=st.data())
    def delete(self, data):
        annotation_id = self._pick(data, deleted=False)
        delete_annotation(self.db, annotation_id)
        self._record(annotation_id, "delete", self.state[annotation_id])
        self.state[annotation_id] = {**self.state[annotation_id], "deleted": True}

    @precondition(lambda self: self._ids(deleted=True))
    @rule(data=st.data())
    def delete_twice(self, data):
        annotation_id = self._pick(data, deleted=True)
        try:
            delete_annotation(self.db, annotation_id)
        except ValidationError:
            return
        raise AssertionError("a deleted annotation was deleted again")

    @precondition(lambda self: self._ids(deleted=True))
    @rule(data=st.data())
    def restore(self, data):
        annotation_id = self._pick(data, deleted=True)
        restore_annotation(self.db, annotation_id)
        self._record(annotation_id, "restore", self.state[annotation_id])
        self.state[annotation_id] = {**self.state[annotation_id], "deleted": False}

    @rule(data=st.data())
    def undo_latest(self, data):
        scope = data.draw(st.sampled_from([None] + [a["id"] for a in self.articles]),
                          label="undo in article")
        pending = [entry for entry in self.log if not entry["undone"]
                   and (scope is None or entry["article"] == scope)]
        step = undo(self.db, article_id=scope)
        if not pending:
            assert step is None
            return
        entry = pending[-1]
        entry["undone"] = True
        if entry["action"] == "create":
            self.state[entry["id"]] = {**self.state[entry["id"]], "deleted": True}
        else:
            self.state[entry["id"]] = dict(entry["before"])
        assert step["action"] == entry["action"]
        assert step["annotation"]["id"] == entry["id"]

    @invariant()
    def store_matches_model(self):
        if not hasattr(self, "db"):
            return
        stored = {}
        for row in list_annotations(self.db, deleted=None):
            text = self.texts[row["article_id"]]
            assert row["exact"] == text[row["start"]:row["end"]]
            assert row["prefix"] == text[max(0, row["start"] - CONTEXT):row["start"]]
            assert row["suffix"] == text[row["end"]:row["end"] + CONTEXT]
            stored[row["id"]] = {"article": row["article_id"], "kind": row["kind"],
                                 "start": row["start"], "end": row["end"],
                                 "confidence": row["confidence"], "note": row["note"],
                                 "source": source_key(row["source"]),
                                 "deleted": row["deleted_at"] is not None}
        assert stored == self.state
        live = {row["id"] for row in list_annotations(self.db)}
        assert live == {i for i, fields in self.state.items() if not fields["deleted"]}


AnnotationModel.TestCase.settings = settings(
    max_examples=50, stateful_step_count=25, deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
test_any_sequence_of_changes_matches_a_simple_model = AnnotationModel.TestCase
