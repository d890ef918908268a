"""Sources: the people and bodies whose words or claims are annotated."""

from __future__ import annotations

import sqlite_utils

from store.db import writing
from store.errors import ValidationError
from store.text import clean_characters


def find_source(db: sqlite_utils.Database, name: str) -> dict | None:
    """The source with this name, ignoring case, or None."""
    cursor = db.execute("SELECT id, name, role, organization FROM sources WHERE name = ? COLLATE NOCASE",
                        [name.strip()])
    row = cursor.fetchone()
    return dict(zip(("id", "name", "role", "organization"), row)) if row else None


def ensure_source(db: sqlite_utils.Database, name: str, *, role: str | None = None,
                  organization: str | None = None) -> dict:
    """The source named ``name``, created if new; a role or organisation given is remembered."""
    name = " ".join(clean_characters(name).split())
    role = " ".join(clean_characters(role).split()) if role else None
    organization = " ".join(clean_characters(organization).split()) if organization else None
    if not name:
        raise ValidationError("a source needs a name", "type the name of who said it", field="source")
    with writing(db):
        found = find_source(db, name)
        if found is None:
            source_id = db["sources"].insert(
                {"name": name, "role": role or None, "organization": organization or None}).last_pk
            return {"id": source_id, "name": name, "role": role or None,
                    "organization": organization or None}
        changes = {}
        if role and role != found["role"]:
            changes["role"] = role
        if organization and organization != found["organization"]:
            changes["organization"] = organization
        if changes:
            db["sources"].update(found["id"], changes)
            found.update(changes)
    return found


def suggest_sources(db: sqlite_utils.Database, prefix: str, limit: int = 10) -> list[dict]:
    """Known sources whose name, or a word of it, starts with ``prefix`` (case-insensitive).

    Names that start with the prefix come first, then those with a later word matching it.
    """
    prefix = prefix.strip()
    if not prefix:
        cursor = db.execute("SELECT id, name, role, organization FROM sources ORDER BY name LIMIT ?",
                            [limit])
    else:
        pattern = prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        cursor = db.execute(
            """SELECT id, name, role, organization FROM sources
               WHERE name LIKE ? ESCAPE '\\' OR name LIKE ? ESCAPE '\\'
               ORDER BY name NOT LIKE ? ESCAPE '\\', name LIMIT ?""",
            [pattern + "%", "% " + pattern + "%", pattern + "%", limit],
        )
    return [dict(zip(("id", "name", "role", "organization"), row)) for row in cursor.fetchall()]


def list_sources(db: sqlite_utils.Database) -> list[dict]:
    """Every source with its number of live annotations, by name."""
    cursor = db.execute(
        """SELECT s.id, s.name, s.role, s.organization, count(a.id) AS annotations
           FROM sources s LEFT JOIN annotations a ON a.source_id = s.id AND a.deleted_at IS NULL
           GROUP BY s.id ORDER BY s.name COLLATE NOCASE""")
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]
