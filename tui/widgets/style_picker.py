"""A small modal list of citation styles, each shown with the citation it would copy."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.display import display_safe

PREVIEW_LENGTH = 240


class StylePicker(ModalScreen[str | None]):
    """Pick a citation style with the arrows and enter; escape copies nothing.

    Dismisses with the chosen style's name, or None. The last style picked is highlighted the
    next time, since an analyst tends to cite in one style for a while.
    """

    DEFAULT_CSS = """
    StylePicker {
        align: center middle;
        background: $background 60%;
    }
    StylePicker > Vertical {
        width: 80%;
        max-width: 100;
        height: auto;
        max-height: 80%;
        padding: 0 1;
        border: thick $primary;
        background: $panel;
    }
    StylePicker #style-title {
        height: 1;
        text-style: bold;
        margin-bottom: 1;
    }
    StylePicker OptionList, StylePicker OptionList:focus {
        height: auto;
        max-height: 30;
        border: none;
        padding: 0;
    }
    StylePicker #style-keys {
        height: 1;
        color: $text-muted;
    }
    """
    # Like the library's prompts: escape closes; enter and the arrows belong to the list.
    BINDINGS = [Binding("escape", "cancel", "Cancel", show=False)]

    last_style: str | None = None

    def __init__(self, styles: list[str], previews: dict[str, str] | None = None,
                 title: str = "Copy the citation in which style?") -> None:
        super().__init__()
        self.style_names = list(styles)
        self.previews = dict(previews or {})
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.title_text), id="style-title")
            yield OptionList(*(Option(self._label(style), id=style) for style in self.style_names),
                             id="styles")
            yield Static(Text("↑ ↓ choose · enter copy · escape cancel"), id="style-keys")

    def _label(self, style: str) -> Text:
        label = Text(style, style="bold")
        preview = display_safe(" ".join(self.previews.get(style, "").split()), one_line=True)
        if preview:
            if len(preview) > PREVIEW_LENGTH:
                preview = preview[: PREVIEW_LENGTH - 1] + "…"
            label.append("\n")
            label.append(preview, style="dim")
        return label

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if StylePicker.last_style in self.style_names:
            options.highlighted = self.style_names.index(StylePicker.last_style)
        else:
            options.highlighted = 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        StylePicker.last_style = event.option.id
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
