"""Screenshots of the reader: highlighted claims and quotes, and the form with an error.

Update them with ``pytest tests/test_reader_snapshots.py --snapshot-update`` after checking
the new pictures by eye in the report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from store import annotations as store_annotations
from store.articles import add_article
from store.db import open_db
from store.ingest import read_source
from tui.app import MarginApp

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
KURSK = CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt"
SIZE = (120, 36)


@pytest.fixture
def annotated_app(tmp_path: Path) -> MarginApp:
    """margin opening the real article with two claims and two quotes saved."""
    path = tmp_path / "margin.db"
    db = open_db(path)
    article, _ = add_article(db, read_source(str(KURSK)))
    add = store_annotations.add_annotation_by_text
    add(db, article["id"], kind="claim", text="Russia has enlisted around 280,000 contract "
        "military personnel since the start of 2025", source="Vadym Skibitskyi", confidence=68,
        grade="B2")
    add(db, article["id"], kind="claim", text="the Kremlin recruits at least 35,000 new contract "
        "soldiers each month", source="Vadym Skibitskyi", confidence=50)
    add(db, article["id"], kind="quote", text="There are all the signs that by the end of the "
        "year, Russia will fully meet its recruitment plan.", source="Vadym Skibitskyi",
        role="Deputy Head of Defence Intelligence of Ukraine (DIU)",
        via="interview with Ukrinform", confidence=88, grade="B2")
    add(db, article["id"], kind="quote", text="But many of them later sign contracts with the "
        "Ministry of Defence and go to fight.", source="Vadym Skibitskyi")
    db.conn.close()
    return MarginApp(path, open_article=article["id"])


async def settle(pilot) -> None:
    """Wait until the app is idle and has drawn everything."""
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()


def test_reader_with_highlighted_claims_and_quotes(annotated_app, snap_compare):
    async def go_to_the_second_annotation(pilot) -> None:
        await pilot.pause()
        # The cursor goes to the second annotation, which is drawn emphasised.
        await pilot.press("right_square_bracket", "right_square_bracket", "down")
        await settle(pilot)

    assert snap_compare(annotated_app, terminal_size=SIZE,
                        run_before=go_to_the_second_annotation)


def test_form_marks_an_invalid_grade(annotated_app, snap_compare):
    async def type_a_bad_grade(pilot) -> None:
        await pilot.pause()
        await pilot.press("slash", *"Their main", "enter", "s", "c")
        await pilot.pause()
        await pilot.press(*"Olena", "tab", "tab", "tab", "6", "tab", *"Z9", "ctrl+s")
        await settle(pilot)

    assert snap_compare(annotated_app, terminal_size=SIZE, run_before=type_a_bad_grade)
