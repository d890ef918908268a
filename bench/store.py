"""How fast the store is, against baselines measured in the same run.

    python bench/store.py [--articles 1000] [--annotations 100000] [--runs 10] [--breakdown]

Machines are noisy, so every figure is printed next to a baseline timed a moment earlier on
the same machine, and the targets are ratios where a ratio makes sense:

(a) bulk import of annotations through the store vs raw ``sqlite3`` executemany of the same
    rows into a plain table (target: at most 3x);
(b) one ``add_annotation`` with its commit, p95 (target: 5 ms);
(c) a full-text search ``list_annotations(search=word, limit=50)``, p95 (target: 20 ms);
(d) ``margin --db FILE articles`` wall time vs ``python -c "import sqlite_utils, click"``,
    medians (target: at most 2x).
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store.annotations import (  # noqa: E402
    COLUMNS,
    _checked,
    add_annotation,
    count_annotations,
    list_annotations,
)
from store.articles import add_article  # noqa: E402
from store import bulk  # noqa: E402
from store.bulk import add_annotations_bulk, new_ids  # noqa: E402
from store.db import open_db  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "ukrainska-pravda-2025-09-07-kursk.txt"
SOURCES = ["Vadym Skibitskyi", "DIU", "Ukrinform", "Kyrylo Budanov", "Volodymyr Zelensky",
           "Ministry of Defence of Ukraine", "General Staff", "Andrii Yusov", "Rustem Umerov",
           "Oleksandr Syrskyi"] + [f"Analyst {n}" for n in range(30)]
NOTES = ["check against satellite imagery", "second source needed", "matches earlier DIU figures",
         "numbers look rounded", "compare with Korea Herald reporting", "recruitment pattern"]
TAGS = ["dprk", "labour", "kursk", "recruitment", "industry", "front"]
# Words an analyst would look for in this article: common, rare, names, and a typed prefix.
SEARCH_WORDS = ["Kursk", "troops", "Skibitskyi", "recruitment", "workers", "Pyongyang",
                "defence", "Yelabuga", "fortifications", "missiles", "North Korean", "Russia",
                "contracts", "satellite", "Skib"]

TARGET_IMPORT_RATIO = 3.0
TARGET_ADD_P95_MS = 5.0
TARGET_SEARCH_P95_MS = 20.0
TARGET_CLI_RATIO = 2.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=10, help="runs of each command in (d)")
    parser.add_argument("--breakdown", action="store_true",
                        help="also time the steps of (a) one by one (about a minute more)")
    options = parser.parse_args()
    began = time.perf_counter()
    print(f"margin store benchmark: {options.articles:,} articles, "
          f"{options.annotations:,} annotations (Python {sys.version.split()[0]}, "
          f"SQLite {sqlite3.sqlite_version}; load average {load()})")
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as folder:
        results = run(Path(folder), options)
    print()
    for line in results:
        print(line)
    print(f"\n({time.perf_counter() - began:.0f} s in all; load average {load()})")


def run(folder: Path, options: argparse.Namespace) -> list[str]:
    text = CORPUS.read_text(encoding="utf-8").split("\n", 1)[1]
    template = folder / "template.db"
    started = time.perf_counter()
    article_ids = make_articles(template, text, options.articles)
    rows = make_rows(text, article_ids, options.annotations)
    print(f"setup: {len(article_ids):,} articles and {len(rows):,} rows in "
          f"{time.perf_counter() - started:.1f} s")
    results = []
    results += bench_import(folder, template, text, rows, options.breakdown)
    db = open_db(folder / "with-history.db")
    try:
        results += bench_add(db, text, article_ids)
        results += bench_search(db)
    finally:
        db.close()
    results += bench_cli(folder / "with-history.db", folder, options.runs)
    return results


# --- data ---------------------------------------------------------------------------------


def make_articles(path: Path, text: str, count: int) -> list[str]:
    """``count`` copies of the real article, each made distinct by a closing line."""
    db = open_db(path)
    ids = []
    for n in range(count):
        draft = SimpleNamespace(
            text=f"{text}\nBenchmark copy {n}.\n", title=f"North Korean troops in Kursk ({n})",
            authors=["Olga Katsimon"], outlet="Ukrainska Pravda", url=None,
            published="2025-09-07T17:21:00+03:00", section=None, language="en",
            source=str(CORPUS), format="txt")
        ids.append(add_article(db, draft)[0]["id"])
    db.close()
    return ids


def make_rows(text: str, article_ids: list[str], count: int) -> list[dict]:
    """Annotations like an analyst's: whole words, a few to a sentence long, mostly sourced."""
    pick = random.Random(20250907)
    words = [match.span() for match in re.finditer(r"\S+", text)]
    rows = []
    for n in range(count):
        first = pick.randrange(len(words))
        last = min(len(words) - 1, first + pick.randint(0, 24))
        rows.append({
            "article_id": article_ids[n % len(article_ids)],
            "kind": pick.choice(("claim", "quote")),
            "start": words[first][0], "end": words[last][1],
            "source": pick.choice(SOURCES) if pick.random() < 0.7 else None,
            "confidence": pick.randint(0, 100) if pick.random() < 0.8 else None,
            "grade": (f"{pick.choice('ABCDEF')}{pick.randint(1, 6)}"
                      if pick.random() < 0.5 else None),
            "note": pick.choice(NOTES) if pick.random() < 0.2 else None,
            "tags": pick.sample(TAGS, pick.randint(0, 2)),
        })
    return rows


