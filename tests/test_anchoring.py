"""Anchoring annotations made on one revision into a newer one (store.anchoring)."""

import random

import pytest

from revision_generator import corpus_texts, make_case, new_places, truth, verdict
from store.anchoring import Anchor, Selector, anchor_all
from store.anchoring.diff import diff

OLD = "Alpha beta gamma. Delta epsilon zeta. Eta theta."

ARTICLE = (
    "Kyiv, 7 September. Russia has moved about 6,000 North Korean troops to the Kursk region.\n\n"
    "The deployment was confirmed by the defence intelligence service on Sunday evening.\n\n"
    "Officials said the troops would work on fortifications and clear mines near the border.\n\n"
    "\"We expect more units to arrive before winter,\" a spokesman told reporters in the capital.\n\n"
    "Satellite images published last week show new barracks going up near the rail junction.")


def selector(text: str, words: str, occurrence: int = 0) -> Selector:
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(words, start + 1)
    end = start + len(words)
    return Selector(words, text[max(0, start - 32):start], text[end:end + 32], start, end)


def anchored(old: str, new: str, words: str, occurrence: int = 0) -> tuple[Anchor, str | None]:
    """The anchor of ``words`` (annotated in ``old``) in ``new``, and the words it covers."""
    [anchor] = anchor_all(old, new, [selector(old, words, occurrence)])
    return anchor, None if anchor.start is None else new[anchor.start:anchor.end]


def test_identical_text_anchors_every_annotation_exactly():
    anchors = anchor_all(OLD, OLD, [selector(OLD, "Eta theta")])
    assert anchors == [Anchor("exact", 38, 47)]


def test_words_before_an_edit_keep_their_place_exactly():
    new = ARTICLE.replace("Satellite images", "Commercial satellite images")
    assert anchored(ARTICLE, new, "North Korean troops") == (
        Anchor("exact", ARTICLE.index("North Korean troops"),
               ARTICLE.index("North Korean troops") + 19), "North Korean troops")


def test_words_after_inserted_text_move_with_it():
    new = "New lead. " + OLD
    anchors = anchor_all(OLD, new, [selector(OLD, "beta gamma")])
    assert anchors == [Anchor("moved", 16, 26)]
    assert new[16:26] == "beta gamma"


def test_an_update_note_at_the_top_moves_the_first_and_last_words():
    new = "Update, 8 September: this article was updated.\n\n" + ARTICLE
    first, first_words = anchored(ARTICLE, new, "Kyiv, 7 September.")
    last, last_words = anchored(ARTICLE, new, "near the rail junction.")
    assert (first.kind, first_words) == ("moved", "Kyiv, 7 September.")
    assert (last.kind, last_words) == ("moved", "near the rail junction.")


def test_a_moved_paragraph_takes_its_annotation_along():
    paragraphs = ARTICLE.split("\n\n")
    new = "\n\n".join([paragraphs[0], paragraphs[3], paragraphs[1], paragraphs[2], paragraphs[4]])
    anchor, words = anchored(ARTICLE, new, "We expect more units to arrive before winter")
    assert anchor.kind == "moved"
    assert anchor.start == new.index("We expect more units")
    assert words == "We expect more units to arrive before winter"


def test_an_updated_figure_is_a_changed_anchor_showing_the_new_words():
    new = ARTICLE.replace("6,000", "7,000")
    anchor, words = anchored(ARTICLE, new, "moved about 6,000 North Korean troops")
    assert anchor.kind == "changed"
    assert words == "moved about 7,000 North Korean troops"
    assert "7,000" in anchor.reason


def test_curly_quotes_for_straight_ones_are_a_change_on_the_same_words():
    new = ARTICLE.replace('"We expect', "“We expect").replace('winter,"', "winter,”")
    anchor, words = anchored(ARTICLE, new, '"We expect more units to arrive before winter,"')
    assert (anchor.kind, words) == ("changed", "“We expect more units to arrive before winter,”")


def test_squeezed_white_space_is_a_change_on_the_same_words():
    new = ARTICLE.replace("defence intelligence", "defence  intelligence")
    anchor, words = anchored(ARTICLE, new, "confirmed by the defence intelligence service")
    assert (anchor.kind, words) == ("changed", "confirmed by the defence  intelligence service")


