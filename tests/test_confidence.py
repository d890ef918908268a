"""Confidence (ICD 203 terms) and the Admiralty grade, as an analyst types and reads them."""

from __future__ import annotations

import pytest

from store.confidence import (
    CREDIBILITY,
    RELIABILITY,
    TERMS,
    describe,
    describe_grade,
    parse_confidence,
    parse_grade,
    term,
)
from store.errors import ValidationError

# --- the ICD 203 terms ---------------------------------------------------------------------


@pytest.mark.parametrize(("percent", "expected"), [
    (0, "almost no chance"), (4, "almost no chance"),
    (5, "very unlikely"), (19, "very unlikely"),
    (20, "unlikely"), (44, "unlikely"),
    (45, "roughly even chance"), (55, "roughly even chance"),
    (56, "likely"), (80, "likely"),
    (81, "very likely"), (95, "very likely"),
    (96, "almost certain"), (100, "almost certain"),
])
def test_every_percent_at_the_edge_of_a_range_gets_the_icd_203_term_of_that_range(percent,
                                                                                  expected):
    assert term(percent) == expected


def test_the_terms_cover_0_to_100_without_gaps_or_overlaps():
    assert TERMS[0].low == 0 and TERMS[-1].high == 100
    for before, after in zip(TERMS, TERMS[1:]):
        assert after.low == before.high + 1


def test_each_term_digit_stands_for_the_midpoint_of_its_range():
    assert [(t.digit, t.midpoint) for t in TERMS] == [
        (1, 3), (2, 12), (3, 32), (4, 50), (5, 68), (6, 88), (7, 97)]
    for t in TERMS:
        assert term(t.midpoint) == t.name


def test_a_confidence_is_described_with_its_term_and_its_number():
    assert describe(68) == "likely (68%)"
    assert describe(0) == "almost no chance (0%)"
    assert describe(100) == "almost certain (100%)"


@pytest.mark.parametrize("bad", [-1, 101, 50.0, "50", True, None])
def test_a_value_that_is_not_a_percent_has_no_term(bad):
    with pytest.raises(ValidationError) as raised:
        term(bad)
    assert raised.value.field == "confidence"


# --- typing a confidence -------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("5", 68),       # a lone digit names a term: its midpoint
    ("1", 3), ("7", 97),
    ("05", 5),       # two digits are a percent, even with a leading zero
    ("50", 50),
    ("100", 100),    # three digits too
    ("007", 7),
    ("5%", 5),       # a percent sign makes any number a percent
    ("68%", 68), ("100%", 100), ("5 %", 5),
    (" 50 ", 50),    # surrounding spaces are ignored
    ("0", 0),        # no term is 0, so a lone 0 can only mean 0 percent
])
def test_what_an_analyst_types_for_confidence_is_read_as_the_design_says(typed, stored):
    assert parse_confidence(typed) == stored


@pytest.mark.parametrize("typed", ["", "   ", None])
def test_an_empty_confidence_is_no_confidence(typed):
    assert parse_confidence(typed) is None


@pytest.mark.parametrize("typed", ["101", "101%", "999", "1000", "abc", "likely", "5.5", "-5",
                                   "50%%", "%5", "5 0", "½"])
def test_anything_else_is_refused_with_advice_on_what_to_type(typed):
    with pytest.raises(ValidationError) as raised:
        parse_confidence(typed)
    error = raised.value
    assert error.field == "confidence"
    assert error.title and error.advice
    assert "1–7" in str(error)


def test_more_than_100_percent_says_so():
    with pytest.raises(ValidationError, match="more than 100%"):
        parse_confidence("101")


@pytest.mark.parametrize("digit", ["8", "9"])
def test_a_lone_8_or_9_is_refused_rather_than_guessed(digit):
    # It could be a slip for a term digit or a percent without its leading zero.
    with pytest.raises(ValidationError) as raised:
        parse_confidence(digit)
    assert f"0{digit}" in raised.value.advice and f"{digit}%" in raised.value.advice


def test_every_parsed_confidence_describes_itself():
    for typed in ["1", "2", "3", "4", "5", "6", "7", "0", "05", "50", "100", "33%"]:
        assert describe(parse_confidence(typed)).endswith(f"({parse_confidence(typed)}%)")


# --- the Admiralty grade -------------------------------------------------------------------


def test_the_admiralty_scales_are_complete_and_in_order():
    assert list(RELIABILITY) == list("ABCDEF")
    assert list(CREDIBILITY) == list("123456")
    assert RELIABILITY["A"] == "completely reliable"
    assert RELIABILITY["F"] == "reliability cannot be judged"
    assert CREDIBILITY["1"] == "confirmed by other sources"
    assert CREDIBILITY["6"] == "truth cannot be judged"


@pytest.mark.parametrize(("typed", "stored"), [
    ("B2", "B2"), ("b2", "B2"), (" a1 ", "A1"), ("F6", "F6"), ("e5", "E5")])
def test_a_grade_is_read_in_any_case_and_stored_in_capitals(typed, stored):
    assert parse_grade(typed) == stored


@pytest.mark.parametrize("typed", ["", "  ", None])
def test_an_empty_grade_is_no_grade(typed):
    assert parse_grade(typed) is None


@pytest.mark.parametrize("typed", ["G7", "G1", "A7", "A0", "2B", "B", "2", "B22", "AB", "B 2"])
def test_a_grade_outside_a_f_and_1_6_is_refused(typed):
    with pytest.raises(ValidationError) as raised:
        parse_grade(typed)
    assert raised.value.field == "grade"
    assert "A–F" in raised.value.advice and "1–6" in raised.value.advice


def test_a_grade_is_described_in_words():
    assert describe_grade("B2") == "usually reliable, probably true"
    assert describe_grade("a1") == "completely reliable, confirmed by other sources"
    assert describe_grade("F6") == "reliability cannot be judged, truth cannot be judged"
    with pytest.raises(ValidationError):
        describe_grade("G7")
