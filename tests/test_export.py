"""Exports as an analyst uses them: W3C for other tools, JSON Lines, CSV, a report, CSL-JSON."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from store.annotations import add_annotation_by_text, delete_annotation, get_annotation
from store.articles import add_article, archive_article, delete_article, restore_article
from store.db import open_db
from store.errors import NotFoundError, ValidationError
from store.export import CSV_COLUMNS, FORMATS, export, markdown_escape

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK_TEXT = (CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt").read_text(encoding="utf-8") \
    .split("\n", 1)[1]  # the scraper's "date …" line is not article text
KURSK_URL = "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/"
VALIDATOR = Path(__file__).resolve().parents[2] / "shared" / "w3c" / "validate.py"
QUOTE = "There are all the signs that by the end of the year, Russia will fully meet its recruitment plan."
CLAIM = "Russia has enlisted around 280,000 contract military personnel since the start of 2025"


def kursk_draft(**overrides) -> SimpleNamespace:
    fields = dict(text=KURSK_TEXT,
                  title="North Korean troops concentrated in Kursk Oblast to support border "
                        "security, Kyiv says",
                  authors=["Olga Katsimon"], outlet="Ukrainska Pravda", url=KURSK_URL,
                  published="2025-09-07T17:21:00+03:00", section=None, language="en",
                  source="ukrainska-pravda-2025-09-07-kursk.txt", format="txt")
    return SimpleNamespace(**{**fields, **overrides})


def memo_draft() -> SimpleNamespace:
    """A second article with no URL, an author-less memo with Markdown-like characters."""
    return SimpleNamespace(text="Field memo\n\nThe *bridge* at [Sector 4] was hit twice, "
                                "officials said.\n", title="Field memo #4 *draft*", authors=[],
                           outlet=None, url=None, published=None, section=None, language="en",
                           source="memo.txt", format="txt")


@pytest.fixture
def db(tmp_path):
    database = open_db(tmp_path / "margin.db")
    yield database
    database.conn.close()


@pytest.fixture
def annotated(db):
    """Every kind of annotation margin stores, on two articles; returns their ids by name."""
    kursk, _ = add_article(db, kursk_draft())
    memo, _ = add_article(db, memo_draft())
    ids = {"kursk": kursk["id"], "memo": memo["id"]}
    ids["full quote"] = add_annotation_by_text(
        db, kursk["id"], kind="quote", text=QUOTE, source="Vadym Skibitskyi",
        role="Deputy Head of Defence Intelligence of Ukraine", via="interview with Ukrinform",
        confidence=68, grade="B2", note="Matches the DIU's earlier figures.",
        tags=["recruitment", "russia"])["id"]
    ids["bare claim"] = add_annotation_by_text(
        db, kursk["id"], kind="claim", text="North Korean troops remain on Russian territory")["id"]
    ids["claim with confidence"] = add_annotation_by_text(
        db, kursk["id"], kind="claim", text=CLAIM, confidence=50, tags=["numbers"])["id"]
    ids["quote with grade"] = add_annotation_by_text(
        db, kursk["id"], kind="quote", text="We have data on the recruitment of citizens",
        source="Vadym Skibitskyi", grade="c3")["id"]
    ids["formula note"] = add_annotation_by_text(
        db, memo["id"], kind="claim", text="was hit twice", source="=officials",
        note='=HYPERLINK("http://evil.example","click")', tags=["-tag", "@mention"])["id"]
    ids["deleted"] = add_annotation_by_text(
        db, kursk["id"], kind="claim", text="Their main tasks")["id"]
    delete_annotation(db, ids["deleted"])
    return ids


def exported(db, fmt: str, **options) -> str:
    out = io.StringIO(newline="")
    export(db, fmt, out=out, **options)
    return out.getvalue()


def w3c_items(text: str) -> list[dict]:
    return json.loads(text)["first"]["items"]


def validate(tmp_path: Path, text: str) -> subprocess.CompletedProcess:
    path = tmp_path / "export.json"
    path.write_text(text, encoding="utf-8")
    return subprocess.run([sys.executable, str(VALIDATOR), str(path)],
                          capture_output=True, text=True, check=False)


# --- W3C ----------------------------------------------------------------------------------------

def test_w3c_export_of_every_kind_of_annotation_passes_the_w3c_conformance_checker(
        db, annotated, tmp_path):
    result = validate(tmp_path, exported(db, "w3c"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed, 0 failed" in result.stdout


def test_w3c_export_with_deleted_annotations_passes_the_checker_too(db, annotated, tmp_path):
    result = validate(tmp_path, exported(db, "w3c", include_deleted=True))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "6 passed, 0 failed" in result.stdout


def test_w3c_export_is_a_collection_whose_first_page_holds_the_annotations(db, annotated):
    document = json.loads(exported(db, "w3c"))
    assert document["@context"][0] == "http://www.w3.org/ns/anno.jsonld"
    assert document["type"] == "AnnotationCollection"
    assert document["total"] == 5
    assert document["first"]["type"] == "AnnotationPage"
    assert len(document["first"]["items"]) == 5


def test_w3c_target_quotes_and_positions_the_exact_span_of_the_article(db, annotated):
    item = next(i for i in w3c_items(exported(db, "w3c"))
                if i["id"] == f"urn:uuid:{annotated['full quote']}")
    target = item["target"]
    quote, position = target["selector"]
    assert target["type"] == "SpecificResource"
    assert target["source"] == KURSK_URL
    assert quote["type"] == "TextQuoteSelector" and quote["exact"] == QUOTE
    assert KURSK_TEXT[position["start"]:position["end"]] == QUOTE
    assert KURSK_TEXT[:position["start"]].endswith(quote["prefix"])
    assert KURSK_TEXT[position["end"]:].startswith(quote["suffix"])


def test_w3c_target_of_an_article_without_url_names_its_text_by_hash(db, annotated):
    item = next(i for i in w3c_items(exported(db, "w3c"))
                if i["id"] == f"urn:uuid:{annotated['formula note']}")
    assert item["target"]["source"] == f"urn:sha256:{item['margin:textSha256']}"


def test_w3c_bodies_carry_kind_source_confidence_grade_note_and_tags_by_purpose(db, annotated):
    item = next(i for i in w3c_items(exported(db, "w3c"))
                if i["id"] == f"urn:uuid:{annotated['full quote']}")
    bodies = [(body["purpose"], body["value"]) for body in item["body"]]
    assert bodies == [
        ("classifying", "quote"),
        ("describing", "Vadym Skibitskyi, Deputy Head of Defence Intelligence of Ukraine "
                       "(interview with Ukrinform)"),
        ("assessing", "confidence: likely (68%)"),
        ("assessing", "grade: B2 (usually reliable, probably true)"),
        ("commenting", "Matches the DIU's earlier figures."),
        ("tagging", "recruitment"),
        ("tagging", "russia"),
    ]
    assert item["motivation"] == "classifying"
    assert item["margin:confidence"] == 68 and item["margin:grade"] == "B2"
    assert item["margin:source"] == "Vadym Skibitskyi"


def test_w3c_bare_claim_has_only_its_kind_as_body(db, annotated):
    item = next(i for i in w3c_items(exported(db, "w3c"))
                if i["id"] == f"urn:uuid:{annotated['bare claim']}")
    assert [(b["purpose"], b["value"]) for b in item["body"]] == [("classifying", "claim")]
    assert not {"margin:source", "margin:confidence", "margin:grade"} & set(item)


def test_w3c_times_are_the_annotations_own(db, annotated):
    stored = get_annotation(db, annotated["full quote"])
    item = next(i for i in w3c_items(exported(db, "w3c"))
                if i["id"] == f"urn:uuid:{stored['id']}")
    assert (item["created"], item["modified"]) == (stored["created_at"], stored["updated_at"])


# --- What is exported -------------------------------------------------------------------------

def test_deleted_annotations_are_left_out_unless_asked_for(db, annotated):
    assert annotated["deleted"] not in exported(db, "jsonl")
    assert annotated["deleted"] not in exported(db, "csv")
    assert annotated["deleted"] not in exported(db, "w3c")
    with_deleted = [json.loads(line)
                    for line in exported(db, "jsonl", include_deleted=True).splitlines()]
    deleted = next(r for r in with_deleted if r["id"] == annotated["deleted"])
    assert deleted["deleted_at"] is not None


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_article_in_the_trash_takes_its_annotations_out_of_every_export(db, annotated, fmt):
    delete_article(db, annotated["memo"])
    gone = exported(db, fmt)
    assert annotated["formula note"] not in gone and "Field memo" not in gone
    assert "HYPERLINK" not in exported(db, fmt, include_deleted=True)
    restore_article(db, annotated["memo"])
    assert "HYPERLINK" in exported(db, "jsonl") and "HYPERLINK" in exported(db, "csv")


def test_an_archived_articles_annotations_are_still_exported(db, annotated):
    archive_article(db, annotated["memo"])
    for fmt in ("w3c", "jsonl", "csv"):
        assert annotated["formula note"] in exported(db, fmt)


@pytest.mark.parametrize("fmt", ["w3c", "jsonl", "csv"])
def test_article_option_exports_only_that_articles_annotations(db, annotated, fmt):
    text = exported(db, fmt, article_id=annotated["memo"])
    assert annotated["formula note"] in text
    assert annotated["full quote"] not in text and annotated["bare claim"] not in text


def test_article_option_takes_a_prefix_of_the_id(db, annotated):
    assert exported(db, "jsonl", article_id=annotated["memo"][:5]) == \
        exported(db, "jsonl", article_id=annotated["memo"])


def test_article_option_naming_no_article_is_an_error(db, annotated):
    with pytest.raises(NotFoundError):
        exported(db, "jsonl", article_id="nosuchid")


def test_unknown_format_is_refused_with_the_formats_listed(db):
    with pytest.raises(ValidationError) as error:
        exported(db, "xml")
    assert "jsonl" in error.value.advice


@pytest.mark.parametrize("fmt", ["w3c", "jsonl", "csv"])
def test_the_same_annotations_export_to_the_same_bytes(db, annotated, fmt):
    assert exported(db, fmt) == exported(db, fmt)


def test_an_empty_database_exports_an_empty_collection(db):
    document = json.loads(exported(db, "w3c"))
    assert document["total"] == 0 and document["first"]["items"] == []
    assert exported(db, "jsonl") == ""


def test_export_returns_how_many_annotations_it_wrote(db, annotated):
    assert export(db, "jsonl", out=io.StringIO()) == 5
    assert export(db, "jsonl", out=io.StringIO(), include_deleted=True) == 6


# --- JSON Lines ---------------------------------------------------------------------------------

def test_jsonl_has_one_annotation_a_line_with_everything_stored(db, annotated):
    lines = exported(db, "jsonl").splitlines()
    assert len(lines) == 5
    record = next(json.loads(line) for line in lines if annotated["full quote"] in line)
    stored = get_annotation(db, annotated["full quote"])
    for key in ("id", "article_id", "kind", "start", "end", "exact", "prefix", "suffix", "via",
                "confidence", "grade", "note", "tags", "created_at", "updated_at", "deleted_at",
                "source", "role", "organization"):
        assert record[key] == stored[key], key
    assert record["article_sha256"] == db.execute(
        "SELECT text_sha256 FROM articles WHERE id = ?", [stored["article_id"]]).fetchone()[0]
    assert "source_id" not in record  # a local number, meaningless in another database


def test_jsonl_keys_are_sorted_and_lines_ordered_by_article_then_position(db, annotated):
    records = [json.loads(line) for line in exported(db, "jsonl").splitlines()]
    for line in exported(db, "jsonl").splitlines():
        assert list(json.loads(line)) == sorted(json.loads(line))
    order = [(r["article_id"], r["start"], r["id"]) for r in records]
    assert order == sorted(order)


def test_jsonl_keeps_a_line_separator_in_a_field_on_one_line(db, annotated):
    # The store cleans such characters out of what is typed; a database written by an older
    # margin, or by hand, may still hold them.
    db.conn.execute("UPDATE sources SET role = ? WHERE name = ?",
                    ["Deputy Head\u2028DIU\x85Kyiv", "Vadym Skibitskyi"])
    db.conn.commit()
    text = exported(db, "jsonl")
    assert len(text.splitlines()) == 5  # str.splitlines breaks at U+2028 and U+0085
    record = next(json.loads(line) for line in text.splitlines() if annotated["full quote"] in line)
    assert record["role"] == "Deputy Head\u2028DIU\x85Kyiv"


# --- CSV ----------------------------------------------------------------------------------------

def csv_rows(db, **options) -> list[dict]:
    return list(csv.DictReader(io.StringIO(exported(db, "csv", **options), newline="")))


def test_csv_has_the_spreadsheet_columns_and_one_row_an_annotation(db, annotated):
    text = exported(db, "csv")
    assert text.splitlines()[0].split(",") == list(CSV_COLUMNS)
    rows = csv_rows(db)
    assert len(rows) == 5
    quote = next(r for r in rows if r["id"] == annotated["full quote"])
    assert quote["exact"] == QUOTE
    assert quote["article_title"].startswith("North Korean troops")
    assert (quote["source"], quote["via"]) == ("Vadym Skibitskyi", "interview with Ukrinform")
    assert (quote["confidence"], quote["confidence_term"], quote["grade"]) == ("68", "likely", "B2")
    assert quote["tags"] == "recruitment; russia"


def test_every_csv_row_carries_its_articles_title_outlet_url_and_published_date(db, annotated):
    rows = csv_rows(db)
    kursk = [r for r in rows if r["article_id"] == annotated["kursk"]]
    assert len(kursk) == 4
    for row in kursk:
        assert (row["article_title"], row["article_outlet"], row["article_url"],
                row["article_published"]) == (kursk_draft().title, "Ukrainska Pravda", KURSK_URL,
                                              "2025-09-07T17:21:00+03:00")
    memo = next(r for r in rows if r["article_id"] == annotated["memo"])
    # What the memo lacks is an empty cell.
    assert (memo["article_title"], memo["article_outlet"], memo["article_url"],
            memo["article_published"]) == ("Field memo #4 *draft*", "", "", "")


# An outlet an analyst protected from capitalisation by hand, as Zotero users do.
PROTECTED_OUTLET = '<span class="nocase">iStories</span> Media'


def test_a_csv_cell_shows_a_protected_outlet_as_read_and_csl_json_keeps_its_markup(db):
    article, _ = add_article(db, kursk_draft(outlet=PROTECTED_OUTLET))
    add_annotation_by_text(db, article["id"], kind="quote", text=QUOTE)
    [row] = csv_rows(db)
    assert row["article_outlet"] == "iStories Media"
    # The CSL item is read by a citation processor, which needs the markup to keep the case.
    [item] = json.loads(exported(db, "csl-json"))
    assert item["container-title"] == PROTECTED_OUTLET


def test_csv_leaves_empty_cells_for_what_an_annotation_lacks(db, annotated):
    bare = next(r for r in csv_rows(db) if r["id"] == annotated["bare claim"])
    assert [bare[c] for c in ("source", "role", "via", "confidence", "confidence_term", "grade",
                              "note", "tags")] == [""] * 8


def test_csv_cells_that_a_spreadsheet_would_run_as_formulas_start_with_an_apostrophe(db, annotated):
    row = next(r for r in csv_rows(db) if r["id"] == annotated["formula note"])
    assert row["note"] == '\'=HYPERLINK("http://evil.example","click")'
    assert row["source"] == "'=officials"
    assert row["tags"] == "'-tag; @mention"
    plain = next(r for r in csv_rows(db) if r["id"] == annotated["full quote"])
    assert plain["note"] == "Matches the DIU's earlier figures."


# --- Markdown report and CSL-JSON (they use store.citations) ----------------------------------

def test_markdown_escape_keeps_markup_characters_literal():
    assert markdown_escape("*bold* [link](x) <b> a_b") == r"\*bold\* \[link\](x) \<b\> a\_b"
    assert markdown_escape("# not a heading\n- not a list\n1. nor this") == \
        "\\# not a heading\n\\- not a list\n1\\. nor this"


def test_markdown_report_has_each_article_cited_with_its_quotes_before_its_claims(db, annotated):
    citations = pytest.importorskip("store.citations")
    from store.articles import get_article

    report = exported(db, "markdown")
    kursk = get_article(db, annotated["kursk"])
    assert citations.cite_article(kursk, "markdown").strip() in report
    for name in ("full quote", "bare claim", "claim with confidence", "quote with grade"):
        cited = citations.cite_annotation(get_annotation(db, annotated[name]), kursk, "markdown")
        assert cited.strip() in report, name
    section = report[report.index("North Korean troops concentrated"):]
    assert section.index("### Quotes") < section.index("### Claims")
    assert section.index("We have data on the recruitment") < section.index(QUOTE)
    assert section.index("North Korean troops remain") < section.index(CLAIM)
    assert "Their main tasks" not in report


def test_markdown_report_escapes_markup_in_titles_and_notes(db, annotated):
    pytest.importorskip("store.citations")
    report = exported(db, "markdown")
    assert "\n## Field memo #4 \\*draft\\*\n" in report
    assert "confidence likely (68%)" in report and "grade B2 (usually reliable" in report


def test_markdown_report_of_one_article_leaves_the_others_out(db, annotated):
    pytest.importorskip("store.citations")
    report = exported(db, "markdown", article_id=annotated["memo"])
    assert "Field memo" in report and "North Korean" not in report


def test_csl_json_lists_the_annotated_articles_as_csl_items(db, annotated):
    citations = pytest.importorskip("store.citations")
    from store.articles import get_article

    items = json.loads(exported(db, "csl-json"))
    expected = sorted((citations.csl_item(get_article(db, annotated[name]))
                       for name in ("kursk", "memo")),
                      key=lambda item: json.dumps(item, sort_keys=True))
    assert sorted(items, key=lambda item: json.dumps(item, sort_keys=True)) == expected


def test_csl_json_for_one_article_lists_it_even_without_annotations(db, annotated):
    citations = pytest.importorskip("store.citations")
    from store.articles import get_article

    bare, _ = add_article(db, SimpleNamespace(**{**vars(memo_draft()), "text": "Other text.\n"}))
    assert json.loads(exported(db, "csl-json", article_id=bare["id"])) == \
        [citations.csl_item(get_article(db, bare["id"]))]
    assert len(json.loads(exported(db, "csl-json"))) == 2


def test_every_format_is_listed():
    assert FORMATS == ("w3c", "jsonl", "csv", "markdown", "csl-json")
