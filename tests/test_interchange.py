"""Importing annotations back: round trips, merges, and files that must be refused."""

from __future__ import annotations

import io
import json
from pathlib import Path
from types import SimpleNamespace

import pytest

from store.annotations import (
    add_annotation_by_text,
    delete_annotation,
    edit_annotation,
    get_annotation,
    history,
    list_annotations,
    undo,
)
from store.articles import add_article
from store.db import open_db
from store.errors import InputError
from store.export import export
from store.interchange import import_annotations

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK_TEXT = (CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt").read_text(encoding="utf-8") \
    .split("\n", 1)[1]  # the scraper's "date …" line is not article text
KURSK_URL = "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/"
QUOTE = "There are all the signs that by the end of the year, Russia will fully meet its recruitment plan."
MEMO_TEXT = "Field memo\n\nThe bridge at Sector 4 was hit twice, officials said.\n"


def kursk_draft() -> SimpleNamespace:
    return SimpleNamespace(text=KURSK_TEXT,
                           title="North Korean troops concentrated in Kursk Oblast to support "
                                 "border security, Kyiv says",
                           authors=["Olga Katsimon"], outlet="Ukrainska Pravda", url=KURSK_URL,
                           published="2025-09-07T17:21:00+03:00", section=None, language="en",
                           source="ukrainska-pravda-2025-09-07-kursk.txt", format="txt")


def memo_draft() -> SimpleNamespace:
    return SimpleNamespace(text=MEMO_TEXT, title="Field memo", authors=[], outlet=None, url=None,
                           published=None, section=None, language="en", source="memo.txt",
                           format="txt")


def fresh_db(path: Path):
    """A database holding the same two articles as every other one made here."""
    db = open_db(path)
    add_article(db, kursk_draft())
    add_article(db, memo_draft())
    return db


@pytest.fixture
def source_db(tmp_path):
    """Every kind of annotation, one of them deleted."""
    db = fresh_db(tmp_path / "source.db")
    kursk = db.execute("SELECT id FROM articles WHERE url = ?", [KURSK_URL]).fetchone()[0]
    memo = db.execute("SELECT id FROM articles WHERE url IS NULL").fetchone()[0]
    add_annotation_by_text(db, kursk, kind="quote", text=QUOTE, source="Vadym Skibitskyi",
                           role="Deputy Head of Defence Intelligence of Ukraine",
                           via="interview with Ukrinform", confidence=68, grade="B2",
                           note="Matches the DIU's earlier figures.\nSee also March.",
                           tags=["recruitment", "russia"])
    add_annotation_by_text(db, kursk, kind="claim",
                           text="North Korean troops remain on Russian territory")
    add_annotation_by_text(db, kursk, kind="claim", text="around 280,000 contract military",
                           confidence=50, tags=["numbers"])
    add_annotation_by_text(db, kursk, kind="quote", text="We have data on the recruitment",
                           source="vadym skibitskyi", grade="C3")
    add_annotation_by_text(db, memo, kind="claim", text="was hit twice", source="Officials",
                           note="=1+1 “curly” — ünïcödé")
    gone = add_annotation_by_text(db, kursk, kind="claim", text="Their main tasks")
    delete_annotation(db, gone["id"])
    yield db
    db.conn.close()


@pytest.fixture
def target_db(tmp_path):
    db = fresh_db(tmp_path / "target.db")
    yield db
    db.conn.close()


def exported(db, fmt: str, **options) -> str:
    out = io.StringIO()
    export(db, fmt, out=out, **options)
    return out.getvalue()


def state(db) -> tuple:
    """Everything an import could change."""
    return (db.execute("SELECT * FROM annotations ORDER BY id").fetchall(),
            db.execute("SELECT * FROM history ORDER BY id").fetchall(),
            db.execute("SELECT * FROM sources ORDER BY id").fetchall())


# --- Round trips ------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["w3c", "jsonl"])
def test_export_import_into_a_fresh_database_and_export_again_gives_the_same_bytes(
        source_db, target_db, fmt):
    first = exported(source_db, fmt)
    report = import_annotations(target_db, first)
    assert (report.added, report.rejected) == (5, [])
    assert exported(target_db, fmt) == first


@pytest.mark.parametrize("fmt", ["w3c", "jsonl"])
def test_a_full_backup_round_trips_deleted_annotations_as_deleted(source_db, target_db, fmt):
    first = exported(source_db, fmt, include_deleted=True)
    assert import_annotations(target_db, first).added == 6
    assert exported(target_db, fmt, include_deleted=True) == first
    assert len(list_annotations(target_db)) == 5


def test_a_round_trip_keeps_every_stored_field(source_db, target_db):
    import_annotations(target_db, exported(source_db, "w3c"))
    columns = ("id", "article_id", "kind", "start", "end", "exact", "prefix", "suffix", "source",
               "role", "via", "confidence", "grade", "note", "tags", "created_at", "updated_at",
               "deleted_at")

    def rows(db):
        return [{c: a[c] for c in columns} for a in list_annotations(db, order_by="position")]

    assert rows(target_db) == rows(source_db)


def test_imports_are_recorded_in_the_history_so_undo_reverses_them(source_db, target_db):
    import_annotations(target_db, exported(source_db, "jsonl"))
    quote = next(a for a in list_annotations(target_db) if a["exact"] == QUOTE)
    assert [entry["action"] for entry in history(target_db, quote["id"])] == ["create"]
    undone = undo(target_db)
    assert undone["action"] == "create" and undone["annotation"]["deleted_at"] is not None


def test_import_reads_a_path_an_open_file_or_the_text(source_db, target_db, tmp_path):
    path = tmp_path / "export.jsonl"
    path.write_text(exported(source_db, "jsonl"), encoding="utf-8")
    assert import_annotations(target_db, path).added == 5
    assert import_annotations(target_db, str(path)).unchanged == 5
    with path.open(encoding="utf-8") as handle:
        assert import_annotations(target_db, handle).unchanged == 5


# --- Merging --------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["w3c", "jsonl"])
def test_importing_the_same_file_twice_changes_nothing(source_db, target_db, fmt):
    text = exported(source_db, fmt)
    import_annotations(target_db, text)
    before = state(target_db)
    report = import_annotations(target_db, text)
    assert (report.added, report.updated, report.unchanged, report.rejected) == (0, 0, 5, [])
    assert state(target_db) == before


def test_importing_into_the_database_it_came_from_changes_nothing(source_db):
    before = state(source_db)
    report = import_annotations(source_db, exported(source_db, "w3c"))
    assert report.unchanged == 5
    assert state(source_db) == before


def test_an_edited_annotation_in_the_file_updates_the_stored_one(source_db, target_db):
    import_annotations(target_db, exported(source_db, "jsonl"))
    quote = next(a for a in list_annotations(source_db) if a["exact"] == QUOTE)
    edit_annotation(source_db, quote["id"], confidence=90, tags=["recruitment"])
    report = import_annotations(target_db, exported(source_db, "jsonl"))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 4)
    updated = get_annotation(target_db, quote["id"])
    assert (updated["confidence"], updated["tags"]) == (90, ["recruitment"])
    assert [e["action"] for e in history(target_db, quote["id"])] == ["create", "edit"]
    assert exported(target_db, "jsonl") == exported(source_db, "jsonl")


