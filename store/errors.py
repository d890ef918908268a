"""Errors that a person can act on: a title saying what went wrong and one line of advice."""

from __future__ import annotations


class MarginError(Exception):
    """A failure caused by input the user gave; shown without a traceback.

    ``title`` names what was wrong, ``advice`` says what to do about it. The CLI prints
    ``title: advice`` on one line and exits 2; the TUI shows the same text as a notification.
    """

    def __init__(self, title: str, advice: str = "") -> None:
        super().__init__(title)
        self.title = title
        self.advice = advice

    def __str__(self) -> str:
        return f"{self.title}: {self.advice}" if self.advice else self.title


class InputError(MarginError):
    """A file, URL or stream could not be turned into an article."""


class DatabaseError(MarginError):
    """The database file cannot be opened, or was made by a newer margin."""


class ValidationError(MarginError):
    """A value for an annotation or article breaks one of the store's rules."""

    def __init__(self, title: str, advice: str = "", field: str | None = None) -> None:
        super().__init__(title, advice)
        self.field = field


class NotFoundError(MarginError):
    """An id or text that names nothing in the database."""
