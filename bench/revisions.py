"""Re-importing a revised 2.5 MB article that carries 10,000 annotations, against a plain
import of the same text, timed in the same run (issue 10's target: at most 2 s and 3×).

    python bench/revisions.py [--annotations 10000] [--size 2500000] [--edits 40] [--runs 3]

The text is the shared corpus's articles (as the importer reads them) joined and repeated to
the size; the revision makes ``--edits`` edits spread through it (numbers changed, a sentence
removed, a paragraph inserted, in turn). Everything happens in a temporary directory.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from store.bulk import add_annotations_bulk  # noqa: E402
from store.db import open_db  # noqa: E402
from store.ingest import read_source  # noqa: E402
from store.revisions import import_article  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
URL = "https://example.org/bench/long-read"


def corpus_text(size: int) -> str:
    """The corpus's article texts joined, repeated to ``size`` characters at least."""
    texts = []
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".txt", ".html", ".htm"):
            try:
                texts.append(read_source(str(path), allow_non_article=True).text)
            except Exception:  # a page the importer refuses is simply not used
                continue
    joined = "\n\n".join(texts)
    copies = []
    number = 0
    while sum(len(c) for c in copies) < size:
        number += 1
        copies.append(f"Part {number}\n\n{joined}")
    return "\n\n".join(copies)


def revised(text: str, edits: int, seed: int = 10) -> str:
    """``text`` with ``edits`` edits spread evenly through it."""
    rng = random.Random(seed)
    step = len(text) // (edits + 1)
    pieces, last = [], 0
    for number in range(1, edits + 1):
        at = text.find("\n\n", number * step)
        if at < 0:
            break
        pieces.append(text[last:at])
        kind = number % 3
        if kind == 0:
            pieces.append(f"\n\nUpdate {number}: this paragraph was added later.")
        elif kind == 1:
            following = text.find(". ", at + 2, at + 600)
            if following > 0:
                at = following + 2  # drop the start of the next paragraph's first sentence
                pieces.append("\n\n")
        else:
            pieces.append(f" ({rng.randint(1000, 9999)} more)")
        last = at
    pieces.append(text[last:])
    return "".join(pieces)


def spans(text: str, count: int, seed: int = 10) -> list[tuple[int, int]]:
    """``count`` spans of three to twelve whole words."""
    rng = random.Random(seed)
    words = [m.span() for m in re.finditer(r"\S+", text)]
    chosen = []
    for _ in range(count):
        first = rng.randrange(len(words) - 12)
        chosen.append((words[first][0], words[first + rng.randint(2, 11)][1]))
    return chosen


def draft(text: str) -> SimpleNamespace:
    return SimpleNamespace(text=text, title="A long read", authors=[], outlet=None, url=URL,
                           published=None, section=None, language="en", source="bench",
                           format="txt", notices={})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotations", type=int, default=10_000)
    parser.add_argument("--size", type=int, default=2_500_000)
    parser.add_argument("--edits", type=int, default=40)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    text = corpus_text(options.size)
    new = revised(text, options.edits)
    print(f"text {len(text):,} characters, revision {len(new):,}; "
          f"{options.annotations:,} annotations; {options.edits} edits")
    plain_times, revise_times = [], []
    for run in range(options.runs):
        with tempfile.TemporaryDirectory() as folder:
            db = open_db(Path(folder) / "plain.db")
            started = time.perf_counter()
            import_article(db, draft(new))
            plain_times.append(time.perf_counter() - started)
            db.close()
            db = open_db(Path(folder) / "revise.db")
            article = import_article(db, draft(text)).article
            add_annotations_bulk(db, ({"article_id": article["id"], "kind": "claim",
                                       "start": start, "end": end}
                                      for start, end in spans(text, options.annotations)),
                                 record_history=False)
            started = time.perf_counter()
            result = import_article(db, draft(new))
            revise_times.append(time.perf_counter() - started)
            db.close()
        print(f"run {run + 1}: plain import {plain_times[-1]:.2f} s, re-import "
              f"{revise_times[-1]:.2f} s  {result.state} {result.counts}")
    plain, revise = min(plain_times), min(revise_times)
    print(f"best: plain {plain:.2f} s, re-import {revise:.2f} s, ratio {revise / plain:.1f}× "
          "(targets: ≤ 2 s, ≤ 3×)")


if __name__ == "__main__":
    main()
