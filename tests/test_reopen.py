"""margin reopens where the analyst left off: the article and cursor last read, and Review's
sort and filter; per database file, across restarts (each run here is a new app)."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import add_article, delete_article
from store.db import open_db
from store.ingest import read_source
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen

from pilot_helpers import drawn, until

SIZE = (120, 36)


@pytest.fixture
def two_articles(db_path: Path, kursk_path: Path, tmp_path: Path) -> tuple[str, str]:
    """The real article, annotated twice, and a short memo; returns both ids."""
    db = open_db(db_path)
    kursk, _ = add_article(db, read_source(str(kursk_path)))
    memo_file = tmp_path / "memo.txt"
    memo_file.write_text("Memo\n\nThe convoy left at dawn and the bridge held.\n", encoding="utf-8")
    memo, _ = add_article(db, read_source(str(memo_file)))
    store_annotations.add_annotation_by_text(db, kursk["id"], kind="claim", text="Kursk Oblast",
                                             confidence=30)
    store_annotations.add_annotation_by_text(db, kursk["id"], kind="quote", text="Pyongyang",
                                             confidence=90)
    db.conn.close()
    return kursk["id"], memo["id"]


async def read_and_move(make_app, article_id: str, moves: int) -> int:
    """Open the article from the library, move the cursor ``moves`` words, quit; returns the
    cursor's offset when margin quit."""
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert app.open_reader(article_id)
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.is_mounted)
        await drawn(pilot, app.screen)
        await pilot.press(*["w"] * moves)
        view = app.screen.view
        await until(pilot, lambda: view.cursor_offset > 0)
        return view.cursor_offset


async def test_margin_reopens_on_the_last_article_at_the_cursor_where_it_was(make_app,
                                                                             two_articles):
    kursk, _ = two_articles
    offset = await read_and_move(make_app, kursk, 12)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.is_mounted)
        assert app.screen.article_id == kursk
        assert app.screen.view.cursor_offset == offset
        # The library is one key away, as when margin opened an article from the command line.
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_the_place_is_kept_per_database_file(make_app, two_articles, tmp_path, db_path):
    kursk, _ = two_articles
    # A copy holds the same articles, but nothing was read in it yet.
    copy = tmp_path / "copy.db"
    copy.write_bytes(db_path.read_bytes())
    await read_and_move(make_app, kursk, 3)
    other = make_app(path=copy)
    async with other.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(other.screen, LibraryScreen))


async def test_an_article_that_is_gone_opens_the_library(make_app, two_articles, db_path):
    kursk, memo = two_articles
    await read_and_move(make_app, memo, 2)
    db = open_db(db_path)
    db.execute("DELETE FROM articles WHERE id = ?", [memo])
    db.conn.commit()
    db.conn.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_an_article_in_the_trash_is_not_reopened_the_library_opens(make_app, two_articles,
                                                                          db_path):
    kursk, memo = two_articles
    await read_and_move(make_app, kursk, 2)
    db = open_db(db_path)
    delete_article(db, kursk)
    db.conn.close()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        # The trashed article stays in the trash: the library lists only the memo.
        assert [row.value for row in app.screen.table.rows] == [memo]
        assert not [n for n in app._notifications if n.severity == "error"]


async def test_review_reopens_with_the_sort_and_the_filter_left(make_app, two_articles):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) and not app.screen.busy)
        screen = app.screen
        screen.sort_by("confidence", descending=False)
        await pilot.press("slash", *"kind:claim", "enter")
        await until(pilot, lambda: screen.filters == {"kind": "claim"} and not screen.busy)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) and not app.screen.busy)
        screen = app.screen
        await drawn(pilot, screen)
        assert (screen.order, screen.descending) == ("confidence", False)
        assert screen.query_one("#filter").value == "kind:claim"
        assert [screen.table.cells_at(row)[0].plain for row in range(screen.table.row_count)] \
            == ["claim"]
        assert "sorted by confidence, lowest first" in screen.query_one("#review-status").text.plain
