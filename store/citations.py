"""Citations of articles and annotations, as plain text an analyst can paste anywhere.

``chicago-note``, ``chicago-bib``, ``apa`` and ``mla`` reproduce, character for character,
what the CSL reference processor (citeproc-js) prints as plain text for an
``article-newspaper`` item with the official CSL styles: "Chicago Manual of Style 17th edition
(notes and bibliography)" (the full note of a first citation, and its bibliography entry),
"APA Style 7th edition" and "MLA Handbook 9th edition". That includes the processor's habits
that a style guide would not predict, such as its headline capitalisation, how it nests and
curls quotation marks, and how it merges punctuation (``“It Ended.,”``), and what the styles
themselves do with missing parts: Chicago prints "n.d." for no date and files an article
without a byline under its newspaper; APA writes "Retrieved" before the URL of an undated
page. The item those styles are given is ``csl_item(article)``, whatever the style. (Checked
against citeproc-js 1.4.63 with the CSL repository's ``chicago-notes-bibliography-17th-edition``,
``apa`` and ``modern-language-association`` as of 2026; rich-text markup inside a title, such
as ``<i>`` or ``<span class="nocase">``, is printed as typed rather than interpreted.)

``analyst`` (the default) is the Chicago note with the annotation's kind, confidence and
grade after it; ``markdown`` is the Chicago note with the outlet in italics and the URL as a
link; ``csl-json`` is the article as a CSL-JSON item.

Pure functions of plain dicts: no database, no terminal.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date

from store.confidence import describe as describe_confidence
from store.errors import ValidationError

STYLES = ("analyst", "chicago-note", "chicago-bib", "apa", "mla", "markdown", "csl-json")
DEFAULT_STYLE = "analyst"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
# The CSL en-US locale's short month names, which MLA uses.
MONTHS_SHORT = ("Jan.", "Feb.", "Mar.", "Apr.", "May", "June", "July", "Aug.", "Sept.",
                "Oct.", "Nov.", "Dec.")

OPEN_QUOTE, CLOSE_QUOTE = "\u201c", "\u201d"
OPEN_INNER, CLOSE_INNER = "\u2018", "\u2019"
APOSTROPHE = "\u2019"
EM_DASH = "\u2014"


# --- the CSL-JSON item ---------------------------------------------------------------------

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


def date_parts(published: str | None) -> list[int] | None:
    """``[year, month, day]`` (or fewer) of an ISO 8601 date or date and time; None if unknown.

    The calendar date is the one written, in the article's own time zone: an article published
    at 01:00+03:00 on 8 September is dated 8 September.
    """
    match = re.match(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?=$|[T\s])", published or "")
    if not match:
        return None
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        date(year, month or 1, day or 1)
    except ValueError:
        return None
    return [p for p in (year, month, day) if p is not None]


def csl_item(article: dict) -> dict:
    """The article as a CSL-JSON ``article-newspaper`` item, the input of every style here."""
    item: dict = {"id": str(article.get("id") or ""), "type": "article-newspaper"}
    title = " ".join((article.get("title") or "").split())
    if title:
        item["title"] = title
    written = article.get("authors") or []
    if isinstance(written, str):  # one string, as in front matter: "A. Author; B. Author"
        written = written.split(";")
    authors = [n for n in (csl_name(a) for a in written) if n]
    if authors:
        item["author"] = authors
    outlet = " ".join((article.get("outlet") or "").split())
    if outlet:
        item["container-title"] = outlet
    if article.get("url"):
        item["URL"] = article["url"].strip()
    parts = date_parts(article.get("published"))
    if parts:
        item["issued"] = {"date-parts": [parts]}
    if date_parts(article.get("accessed")):
        item["accessed"] = {"date-parts": [date_parts(article["accessed"])]}
    if article.get("language"):
        item["language"] = article["language"]
    return item


# --- headline capitalisation, as citeproc-js does it ---------------------------------------

# Words citeproc-js keeps in lower case inside a title (unless first, last, or after : ? !).
# Its list also has phrases ("according to") and forms ("vs.", "d'") that can never match a
# single word once the title is split at spaces and punctuation; only single words act.
_SKIP_WORDS = frozenset("""
    a about above across afore after against al along alongside amid amidst among amongst an
    and anenst apropos apud around as aside astride at athwart atop barring before behind
    below beneath beside besides between beyond but by c ca circa de despite down during et
    except for forenenst from given in inside into lest like modulo near next nor
    notwithstanding of off on onto or out over per plus pro qua sans since so than the through
    throughout thruout till to toward towards under underneath until unto up upon v versus via
    von van vs with within without yet
