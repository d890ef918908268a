"""Where the analyst left off in each database: the article and cursor offset last read, and
Review's sort and filter. Kept in one small JSON file in the user state folder, keyed by the
database file's resolved path, and read once at start. It is a convenience: a file that is
missing, unreadable or malformed means "start afresh", never an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tui.paths import place_path


def _key(db_path: Path) -> str:
    return str(Path(db_path).resolve())


def _read_all(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def load_place(db_path: Path) -> dict[str, Any]:
    """What was remembered for this database, or ``{}``."""
    place = _read_all(place_path()).get(_key(db_path))
    return place if isinstance(place, dict) else {}


def save_place(db_path: Path, place: dict[str, Any]) -> None:
    """Remember ``place`` for this database, keeping the other databases' places.

    Written beside the file and renamed over it, so a crash never leaves half a file; a folder
    that cannot be written is passed over in silence (the next start is simply a fresh one).
    """
    path = place_path()
    everything = _read_all(path)
    everything[_key(db_path)] = place
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial.write_text(json.dumps(everything, ensure_ascii=False, indent=1), encoding="utf-8")
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
