"""Headline capitalisation, as citeproc-js applies it to titles and outlets."""

from __future__ import annotations

import re

from store.citations.marks import CLOSE_INNER, CLOSE_QUOTE, OPEN_INNER, OPEN_QUOTE
from store.nocase import NOCASE_CLOSE, NOCASE_OPEN, keeps_own_capitals

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


# --- text protected from capitalisation ----------------------------------------------------

# The markup itself, reading text without it, and which names keep their own capitals by
# themselves live in store.nocase.


def protect_outlet(outlet: str) -> str:
    """The outlet as the CSL item gives it: wrapped in nocase markup when it keeps its own
    capitals, and as written if it has such markup already (the analyst's own choice)."""
    if NOCASE_OPEN in outlet or not keeps_own_capitals(outlet):
        return outlet
    return NOCASE_OPEN + outlet + NOCASE_CLOSE


def title_case_runs(runs: list[tuple[str, bool]]) -> str:
    """Headline capitalisation of text some of which is protected: the whole is capitalised as
    one title (so first and last words are found as citeproc-js finds them), then protected
    runs get their letters back as written."""
    plain = "".join(text for text, _ in runs)
    if all(protected for _, protected in runs):
        return plain
    cased = title_case(plain)
    if len(cased) != len(plain):  # a letter whose capital is two letters: keep it all as written
        return plain
    out, at = [], 0
    for text, protected in runs:
        out.append(plain[at:at + len(text)] if protected else cased[at:at + len(text)])
        at += len(text)
    return "".join(out)
