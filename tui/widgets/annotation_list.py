"""The side pane's list of an article's annotations, in the order they appear in the text.

An article can carry thousands of annotations, so the list draws only the rows on screen:
every annotation takes the same three rows (who and how sure; its words; a gap), and a row's
content is made when it is drawn. Opening a long article costs nothing per annotation here.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from store.citations.quotes import quote_span
from store.display import display_safe, excerpt
from store.revisions.changes import word_diff
from tui.widgets.article_view import needs_review

EXCERPT_LENGTH = 90
ROWS = 3  # per annotation: the heading, the words, a gap
CONTEXT = 20  # characters of an orphan's old context shown each side of its words


def anchor_mark(annotation: dict) -> str:
    """A short plain-text mark of where an annotation stands after a revision: ``≠ changed``
    (edited words not yet accepted), ``⚠ orphan`` (no place in the newest text),
    ``✗ unverified`` (a quote no longer verbatim or out of its quotation marks); else ``""``."""
    anchor = annotation.get("anchor")
    if anchor == "orphan":
        return "⚠ orphan"
    if needs_review(annotation):
        return "≠ changed"
    if annotation.get("kind") == "quote" and annotation.get("verified") == 0:
        return "✗ unverified"
    return ""


def annotation_heading(annotation: dict, describe=None, kind_style: Style | str = "bold") -> Text:
    """Kind, source, confidence and grade of one annotation, as literal text; after a
    revision, its anchor's mark first (see ``anchor_mark``)."""
    heading = Text()
    mark = anchor_mark(annotation)
    if mark:
        heading.append(mark + " ", style="bold red")
    heading.append(annotation["kind"], style=kind_style)
    details = []
    if annotation.get("source"):
        details.append(annotation["source"])
    if annotation.get("confidence") is not None:
        pct = annotation["confidence"]
        details.append(describe(pct) if describe else f"{pct}%")
    if annotation.get("grade"):
        details.append(annotation["grade"])
    if details:
        heading.append(display_safe(" · " + " · ".join(details), one_line=True))
    if annotation.get("anchor") == "orphan" and annotation.get("reason"):
        heading.append(display_safe(f" — {annotation['reason']}", one_line=True),
                       style="italic")
    return heading


def annotation_words(annotation: dict) -> Text:
    """The annotated words (a quote in quotation marks), then the note, on one line.

    Words edited in a revision show as ``old → new``; an orphan's words show in their old
    context (``…prefix exact suffix…``, from the revision it was made on); its heading says
    why it lost its place.
    """
    exact = annotation["exact"]
    if annotation.get("anchor") == "orphan":
        raw_prefix, raw_suffix = annotation.get("prefix") or "", annotation.get("suffix") or ""
        prefix = " ".join(raw_prefix.split())[-CONTEXT:]
        suffix = " ".join(raw_suffix.split())[:CONTEXT]
        # A space only where the article has one: '"They' must not read '" They'.
        before = " " if raw_prefix[-1:].isspace() else ""
        after = " " if raw_suffix[:1].isspace() else ""
        text = Text(display_safe(f"…{prefix}{before}", one_line=True), style="dim")
        text.append(display_safe(excerpt(exact, 60), one_line=True), style="bold")
        text.append(display_safe(f"{after}{suffix}…", one_line=True), style="dim")
        return text
    if annotation.get("anchor") == "changed" and annotation.get("current") is not None:
        return changed_words(exact, annotation["current"])
    words = quote_span(exact, 90) if annotation["kind"] == "quote" else excerpt(exact)
    text = Text(display_safe(words))
    if annotation.get("note"):
        text.append(" — " + display_safe(excerpt(annotation["note"], 60)), style="italic")
    return text


def changed_words(old: str, new: str) -> Text:
    """The words a revision edited in an annotation, old → new (``6,000 → 7,000``), then the
    new words whole: the edit first, since the side pane is narrow."""
    segments = word_diff(old, new)
    removed = " … ".join(" ".join(t.split()) or repr(t) for op, t in segments if op == "delete")
    added = " … ".join(" ".join(t.split()) or repr(t) for op, t in segments if op == "insert")
    text = Text(display_safe(removed or "—", one_line=True), style="strike")
    text.append(" → ")
    text.append(display_safe(added or "—", one_line=True), style="underline")
    text.append(display_safe(" · " + excerpt(new, 60), one_line=True))
    return text