def test_a_sentence_reworded_a_little_is_changed_in_place():
    new = ARTICLE.replace("Officials said the troops", "Officials stated the troops")
    anchor, words = anchored(ARTICLE, new,
                             "Officials said the troops would work on fortifications and clear mines")
    assert (anchor.kind, words) == (
        "changed", "Officials stated the troops would work on fortifications and clear mines")


def test_a_passage_edited_in_the_middle_is_an_orphan_when_no_half_survived_whole():
    new = ARTICLE.replace("Officials said the troops would work", "Officials stated the troops will work")
    anchor, _ = anchored(ARTICLE, new,
                         "Officials said the troops would work on fortifications and clear mines")
    assert anchor.kind == "orphan"


def test_a_deleted_sentence_leaves_an_orphan_saying_so():
    new = ARTICLE.replace("The deployment was confirmed by the defence intelligence service on "
                          "Sunday evening.\n\n", "")
    anchor, words = anchored(ARTICLE, new, "confirmed by the defence intelligence service")
    assert (anchor.kind, words) == ("orphan", None)
    assert anchor.reason == "the passage was deleted"


def test_words_rewritten_beyond_recognition_are_an_orphan():
    new = ARTICLE.replace("Officials said the troops would work on fortifications",
                          "Kremlin sources deny any construction role for soldiers")
    anchor, _ = anchored(ARTICLE, new, "Officials said the troops would work on fortifications")
    assert anchor.kind == "orphan"
    assert "changed too much" in anchor.reason


LOOKALIKE = ARTICLE + "\n\nOfficials said the troops would work on fortifications and clear mines."


def test_a_deleted_passage_is_never_placed_on_its_lookalike_elsewhere():
    original = "Officials said the troops would work on fortifications and clear mines near the border.\n\n"
    new = LOOKALIKE.replace(original, "")
    for words in ("Officials said the troops would work on fortifications",
                  "the troops would work", "clear mines near the border."):
        anchor, placed = anchored(LOOKALIKE, new, words)
        assert (anchor.kind, placed) == ("orphan", None), words
    # The lookalike's own annotation stays where it is.
    copy, placed = anchored(LOOKALIKE, new, "the troops would work", occurrence=1)
    assert (copy.kind, placed) == ("moved", "the troops would work")


def test_a_deleted_passage_is_not_placed_on_a_lookalike_right_beside_it():
    original = "Officials said the troops would work on fortifications and clear mines near the border."
    copy = "Officials said the troops would work on fortifications and clear mines."
    old = ARTICLE.replace(original, original + "\n\n" + copy)
    new = old.replace(original + "\n\n", "")
    for words in ("the troops would work", "Officials said the troops would work on fortifications"):
        anchor, placed = anchored(old, new, words)
        assert (anchor.kind, placed) == ("orphan", None), words


def test_a_lookalike_that_moved_is_no_candidate_either():
    original = "Officials said the troops would work on fortifications and clear mines near the border.\n\n"
    copy = "\n\nOfficials said the troops would work on fortifications and clear mines."
    moved = LOOKALIKE.replace(original, "").replace(copy, "")
    moved = moved.replace("Kyiv, 7 September.", "Kyiv, 7 September." + copy)
    anchor, placed = anchored(LOOKALIKE, moved, "the troops would work")
    assert (anchor.kind, placed) == ("orphan", None)


def test_words_still_at_their_place_are_not_moved_to_a_copy_elsewhere():
    new = (ARTICLE.replace("Sunday evening", "Sunday  evening")
           + "\n\nReaders asked: was it confirmed by the defence intelligence service on Sunday evening")
    anchor, words = anchored(ARTICLE, new, "confirmed by the defence intelligence service on Sunday evening")
    assert anchor.kind == "changed"
    assert anchor.start == ARTICLE.index("confirmed by the defence")


REPEATED = ("The mayor spoke first. The council voted later.\n\n"
            "Residents gathered at noon. The council voted later that week.\n\n"
            "Nothing else happened.")


def test_a_repeated_phrase_that_moved_is_placed_by_its_context():
    paragraphs = REPEATED.split("\n\n")
    new = "\n\n".join([paragraphs[2], paragraphs[0], paragraphs[1]])
    anchor, words = anchored(REPEATED, new, "The council voted later", occurrence=1)
    assert anchor.kind == "moved"
    assert new[anchor.start - 28:anchor.end] == "Residents gathered at noon. The council voted later"
    assert words == "The council voted later"