def test_a_copy_changed_here_after_the_export_is_kept(source_db, target_db):
    old_export = exported(source_db, "jsonl")
    import_annotations(target_db, old_export)
    quote = next(a for a in list_annotations(target_db) if a["exact"] == QUOTE)
    edit_annotation(target_db, quote["id"], note="My later reading.")
    report = import_annotations(target_db, old_export)
    assert report.updated == 0 and len(report.kept) == 1
    assert quote["id"][:8] in report.kept[0]
    assert get_annotation(target_db, quote["id"])["note"] == "My later reading."


def test_an_annotation_deleted_here_stays_deleted_when_an_older_export_is_imported(
        source_db, target_db):
    old_export = exported(source_db, "w3c")
    import_annotations(target_db, old_export)
    quote = next(a for a in list_annotations(target_db) if a["exact"] == QUOTE)
    delete_annotation(target_db, quote["id"])
    import_annotations(target_db, old_export)
    assert get_annotation(target_db, quote["id"])["deleted_at"] is not None


def test_sources_are_matched_by_name_whatever_the_case(source_db, target_db):
    from store.sources import ensure_source, list_sources

    ensure_source(target_db, "VADYM SKIBITSKYI")
    import_annotations(target_db, exported(source_db, "jsonl"))
    names = [s["name"] for s in list_sources(target_db)]
    assert sorted(names, key=str.lower) == ["Officials", "VADYM SKIBITSKYI"]
    quote = next(a for a in list_annotations(target_db) if a["exact"] == QUOTE)
    assert quote["source"] == "VADYM SKIBITSKYI"
    assert quote["role"] == "Deputy Head of Defence Intelligence of Ukraine"


