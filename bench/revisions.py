"""What a user waits for when re-importing a revised 2.5 MB article that carries 10,000
annotations, against a plain import of the same file (issue 10's target: at most 2 s and 3×).

    python bench/revisions.py [--runs 3] [--cli] [--profile]

Both sides go through the path ``margin import FILE`` takes: ``store.ingest.read_source``
(reading, normalising and checking the file) and ``store.revisions.import_article`` (storing
it; for the re-import also anchoring every annotation and writing the anchors), timed from
reading the file to the commit, in a fresh database each run. The plain import stores the
revised file in an empty library; the re-import stores it as revision 2 of the article
imported from the original file, which carries the annotations (three claims to one quote).

The texts come from ``tests/revision_generator.py``: the shared corpus's articles joined and
repeated to 2.5 MB, 40 realistic edits of every kind the generator makes, and 10,000
annotations, half of them near an edit.

``--cli`` also times ``margin --db FILE import`` as a subprocess on both sides (the same
work plus starting Python and opening the database). ``--profile`` times the re-import's
steps once more with timers around them: each figure is inclusive (a step inside another is
counted in both), and the timers add a little.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from revision_generator import corpus_texts, make_case  # noqa: E402
from store.bulk import add_annotations_bulk  # noqa: E402
from store.db import open_db  # noqa: E402
from store.ingest import read_source  # noqa: E402
from store.revisions import import_article  # noqa: E402

SIZE = 2_500_000
EDITS = 40
ANNOTATIONS = 10_000


def make_files(folder: Path, seed: int) -> tuple[Path, Path, list[tuple[int, int]]]:
    """The original and the revised file, and the annotations' spans on the original."""
    joined = "\n\n".join(corpus_texts())
    big = "\n\n".join([joined] * (SIZE // len(joined) + 1))[:SIZE]
    big = big[:big.rfind("\n\n")]
    pool = [p for t in corpus_texts() for p in t.split("\n") if len(p) > 80]
    # The generator works on the text as the importer stores it, so the spans fit it.
    (folder / "base.txt").write_text(big, encoding="utf-8")
    base = read_source(str(folder / "base.txt")).text
    case = make_case(base, random.Random(seed), edits=EDITS, annotations=ANNOTATIONS, pool=pool)
    old, new = folder / "original.txt", folder / "revised.txt"
    old.write_text(case.old, encoding="utf-8")
    new.write_text(case.new, encoding="utf-8")
    if read_source(str(old)).text != case.old:
        sys.exit("the importer changed the original text: the spans would not fit it")
    return old, new, [(s.start, s.end) for s in case.selectors]


def annotated_library(path: Path, original: Path, spans: list[tuple[int, int]]) -> str:
    """A library holding the original article and its annotations; returns the article's id."""
    db = open_db(path)
    article = import_article(db, read_source(str(original))).article
    add_annotations_bulk(db, ({"article_id": article["id"], "kind": "quote" if n % 4 == 0
                               else "claim", "start": start, "end": end}
                              for n, (start, end) in enumerate(spans)), record_history=False)
    db.close()
    return article["id"]


def import_file(path: Path, file: Path, revision_of: str | None = None):
    """What ``margin import`` does with one file, from reading it to the commit; the database
    is opened beforehand (the CLI opens it before reading anything)."""
    db = open_db(path)
    started, cpu = time.perf_counter(), time.process_time()
    imported = import_article(db, read_source(str(file)), revision_of=revision_of)
    took, cpu = time.perf_counter() - started, time.process_time() - cpu
    db.close()
    return took, cpu, imported


def cli_import(path: Path, file: Path, revision_of: str | None = None) -> float:
    """``margin --db PATH import FILE`` as a subprocess: the whole wait, Python's start included."""
    command = [sys.executable, "-m", "tui.cli", "--db", str(path), "import", str(file)]
    if revision_of:
        command[6:6] = ["--revision-of", revision_of]
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


class _Timers:
    """Inclusive wall time and calls of the functions and SQL statements wrapped."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = collections.Counter()
        self.calls: dict[str, int] = collections.Counter()

    def wrap(self, owner, name: str, label: str) -> None:
        original = getattr(owner, name)

        def timed(*args, **kwargs):
            began = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - began
                self.calls[label] += 1

        setattr(owner, name, timed)


class _TimedConnection:
    """A sqlite3 connection whose statements are timed by what they do."""

    # Matched against the statement folded to lower case, without quotes or brackets.
    LABELS = (("insert into anchors", "SQL: writing anchors"),
              ("insert into revisions", "SQL: writing the revision row"),
              ("update articles", "SQL: the article row and its full-text index"),
              ("select * from articles", "SQL: reading the article row"),
              ("select text from revisions", "SQL: reading the old revision's text"),
              ("commit", "SQL: COMMIT"))

    def __init__(self, conn, timers: _Timers) -> None:
        self._conn, self._timers = conn, timers

    def __getattr__(self, name):
        return getattr(self._conn, name)

    def __enter__(self):
        return self._conn.__enter__()

    def __exit__(self, *exc):
        return self._conn.__exit__(*exc)

    def _label(self, sql: str) -> str:
        flat = " ".join(sql.split()).lower().replace('"', "").replace("[", "").replace("]", "")
        for start, label in self.LABELS:
            if flat.startswith(start):
                return label
        if "from annotations a" in flat and "left join anchors" in flat:
            return "SQL: reading the annotations"
        return "SQL: everything else"

    def _timed(self, method, sql, *args):
        label = self._label(sql)
        began = time.perf_counter()
        try:
            cursor = method(sql, *args)
            if sql.lstrip().upper().startswith("SELECT"):
                rows = cursor.fetchall()  # the reading, not only the first step
                return _Rows(rows, cursor.description)
            return cursor
        finally:
            self._timers.seconds[label] += time.perf_counter() - began
            self._timers.calls[label] += 1

    def execute(self, sql, *args):
        return self._timed(self._conn.execute, sql, *args)

    def executemany(self, sql, *args):
        return self._timed(self._conn.executemany, sql, *args)


class _Rows:
    """Rows already fetched, read like a cursor."""

    def __init__(self, rows, description) -> None:
        self._rows, self.description = rows, description

    def fetchone(self):
        return self._rows[0] if self._rows else None

    def fetchall(self):
        return self._rows

    def __iter__(self):
        return iter(self._rows)


def profile(path: Path, file: Path, revision_of: str) -> None:
    """The re-import once more, with its steps timed."""
    import store.anchoring.alignment as alignment
    import store.anchoring.excerpts as excerpts
    import store.anchoring.place as place
    import store.ingest as ingest
    import store.revisions.adding as adding
    import store.revisions.anchors as anchors

    timers = _Timers()
    timers.wrap(ingest, "check_article", "reading: checking it is an article")
    timers.wrap(ingest, "_read_any", "reading: the file, normalised")
    timers.wrap(adding, "anchor_article", "anchoring, all of it (SQL included)")
    timers.wrap(anchors, "anchor_all", "engine: anchor_all")
    timers.wrap(place, "diff", "engine: the diff")
    timers.wrap(place, "Alignment", "engine: aligning the diff")
    timers.wrap(excerpts, "FoldedText", "engine: folding excerpts")
    timers.wrap(place, "fold", "engine: folding single passages")
    timers.wrap(place, "fit", "engine: scoring candidates")
    timers.wrap(place._Finder, "place", "engine: placing uncarried annotations")
    timers.wrap(place._Finder, "place_short", "engine: checking short runs for lookalikes")
    timers.wrap(alignment.Alignment, "carried", "engine: carrying through unchanged runs")
    timers.wrap(anchors._Quotations, "encloses", "anchoring: quotation marks of quotes")
    timers.wrap(adding, "get_article", "reading the article row (get_article)")
    db = open_db(path)
    db.conn = _TimedConnection(db.conn, timers)
    started = time.perf_counter()
    imported = import_article(db, ingest.read_source(str(file)), revision_of=revision_of)
    whole = time.perf_counter() - started
    db.conn = db.conn._conn
    db.close()
    print(f"\nwhere the re-import's {whole:.2f} s go ({imported.counts}); inclusive times:")
    for label, seconds in sorted(timers.seconds.items(), key=lambda item: -item[1]):
        print(f"  {label:<52}{seconds:>7.3f} s  {timers.calls[label]:>7,} calls")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cli", action="store_true", help="also time the CLI as a subprocess")
    parser.add_argument("--profile", action="store_true", help="time the re-import's steps")
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        original, revised, spans = make_files(folder, options.seed)
        print(f"original {original.stat().st_size / 1e6:.2f} MB, revised "
              f"{revised.stat().st_size / 1e6:.2f} MB; {len(spans):,} annotations; {EDITS} edits")
        plain_times, revise_times, cli_plain, cli_revise = [], [], [], []
        plain_cpu, revise_cpu = [], []
        for run in range(options.runs):
            library = folder / f"annotated{run}.db"
            article_id = annotated_library(library, original, spans)
            took, cpu, _ = import_file(folder / f"plain{run}.db", revised)
            plain_times.append(took)
            plain_cpu.append(cpu)
            took, cpu, result = import_file(library, revised, revision_of=article_id)
            revise_times.append(took)
            revise_cpu.append(cpu)
            print(f"run {run + 1}: plain import {plain_times[-1]:.2f} s (CPU {plain_cpu[-1]:.2f} s), "
                  f"re-import {revise_times[-1]:.2f} s (CPU {revise_cpu[-1]:.2f} s): "
                  f"{revise_times[-1] / plain_times[-1]:.2f}x, CPU {revise_cpu[-1] / plain_cpu[-1]:.2f}x"
                  f"  {result.state} {result.counts}")
            if options.cli:
                library = folder / f"cli{run}.db"
                article_id = annotated_library(library, original, spans)
                cli_plain.append(cli_import(folder / f"cli-plain{run}.db", revised))
                cli_revise.append(cli_import(library, revised, article_id))
                print(f"       margin import as a subprocess: plain {cli_plain[-1]:.2f} s, "
                      f"re-import {cli_revise[-1]:.2f} s ({cli_revise[-1] / cli_plain[-1]:.2f}x)")
        plain, revise = min(plain_times), min(revise_times)
        print(f"best: plain {plain:.2f} s, re-import {revise:.2f} s, ratio {revise / plain:.2f}x "
              "(targets: ≤ 2 s, ≤ 3x)")
        print(f"best in CPU time: plain {min(plain_cpu):.2f} s, re-import {min(revise_cpu):.2f} s, "
              f"ratio {min(revise_cpu) / min(plain_cpu):.2f}x")
        if options.cli:
            print(f"best as a subprocess: plain {min(cli_plain):.2f} s, re-import "
                  f"{min(cli_revise):.2f} s, ratio {min(cli_revise) / min(cli_plain):.2f}x")
        if options.profile:
            library = folder / "profiled.db"
            profile(library, revised, annotated_library(library, original, spans))
    print(f"load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
