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


async def test_the_changes_told_are_those_since_the_revision_last_read_not_since_the_first(
        revised):
    db = open_db(revised.path)
    db["articles"].update(revised.id, {"read_revision": 2})
    import_article(db, draft(THIRD))
    db.conn.close()
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=(120, 36)) as pilot:
        await open_reader(pilot, app)
        await until(pilot, lambda: any("since you last read" in m for m in messages(app)))
        told = [m for m in messages(app) if "since you last read" in m]
        assert len(told) == 1
        # Only "next month" → "in the spring"; the annotations made on revision 1 stand as
        # revision 3 places them.
        assert told[0].startswith(
            "Revised since you last read it (revision 2 → 3): 1 insertion, 1 deletion "
            "(3 words added, 2 removed); annotations: 1 moved, 1 changed, 1 orphaned")
    assert stored(revised.path, revised.id)["read_revision"] == 3


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


# --- changed and orphaned annotations in the reader ------------------------------------------

WIDE = (160, 40)


def anchor_of(app, annotation_id: str) -> dict:
    return get_annotation(app.db, annotation_id)


def changed_style_on(view, offset: int) -> bool:
    """Whether the changed mark is drawn on the article's character at ``offset``."""
    row, column = view.location_of(offset)
    line = view.get_line(row)
    mark = view._style("article-view--changed")
    return any(span.start <= column < span.end and span.style == mark for span in line.spans)


async def test_a_changed_annotation_is_marked_until_accepted_and_u_marks_it_again(
        revised, screen_text):
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_reader(pilot, app)
        at = screen.text.index("7,000 homes")
        assert "≠ changed quote" in screen_text(app)
        assert "6,000 → 7,000 · 7,000 homes along the estuary" in screen_text(app)
        assert changed_style_on(screen.view, at)
        await pilot.press("right_square_bracket")  # to the first annotation: the changed quote
        await until(pilot, lambda: (screen.view.current_annotation or {}).get("id")
                    == revised.changed)
        await pilot.press("a")
        await until(pilot, lambda: anchor_of(app, revised.changed)["reviewed_at"] is not None)
        accepted = anchor_of(app, revised.changed)
        assert (accepted["anchor"], accepted["current"]) == (
            "changed", "7,000 homes along the estuary were at risk")
        await until(pilot, lambda: "≠ changed" not in screen_text(app))
        assert not changed_style_on(screen.view, at)
        await drawn(pilot, screen)
        await pilot.press("u")
        await until(pilot, lambda: anchor_of(app, revised.changed)["reviewed_at"] is None)
        await until(pilot, lambda: "≠ changed quote" in screen_text(app))
        assert changed_style_on(screen.view, at)


async def test_accept_on_an_annotation_whose_words_were_not_edited_changes_nothing(revised):
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_reader(pilot, app)
        screen.view.move_to(screen.text.index("publish its own"))  # the moved claim
        await until(pilot, lambda: (screen.view.current_annotation or {}).get("id")
                    == revised.moved)
        await pilot.press("a")
        await until(pilot, lambda: any("No changed annotation" in m for m in messages(app)))
        assert anchor_of(app, revised.changed)["reviewed_at"] is None


async def choose_in_side_list(pilot, screen, annotation_id: str) -> None:
    """Go to the side list, move to the annotation and press enter, as the analyst would."""
    from tui.widgets.annotation_list import AnnotationList

    listing = screen.query_one(AnnotationList)
    listing.focus()
    await until(pilot, lambda: listing.has_focus)
    while listing.highlighted_id != annotation_id:
        await pilot.press("down")
    await pilot.press("enter")
    await until(pilot, lambda: screen.view.has_focus)


async def test_an_orphan_is_listed_in_its_old_context_and_reattaches_to_found_words_undoably(
        revised, screen_text):
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_reader(pilot, app)
        shown = screen_text(app)
        assert "⚠ orphan claim — the passage was deleted" in shown
        assert "…ngineers warned that the old barrier had crack" in shown
        assert revised.orphan not in [a["id"] for a in screen.view.annotations]
        await choose_in_side_list(pilot, screen, revised.orphan)
        await until(pilot, lambda: any("lost its place" in m and "press R to re-attach" in m
                                       for m in messages(app)))
        await pilot.press("slash", *"corrected on Tuesday", "enter")
        await until(pilot, lambda: screen.match_index is not None)
        await drawn(pilot, screen)
        await pilot.press("R")
        await until(pilot, lambda: anchor_of(app, revised.orphan)["anchor"] != "orphan")
        placed = anchor_of(app, revised.orphan)
        assert (placed["anchor"], placed["current"], placed["reason"]) == (
            "changed", "corrected on Tuesday", "re-attached by the analyst")
        assert placed["exact"] == "the old barrier had cracked"  # its own words are kept
        await until(pilot, lambda: revised.orphan in [a["id"] for a in screen.view.annotations])
        await until(pilot, lambda: "⚠ orphan" not in screen_text(app))
        await drawn(pilot, screen)
        await pilot.press("u")
        await until(pilot, lambda: anchor_of(app, revised.orphan)["anchor"] == "orphan")
        await until(pilot, lambda: "⚠ orphan claim" in screen_text(app))
        assert revised.orphan not in [a["id"] for a in screen.view.annotations]


async def test_reattach_without_an_annotation_chosen_in_the_side_list_says_how(revised):
    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=WIDE) as pilot:
        screen = await open_reader(pilot, app)
        await pilot.press("s", "R")
        await until(pilot, lambda: any("Choose the annotation to re-attach" in m
                                       for m in messages(app)))
        assert anchor_of(app, revised.orphan)["anchor"] == "orphan"


