"""The registry of actions and the user's keybindings file: every mistake named with its line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tui import keymap
from tui.keymap import (SCOPES, Action, KeymapError, bindings, check_key, default_actions,
                        display_keys, effective_actions, load_user_keymap, parse_user_keymap)

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "keybindings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refused(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(KeymapError) as caught:
        load_user_keymap(path)
    return str(caught.value)


# --- The packaged defaults -----------------------------------------------------------------

def test_every_action_of_the_packaged_file_is_in_the_registry_in_order():
    data = tomllib.loads((ROOT / "keybindings.toml").read_text(encoding="utf-8"))
    expected = [(scope, action_id) for scope, table in data.items() for action_id in table]
    assert [(a.scope, a.id) for a in default_actions().values()] == expected
    assert set(data) == set(SCOPES)


def test_an_action_names_the_textual_method_that_runs_it():
    action = default_actions()["tag-claim"]
    assert action == Action("tag-claim", "reader", "c", "Tag the selection as a claim")
    assert action.method == "tag_claim"


def test_a_screen_gets_one_binding_per_action_of_its_scope_with_the_action_id():
    library = bindings("library")
    assert [(b.id, b.key, b.action) for b in library] == [
        ("read-article", "enter", "read_article"),
        ("import-article", "o", "import_article"),
        ("filter-library", "slash", "filter_library"),
        ("delete-article", "d", "delete_article"),
        ("archive-article", "a", "archive_article"),
        ("library-restore", "u", "library_restore"),
        ("show-trash", "T", "show_trash"),
        ("show-archive", "A", "show_archive"),
        ("library-first", "g,home", "library_first"),
        ("library-last", "G,end", "library_last"),
    ]
    assert [b.description for b in library] == [a.description for a in default_actions().values()
                                                if a.scope == "library"]
    assert {b.id for b in bindings("global")} == {"help", "command-palette", "library", "review",
                                                  "quit", "edit-article", "sync"}


def test_bindings_of_an_unknown_scope_is_a_programming_error():
    with pytest.raises(ValueError):
        bindings("settings")


def test_keys_are_shown_as_a_person_types_them():
    assert display_keys("question_mark") == "?"
    assert display_keys("right_curly_bracket,G") == "} G"
    assert display_keys("ctrl+s,slash") == "ctrl+s /"
    assert display_keys("quotation_mark") == '"'


@pytest.mark.parametrize("key", ["a", "G", "?", "question_mark", "slash", "ctrl+s", "shift+left",
                                 "alt+x", "super+k", "f5", "enter", "escape", "pagedown",
                                 "comma", "tilde", "ctrl+shift+up", "+", "plus", "space"])
def test_textual_key_names_are_keys(key):
    assert check_key(key) is None


@pytest.mark.parametrize("key", ["ctl+s", "enterr", "ctrl+", "", "question mark", "hyper-x"])
def test_other_words_are_not_keys(key):
    assert check_key(key) is not None


# --- The user's file -----------------------------------------------------------------------

def test_no_file_in_the_config_directory_means_no_overrides(tmp_path, monkeypatch):
    monkeypatch.setattr(keymap, "user_keymap_path", lambda: tmp_path / "absent.toml")
    assert load_user_keymap(None) == {}


def test_the_file_in_the_config_directory_is_read_when_no_path_is_given(tmp_path, monkeypatch):
    path = write(tmp_path, 'tag-quote = "Q"\n')
    monkeypatch.setattr(keymap, "user_keymap_path", lambda: path)
    assert load_user_keymap(None) == {"tag-quote": "Q"}


def test_ids_at_the_top_or_inside_their_screens_table_override_keys(tmp_path):
    path = write(tmp_path, '# mine\ntag-quote = "Q"\n\n[reader]\nselect-sentence = "S, ctrl+s"\n'
                           'find = "?"\n[global]\nhelp = "f1"\n')
    overrides = load_user_keymap(path)
    assert overrides == {"tag-quote": "Q", "select-sentence": "S,ctrl+s",
                         "find": "question_mark", "help": "f1"}
    actions = effective_actions(overrides)
    assert actions["select-sentence"].keys == "S,ctrl+s"
    assert actions["tag-claim"].keys == "c"


def test_the_example_in_the_header_of_the_defaults_is_valid():
    assert parse_user_keymap('tag-quote = "Q"\n[reader]\nselect-sentence = "S,ctrl+s"\n') == {
        "tag-quote": "Q", "select-sentence": "S,ctrl+s"}


def test_an_unknown_id_is_named_with_its_line_and_the_nearest_id(tmp_path):
    message = refused(tmp_path, '# my keys\n\ntag-clam = "x"\n')
    assert message.startswith(f"{tmp_path / 'keybindings.toml'}, line 3: "
                              "unknown action id 'tag-clam' (did you mean 'tag-claim'?)")


def test_a_file_under_the_home_directory_is_named_with_a_tilde(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    config = tmp_path / ".config" / "margin"
    config.mkdir(parents=True)
    (config / "keybindings.toml").write_text('tag-clam = "x"\n')
    with pytest.raises(KeymapError, match=r"^~/\.config/margin/keybindings\.toml, line 1: "):
        load_user_keymap(config / "keybindings.toml")


def test_a_toml_syntax_error_names_its_line_and_column(tmp_path):
    message = refused(tmp_path, 'tag-quote = "Q"\nhelp = f1\n')
    assert ", line 2, column 8: not valid TOML" in message


def test_an_unfinished_file_names_its_last_line(tmp_path):
    assert ", line 2: not valid TOML" in refused(tmp_path, 'tag-quote = "Q"\nhelp = [\n')


def test_keys_that_are_not_a_string_are_refused(tmp_path):
    message = refused(tmp_path, '[reader]\nfind = 3\n')
    assert "line 2: the keys of 'find' must be a string" in message


def test_a_key_that_is_not_a_key_is_refused(tmp_path):
    assert "line 1: 'ctl+s' is not a key: 'ctl+' is not a modifier" in refused(
        tmp_path, 'save = "ctl+s"\n')
    assert "line 2: 'enterr' is not a key (did you mean 'enter'?)" in refused(
        tmp_path, '[form]\nsave = "ctrl+s,enterr"\n')


def test_empty_keys_are_refused(tmp_path):
    assert "line 1: no keys given" in refused(tmp_path, 'save = ""\n')


def test_two_actions_of_one_screen_on_one_key_are_refused(tmp_path):
    message = refused(tmp_path, 'tag-claim = "x"\ntag-quote = "c"\nfind = "c"\n')
    assert "line 3: key 'c' of 'find' is already used by 'tag-quote' in the reader" in message
    message = refused(tmp_path, 'tag-quote = "c"\n')
    assert "line 1: key 'c' of 'tag-quote' is already used by 'tag-claim' in the reader" in message


def test_a_global_key_conflicts_with_every_screen(tmp_path):
    message = refused(tmp_path, '\nhelp = "c"\n')
    assert "line 2: key 'c' of 'help' is already used by 'tag-claim' everywhere" in message
    message = refused(tmp_path, 'import-article = "r"\n')
    assert "key 'r' of 'import-article' is already used by 'review' everywhere" in message


def test_the_same_key_on_different_screens_is_allowed(tmp_path):
    assert load_user_keymap(write(tmp_path, 'import-article = "c"\n')) == {"import-article": "c"}


def test_moving_a_key_away_frees_it_for_another_action(tmp_path):
    path = write(tmp_path, 'tag-claim = "C"\ntag-quote = "c"\n')
    assert load_user_keymap(path) == {"tag-claim": "C", "tag-quote": "c"}


def test_an_id_in_the_wrong_table_is_refused(tmp_path):
    message = refused(tmp_path, '[library]\ntag-quote = "Q"\n')
    assert "line 2: 'tag-quote' belongs in [reader], not [library]" in message


def test_an_unknown_table_is_refused(tmp_path):
    message = refused(tmp_path, 'tag-quote = "Q"\n[readr]\nfind = "f"\n')
    assert "line 2: unknown table [readr] (did you mean 'reader'?)" in message


def test_an_id_set_both_at_the_top_and_in_its_table_is_refused(tmp_path):
    message = refused(tmp_path, 'find = "f"\n[reader]\nfind = "F"\n')
    assert "'find' is set twice" in message


def test_a_missing_file_given_on_the_command_line_is_refused(tmp_path):
    with pytest.raises(KeymapError, match="no such keybindings file"):
        load_user_keymap(tmp_path / "nope.toml")


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "keybindings.toml"
    path.write_bytes(b'tag-quote = "\xff"\n')
    with pytest.raises(KeymapError, match="not UTF-8"):
        load_user_keymap(path)


# --- One parser for both files (issue 8) ---------------------------------------------------

def test_a_line_copied_from_the_shipped_file_works_in_a_users_file(tmp_path):
    shipped = (ROOT / "keybindings.toml").read_text(encoding="utf-8")
    line = next(line for line in shipped.splitlines() if line.startswith("tag-quote = {"))
    copied = line.replace('keys = "q"', 'keys = "Q"')
    assert load_user_keymap(write(tmp_path, copied + "\n")) == {"tag-quote": "Q"}
    assert load_user_keymap(write(tmp_path, 'tag-quote = { keys = "Q" }\n')) == {
        "tag-quote": "Q"}
    assert load_user_keymap(write(tmp_path, '[reader]\nfind = { keys = "F" }\n')) == {
        "find": "F"}


def test_an_action_named_like_a_table_takes_the_table_form_too(tmp_path):
    # "library" is both an action (global) and a table: { keys = ... } is the action.
    assert load_user_keymap(write(tmp_path, 'library = { keys = "ctrl+l" }\n')) == {
        "library": "ctrl+l"}


def test_a_table_entry_with_a_misspelt_field_is_refused_with_its_line(tmp_path):
    message = refused(tmp_path, '\n[reader]\nfind = { key = "F" }\n')
    assert "line 3: 'find' has an unknown field 'key' (did you mean 'keys'?)" in message


def test_the_keys_of_a_table_entry_must_be_a_string(tmp_path):
    message = refused(tmp_path, '[reader]\n\nfind = { keys = 3 }\n')
    assert "line 3: the keys of 'find' must be a string" in message


@pytest.mark.parametrize("text, line", [
    ('help = "f1"\n\n[reader]\n# find is next\n\nfind = 3\n', 6),
    ('[form]\nsave = "ctrl+s"\n\n[reader]\nsave = "x"\n', 5),
    ('help = "f1"\n\nreader.find = 3\n', 3),
    ('[global]\nhelp = "f1"\n\n[reader]\n"find" = { keys = 3 }\n', 5),
    ('help = "f1"\n[reader]\ntag-claim = "x"\n\n\ntag-quote = "x"\n', 6),
    ('help = "f1"\n\nreadr = { find = "f" }\n', 3),
    ('help = "f1"\n\n[reader.find]\nkeys = 4\n', 3),
])
def test_a_mistake_inside_a_table_is_reported_on_its_own_line(tmp_path, text, line):
    assert f", line {line}: " in refused(tmp_path, text)


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "keybindings.toml"
    path.write_bytes('\ufefftag-quote = "Q"\n[reader]\nfind = "F"\n'.encode("utf-8"))
    assert load_user_keymap(path) == {"tag-quote": "Q", "find": "F"}


@pytest.mark.parametrize("command", [[], ["open", "-"]])
def test_a_bad_keymap_leaves_no_database_file_behind(tmp_path, command):
    keys = write(tmp_path, 'tag-quote = "ctrl+nokey"\n')
    database = tmp_path / "new.db"
    result = subprocess.run([sys.executable, "-m", "tui.cli", "--db", str(database),
                             "--keys", str(keys), *command],
                            input=b"Some article text.\n", capture_output=True, timeout=60,
                            env={**os.environ, "MARGIN_DB": ""})
    assert result.returncode == 2
    assert result.stderr.decode().count("\n") == 1 and "line 1" in result.stderr.decode()
    assert not database.exists()
    assert list(tmp_path.iterdir()) == [keys]


# Any Unicode for ids, tables and keys, written as TOML the way a person could write it.
_words = st.text(min_size=1, max_size=12)
_ids = st.one_of(_words, st.sampled_from(sorted(default_actions())))
_tables = st.one_of(st.none(), _words, st.sampled_from(SCOPES))
_values = st.one_of(
    st.text(max_size=12).map(json.dumps),
    st.sampled_from(['"x"', '"ctrl+s"', '"c"', '"?,slash"', "3", "[]", "true"]),
    st.builds(lambda keys, description: f"{{ keys = {keys}, description = {description} }}",
              st.text(max_size=8).map(json.dumps), st.text(max_size=8).map(json.dumps)),
    st.builds(lambda field, keys: f"{{ {field} = {keys} }}", _words.map(json.dumps),
              st.text(max_size=8).map(json.dumps)),
)
_lines = st.tuples(_tables, _ids, _values).map(
    lambda line: (f"[{json.dumps(line[0])}]\n" if line[0] is not None else "")
    + f"{json.dumps(line[1])} = {line[2]}")


@settings(max_examples=300, deadline=None)
@given(st.lists(_lines, max_size=5).map("\n".join))
@example('"\\n" = { find = "f" }')  # once found: a table name with a newline split the message
@example('find = "\\u001b]0;x\\u0007"')
def test_any_keymap_text_gives_keys_or_one_keymap_error(text):
    try:
        overrides = parse_user_keymap(text)
    except KeymapError as error:
        assert "\n" not in error.title
    else:
        assert set(overrides) <= set(default_actions())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_any_text_at_all_gives_keys_or_one_keymap_error(text):
    try:
        parse_user_keymap(text)
    except KeymapError:
        pass
