"""Copying from the TUI: the system clipboard when there is one, else OSC 52 to the terminal.

``SystemClipboard`` is mixed into the app once, so every copy in margin (a citation, text
copied out of an input) goes the same way. ``copy_citation`` and ``copy_citation_as`` are what
the reader's and the review's ``y`` and ``Y`` keys run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from store.display import display_safe
from store.errors import MarginError
from tui.clipboard import COPIED_TO_SYSTEM, Copied, copy_to_system, terminal_copy_here

if TYPE_CHECKING:
    from textual.app import App

DEFAULT_STYLE = "analyst"


class SystemClipboard:
    """App mixin: ``copy_to_clipboard`` tries the system clipboard, then OSC 52 to the terminal.

    ``last_copy`` says how the last copy went, so the notification can tell the analyst where
    to paste from, or that nothing was copied.
    """

    last_copy: Copied | None = None

    def copy_to_clipboard(self, text: str) -> None:
        """Copy ``text``: pyperclip first; where it finds no clipboard, the terminal (OSC 52)."""
        # Textual keeps the text for pasting inside the app; so do we, whichever way it goes.
        self._clipboard = text
        if copy_to_system(text):
            self.last_copy = COPIED_TO_SYSTEM
            return
        # Textual's own copy writes a bare OSC 52, which tmux drops by default; ours is
        # wrapped for tmux too and knows what tmux will do with it.
        sequence, self.last_copy = terminal_copy_here(text)
        if self._driver is not None:  # type: ignore[attr-defined]
            self._driver.write(sequence)  # type: ignore[attr-defined]


def copy_text(app: App, text: str) -> Copied:
    """Copy through the app (a ``SystemClipboard``); returns how the copy went."""
    app.copy_to_clipboard(text)
    return app.last_copy  # type: ignore[attr-defined]


def citation_for(app: App, annotation: dict, style: str = DEFAULT_STYLE) -> str:
    """The citation of a stored annotation in ``style`` (the article is read from the app's db)."""
    from store.annotations import get_annotation
    from store.citations import cite_annotation
    from store.revisions import cited_article

    # Read again whole: the screens keep only part of each row, and an orphan is cited from
    # the revision it was made on.
    stored = get_annotation(app.db, annotation["id"])  # type: ignore[attr-defined]
    return cite_annotation(annotation, cited_article(app.db, stored), style)  # type: ignore[attr-defined]


def copy_citation(app: App, annotation: dict | None,
                  style: str = DEFAULT_STYLE) -> Copied | None:
    """Copy an annotation's citation and say how it went; None if there was nothing to cite."""
    if annotation is None:
        app.notify("No annotation here to cite", timeout=2)
        return None
    try:
        text = citation_for(app, annotation, style)
    except MarginError as error:
        app.notify(display_safe(str(error)), title="Not copied", severity="error", markup=False)
        return None
    copied = copy_text(app, text)
    app.notify(copied.message("Citation"), title=f"{style} style", markup=False,
               severity="information" if copied.delivered else "warning",
               timeout=3 if copied.delivered else 8)
    return copied


def copy_citation_as(app: App, annotation: dict | None) -> None:
    """Ask for a citation style, then copy the annotation's citation in it."""
    if annotation is None:
        app.notify("No annotation here to cite", timeout=2)
        return
    from store.citations import STYLES
    from tui.screens.dialogs import StylePicker

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
