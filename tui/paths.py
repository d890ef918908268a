"""Where margin keeps its files: the database, the user's keymap, the config folder and the
saved place. Only platformdirs is imported here, so the command line can name them (in
``--help``) without loading the TUI."""

from __future__ import annotations

import os
from pathlib import Path


def config_dir() -> Path:
    """The user config folder, where a ``keybindings.toml`` overrides the default keys."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("margin"))


def user_keymap_path() -> Path:
    """The user's keybindings file (read if it exists)."""
    return config_dir() / "keybindings.toml"


def default_db_path() -> Path:
    """``$MARGIN_DB``, else ``margin.db`` in the user data directory."""
    if os.environ.get("MARGIN_DB"):
        return Path(os.environ["MARGIN_DB"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("margin", appauthor=False)) / "margin.db"


def keymap_in_force(keys_path: Path | None) -> str:
    """Which keybindings file margin reads, for a person: a path, or the defaults and where a
    file of one's own would go."""
    if keys_path is not None:
        return str(keys_path)
    user_file = user_keymap_path()
    if user_file.is_file():
        return str(user_file)
    return f"margin's default keys (yours would be {user_file})"


def file_lines(db_path: Path, keys_path: Path | None) -> list[tuple[str, str]]:
    """The config folder, the keymap in force and the database, as (label, where) pairs."""
    return [("config folder", str(config_dir())), ("keymap", keymap_in_force(keys_path)),
            ("database", str(db_path))]


def place_path() -> Path:
    """The file that remembers where the analyst left off, in the user state folder."""
    from platformdirs import user_state_dir

    return Path(user_state_dir("margin", appauthor=False)) / "place.json"