# --- Rejected annotations ---------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["w3c", "jsonl"])
def test_a_tampered_exact_is_rejected_and_reported_while_the_others_import(
        source_db, target_db, fmt):
    text = exported(source_db, fmt).replace("North Korean troops remain on Russian territory",
                                            "South Korean troops remain on Russian territory")
    report = import_annotations(target_db, text)
    assert report.added == 4
    assert len(report.rejected) == 1
    assert "South Korean troops" in report.rejected[0]
    assert "North Korean troops" in report.rejected[0]
    assert all("Korean troops remain" not in a["exact"] for a in list_annotations(target_db))


def test_an_annotation_of_an_article_not_in_the_database_is_rejected_with_a_reason(
        source_db, tmp_path):
    lonely = open_db(tmp_path / "lonely.db")
    add_article(lonely, kursk_draft())  # the memo is missing here
    report = import_annotations(lonely, exported(source_db, "jsonl"))
    assert report.added == 4
    assert len(report.rejected) == 1
    assert "not in this database" in report.rejected[0]
    assert report.rejected[0].startswith("line ")
    lonely.conn.close()


def test_values_that_break_the_stores_rules_are_rejected_one_by_one(source_db, target_db):
    lines = exported(source_db, "jsonl").splitlines()
    first = json.loads(lines[0])
    lines[0] = json.dumps({**first, "confidence": 170})
    second = json.loads(lines[1])
    lines[1] = json.dumps({**second, "grade": "Z9"})
    report = import_annotations(target_db, "\n".join(lines))
    assert report.added == 3
    assert [reason.split(":")[0] for reason in report.rejected] == ["line 1", "line 2"]
    assert "confidence 170" in report.rejected[0] and "Z9" in report.rejected[1]


# --- Malformed files -----------------------------------------------------------------------------

def test_a_broken_jsonl_line_refuses_the_whole_file_and_names_the_line(source_db, target_db):
    lines = exported(source_db, "jsonl").splitlines()
    lines.insert(3, '{"id": "broken", ')
    before = state(target_db)
    with pytest.raises(InputError) as error:
        import_annotations(target_db, "\n".join(lines))
    assert "line 4" in error.value.title
    assert state(target_db) == before


