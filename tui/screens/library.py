"""The library: every article with its counts of claims and quotes; read, import, filter,
edit, archive or trash; the archive and the trash are the same list, toggled."""

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

from store import annotations as store_annotations
from store import articles as store_articles
from store.articles import list_articles
from store.display import display_safe
from store.errors import MarginError, ValidationError
from store.nocase import as_read
from store.query import LIBRARY_SYNTAX, parse_library_filter
from tui.keymap import bindings, display_keys
from tui.screens.dialogs import ConfirmImport, ConfirmTrash, ShowsArticle
from tui.syncing import ShowsStored
from tui.undoing import undo_latest
from tui.widgets.key_bar import KeyBar
from tui.widgets.safe_input import SafeInput
from tui.widgets.title_bar import TitleBar

# (key, label, width); the title takes whatever width the others leave.
COLUMNS = (("title", "Title", None), ("outlet", "Outlet", 24), ("date", "Date", 10),
           ("claims", "Claims", 6), ("quotes", "Quotes", 6))
MIN_TITLE_WIDTH = 20


class ArticleTable(DataTable, inherit_bindings=False):
    """The articles, one a row; ``enter``, ``home`` and ``end`` are left to the screen so the
    keymap decides them (DataTable's own home and end only scroll sideways)."""

    BINDINGS = [binding for binding in DataTable.BINDINGS
                if getattr(binding, "action", None) not in (
                    "select_cursor", "scroll_home", "scroll_end")]


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


# What the list shows, and its name in the title bar.
VIEWS = {"library": "Library", "archived": "Archive", "trash": "Trash"}
# What the filter line's trash: and archived: terms list, named as the views are, by
# (trashed, archived); None is either.
CHOSEN = {(True, None): "Trash", (True, True): "Trash, from the archive",
          (True, False): "Trash, from the library", (False, True): "Archive",
          (False, False): "Library", (False, None): "Library and archive",
          (None, None): "Library, archive and trash", (None, True): "Archive and trash",
          (None, False): "Library and trash"}


