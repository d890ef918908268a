"""Every parser an analyst's typing reaches either gives a value or says what is wrong.

Arbitrary Unicode is drawn with extra weight on what looks like a number and is not one to
``int()``: superscripts and subscripts, digits of other scripts, fullwidth forms, signs,
odd spaces and percent signs. Whatever comes in, the answer is a value within the rules or
a ``MarginError`` (which the CLI prints as one line and the TUI as a message), never another
exception: a ``ValueError`` from ``int("²")`` once crashed the app.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from store.annotations import count_annotations, list_annotations, parse_occurrence
from store.confidence import (
    could_become_confidence,
    parse_confidence,
    parse_grade,
    parse_min_confidence,
    read_confidence,
    term,
)
from store.errors import MarginError
from store.ingest import Draft, apply_overrides, parse_published, read_source
from store.query import parse_filter

# Characters that trip number parsing: ASCII digits, superscripts, subscripts, Arabic-Indic,
# Devanagari, Thai and fullwidth digits, Roman numerals, vulgar fractions, signs, spaces of
# several widths, percent signs, and the punctuation of comparisons and dates.
TRICKY = list("0123456789²³¹⁰⁵₂₅٠١٢٣٤٥٦٧٨٩۵०५๕０５９①Ⅻ½¾+-−–.,:;%％٪ \t\n\u00a0\u2009\u3000"
              "<>=≥≤\"“”'*()TZ")

typed = st.text(st.one_of(st.characters(), st.sampled_from(TRICKY)), max_size=12)
"""What an analyst might type or paste into one field."""

EXAMPLES = 400


@settings(max_examples=EXAMPLES, deadline=None)
@given(typed)
def test_confidence_is_a_percent_or_a_margin_error(text):
    try:
        reading = read_confidence(text)
    except MarginError:
        return
    if reading is None:
        assert not text.strip()
        return
    assert 0 <= reading.low <= reading.percent <= reading.high <= 100
    assert term(reading.low) == term(reading.high) == term(reading.percent)
    assert parse_confidence(text) == reading.percent
    assert parse_min_confidence(text) == reading.low


@settings(max_examples=EXAMPLES, deadline=None)
@given(typed)
def test_a_first_keystroke_that_can_grow_is_a_digit_int_can_read(text):
    if could_become_confidence(text):
        int(text.strip())  # the form strips what is typed, as str.strip does


@settings(max_examples=EXAMPLES, deadline=None)
@given(typed)
def test_grade_is_an_admiralty_code_or_a_margin_error(text):
    try:
        grade = parse_grade(text)
    except MarginError:
        return
    assert grade is None or re.fullmatch(r"[A-F][1-6]", grade)


@settings(max_examples=EXAMPLES, deadline=None)
@given(typed)
def test_an_occurrence_is_a_position_from_1_or_a_margin_error(text):
    try:
        occurrence = parse_occurrence(text)
    except MarginError:
        return
    assert isinstance(occurrence, int) and occurrence >= 1


# Dates: --published, front matter and scraped pages all go through parse_published.
date_like = st.one_of(
    typed,
    st.builds(lambda y, m, d, rest: f"{y}-{m}-{d}{rest}",
              st.text(st.sampled_from(TRICKY[:40]), min_size=1, max_size=4),
              st.text(st.sampled_from(TRICKY[:40]), min_size=1, max_size=2),
              st.text(st.sampled_from(TRICKY[:40]), min_size=1, max_size=2),
              st.text(st.sampled_from(TRICKY), max_size=10)),
)
# ISO 8601 as stored: ASCII digits only, whatever script the date was typed in.
ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}([+-][0-9]{2}:[0-9]{2})?)?")
# Dates typed in Arabic-Indic and in fullwidth digits, which are dates and must be stored so.
OTHER_SCRIPTS = ("٢٠٢٥-٠٩-٠٧", "２０２５-０９-０７T１７:２１+０３:００")


@settings(max_examples=EXAMPLES, deadline=None)
@given(date_like)
@example(OTHER_SCRIPTS[0])
@example(OTHER_SCRIPTS[1])
def test_a_published_date_is_iso_8601_or_a_margin_error(text):
    assert parse_published(text) is None or ISO.fullmatch(parse_published(text))
    try:
        draft = apply_overrides(Draft(text="Body.", format="txt"), published=text)
    except MarginError:
        return
    assert draft.published is None or ISO.fullmatch(draft.published)


@settings(max_examples=EXAMPLES // 4, deadline=None)
@given(date_like)
@example("\ud800")  # found by a run of the whole suite: the test's own encoding failed on it
@example(OTHER_SCRIPTS[0])
@example(OTHER_SCRIPTS[1])
def test_a_front_matter_date_is_iso_8601_or_a_margin_error(text):
    value = text.replace("\n", " ").replace("\r", " ")
    page = f"---\ntitle: A title\npublished: {value}\n---\nThe body of the article.\n"
    try:
        # A lone surrogate in the text stands for the bytes no UTF-8 encoder writes but a pipe
        # can still carry: they must come back as a MarginError, not fail the test's encoding.
        draft = read_source("-", stdin=page.encode("utf-8", "surrogatepass"))
    except MarginError:
        return
    assert draft.published is None or ISO.fullmatch(draft.published)


# The Review filter: parsed, then run against a real database, for both the rows and the count.
filter_line = st.one_of(
    typed,
    st.builds(lambda name, op, value: f"{name}{op}{value}",
              st.sampled_from(["conf", "confidence", "kind", "source", "tag", "article",
                               "deleted", "Conf", "cnf", "x"]),
              st.sampled_from([":", ">=", "<=", ">", "<", "=", " >= ", "≥", "≤"]),
              typed),
    st.lists(st.one_of(typed, st.sampled_from(["AND", "OR", "NOT", "NEAR", "NEAR(", "plan*",
                                                "*", "^", "source:", "-"])),
             max_size=4).map(" ".join),
)


@pytest.fixture(scope="module")
def filled_db(tmp_path_factory):
    from store.annotations import add_annotation_by_text
    from store.articles import add_article
    from store.db import open_db

    database = open_db(Path(tmp_path_factory.mktemp("parsers")) / "margin.db")
    article, _ = add_article(database, Draft(text="Kyiv said the plan was ready. ² and ５ too.",
                                             title="A", format="txt"))
    add_annotation_by_text(database, article["id"], kind="claim", text="the plan was ready",
                           source="Omar Lamrani", confidence=68, tags=["plan"], via="Telegram")
    yield database
    database.conn.close()


@settings(max_examples=EXAMPLES, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(line=filter_line)
def test_a_filter_line_lists_rows_or_raises_a_margin_error(filled_db, line):
    try:
        filters = parse_filter(line, filled_db)
        rows = list_annotations(filled_db, limit=50, **filters)
        total = count_annotations(filled_db, **filters)
    except MarginError:
        return
    assert len(rows) == total
