"""Who said it: names near a span, from a `Source:` line or "X said", to suggest as its source."""

from __future__ import annotations

import re
from dataclasses import dataclass

from store.spans.saying import SAYING
from store.spans.sentences import Boundaries


@dataclass(frozen=True)
class SourceHint:
    """A name the article gives for who said something, with what else it says about them."""

    name: str
    role: str | None = None
    via: str | None = None


# A capitalised word of a name, or an initial ("J."); a full stop after a longer word ends
# the sentence, not the name.
_NAME_WORD = r"(?:[A-Z]\.|[A-Z][\w’'\-]*)"
_SAID = re.compile(
    rf"(?P<name>{_NAME_WORD}(?:[^\S\n]+{_NAME_WORD})*)[^\S\n]+(?:also[^\S\n]+|further[^\S\n]+|"
    rf"then[^\S\n]+|later[^\S\n]+|has[^\S\n]+|had[^\S\n]+)?"
    rf"(?:{SAYING})\b")
_SAID_AFTER = re.compile(
    rf"[,”\"][^\S\n]+(?:said|says)[^\S\n]+(?P<name>{_NAME_WORD}(?:[^\S\n]+{_NAME_WORD})*)")
_ACCORDING = re.compile(
    rf"\b[Aa]ccording to[^\S\n]+(?P<name>(?:the[^\S\n]+)?{_NAME_WORD}"
    rf"(?:[^\S\n]+(?:{_NAME_WORD}|of|the|for|and))*)")
_SOURCE_LINE = re.compile(r"^[^\S\n]*Sources?:[^\S\n]*(?P<rest>[^\n]+)", re.MULTILINE)
_NOT_NAMES = frozenset(
    "he she they it we i you this that these those there the a an his her their its our "
    "who which what officials official spokesperson spokesman spokeswoman police reports "
    "report media sources source".split())
# Words of a title or of a kind of body, which name nobody in particular: capitalised before
# a name ("Defence Minister Rustem Umerov said") they are the speaker's role, and a speaker
# made of nothing else ("Intelligence has noted", at a sentence's start) is no one to suggest.
_ROLE_WORDS = frozenset(
    "president vice prime minister deputy head chief colonel lieutenant captain "
    "commander secretary ambassador governor mayor senator adviser advisor director "
    "chairman chairwoman envoy defence defense foreign interior intelligence military army "
    "navy government authorities prosecutor prosecutors analysts experts".split())
# Words of an organisation's name ("Defence Ministry", "General Staff"): such a name is kept
# whole, titles and all.
_BODY_WORDS = frozenset(
    "ministry department directorate staff service services office command council agency "
    "committee administration forces bureau headquarters".split())
_LEADING = {"but", "and", "also", "however", "details:", "background:", "quote:", "source:"}


def _generic(word: str) -> bool:
    """Whether ``word`` names no one: a pronoun, a role or a kind of body."""
    word = word.lower()
    return word in _NOT_NAMES or word in _ROLE_WORDS


def _clean_name(name: str) -> tuple[str, str | None] | None:
    """The name in a run of capitalised words, and the title before it (its role, or None);
    None when the words name no one."""
    words = name.split()
    while words and (words[0].lower() in _NOT_NAMES or words[0].lower() in _LEADING):
        words.pop(0)
    while words and words[-1].lower() in {"of", "the", "and", "for"}:
        words.pop()
    words = [w.rstrip(":,") for w in words]
    if not words or all(_generic(w) for w in words):
        return None
    if any(w.lower() in _BODY_WORDS or not w[:1].isupper() for w in words):
        return " ".join(words), None
    role: list[str] = []
    # A title, perhaps after whose it is ("Ukraine’s Foreign Minister"), comes off the front.
    while len(words) > 1 and (_generic(words[0]) or (not role and re.search("[’']s$", words[0])
                                                      and _generic(words[1]))):
        role.append(words.pop(0))
    return " ".join(words), " ".join(role) or None


def _source_lines(text: str) -> list[tuple[int, SourceHint]]:
    """The article's ``Source:`` lines as hints: name, then role, then the channel."""
    hints = []
    for match in _SOURCE_LINE.finditer(text):
        parts = [p.strip() for p in re.split(r",(?![^()]*\))", match.group("rest")) if p.strip()]
        if not parts:
            continue
        cleaned = _clean_name(parts[0])
        if not cleaned:
            continue
        name, role = cleaned
        via = None
        for part in parts[1:]:
            channel = re.match(r"(?:in|on|via|during|at)\s+(?:an?\s+|the\s+)?(.+)", part)
            if channel and via is None:
                via = channel.group(1).strip()
            elif role is None:
                role = part
        hints.append((match.start(), SourceHint(name, role, via)))
    return hints


def _speakers(text: str, start: int, end: int) -> list[tuple[int, SourceHint]]:
    """Names introduced as speakers ("X said", "according to X") in ``text[start:end]``,
    with the title written before a name as its role."""
    found = []
    for pattern in (_SAID, _SAID_AFTER, _ACCORDING):
        for match in pattern.finditer(text, start, end):
            cleaned = _clean_name(match.group("name"))
            if cleaned:
                found.append((match.start("name"), SourceHint(*cleaned)))
    return found


def source_hints(text: str, start: int, end: int, bounds: Boundaries | None = None,
                 reach: int = 6) -> list[SourceHint]:
    """Who the article says spoke the span ``text[start:end]``, most likely first.

    Looks at the span's own paragraph ("X said", "says X", "according to X"), then at the
    article's ``Source:`` line, then at speakers named in the ``reach`` paragraphs before.
    A surname alone ("Skibitskyi") becomes the full name if the article gives it elsewhere.
    """
    bounds = bounds or Boundaries(text)
    spans = bounds.paragraphs
    index = bounds.paragraph_index(start)
    if index < 0:
        return []
    lines = _source_lines(text)
    full_names = [hint.name for _, hint in lines]
    ordered: list[SourceHint] = []

    def add(hint: SourceHint) -> None:
        for known in full_names:
            if known != hint.name and known.split()[-1] == hint.name.split()[-1]:
                hint = SourceHint(known, hint.role, hint.via)
        if all(h.name.lower() != hint.name.lower() for h in ordered):
            ordered.append(hint)
        else:
            # The same person found again may carry the role or channel the first lacked.
            for i, h in enumerate(ordered):
                if h.name.lower() == hint.name.lower():
                    ordered[i] = SourceHint(h.name, h.role or hint.role, h.via or hint.via)

    p_start, p_end = spans[index]
    own = _speakers(text, p_start, p_end)
    own.sort(key=lambda item: abs(item[0] - start))
    for _, hint in own:
        add(hint)
    before = [hint for position, hint in lines if position <= start]
    after = [hint for position, hint in lines if position > start]
    for hint in reversed(before):
        add(hint)
    for i in range(index - 1, max(-1, index - 1 - reach), -1):
        for _, hint in reversed(_speakers(text, *spans[i])):
            add(hint)
    for hint in after:
        add(hint)
    # Fill in the role and channel of names the Source: line describes.
    described = {hint.name.lower(): hint for _, hint in lines}
    return [SourceHint(h.name, h.role or getattr(described.get(h.name.lower()), "role", None),
                       h.via or getattr(described.get(h.name.lower()), "via", None))
            for h in ordered]
