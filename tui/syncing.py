"""Sync from the TUI: which server, how progress reads, and what a screen does afterwards.

The sync itself (``store.sync``) runs in a worker of the app (``MarginApp.action_sync``) on
a SQLite connection of its own; this module holds what the app and the command line share
and what each screen promises: to show the database as it now is once a sync has merged the
team's changes into it.
"""

from __future__ import annotations

import os

import sqlite_utils

SYNC_URL_VARIABLE = "MARGIN_SYNC_URL"
"""The environment variable naming the team's server, before the one last synced with."""

NO_SERVER_ADVICE = ("run 'margin sync postgresql://user@host/database' once (margin remembers "
                    f"the address), or set {SYNC_URL_VARIABLE}")


def sync_url(db: sqlite_utils.Database, given: str | None = None) -> str | None:
    """The server to sync with: ``given``, else ``$MARGIN_SYNC_URL``, else the one this copy
    last synced with; None when there is none."""
    from store.sync import remembered_url

    return given or os.environ.get(SYNC_URL_VARIABLE) or remembered_url(db)


def progress_text(stage: str, done: int, total: int) -> str:
    """What a sync is doing, for the title bar: ``Syncing: receiving 2,000 of 10,000…``."""
    if total <= 0:
        return f"Syncing: {stage}…"
    return f"Syncing: {stage} {done:,} of {total:,}…"


class ShowsStored:
    """A screen that shows what is stored, and shows it again when a sync changed it."""

    def stored_changed(self) -> None:
        """The database changed under the screen (a sync merged the team's changes): show
        what is now stored, keeping the analyst's place."""
        raise NotImplementedError
