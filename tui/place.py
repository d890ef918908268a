"""Where the analyst left off in each database: the article and cursor offset last read, and
Review's sort and filter. Kept in one small JSON file in the user state folder, keyed by the
database file's resolved path. The app saves it while it runs (``MarginApp.remember_place``),
so a crash, a kill or a dropped SSH session loses at most the last moment's cursor moves.
It is a convenience: a file that is missing, unreadable or malformed means "start afresh",
never an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tui.paths import place_path


class _Unreadable(Exception):
    """The place file exists but holds no places (damaged, not JSON, not a file)."""


def _key(db_path: Path) -> str:
    return str(Path(db_path).resolve())


def _read_all(path: Path) -> dict[str, Any]:
    """Every database's place; ``{}`` if there is no file yet, ``_Unreadable`` if it is damaged."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as error:
        raise _Unreadable(error.strerror if isinstance(error, OSError) and error.strerror
                          else str(error)) from None
    try:
        data = json.loads(text)
    except ValueError:
        raise _Unreadable("it is not JSON") from None
    if not isinstance(data, dict):
        raise _Unreadable("it holds no places")
    return data


def load_place(db_path: Path) -> tuple[dict[str, Any], str | None]:
    """What was remembered for this database (or ``{}``), and why nothing could be, if the
    file is damaged: one line for a person, or None."""
    path = place_path()
    try:
        place = _read_all(path).get(_key(db_path))
    except _Unreadable as problem:
        return {}, (f"Where you left off could not be read from {path} ({problem}); "
                    "margin starts afresh and will write it again.")
    return (place if isinstance(place, dict) else {}), None


def save_place(db_path: Path, place: dict[str, Any]) -> None:
    """Remember ``place`` for this database, keeping the other databases' places.

    Written beside the file and renamed over it, so a kill mid-write leaves the old file whole;
    a damaged file is replaced, and a folder that cannot be written is passed over in silence
    (the next start is simply a fresh one).
    """
    path = place_path()
    try:
        everything = _read_all(path)
    except _Unreadable:
        everything = {}
    everything[_key(db_path)] = place
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
