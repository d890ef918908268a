"""Exports of a library whose article was revised: each annotation on the revision it was made
on, with its place in the newest text, its anchor and whether its quote still holds."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from revised_library import FIRST, SECOND, URL, build_revised
from store.db import open_db
from store.export import export

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "w3c" / "validate.py"


@pytest.fixture
def library(tmp_path):
    db = open_db(tmp_path / "margin.db")
    ids = build_revised(db)
    yield db, ids
    db.conn.close()


def exported(db, fmt: str, **options) -> str:
    out = io.StringIO(newline="")
    export(db, fmt, out=out, **options)
    return out.getvalue()


def w3c_item(text: str, annotation_id: str) -> dict:
    return next(item for item in json.loads(text)["first"]["items"]
                if item["id"] == f"urn:uuid:{annotation_id}")


def retrieved(db, number: int) -> str:
    return db.execute("SELECT retrieved_at FROM revisions WHERE number = ?",
                      [number]).fetchone()[0]


# --- W3C ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("deleted", [False, True])
def test_w3c_export_of_a_revised_article_passes_the_w3c_conformance_checker(
        library, tmp_path, deleted):
    db, _ = library
    path = tmp_path / "export.json"
    path.write_text(exported(db, "w3c", include_deleted=deleted), encoding="utf-8")
    result = subprocess.run([sys.executable, str(VALIDATOR), str(path)], capture_output=True,
                            text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{7 if deleted else 6} passed, 0 failed" in result.stdout


def test_w3c_target_is_the_revision_it_was_made_on_then_its_place_in_the_newest(library):
    db, ids = library
    item = w3c_item(exported(db, "w3c"), ids["changed claim"])
    made_on, newest = item["target"]
    assert made_on["source"] == newest["source"] == URL
    assert made_on["state"] == {"type": "TimeState", "sourceDate": retrieved(db, 1)}
    assert newest["state"] == {"type": "TimeState", "sourceDate": retrieved(db, 2)}
    assert retrieved(db, 1) != retrieved(db, 2)
    quote, position = made_on["selector"]
    assert quote["exact"] == "6,000 homes were at risk"
    assert FIRST[position["start"]:position["end"]] == "6,000 homes were at risk"
    assert FIRST[:position["start"]].endswith(quote["prefix"])
    quote, position = newest["selector"]
    assert quote["exact"] == SECOND[position["start"]:position["end"]] == "7,000 homes were at risk"
    assert SECOND[:position["start"]].endswith(quote["prefix"]) and quote["prefix"]
    assert SECOND[position["end"]:].startswith(quote["suffix"]) and quote["suffix"]
    assert (made_on["margin:revision"], newest["margin:revision"]) == (1, 2)
    assert newest["margin:anchor"] == "changed" and item["margin:anchor"] == "changed"


def test_w3c_orphan_targets_only_the_revision_it_was_made_on(library):
    db, ids = library
    item = w3c_item(exported(db, "w3c"), ids["orphan"])
    target = item["target"]
    assert isinstance(target, dict)
    assert target["state"]["sourceDate"] == retrieved(db, 1)
    assert target["selector"][0]["exact"] == "the old barrier had cracked"
    assert item["margin:anchor"] == "orphan" and item["margin:revision"] == 1


def test_w3c_annotation_made_on_the_newest_revision_has_one_target_on_it(library):
    db, ids = library
    item = w3c_item(exported(db, "w3c"), ids["newest"])
    assert item["target"]["state"]["sourceDate"] == retrieved(db, 2)
    assert item["target"]["margin:revision"] == 2 and item["margin:anchor"] == "exact"


def test_w3c_flags_a_quote_that_lost_its_quotation_marks(library):
    db, ids = library
    text = exported(db, "w3c")
    assert w3c_item(text, ids["unquoted quote"])["margin:verified"] is False
    assert w3c_item(text, ids["moved quote"])["margin:verified"] is True
    assert "margin:verified" not in w3c_item(text, ids["moved claim"])


def test_w3c_of_an_article_without_address_names_each_revision_by_its_hash(library, tmp_path):
    db, ids = library
    db.execute("UPDATE articles SET url = NULL")
    made_on, newest = w3c_item(exported(db, "w3c"), ids["moved quote"])["target"]
    hashes = dict(db.execute("SELECT number, text_sha256 FROM revisions").fetchall())
    assert made_on["source"] == f"urn:sha256:{hashes[1]}"
    assert newest["source"] == f"urn:sha256:{hashes[2]}"


# --- CSV, the report, the listing -----------------------------------------------------------------

def test_csv_rows_carry_the_anchor_the_words_now_there_and_whether_a_quote_holds(library):
    db, ids = library
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(exported(db, "csv")))}
    cells = {name: (rows[ids[name]]["anchor"], rows[ids[name]]["current"],
                    rows[ids[name]]["verified"])
             for name in ("changed claim", "orphan", "moved quote", "unquoted quote", "newest")}
    assert cells == {
        "changed claim": ("changed", "7,000 homes were at risk", ""),
        "orphan": ("orphan", "", ""),
        "moved quote": ("moved", "We will build the wall before winter", "yes"),
        "unquoted quote": ("moved", "The money is there", "no"),
        "newest": ("exact", "this article was corrected", ""),
    }


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "w3c", "markdown"])
def test_exports_follow_the_newest_text_with_orphans_last(library, fmt):
    db, ids = library
    text = exported(db, fmt)
    order = ["newest", "changed claim", "moved quote", "unquoted quote", "moved claim", "orphan"]
    if fmt == "markdown":  # quotes first, then claims, each in text order
        order = ["moved quote", "unquoted quote", "newest", "changed claim", "moved claim",
                 "orphan"]
        words = {"moved quote": "> We will build", "unquoted quote": "> The money",
                 "newest": "> this article", "changed claim": "> 6,000",
                 "moved claim": "> publish", "orphan": "> the old barrier"}
        places = [text.index(words[name]) for name in order]
    else:
        places = [text.index(ids[name]) for name in order]
    assert places == sorted(places)


def test_markdown_cites_an_orphan_from_its_own_revision_and_marks_the_others(library):
    db, ids = library
    db.execute("UPDATE revisions SET retrieved_at = '2026-03-04T09:00:00+00:00' WHERE number = 1")
    db.conn.commit()
    report = exported(db, "markdown")
    orphan = report[report.index("> the old barrier had cracked"):]
    assert ("**Orphaned** in revision 2 (the passage was deleted): cited from revision 1, "
            "retrieved 2026-03-04.") in orphan.split("\n\n", 3)[2]
    changed = report[report.index("> 6,000 homes were at risk"):]
    # "6,000" is only in the first revision, so it is cited from there too.
    assert changed.split("\n\n", 3)[2] == (
        "**Changed** in revision 2: it now reads “7,000 homes were at risk”; cited from "
        "revision 1, retrieved 2026-03-04.")
    unquoted = report[report.index("> The money is there"):]
    assert unquoted.split("\n\n", 3)[2].startswith("**Unverified quote**: in revision 2")
    placed = report[report.index("> We will build"):report.index("> The money")]
    assert "**" not in placed


def test_annotations_table_marks_orphans_changed_and_unverified_quotes(tmp_path):
    from test_cli import margin

    path = tmp_path / "margin.db"
    db = open_db(path)
    ids = build_revised(db)
    db.conn.close()
    result = margin("annotations", db=path)
    assert result.returncode == 0, result.stderr
    lines = {line[:8]: line for line in result.stdout.decode().splitlines()}
    assert lines[ids["orphan"][:8]].split()[1:3] == ["claim", "orphan"]
    assert lines[ids["changed claim"][:8]].split()[1:3] == ["claim", "changed"]
    assert lines[ids["unquoted quote"][:8]].split()[1:3] == ["quote", "unverified"]
    assert lines[ids["moved quote"][:8]].split()[1:3] == ["quote", "-"]


# --- JSON Lines and W3C back in -----------------------------------------------------------------

def tables(db) -> tuple:
    """Everything an import could change, revisions and anchors included."""
    return tuple(db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
                 for table in ("annotations", "history", "sources", "revisions", "anchors",
                               "articles"))


def first_only(path):
    """A database holding the article as first published, as a colleague's might."""
    from revised_library import draft
    from store.revisions import import_article

    db = open_db(path)
    import_article(db, draft(FIRST))
    return db


