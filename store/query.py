"""The filter lines of the review and the library: free words plus ``name:value`` terms,
turned into the keyword arguments of ``store.annotations.list_annotations`` and
``count_annotations`` (``parse_filter``) or of ``store.articles.list_articles``
(``parse_library_filter``, at the end).

    russian troops kind:claim source:skibitskyi tag:recruitment conf>=5 article:3f2a deleted:yes
    anchor:changed verified:no by:ana conflict:yes

Words that are not terms go to the full-text index (the span, note, source, role, via and
tags), whole words only, where nothing a person types can be a syntax error. ``source:`` finds
a source by the beginnings of the words of its name. ``conf`` reads its value as every
confidence field does (``store.confidence.read_confidence``): a lone digit 1–7 names a term and
stands for the term's whole range, so ``conf>=5`` is "at least likely" (56% and up) and
``conf=5`` is "likely" (56–80%); other numbers are percents. ``anchor:`` keeps the
annotations whose place in the newest revision is ``exact``, ``moved``, ``changed`` or
``orphan``; ``verified:no`` the quotes no longer verbatim or out of their quotation marks.
``by:`` keeps what the analyst of that name made (the whole name, any case; quote a name
with spaces). ``conflict:yes`` keeps the annotations a sync found changed in two copies at
once and nobody has resolved, deleted ones too (a delete may be the side that stands). A term that cannot mean anything (``conf>=abc``, ``kind:opinion``) raises a
``ValidationError`` whose advice shows how to write it, so the screen can say so while the
analyst is still typing.
"""

from __future__ import annotations

import difflib
import re
from typing import Any

import sqlite_utils

from store.anchoring.model import ANCHOR_KINDS
from store.annotations import KINDS
from store.articles import get_article
from store.confidence import read_confidence
from store.errors import NotFoundError, ValidationError

SYNTAX = ("words  kind:claim  source:name  tag:T  conf>=5 (term)  conf>=60 (%)  article:ID  "
          "deleted:yes  anchor:changed  verified:no  by:analyst  conflict:yes")
"""A one-line reminder of what the filter line understands."""

NAMES = ("kind", "source", "tag", "conf", "article", "deleted", "anchor", "verified", "by",
         "conflict")
_ALIASES = {"confidence": "conf", "tags": "tag"}
_SIGNS = {"≥": ">=", "≤": "<="}
CONFIDENCE_ADVICE = ("write a term digit 1–7 or a percent from 0 to 100: conf>=5 is at least "
                     "likely (56% and up), conf=5 is likely (56–80%), conf>=60 is 60% and up")
_YES = {"yes": True, "y": True, "true": True, "1": True, "only": True,
        "no": False, "n": False, "false": False, "0": False,
        "all": None, "any": None, "both": None}

# A name, an operator, then a value: quoted (straight or curly, the closing quote optional so
# that a half-typed name still parses) or up to the next space. Anything else is a free word.
# A comparison may have spaces around it ("conf >= 60"); a colon may not, so that prose such
# as "Source: Vadym" pasted into the line stays words.
_TOKEN = re.compile(r"""
    (?P<name>[A-Za-z]+)(?:(?P<colon>:)|\s*(?P<op>>=|<=|≥|≤|>|<|=)\s*)
    (?: ["“”](?P<quoted>[^"“”]*)["“”]? | (?P<bare>\S*) )
  | ["“”](?P<phrase>[^"“”]*)["“”]?
  | (?P<word>\S+)
""", re.VERBOSE)


