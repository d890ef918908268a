"""Timestamps as the database stores them."""

from __future__ import annotations

from datetime import datetime, timezone


def now() -> str:
    """The current UTC time as ISO 8601 with microseconds, so stored times sort as they happened."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def today() -> str:
    """The local calendar day as ``YYYY-MM-DD``: the day a person would say they read something."""
    return datetime.now().astimezone().date().isoformat()
