"""What can go wrong between a copy and the team's server, said so a person can act on it."""

from __future__ import annotations

from store.errors import MarginError


class SyncError(MarginError):
    """The server could not be reached, refused us, or holds something this margin cannot use.

    Raised before anything of this copy is changed, or after a step that left it whole: a sync
    that failed can always be run again.
    """
