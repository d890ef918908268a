"""Sync from the TUI, against a real PostgreSQL server: the sync key brings the team's work into
what the screen shows, a server that cannot be reached is said in one line, and a conflict a
sync found is marked in Review and resolved there."""

from __future__ import annotations

import pytest

from store import annotations as store_annotations
from store.sync import list_conflicts
from tui.app import MarginApp
from tui.screens.dialogs import ResolveConflict
from tui.screens.library import LibraryScreen
from tui.screens.reader import ReaderScreen
from tui.screens.review import CONFLICT_MARK, ReviewScreen

from pg_cluster import free_port
from pilot_helpers import drawn, until

SIZE = (140, 36)
SYNC_KEY = "ctrl+r"


def notified(app, severity: str | None = None) -> list[str]:
    """The notifications on screen now (of one severity, if given)."""
    return [note.message for note in app._notifications
            if severity is None or note.severity == severity]


def excerpts(screen: ReviewScreen) -> list[str]:
    """The excerpt column of Review, top to bottom, as shown."""
    return [screen.table.cells_at(row)[3].plain for row in range(screen.table.row_count)]


async def review_settled(pilot) -> ReviewScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, ReviewScreen)
                and not pilot.app.screen.busy)
    await drawn(pilot, pilot.app.screen)
    return pilot.app.screen


async def open_review(pilot, line: str = "") -> ReviewScreen:
    await until(pilot, lambda: isinstance(pilot.app.screen, LibraryScreen))
    await pilot.press("r")
    screen = await review_settled(pilot)
    if line:
        await pilot.press("slash", *line, "enter")
        await until(pilot, lambda: screen.filters and not screen.busy)
        await drawn(pilot, screen)
    return screen


def annotate_in_b(copies, words: str, note: str) -> str:
    """Annotate ``words`` in copy b and send it to the server; returns the annotation's id."""
    db = copies.open("b")
    saved = store_annotations.add_annotation_by_text(
        db, copies.article_ids["b"], kind="claim", text=words, source="Vadym Skibitskyi",
        confidence=68, note=note)
    db.conn.close()
    copies.sync("b")
    return saved["id"]


async def test_the_sync_key_brings_the_teams_annotation_into_review_with_a_summary(
        sync_copies):
    annotation_id = annotate_in_b(sync_copies, "recruitment plan", "from b")
    app = MarginApp(sync_copies.paths["a"], analyst="analyst a")
    titles: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot)
        assert excerpts(screen) == []
        app.watch(app, "title", lambda title: titles.append(title), init=False)
        await pilot.press(SYNC_KEY)
        await until(pilot, lambda: not app.syncing, seconds=30)
        [summary] = notified(app)
        assert summary.startswith("synced with 127.0.0.1:") and "1 annotation;" in summary
        await until(pilot, lambda: excerpts(screen) == ["recruitment plan"])
        assert any(title.startswith("margin · Syncing: receiving") for title in titles), titles
        assert app.title == "margin"
        assert not notified(app, "error")
    db = sync_copies.open("a")
    assert store_annotations.get_annotation(db, annotation_id)["note"] == "from b"
    db.conn.close()


async def test_the_reader_shows_an_annotation_the_sync_brought_without_reopening(sync_copies):
    annotate_in_b(sync_copies, "recruitment plan", "from b")
    app = MarginApp(sync_copies.paths["a"], analyst="analyst a",
                    open_article=sync_copies.article_ids["a"])
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen) and app.screen.is_mounted)
        side_title = app.screen.query_one("#side-title")
        assert "0 claims, 0 quotes" in str(side_title.render())
        await pilot.press(SYNC_KEY)
        await until(pilot, lambda: "1 claim, 0 quotes" in str(side_title.render()), seconds=30)
        # Drawn in the text: the annotation is highlighted where its words are.
        assert "recruitment plan" in [a["exact"] for a in app.screen.view._annotations]
        assert any(line.startswith("synced with") for line in notified(app))


async def test_an_unreachable_server_is_one_line_and_margin_keeps_working(sync_copies,
                                                                         monkeypatch):
    monkeypatch.setenv("MARGIN_SYNC_URL", f"postgresql://margin@127.0.0.1:{free_port()}/team")
    app = MarginApp(sync_copies.paths["a"], analyst="analyst a")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press(SYNC_KEY)
        await until(pilot, lambda: notified(app, "error"), seconds=30)
        [error] = notified(app, "error")
        assert "\n" not in error and "Traceback" not in error
        assert "127.0.0.1" in error
        assert app.title == "margin" and not app.syncing
        await pilot.press("r")
        await review_settled(pilot)
        # Another try is allowed once the first has failed.
        await pilot.press(SYNC_KEY)
        await until(pilot, lambda: len(notified(app, "error")) == 2, seconds=30)


