"""How this copy's rows and the server's rows correspond.

The server names an article by the SHA-256 of its first text (``key``): every copy that
imported the same text computes the same key, while its short id is only this copy's. An
annotation keeps its UUID everywhere and names its source by name (source ids are local).
"""

from __future__ import annotations

# The columns of the server's tables that a copy writes, in the order rows are sent.
ARTICLE_COLUMNS = ("key", "updated_at", "edited_on", "parents", "title", "authors", "outlet",
                   "url", "published", "section", "language", "accessed", "archived_at",
                   "deleted_at", "source", "format", "imported_at", "analyst", "origin")
# The metadata a version of an article holds (what sync compares and replaces).
ARTICLE_FIELDS = ARTICLE_COLUMNS[4:]
REVISION_COLUMNS = ("article_key", "number", "text_sha256", "text", "source", "format", "title",
                    "published", "retrieved_at", "edited_on")
ANNOTATION_COLUMNS = ("id", "updated_at", "edited_on", "parents", "article_key", "kind", "start",
                      "end", "exact", "prefix", "suffix", "source", "role", "organization",
                      "via", "confidence", "grade", "note", "tags", "created_at", "deleted_at",
                      "revision", "analyst", "origin", "anchors")
# The annotation's own columns in a version (the rest say which version, and where).
ANNOTATION_FIELDS = ("kind", "start", "end", "exact", "prefix", "suffix", "via", "confidence",
                     "grade", "note", "tags", "created_at", "deleted_at", "revision", "analyst",
                     "origin")

# Articles with the key the server knows them by.
LOCAL_ARTICLES = """
    SELECT r.text_sha256 AS key, a.id, a.updated_at, a.title, a.authors, a.outlet, a.url,
           a.published, a.section, a.language, a.accessed, a.archived_at, a.deleted_at,
           a.source, a.format, a.imported_at, a.analyst, a.origin
    FROM articles a JOIN revisions r ON r.article_id = a.id AND r.number = 1
"""

# Annotations as the server holds them, with the analyst's reviewed anchors (the engine's
# own anchors each copy computes alike from the texts).
LOCAL_ANNOTATIONS = """
    SELECT a.id, a.updated_at, k.text_sha256 AS article_key, a.article_id, a.kind, a.start,
           a."end", a.exact, a.prefix, a.suffix, s.name AS source, s.role, s.organization,
           a.via, a.confidence, a.grade, a.note, a.tags, a.created_at, a.deleted_at,
           a.revision, a.analyst, a.origin, a.unsent,
           (SELECT json_group_array(json_object(
                       'revision', an.revision, 'kind', an.kind, 'start', an.start,
                       'end', an."end", 'current', an.current, 'reason', an.reason,
                       'verified', an.verified, 'reviewed_at', an.reviewed_at))
            FROM anchors an WHERE an.annotation_id = a.id AND an.reviewed_at IS NOT NULL
           ) AS anchors
    FROM annotations a
    JOIN revisions k ON k.article_id = a.article_id AND k.number = 1
    LEFT JOIN sources s ON s.id = a.source_id
"""


def rows_as_dicts(cursor) -> list[dict]:
    """Every row of a cursor as a dict by column name."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row)) for row in cursor]
