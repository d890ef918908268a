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


# --- keeping the outlet's capitals as typed -------------------------------------------------

PROTECTED_KYIV = '<span class="nocase">the Kyiv independent</span>'


def stored_with_outlet(db_path, kursk_path, outlet: str) -> str:
    """The real article with one claim, its outlet set to ``outlet``."""
    from store.articles import edit_article

    article_id = stored_kursk(db_path, kursk_path, annotations=1)
    db = open_db(db_path)
    try:
        edit_article(db, article_id, outlet=outlet)
    finally:
        db.conn.close()
    return article_id


def keep_box(app):
    from textual.widgets import Checkbox

    return app.screen.query_one("#outlet-nocase", Checkbox)


async def toggle_keep_capitals(pilot) -> None:
    """Tab to the box under the outlet and press space, as an analyst would."""
    while pilot.app.focused.id != "outlet-nocase":
        await pilot.press("tab")
    await pilot.press("space")


async def copied_in(pilot, style: str) -> str:
    """In the reader, Y on the annotation under the cursor, the style picked with the arrows;
    returns what was copied."""
    from tui.screens.dialogs import StylePicker

    app = pilot.app
    app.copy_to_clipboard("")
    await pilot.press("Y")
    await until(pilot, lambda: isinstance(app.screen, StylePicker))
    picker = app.screen
    while picker.style_names[picker.query_one("#styles").highlighted] != style:
        await pilot.press("down")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.clipboard != "")
    return app.clipboard


def exported_csl(db_path, article_id: str) -> str:
    """The CSL-JSON export of the article, from the command line."""
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db_path), "export",
                             "--format", "csl-json", "--article", article_id],
                            capture_output=True, env={**os.environ, "MARGIN_DB": ""}, timeout=60)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode()


async def test_keeping_the_outlets_capitals_protects_it_in_copied_citations_and_the_export(
        make_app, db_path, kursk_path, screen_text, no_system_clipboard):
    article_id = stored_with_outlet(db_path, kursk_path, "the Kyiv independent")
    app = make_app(open_article=article_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await drawn(pilot, app.screen)
        await pilot.press("right_square_bracket")
        assert "The Kyiv Independent." in await copied_in(pilot, "apa")
        await pilot.press("E")
        await form(pilot)
        assert "Keep the outlet's capitals as typed in citations" in screen_text(app)
        assert not keep_box(app).value
        await toggle_keep_capitals(pilot)
        assert keep_box(app).value
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert get_article(app.db, article_id)["outlet"] == PROTECTED_KYIV
        header = lambda: str(app.screen.query_one("#article-header").render())
        assert "the Kyiv independent" in header() and "nocase" not in header()
        await drawn(pilot, app.screen)
        apa = await copied_in(pilot, "apa")
        assert apa.endswith("Kyiv says. the Kyiv independent.")
        chicago = await copied_in(pilot, "chicago-note")
        assert "Kyiv Says,” the Kyiv independent, September 7, 2025." in chicago
    assert '"container-title": "<span class=\\"nocase\\">the Kyiv independent</span>"' in (
        exported_csl(db_path, article_id))


async def test_the_box_shows_a_protected_outlet_checked_unchecking_title_cases_it_and_u_undoes(
        make_app, db_path, kursk_path, screen_text, no_system_clipboard):
    article_id = stored_with_outlet(db_path, kursk_path, PROTECTED_KYIV)
    app = make_app(open_article=article_id)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await drawn(pilot, app.screen)
        await pilot.press("right_square_bracket")
        await pilot.press("E")
        await form(pilot)
        assert keep_box(app).value
        assert app.screen.query_one("#outlet").value == "the Kyiv independent"
        await toggle_keep_capitals(pilot)
        assert not keep_box(app).value
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert get_article(app.db, article_id)["outlet"] == "the Kyiv independent"
        assert "Kyiv Says,” The Kyiv Independent, September" in await copied_in(
            pilot, "chicago-note")
        assert '"container-title": "the Kyiv independent"' in exported_csl(db_path, article_id)
        await pilot.press("u")
        await until(pilot, lambda: get_article(app.db, article_id)["outlet"] == PROTECTED_KYIV)
        assert (await copied_in(pilot, "apa")).endswith("the Kyiv independent.")


async def test_an_outlet_that_keeps_its_capitals_by_itself_shows_so_and_stays_unmarked(
        make_app, db_path, kursk_path, screen_text):
    article_id = stored_with_outlet(db_path, kursk_path, "Kyiv weekly")
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library(pilot)
        await pilot.press("E")
        await form(pilot)
        assert not keep_box(app).value and not keep_box(app).disabled
        await toggle_keep_capitals(pilot)
        await replace_field(pilot, "outlet", "POLYGRAPH.info")
        await until(pilot, lambda: keep_box(app).value and keep_box(app).disabled)
        assert "Kept as typed in citations: a web address, or capitals inside a word" in (
            screen_text(app))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        assert get_article(app.db, article_id)["outlet"] == "POLYGRAPH.info"