class AnnotationList(ScrollView, can_focus=True):
    """This article's annotations; choosing one moves the article's cursor to it.

    ``up`` and ``down`` move the highlight and ``enter`` chooses, like any list; these keys
    belong to the widget, as an ``Input``'s do, not to the keymap.
    """

    COMPONENT_CLASSES = {
        "annotation-list--claim",
        "annotation-list--quote",
        "annotation-list--words",
        "annotation-list--highlight",
    }

    DEFAULT_CSS = """
    AnnotationList {
        height: 1fr;
        padding: 0 1;
        background: $surface;
        scrollbar-gutter: stable;
        & .annotation-list--claim { color: $text-warning; text-style: bold; }
        & .annotation-list--quote { color: $text-primary; text-style: bold; }
        & .annotation-list--words { color: $text-muted; }
        & .annotation-list--highlight { background: $foreground 10%; }
        &:focus .annotation-list--highlight { background: $primary 30%; }
    }
    """

    BINDINGS = [("up", "move(-1)", "Previous"), ("down", "move(1)", "Next"),
                ("enter", "choose", "Go to it")]

    highlighted: reactive[int | None] = reactive(None)

    class Chosen(Message):
        """The user chose an annotation (enter or a click)."""

        def __init__(self, annotation_list: "AnnotationList", annotation: dict) -> None:
            super().__init__()
            self.annotation_list = annotation_list
            self.annotation = annotation

        @property
        def control(self) -> "AnnotationList":
            return self.annotation_list

    def __init__(self, *, describe=None, id: str | None = None) -> None:
        super().__init__(id=id)
        self._describe = describe
        self._annotations: list[dict] = []
        self._index: dict[str, int] = {}
        self._styles: dict[str, Style] = {}

    def show(self, annotations: list[dict]) -> None:
        """Replace the list with these annotations (already in text order)."""
        chosen = self.highlighted_id
        self._annotations = annotations
        self._index = {annotation["id"]: i for i, annotation in enumerate(annotations)}
        self.virtual_size = Size(0, len(annotations) * ROWS)
        self.set_reactive(AnnotationList.highlighted, self._index.get(chosen) if chosen else None)
        self.refresh()

    @property
    def highlighted_id(self) -> str | None:
        """The id of the highlighted annotation."""
        if self.highlighted is None or self.highlighted >= len(self._annotations):
            return None
        return self._annotations[self.highlighted]["id"]

    def point_at(self, annotation_id: str | None) -> None:
        """Highlight the annotation with this id (the one under the article's cursor)."""
        self.highlighted = self._index.get(annotation_id) if annotation_id else None

    def watch_highlighted(self, highlighted: int | None) -> None:
        if highlighted is not None:
            top = highlighted * ROWS
            self.scroll_to_region(Region(0, top, 1, ROWS - 1), animate=False,
                                  force=True)
        self.refresh()

    def action_move(self, step: int) -> None:
        if not self._annotations:
            return
        current = self.highlighted if self.highlighted is not None else (-1 if step > 0 else 0)
        self.highlighted = max(0, min(len(self._annotations) - 1, current + step))

    def action_choose(self) -> None:
        if self.highlighted is not None and self.highlighted < len(self._annotations):
            self.post_message(self.Chosen(self, self._annotations[self.highlighted]))

    def on_click(self, event: events.Click) -> None:
        index = (event.y + int(self.scroll_offset.y)) // ROWS
        if 0 <= index < len(self._annotations):
            self.highlighted = index
            self.action_choose()

    def notify_style_update(self) -> None:
        self._styles.clear()
        super().notify_style_update()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            # The full style: only it blends translucent colours ($boost, muted text) with the
            # list's background; a partial one would paint them opaque.
            full = self.get_component_rich_style(name)
            style = self._styles[name] = Style(color=full.color, bgcolor=full.bgcolor,
                                               bold=full.bold, italic=full.italic)
        return style

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        absolute = y + int(self.scroll_offset.y)
        index, row = divmod(absolute, ROWS)
        if index >= len(self._annotations) or row == ROWS - 1:
            return Strip.blank(width, base)
        annotation = self._annotations[index]
        if row == 0:
            kind_style = self._style(f"annotation-list--{annotation['kind']}")
            text = annotation_heading(annotation, self._describe, kind_style)
        else:
            text = annotation_words(annotation)
            text.stylize(self._style("annotation-list--words"), 0, len(text))
        text.end = ""
        text.truncate(width, overflow="ellipsis")
        line_style = base
        if index == self.highlighted:
            highlight = self._style("annotation-list--highlight")
            line_style = base + Style(bgcolor=highlight.bgcolor)
        segments = []
        for segment in text.render(self.app.console):
            style = line_style + segment.style if segment.style else line_style
            if index == self.highlighted:
                style += Style(bgcolor=line_style.bgcolor)  # the highlight stays under words
            segments.append(Segment(segment.text, style))
        return Strip(segments).adjust_cell_length(width, line_style)