def listing(db) -> list[tuple]:
    from store.annotations import list_annotations

    return [(row["id"], row["revision"], row["anchor"], row["start"], row["end"], row["current"],
             row["verified"], row["made_start"]) for row in
            list_annotations(db, order_by="position", deleted=None)]


def test_jsonl_carries_each_revision_then_annotations_with_their_revision_and_anchors(library):
    db, ids = library
    lines = [json.loads(line) for line in exported(db, "jsonl").splitlines()]
    assert [(line["record"], line["number"], line["text"]) for line in lines[:2]] == [
        ("revision", 1, FIRST), ("revision", 2, SECOND)]
    changed = next(line for line in lines if line.get("id") == ids["changed claim"])
    start = FIRST.index("6,000 homes were at risk")
    assert changed["revision"] == 1 and (changed["start"], changed["end"]) == (start, start + 24)
    assert [(a["revision"], a["kind"], a["current"]) for a in changed["anchors"]] == [
        (2, "changed", "7,000 homes were at risk")]


def test_jsonl_export_import_into_a_database_with_the_first_text_and_export_gives_the_same(
        library, tmp_path):
    from store.revisions import accept_anchor

    db, ids = library
    accept_anchor(db, ids["changed claim"])  # the analyst's review travels too
    for fmt in ("jsonl", "w3c", "csv", "markdown"):
        target = first_only(tmp_path / f"target-{fmt}.db")
        report = import_annotations_text(target, exported(db, "jsonl", include_deleted=True))
        assert (report.added, report.revisions, report.rejected) == (7, 1, [])
        assert exported(target, fmt, include_deleted=True) == exported(db, fmt,
                                                                      include_deleted=True)
        target.conn.close()