# --- (a) bulk import ----------------------------------------------------------------------


def bench_import(folder: Path, template: Path, text: str, rows: list[dict],
                 breakdown: bool) -> list[str]:
    finished = finish(rows, text)
    raw_runs = [raw_import(folder / f"raw-{n}.db", finished) for n in range(2)]
    with Clock() as checking:
        for row in rows:
            _checked(row, text)
    # Two store runs and three baseline runs, interleaved; the fastest of each counts: the
    # least disturbed by other work on the machine (the fastest baseline is the strictest).
    store_runs = [store_import(folder, template, "with-history.db", rows, True)]
    raw_runs.append(raw_import(folder / "raw-2.db", finished))
    store_runs.append(store_import(folder, template, "with-history.db", rows, True))
    without_history = store_import(folder, template, "without-history.db", rows, False)
    raw = min(raw_runs, key=lambda clock: clock.wall)
    store = min(store_runs, key=lambda clock: clock.wall)
    wall, cpu = store.wall / raw.wall, store.cpu / raw.cpu
    lines = [
        f"(a) bulk import, {len(rows):,} annotations through the store (checked, history kept) "
        f"vs raw executemany of the same rows into a plain table:",
        f"    wall time: {store.wall:.2f} s vs {raw.wall:.2f} s = {wall:.1f}x "
        f"(target <= {TARGET_IMPORT_RATIO:g}x) {verdict(wall <= TARGET_IMPORT_RATIO)}",
        f"    CPU time of this process: {store.cpu:.2f} s vs {raw.cpu:.2f} s = {cpu:.1f}x "
        f"(target <= {TARGET_IMPORT_RATIO:g}x) {verdict(cpu <= TARGET_IMPORT_RATIO)} "
        f"(less disturbed by other work on the machine)",
        f"    without history rows: store {without_history.wall:.2f} s "
        f"= {without_history.wall / raw.wall:.1f}x, CPU {without_history.cpu / raw.cpu:.1f}x "
        f"(for comparison; the design records every create)",
        f"    checking every row alone (store.annotations._checked): {checking.wall:.2f} s "
        f"= {checking.wall / raw.wall:.1f}x, CPU {checking.cpu / raw.cpu:.1f}x",
    ]
    if breakdown:
        lines += bench_breakdown(folder, template, finished, raw, checking)
    return lines


