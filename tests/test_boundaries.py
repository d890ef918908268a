"""The direction of dependency: tui → store → SQLite, and never back."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STORE_MODULES = sorted(f"store.{path.stem}" for path in (ROOT / "store").glob("*.py")
                       if path.stem != "__init__")
INTERACTIVE = ("textual", "rich")
# SQL keywords as SQL is written here: in capitals (prose such as "select the sentence" is fine).
SQL = re.compile(r"\b(SELECT|INSERT|UPDATE|DELETE FROM)\s")
EXECUTE = re.compile(r"\.execute(many|script)?\(")


def modules_after_importing(*names: str) -> set[str]:
    """Top-level names in ``sys.modules`` of a fresh interpreter that imported ``names``."""
    script = ("import importlib, json, sys\n"
              f"for name in {list(names)!r}:\n"
              "    importlib.import_module(name)\n"
              "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout))


def test_the_store_package_imports_neither_textual_nor_rich():
    loaded = modules_after_importing("store")
    assert "store" in loaded
    assert not loaded & set(INTERACTIVE)


def test_the_core_store_modules_import_neither_textual_nor_rich():
    loaded = modules_after_importing("store.db", "store.articles", "store.annotations",
                                     "store.sources")
    assert not loaded & set(INTERACTIVE)


@pytest.mark.parametrize("module", STORE_MODULES)
def test_no_store_module_imports_textual_or_rich(module):
    loaded = modules_after_importing(module)
    assert not loaded & set(INTERACTIVE), f"{module} pulls in {sorted(loaded & set(INTERACTIVE))}"


def test_every_store_module_together_imports_neither_textual_nor_rich():
    assert not modules_after_importing(*STORE_MODULES) & set(INTERACTIVE)


def test_no_store_source_file_names_textual_or_rich():
    # Catches an import hidden inside a function, which importing the module would not run.
    pattern = re.compile(r"^\s*(from|import)\s+(textual|rich)\b", re.MULTILINE)
    offenders = [path.name for path in (ROOT / "store").rglob("*.py")
                 if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []


def lines_in_tui(pattern: re.Pattern) -> list[str]:
    found = []
    for path in sorted((ROOT / "tui").rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    return found


def test_the_tui_never_writes_sql():
    assert lines_in_tui(SQL) == []


def test_the_tui_never_runs_statements_on_a_connection():
    assert lines_in_tui(EXECUTE) == []


def test_the_sql_checks_would_notice_sql():
    assert SQL.search('db.execute("SELECT id FROM articles")')
    assert SQL.search('"INSERT INTO history VALUES (?)"')
    assert SQL.search('"UPDATE annotations SET note = ?"')
    assert SQL.search("'DELETE FROM history'")
    assert EXECUTE.search("db.conn.executemany(sql, rows)")
    assert not SQL.search("# select the sentence under the cursor, then update the view")
