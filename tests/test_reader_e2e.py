"""margin in a real terminal: tmux runs ``margin open``, gets the keys of the flow, and the
database is checked afterwards. Screens are read with ``capture-pane`` and waited for by
polling, so the test is as fast as the program and never depends on a fixed sleep."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import list_articles
from store.db import open_db

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
RECRUITMENT = ("There are all the signs that by the end of the year, Russia will fully meet its "
               "recruitment plan.")

pytestmark = pytest.mark.e2e


def margin_command() -> list[str]:
    """How to start margin from this interpreter's environment."""
    script = Path(sys.executable).with_name("margin")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from tui.cli import main; main()"]


class Terminal:
    """One tmux session on a private socket, so no other tmux is touched."""

    def __init__(self, socket: Path, width: int = 120, height: int = 36) -> None:
        self.socket = socket
        self.width, self.height = width, height

    def tmux(self, *args: str) -> str:
        result = subprocess.run(["tmux", "-S", str(self.socket), *args], capture_output=True,
                                text=True, timeout=10)
        if result.returncode != 0:
            raise AssertionError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def start(self, command: list[str], env: dict[str, str]) -> None:
        exports = " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items())
        # COLUMNS and LINES (pytest may set them) would override the terminal's real size.
        line = f"env -u COLUMNS -u LINES {exports} {shlex.join(command)}; echo EXITED $?; sleep 30"
        self.tmux("new-session", "-d", "-s", "margin", "-x", str(self.width), "-y",
                  str(self.height), line)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "margin")

    def wait_for(self, text: str, timeout: float = 20.0) -> str:
        """Poll the screen until ``text`` shows; fail with the last screen if it never does."""
        deadline = time.monotonic() + timeout
        shown = ""
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError(f"{text!r} did not appear within {timeout}s; the screen was:\n{shown}")

    def keys(self, *keys: str) -> None:
        """Named keys, as tmux spells them (Tab, Enter, C-s)."""
        self.tmux("send-keys", "-t", "margin", *keys)

    def type(self, text: str) -> None:
        """Literal text."""
        self.tmux("send-keys", "-t", "margin", "-l", text)

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True,
                       timeout=10)


@pytest.fixture
def terminal(tmp_path: Path):
    if shutil.which("tmux") is None:
        if os.environ.get("CI"):
            pytest.fail("tmux is not installed, and CI must run the end-to-end test")
        pytest.skip("tmux is not installed")
    terminal = Terminal(tmp_path / "tmux.sock")
    yield terminal
    terminal.close()


def test_the_flow_in_a_real_terminal_saves_the_quote(terminal, tmp_path):
    db_path = tmp_path / "margin.db"
    env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", "HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path / "config"), "XDG_DATA_HOME": str(tmp_path / "data")}
    terminal.start([*margin_command(), "--db", str(db_path), "open", str(KURSK)], env)

    terminal.wait_for("North Korean troops concentrated", timeout=30)
    terminal.wait_for("Nothing annotated yet")
    # Typed straight after the find key, as a quick hand does: nothing may reach the article.
    terminal.keys("/")
    terminal.type("There are all")
    terminal.keys("Enter")
    terminal.wait_for("match 1 of 1")
    terminal.type('"')
    terminal.wait_for("97 characters selected")
    # Again typed straight after the key that opens the form.
    terminal.keys("q")
    terminal.type("Vadym Skibitskyi")
    terminal.wait_for("Deputy Head of")  # the role the article's Source: line gives, filled in
    # Keys typed before a tab has moved the focus would land in the old field, so each tab
    # waits for the form's pointer (›) to reach the next one.
    terminal.keys("Tab")
    terminal.wait_for("› Role")
    terminal.keys("Tab")
    terminal.wait_for("› Via")
    terminal.type("interview with Ukrinform")
    terminal.keys("Tab")
    terminal.wait_for("› Confidence")
    terminal.type("5")
    terminal.wait_for("likely (68%)")
    terminal.keys("Tab")
    terminal.wait_for("› Grade")
    terminal.type("B2")
    terminal.keys("C-s")
    # The side pane and the header's count are separate widgets, redrawn in separate frames:
    # wait for each rather than reading one from the capture that showed the other.
    terminal.wait_for("0 claims, 1 quote")
    terminal.wait_for("quote · Vadym Skibitskyi")
    terminal.keys("C-q")
    terminal.wait_for("EXITED 0")

    db = open_db(db_path)
    try:
        [article] = list_articles(db)
        [quote] = store_annotations.list_annotations(db, article_id=article["id"])
    finally:
        db.conn.close()
    assert quote["kind"] == "quote"
    assert quote["exact"] == RECRUITMENT
    assert quote["confidence"] == 68
    assert quote["grade"] == "B2"
    assert quote["source"] == "Vadym Skibitskyi"
    assert quote["via"] == "interview with Ukrinform"
