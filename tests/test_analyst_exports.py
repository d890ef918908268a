"""Who made each annotation, as every export shows it and the W3C import reads it back: the
W3C ``creator``, the CSV's analyst column, the Markdown report's "noted by", Review's By column.
Real database files; the W3C files are checked by the conformance checker."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from store.annotations import add_annotation_by_text, list_annotations
from store.articles import add_article
from store.db import open_db
from store.export import export
from store.ingest import read_source
from store.interchange import import_annotations

from test_review import KURSK

VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "w3c" / "validate.py"
KURSK_URL = "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/"
NORTH = "North Korean troops remain in Russia"  # words the article has once
PYONGYANG = "Pyongyang"


def exported(db, fmt: str, **options) -> str:
    out = io.StringIO(newline="")
    export(db, fmt, out=out, **options)
    return out.getvalue()


def w3c_items(text: str) -> dict[str, dict]:
    """The exported annotations by the words they hold."""
    return {item["target"]["selector"][0]["exact"]: item
            for item in json.loads(text)["first"]["items"]}


def forget_maker(path: Path, words: str) -> None:
    """Make the annotation on ``words`` one from before analysts were recorded (who made it
    unknown), as the upgrade to schema 6 leaves them."""
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE annotations SET analyst = NULL WHERE exact = ?", [words])
    conn.close()


@pytest.fixture
def team_db(tmp_path):
    """The Kursk article with a claim by Ana Ruiz and a quote by Ben Okafor, in one file."""
    path = tmp_path / "team.db"
    for analyst, kind, words in (("Ana Ruiz", "claim", NORTH), ("Ben Okafor", "quote", PYONGYANG)):
        db = open_db(path, analyst=analyst)
        article, _ = add_article(db, read_source(str(KURSK)))
        add_annotation_by_text(db, article["id"], kind=kind, text=words, source="Skibitskyi")
        db.conn.close()
    db = open_db(path, analyst="Ana Ruiz")
    yield db
    db.conn.close()


def makers(db) -> dict[str, str | None]:
    """Who made each annotation, by its words, as the database holds it."""
    return {row["exact"]: row["analyst"] for row in list_annotations(db)}


# --- W3C ------------------------------------------------------------------------------------

def test_each_w3c_annotation_names_its_analyst_as_a_person_and_passes_the_checker(
        team_db, tmp_path):
    forget_maker(tmp_path / "team.db", PYONGYANG)
    add_annotation_by_text(team_db, list_annotations(team_db)[0]["article_id"], kind="claim",
                           text="recruitment plan")
    text = exported(team_db, "w3c")
    items = w3c_items(text)
    assert items[NORTH]["creator"] == {"type": "Person", "name": "Ana Ruiz"}
    assert items["recruitment plan"]["creator"] == {"type": "Person", "name": "Ana Ruiz"}
    # Made before margin recorded who made what: no one is named, and no one invented.
    assert "creator" not in items[PYONGYANG]
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    checked = subprocess.run([sys.executable, str(VALIDATOR), str(path)], capture_output=True,
                             text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "3 passed, 0 failed" in checked.stdout


def test_a_w3c_export_imported_into_another_analysts_copy_keeps_who_made_each(team_db, tmp_path):
    text = exported(team_db, "w3c")
    other = open_db(tmp_path / "other.db", analyst="Chen Wei")
    add_article(other, read_source(str(KURSK)))
    report = import_annotations(other, text)
    assert (report.added, report.rejected) == (2, [])
    assert makers(other) == {NORTH: "Ana Ruiz", PYONGYANG: "Ben Okafor"}
    assert exported(other, "w3c") == text
    other.conn.close()


def another_tools_annotation(creator) -> str:
    """A W3C annotation as another tool writes it, with ``creator`` as given."""
    return json.dumps({
        "@context": "http://www.w3.org/ns/anno.jsonld",
        "id": "https://annotations.example/a/1",
        "type": "Annotation",
        "creator": creator,
        "body": {"type": "TextualBody", "value": "Worth checking."},
        "target": {"source": KURSK_URL,
                   "selector": {"type": "TextQuoteSelector", "exact": "rotational basis"}},
    })


@pytest.mark.parametrize("creator, analyst", [
    ({"type": "Person", "name": "  Dana   Lee "}, "Dana Lee"),
    ({"id": "https://people.example/dana", "type": ["Person"], "name": "Dana Lee"}, "Dana Lee"),
    ("Dana Lee", "Dana Lee"),
    (["https://people.example/dana", {"type": "Person", "name": "Dana Lee"}], "Dana Lee"),
    # No name to take: whoever imports the file into this copy brought the annotation in.
    ("https://people.example/dana", "Chen Wei"),
    ("acct:dana@hypothes.is", "Chen Wei"),
    ({"type": "Software", "name": "Auto-tagger"}, "Chen Wei"),
    ({"type": "Person", "nickname": "dana"}, "Chen Wei"),
    ({"type": "Person", "name": ""}, "Chen Wei"),
], ids=["person", "person with an id", "a name", "a list", "an address", "an account IRI",
        "software", "no name", "an empty name"])
def test_a_w3c_creator_from_another_tool_is_the_analyst_when_it_names_a_person(
        tmp_path, creator, analyst):
    db = open_db(tmp_path / "margin.db", analyst="Chen Wei")
    draft = read_source(str(KURSK))
    draft.url = KURSK_URL  # the other tool knows the article by its address
    add_article(db, draft)
    report = import_annotations(db, another_tools_annotation(creator))
    assert (report.added, report.rejected) == (1, [])
    assert makers(db) == {"rotational basis": analyst}
    db.conn.close()


# --- CSV ------------------------------------------------------------------------------------

def csv_rows(db) -> list[dict]:
    import csv

    return list(csv.DictReader(io.StringIO(exported(db, "csv"), newline="")))


def test_each_csv_row_says_which_analyst_made_it_and_is_empty_when_unknown(team_db, tmp_path):
    forget_maker(tmp_path / "team.db", PYONGYANG)
    rows = {row["exact"]: row for row in csv_rows(team_db)}
    assert rows[NORTH]["analyst"] == "Ana Ruiz"
    assert rows[PYONGYANG]["analyst"] == ""
    header = exported(team_db, "csv").splitlines()[0].split(",")
    assert header[header.index("tags") + 1:] == ["analyst", "created_at", "updated_at"]


def test_an_analyst_name_a_spreadsheet_would_run_as_a_formula_is_shown_as_text(tmp_path):
    db = open_db(tmp_path / "margin.db", analyst='=HYPERLINK("http://evil.example","me")')
    article, _ = add_article(db, read_source(str(KURSK)))
    add_annotation_by_text(db, article["id"], kind="claim", text=NORTH)
    [row] = csv_rows(db)
    assert row["analyst"] == '\'=HYPERLINK("http://evil.example","me")'
    db.conn.close()


# --- Review ---------------------------------------------------------------------------------

LONG_NAME = "Maximiliana Okonkwo-Larsen"


async def test_reviews_by_column_names_each_analyst_cut_to_ten_and_sorts_by_them(
        tmp_path, screen_text):
    from tui.app import MarginApp
    from test_review import SIZE, excerpts, open_review, settled, status

    path = tmp_path / "margin.db"
    for analyst, words in (("Ben Okafor", PYONGYANG), (LONG_NAME, "recruitment plan"),
                           ("ana ruiz", NORTH), ("Chen Wei", "fortifications")):
        db = open_db(path, analyst=analyst)
        article, _ = add_article(db, read_source(str(KURSK)))
        add_annotation_by_text(db, article["id"], kind="claim", text=words)
        db.conn.close()
    forget_maker(path, "fortifications")
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        by = {words: screen.table.cells_at(row)[5].plain
              for row, words in enumerate(excerpts(screen))}
        assert by == {PYONGYANG: "Ben Okafor", "recruitment plan": "Maximilia…",
                      NORTH: "ana ruiz", "fortifications": ""}
        shown = screen_text(pilot.app)
        header = next(line for line in shown.splitlines() if "Excerpt" in line)
        assert "Maximilia…" in shown and LONG_NAME not in shown
        await pilot.click("#annotations", offset=(header.index(" By ") + 1, 0))
        screen = await settled(pilot)
        # A to Z whatever the case; an annotation whose maker is unknown comes last.
        assert excerpts(screen) == [NORTH, PYONGYANG, "recruitment plan", "fortifications"]
        assert "sorted by analyst, A to Z" in status(screen)
        assert screen.table.columns[5].label.plain == "By ▲"
        await pilot.click("#annotations", offset=(header.index(" By ") + 1, 0))
        screen = await settled(pilot)
        assert excerpts(screen) == ["recruitment plan", PYONGYANG, NORTH, "fortifications"]


# --- Markdown report ------------------------------------------------------------------------

def report_blocks(db) -> tuple[str, dict[str, str]]:
    """The report's top (up to the first article) and each annotation's part, by its words."""
    report = exported(db, "markdown")
    top = report[:report.index("\n## ")]
    blocks = {}
    for block in report.split("\n> ")[1:]:
        words, rest = block.split("\n", 1)
        blocks[words] = rest.split("\n### ")[0]
    return top, blocks


def test_a_report_of_several_analysts_work_says_who_noted_each_annotation(team_db, tmp_path):
    chen = open_db(tmp_path / "team.db", analyst="Chen *Wei*")
    add_annotation_by_text(chen, list_annotations(chen)[0]["article_id"], kind="claim",
                           text="recruitment plan")
    chen.conn.close()
    top, blocks = report_blocks(team_db)
    assert "noted by" not in top.lower()
    assert "*noted by Ana Ruiz*" in blocks[NORTH]
    assert "*noted by Ben Okafor*" in blocks[PYONGYANG]
    assert "*noted by Chen \\*Wei\\**" in blocks["recruitment plan"]  # markup kept literal
    # One whose maker is unknown says nothing of it; the others are still named.
    forget_maker(tmp_path / "team.db", PYONGYANG)
    top, blocks = report_blocks(team_db)
    assert "noted by" not in (top + blocks[PYONGYANG]).lower()
    assert "*noted by Ana Ruiz*" in blocks[NORTH]


def test_a_report_of_one_analysts_work_names_them_once_at_the_top(tmp_path):
    db = open_db(tmp_path / "margin.db", analyst="Ana *Ruiz*")
    article, _ = add_article(db, read_source(str(KURSK)))
    add_annotation_by_text(db, article["id"], kind="claim", text=NORTH, confidence=68)
    add_annotation_by_text(db, article["id"], kind="quote", text=PYONGYANG)
    top, blocks = report_blocks(db)
    assert top == "# Annotations\n\nNoted by Ana \\*Ruiz\\*.\n"
    assert not any("noted by" in block for block in blocks.values())
    assert "*confidence likely (68%)*" in blocks[NORTH]
    db.conn.close()
