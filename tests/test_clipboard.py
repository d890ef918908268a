"""Copying citations: to a real X clipboard when there is a display, else to the terminal as
OSC 52, and from the command line an error that says what to install."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import add_article
from store.citations import STYLES, cite_annotation
from store.db import open_db
from store.errors import MarginError
from store.ingest import read_source
from tui.app import MarginApp
from tui.clipboard import SYSTEM, TERMINAL, copy_from_command_line, copy_to_system

from pilot_helpers import until

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
QUOTE = ("There are all the signs that by the end of the year, Russia will fully meet its "
         "recruitment plan.")


@pytest.fixture
def no_display(monkeypatch):
    """No X and no Wayland: pyperclip finds no clipboard, as over SSH."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)


@pytest.fixture
def x_display(monkeypatch):
    """A real X server (Xvfb) on a display number it picks itself; DISPLAY points at it."""
    if not (shutil.which("Xvfb") and shutil.which("xclip")):
        pytest.skip("needs Xvfb and xclip (apt-get install xvfb xclip)")
    read_end, write_end = os.pipe()
    server = subprocess.Popen(["Xvfb", "-displayfd", str(write_end), "-nolisten", "tcp",
                               "-screen", "0", "320x200x24"],
                              pass_fds=(write_end,), stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    os.close(write_end)
    try:
        with os.fdopen(read_end) as announced:
            number = announced.readline().strip()
        if not number:
            pytest.skip("Xvfb did not start")
        display = f":{number}"
        monkeypatch.setenv("DISPLAY", display)
        monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
        yield display
    finally:
        server.terminate()
        server.wait(timeout=10)


def clipboard_contents(display: str) -> str:
    """What another program reading the X clipboard gets."""
    for _ in range(50):
        found = subprocess.run(["xclip", "-o", "-selection", "clipboard"],
                               env={**os.environ, "DISPLAY": display}, capture_output=True)
        if found.returncode == 0:
            return found.stdout.decode("utf-8")
        time.sleep(0.05)
    raise AssertionError(found.stderr.decode())


@pytest.fixture
def quoted(tmp_path: Path):
    """A database with the real article and one quote of it; returns (path, article, quote)."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(KURSK)))
    quote = store_annotations.add_annotation_by_text(
        db, article["id"], kind="quote", text=QUOTE, source="Vadym Skibitskyi",
        role="deputy head of Ukraine's Defence Intelligence", via="interview with Ukrinform",
        confidence=68, grade="B2")
    db.conn.close()
    return path, article, quote


def notifications(app) -> list[str]:
    return [notification.message for notification in app._notifications]


async def press_y_in_review(pilot) -> None:
    await pilot.pause()
    await pilot.press("r")
    for _ in range(200):
        await pilot.pause(0.02)
        if not pilot.app.screen.busy:
            break
    await pilot.press("y")
    await pilot.pause()


async def test_y_in_review_puts_the_citation_on_the_system_clipboard(quoted, x_display):
    path, article, quote = quoted
    async with MarginApp(path).run_test() as pilot:
        await press_y_in_review(pilot)
        expected = cite_annotation(quote, article, "analyst")
        assert clipboard_contents(x_display) == expected
        assert "Citation copied to the system clipboard" in notifications(pilot.app)


async def test_without_a_display_the_citation_goes_to_the_terminal_as_osc_52(quoted, no_display):
    path, article, quote = quoted
    app = MarginApp(path)
    async with app.run_test() as pilot:
        written: list[str] = []
        write = app._driver.write
        app._driver.write = lambda data: (written.append(data), write(data))[1]
        await press_y_in_review(pilot)
        expected = cite_annotation(quote, article, "analyst")
        payload = base64.b64encode(expected.encode("utf-8")).decode("ascii")
        assert f"\x1b]52;c;{payload}\a" in "".join(written)
        assert app.clipboard == expected
        assert app.copy_route == TERMINAL
        assert "Citation sent to the terminal (OSC 52)" in notifications(app)


async def test_in_the_reader_y_and_Y_copy_the_citation_of_the_annotation_under_the_cursor(
        quoted, no_display, monkeypatch):
    from tui.screens.reader import ReaderScreen
    from tui.widgets.style_picker import StylePicker

    monkeypatch.setattr(StylePicker, "last_style", None)
    path, article, quote = quoted
    app = MarginApp(path, open_article=article["id"])
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        await pilot.press("y")
        await until(pilot, lambda: "No annotation here to cite" in notifications(app))
        await pilot.press("right_square_bracket")  # to the next annotation: the quote
        await until(pilot, lambda: app.screen.view.current_annotation is not None)
        await pilot.press("y")
        await until(pilot, lambda: app.clipboard != "")
        assert app.clipboard == cite_annotation(quote, article, "analyst")
        await pilot.press("Y")
        await until(pilot, lambda: isinstance(app.screen, StylePicker))
        for _ in range(list(STYLES).index("apa")):
            await pilot.press("down")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        assert app.clipboard == cite_annotation(quote, article, "apa")


def test_the_command_line_copies_to_the_system_clipboard_when_there_is_one(x_display):
    assert copy_from_command_line("Claim: troops remain", stream=io.StringIO()) == SYSTEM
    assert clipboard_contents(x_display) == "Claim: troops remain"


def test_the_command_line_with_no_clipboard_and_no_terminal_says_what_to_install(no_display):
    with pytest.raises(MarginError) as raised:
        copy_from_command_line("Claim: troops remain", stream=io.StringIO())
    message = str(raised.value)
    assert "xclip" in message and "xsel" in message and "wl-clipboard" in message


def test_the_command_line_in_a_terminal_with_no_clipboard_writes_osc_52(no_display):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    assert copy_from_command_line("Claim: troops remain", stream=terminal) == TERMINAL
    payload = base64.b64encode("Claim: troops remain".encode()).decode()
    assert terminal.getvalue() == f"\x1b]52;c;{payload}\a"


def test_a_display_that_has_gone_is_no_clipboard_and_prints_nothing(monkeypatch, capfd):
    if not shutil.which("xclip"):
        pytest.skip("needs xclip")
    # ssh -X leaves DISPLAY set after the X server is gone; xclip then fails.
    monkeypatch.setenv("DISPLAY", ":4093")
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    assert copy_to_system("Claim: troops remain") is False
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""