def finish(rows: list[dict], text: str) -> list[tuple]:
    """The rows as the store ends up holding them, for baselines that do none of its work.

    The ids are random UUIDs like the store's, so a primary key gets them in the same order.
    """
    source_ids = {name: n for n, name in enumerate(SOURCES, 1)}
    stamp = "2025-09-07T17:21:00.000000+00:00"
    finished = []
    for row in rows:
        values = {"id": str(uuid.uuid4()), "article_id": row["article_id"],
                  **_checked(row, text), "source_id": source_ids.get(row["source"]),
                  "created_at": stamp, "updated_at": stamp, "deleted_at": None}
        finished.append(tuple(values[c] for c in COLUMNS))
    return finished


def bench_breakdown(folder: Path, template: Path, finished: list[tuple], raw: Clock,
                    checking: Clock) -> list[str]:
    """Where the store's time goes: its steps timed one by one on margin's schema, and the
    row-by-row ways it avoids, each timed in place of the step it replaces."""
    with Clock() as ids:
        new_ids(len(finished))
    steps = store_steps(folder / "steps.db", template, finished)
    avoided = [
        ("the four indexes kept up row by row",
         insert_only(folder / "indexes.db", template, finished, indexes=True)),
        ("the full-text trigger, one INSERT a row (executemany)",
         insert_only(folder / "trigger-1.db", template, finished, trigger=True)),
        ("the full-text trigger, 500 rows an INSERT",
         insert_only(folder / "trigger-500.db", template, finished, trigger=True,
                     per_statement=500)),
        ("indexes and trigger as in the schema (hand-written SQL)",
         insert_only(folder / "schema.db", template, finished, indexes=True, trigger=True)),
    ]

    def cost(clock: Clock) -> str:
        return f"CPU {clock.cpu:5.2f} s = {clock.cpu / raw.cpu:3.1f}x  (wall {clock.wall:5.2f} s)"

    lines = ["    where the time goes, step by step on margin's schema "
             "(x = times the baseline's CPU time):",
             f"      {'checking every row (store.annotations._checked)':<58} {cost(checking)}",
             f"      {'new ids (store.bulk.new_ids)':<58} {cost(ids)}"]
    lines += [f"      {label:<58} {cost(clock)}" for label, clock in steps]
    lines.append("    what each step would cost row by row instead (the rows step, with):")
    lines += [f"      {label:<58} {cost(clock)}" for label, clock in avoided]
    return lines


def margin_copy(path: Path, template: Path):
    """A copy of the template opened as the store opens it, with the benchmark's sources."""
    shutil.copy(template, path)
    db = open_db(path)
    with db.atomic():
        db.conn.executemany("INSERT OR IGNORE INTO sources (id, name) VALUES (?, ?)",
                            [(n, name) for n, name in enumerate(SOURCES, 1)])
    return db


def store_steps(path: Path, template: Path, finished: list[tuple]) -> list[tuple[str, Clock]]:
    """The SQL of ``add_annotations_bulk``, step by step, with the store's own statements."""
    db = margin_copy(path, template)
    with bulk._roomy_page_cache(db, len(finished)):
        db.execute("BEGIN")
        trigger = bulk._drop_trigger(db, bulk.FTS_TRIGGER)
        rebuild = bulk._drop_indexes(db, "annotations") + bulk._drop_indexes(db, "history")
        with Clock() as rows:
            db.conn.executemany(bulk._INSERT_ANNOTATIONS, finished)
        with Clock() as fts:
            db.execute(bulk._FILL_FTS, [0])
        with Clock() as history:
            db.execute(bulk._INSERT_HISTORY, [0])
        with Clock() as indexes:
            for sql in [trigger, *rebuild]:
                db.execute(sql)
        with Clock() as commit:
            db.execute("COMMIT")
    db.close()
    return [("rows into the table (primary key, CHECKs, foreign keys)", rows),
            ("full-text index, one INSERT ... SELECT", fts),
            ("history, one INSERT ... SELECT of json_object", history),
            ("rebuilding the five indexes, making the trigger again", indexes),
            ("COMMIT", commit)]


