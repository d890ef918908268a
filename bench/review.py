"""How the review screen and the jsonl export scale, against baselines measured in the same run.

    python bench/review.py [--annotations 100000] [--small 1000] [--runs 7]

Machines are noisy, so each figure is printed beside a baseline timed a moment earlier on the
same machine, and the targets are ratios where a ratio makes sense:

(a) opening Review with 100,000 annotations vs with 1,000: the median time from pushing the
    screen to its first page of rows in the table (target: at most 2x, the cost must not grow
    with the number of annotations). The total is counted after the rows are up, and counting
    reads every row, so the time until it shows is printed beside it (no target);
(b) a filter update per keystroke over 100,000 annotations: p95 of the time from a key press
    in the filter line to the table holding the rows of the new filter, with the debounce off
    so that every key runs a query (target: 50 ms). The time until the new total is shown as
    well is printed beside it. Keys that leave the rows as they were (a term half typed, a
    one-letter word, which waits for its next letter) run no query and are not counted;
(c) ``store.export.export(db, "jsonl")`` of 100,000 annotations vs the ``sqlite3`` command
    line's ``.mode json`` dump of the annotations table (target: at most 3x).

The TUI figures come from a headless ``App.run_test``; keys go to the app as a terminal's would
(through the driver), and the clock stops when the screen's data has changed, not when a test
pilot would next look.
"""

from __future__ import annotations

import argparse
import asyncio
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

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from store.articles import add_article  # noqa: E402
from store.bulk import add_annotations_bulk  # noqa: E402
from store.db import open_db  # noqa: E402
from store.ingest import read_source  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "ukrainska-pravda-2025-09-07-kursk.txt"
SOURCES = ["Vadym Skibitskyi", "DIU", "Ukrinform", "Kyrylo Budanov", "Volodymyr Zelensky",
           "General Staff", None]
NOTES = [None, None, "second source needed", "check against satellite imagery"]
# What an analyst types into the filter line, one key at a time.
FILTER_LINES = ["troops", "kind:quote", 'source:"Vadym Skibitskyi"', "conf>=60",
                "north korean kind:claim", "recruitment conf<45", "deleted:yes", "Kursk"]
SIZE = (140, 40)

TARGET_OPEN_RATIO = 2.0
TARGET_KEY_P95_MS = 50.0
TARGET_EXPORT_RATIO = 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=7, help="openings of the screen and exports")
    options = parser.parse_args()
    began = time.perf_counter()
    print(f"margin review benchmark: {options.annotations:,} annotations vs {options.small:,} "
          f"(Python {sys.version.split()[0]}, SQLite {sqlite3.sqlite_version}, "
          f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})")
    with tempfile.TemporaryDirectory(prefix="margin-bench-") as folder:
        results = run(Path(folder), options)
    print()
    for line in results:
        print(line)
    print(f"\n({time.perf_counter() - began:.0f} s in all; load average now "
          f"{os.getloadavg()[0]:.1f}: (b) is an absolute time, so a busy machine inflates it)")


def run(folder: Path, options: argparse.Namespace) -> list[str]:
    started = time.perf_counter()
    large = make_database(folder / "large.db", options.annotations)
    small = make_database(folder / "small.db", options.small)
    print(f"built the databases in {time.perf_counter() - started:.1f} s")

    opening_small, counted_small = asyncio.run(time_openings(small, options.runs))
    opening_large, counted_large = asyncio.run(time_openings(large, options.runs))
    rows_ms, total_ms, keys = asyncio.run(time_keystrokes(large))
    export_ms, dump_ms = time_export(large, folder, options.runs)

    open_ratio = statistics.median(opening_large) / statistics.median(opening_small)
    rows_p95 = percentile(rows_ms, 95)
    export_ratio = statistics.median(export_ms) / statistics.median(dump_ms)
    return [
        f"(a) open Review, to the first rows: {statistics.median(opening_large):.0f} ms with "
        f"{options.annotations:,} vs {statistics.median(opening_small):.0f} ms with "
        f"{options.small:,} (medians of {options.runs}) = {open_ratio:.2f}x "
        f"[target <= {TARGET_OPEN_RATIO:.0f}x] {verdict(open_ratio <= TARGET_OPEN_RATIO)}; "
        f"to the total as well: {statistics.median(counted_large):.0f} ms vs "
        f"{statistics.median(counted_small):.0f} ms",
        f"(b) filter per keystroke over {options.annotations:,}: p95 {rows_p95:.1f} ms to the "
        f"new rows (median {statistics.median(rows_ms):.1f}, max {max(rows_ms):.1f}; "
        f"{keys} keys); p95 {percentile(total_ms, 95):.1f} ms to the new total as well "
        f"[target <= {TARGET_KEY_P95_MS:.0f} ms to the rows] "
        f"{verdict(rows_p95 <= TARGET_KEY_P95_MS)}",
        f"(c) export jsonl of {options.annotations:,}: {statistics.median(export_ms):.0f} ms vs "
        f"sqlite3 .mode json {statistics.median(dump_ms):.0f} ms (medians of {options.runs}) = "
        f"{export_ratio:.2f}x [target <= {TARGET_EXPORT_RATIO:.0f}x] "
        f"{verdict(export_ratio <= TARGET_EXPORT_RATIO)}",
    ]


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


# --- Data ---------------------------------------------------------------------------------

