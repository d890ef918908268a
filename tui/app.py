"""The Textual app: opens the database, applies the user's keys, moves between screens."""

from __future__ import annotations

import gc
from pathlib import Path

from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from store.db import open_db
from store.errors import MarginError
from tui.commands import ActionsProvider
from tui.copying import SystemClipboard
from tui.keymap import Action, bindings, display_key, effective_actions
from tui.screens.help import HelpScreen
from tui.screens.library import LibraryScreen
from tui.shown import key_arrives


class MarginApp(SystemClipboard, App[None], inherit_bindings=False):
    """margin's terminal interface; screens reach the database as ``self.app.db``."""

    TITLE = "margin"
    # Each screen keeps its own CSS beside it (its CSS_PATH), but the app reads them itself: a
    # stylesheet first met when its screen is pushed makes Textual parse every rule again, all
    # widgets' defaults included (about 25 ms). The reader's is read at the start (Textual reads
    # no stylesheet for a first screen); the others before the library opens, or once the
    # reader is painted (``_read_styles``).
    CSS_PATH = ["app.tcss", "screens/reader.tcss"]
    LATER_CSS_PATH = ["screens/library.tcss", "screens/review.tcss", "screens/help.tcss",
                      "screens/dialogs.tcss"]
    # Textual's own quit binding has no id, so a user could not move it; ours comes from the
    # registry instead. Only the hint that ctrl+c does not quit is kept from Textual.
    BINDINGS = [
        *bindings("global"),
        *(binding for binding in App.BINDINGS if getattr(binding, "action", None) == "help_quit"),
    ]
    COMMANDS = {ActionsProvider}
    PLACE_SAVE_SECONDS = 2.0
    """How often, at most, a moved cursor is written to the place file (``tui.place``)."""

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every notification is shown literally: they quote article text, titles and paths,
        and a ``[link=…]`` or ``[bold]`` in those must never be interpreted."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def __init__(self, db_path: Path, keymap: dict[str, str] | None = None,
                 open_article: str | None = None, keys_path: Path | None = None,
                 analyst: str | None = None) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.keys_path = keys_path
        """The keybindings file given on the command line (None: the user's, if any)."""
        self.key_overrides: dict[str, str] = dict(keymap or {})
        self.open_article = open_article
        self.analyst = analyst
        """Who works in this app (None: the login name), for connections opened in workers."""
        self.db = open_db(self.db_path, analyst=analyst)
        self.syncing = False
        """Whether a sync is running (one at a time)."""
        self._open_error: MarginError | None = None
        self._starts_in_reader = False
        from tui.place import load_place

        self.place, self._place_problem = load_place(self.db_path)
        """Where the analyst left off in this database (``tui.place``), kept up to date."""
        self._place_unsaved = False

    def run(self, *args, **kwargs):
        """Run the app, its start-up objects frozen out of the garbage collector's sight.

        Everything imported and built before the first frame lives as long as the app, yet
        each full collection would walk it all again: about 30 ms of the reader's first paint
        (bench/tui.py). Frozen, the collector looks only at what the app makes afterwards.
        """
        gc.freeze()
        return super().run(*args, **kwargs)

    @property
    def actions(self) -> dict[str, Action]:
        """Every action with the keys in force (defaults and the user's overrides)."""
        return effective_actions(self.key_overrides)

    def get_default_screen(self) -> Screen:
        """The reader, when margin was asked to open an article; else a blank first screen
        for the library to go on.

        Opening an article directly shows the reader alone, as the first screen: the library
        is built only when the user goes there (``action_library``), and no screen is built
        under the reader where nobody sees it.
        """
        if self.open_article or isinstance(self.place.get("article"), str):
            return self._first_reader() or super().get_default_screen()
        return super().get_default_screen()

    def _first_reader(self) -> Screen | None:
        """The reader on the article asked for, else on the one last read; None if gone."""
        from store.articles import get_article
        from tui.screens.reader import ReaderScreen

        if self.open_article:
            try:
                article = get_article(self.db, self.open_article)
            except MarginError as error:
                self._open_error = error
            else:
                self._starts_in_reader = True
                return ReaderScreen(article["id"])
        elif isinstance(self.place.get("article"), str):
            # Reopen where the analyst left off. An article that is gone, or in the trash
            # (gone until restored), leaves the library.
            try:
                article = get_article(self.db, self.place["article"])
            except MarginError:
                pass
            else:
                if article["deleted_at"]:
                    return None
                offset = self.place.get("offset")
                self._starts_in_reader = True
                return ReaderScreen(article["id"], at=offset if isinstance(offset, int) else None)
        return None

    def on_load(self) -> None:
        if self.key_overrides:
            self.set_keymap(self.key_overrides)

    def on_mount(self) -> None:
        if self._place_problem is not None:
            self.notify(self._place_problem, title="Starting afresh")
        # Cursor moves are saved from a timer, never on the key: a held key costs no writes.
        self.set_interval(self.PLACE_SAVE_SECONDS, self.save_place)
        if self._open_error is not None:
            self.notify(str(self._open_error), title="Cannot open the article",
                        severity="error")
        if not self._starts_in_reader:
            self._read_styles(["screens/library.tcss"])
            self._import_sample()
            self.push_screen(LibraryScreen())
        self.call_after_refresh(self._read_styles, self.LATER_CSS_PATH)

    def on_unmount(self) -> None:
        self.save_place()
        self.db.conn.close()

    def remember_place(self, **changes: object) -> None:
        """Note where the analyst is (``article``, ``offset``, ``review``).

        Another article or Review's order is written at once; a moved cursor alone within
        ``PLACE_SAVE_SECONDS`` (or when its screen is left), so that moving costs no writes.
        """
        changed = {name for name, value in changes.items() if self.place.get(name) != value}
        if not changed:
            return
        self.place.update(changes)
        self._place_unsaved = True
        if changed != {"offset"}:
            self.save_place()

    def save_place(self) -> None:
        """Write the place to its file now, if it changed since it was last written."""
        from tui.place import save_place

        if self._place_unsaved:
            self._place_unsaved = False
            save_place(self.db_path, self.place)

    def _read_styles(self, names: list[str]) -> None:
        """Read screens' stylesheets (paths beside this module) before their screens are
        pushed, so that pushing one finds its rules ready; only files new to the app are
        parsed."""
        folder = Path(__file__).parent
        for name in names:
            path = folder / name
            if not self.stylesheet.has_source(str(path)):
                self.stylesheet.read(path)
        # Their rules name only screens not yet built, so no widget needs styling again.
        self.stylesheet.parse()

    def _import_sample(self) -> None:
        """Give a new user something to annotate: the bundled article, into an empty database."""
        from tui.sample import import_sample_if_empty

        try:
            import_sample_if_empty(self.db)
        except MarginError as error:
            self.notify(str(error), title="The sample article could not be imported",
                        severity="error", markup=False)

    def open_reader(self, article_id: str) -> bool:
        """Read an article; False if it could not be opened (the user is told why)."""
        from store.articles import get_article

        try:
            article = get_article(self.db, article_id)
        except MarginError as error:
            self.notify(str(error), title="Cannot open the article", severity="error",
                        markup=False)
            return False
        from tui.screens.reader import ReaderScreen

        self.push_screen(ReaderScreen(article["id"]))
        return True

    def get_key_display(self, binding: Binding) -> str:
        """Keys read the same in the footer as in help and the palette (``ctrl+p``, ``?``)."""
        return binding.key_display or display_key(binding.key)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A blinking cursor makes screenshots differ from run to run; tests run headless.
        if self.is_headless and hasattr(event.widget, "cursor_blink"):
            event.widget.cursor_blink = False

    def on_key(self, event: events.Key) -> None:
        # Runs before Textual's own handler of the app (``App._on_key``, next in the method
        # order), which looks the key's bindings up: the actions they run learn when the key
        # was pressed (``tui.shown``), until this key has been handled.
        self.call_next(key_arrives(event))

    # --- Global actions ------------------------------------------------------------------

    def action_help(self) -> None:
        """Show every key; pressed again on the help screen, close it."""
        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss()
        else:
            self.push_screen(HelpScreen())

    def action_library(self) -> None:
        """Go back to the library, closing the screens above it."""
        if not self._pop_to(LibraryScreen):
            # Started on an article: close everything above the first screen (that reader,
            # which Textual cannot replace), then build the library for the first time.
            while len(self.screen_stack) > 1:
                self.pop_screen()
            self.push_screen(LibraryScreen())

    def action_review(self) -> None:
        """Go to the review of every annotation (back to it if it is already open)."""
        try:
            from tui.screens.review import ReviewScreen
        except ImportError:
            self.notify("Review is not built yet", severity="warning")
            return
        if not self._pop_to(ReviewScreen):
            self.push_screen(ReviewScreen())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``edit-article`` is dimmed where no article is in view (help, dialogs, empty lists)."""
        if action == "edit_article":
            return True if self._article_in_view() is not None else None
        return True

    def _article_in_view(self) -> str | None:
        from tui.screens.dialogs import ShowsArticle

        screen = self.screen
        return screen.article_in_view() if isinstance(screen, ShowsArticle) else None

    def action_edit_article(self) -> None:
        """Open the metadata form of the article in view; saving shows it at once."""
        from store.articles import get_article
        from tui.screens.dialogs import EditArticleScreen, ShowsArticle

        screen = self.screen
        article_id = self._article_in_view()
        if article_id is None or not isinstance(screen, ShowsArticle):
            return
        try:
            article = get_article(self.db, article_id)
        except MarginError as error:
            self.notify(str(error), severity="error", markup=False)
            return

        def saved(result: dict | None) -> None:
            if result is not None:
                screen.article_changed(result)
                self.notify(f"Saved the article “{result['title']}”", timeout=4, markup=False)

        self.push_screen(EditArticleScreen(article), saved)

    # --- Sync with the team's server --------------------------------------------------------

    def action_sync(self) -> None:
        """Sync with the team's server in a worker: the title bar shows how far it is, a
        notification what it did, and every screen shows what is now stored."""
        from tui.syncing import NO_SERVER_ADVICE, progress_text, sync_url

        if self.syncing:
            self.notify("A sync is already running: its result will show when it is done.",
                        timeout=4)
            return
        url = sync_url(self.db)
        if not url:
            self.notify(f"No server to sync with: {NO_SERVER_ADVICE}.",
                        title="Not synced", severity="warning", timeout=10)
            return
        self.syncing = True
        self.title = f"{self.TITLE} · {progress_text('connecting', 0, 0)}"
        self._sync_in_thread(url)

    @work(thread=True, exclusive=True, group="sync", exit_on_error=False)
    def _sync_in_thread(self, url: str) -> tuple:
        """Run the sync on a connection of its own (SQLite connections stay in the thread that
        opened them); returns the report and how many conflicts are open now."""
        from store.sync import list_conflicts, sync
        from tui.syncing import progress_text

        shown: list[tuple[str, int]] = []

        def progress(stage: str, done: int, total: int) -> None:
            # A hundredth at a time: each update waits for the app's thread to draw it.
            step = (stage, done * 100 // total if total else 0)
            if not shown or shown[-1] != step or done == total:
                shown.append(step)
                self.call_from_thread(self._show_sync_progress,
                                      progress_text(stage, done, total))

        db = open_db(self.db_path, analyst=self.analyst)
        try:
            report = sync(db, url, progress)
            return report, len(list_conflicts(db))
        finally:
            db.conn.close()

    def _show_sync_progress(self, text: str) -> None:
        self.title = f"{self.TITLE} · {text}"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "sync" or event.state not in (
                WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        self.syncing = False
        self.title = self.TITLE
        if event.state == WorkerState.SUCCESS:
            report, open_conflicts = event.worker.result
            self._synced(report, open_conflicts)
        elif event.state == WorkerState.ERROR:
            error = event.worker.error
            message = (str(error) if isinstance(error, MarginError)
                       else f"{type(error).__name__}: {error}")
            self.notify(message, title="Not synced", severity="error", timeout=15)
            # What was merged before the failure stays merged: show it.
            self._show_stored()

    def _synced(self, report, open_conflicts: int) -> None:
        """Say what the sync did and show every screen as it now is."""
        from store.display import display_safe

        line = report.summary()
        if open_conflicts:
            noun = "conflict is" if open_conflicts == 1 else "conflicts are"
            resolve = display_key(self.actions["resolve-conflict"].key_list[0])
            line += (f". {open_conflicts:,} {noun} open: filter Review with conflict:yes and "
                     f"press {resolve} on one to resolve it")
        self.notify(line, title="Synced", timeout=15)
        if report.problems:
            shown = "; ".join(display_safe(problem, one_line=True)
                              for problem in report.problems[:3])
            more = len(report.problems) - 3
            if more > 0:
                shown += f"; and {more:,} more"
            self.notify(f"Not merged: {shown}", title="Sync problems", severity="warning",
                        timeout=20)
        self._show_stored()

    def _show_stored(self) -> None:
        from tui.syncing import ShowsStored

        for screen in self.screen_stack:
            if isinstance(screen, ShowsStored):
                screen.stored_changed()

    def _pop_to(self, screen_type: type[Screen]) -> bool:
        """Pop screens until one of ``screen_type`` is on top; False if none is open."""
        if not any(isinstance(screen, screen_type) for screen in self.screen_stack):
            return False
        # pop_screen takes the screen off the stack at once; only its unmounting is awaited.
        while not isinstance(self.screen, screen_type):
            self.pop_screen()
        return True


def run(db_path: Path, keymap: dict[str, str] | None, open_article: str | None = None,
        keys_path: Path | None = None, analyst: str | None = None) -> None:
    """Run the TUI until the user quits (the CLI has already checked ``keymap``, read from
    ``keys_path``); what ``analyst`` creates records that name (None: the login name)."""
    MarginApp(db_path, keymap=keymap, open_article=open_article, keys_path=keys_path,
              analyst=analyst).run()
