"""Copying citations: to a real X clipboard when there is a display, else to the terminal as
OSC 52, and from the command line an error that says what to install."""

from __future__ import annotations

import base64
import io
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import add_article
from store.citations import STYLES, cite_annotation
from store.db import open_db
from store.ingest import read_source
from tui.app import MarginApp
from tui.clipboard import (NOWHERE, SYSTEM, TERMINAL, TmuxClipboard, copy_from_command_line,
                           copy_to_system, osc52, terminal_copy)

from pilot_helpers import until

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
QUOTE = ("There are all the signs that by the end of the year, Russia will fully meet its "
         "recruitment plan.")


@pytest.fixture
def no_display(monkeypatch):
    """No X and no Wayland: pyperclip finds no clipboard, as over SSH (and not inside tmux)."""
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.delenv("WAYLAND_DISPLAY", raising=False)
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("TMUX_PANE", raising=False)


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
        assert app.last_copy.route == TERMINAL
        assert ("Citation sent to the terminal as OSC 52: it reaches the clipboard if the "
                "terminal accepts clipboard escapes") in notifications(app)


async def test_in_the_reader_y_and_Y_copy_the_citation_of_the_annotation_under_the_cursor(
        quoted, no_display, monkeypatch):
    from tui.screens.reader import ReaderScreen
    from tui.screens.dialogs import StylePicker

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
    assert copy_from_command_line("Claim: troops remain", stream=io.StringIO()).route == SYSTEM
    assert clipboard_contents(x_display) == "Claim: troops remain"


def test_the_command_line_with_no_clipboard_and_no_terminal_says_what_to_install(no_display):
    copied = copy_from_command_line("Claim: troops remain", stream=io.StringIO())
    assert copied.route == NOWHERE and not copied.delivered
    message = copied.message("citation")
    assert message.startswith("citation not copied")
    assert "xclip" in message and "xsel" in message and "wl-clipboard" in message


def test_the_command_line_in_a_terminal_with_no_clipboard_writes_osc_52(no_display):
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    terminal = Terminal()
    assert copy_from_command_line("Claim: troops remain", stream=terminal).route == TERMINAL
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


# --- tmux: what reaches a buffer, and what the analyst is told (issue 8) ------------------

WRAPPED = "\x1bPtmux;\x1b\x1b]52;c;{payload}\a\x1b\\"


def test_inside_tmux_both_the_plain_and_the_passthrough_escape_are_sent():
    payload = base64.b64encode("Claim: troops remain".encode()).decode()
    sequence, _ = terminal_copy("Claim: troops remain",
                                TmuxClipboard("on", "off"), in_tmux=True)
    assert sequence == osc52("Claim: troops remain") + WRAPPED.format(payload=payload)


@pytest.mark.parametrize("options, route, words", [
    (TmuxClipboard("on", "off"), TERMINAL, "copied to a tmux paste buffer"),
    (TmuxClipboard("external", "on"), TERMINAL, "passed through tmux to the terminal"),
    (TmuxClipboard("external", "off"), NOWHERE, "not copied: tmux drops clipboard escapes from "
                                               "programs (set-clipboard external)"),
    (TmuxClipboard("off", "off"), NOWHERE, "(set-clipboard off)"),
    (None, TERMINAL, "sent to the terminal's clipboard (OSC 52); tmux passes it on only with "
                     "set-clipboard on"),
])
def test_the_message_after_a_copy_in_tmux_says_only_what_tmux_will_do(options, route, words):
    _, copied = terminal_copy("x", options, in_tmux=True)
    assert copied.route == route
    assert words in copied.message()


def test_outside_tmux_the_message_does_not_claim_the_clipboard_has_the_text():
    sequence, copied = terminal_copy("x")
    assert sequence == osc52("x")
    assert copied.message() == ("Citation sent to the terminal as OSC 52: it reaches the "
                                "clipboard if the terminal accepts clipboard escapes")


def review_in_tmux(tmux, quoted, config: str) -> str:
    """Run margin's review in tmux with ``config``, no display, press y; returns the citation."""
    path, article, quote = quoted
    tmux.start([sys.executable, "-m", "tui.cli", "--db", str(path)], config=config)
    tmux.wait_for(lambda screen: "Library" in screen or "Kursk" in screen)
    tmux.press("r")
    tmux.wait_for(lambda screen: "Skibitskyi" in screen)
    tmux.press("y")
    return cite_annotation(quote, article, "analyst")


def flat(screen: str) -> str:
    """The screen's words in one line (a notification wraps inside its box)."""
    return " ".join(word for word in screen.replace("▌", " ").replace("▐", " ").split())


def test_in_tmux_with_set_clipboard_on_y_puts_the_citation_in_a_tmux_buffer(tmux, quoted):
    expected = review_in_tmux(tmux, quoted, "set -g set-clipboard on")
    tmux.wait_for(lambda screen: "tmux paste buffer" in flat(screen))
    assert tmux.buffer() == expected


def test_in_tmux_with_its_default_settings_y_says_nothing_was_copied(tmux, quoted):
    review_in_tmux(tmux, quoted, "")
    screen = tmux.wait_for(lambda screen: "not copied" in flat(screen))
    assert "set-clipboard external" in flat(screen)
    assert tmux.buffers() == []


def test_cite_copy_in_tmux_with_set_clipboard_on_fills_a_buffer(tmux, quoted):
    path, article, quote = quoted
    done = path.with_name("done")
    tmux.start(["sh", "-c", f'"$0" -m tui.cli --db "$1" cite --copy "$2" 2>"$3"; touch "$4"',
                sys.executable, str(path), quote["id"], str(path.with_name("err")), str(done)],
               config="set -g set-clipboard on")
    tmux.wait_for(lambda screen: done.exists())
    assert tmux.buffer() == cite_annotation(quote, article, "analyst")
    assert path.with_name("err").read_text().startswith("margin: citation copied to a tmux")