async def test_without_a_server_the_sync_key_says_how_to_give_one(tmp_path, monkeypatch):
    monkeypatch.delenv("MARGIN_SYNC_URL", raising=False)
    app = MarginApp(tmp_path / "margin.db")
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
        await pilot.press(SYNC_KEY)
        await until(pilot, lambda: notified(app, "warning"))
        [warning] = notified(app, "warning")
        assert "margin sync postgresql://" in warning and "MARGIN_SYNC_URL" in warning
        assert not app.syncing


async def test_keys_answer_while_a_sync_waits_and_a_second_sync_is_refused(sync_copies,
                                                                          pg_cluster):
    import psycopg

    from store.sync.server import WRITING_LOCK

    annotate_in_b(sync_copies, "recruitment plan", "from b")
    app = MarginApp(sync_copies.paths["a"], analyst="analyst a")
    # Another client holds the lock a sync takes first: the sync waits on the server.
    with psycopg.connect(sync_copies.url, autocommit=True) as holder:
        holder.execute("SELECT pg_advisory_lock(%s)", [WRITING_LOCK])
        async with app.run_test(size=SIZE) as pilot:
            await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
            await pilot.press(SYNC_KEY)
            await until(pilot, lambda: app.title.startswith("margin · Syncing"))
            await pilot.press(SYNC_KEY)
            await until(pilot, lambda: any("already running" in line for line in notified(app)))
            await pilot.press("r")
            screen = await review_settled(pilot)
            assert app.syncing and excerpts(screen) == []
            holder.execute("SELECT pg_advisory_unlock(%s)", [WRITING_LOCK])
            await until(pilot, lambda: excerpts(screen) == ["recruitment plan"], seconds=30)
            assert sum(line.startswith("synced with") for line in notified(app)) == 1


def conflict_in_a(copies) -> str:
    """The same annotation edited in both copies, b's edit later and on the server first:
    a's sync keeps b's and holds a's as an open conflict. Returns the annotation's id."""
    annotation_id = annotate_in_b(copies, "recruitment plan", "first note")
    copies.sync("a")
    db = copies.open("a")
    store_annotations.edit_annotation(db, annotation_id, note="a's note", confidence=32)
    db.conn.close()
    db = copies.open("b")
    store_annotations.edit_annotation(db, annotation_id, note="b's note")
    db.conn.close()
    copies.sync("b")
    return annotation_id


@pytest.mark.parametrize("key, note, confidence", [("k", "b's note", 68),
                                                   ("t", "a's note", 32)])
async def test_a_conflict_is_marked_in_review_and_resolved_in_its_dialog(
        sync_copies, key, note, confidence):
    annotation_id = conflict_in_a(sync_copies)
    app = MarginApp(sync_copies.paths["a"], analyst="analyst a")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot, "conflict:yes")
        assert excerpts(screen) == []
        await pilot.press(SYNC_KEY)
        await until(pilot, lambda: excerpts(screen) == [f"{CONFLICT_MARK} recruitment plan"],
                    seconds=30)
        assert any("1 conflict is open" in line for line in notified(app))
        await drawn(pilot, screen)
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ResolveConflict))
        dialog = app.screen
        shown = " ".join(str(dialog.query_one(f"#conflict-{side}").render())
                         for side in ("stands", "other"))
        assert "b's note" in shown and "a's note" in shown
        await drawn(pilot, dialog)
        await pilot.press(key)
        await until(pilot, lambda: app.screen is screen and not screen.busy)
        await until(pilot, lambda: excerpts(screen) == [])
        await pilot.press("slash", *["backspace"] * len("conflict:yes"), "enter")
        await until(pilot, lambda: excerpts(screen) == ["recruitment plan"])
    db = sync_copies.open("a")
    stored = store_annotations.get_annotation(db, annotation_id)
    assert (stored["note"], stored["confidence"], stored["conflict"]) == (note, confidence, False)
    assert list_conflicts(db) == []
    db.conn.close()


async def test_escape_in_the_conflict_dialog_changes_nothing(sync_copies):
    annotation_id = conflict_in_a(sync_copies)
    sync_copies.sync("a")
    app = MarginApp(sync_copies.paths["a"], analyst="analyst a")
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_review(pilot, "conflict:yes")
        assert excerpts(screen) == [f"{CONFLICT_MARK} recruitment plan"]
        await pilot.press("c")
        await until(pilot, lambda: isinstance(app.screen, ResolveConflict))
        await drawn(pilot, app.screen)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is screen)
        assert excerpts(screen) == [f"{CONFLICT_MARK} recruitment plan"]
    db = sync_copies.open("a")
    assert [c["record_id"] for c in list_conflicts(db)] == [annotation_id]
    assert store_annotations.get_annotation(db, annotation_id)["note"] == "b's note"
    db.conn.close()
