"""Reading a byline into CSL names: people split into given and family, organisations kept whole."""

from __future__ import annotations

import re

_SUFFIXES = {"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"}
# Lower-case particles that belong to the family name ("Vincent van Gogh", "Jean de la
# Fontaine"); CSL calls them non-dropping particles.
_PARTICLES = {"van", "von", "de", "der", "den", "del", "della", "dei", "di", "da", "das", "dos",
              "do", "du", "la", "le", "les", "ter", "ten", "te", "zu", "zum", "zur", "bin",
              "ibn", "al", "el"}
# A word like these in a byline means an organisation ("Ministry of Defence of Ukraine",
# "Staff Reporter", "Reuters"), which is cited as written, never split into given and family.
_ORGANISATION_WORDS = {
    "agency", "army", "associated", "association", "board", "bureau", "center", "centre",
    "college", "command", "committee", "company", "corp", "corporation", "council", "department",
    "desk", "editorial", "editors", "embassy", "forces", "foundation", "gazette", "government",
    "group", "herald", "inc", "institute", "institution", "intelligence", "journal", "llc", "ltd",
    "media", "ministry", "network", "news", "newsroom", "office", "organisation",
    "organization", "police", "post", "press", "reporter", "reporters", "service", "services",
    "staff", "team", "times", "tribune", "university", "wire",
}
_CONNECTIVES = {"of", "the", "for", "and", "on", "at", "in"}
_HAS_LATIN_OR_CYRILLIC = re.compile(r"[A-Za-z\u00c0-\u024f\u0370-\u03ff\u0400-\u052f]")


def _normal_given(given: str) -> str:
    """Spell initials the way the styles print them: ``C.S.`` → ``C. S.``, ``B`` → ``B.``."""
    words = []
    for word in given.split():
        if re.fullmatch(r"(?:[^\W\d_]\.)+[^\W\d_]?", word) or re.fullmatch(r"[^\W\d_]", word):
            letters = [c for c in word if c != "."]
            if all(c.isupper() for c in letters):
                words.extend(f"{c}." for c in letters)
                continue
        words.append(word)
    return " ".join(words)


def _is_organisation(words: list[str]) -> bool:
    for word in words:
        bare = word.strip(".,;:()").casefold()
        if bare in _ORGANISATION_WORDS or bare in _CONNECTIVES or "&" in word:
            return True
        if any(c.isdigit() for c in word):
            return True
        letters = [c for c in word if c.isalpha()]
        if (len(letters) >= 2 and all(c.isupper() for c in letters) and "." not in word
                and bare not in _SUFFIXES):
            return True  # an acronym ("BBC News", "AFP"), not initials ("C.S. Lewis")
    return False


def _split_particles(words: list[str]) -> tuple[str, list[str]]:
    """Lower-case particles at the front of a family name, and the rest of it."""
    particles: list[str] = []
    rest = list(words)
    while len(rest) > 1 and rest[0] in _PARTICLES:
        particles.append(rest.pop(0))
    if len(rest) == 1 and not particles:
        hyphenated = re.fullmatch(r"(al|el)-(\w.*)", rest[0])
        if hyphenated:  # "al-Assad": the particle keeps its hyphen and takes no space
            return f"{hyphenated.group(1)}-", [hyphenated.group(2)]
    return " ".join(particles), rest


def csl_name(text: str) -> dict | None:
    """One author as a CSL name: ``{"family", "given"}`` for a person, else ``{"literal"}``.

    A single word, an organisation ("Ministry of Defence", "BBC News"), or a name in a script
    whose order the styles cannot invert stays as written. ``Last, First`` is understood, as
    are particles ("Vincent van Gogh") and suffixes ("Martin Luther King Jr.").
    """
    text = " ".join((text or "").split())
    if not text:
        return None
    if text.startswith("{") and text.endswith("}"):  # marked an organisation (store.metadata)
        return {"literal": text[1:-1].strip()}
    suffix = ""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) >= 2 and parts[-1].casefold() in _SUFFIXES:
        suffix = parts.pop()
    if len(parts) == 2 and parts[0] and parts[1]:
        family_words, given_words = parts[0].split(), parts[1].split()
    elif len(parts) == 1:
        words = parts[0].split()
        if len(words) >= 2 and words[-1].casefold() in _SUFFIXES and not suffix:
            suffix = words.pop()
        if len(words) < 2:
            return {"literal": text}
        # The family name starts at the first lower-case particle after the given names, or
        # is the last word.
        start = len(words) - 1
        for i in range(1, len(words) - 1):
            # Capitalised particles stay part of the family name: "Marine Le Pen".
            if words[i].lower() in _PARTICLES:
                start = i
                break
        given_words, family_words = words[:start], words[start:]
    else:
        return {"literal": text}
    if (_is_organisation(given_words + family_words)
            or not _HAS_LATIN_OR_CYRILLIC.search(" ".join(family_words))):
        return {"literal": text}
    particle, family_words = _split_particles(family_words)
    name = {"family": " ".join(family_words), "given": _normal_given(" ".join(given_words))}
    if particle:
        name["non-dropping-particle"] = particle
    if suffix:
        name["suffix"] = suffix
    return name
