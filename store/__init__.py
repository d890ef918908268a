"""margin's headless core: data model, SQLite, import, anchoring, citations and export.

Nothing here imports Textual or Rich, so the command line starts fast and the core can be
used from scripts; ``tests/test_boundaries.py`` holds it to that.
"""

from store.errors import DatabaseError, InputError, MarginError, NotFoundError, ValidationError

__all__ = ["DatabaseError", "InputError", "MarginError", "NotFoundError", "ValidationError"]
