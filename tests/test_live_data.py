"""margin shows what the database holds now: an annotation another program adds while margin
runs (``margin add`` in a shell beside it) appears where the analyst next looks for it.

The points where an analyst expects fresh data: a screen opened again (an article re-read) and
a screen come back to (the library's counts, Review's table). Each test drives the real app
with the Pilot and adds the annotation through a real second process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from store import annotations as store_annotations
from store.articles import add_article
from store.db import open_db
from store.ingest import read_source
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen

from pilot_helpers import drawn, until

SIZE = (120, 36)
RECRUITMENT = "Russia will fully meet its recruitment plan"
TROOPS = "North Korean troops remain on Russian territory"


def stored_article(db_path: Path, kursk_path: Path, *annotated: str) -> dict:
    """The real article in a new database, with a claim on each of ``annotated``."""
    db = open_db(db_path)
    try:
        article, _ = add_article(db, read_source(str(kursk_path)))
        for text in annotated:
            store_annotations.add_annotation_by_text(db, article["id"], text=text, kind="claim")
        return article
    finally:
        db.conn.close()


def add_from_a_shell(db_path: Path, article_id: str, text: str) -> str:
    """``margin add`` run by another process, as an analyst would in a second terminal."""
    done = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), "add",
                           article_id, "--kind", "claim", "--text", text, "--occurrence", "1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def side_title(reader: ReaderScreen) -> str:
    return str(reader.query_one("#side-title").render())


def claims_listed(library: LibraryScreen, article_id: str) -> str:
    return library.table.get_cell(article_id, "claims").plain


async def test_annotations_added_by_another_program_show_when_the_article_is_read_again(
        make_app, db_path, kursk_path):
    # Review opens connections of its own in the same process: the way that once made the
    # app's connection blind to every change by another program after the first.
    article = stored_article(db_path, kursk_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        library = app.screen
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) and not app.screen.busy)
        await pilot.press("L")
        await until(pilot, lambda: app.screen is library)
        assert claims_listed(library, article["id"]) == "0"

        add_from_a_shell(db_path, article["id"], RECRUITMENT)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await until(pilot, lambda: "1 claim, 0 quotes" in side_title(app.screen))
        await pilot.press("L")
        await until(pilot, lambda: app.screen is library
                    and claims_listed(library, article["id"]) == "1")

        add_from_a_shell(db_path, article["id"], TROOPS)
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
        await pilot.press("L")
        await until(pilot, lambda: app.screen is library
                    and claims_listed(library, article["id"]) == "2")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen
        await until(pilot, lambda: "2 claims, 0 quotes" in side_title(reader))
        assert [a["exact"] for a in reader._annotations] == [TROOPS, RECRUITMENT]


async def test_review_lists_another_programs_annotations_when_the_analyst_comes_back_to_it(
        make_app, db_path, kursk_path):
    article = stored_article(db_path, kursk_path, RECRUITMENT)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) and not app.screen.busy)
        review = app.screen
        assert review.table.row_count == 1

        for count, text in ((2, TROOPS), (3, "North Korean troops")):
            added = add_from_a_shell(db_path, article["id"], text)
            await drawn(pilot, review)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
            reader = app.screen
            # A reader opened now reads the article as it is now.
            await until(pilot, lambda: f"{count} claims, 0 quotes" in side_title(reader))
            await pilot.press("r")
            await until(pilot, lambda: app.screen is review and not review.busy
                        and review.table.row_count == count)
            assert review.table.key_at(0) == added
            assert f"{count} annotations" in review.query_one("#review-status").text.plain
