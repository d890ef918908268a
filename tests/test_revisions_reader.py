"""A revised article in the reader and Review: annotations that lost their place are listed,
never drawn, and opening one says so. The whole of margin, driven with the Pilot."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from store.annotations import add_annotation_by_text, get_annotation
from store.db import open_db
from store.ingest import read_source
from store.revisions import import_article
from tui.app import MarginApp
from tui.screens.dialogs import EditAnnotationScreen
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.annotation_list import AnnotationList

from pilot_helpers import drawn, until

URL = "https://example.org/news/flood-wall"
FIRST = ("Harbour wall approved\n\n"
         "The council said 6,000 homes were at risk from the spring tides.\n\n"
         "Engineers warned that the old barrier had cracked in two places.\n\n"
         "The river authority will publish its own survey next month.")
SECOND = FIRST.replace("Engineers warned that the old barrier had cracked in two places.\n\n", "")


def draft(text: str) -> SimpleNamespace:
    return SimpleNamespace(text=text, title="Harbour wall approved", authors=[], outlet=None,
                           url=URL, published=None, section=None, language="en",
                           source="page.html", format="html", notices={})


@pytest.fixture
def revised(tmp_path: Path):
    """A database with an article, a placed claim and an orphaned one after its revision."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    article = import_article(db, draft(FIRST)).article
    placed = add_annotation_by_text(db, article["id"], kind="claim", text="6,000 homes")
    lost = add_annotation_by_text(db, article["id"], kind="claim",
                                  text="the old barrier had cracked")
    import_article(db, draft(SECOND))
    orphan = get_annotation(db, lost["id"])
    assert orphan["anchor"] == "orphan"
    db.conn.close()
    return path, article, placed, orphan


async def test_the_reader_lists_an_orphan_without_drawing_it(revised):
    path, article, placed, orphan = revised
    app = MarginApp(path, open_article=article["id"])
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        screen = app.screen
        await drawn(pilot, screen)
        assert [a["id"] for a in screen.view.annotations] == [placed["id"]]
        listing = screen.query_one(AnnotationList)
        assert [a["id"] for a in listing._annotations] == [placed["id"], orphan["id"]]
        # Choosing the orphan in the side list says it has no place instead of moving.
        listing.highlighted = 1
        listing.action_choose()
        await until(pilot, lambda: any("lost its place" in n.message
                                       for n in app._notifications))


async def test_opening_an_orphan_from_review_says_it_lost_its_place(revised):
    path, article, _, orphan = revised
    app = MarginApp(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        # Review opens an annotation so (enter on its row).
        app.push_screen(ReaderScreen(article["id"], annotation=orphan))
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await until(pilot, lambda: any("lost its place" in n.message
                                       for n in app._notifications))
        assert app.screen.view.cursor_offset == 0


async def test_editing_an_orphan_from_review_opens_the_form(revised):
    path, _, _, orphan = revised
    app = MarginApp(path)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        app.push_screen(EditAnnotationScreen(orphan))
        await until(pilot, lambda: isinstance(app.screen, EditAnnotationScreen)
                    and bool(app.screen.query("#annotation-form")))
        form = app.screen.query_one("#annotation-form")
        assert form.span_text == "the old barrier had cracked"


def page_file(path: Path, text: str) -> Path:
    """A text file whose front matter gives the page's address, as a saved page would."""
    path.write_text(f"---\ntitle: Harbour wall approved\nurl: {URL}\n---\n{text}\n",
                    encoding="utf-8")
    return path


async def test_the_librarys_import_adds_a_revision_of_an_article_at_the_same_address(
        make_app, db_path, tmp_path):
    from store.articles import get_article

    first = page_file(tmp_path / "first.txt", FIRST)
    second = page_file(tmp_path / "second.txt", SECOND)
    db = open_db(db_path)
    article = import_article(db, read_source(str(first))).article
    lost = add_annotation_by_text(db, article["id"], kind="claim",
                                  text="the old barrier had cracked")
    db.conn.close()
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen) and app.screen.is_mounted)
        told = len(app._notifications)
        app.screen.import_source(str(second))
        await until(pilot, lambda: len(app._notifications) > told)
        notes = [(n.title, n.message) for n in app._notifications]
        assert ("New revision", "Harbour wall approved: 0 annotations moved, 0 changed, "
                                "1 lost their place") in notes, notes
        assert get_article(app.db, article["id"])["revision"] == 2
        assert get_annotation(app.db, lost["id"])["anchor"] == "orphan"
