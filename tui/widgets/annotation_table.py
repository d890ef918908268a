"""A table that draws only the rows on screen, for the review's pages of annotations.

Textual's ``DataTable`` does bookkeeping for every row it is given (a quarter of a millisecond
a row here), which is most of the time a filter update takes once the query is fast. This
table keeps each row's data in a plain list and turns it into cells, and cells into a line,
only when the row is on screen (the Line API), so handing it a page costs next to nothing and
the review can load page after page while the analyst scrolls.

The header stays on the first line; one column (the flexible one) takes whatever width the
others leave. Cells are rich ``Text``, drawn as they are: nothing in them is read as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterable, Sequence

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

PADDING = 1
"""Spaces either side of every cell."""


@dataclass(frozen=True)
class Column:
    """One column: its key, its header, and its width (None: the flexible column)."""

    key: str
    label: Text
    width: int | None = None
    min_width: int = 10


class AnnotationTable(ScrollView, can_focus=True):
    """Rows of cells keyed by id, a row cursor, and a header that sorts when clicked."""

    DEFAULT_CSS = """
    AnnotationTable {
        background: $surface;
        color: $foreground;
        width: 100%;
        height: 1fr;
        & > .annotation-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .annotation-table--even-row {
            background: $surface-lighten-1 50%;
        }
        & > .annotation-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .annotation-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
        &:dark > .annotation-table--even-row {
            background: $surface-darken-1 40%;
        }
    }
    """
    COMPONENT_CLASSES = {
        "annotation-table--header",
        "annotation-table--even-row",
        "annotation-table--cursor",
    }
    # Moving keys of a table, as DataTable has them; the screen's keymap owns everything else.
    BINDINGS = [
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        # home and end are the screen's (review-first, review-last), so the keymap decides them.
        Binding("ctrl+home", "first_row", "First row", show=False),
        Binding("ctrl+end", "last_row", "Last row", show=False),
    ]

    cursor_row: reactive[int] = reactive(0, always_update=True, init=False)

    class _RowMessage(Message):
        """Something happened to one row: which table, its position and its key."""

        def __init__(self, table: AnnotationTable, row: int, key: str | None) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.key = key

        @property
        def control(self) -> AnnotationTable:
            return self.table

    # Siblings rather than one subclassing the other, so a handler of one never gets the other.
    class RowHighlighted(_RowMessage):
        """The cursor moved to another row."""

    class RowSelected(_RowMessage):
        """The row under the cursor was clicked again."""

    class HeaderSelected(Message):
        """A column's header was clicked."""

        def __init__(self, table: AnnotationTable, column_key: str) -> None:
            super().__init__()
            self.table = table
            self.column_key = column_key

        @property
        def control(self) -> AnnotationTable:
            return self.table

    class NearEnd(Message):
        """The view reached the last screenful of rows: time to load more, if there are more."""

    def __init__(self, columns: Sequence[Column], cells: Callable[[Any], tuple[Text, ...]], *,
                 id: str | None = None) -> None:
        """``cells`` turns a row's data into its cells, one ``Text`` a column."""
        super().__init__(id=id)
        self.columns = list(columns)
        self.make_cells = cells
        self._keys: list[str] = []
        self._data: list[Any] = []
        self._index: dict[str, int] = {}
        self._widths: list[int] = []
        self._laid_out_for = -1
        self._lines: LRUCache[tuple, Strip] = LRUCache(1024)

    # --- rows

    @property
    def row_count(self) -> int:
        """How many rows the table holds."""
        return len(self._keys)

    def set_rows(self, rows: Iterable[tuple[str, Any]], cursor: int = 0) -> None:
        """Replace every row with ``(key, data)`` pairs; the cursor goes to row ``cursor``."""
        self._keys, self._data = [], []
        self._index = {}
        self._add(rows)
        self._changed()
        self.scroll_to(y=0, animate=False, immediate=True)
        self.cursor_row = max(0, min(cursor, self.row_count - 1))

    def append_rows(self, rows: Iterable[tuple[str, Any]]) -> None:
        """Add rows at the end; a key already present is skipped."""
        self._add(rows)
        self._changed()

    def _add(self, rows: Iterable[tuple[str, Any]]) -> None:
        for key, data in rows:
            if key in self._index:
                continue
            self._index[key] = len(self._keys)
            self._keys.append(key)
            self._data.append(data)

    def replace_row(self, key: str, data: Any) -> None:
        """Show new data in the row ``key``."""
        index = self._index.get(key)
        if index is not None:
            self._data[index] = data
            self._changed()

    def remove_row(self, key: str) -> None:
        """Take the row ``key`` out; the cursor stays on the same line."""
        index = self._index.pop(key, None)
        if index is None:
            return
        del self._keys[index]
        del self._data[index]
        self._index = {row_key: row for row, row_key in enumerate(self._keys)}
        self._changed()
        self.cursor_row = max(0, min(self.cursor_row, self.row_count - 1))

    def index_of(self, key: str) -> int | None:
        """The row of ``key``, or None."""
        return self._index.get(key)

    def key_at(self, row: int) -> str | None:
        """The key of a row, or None past the end."""
        return self._keys[row] if 0 <= row < len(self._keys) else None

    def data_at(self, row: int) -> Any:
        """The data of a row."""
        return self._data[row]

    def cells_at(self, row: int) -> tuple[Text, ...]:
        """The cells of a row, as drawn."""
        return self.make_cells(self._data[row])

    def set_label(self, column_key: str, label: Text) -> None:
        """Change a column's header."""
        self.columns = [Column(c.key, label, c.width, c.min_width) if c.key == column_key else c
                        for c in self.columns]
        self._changed()

    def _changed(self) -> None:
        self._lines.clear()
        self.virtual_size = Size(self.virtual_size.width, self.row_count + 1)
        self.refresh()

    # --- the cursor

    def validate_cursor_row(self, row: int) -> int:
        return max(0, min(row, self.row_count - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        self.refresh()
        self._scroll_to_cursor()
        self.post_message(self.RowHighlighted(self, new, self.key_at(new)))

    @property
    def _rows_shown(self) -> int:
        """How many rows fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = round(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + self._rows_shown:
            self.scroll_to(y=self.cursor_row - self._rows_shown + 1, animate=False,
                           immediate=True)

    def action_cursor_up(self) -> None:
        self.cursor_row -= 1

    def action_cursor_down(self) -> None:
        self.cursor_row += 1

    def action_page_up(self) -> None:
        self.cursor_row -= self._rows_shown

    def action_page_down(self) -> None:
        self.cursor_row += self._rows_shown

    def action_first_row(self) -> None:
        self.cursor_row = 0

    def action_last_row(self) -> None:
        self.cursor_row = self.row_count - 1

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if self.row_count and new_value >= self.max_scroll_y - self._rows_shown:
            self.post_message(self.NearEnd())

    # --- the mouse

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            column = self._column_at(offset.x)
            if column is not None:
                self.post_message(self.HeaderSelected(self, column.key))
            return
        row = round(self.scroll_y) + offset.y - 1
        if row >= self.row_count:
            return
        if row == self.cursor_row:
            self.post_message(self.RowSelected(self, row, self.key_at(row)))
        else:
            self.cursor_row = row

    def _column_at(self, x: int) -> Column | None:
        left = 0
        for column, width in zip(self.columns, self._widths):
            left += width + 2 * PADDING
            if x < left:
                return column
        return None

    # --- drawing

    def _lay_out(self, width: int) -> None:
        fixed = sum(c.width + 2 * PADDING for c in self.columns if c.width is not None)
        flexible = [c for c in self.columns if c.width is None]
        spare = width - fixed - 2 * PADDING * len(flexible)
        share = max(0, spare) // max(1, len(flexible))
        self._widths = [c.width if c.width is not None else max(c.min_width, share)
                        for c in self.columns]
        self._laid_out_for = width
        self._lines.clear()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._lines.clear()

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if width != self._laid_out_for:
            self._lay_out(width)
        base = self.rich_style
        if y == 0:
            key: tuple = ("header", width)
            style = base + self.get_component_rich_style("annotation-table--header")
            return self._line(key, width, lambda: tuple(c.label for c in self.columns), style)
        row = round(self.scroll_y) + y - 1
        if row >= self.row_count:
            return Strip.blank(width, base)
        cursor = row == self.cursor_row
        style = base
        if row % 2:
            style += self.get_component_rich_style("annotation-table--even-row")
        if cursor:
            style += self.get_component_rich_style("annotation-table--cursor")
        key = (self._keys[row], row % 2, cursor, self.has_focus, width)
        return self._line(key, width, lambda: self.make_cells(self._data[row]), style)

    def _line(self, key: tuple, width: int, cells: Callable[[], tuple[Text, ...]],
              style: Style) -> Strip:
        cached = self._lines.get(key)
        if cached is not None:
            return cached
        line = Text(style=style, no_wrap=True, end="")
        for cell, cell_width in zip(cells(), self._widths):
            cell = cell.copy()
            cell.no_wrap = True
            cell.truncate(cell_width, overflow="ellipsis", pad=True)
            line.append(" " * PADDING)
            line.append_text(cell)
            line.append(" " * PADDING)
        strip = Strip(list(line.render(self.app.console)), line.cell_len)
        strip = strip.crop_extend(0, width, style)
        self._lines[key] = strip
        return strip

    def on_focus(self) -> None:
        self._lines.clear()
        self.refresh()

    def on_blur(self) -> None:
        self._lines.clear()
        self.refresh()
