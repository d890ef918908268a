"""Help (?) and the command palette (ctrl+p) show the registry with the keys in force."""

from __future__ import annotations

import io
from pathlib import Path

from rich.console import Console
from textual.command import CommandList, CommandPalette

from tui.keymap import SCOPES, default_actions, display_keys
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen

from pilot_helpers import until

SIZE = (100, 30)


def help_rows(screen: HelpScreen) -> dict[str, list[str]]:
    """Each scope's table on the help screen rendered as plain lines, however far it scrolls."""
    rows = {}
    for scope in SCOPES:
        table = screen.query_one(f"#help-{scope}").content
        console = Console(width=92, file=io.StringIO(), record=True, legacy_windows=False)
        console.print(table)
        rows[scope] = [" ".join(line.split()) for line in console.export_text().splitlines()]
    return rows


async def open_palette(pilot, query: str = "") -> None:
    """Open the palette and type ``query`` into it."""
    await pilot.press("ctrl+p")
    await until(pilot, lambda: isinstance(pilot.app.screen, CommandPalette)
                and pilot.app.screen.is_mounted)
    if query:
        await pilot.press(*query)


def palette_entries(app) -> list[str]:
    """Each entry the palette lists now, as text (title and help); it gathers them in a
    worker, so a test waits until they are the ones it expects."""
    options = app.screen.query_one(CommandList).options
    return [" ".join(str(option.prompt).split()) for option in options]


async def library_shown(pilot) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, LibraryScreen)
                and pilot.app.screen.is_mounted)


async def test_question_mark_lists_every_action_grouped_by_screen(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted)
        rows = help_rows(app.screen)
        for action in default_actions().values():
            expected = f"{display_keys(action.keys)} {action.description} {action.id}"
            assert any(line.startswith(expected) for line in rows[action.scope]), expected


async def test_help_shows_the_users_keys_not_the_defaults(make_app):
    app = make_app(keymap={"tag-quote": "Q", "help": "f1,question_mark"})
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await pilot.press("f1")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted)
        rows = help_rows(app.screen)
        assert "Q Tag the selection as a quote tag-quote" in rows["reader"]
        assert "f1 ? Show every key help" in rows["global"]


async def test_escape_or_the_help_key_closes_help(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        for close in ("escape", "question_mark"):
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, HelpScreen))
            await pilot.press(close)
            await until(pilot, lambda: isinstance(app.screen, LibraryScreen))


async def test_the_palette_offers_the_library_and_global_actions_with_their_keys(make_app):
    app = make_app(keymap={"import-article": "i"})
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await open_palette(pilot)
        actions = default_actions()
        expected = [f"{actions[i].description} {keys} · {i}" for i, keys in [
            ("help", "?"), ("library", "L"), ("review", "r"), ("quit", "ctrl+q"),
            ("edit-article", "E"), ("sync", "ctrl+r"), ("read-article", "⏎"), ("import-article", "i"),
            ("filter-library", "/"), ("delete-article", "d"), ("archive-article", "a"),
            ("library-restore", "u"), ("show-trash", "T"), ("show-archive", "A"),
            ("library-first", "g home"), ("library-last", "G end")]]
        await until(pilot, lambda: palette_entries(app) == expected)


async def test_choosing_an_action_in_the_palette_runs_it(make_app):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        await library_shown(pilot)
        await open_palette(pilot, "import")
        await until(pilot, lambda: palette_entries(app)[:1] and
                    palette_entries(app)[0].startswith("Import a file path or URL"))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, LibraryScreen)
                    and app.focused is not None and app.focused.id == "import")


def test_help_snapshot(make_app, snap_compare, tmp_path, monkeypatch):
    # The Files rows name the folders; the same short names on every machine keep the height
    # of the help (and so its scrollbar) the same everywhere.
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", "config")

    async def open_help(pilot):
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(pilot.app.screen, HelpScreen)
                    and pilot.app.screen.is_mounted)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()

    assert snap_compare(make_app(path=Path("margin.db")), run_before=open_help,
                        terminal_size=SIZE)


def help_files(screen: HelpScreen) -> list[str]:
    """The help screen's Files rows as plain lines, on a console wide enough for any path."""
    console = Console(width=400, file=io.StringIO(), record=True, legacy_windows=False)
    console.print(screen.query_one("#help-files").content)
    return [" ".join(line.split()) for line in console.export_text().splitlines()]


async def open_help(pilot) -> HelpScreen:
    app = pilot.app
    await until(pilot, lambda: isinstance(app.screen, LibraryScreen))
    await pilot.press("question_mark")
    await until(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted)
    return app.screen


async def test_help_names_the_config_folder_the_keymap_in_force_and_the_database(
        make_app, db_path, private_user_folders):
    app = make_app()
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_help(pilot)
        config = private_user_folders["config"] / "margin"
        assert help_files(screen) == [
            f"config folder {config}",
            f"keymap margin's default keys (yours would be {config / 'keybindings.toml'})",
            f"database {db_path}",
        ]


async def test_help_names_the_users_keymap_file_when_there_is_one(make_app,
                                                                  private_user_folders):
    mine = private_user_folders["config"] / "margin" / "keybindings.toml"
    mine.parent.mkdir(parents=True)
    mine.write_text('tag-quote = "Q"\n', encoding="utf-8")
    async with make_app().run_test(size=SIZE) as pilot:
        assert f"keymap {mine}" in help_files(await open_help(pilot))


async def test_help_names_the_keymap_file_given_on_the_command_line(make_app, tmp_path):
    keys = tmp_path / "my-keys.toml"
    keys.write_text('tag-quote = "Q"\n', encoding="utf-8")
    app = make_app(keymap={"tag-quote": "Q"}, keys_path=keys)
    async with app.run_test(size=SIZE) as pilot:
        assert f"keymap {keys}" in help_files(await open_help(pilot))
