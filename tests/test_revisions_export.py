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
