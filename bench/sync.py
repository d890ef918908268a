"""How fast ``margin sync`` is, against psql's COPY of the same rows in the same run.

    python bench/sync.py [--annotations 100000] [--changes 100] [--runs 3]

Starts a throwaway PostgreSQL server (as the tests do, tests/pg_cluster.py), fills a copy
with annotations over 20 articles, and measures, best of ``--runs``:

(a) the first sync of that copy to an empty server, against ``psql -c "\\copy …"`` of the
    same annotation rows (as COPY text, written beforehand) into a table shaped and indexed
    like margin's (target: at most 3x);
(b) the first sync of a new, empty copy from that server (reported, with its ratio);
(c) an incremental sync after ``--changes`` edits: the copy that made them sending, and the
    other copy receiving (target: each at most 1 s).
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from pg_cluster import PgCluster  # noqa: E402

from store.annotations import edit_annotation  # noqa: E402
from store.articles import add_article  # noqa: E402
from store.bulk import add_annotations_bulk  # noqa: E402
from store.db import open_db  # noqa: E402
from store.ingest import read_source  # noqa: E402
from store.sync import sync  # noqa: E402
from store.sync.outgoing import changed_here  # noqa: E402
from store.sync.records import ANNOTATION_COLUMNS  # noqa: E402

CORPUS = ROOT.parent / "shared" / "corpus" / "ukrainska-pravda-2025-09-07-kursk.txt"
ARTICLES = 20
TARGET_FIRST_RATIO = 3.0
TARGET_INCREMENTAL_SECONDS = 1.0


def filled_copy(path: Path, count: int):
    """A copy with ``count`` annotations (sources, notes, tags) over 20 articles."""
    db = open_db(path, analyst="Bench")
    draft = read_source(str(CORPUS))
    articles = [add_article(db, dataclasses.replace(draft, text=f"{draft.text}\n\nCopy {n}."))[0]
                for n in range(ARTICLES)]
    rng = random.Random(1)
    length = len(draft.text)
    rows = []
    for n in range(count):
        start = rng.randrange(0, length - 60)
        rows.append({"article_id": articles[n % ARTICLES]["id"], "kind": rng.choice(["claim", "quote"]),
                     "start": start, "end": start + rng.randrange(5, 60),
                     "source": f"Source {n % 40}", "note": f"note {n}\twith a tab" if n % 7 == 0
                     else f"note {n}", "confidence": rng.randrange(0, 101),
                     "tags": ["kursk", "dprk"][: n % 3]})
    add_annotations_bulk(db, rows, record_history=False)
    return db


def forget_server(db) -> None:
    """Make a copy as if it had never synced (for another first sync)."""
    for table in ("sync_base", "sync_versions", "sync_server"):
        db.execute(f"DELETE FROM {table}")
    db.execute("UPDATE annotations SET unsent = 1")  # as every row of a new copy is
    db.conn.commit()


def timed(function, *args, **kwargs) -> tuple[float, object]:
    start = time.perf_counter()
    result = function(*args, **kwargs)
    return time.perf_counter() - start, result


def psql_copy(cluster: PgCluster, url: str, rows_file: Path) -> float:
    """Seconds for psql to COPY the rows into a fresh table like margin.annotations."""
    cluster.execute("DROP SCHEMA IF EXISTS baseline CASCADE", database=url.rsplit("/", 1)[1])
    cluster.execute("CREATE SCHEMA baseline; CREATE SEQUENCE baseline.changes; "
                    "CREATE TABLE baseline.annotations (LIKE margin.annotations INCLUDING ALL); "
                    "ALTER TABLE baseline.annotations ALTER seq SET DEFAULT "
                    "nextval('baseline.changes')", database=url.rsplit("/", 1)[1])
    listed = ", ".join(f'"{column}"' for column in ANNOTATION_COLUMNS)
    start = time.perf_counter()
    subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1", "-c",
                    f"\\copy baseline.annotations ({listed}) FROM '{rows_file}'"], check=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=100_000)
    parser.add_argument("--changes", type=int, default=100)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="margin-bench-sync-"))
    print(f"filling a copy with {options.annotations:,} annotations…", flush=True)
    copy = filled_copy(folder / "ana.db", options.annotations)
    rows_file = folder / "rows.copy"
    rows_file.write_text("\n".join(row.line for row in changed_here(copy)["annotations"]) + "\n")

    with PgCluster() as cluster:
        pushes, pulls, copies = [], [], []
        for run in range(options.runs):
            database = f"bench_{run}"
            cluster.create_database(database)
            url = cluster.url(database)
            forget_server(copy)
            seconds, report = timed(sync, copy, url)
            assert report.sent_annotations == options.annotations, report.summary()
            pushes.append(seconds)
            fresh = open_db(folder / f"bob{run}.db", analyst="Other")
            seconds, report = timed(sync, fresh, url)
            assert report.received_annotations == options.annotations, report.summary()
            pulls.append(seconds)
            copies.append(psql_copy(cluster, url, rows_file))
        baseline = min(copies)
        push, pull = min(pushes), min(pulls)
        print(f"psql COPY of {options.annotations:,} rows: best {baseline:.2f} s "
              f"(runs {', '.join(f'{s:.2f}' for s in copies)})")
        print(f"(a) first sync, sending:   best {push:.2f} s = {push / baseline:.2f}x COPY "
              f"(target <= {TARGET_FIRST_RATIO:.0f}x; runs {', '.join(f'{s:.2f}' for s in pushes)})")
        print(f"(b) first sync, receiving: best {pull:.2f} s = {pull / baseline:.2f}x COPY "
              f"(runs {', '.join(f'{s:.2f}' for s in pulls)})")

        # (c) the last run's two copies: edits in one, then each syncs.
        url = cluster.url(f"bench_{options.runs - 1}")
        other = open_db(folder / f"bob{options.runs - 1}.db")
        # Random spans repeat now and then; an edit of one of a pair is refused as a duplicate.
        ids = [row[0] for row in copy.execute(
            """SELECT id FROM annotations a WHERE NOT EXISTS (
                   SELECT 1 FROM annotations b WHERE b.article_id = a.article_id
                   AND b.kind = a.kind AND b.start = a.start AND b."end" = a."end"
                   AND b.source_id IS a.source_id AND b.id != a.id)
               ORDER BY random() LIMIT ?""", [options.changes])]
        sends, receives = [], []
        for run in range(options.runs):
            for number, annotation_id in enumerate(ids):
                edit_annotation(copy, annotation_id, note=f"run {run} edit {number}")
            seconds, report = timed(sync, copy, url)
            assert report.sent_annotations == options.changes, report.summary()
            sends.append(seconds)
            seconds, report = timed(sync, other, url)
            assert report.received_annotations == options.changes, report.summary()
            receives.append(seconds)
        print(f"(c) incremental, {options.changes} changes: sending best {min(sends):.2f} s "
              f"(runs {', '.join(f'{s:.2f}' for s in sends)}), receiving best "
              f"{min(receives):.2f} s (runs {', '.join(f'{s:.2f}' for s in receives)}); "
              f"target <= {TARGET_INCREMENTAL_SECONDS:.0f} s each")


if __name__ == "__main__":
    main()
