"""The reader, driven with the Pilot as an analyst would: moving, selecting, finding, tagging
with the form, highlights, editing, deleting and undoing, on the real article.

Every test runs the whole of margin (``MarginApp``), opening the article as ``margin open``
does, so the reader meets the app's real keys and connection.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import add_article
from store.db import open_db
from store.ingest import Draft, read_source
from store.sources import list_sources
from textual import events

from tui.app import MarginApp
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.dialogs import ConfirmDiscard
from tui.widgets.annotation_form import AnnotationForm, KindToggle
from tui.widgets.annotation_list import AnnotationList
from tui.widgets.article_view import ArticleView

from pilot_helpers import drawn, until

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
SIZE = (120, 36)
RECRUITMENT = ("There are all the signs that by the end of the year, Russia will fully meet its "
               "recruitment plan.")


@pytest.fixture
def library(tmp_path: Path):
    """A database holding the real article; yields (path, article)."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(KURSK)))
    db.conn.close()
    return path, article


def margin_app(library, keymap: dict[str, str] | None = None) -> MarginApp:
    """The whole of margin, opening the library's article in the reader."""
    path, article = library
    return MarginApp(path, keymap=keymap, open_article=article["id"])


async def paste(pilot, text: str) -> None:
    """Paste into the focused field, as a terminal does: one event, not a key a character."""
    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()


def shown_text(app) -> str:
    """What the terminal shows now, as plain text."""
    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), record=True,
                      force_terminal=True, legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True,
                                                      screen_stack=app._background_screens))
    return console.export_text()


async def opened(pilot) -> tuple[ReaderScreen, ArticleView]:
    """Wait until the reader shows its article (failing if it never does)."""
    await until(pilot, lambda: isinstance(pilot.app.screen, ReaderScreen))
    screen = pilot.app.screen
    await drawn(pilot, screen)
    return screen, screen.view


def cursor_at(view: ArticleView, text: str, occurrence: int = 1) -> bool:
    start = -1
    for _ in range(occurrence):
        start = view.text.index(text, start + 1)
    return view.cursor_offset == start


def selected(view: ArticleView) -> str:
    span = view.selected_span
    return view.text[span[0]:span[1]] if span else ""


async def find(pilot, query: str) -> None:
    """Find ``query`` with the find bar; wait until the bar has closed on the match."""
    await pilot.press("slash", *query, "enter")
    screen = pilot.app.screen
    await until(pilot, lambda: screen.view.has_focus
                and not screen.query_one("#find").has_class("-open"))


async def form_opened(pilot, screen: ReaderScreen) -> AnnotationForm:
    """Wait until the reader shows its annotation form, drawn."""
    await until(pilot, lambda: screen.form is not None)
    await drawn(pilot, screen.form)
    return screen.form


def suggestion(field) -> str:
    """The completion an input shows greyed after what was typed."""
    return field._suggestion


def saved(app) -> list[dict]:
    return store_annotations.list_annotations(app.db)


# --- the screen

async def test_the_reader_shows_the_header_the_article_and_an_empty_side_pane(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        text = shown_text(app)
        assert "North Korean troops concentrated in Kursk Oblast" in text
        assert "Olga Katsimon · 7 September 2025, 17:21" in text
        assert "A concert. Photo: The Korea Herald" in text
        assert "Nothing annotated yet" in text
        article_width = screen.query_one("#article").size.width
        assert 0.6 < article_width / SIZE[0] < 0.72
        assert view.soft_wrap and view.read_only and view.has_focus


async def test_the_header_shows_an_outlet_protected_with_nocase_markup_as_read(tmp_path):
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, Draft(text="Body of the leak.", title="Leak", authors=["Ann"],
                                       outlet='<span class="nocase">iStories</span> Media',
                                       format="txt", source="test"))
    db.conn.close()
    app = MarginApp(path, open_article=article["id"])
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        text = shown_text(app)
        assert "Ann · iStories Media" in text
        assert "nocase" not in text


async def test_markup_in_the_article_title_authors_and_sources_is_shown_as_typed(tmp_path):
    path = tmp_path / "margin.db"
    db = open_db(path)
    text = ("Plain start. [bold red]x[/] and [link=file:///etc/passwd]click[/link] "
            "and more.\n\nSecond [i]para[/i].")
    article, _ = add_article(db, Draft(text=text, title="[link=file:///etc/passwd]Title[/link]",
                                       authors=["[b]Ann[/b]"], format="txt",
                                       source="test"))
    store_annotations.add_annotation_by_text(db, article["id"], kind="quote",
                                             text="[bold red]x[/]", source="[red]Evil[/red]",
                                             note="[blink]n[/blink]")
    db.conn.close()
    app = MarginApp(path, open_article=article["id"])
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        shown = shown_text(app)
        assert "[link=file:///etc/passwd]Title[/link]" in shown
        assert "[b]Ann[/b]" in shown
        assert "[bold red]x[/] and [link=file:///etc/passwd]click[/link]" in shown
        assert "[red]Evil[/red]" in shown
        assert "[blink]n[/blink]" in shown