async def test_accept_and_reattach_typed_before_the_annotations_were_redrawn_change_nothing(
        revised):
    from textual import events

    app = MarginApp(revised.path, open_article=revised.id)
    async with app.run_test(size=WIDE, notifications=True) as pilot:
        screen = await open_reader(pilot, app)
        await choose_in_side_list(pilot, screen, revised.orphan)
        screen.view.stop_at(next(a for a in screen.view.annotations
                                 if a["id"] == revised.changed))
        screen.view.select_span(0, 7)
        # Pressed now, while the annotations are being replaced and not yet drawn again.
        typed = [events.Key("a", "a"), events.Key("R", "R")]
        screen.reload_annotations()
        await drawn(pilot, screen)
        told = len(app._notifications)
        for key in typed:
            app.post_message(key)
        await until(pilot, lambda: len(app._notifications) >= told + 2)
        assert all("ignored: nothing was changed" in m for m in messages(app)[told:])
        assert anchor_of(app, revised.changed)["reviewed_at"] is None
        assert anchor_of(app, revised.orphan)["anchor"] == "orphan"


# --- Review: anchor and verification filters, and the marks in its rows ----------------------

async def review_settled(pilot):
    from tui.screens.review import ReviewScreen

    await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                and not pilot.app.screen.busy)
    await drawn(pilot, pilot.app.screen)
    return pilot.app.screen


def review_excerpts(screen) -> list[str]:
    table = screen.table
    return sorted(table.cells_at(row)[3].plain for row in range(table.row_count))


async def filter_review(pilot, line: str):
    screen = pilot.app.screen
    screen.query_one("#filter").value = ""
    await pilot.press("slash", *line)
    return await review_settled(pilot)


@pytest.mark.parametrize("line, expected", [
    ("anchor:changed", ["≠ changed 6,000 homes along the estuary were at risk"]),
    ("anchor:orphan", ["⚠ orphan the old barrier had cracked"]),
    ("anchor:orph kind:claim", ["⚠ orphan the old barrier had cracked"]),
    ("anchor:moved", ["publish its own survey"]),
    ("anchor:exact", []),
    ("verified:no", ["≠ changed 6,000 homes along the estuary were at risk"]),
    ("verified:yes", []),
])
async def test_review_filters_by_anchor_and_verification_and_marks_the_rows(
        revised, line, expected):
    app = MarginApp(revised.path)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        screen = await review_settled(pilot)
        assert review_excerpts(screen) == [
            "publish its own survey", "≠ changed 6,000 homes along the estuary were at risk",
            "⚠ orphan the old barrier had cracked"]
        screen = await filter_review(pilot, line)
        assert review_excerpts(screen) == expected


async def test_review_marks_a_quote_that_lost_its_quotation_marks_unverified(db_path):
    db = open_db(db_path)
    text = 'Harbour wall approved\n\nThe mayor said "the wall will hold" on Monday.'
    article = import_article(db, draft(text)).article
    add_annotation_by_text(db, article["id"], kind="quote", text="the wall will hold")
    import_article(db, draft(text.replace('"the wall will hold"', "the wall will hold")))
    db.conn.close()
    app = MarginApp(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        screen = await filter_review(pilot, "verified:no")
        assert review_excerpts(screen) == ["✗ unverified the wall will hold"]


@pytest.mark.parametrize("line, said", [
    ("anchor:wobbly", "unknown anchor 'wobbly'"),
    ("verified:maybe", "verified:maybe is neither yes nor no"),
])
async def test_a_bad_anchor_or_verified_term_is_explained_and_the_rows_stay(
        revised, line, said):
    app = MarginApp(revised.path)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        await pilot.press("r")
        await review_settled(pilot)
        screen = await filter_review(pilot, "kind:claim")
        # Pasted whole: typed a key at a time, "kind:claim verified" would be a valid search
        # for the word "verified" on the way, and which rows then stay depends on timing.
        screen.query_one("#filter").insert_text_at_cursor(f" {line}")
        screen = await review_settled(pilot)
        error = screen.query_one("#filter-error")
        await until(pilot, lambda: error.display and said in str(error.render()))
        assert review_excerpts(screen) == ["publish its own survey",
                                           "⚠ orphan the old barrier had cracked"]


# --- what it looks like -----------------------------------------------------------------------

def test_changes_view_snapshot(revised, snap_compare):
    """Deleted words struck through in red inside [- -], inserted ones underlined in green
    inside {+ +}; check a new picture by eye before updating it."""
    db = open_db(revised.path)
    db["articles"].update(revised.id, {"read_revision": 2})  # no notice over the picture
    db.conn.close()

    async def show_changes(pilot) -> None:
        await until(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen))
        await drawn(pilot, pilot.app.screen)
        await pilot.press("D")
        await until(pilot, lambda: isinstance(pilot.app.screen, ChangesScreen)
                    and "insertion" in pilot.app.screen.summary)
        await pilot.pause()
        await pilot.wait_for_scheduled_animations()

    assert snap_compare(MarginApp(revised.path, open_article=revised.id),
                        terminal_size=(100, 24), run_before=show_changes)


def test_an_orphans_old_context_keeps_the_articles_own_spacing():
    from tui.widgets.annotation_list import annotation_words

    orphan = {"kind": "quote", "anchor": "orphan", "exact": "They are learning fast",
              "prefix": 'clear mines. "', "suffix": '," he said.\n\nThe'}
    assert annotation_words(orphan).plain == '…clear mines. "They are learning fast," he said. The…'
