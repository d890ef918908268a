"""The one registry of actions: ids, default keys and descriptions, and the user's overrides.

The defaults live in ``keybindings.toml`` (shipped inside the package as
``tui/keybindings.toml``). Screens take their ``BINDINGS`` from :func:`bindings`; the help
screen and the command palette read :func:`effective_actions`; a user's file is checked by
:func:`load_user_keymap` before any screen opens, and the app applies it with
``App.set_keymap``.
"""

from __future__ import annotations

import difflib
import functools
import importlib.resources
import re
import tomllib
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Mapping

from textual.binding import Binding
from textual.keys import KEY_NAME_REPLACEMENTS, KEY_TO_UNICODE_NAME, Keys, format_key

from store.display import display_safe
from store.errors import MarginError
from tui.paths import user_keymap_path

SCOPES = ("global", "library", "reader", "changes", "form", "review")
"""Where an action works, in the order help lists them. ``global`` works on every screen."""

SCOPE_TITLES = {"global": "Global", "library": "Library", "reader": "Reader",
                "changes": "Changes between revisions", "form": "Form", "review": "Review"}

MODIFIERS = ("ctrl", "shift", "alt", "super", "meta", "hyper")

# Movement keys would crowd the footer; they stay in help and the palette.
_QUIET = frozenset({
    "cursor-left", "cursor-down", "cursor-up", "cursor-right", "word-next", "word-previous",
    "sentence-next", "sentence-previous", "paragraph-next", "paragraph-previous",
    "document-start", "document-end", "page-down", "page-up", "extend-left", "extend-right",
    "extend-up", "extend-down", "find-next", "find-previous", "command-palette",
    "library-first", "library-last", "review-first", "review-last", "changes-down",
    "changes-up", "changes-page-down", "changes-page-up", "changes-top", "changes-bottom",
})


@dataclass(frozen=True)
class Action:
    """One thing a user can do: its id, where it works, its keys and what it does."""

    id: str
    scope: str
    keys: str
    description: str

    @property
    def method(self) -> str:
        """The Textual action name: ``tag-claim`` runs ``action_tag_claim``."""
        return self.id.replace("-", "_")

    @property
    def key_list(self) -> list[str]:
        """The keys one by one, in Textual's long form (``?`` becomes ``question_mark``)."""
        return [normalize_key(key) for key in self.keys.split(",") if key.strip()]


class KeymapError(MarginError):
    """A keybindings file that cannot be used; the message names the file, the line and why.

    The message quotes what the file says, so its controls (a newline, an escape) are shown as
    visible characters: the message stays one line and never acts on the terminal.
    """

    def __init__(self, title: str, advice: str = "") -> None:
        super().__init__(display_safe(title, one_line=True), display_safe(advice, one_line=True))


# --- Key names -----------------------------------------------------------------------------

def _base_key_names() -> frozenset[str]:
    """Key names Textual can report without modifiers (``enter``, ``f5``, ``question_mark``)."""
    names: set[str] = set()
    for key in Keys:
        value = key.value
        if value.startswith("<"):
            continue
        names.add(value.rsplit("+", 1)[-1] if value != "ctrl+@" else "at")
    names.update(KEY_TO_UNICODE_NAME)
    names.update(KEY_NAME_REPLACEMENTS.values())
    names.discard("ctrl-at")
    return frozenset(names)


_BASE_KEYS = _base_key_names()


def _is_base_key(name: str) -> bool:
    if name in _BASE_KEYS:
        return True
    if len(name) == 1:
        return name.isprintable() and not name.isspace() and name != ","
    # Textual names other characters by their Unicode name: "comma", "colon", "tilde".
    if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
        return False
    try:
        character = unicodedata.lookup(name.replace("_", " ").upper())
    except KeyError:
        return False
    return character.isprintable() and not character.isspace()


def check_key(key: str) -> str | None:
    """Why ``key`` is not a key Textual can bind, or None when it is one."""
    key = key.strip()
    if not key:
        return "an empty key (two commas in a row, or a comma at the end?)"
    if key == "+":
        return None
    *modifiers, base = key.split("+")
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            return (f"'{key}' is not a key: '{modifier}+' is not a modifier "
                    f"(use {', '.join(m + '+' for m in MODIFIERS[:4])})")
    if not _is_base_key(base):
        hint = _suggest(base, _BASE_KEYS)
        return f"'{key}' is not a key{hint}"
    return None