def test_a_repeated_phrase_whose_context_cannot_decide_is_an_orphan():
    old = "Alpha section.\n\nThe minister said the plan is final.\n\nOmega section."
    new = ("Alpha section.\n\nOmega section.\n\n"
           "Critics: the plan is final? Supporters: the plan is final!")
    anchor, words = anchored(old, new, "the plan is final")
    assert (anchor.kind, words) == ("orphan", None)
    assert anchor.reason.startswith("2 places match equally")


def test_annotations_at_the_very_start_and_end_with_empty_context_find_their_words():
    start = Selector("Kyiv, 7 September.", "", ARTICLE[18:50], 0, 18)
    end = Selector("rail junction.", ARTICLE[-46:-14], "", len(ARTICLE) - 14, len(ARTICLE))
    new = ARTICLE.replace("Kyiv, 7 September.", "Kyiv, 8 September.").replace(
        "rail junction.", "rail junctions.")
    first, last = anchor_all(ARTICLE, new, [start, end])
    assert (first.kind, new[first.start:first.end]) == ("changed", "Kyiv, 8 September.")
    assert (last.kind, new[last.start:last.end]) == ("changed", "rail junctions.")


def test_offsets_count_code_points_beyond_the_basic_plane():
    old = "Reaction 😀 came fast. The 𝒞ouncil voted 🗳 today.\n\nEnd."
    new = "🎉🎉 Update.\n\nReaction 😀 came fast. The 𝒞ouncil voted 🗳 yesterday.\n\nEnd."
    moved, words = anchored(old, new, "The 𝒞ouncil voted 🗳")
    assert (moved.kind, words) == ("moved", "The 𝒞ouncil voted 🗳")
    changed, words = anchored(old, new, "𝒞ouncil voted 🗳 today.")
    assert (changed.kind, words) == ("changed", "𝒞ouncil voted 🗳 yesterday.")


def test_diff_offsets_count_code_points_in_both_texts():
    old, new = "a😀b «c» d", "a😀x «c» d"
    pieces = diff(old, new)
    for piece in pieces:
        if piece.op != "insert":
            assert old[piece.old_start:piece.old_start + len(piece.text)] == piece.text
        if piece.op != "delete":
            assert new[piece.new_start:piece.new_start + len(piece.text)] == piece.text


# --- Generated revisions of the real corpus (a small profile of bench/anchoring.py) -------


def test_the_generator_tracks_where_each_surviving_character_went():
    rng = random.Random(5)
    texts = corpus_texts()
    case = make_case(texts[0], rng, edits=12, annotations=10, pool=texts[1].split("\n"))
    assert case.new != case.old
    typographic = {"'": "’", "’": "'", '"': "“”", "“": '"', "”": '"', " ": "\u00a0 \n"}
    for new_offset, old_offset in enumerate(case.origin):
        if old_offset >= 0:
            old_char, new_char = case.old[old_offset], case.new[new_offset]
            assert new_char == old_char or new_char in typographic.get(old_char, "")


@pytest.fixture(scope="module")
def generated_verdicts():
    texts = corpus_texts()
    verdicts = []
    for seed in range(40):
        rng = random.Random(seed)
        base = texts[seed % len(texts)]
        pool = [p for t in texts if t is not base for p in t.split("\n") if len(p) > 80]
        case = make_case(base, rng, edits=8, annotations=60, pool=pool)
        places = new_places(case)
        for sel, anchor in zip(case.selectors, anchor_all(case.old, case.new, case.selectors)):
            known = truth(case, sel, places)
            verdicts.append((case.kind_of(sel), known.survived >= 0.9,
                             verdict(case, sel, anchor, known)))
    return verdicts


def test_generated_revisions_get_no_wrong_anchor(generated_verdicts):
    wrong = [kind for kind, _, said in generated_verdicts if said == "wrong"]
    assert len(generated_verdicts) >= 2000
    assert wrong == []


def test_generated_lookalikes_are_all_orphans_or_their_own_words(generated_verdicts):
    lookalikes = [said for kind, _, said in generated_verdicts if kind == "lookalike"]
    assert len(lookalikes) >= 100
    assert "wrong" not in lookalikes


def test_generated_revisions_find_at_least_99_percent_of_surviving_passages(generated_verdicts):
    expected = [said for _, expects_place, said in generated_verdicts if expects_place]
    assert sum(said == "right" for said in expected) >= 0.99 * len(expected)
