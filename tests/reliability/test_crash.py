"""A writer killed at any moment loses nothing it acknowledged and leaves a sound database."""

from __future__ import annotations

from harness import kill_writers, make_database

# bench/faults.py kills a hundred times; here fewer keep the suite quick.
KILLS = 25


def test_every_annotation_acknowledged_before_a_kill_is_stored_and_the_database_is_sound(
        tmp_path):
    path = tmp_path / "margin.db"
    article_id = make_database(path)
    report = kill_writers(path, article_id, KILLS)
    assert report.kills == KILLS
    assert report.acknowledged >= KILLS
    assert report.lost == []
    assert report.problems == []
