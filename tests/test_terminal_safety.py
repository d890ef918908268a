"""No stored text drives the terminal: control characters and bidi overrides are shown, not obeyed.

Import, the command line's options and import-annotations drop control characters on the way
in; a database written by another program (or an older margin) can still hold them, and bidi
overrides are kept on purpose. Both are tested where the text comes out: the command line's
bytes, and a real terminal (tmux) running the TUI.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from store.display import BIDI_PLACEHOLDER, display_safe

TITLE_SET = "\x1b]0;PWNED\x07"
CLIPBOARD_SET = "\x1b]52;c;cHduZWQ=\x07"          # "pwned"
CLEAR = "\x1b[2J"
C1_CSI = "\x9b31m"
RLO, PDF = "\u202e", "\u202c"
HOSTILE = f"{TITLE_SET}{CLIPBOARD_SET}{CLEAR}{C1_CSI}\x07\x85"
ARTICLE = f"Analysts said the {RLO}live{PDF} figure was wrong. Officials denied it later.\n"

# What must never reach a terminal raw: ESC, BEL, C1 controls, bidi controls.
RAW = re.compile("[\x1b\x07\x80-\x9f\u202a-\u202e\u2066-\u2069]")


def margin(*args: str, db: Path):
    environment = {**os.environ, "MARGIN_DB": "", "DISPLAY": "", "WAYLAND_DISPLAY": ""}
    return subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db), *args],
                          capture_output=True, env=environment, timeout=60)


@pytest.fixture
def hostile_db(tmp_path: Path) -> tuple[Path, str, str]:
    """An article with a bidi override and one quote, then metadata, source, note and tag
    holding escape sequences, written straight into SQLite as another program could."""
    db = tmp_path / "margin.db"
    source = tmp_path / "article.txt"
    source.write_text("Hostile page\n\n" + ARTICLE, encoding="utf-8")
    imported = margin("import", str(source), db=db)
    assert imported.returncode == 0, imported.stderr
    article_id = imported.stdout.decode().split()[0]
    added = margin("add", article_id, "--kind", "quote", "--text", "Officials denied it",
                   "--source", "Eve", "--note", "check", "--tag", "t", db=db)
    assert added.returncode == 0, added.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE articles SET title = ?, outlet = ?, authors = ?",
                     [f"Title {HOSTILE} end", f"Outlet{HOSTILE}", json.dumps([f"Au{HOSTILE}"])])
        conn.execute("UPDATE sources SET name = ?, role = ?", [f"Eve{HOSTILE}", f"r{TITLE_SET}"])
        conn.execute("UPDATE annotations SET note = ?, via = ?, tags = ?",
                     [f"note{HOSTILE}", f"via{CLIPBOARD_SET}", json.dumps([f"tag{CLEAR}"])])
    return db, article_id, added.stdout.decode().strip()


# --- The rule -------------------------------------------------------------------------------

def test_controls_show_as_pictures_and_bidi_overrides_as_arrows_one_for_one():
    text = f"a{TITLE_SET}b{C1_CSI}c{RLO}d{PDF}\u2066e\u2069\tf\ng\x7f"
    shown = display_safe(text)
    assert len(shown) == len(text)
    assert shown == ("a␛]0;PWNED␇b\ufffd31mc⇄d⇄⇄e⇄\tf\ng␡")
    assert RAW.search(shown) is None
    assert display_safe("a\tb\nc", one_line=True) == "a␉b␊c"


def test_text_without_controls_is_shown_unchanged():
    words = "Quote: “Kyiv says” — Київ, 北京, مرحبا"
    assert display_safe(words) == words


# --- The command line -----------------------------------------------------------------------

def test_the_command_lines_tables_and_citation_carry_no_raw_control(hostile_db):
    db, article_id, annotation_id = hostile_db
    for args in (["articles"], ["annotations"], ["cite", annotation_id],
                 ["cite", article_id, "--style", "apa"], ["cite", annotation_id,
                                                          "--style", "markdown"]):
        result = margin(*args, db=db)
        assert result.returncode == 0, result.stderr
        out = result.stdout.decode("utf-8")
        assert RAW.search(out) is None, (args, out)
        assert "␛]0;PWNED␇" in out or "Eve␛" in out, (args, out)


def test_the_annotations_table_shows_a_quote_with_no_raw_control(hostile_db):
    db, _, _ = hostile_db
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE annotations SET note = NULL")
    result = margin("annotations", "--search", "Officials", db=db)
    out = result.stdout.decode()
    assert "“Officials denied it”" in out and RAW.search(out) is None


def test_json_output_keeps_the_data_but_escapes_every_control(hostile_db):
    db, _, _ = hostile_db
    for command in ("articles", "annotations"):
        result = margin(command, "--json", db=db)
        out = result.stdout.decode("utf-8")
        assert RAW.search(out) is None, out
        rows = json.loads(out)
        assert any(HOSTILE in str(value) for row in rows for value in row.values())


def test_an_error_quoting_what_the_user_gave_shows_its_escapes(tmp_path):
    keys = tmp_path / "keys.toml"
    keys.write_text('find = "\\u001b]0;PWNED\\u0007"\n', encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(tmp_path / "m.db"),
                             "--keys", str(keys)], capture_output=True, timeout=60)
    assert result.returncode == 2
    err = result.stderr.decode()
    assert "'␛]0;PWNED␇' is not a key" in err and RAW.search(err) is None


@pytest.mark.parametrize("option", ["--source", "--role", "--via", "--note", "--tag"])
def test_typed_fields_are_stored_without_controls(tmp_path, option):
    db = tmp_path / "m.db"
    source = tmp_path / "a.txt"
    source.write_text("A title\n\nOfficials denied it later.\n", encoding="utf-8")
    article_id = margin("import", str(source), db=db).stdout.decode().split()[0]
    extra = [] if option == "--source" else ["--source", "Eve"]
    added = margin("add", article_id, "--kind", "claim", "--text", "denied", *extra,
                   option, f"x{TITLE_SET}{CLEAR}{RLO}y", db=db)
    assert added.returncode == 0, added.stderr
    row = json.loads(margin("annotations", "--json", db=db).stdout)[0]
    stored = json.dumps(row, ensure_ascii=False)
    assert "\x1b" not in stored and "\x07" not in stored
    assert f"x]0;PWNED[2J{RLO}y" in stored  # the bidi control is kept: it is data


# --- A real terminal ------------------------------------------------------------------------

SGR = re.compile(r"\x1b\[[0-9;:]*m")


def test_the_tui_shows_hostile_text_without_obeying_it(tmux, hostile_db):
    db, _, _ = hostile_db
    tmux.start([sys.executable, "-m", "tui.cli", "--db", str(db)],
               config="set -g set-clipboard on\nset -g allow-rename on")
    title_before = tmux.tmux("display-message", "-p", "#{pane_title}").stdout.decode()
    library = tmux.wait_for(lambda screen: "Title ␛]0;PWNED␇" in screen)
    tmux.press("Enter")
    reader = tmux.wait_for(lambda screen: "Analysts said" in screen and "Eve␛" in screen)
    tmux.press("r")
    review = tmux.wait_for(lambda screen: "Review" in screen and "Eve␛" in screen)
    for screen in (library, reader, review):
        assert RAW.search(SGR.sub("", screen)) is None
    escapes = SGR.sub("", tmux.screen(escapes=True))
    assert RAW.search(escapes) is None, repr(escapes)
    assert f"the {BIDI_PLACEHOLDER}live{BIDI_PLACEHOLDER} figure" in reader
    assert tmux.buffers() == []
    assert tmux.tmux("display-message", "-p", "#{pane_title}").stdout.decode() == title_before
