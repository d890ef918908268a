"""How much margin reads from a file, a page or a stream, and the errors for too much or nothing."""

from __future__ import annotations

import math

from store.errors import InputError

MAX_BYTES = 20 * 1024 * 1024
"""Largest file, page or stream margin will read (20 MB)."""

READ_LIMIT = MAX_BYTES + 1
"""How many bytes to read at most: one past the limit, so that ``check_size`` sees an input over it."""


def check_size(data: bytes, name: str) -> None:
    """Refuse input that is empty or over MAX_BYTES."""
    if len(data) > MAX_BYTES:
        raise too_large(name)
    if not data:
        raise InputError(f"{name} is empty", "Import a file or page that holds the article's text.")


def check_declared_size(size: int, name: str) -> None:
    """Refuse input whose size is known before reading it (a file's, a Content-Length) when over MAX_BYTES."""
    if size > MAX_BYTES:
        raise too_large(name, size)


def too_large(name: str, size: int | None = None) -> InputError:
    """The error for input over MAX_BYTES; ``size`` when it is known (a file, Content-Length)."""
    limit = f"{MAX_BYTES // 2**20} MB"
    shown = f"{math.ceil(size / 2**20 * 10) / 10:.1f} MB, " if size else ""
    title = f"{name} is {shown}over the {limit} limit"
    return InputError(title, "Import the article alone: save just its text, or split the file.")