def normalize_key(key: str) -> str:
    """One key in Textual's long form: ``?`` becomes ``question_mark``; names are kept."""
    key = key.strip()
    if len(key) != 1:
        return key
    if key.isalnum():
        return key
    try:
        name = unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
    except ValueError:
        return key
    return KEY_NAME_REPLACEMENTS.get(name, name)


def normalize_keys(keys: str) -> str:
    """A comma-separated list of keys in Textual's long form, without spaces."""
    return ",".join(normalize_key(key) for key in keys.split(","))


def display_key(key: str) -> str:
    """How one key is shown to a person: ``?`` for ``question_mark``, ``ctrl+s`` as is."""
    key = normalize_key(key)
    if key == "+":
        return "+"
    *modifiers, base = key.split("+")
    return "+".join([*modifiers, format_key(base)])


def display_keys(keys: str) -> str:
    """Every key of a comma-separated list shown readably, separated by spaces."""
    return " ".join(display_key(key) for key in keys.split(",") if key.strip())


# --- The registry --------------------------------------------------------------------------

def _defaults_file() -> tuple[str, str]:
    """The packaged defaults' text and a name for messages."""
    packaged = importlib.resources.files("tui") / "keybindings.toml"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8"), str(packaged)
    path = Path(__file__).resolve().parents[1] / "keybindings.toml"
    return path.read_text(encoding="utf-8"), str(path)


@functools.cache
def default_actions() -> dict[str, Action]:
    """Every action with its default keys, in the order of the packaged ``keybindings.toml``."""
    text, name = _defaults_file()
    return parse_defaults(text, name)


def parse_defaults(text: str, name: str) -> dict[str, Action]:
    """Read a defaults file (scope tables of ``id = {keys, description}``) and check it."""
    text = _without_bom(text)
    data = _parse_toml(text, name)
    lines = _KeyLines(text)
    actions: dict[str, Action] = {}
    for scope, table in data.items():
        if scope not in SCOPES or not isinstance(table, dict):
            raise KeymapError(f"{name}, line {lines.find(scope)}: unknown table [{scope}]",
                              f"tables are {', '.join(SCOPES)}")
        for action_id, entry in table.items():
            where = f"{name}, line {lines.find(scope, action_id)}"
            if action_id in actions:
                raise KeymapError(f"{where}: action id '{action_id}' appears twice",
                                  "ids are unique across every table")
            keys, description = _read_entry(action_id, entry, where)
            if description is None:
                raise KeymapError(f"{where}: '{action_id}' needs keys and a description",
                                  'write it as { keys = "...", description = "..." }')
            actions[action_id] = Action(action_id, scope, normalize_keys(keys), description)
    blame = {action_id: lines.find(action.scope, action_id)
             for action_id, action in actions.items()}
    _check_conflicts(actions, name, changed=blame)
    return actions


def _read_entry(action_id: str, value: object, where: str) -> tuple[str, str | None]:
    """The keys and description of one line, written ``"keys"`` or ``{ keys, description }``.

    Both files take both forms, so a line copied from the shipped defaults works in a user's
    file (where its description is only a reminder: help keeps the shipped one).
    """
    description = None
    if isinstance(value, dict):
        for field in value:
            if field not in _ENTRY_FIELDS:
                raise KeymapError(f"{where}: '{action_id}' has an unknown field '{field}'"
                                  f"{_suggest(field, _ENTRY_FIELDS)}",
                                  f'write it as {action_id} = {{ keys = "key" }}')
        if "keys" not in value:
            raise KeymapError(f"{where}: '{action_id}' gives no keys",
                              f'write it as {action_id} = {{ keys = "key" }}')
        description = value.get("description")
        if description is not None and not isinstance(description, str):
            raise KeymapError(f"{where}: the description of '{action_id}' must be a string",
                              'write it in quotes, e.g. description = "Find text"')
        value = value["keys"]
    if not isinstance(value, str):
        raise KeymapError(f"{where}: the keys of '{action_id}' must be a string",
                          f'write it as {action_id} = "key" (several keys: "a,ctrl+b")')
    _check_keys(value, where)
    return value, description


_ENTRY_FIELDS = ("keys", "description")


