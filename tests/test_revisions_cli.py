"""Article revisions on the command line: a real process on a real database file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_cli import assert_refused, dump, margin

URL = "https://example.org/news/flood-wall"
FIRST = ("Harbour wall approved\n\n"
         "The council said 6,000 homes were at risk from the spring tides.\n\n"
         "“We will build the wall before winter,” the mayor said on Tuesday.\n\n"
         "Engineers warned that the old barrier had cracked in two places.\n\n"
         "The river authority will publish its own survey next month.\n")
SECOND = ("Harbour wall approved\n\n"
          "Update: this article was corrected on 5 March.\n\n"
          "The council said 7,000 homes were at risk from the spring tides.\n\n"
          "“We will build the wall before winter,” the mayor said on Tuesday.\n\n"
          "The river authority will publish its own survey next month.\n")


def ok(result) -> str:
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


@pytest.fixture
def revised(tmp_path: Path) -> tuple[Path, str, dict[str, str]]:
    """A database with the article, three annotations on it, then its second revision."""
    db = tmp_path / "margin.db"
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(FIRST, encoding="utf-8")
    second.write_text(SECOND, encoding="utf-8")
    article_id = ok(margin("import", str(first), "--url", URL, db=db)).split()[0]
    ids = {
        "quote": ok(margin("add", article_id, "--kind", "quote", "--text",
                           "We will build the wall before winter", db=db)).strip(),
        "engineers": ok(margin("add", article_id, "--kind", "claim", "--text",
                               "the old barrier had cracked", db=db)).strip(),
        "survey": ok(margin("add", article_id, "--kind", "claim", "--text",
                            "publish its own survey", db=db)).strip(),
    }
    return db, article_id, ids


def test_importing_a_new_text_at_the_same_address_prints_the_revision_line(revised, tmp_path):
    db, article_id, _ = revised
    # The first import stored this text; the second file now holds the edited page.
    out = ok(margin("import", str(tmp_path / "second.txt"), "--url", URL, db=db))
    assert out == (f"{article_id}  revised  Harbour wall approved  "
                   "(3 annotations: 0 exact, 2 moved, 0 changed, 1 orphaned)\n")


def test_importing_the_same_text_again_says_unchanged(revised, tmp_path):
    db, article_id, _ = revised
    before = dump(db)
    out = ok(margin("import", str(tmp_path / "first.txt"), "--url", URL, db=db))
    assert out == f"{article_id}  unchanged  Harbour wall approved\n"
    assert dump(db) == before


def test_revision_of_an_unknown_id_is_one_line_and_writes_nothing(revised, tmp_path):
    db, _, _ = revised
    before = dump(db)
    result = margin("import", str(tmp_path / "second.txt"), "--revision-of", "ffffffff", db=db)
    assert_refused(result, "no article", "ffffffff")
    assert dump(db) == before


def test_revision_of_adds_a_revision_of_a_file_without_an_address(revised, tmp_path):
    db, article_id, _ = revised
    out = ok(margin("import", str(tmp_path / "second.txt"), "--revision-of", article_id[:5],
                    db=db))
    assert out.startswith(f"{article_id}  revised  Harbour wall approved  (3 annotations:")


def test_annotations_json_gives_each_anchor_against_the_newest_revision(revised, tmp_path):
    db, article_id, ids = revised
    ok(margin("import", str(tmp_path / "second.txt"), "--url", URL, db=db))
    rows = {row["id"]: row for row in json.loads(ok(margin("annotations", "--json", db=db)))}
    quote = rows[ids["quote"]]
    start = SECOND.index("We will build the wall before winter")
    assert (quote["anchor"], quote["start"], quote["end"], quote["current"], quote["exact"],
            quote["revision"], quote["verified"]) == (
        "moved", start, start + 36, "We will build the wall before winter",
        "We will build the wall before winter", 1, 1)
    orphan = rows[ids["engineers"]]
    assert (orphan["anchor"], orphan["start"], orphan["end"], orphan["current"],
            orphan["exact"]) == ("orphan", None, None, None, "the old barrier had cracked")


def test_revisions_lists_each_with_its_size_and_words_added_and_removed(revised, tmp_path):
    db, article_id, _ = revised
    ok(margin("import", str(tmp_path / "second.txt"), "--url", URL, db=db))
    rows = json.loads(ok(margin("revisions", article_id, "--json", db=db)))
    assert [(r["number"], r["characters"], r["words_added"], r["words_removed"])
            for r in rows] == [(1, len(FIRST) - 1, 0, 0),
                               # "Update: this article was corrected on 5 March" and 7,000
                               # in; 6,000 and the engineers' eleven words out.
                               (2, len(SECOND) - 1, 9, 12)]
    assert all(r["retrieved_at"] for r in rows)
    table = ok(margin("revisions", article_id[:6], db=db)).splitlines()
    assert table[0].split() == ["REV", "RETRIEVED", "CHARACTERS", "ADDED", "REMOVED", "TITLE"]
    assert table[2].split()[0] == "2" and table[2].split()[3:6] == [
        str(len(SECOND) - 1), "+9", "-12"]


def test_diff_shows_each_changed_paragraph_with_whole_words_marked(revised, tmp_path):
    db, article_id, _ = revised
    ok(margin("import", str(tmp_path / "second.txt"), "--url", URL, db=db))
    out = ok(margin("diff", article_id, db=db))
    # The update note went in before the council's paragraph, and is shown with it.
    assert out.splitlines()[0] == f"{article_id}  revision 1 → 2: 2 paragraphs changed"
    assert ("{+Update: this article was corrected on 5 March.\n\n+}"
            "The council said [-6,000-]{+7,000+} homes were at risk from the spring tides.\n"
            in out)
    assert "[-Engineers warned that the old barrier had cracked in two places.\n\n-]" in out
    # The paragraph nothing changed in is not shown.
    assert "the mayor said on Tuesday" not in out
    assert ok(margin("diff", article_id, "--from", "2", "--to", "1", db=db)).count("[-7,000-]") == 1


@pytest.mark.parametrize("numbers", [("--from", "3"), ("--to", "9"), ("--from", "0")])
def test_diff_with_a_revision_the_article_does_not_have_is_one_line(revised, tmp_path, numbers):
    db, article_id, _ = revised
    ok(margin("import", str(tmp_path / "second.txt"), "--url", URL, db=db))
    assert_refused(margin("diff", article_id, *numbers, db=db), "no revision",
                   "from 1 to 2")


def test_citing_an_orphan_gives_the_day_its_revision_was_retrieved_as_accessed(revised, tmp_path):
    import sqlite3

    db, article_id, ids = revised
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE revisions SET retrieved_at = '2025-03-04T10:00:00+00:00'")
    ok(margin("import", str(tmp_path / "second.txt"), "--url", URL, db=db))
    item = json.loads(ok(margin("cite", ids["engineers"][:8], "--style", "csl-json", db=db)))
    item = item[0] if isinstance(item, list) else item
    assert item["accessed"] == {"date-parts": [[2025, 3, 4]]}
    placed = json.loads(ok(margin("cite", ids["quote"][:8], "--style", "csl-json", db=db)))
    placed = placed[0] if isinstance(placed, list) else placed
    assert placed["accessed"] != {"date-parts": [[2025, 3, 4]]}
