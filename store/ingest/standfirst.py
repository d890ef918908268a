"""The parts of an article that pages keep outside its body element: the standfirst (a
summary or lead under the headline) and subheadings marked up as styled boxes.

Text extractors look for the body and drop what sits beside it, so a lead such as
``<div class="article__summary">`` goes missing although it is the article's opening
sentence. A standfirst is put back when it reads as prose and sits just before the body.
"""

from __future__ import annotations

import re
from typing import Any

from store.text import normalise

# Class names pages give a standfirst: "article__summary", "standfirst", "content-header__dek",
# "b-article__lead", "strapline". ("intro" and "subtitle" name too many other things.)
_STANDFIRST_CLASS_RE = re.compile(r"(?:^|[_-])(?:summary|standfirst|dek|lede|lead|strapline)$", re.I)
# Class names of subheadings drawn as boxes rather than <h2>: "pf_subheadline", "sub-heading".
_SUBHEADING_CLASS_RE = re.compile(r"(?:^|[_-])sub-?head(?:line|ing)s?$", re.I)
_SENTENCE_END_RE = re.compile(r"[.!?…][\"'”’)]*$")
_STANDFIRST_WORDS = (6, 80)
_SUBHEADING_MAX_WORDS = 25
# The heading that holds a standfirst when it comes straight after the <h1>, as on Express.
# Not <h2>: WSJ writes its dek so, and the corpus's hand-checked text leaves it out (with it,
# that short paywalled page's precision falls from 1.0 to 0.69 and the corpus F1 to 0.9870).
_HEADLINE_STANDFIRST_TAG = "h3"
# How far above the standfirst the body may branch off: the two share a near ancestor.
_MAX_LEVELS_APART = 5
# A standfirst never sits inside these: they hold teasers for other pages and captions.
_NOT_INSIDE = frozenset("a nav aside footer li figure figcaption button form".split())


def mark_subheadings(tree: Any) -> None:
    """Make boxes that a page styles as subheadings paragraphs of their own.

    Paragraphs, because extraction keeps them where it drops some headings inside a body.
    """
    for element in tree.iter("div", "span", "p"):
        classes = (element.get("class") or "").split()
        if any(_SUBHEADING_CLASS_RE.search(name) for name in classes):
            if 0 < len(element.text_content().split()) <= _SUBHEADING_MAX_WORDS:
                element.tag = "p"


def with_standfirst(tree: Any, text: str) -> str:
    """``text`` with the page's standfirst as its first paragraph, when it has one that is
    not already in the text.

    A standfirst is an element with a standfirst class name (or an <h3> straight under the
    <h1>) that comes before the body, is a sentence of six to eighty words, and shares an
    ancestor with the body's first paragraph at most five levels up.
    """
    first = _flat(text.partition("\n\n")[0])[:60]
    if not first:
        return text
    body_start = next((element for element in tree.iter() if isinstance(element.tag, str)
                       and _flat(element.text_content()).startswith(first)), None)
    if body_start is None:
        return text
    flat_text = _flat(text)
    body_line = set(body_start.iterancestors())
    for element in tree.iter():
        if element is body_start:
            break
        if not isinstance(element.tag, str) or element in body_line or not _looks_like_standfirst(element):
            continue
        candidate = _flat(element.text_content())
        low, high = _STANDFIRST_WORDS
        if (low <= len(candidate.split()) <= high and _SENTENCE_END_RE.search(candidate)
                and candidate not in flat_text and _near(element, body_line)):
            return f"{normalise(candidate)}\n\n{text}"
    return text


def _looks_like_standfirst(element: Any) -> bool:
    """A standfirst by its class name or by its place under the headline, outside links,
    lists, captions and page furniture."""
    if any(ancestor.tag in _NOT_INSIDE for ancestor in element.iterancestors()) or element.tag in _NOT_INSIDE:
        return False
    classes = (element.get("class") or "").split()
    return any(_STANDFIRST_CLASS_RE.search(name) for name in classes) or _is_heading_under_headline(element)


def _is_heading_under_headline(element: Any) -> bool:
    """Whether ``element`` is a heading written directly under the page's <h1>, holding no link.

    Some outlets (Express among them) write the standfirst as an <h3> right after the headline.
    Only the heading that immediately follows the <h1> qualifies: headings elsewhere on a page
    are mostly titles of other stories, and those are links. ``with_standfirst`` still asks
    that it read as a sentence and sit near the body.
    """
    if element.tag != _HEADLINE_STANDFIRST_TAG or element.find(".//a") is not None:
        return False
    before = element.getprevious()
    while before is not None and not isinstance(before.tag, str):  # comments between the two
        before = before.getprevious()
    return before is not None and before.tag == "h1"


def _near(element: Any, body_line: set[Any]) -> bool:
    """Whether the body branches off within a few levels above ``element``."""
    for level, ancestor in enumerate(element.iterancestors(), start=1):
        if ancestor in body_line:
            return level <= _MAX_LEVELS_APART
    return False


def _flat(text: str) -> str:
    """Text on one line with single spaces, normalised as article text is."""
    return " ".join(normalise(text).split())
