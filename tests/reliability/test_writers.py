"""Several programs writing one database at once: nothing is refused for a lock, nothing is
lost, and every change has its history row."""

from __future__ import annotations

import asyncio
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from harness import KURSK, history_gaps, make_database, run_mixed_writers

from pilot_helpers import until
from store import annotations as store_annotations
from store.db import open_db
from tui.app import MarginApp
from tui.screens.reader import ReaderScreen
from tui.widgets.annotation_form import AnnotationForm

# Each plain writer's adds; with its edits (every third) and deletes (every fifth) it makes
# about 1.53 operations an add. Together with the reader's and the command line's they make
# over 10,000 operations.
PLAIN_ADDS = 2_600
READER_ADDS = 2_000
FORM_SAVES = 8
COMMAND_LINE_ADDS = 12
WORDS = ("Russia", "Kursk", "troops", "recruitment", "border", "North Korean", "Ukraine",
         "Skibitskyi")


def margin(*args: str, db: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(db), *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "MARGIN_DB": ""})


def test_the_reader_the_command_line_and_two_scripts_write_at_once_and_lose_nothing(tmp_path):
    path = tmp_path / "margin.db"
    article_id = make_database(path)
    plain: list[dict] = []
    command_line: list[subprocess.CompletedProcess] = []
    others = [
        threading.Thread(target=lambda: plain.extend(
            run_mixed_writers(path, article_id, PLAIN_ADDS))),
        threading.Thread(target=lambda: command_line.extend(
            margin("add", article_id, "--kind", "quote", "--text", WORDS[n % len(WORDS)], "--occurrence", "1",
                   "--source", f"Command line {n}", db=path)
            for n in range(COMMAND_LINE_ADDS))),
    ]
    for thread in others:
        thread.start()
    seen: list[str] = []
    reader_ids: dict[str, list[str]] = {"added": [], "edited": [], "deleted": []}

    async def drive() -> None:
        app = MarginApp(path, keymap=None, open_article=article_id)
        notify = app.notify

        def recording_notify(message: str, **options) -> None:
            seen.append(message)
            notify(message, **options)

        app.notify = recording_notify
        async with app.run_test(size=(120, 36)) as pilot:
            await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
            screen = app.screen
            for number in range(FORM_SAVES):
                saved = len(seen)
                await pilot.press("slash", *WORDS[number % len(WORDS)], "enter", "s", "c")
                await until(pilot, lambda: bool(screen.query(AnnotationForm)))
                await pilot.press(*f"Reader {number}", "ctrl+s")
                await until(pilot, lambda: len(seen) > saved and not screen.query(AnnotationForm),
                            seconds=30)
                assert seen[-1].startswith("Saved the claim"), seen[-1]
            # Then the store functions the reader calls, on the app's own connection, at the
            # pace of a script rather than a person.
            text = screen.view.text
            for number in range(READER_ADDS):
                start = text.index(WORDS[number % len(WORDS)])
                # A source of its own: the same words with the same source twice would be
                # the same annotation, which the store refuses.
                added = store_annotations.add_annotation(
                    app.db, article_id, kind="claim", start=start,
                    end=start + len(WORDS[number % len(WORDS)]), source=f"Script {number}",
                    note=f"reader {number}")
                reader_ids["added"].append(added["id"])
                if number % 3 == 0:
                    store_annotations.edit_annotation(app.db, added["id"], grade="B2")
                    reader_ids["edited"].append(added["id"])
                if number % 5 == 0:
                    store_annotations.delete_annotation(app.db, added["id"])
                    reader_ids["deleted"].append(added["id"])

    asyncio.run(drive())
    for thread in others:
        thread.join(timeout=600)

    failures = [failure for result in plain for failure in result["failures"]]
    assert failures == []
    assert [(run.returncode, run.stderr) for run in command_line] == \
        [(0, "")] * COMMAND_LINE_ADDS
    assert not [message for message in seen if "lock" in message or "busy" in message]

    added = reader_ids["added"] + [run.stdout.strip() for run in command_line]
    edited, deleted = list(reader_ids["edited"]), list(reader_ids["deleted"])
    for result in plain:
        added += result["added"]
        edited += result["edited"]
        deleted += result["deleted"]
    operations = len(added) + len(edited) + len(deleted) + FORM_SAVES
    assert operations >= 10_000
    conn = sqlite3.connect(path)
    stored = dict(conn.execute("SELECT id, deleted_at IS NOT NULL FROM annotations"))
    form_saved = conn.execute("SELECT count(*) FROM annotations a JOIN sources s "
                              "ON s.id = a.source_id WHERE s.name LIKE 'Reader %'").fetchone()[0]
    conn.close()
    assert form_saved == FORM_SAVES
    assert [annotation_id for annotation_id in added if annotation_id not in stored] == []
    assert sorted(i for i in added if stored[i]) == sorted(deleted)
    assert history_gaps(path, added, edited, deleted) == []


def hold_write_lock(path: Path) -> subprocess.Popen:
    """Another program that takes the write lock and keeps it until it is killed."""
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sqlite3, sys, time\n"
         "conn = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
         "conn.execute('BEGIN IMMEDIATE')\n"
         "print('holding', flush=True)\n"
         "time.sleep(600)\n", str(path)],
        stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "holding"
    return holder


def test_a_lock_held_past_the_busy_timeout_is_one_line_and_nothing_is_written(tmp_path):
    path = tmp_path / "margin.db"
    article_id = make_database(path)
    holder = hold_write_lock(path)
    try:
        result = margin("add", article_id, "--kind", "claim", "--text", "Kursk", "--occurrence", "1", db=path)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "busy" in result.stderr and "try again" in result.stderr
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM history").fetchone()[0] == 0
    conn.close()


def test_importing_stored_text_again_does_not_wait_for_another_programs_write_lock(tmp_path):
    path = tmp_path / "margin.db"
    article_id = make_database(path)
    holder = hold_write_lock(path)
    try:
        result = margin("import", str(KURSK), db=path)
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[:3] == [article_id, "already", "there"]


async def test_the_reader_shows_a_lock_held_too_long_as_a_notification(tmp_path):
    path = tmp_path / "margin.db"
    article_id = make_database(path)
    app = MarginApp(path, keymap=None, open_article=article_id)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        screen = app.screen
        await pilot.press("slash", *"Kursk", "enter", "s", "c")
        await until(pilot, lambda: bool(screen.query(AnnotationForm)))
        await pilot.press(*"Skibitskyi")
        holder = hold_write_lock(path)
        try:
            await pilot.press("ctrl+s")
            await until(pilot, lambda: any("busy" in n.message for n in app._notifications),
                        seconds=30)
        finally:
            holder.kill()
            holder.wait()
        [notice] = [n for n in app._notifications if "busy" in n.message]
        assert notice.severity == "error"
        assert "try again" in notice.message
        # The form stays open with what was typed, so saving again once the lock is gone works.
        assert screen.query(AnnotationForm)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: not screen.query(AnnotationForm), seconds=30)
    db = open_db(path)
    [saved] = store_annotations.list_annotations(db, article_id=article_id)
    assert saved["source"] == "Skibitskyi"