def test_a_file_that_is_not_json_is_refused_with_its_line(target_db, tmp_path):
    path = tmp_path / "notes.json"
    path.write_text('{\n  "type": "AnnotationCollection",\n  oops\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        import_annotations(target_db, path)
    assert "line 3" in error.value.title


@pytest.mark.parametrize("text", ['{"hello": "world"}', '[1, 2]',
                                  '{"type": "Annotation", "target": "x"}',
                                  '{"id": "urn:uuid:8f1c", "type": "Annotation"}'])
def test_json_that_is_not_shaped_like_annotations_is_refused(target_db, text):
    before = state(target_db)
    with pytest.raises(InputError):
        import_annotations(target_db, text)
    assert state(target_db) == before


def test_a_jsonl_line_that_is_not_a_margin_annotation_is_refused(source_db, target_db):
    lines = exported(source_db, "jsonl").splitlines()
    lines.append('{"kind": "claim", "note": "no id, no span"}')
    with pytest.raises(InputError) as error:
        import_annotations(target_db, "\n".join(lines))
    assert "line 6" in error.value.title
    assert list_annotations(target_db) == []


def test_missing_files_empty_files_and_other_encodings_are_refused(target_db, tmp_path):
    with pytest.raises(InputError, match="no such file"):
        import_annotations(target_db, tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    with pytest.raises(InputError, match="empty"):
        import_annotations(target_db, empty)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"note": "caf\u00e9"}'.encode("latin-1"))
    with pytest.raises(InputError, match="byte 13"):
        import_annotations(target_db, latin)


# --- Annotations from other tools ---------------------------------------------------------------

def test_a_w3c_annotation_from_another_tool_imports_by_url_and_quote(target_db):
    hypothesis_like = {
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://hypothes.is/a/Xy12abCD",
        "type": "Annotation",
        "created": "2025-09-08T09:00:00Z",
        "modified": "2025-09-08T09:05:00Z",
        "body": [{"type": "TextualBody", "value": "Worth checking.", "format": "text/markdown"},
                 {"type": "TextualBody", "purpose": "tagging", "value": "dprk"}],
        "target": {"source": KURSK_URL,
                   "selector": [{"type": "TextQuoteSelector", "exact": "rotational basis",
                                 "prefix": "conducted on a ", "suffix": "."}]},
    }
    text = json.dumps(hypothesis_like)
    report = import_annotations(target_db, text)
    assert (report.format, report.added, report.rejected) == ("w3c", 1, [])
    [annotation] = list_annotations(target_db)
    assert KURSK_TEXT[annotation["start"]:annotation["end"]] == "rotational basis"
    assert (annotation["kind"], annotation["note"], annotation["tags"]) == \
        ("claim", "Worth checking.", ["dprk"])
    assert import_annotations(target_db, text).unchanged == 1


def test_an_article_known_here_by_another_id_is_found_by_the_hash_of_its_text(
        source_db, target_db):
    lines = [json.loads(line) for line in exported(source_db, "jsonl").splitlines()]
    renamed = "\n".join(json.dumps({**record, "article_id": "0000" + record["article_id"]})
                        for record in lines)
    report = import_annotations(target_db, renamed)
    assert (report.added, report.rejected) == (5, [])
    assert exported(target_db, "jsonl") == exported(source_db, "jsonl")


def test_a_margin_annotation_of_an_unknown_kind_is_rejected_not_guessed(source_db, target_db):
    text = exported(source_db, "w3c").replace('"value": "claim"', '"value": "opinion"')
    report = import_annotations(target_db, text)
    assert report.added == 2
    assert len(report.rejected) == 3
    assert all("unknown kind 'opinion'" in reason for reason in report.rejected)


# --- Body formats -------------------------------------------------------------------------------

def w3c_items(text: str) -> tuple[dict, list[dict]]:
    """A margin w3c export and its annotations, to change in place and dump again."""
    document = json.loads(text)
    return document, document["first"]["items"]


def body_of(annotation: dict, purpose: str) -> dict:
    return next(body for body in annotation["body"] if body["purpose"] == purpose)


def quote_annotation(items: list[dict]) -> dict:
    return next(item for item in items
                if item["target"]["selector"][0].get("exact") == QUOTE)


def test_a_margin_note_marked_as_html_is_rejected_by_name_while_the_others_import(
        source_db, target_db):
    document, items = w3c_items(exported(source_db, "w3c"))
    tampered = quote_annotation(items)
    body_of(tampered, "commenting")["format"] = "text/html"
    report = import_annotations(target_db, json.dumps(document))
    assert report.added == 4
    [reason] = report.rejected
    label = tampered["id"].removeprefix("urn:uuid:")[:8]
    assert reason.startswith(f"annotation {items.index(tampered) + 1}: annotation {label}: ")
    assert "note" in reason and "text/html" in reason and "text/plain" in reason
    assert "\n" not in reason
    assert QUOTE not in [a["exact"] for a in list_annotations(target_db)]


def test_a_margin_body_without_its_format_is_rejected_by_name(source_db, target_db):
    document, items = w3c_items(exported(source_db, "w3c"))
    tampered = quote_annotation(items)
    del body_of(tampered, "classifying")["format"]
    report = import_annotations(target_db, json.dumps(document))
    assert report.added == 4
    [reason] = report.rejected
    assert tampered["id"].removeprefix("urn:uuid:")[:8] in reason
    assert "kind" in reason and "no format" in reason
    assert QUOTE not in [a["exact"] for a in list_annotations(target_db)]


def test_a_tampered_format_leaves_the_stored_annotation_as_it_was(source_db, target_db):
    import_annotations(target_db, exported(source_db, "w3c"))
    quote = next(a for a in list_annotations(source_db) if a["exact"] == QUOTE)
    edit_annotation(source_db, quote["id"], note="Rewritten <b>in bold</b>.")
    document, items = w3c_items(exported(source_db, "w3c"))
    body_of(quote_annotation(items), "commenting")["format"] = "text/html"
    before = state(target_db)
    report = import_annotations(target_db, json.dumps(document))
    assert (report.updated, report.unchanged, len(report.rejected)) == (0, 4, 1)
    assert state(target_db) == before
    assert get_annotation(target_db, quote["id"])["note"] == \
        "Matches the DIU's earlier figures.\nSee also March."


def test_another_tools_note_in_html_is_rejected_but_markdown_and_no_format_import(target_db):
    def comment(number: int, fmt: str | None) -> dict:
        body = {"type": "TextualBody", "value": f"Comment {number}."}
        if fmt:
            body["format"] = fmt
        return {"id": f"https://example.org/anno/{number}", "type": "Annotation", "body": [body],
                "target": {"source": KURSK_URL,
                           "selector": {"type": "TextQuoteSelector", "exact": "rotational basis"}}}

    linked = comment(5, None)
    linked["body"].append({"id": "https://example.org/page", "type": "SpecificResource",
                           "purpose": "linking", "format": "text/html"})
    page = {"type": "AnnotationPage",
            "items": [comment(1, "text/plain"), comment(2, "text/html"),
                      comment(3, "text/markdown"), comment(4, None), linked]}
    report = import_annotations(target_db, json.dumps(page))
    assert report.added == 4
    [reason] = report.rejected
    assert reason.startswith("annotation 2: ") and "note" in reason and "text/html" in reason
    assert sorted(a["note"] for a in list_annotations(target_db)) == \
        ["Comment 1.", "Comment 3.", "Comment 4.", "Comment 5."]


# --- Quotes without offsets ---------------------------------------------------------------------

TWICE = "North Korean troops remain"  # "… on Russian territory" first, "… in Russia" later
FIRST_AT = KURSK_TEXT.index(TWICE)
SECOND_AT = KURSK_TEXT.index(TWICE, FIRST_AT + 1)


def quoted(exact: str, prefix: str | None = None, suffix: str | None = None) -> str:
    """A W3C annotation of the Kursk article that places its quote by text alone."""
    selector = {"type": "TextQuoteSelector", "exact": exact}
    if prefix is not None:
        selector["prefix"] = prefix
    if suffix is not None:
        selector["suffix"] = suffix
    return json.dumps({"id": "urn:uuid:5b0f4a4e-39b4-4e55-9a43-2a4c3e3a1f01",
                       "type": "Annotation",
                       "target": {"source": KURSK_URL, "selector": [selector]}})


@pytest.mark.parametrize(("prefix", "suffix", "start"), [
    ("Herald\n\n", " on Russian territory", FIRST_AT),
    ("said that ", " in Russia despite", SECOND_AT),
    ("", " in Russia", SECOND_AT),
    ("said that ", "", SECOND_AT),
], ids=["first by both", "second by both", "second by suffix", "second by prefix"])
def test_a_quote_found_twice_lands_where_its_prefix_and_suffix_fit(
        target_db, prefix, suffix, start):
    assert SECOND_AT > FIRST_AT and KURSK_TEXT.count(TWICE) == 2
    report = import_annotations(target_db, quoted(TWICE, prefix, suffix))
    assert (report.added, report.rejected) == (1, [])
    [annotation] = list_annotations(target_db)
    assert (annotation["start"], annotation["end"]) == (start, start + len(TWICE))


@pytest.mark.parametrize(("prefix", "suffix"), [
    (None, None), ("", " "), ("Pyongyang ", " on Russian territory"),
], ids=["no context", "context both fit", "context neither fits"])
def test_a_quote_found_twice_that_its_context_cannot_place_is_refused(
        target_db, prefix, suffix):
    before = state(target_db)
    report = import_annotations(target_db, quoted(TWICE, prefix, suffix))
    assert report.added == 0
    [reason] = report.rejected
    assert reason.startswith("annotation 1: annotation 5b0f4a4e: ")
    assert "2 times" in reason and TWICE in reason
    assert state(target_db) == before


def test_a_quote_not_in_the_article_is_refused_as_missing(target_db):
    report = import_annotations(target_db, quoted("South Korean troops remain"))
    [reason] = report.rejected
    assert "'South Korean troops remain' is not in the article" in reason
    assert list_annotations(target_db) == []