def insert_only(path: Path, template: Path, finished: list[tuple], *, indexes: bool = False,
                trigger: bool = False, per_statement: int = 1) -> Clock:
    """The rows into margin's table, with its indexes and/or full-text trigger left in place,
    under the store's page cache so that only the way of writing differs."""
    db = margin_copy(path, template)
    columns = ", ".join(f"[{c}]" for c in COLUMNS)
    row = f"({', '.join('?' for _ in COLUMNS)})"
    with bulk._roomy_page_cache(db, len(finished)):
        db.execute("BEGIN")
        if not trigger:
            bulk._drop_trigger(db, bulk.FTS_TRIGGER)
        if not indexes:
            bulk._drop_indexes(db, "annotations")
        with Clock() as clock:
            if per_statement == 1:
                db.conn.executemany(f"INSERT INTO annotations ({columns}) VALUES {row}", finished)
            else:
                for first in range(0, len(finished), per_statement):
                    chunk = finished[first:first + per_statement]
                    db.conn.execute(f"INSERT INTO annotations ({columns}) VALUES "
                                    + ", ".join([row] * len(chunk)),
                                    [value for values in chunk for value in values])
        db.execute("ROLLBACK")
    db.close()
    return clock


class Clock:
    """Wall and CPU time of a ``with`` block, in seconds."""

    def __enter__(self) -> "Clock":
        self._wall, self._cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc_info) -> None:
        self.wall = time.perf_counter() - self._wall
        self.cpu = time.process_time() - self._cpu


def raw_import(path: Path, finished: list[tuple]) -> Clock:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = wal")
    conn.execute("PRAGMA synchronous = NORMAL")
    columns = ", ".join(f"[{c}]" for c in COLUMNS)
    conn.execute(f"CREATE TABLE annotations ({columns})")
    placeholders = ", ".join("?" for _ in COLUMNS)
    with Clock() as clock:
        conn.execute("BEGIN")
        conn.executemany(f"INSERT INTO annotations VALUES ({placeholders})", finished)
        conn.execute("COMMIT")
    conn.close()
    return clock


def store_import(folder: Path, template: Path, name: str, rows: list[dict],
                 record_history: bool) -> Clock:
    path = folder / name
    shutil.copy(template, path)
    db = open_db(path)
    with Clock() as clock:
        add_annotations_bulk(db, rows, record_history=record_history)
    db.close()
    return clock


# --- (b) one annotation, (c) a search -----------------------------------------------------


def _quoted_already(db, article_id: str, start: int, end: int, source: str) -> bool:
    return db.execute(
        "SELECT 1 FROM annotations a JOIN sources s ON s.id = a.source_id "
        "WHERE a.article_id = ? AND a.kind = 'quote' AND a.start = ? AND a.\"end\" = ? "
        "AND s.name = ? AND a.deleted_at IS NULL", [article_id, start, end, source]
    ).fetchone() is not None


def bench_add(db, text: str, article_ids: list[str], count: int = 200) -> list[str]:
    pick = random.Random(7)
    words = [match.span() for match in re.finditer(r"\S+", text)]
    already = db.execute("SELECT count(*) FROM annotations").fetchone()[0]
    times, cpu_times = [], []
    for n in range(count + 10):
        # The store refuses a quote that is already there, so draw one that is not.
        while True:
            first = pick.randrange(len(words))
            last = min(len(words) - 1, first + pick.randint(0, 12))
            article_id, source = pick.choice(article_ids), pick.choice(SOURCES)
            if not _quoted_already(db, article_id, words[first][0], words[last][1], source):
                break
        with Clock() as clock:
            add_annotation(db, article_id, kind="quote", start=words[first][0],
                           end=words[last][1], source=source,
                           confidence=pick.randint(0, 100), grade="B2", note="typed in the form")
        if n >= 10:  # the first few warm the page cache
            times.append(clock.wall * 1000)
            cpu_times.append(clock.cpu * 1000)
    p50, p95 = percentile(times, 50), percentile(times, 95)
    return [f"(b) add_annotation with its commit, {count} adds to {already:,} annotations: "
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms (target p95 <= {TARGET_ADD_P95_MS:g} ms) "
            f"{verdict(p95 <= TARGET_ADD_P95_MS)}",
            f"    in CPU time: p50 {percentile(cpu_times, 50):.2f} ms, "
            f"p95 {percentile(cpu_times, 95):.2f} ms"]


