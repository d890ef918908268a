"""Re-importing a realistic revision through the store stores exactly the anchors the engine
gives for the same texts and selectors, so that a shortcut taken on the way to the database
(reading fewer columns, writing rows in bulk, checking quotes faster) cannot change them."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path
from types import SimpleNamespace

import pytest
from revision_generator import corpus_texts, make_case

from store.anchoring import anchor_all
from store.bulk import add_annotations_bulk
from store.db import open_db
from store.revisions import import_article

URL = "https://example.org/news/long-read"


def draft(text: str) -> SimpleNamespace:
    """What the importer hands the store for a page (an ``ingest.Draft``'s fields)."""
    return SimpleNamespace(text=text, title="A long read", authors=[], outlet=None, url=URL,
                           published=None, section=None, language="en", source="page.html",
                           format="html", notices={})


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_re_import_stores_the_anchors_the_engine_gives(tmp_path: Path, seed: int):
    texts = corpus_texts()
    base = texts[seed % len(texts)]
    pool = [p for t in texts if t is not base for p in t.split("\n") if len(p) > 80]
    case = make_case(base, random.Random(seed), edits=12, annotations=300, pool=pool)
    db = open_db(tmp_path / "margin.db")
    article = import_article(db, draft(case.old)).article
    spans = list(dict.fromkeys((s.start, s.end) for s in case.selectors))
    # Quotes and claims alike, and one deleted annotation, which is anchored too.
    ids = add_annotations_bulk(db, ({"article_id": article["id"], "start": start, "end": end,
                                     "kind": "quote" if n % 3 == 0 else "claim"}
                                    for n, (start, end) in enumerate(spans)))
    db.execute("UPDATE annotations SET deleted_at = created_at WHERE id = ?", [ids[-1]])
    db.conn.commit()

    imported = import_article(db, draft(case.new))

    expected = anchor_all(case.old, case.new, _selectors(case, spans))
    stored = {row[0]: row[1:] for row in db.execute(
        'SELECT annotation_id, kind, start, "end", current, reason, verified FROM anchors '
        "WHERE revision = 2").fetchall()}
    assert imported.state == "revised"
    assert len(stored) == len(ids)
    kinds = {row[0]: row[1] for row in db.execute("SELECT id, kind FROM annotations")}
    for annotation_id, (made_start, made_end), anchor in zip(ids, spans, expected):
        kind, start, end, current, reason, verified = stored[annotation_id]
        assert (kind, start, end, reason) == (anchor.kind, anchor.start, anchor.end,
                                              anchor.reason)
        assert current == (None if start is None else case.new[start:end])
        if kinds[annotation_id] == "claim":
            assert verified is None
        elif current != case.old[made_start:made_end]:
            assert verified == 0  # a quote whose words changed is never verified
    live = Counter(anchor.kind for anchor in expected[:-1])
    assert imported.counts == {kind: live[kind] for kind in ("exact", "moved", "changed", "orphan")}
    assert live["moved"] + live["exact"] > 0 and live["orphan"] + live["changed"] > 0
    db.close()


def _selectors(case, spans):
    """The generator's selectors, one per distinct span, in the order the store was given."""
    by_span = {(s.start, s.end): s for s in case.selectors}
    return [by_span[span] for span in spans]

