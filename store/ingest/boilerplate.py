"""What pages put inside an article's body that is not article text: teasers for other
stories, share prompts and lists of related links. They are taken out of the page before
the text is extracted, because once extracted a teaser may already be run into a paragraph.
"""

from __future__ import annotations

import re
from typing import Any

# Each starts a teaser, share prompt or related-link line; only a short element that begins
# so is removed, never a paragraph that merely contains the words.
_TEASER_RE = re.compile(
    r"""^(?:
        (?i:also\ on\ [\w-]+(?:\.[\w-]+)+)                        # Also on example.com
      | (?i:(?:see|read|watch)\ (?:more|also)\s*[:|])              # SEE MORE: / Read also:
      | (?:SEE|READ|WATCH)\ MORE\b                                # READ MORE, in capitals only
      | (?i:(?:also\ read|related(?:\ posts?|\ stories|\ articles?)?|recommended|don['’]t\ miss
            |more\ on\ this)\s*:)
      | (?i:you\ may\ also\ like)
      | (?i:like\ this\ (?:story|article)\?)
      | (?i:share\ (?:it|this(?:\ story|\ article)?)\ with\ (?:a\ friend|your\ friends))
      | (?i:follow\ (?:our|[\w.]+['’]s)\ (?:full\ |complete\ |latest\ )?coverage\b)
      | (?i:more\ (?:[\w.]+\ ){0,3}(?:stories|articles|coverage)\s*:?$)  # More Great Example Stories
    )""",
    re.VERBOSE,
)
_TEASER_MAX_WORDS = 30
_BLOCK_TAGS = frozenset("p div section aside li span strong b em a h2 h3 h4 h5 h6 blockquote figure".split())


def is_teaser(text: str) -> bool:
    """Whether a short piece of page text is a teaser, share prompt or related-link line."""
    words = text.split()
    return 0 < len(words) <= _TEASER_MAX_WORDS and bool(_TEASER_RE.match(" ".join(words)))


def remove_teasers(tree: Any) -> None:
    """Remove from a parsed page every teaser element and every list made only of links.

    The outermost element whose text is the teaser goes, so "SEE MORE:" takes its linked
    headline with it, and a teaser that is a heading alone takes the list right after it; text after the
    element stays where it was.
    """
    doomed = []
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("ul", "ol") and _only_links(element):
            doomed.append(element)
        elif element.tag in _BLOCK_TAGS and is_teaser(element.text_content()):
            parent = element.getparent()
            if parent is None or not is_teaser(parent.text_content()):
                doomed.append(element)
                following = element.getnext()
                if following is not None and following.tag in ("ul", "ol") and _only_heading(element):
                    doomed.append(following)
    for element in doomed:
        if element.getparent() is not None:
            _drop_keeping_tail(element)


def _only_heading(element: Any) -> bool:
    """Whether a teaser is a heading alone ("You may also like:"), announcing what follows."""
    text = " ".join(element.text_content().split())
    match = _TEASER_RE.match(text)
    return match is not None and not text[match.end():].strip(" :")


def _only_links(listing: Any) -> bool:
    """Whether every item of a list is a link and nothing else: a list of other stories."""
    items = [item for item in listing if isinstance(item.tag, str) and item.tag == "li"]
    if len(items) < 2:
        return False
    for item in items:
        text = " ".join(item.text_content().split())
        linked = " ".join(" ".join(link.text_content().split()) for link in item.iter("a"))
        if not text or linked != text:
            return False
    return True


def _drop_keeping_tail(element: Any) -> None:
    """Remove ``element`` but keep the text that follows it inside its parent."""
    parent = element.getparent()
    tail = element.tail or ""
    previous = element.getprevious()
    if tail.strip():
        if previous is not None:
            previous.tail = (previous.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(element)
