"""Review: every annotation in one table, filtered as the analyst types, sorted by any column.

The table holds only the pages the analyst has reached: ``PAGE`` rows at first, the next page
when the cursor (or the view) nears the end, and the total from a count, so opening it costs
the same with a thousand annotations as with a hundred thousand. Sorting happens in SQLite
(``list_annotations(order_by=...)``). Reading runs on connections of the screen's own in
background threads, one for pages and one for counts, so a keystroke never waits for SQLite
and a slow count never holds up the rows; changes (delete, restore, edit, undo) go through the
app's connection, like everywhere else in margin.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Input, Static

from store import annotations as store_annotations
from store import confidence as confidence_terms
from store.citations.quotes import quote_span
from store.display import display_safe, excerpt
from store.errors import MarginError, ValidationError
from store.query import SYNTAX, parse_filter
from tui.copying import copy_citation, copy_citation_as
from tui.screens.dialogs import EditAnnotationScreen, ResolveConflict, ShowsArticle
from tui.keymap import bindings, display_keys
from tui.shown import ShowsContent, changes_what_is_shown
from tui.syncing import ShowsStored
from tui.undoing import undo_latest
from tui.widgets.annotation_list import anchor_mark
from tui.widgets.annotation_table import AnnotationTable, Column
from tui.widgets.key_bar import KeyBar
from tui.widgets.safe_input import SafeInput
from tui.widgets.title_bar import TitleBar

PAGE = 100
"""Rows fetched at a time."""
LOAD_AHEAD = 30
"""Fetch the next page when the cursor comes this close to the last row loaded."""

BY_LENGTH = 10
"""Characters of the analyst's name the By column shows: enough to tell a team apart."""

# (column key, header, width or None for the rest, the ordering of list_annotations)
COLUMNS = (
    ("kind", "Kind", 5, "kind"),
    ("source", "Source", 20, "source"),
    ("confidence", "Confidence", 25, "confidence"),
    ("excerpt", "Excerpt", None, "excerpt"),
    ("article", "Article", 24, "article"),
    ("analyst", "By", BY_LENGTH, "analyst"),
    ("date", "Date", 10, "created"),
)
ORDER_LABELS = {ordering: label.lower() for _, label, _, ordering in COLUMNS}
ORDER_LABELS["created"] = "date"
ORDER_LABELS["analyst"] = "analyst"
# Sorting by a new column starts ascending, except where the largest first is what one wants.
STARTS_DESCENDING = frozenset({"created", "confidence"})
EXCERPT_LENGTH = 300


CONFLICT_MARK = "⇄ conflict"
"""Before the excerpt of an annotation a sync found changed in two copies, until resolved."""


def row_cells(annotation: dict) -> tuple[Text, ...]:
    """One row of the table: every cell plain ``Text`` on one line, never read as markup; the
    excerpt led by the conflict's mark (``⇄ conflict``) and the anchor's (``≠ changed``,
    ``⚠ orphan``, ``✗ unverified``)."""
    style = "dim strike" if annotation.get("deleted_at") else ""
    pct = annotation.get("confidence")
    words = " ".join(annotation["exact"].split())
    if len(words) > EXCERPT_LENGTH:
        words = words[: EXCERPT_LENGTH - 1] + "…"
    values = (
        annotation["kind"],
        annotation.get("source") or "",
        "" if pct is None else confidence_terms.describe(pct),
        words,
        " ".join((annotation.get("article_title") or "").split()),
        excerpt(annotation.get("analyst") or "", BY_LENGTH),
        (annotation.get("created_at") or "")[:10],
    )
    cells = [Text(display_safe(value, one_line=True), style=style) for value in values]
    mark = anchor_mark(annotation)
    if mark:
        # Where the annotation stands after a revision, before its words: a mark and a word,
        # so that it reads without colour too.
        cells[3] = Text.assemble((mark, f"bold red {style}".strip()), " ", cells[3])
    if annotation.get("conflict"):
        # Shown on deleted rows too: the delete may be the version that stands.
        cells[3] = Text.assemble((CONFLICT_MARK, "bold magenta"), " ", cells[3])
    return tuple(cells)


