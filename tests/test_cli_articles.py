"""Correcting and managing articles from the command line, as a script or an analyst runs it:
a real process on a real database file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from test_cli import KURSK, assert_refused, dump, margin

URL = "https://www.pravda.com.ua/eng/news/2025/09/7/7529739/"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "margin.db"


@pytest.fixture
def article(db: Path) -> str:
    """The real article, imported with its outlet and URL; returns its id."""
    result = margin("import", str(KURSK), "--outlet", "Ukrainska Pravda", "--url", URL, db=db)
    assert result.returncode == 0, result.stderr
    return result.stdout.decode().split()[0]


def stored(db: Path, article_id: str) -> dict:
    rows = json.loads(margin("articles", "--json", "--all", db=db).stdout)
    return next(row for row in rows if row["id"] == article_id)


def test_every_article_is_listed_with_where_it_is(db, article):
    margin("archive-article", article, db=db)
    lines = margin("articles", "--all", db=db).stdout.decode().splitlines()
    assert lines[1].startswith(article) and lines[1].endswith("(Ukrainska Pravda) [archived]")


def listed(db: Path, *flags: str) -> list[str]:
    return [row["id"] for row in json.loads(margin("articles", "--json", *flags, db=db).stdout)]


def test_edit_article_changes_the_metadata_and_the_citation_follows(db, article):
    result = margin("edit-article", article, "--title", "Troops in Kursk", "--author", "Anna Smith",
                    "--author", "{Ministry of Defence of Ukraine}", "--outlet", "Pravda",
                    "--url", "https://example.org/kursk", "--published", "2025-09-08",
                    "--section", "War", "--accessed", "2025-09-10", db=db)
    assert result.returncode == 0, result.stderr
    assert result.stdout.decode().startswith(f"{article}  edited  Troops in Kursk")
    row = stored(db, article)
    assert (row["title"], row["authors"], row["outlet"], row["url"], row["published"],
            row["section"], row["accessed"]) == (
        "Troops in Kursk", ["Anna Smith", "{Ministry of Defence of Ukraine}"], "Pravda",
        "https://example.org/kursk", "2025-09-08", "War", "2025-09-10")
    cited = margin("cite", article, "--style", "apa", db=db).stdout.decode().strip()
    # citeproc-js sets no comma before "&" when the second name is an organisation.
    assert cited == ("Smith, A. & Ministry of Defence of Ukraine. (2025, September 8). "
                     "Troops in Kursk. Pravda. https://example.org/kursk")


def test_an_imported_article_was_accessed_today(db, article):
    assert stored(db, article)["accessed"] == date.today().isoformat()


def test_one_empty_author_clears_the_authors(db, article):
    assert margin("edit-article", article, "--author", "", db=db).returncode == 0
    assert stored(db, article)["authors"] == []


@pytest.mark.parametrize("args, words", [
    (["--published", "next tuesday"], ["published", "not a date"]),
    (["--url", "example.org"], ["web address"]),
    (["--title", " "], ["title"]),
    (["--author", "{Reuters"], ["brace"]),
    ([], ["nothing to change"]),
])
def test_a_bad_edit_is_one_line_exit_2_and_changes_nothing(db, article, args, words):
    before = dump(db)
    assert_refused(margin("edit-article", article, *args, db=db), *words)
    assert dump(db) == before


def test_an_unknown_article_is_refused(db, article):
    before = dump(db)
    assert_refused(margin("edit-article", "ffffffff", "--title", "x", db=db), "no article")
    assert dump(db) == before


def test_archiving_hides_an_article_from_the_list_until_it_is_unarchived(db, article):
    assert margin("archive-article", article, db=db).returncode == 0
    assert listed(db) == []
    assert listed(db, "--archived") == [article]
    assert margin("unarchive-article", article, db=db).returncode == 0
    assert listed(db) == [article]


def test_an_article_without_annotations_goes_to_the_trash_and_comes_back(db, article):
    result = margin("delete-article", article, db=db)
    assert result.returncode == 0, result.stderr
    assert "trash" in result.stdout.decode()
    assert listed(db) == []
    assert listed(db, "--trash") == [article]
    assert margin("restore-article", article, db=db).returncode == 0
    assert listed(db) == [article]
    assert listed(db, "--trash") == []


def test_deleting_an_article_with_annotations_asks_first_saying_how_many(db, article):
    for text in ("North Korean", "Kursk Oblast"):
        assert margin("add", article, "--kind", "claim", "--text", text,
                      "--occurrence", "1", db=db).returncode == 0
    before = dump(db)
    # No answer (a script's empty input) and "n" both keep the article where it is.
    for answer in (b"", b"n\n"):
        declined = margin("delete-article", article, db=db, stdin=answer)
        question, refusal = declined.stderr.decode().splitlines()
        assert declined.returncode == 2
        assert "has 2 annotations; move it to the trash?" in question
        assert refusal == ("margin: the article has 2 annotations and was not moved to the "
                           "trash: answer y, or give --yes")
    assert dump(db) == before
    assert margin("delete-article", article, db=db, stdin=b"y\n").returncode == 0
    assert listed(db, "--trash") == [article]
    assert margin("restore-article", article, db=db).returncode == 0
    assert margin("delete-article", article, "--yes", db=db, stdin=b"").returncode == 0
    assert listed(db, "--trash") == [article]


def test_margin_annotations_leaves_out_an_article_in_the_trash_and_shows_it_restored(db, article):
    assert margin("add", article, "--kind", "claim", "--text", "Kursk Oblast",
                  "--occurrence", "1", db=db).returncode == 0

    def listed_annotations() -> list[str]:
        return [row["exact"] for row in
                json.loads(margin("annotations", "--json", db=db).stdout)]

    assert listed_annotations() == ["Kursk Oblast"]
    assert margin("delete-article", article, "--yes", db=db).returncode == 0
    assert listed_annotations() == []
    assert margin("annotations", db=db).stdout.decode().strip() == "No annotations match."
    assert margin("restore-article", article, db=db).returncode == 0
    assert listed_annotations() == ["Kursk Oblast"]
    assert margin("archive-article", article, db=db).returncode == 0
    assert listed_annotations() == ["Kursk Oblast"]


def test_restoring_an_article_not_in_the_trash_is_refused(db, article):
    before = dump(db)
    assert_refused(margin("restore-article", article, db=db), "not in the trash")
    assert dump(db) == before
