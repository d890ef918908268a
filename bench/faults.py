"""Faults margin must survive, at full size: kills mid-commit, writers at once, bad input, fuzzing.

    python bench/faults.py [--kills 100] [--adds 3000] [--fuzz-seconds 130]

Not a benchmark of speed: it prints what the reliability suite (``tests/reliability/``) checks,
at the sizes the suite makes smaller to stay quick, and exits 1 if any of it failed.

(a) a writer adding annotations is killed with SIGKILL at a random moment, ``--kills`` times;
    every id it printed after its commit returned must be stored, ``PRAGMA integrity_check``
    must be ok and the full-text index must agree with the rows;
(b) two processes add ``--adds`` annotations each at once, editing every third and deleting
    every fifth: operations done, operations refused, adds lost, changes with no history row;
(c) the kinds of bad input in ``tests/reliability/test_bad_input.py``, run by pytest: each must
    be one line on stderr, exit status 2, and the database unchanged;
(d) the importer fuzzed with text, Markdown with front matter and HTML for ``--fuzz-seconds``:
    cases run, and any exception that is not margin's own.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RELIABILITY = Path(__file__).resolve().parents[1] / "tests" / "reliability"
# In place of this script's folder, whose store.py would hide the store package.
sys.path[0] = str(RELIABILITY)

from harness import history_gaps, kill_writers, make_database, run_mixed_writers  # noqa: E402


def kills(count: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="margin-faults-") as folder:
        path = Path(folder) / "margin.db"
        started = time.perf_counter()
        report = kill_writers(path, make_database(path), count)
        took = time.perf_counter() - started
    print(f"(a) kills survived: {report.kills}, acknowledged: {report.acknowledged}, "
          f"lost: {len(report.lost)}, database problems: {report.problems or 'none'} "
          f"({took:.1f} s)")
    return not report.lost and not report.problems


def two_writers(adds: int) -> bool:
    with tempfile.TemporaryDirectory(prefix="margin-faults-") as folder:
        path = Path(folder) / "margin.db"
        article_id = make_database(path)
        started = time.perf_counter()
        results = run_mixed_writers(path, article_id, adds)
        took = time.perf_counter() - started
        added = [i for result in results for i in result["added"]]
        edited = [i for result in results for i in result["edited"]]
        deleted = [i for result in results for i in result["deleted"]]
        failures = [failure for result in results for failure in result["failures"]]
        gaps = history_gaps(path, added, edited, deleted)
        import sqlite3

        conn = sqlite3.connect(path)
        stored = {row[0] for row in conn.execute("SELECT id FROM annotations")}
        conn.close()
    lost = [i for i in added if i not in stored]
    done = len(added) + len(edited) + len(deleted)
    print(f"(b) two writers: {done} operations done ({len(added)} adds, {len(edited)} edits, "
          f"{len(deleted)} deletes), {len(failures)} refused, {len(lost)} adds lost, "
          f"{len(gaps)} changes without history ({took:.1f} s)")
    for failure in sorted(set(failures))[:3]:
        print(f"    {failure}")
    return not failures and not lost and not gaps


def bad_input() -> bool:
    from test_bad_input import KINDS

    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                             str(RELIABILITY / "test_bad_input.py")],
                            capture_output=True, text=True, cwd=RELIABILITY.parents[1])
    summary = result.stdout.strip().splitlines()[-1] if result.stdout.strip() else result.stderr
    print(f"(c) kinds of bad input: {len(KINDS)}; pytest: {summary}")
    return result.returncode == 0


def fuzz(seconds: float) -> bool:
    from fuzzing import FILES, import_file, scratch
    from hypothesis import HealthCheck, given, seed, settings

    cases = 0
    faults: list[str] = []
    deadline = time.monotonic() + seconds
    with scratch() as folder:
        round_number = 0
        while time.monotonic() < deadline and not faults:
            round_number += 1

            @seed(round_number)
            @settings(max_examples=100, deadline=None, database=None,
                      suppress_health_check=list(HealthCheck))
            @given(FILES)
            def one(file: tuple[str, bytes]) -> None:
                nonlocal cases
                cases += 1
                import_file(Path(folder), *file)

            try:
                one()
            except Exception as error:  # noqa: BLE001 (any exception not margin's is the finding)
                faults.append(f"{type(error).__name__}: {error}")
    print(f"(d) fuzz cases run: {cases} in {seconds:g} s; exceptions not margin's: "
          f"{faults or 'none'}")
    return not faults


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--adds", type=int, default=3000)
    parser.add_argument("--fuzz-seconds", type=float, default=130)
    args = parser.parse_args()
    results = [kills(args.kills), two_writers(args.adds), bad_input(), fuzz(args.fuzz_seconds)]
    print("PASS" if all(results) else "FAIL")
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