class LibraryScreen(ShowsArticle, ShowsStored, Screen[None]):
    """Lists the articles in the database; the first screen margin shows."""

    CSS_PATH = "library.tcss"
    SUB_TITLE = "Library"
    BINDINGS = bindings("library")

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict = {}
        """``list_articles`` arguments from the filter line: its words, and which articles
        (trash, archive) when it says; without those the view decides."""
        self.view = "library"
        self.importing: str | None = None
        """The path or URL of the latest import (one runs at a time), to ask about a refusal."""

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Prompt(placeholder=f"Filter: {LIBRARY_SYNTAX}", id="filter", classes="prompt")
        yield Static(id="filter-error")
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
        for article in list_articles(self.app.db, **{"state": self.view, **self.filters}):
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
        if self.filters:
            line = self.query_one("#filter", Prompt).value.strip()
            message = f"No article matches “{display_safe(line, one_line=True)}”."
        elif self.view != "library":
            message = (f"The {VIEWS[self.view].lower()} is empty: press "
                       f"{display_keys(keys['show-' + ('trash' if self.view == 'trash' else 'archive')].keys)} "
                       "for the library.")
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

    def article_in_view(self) -> str | None:
        """The article under the cursor."""
        return self.selected_article()

    def article_changed(self, article: dict) -> None:
        """Show the edited row at once, the cursor still on it."""
        self.reload(select=article["id"])

    def stored_changed(self) -> None:
        """Show the articles and their counts as a sync left them, the cursor kept."""
        self.reload()

    def action_library_first(self) -> None:
        """Put the cursor on the first article listed."""
        self.table.move_cursor(row=0)

    def action_library_last(self) -> None:
        """Put the cursor on the last article listed."""
        self.table.move_cursor(row=self.table.row_count - 1)

    def action_show_trash(self) -> None:
        """Show the trash; pressed again, the library."""
        self._show("library" if self.view == "trash" else "trash")

    def action_show_archive(self) -> None:
        """Show the archive; pressed again, the library."""
        self._show("library" if self.view == "archived" else "archived")

    def _show(self, view: str) -> None:
        self.view = view
        self._retitle()
        self.reload()

    def _retitle(self) -> None:
        """Name what is listed: the view, or what the filter line's terms chose instead."""
        if "trashed" in self.filters:
            self.sub_title = CHOSEN[(self.filters["trashed"], self.filters["archived"])]
        else:
            self.sub_title = VIEWS[self.view]

    def action_archive_article(self) -> None:
        """Archive the article under the cursor: out of the library, its annotations in Review."""
        article_id = self.selected_article()
        if article_id is None:
            return
        self._change(store_articles.archive_article, article_id, "Archived")

    def action_delete_article(self) -> None:
        """Move the article under the cursor to the trash, asking first if it has annotations."""
        article_id = self.selected_article()
        if article_id is None:
            return
        count = store_articles.count_live_annotations(self.app.db, article_id)
        if not count:
            self._change(store_articles.delete_article, article_id, "Moved to the trash")
            return
        title = store_articles.get_article(self.app.db, article_id)["title"]

        def answered(trash: bool | None) -> None:
            if trash:
                self._change(store_articles.delete_article, article_id, "Moved to the trash")

        self.app.push_screen(ConfirmTrash(title, count), answered)

    def action_library_restore(self) -> None:
        """On an article in the trash or the archive, bring it back; on one in the library, undo.

        Asked of the article, not the view: the filter line can list the trash in any view."""
        article_id = self.selected_article()
        article = store_articles.get_article(self.app.db, article_id) if article_id else None
        if article is not None and article["deleted_at"]:
            self._change(store_articles.restore_article, article_id, "Restored")
        elif article is not None and article["archived_at"]:
            self._change(store_articles.unarchive_article, article_id, "Back in the library")
        else:
            self._undo()

    def _change(self, change, article_id: str, done: str) -> None:
        try:
            article = change(self.app.db, article_id)
        except MarginError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.reload()
        message = f"{done}: “{article['title']}”."
        if self.view == "library":  # elsewhere the same key restores the next article
            message += f" Press {display_keys(self.app.actions['library-restore'].keys)} to undo."
        self.notify(message, timeout=4, markup=False)

    def _undo(self) -> None:
        """Undo the latest change of any article or annotation, and show the list as it is."""
        result = undo_latest(self)
        if result is None:
            return
        self.reload()
        self.notify(store_annotations.describe_undo(result, 50), timeout=4, markup=False)

    @on(DataTable.RowSelected)
    def row_clicked(self) -> None:
        # Only a click selects a row (enter belongs to read-article), so a click reads too.
        self.action_read_article()

    # --- Prompts ---------------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Narrow the list as the line is typed; a term that means nothing is explained under
        the line and the list stays as it was."""
        error = self.query_one("#filter-error", Static)
        try:
            filters = parse_library_filter(event.value)
        except ValidationError as problem:
            error.update(Text(display_safe(str(problem), one_line=True)))
            error.display = True
            return
        error.display = False
        self.filters = filters
        self._retitle()
        self.reload()

    @on(Input.Submitted, "#filter")
    def filter_submitted(self) -> None:
        self.table.focus()

    @on(Prompt.Closed, "#filter")
    def filter_closed(self, event: Prompt.Closed) -> None:
        event.prompt.value = ""
        event.prompt.display = False
        self.query_one("#filter-error").display = False
        self.filters = {}
        self._retitle()
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

    def import_source(self, source: str, anyway: bool = False) -> Worker:
        """Import a path or URL without freezing the screen; a notification tells the result.

        What does not look like an article is imported only ``anyway`` (else the analyst is
        asked)."""
        self.query_one("#progress-label", Static).update(Text(f"Importing {source}…"))
        self.query_one("#progress").display = True
        self.importing = source
        return self._read_in_thread(source, anyway)

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def _read_in_thread(self, source: str, anyway: bool):
        # Reading and parsing (files, pages, URLs) is the slow part; the database write is
        # quick and stays on the app's thread, which owns the SQLite connection.
        from store.ingest import read_source

        return read_source(source, allow_non_article=anyway)

    def _ask_to_import_anyway(self, source: str, refusal: MarginError) -> None:
        """Ask whether to import what was refused as not an article; import it on yes."""

        def answered(anyway: bool | None) -> None:
            if anyway:
                self.import_source(source, anyway=True)

        self.app.push_screen(ConfirmImport(refusal.title), answered)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "import" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.query_one("#progress").display = False
        if event.state == WorkerState.SUCCESS:
            self._store(event.worker.result)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            from store.ingest import NotAnArticleError

            if isinstance(error, NotAnArticleError) and self.importing is not None:
                self._ask_to_import_anyway(self.importing, error)
            elif isinstance(error, MarginError):
                self.notify(str(error), title="Not imported", severity="error", timeout=10,
                        markup=False)
            else:
                self.notify(f"{type(error).__name__}: {error}", title="Import failed",
                            severity="error", timeout=10, markup=False)

    def _store(self, draft) -> None:
        from store.revisions import import_article

        try:
            imported = import_article(self.app.db, draft)
            article, created = imported.article, imported.created
        except MarginError as error:
            self.notify(str(error), title="Not imported", severity="error", timeout=10,
                        markup=False)
            return
        if self.filters:
            # Clear a filter that would hide the article just imported.
            prompt = self.query_one("#filter", Prompt)
            prompt.value, prompt.display, self.filters = "", False, {}
            self.query_one("#filter-error").display = False
            self._retitle()
        self.reload(select=article["id"])
        if created:
            self.notify(article["title"], title="Imported", markup=False)
            edit_key = display_keys(self.app.actions["edit-article"].keys)
            for notice in draft.notices.values():
                self.notify(f"{notice.rstrip('.')}. Press {edit_key} to edit the article's metadata.",
                            title="Check the metadata", severity="warning", timeout=10, markup=False)
        elif imported.state == "revised":
            counts = imported.counts
            self.notify(f"{article['title']}: {counts['moved']} annotations moved, "
                        f"{counts['changed']} changed, {counts['orphan']} lost their place",
                        title="New revision", markup=False)
        else:
            self.notify(article["title"], title="Already in the library", markup=False)
