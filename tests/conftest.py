"""Shared fixtures. Helpers: append your fixtures below, each under its own heading."""

from __future__ import annotations

import asyncio
import inspect
import io
from pathlib import Path

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run ``async def`` tests (Pilot tests) in a fresh event loop; no plugin is needed."""
    if not inspect.iscoroutinefunction(pyfuncitem.obj):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(pyfuncitem.obj(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


# --- The TUI (app shell, library, help) ---------------------------------------------------

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"


@pytest.fixture
def kursk_path() -> Path:
    """The real scraped article from the shared corpus."""
    return KURSK


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A database file that does not exist yet (margin creates it)."""
    return tmp_path / "margin.db"


@pytest.fixture
def make_app(db_path: Path):
    """Build a MarginApp on the test's database: ``make_app(keymap=..., open_article=...,
    keys_path=...)``."""
    from tui.app import MarginApp

    def build(keymap: dict[str, str] | None = None, open_article: str | None = None,
              path: Path | None = None, keys_path: Path | None = None) -> MarginApp:
        return MarginApp(path or db_path, keymap=keymap, open_article=open_article,
                         keys_path=keys_path)

    return build


@pytest.fixture
def screen_text():
    """What the terminal shows now, as plain text: ``screen_text(app)``."""
    from rich.console import Console

    def render(app) -> str:
        width, height = app.size
        console = Console(width=width, height=height, file=io.StringIO(), record=True,
                          force_terminal=True, legacy_windows=False, safe_box=False)
        console.print(app.screen._compositor.render_update(
            full=True, screen_stack=app._background_screens))
        return console.export_text()

    return render


# --- A real terminal: margin inside tmux (clipboard, terminal safety) ----------------------

class Tmux:
    """One private tmux server (its own socket and config) running one command in a pane."""

    def __init__(self, socket: Path) -> None:
        self.socket = socket

    def tmux(self, *arguments: str, check: bool = True):
        import os
        import subprocess

        environment = {k: v for k, v in os.environ.items() if k not in ("TMUX", "TMUX_PANE")}
        return subprocess.run(["tmux", "-S", str(self.socket), *arguments], capture_output=True,
                              env=environment, timeout=30, check=check)

    def start(self, command: list[str], config: str = "", size: tuple[int, int] = (120, 40),
              environment: dict[str, str] | None = None) -> None:
        """Start the server with ``config`` and run ``command`` in its one pane, no X display."""
        import shlex

        conf = self.socket.with_suffix(".conf")
        conf.write_text(config + "\nset -g remain-on-exit on\n", encoding="utf-8")
        settings = {"DISPLAY": None, "WAYLAND_DISPLAY": None, "MARGIN_DB": None,
                    **(environment or {})}
        prefix = ["env"] + [f"-u{name}" if value is None else f"{name}={value}"
                            for name, value in settings.items()]
        self.tmux("-f", str(conf), "new-session", "-d", "-x", str(size[0]), "-y", str(size[1]),
                  "-c", str(Path(__file__).resolve().parents[1]), shlex.join(prefix + command))

    def screen(self, escapes: bool = False) -> str:
        """What the pane shows now; with ``escapes``, the colours and attributes as sequences."""
        arguments = ["capture-pane", "-p"] + (["-e"] if escapes else [])
        return self.tmux(*arguments).stdout.decode("utf-8", "replace")

    def wait_for(self, condition, seconds: float = 30.0) -> str:
        """Poll the pane until ``condition(screen_text)``; fails if it never holds."""
        import time

        deadline = time.monotonic() + seconds
        while True:
            text = self.screen()
            if condition(text):
                return text
            if time.monotonic() > deadline:
                raise AssertionError(f"the terminal never showed what was awaited:\n{text}")
            time.sleep(0.05)

    def press(self, *keys: str) -> None:
        self.tmux("send-keys", *keys)

    def buffers(self) -> list[str]:
        """The names of tmux's paste buffers."""
        listed = self.tmux("list-buffers", "-F", "#{buffer_name}", check=False)
        return listed.stdout.decode().split()

    def buffer(self) -> str:
        return self.tmux("show-buffer").stdout.decode("utf-8")

    def stop(self) -> None:
        self.tmux("kill-server", check=False)


