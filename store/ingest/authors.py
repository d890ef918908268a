"""Which names a page gives as its author are names of authors at all.

A page's byline is often not a byline: a fact-check names the party it checks, a byline
runs on into the writer's job ("… is a reporter") or employer ("Name. Sputnik International"),
or a site label rides along. A citation with no author is still a valid citation; one with
a wrong author is not. So a byline is kept only when every name in it looks like a person
or an organisation (see ``looks_like_a_name``); otherwise the author is left empty and the
draft says why. A news agency's credit is not an author either, and a person's name that a
page sets in capitals is stored as running text writes it.
"""

from __future__ import annotations

import re

from store.citations.bylines import csl_name
from store.ingest.linked_data import plain_letters

# "Analysis by Chris Cillizza", "By Olga Katsimon": the label is not part of the name.
_BY_PREFIX_RE = re.compile(r"^(?:[A-Za-z]+\s+)?by\s+", re.IGNORECASE)
# "Phil Helsel is a reporter for NBC News": the name ends where the sentence about it starts.
_JOB_SENTENCE_RE = re.compile(r"\s+is\s+(?:a|an|the)\s.*$", re.IGNORECASE)
# Lower-case words that may sit inside a person's name ("Ursula von der Leyen") or an
# organisation's ("Institute for the Study of War").
_NAME_PARTICLES = frozenset(
    "al ap ben bin bint d da das de del della den der di do dos du el ibn la le van von y zu "
    "and for of on the".split()
)
# "al-Assad", "d'Alembert": a lower-case particle joined to a capitalised name.
_JOINED_PARTICLE_RE = re.compile(r"^(?:al|el|ad|ud|bin|ibn|d|l)[-'’]\w", re.IGNORECASE)
# Initials ("O.", "J.R.R.") are the only words of a name with a full stop inside or after.
_INITIALS_RE = re.compile(r"^(?:[^\W\d_]\.)+$")
_WORD_RE = re.compile(r"^[^\W\d_][^\W\d_'’-]*(?:[-'’][^\W\d_]+)*[.,]?$")
_MAX_NAME_WORDS = 8
# The site's account that posted the page ("admin", "Jdadmin", "webmaster"), not a writer.
_ACCOUNT_RE = re.compile(r"^(?:\w*admin\w*|webmaster)$", re.IGNORECASE)
# "Finian Cunningham. Sputnik International": a full stop after a whole word (not after an
# initial, as in "Sarah E. Needleman") ends the name, and where the author works follows.
_AFFILIATION_RE = re.compile(r"^(.*?[^\W\d_]{2})\.\s+\S")
# Abbreviations that end in a full stop inside a name: "Dr. Jane Roe", "John Smith Jr.".
_ABBREVIATIONS = frozenset("capt col dr gen hon jr lt mr mrs ms prof rev sgt sr st".split())
# Job titles that bylines list beside the name: they describe an author, they are not one.
_ROLE_RE = re.compile(r"(?:editor(?:-at-large)?|reporter|correspondent|columnist|contributor|writer|staff)", re.IGNORECASE)


def cleaned_name(name: str) -> str:
    """``name`` without a leading "By"/"Analysis by", a trailing "is a …" sentence, or the
    label that follows a name set in capitals."""
    return _without_label_after_capitals(_JOB_SENTENCE_RE.sub("", _BY_PREFIX_RE.sub("", name.strip())).strip())


def _without_label_after_capitals(name: str) -> str:
    """"JILL LAWLESS Associated Press" as "JILL LAWLESS": a byline in capitals ends where they do.

    Pages that set bylines in capitals put the agency or desk after them in ordinary case,
    and the two arrive as one string. Only a name of two or more words in capitals, followed
    by capitalised words in ordinary case, is cut.
    """
    words = name.split()
    capitals = 0
    while capitals < len(words) and words[capitals].isupper() and len(words[capitals]) > 1:
        capitals += 1
    rest = words[capitals:]
    if capitals >= 2 and rest and all(word[0].isupper() and not word.isupper() for word in rest):
        return " ".join(words[:capitals])
    return name


def name_before_affiliation(byline: str) -> str | None:
    """The name in a byline written "Name. Organisation"; None when it is not written so."""
    match = _AFFILIATION_RE.match(byline.strip())
    if not match:
        return None
    name = match.group(1)
    words = name.split()
    if len(words) < 2 or words[-1].casefold() in _ABBREVIATIONS or not looks_like_a_name(name):
        return None
    return name


def looks_like_a_name(name: str) -> bool:
    """Whether ``name`` reads as a person's or an organisation's name.

    A name is one to eight words, each capitalised (or an initial, or a particle such as
    "de", "al-" or "of"), with no digits, addresses or separators such as "·" or "|", and is
    not a site account such as "admin". Words in scripts without capitals pass: their case
    says nothing.
    """
    words = name.split()
    if not words or len(words) > _MAX_NAME_WORDS or _ACCOUNT_RE.match(name):
        return False
    for word in words:
        if word.casefold() in _NAME_PARTICLES or _JOINED_PARTICLE_RE.match(word) or _INITIALS_RE.match(word):
            continue
        if not _WORD_RE.match(word) or word[0].islower():
            return False
    return True