""".split())
# The words are matched as citeproc-js matches them: a word is short if it *starts* with one
# of them followed by spaces or ": ? !" (so "van" followed by a narrow no-break space counts),
# and "vs." and "v." are patterns in which the dot stands for any character.
_SKIP = re.compile(r"(?:(?:[?!:]*\s+|-|^)(?:" + "|".join(sorted(_SKIP_WORDS)) + r"|vs.|v.)"
                   r"(?=[!?:]*\s+|-|$))")


def _is_short_word(word: str) -> bool:
    return _SKIP.search(word.lower()) is not None


# Where a title splits into words: quotation marks, dashes, slashes, brackets, punctuation.
_CASE_TAG = re.compile("(?:\u2018|\u2019|\u201c|\u201d| \"| '|\"|'"
                       "|[-\u2013\u2014/.,;?!:]|\\[|\\]|\\(|\\))")
_SPACES = re.compile("[\u00a0 \u2000-\u200b\u205f\u3000]+")
_CASE_QUOTES = {" \"": (" '", "\""), " '": (" \"", "'"), OPEN_INNER: (OPEN_INNER, CLOSE_INNER),
                OPEN_QUOTE: (OPEN_QUOTE, CLOSE_QUOTE)}


def _capitalise(word: str) -> str:
    match = re.match(r"(\s*)(.)(.*)", word, re.S)
    if match and not (re.fullmatch("[\u0370-\u03ff]", match.group(2)) and not match.group(3)):
        return match.group(1) + match.group(2).upper() + match.group(3)
    return word


def title_case(text: str) -> str:
    """Headline capitalisation as citeproc-js applies CSL ``text-case="title"``.

    Every word of two or more letters that is not a short word (articles, coordinating
    conjunctions, prepositions) gets a capital, as does the first word, the last word and the
    word after a colon, question or exclamation mark; words with a capital already ("NATO",
    "iPhone") are left alone; parts after a hyphen are words of their own ("Kyiv-Based",
    "up-to-Date"). Its quirks are kept: a word just inside a quotation mark the processor
    cannot pair keeps its first letter as typed.
    """
    if not text:
        return text
    tags = _CASE_TAG.findall(text)
    strings = _CASE_TAG.split(text)
    for i in range(len(tags) - 1, -1, -1):
        # A straight apostrophe with text after it belongs to that text ("it's" → "it", "'s").
        if tags[i] == "'" and strings[i + 1]:
            strings[i + 1] = "'" + strings[i + 1]
            tags[i] = ""
    original = list(strings)
    state = {"first": True, "after_punct": False, "last": None}
    quotes: list[dict] = []

    def capitalise_words(chunk: str, index: int, following_tag: str | None) -> str:
        if not chunk.strip():
            return chunk
        words = _SPACES.split(chunk)
        gaps = _SPACES.findall(chunk)
        for j, word in enumerate(words):
            if not word:
                continue
            lower = word.lower()
            capitalise = (
                (len(word) > 1 and not _is_short_word(word))
                or (j == len(words) - 1 and following_tag == "-")
                or state["first"]
                or state["after_punct"]
            )
            if capitalise and word == lower:
                words[j] = _capitalise(word)
            state["first"] = state["after_punct"] = False
            state["last"] = (index, j)
        return "".join(w + (gaps[k] if k < len(gaps) else "") for k, w in enumerate(words))

    def quote_position(tag: str, pos: int) -> int | None:
        """Track quotation marks; the position of a mark that cannot be paired, if any."""
        match = re.search("(^(?:\u2018|\u2019|\u201c|\u201d|\"|')|(?: \"| ')$)", tag)
        if not match:
            return None
        mark = match.group(1)
        if mark in ("\u201c", "\u2018", " \"", " '"):
            opener, closer = _CASE_QUOTES[mark]
            if not quotes or mark == quotes[-1]["opener"]:
                quotes.append({"opener": opener, "closer": closer, "pos": pos})
                return None
            previous = quotes.pop()["pos"]
            # citeproc-js forgets the position of a mark that replaces an unpaired one.
            quotes.append({"opener": opener, "closer": closer, "pos": None})
            return previous
        if quotes and mark == quotes[-1]["closer"]:
            quotes.pop()
            return None
        return pos

    if strings[0].strip():
        # Only this first call sees the tag after the chunk, so only here does a short word
        # before a hyphen get a capital ("Out-of-Town"); citeproc-js passes it nowhere else.
        strings[0] = capitalise_words(strings[0], 0, tags[0] if tags else None)
    for i, tag in enumerate(tags):
        chunk = strings[i + 1]
        if tag[-1:] in ("!", "?", ":"):
            state["after_punct"] = True
        strings[i + 1] = capitalise_words(chunk, i + 1, None)
        unpaired = quote_position(tag, i)
        if unpaired is not None:
            strings[unpaired + 1] = original[unpaired + 1][:1] + strings[unpaired + 1][1:]
            state["last"] = None
        if chunk.strip():
            state["first"] = state["after_punct"] = False
    for quote in quotes:
        if quote["pos"] is not None:
            pos = quote["pos"]
            strings[pos + 1] = original[pos + 1][:1] + strings[pos + 1][1:]
    if state["last"] is not None:
        index, j = state["last"]
        words = _SPACES.split(strings[index])
        gaps = _SPACES.findall(strings[index])
        if len(words[j]) > 1 and _is_short_word(words[j]):
            words[j] = _capitalise(words[j])
        strings[index] = "".join(w + (gaps[k] if k < len(gaps) else "")
                                 for k, w in enumerate(words))
    out = [strings[0]]
    for tag, chunk in zip(tags, strings[1:]):
        out += [tag, chunk]
    return "".join(out)


# --- quotation marks inside text, as citeproc-js nests and curls them ----------------------

# The characters citeproc-js counts as letters when it tells an apostrophe from a quote.
_LETTER = ("[-0-9a-zA-Z\u0e01-\u0e5b\u00c0-\u017f\u0370-\u03ff\u0400-\u052f\u0590-\u05d4"
           "\u05d6-\u05ff\u1f00-\u1fff\u0600-\u06ff\u200c\u200d\u200e\u0218\u0219\u021a"
           "\u021b\u202a-\u202e]")
_INNER_APOSTROPHE = re.compile(f"({_LETTER})\u2019({_LETTER})")
_QUOTE_OPENERS = (" \"", " '", "(\"", "('", OPEN_QUOTE, OPEN_INNER)
_QUOTE_CLOSERS = ("\"", "'", CLOSE_QUOTE, CLOSE_INNER)
_QUOTE_TAG = re.compile("|".join(re.escape(t) for t in _QUOTE_OPENERS + _QUOTE_CLOSERS))
_CLOSER_OF = {" \"": "\"", "(\"": "\"", " '": "'", "('": "'", OPEN_QUOTE: CLOSE_QUOTE,
              OPEN_INNER: CLOSE_INNER}
_FLIP = {"outer": "inner", "inner": "outer"}


@dataclass
class _Quoted:
    """Text inside quotation marks: ``level`` is "outer" (“ ”) or "inner" (‘ ’)."""

    level: str
    parts: list  # of str and _Quoted


def _nest_quotes(text: str, enclosing: str | None = None) -> list:
    """Split text at its quotation marks into plain strings and ``_Quoted`` parts.

    Straight and curly marks are read alike; each quotation becomes double or single by its
    depth, counting the marks the style puts around the whole (``enclosing``). Marks that
    cannot be paired stay as typed, except that a stray straight apostrophe curls (’).
    """
    text = " " + _INNER_APOSTROPHE.sub(r"\1'\2", text)
    tags = _QUOTE_TAG.findall(text)
    strings = _QUOTE_TAG.split(text)
    if not tags:
        return [text[1:]]
    forced: list[bool] = []  # indexed, as in citeproc-js, by opening mark rather than by mark
    for i in range(len(tags) - 1):
        if tags[i] in _QUOTE_OPENERS:
            if strings[i + 1] == "" and tags[i + 1] in ("\"", "'"):
                tags[i + 1] = " " + tags[i + 1]
                forced.append(True)
            else:
                forced.append(False)

    def forced_at(k: int) -> bool:
        return 0 <= k < len(forced) and forced[k]

    stack: list[tuple[str, int]] = []  # (closing mark, position)
    for i, tag in enumerate(tags):
        following = strings[i + 1]
        if tag == "'" and following and following[0] not in ",.?:; ":
            strings[i + 1] = APOSTROPHE + following
            tags[i] = ""
            continue
        if tag == " '" and following[:1] == " ":
            strings[i + 1] = " " + APOSTROPHE + following
            tags[i] = ""
            continue
        while True:
            if tag in _QUOTE_OPENERS:
                stack.append((_CLOSER_OF[tag], i))
                failed = None
                break
            if stack and tag == stack[-1][0]:
                stack.pop()
                failed = None
                break
            failed = stack[-1][1] if stack else i
            if tag == "'":
                strings[i + 1] = APOSTROPHE + strings[i + 1]
                tags[i] = ""
            else:
                lost = tags[failed][1:] if forced_at(failed - 1) else tags[failed]
                strings[failed + 1] = lost + strings[failed + 1]
                tags[failed] = ""
            if stack and tag != "'":
                stack.pop()
                continue
            break
        if failed is not None:
            strings[i + 1] = tags[i] + strings[i + 1]
            tags[i] = ""
    while stack:
        _, pos = stack.pop()
        if tags[pos] in (" '", "'"):
            strings[pos + 1] = " " + APOSTROPHE + strings[pos + 1]
        else:
            strings[pos + 1] = tags[pos] + strings[pos + 1]
        tags[pos] = ""
    for i in range(len(tags) - 1, -1, -1):
        if not tags[i]:
            strings[i] += strings[i + 1]
            del strings[i + 1], tags[i]

    # The first straight mark decides whether straight double or single marks open the
    # outermost quotation of this text; curly marks keep their own kind.
    outer_kind = {" \"": "outer", "(\"": "outer", " '": "inner", "('": "inner",
                  OPEN_QUOTE: "outer", OPEN_INNER: "inner"}
    seen = False
    for i, tag in enumerate(tags):
        if tag in (" \"", " '", "(\"", "('"):
            if not seen:
                double = tag in (" \"", "(\"")
                outer_kind.update({" \"": "outer" if double else "inner",
                                   "(\"": "outer" if double else "inner",
                                   " '": "inner" if double else "outer",
                                   "('": "inner" if double else "outer"})
                seen = True
            if not forced_at(i - 1):
                strings[i] += tag[0]

    root: list = []
    stack_parts = [root]
    levels: list[str] = []
    first = True

    def add(chunk: str) -> None:
        nonlocal first
        if first:
            chunk = chunk[1:] if chunk[:1] == " " else chunk
            chunk = chunk[1:] if chunk[:1] == " " else chunk
            first = False
        if chunk:
            stack_parts[-1].append(chunk)

    add(strings[0])
    for tag, chunk in zip(tags, strings[1:]):
        if tag in _QUOTE_OPENERS:
            around = levels[-1] if levels else enclosing
            level = _FLIP[around] if around else outer_kind[tag]
            quoted = _Quoted(level, [])
            stack_parts[-1].append(quoted)
            stack_parts.append(quoted.parts)
            levels.append(level)
        else:
            stack_parts.pop()
            levels.pop()
        add(chunk)
    return root


# --- pieces of a citation and the punctuation between them ---------------------------------

# What citeproc-js makes of two punctuation marks that meet: the left one ends a field, the
# right one starts the delimiter or suffix that follows it.
_MEET = {
    "!": {".": "!", "?": "!?", ":": "!", ",": "!,", ";": "!;"},
    "?": {"!": "?!", ".": "?", ":": "?", ",": "?,", ";": "?;"},
    ".": {"!": ".!", "?": ".?", ":": ".:", ",": ".,", ";": ".;"},
    ":": {"!": "!", "?": "?", ".": ":", ",": ":,", ";": ":;"},
    ",": {"!": ",!", "?": ",?", ":": ",:", ".": ",.", ";": ",;"},
    ";": {"!": "!", "?": "?", ":": ";", ",": ";,", ".": ";"},
}


def _meet(left: str, mark: str) -> str:
    if left in _MEET and mark in _MEET[left]:
        return _MEET[left][mark]
    if left == mark:
        return mark
    return left + mark


@dataclass
class _Piece:
    """Rendered text whose last ``closers`` characters close quotations (punctuation goes
    inside them, American style) and whose ``tail`` closes other markup (punctuation goes
    after it)."""

    text: str
    closers: int = 0
    tail: str = ""


class _Line:
    """A citation being written left to right, merging punctuation where fields meet."""

    def __init__(self) -> None:
        self.text = ""
        self.closers = 0
        self.tail = ""

    def mark(self, mark: str) -> None:
        """Add a punctuation mark after what is written, as the processor would."""
        if not self.text:
            return
        end = len(self.text) - self.closers
        body, quotes = self.text[:end], self.text[end:]
        merged = _meet(body[-1:], mark)
        if self.tail:
            # Markdown emphasis: merge with the mark inside it, but write the new mark after.
            if merged != body[-1:]:
                self.text += self.tail + mark
            else:
                self.text += self.tail
        else:
            self.text = body[:-1] + merged + quotes
        self.closers, self.tail = 0, ""

    def add(self, piece: _Piece | str | None, delimiter: str = "") -> None:
        """Add a field after ``delimiter`` (", " or ". "); an empty field adds nothing."""
        if isinstance(piece, str):
            piece = _Piece(piece)
        if piece is None or not piece.text:
            return
        if self.text and delimiter:
            if delimiter[0] in ",.;:":
                self.mark(delimiter[0])
                delimiter = delimiter[1:]
            self.text += self.tail + delimiter
            self.tail = ""
        self.text += piece.text
        self.closers, self.tail = piece.closers, piece.tail

    def end(self, mark: str = "") -> str:
        if mark:
            self.mark(mark)
        return self.text + self.tail


def _render_quotes(parts: list, *, markdown: bool = False) -> _Piece:
    out: list[str] = []
    closers = 0
    for part in parts:
        if isinstance(part, _Quoted):
            inner = _render_quotes(part.parts, markdown=markdown)
            opener, closer = ((OPEN_QUOTE, CLOSE_QUOTE) if part.level == "outer"
                              else (OPEN_INNER, CLOSE_INNER))
            out.append(opener + inner.text + closer)
            closers = inner.closers + 1
        else:
            out.append(_md_escape(part) if markdown else part)
            closers = 0
    return _Piece("".join(out), closers)


def _md_escape(text: str) -> str:
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)


def _prepare(text: str, *, name: bool = False) -> str:
    """What citeproc-js does to every string it prints before anything else: a narrow
    no-break space before a spaced ``: ; ? ! »`` and after ``«``, one space before a
    straight apostrophe, and (except in names) a space before a leading one, which makes it
    an opening quotation mark."""
    text = re.sub(" ([:;?!\u00bb])", "\u202f\\1", text).replace("\u00ab ", "\u00ab\u202f")
    text = re.sub(r"\s+'", " '", text)
    return text if name else re.sub(r"^'", " '", text)


def _text(text: str | None, *, markdown: bool = False, title: bool = False,
          english: bool = True, quoted: bool = False) -> _Piece | None:
    """A field as the styles print it, its quotation marks nested: ``title`` when the style
    asks for title case, which citeproc-js applies only to English (``english``)."""
    if not text:
        return None
    text = _prepare(text)
    # Leading ". : ; ! ?" go in front of the field, outside its quotation marks. When the
    # style sets a text case (even one that ends up doing nothing) the processor then puts
    # the whole string back, so the marks show twice: "...and then" → ...“...And Then”.
    lead = ""
    match = re.match(r"[:.;!? ]+", text) if not text.startswith(" ") else None
    if match and match.end() < len(text):
        lead = match.group(0)
        text = text if title else text[match.end():]
    if title and english:
        text = title_case(text)
    parts = _nest_quotes(text, "outer" if quoted else None)
    if quoted:
        parts = [_Quoted("outer", parts)]
    piece = _render_quotes(parts, markdown=markdown)
    if lead:
        piece.text = (_md_escape(lead) if markdown else lead) + piece.text
    return piece


def _emphasis(piece: _Piece | None) -> _Piece | None:
    """Markdown italics around a field; punctuation that follows goes after them."""
    if piece is None:
        return None
    return _Piece("*" + piece.text, 0, "*")


# --- names ---------------------------------------------------------------------------------

def _curl(text: str) -> str:
    """A name part with its apostrophes and quotation marks curled, as the processor does."""
    return _render_quotes(_nest_quotes(_prepare(text, name=True))).text if text else text


def _part(name: dict, key: str) -> str:
    return _curl(name.get(key, ""))


def _family(name: dict) -> str:
    particle = _part(name, "non-dropping-particle")
    if particle and not particle.endswith(("-", "'", APOSTROPHE)):
        particle += " "
    return particle + _part(name, "family")


def _initials(given: str) -> str:
    """Given names as APA prints them: ``Jean-Paul`` → ``J.-P.``, ``Mary Ann`` → ``M. A.``."""
    given = re.sub(r"\s*-\s*", "-", " ".join(given.split()))
    given = re.sub(r"\.(?=[^\s-])", ". ", given)
    words = []
    for word in given.split(" "):
        # A lower-case letter after a hyphen continues the same name ("Jong-un" → "J.").
        pieces = re.split(r"-(?=[^a-z])", word)
        out = []
        for piece in pieces:
            match = re.match(r"([^\W\d_])([^\W\d_]*)(\.?)", piece)
            if not match or not match.group(1).isupper():
                out.append(piece)
                continue
            head, rest, period = match.groups()
            if rest and period:
                out.append(head + rest + ".")  # an abbreviation such as "Th."
                continue
            # Capitals right after the first letter are kept as one initial ("MArie" →
            # "Ma."), unless the whole name is in capitals ("OLGA" → "O.").
            run = ""
            for c in rest:
                if c != c.upper():
                    break
                run += c
            extra = run.lower() if len(run) < len(rest) else ""
            out.append(head + extra + ".")
        words.append("-".join(out))
    return " ".join(words)


def _display(name: dict) -> str:
    """Given name first: ``Vincent van Gogh``, ``Martin Luther King Jr.``."""
    if "literal" in name:
        return _curl(name["literal"])
    words = [_part(name, "given"), _family(name), _part(name, "suffix")]
    return " ".join(w for w in words if w)


def _inverted(name: dict, *, demote: bool) -> str:
    """Family name first: ``van Gogh, Vincent`` (or ``Gogh, Vincent van`` when demoted)."""
    if "literal" in name:
        return _curl(name["literal"])
    if demote and name.get("non-dropping-particle"):
        given = " ".join(w for w in (_part(name, "given"), _part(name, "non-dropping-particle"))
                         if w)
        out = [_part(name, "family"), given]
    else:
        out = [_family(name), _part(name, "given")]
    if name.get("suffix"):
        out.append(_part(name, "suffix"))
    return ", ".join(w for w in out if w)


def _apa_name(name: dict) -> str:
    if "literal" in name:
        return _curl(name["literal"])
    out = [_family(name), _curl(_initials(name.get("given", "")))]
    if name.get("suffix"):
        out.append(_part(name, "suffix"))
    return ", ".join(w for w in out if w)


def _pair(first: str, second: str, second_name: dict, conjunction: str) -> str:
    # citeproc-js puts the comma before the conjunction of two names only when the second is
    # a person: "Katsimon, Olga, and John Smith" but "Katsimon, Olga and Reuters".
    comma = "," if "literal" not in second_name else ""
    return f"{first}{comma} {conjunction} {second}"


def _series(rendered: list[str], conjunction: str) -> str:
    return ", ".join(rendered[:-1]) + f", {conjunction} " + rendered[-1]


def _names_note(names: list[dict]) -> str:
    shown = [_display(n) for n in names]
    if len(names) == 1:
        return shown[0]
    if len(names) == 2:
        return f"{shown[0]} and {shown[1]}"
    if len(names) == 3:
        return _series(shown, "and")
    return f"{shown[0]} et al."


def _names_chicago_bib(names: list[dict]) -> str:
    shown = [_inverted(names[0], demote=True)] + [_display(n) for n in names[1:]]
    if len(names) == 1:
        return shown[0]
    if len(names) == 2:
        return _pair(shown[0], shown[1], names[1], "and")
    if len(names) >= 11:
        return ", ".join(shown[:7]) + ", et al."
    return _series(shown, "and")


def _names_mla(names: list[dict]) -> str:
    first = _inverted(names[0], demote=False)
    if len(names) == 1:
        return first
    if len(names) == 2:
        return _pair(first, _display(names[1]), names[1], "and")
    return f"{first}, et al."


def _names_apa(names: list[dict]) -> str:
    shown = [_apa_name(n) for n in names]
    if len(names) == 1:
        return shown[0]
    if len(names) == 2:
        return _pair(shown[0], shown[1], names[1], "&")
    if len(names) >= 21:
        return ", ".join(shown[:19]) + ", \u2026 " + shown[-1]
    return _series(shown, "&")


# --- dates ---------------------------------------------------------------------------------

def _date_chicago(parts: list[int] | None) -> str:
    if not parts:
        return "n.d."
    if len(parts) == 3:
        return f"{MONTHS[parts[1] - 1]} {parts[2]}, {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def _date_mla(parts: list[int] | None) -> str:
    if not parts:
        return ""
    if len(parts) == 3:
        return f"{parts[2]} {MONTHS_SHORT[parts[1] - 1]} {parts[0]}"
    if len(parts) == 2:
        return f"{MONTHS_SHORT[parts[1] - 1]} {parts[0]}"
    return str(parts[0])


def _date_apa(parts: list[int] | None) -> str:
    if not parts:
        return "(n.d.)"
    if len(parts) == 3:
        return f"({parts[0]}, {MONTHS[parts[1] - 1]} {parts[2]})"
    if len(parts) == 2:
        return f"({parts[0]}, {MONTHS[parts[1] - 1]})"
    return f"({parts[0]})"


# --- the styles ----------------------------------------------------------------------------

@dataclass
class _Fields:
    names: list[dict]
    title: str
    outlet: str
    url: str
    parts: list[int] | None
    english: bool


def _fields(item: dict) -> _Fields:
    language = str(item.get("language") or "")
    # citeproc-js title-cases only items whose language starts with "en", or has none.
    english = not language or language[:2].lower() == "en"
    issued = item.get("issued", {}).get("date-parts") or [None]
    return _Fields(item.get("author", []), item.get("title", ""),
                   item.get("container-title", ""), item.get("URL", ""), issued[0], english)


def _chicago_note(item: dict, *, markdown: bool = False) -> str:
    f = _fields(item)
    line = _Line()
    names = _names_note(f.names) if f.names else ""
    line.add(_md_escape(names) if markdown else names)
    # A title inside a newspaper is quoted; without an outlet it stands alone, in italics.
    title = _text(f.title, title=True, english=f.english, quoted=bool(f.outlet),
                  markdown=markdown)
    if markdown and not f.outlet:
        title = _emphasis(title)
    line.add(title, ", ")
    outlet = _text(f.outlet, title=True, english=f.english, markdown=markdown)
    line.add(_emphasis(outlet) if markdown else outlet, ", ")
    line.add(_date_chicago(f.parts), ", ")
    line.add(_md_link(f.url) if markdown else f.url, ", ")
    return line.end(".")


def _chicago_bib(item: dict) -> str:
    f = _fields(item)
    title = _text(f.title, title=True, english=f.english, quoted=bool(f.outlet))
    outlet = _text(f.outlet, title=True, english=f.english)
    line = _Line()
    # Without an author, the outlet (or else the title) takes the author's place.
    if f.names:
        line.add(_names_chicago_bib(f.names))
        line.add(title, ". ")
    elif outlet:
        line.add(outlet)
        line.add(title, ". ")
        outlet = None
    else:
        line.add(title)
    source = _Line()
    source.add(outlet)
    source.add(_date_chicago(f.parts), ", ")
    line.add(_Piece(source.text, source.closers), ". ")
    line.add(f.url, ". ")
    return line.end(".")


def _mla(item: dict) -> str:
    f = _fields(item)
    line = _Line()
    if f.names:
        line.add(_names_mla(f.names))
    line.add(_text(f.title, title=True, english=f.english, quoted=bool(f.outlet)), ". ")
    container = _Line()
    container.add(_text(f.outlet, title=True, english=f.english))
    container.add(_date_mla(f.parts), ", ")
    container.add(f.url, ", ")
    line.add(_Piece(container.text, container.closers), ". ")
    return line.end(".")


def _apa(item: dict) -> str:
    f = _fields(item)
    title = _text(f.title)
    line = _Line()
    if f.names:
        line.add(_names_apa(f.names))
        line.add(_date_apa(f.parts), ". ")
        line.add(title, ". ")
    else:
        line.add(title)
        line.add(_date_apa(f.parts), ". ")
    line.add(_text(f.outlet, title=True, english=f.english), ". ")
    if f.url:
        line.mark(".")
        # APA 7 asks for "Retrieved <date> from" before the URL of an undated page; the style
        # prints the word even when no access date is known, and so does this.
        url = f.url if f.parts else f"Retrieved {f.url}"
        line.add(url, " ")
        return line.end()
    return line.end(".")


def _md_link(url: str) -> str:
    if not url:
        return ""
    target = f"<{url}>" if re.search(r"[\s()<>]", url) else url
    return f"[{_md_escape(url)}]({target})"


_RENDER = {"chicago-note": _chicago_note, "chicago-bib": _chicago_bib, "apa": _apa,
           "mla": _mla}


def _check_style(style: str) -> str:
    if style not in STYLES:
        raise ValidationError(f"Unknown citation style {style!r}",
                              "use one of: " + ", ".join(STYLES), field="style")
    return style


def cite_article(article: dict, style: str = DEFAULT_STYLE) -> str:
    """The citation of an article in ``style`` (one of ``STYLES``)."""
    _check_style(style)
    item = csl_item(article)
    if style in ("analyst", "chicago-note"):
        return _chicago_note(item)
    if style == "markdown":
        return _chicago_note(item, markdown=True)
    if style == "csl-json":
        return json.dumps([item], indent=2, ensure_ascii=False)
    return _RENDER[style](item)


# --- annotations ---------------------------------------------------------------------------

def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def attribution(annotation: dict) -> str:
    """Who said it, as the lead of a citation: ``Source, role (via)``; empty if unknown."""
    who = ", ".join(p for p in (_one_line(annotation.get("source") or ""),
                                _one_line(annotation.get("role") or "")) if p)
    via = _one_line(annotation.get("via") or "")
    if who and via:
        return f"{who} ({via})"
    return who or via


def _sentence(text: str) -> str:
    """End a sentence with a period unless it already ends with one (or ? or !)."""
    return text if text.endswith((".", "?", "!", "\u2026")) else text + "."


def _lead(annotation: dict) -> str:
    """The span and who said it, before the citation of the article.

    A quote is in quotation marks, a claim (the article's wording, not necessarily anyone's
    words) follows ``Claim:``. With nobody named, a quote's closing mark ends it and the
    citation follows after a space; a claim is closed as a sentence.
    """
    exact = _one_line(annotation.get("exact") or "")
    who = attribution(annotation)
    if annotation.get("kind") == "claim":
        span = f"Claim: {exact}"
        return f"{span} {EM_DASH} {_sentence(who)}" if who else _sentence(span)
    span = f"{OPEN_QUOTE}{exact}{CLOSE_QUOTE}"
    return f"{span} {EM_DASH} {_sentence(who)}" if who else span


def _tally(annotation: dict) -> str:
    """``[quote · likely (68%) · B2]``, leaving out what is not known."""
    parts = [annotation.get("kind") or "quote"]
    if annotation.get("confidence") is not None:
        parts.append(describe_confidence(annotation["confidence"]))
    if annotation.get("grade"):
        parts.append(annotation["grade"])
    return "[" + " \u00b7 ".join(parts) + "]"


def _blockquote(text: str) -> str:
    lines = (text or "").split("\n")
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def cite_annotation(annotation: dict, article: dict, style: str = DEFAULT_STYLE) -> str:
    """The citation of an annotation: its span and who said it, then the article's citation.

    ``analyst`` adds ``[kind · confidence · grade]``; ``markdown`` puts the span in a
    blockquote with the attribution and citation below it; ``csl-json`` is the article's item.
    """
    _check_style(style)
    if style == "csl-json":
        return cite_article(article, style)
    if style == "markdown":
        who = attribution(annotation)
        lead = f"{EM_DASH} {_sentence(_md_escape(who))} " if who else ""
        quote = _blockquote(annotation.get("exact") or "")
        return f"{quote}\n\n{lead}{cite_article(article, style)}"
    citation = cite_article(article, "chicago-note" if style == "analyst" else style)
    text = f"{_lead(annotation)} {citation}"
    if style == "analyst":
        text += " " + _tally(annotation)
    return text
