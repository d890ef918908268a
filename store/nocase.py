"""Zotero's nocase markup: how it is written, and how a person reads text that carries it.

An analyst protects a name from headline capitalisation the way Zotero and citeproc-js users
do, ``<span class="nocase">iStories</span>``, and the CSL item hands the name on with its
markup. Everywhere else (the library, the reader's header, the command line's listing, a CSV
cell, a Markdown report) the name is read, not processed, so it is shown without the markup:
``as_read`` is that one rule. Some names keep their own capitals by themselves
(``keeps_own_capitals``: a web address, a capital inside a word); any other the analyst may
protect as a whole (``protect``, undone by ``as_read``). Small and free of the citations
package, so the screens can use it without importing the citation styles at start.
"""

from __future__ import annotations

import re

NOCASE_OPEN, NOCASE_CLOSE = '<span class="nocase">', "</span>"
_NOCASE = re.compile(re.escape(NOCASE_OPEN) + "(.*?)" + re.escape(NOCASE_CLOSE), re.S)


def unprotected(text: str) -> list[tuple[str, bool]]:
    """Text split at its nocase markup into ``(text, protected)`` runs, the markup removed."""
    runs: list[tuple[str, bool]] = []
    at = 0
    for match in _NOCASE.finditer(text):
        if match.start() > at:
            runs.append((text[at:match.start()], False))
        runs.append((match.group(1), True))
        at = match.end()
    if at < len(text) or not runs:
        runs.append((text[at:], False))
    return runs


def as_read(text: str | None) -> str:
    """``text`` as a person reads it: every nocase span's words kept, its markup left out
    (the citation styles print the same letters). Empty for no text."""
    if not text:
        return ""
    if NOCASE_OPEN not in text:  # the common case, without a regular expression
        return text
    return "".join(run for run, _ in unprotected(text))


def protected_whole(text: str | None) -> bool:
    """Whether all of ``text`` is one nocase span: a name the analyst protected as a whole."""
    if not text or NOCASE_OPEN not in text:
        return False
    runs = unprotected(text)
    return len(runs) == 1 and runs[0][1]


def protect(text: str) -> str:
    """``text`` as read, spaces collapsed, in one nocase span; blank stays blank."""
    words = " ".join(as_read(text).split())
    return NOCASE_OPEN + words + NOCASE_CLOSE if words else words


# A word that is a web address ("rt.com", "Express.co.uk"), or that has a capital after its
# first letter ("POLYGRAPH", "iStories", "MediaZona"): the outlet's own spelling.
_DOMAIN = re.compile(r"[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}/?", re.I)
_INNER_CAPITAL = re.compile(r"\w[^\W\d_]*?[A-Z]")


def keeps_own_capitals(name: str) -> bool:
    """Whether a name is spelt in a way headline capitalisation would spoil: a word of it is a
    web address or has a capital after its first letter. Such a name is protected by itself."""
    return any(_DOMAIN.fullmatch(word) or _INNER_CAPITAL.match(word) for word in name.split())
