"""Helpers for Pilot tests that more than one test module needs (imported, not fixtures)."""

from __future__ import annotations


async def until(pilot, condition, seconds: float = 10.0) -> None:
    """Let the app work until ``condition()`` holds (a loaded machine can be slow)."""
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    assert condition()


async def drawn(pilot, shows) -> None:
    """Wait until a screen (or the form) has drawn its latest content, so that a key pressed
    next counts as pressed on it (``tui.shown``), as it would for an analyst looking at it."""
    import math

    await until(pilot, lambda: shows.shown_at != math.inf)
