"""Anchoring annotations made on one revision into a newer one (store.anchoring)."""

from store.anchoring import Anchor, Selector, anchor_all
from store.anchoring.diff import diff

OLD = "Alpha beta gamma. Delta epsilon zeta. Eta theta."


def selector(text: str, words: str) -> Selector:
    start = text.index(words)
    end = start + len(words)
    return Selector(words, text[max(0, start - 32):start], text[end:end + 32], start, end)


def test_words_in_unchanged_text_keep_their_place_or_move_with_it():
    new = "New lead. " + OLD
    anchors = anchor_all(OLD, new, [selector(OLD, "beta gamma")])
    assert anchors == [Anchor("moved", 16, 26)]
    assert new[16:26] == "beta gamma"


def test_identical_text_anchors_every_annotation_exactly():
    anchors = anchor_all(OLD, OLD, [selector(OLD, "Eta theta")])
    assert anchors == [Anchor("exact", 38, 47)]


def test_edited_words_are_never_placed_on_other_words():
    new = OLD.replace("zeta", "ZETA")
    [anchor] = anchor_all(OLD, new, [selector(OLD, "epsilon zeta")])
    assert anchor.kind in ("orphan", "changed")
    if anchor.kind == "changed":
        assert new[anchor.start:anchor.end] == "epsilon ZETA"


def test_diff_offsets_count_code_points_in_both_texts():
    old, new = "a😀b «c» d", "a😀x «c» d"
    pieces = diff(old, new)
    for piece in pieces:
        if piece.op != "insert":
            assert old[piece.old_start:piece.old_start + len(piece.text)] == piece.text
        if piece.op != "delete":
            assert new[piece.new_start:piece.new_start + len(piece.text)] == piece.text
