"""Words, sentences, paragraphs, quotations, matches and line locations of an article's text."""

from __future__ import annotations

from pathlib import Path

import pytest

from store.spans import (
    Boundaries,
    LineIndex,
    Matches,
    find_all,
    next_word_start,
    paragraphs,
    previous_word_start,
    quotation_at,
    quotation_pairs,
    snap_to_words,
    source_hints,
    spans_by_line,
    word_at,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ARTICLE = (CORPUS / "ukrainska-pravda-2025-09-07-kursk.txt").read_text(encoding="utf-8")


def span_text(text: str, span) -> str:
    assert span is not None
    return text[span[0]:span[1]]


# --- words

def test_word_at_keeps_apostrophes_hyphens_and_thousands_together():
    text = "Russia’s high-precision missiles cost 1,000 roubles."
    assert span_text(text, word_at(text, 2)) == "Russia’s"
    assert span_text(text, word_at(text, text.index("precision"))) == "high-precision"
    assert span_text(text, word_at(text, text.index("000"))) == "1,000"


def test_word_at_just_after_a_word_is_that_word_and_on_a_space_between_is_none():
    text = "one  two"
    assert span_text(text, word_at(text, 3)) == "one"
    assert word_at(text, 4) is None


def test_word_motions_step_from_word_start_to_word_start():
    text = "He said: “It is over.”"
    starts = [0]
    while starts[-1] < len(text):
        starts.append(next_word_start(text, starts[-1]))
    assert [text[s:s + 2] for s in starts[:-1]] == ["He", "sa", "It", "is", "ov"]
    assert previous_word_start(text, text.index("over") + 2) == text.index("over")
    assert previous_word_start(text, text.index("over")) == text.index("is")
    assert previous_word_start(text, 0) == 0


def test_snapping_widens_a_selection_to_whole_words_and_trims_spaces():
    text = "Skibitskyi said that troops remain."
    start, end = text.index("bitskyi"), text.index("that") + 2
    assert span_text(text, snap_to_words(text, start, end)) == "Skibitskyi said that"
    assert span_text(text, snap_to_words(text, 10, 16)) == "said"
    assert span_text(text, snap_to_words(text, end, start)) == "Skibitskyi said that"


def test_snapping_leaves_punctuation_outside_a_word_alone():
    text = 'Quote: "Russia will meet its plan."'
    inner = text.index("Russia"), text.index('plan."') + 5
    assert snap_to_words(text, *inner) == inner


# --- paragraphs and sentences

def test_paragraphs_are_separated_by_blank_lines_and_trimmed():
    text = "  First line\nsame paragraph. \n\n\t\nSecond.\n"
    assert [span_text(text, p) for p in paragraphs(text)] == [
        "First line\nsame paragraph.", "Second."]


def test_a_text_without_blank_lines_has_a_paragraph_a_line():
    text = "One.\nTwo.\nThree."
    assert [span_text(text, p) for p in paragraphs(text)] == ["One.", "Two.", "Three."]


def test_paragraph_under_the_cursor_and_on_a_blank_line_the_next_one():
    text = "First one.\n\nSecond one.\n\nThird."
    bounds = Boundaries(text)
    assert span_text(text, bounds.paragraph_at(3)) == "First one."
    assert span_text(text, bounds.paragraph_at(11)) == "Second one."
    assert bounds.next_paragraph_start(0) == text.index("Second")
    assert bounds.previous_paragraph_start(text.index("Third")) == text.index("Second")
    assert bounds.next_paragraph_start(text.index("Third")) == len(text)


def test_sentences_of_the_real_article_leave_labels_out_and_split_long_quotations():
    bounds = Boundaries(ARTICLE)
    source = ARTICLE.index("Source:")
    assert span_text(ARTICLE, bounds.sentence_at(source)).startswith("Vadym Skibitskyi")
    name = ARTICLE.index("Vadym")
    assert span_text(ARTICLE, bounds.sentence_at(name)).startswith("Vadym Skibitskyi, Deputy Head")
    assert span_text(ARTICLE, bounds.sentence_at(name)).endswith("interview with Ukrinform")
    yelabuga = ARTICLE.index("For example, in the Yelabuga")
    assert span_text(ARTICLE, bounds.sentence_at(yelabuga + 5)) == (
        "For example, in the Yelabuga zone, where Russians are expanding their production.")
    first = ARTICLE.index("We have data")
    assert span_text(ARTICLE, bounds.sentence_at(first)).startswith("We have data on the")
    last = ARTICLE.index("But many of them")
    assert span_text(ARTICLE, bounds.sentence_at(last)) == (
        "But many of them later sign contracts with the Ministry of Defence and go to fight.")


LABELLED = [paragraph for paragraph in ARTICLE.split("\n\n")
            if paragraph.startswith(("Source: ", "Details: ", "Quote: ", "Background: "))]


@pytest.mark.parametrize("paragraph", LABELLED, ids=[p[:20] for p in LABELLED])
def test_a_label_is_no_sentence_s_on_it_takes_the_sentence_it_introduces(paragraph):
    """Nearly every paragraph of the real article starts with one: selecting a quote or a
    claim there must give the words after it, and ) must not stop on it."""
    bounds = Boundaries(ARTICLE)
    start = ARTICLE.index(paragraph)
    body = start + paragraph.index(": ") + 2
    sentence = bounds.sentence_at(body)
    assert ARTICLE[body:sentence[0]] in ("", '"', "“")        # at most an opening mark between
    assert len(span_text(ARTICLE, sentence)) > 20             # a sentence, not the label
    for offset in range(start, body):                          # the cursor anywhere on the label
        assert bounds.sentence_at(offset) == sentence
    before = bounds.previous_sentence_start(start)             # the sentence before the label
    assert bounds.next_sentence_start(before) == sentence[0]   # ) goes past the label
    assert bounds.previous_sentence_start(sentence[0]) == before   # and ( too
    in_paragraph = bounds.sentences_in(bounds.paragraph_index(start))
    assert all(s >= body for s, _ in in_paragraph)


SPEAKER_INTRODUCTIONS = [
    'Zelensky said: "We will hold the line."',
    "Skibitskyi says: Russia will meet its recruitment plan by December.",
    'He told reporters: "No agreement was signed in Riyadh."',
    "The ministry added: two more depots were hit overnight.",
    "Budanov wrote: the reserves are being moved north.",
    "According to Skibitskyi: about 11,000 troops remain in the region.",
]


@pytest.mark.parametrize("paragraph", SPEAKER_INTRODUCTIONS,
                         ids=[p.split(":")[0] for p in SPEAKER_INTRODUCTIONS])
def test_who_spoke_before_a_colon_stays_in_the_sentence(paragraph):
    """'X said:' names who spoke, which a quote or a claim must keep: s on it selects the whole
    sentence from the speaker on, and ) and ( stop at the speaker, not after the colon."""
    text = "The front held.\n\n" + paragraph + "\n\nThe talks resume on Monday."
    bounds = Boundaries(text)
    start = text.index(paragraph)
    speaker = paragraph.split(":")[0]
    sentence = bounds.sentence_at(start)
    assert span_text(text, sentence).startswith(speaker + ":")
    assert bounds.sentence_at(start + len(speaker) + 3) == sentence   # the same sentence after it
    assert bounds.next_sentence_start(0) == start                     # ) stops on the speaker
    assert bounds.previous_sentence_start(text.index("The talks")) == start   # and ( too


LAYOUT_LABELS = ["Source:", "Details:", "Quote:", "Background:", "Editor's note:", "Read more:",
                 "UPDATE:", "Photo:", "Also read:", "For reference:"]


@pytest.mark.parametrize("label", LAYOUT_LABELS)
def test_an_outlets_label_is_left_out_of_the_sentence_it_introduces(label):
    text = f"The front held.\n\n{label} Skibitskyi said the plan is met.\n\nThe talks resume."
    bounds = Boundaries(text)
    start = text.index(label)
    body = text.index("Skibitskyi")
    assert span_text(text, bounds.sentence_at(start)) == "Skibitskyi said the plan is met."
    assert bounds.next_sentence_start(0) == body


def test_a_lead_in_with_an_article_is_the_writers_words_not_a_label():
    """Labels are written as headings, without "the", "a" or "another"; PolitiFact's
    "Another caveat: Even though ..." is the writer's sentence from its first word."""
    text = "It was checked.\n\nAnother caveat: Even though he went south, the totals are national."
    bounds = Boundaries(text)
    assert span_text(text, bounds.sentence_at(text.index("Even"))).startswith("Another caveat:")


def test_sentence_motions_cross_paragraphs():
    text = "One. Two two.\n\nThree here. Four."
    bounds = Boundaries(text)
    assert bounds.next_sentence_start(0) == text.index("Two")
    assert bounds.next_sentence_start(text.index("Two")) == text.index("Three")
    assert bounds.previous_sentence_start(text.index("Three")) == text.index("Two")
    assert bounds.previous_sentence_start(text.index("Four") + 2) == text.index("Four")
    assert bounds.next_sentence_start(text.index("Four")) == len(text)


def test_abbreviations_do_not_end_a_sentence():
    text = "Dr. Smith said the U.S. Army left at 5 p.m. on Monday. Then it rained."
    bounds = Boundaries(text)
    assert span_text(text, bounds.sentence_at(10)) == (
        "Dr. Smith said the U.S. Army left at 5 p.m. on Monday.")


# --- quotations

@pytest.mark.parametrize("text, inside", [
    ('He said "we won" today.', "we won"),
    ("He said “we won” today.", "we won"),
    ("He said ‘we won’ today.", "we won"),
    ("“Russia’s plan,” he said, “is ‘to win’ soon.”", "to win"),
])
def test_quotation_under_the_cursor_excludes_the_marks(text, inside):
    assert span_text(text, quotation_at(text, text.index(inside) + 1)) == inside


def test_the_nearest_enclosing_quotation_wins_and_the_marks_count_as_inside():
    text = "“He told me ‘never’ twice,” she said."
    assert span_text(text, quotation_at(text, text.index("never"))) == "never"
    inside = quotation_at(text, text.index("twice"))
    assert span_text(text, inside) == "He told me ‘never’ twice,"
    assert span_text(text, quotation_at(text, 0)) == "He told me ‘never’ twice,"
    assert quotation_at(text, text.index("she")) is None


def test_apostrophes_are_not_quotation_marks():
    text = "Russia’s troops and the workers’ union said ‘yes’."
    assert [text[a:b + 1] for a, b in quotation_pairs(text)] == ["‘yes’"]


def test_quotation_in_the_real_article():
    bounds = Boundaries(ARTICLE)
    cursor = ARTICLE.index("There are all")
    found = quotation_at(ARTICLE, cursor, bounds.paragraph_at(cursor))
    assert span_text(ARTICLE, found) == (
        "There are all the signs that by the end of the year, Russia will fully meet its "
        "recruitment plan.")


# --- finding

def test_find_ignores_case_quotation_mark_style_and_line_breaks():
    text = "Russia’s plan.\nThe PLAN\nworks. russia's"
    assert [span_text(text, m) for m in find_all(text, "plan")] == ["plan", "PLAN"]
    assert [span_text(text, m) for m in find_all(text, "russia's")] == ["Russia’s", "russia's"]
    assert [span_text(text, m) for m in find_all(text, "plan works")] == ["PLAN\nworks"]
    assert find_all(text, "   ") == []


def test_find_takes_any_dash_for_any_other_with_or_without_spaces_around_it():
    text = "not retreat — not one step; a 2014–2015 war; self-made"
    assert [span_text(text, m) for m in find_all(text, "retreat - not")] == ["retreat — not"]
    assert [span_text(text, m) for m in find_all(text, "2014 - 2015")] == ["2014–2015"]
    assert [span_text(text, m) for m in find_all(text, "self—made")] == ["self-made"]


def test_find_can_match_capitals_exactly():
    text = "The plan. the PLAN."
    assert [span_text(text, m) for m in find_all(text, "the plan", ignore_case=False)] == []
    assert [span_text(text, m) for m in find_all(text, "The plan", ignore_case=False)] == [
        "The plan"]


def test_matches_step_forwards_and_backwards_and_wrap_around():
    text = "a x b x c x"
    matches = Matches(text, "x")
    assert len(matches) == 3
    assert matches.after(0) == 0
    assert matches.after(2) == 1
    assert matches.after(10) == 0
    assert matches.before(10) == 1
    assert matches.before(11) == 2
    assert matches.before(2) == 2
    assert matches.before(3) == 0
    assert matches.from_(2) == 0
    assert Matches(text, "zzz").after(0) is None


# --- lines

@pytest.mark.parametrize("text", ["", "one", "one\n", "one\ntwo", "a\n\nb\n", "x\u2028y\n\nz"])
def test_line_index_agrees_with_splitlines_both_ways(text):
    index = LineIndex(text)
    lines = text.splitlines() + ([""] if not text or text[-1] in "\n\u2028" else [])
    assert len(index) == len(lines)
    for offset in range(len(text) + 1):
        row, column = index.location(offset)
        assert 0 <= column <= len(lines[row])
        assert index.offset((row, column)) == offset


def test_line_index_on_the_real_article():
    index = LineIndex(ARTICLE)
    offset = ARTICLE.index("There are all")
    row, column = index.location(offset)
    assert ARTICLE.splitlines()[row][column:].startswith("There are all")
    assert index.offset((row, 10**6)) == index.line_span(row)[1]


def test_spans_by_line_cuts_spans_at_line_breaks():
    text = "abc\ndef\nghi"
    index = LineIndex(text)
    pieces = spans_by_line([(1, 9, "x"), (4, 5, "y")], index)
    assert pieces == {0: [(1, 3, "x")], 1: [(0, 3, "x"), (0, 1, "y")], 2: [(0, 1, "x")]}


# --- who said it

def test_source_suggestions_for_the_real_articles_quote_come_from_its_source_line():
    cursor = ARTICLE.index("There are all")
    hints = source_hints(ARTICLE, cursor, cursor + 20)
    assert hints[0].name == "Vadym Skibitskyi"
    assert hints[0].role == "Deputy Head of Defence Intelligence of Ukraine (DIU)"
    assert hints[0].via == "interview with Ukrinform"
    assert all(hint.name not in ("He", "Russia") for hint in hints)


def test_a_body_named_by_a_common_noun_at_a_sentences_start_is_not_suggested_as_a_source():
    # "Intelligence has noted that ..." in the real article: "Intelligence" is capitalised
    # only because it starts the sentence; the reader suggested it as a person.
    start = ARTICLE.index("some of these foreign workers")
    end = ARTICLE.index("are sent to the front.") + len("are sent to the front.")
    hints = source_hints(ARTICLE, start, end)
    assert [hint.name for hint in hints] == ["Vadym Skibitskyi"]
    assert hints[0].role == "Deputy Head of Defence Intelligence of Ukraine (DIU)"
    later = ARTICLE.index("Russia has enlisted")
    assert [hint.name for hint in source_hints(ARTICLE, later, later + 10)] == [
        "Vadym Skibitskyi"]


@pytest.mark.parametrize("sentence, name, role", [
    ("Defence Minister Rustem Umerov said the line held.", "Rustem Umerov", "Defence Minister"),
    ("“It held,” said Intelligence Chief Kyrylo Budanov.", "Kyrylo Budanov", "Intelligence Chief"),
    ("Ukraine’s Foreign Minister Andrii Sybiha told reporters so.", "Andrii Sybiha",
     "Ukraine’s Foreign Minister"),
    ("President Zelensky said it was quiet.", "Zelensky", "President"),
])
def test_a_title_before_a_speakers_name_is_the_role_not_part_of_the_name(sentence, name, role):
    text = f"Kyiv was quiet.\n\n{sentence}"
    hints = source_hints(text, len(text) - 5, len(text))
    assert (hints[0].name, hints[0].role) == (name, role)


def test_an_organisation_whose_name_starts_with_a_title_word_is_kept_whole():
    text = ("The line held. The General Staff said so. The Defence Ministry reported more. "
            "According to the Defence Intelligence of Ukraine it held.")
    assert [hint.name for hint in source_hints(text, 0, 5)] == [
        "General Staff", "Defence Ministry", "Defence Intelligence of Ukraine"]


def test_a_speaker_named_only_by_a_role_or_body_is_not_suggested():
    text = "The line held. Police said so. Officials said more. Defence Intelligence noted it."
    assert source_hints(text, 0, 5) == []


def test_source_suggestions_from_said_says_told_and_according_to():
    text = ("The ministry met. According to the Ministry of Defence the troops left. "
            "“We won,” said John Smith. Jane Doe told reporters so. Acme Corp says no.")
    names = [hint.name for hint in source_hints(text, 0, 5)]
    assert set(names) == {"Ministry of Defence", "John Smith", "Jane Doe", "Acme Corp"}


def test_a_speaker_who_added_or_wrote_the_quote_is_suggested_as_its_source():
    """The verbs that keep "X added:" in its sentence also make X the quote's speaker."""
    text = ('Kyiv was quiet.\n\nOlena Bondar added: "The shelters stay open."\n\n'
            'Petro Hnatiuk wrote: "The bridge is closed."')
    for quote, speaker in (("The shelters", "Olena Bondar"), ("The bridge", "Petro Hnatiuk")):
        start = text.index(quote)
        assert source_hints(text, start, start + 10)[0].name == speaker


def test_source_suggestions_prefer_the_speaker_nearest_the_span_and_expand_surnames():
    text = ("Source: Maria Kowalska, mayor\n\nAlpha Beta said it rained. Later Kowalska "
            "said it was sunny.")
    near = text.index("sunny")
    names = [hint.name for hint in source_hints(text, near, near + 5)]
    assert names[0] == "Maria Kowalska"
    assert "Alpha Beta" in names
