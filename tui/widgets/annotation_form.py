"""The annotation form in the reader's side pane: kind, source, role, via, confidence, grade,
note and tags of one span, checked as they are typed.

The form only gathers and checks values; it tells its screen ``Submitted`` or ``Cancelled``
and the screen writes through ``store``. Sources are suggested from the article around the
span and from the sources already known; a known source's role is filled in for you.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.suggester import Suggester
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from store import confidence as confidence_terms
from store.display import display_safe
from store.errors import ValidationError
from store.sources import find_source, suggest_sources
from store.spans import SourceHint
from tui.keymap import bindings, display_keys
from tui.screens.dialogs import ConfirmDiscard
from tui.shown import ShowsContent, changes_what_is_shown
from tui.widgets.safe_input import SafeInput

KINDS = ("claim", "quote")
FIELDS = ("kind", "source", "role", "via", "confidence", "grade", "note", "tags")


@dataclass
class FormValues:
    """What the form holds, as typed."""

    kind: str = "claim"
    source: str = ""
    role: str = ""
    via: str = ""
    confidence: str = ""
    grade: str = ""
    note: str = ""
    tags: str = ""

    @classmethod
    def from_annotation(cls, annotation: dict) -> "FormValues":
        """The values of a stored annotation, written as a person would type them."""
        pct = annotation.get("confidence")
        # A lone digit would read as an ICD 203 term, so small percentages keep their sign.
        confidence = "" if pct is None else (f"{pct}%" if pct < 10 else str(pct))
        return cls(kind=annotation["kind"], source=annotation.get("source") or "",
                   role=annotation.get("role") or "", via=annotation.get("via") or "",
                   confidence=confidence, grade=annotation.get("grade") or "",
                   note=annotation.get("note") or "",
                   tags=", ".join(annotation.get("tags") or []))


@dataclass
class Parsed:
    """Checked values, ready for ``store.annotations``."""

    kind: str
    source: str | None
    role: str | None
    via: str | None
    confidence: int | None
    grade: str | None
    note: str | None
    tags: list[str] = field(default_factory=list)

    def as_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``add_annotation`` and ``edit_annotation``."""
        return {"kind": self.kind, "source": self.source, "role": self.role, "via": self.via,
                "confidence": self.confidence, "grade": self.grade, "note": self.note,
                "tags": self.tags}


def split_tags(text: str) -> list[str]:
    """Comma-separated tags, trimmed, empty ones and repeats dropped."""
    return list(dict.fromkeys(tag.strip() for tag in text.split(",") if tag.strip()))


def parse_values(values: FormValues) -> tuple[Parsed | None, dict[str, str]]:
    """Check every field; returns the parsed values, or None and a reason per bad field."""
    errors: dict[str, str] = {}
    confidence = grade = None
    try:
        confidence = confidence_terms.parse_confidence(values.confidence)
    except ValidationError as error:
        errors["confidence"] = str(error)
    try:
        grade = confidence_terms.parse_grade(values.grade)
    except ValidationError as error:
        errors["grade"] = str(error)
    if values.kind not in KINDS:
        errors["kind"] = "choose claim or quote"
    if values.role.strip() and not values.source.strip():
        errors["source"] = "a role needs a source: type who it belongs to"
    if errors:
        return None, errors

    def blank(text: str) -> str | None:
        return " ".join(text.split()) or None

    return Parsed(kind=values.kind, source=blank(values.source), role=blank(values.role),
                  via=blank(values.via), confidence=confidence, grade=grade,
                  note=values.note.strip() or None, tags=split_tags(values.tags)), {}


class SourceSuggester(Suggester):
    """Completes a source's name: names from the article first, then known sources."""

    def __init__(self, article_names: list[str], db: Any) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.article_names = article_names
        self.db = db

    async def get_suggestion(self, value: str) -> str | None:
        for name in self.article_names:
            if name.casefold().startswith(value):
                return name
        if self.db is not None:
            for row in suggest_sources(self.db, value, limit=5):
                if row["name"].casefold().startswith(value):
                    return row["name"]
        return None