def test_importing_a_jsonl_export_into_its_own_database_changes_nothing(library):
    db, _ = library
    before = tables(db)
    report = import_annotations_text(db, exported(db, "jsonl", include_deleted=True))
    assert (report.unchanged, report.revisions, report.rejected) == (7, 0, [])
    assert tables(db) == before


def test_revisions_from_a_file_anchor_the_annotations_already_here(library, tmp_path):
    from store.annotations import add_annotation_by_text, get_annotation

    db, _ = library
    target = first_only(tmp_path / "target.db")
    article_id = target.execute("SELECT id FROM articles").fetchone()[0]
    mine = add_annotation_by_text(target, article_id, kind="claim", text="river authority")["id"]
    gone = add_annotation_by_text(target, article_id, kind="claim", text="in two places")["id"]
    import_annotations_text(target, exported(db, "jsonl"))
    assert target.execute("SELECT revision, text FROM articles").fetchone() == (2, SECOND)
    placed = get_annotation(target, mine)
    assert (placed["anchor"], placed["start"], placed["current"]) == (
        "moved", SECOND.index("river authority"), "river authority")
    assert get_annotation(target, gone)["reason"] == "the passage was deleted"


def test_w3c_import_places_annotations_on_the_revision_they_were_made_on(library, tmp_path):
    db, _ = library
    target = first_only(tmp_path / "target.db")
    import_annotations_text(target, exported(db, "jsonl"))  # the revisions, by JSONL
    target.execute("DELETE FROM anchors")
    target.execute("DELETE FROM history")
    target.execute("DELETE FROM annotations")
    target.conn.commit()
    report = import_annotations_text(target, exported(db, "w3c"))
    assert (report.added, report.rejected) == (6, [])
    assert listing(target) == [row for row in listing(db) if row[0] != ids_of(db, "deleted")]


def test_w3c_annotation_made_on_a_revision_this_database_lacks_is_rejected_by_name(
        library, tmp_path):
    db, ids = library
    target = first_only(tmp_path / "target.db")
    before = tables(target)
    report = import_annotations_text(target, exported(db, "w3c"))
    assert report.added == 5
    assert len(report.rejected) == 1 and ids["newest"][:8] in report.rejected[0]
    assert "made on revision 2 of the article, whose text this database does not have" \
        in report.rejected[0]
    assert before[3] == tables(target)[3]  # no revision appeared from nowhere


def test_a_revision_whose_text_was_edited_in_the_file_is_refused_and_its_annotations_too(
        library, tmp_path):
    db, ids = library
    target = first_only(tmp_path / "target.db")
    lines = exported(db, "jsonl").splitlines()
    second = json.loads(lines[1])
    second["text"] = second["text"].replace("7,000", "9,000")
    lines[1] = json.dumps(second, ensure_ascii=False)
    report = import_annotations_text(target, "\n".join(lines) + "\n")
    assert report.revisions == 0
    assert report.revisions_refused == [
        "line 2: revision 2 of article '%s': its text does not match its hash" % ids["article"]]
    assert target.execute("SELECT count(*) FROM revisions").fetchone()[0] == 1
    assert any(ids["newest"][:8] in line for line in report.rejected)