def checked_authors(names: list[str]) -> tuple[list[str], str | None]:
    """The authors worth keeping from a page's byline, and a notice when it was set aside.

    Job titles listed as names are dropped, and so are news agencies' credits ("PTI",
    "Reuters"): a wire credit says where the story came from, not who wrote it. If any other
    name does not look like a name, the whole byline is doubtful (its parts were split from
    one string), so no author is kept and the notice says which byline was left out. A
    person's name set in capitals is kept in ordinary case (see ``in_ordinary_case``).
    """
    kept: list[str] = []
    credits: list[str] = []
    for raw in names:
        name = cleaned_name(raw)
        if not name or _ROLE_RE.fullmatch(name.split()[-1]):
            continue
        if is_wire_credit(name):
            credits.append(name)
            continue
        if not looks_like_a_name(name):
            byline = "; ".join(names)
            return [], (
                f"the author was left empty: the page's byline '{byline}' does not read as the "
                "name of a person or organisation"
            )
        name = in_ordinary_case(name)
        if name not in kept:
            kept.append(name)
    if credits and not kept:
        return [], f"the author was left empty: '{'; '.join(credits)}' credits a news agency, not a writer"
    if credits:
        return kept, f"the news agency credit '{'; '.join(credits)}' was not kept as an author"
    return kept, None


# News agencies whose name in a byline credits the wire the story came from, spelt as their
# letters in lower case ("Agence France-Presse" is "agencefrancepresse").
_WIRE_AGENCIES = frozenset(
    "aap afp agencefrancepresse anadolu anadoluagency ani ansa ap apa associatedpress bernama "
    "canadianpress cp dpa efe ians interfax irna kyodo kyodonews pa pamedia pressassociation "
    "presstrustofindia pti reuters rianovosti tass theassociatedpress thecanadianpress "
    "thepressassociation thomsonreuters ukrinform uni unian upi unitedpressinternational xinhua "
    "xinhuanewsagency yonhap yonhapnewsagency".split()
)


def is_wire_credit(name: str) -> bool:
    """Whether a byline name is a news agency's credit ("PTI", "The Associated Press")."""
    return plain_letters(name) in _WIRE_AGENCIES


# Suffixes that stay in capitals in a name ("John Smith III").
_ROMAN_SUFFIXES = frozenset("ii iii iv v vi".split())
_VOWELS = frozenset("aeiouyàáâãäåæèéêëìíîïòóôõöøùúûüýÿ")
_MAX_CAPITALS_WORDS = 5


def in_ordinary_case(name: str) -> str:
    """A person's name set in capitals ("DANICA KIRKA") as running text writes it ("Danica Kirka").

    Pages that set bylines in capitals do it for looks; citation styles read a word in
    capitals as an acronym, so "DANICA KIRKA" would be cited as an organisation. Only a name
    that reads as a person's is changed: two to five words, each of letters (with hyphens or
    apostrophes) and a vowel, no news agency among them, and a name the citations would
    split into given and family names, not cite whole as an organisation's. One word ("PTI") or a word with
    no vowel ("BBC", "NPR") is an acronym, and the name is kept as written. Particles inside
    the name go to lower case ("VON DER LEYEN" as "von der Leyen"), hyphenated names keep a
    capital on each part, and Mc, Mac and O' names their second capital ("McCain", "MacLeod",
    "O'Brien").
    """
    words = name.split()
    if not name.isupper() or not 2 <= len(words) <= _MAX_CAPITALS_WORDS:
        return name
    for word in words:
        letters = word.replace("-", "").replace("'", "").replace("’", "").rstrip(".,")
        if _INITIALS_RE.match(word) or word.casefold() in _ROMAN_SUFFIXES:
            continue
        if not letters.isalpha() or not _VOWELS & set(letters.casefold()) or is_wire_credit(letters):
            return name
    last = len(words) - 1
    cased = " ".join(_word_in_case(word, first=index == 0, last=index == last) for index, word in enumerate(words))
    # The citations' own judgement of person and organisation ("SOUTH CHINA MORNING POST" is
    # an organisation, cited as written): only a name they would cite as a person is changed.
    return cased if "family" in (csl_name(cased) or {}) else name


def _word_in_case(word: str, *, first: bool, last: bool) -> str:
    """One word of a name in capitals, in ordinary case, by its place in the name."""
    folded = word.casefold()
    if _INITIALS_RE.match(word) or folded in _ROMAN_SUFFIXES:
        return word
    if not first and not last and folded in _NAME_PARTICLES:
        return folded  # "Ursula von der Leyen"
    parts = re.split(r"([-'’])", word)
    cased = [_part_in_case(part) for part in parts]
    if not first and _JOINED_PARTICLE_RE.match(word):
        cased[0] = cased[0].casefold()  # "Bashar al-Assad", "Jean d'Alembert"
    return "".join(cased)


def _part_in_case(part: str) -> str:
    """A piece of a name between hyphens or apostrophes, capitalised the way names are."""
    if len(part) > 3 and part[:2].casefold() == "mc":
        return "Mc" + part[2:].capitalize()
    # "MACLEOD" as "MacLeod", but "MACHADO", "MACKEY", "MACEY" and "MACRON" as written in
    # ordinary case: the capital after Mac is a guess that only a consonant other than h or
    # k, followed by at least three more letters, makes likely.
    rest = part[3:].casefold()
    if part[:3].casefold() == "mac" and len(rest) >= 4 and rest[0] not in _VOWELS and rest[0] not in "hk":
        return "Mac" + rest.capitalize()
    return part.capitalize()
