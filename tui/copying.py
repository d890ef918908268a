"""Copying from the TUI: the system clipboard when there is one, else OSC 52 to the terminal.

``SystemClipboard`` is mixed into the app once, so every copy in margin (a citation, text
copied out of an input) goes the same way. ``copy_citation`` and ``copy_citation_as`` are what
the reader's and the review's ``y`` and ``Y`` keys run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.errors import MarginError
from tui.clipboard import SYSTEM, TERMINAL, copy_to_system

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_STYLE = "analyst"


class SystemClipboard:
    """App mixin: ``copy_to_clipboard`` tries the system clipboard, then Textual's OSC 52.

    ``copy_route`` remembers which way the last copy went (``SYSTEM`` or ``TERMINAL``), so the
    notification can tell the analyst where to paste from.
    """

    copy_route: str | None = None

    def copy_to_clipboard(self, text: str) -> None:
        """Copy ``text``: pyperclip first; where it finds no clipboard, the terminal (OSC 52)."""
        if copy_to_system(text):
            # Textual's own copy keeps the text for pasting inside the app; so do we.
            self._clipboard = text
            self.copy_route = SYSTEM
        else:
            super().copy_to_clipboard(text)  # type: ignore[misc]
            self.copy_route = TERMINAL


def copy_text(app: App, text: str) -> str:
    """Copy through the app; returns which way the text went (``SYSTEM`` or ``TERMINAL``)."""
    app.copy_to_clipboard(text)
    # An app without the mixin has only Textual's copy, which is OSC 52.
    return getattr(app, "copy_route", None) or TERMINAL


def copied_message(route: str, what: str = "Citation") -> str:
    """The notification after a copy: where the text went."""
    if route == SYSTEM:
        return f"{what} copied to {SYSTEM}"
    return f"{what} sent to {TERMINAL}"


def citation_for(app: App, annotation: dict, style: str = DEFAULT_STYLE) -> str:
    """The citation of a stored annotation in ``style`` (the article is read from the app's db)."""
    from store.articles import get_article
    from store.citations import cite_annotation

    article = get_article(app.db, annotation["article_id"])  # type: ignore[attr-defined]
    return cite_annotation(annotation, article, style)


def copy_citation(app: App, annotation: dict | None, style: str = DEFAULT_STYLE) -> str | None:
    """Copy an annotation's citation and say where it went; None if nothing was copied."""
    if annotation is None:
        app.notify("No annotation here to cite", timeout=2)
        return None
    try:
        text = citation_for(app, annotation, style)
    except MarginError as error:
        app.notify(str(error), title="Not copied", severity="error", markup=False)
        return None
    route = copy_text(app, text)
    app.notify(copied_message(route), title=f"{style} style", markup=False, timeout=3)
    return route


def copy_citation_as(app: App, annotation: dict | None) -> None:
    """Ask for a citation style, then copy the annotation's citation in it."""
    if annotation is None:
        app.notify("No annotation here to cite", timeout=2)
        return
    from store.citations import STYLES
    from tui.widgets.style_picker import StylePicker

    previews: dict[str, str] = {}
    for style in STYLES:
        try:
            previews[style] = citation_for(app, annotation, style)
        except MarginError as error:
            previews[style] = str(error)

    def picked(style: str | None) -> None:
        if style:
            copy_citation(app, annotation, style)

    app.push_screen(StylePicker(list(STYLES), previews=previews), picked)