def parse_filter(line: str, db: sqlite_utils.Database | None = None) -> dict[str, Any]:
    """Keyword arguments for ``list_annotations`` from a filter line.

    ``db`` lets ``article:`` take a unique prefix of an id (checked against the articles);
    without it the value is used as it is. Raises ``ValidationError`` for a term that cannot
    be understood; its advice says how to write it.
    """
    filters: dict[str, Any] = {}
    words: list[str] = []
    seen: set[str] = set()
    tags: list[str] = []
    low: int | None = None
    high: int | None = None
    for match in _TOKEN.finditer(line):
        if match.group("word") is not None or match.group("phrase") is not None:
            words.append(match.group("word") or match.group("phrase") or "")
            continue
        typed_name = match.group("name")
        op = match.group("colon") or _SIGNS.get(match.group("op"), match.group("op"))
        value = match.group("quoted")
        if value is None:
            value = match.group("bare") or ""
        value = " ".join(value.split())
        name = _ALIASES.get(typed_name.lower(), typed_name.lower())
        if name not in NAMES:
            close = difflib.get_close_matches(name, [*NAMES, *_ALIASES], n=1, cutoff=0.75)
            if close:
                suggestion = _ALIASES.get(close[0], close[0])
                raise ValidationError(f"unknown filter '{typed_name}{op}'",
                                      f"did you mean '{suggestion}:'? The filters are {SYNTAX}")
            words.append(match.group(0))  # "http://…" and the like are just words
            continue
        if name == "conf":
            low, high = _confidence_bounds(typed_name, op, value, low, high)
            continue
        if op != ":":
            raise ValidationError(f"{typed_name}{op}{value} is not a filter",
                                  f"write {name}:value, as in {_example(name)}")
        if name in seen:
            raise ValidationError(f"{name}: appears twice",
                                  f"keep one {name}: term (the filters all have to match)")
        if name == "tag":
            if not value:
                raise ValidationError("tag: needs a value", f"write it as {_example(name)}")
            tags.append(value)
            continue
        seen.add(name)
        filters.update(_term(name, value, db))
    if tags:
        filters["tags"] = tags
    if low is not None:
        filters["min_confidence"] = low
    if high is not None:
        filters["max_confidence"] = high
    if filters.get("conflict") and "deleted" not in filters:
        # The side that stands may be a delete: the conflict is still to be seen.
        filters["deleted"] = None
    search = " ".join(word for word in words if word)
    if search.strip():
        filters["search"] = search
    return filters


def _term(name: str, value: str, db: sqlite_utils.Database | None) -> dict[str, Any]:
    """The keyword argument of one ``name:value`` term."""
    if not value:
        raise ValidationError(f"{name}: needs a value", f"write it as {_example(name)}")
    if name == "kind":
        return {"kind": _kind(value)}
    if name == "source":
        return {"source": value}
    if name == "by":
        return {"analyst": value}
    if name == "anchor":
        return {"anchor": _anchor(value)}
    if name == "conflict":
        return {"conflict": _yes_or_no(name, value, "write conflict:yes for annotations changed "
                                                    "in two copies at once that are still to "
                                                    "resolve")}
    if name == "verified":
        return {"verified": _yes_or_no(name, value, "write verified:no for quotes whose words "
                                                    "changed or lost their quotation marks, "
                                                    "verified:yes for those that hold")}
    if name == "deleted":
        answer = value.lower()
        if answer not in _YES:
            raise ValidationError(f"deleted:{value} is neither yes nor no",
                                  "write deleted:yes for deleted annotations, deleted:all for both")
        return {"deleted": _YES[answer]}
    # article
    if db is None:
        return {"article_id": value}
    try:
        return {"article_id": get_article(db, value)["id"]}
    except NotFoundError as error:
        raise ValidationError(f"article:{value} names no article ({error.title})",
                              error.advice) from None


def _kind(value: str) -> str:
    """``claim`` or ``quote`` from what was typed: a plural or a unique beginning will do."""
    typed = value.lower()
    if typed.endswith("s") and typed[:-1] in KINDS:
        typed = typed[:-1]
    matches = [kind for kind in KINDS if kind.startswith(typed)]
    if len(matches) != 1:
        raise ValidationError(f"unknown kind {value!r}", "write kind:claim or kind:quote")
    return matches[0]


def _anchor(value: str) -> str:
    """An anchor kind from what was typed: a unique beginning will do (``orph``), and
    ``orphaned`` for ``orphan``."""
    typed = value.lower()
    if typed == "orphaned":
        typed = "orphan"
    matches = [kind for kind in ANCHOR_KINDS if kind.startswith(typed)]
    if len(matches) != 1:
        raise ValidationError(f"unknown anchor {value!r}",
                              "write anchor:exact, anchor:moved, anchor:changed or anchor:orphan")
    return matches[0]