def test_import_annotations_on_the_command_line_adds_the_revisions(library, tmp_path):
    from test_cli import margin

    db, _ = library
    export_file = tmp_path / "export.jsonl"
    export_file.write_text(exported(db, "jsonl"), encoding="utf-8")
    target_path = tmp_path / "target.db"
    first_only(target_path).conn.close()
    result = margin("import-annotations", str(export_file), db=target_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode() == \
        "6 added, 0 updated, 0 unchanged, 0 rejected, 1 article revision added\n"
    listed = margin("annotations", "--json", db=target_path)
    rows = {row["id"]: row for row in json.loads(listed.stdout)}
    assert {row["anchor"] for row in rows.values()} == {"exact", "changed", "moved", "orphan"}


def ids_of(db, name: str) -> str:
    return db.execute("SELECT id FROM annotations WHERE exact = 'spring tides'").fetchone()[0]


def import_annotations_text(db, text: str):
    from store.interchange import import_annotations

    return import_annotations(db, text)


def test_an_anchor_accepted_in_the_other_database_is_taken_on_the_next_import(library, tmp_path):
    from store.annotations import get_annotation
    from store.revisions import accept_anchor

    db, ids = library
    target = first_only(tmp_path / "target.db")
    import_annotations_text(target, exported(db, "jsonl"))
    assert get_annotation(target, ids["changed claim"])["reviewed_at"] is None
    accepted = accept_anchor(db, ids["changed claim"])["reviewed_at"]
    report = import_annotations_text(target, exported(db, "jsonl"))
    # Accepting the new words is a change of the annotation (it travels to a team with it).
    assert (report.unchanged, report.updated) == (5, 1)
    assert get_annotation(target, ids["changed claim"])["reviewed_at"] == accepted


def test_review_lists_in_the_order_of_the_newest_text_with_orphans_last(library):
    from store.annotations import list_annotations

    db, ids = library
    names = {value: key for key, value in ids.items()}
    for descending in (False, True):
        order = [names[row["id"]] for row in list_annotations(
            db, order_by="position", descending=descending)]
        placed = ["newest", "changed claim", "moved quote", "unquoted quote", "moved claim"]
        assert order == (placed[::-1] if descending else placed) + ["orphan"]


def test_every_format_flags_the_quote_that_lost_its_quotation_marks(library):
    db, ids = library
    lines = {line.get("id"): line for line in map(json.loads, exported(db, "jsonl").splitlines())}
    assert (lines[ids["unquoted quote"]]["verified"], lines[ids["moved quote"]]["verified"]) \
        == (0, 1)
    assert (lines[ids["orphan"]]["anchor"], lines[ids["orphan"]]["current"]) == ("orphan", None)
    assert w3c_item(exported(db, "w3c"), ids["unquoted quote"])["margin:verified"] is False
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(exported(db, "csv")))}
    assert rows[ids["unquoted quote"]]["verified"] == "no"
    report = exported(db, "markdown")
    assert report.count("**Unverified quote**") == 1


def test_jsonl_of_an_article_never_revised_says_each_annotation_stands_as_made(tmp_path):
    from revised_library import draft
    from store.annotations import add_annotation_by_text
    from store.revisions import import_article

    db = open_db(tmp_path / "margin.db")
    article = import_article(db, draft(FIRST)).article
    quote = add_annotation_by_text(db, article["id"], kind="quote", text="The money is there")
    claim = add_annotation_by_text(db, article["id"], kind="claim", text="6,000 homes")
    lines = [json.loads(line) for line in exported(db, "jsonl").splitlines()]
    assert [(line["id"], line["revision"], line["anchor"], line["current"], line["verified"],
             line["anchors"]) for line in lines] == [
        (claim["id"], 1, "exact", "6,000 homes", None, []),
        (quote["id"], 1, "exact", "The money is there", 1, [])]


def test_a_jsonl_export_from_before_revisions_still_imports_onto_the_revision_made_on(library):
    db, _ = library
    before = tables(db)
    old_lines = []
    for line in map(json.loads, exported(db, "jsonl").splitlines()):
        if line.get("record") == "revision":
            continue  # older exports had neither revision lines nor these keys
        for key in ("revision", "anchors", "anchor", "current", "verified"):
            del line[key]
        old_lines.append(json.dumps(line, ensure_ascii=False))
    report = import_annotations_text(db, "\n".join(old_lines) + "\n")
    assert (report.unchanged, report.rejected) == (6, [])
    assert tables(db) == before


def test_annotations_find_their_revision_by_its_text_where_the_numbers_differ(library, tmp_path):
    from revised_library import draft
    from store.annotations import get_annotation
    from store.revisions import import_article

    db, ids = library
    target = open_db(tmp_path / "target.db")
    import_article(target, draft(SECOND))  # a colleague who only ever saw the edited page
    for fmt in ("jsonl", "w3c"):
        report = import_annotations_text(target, exported(db, fmt))
        newest = get_annotation(target, ids["newest"])
        assert (newest["revision"], newest["anchor"], newest["start"]) == (
            1, "exact", SECOND.index("this article was corrected"))
        assert len(report.rejected) == 5
        assert all("whose text this database does not have" in line for line in report.rejected)
    assert target.execute("SELECT count(*) FROM revisions").fetchone()[0] == 1
