"""The library: every article with its counts of claims and quotes; read, import or filter."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, LoadingIndicator, Static
from textual.worker import Worker, WorkerState

from store.articles import list_articles
from store.display import display_safe
from store.errors import MarginError
from store.nocase import as_read
from tui.keymap import bindings, display_keys
from tui.widgets.key_bar import KeyBar
from tui.widgets.safe_input import SafeInput
from tui.widgets.title_bar import TitleBar

# (key, label, width); the title takes whatever width the others leave.
COLUMNS = (("title", "Title", None), ("outlet", "Outlet", 24), ("date", "Date", 10),
           ("claims", "Claims", 6), ("quotes", "Quotes", 6))
MIN_TITLE_WIDTH = 20


class ArticleTable(DataTable, inherit_bindings=False):
    """The articles, one a row; ``enter`` is left to the screen so the keymap decides it."""

    BINDINGS = [binding for binding in DataTable.BINDINGS
                if getattr(binding, "action", None) != "select_cursor"]


class Prompt(SafeInput):
    """A one-line input that closes on escape, telling its screen."""

    BINDINGS = [Binding("escape", "close", "Close", show=False)]

    class Closed(Message):
        """The user closed the prompt without submitting it."""

        def __init__(self, prompt: Prompt) -> None:
            super().__init__()
            self.prompt = prompt

        @property
        def control(self) -> Prompt:
            return self.prompt

    def action_close(self) -> None:
        self.post_message(self.Closed(self))


class LibraryScreen(Screen[None]):
    """Lists the articles in the database; the first screen margin shows."""

    CSS_PATH = "library.tcss"
    SUB_TITLE = "Library"
    BINDINGS = bindings("library")

    def __init__(self) -> None:
        super().__init__()
        self.search = ""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Prompt(placeholder="Filter by title, outlet or author", id="filter",
                     classes="prompt")
        yield Prompt(placeholder="Path or URL to import, then enter", id="import",
                     classes="prompt")
        yield ArticleTable(id="articles", cursor_type="row", zebra_stripes=True)
        yield Static(id="empty")
        with Horizontal(id="progress"):
            yield LoadingIndicator()
            yield Static(id="progress-label")
        yield KeyBar()

    def on_mount(self) -> None:
        self._add_columns()
        self.reload()
        self.table.focus()

    def on_resize(self) -> None:
        self._add_columns()
        self.reload()

    def _add_columns(self) -> None:
        """Size the columns to the screen: long titles are cut, the counts always show."""
        table = self.table
        table.clear(columns=True)
        fixed = sum(width + 2 * table.cell_padding for _, _, width in COLUMNS if width)
        title_width = max(MIN_TITLE_WIDTH, self.size.width - fixed - 2 * table.cell_padding - 2)
        for key, label, width in COLUMNS:
            table.add_column(label, key=key, width=width or title_width)

    def on_screen_resume(self) -> None:
        # Counts of claims and quotes change while the user reads.
        self.reload()

    @property
    def table(self) -> ArticleTable:
        return self.query_one(ArticleTable)

    def reload(self, select: str | None = None) -> None:
        """Fill the table from the database, keeping (or moving) the cursor on an article."""
        table = self.table
        if select is None and table.row_count:
            select = self.selected_article()
        table.clear()
        for article in list_articles(self.app.db, search=self.search or None):
            table.add_row(
                Text(display_safe(article["title"], one_line=True), overflow="ellipsis",
                     no_wrap=True),
                Text(display_safe(as_read(article["outlet"]), one_line=True), overflow="ellipsis",
                     no_wrap=True),
                Text((article["published"] or "")[:10]),
                Text(str(article["claims"]), justify="right"),
                Text(str(article["quotes"]), justify="right"),
                key=article["id"],
            )
        if select is not None:
            self.select_article(select)
        self._show_empty_message()

    def _show_empty_message(self) -> None:
        empty = self.query_one("#empty", Static)
        if self.table.row_count:
            empty.display = False
            return
        keys = self.app.actions
        if self.search:
            message = f"No article matches “{display_safe(self.search, one_line=True)}”."
        else:
            message = (f"No articles yet: press {display_keys(keys['import-article'].keys)} "
                       "to import a file or a URL.")
        empty.update(Text(message))
        empty.display = True

    def selected_article(self) -> str | None:
        """The id of the article under the cursor, or None when the table is empty."""
        table = self.table
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return row_key.value

    def select_article(self, article_id: str) -> None:
        """Put the cursor on the article's row, if it is listed."""
        try:
            index = self.table.get_row_index(article_id)
        except Exception:  # RowDoesNotExist: filtered out
            return
        self.table.move_cursor(row=index)

    # --- Actions ---------------------------------------------------------------------------

    def action_read_article(self) -> None:
        """Open the article under the cursor in the reader."""
        article_id = self.selected_article()
        if article_id is None:
            return
        self.app.open_reader(article_id)

    def action_import_article(self) -> None:
        """Ask for a path or URL to import."""
        prompt = self.query_one("#import", Prompt)
        prompt.display = True
        prompt.focus()

    def action_filter_library(self) -> None:
        """Show the filter line; the list narrows as the user types."""
        prompt = self.query_one("#filter", Prompt)
        prompt.display = True
        prompt.focus()

    @on(DataTable.RowSelected)
    def row_clicked(self) -> None:
        # Only a click selects a row (enter belongs to read-article), so a click reads too.
        self.action_read_article()

    # --- Prompts ---------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.search = event.value.strip()
        self.reload()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.table.focus()

    @on(Prompt.Closed, "#filter")
    def filter_closed(self, event: Prompt.Closed) -> None:
        event.prompt.value = ""
        event.prompt.display = False
        self.search = ""
        self.reload()
        self.table.focus()

    @on(Input.Submitted, "#import")
    def import_submitted(self, event: Input.Submitted) -> None:
        source = event.value.strip()
        event.input.value = ""
        event.input.display = False
        self.table.focus()
        if source:
            self.import_source(source)

    @on(Prompt.Closed, "#import")
    def import_closed(self, event: Prompt.Closed) -> None:
        event.prompt.value = ""
        event.prompt.display = False
        self.table.focus()

    # --- Importing -------------------------------------------------------------------------

    def import_source(self, source: str) -> Worker:
        """Import a path or URL without freezing the screen; a notification tells the result."""
        self.query_one("#progress-label", Static).update(Text(f"Importing {source}…"))
        self.query_one("#progress").display = True
        return self._read_in_thread(source)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _read_in_thread(self, source: str):
        # Reading and parsing (files, pages, URLs) is the slow part; the database write is
        # quick and stays on the app's thread, which owns the SQLite connection.
        from store.ingest import read_source

        return read_source(source)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "import" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.query_one("#progress").display = False
        if event.state == WorkerState.SUCCESS:
            self._store(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            if isinstance(error, MarginError):
                self.notify(str(error), title="Not imported", severity="error", timeout=10,
                        markup=False)
            else:
                self.notify(f"{type(error).__name__}: {error}", title="Import failed",
                            severity="error", timeout=10, markup=False)

    def _store(self, draft) -> None:
        from store.articles import add_article

        try:
            article, created = add_article(self.app.db, draft)
        except MarginError as error:
            self.notify(str(error), title="Not imported", severity="error", timeout=10,
                        markup=False)
            return
        if self.search:
            # Clear a filter that would hide the article just imported.
            prompt = self.query_one("#filter", Prompt)
            prompt.value, prompt.display, self.search = "", False, ""
        self.reload(select=article["id"])
        if created:
            self.notify(article["title"], title="Imported", markup=False)
        else:
            self.notify(article["title"], title="Already in the library", markup=False)
