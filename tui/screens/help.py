"""The help screen: every action of every screen with the keys in force, from the registry."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.display import display_safe
from tui.keymap import SCOPE_TITLES, SCOPES, Action, actions_in, bindings, display_keys
from tui.paths import file_lines


def scope_table(actions: list[Action], keys_width: int, id_width: int) -> Table:
    """One scope's actions as a table: keys, what they do, and the id to use in a keymap."""
    table = Table.grid(padding=(0, 2), expand=True)
    # Every scope's table gets the same widths so the columns line up down the screen.
    table.add_column("keys", style="bold", no_wrap=True, width=keys_width)
    table.add_column("description", ratio=1)
    table.add_column("id", style="dim", no_wrap=True, width=id_width)
    for action in actions:
        table.add_row(Text(display_keys(action.keys)), Text(action.description), Text(action.id))
    return table


class HelpScreen(ModalScreen[None]):
    """Lists every binding grouped by where it works; ``escape`` or the help key closes it."""

    CSS_PATH = "help.tcss"
    # A modal screen does not pass keys to the app, so it carries the global keys it honours.
    BINDINGS = [
        Binding("escape", "close", "Close", show=False),
        *(binding for binding in bindings("global") if binding.id in {"help", "quit"}),
    ]

    def compose(self) -> ComposeResult:
        actions = self.app.actions
        id_width = max(len(action_id) for action_id in actions)
        keys_width = max(12, *(len(display_keys(action.keys)) for action in actions.values()))
        with Vertical(id="help-panel"):
            yield Static("Keys", id="help-title")
            with VerticalScroll(id="help-body"):
                for scope in SCOPES:
                    yield Static(SCOPE_TITLES[scope], classes="help-scope")
                    yield Static(scope_table(actions_in(scope, actions), keys_width, id_width),
                                 classes="help-table", id=f"help-{scope}")
                yield Static("Files", classes="help-scope")
                yield Static(self._files_table(keys_width), classes="help-table", id="help-files")
            yield Static(self._footer_text(actions), id="help-footer")

    def _files_table(self, label_width: int) -> Table:
        """Where margin's files are: the config folder, the keymap in force, the database."""
        rows = file_lines(self.app.db_path, self.app.keys_path)
        table = Table.grid(padding=(0, 2), expand=True)
        table.add_column("what", style="bold", no_wrap=True,
                         width=max(label_width, *(len(label) for label, _ in rows)))
        # A path is folded, never cut: every character of it is needed to find the file.
        table.add_column("where", ratio=1, overflow="fold")
        for label, where in rows:
            table.add_row(Text(label), Text(display_safe(where, one_line=True)))
        return table

    def _footer_text(self, actions) -> Text:
        help_keys = display_keys(actions["help"].keys)
        return Text(f"escape or {help_keys} closes · keys can be changed in keybindings.toml "
                    "by id", style="dim")

    def on_mount(self) -> None:
        self.query_one("#help-body").focus()

    def action_close(self) -> None:
        self.dismiss()

    def action_help(self) -> None:
        self.dismiss()

    def action_quit(self) -> None:
        self.app.exit()