def _is_entry(value: object) -> bool:
    """Whether a TOML table is one action's ``{ keys, description }`` rather than a scope's
    table of actions (no action is named ``keys`` or ``description``)."""
    return isinstance(value, dict) and any(field in value for field in _ENTRY_FIELDS)


def bindings(scope: str) -> list[Binding]:
    """Textual bindings for every action of ``scope``, from the defaults, each with its id.

    A screen declares ``BINDINGS = bindings("reader")``; the user's keys replace the defaults
    at run time through ``App.set_keymap``, matched by id.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown scope {scope!r}; scopes are {', '.join(SCOPES)}")
    return [
        Binding(action.keys, action.method, action.description, id=action.id,
                show=action.id not in _QUIET)
        for action in default_actions().values()
        if action.scope == scope
    ]


def actions_in(scope: str, actions: Mapping[str, Action] | None = None) -> list[Action]:
    """The actions of one scope, in registry order (from ``actions``, else the defaults)."""
    source = default_actions() if actions is None else actions
    return [action for action in source.values() if action.scope == scope]


def effective_actions(overrides: Mapping[str, str] | None = None) -> dict[str, Action]:
    """The defaults with the user's keys applied: what help and the palette show."""
    actions = dict(default_actions())
    for action_id, keys in (overrides or {}).items():
        if action_id in actions:
            actions[action_id] = replace(actions[action_id], keys=normalize_keys(keys))
    return actions


# --- The user's file -----------------------------------------------------------------------

def load_user_keymap(path: Path | None) -> dict[str, str]:
    """The user's overrides as ``{id: keys}``, checked; ``{}`` when there is no file.

    ``path`` None means the file in the user config directory, if it exists. Any problem
    raises :class:`KeymapError` naming the file, the line and what is wrong.
    """
    if path is None:
        path = user_keymap_path()
        if not path.is_file():
            return {}
    path = Path(path)
    name = _display_path(path)
    if not path.exists():
        raise KeymapError(f"{name}: no such keybindings file", "check the path given to --keys")
    if not path.is_file():
        raise KeymapError(f"{name}: not a file", "give --keys the path of a keybindings.toml")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise KeymapError(f"{name}: not UTF-8 text (byte {error.start})",
                          "save the file as UTF-8") from None
    except OSError as error:
        raise KeymapError(f"{name}: cannot be read ({error.strerror})",
                          "check the file's permissions") from None
    return parse_user_keymap(text, name)


def parse_user_keymap(text: str, name: str = "keybindings.toml") -> dict[str, str]:
    """Check the text of a user's keybindings file and return its ``{id: keys}`` overrides."""
    defaults = default_actions()
    text = _without_bom(text)
    data = _parse_toml(text, name)
    lines = _KeyLines(text)
    overrides: dict[str, str] = {}
    blame: dict[str, int] = {}

    def take(action_id: str, value: object, table: str | None) -> None:
        line = lines.find(table, action_id) if table else lines.find(action_id)
        where = f"{name}, line {line}"
        if action_id not in defaults:
            raise KeymapError(f"{where}: unknown action id '{action_id}'"
                              f"{_suggest(action_id, defaults)}",
                              "press ? in margin to see every id")
        scope = defaults[action_id].scope
        if table is not None and table != scope:
            raise KeymapError(f"{where}: '{action_id}' belongs in [{scope}], not [{table}]",
                              f"move it under [{scope}] or to the top of the file")
        keys, _description = _read_entry(action_id, value, where)
        if action_id in overrides:
            raise KeymapError(f"{where}: '{action_id}' is set twice",
                              "keep one of the two lines")
        overrides[action_id] = normalize_keys(keys)
        blame[action_id] = line

    for key, value in data.items():
        if isinstance(value, dict) and key in SCOPES and not _is_entry(value):
            for action_id, keys in value.items():
                take(action_id, keys, key)
        elif isinstance(value, dict) and key not in defaults:
            raise KeymapError(f"{name}, line {lines.find(key)}: unknown table "
                              f"[{key}]{_suggest(key, SCOPES)}",
                              f"tables are {', '.join(SCOPES)}, and are optional")
        else:
            take(key, value, None)

    effective = effective_actions(overrides)
    _check_conflicts(effective, name, changed=blame)
    return overrides


def _without_bom(text: str) -> str:
    """The text without the byte order mark some editors put first (TOML forbids it there)."""
    return text[1:] if text.startswith("\ufeff") else text


