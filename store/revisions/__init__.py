"""Revisions of an article: every text it was imported with, and each annotation's anchor on
the newer ones.

``adding`` stores a new revision and anchors every annotation to it in one transaction;
``texts`` reads revisions back and tells what changed between them; ``anchors`` holds what the
analyst does with an anchor (accept it, re-attach it) and lists the orphans; ``citing`` gives
the article as an annotation is to be cited; ``reading`` keeps what the analyst last read.
"""

from store.revisions.adding import Imported, add_revision, import_article
from store.revisions.anchors import accept_anchor, orphans, reattach
from store.revisions.citing import cited_article
from store.revisions.reading import (SinceRead, changes_since_read, mark_read,
                                     measure_since_read, texts_since_read)
from store.revisions.texts import get_revision, list_revisions, revision_text

__all__ = ["Imported", "SinceRead", "accept_anchor", "add_revision", "changes_since_read",
           "cited_article", "get_revision", "import_article", "list_revisions", "mark_read",
           "measure_since_read", "orphans", "reattach", "revision_text", "texts_since_read"]
