"""A short fictional news article bundled with margin, imported on the first run.

The article is invented (the city, the people and the quotes) and written for margin; it is
laid out like a scraped news page so that every import path for that layout is exercised.
"""

from __future__ import annotations

import dataclasses
import importlib.resources

import sqlite_utils

SAMPLE_FILE = "harbour-flood-wall.txt"
SAMPLE_OUTLET = "Brennmouth Harbour Gazette"
SAMPLE_LANGUAGE = "en"


def import_sample_if_empty(db: sqlite_utils.Database) -> dict | None:
    """Import the sample into an empty database; return it, or None if there were articles."""
    from store.articles import add_article, count_articles

    if count_articles(db):
        return None
    # Imported only now: loading the importers (their patterns compile on import) takes tens
    # of milliseconds of start-up, and a database that has articles never needs them here.
    from store.ingest import apply_overrides, read_source

    resource = importlib.resources.files(__name__) / SAMPLE_FILE
    with importlib.resources.as_file(resource) as path:
        draft = read_source(str(path))
    draft = apply_overrides(draft, outlet=SAMPLE_OUTLET, language=SAMPLE_LANGUAGE)
    # The installed path differs from machine to machine; name the sample instead.
    draft = dataclasses.replace(draft, source=f"margin sample ({SAMPLE_FILE})")
    article, _created = add_article(db, draft)
    return article
