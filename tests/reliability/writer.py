"""A child process that writes annotations through the store, for the reliability tests.

Run as ``python writer.py MODE DB ARTICLE [COUNT SEED]``; it is a separate program so the
tests and ``bench/faults.py`` can kill it, or run two at once against one database.

``acknowledge``
    Adds annotations forever, printing each id only after ``add_annotation`` has returned (the
    commit is done). The parent kills it at a random moment.

``mixed``
    Adds COUNT annotations, edits every third one added and deletes every fifth, as an analyst
    would. Prints one JSON line: the ids added, the edits and deletes that succeeded, and every
    failure as the text a user would have seen.

Every annotation a writer adds is a new one, since the store refuses the same annotation
twice: ``acknowledge`` gives each its own source, ``mixed`` draws a span again when it has
already used that span with that source (sources are named for the writer's seed).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sqlite3
import sys

from store.annotations import add_annotation, delete_annotation, edit_annotation
from store.articles import get_article
from store.db import open_db
from store.errors import MarginError


def spans(text: str, rng: random.Random) -> tuple[int, int]:
    """A span of one to five whole words somewhere in ``text``."""
    words = [index for index, char in enumerate(text) if char == " "]
    first = rng.randrange(len(words) - 6)
    return words[first] + 1, words[first + rng.randint(1, 5)]


def acknowledge(db_path: str, article_id: str) -> None:
    db = open_db(db_path)
    text = get_article(db, article_id)["text"]
    rng = random.Random()
    for number in itertools.count():
        start, end = spans(text, rng)
        saved = add_annotation(db, article_id, kind=rng.choice(("claim", "quote")), start=start,
                               end=end, source=f"Writer {os.getpid()} add {number}",
                               note="written before the kill")
        print(saved["id"], flush=True)


def mixed(db_path: str, article_id: str, count: int, seed: int) -> None:
    db = open_db(db_path)
    text = get_article(db, article_id)["text"]
    rng = random.Random(seed)
    added: list[str] = []
    edited: list[str] = []
    deleted: list[str] = []
    failures: list[str] = []
    used: set = set()
    for number in range(1, count + 1):
        source = f"Writer {seed} source {number % 7}"
        # About 1,900 spans and 7 sources: plenty of pairs for a few thousand adds.
        start, end = spans(text, rng)
        while (start, end, source) in used:
            start, end = spans(text, rng)
        used.add((start, end, source))
        try:
            added.append(add_annotation(db, article_id, kind="claim", start=start, end=end,
                                        source=source, note=f"note {number}")["id"])
            if number % 3 == 0:
                edit_annotation(db, added[-1], note=f"edited {number}", confidence=number % 101)
                edited.append(added[-1])
            if number % 5 == 0:
                delete_annotation(db, added[-1])
                deleted.append(added[-1])
        except (MarginError, sqlite3.Error) as error:
            failures.append(f"{type(error).__name__}: {error}")
    print(json.dumps({"added": added, "edited": edited, "deleted": deleted,
                      "failures": failures}), flush=True)


if __name__ == "__main__":
    mode, path, article = sys.argv[1:4]
    if mode == "acknowledge":
        acknowledge(path, article)
    else:
        mixed(path, article, int(sys.argv[4]), int(sys.argv[5]))
