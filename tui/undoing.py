"""Undo from any screen: one way to ask the store and to tell the analyst when nothing happened."""

from __future__ import annotations

from textual.screen import Screen

from store import annotations as store_annotations
from store.errors import MarginError


def undo_latest(screen: Screen, article_id: str | None = None) -> dict | None:
    """Undo the latest change (in ``article_id`` only, if given) and return what
    ``store.annotations.undo`` returns; None, with the reason shown, when nothing was undone."""
    try:
        result = store_annotations.undo(screen.app.db, article_id)
    except MarginError as error:
        screen.notify(str(error), severity="error", markup=False)
        return None
    if result is None:
        where = " in this article" if article_id else ""
        screen.notify(f"Nothing to undo{where}", timeout=2)
    return result
