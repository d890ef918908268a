"""The title bar and the key bar that every screen shows: what they say, and clicking them."""

from __future__ import annotations

from textual.command import CommandPalette

from store.articles import add_article
from store.db import open_db
from store.ingest import read_source
from tui.screens.reader import FindBar, ReaderScreen
from tui.widgets.key_bar import KeyBar

SIZE = (120, 36)


def opened_on_article(db_path, kursk_path) -> str:
    db = open_db(db_path)
    article, _ = add_article(db, read_source(str(kursk_path)))
    db.conn.close()
    return article["id"]


def rows(text: str) -> list[str]:
    return text.splitlines()


async def test_the_reader_names_itself_and_shows_its_keys(make_app, db_path, kursk_path,
                                                          screen_text):
    app = make_app(open_article=opened_on_article(db_path, kursk_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = rows(screen_text(app))
        assert "margin — Reader" in shown[0]
        assert "/ Find text in the article" in shown[-1]
        assert shown[-1].rstrip().endswith("▏ctrl+p Search every action")


async def test_the_key_bar_follows_focus_to_the_form(make_app, db_path, kursk_path, screen_text):
    app = make_app(open_article=opened_on_article(db_path, kursk_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("s", "c")
        await pilot.pause()
        bottom = rows(screen_text(app))[-1]
        assert "ctrl+s Save the annotation" in bottom
        assert "Find text in the article" not in bottom
        await pilot.press("escape")
        await pilot.pause()
        assert "/ Find text in the article" in rows(screen_text(app))[-1]


async def test_the_key_bar_shows_the_users_keys(make_app, db_path, kursk_path, screen_text):
    app = make_app(keymap={"find": "f"}, open_article=opened_on_article(db_path, kursk_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bottom = rows(screen_text(app))[-1]
        assert "f Find text in the article" in bottom
        assert "/ Find" not in bottom


async def test_clicking_a_key_in_the_bar_presses_it(make_app, db_path, kursk_path, screen_text):
    app = make_app(open_article=opened_on_article(db_path, kursk_path))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        bottom = rows(screen_text(app))[-1]
        column = bottom.index("Find text")
        await pilot.click(KeyBar, offset=(column, 0))
        await pilot.pause()
        assert isinstance(app.focused, FindBar)
        await pilot.press(*"Pyongyang", "enter")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReaderScreen)
        assert screen.view.cursor_offset == screen.text.index("Pyongyang")


async def test_the_library_names_itself_and_its_icon_opens_the_palette(make_app, screen_text):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "margin — Library" in rows(screen_text(app))[0]
        await pilot.click(offset=(1, 0))
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