def bench_search(db, rounds: int = 15) -> list[str]:
    pick = random.Random(11)
    times: dict[str, list[float]] = {word: [] for word in SEARCH_WORDS}
    cpu_times: list[float] = []
    queries = SEARCH_WORDS * rounds
    pick.shuffle(queries)
    for word in SEARCH_WORDS:  # warm-up
        list_annotations(db, search=word, limit=50)
    for word in queries:
        with Clock() as clock:
            list_annotations(db, search=word, limit=50)
        times[word].append(clock.wall * 1000)
        cpu_times.append(clock.cpu * 1000)
    every = [t for per_word in times.values() for t in per_word]
    p50, p95 = percentile(every, 50), percentile(every, 95)
    slowest = max(times, key=lambda word: statistics.median(times[word]))
    return [f"(c) full-text search, limit 50, {len(every)} searches of {len(SEARCH_WORDS)} words: "
            f"p50 {p50:.2f} ms, p95 {p95:.2f} ms (target p95 <= {TARGET_SEARCH_P95_MS:g} ms) "
            f"{verdict(p95 <= TARGET_SEARCH_P95_MS)}",
            f"    in CPU time: p50 {percentile(cpu_times, 50):.2f} ms, "
            f"p95 {percentile(cpu_times, 95):.2f} ms",
            f"    slowest word {slowest!r}: median {statistics.median(times[slowest]):.2f} ms, "
            f"{count_annotations(db, search=slowest):,} matches (the cost grows with the matches)"]


# --- (d) the command line -----------------------------------------------------------------


def bench_cli(big_db: Path, folder: Path, runs: int) -> list[str]:
    margin = Path(sys.executable).with_name("margin")
    if not margin.exists():
        return ["(d) margin articles: SKIPPED, no 'margin' command next to this Python"]
    small_db = folder / "one-article.db"
    db = open_db(small_db)
    add_article(db, SimpleNamespace(
        text=CORPUS.read_text(encoding="utf-8").split("\n", 1)[1], title=None, authors=[],
        outlet="Ukrainska Pravda", url=None, published=None, section=None, language="en",
        source=str(CORPUS), format="txt"))
    db.close()
    baseline_command = [sys.executable, "-c", "import sqlite_utils, click"]
    commands = {"baseline": baseline_command,
                "small": [str(margin), "--db", str(small_db), "articles"],
                "big": [str(margin), "--db", str(big_db), "articles"]}
    for command in commands.values():  # warm the disk cache and check that it works
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode != 0:
            return [f"(d) margin articles: FAILED to run {' '.join(command)}: "
                    f"{done.stderr.strip()[-200:]}"]
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):  # interleaved, so a noisy moment hits every command alike
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            times[name].append((time.perf_counter() - started) * 1000)
    base = statistics.median(times["baseline"])
    lines = [f"(d) margin articles, median of {runs} (baseline "
             f"'python -c \"import sqlite_utils, click\"' {base:.0f} ms):"]
    for name, label in (("small", "1 article"), ("big", "the benchmark database")):
        median = statistics.median(times[name])
        lines.append(f"    {label}: {median:.0f} ms = {median / base:.1f}x "
                     f"(target <= {TARGET_CLI_RATIO:g}x) "
                     f"{verdict(median / base <= TARGET_CLI_RATIO)}")
    return lines


# --- figures ------------------------------------------------------------------------------


def percentile(values: list[float], percent: float) -> float:
    """The nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, round(percent / 100 * len(ordered)))
    return ordered[rank - 1]


def load() -> str:
    """The machine's load average, since other work on it slows every figure."""
    try:
        return " ".join(f"{value:.1f}" for value in os.getloadavg())
    except (AttributeError, OSError):
        return "unknown"


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


if __name__ == "__main__":
    main()
