"""The top row of every screen: margin's name and the screen's, as Textual's ``Header`` shows
them, drawn by one widget (the header is four, and costs the reader's first paint its share)."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.widget import Widget

from store.display import display_safe


class TitleBar(Widget, can_focus=False):
    """``⭘  margin — Reader``: the icon opens the palette when clicked, as the header's does."""

    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """
    ICON = "⭘"
    _ICON_WIDTH = 8

    def on_mount(self) -> None:
        self.watch(self.app, "title", self._retitle, init=False)
        self.watch(self.screen, "title", self._retitle, init=False)
        self.watch(self.screen, "sub_title", self._retitle, init=False)

    def _retitle(self) -> None:
        self.refresh()

    def render(self) -> RenderResult:
        screen = self.screen
        title = screen.title or self.app.title
        words = Text(display_safe(title, one_line=True), no_wrap=True, overflow="ellipsis")
        if screen.sub_title:
            words.append(" — ")
            words.append(display_safe(screen.sub_title, one_line=True), style="dim")
        width = self.size.width
        icon = f" {self.ICON}".ljust(self._ICON_WIDTH)
        room = max(0, width - 2 * self._ICON_WIDTH)
        words.truncate(room, overflow="ellipsis")
        left = (room - words.cell_len) // 2
        line = Text(icon, no_wrap=True)
        line.append(" " * left)
        line.append_text(words)
        return line

    def on_click(self, event: events.Click) -> None:
        if event.x < self._ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            self.app.action_command_palette()
