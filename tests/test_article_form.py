"""Correcting an article's metadata and managing the library in the TUI, driven with the Pilot
as an analyst would: the metadata form from the library and the reader, undo, trash, archive."""

from __future__ import annotations

from store.annotations import add_annotation_by_text, list_annotations
from store.articles import add_article, get_article, list_articles
from store.db import open_db
from store.ingest import read_source
from tui.screens.dialogs import ConfirmTrash, EditArticleScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen

from pilot_helpers import drawn, until

SIZE = (110, 34)


def stored_kursk(db_path, kursk_path, annotations: int = 0) -> str:
    db = open_db(db_path)
    try:
        article = add_article(db, read_source(str(kursk_path)))[0]
        for text in ("North Korean", "Kursk Oblast", "border security")[:annotations]:
            add_annotation_by_text(db, article["id"], kind="claim", text=text)
        return article["id"]
    finally:
        db.conn.close()


def listed_ids(app) -> list[str]:
    table = app.screen.table
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


async def library(pilot) -> LibraryScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, LibraryScreen)
                and pilot.app.screen.table.row_count > 0)
    return pilot.app.screen


async def form(pilot) -> EditArticleScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, EditArticleScreen)
                and pilot.app.focused is not None and pilot.app.focused.id == "title")
    return pilot.app.screen


async def replace_field(pilot, name: str, text: str) -> None:
    """Tab to a field (its text is selected on focus) and type over it."""
    while pilot.app.focused.id != name:
        await pilot.press("tab")
    await pilot.press(*text) if text else await pilot.press("backspace")


async def test_the_form_from_the_library_saves_at_once_and_the_row_shows_it(
        make_app, db_path, kursk_path, screen_text):
    article_id = stored_kursk(db_path, kursk_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library(pilot)
        await pilot.press("E")
        await form(pilot)
        assert app.focused.value.startswith("North Korean troops concentrated")
        await pilot.press(*"Troops in Kursk")
        await replace_field(pilot, "authors", "Olga Katsimon; {Ukrainska Pravda staff}")
        await replace_field(pilot, "outlet", "Ukrainska Pravda")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await until(pilot, lambda: "Troops in Kursk" in screen_text(app))
        assert "Ukrainska Pravda" in screen_text(app)
        stored = get_article(app.db, article_id)
        assert (stored["title"], stored["authors"], stored["outlet"]) == (
            "Troops in Kursk", ["Olga Katsimon", "{Ukrainska Pravda staff}"], "Ukrainska Pravda")


async def test_a_bad_date_is_marked_with_its_reason_and_nothing_saves_until_it_is_fixed(
        make_app, db_path, kursk_path, screen_text):
    article_id = stored_kursk(db_path, kursk_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library(pilot)
        before = get_article(app.db, article_id)
        await pilot.press("E")
        await form(pilot)
        await pilot.press(*"Troops in Kursk")
        await replace_field(pilot, "published", "7 Sept")
        await replace_field(pilot, "url", "pravda.com.ua")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "is not a date" in screen_text(app))
        text = screen_text(app)
        assert "'7 Sept' is not a date" in text and "is not a web address" in text
        assert isinstance(app.screen, EditArticleScreen)
        assert get_article(app.db, article_id) == before
        await replace_field(pilot, "published", "2025-09-08")
        await replace_field(pilot, "url", "https://www.pravda.com.ua/eng/")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        stored = get_article(app.db, article_id)
        assert (stored["title"], stored["published"], stored["url"]) == (
            "Troops in Kursk", "2025-09-08", "https://www.pravda.com.ua/eng/")


async def test_the_form_from_the_reader_updates_its_header_and_u_undoes_it(
        make_app, db_path, kursk_path, screen_text):
    article_id = stored_kursk(db_path, kursk_path)
    app = make_app(open_article=article_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await drawn(pilot, app.screen)
        await pilot.press("E")
        await form(pilot)
        await replace_field(pilot, "outlet", "Pravda English")
        await replace_field(pilot, "published", "2025-09-08")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        header = lambda: str(app.screen.query_one("#article-header").render())
        await until(pilot, lambda: "Pravda English" in header())
        assert "8 September 2025" in header()
        await drawn(pilot, app.screen)
        await pilot.press("u")
        await until(pilot, lambda: "Pravda English" not in header())
        assert "7 September 2025" in header()
        assert get_article(app.db, article_id)["outlet"] is None
        assert any(note.message.startswith("Undid the change to the article")
                   for note in app._notifications)


async def test_trashing_an_article_with_annotations_asks_saying_how_many_and_restores(
        make_app, db_path, kursk_path, screen_text):
    article_id = stored_kursk(db_path, kursk_path, annotations=2)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library(pilot)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmTrash))
        await until(pilot, lambda: "It has 2 annotations. Move it to the trash?" in screen_text(app))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert listed_ids(app) == [article_id]
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, ConfirmTrash))
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen) and not listed_ids(app))
        assert list_articles(app.db, state="trash")[0]["id"] == article_id
        await pilot.press("T")
        await until(pilot, lambda: listed_ids(app) == [article_id])
        assert "Trash" in screen_text(app)
        await pilot.press("u")
        await until(pilot, lambda: not listed_ids(app))
        await pilot.press("T")
        await until(pilot, lambda: listed_ids(app) == [article_id])
        assert list_articles(app.db)[0]["id"] == article_id


async def test_an_archived_article_leaves_the_library_but_its_annotations_stay_in_review(
        make_app, db_path, kursk_path):
    article_id = stored_kursk(db_path, kursk_path, annotations=1)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library(pilot)
        await pilot.press("a")
        await until(pilot, lambda: not listed_ids(app))
        assert list_annotations(app.db)[0]["article_id"] == article_id
        await pilot.press("A")
        await until(pilot, lambda: listed_ids(app) == [article_id])
        await pilot.press("u")
        await until(pilot, lambda: not listed_ids(app))
        await pilot.press("A")
        await until(pilot, lambda: listed_ids(app) == [article_id])
        assert list_articles(app.db)[0]["archived_at"] is None
