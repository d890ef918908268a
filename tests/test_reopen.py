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


# --- The place survives a crash: saved while margin runs, never half-written -----------------

def saved_place(db_path: Path) -> dict:
    """What the place file on disk holds for this database now (``{}`` while it holds nothing)."""
    import json

    from tui.paths import place_path

    if not place_path().exists():
        return {}
    return json.loads(place_path().read_text(encoding="utf-8")).get(str(db_path.resolve()), {})


async def test_moving_the_cursor_is_saved_while_margin_runs_not_only_on_exit(make_app,
                                                                             two_articles,
                                                                             db_path):
    kursk, _ = two_articles
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert app.open_reader(kursk)
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.is_mounted)
        # Opening the article is remembered at once.
        await until(pilot, lambda: saved_place(db_path).get("article") == kursk)
        await drawn(pilot, app.screen)
        await pilot.press(*["w"] * 5)
        view = app.screen.view
        await until(pilot, lambda: view.cursor_offset > 0)
        # The cursor is saved a moment later, from a timer, while margin is still running.
        await until(pilot, lambda: saved_place(db_path).get("offset") == view.cursor_offset)
        assert app.is_running


async def test_leaving_the_reader_saves_the_place_at_once(make_app, two_articles, db_path):
    kursk, _ = two_articles
    app = make_app()
    # No timer fires within the test: only leaving the screen can have written the file.
    app.PLACE_SAVE_SECONDS = 3600
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert app.open_reader(kursk)
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.is_mounted)
        await drawn(pilot, app.screen)
        await pilot.press(*["w"] * 4)
        view = app.screen.view
        await until(pilot, lambda: view.cursor_offset > 0)
        offset = view.cursor_offset
        assert saved_place(db_path).get("offset") != offset
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await until(pilot, lambda: (saved_place(db_path).get("article"),
                                    saved_place(db_path).get("offset")) == (kursk, offset))


def test_margin_killed_without_warning_reopens_where_the_cursor_was(tmux, two_articles,
                                                                    db_path, tmp_path,
                                                                    kursk_path):
    """A real margin in a real terminal, killed with SIGKILL (as a crash or a lost SSH session
    would end it): no exit code runs, yet the next start opens the article at the cursor."""
    import asyncio
    import os
    import signal
    import sys
    import time

    from tui.app import MarginApp

    kursk, _ = two_articles
    # ``margin open`` on the file already imported reads that article, from its start.
    # Where twelve words from the start lands, measured on a copy (its place is its own).
    copy = tmp_path / "copy.db"
    copy.write_bytes(db_path.read_bytes())
    expected = asyncio.run(read_and_move(lambda: MarginApp(copy), kursk, 12))

    pid_file = tmp_path / "margin.pid"
    command = (f"echo $$ > {pid_file}; exec env -u COLUMNS -u LINES {sys.executable} -c "
               f"'from tui.cli import main; main()' --db {db_path} open {kursk_path}")
    tmux.start(["sh", "-c", command])
    tmux.wait_for(lambda screen: "0%" in screen)
    tmux.press(*["w"] * 12)
    deadline = time.monotonic() + 30
    while saved_place(db_path).get("offset") != expected:
        assert time.monotonic() < deadline, f"the place file never held {expected}: " \
                                            f"{saved_place(db_path)}"
        time.sleep(0.05)
    pid = int(pid_file.read_text())
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and "State:\tZ" not in \
            Path(f"/proc/{pid}/status").read_text(errors="replace"):
        assert time.monotonic() < deadline, "margin did not die"
        time.sleep(0.05)

    async def reopen() -> tuple[str, int]:
        app = MarginApp(db_path)
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                        and app.screen.is_mounted)
            return app.screen.article_id, app.screen.view.cursor_offset

    assert asyncio.run(reopen()) == (kursk, expected)


@pytest.mark.parametrize("damage", ["half-written JSON", "a list, not places", "a folder"])
async def test_a_damaged_place_file_opens_the_library_and_says_so_once(make_app, two_articles,
                                                                       damage):
    from tui.paths import place_path

    path = place_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    if damage == "half-written JSON":
        path.write_text('{"/some/margin.db": {"article": "', encoding="utf-8")
    elif damage == "a list, not places":
        path.write_text("[1, 2, 3]", encoding="utf-8")
    else:
        path.mkdir()
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await until(pilot, lambda: len(app._notifications) == 1)
        (notice,) = app._notifications
        assert notice.severity == "information"
        assert "could not be read" in notice.message and str(path) in notice.message
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, ReviewScreen) and not app.screen.busy)
        assert len(app._notifications) == 1
