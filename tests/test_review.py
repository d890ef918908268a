"""The review screen, driven with the Pilot as an analyst would: every annotation in a table,
filtered while typing, sorted in the database, opened in the reader, edited, deleted and
restored, and still quick with a hundred thousand annotations."""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import add_article, archive_article, delete_article, restore_article
from store.bulk import add_annotations_bulk
from store.db import open_db
from store.ingest import read_source
from tui.app import MarginApp
from tui.screens.reader import ReaderScreen
from tui.screens.dialogs import EditAnnotationScreen, StylePicker
from tui.screens.review import PAGE, ReviewScreen
from tui.widgets.annotation_form import AnnotationForm

from pilot_helpers import drawn, until

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
SIZE = (140, 36)

# (kind, exact words of the article, source, confidence)
ANNOTATIONS = [
    ("quote", "recruitment plan", "Vadym Skibitskyi", 68),
    ("claim", "North Korean troops remain in Russia", "Vadym Skibitskyi", 88),
    ("claim", "Kursk Oblast", "DIU", 50),
    ("quote", "Pyongyang", "Ukrinform", None),
    ("claim", "fortifications", None, 12),
]


# Copies in these tests go the OSC 52 way; tests/test_clipboard.py drives a real one.
pytestmark = pytest.mark.usefixtures("no_system_clipboard")