async def test_opening_on_an_annotation_puts_the_cursor_on_it_in_view_not_a_selection(
        annotated):
    _, article, claim, quote = annotated
    # Review opens an annotation so (enter on its row).
    app = MarginApp(annotated[0])
    async with app.run_test(size=(80, 16)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        app.push_screen(ReaderScreen(article["id"], annotation=quote))
        _, view = await opened(pilot)
        await until(pilot, lambda: "recruitment plan" in shown_text(app))
        assert view.selected_span is None
        assert view.cursor_offset == quote["start"]
        assert view.current_annotation["id"] == quote["id"]


# --- moving

async def test_word_sentence_paragraph_and_document_moves(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        assert view.cursor_offset == 0
        await pilot.press("w")
        assert cursor_at(view, "concert")
        await pilot.press("w", "b")
        assert cursor_at(view, "concert")
        await pilot.press("right_parenthesis")
        assert cursor_at(view, "Photo:")
        await pilot.press("right_curly_bracket")
        assert cursor_at(view, "North Korean troops remain")
        await pilot.press("right_curly_bracket", "right_parenthesis")
        assert cursor_at(view, "Vadym")
        await pilot.press("left_parenthesis")   # the label "Source:" is no sentence to stop on
        assert cursor_at(view, "North Korean troops remain")
        await pilot.press("right_curly_bracket")
        assert cursor_at(view, "Source:")
        await pilot.press("left_curly_bracket")
        assert cursor_at(view, "North Korean troops remain")
        await pilot.press("G")
        assert view.cursor_offset == len(view.text)
        await pilot.press("g")
        assert view.cursor_offset == 0
        await pilot.press("j", "j", "l", "l")
        assert view.cursor_location == (2, 2)
        await pilot.press("k", "k", "h")
        assert view.cursor_location == (0, 1)


async def test_page_down_moves_the_cursor_a_screenful(library):
    app = margin_app(library)
    async with app.run_test(size=(80, 20)) as pilot:
        _, view = await opened(pilot)
        await pilot.press("pagedown")
        assert view.scroll_offset.y > 0 and view.cursor_location[0] > 0
        await pilot.press("pageup")
        assert view.cursor_offset < 20


# --- selecting

async def test_s_p_and_quotation_mark_select_the_sentence_paragraph_and_quotation(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await find(pilot, "in the Yelabuga zone")
        await pilot.press("s")
        assert selected(view) == ("For example, in the Yelabuga zone, where Russians are "
                                  "expanding their production.")
        await pilot.press("p")
        assert selected(view).startswith('Quote: "We have data')
        assert selected(view).endswith('go to fight."')
        await pilot.press("escape", "quotation_mark")
        assert selected(view).startswith("We have data on the recruitment")
        assert selected(view).endswith("go to fight.")


async def test_s_on_a_label_selects_the_sentence_it_introduces_not_the_label(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await find(pilot, "Details: Skibitskyi")
        await pilot.press("s")
        assert selected(view).startswith("Skibitskyi said that North Korean troops")
        assert selected(view).endswith("no active combat in Kursk Oblast.")
        await pilot.press("escape", "right_parenthesis")
        assert cursor_at(view, "Their main tasks")


async def test_s_on_who_spoke_selects_the_speaker_with_the_quote_and_motions_stop_there(tmp_path):
    """'Zelensky said:' is no label: the quote's sentence keeps who said it."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    text = ('The front held overnight.\n\nZelensky said: "We will hold the line."\n\n'
            "The talks resume on Monday.")
    article, _ = add_article(db, Draft(text=text, title="Speaker", format="txt"))
    db.conn.close()
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await find(pilot, "hold the line")
        await pilot.press("s")
        assert selected(view) == 'Zelensky said: "We will hold the line."'
        await pilot.press("escape", "g", "right_parenthesis")
        assert cursor_at(view, "Zelensky said")
        await pilot.press("right_parenthesis")
        assert cursor_at(view, "The talks")
        await pilot.press("left_parenthesis")
        assert cursor_at(view, "Zelensky said")


async def test_quotation_mark_outside_any_quotation_says_so(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("quotation_mark")
        assert view.selected_span is None
        assert any("No quotation" in n.message for n in app._notifications)


async def test_v_starts_a_selection_that_moves_extend_and_escape_clears(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("v", "w", "w")
        assert selected(view) == "A concert. "
        assert view.selecting
        await pilot.press("escape")
        assert view.selected_span is None and not view.selecting
        await pilot.press("w")
        assert view.selected_span is None


async def test_shift_arrows_extend_the_selection(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("shift+right", "shift+right", "shift+right")
        assert selected(view) == "A c"
        await pilot.press("shift+down")
        assert view.selection.end[0] == 1


async def test_tagging_snaps_a_selection_to_whole_words(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "ibitskyi said that")
        await pilot.press("v", *"l" * 16, "c")
        form = await form_opened(pilot, screen)
        assert form.span_text == "Skibitskyi said that"
        assert selected(view) == "Skibitskyi said that"


async def test_tagging_with_nothing_selected_explains_how_to_select(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await pilot.press("c")
        await until(pilot, lambda: any("Select the words first" in n.message
                                       for n in app._notifications))
        assert not screen.query(AnnotationForm)


# --- finding

async def test_find_moves_to_matches_and_n_and_shift_n_step_and_wrap(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "skibitskyi")
        assert cursor_at(view, "Skibitskyi", 1)
        assert len(screen.matches) == 5
        await pilot.press("n")
        assert cursor_at(view, "Skibitskyi", 2)
        await pilot.press("N", "N")
        assert cursor_at(view, "Skibitskyi", 5)
        await pilot.press("n")
        assert cursor_at(view, "Skibitskyi", 1)
        assert view.has_matches
        assert "match 1 of 5" in shown_text(app)


async def test_find_moves_as_you_type_and_escape_keeps_the_cursor_on_the_match(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("slash", *"Yelab")
        await until(pilot, lambda: cursor_at(view, "Yelabuga"))
        await pilot.press("escape")
        await until(pilot, lambda: view.has_focus)
        assert cursor_at(view, "Yelabuga")
        await pilot.press("n")
        assert cursor_at(view, "Yelabuga", 2)


def status_line(screen: ReaderScreen) -> str:
    """The reader's status line as shown."""
    return str(screen.query_one("#reader-status").render())


async def test_escape_ends_the_search_and_the_status_line_drops_its_match_count(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "There are all")
        await until(pilot, lambda: "match 1 of 1 for “There are all”" in status_line(screen))
        await pilot.press("escape")
        await until(pilot, lambda: not view.has_matches)
        await until(pilot, lambda: "match" not in status_line(screen))
        assert cursor_at(view, "There are all")
        await pilot.press("n")
        await until(pilot, lambda: "match 1 of 1" in status_line(screen))


async def test_moving_off_the_match_drops_the_count_and_n_brings_it_back(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "skibitskyi")
        await until(pilot, lambda: "match 1 of 5" in status_line(screen))
        await pilot.press("l")  # still inside the name: still that match
        assert "match 1 of 5" in status_line(screen)
        await pilot.press("j")
        await until(pilot, lambda: "match" not in status_line(screen))
        assert view.has_matches  # the marks stay for n and N
        await pilot.press("N")
        await until(pilot, lambda: "match 1 of 5" in status_line(screen))
        assert cursor_at(view, "Skibitskyi", 1)


async def test_find_of_missing_text_says_so_and_leaves_the_cursor(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("w")
        await find(pilot, "zebra crossing")
        assert cursor_at(view, "concert")
        assert any("is not in the article" in n.message for n in app._notifications)


# --- the form

async def test_the_flow_find_select_the_quotation_and_save_a_quote(library):
    """/ find, " select the quotation, q, source, role, via, confidence 5, grade B2, save."""
    path, article = library
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await pilot.press("slash", *"There are all", "enter")
        await pilot.press("quotation_mark")
        await pilot.press("q")
        await form_opened(pilot, screen)
        await pilot.press(*"Vadym Skibitskyi", "tab", "tab")
        await pilot.press(*"interview with Ukrinform", "tab")
        await pilot.press("5", "tab")
        await pilot.press(*"B2", "ctrl+s")
        await until(pilot, lambda: saved(app))
        [quote] = store_annotations.list_annotations(app.db, article_id=article["id"])
        assert quote["kind"] == "quote"
        assert quote["exact"] == RECRUITMENT
        assert quote["confidence"] == 68
        assert quote["grade"] == "B2"
        assert quote["source"] == "Vadym Skibitskyi"
        assert quote["via"] == "interview with Ukrinform"
        assert not screen.query(AnnotationForm)
        assert view.annotations[0]["id"] == quote["id"]
        row, column = view.location_of(quote["start"])
        styles = {span.style for span in view.get_line(row).spans
                  if span.start <= column < span.end}
        assert view._style("article-view--quote") in styles


async def test_c_opens_the_form_with_the_kind_and_span_and_the_cursor_in_source(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c")
        form = await form_opened(pilot, screen)
        assert form.query_one(KindToggle).value == "claim"
        assert form.span_text.startswith("Their main tasks") and form.span_text.endswith("region.")
        assert app.focused is form.input("source")
        assert "New claim" in shown_text(app)


async def test_source_suggestions_come_from_the_article_and_right_accepts_them(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "There are all")
        await pilot.press("quotation_mark", "q")
        form = await form_opened(pilot, screen)
        assert "in the article: Vadym Skibitskyi" in str(form.query_one("#source-hint").content)
        await pilot.press("v", "a")
        await until(pilot, lambda: suggestion(form.input("source")) == "Vadym Skibitskyi")
        await pilot.press("right")
        assert form.input("source").value == "Vadym Skibitskyi"
        # The article's Source: line gives the role too; it is filled in, selected.
        assert form.input("role").value == "Deputy Head of Defence Intelligence of Ukraine (DIU)"
        await pilot.press("tab", *"Deputy head")
        assert form.input("role").value == "Deputy head"


async def test_a_sentence_opening_with_intelligence_has_noted_suggests_the_articles_source(
        library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "Intelligence has noted")
        await pilot.press("s", "c")
        form = await form_opened(pilot, screen)
        assert form.span_text.startswith("Intelligence has noted")
        hint = str(form.query_one("#source-hint").content)
        assert "in the article: Vadym Skibitskyi" in hint
        assert "Intelligence" not in hint


async def test_tab_takes_the_suggested_source_and_saves_it_with_its_role(library):
    """Typing part of a name and pressing tab names the suggested source, as a shell's
    completion does; the partial name never becomes a source of its own."""
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "There are all")
        await pilot.press("quotation_mark", "q")
        form = await form_opened(pilot, screen)
        assert "tab or → takes a suggestion" in shown_text(app)
        await pilot.press(*"Vadym")
        await until(pilot, lambda: suggestion(form.input("source")) == "Vadym Skibitskyi")
        await pilot.press("tab")
        assert form.input("source").value == "Vadym Skibitskyi"
        assert app.focused is form.input("role")
        await until(pilot, lambda: form.input("role").value
                    == "Deputy Head of Defence Intelligence of Ukraine (DIU)")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saved(app))
        [quote] = saved(app)
        assert quote["source"] == "Vadym Skibitskyi"
        assert quote["role"] == "Deputy Head of Defence Intelligence of Ukraine (DIU)"
        assert [s["name"] for s in list_sources(app.db)] == ["Vadym Skibitskyi"]


async def test_typing_over_the_role_filled_after_tab_replaces_it(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "There are all")
        await pilot.press("quotation_mark", "q")
        form = await form_opened(pilot, screen)
        await pilot.press(*"Vad")
        await until(pilot, lambda: suggestion(form.input("source")) == "Vadym Skibitskyi")
        await pilot.press("tab")
        await until(pilot, lambda: form.input("role").value.startswith("Deputy Head"))
        await pilot.press(*"Deputy head")
        assert form.input("role").value == "Deputy head"


async def test_shift_tab_takes_the_suggested_source_and_moves_back(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "There are all")
        await pilot.press("quotation_mark", "q")
        form = await form_opened(pilot, screen)
        await pilot.press(*"Vadym")
        await until(pilot, lambda: suggestion(form.input("source")) == "Vadym Skibitskyi")
        await pilot.press("shift+tab")
        assert app.focused is form.query_one(KindToggle)
        assert form.input("source").value == "Vadym Skibitskyi"


async def test_tab_without_a_suggestion_moves_on_with_what_was_typed(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "There are all")
        await pilot.press("quotation_mark", "q")
        form = await form_opened(pilot, screen)
        await pilot.press(*"Zelda Q", "tab")
        assert form.input("source").value == "Zelda Q"
        assert app.focused is form.input("role")
        await pilot.press("shift+tab")
        assert app.focused is form.input("source")
        assert form.input("source").value == "Zelda Q"


async def test_a_known_sources_role_is_filled_in_next_time(library):
    path, article = library
    db = open_db(path)
    store_annotations.add_annotation_by_text(db, article["id"], kind="claim", text="DIU assesses",
                                             source="Kyrylo Budanov", role="Head of the DIU")
    db.conn.close()
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c")
        form = await form_opened(pilot, screen)
        await pilot.press(*"kyr")
        await until(pilot, lambda: suggestion(form.input("source")) == "Kyrylo Budanov")
        await pilot.press("right")
        await until(pilot, lambda: form.input("role").value == "Head of the DIU")
        assert form.input("source").value == "Kyrylo Budanov"
        await pilot.press("ctrl+s")
        await until(pilot, lambda: any(a["exact"].startswith("Their") for a in saved(app)))
        stored = [a for a in saved(app) if a["exact"].startswith("Their")]
        assert stored[0]["source"] == "Kyrylo Budanov" and stored[0]["role"] == "Head of the DIU"


async def test_confidence_shows_its_term_as_typed_and_saves_the_percentage(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c", "tab", "tab", "tab")
        hint = screen.query_one(AnnotationForm).query_one("#confidence-hint")
        for keys, shown in [
            (["5"], "likely (68%)"),
            (["backspace", "1"], "almost no chance (3%)"),
            (["backspace", "7"], "almost certain (97%)"),
            (["backspace", "0", "5"], "very unlikely (5%)"),
            (["backspace", "backspace", "5", "%"], "very unlikely (5%)"),
            (["backspace", "backspace", "1", "0", "0"], "almost certain (100%)"),
            (["backspace", "backspace", "backspace", "5", "0"], "roughly even chance (50%)"),
        ]:
            await pilot.press(*keys)
            await until(pilot, lambda: str(hint.content) == shown and hint.display)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saved(app))
        [claim] = store_annotations.list_annotations(app.db)
        assert claim["confidence"] == 50


async def test_an_invalid_grade_is_marked_with_its_reason_and_nothing_saves(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c", "tab", "tab", "tab", "tab", *"Z9")
        form = await form_opened(pilot, screen)
        await until(pilot, lambda: form.query_one("#field-grade").has_class("-invalid"))
        assert form.input("grade").has_class("-invalid")
        assert "Admiralty" in shown_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert store_annotations.list_annotations(app.db) == []
        assert screen.query(AnnotationForm)
        await pilot.press("backspace", "backspace", *"b2")
        await until(pilot, lambda: not form.query_one("#field-grade").has_class("-invalid"))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saved(app))
        [claim] = store_annotations.list_annotations(app.db)
        assert claim["grade"] == "B2"


async def test_an_invalid_confidence_blocks_saving(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c", "tab", "tab", "tab", *"150")
        await pilot.press("ctrl+s")
        form = await form_opened(pilot, screen)
        await until(pilot, lambda: form.query_one("#field-confidence").has_class("-invalid"))
        assert app.focused is form.input("confidence")
        assert store_annotations.list_annotations(app.db) == []


@pytest.mark.parametrize("how", ["typed", "pasted"])
async def test_a_superscript_two_in_confidence_is_marked_invalid_and_saves_nothing(library, how):
    """"²" is a digit to str.isdigit but no number int() can read: it once crashed the app."""
    from pilot_helpers import until

    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c", "tab", "tab", "tab")
        form = screen.query_one(AnnotationForm)
        assert app.focused is form.input("confidence")
        if how == "typed":
            await pilot.press("²")
        else:
            await paste(pilot, "²")
        await until(pilot, lambda: form.query_one("#field-confidence").has_class("-invalid"))
        assert form.input("confidence").value == "²"
        assert "Confidence '²' is not" in shown_text(app)   # the reason, beside the field
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.is_running and screen.query(AnnotationForm)
        assert store_annotations.list_annotations(app.db) == []


async def test_tags_and_note_are_saved(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c", *["tab"] * 5)
        await paste(pilot, "check later")
        await pilot.press("tab")
        await paste(pilot, "kursk, dprk, kursk")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: saved(app))
        [claim] = store_annotations.list_annotations(app.db)
        assert claim["note"] == "check later"
        assert claim["tags"] == ["kursk", "dprk"]


async def test_escape_on_an_untouched_form_closes_it_at_once(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c", "escape")
        await until(pilot, lambda: not screen.query(AnnotationForm) and view.has_focus)
        assert screen.query_one("#side-empty").display


async def test_escape_after_typing_asks_before_discarding(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c")
        await paste(pilot, "Someone")
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDiscard))
        await pilot.press("enter")  # "Keep editing" has the focus
        await until(pilot, lambda: app.screen is screen)
        assert screen.query(AnnotationForm)
        assert screen.query_one(AnnotationForm).input("source").value == "Someone"
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, ConfirmDiscard))
        await pilot.press("tab", "enter")  # to "Discard"
        await until(pilot, lambda: app.screen is screen and not screen.query(AnnotationForm))
        assert store_annotations.list_annotations(app.db) == []


# --- saved annotations: highlights, jumping, editing, deleting, undoing

@pytest.fixture
def annotated(library):
    """The library with a claim and a quote saved."""
    path, article = library
    db = open_db(path)
    claim = store_annotations.add_annotation_by_text(
        db, article["id"], kind="claim", text="Russia has enlisted around 280,000 contract "
        "military personnel", source="Vadym Skibitskyi", confidence=68)
    quote = store_annotations.add_annotation_by_text(
        db, article["id"], kind="quote", text=RECRUITMENT, source="Vadym Skibitskyi",
        via="interview with Ukrinform", grade="B2")
    db.conn.close()
    return path, article, claim, quote


def styles_at(view: ArticleView, offset: int) -> list:
    row, column = view.location_of(offset)
    return [span.style for span in view.get_line(row).spans if span.start <= column < span.end]


async def test_claims_and_quotes_are_highlighted_and_the_one_under_the_cursor_emphasised(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        claim_style = view._style("article-view--claim")
        quote_style = view._style("article-view--quote")
        assert claim_style.bgcolor != quote_style.bgcolor
        assert claim_style in styles_at(view, claim["start"])
        assert quote_style in styles_at(view, quote["start"] + 5)
        assert claim_style not in styles_at(view, claim["start"] - 2)
        await pilot.press("right_square_bracket")
        assert view.cursor_offset == claim["start"]
        assert view.current_annotation["id"] == claim["id"]
        emphasis = view._style("article-view--claim-current")
        assert emphasis in styles_at(view, claim["start"] + 3)
        assert view._style("article-view--quote-current") not in styles_at(view, quote["start"])
        listing = screen.query_one(AnnotationList)
        assert listing.highlighted_id == claim["id"]
        assert "1 claim, 1 quote" in shown_text(app)


async def test_highlight_colours_differ_in_light_and_dark_themes(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        for theme in ("textual-dark", "textual-light"):
            app.theme = theme
            await until(pilot, lambda: app.current_theme.name == theme)

            def colours() -> set:
                return {view._style("article-view--claim").bgcolor,
                        view._style("article-view--quote").bgcolor, view.rich_style.bgcolor}

            await until(pilot, lambda: len(colours()) == 3)


async def test_square_brackets_jump_between_annotations(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("right_square_bracket")
        assert view.cursor_offset == claim["start"]
        await pilot.press("right_square_bracket")
        assert view.cursor_offset == quote["start"]
        await pilot.press("right_square_bracket")
        assert view.cursor_offset == quote["start"]
        await pilot.press("left_square_bracket")
        assert view.cursor_offset == claim["start"]


async def test_enter_on_a_highlight_edits_it_with_the_form_filled_in(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket", "enter")
        form = await form_opened(pilot, screen)
        assert form.editing["id"] == quote["id"]
        assert form.input("source").value == "Vadym Skibitskyi"
        assert form.input("via").value == "interview with Ukrinform"
        assert form.input("grade").value == "B2"
        assert "Edit quote" in shown_text(app)
        # A field filled in advance is selected when reached, so typing replaces it.
        await pilot.press("tab", "tab")
        await paste(pilot, "a video address")
        await pilot.press("tab", "6")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: store_annotations.get_annotation(
            app.db, quote["id"])["via"] == "a video address")
        edited = store_annotations.get_annotation(app.db, quote["id"])
        assert edited["via"] == "a video address"
        assert edited["confidence"] == 88
        assert edited["exact"] == RECRUITMENT
        assert len(store_annotations.list_annotations(app.db)) == 2
        assert [h["action"] for h in store_annotations.history(app.db, quote["id"])] == [
            "create", "edit"]


async def test_d_deletes_the_annotation_under_the_cursor_and_u_brings_it_back(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("right_square_bracket", "d")
        await until(pilot, lambda: len(view.annotations) == 1)
        assert [a["id"] for a in store_annotations.list_annotations(app.db)] == [quote["id"]]
        assert [a["id"] for a in view.annotations] == [quote["id"]]
        assert any("Deleted the claim" in n.message and "u to undo" in n.message
                   for n in app._notifications)
        await pilot.press("u")
        await until(pilot, lambda: len(view.annotations) == 2)
        assert any("Restored the claim" in n.message for n in app._notifications)


async def test_u_undoes_the_last_change_also_after_a_restart(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await find(pilot, "Their main tasks")
        await pilot.press("s", "c")
        await paste(pilot, "Someone")
        await pilot.press("ctrl+s")
        await until(pilot, lambda: len(saved(app)) == 1)
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        assert len(view.annotations) == 1
        await pilot.press("u")
        await until(pilot, lambda: view.annotations == [])
        assert store_annotations.list_annotations(app.db) == []
        assert any("Undid adding the claim" in n.message for n in app._notifications)
        await pilot.press("u")
        await until(pilot, lambda: any("Nothing to undo" in n.message
                                       for n in app._notifications))


async def test_choosing_an_annotation_in_the_list_moves_the_cursor_to_it(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        screen.query_one(AnnotationList).focus()
        await pilot.press("down", "down", "enter")
        await until(pilot, lambda: view.cursor_offset == quote["start"] and view.has_focus)


async def test_tab_reaches_the_list_and_escape_goes_back_to_the_article(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await pilot.press("tab")
        assert isinstance(app.focused, AnnotationList)
        await pilot.press("escape")
        assert app.focused is view
        await pilot.press("right_square_bracket")
        assert view.cursor_offset == claim["start"]


async def test_reader_keys_follow_the_users_keymap(library):
    app = margin_app(library, keymap={"tag-quote": "Q", "select-quotation": "x"})
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "There are all")
        await pilot.press("x", "Q")
        form = await form_opened(pilot, screen)
        assert form.span_text == RECRUITMENT
        assert form.query_one(KindToggle).value == "quote"


def test_offsets_and_locations_agree_with_textuals_document(library):
    """The reader's line index turns offsets into the rows and columns the text area shows."""
    from textual.document._document import Document

    from store.spans import LineIndex

    _, article = library
    text = article["text"] + "\n\nA last line\u2028after a line separator."
    document, index = Document(text), LineIndex(text)
    for offset in range(0, len(text) + 1, 7):
        location = document.get_location_from_index(offset)
        assert index.location(offset) == location
        assert index.offset(location) == document.get_index_from_location(location)




async def test_a_notification_quoting_typed_markup_shows_it_as_typed(library):
    app = margin_app(library)
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        screen, _ = await opened(pilot)
        # Notifications quote what people typed and what articles say, as this one does.
        screen.notify("“[bold red]x[/] [link=file:///etc/passwd]y” is not in the article")
        await until(pilot, lambda: "[bold red]x[/]" in shown_text(app))
        assert "[link=file:///etc/passwd]y" in shown_text(app)


# --- Keys typed ahead ----------------------------------------------------------------------

async def keys_handled(pilot, widget) -> None:
    """Wait until ``widget`` and each node above it have handled every message queued for
    them so far: a key bubbles up, one queue after another."""
    for node in widget.ancestors_with_self:
        reached: list[bool] = []
        node.call_later(reached.append, True)
        await until(pilot, lambda: reached)


def type_ahead(view: ArticleView, *keys: str) -> None:
    """Queue keys for the article all at once, as Textual does when they arrive faster than
    the reader handles them (a quick hand, or tmux sending a line of keys)."""
    named = {"space": " ", "slash": "/", "enter": "\r", "quotation_mark": '"'}
    for key in keys:
        view.post_message(events.Key(key, named.get(key, key if len(key) == 1 else None)))


async def test_keys_typed_straight_after_the_find_key_go_into_the_find_bar(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        type_ahead(view, "slash", *["space" if c == " " else c for c in "There are all"], "enter")
        await until(pilot, lambda: "match 1 of 1" in shown_text(app))
        assert cursor_at(view, "There are all")


async def test_keys_typed_straight_after_the_tag_key_go_into_the_source_field(library):
    app = margin_app(library)
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await find(pilot, "Their main tasks")
        type_ahead(view, "s", "q", *"Vadym")
        form = await form_opened(pilot, screen)
        await until(pilot, lambda: form.input("source").value.startswith("Vadym"))
        assert app.focused is form.input("source")


async def test_keys_typed_straight_after_leaving_the_reader_do_not_act_on_the_article(annotated):
    path, article, claim, quote = annotated
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        await pilot.press("right_square_bracket")
        assert view.current_annotation["id"] == claim["id"]
        type_ahead(view, "r", "d", "d")
        await keys_handled(pilot, view)
        assert app.screen is not screen
        live = store_annotations.list_annotations(app.db, article_id=article["id"])
        assert {a["id"] for a in live} == {claim["id"], quote["id"]}


# --- A claim and a quote on the same words --------------------------------------------------

async def test_a_claim_and_a_quote_on_the_same_words_are_each_a_stop_and_each_editable(
        annotated):
    path, article, claim, quote = annotated
    db = open_db(path)
    twin = store_annotations.add_annotation(db, article["id"], start=quote["start"],
                                            end=quote["end"], kind="claim", source="DIU")
    db.conn.close()
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        screen, view = await opened(pilot)
        stops = []
        for _ in range(3):
            await pilot.press("right_square_bracket")
            stops.append(view.current_annotation["id"])
        assert stops == [claim["id"], twin["id"], quote["id"]]
        await pilot.press("left_square_bracket")
        assert view.current_annotation["id"] == twin["id"]
        assert view.cursor_offset == quote["start"]
        await pilot.press("enter")
        await until(pilot, lambda: screen.form is not None)
        assert screen.form.editing["id"] == twin["id"]
        await pilot.press("escape")
        await until(pilot, lambda: screen.form is None)
        # Cancelled: back on the claim, nothing selected that c could tag a second time.
        assert view.selected_span is None
        assert view.current_annotation["id"] == twin["id"]
        await pilot.press("d")
        await until(pilot, lambda: store_annotations.get_annotation(
            app.db, twin["id"])["deleted_at"] is not None)
        assert store_annotations.get_annotation(app.db, quote["id"])["deleted_at"] is None


# --- Undo stays in its article; markup in a span shows as typed ----------------------------

async def test_u_undoes_only_in_the_article_shown_when_two_have_been_read(annotated):
    path, article, claim, quote = annotated
    db = open_db(path)
    other, _ = add_article(db, Draft(text="Another article. It says little of note.",
                                     title="Other", format="txt", source="test"))
    elsewhere = store_annotations.add_annotation_by_text(db, other["id"], kind="claim",
                                                         text="says little")
    db.conn.close()
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        _, view = await opened(pilot)
        await pilot.press("right_square_bracket", "d")
        await until(pilot, lambda: len(view.annotations) == 1)
        app.open_reader(other["id"])  # as the library's enter does
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen)
                    and app.screen.article_id == other["id"])
        second = app.screen
        await pilot.press("right_square_bracket", "d")
        await until(pilot, lambda: not second.view.annotations)
        await pilot.press("u")
        await until(pilot, lambda: len(second.view.annotations) == 1)
        stored = store_annotations.get_annotation
        assert stored(app.db, elsewhere["id"])["deleted_at"] is None
        assert stored(app.db, claim["id"])["deleted_at"] is not None
        await drawn(pilot, second)
        await pilot.press("u")  # then its creation
        await until(pilot, lambda: not second.view.annotations)
        await drawn(pilot, second)
        await pilot.press("u")  # and nothing more here, whatever the other article has
        await until(pilot, lambda: any("Nothing to undo in this article" in n.message
                                       for n in app._notifications))
        assert stored(app.db, claim["id"])["deleted_at"] is not None


async def test_markup_in_a_span_shows_as_typed_in_the_form_and_the_side_list(tmp_path):
    path = tmp_path / "margin.db"
    db = open_db(path)
    text = "Before [bold]x[/bold] and [red]alarm[/red] after.\n\nMore text here."
    article, _ = add_article(db, Draft(text=text, title="T", format="txt", source="test"))
    store_annotations.add_annotation_by_text(db, article["id"], kind="claim",
                                             text="[red]alarm[/red]")
    db.conn.close()
    app = MarginApp(path, open_article=article["id"])
    async with app.run_test(size=SIZE) as pilot:
        screen, _ = await opened(pilot)
        await until(pilot, lambda: "[red]alarm[/red]" in side_pane(app))
        await pilot.press("right_square_bracket", "enter")
        await until(pilot, lambda: screen.form is not None)
        await until(pilot, lambda: "[red]alarm[/red]" in side_pane(app))


def side_pane(app) -> str:
    """What the right-hand pane shows (each screen row right of the divider)."""
    return "\n".join(line.split("│", 1)[1] for line in shown_text(app).splitlines()
                     if "│" in line)


async def test_the_side_list_shows_a_span_with_the_articles_own_quotes_nested_not_doubled(
        tmp_path):
    source = tmp_path / "plan.txt"
    source.write_text('---\ntitle: No plan\n---\n"There is no plan," he said. Nobody asked.\n',
                      encoding="utf-8")
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(source)))
    store_annotations.add_annotation_by_text(db, article["id"], kind="quote",
                                             text='"There is no plan," he said')
    db.conn.close()
    app = margin_app((path, article))
    async with app.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await until(pilot, lambda: "1 quote" in shown_text(app))
        shown = shown_text(app)
        assert "“‘There is no plan,’ he said”" in shown
        assert "“\"" not in shown
