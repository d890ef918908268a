"""The one rule for keys typed ahead: nothing is changed that was not on screen when its key
was pressed.

Keys arrive faster than screens draw (a quick hand, a busy machine, tmux sending a line of
keys), and Textual queues them for whatever has the focus by the time they are handled. A key
that moves the cursor or opens a screen may follow the focus; a key that deletes, edits,
overwrites, restores or undoes must act on what the analyst saw when pressing it, and nothing
else. So:

- every place that shows what such a key acts on (a screen, the annotation form) is a
  ``ShowsContent`` and calls ``content_changed()`` whenever that content is replaced; it
  counts as shown once the next frame with it has been drawn;
- the app records the time of the key whose binding is running (``key_pressed``), the time
  the terminal reported it, kept when a key is handed on to another widget;
- an action marked ``@changes_what_is_shown`` refuses to run for a key pressed before its
  content was shown, and says so.

Actions run from the command palette or a click carry no key time and always run: the
analyst chose them on a screen that was drawn.
"""

from __future__ import annotations

import functools
import math
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterator, TypeVar

from textual import events
from textual._time import get_time  # the clock Textual stamps every event with

_pressed_at: ContextVar[float | None] = ContextVar("margin_key_pressed_at", default=None)

Action = TypeVar("Action", bound=Callable[..., Any])


@contextmanager
def key_pressed(event: events.Key) -> Iterator[None]:
    """While the bindings of ``event`` run (in this task), actions know when it was pressed."""
    token = _pressed_at.set(event.time)
    try:
        yield
    finally:
        _pressed_at.reset(token)


def key_arrives(event: events.Key) -> Callable[[], None]:
    """Record ``event`` as the key being handled in this task; call what is returned once its
    bindings have run."""
    token = _pressed_at.set(event.time)
    return lambda: _pressed_at.reset(token)


def handed_on(event: events.Key) -> events.Key:
    """A copy of a key to post to another widget, still stamped with when it was pressed."""
    copy = events.Key(event.key, event.character)
    copy.time = event.time
    return copy


class ShowsContent:
    """A screen or widget whose content destructive keys act on (see the module's rule)."""

    shown_at: float = math.inf
    """When the content now there was first drawn; infinity until it has been."""

    def content_changed(self) -> None:
        """The content is new (first shown, reloaded, a row gone): keys pressed from now until
        the next frame is drawn did not see it."""
        self.shown_at = math.inf
        generation = getattr(self, "_content_generation", 0) + 1
        self._content_generation = generation
        self.call_after_refresh(self._content_drawn, generation)  # type: ignore[attr-defined]

    def _content_drawn(self, generation: int) -> None:
        if generation == self._content_generation:
            self.shown_at = get_time()

    def on_screen_resume(self) -> None:
        # A screen coming back (first shown, or uncovered) is redrawn before it is seen.
        self.content_changed()

    def saw_content(self) -> bool:
        """Whether the key being handled (if any) was pressed after the content was drawn."""
        pressed = _pressed_at.get()
        return pressed is None or pressed >= self.shown_at


def changes_what_is_shown(action: Action) -> Action:
    """Mark an action of a ``ShowsContent`` that deletes, edits, overwrites, restores or undoes:
    for a key pressed before the content was drawn it does nothing but say so."""

    @functools.wraps(action)
    def guarded(self: ShowsContent, *args: Any, **kwargs: Any) -> Any:
        if not self.saw_content():
            self.notify("A key typed before the screen was drawn was ignored: "  # type: ignore
                        "nothing was changed. Press it again.", severity="warning", timeout=4)
            return None
        return action(self, *args, **kwargs)

    return guarded  # type: ignore[return-value]
