"""One sync: connect, make sure of the server's schema, merge the team's changes, send ours."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import sqlite_utils

from store.sync import state
from store.sync.connection import checked_url, connect, redacted, talking, where
from store.sync.incoming import receive
from store.sync.outgoing import send
from store.sync.server import prepare

Progress = Callable[[str, int, int], None]


@dataclass
class SyncReport:
    """What a sync did, for the one-line summary and for tests."""

    server: str = ""
    received_articles: int = 0
    received_revisions: int = 0
    received_annotations: int = 0
    received_deleted: int = 0
    sent_articles: int = 0
    sent_revisions: int = 0
    sent_annotations: int = 0
    conflicts: int = 0
    problems: list[str] = field(default_factory=list)
    # The server's newest change number when this copy read (see ``outgoing.send``).
    server_top: int = 0

    def summary(self) -> str:
        """One line: what came in, what went out, and conflicts to look at."""
        got = _counted(self.received_articles, "article") + [
            *_counted(self.received_revisions, "revision"),
            *_counted(self.received_annotations, "annotation")]
        sent = _counted(self.sent_articles, "article") + [
            *_counted(self.sent_revisions, "revision"),
            *_counted(self.sent_annotations, "annotation")]
        line = (f"synced with {self.server}: received {', '.join(got) or 'nothing new'}; "
                f"sent {', '.join(sent) or 'nothing new'}")
        if self.conflicts:
            line += (f"; {self.conflicts} new conflict{'s' if self.conflicts != 1 else ''} "
                     "kept for review")
        return line


def _counted(count: int, noun: str) -> list[str]:
    return [f"{count:,} {noun}{'s' if count != 1 else ''}"] if count else []


def sync(db: sqlite_utils.Database, url: str, progress: Progress | None = None) -> SyncReport:
    """Merge the team's changes from the server at ``url`` into this copy, then send this
    copy's. A SyncError says what stopped it; what was merged before stays merged, and
    running it again finishes the job."""
    url = checked_url(url)
    report = SyncReport(server=where(url))
    connection = connect(url)
    try:
        with talking(url):
            server_id = prepare(connection, report.server)
            state.meet(db, redacted(url), server_id)
            before = _open_conflicts(db)
            receive(db, connection, report, progress)
            report.conflicts = max(0, _open_conflicts(db) - before)
            send(db, connection, report, progress)
    finally:
        connection.close()
    return report


def _open_conflicts(db: sqlite_utils.Database) -> int:
    # Found and already answered in one sync (a copy reading the team's past) is not news.
    return db.execute("SELECT count(*) FROM conflicts WHERE resolved_at IS NULL").fetchone()[0]