class ListSuggester(Suggester):
    """Completes from a list that may change while the form is open."""

    def __init__(self, choices: Callable[[], list[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.choices = choices

    async def get_suggestion(self, value: str) -> str | None:
        try:
            choices = self.choices()
        except NoMatches:
            return None  # the form closed while this was on its way
        for choice in choices:
            if choice.casefold().startswith(value) and len(choice) > len(value):
                return choice
        return None


class KindToggle(Widget, can_focus=True):
    """Claim or quote: left, right or space switches; typing c or q picks one."""

    DEFAULT_CSS = """
    KindToggle {
        height: 1;
        width: 1fr;
        & > .kind-toggle--chosen { text-style: bold reverse; }
    }
    KindToggle:focus { background: $boost; }
    """
    COMPONENT_CLASSES = {"kind-toggle--chosen"}
    BINDINGS = [("left,right,space", "toggle", "Switch kind"), ("c", "pick('claim')", ""),
                ("q", "pick('quote')", "")]

    value: reactive[str] = reactive("claim")

    class Changed(Message):
        """The kind changed."""

        def __init__(self, toggle: "KindToggle", value: str) -> None:
            super().__init__()
            self.toggle = toggle
            self.value = value

        @property
        def control(self) -> "KindToggle":
            return self.toggle

    def render(self) -> Text:
        chosen = self.get_component_rich_style("kind-toggle--chosen", partial=True)
        text = Text()
        for i, kind in enumerate(KINDS):
            if i:
                text.append(" ")
            text.append(f" {kind} ", style=chosen if kind == self.value else "")
        return text

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))

    def action_toggle(self) -> None:
        self.value = KINDS[(KINDS.index(self.value) + 1) % len(KINDS)]

    def action_pick(self, kind: str) -> None:
        self.value = kind


class FieldLabel(Label):
    """A field's name; a pointer marks the field being typed in, also without colour."""

    def __init__(self, name: str) -> None:
        super().__init__(classes="field-label")
        self.field_name = name
        self.point(False)

    def point(self, here: bool) -> None:
        """Show or hide the pointer."""
        self.update(Text(f"{'›' if here else ' '} {self.field_name}"))


class FormInput(SafeInput):
    """An input of the annotation form; compact, and named by the field it holds."""


def _textual_keys(owner: type, action: str) -> str:
    """The keys Textual binds to ``action`` on ``owner`` (tab moves focus on a screen, → takes
    an input's suggestion), so the form can take them over or name them without writing them
    a second time."""
    return ",".join(binding.key for binding in owner.BINDINGS
                    if isinstance(binding, Binding) and binding.action == action)


class SourceInput(FormInput):
    """The source field: the keys that move to the next or previous field first take the
    suggested name, as a shell's completion does. Leaving with a half-typed name would save
    it as a new source, and the annotation would name the wrong one."""

    BINDINGS = [
        Binding(_textual_keys(Screen, "app.focus_next"), "complete_and_move('next')", show=False),
        Binding(_textual_keys(Screen, "app.focus_previous"), "complete_and_move('previous')",
                show=False),
    ]

    def action_complete_and_move(self, direction: str) -> None:
        """Take the suggestion shown, if any, then move to the next or previous field."""
        if len(self._suggestion) > len(self.value):
            self.value = self._suggested
            self.cursor_position = len(self.value)
        if direction == "next":
            self.screen.focus_next()
        else:
            self.screen.focus_previous()


class AnnotationForm(ShowsContent, Vertical):
    """The form for a new annotation of a span, or for editing a saved one."""

    # Its rules live in annotation_form.tcss beside this module; as default CSS they are read
    # when the first form is mounted, not before the reader's first paint.
    DEFAULT_CSS = (Path(__file__).with_name("annotation_form.tcss")
                   .read_text(encoding="utf-8"))
    BINDINGS = bindings("form")

    class Submitted(Message):
        """The user saved valid values."""

        def __init__(self, form: "AnnotationForm", values: Parsed) -> None:
            super().__init__()
            self.form = form
            self.values = values

        @property
        def control(self) -> "AnnotationForm":
            return self.form

    class Cancelled(Message):
        """The user closed the form without saving."""

        def __init__(self, form: "AnnotationForm") -> None:
            super().__init__()
            self.form = form

        @property
        def control(self) -> "AnnotationForm":
            return self.form

    def __init__(self, *, span_text: str, values: FormValues, editing: dict | None = None,
                 hints: list[SourceHint] | None = None, db: Any = None,
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.span_text = span_text
        self.initial = values
        self.editing = editing
        self.hints = list(hints or [])
        self.db = db
        self._auto_role: str | None = None
        self._errors: dict[str, str] = {}

    # --- layout

    def compose(self) -> ComposeResult:
        values = self.initial
        verb = "Edit" if self.editing else "New"
        yield Static(Text(f"{verb} {values.kind}"), id="form-title")
        yield Static(Text(display_safe(_excerpt(self.span_text))), id="form-span")
        with VerticalScroll(id="form-fields"):
            with Horizontal(classes="field", id="field-kind"):
                yield FieldLabel("Kind")
                toggle = KindToggle(id="kind")
                toggle.set_reactive(KindToggle.value, values.kind)
                yield toggle
            yield from self._field("source", "Source", values.source,
                                   suggester=SourceSuggester([h.name for h in self.hints],
                                                             self.db))
            yield Static(self._source_hint_text(""), id="source-hint", classes="hint")
            yield from self._field("role", "Role", values.role,
                                   suggester=ListSuggester(self._role_choices))
            yield from self._field("via", "Via", values.via,
                                   suggester=ListSuggester(self._via_choices))
            yield from self._field("confidence", "Confidence", values.confidence,
                                   placeholder="1–7 or %")
            yield Static(self._confidence_text(values.confidence), id="confidence-hint",
                         classes="hint")
            yield from self._field("grade", "Grade", values.grade, placeholder="e.g. B2")
            yield Static(self._grade_text(values.grade), id="grade-hint", classes="hint")
            yield from self._field("note", "Note", values.note)
            yield from self._field("tags", "Tags", values.tags, placeholder="comma, separated")
            yield Static("", id="form-error")
        yield Static(self._keys_text(), id="form-keys")

    def _field(self, name: str, label: str, value: str, *, suggester: Suggester | None = None,
               placeholder: str = "") -> ComposeResult:
        kind = SourceInput if name == "source" else FormInput
        with Horizontal(classes="field", id=f"field-{name}"):
            yield FieldLabel(label)
            yield kind(value, id=name, compact=True, suggester=suggester,
                       placeholder=placeholder, select_on_focus=True)
        yield Static("", id=f"{name}-error", classes="field-error")

    def on_mount(self) -> None:
        self.content_changed()
        for hint in self.query(".hint").results(Static):
            content = hint.content
            hint.display = bool(content.plain if isinstance(content, Text) else content)
        self.query_one("#source", Input).focus()

    def _keys_text(self) -> Text:
        actions = self.app.actions  # type: ignore[attr-defined]
        keys = {name: actions[name].keys for name in ("save", "cancel")}
        tab = display_keys(_textual_keys(Screen, "app.focus_next"))
        right = display_keys(_textual_keys(Input, "cursor_right"))
        return Text(f"{display_keys(keys['save'])} save · {display_keys(keys['cancel'])} cancel "
                    f"· {tab} next field · {tab} or {right} takes a suggestion", style="dim")

    # --- values

    def input(self, name: str) -> Input:
        """The input of a field."""
        return self.query_one(f"#{name}", Input)

    @property
    def values(self) -> FormValues:
        """The values as typed now."""
        return FormValues(kind=self.query_one(KindToggle).value,
                          **{name: self.input(name).value for name in FIELDS[1:]})

    @property
    def changed(self) -> bool:
        """Whether anything differs from how the form opened."""
        return self.values != self.initial

    def mark_invalid(self, errors: dict[str, str]) -> None:
        """Show each reason beside its field and mark the field; clears the others."""
        self._errors = dict(errors)
        for name in FIELDS:
            container = self.query_one(f"#field-{name}")
            reason = errors.get(name)
            container.set_class(reason is not None, "-invalid")
            if name != "kind":
                self.input(name).set_class(reason is not None, "-invalid")
            message = self.query(f"#{name}-error")
            if message:
                message.first(Static).update(Text(reason or ""))
                message.first(Static).set_class(reason is not None, "-shown")
        other = {k: v for k, v in errors.items() if k not in FIELDS}
        error = self.query_one("#form-error", Static)
        error.update(Text("; ".join(other.values())))
        error.set_class(bool(other), "-shown")
        self.set_class(bool(errors), "-invalid")

    def focus_field(self, name: str) -> None:
        """Put the cursor in a field (the first invalid one after a failed save)."""
        if name == "kind":
            self.query_one(KindToggle).focus()
        elif name in FIELDS:
            self.input(name).focus()

    # --- reacting to typing

    def on_descendant_focus(self, event) -> None:
        for label in self.query(FieldLabel):
            label.point(event.widget in label.parent.children)

    @on(Input.Changed, "#source")
    def _source_changed(self, event: Input.Changed) -> None:
        self._update_hint("source-hint", self._source_hint_text(event.value))
        role = self.input("role")
        if role.value and role.value != self._auto_role:
            return
        known = self._known_role(event.value)
        if known and known != role.value:
            self._auto_role = known
            role.value = known
            # Tab takes the suggestion and moves on, so the cursor may be in Role already
            # (focus moves before this message arrives): select the filled-in role so that
            # typing replaces it, as it does after →. Elsewhere Role keeps its start in view.
            if self.screen.focused is role:
                role.select_all()
        elif not known and self._auto_role is not None and role.value == self._auto_role:
            self._auto_role = None
            role.value = ""

    @on(Input.Changed, "#confidence")
    def _confidence_changed(self, event: Input.Changed) -> None:
        self._update_hint("confidence-hint", self._confidence_text(event.value))
        self._check_live("confidence", event.value)

    @on(Input.Changed, "#grade")
    def _grade_changed(self, event: Input.Changed) -> None:
        self._update_hint("grade-hint", self._grade_text(event.value))
        self._check_live("grade", event.value)

    @on(KindToggle.Changed)
    def _kind_changed(self, event: KindToggle.Changed) -> None:
        verb = "Edit" if self.editing else "New"
        self.query_one("#form-title", Static).update(Text(f"{verb} {event.value}"))

    def _update_hint(self, name: str, text: Text) -> None:
        """Change a hint only when its words change: each change costs a layout pass."""
        hint = self.query_one(f"#{name}", Static)
        shown = hint.content
        if not isinstance(shown, Text) or shown.plain != text.plain or shown.style != text.style:
            hint.update(text)
            hint.display = bool(text.plain)

    def _check_live(self, name: str, value: str) -> None:
        """Mark a field once what is typed is wrong; a first keystroke that more typing can
        still make valid ("B" before "B2", "8" before "80") is only marked if already marked."""
        if name == "confidence":
            parse, unfinished = (confidence_terms.parse_confidence,
                                 confidence_terms.could_become_confidence)
        else:
            parse, unfinished = confidence_terms.parse_grade, confidence_terms.could_become_grade
        reason = None
        try:
            parse(value)
        except ValidationError as error:
            reason = str(error)
        errors = {k: v for k, v in self._errors.items() if k != name}
        if reason is not None and (name in self._errors or not unfinished(value)):
            errors[name] = reason
        if errors != self._errors:
            self.mark_invalid(errors)

    def _known_role(self, name: str) -> str | None:
        name = " ".join(name.split())
        if not name:
            return None
        if self.db is not None:
            found = find_source(self.db, name)
            if found and found.get("role"):
                return found["role"]
        for hint in self.hints:
            if hint.name.casefold() == name.casefold() and hint.role:
                return hint.role
        return None

    def _role_choices(self) -> list[str]:
        role = self._known_role(self.input("source").value)
        return [role] if role else []

    def _via_choices(self) -> list[str]:
        name = " ".join(self.input("source").value.split()).casefold()
        matching = [h.via for h in self.hints if h.via and h.name.casefold() == name]
        others = [h.via for h in self.hints if h.via and h.name.casefold() != name]
        return list(dict.fromkeys(matching + others))

    def _source_hint_text(self, typed: str) -> Text:
        typed = typed.strip().casefold()
        from_article = [h.name for h in self.hints
                        if not typed or any(w.startswith(typed) for w in [h.name.casefold()]
                                            + h.name.casefold().split())]
        known = []
        if self.db is not None:
            known = [row["name"] for row in suggest_sources(self.db, typed, limit=4)
                     if row["name"] not in from_article]
        text = Text(style="dim")
        if from_article:
            text.append(display_safe("in the article: " + ", ".join(from_article[:3]),
                                     one_line=True))
        if known:
            if from_article:
                text.append("\n")
            text.append(display_safe("known: " + ", ".join(known[:3]), one_line=True))
        return text

    def _confidence_text(self, typed: str) -> Text:
        try:
            pct = confidence_terms.parse_confidence(typed)
        except ValidationError:
            return Text("")
        if pct is None:
            return Text("1 almost no chance … 7 almost certain, or a %", style="dim")
        return Text(confidence_terms.describe(pct))

    def _grade_text(self, typed: str) -> Text:
        try:
            grade = confidence_terms.parse_grade(typed)
        except ValidationError:
            return Text("")
        if grade is None:
            return Text("reliability A–F, credibility 1–6", style="dim")
        describe = getattr(confidence_terms, "describe_grade", None)
        return Text(describe(grade) if describe else grade)

    # --- saving and cancelling

    @changes_what_is_shown
    def action_save(self) -> None:
        """Check every field; if all are valid, tell the screen to save."""
        parsed, errors = parse_values(self.values)
        self.mark_invalid(errors)
        if parsed is None:
            self.focus_field(next(name for name in FIELDS if name in errors))
            return
        self.post_message(self.Submitted(self, parsed))

    def action_cancel(self) -> None:
        """Close the form; if anything was typed, ask first."""
        if not self.changed:
            self.post_message(self.Cancelled(self))
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.post_message(self.Cancelled(self))

        self.app.push_screen(ConfirmDiscard(), decided)


def _excerpt(text: str, length: int = 160) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
