"""The dialogs: small modal screens over the screen that asked, each dismissed with an answer.

``ConfirmDiscard`` asks before a form's typing is thrown away, ``StylePicker`` chooses a
citation style to copy, ``EditAnnotationScreen`` puts the annotation form over Review,
``EditArticleScreen`` is the form of an article's metadata and ``ConfirmTrash`` asks before an
article with annotations goes to the trash and ``ConfirmImport`` asks before a file that does
not look like an article is imported all the same; ``ResolveConflict`` shows the two versions of
an annotation a sync found edited in two copies at once and asks which stands. Their styles are in ``dialogs.tcss`` beside this
module.
"""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from store import annotations as store_annotations
from store.display import display_safe
from store.errors import MarginError, ValidationError
from store.nocase import as_read, keeps_own_capitals, protected_whole
from tui.keymap import bindings, display_keys
from tui.shown import ShowsContent, changes_what_is_shown
from tui.widgets.safe_input import SafeInput

PREVIEW_LENGTH = 240
"""Characters of a citation shown under its style's name."""


class ConfirmDiscard(ModalScreen[bool]):
    """Asks whether to throw away what was typed into the form."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [("escape", "keep", "Keep editing"), ("left,right", "app.focus_next", "")]

    def __init__(self, question: str = "Discard what you typed in this annotation?") -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question))
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
                                 # An orphan has no place in the text to look around.
                                 hints=(source_hints(text, start, end, Boundaries(text))
                                        if start is not None else []),
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


class ShowsArticle:
    """A screen with an article in view, whose metadata ``edit-article`` edits (``MarginApp``)."""

    def article_in_view(self) -> str | None:
        """The id of the article the analyst is looking at, or None."""
        raise NotImplementedError

    def article_changed(self, article: dict) -> None:
        """Show the article's metadata as now stored (after an edit or an undo)."""


