"""A revised article as the analyst meets it in the TUI: what changed since the last reading,
the changes between revisions, changed and orphaned annotations in the reader (accept,
re-attach, undo) and the anchor filters of Review. The whole of margin, driven with the Pilot,
on real SQLite files; revisions are imported through the store as the CLI imports them."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from store.annotations import add_annotation_by_text, get_annotation
from store.articles import get_article
from store.db import open_db
from store.revisions import import_article
from tui.app import MarginApp
from tui.screens.changes import ChangesScreen
from tui.screens.reader import ReaderScreen

from pilot_helpers import drawn, until

URL = "https://example.org/news/harbour-wall"
FIRST = ("Harbour wall approved\n\n"
         "The council said on Monday that 6,000 homes along the estuary were at risk from the "
         "spring tides this year.\n\n"
         "Engineers warned that the old barrier had cracked in two places.\n\n"
         "The river authority will publish its own survey next month.")
SECOND = ("Harbour wall approved\n\n"
          "Update: this article was corrected on Tuesday.\n\n"
          "The council said on Monday that 7,000 homes along the estuary were at risk from the "
          "spring tides this year.\n\n"
          "The river authority will publish its own survey next month.")
THIRD = SECOND.replace("next month", "in the spring")


def draft(text: str) -> SimpleNamespace:
    return SimpleNamespace(text=text, title="Harbour wall approved", authors=[], outlet=None,
                           url=URL, published=None, section=None, language="en",
                           source="page.html", format="html", notices={})


@pytest.fixture
def revised(db_path: Path) -> SimpleNamespace:
    """An article read and annotated on its first revision, then revised: a changed quote
    (a figure updated), an orphaned claim (its sentence deleted), a moved claim."""
    db = open_db(db_path)
    article = import_article(db, draft(FIRST)).article
    db["articles"].update(article["id"], {"read_revision": 1})
    changed = add_annotation_by_text(db, article["id"], kind="quote",
                                     text="6,000 homes along the estuary were at risk")
    orphan = add_annotation_by_text(db, article["id"], kind="claim",
                                    text="the old barrier had cracked")
    moved = add_annotation_by_text(db, article["id"], kind="claim", text="publish its own survey")
    import_article(db, draft(SECOND))
    kinds = [get_annotation(db, a["id"])["anchor"] for a in (changed, orphan, moved)]
    assert kinds == ["changed", "orphan", "moved"]
    db.conn.close()
    return SimpleNamespace(path=db_path, id=article["id"], changed=changed["id"],
                           orphan=orphan["id"], moved=moved["id"])


def stored(path: Path, article_id: str) -> dict:
    db = open_db(path)
    try:
        return get_article(db, article_id)
    finally:
        db.conn.close()


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def open_reader(pilot, app) -> ReaderScreen:
    await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
    await drawn(pilot, app.screen)
    return app.screen


# --- what changed since the last reading -----------------------------------------------------

async def test_opening_a_revised_article_says_what_changed_since_it_was_last_read(revised):
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_reader(pilot, app)
        await until(pilot, lambda: any("since you last read" in m for m in messages(app)))
        told = next(m for m in messages(app) if "since you last read" in m)
        assert told.startswith(
            "Revised since you last read it (revision 1 → 2): 2 insertions, 2 deletions "
            "(8 words added, 12 removed); annotations: 1 moved, 1 changed, 1 orphaned")
    assert stored(revised.path, revised.id)["read_revision"] == 2


async def test_an_article_read_since_its_last_revision_opens_without_a_notice(revised):
    db = open_db(revised.path)
    db["articles"].update(revised.id, {"read_revision": 2})
    db.conn.close()
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_reader(pilot, app)
        # The reader's own first notices have had their turn: none says it was revised.
        await until(pilot, lambda: screen.workers is not None and not any(
            w.group == "since-read" for w in screen.workers))
        assert not any("since you last read" in m for m in messages(app))


# --- the changes between revisions -----------------------------------------------------------

def changes_shown(app) -> str:
    return str(app.screen.query_one("#changes-text").render())


async def test_the_changes_view_shows_deletions_and_insertions_inline_and_escape_closes(revised):
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_reader(pilot, app)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ChangesScreen)
                    and "insertion" in app.screen.summary)
        assert app.screen.summary == ("Revision 1 → 2: 2 insertions, 2 deletions "
                                      "(8 words added, 12 removed)")
        shown = changes_shown(app)
        assert "{+Update: this article was corrected on Tuesday.+}" in shown
        assert "that [-6,000-]{+7,000+} homes" in shown
        assert "[-Engineers warned that the old barrier had cracked in two places." in shown
        text = app.screen.query_one("#changes-text").render()
        styles = [set(str(span.style).split()) for span in text.spans]
        assert any({"strike"} <= words and any("red" in w for w in words) for words in styles)
        assert any({"underline"} <= words and any("green" in w for w in words)
                   for words in styles)
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))


async def test_the_changes_view_steps_either_end_through_the_revisions(revised):
    db = open_db(revised.path)
    import_article(db, draft(THIRD))
    db.conn.close()
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_reader(pilot, app)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ChangesScreen)
                    and app.screen.summary.startswith("Revision 2 → 3: 1 insertion"))
        assert "[-next month-]{+in the spring+}" in changes_shown(app)
        await pilot.press("left_square_bracket")
        await until(pilot, lambda: app.screen.summary.startswith("Revision 1 → 3: 3 insertions"))
        await pilot.press("left_curly_bracket")
        await until(pilot, lambda: app.screen.summary.startswith("Revision 1 → 2: 2 insertions"))
        assert "[-next month-]" not in changes_shown(app)
        told = len(app._notifications)
        await pilot.press("left_square_bracket")  # there is no revision 0
        await until(pilot, lambda: len(app._notifications) > told)
        assert messages(app)[-1] == "The article has revisions 1 to 3"
        assert app.screen.summary.startswith("Revision 1 → 2")


async def test_the_changes_view_scrolls_by_keyboard(revised, db_path):
    db = open_db(revised.path)
    long = SECOND + "".join(f"\n\nParagraph {n} adds more about the wall." for n in range(80))
    import_article(db, draft(long))
    db.conn.close()
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=(100, 24)) as pilot:
        await open_reader(pilot, app)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(app.screen, ChangesScreen)
                    and "insertion" in app.screen.summary)
        scroller = app.screen.scroller
        await until(pilot, lambda: scroller.max_scroll_y > 0)
        await pilot.press("pagedown")
        await until(pilot, lambda: scroller.scroll_y > 0)
        await pilot.press("G")
        await until(pilot, lambda: scroller.scroll_y == scroller.max_scroll_y)
        await pilot.press("g")
        await until(pilot, lambda: scroller.scroll_y == 0)


async def test_show_changes_on_an_article_with_one_revision_says_there_is_nothing(db_path):
    db = open_db(db_path)
    article = import_article(db, draft(FIRST)).article
    db.conn.close()
    app = MarginApp(db_path, open_article=article["id"])
    async with app.run_test(size=(120, 36)) as pilot:
        await open_reader(pilot, app)
        await pilot.press("D")
        await until(pilot, lambda: any("one revision" in m for m in messages(app)))
        assert isinstance(app.screen, ReaderScreen)
