"""The user's ``config.toml`` in the config folder: for now only who the analyst is.

    [analyst]
    name = "Ana Ruiz"

The name is recorded on every article and annotation this person creates. ``--analyst`` on the
command line wins over the file; without either, the login name is used (``store.db``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from store.errors import MarginError
from tui.paths import config_dir

# Long enough for any person's name, short enough to stay one line in a listing.
MAX_NAME = 80


class ConfigError(MarginError):
    """The config file cannot be read, or a value in it is not usable."""


def config_path() -> Path:
    """The user's config file (read if it exists)."""
    return config_dir() / "config.toml"


def analyst_name(given: str | None, path: Path | None = None) -> str | None:
    """Who the analyst is: ``given`` (from the command line) if any, else the config file's
    ``[analyst] name``, else None (the store then uses the login name)."""
    if given is not None:
        return checked_name(given, "the analyst name given")
    path = config_path() if path is None else path
    if not path.is_file():
        return None
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read as TOML ({error})",
                          'fix the file: [analyst] and a line name = "Your Name"') from None
    section = settings.get("analyst", {})
    name = section.get("name") if isinstance(section, dict) else section
    if name is None:
        return None
    return checked_name(name, f"{path}: [analyst] name")


def checked_name(name: object, what: str) -> str:
    """``name`` trimmed, refused when it is not one line of text a person could read."""
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_NAME or any(
            not character.isprintable() for character in name.strip()):
        raise ConfigError(f"{what} ({name!r}) is not a name",
                          f"give one line of text, up to {MAX_NAME} characters, e.g. \"Ana Ruiz\"")
    return name.strip()
