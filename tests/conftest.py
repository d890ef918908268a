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
    """Build a MarginApp on the test's database: ``make_app(keymap=..., open_article=...)``."""
    from tui.app import MarginApp

    def build(keymap: dict[str, str] | None = None, open_article: str | None = None,
              path: Path | None = None) -> MarginApp:
        return MarginApp(path or db_path, keymap=keymap, open_article=open_article)

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
