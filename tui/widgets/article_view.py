"""The article pane: a read-only text area that moves by words, sentences and paragraphs,
selects spans by keyboard, and draws saved annotations over the text.

Offsets here are the store's: code points into the article's text. ``LineIndex`` turns them
into the (row, column) locations Textual uses with a binary search, because ``Document``'s own
conversion walks every line before the one asked for.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Any

from rich.style import Style
from rich.text import Text
from textual import events
from textual.document._document import Document
from textual.document._document_navigator import DocumentNavigator
from textual.document._wrapped_document import WrappedDocument
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from store.display import display_safe
from store.spans import Boundaries, LineIndex, snap_to_words, spans_by_line
from tui.shown import handed_on, key_pressed

Span = tuple[int, int]


class ArticleWrapping(WrappedDocument):
    """A wrapped document that knows its height.

    ``WrappedDocument.height`` adds up every line's sections each time it is read, and the
    text area reads it for every row it draws: in a long article that sum, not the drawing,
    was most of the time a key press took. The article never changes, so count once a wrap.
    """

    def wrap(self, width: int, tab_width: int | None = None) -> None:
        super().wrap(width, tab_width)
        self.wrapped_for = (width, self._tab_width)
        self._height = len(self._offset_to_line_info)

    def wrap_range(self, *args, **kwargs):  # pragma: no cover - the reader never edits
        result = super().wrap_range(*args, **kwargs)
        self._height = len(self._offset_to_line_info)
        return result

    @property
    def height(self) -> int:
        """Rows of the wrapped document."""
        return self._height


def needs_review(annotation: dict) -> bool:
    """Whether an annotation's words were edited in a revision and the analyst has not yet
    accepted the new ones or re-attached it."""
    return annotation.get("anchor") == "changed" and not annotation.get("reviewed_at")


class ArticleView(TextArea, inherit_bindings=False):
    """The text of one article, read-only, with keyboard selection and annotation highlights.

    It has no bindings of its own: the reader screen owns the keys (from the keymap registry)
    and calls the methods here, so a user's keymap reaches every one of them by id.
    """

    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | {
        "article-view--claim",
        "article-view--quote",
        "article-view--claim-current",
        "article-view--quote-current",
        "article-view--match",
        "article-view--changed",
    }

    DEFAULT_CSS = """
    ArticleView {
        border: none;
        padding: 0 1;
        background: $surface;
        /* The scrollbar's room is kept even before it shows, so its arrival does not change
           the wrap width and force a second wrap of the whole article. */
        scrollbar-gutter: stable;
        &:focus { border: none; }
        & .article-view--claim { background: $warning 25%; }
        & .article-view--quote { background: $primary 35%; text-style: italic; }
        & .article-view--claim-current { background: $warning 50%; text-style: bold underline; }
        & .article-view--quote-current {
            background: $primary 65%;
            text-style: bold italic underline;
        }
        & .article-view--match { background: $success 45%; }
        /* Words edited in a revision, until the analyst accepts or re-attaches them. */
        & .article-view--changed { background: $error 35%; text-style: underline; }
    }
    """

    selection: Reactive[Selection] = reactive(Selection(), init=False, always_update=True,
                                              repaint=False)
    """TextArea's selection, except that a change repaints only the rows it touches (see
    ``_watch_selection``): repainting the whole view on every key press cost more than the
    budget of a frame."""

    selecting: reactive[bool] = reactive(False)
    """Selection mode (``v``): every cursor move extends the selection."""

    # Class defaults, because TextArea's constructor already draws on them.
    _style_generation = 0
    _theme_applied_for: tuple | None = None

    class CurrentAnnotationChanged(Message):
        """The annotation under the cursor changed (None when the cursor left every span)."""

        def __init__(self, view: "ArticleView", annotation: dict | None) -> None:
            super().__init__()
            self.view = view
            self.annotation = annotation

        @property
        def control(self) -> "ArticleView":
            return self.view

    def __init__(self, text: str, *, id: str | None = None, classes: str | None = None) -> None:
        # TextArea.text joins every line of the document on each access, and its renderer asks
        # for it once a row; an article never changes here, so the joined text is kept.
        self._article_text = text
        super().__init__(text, read_only=True, soft_wrap=True, show_cursor=True,
                         highlight_cursor_line=False, id=id, classes=classes)
        self.match_cursor_bracket = False
        self.lines = LineIndex(text)
        self.bounds = Boundaries(text)
        self._annotations: list[dict] = []
        self._starts: list[int] = []
        self._by_line: dict[int, list[tuple[int, int, Any]]] = {}
        self._matches: list[Span] = []
        self._match_starts: list[int] = []
        self._current: dict | None = None
        self._stopped_at: dict | None = None
        self._styles: dict[str, Style] = {}

    # --- text and offsets

    @property
    def text(self) -> str:
        """The article's text (never edited here)."""
        return self._article_text

    @text.setter
    def text(self, value: str) -> None:
        self.load_text(value)

    def load_text(self, text: str) -> None:
        """Show another text; offsets and boundaries are worked out afresh."""
        self._article_text = text
        self.lines = LineIndex(text)
        self.bounds = Boundaries(text)
        super().load_text(text)

    def _set_document(self, text: str, language: str | None) -> None:
        # TextArea's own version, less syntax highlighting (an article has no language) and
        # with a wrapping that counts its height once.
        self._highlight_query = None
        # The document is what is drawn: controls and bidi overrides as visible characters, one
        # for one, so rows, columns and offsets stay those of the stored text.
        self.document = Document(display_safe(text))
        self.wrapped_document = ArticleWrapping(self.document, tab_width=self.indent_width)
        self.navigator = DocumentNavigator(self.wrapped_document)
        self._build_highlight_map()
        self.move_cursor((0, 0))
        self._rewrap_and_refresh_virtual_size()

    def _watch_language(self, language: str | None) -> None:
        # The base class builds the whole document again when its language is set in
        # ``__init__``; an article has no language, so there is nothing to rebuild.
        pass

    def _rewrap_and_refresh_virtual_size(self) -> None:
        # TextArea wraps the whole document on every resize, even when only the height
        # changed; a long article takes a second or more to wrap, so wrap only for a new width.
        wrapping = self.wrapped_document
        if getattr(wrapping, "wrapped_for", None) != (self.wrap_width, self.indent_width):
            wrapping.wrap(self.wrap_width, tab_width=self.indent_width)
        self._line_cache.clear()
        self._refresh_size()

    def find_matching_bracket(self, bracket: str, search_from: tuple[int, int]) -> None:
        # The base class scans the rest of the document for a partner on every cursor move
        # onto a bracket: seconds in a long article, and of no use to a reader.
        return None

    @property
    def cursor_offset(self) -> int:
        """The cursor's offset in the article's text."""
        return self.lines.offset(self.selection.end)

    @property
    def selected_span(self) -> Span | None:
        """The selection as sorted offsets, or None when nothing is selected."""
        start, end = self.selection
        if start == end:
            return None
        a, b = self.lines.offset(start), self.lines.offset(end)
        return (a, b) if a <= b else (b, a)

    def location_of(self, offset: int) -> tuple[int, int]:
        """The (row, column) of an offset."""
        return self.lines.location(offset)

    def move_to(self, offset: int, select: bool = False, center: bool = False) -> None:
        """Put the cursor at ``offset``, extending the selection if ``select`` or selecting."""
        self.move_cursor(self.lines.location(offset), select=select or self.selecting,
                         center=center)

    def select_span(self, start: int, end: int, center: bool = False) -> None:
        """Select ``text[start:end]``, the cursor at its end."""
        self.selection = Selection(self.lines.location(start), self.lines.location(end))
        if center:
            self.scroll_cursor_visible(center=True)

    def snapped_selection(self) -> Span | None:
        """The selection widened to whole words and trimmed (None if empty or only spaces)."""
        span = self.selected_span
        if span is None:
            return None
        start, end = snap_to_words(self._article_text, *span)
        return (start, end) if start < end else None

    def start_selecting(self) -> None:
        """Enter selection mode with the selection starting at the cursor."""
        self.selection = Selection.cursor(self.selection.end)
        self.selecting = True

    def clear_selection(self) -> None:
        """Leave selection mode and drop the selection, keeping the cursor where it is."""
        self.selecting = False
        self.selection = Selection.cursor(self.selection.end)

    # --- movement the reader adds to TextArea's own

    def action_cursor_left(self, select: bool = False) -> None:
        """Move left; in selection mode the move extends the selection."""
        super().action_cursor_left(select or self.selecting)

    def action_cursor_right(self, select: bool = False) -> None:
        """Move right; in selection mode the move extends the selection."""
        super().action_cursor_right(select or self.selecting)

    def action_cursor_up(self, select: bool = False) -> None:
        """Move up a row; in selection mode the move extends the selection."""
        super().action_cursor_up(select or self.selecting)

    def action_cursor_down(self, select: bool = False) -> None:
        """Move down a row; in selection mode the move extends the selection."""
        super().action_cursor_down(select or self.selecting)

    def page(self, direction: int) -> None:
        """Move a screenful down (1) or up (-1), extending the selection when selecting."""
        height = max(1, self.content_size.height - 1)
        target = self.navigator.get_location_at_y_offset(self.selection.end, direction * height)
        self.scroll_relative(y=direction * height, animate=False)
        self.move_cursor(target, select=self.selecting)

    # --- annotations

    def set_annotations(self, annotations: list[dict]) -> None:
        """Draw these annotations (each with id, kind, start and end); replaces the last set."""
        ordered = sorted(annotations, key=lambda a: (a["start"], a["end"], a["kind"], a["id"]))
        self._annotations = ordered
        if self._stopped_at is not None:
            self._stopped_at = next((a for a in ordered if a["id"] == self._stopped_at["id"]),
                                    None)
        self._starts = [a["start"] for a in ordered]
        self._by_line = spans_by_line(((a["start"], a["end"], a) for a in ordered), self.lines)
        self._update_current(force=True)
        self._line_cache.clear()
        self.refresh()

    @property
    def annotations(self) -> list[dict]:
        """The annotations drawn, in the order they appear."""
        return self._annotations

    def annotation_at(self, offset: int) -> dict | None:
        """The innermost annotation covering ``offset`` (or ending right at it), if any."""
        row = self.lines.location(offset)[0]
        best = None
        for _, _, annotation in self._by_line.get(row, ()):
            if annotation["start"] <= offset < annotation["end"]:
                if best is None or (annotation["end"] - annotation["start"]
                                    < best["end"] - best["start"]):
                    best = annotation
        return best

    @property
    def current_annotation(self) -> dict | None:
        """The annotation under the cursor."""
        return self._current

    def next_annotation(self) -> dict | None:
        """The annotation after the cursor's, in text order: the next one starting at the
        cursor too when spans coincide (each is a stop), else the first starting after it."""
        offset = self.cursor_offset
        index = self._index_of_stop(offset)
        index = index + 1 if index is not None else bisect_right(self._starts, offset)
        return self._annotations[index] if index < len(self._annotations) else None

    def previous_annotation(self) -> dict | None:
        """The annotation before the cursor's, in text order (see ``next_annotation``)."""
        offset = self.cursor_offset
        index = self._index_of_stop(offset)
        index = index - 1 if index is not None else bisect_left(self._starts, offset) - 1
        return self._annotations[index] if index >= 0 else None

    def _index_of_stop(self, offset: int) -> int | None:
        """Where the current annotation is in the order, if the cursor is at its start."""
        current = self._current
        if current is None or current["start"] != offset:
            return None
        return next(index for index, a in enumerate(self._annotations) if a is current)

    def stop_at(self, annotation: dict, center: bool = False) -> None:
        """Put the cursor at the start of ``annotation`` (one of those drawn) and make it the
        current one, even where another annotation covers the same words."""
        self.selecting = False
        self._stopped_at = annotation
        self.selection = Selection.cursor(self.lines.location(annotation["start"]))
        if center:
            self.scroll_cursor_visible(center=True)
        self._update_current()

    def set_matches(self, spans: list[Span]) -> None:
        """Mark the matches of a search, sorted and not overlapping (empty clears them).

        A short query can match a hundred thousand times in a long article, so matches are
        not cut into lines up front: each drawn row finds its own with a binary search.
        """
        self._matches = spans
        self._match_starts = [start for start, _ in spans]
        self._line_cache.clear()
        self.refresh()

    @property
    def has_matches(self) -> bool:
        """Whether search matches are marked."""
        return bool(self._matches)

    def _matches_on(self, row: int) -> list[Span]:
        """The parts of matches on one row, as columns."""
        if not self._matches:
            return []
        row_start, row_end = self.lines.line_span(row)
        index = max(0, bisect_right(self._match_starts, row_start) - 1)
        found = []
        while index < len(self._matches) and self._matches[index][0] <= row_end:
            start, end = self._matches[index]
            if end > row_start and start < row_end:
                found.append((max(start, row_start) - row_start, min(end, row_end) - row_start))
            index += 1
        return found

    def _watch_selection(self, previous: Selection, selection: Selection) -> None:
        scrolled_from = self.scroll_offset
        super()._watch_selection(previous, selection)
        if not self.is_mounted:
            return
        before = self._current
        self._update_current()
        if self.scroll_offset != scrolled_from:
            self.refresh()  # scrolled: every row shows something else
            return
        self._refresh_rows(*sorted(previous))
        self._refresh_rows(*sorted(selection))
        if self._current is not before:
            for annotation in (before, self._current):
                if annotation is not None:
                    self._refresh_rows(self.lines.location(annotation["start"]),
                                       self.lines.location(annotation["end"]))

    def _refresh_rows(self, top: tuple[int, int], bottom: tuple[int, int]) -> None:
        """Repaint the screen rows that show document rows ``top`` to ``bottom``."""
        offsets = self.wrapped_document._line_index_to_offsets
        if not offsets:
            return
        first = offsets[min(top[0], len(offsets) - 1)][0]
        last = offsets[min(bottom[0], len(offsets) - 1)][-1]
        view_top = int(self.scroll_offset.y)
        first, last = max(first, view_top), min(last, view_top + self.size.height - 1)
        if first <= last:
            self.refresh_lines(first, last - first + 1)

    def _update_current(self, force: bool = False) -> None:
        offset = self.cursor_offset
        stopped = self._stopped_at
        if stopped is not None and stopped["start"] <= offset < stopped["end"]:
            # Stopped at with ``]``, ``[`` or from the review: it stays the current one while
            # the cursor is inside it, whatever else covers the same words.
            current = stopped
        else:
            self._stopped_at = None
            current = self.annotation_at(offset) if self._annotations else None
        if force or (current or {}).get("id") != (self._current or {}).get("id"):
            self._current = current
            self._line_cache.clear()
            self.post_message(self.CurrentAnnotationChanged(self, current))

    # --- keys

    async def _on_key(self, event: events.Key) -> None:
        app = self.app
        if app.screen is not self.screen or app.focused is not self:
            # Queued here before a key moved the focus away (to the find bar, the form, or
            # another screen): the key belongs where the focus went, in the order it was typed,
            # and must not act on the article any more.
            event.stop()
            event.prevent_default()
            target = app.focused or app.screen
            target.post_message(handed_on(event))
            return
        # A key's binding runs now, in this widget's turn, not once the key has bubbled up to
        # the app, by which time the next keys typed may have been handled here: a binding
        # that moves the focus (find, tag) must have moved it before they are. It is the very
        # lookup Textual (pinned in pyproject.toml) makes when the key reaches the app.
        with key_pressed(event):
            handled = await app._check_bindings(event.key)
        if handled:
            event.stop()
            event.prevent_default()
            return
        await super()._on_key(event)

    # --- drawing

    def notify_style_update(self) -> None:
        self._styles.clear()
        self._style_generation += 1
        super().notify_style_update()

    def render_lines(self, crop):
        # TextArea works its theme out of the CSS again before every frame, which cost a
        # third of a key press; it can only change when the styles, the theme or the focus do.
        theme = self._theme
        key = (theme, self._style_generation, self.has_focus, self.app.theme)
        if theme and key != self._theme_applied_for:
            theme.apply_css(self)
            self._theme_applied_for = key
        return super(TextArea, self).render_lines(crop)

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            # The full style, not the partial one: only it blends a translucent background
            # ($warning 25%) with the view's own, which keeps the text readable in any theme.
            full = self.get_component_rich_style(name)
            style = self._styles[name] = Style(bgcolor=full.bgcolor, bold=full.bold,
                                               italic=full.italic, underline=full.underline)
        return style

    def get_line(self, line_index: int) -> Text:
        """One row of the article, with its annotations and search matches styled."""
        line = Text(self.document.get_line(line_index), end="", no_wrap=True)
        pieces = self._by_line.get(line_index)
        if pieces:
            current = self._current
            for start, end, annotation in pieces:
                line.stylize(self._style(f"article-view--{annotation['kind']}"), start, end)
                if needs_review(annotation):
                    line.stylize(self._style("article-view--changed"), start, end)
            if current is not None:
                for start, end, annotation in pieces:
                    if annotation is current:
                        line.stylize(self._style(f"article-view--{annotation['kind']}-current"),
                                     start, end)
        if self._matches:
            match_style = self._style("article-view--match")
            for start, end in self._matches_on(line_index):
                line.stylize(match_style, start, end)
        return line
