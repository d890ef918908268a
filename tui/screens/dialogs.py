"""The dialogs: small modal screens over the screen that asked, each dismissed with an answer.

``ConfirmDiscard`` asks before the annotation form's typing is thrown away, ``StylePicker``
chooses a citation style to copy, ``EditAnnotationScreen`` puts the annotation form over
Review. Their styles are in ``dialogs.tcss`` beside this module.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, OptionList, Static
from textual.widgets.option_list import Option

from store import annotations as store_annotations
from store.display import display_safe
from store.errors import MarginError, ValidationError

PREVIEW_LENGTH = 240
"""Characters of a citation shown under its style's name."""


class ConfirmDiscard(ModalScreen[bool]):
    """Asks whether to throw away what was typed into the form."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [("escape", "keep", "Keep editing"), ("left,right", "app.focus_next", "")]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Discard what you typed in this annotation?")
            with Horizontal(id="confirm-buttons"):
                yield Button("Discard", id="discard", variant="warning", compact=True)
                yield Button("Keep editing", id="keep", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#discard")
    def _discard(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)


class StylePicker(ModalScreen[str | None]):
    """Pick a citation style with the arrows and enter; escape copies nothing.

    Dismisses with the chosen style's name, or None. The last style picked is highlighted the
    next time, since an analyst tends to cite in one style for a while.
    """

    CSS_PATH = "dialogs.tcss"
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


class EditAnnotationScreen(ModalScreen[dict | None]):
    """The reader's annotation form over the review, for one annotation; saving writes it."""

    CSS_PATH = "dialogs.tcss"

    def __init__(self, annotation: dict) -> None:
        super().__init__()
        self.annotation = annotation

    def compose(self) -> ComposeResult:
        from store.articles import get_article
        from store.spans import Boundaries, source_hints
        from tui.widgets.annotation_form import AnnotationForm, FormValues

        annotation = self.annotation
        text = get_article(self.app.db, annotation["article_id"])["text"]
        start, end = annotation["start"], annotation["end"]
        with Vertical(id="edit-dialog"):
            yield AnnotationForm(span_text=annotation["exact"],
                                 values=FormValues.from_annotation(annotation),
                                 editing=annotation,
                                 hints=source_hints(text, start, end, Boundaries(text)),
                                 db=self.app.db, id="annotation-form")

    def on_annotation_form_submitted(self, event: Any) -> None:
        from tui.widgets.annotation_form import FIELDS

        form = event.form
        try:
            saved = store_annotations.edit_annotation(self.app.db, self.annotation["id"],
                                                      **event.values.as_fields())
        except ValidationError as error:
            if error.field in FIELDS:
                form.mark_invalid({error.field: str(error)})
                form.focus_field(error.field)
            else:
                self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        except MarginError as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(saved)

    def on_annotation_form_cancelled(self) -> None:
        self.dismiss(None)
