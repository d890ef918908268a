"""Every way between the library, the reader, the review and help: each key that changes
screens, pressed on each screen, and back; margin stays up and shows the screen expected."""

from __future__ import annotations

from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import add_article
from store.db import open_db
from store.ingest import read_source
from tui.app import MarginApp
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.review import ReviewScreen

from pilot_helpers import until

SIZE = (120, 36)

# How to get to each screen from the library, and the screen there.
ROUTES = {
    "library": ([], LibraryScreen),
    "reader": (["enter"], ReaderScreen),
    "review": (["r"], ReviewScreen),
    "reader from review": (["r", "enter"], ReaderScreen),
    "help": (["question_mark"], HelpScreen),
}
# What each screen-changing key shows, pressed on each of them.
GOES_TO = {
    "library": {"L": LibraryScreen, "r": ReviewScreen, "question_mark": HelpScreen,
                "enter": ReaderScreen, "escape": LibraryScreen},
    "reader": {"L": LibraryScreen, "r": ReviewScreen, "question_mark": HelpScreen,
               "enter": ReaderScreen, "escape": ReaderScreen},
    "review": {"L": LibraryScreen, "r": ReviewScreen, "question_mark": HelpScreen,
               "enter": ReaderScreen, "escape": ReviewScreen},
    "reader from review": {"L": LibraryScreen, "r": ReviewScreen,
                           "question_mark": HelpScreen, "enter": ReaderScreen,
                           "escape": ReaderScreen},
    "help": {"L": HelpScreen, "r": HelpScreen, "question_mark": LibraryScreen,
             "enter": HelpScreen, "escape": LibraryScreen},
}


@pytest.fixture
def annotated_db(tmp_path: Path, kursk_path: Path) -> Path:
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(kursk_path)))
    store_annotations.add_annotation_by_text(db, article["id"], kind="claim",
                                             text="Pyongyang", source="Ukrinform")
    db.conn.close()
    return path


def ready(app, screen_type) -> bool:
    """The screen is on top and has what its keys act on: rows, an article."""
    screen = app.screen
    if not isinstance(screen, screen_type):
        return False
    if isinstance(screen, ReviewScreen):
        return screen.table.row_count > 0 and not screen.busy
    if isinstance(screen, LibraryScreen):
        return screen.table.row_count > 0
    return True


async def go(pilot, keys: list[str], screen_type) -> None:
    for key in keys:
        await pilot.press(key)
        await pilot.pause()
    await until(pilot, lambda: ready(pilot.app, screen_type))


async def back_to_the_library(pilot) -> None:
    app = pilot.app
    if isinstance(app.screen, HelpScreen):
        await pilot.press("escape")
    if app.screen.query("AnnotationForm"):
        await pilot.press("escape")
    await pilot.press("L")
    await until(pilot, lambda: ready(app, LibraryScreen) and len(app.screen_stack) == 2)


@pytest.mark.parametrize("start", list(ROUTES))
async def test_each_screen_key_from_each_screen_shows_the_screen_expected(start, annotated_db):
    app = MarginApp(annotated_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app, LibraryScreen))
        route, start_type = ROUTES[start]
        for key, expected in GOES_TO[start].items():
            await go(pilot, route, start_type)
            await pilot.press(key)
            await until(pilot, lambda: ready(app, expected))
            assert app.is_running and app.return_code is None
            await back_to_the_library(pilot)
        assert app.is_running and app.return_code is None


@pytest.mark.parametrize("start", ["library", "reader", "review", "reader from review"])
@pytest.mark.parametrize("command, expected", [("Review every annotation", ReviewScreen),
                                               ("Go to the library", LibraryScreen)])
async def test_the_palette_goes_to_the_review_and_the_library_from_each_screen(
        start, command, expected, annotated_db):
    app = MarginApp(annotated_db)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: ready(app, LibraryScreen))
        route, start_type = ROUTES[start]
        await go(pilot, route, start_type)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: app.screen.query("CommandInput"))
        await pilot.press(*command)
        await pilot.press("enter")
        await until(pilot, lambda: ready(app, expected))
        await back_to_the_library(pilot)
        assert app.is_running and app.return_code is None