def _parse_toml(text: str, name: str) -> dict:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # tomllib's message ends with "(at line N, column M)"; lead with the line instead.
        message = str(error)
        found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
        if found:
            reason = message[: found.start()].strip()
            where = f"{name}, line {found.group(1)}, column {found.group(2)}"
        elif message.endswith("(at end of document)"):
            reason = message[: -len("(at end of document)")].strip()
            where = f"{name}, line {max(1, len(text.splitlines()))}"
        else:
            reason, where = message, name
        raise KeymapError(f"{where}: not valid TOML ({reason})",
                          'each line is id = "keys", for example tag-quote = "Q"') from None


def _check_keys(keys: str, where: str) -> None:
    parts = keys.split(",")
    if not keys.strip():
        raise KeymapError(f"{where}: no keys given", 'give at least one key, e.g. "x"')
    for part in parts:
        problem = check_key(part)
        if problem:
            raise KeymapError(f"{where}: {problem}",
                              "use Textual key names such as a, G, ctrl+s, f5, enter, "
                              "question_mark, slash")


def _check_conflicts(actions: Mapping[str, Action], name: str,
                     changed: Mapping[str, int]) -> None:
    """Refuse two actions on one key where both work: the same screen, or global and a screen.

    ``changed`` gives the line of each action the file sets; of two clashing actions, the one on
    the later line is blamed, and an unchanged default is never blamed.
    """
    owners: dict[tuple[str, str], Action] = {}
    ordered = sorted(actions.values(), key=lambda a: (
        a.id in changed, changed.get(a.id, 0), SCOPES.index(a.scope)))
    for action in ordered:
        scopes = SCOPES if action.scope == "global" else (action.scope, "global")
        for key in action.key_list:
            for scope in scopes:
                other = owners.get((scope, key))
                if other is not None and other.id != action.id:
                    where = f"{name}, line {changed.get(action.id, 1)}"
                    place = ("everywhere" if "global" in (action.scope, other.scope)
                             else f"in the {action.scope}")
                    raise KeymapError(
                        f"{where}: key '{display_key(key)}' of '{action.id}' is already used "
                        f"by '{other.id}' {place}",
                        f"give '{action.id}' or '{other.id}' another key")
            owners[(action.scope, key)] = action


# A TOML key: bare, "basic" or 'literal', joined by dots into a dotted key.
_KEY_PART = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
_DOTTED_KEY = rf"{_KEY_PART}(?:\s*\.\s*{_KEY_PART})*"
_HEADER = re.compile(rf"^\s*\[\[?\s*({_DOTTED_KEY})\s*\]\]?")
_ASSIGNMENT = re.compile(rf"^\s*({_DOTTED_KEY})\s*=")


class _KeyLines:
    """Where each key of a TOML text is set, by its full path (table headers included).

    tomllib gives values without lines; this reads table headers and ``key =`` lines (dotted
    keys too) so a message can point at the line a person wrote.
    """

    def __init__(self, text: str) -> None:
        self.lines: dict[tuple[str, ...], int] = {}
        table: tuple[str, ...] = ()
        for number, line in enumerate(text.splitlines(), start=1):
            header = _HEADER.match(line)
            if header:
                table = _key_path(header.group(1))
                self.lines.setdefault(table, number)
                continue
            assignment = _ASSIGNMENT.match(line)
            if assignment:
                self.lines.setdefault(table + _key_path(assignment.group(1)), number)

    def find(self, *path: str) -> int:
        """The line that sets ``path``, or the line of its nearest enclosing key; else 1."""
        for length in range(len(path), 0, -1):
            if path[:length] in self.lines:
                return self.lines[path[:length]]
        return 1


def _key_path(dotted: str) -> tuple[str, ...]:
    """``reader."find"`` as ``("reader", "find")``."""
    parts = re.findall(_KEY_PART, dotted)
    return tuple(_unquote(part) for part in parts)


def _unquote(part: str) -> str:
    if part.startswith("'"):
        return part[1:-1]
    if part.startswith('"'):
        # A basic string's escapes, read the way TOML reads them.
        return tomllib.loads(f"k = {part}")["k"]
    return part


def _suggest(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _display_path(path: Path) -> str:
    """The path as a person would type it, with the home directory as ``~``."""
    try:
        return "~/" + path.expanduser().resolve().relative_to(Path.home().resolve()).as_posix()
    except ValueError:
        return str(path)
