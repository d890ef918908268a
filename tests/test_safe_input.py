"""Text inputs show bidi controls as placeholders while they are edited, and keep them as data.

A right-to-left override pasted into a field would otherwise reorder what the terminal draws
after it, so the analyst would not see what they are about to save.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from textual import events

from store import annotations as store_annotations
from store.articles import add_article
from store.db import open_db
from store.display import BIDI_PLACEHOLDER
from store.ingest import read_source
from tui.app import MarginApp
from tui.widgets.annotation_form import AnnotationForm
from tui.widgets.safe_input import SafeInput

from pilot_helpers import until

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
SIZE = (120, 36)
RLO, PDF = "\u202e", "\u202c"
RAW_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
PASTED = f"said {RLO}evil{PDF} twice"
SHOWN = f"said {BIDI_PLACEHOLDER}evil{BIDI_PLACEHOLDER} twice"
HOSTILE_SOURCE = f"Eve {RLO}Mallory{PDF}"


@pytest.fixture
def library(tmp_path: Path) -> tuple[Path, str]:
    """The real article, and one annotation whose source's name holds a bidi override."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(KURSK)))
    store_annotations.add_annotation_by_text(db, article["id"], kind="claim",
                                             text="Kursk Oblast", source=HOSTILE_SOURCE)
    db.conn.close()
    return path, article["id"]


async def paste(pilot, text: str) -> None:
    """Paste into the focused field as a terminal does: one event, not a key a character."""
    pilot.app.focused.post_message(events.Paste(text))
    await pilot.pause()


def cursor_column(field: SafeInput) -> int:
    """The cursor's cell within the field's text, as the terminal places it."""
    scroll_x, _ = field.scroll_offset
    return field.cursor_screen_offset.x - field.content_region.x + scroll_x


async def cursor_on_the_e_of_evil(pilot, field: SafeInput) -> None:
    """Move the cursor onto the character after the override, key by key."""
    await pilot.press("home", *["right"] * PASTED.index("evil"))
    assert field.cursor_position == PASTED.index("evil")


async def open_form(pilot) -> AnnotationForm:
    await until(pilot, lambda: pilot.app.screen.query("ArticleView"))
    await pilot.press("slash", *"Their main tasks", "enter", "s", "c")
    await until(pilot, lambda: pilot.app.screen.query(AnnotationForm))
    return pilot.app.screen.query_one(AnnotationForm)


async def test_a_bidi_override_pasted_into_the_note_shows_as_placeholders_and_saves_as_pasted(
        library, screen_text):
    path, article_id = library
    app = MarginApp(path, open_article=article_id)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        note = form.input("note")
        note.focus()
        await until(pilot, lambda: app.focused is note)
        await paste(pilot, PASTED)
        await until(pilot, lambda: note.value == PASTED)
        shown = screen_text(app)
        assert SHOWN in shown
        assert not RAW_BIDI.search(shown)
        # One cell a character: the cursor is drawn over the character it edits.
        await cursor_on_the_e_of_evil(pilot, note)
        assert cursor_column(note) == PASTED.index("evil")
        # And a click on a drawn character puts the cursor on that character.
        await pilot.press("end")
        padding = note.content_region.x - note.region.x
        await pilot.click(note, offset=(padding + SHOWN.index("evil"), 0))
        await until(pilot, lambda: note.cursor_position == PASTED.index("evil"))
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not app.screen.query(AnnotationForm))
        [saved] = [a for a in store_annotations.list_annotations(app.db, article_id=article_id)
                   if a["exact"].startswith("Their main tasks")]
        assert saved["note"] == PASTED


async def test_a_suggested_source_with_a_bidi_override_shows_safely_and_right_takes_it_whole(
        library, screen_text):
    path, article_id = library
    app = MarginApp(path, open_article=article_id)
    async with app.run_test(size=SIZE) as pilot:
        form = await open_form(pilot)
        source = form.input("source")
        await pilot.press("E", "v")
        await until(pilot, lambda: BIDI_PLACEHOLDER in screen_text(app))
        shown = screen_text(app)
        assert f"Eve {BIDI_PLACEHOLDER}Mallory{BIDI_PLACEHOLDER}" in shown
        assert not RAW_BIDI.search(shown)
        await pilot.press("right")
        assert source.value == HOSTILE_SOURCE
        assert not RAW_BIDI.search(screen_text(app))


@pytest.mark.parametrize(("keys", "screen", "field_id"), [
    (("slash",), "LibraryScreen", "filter"),
    (("o",), "LibraryScreen", "import"),
    (("r", "slash"), "ReviewScreen", "filter"),
], ids=["library filter", "library import", "review filter"])
async def test_a_bidi_override_pasted_into_a_prompt_shows_as_placeholders(
        library, screen_text, keys, screen, field_id):
    path, _ = library
    app = MarginApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: type(app.screen).__name__ == "LibraryScreen")
        *opening, focusing = keys
        await pilot.press(*opening)
        await until(pilot, lambda: type(app.screen).__name__ == screen)
        await pilot.press(focusing)
        await until(pilot, lambda: app.focused is not None and app.focused.id == field_id)
        assert isinstance(app.focused, SafeInput)
        field = app.focused
        await paste(pilot, PASTED)
        await until(pilot, lambda: field.value == PASTED)
        await until(pilot, lambda: SHOWN in screen_text(app))
        assert not RAW_BIDI.search(screen_text(app))
        await cursor_on_the_e_of_evil(pilot, field)
        assert cursor_column(field) == PASTED.index("evil")


# Textual's Input built, or subclassed, directly (SafeInput does not match: no word break).
PLAIN_INPUT = re.compile(r"\bInput\(|^class \w+\([^)]*\bInput\b")


def test_every_text_input_of_the_tui_is_a_safe_input():
    tui = Path(__file__).resolve().parents[1] / "tui"
    built_plain = [f"{path.relative_to(tui)}:{number}"
                   for path in sorted(tui.rglob("*.py")) if path.name != "safe_input.py"
                   for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                   if PLAIN_INPUT.search(line)]
    assert built_plain == []
