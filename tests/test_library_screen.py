"""The library screen and the app shell, driven with the Pilot as a user would."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from store.articles import add_article, count_articles, list_articles
from store.db import open_db
from store.ingest import Draft, read_source
from tui.sample import SAMPLE_OUTLET
from tui.screens.library import LibraryScreen

from pilot_helpers import until

SIZE = (100, 30)
KURSK_TITLE = ("North Korean troops concentrated in Kursk Oblast to support border security, "
               "Kyiv says")
SAMPLE_TITLE = ("Port authority refuses to pay for Eastquay flood wall, council says after third "
                "flood in a month")


def store_articles(db_path, *drafts) -> list[dict]:
    db = open_db(db_path)
    try:
        return [add_article(db, draft)[0] for draft in drafts]
    finally:
        db.conn.close()


def listed_ids(app) -> list[str]:
    table = app.screen.table
    return [table.coordinate_to_cell_key((row, 0)).row_key.value for row in range(table.row_count)]


async def library_shown(pilot) -> LibraryScreen:
    """Wait until the library is the screen and has listed the articles."""
    await until(pilot, lambda: isinstance(pilot.app.screen, LibraryScreen)
                and pilot.app.screen.is_mounted)
    return pilot.app.screen


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)


async def paste(pilot, text: str) -> None:
    """Paste into the focused widget, as a terminal does (one event, not a key per character)."""
    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()


async def test_the_first_run_on_an_empty_database_imports_the_sample_and_lists_it(
        make_app, db_path, screen_text):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        assert isinstance(app.screen, LibraryScreen)
        [article] = list_articles(app.db)
        assert article["title"] == SAMPLE_TITLE
        assert article["authors"] == ["Lena Marchetti"]
        assert article["published"].startswith("2026-02-17")
        assert listed_ids(app) == [article["id"]]
        text = screen_text(app)
        assert "Port authority refuses to pay" in text
        assert SAMPLE_OUTLET[:20] in text and "2026-02-17" in text


async def test_a_database_with_articles_gets_no_sample(make_app, db_path, kursk_path):
    [kursk] = store_articles(db_path, read_source(str(kursk_path)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        assert listed_ids(app) == [kursk["id"]]


def test_the_sample_article_is_the_layout_of_a_scraped_page_and_ships_in_the_package():
    import importlib.resources

    text = (importlib.resources.files("tui.sample") / "harbour-flood-wall.txt").read_text("utf-8")
    lines = text.splitlines()
    assert lines[0].strip().startswith("date 2026-02-17 ")
    assert "Photo:" in lines[4]
    for label in ("Source:", "Details:", "Quote: \"", "Background:", "“", "”", " said"):
        assert label in text
    assert 400 <= len(text.split()) <= 600


async def test_titles_and_outlets_show_exactly_as_typed_never_as_markup(
        make_app, db_path, screen_text):
    store_articles(db_path, Draft(text="Body of a hostile article.", title="[bold red]x[/] y",
                                  outlet="[link=http://a]Outlet[/link]", source="t", format="txt"))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        text = screen_text(app)
        assert "[bold red]x[/] y" in text
        assert "[link=http://a]Outlet[/link]"[:20] in text


async def test_an_outlet_protected_with_nocase_markup_is_listed_as_read(
        make_app, db_path, screen_text):
    store_articles(db_path, Draft(text="Body.", title="Leak", source="t", format="txt",
                                  outlet='<span class="nocase">iStories</span> Media'))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await until(pilot, lambda: "iStories Media" in screen_text(app))
        assert "nocase" not in screen_text(app)


async def test_o_imports_a_real_article_in_a_worker_and_selects_it(make_app, kursk_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("o")
        assert app.focused.id == "import"
        await paste(pilot, str(kursk_path))
        await pilot.press("enter")
        await until(pilot, lambda: count_articles(app.db) == 2 and len(listed_ids(app)) == 2)
        articles = list_articles(app.db)
        kursk = next(a for a in articles if a["title"] == KURSK_TITLE)
        assert len(articles) == 2
        assert app.screen.selected_article() == kursk["id"]
        assert [(n.title, n.message) for n in app._notifications] == [("Imported", KURSK_TITLE)]
        assert not app.screen.query_one("#import").display
        assert not app.screen.query_one("#progress").display


async def test_importing_the_same_article_again_says_so_and_adds_nothing(make_app, kursk_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        for _ in range(2):
            told = len(app._notifications)
            app.screen.import_source(str(kursk_path))
            await until(pilot, lambda: len(app._notifications) == told + 1)
        assert count_articles(app.db) == 2
        assert [n.title for n in app._notifications] == ["Imported", "Already in the library"]


async def test_a_bad_path_is_a_notification_and_leaves_the_database_unchanged(
        make_app, tmp_path):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        before = list_articles(app.db)
        await pilot.press("o")
        await type_text(pilot, "~/")
        await paste(pilot, str(tmp_path / "missing.txt"))
        assert app.focused.value == "~/" + str(tmp_path / "missing.txt")
        await pilot.press("home", "delete", "delete")
        await pilot.press("enter")
        await until(pilot, lambda: app._notifications)
        assert list_articles(app.db) == before
        [note] = app._notifications
        assert note.severity == "error"
        assert str(tmp_path / "missing.txt") in note.message and "no such file" in note.message
        assert isinstance(app.screen, LibraryScreen)


async def test_escape_closes_the_import_prompt_without_importing(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("o", "x", "escape")
        await until(pilot, lambda: app.focused is app.screen.table)
        assert not app.screen.query_one("#import").display
        assert app.focused is app.screen.table
        assert count_articles(app.db) == 1


async def test_slash_filters_as_you_type_and_escape_clears_the_filter(
        make_app, db_path, kursk_path):
    kursk, = store_articles(db_path, read_source(str(kursk_path)))
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        assert len(listed_ids(app)) == 1  # a database with an article gets no sample
        store_articles(db_path, Draft(text="Harbour story.", title="Harbour wall vote",
                                      outlet="Gazette", source="t", format="txt"))
        app.screen.reload()
        assert len(listed_ids(app)) == 2
        await pilot.press("slash")
        assert app.focused.id == "filter"
        assert app.focused.cursor_blink is False  # stable screenshots
        await type_text(pilot, "kursk")
        await until(pilot, lambda: listed_ids(app) == [kursk["id"]])
        await type_text(pilot, "zzz")
        await until(pilot, lambda: listed_ids(app) == [])
        await pilot.press("escape")
        await until(pilot, lambda: len(listed_ids(app)) == 2)
        assert not app.screen.query_one("#filter").display


async def test_a_filter_that_matches_nothing_says_so(make_app, screen_text):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("slash", "q", "w", "x")
        await until(pilot, lambda: "No article matches “qwx”." in screen_text(app))


def library_archive_and_trash(db_path) -> dict[str, str]:
    """Three articles, one in each place: the library, the archive and the trash."""
    from store.articles import archive_article, delete_article

    kept, archived, trashed = store_articles(db_path, *(
        Draft(text=f"{name} story.", title=f"{name} harbour wall", outlet="Gazette",
              source=name, format="txt") for name in ("Kept", "Archived", "Trashed")))
    db = open_db(db_path)
    try:
        # Archived last, so that undo (not restore) would bring back the wrong article.
        delete_article(db, trashed["id"])
        archive_article(db, archived["id"])
    finally:
        db.conn.close()
    return {"kept": kept["id"], "archived": archived["id"], "trashed": trashed["id"]}


async def filter_to(pilot, line: str, at_once: bool = False) -> None:
    """Open the filter line and type ``line`` over what it held, or put it there ``at_once``
    (one change, as pasting over the whole line does)."""
    app = pilot.app
    if app.focused is None or app.focused.id != "filter":
        await pilot.press("slash")
        await until(pilot, lambda: app.focused is not None and app.focused.id == "filter")
    if at_once:
        app.focused.value = line
        return
    app.focused.value = ""
    await pilot.press(*line)


async def test_the_filter_lists_the_trash_or_the_archive_with_yes_and_leaves_them_out_with_no(
        make_app, db_path, screen_text):
    ids = library_archive_and_trash(db_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        assert listed_ids(app) == [ids["kept"]]
        await filter_to(pilot, "trash:yes")
        await until(pilot, lambda: listed_ids(app) == [ids["trashed"]])
        assert "Trashed harbour wall" in screen_text(app)
        assert "margin — Trash" in screen_text(app)
        await filter_to(pilot, "archived:yes")
        await until(pilot, lambda: listed_ids(app) == [ids["archived"]])
        assert "margin — Archive" in screen_text(app)
        await filter_to(pilot, "trash:no")
        await until(pilot, lambda: sorted(listed_ids(app)) == sorted([ids["kept"], ids["archived"]]))
        assert "margin — Library and archive" in screen_text(app)
        await filter_to(pilot, "harbour archived:no")
        await until(pilot, lambda: listed_ids(app) == [ids["kept"]])
        await filter_to(pilot, "trash:yes archived:no kept")
        await until(pilot, lambda: listed_ids(app) == [])
        assert "No article matches “trash:yes archived:no kept”." in screen_text(app)
        await pilot.press("escape")
        await until(pilot, lambda: listed_ids(app) == [ids["kept"]])
        assert "margin — Library" in screen_text(app)
        assert "Library and" not in screen_text(app)


async def test_a_filter_term_with_a_bad_value_says_how_to_write_it_and_the_list_stays(
        make_app, db_path, screen_text):
    ids = library_archive_and_trash(db_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await filter_to(pilot, "trash:yes")
        await until(pilot, lambda: listed_ids(app) == [ids["trashed"]])
        await filter_to(pilot, "trash:maybe", at_once=True)
        await until(pilot, lambda: "trash:maybe is neither yes nor no: write trash:yes for the "
                    "trash, trash:no to leave it out" in screen_text(app))
        assert listed_ids(app) == [ids["trashed"]]
        await filter_to(pilot, "archivd:yes")
        await until(pilot, lambda: "unknown filter 'archivd:': did you mean 'archived:'?"
                    in screen_text(app))
        await filter_to(pilot, "archived:yes")
        await until(pilot, lambda: listed_ids(app) == [ids["archived"]])
        assert "neither yes nor no" not in screen_text(app)
        assert "unknown filter" not in screen_text(app)


async def test_u_on_an_article_the_filter_found_in_the_trash_restores_it(make_app, db_path):
    ids = library_archive_and_trash(db_path)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await filter_to(pilot, "trash:yes")
        await until(pilot, lambda: listed_ids(app) == [ids["trashed"]])
        await pilot.press("enter")
        await until(pilot, lambda: app.focused is app.screen.table)
        await pilot.press("u")
        await until(pilot, lambda: listed_ids(app) == [])
        assert [a["id"] for a in list_articles(app.db, state="trash")] == []
        assert ids["trashed"] in [a["id"] for a in list_articles(app.db)]
        assert [a["id"] for a in list_articles(app.db, state="archived")] == [ids["archived"]]


async def test_g_and_home_go_to_the_first_article_and_shift_g_and_end_to_the_last(
        make_app, db_path):
    drafts = [Draft(text=f"Story {n}.", title=f"Harbour story {n}", outlet="Gazette",
                    source=f"s{n}", format="txt") for n in range(4)]
    store_articles(db_path, *drafts)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await library_shown(pilot)
        await until(pilot, lambda: len(listed_ids(app)) == 4)
        ids = listed_ids(app)
        assert screen.selected_article() == ids[0]
        for last, first in (("G", "g"), ("end", "home")):
            await pilot.press(last)
            await until(pilot, lambda: screen.selected_article() == ids[-1])
            await pilot.press(first)
            await until(pilot, lambda: screen.selected_article() == ids[0])


async def test_r_opens_review_or_says_it_is_not_built_yet(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("r")
        try:
            from tui.screens.review import ReviewScreen
        except ImportError:
            assert [n.message for n in app._notifications] == ["Review is not built yet"]
        else:
            await until(pilot, lambda: isinstance(app.screen, ReviewScreen))
            await pilot.press("L")
            await until(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_enter_asks_the_app_to_read_the_article_under_the_cursor(make_app, monkeypatch):
    app = make_app()
    opened = []
    monkeypatch.setattr(app, "open_reader",
                        lambda article_id, select=None: opened.append(article_id))
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("enter")
        assert opened == [app.screen.selected_article()]


async def test_an_unknown_article_is_a_notification_not_a_crash(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        app.open_reader("nonexistent")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        [note] = app._notifications
        assert "no article with id 'nonexistent'" in note.message


async def test_enter_reads_the_article_under_the_cursor_and_l_comes_back(make_app):
    reader = pytest.importorskip("tui.screens.reader", exc_type=ImportError)
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        article_id = app.screen.selected_article()
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, reader.ReaderScreen))
        assert app.screen.article_id == article_id
        await pilot.press("L")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_opening_an_article_from_the_command_line_starts_on_the_reader(
        make_app, db_path, kursk_path):
    reader = pytest.importorskip("tui.screens.reader", exc_type=ImportError)
    kursk, = store_articles(db_path, read_source(str(kursk_path)))
    app = make_app(open_article=kursk["id"])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, reader.ReaderScreen))
        await pilot.press("L")
        await library_shown(pilot)
        await until(pilot, lambda: listed_ids(app) == [kursk["id"]])


async def test_an_article_that_cannot_be_opened_from_the_command_line_leaves_the_library(
        make_app):
    app = make_app(open_article="no-such-article")
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_a_users_key_replaces_the_default_in_the_running_app(make_app):
    app = make_app(keymap={"import-article": "i", "help": "f1"})
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("o")
        assert not app.screen.query_one("#import").display
        await pilot.press("i")
        assert app.focused.id == "import"
        await pilot.press("escape", "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, LibraryScreen)
        await pilot.press("f1")
        await until(pilot, lambda: type(app.screen).__name__ == "HelpScreen")


async def test_ctrl_q_quits(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("ctrl+q")
        await until(pilot, lambda: not app.is_running)


def test_library_snapshot(make_app, snap_compare):
    assert snap_compare(make_app(), terminal_size=SIZE)


async def test_importing_a_page_whose_byline_is_no_author_warns_that_the_author_was_left_empty(make_app):
    page = Path(__file__).resolve().parent / "pages" / "fact-check-claimant-byline.html"
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        app.screen.import_source(str(page))
        await until(pilot, lambda: len(app._notifications) == 2)
        imported, warning = app._notifications
        assert (imported.title, imported.message) == ("Imported", "Did drones hit the airbase?")
        assert warning.title == "Check the metadata" and warning.severity == "warning"
        assert warning.message.startswith("the author was left empty: the page's byline 'The Northern;")
        assert warning.message.endswith(" Press E to edit the article's metadata.")
        assert list_articles(app.db)[0]["authors"] == []


async def test_the_metadata_warning_names_the_edit_key_in_force(make_app):
    page = Path(__file__).resolve().parent / "pages" / "fact-check-claimant-byline.html"
    app = make_app(keymap={"edit-article": "ctrl+e"})
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        app.screen.import_source(str(page))
        await until(pilot, lambda: len(app._notifications) == 2)
        warning = list(app._notifications)[1]
        assert warning.message.endswith(" Press ctrl+e to edit the article's metadata.")


# --- A file refused as not an article can be imported anyway, after a question -----------

@pytest.fixture
def data_table_file(tmp_path: Path) -> Path:
    """A CSV that the store refuses as rows of data, not an article."""
    path = tmp_path / "sites.csv"
    path.write_text("site,lat,lon\nKursk,51.7,36.2\nSudzha,51.2,35.3\nRylsk,51.6,34.7\n",
                    encoding="utf-8")
    return path


async def import_refused_file(app, pilot, path: Path):
    """Import ``path`` with o as a person would, and wait for the question it raises."""
    from tui.screens.dialogs import ConfirmImport

    await library_shown(pilot)
    await pilot.press("o", *str(path), "enter")
    await until(pilot, lambda: isinstance(app.screen, ConfirmImport))
    return app.screen


async def test_a_file_refused_as_not_an_article_is_imported_when_the_analyst_says_yes(
        make_app, data_table_file, screen_text):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await import_refused_file(app, pilot, data_table_file)
        await until(pilot, lambda: "does not look like an article" in screen_text(app))
        shown = screen_text(app)
        assert "rows of data" in shown and "Import it anyway?" in shown
        assert count_articles(app.db) == 1  # only the sample: nothing imported yet
        await pilot.press("y")
        await until(pilot, lambda: dialog is not app.screen)
        await until(pilot, lambda: count_articles(app.db) == 2)
        texts = [row[0] for row in app.db.execute("SELECT text FROM articles").fetchall()]
        assert any("Kursk,51.7,36.2" in text for text in texts)
        await until(pilot, lambda: any(n.title == "Imported" for n in app._notifications))


async def test_a_file_refused_as_not_an_article_stays_out_when_the_analyst_says_no(
        make_app, data_table_file):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        dialog = await import_refused_file(app, pilot, data_table_file)
        await pilot.press("n")
        await until(pilot, lambda: dialog is not app.screen and isinstance(app.screen, LibraryScreen))
        assert count_articles(app.db) == 1
        assert not any(n.title == "Imported" for n in app._notifications)
