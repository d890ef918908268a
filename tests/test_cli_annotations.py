"""Annotating from the command line as a person types: finding the words, editing, deleting,
undoing. Real processes on real database files, as in ``test_cli``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sqlite3
from pathlib import Path

import pytest

from test_cli import assert_refused, dump, margin

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


# --- editing, deleting and undoing from the command line -----------------------------------

@pytest.fixture
def quoted_memo(memo_db) -> tuple[Path, str, str]:
    """The memo with the minister's words saved as a quote, as a script would."""
    db, article_id = memo_db
    result = margin("add", article_id, "--kind", "quote", "--text", "We will not retreat",
                    "--source", "The minister", "--confidence", "5", "--grade", "B2",
                    "--note", "first reading", "--tag", "bridge", db=db)
    assert result.returncode == 0, result.stderr
    return db, article_id, result.stdout.decode().strip()


def history_actions(db: Path, annotation_id: str) -> list[tuple[str, int]]:
    return sqlite3.connect(db).execute(
        "SELECT action, undone FROM history WHERE annotation_id = ? ORDER BY id",
        [annotation_id]).fetchall()


def test_edit_by_id_prefix_changes_the_fields_given_and_prints_each_change(quoted_memo):
    db, _, annotation_id = quoted_memo
    result = margin("edit", annotation_id[:8], "--confidence", "6", "--note", "checked twice",
                    "--grade", "a1", db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().splitlines() == [
        f"{annotation_id[:8]}  edited the quote “We will not retreat”",
        "  confidence: likely (68%) → very likely (88%)",
        "  grade: B2 → A1",
        "  note: first reading → checked twice",
    ]
    row = stored(db, annotation_id)
    assert (row["confidence"], row["grade"], row["note"], row["source"], row["tags"]) == (
        88, "A1", "checked twice", "The minister", ["bridge"])
    assert history_actions(db, annotation_id) == [("create", 0), ("edit", 0)]


def test_edit_with_empty_values_clears_those_fields_and_tags_are_replaced(quoted_memo):
    db, _, annotation_id = quoted_memo
    result = margin("edit", annotation_id, "--note", "", "--confidence", "", "--source", "",
                    "--tag", "Bridge", "--tag", "army", "--kind", "claim", db=db)
    assert result.returncode == 0, result.stderr
    assert "  note: first reading → (none)" in result.stdout.decode().splitlines()
    row = stored(db, annotation_id)
    assert (row["kind"], row["note"], row["confidence"], row["source"], row["tags"]) == (
        "claim", None, None, None, ["Bridge", "army"])
    assert margin("edit", annotation_id, "--tag", "", db=db).returncode == 0
    assert stored(db, annotation_id)["tags"] == []


def test_edit_that_changes_nothing_says_so_and_records_nothing(quoted_memo):
    db, _, annotation_id = quoted_memo
    result = margin("edit", annotation_id, "--note", "first reading", db=db)
    assert result.returncode == 0, result.stderr
    assert "nothing changed" in result.stdout.decode()
    assert history_actions(db, annotation_id) == [("create", 0)]


@pytest.mark.parametrize("args, word", [
    (["--confidence", "101"], "--confidence"),
    (["--grade", "G7"], "--grade"),
    (["--kind", "opinion"], "--kind"),
    ([], "--note"),
])
def test_edit_refuses_bad_values_and_writes_nothing(quoted_memo, args, word):
    db, _, annotation_id = quoted_memo
    before = dump(db)
    assert_refused(margin("edit", annotation_id, *args, db=db), word)
    assert dump(db) == before


def test_edit_of_an_unknown_id_is_refused(quoted_memo):
    db, _, _ = quoted_memo
    assert_refused(margin("edit", "ffffffff", "--note", "x", db=db), "no annotation")


def test_delete_hides_the_annotation_keeps_it_and_undo_brings_it_back(quoted_memo):
    db, _, annotation_id = quoted_memo
    result = margin("delete", annotation_id[:8], db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().strip() == (
        f"{annotation_id[:8]}  deleted the quote “We will not retreat” "
        "(margin undo or margin restore brings it back)")
    assert json.loads(margin("annotations", "--json", db=db).stdout) == []
    assert stored(db, annotation_id)["deleted_at"]
    undone = margin("undo", db=db)
    assert undone.returncode == 0, undone.stderr
    assert undone.stdout.decode().strip() == (
        f"{annotation_id[:8]}  Restored the quote “We will not retreat”")
    assert [r["id"] for r in json.loads(margin("annotations", "--json", db=db).stdout)] == [
        annotation_id]
    assert history_actions(db, annotation_id) == [("create", 0), ("delete", 1)]


def test_deleting_twice_is_refused_and_restore_brings_it_back(quoted_memo):
    db, _, annotation_id = quoted_memo
    assert margin("delete", annotation_id, db=db).returncode == 0
    before = dump(db)
    result = margin("delete", annotation_id, db=db)
    assert_refused(result, "already deleted", "margin restore")
    assert dump(db) == before
    restored = margin("restore", annotation_id, db=db)
    assert restored.returncode == 0, restored.stderr
    assert not stored(db, annotation_id)["deleted_at"]


def test_a_deleted_annotation_is_not_edited_until_restored(quoted_memo):
    db, _, annotation_id = quoted_memo
    margin("delete", annotation_id, db=db)
    before = dump(db)
    assert_refused(margin("edit", annotation_id, "--note", "x", db=db), "deleted",
                   "margin restore")
    assert dump(db) == before


def test_undo_walks_back_an_edit_then_the_creation_then_says_nothing_is_left(quoted_memo):
    db, _, annotation_id = quoted_memo
    margin("edit", annotation_id, "--confidence", "90", db=db)
    first = margin("undo", db=db)
    assert first.stdout.decode().strip() == (
        f"{annotation_id[:8]}  Undid the last change to the quote “We will not retreat”")
    assert stored(db, annotation_id)["confidence"] == 68
    second = margin("undo", db=db)
    assert second.stdout.decode().strip() == (
        f"{annotation_id[:8]}  Undid adding the quote “We will not retreat”")
    assert json.loads(margin("annotations", "--json", db=db).stdout) == []
    third = margin("undo", db=db)
    assert third.returncode == 0
    assert third.stdout.decode().strip() == "Nothing to undo."


def test_undo_in_one_article_leaves_the_others_alone(quoted_memo, tmp_path):
    db, memo_id, annotation_id = quoted_memo
    other = tmp_path / "other.txt"
    other.write_text("Another note\n\nThe convoy left at dawn.\n", encoding="utf-8")
    other_id = margin("import", str(other), db=db).stdout.decode().split()[0]
    later = margin("add", other_id, "--kind", "claim", "--text", "convoy left", db=db)
    result = margin("undo", "--article", memo_id, db=db)
    assert result.stdout.decode().startswith(f"{annotation_id[:8]}  Undid adding")
    assert [r["id"] for r in json.loads(margin("annotations", "--json", db=db).stdout)] == [
        later.stdout.decode().strip()]
    assert margin("undo", "--article", memo_id, db=db).stdout.decode().strip() == (
        "Nothing to undo in this article.")


# --- margin --help names the files ---------------------------------------------------------

def test_help_names_the_config_folder_the_keymap_in_force_and_the_database(
        tmp_path, private_user_folders):
    config = private_user_folders["config"] / "margin"
    db = tmp_path / "chosen.db"
    shown = " ".join(margin("--help", db=db).stdout.decode().split())
    assert f"config folder {config}" in shown
    assert f"keymap margin's default keys (yours would be {config / 'keybindings.toml'})" in shown
    assert f"database {db}" in shown
    config.mkdir(parents=True)
    (config / "keybindings.toml").write_text('tag-quote = "Q"\n', encoding="utf-8")
    shown = " ".join(margin("--help", db=db).stdout.decode().split())
    assert f"keymap {config / 'keybindings.toml'}" in shown
    assert not db.exists()


def test_help_names_the_database_from_the_environment(tmp_path):
    db = tmp_path / "from-env.db"
    result = subprocess.run([sys.executable, "-m", "tui.cli", "--help"], capture_output=True,
                            env={**os.environ, "MARGIN_DB": str(db)}, timeout=60)
    assert f"database {db}" in " ".join(result.stdout.decode().split())


# --- the list of annotations ----------------------------------------------------------------

def test_the_annotation_list_marks_a_cut_excerpt_with_an_ellipsis_inside_its_quotation_marks(
        tmp_path):
    # The first 60 characters of these words end in a space: cut there, the excerpt read
    # “… Russia ” as if the quotation ended at that word.
    words = ("There are all the signs that by the end of the year, Russia will fully meet "
             "its recruitment plan.")
    assert words[59] == " "
    source = tmp_path / "signs.txt"
    source.write_text(f"Signs\n\nHe said: {words}\n", encoding="utf-8")
    db = tmp_path / "margin.db"
    article_id = margin("import", str(source), db=db).stdout.decode().split()[0]
    assert margin("add", article_id, "--kind", "quote", "--text", words, db=db).returncode == 0
    listed = margin("annotations", db=db).stdout.decode()
    assert "“There are all the signs that by the end of the year, Russia…”" in listed
    assert " ”" not in listed


# --- a span that carries the article's own quotation marks ---------------------------------

STRAIGHT = ('---\ntitle: No plan\noutlet: Field Notes\npublished: 2025-09-07\n---\n'
            '"There is no plan," he said. Later: "We will hold \'every\' metre."\n')


@pytest.fixture
def straight_db(tmp_path: Path) -> tuple[Path, str]:
    """A database holding an article that quotes with straight marks, double and single."""
    source = tmp_path / "plan.txt"
    source.write_text(STRAIGHT, encoding="utf-8")
    db = tmp_path / "margin.db"
    result = margin("import", str(source), db=db)
    assert result.returncode == 0, result.stderr
    return db, result.stdout.decode().split()[0]


def quote_of(db: Path, article_id: str, words: str) -> str:
    result = margin("add", article_id, "--kind", "quote", "--text", words, db=db)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().strip()


def test_a_span_opening_with_the_articles_quotation_is_cited_with_it_nested_not_doubled(
        straight_db):
    db, article_id = straight_db
    annotation_id = quote_of(db, article_id, '"There is no plan," he said')
    cited = margin("cite", annotation_id, "--style", "chicago-note", db=db).stdout.decode()
    assert cited == ("“‘There is no plan,’ he said” “No Plan,” Field Notes, September 7, "
                     "2025.\n")
    listed = margin("annotations", db=db).stdout.decode()
    assert "“‘There is no plan,’ he said”" in listed


def test_a_span_that_is_one_quotation_is_cited_in_one_pair_of_marks(straight_db):
    db, article_id = straight_db
    annotation_id = quote_of(db, article_id, '"We will hold \'every\' metre."')
    cited = margin("cite", annotation_id, "--style", "mla", db=db).stdout.decode()
    assert cited.startswith("“We will hold ‘every’ metre.” ")
    assert "\"" not in cited
    listed = margin("annotations", db=db).stdout.decode()
    assert "“We will hold ‘every’ metre.”  [" in listed


# --- the same annotation twice ----------------------------------------------------------------

def test_running_the_same_add_twice_is_refused_naming_the_first_and_writes_nothing(memo_db):
    db, article_id = memo_db
    command = ("add", article_id, "--kind", "quote", "--text", "not one step",
               "--source", "the minister", "--confidence", "5")
    first = margin(*command, db=db)
    assert first.returncode == 0, first.stderr
    first_id = first.stdout.decode().strip()
    before = dump(db)
    again = margin(*command, db=db)
    assert_refused(again, "already a quote by the minister", first_id, f"margin edit {first_id[:8]}")
    assert dump(db) == before
    claim = margin("add", article_id, "--kind", "claim", "--text", "not one step",
                   "--source", "the minister", db=db)
    assert claim.returncode == 0, claim.stderr