def _confidence_bounds(typed_name: str, op: str, value: str, low: int | None,
                       high: int | None) -> tuple[int | None, int | None]:
    """Narrow the confidence range ``[low, high]`` by one comparison such as ``conf>=5``.

    A term digit compares by the term's edges: ``>=5`` keeps likely and above (56 up), ``>5``
    only what is above likely (81 up), ``<5`` what is below it (55 down). Two bounds on the
    same side keep the tighter one.
    """
    shown = f"{typed_name}{op}{value}"
    if not value:
        raise ValidationError(f"{shown} needs a number", CONFIDENCE_ADVICE)
    try:
        reading = read_confidence(value)
    except ValidationError:
        raise ValidationError(f"{shown} is neither a term digit nor a percentage",
                              CONFIDENCE_ADVICE) from None
    assert reading is not None  # the value is not blank
    new_low = {">=": reading.low, ">": reading.high + 1, "=": reading.low, ":": reading.low}.get(op)
    new_high = {"<=": reading.high, "<": reading.low - 1, "=": reading.high,
                ":": reading.high}.get(op)
    if new_low is not None:
        low = new_low if low is None else max(low, new_low)
    if new_high is not None:
        high = new_high if high is None else min(high, new_high)
    return low, high


def _yes_or_no(name: str, value: str, advice: str) -> bool:
    """A term's yes or no (``all`` and the like mean nothing here)."""
    answer = _YES.get(value.lower())
    if answer is None:
        raise ValidationError(f"{name}:{value} is neither yes nor no", advice)
    return answer


def _example(name: str) -> str:
    return {"kind": "kind:claim", "source": 'source:lamrani or source:"Omar Lamrani"',
            "tag": "tag:urgent", "article": "article:3f2a", "deleted": "deleted:yes",
            "conf": "conf>=5 or conf>=60", "anchor": "anchor:changed",
            "verified": "verified:no", "by": 'by:ana or by:"Ana Ruiz"',
            "conflict": "conflict:yes"}[name]


# --- the library's filter line ---------------------------------------------------------------

LIBRARY_SYNTAX = "words of the title, outlet or author  trash:yes  archived:yes  (or :no)"
"""A one-line reminder of what the library's filter line understands."""

LIBRARY_NAMES = ("trash", "archived")
_LIBRARY_ALIASES = {"trashed": "trash", "deleted": "trash", "archive": "archived"}
_LIBRARY_ADVICE = {"trash": "write trash:yes for the trash, trash:no to leave it out",
                   "archived": "write archived:yes for the archive, archived:no to leave it out"}


def parse_library_filter(line: str) -> dict[str, Any]:
    """Keyword arguments for ``list_articles`` from the library's filter line.

    The words left when the terms are taken out are searched as one piece of text. Without a
    ``trash:`` or ``archived:`` term the screen's own view decides which articles are listed;
    with one, the terms do: one not given keeps the trash out of sight and takes archived
    articles or not alike. Raises ``ValidationError`` for a term that cannot be understood.
    """
    kept: list[str] = []
    at = 0
    chosen: dict[str, bool | None] = {}
    for match in _TOKEN.finditer(line):
        typed_name = match.group("name")
        if typed_name is None:
            continue
        value = match.group("quoted")
        if value is None:
            value = match.group("bare") or ""
        op = match.group("colon") or match.group("op")
        name = _LIBRARY_ALIASES.get(typed_name.lower(), typed_name.lower())
        if name not in LIBRARY_NAMES:
            # "Update: …" in a title stays words; "archivd:yes" is a slip worth naming.
            close = difflib.get_close_matches(name, LIBRARY_NAMES, n=1, cutoff=0.75)
            if close and op == ":" and value:
                raise ValidationError(f"unknown filter '{typed_name}:'",
                                      f"did you mean '{close[0]}:'? The filter line takes "
                                      f"{LIBRARY_SYNTAX}")
            continue
        shown = f"{typed_name}{op}{value}"
        if op != ":":
            raise ValidationError(f"{shown} is not a filter", _LIBRARY_ADVICE[name])
        if name in chosen:
            raise ValidationError(f"{name}: appears twice",
                                  f"keep one {name}: term (the filters all have to match)")
        answer = value.lower()
        if not answer:
            raise ValidationError(f"{name}: needs a value", _LIBRARY_ADVICE[name])
        if answer not in _YES:
            raise ValidationError(f"{shown} is neither yes nor no", _LIBRARY_ADVICE[name])
        chosen[name] = _YES[answer]
        kept.append(line[at:match.start()])
        at = match.end()
    kept.append(line[at:])
    filters: dict[str, Any] = {}
    search = " ".join("".join(kept).split())
    if search:
        filters["search"] = search
    if chosen:
        filters.update(state=None, trashed=chosen.get("trash", False),
                       archived=chosen.get("archived"))
    return filters
