"""Anchoring: finding an annotation's passage again in a newer revision of its article.

Pure functions over text; nothing here reads or writes the database. ``anchor_all`` places
many annotations made on one revision into another in one pass (the diff is computed once).

The rule that outranks every score: an annotation is never placed on words that are not its
own passage. When the evidence is not clear, the answer is an orphan with the reason.
"""

from store.anchoring.model import ANCHOR_KINDS, Anchor, Selector
from store.anchoring.place import anchor_all

__all__ = ["ANCHOR_KINDS", "Anchor", "Selector", "anchor_all"]
