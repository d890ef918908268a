"""Annotating from the command line as a person types: finding the words, editing, deleting,
undoing. Real processes on real database files, as in ``test_cli``."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.test_cli import assert_refused, dump, margin

MEMO = (
    "---\ntitle: Memo on the bridge\noutlet: Field Notes\n---\n"
    "The minister said: “We will not retreat — not one step.” Nobody asked why.\n\n"
    "The bridge was hit twice\novernight, officials said.  Later the army's spokesman said "
    "the bridge was hit twice and ‘is closed’ to traffic.\n"
)


@pytest.fixture
def memo_db(tmp_path: Path) -> tuple[Path, str]:
    """A database holding a memo with curly quotes, a dash, a line break and double spaces."""
    source = tmp_path / "memo.txt"
    source.write_text(MEMO, encoding="utf-8")
    db = tmp_path / "margin.db"
    result = margin("import", str(source), db=db)
    assert result.returncode == 0, result.stderr
    return db, result.stdout.decode().split()[0]


def article_text(db: Path) -> str:
    return sqlite3.connect(db).execute("SELECT text FROM articles").fetchone()[0]


def stored(db: Path, annotation_id: str) -> dict:
    rows = json.loads(margin("annotations", "--json", "--deleted", db=db).stdout)
    rows += json.loads(margin("annotations", "--json", db=db).stdout)
    return next(row for row in rows if row["id"] == annotation_id)


# --- finding the words as typed ------------------------------------------------------------

def test_add_finds_words_typed_with_straight_quotes_and_a_hyphen_and_saves_the_articles_own(
        memo_db):
    db, article_id = memo_db
    result = margin("add", article_id, "--kind", "quote",
                    "--text", '"We will not retreat - not one step."', db=db)
    assert result.returncode == 0, result.stderr
    row = stored(db, result.stdout.decode().strip())
    assert row["exact"] == "“We will not retreat — not one step.”"
    assert article_text(db)[row["start"]:row["end"]] == row["exact"]


def test_add_finds_words_across_a_line_break_and_double_spaces(memo_db):
    db, article_id = memo_db
    result = margin("add", article_id, "--kind", "claim",
                    "--text", "hit twice overnight, officials said. Later", db=db)
    assert result.returncode == 0, result.stderr
    row = stored(db, result.stdout.decode().strip())
    assert row["exact"] == "hit twice\novernight, officials said.  Later"


def test_add_finds_a_straight_apostrophe_typed_for_a_curly_single_quote(memo_db):
    db, article_id = memo_db
    result = margin("add", article_id, "--kind", "quote", "--text", "'is closed'", db=db)
    assert result.returncode == 0, result.stderr
    assert stored(db, result.stdout.decode().strip())["exact"] == "‘is closed’"


def test_add_refuses_words_that_appear_twice_and_lists_where_with_nothing_written(memo_db):
    db, article_id = memo_db
    before = dump(db)
    result = margin("add", article_id, "--kind", "claim", "--text", "bridge was hit twice", db=db)
    assert_refused(result, "appears 2 times", "--occurrence")
    stderr = result.stderr.decode()
    # Each occurrence numbered, with the words around it so the analyst can tell them apart.
    assert "1 “…asked why. The bridge was hit twice overnight,…”" in stderr
    assert "2 “…said the bridge was hit twice and ‘is closed’…”" in stderr
    assert dump(db) == before


def test_add_with_an_occurrence_takes_that_one(memo_db):
    db, article_id = memo_db
    result = margin("add", article_id, "--kind", "claim", "--text", "bridge was hit twice",
                    "--occurrence", "2", db=db)
    assert result.returncode == 0, result.stderr
    row = stored(db, result.stdout.decode().strip())
    assert row["start"] == article_text(db).rindex("bridge was hit twice")


def test_the_store_lists_the_appearances_in_words_of_data_not_of_the_command_line(tmp_path):
    from store.annotations import SeveralMatchesError, add_annotation_by_text
    from store.articles import add_article
    from store.db import open_db
    from store.ingest import read_source

    source = tmp_path / "memo.txt"
    source.write_text(MEMO, encoding="utf-8")
    db = open_db(tmp_path / "margin.db")
    article, _ = add_article(db, read_source(str(source)))
    with pytest.raises(SeveralMatchesError) as caught:
        add_annotation_by_text(db, article["id"], kind="claim", text="bridge was hit twice",
                               occurrence=None)
    assert caught.value.advice == "choose which one, 1 to 2"
    assert "--" not in str(caught.value)
    assert db.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
