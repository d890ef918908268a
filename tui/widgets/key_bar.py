"""The bottom row of every screen: the keys that work now, and the palette's key on the right.

It shows what Textual's ``Footer`` shows, in the same colours, but as one widget that draws a
line of text: the footer builds a widget for every key, and on the reader those twenty-odd
widgets cost more to style and draw than the article itself (bench/tui.py, first paint).
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import RenderResult
from textual.screen import Screen
from textual.widget import Widget

from tui.keymap import default_actions


class KeyBar(Widget, can_focus=False):
    """The keys of the focused widget, its screen and the app, each with what it does.

    An action bound to several keys is shown once, with its first key. A key that cannot act
    now is dimmed. Clicking a key presses it.
    """

    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
    }
    KeyBar > .key-bar--key {
        color: $footer-key-foreground;
        background: $footer-key-background;
        text-style: bold;
    }
    KeyBar > .key-bar--description {
        color: $footer-description-foreground;
        background: $footer-description-background;
    }
    KeyBar > .key-bar--divider {
        color: $foreground 20%;
    }
    """
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--divider"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Where each key is drawn, for clicks: (first column, end column, key).
        self._places: list[tuple[int, int, str]] = []
        self._ready = False

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        # As Textual's footer does, the keys are drawn from the frame after the screen's
        # first: that frame shows what the screen is for (the article) a little sooner.
        self.call_after_refresh(self._show_keys)

    def _show_keys(self) -> None:
        self._ready = True
        self.refresh()

    @property
    def showing_keys(self) -> bool:
        """True once the keys are drawn (from the screen's second frame)."""
        return self._ready

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        if self.is_attached and screen is self.screen:
            self.refresh()

    def _shown(self) -> tuple[list[tuple[str, str, str, bool]], tuple[str, str, str, bool] | None]:
        """The keys to show, as (key, display, description, enabled), and the palette's."""
        app = self.app
        active = self.screen.active_bindings
        palette = None
        if app.ENABLE_COMMAND_PALETTE and app.COMMAND_PALETTE_BINDING in active:
            _, binding, enabled, _ = active[app.COMMAND_PALETTE_BINDING]
            palette = (binding.key, app.get_key_display(binding), binding.description, enabled)
        # The focused widget's keys first, then the screen's, then the app's (Textual's order);
        # each node's in the registry's order, whatever keys the user gave them: Textual lists
        # a node's bindings by key, so a remapped action would move to the end, out of sight.
        order = {action_id: index for index, action_id in enumerate(default_actions())}
        nodes: dict[int, int] = {}
        found, actions = [], set()
        for node, binding, enabled, _ in active.values():
            if not binding.show or binding.action in actions:
                continue
            if palette is not None and binding.key == palette[0]:
                continue
            actions.add(binding.action)
            rank = nodes.setdefault(id(node), len(nodes))
            found.append(((rank, order.get(binding.id, len(order))), binding, enabled))
        found.sort(key=lambda item: item[0])
        shown = [(binding.key, app.get_key_display(binding), binding.description, enabled)
                 for _, binding, enabled in found]
        return shown, palette

    def render(self) -> RenderResult:
        if not self._ready:
            return ""
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        divider_style = self.get_component_rich_style("key-bar--divider")
        width = self.size.width
        shown, palette = self._shown()

        right = Text()
        if palette is not None:
            key, display, description, _ = palette
            right.append("▏", divider_style)
            right.append(display, key_style)
            right.append(f" {description} ", description_style)
        room = max(0, width - right.cell_len)

        line, places, column = Text(no_wrap=True, overflow="crop"), [], 0
        for key, display, description, enabled in shown:
            part = Text.assemble((f" {display} ", key_style), (f"{description} ", description_style))
            if not enabled:
                part.stylize("dim")
            if column + part.cell_len > room:
                break
            places.append((column, column + part.cell_len, key))
            line.append_text(part)
            column += part.cell_len
        if palette is not None:
            line.append(" " * (room - column))
            places.append((room, room + right.cell_len, palette[0]))
            line.append_text(right)
        self._places = places
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._places:
            if start <= event.x < end:
                event.stop()
                self.app.simulate_key(key)
                return
