"""Keys typed ahead of the screen: a key pressed before a screen drew what it acts on may move
the cursor, open a screen or type into a field, but never deletes, edits, saves, restores or
undoes (``tui.shown``).

Each test makes the race deterministic: its keys are stamped (made) before the screen they
end up on was drawn, and handed to it only once that screen has its content, which is what a
busy machine does to a quick hand. With the rule gone they delete or overwrite every time.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events

from store import annotations as store_annotations
from store.articles import add_article, list_articles
from store.db import open_db
from store.ingest import read_source
from tui.app import MarginApp
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.dialogs import ConfirmTrash, EditAnnotationScreen
from tui.screens.review import ReviewScreen
from tui.widgets.annotation_form import AnnotationForm

from pilot_helpers import until

SIZE = (140, 36)
WORDS = ("recruitment plan", "North Korean troops remain in Russia", "Pyongyang")


@pytest.fixture
def annotated(tmp_path: Path, kursk_path: Path):
    """The real article with three annotations; yields (path, article, ids by words)."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(kursk_path)))
    ids = {words: store_annotations.add_annotation_by_text(
        db, article["id"], kind="claim", text=words, source="Vadym Skibitskyi")["id"]
        for words in WORDS}
    db.conn.close()
    return path, article, ids


def keys_pressed_now(*keys: str) -> list[events.Key]:
    """Keys as the terminal reports them, stamped with this moment."""
    return [events.Key(key, key if len(key) == 1 else None) for key in keys]


def hand_over(app, keys: list[events.Key]) -> None:
    """Deliver keys pressed earlier as the terminal's driver does: the app hands each to
    whatever has the focus by the time it gets to it."""
    for key in keys:
        app.post_message(key)


def said(app) -> list[str]:
    """Every notification so far: each key handed over below says what it did."""
    return [notification.message for notification in app._notifications]


def live_ids(app) -> set[str]:
    return {a["id"] for a in store_annotations.list_annotations(app.db)}


def deleted_ids(app) -> set[str]:
    return {a["id"] for a in store_annotations.list_annotations(app.db, deleted=True)}


async def review_with_rows(pilot) -> ReviewScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                and pilot.app.screen.table.row_count and not pilot.app.screen.busy)
    return pilot.app.screen


async def test_d_typed_before_the_review_drew_its_rows_deletes_nothing_there(annotated):
    path, _, ids = annotated
    app = MarginApp(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        typed = keys_pressed_now("d", "d", "u")
        await pilot.press("r")
        await review_with_rows(pilot)
        hand_over(app, typed)
        await until(pilot, lambda: len(said(app)) == 3)
        assert live_ids(app) == set(ids.values())
        assert deleted_ids(app) == set()
        assert all("ignored: nothing was changed" in message for message in said(app))
        # Pressed now, after the rows were drawn, d deletes the row under the cursor.
        await pilot.press("d")
        await until(pilot, lambda: len(live_ids(app)) == 2)


async def test_d_and_u_typed_before_the_reader_drew_change_nothing_in_it(annotated):
    path, _, ids = annotated
    app = MarginApp(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("r")
        await review_with_rows(pilot)
        typed = keys_pressed_now("d", "enter", "u")
        await pilot.press("enter")  # open the annotation under the cursor in the reader
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                    and app.screen.view.current_annotation is not None)
        reader = app.screen
        hand_over(app, typed)
        await until(pilot, lambda: len(said(app)) == 3)
        assert live_ids(app) == set(ids.values())
        assert reader.form is None
        assert all("ignored: nothing was changed" in message for message in said(app))
        await pilot.press("d")
        await until(pilot, lambda: len(live_ids(app)) == 2)


async def test_keys_typed_ahead_of_the_edit_form_type_into_it_but_do_not_save(annotated):
    path, _, ids = annotated
    app = MarginApp(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("r")
        review = await review_with_rows(pilot)
        annotation_id = review.current_id()
        typed = keys_pressed_now("x", "ctrl+s")
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, EditAnnotationScreen)
                    and app.focused is not None and app.focused.id == "source")
        hand_over(app, typed)
        form = app.screen.query_one(AnnotationForm)
        await until(pilot, lambda: said(app) or not isinstance(app.screen,
                                                               EditAnnotationScreen))
        assert form.values.source == "x"  # typed ahead: moved into the field, shown there
        assert isinstance(app.screen, EditAnnotationScreen)
        stored = store_annotations.get_annotation(app.db, annotation_id)
        assert stored["source"] == "Vadym Skibitskyi"


async def test_keys_typed_after_L_land_on_the_library_and_delete_nothing(annotated):
    path, _, ids = annotated
    app = MarginApp(path)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press("r")
        await review_with_rows(pilot)
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                    and app.screen.view.current_annotation is not None)
        view = app.screen.view
        for key in keys_pressed_now("L", "d", "u", "d"):
            view.post_message(key)
        # On the library d asks before trashing the article, which has annotations: the
        # question stays until answered, and the u and d after it answer nothing.
        await until(pilot, lambda: isinstance(app.screen, ConfirmTrash))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen)
                    and len(app.screen_stack) == 2)
        assert list_articles(app.db, state="trash") == []
        await pilot.press("r")
        await review_with_rows(pilot)
        assert live_ids(app) == set(ids.values())
        assert deleted_ids(app) == set()