class StatusLine(Widget):
    """One line of text. Unlike ``Static.update``, a change repaints the line without laying
    out the whole screen again, which would cost every keystroke in the filter twice."""

    DEFAULT_CSS = "StatusLine { height: 1; }"

    text: reactive[Text] = reactive(Text, layout=False)

    def render(self) -> Text:
        return self.text


class FilterLine(SafeInput):
    """The filter line; escape (like enter) goes back to the table, keeping the filter."""

    BINDINGS = [Binding("escape", "leave", "Back to the table", show=False)]

    class Left(Message):
        """The analyst left the filter line."""

    def action_leave(self) -> None:
        self.post_message(self.Left())


class QueryThread:
    """Read-only queries on a connection of its own, in one background thread.

    SQLite connections belong to the thread that opened them, and the app's connection belongs
    to the event loop; this one is opened in the worker thread on first use. Each query carries
    the generation of the filter it answers: one the analyst has typed past is skipped, or
    interrupted if it is running, so the thread is free for the query that matters now.
    """

    def __init__(self, path: Path, name: str) -> None:
        self.path = path
        self.latest = 0
        self._db: Any = None
        self._running: int | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def call(self, generation: int, function: Callable[..., Any], /,
                   **kwargs: Any) -> Any:
        """``function(db, **kwargs)`` in the background thread; None if it was superseded."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._executor, functools.partial(self._run, generation, function, kwargs))

    def supersede(self, generation: int) -> None:
        """From now on only ``generation`` (or later) matters: stop an older query."""
        self.latest = generation
        running = self._running
        if running is not None and running < generation and self._db is not None:
            self._db.conn.interrupt()

    def _run(self, generation: int, function: Callable[..., Any], kwargs: dict[str, Any]) -> Any:
        if self._db is None:
            from store.db import open_db

            self._db = open_db(self.path)
        for _attempt in range(2):
            if generation < self.latest:
                return None
            self._running = generation
            try:
                return function(self._db, **kwargs)
            except sqlite3.OperationalError as error:
                # An interrupt meant for the query before this one can land on it: once more.
                if "interrupted" not in str(error):
                    raise
            finally:
                self._running = None
        return None

    def close(self) -> None:
        """Close the connection (in its own thread) and let the thread end."""
        self.supersede(self.latest + 1)

        def close_connection() -> None:
            if self._db is not None:
                self._db.conn.close()
                self._db = None

        self._executor.submit(close_connection)
        self._executor.shutdown(wait=False)


class ReviewScreen(ShowsArticle, ShowsContent, ShowsStored, Screen[None]):
    """Every annotation across articles: filter, sort, open, edit, delete, restore, cite."""

    CSS_PATH = "review.tcss"
    SUB_TITLE = "Review"
    BINDINGS = bindings("review")
    DEBOUNCE = 0.15
    """Seconds of quiet typing before the filter runs."""

    def __init__(self) -> None:
        super().__init__()
        self.filters: dict[str, Any] = {}
        self.order = "created"
        self.descending = True
        self.total: int | None = None
        self.generation = 0
        self.updates = 0
        """How many times the table was refilled (benchmarks and tests wait on it)."""
        self.filter_runs = 0
        """How many times the filter line was read (after the debounce)."""
        self._rows: dict[str, dict] = {}
        self._exhausted = False
        self._rows_pending = False
        self._count_pending = False
        self._more_pending = False
        self._debounce: Timer | None = None
        self._shown = False
        self._covered_by_dialog = False
        self.pages: QueryThread | None = None
        self.counts: QueryThread | None = None

    # --- layout

    def compose(self) -> ComposeResult:
        # Sorted and filtered as the analyst left it (``tui.place``).
        kept = self.app.place.get("review")  # type: ignore[attr-defined]
        kept = kept if isinstance(kept, dict) else {}
        if kept.get("order") in store_annotations.ORDERINGS:
            self.order = kept["order"]
            self.descending = bool(kept.get("descending", self.descending))
        line = kept.get("filter") if isinstance(kept.get("filter"), str) else ""
        if line:
            try:
                self.filters = parse_filter(line, self.app.db)
            except ValidationError:
                line = ""
        yield TitleBar()
        yield FilterLine(line, placeholder=f"Filter: {SYNTAX}", id="filter")
        yield Static(id="filter-error")
        yield AnnotationTable([Column(key, self._header(label, ordering), width)
                               for key, label, width, ordering in COLUMNS],
                              cells=row_cells, id="annotations")
        yield Static(id="review-empty")
        yield StatusLine(id="review-status")
        yield KeyBar()

    def on_mount(self) -> None:
        path = self.app.db_path  # type: ignore[attr-defined]
        self.pages = QueryThread(path, "margin-review-pages")
        self.counts = QueryThread(path, "margin-review-counts")
        self.query_one("#filter-error").display = False
        self.query_one("#review-empty").display = False
        self.table.focus()
        self._reload()

    def on_unmount(self) -> None:
        # Fetches still on their way answer a screen that is gone: a new generation makes
        # them drop their rows instead of looking for the table.
        self.generation += 1
        for thread in (self.pages, self.counts):
            if thread is not None:
                thread.close()

    def on_screen_suspend(self) -> None:
        # A dialog over the table (the style picker, the edit form) changes what it says it
        # changes; another screen (the reader) may change anything.
        self._covered_by_dialog = isinstance(self.app.screen, ModalScreen)

    def on_screen_resume(self) -> None:
        # Uncovered only on the way to a screen below (``L`` from a reader opened here), the
        # review is about to be closed: nothing to load.
        if self._shown and not self._covered_by_dialog and self.is_current:
            self._reload(keep=self.current_id(), rows=max(PAGE, len(self._rows)))
        self._shown = True

    def _header(self, label: str, ordering: str) -> Text:
        if ordering != self.order:
            return Text(label)
        return Text(f"{label} {'▼' if self.descending else '▲'}")

    def _relabel_columns(self) -> None:
        for key, label, _, ordering in COLUMNS:
            self.table.set_label(key, self._header(label, ordering))

    @property
    def table(self) -> AnnotationTable:
        """The table of annotations."""
        return self.query_one(AnnotationTable)

    @property
    def busy(self) -> bool:
        """True while a filter waits to run, or rows or the total are being fetched."""
        return (self._debounce is not None or self._rows_pending or self._count_pending
                or self._more_pending)

    def key_for(self, action_id: str) -> str:
        """The keys of an action as the user has them, for messages."""
        return display_keys(self.app.actions[action_id].keys)  # type: ignore[attr-defined]

    # --- loading

    def _reload(self, keep: str | None = None, rows: int = PAGE) -> None:
        """Refill the table from the first row (``rows`` of them, the cursor on ``keep``), then
        count every match."""
        self.generation += 1
        generation = self.generation
        self.pages.supersede(generation)
        self.counts.supersede(generation)
        self.total = None
        self._rows_pending = self._count_pending = True
        filters = dict(self.filters)
        self.run_worker(self._fetch_first(generation, filters, self.order, self.descending,
                                          rows, keep),
                        group="review-rows", exclusive=True)

    async def _fetch_first(self, generation: int, filters: dict, order: str, descending: bool,
                           limit: int, keep: str | None) -> None:
        counting = False
        try:
            rows = await self.pages.call(generation, store_annotations.list_annotations,
                                         limit=limit, order_by=order, descending=descending,
                                         **filters)
            if generation == self.generation and rows is not None:
                self._fill(rows, limit, keep)
                # Counted once the rows are up: on a machine with few cores, counting at the
                # same time would slow down the query whose rows the analyst is waiting for.
                self.run_worker(self._fetch_total(generation, filters), group="review-count",
                                exclusive=True)
                counting = True
        except MarginError as error:
            if generation == self.generation:
                self._show_error(error)
        finally:
            if generation == self.generation:
                self._rows_pending = False
                if not counting:
                    self._count_pending = False
                self._show_status()

    async def _fetch_total(self, generation: int, filters: dict) -> None:
        try:
            total = await self.counts.call(generation, store_annotations.count_annotations,
                                           **filters)
            if generation == self.generation and total is not None:
                self.total = total
        except MarginError:
            pass  # the rows' query reports the same problem
        finally:
            if generation == self.generation:
                self._count_pending = False
                self._show_status()

    def _fill(self, rows: list[dict], limit: int, keep: str | None) -> None:
        table = self.table
        cursor = table.cursor_row
        self._rows = {annotation["id"]: annotation for annotation in rows}
        self._exhausted = len(rows) < limit
        if keep is not None and keep in self._rows:
            cursor = list(self._rows).index(keep)
        table.set_rows(self._rows.items(), cursor=cursor)
        self.content_changed()
        self.updates += 1

    def _load_more(self) -> None:
        """Fetch the next page if there is one and none is on its way."""
        if self._rows_pending or self._more_pending or self._exhausted:
            return
        if self.total is not None and len(self._rows) >= self.total:
            return
        self._more_pending = True
        self.run_worker(self._fetch_more(self.generation, len(self._rows)), group="review-more",
                        exclusive=True)

    async def _fetch_more(self, generation: int, offset: int) -> None:
        try:
            rows = await self.pages.call(generation, store_annotations.list_annotations,
                                         limit=PAGE, offset=offset, order_by=self.order,
                                         descending=self.descending, **self.filters)
            if generation == self.generation and rows is not None:
                # A row deleted meanwhile shifts the pages by one: skip what is listed already.
                new = [annotation for annotation in rows if annotation["id"] not in self._rows]
                self._rows.update((annotation["id"], annotation) for annotation in new)
                self.table.append_rows((annotation["id"], annotation) for annotation in new)
                self._exhausted = len(rows) < PAGE
        except MarginError as error:
            if generation == self.generation:
                self._show_error(error)
        finally:
            self._more_pending = False
            if generation == self.generation:
                self._show_status()

    @on(AnnotationTable.RowHighlighted)
    def _row_highlighted(self, event: AnnotationTable.RowHighlighted) -> None:
        if event.row >= self.table.row_count - LOAD_AHEAD:
            self._load_more()

    @on(AnnotationTable.NearEnd)
    def _scrolled_near_end(self) -> None:
        self._load_more()

    def _show_status(self) -> None:
        loaded = len(self._rows)
        deleted = "deleted " if self.filters.get("deleted") is True else ""
        if self.total is None:
            counted = f"{loaded:,}{'' if self._exhausted else '+'} {deleted}annotations"
        else:
            noun = "annotation" if self.total == 1 else "annotations"
            counted = f"{self.total:,} {deleted}{noun}"
            if loaded < self.total:
                counted += f" ({loaded:,} loaded)"
        if self.filters:
            counted += " matching the filter"
        direction = {"created": ("oldest first", "newest first"),
                     "confidence": ("lowest first", "highest first")}.get(
            self.order, ("A to Z", "Z to A"))[self.descending]
        status = f"{counted} · sorted by {ORDER_LABELS[self.order]}, {direction}"
        self.query_one("#review-status", StatusLine).text = Text(status)
        self._show_empty()

    def _show_empty(self) -> None:
        empty = self.query_one("#review-empty", Static)
        if self.table.row_count or self._rows_pending:
            empty.display = False
            return
        if self.filters:
            message = "No annotation matches the filter."
        else:
            message = ("No annotations yet: open an article from the library "
                       f"({self.key_for('library')}), select words and press "
                       f"{self.key_for('tag-claim')} or {self.key_for('tag-quote')}.")
        empty.update(Text(message))
        empty.display = True

    def _show_error(self, error: MarginError | None) -> None:
        line = self.query_one("#filter-error", Static)
        if error is None:
            line.display = False
            return
        line.update(Text(display_safe(str(error), one_line=True)))
        line.display = True

    # --- filtering

    @on(Input.Changed, "#filter")
    def _filter_typed(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
            self._debounce = None
        if self.DEBOUNCE <= 0:
            self._apply_filter()
        else:
            self._debounce = self.set_timer(self.DEBOUNCE, self._apply_filter)

    def _apply_filter(self, typing: bool = True) -> None:
        """Run the filter line; a term that means nothing is explained and the rows stay.

        While typing, a last word of one letter waits for the next: as a prefix it matches
        nearly everything, which is slow to look up among many annotations and tells the
        analyst nothing. Enter runs it as it is.
        """
        self._debounce = None
        line = self.query_one("#filter", FilterLine).value
        try:
            filters = parse_filter(line, self.app.db)
        except ValidationError as error:
            self._show_error(error)
        else:
            self._show_error(None)
            words = line.split()
            one_letter = bool(words) and len(words[-1]) == 1 and words[-1].isalnum()
            waiting = typing and one_letter and not line[-1].isspace()
            if filters != self.filters and not waiting:
                self.filters = filters
                self._reload()
                self._remember()
        self.filter_runs += 1

    @on(Input.Submitted, "#filter")
    @on(FilterLine.Left)
    def _leave_filter(self) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        self._apply_filter(typing=False)
        self.table.focus()

    def action_filter_review(self) -> None:
        self.query_one("#filter", FilterLine).focus()

    # --- sorting

    def sort_by(self, ordering: str, descending: bool | None = None) -> None:
        """Sort by one of ``store.annotations.ORDERINGS`` (in SQLite) and start from the top."""
        if descending is None:
            descending = ordering in STARTS_DESCENDING
        self.order = ordering
        self.descending = descending
        self._relabel_columns()
        self._reload()
        self._remember()

    def _remember(self) -> None:
        """Keep the sort and the filter line for the next time margin starts."""
        self.app.remember_place(review={  # type: ignore[attr-defined]
            "order": self.order, "descending": self.descending,
            "filter": self.query_one("#filter", FilterLine).value})

    @on(AnnotationTable.HeaderSelected)
    def _header_clicked(self, event: AnnotationTable.HeaderSelected) -> None:
        ordering = next(o for key, _, _, o in COLUMNS if key == event.column_key)
        if ordering == self.order:
            self.sort_by(ordering, not self.descending)
        else:
            self.sort_by(ordering)

    def action_review_sort(self) -> None:
        orderings = [ordering for _, _, _, ordering in COLUMNS]
        position = orderings.index(self.order) if self.order in orderings else -1
        self.sort_by(orderings[(position + 1) % len(orderings)])

    def action_review_sort_reverse(self) -> None:
        self.sort_by(self.order, not self.descending)

    # --- moving to the ends

    def action_review_first(self) -> None:
        """Put the cursor on the first annotation."""
        self.table.action_first_row()

    def action_review_last(self) -> None:
        """Put the cursor on the last annotation loaded (which fetches the next page, if any)."""
        self.table.action_last_row()

    # --- the annotation under the cursor

    def current_id(self) -> str | None:
        """The id of the annotation under the cursor."""
        return self.table.key_at(self.table.cursor_row)

    def article_in_view(self) -> str | None:
        """The article of the annotation under the cursor."""
        current = self.current()
        return current["article_id"] if current else None

    def article_changed(self, article: dict) -> None:
        """Show the edited article's title in every row of it."""
        self._reload(keep=self.current_id(), rows=max(PAGE, len(self._rows)))

    def stored_changed(self) -> None:
        """Show the rows as a sync left them, the cursor on the same annotation."""
        self._reload(keep=self.current_id(), rows=max(PAGE, len(self._rows)))

    def current(self) -> dict | None:
        """The annotation under the cursor, as listed."""
        annotation_id = self.current_id()
        return self._rows.get(annotation_id) if annotation_id else None

    def _refresh_row(self, annotation_id: str) -> None:
        """Show an annotation as now stored; drop its row if it left the listing."""
        try:
            fresh = store_annotations.get_annotation(self.app.db, annotation_id)
        except MarginError:
            fresh = None
        wanted = self.filters.get("deleted", False)
        table = self.table
        self.content_changed()
        if fresh is None or (wanted is not None and bool(fresh["deleted_at"]) != wanted):
            if annotation_id in self._rows:
                del self._rows[annotation_id]
                table.remove_row(annotation_id)
                if self.total is not None:
                    self.total -= 1
            self._show_status()
            return
        self._rows[annotation_id] = fresh
        table.replace_row(annotation_id, fresh)

    # --- actions

    @on(AnnotationTable.RowSelected)
    def action_open_annotation(self) -> None:
        """Read the annotation's article, the cursor on the annotation and it in view."""
        annotation = self.current()
        if annotation is None:
            return
        from tui.screens.reader import ReaderScreen

        self.app.push_screen(ReaderScreen(annotation["article_id"], annotation=annotation))

    @changes_what_is_shown
    def action_review_edit(self) -> None:
        annotation = self.current()
        if annotation is None:
            return
        if annotation.get("deleted_at"):
            self.notify(f"Restore it first ({self.key_for('review-restore')})", timeout=3)
            return

        def edited(saved: dict | None) -> None:
            if saved is not None:
                self._refresh_row(saved["id"])
                self.notify(f"Saved your changes to the {saved['kind']} "
                            f"{_short(saved['exact'])}", timeout=3, markup=False)

        self.app.push_screen(EditAnnotationScreen(annotation), edited)

    @changes_what_is_shown
    def action_review_delete(self) -> None:
        annotation = self.current()
        if annotation is None:
            return
        try:
            store_annotations.delete_annotation(self.app.db, annotation["id"])
        except MarginError as error:
            self.notify(str(error), severity="warning", markup=False)
            return
        self._refresh_row(annotation["id"])
        self.notify(f"Deleted the {annotation['kind']} {_short(annotation['exact'])}. "
                    f"Press {self.key_for('review-restore')} to restore it.",
                    timeout=6, markup=False)

    @changes_what_is_shown
    def action_review_restore(self) -> None:
        annotation = self.current()
        if annotation is not None and annotation.get("deleted_at"):
            try:
                store_annotations.restore_annotation(self.app.db, annotation["id"])
            except MarginError as error:
                self.notify(str(error), severity="warning", markup=False)
                return
            self._refresh_row(annotation["id"])
            self.notify(f"Restored the {annotation['kind']} {_short(annotation['exact'])}",
                        timeout=4, markup=False)
            return
        self._undo()

    def _undo(self) -> None:
        """Undo the latest change to any annotation, and show the table as it now is."""
        result = undo_latest(self)
        if result is None:
            return
        message = store_annotations.describe_undo(result, 50)
        keep = result["annotation"]["id"] if result["subject"] == "annotation" else self.current_id()
        self._reload(keep=keep, rows=max(PAGE, len(self._rows)))
        self.notify(message, timeout=4, markup=False)

    @changes_what_is_shown
    def action_resolve_conflict(self) -> None:
        """Show the two versions of the annotation under the cursor and keep the one chosen."""
        from store.db import copy_id
        from store.sync import list_conflicts, resolve_conflict
        from store.sync.versions import Version

        annotation = self.current()
        if annotation is None:
            return
        conflicts = list_conflicts(self.app.db, record_id=annotation["id"])
        if not conflicts:
            self.notify("This annotation has no conflict to resolve: the filter conflict:yes "
                        "lists those that have one.", timeout=4)
            return
        conflict = conflicts[0]  # the newest; any older one keeps the mark until it is done
        this_copy = copy_id(self.app.db)
        kept = Version.parse(conflict["kept_version"])
        # Changed here since the sync, the version that stands is this copy's.
        stands = {**annotation, "edited_on": kept.edited_on
                  if kept.updated_at == annotation["updated_at"] else this_copy}

        def answered(take: str | None) -> None:
            if take is None:
                return
            try:
                resolve_conflict(self.app.db, conflict["id"], take=take)
            except MarginError as error:
                self.notify(str(error), severity="error", markup=False)
                return
            self._reload(keep=annotation["id"], rows=max(PAGE, len(self._rows)))
            done = "kept the version that stands" if take == "kept" else "took the other version"
            self.notify(f"Resolved the conflict of the {annotation['kind']} "
                        f"{_short(annotation['exact'])}: {done}. The team gets it at the next "
                        "sync.", timeout=6, markup=False)

        self.app.push_screen(ResolveConflict(stands, conflict["lost"], this_copy), answered)

    def action_review_copy(self) -> None:
        copy_citation(self.app, self.current())

    def action_review_copy_as(self) -> None:
        copy_citation_as(self.app, self.current())


def _short(text: str, length: int = 50) -> str:
    """A span as a message names it: in quotation marks, cut short."""
    return quote_span(text, length)
