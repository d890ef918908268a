"""What the reliability tests and ``bench/faults.py`` share: a database to write to, the child
writers, and the checks that a database holds everything it acknowledged."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

WRITER = Path(__file__).with_name("writer.py")
CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"


def make_database(path: Path) -> str:
    """A margin database at ``path`` holding the real Kursk article; returns the article's id."""
    from store.articles import add_article
    from store.db import open_db
    from store.ingest import read_source

    db = open_db(path)
    try:
        article, _ = add_article(db, read_source(str(KURSK)))
    finally:
        db.conn.close()
    return article["id"]


def writer(mode: str, path: Path, article_id: str, *more: object) -> subprocess.Popen:
    """Start ``writer.py`` in its own process, its output piped back."""
    return subprocess.Popen([sys.executable, str(WRITER), mode, str(path), article_id,
                             *map(str, more)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


# --- Killing a writer mid-commit ----------------------------------------------------------

@dataclass
class KillReport:
    kills: int = 0
    acknowledged: int = 0
    lost: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def kill_writers(path: Path, article_id: str, kills: int, seed: int | None = None) -> KillReport:
    """Start a writer, SIGKILL it at a random moment after its first acknowledged id, ``kills``
    times; then check that every id it printed is stored and the database is sound."""
    rng = random.Random(seed)
    report = KillReport()
    acknowledged: list[str] = []
    for _ in range(kills):
        child = writer("acknowledge", path, article_id)
        first = child.stdout.readline().strip()
        if not first:
            raise AssertionError(f"the writer stopped before writing: {child.stderr.read()}")
        acknowledged.append(first)
        # A random moment within the next few commits: a commit takes about a millisecond.
        time.sleep(rng.uniform(0, 0.05))
        child.send_signal(signal.SIGKILL)
        out, _ = child.communicate()
        # Only complete lines: the kill may land in the middle of printing one.
        lines = out.split("\n")
        acknowledged += [line for line in lines[:-1] if line]
        report.kills += 1
    report.acknowledged = len(acknowledged)
    report.lost, report.problems = check_database(path, acknowledged)
    return report


def check_database(path: Path, expected_ids: list[str]) -> tuple[list[str], list[str]]:
    """The ids of ``expected_ids`` missing from the database, and anything unsound in it:
    SQLite's integrity check, and the full-text index against the live rows."""
    conn = sqlite3.connect(path)
    try:
        stored = {row[0] for row in conn.execute("SELECT id FROM annotations")}
        lost = [annotation_id for annotation_id in expected_ids if annotation_id not in stored]
        problems = []
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity}")
        try:
            conn.execute("INSERT INTO annotations_fts(annotations_fts) VALUES ('integrity-check')")
        except sqlite3.DatabaseError as error:
            problems.append(f"full-text index: {error}")
        differing = conn.execute("""
            SELECT count(*) FROM annotations a
            LEFT JOIN annotations_fts f ON f.rowid = a.rowid
            WHERE f.rowid IS NULL OR f.exact IS NOT a.exact OR f.note IS NOT coalesce(a.note, '')
        """).fetchone()[0]
        indexed = conn.execute("SELECT count(*) FROM annotations_fts").fetchone()[0]
        rows = conn.execute("SELECT count(*) FROM annotations").fetchone()[0]
        if differing or indexed != rows:
            problems.append(f"full-text index: {indexed} rows for {rows} annotations, "
                            f"{differing} differ")
        return lost, problems
    finally:
        conn.close()


# --- Two writers at once ------------------------------------------------------------------

def run_mixed_writers(path: Path, article_id: str, count: int, processes: int = 2) -> list[dict]:
    """``processes`` writers of ``count`` adds each (an edit every third, a delete every
    fifth) at once; returns what each printed."""
    children = [writer("mixed", path, article_id, count, seed) for seed in range(processes)]
    results = []
    for child in children:
        out, err = child.communicate(timeout=600)
        if child.returncode != 0:
            raise AssertionError(f"a writer crashed:\n{err}")
        results.append(json.loads(out))
    return results


def history_gaps(path: Path, added: list[str], edited: list[str], deleted: list[str]) -> list[str]:
    """Each acknowledged create, edit and delete with no history row of its own."""
    conn = sqlite3.connect(path)
    try:
        counts: dict[tuple[str, str], int] = {}
        for annotation_id, action in conn.execute("SELECT annotation_id, action FROM history"):
            counts[annotation_id, action] = counts.get((annotation_id, action), 0) + 1
    finally:
        conn.close()
    gaps = []
    for action, ids in (("create", added), ("edit", edited), ("delete", deleted)):
        for annotation_id in ids:
            if counts.get((annotation_id, action), 0) < 1:
                gaps.append(f"{action} {annotation_id}")
    return gaps