@pytest.fixture
def tmux():
    """A private tmux server, killed after the test (skips where tmux is not installed)."""
    import shutil
    import tempfile

    if not shutil.which("tmux"):
        pytest.skip("needs tmux")
    # A socket path must stay short (about 100 bytes), so not under pytest's tmp_path.
    folder = Path(tempfile.mkdtemp(prefix="margin-tmux-"))
    server = Tmux(folder / "socket")
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


# --- The user's folders: config (keymap), state (where the analyst left off) ---------------

@pytest.fixture(autouse=True)
def private_user_folders(tmp_path: Path, monkeypatch) -> dict[str, Path]:
    """Every test gets its own config and state folders (platformdirs reads XDG_*_HOME), so
    the developer's own keybindings.toml or saved place never changes what a test sees, and
    tests running side by side never share a state file. Processes a test starts inherit them."""
    folders = {"config": tmp_path / "xdg-config", "state": tmp_path / "xdg-state"}
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folders["config"]))
    monkeypatch.setenv("XDG_STATE_HOME", str(folders["state"]))
    return folders


# --- Copying without the system clipboard (review, the article form) ----------------------

@pytest.fixture
def no_system_clipboard(monkeypatch):
    """Copies go the OSC 52 way (``app.clipboard`` still holds the text), so a test never
    overwrites the clipboard of the machine it runs on; tests/test_clipboard.py drives a real one."""
    monkeypatch.setattr("tui.copying.copy_to_system", lambda text: False)
    monkeypatch.delenv("TMUX", raising=False)


# --- A real PostgreSQL server (margin sync) -------------------------------------------------

def _postgres_missing(why: str):
    """Without PostgreSQL a developer's run skips the sync tests; under CI (``CI=true``, the
    rule tests/test_citeproc.py follows) they fail, since a sync suite that silently skips in
    CI would prove nothing."""
    import os

    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL must run in CI: {why}", pytrace=False)
    pytest.skip(f"needs PostgreSQL: {why}")


@pytest.fixture(scope="session")
def pg_cluster():
    """One throwaway PostgreSQL server for this pytest process (each xdist worker has its own),
    listening on 127.0.0.1 with a password; stopped and removed at the end."""
    from pg_cluster import PgCluster, Unavailable

    import os

    try:
        cluster = PgCluster()
    except Unavailable as why:
        _postgres_missing(str(why))
    with pytest.MonkeyPatch.context() as patch:
        # libpq reads PGSSLMODE, PGPASSWORD, PGOPTIONS and the like from the environment; a
        # developer's own would change what the tests (and the processes they start) see.
        for name in [name for name in os.environ if name.startswith("PG")]:
            patch.delenv(name)
        with cluster:
            yield cluster


@pytest.fixture
def pg_database(pg_cluster) -> str:
    """A fresh, empty database of its own for this test; yields the superuser's URL to it.
    Dropped afterwards, ending any connections the test left open."""
    import uuid

    name = f"margin_test_{uuid.uuid4().hex[:12]}"
    pg_cluster.create_database(name)
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.drop_database(name)


# --- Two copies of one library and their team's server (sync in the TUI) ------------------

class SyncCopies:
    """Two analysts' SQLite copies of one article, and the URL of their team's server."""

    def __init__(self, folder: Path, url: str) -> None:
        from store.articles import add_article
        from store.db import open_db
        from store.ingest import read_source

        self.url = url
        self.paths = {name: folder / f"copy-{name}.db" for name in ("a", "b")}
        self.article_ids: dict[str, str] = {}
        for name, path in self.paths.items():
            db = open_db(path, analyst=f"analyst {name}")
            article, _ = add_article(db, read_source(str(KURSK)))
            self.article_ids[name] = article["id"]
            db.conn.close()

    def open(self, name: str):
        """A connection to one copy (close it before the app opens that copy)."""
        from store.db import open_db

        return open_db(self.paths[name], analyst=f"analyst {name}")

    def sync(self, name: str):
        """Sync one copy as ``margin sync`` does; returns the report."""
        from store.sync import sync

        db = self.open(name)
        try:
            return sync(db, self.url)
        finally:
            db.conn.close()


@pytest.fixture
def sync_copies(tmp_path: Path, pg_database: str, monkeypatch) -> SyncCopies:
    """Copies a and b of the real article, each with no annotation yet, and a fresh team
    server named by ``$MARGIN_SYNC_URL`` (the way the TUI finds it)."""
    monkeypatch.setenv("MARGIN_SYNC_URL", pg_database)
    return SyncCopies(tmp_path, pg_database)
