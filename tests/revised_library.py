"""A library with an article in two revisions, made with the real store: imported, annotated,
then imported again at the same address with edited text. Shared by the export tests."""

from __future__ import annotations

from types import SimpleNamespace

from store.annotations import add_annotation_by_text, delete_annotation
from store.revisions import import_article

URL = "https://example.org/news/harbour-wall"
FIRST = ("Harbour wall approved\n\n"
         "The council said 6,000 homes were at risk from the spring tides.\n\n"
         "“We will build the wall before winter,” the mayor said on Tuesday.\n\n"
         "Engineers warned that the old barrier had cracked in two places.\n\n"
         "“The money is there,” the treasurer said.\n\n"
         "The river authority will publish its own survey next month.\n")
SECOND = ("Harbour wall approved\n\n"
          "Update: this article was corrected on 5 March.\n\n"
          "The council said 7,000 homes were at risk from the spring tides.\n\n"
          "“We will build the wall before winter,” the mayor said on Tuesday.\n\n"
          "The money is there, the treasurer said.\n\n"
          "The river authority will publish its own survey next month.\n")


def draft(text: str) -> SimpleNamespace:
    """The article as the importer parses it, with ``text``."""
    return SimpleNamespace(text=text, title="Harbour wall approved", authors=["Ann Reed"],
                           outlet="Coast Gazette", url=URL, published="2026-03-04",
                           section=None, language="en", source="harbour.txt", format="txt")


def build_revised(db) -> dict[str, str]:
    """Import FIRST, annotate it, import SECOND at the same address, annotate that; returns
    the article's and the annotations' ids by name."""
    article = import_article(db, draft(FIRST)).article
    ids = {"article": article["id"]}

    def add(name: str, kind: str, words: str) -> None:
        ids[name] = add_annotation_by_text(db, article["id"], kind=kind, text=words)["id"]

    add("moved quote", "quote", "We will build the wall before winter")
    add("changed claim", "claim", "6,000 homes were at risk")
    add("orphan", "claim", "the old barrier had cracked")
    add("unquoted quote", "quote", "The money is there")
    add("moved claim", "claim", "publish its own survey")
    add("deleted", "claim", "spring tides")
    delete_annotation(db, ids["deleted"])
    imported = import_article(db, draft(SECOND))
    assert imported.state == "revised", imported
    add("newest", "claim", "this article was corrected")
    return ids