class ConfirmTrash(ModalScreen[bool]):
    """Asks before an article with annotations goes to the trash, saying how many it has."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,n", "keep", "Keep it", show=False),
                Binding("y", "trash", "Move to the trash", show=False),
                ("left,right", "app.focus_next", "")]

    def __init__(self, title: str, annotations: int) -> None:
        super().__init__()
        self.article_title = title
        self.annotations = annotations

    def compose(self) -> ComposeResult:
        noun = "annotation" if self.annotations == 1 else "annotations"
        with Vertical():
            yield Static(Text(f"“{display_safe(self.article_title, one_line=True)}”"))
            yield Static(Text(f"It has {self.annotations} {noun}. Move it to the trash? "
                              "(y yes · n no)"), id="trash-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Move to the trash", id="trash", variant="warning", compact=True)
                yield Button("Keep it", id="keep", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    @on(Button.Pressed, "#trash")
    def action_trash(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#keep")
    def action_keep(self) -> None:
        self.dismiss(False)


class ConfirmImport(ModalScreen[bool]):
    """Asks whether to import, as an article all the same, what the store refused as not one."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape,n", "skip", "Do not import it", show=False),
                Binding("y", "import_anyway", "Import it anyway", show=False),
                ("left,right", "app.focus_next", "")]

    def __init__(self, refusal: str) -> None:
        super().__init__()
        self.refusal = refusal

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(display_safe(self.refusal)))
            yield Static(Text("Import it anyway? (y yes · n no)"), id="import-question")
            with Horizontal(id="confirm-buttons"):
                yield Button("Import anyway", id="import", variant="warning", compact=True)
                yield Button("Do not import", id="skip", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#skip", Button).focus()

    @on(Button.Pressed, "#import")
    def action_import_anyway(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#skip")
    def action_skip(self) -> None:
        self.dismiss(False)


# (field, label, placeholder) of the article form, in the order of store.metadata.EDITABLE.
ARTICLE_FIELDS = (
    ("title", "Title", ""),
    ("authors", "Authors", "First Author; Second Author; {An Organisation}"),
    ("outlet", "Outlet", ""),
    ("url", "URL", "https://…"),
    ("published", "Published", "YYYY-MM-DD or YYYY-MM-DDTHH:MM+03:00"),
    ("accessed", "Accessed", "YYYY-MM-DD"),
    ("section", "Section", ""),
)
KEEP_CAPITALS = "Keep the outlet's capitals as typed in citations"
KEEP_CAPITALS_AUTOMATIC = "Kept as typed in citations: a web address, or capitals inside a word"


class EditArticleScreen(ModalScreen[dict | None]):
    """The form of an article's metadata; saving writes it at once (``u`` undoes it).

    Every field is checked by the store's rules before anything is saved; each bad value is
    marked with its reason and nothing is written until all are valid. Dismisses with the
    article as stored, or None when cancelled.
    """

    CSS_PATH = "dialogs.tcss"
    BINDINGS = bindings("form")

    def __init__(self, article: dict) -> None:
        super().__init__()
        self.article = article
        self.initial = article_form_values(article)
        self.initial_keep = protected_whole(article.get("outlet"))
        self._keep_chosen = self.initial_keep
        """The analyst's own choice for the checkbox, kept while an outlet is protected by
        itself (so the box shows checked and cannot be unchecked) and given back after."""

    def compose(self) -> ComposeResult:
        with Vertical(id="article-dialog"):
            yield Static(Text("Edit the article"), id="article-form-title")
            with VerticalScroll(id="article-fields"):
                for name, label, placeholder in ARTICLE_FIELDS:
                    with Horizontal(classes="field", id=f"field-{name}"):
                        yield Label(label, classes="field-label")
                        yield SafeInput(self.initial[name], id=name, compact=True,
                                        placeholder=placeholder, select_on_focus=True)
                    yield Static("", id=f"{name}-error", classes="field-error")
                    if name == "outlet":
                        yield Checkbox(KEEP_CAPITALS, self.initial_keep, id="outlet-nocase",
                                       compact=True)
            actions = self.app.actions  # type: ignore[attr-defined]
            yield Static(Text(f"{display_keys(actions['save'].keys)} save · "
                              f"{display_keys(actions['cancel'].keys)} cancel · tab next field "
                              "· an organisation in {braces}", style="dim"), id="article-keys")

    def on_mount(self) -> None:
        for error in self.query(".field-error").results(Static):
            error.display = False
        self._show_automatic_capitals(self.initial["outlet"])
        self.query_one("#title", Input).focus()

    @property
    def values(self) -> dict[str, str]:
        """What the fields hold now."""
        return {name: self.query_one(f"#{name}", Input).value for name, _, _ in ARTICLE_FIELDS}

    @property
    def keep_capitals(self) -> bool:
        """Whether the analyst asks for the outlet's capitals to be kept as typed."""
        return self._keep_chosen

    @on(Input.Changed, "#outlet")
    def _outlet_typed(self, event: Input.Changed) -> None:
        self._show_automatic_capitals(event.value)

    @on(Checkbox.Changed, "#outlet-nocase")
    def _keep_toggled(self, event: Checkbox.Changed) -> None:
        if not event.checkbox.disabled:
            self._keep_chosen = event.value

    def _show_automatic_capitals(self, outlet: str) -> None:
        """An outlet that keeps its capitals by itself (a web address, a capital inside a
        word) shows the box checked and fixed, saying so; any other shows the analyst's choice."""
        box = self.query_one("#outlet-nocase", Checkbox)
        automatic = keeps_own_capitals(as_read(outlet))
        with box.prevent(Checkbox.Changed):
            box.value = automatic or self._keep_chosen
        box.disabled = automatic
        box.label = KEEP_CAPITALS_AUTOMATIC if automatic else KEEP_CAPITALS

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_save()

    def action_save(self) -> None:
        """Check every field; save the changed ones if all are valid, else mark the bad ones."""
        from store.articles import edit_article
        from store.metadata import checked_metadata, outlet_as_stored

        values = self.values
        changes = {name: value for name, value in values.items() if value != self.initial[name]}
        if "outlet" in changes or self.keep_capitals != self.initial_keep:
            changes["outlet"] = outlet_as_stored(values["outlet"], self.keep_capitals)
        problems: dict[str, str] = {}
        for name, value in values.items():
            try:
                checked_metadata({name: value})
            except ValidationError as error:
                problems[name] = str(error)
        self._mark(problems)
        if problems:
            self.query_one(f"#{next(iter(problems))}", Input).focus()
            return
        try:
            saved = edit_article(self.app.db, self.article["id"], **changes)  # type: ignore[attr-defined]
        except MarginError as error:
            self.notify(str(error), title="Not saved", severity="error", markup=False)
            return
        self.dismiss(saved)

    def _mark(self, problems: dict[str, str]) -> None:
        for name, _, _ in ARTICLE_FIELDS:
            error = self.query_one(f"#{name}-error", Static)
            error.update(Text(display_safe(problems.get(name, ""), one_line=True)))
            error.display = name in problems
            self.query_one(f"#field-{name}").set_class(name in problems, "-invalid")
            self.query_one(f"#{name}", Input).set_class(name in problems, "-invalid")

    def action_cancel(self) -> None:
        """Close without saving, asking first if anything was typed."""
        if self.values == self.initial and self.keep_capitals == self.initial_keep:
            self.dismiss(None)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(ConfirmDiscard("Discard your changes to this article?"), answered)


def article_form_values(article: dict) -> dict[str, str]:
    """An article's metadata as the form's fields show it: authors on one line, ``;`` between,
    an outlet protected as a whole without its markup (the checkbox under it says so)."""
    values = {name: article.get(name) or "" for name, _, _ in ARTICLE_FIELDS}
    values["authors"] = "; ".join(article.get("authors") or [])
    if protected_whole(values["outlet"]):
        values["outlet"] = as_read(values["outlet"])
    return values


class ResolveConflict(ShowsContent, ModalScreen[str | None]):
    """The two versions of an annotation edited in two copies at once: the one that stands and
    the other one, kept since the sync. Dismisses with ``"kept"`` (keep the one that stands),
    ``"lost"`` (take the other) or None (decide later)."""

    CSS_PATH = "dialogs.tcss"
    BINDINGS = [Binding("escape", "cancel", "Decide later", show=False),
                Binding("k", "keep", "Keep the version that stands", show=False),
                Binding("t", "take_other", "Take the other version", show=False),
                ("left,right", "app.focus_next", "")]

    def __init__(self, stands: dict, other: dict, this_copy: str) -> None:
        super().__init__()
        self.stands = stands
        self.other = other
        self.this_copy = this_copy

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("This annotation was changed in two copies at once. "
                              "Which version stands?"), id="conflict-question")
            yield Static(self._version("Stands now", self.stands), id="conflict-stands")
            yield Static(self._version("The other version", self.other), id="conflict-other")
            yield Static(Text("k keep the one that stands · t take the other · "
                              "escape decide later", style="dim"), id="conflict-keys")
            with Horizontal(id="confirm-buttons"):
                yield Button("Keep", id="keep", variant="primary", compact=True)
                yield Button("Take the other", id="take-other", variant="warning", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    def _version(self, heading: str, version: dict) -> Text:
        """One version, a field a line, as literal text."""
        from store.confidence import describe

        tags = version.get("tags") or []
        if isinstance(tags, str):
            import json

            tags = json.loads(tags) if tags.startswith("[") else [tags]
        copy = version.get("edited_on") or ""
        where = "this copy" if copy == self.this_copy else f"copy {copy[:8]}"
        by = version.get("analyst")
        lines = [
            ("State", f"deleted {version['deleted_at'][:16]}" if version.get("deleted_at")
             else "live"),
            ("Source", version.get("source") or "—"),
            ("Confidence", "—" if version.get("confidence") is None
             else describe(version["confidence"])),
            ("Grade", version.get("grade") or "—"),
            ("Note", " ".join((version.get("note") or "—").split())),
            ("Tags", ", ".join(tags) or "—"),
            # Who made the annotation, not who made this change: a version records only the
            # copy it was changed in.
            ("Made by", by or "—"),
            ("Changed", f"{(version.get('updated_at') or '')[:16].replace('T', ' ')} in {where}"),
        ]
        text = Text(heading, style="bold")
        for label, value in lines:
            text.append(f"\n  {label:<11}")
            text.append(display_safe(str(value), one_line=True))
        return text

    def on_mount(self) -> None:
        self.query_one("#cancel", Button).focus()

    @on(Button.Pressed, "#keep")
    @changes_what_is_shown
    def action_keep(self) -> None:
        self.dismiss("kept")

    @on(Button.Pressed, "#take-other")
    @changes_what_is_shown
    def action_take_other(self) -> None:
        self.dismiss("lost")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
