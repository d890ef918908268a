"""Sharing a local copy with a team through a PostgreSQL server (``margin sync``).

Each analyst's SQLite file stays a complete copy that works offline. A sync reads what the
team changed since this copy last read (``incoming``) and merges it, then sends what changed
here (``outgoing``). The server keeps every version of every record it is sent, in the order
it received them (one sequence); records are matched by id (an article by the hash of its
first text, which every copy computes alike) and versions by ``(updated_at, edited_on)``.
"""

from store.sync.conflicts import list_conflicts, resolve_conflict
from store.sync.errors import SyncError
from store.sync.run import SyncReport, sync
from store.sync.state import remembered_url

__all__ = ["SyncError", "SyncReport", "list_conflicts", "remembered_url", "resolve_conflict",
           "sync"]