@pytest.fixture
def library(tmp_path: Path):
    """A database with the real article and five annotations; yields (path, article, ids)."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(KURSK)))
    ids = {}
    for kind, words, source, confidence in ANNOTATIONS:
        saved = store_annotations.add_annotation_by_text(
            db, article["id"], kind=kind, text=words, source=source, confidence=confidence)
        ids[words] = saved["id"]
    db.conn.close()
    return path, article, ids


async def settled(pilot) -> ReviewScreen:
    """Wait until the review has run its filter, fetched its rows and drawn them (failing if
    it never does)."""
    await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                and not pilot.app.screen.busy)
    await drawn(pilot, pilot.app.screen)
    return pilot.app.screen


async def open_review(pilot) -> ReviewScreen:
    await pilot.pause()
    await pilot.press("r")
    screen = await settled(pilot)
    assert isinstance(screen, ReviewScreen)
    return screen


def excerpts(screen: ReviewScreen) -> list[str]:
    """The excerpt column, top to bottom, as shown."""
    table = screen.table
    return [table.cells_at(row)[3].plain for row in range(table.row_count)]


def row_texts(screen: ReviewScreen, row: int) -> list[str]:
    return [cell.plain for cell in screen.table.cells_at(row)]


async def type_filter(pilot, line: str) -> ReviewScreen:
    screen = pilot.app.screen
    screen.query_one("#filter").value = ""
    await pilot.press("slash", *line)
    return await settled(pilot)


def status(screen: ReviewScreen) -> str:
    return screen.query_one("#review-status").text.plain


def notifications(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def test_r_lists_every_annotation_with_kind_source_confidence_excerpt_article_and_date(
        library, screen_text):
    path, article, _ = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert set(excerpts(screen)) == {words for _, words, _, _ in ANNOTATIONS}
        labels = [column.label.plain.split()[0] for column in screen.table.columns]
        assert labels == ["Kind", "Source", "Confidence", "Excerpt", "Article", "By", "Date"]
        row = row_texts(screen, excerpts(screen).index("recruitment plan"))
        assert row[0] == "quote" and row[1] == "Vadym Skibitskyi"
        assert row[2] == "likely (68%)"
        assert row[4] == article["title"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", row[6])
        assert "5 annotations" in status(screen)
        shown = screen_text(pilot.app)
        # At 140 columns the excerpt has 32: a longer one is cut where the table cuts cells.
        assert "likely (68%)" in shown and "North Korean troops remain in R…" in shown


@pytest.mark.parametrize("line, expected", [
    ("kind:quote", {"recruitment plan", "Pyongyang"}),
    ('source:"Vadym Skibitskyi"', {"recruitment plan", "North Korean troops remain in Russia"}),
    ("source:DIU", {"Kursk Oblast"}),
    ("source:skibitskyi", {"recruitment plan", "North Korean troops remain in Russia"}),
    ("conf=5", {"recruitment plan"}),                  # likely: 56–80%
    ("conf>=60", {"recruitment plan", "North Korean troops remain in Russia"}),
    ("conf<50", {"fortifications"}),
    ("korean", {"North Korean troops remain in Russia"}),
    ("kind:claim conf>60", {"North Korean troops remain in Russia"}),
])
async def test_each_filter_term_narrows_the_table_as_the_analyst_types(library, line, expected):
    path, _, _ = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        screen = await type_filter(pilot, line)
        assert set(excerpts(screen)) == expected
        assert f"{len(expected)} annotation" in status(screen)
        assert "matching the filter" in status(screen)


async def test_a_one_letter_word_waits_for_the_next_letter_unless_enter_is_pressed(library):
    path, _, _ = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = await type_filter(pilot, "P")
        assert len(excerpts(screen)) == 5
        await pilot.press(*"yongyang")
        screen = await settled(pilot)
        assert excerpts(screen) == ["Pyongyang"]
        await pilot.press(*["backspace"] * 8, "enter")
        screen = await settled(pilot)
        assert excerpts(screen) == []   # "P" is searched as a whole word, and none is "P"


async def test_words_typed_in_the_filter_match_whole_words_unless_starred(library):
    path, _, _ = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = await type_filter(pilot, "recruit plan")
        assert excerpts(screen) == []
        assert "No annotation matches the filter." in str(
            screen.query_one("#review-empty").render())
        screen = await type_filter(pilot, "recruit*")
        assert excerpts(screen) == ["recruitment plan"]


async def test_an_article_term_takes_a_prefix_of_the_id(library, tmp_path):
    path, article, _ = library
    db = open_db(path)
    other, _ = add_article(db, read_source(str(KURSK.parent / "README.md")))
    store_annotations.add_annotation_by_text(db, other["id"], kind="claim", text="Real articles")
    db.conn.close()
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert len(excerpts(screen)) == 6
        screen = await type_filter(pilot, f"article:{other['id'][:5]}")
        assert excerpts(screen) == ["Real articles"]


async def test_a_term_that_means_nothing_is_explained_and_the_last_rows_stay(library):
    path, _, _ = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = await type_filter(pilot, "kind:quote")
        # Pasted whole: typed a key at a time, "kind:quote conf" would be a valid search for
        # the word "conf" on the way, and which rows then stay would depend on timing.
        screen.query_one("#filter").insert_text_at_cursor(" conf>=abc")
        error = screen.query_one("#filter-error")
        await until(pilot, lambda: error.display and "conf>=abc is neither a term digit nor a "
                    "percentage" in str(error.render()))
        screen = await settled(pilot)
        assert set(excerpts(screen)) == {"recruitment plan", "Pyongyang"}
        for _ in "abc":
            await pilot.press("backspace")
        await pilot.press(*"60")
        screen = await settled(pilot)
        assert not screen.query_one("#filter-error").display
        assert excerpts(screen) == ["recruitment plan"]


async def test_sorting_by_key_or_header_click_orders_rows_as_the_database_does(library):
    path, _, _ = library
    db = open_db(path)

    def order(by: str, descending: bool) -> list[str]:
        return [a["exact"] for a in store_annotations.list_annotations(
            db, order_by=by, descending=descending)]

    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert excerpts(screen) == order("created", True)
        await pilot.press("s")  # the next column after the date wraps round to the kind
        screen = await settled(pilot)
        assert excerpts(screen) == order("kind", False)
        assert "sorted by kind, A to Z" in status(screen)
        await pilot.press("S")
        screen = await settled(pilot)
        assert excerpts(screen) == order("kind", True)
        await pilot.click("#annotations", offset=(35, 0))  # the Confidence header
        screen = await settled(pilot)
        assert excerpts(screen) == order("confidence", True)
        assert screen.table.columns[2].label.plain == "Confidence ▼"
        await pilot.click("#annotations", offset=(35, 0))
        screen = await settled(pilot)
        assert excerpts(screen) == order("confidence", False)
        await pilot.click("#annotations", offset=(12, 0))  # Source
        screen = await settled(pilot)
        assert excerpts(screen) == order("source", False)
    db.conn.close()


async def test_enter_opens_the_reader_on_the_annotation_current_and_nothing_selected(library):
    path, _, ids = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        screen = await type_filter(pilot, "Pyongyang")
        await pilot.press("enter")  # leaves the filter line for the table
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen)
                    and pilot.app.screen.view.current_annotation is not None)
        reader = pilot.app.screen
        annotation = store_annotations.get_annotation(pilot.app.db, ids["Pyongyang"])
        assert reader.view.selected_span is None
        assert reader.view.cursor_offset == annotation["start"]
        assert reader.view.current_annotation["id"] == ids["Pyongyang"]
        # c has no selection to tag again; enter edits this very annotation.
        await pilot.press("c")
        assert reader.form is None
        await pilot.press("enter")
        await until(pilot, lambda: reader.form is not None)
        assert reader.form.editing["id"] == ids["Pyongyang"]
        assert len(store_annotations.list_annotations(pilot.app.db)) == len(ANNOTATIONS)


async def test_d_deletes_and_u_restores_it_from_the_deleted_listing(library):
    path, _, ids = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = await type_filter(pilot, "fortifications")
        await pilot.press("enter", "d")
        screen = await settled(pilot)
        assert excerpts(screen) == []
        assert any("Deleted the claim “fortifications”. Press u to restore it." in message
                   for message in notifications(pilot.app))
        assert store_annotations.get_annotation(pilot.app.db, ids["fortifications"])["deleted_at"]

        screen = await type_filter(pilot, "deleted:yes")
        assert excerpts(screen) == ["fortifications"]
        assert "1 deleted annotation matching the filter" in status(screen)
        await pilot.press("enter", "u")
        screen = await settled(pilot)
        assert excerpts(screen) == []
        assert store_annotations.get_annotation(pilot.app.db,
                                                ids["fortifications"])["deleted_at"] is None
        screen = await type_filter(pilot, "")
        assert "fortifications" in excerpts(screen)


async def test_annotations_of_an_article_in_the_trash_leave_review_archived_ones_stay(library,
                                                                                     tmp_path):
    path, kursk, _ = library
    db = open_db(path)
    memo_file = tmp_path / "memo.txt"
    memo_file.write_text("Memo\n\nThe convoy left at dawn.\n", encoding="utf-8")
    memo, _ = add_article(db, read_source(str(memo_file)))
    store_annotations.add_annotation_by_text(db, memo["id"], kind="claim", text="convoy left")
    delete_article(db, kursk["id"])
    db.conn.close()
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        await until(pilot, lambda: "1 annotation" in status(screen))
        assert excerpts(screen) == ["convoy left"]
        screen = await type_filter(pilot, "deleted:all")
        assert excerpts(screen) == ["convoy left"]
        # Archived, the article keeps its annotations in Review.
        restore_article(pilot.app.db, kursk["id"])
        archive_article(pilot.app.db, kursk["id"])
        screen = await type_filter(pilot, "")
        assert len(excerpts(screen)) == len(ANNOTATIONS) + 1


async def test_g_and_home_go_to_the_first_annotation_and_shift_g_and_end_to_the_last(library):
    path, _, _ = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        last = screen.table.row_count - 1
        for end, start in (("G", "g"), ("end", "home")):
            await pilot.press(end)
            await until(pilot, lambda: screen.table.cursor_row == last)
            await pilot.press(start)
            await until(pilot, lambda: screen.table.cursor_row == 0)


async def test_u_on_a_live_annotation_undoes_the_last_change(library):
    path, _, ids = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        before = len(excerpts(screen))
        await pilot.press("d")
        screen = await settled(pilot)
        assert len(excerpts(screen)) == before - 1
        await pilot.press("u")  # the row under the cursor is live: undo the delete
        screen = await settled(pilot)
        assert len(excerpts(screen)) == before
        assert any(message.startswith("Restored the") for message in notifications(pilot.app))


async def test_e_edits_the_annotation_in_the_form_and_the_row_shows_the_change(library):
    path, _, ids = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = await type_filter(pilot, "Kursk Oblast")
        await pilot.press("enter", "e")
        await until(pilot, lambda: isinstance(pilot.app.screen, EditAnnotationScreen))
        await pilot.pause()
        form = pilot.app.screen.query_one(AnnotationForm)
        form.input("confidence").focus()
        form.input("confidence").value = "6"  # the sixth ICD 203 term: very likely, 88%
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        screen = await settled(pilot)
        saved = store_annotations.get_annotation(pilot.app.db, ids["Kursk Oblast"])
        assert saved["confidence"] == 88
        assert row_texts(screen, 0)[2] == "very likely (88%)"


async def test_y_copies_the_citation_and_Y_copies_it_in_the_style_picked(library, monkeypatch):
    from store.citations import STYLES, cite_annotation

    monkeypatch.setattr(StylePicker, "last_style", None)
    path, article, ids = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        await type_filter(pilot, "recruitment plan")
        await pilot.press("enter", "y")
        await until(pilot, lambda: pilot.app.clipboard != "")
        annotation = store_annotations.get_annotation(pilot.app.db, ids["recruitment plan"])
        assert pilot.app.clipboard == cite_annotation(annotation, article, "analyst")
        assert ("Citation sent to the terminal as OSC 52: it reaches the clipboard if the "
                "terminal accepts clipboard escapes") in notifications(pilot.app)

        await pilot.press("Y")
        await until(pilot, lambda: isinstance(pilot.app.screen, StylePicker))
        for _ in range(list(STYLES).index("apa")):
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        assert pilot.app.clipboard == cite_annotation(annotation, article, "apa")


async def test_escape_in_the_style_picker_copies_nothing(library, monkeypatch):
    path, _, _ = library
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        await pilot.press("Y")
        await until(pilot, lambda: isinstance(pilot.app.screen, StylePicker))
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen))
        assert pilot.app.clipboard == ""


async def test_markup_in_a_source_is_shown_as_typed(library, screen_text):
    path, article, _ = library
    db = open_db(path)
    store_annotations.add_annotation_by_text(db, article["id"], kind="quote", text="Kremlin",
                                             source="[b]Sneaky[/b]")
    db.conn.close()
    async with MarginApp(path).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert "[b]Sneaky[/b]" in screen_text(pilot.app)


# --- A hundred thousand annotations -------------------------------------------------------

MANY = 100_000


@pytest.fixture(scope="module")
def many_template(tmp_path_factory) -> Path:
    """A database of the real article with 100,000 annotations, built once for the module."""
    path = tmp_path_factory.mktemp("many") / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(KURSK)))
    text = article["text"]
    words = [match.span() for match in re.finditer(r"\w+", text)]
    pick = random.Random(203)
    sources = ["Vadym Skibitskyi", "DIU", "Ukrinform", "Kyrylo Budanov", None]
    rows = []
    for number in range(MANY):
        first = pick.randrange(len(words) - 12)
        last = first + pick.randrange(0, 12)
        rows.append({"article_id": article["id"], "kind": pick.choice(("claim", "quote")),
                     "start": words[first][0], "end": words[last][1],
                     "source": pick.choice(sources),
                     "confidence": pick.choice([None, *range(0, 101, 5)]),
                     # Ids in order keep the primary-key index appending, so this takes seconds.
                     "id": f"{number:08x}-0000-4000-8000-000000000000"})
    add_annotations_bulk(db, rows, record_history=False)
    db.conn.close()
    return path


@pytest.fixture
def many(many_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "margin.db"
    shutil.copy(many_template, path)
    return path


async def test_with_100000_annotations_the_table_loads_a_page_and_more_at_the_end(many):
    async with MarginApp(many).run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert screen.table.row_count == PAGE
        assert f"100,000 annotations ({PAGE} loaded)" in status(screen)
        # The key moves the cursor, and the moved cursor asks for the next page a message
        # later: on a busy machine the screen can look idle in between, so wait for the rows.
        await pilot.press("end")
        await until(pilot, lambda: screen.table.row_count == 2 * PAGE)
        screen = await settled(pilot)
        await pilot.press("end")
        await until(pilot, lambda: screen.table.row_count == 3 * PAGE)
        screen = await settled(pilot)
        assert f"100,000 annotations ({3 * PAGE} loaded)" in status(screen)
        listed = [screen.table.key_at(row) for row in range(screen.table.row_count)]
        expected = [a["id"] for a in store_annotations.list_annotations(
            pilot.app.db, limit=3 * PAGE, descending=True)]
        assert listed == expected


async def test_with_100000_annotations_a_filter_counts_all_and_lists_a_page(many):
    async with MarginApp(many).run_test(size=SIZE) as pilot:
        await open_review(pilot)
        screen = await type_filter(pilot, "kind:quote conf>=50")
        total = store_annotations.count_annotations(pilot.app.db, kind="quote",
                                                    min_confidence=50)
        assert PAGE < total < MANY
        assert screen.table.row_count == PAGE
        assert f"{total:,} annotations ({PAGE} loaded) matching the filter" in status(screen)
        assert {row_texts(screen, row)[0] for row in range(PAGE)} == {"quote"}