def make_database(path: Path, count: int) -> Path:
    """The real article with ``count`` annotations of word-aligned spans, a few deleted."""
    db = open_db(path)
    article, _ = add_article(db, read_source(str(CORPUS)))
    text = article["text"]
    words = [match.span() for match in re.finditer(r"\w+", text)]
    pick = random.Random(count)
    # Real (random) UUIDs, handed out in sorted order so the primary-key index only appends:
    # the rows are as the TUI makes them, built in seconds rather than a minute.
    ids = sorted(str(uuid.UUID(int=pick.getrandbits(128), version=4)) for _ in range(count))
    rows = []
    for annotation_id in ids:
        first = pick.randrange(len(words) - 15)
        last = first + pick.randrange(0, 15)
        rows.append({"id": annotation_id, "article_id": article["id"],
                     "kind": pick.choice(("claim", "quote")),
                     "start": words[first][0], "end": words[last][1],
                     "source": pick.choice(SOURCES),
                     "confidence": pick.choice([None, *range(0, 101)]),
                     "grade": pick.choice([None, "B2", "C3", "A1"]),
                     "note": pick.choice(NOTES), "tags": pick.sample(["dprk", "kursk", "labour"],
                                                                     pick.randrange(0, 3))})
    add_annotations_bulk(db, rows, record_history=False)
    # One in a hundred deleted, so deleted:yes has something to list.
    db.execute("UPDATE annotations SET deleted_at = updated_at WHERE rowid % 100 = 0")
    db.conn.commit()
    db.conn.close()
    return path


# --- The TUI ------------------------------------------------------------------------------

async def until(condition, timeout: float = 30.0) -> None:
    """Yield to the app until ``condition()`` holds."""
    deadline = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError("the review screen did not finish in time")
        await asyncio.sleep(0.002)


async def settle(app) -> None:
    """Let the app finish what it is doing (the library's first load, say)."""
    from textual._wait import wait_for_idle

    await wait_for_idle(0.05)


async def time_openings(path: Path, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds from pushing Review to its first page, and to its total, ``runs`` times."""
    from tui.app import MarginApp
    from tui.screens.review import ReviewScreen

    app = MarginApp(path)
    to_rows, to_total = [], []
    async with app.run_test(size=SIZE):
        await settle(app)
        for _ in range(runs + 1):
            screen = ReviewScreen()
            began = time.perf_counter()
            app.push_screen(screen)
            await until(lambda: screen.is_mounted and screen.updates >= 1)
            to_rows.append((time.perf_counter() - began) * 1000)
            await until(lambda: screen.total is not None and not screen.busy)
            to_total.append((time.perf_counter() - began) * 1000)
            app.pop_screen()
            await settle(app)
    # The first opening also loads modules and the stylesheet.
    return to_rows[1:], to_total[1:]


async def time_keystrokes(path: Path) -> tuple[list[float], list[float], int]:
    """Milliseconds from each key typed into the filter line to the new rows, and to the total."""
    from textual import events

    from tui.app import MarginApp
    from tui.screens.review import ReviewScreen

    app = MarginApp(path)
    rows_ms: list[float] = []
    total_ms: list[float] = []
    keys = 0
    async with app.run_test(size=SIZE):
        await settle(app)
        screen = ReviewScreen()
        screen.DEBOUNCE = 0  # every key runs its query: the cost per keystroke, not per pause
        app.push_screen(screen)
        await until(lambda: screen.is_mounted and screen.total is not None and not screen.busy)
        filter_line = screen.query_one("#filter")
        filter_line.focus()
        await settle(app)
        for line in FILTER_LINES:
            filter_line.value = ""
            await until(lambda: not screen.busy)
            await settle(app)
            for character in line:
                runs, updates = screen.filter_runs, screen.updates
                began = time.perf_counter()
                app._driver.send_message(events.Key(_key_name(character), character))
                await until(lambda: screen.filter_runs > runs)
                if screen.busy:  # the filter changed: its rows are on their way
                    await until(lambda: screen.updates > updates)
                    rows_ms.append((time.perf_counter() - began) * 1000)
                    await until(lambda: not screen.busy)
                    total_ms.append((time.perf_counter() - began) * 1000)
                    keys += 1
                await settle(app)
    return rows_ms, total_ms, keys


def _key_name(character: str) -> str:
    from textual.keys import _character_to_key

    return character if character.isalnum() else _character_to_key(character)


# --- Export -------------------------------------------------------------------------------

def time_export(path: Path, folder: Path, runs: int) -> tuple[list[float], list[float]]:
    """Milliseconds of the jsonl export and of sqlite3's own JSON dump, ``runs`` times each."""
    from store.export import export

    sqlite3_program = shutil.which("sqlite3")
    if sqlite3_program is None:
        raise SystemExit("the sqlite3 command line is needed for (c): apt-get install sqlite3")
    db = open_db(path)
    export_ms, dump_ms = [], []
    out = folder / "out.jsonl"
    dump = folder / "dump.json"
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run([sqlite3_program, str(path), ".mode json", f".output {dump}",
                        "SELECT * FROM annotations;"], check=True)
        dump_ms.append((time.perf_counter() - began) * 1000)
        began = time.perf_counter()
        with out.open("w", encoding="utf-8") as handle:
            export(db, "jsonl", out=handle)
        export_ms.append((time.perf_counter() - began) * 1000)
    db.conn.close()
    return export_ms, dump_ms


if __name__ == "__main__":
    main()
