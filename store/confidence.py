"""How sure the analyst is: ICD 203 probability terms and the NATO Admiralty grade.

Confidence is stored as an integer percent (0–100) and always shown with the term from US
Intelligence Community Directive 203 whose range holds it. The grade is the Admiralty code:
a letter for the source's reliability and a digit for the information's credibility.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from store.errors import ValidationError


class Term(NamedTuple):
    """One ICD 203 term: the digit that names it, its range in percent and its midpoint."""

    digit: int
    low: int
    high: int
    midpoint: int
    name: str


TERMS: tuple[Term, ...] = (
    Term(1, 0, 4, 3, "almost no chance"),
    Term(2, 5, 19, 12, "very unlikely"),
    Term(3, 20, 44, 32, "unlikely"),
    Term(4, 45, 55, 50, "roughly even chance"),
    Term(5, 56, 80, 68, "likely"),
    Term(6, 81, 95, 88, "very likely"),
    Term(7, 96, 100, 97, "almost certain"),
)

MIDPOINTS: dict[int, int] = {t.digit: t.midpoint for t in TERMS}

RELIABILITY: dict[str, str] = {
    "A": "completely reliable",
    "B": "usually reliable",
    "C": "fairly reliable",
    "D": "not usually reliable",
    "E": "unreliable",
    "F": "reliability cannot be judged",
}

CREDIBILITY: dict[str, str] = {
    "1": "confirmed by other sources",
    "2": "probably true",
    "3": "possibly true",
    "4": "doubtful",
    "5": "improbable",
    "6": "truth cannot be judged",
}

CONFIDENCE_ADVICE = (
    "type a digit 1–7 for a term (5 = likely, 68%), two or three digits for a percent "
    "(05, 50, 100), or a percent sign (5%)"
)
GRADE_ADVICE = (
    "type a reliability letter A–F and a credibility digit 1–6, such as B2 "
    "(usually reliable, probably true)"
)

# Digits of any script count (a fullwidth or Arabic-Indic keyboard types them, and int() reads
# them), but not superscripts or other numerals: str.isdigit accepts "²", int() refuses it.
_PERCENT = re.compile(r"(\d{1,3})\s*[%％٪]")
_DIGITS = re.compile(r"\d{2,3}")
_GRADE = re.compile(r"[A-F][1-6]")


class Reading(NamedTuple):
    """What a typed confidence names: the percent to store and the range of percents it covers.

    A term digit stores its midpoint and covers the term's whole range; a percent covers itself.
    """

    percent: int
    low: int
    high: int


def _check_percent(percent: int) -> int:
    if isinstance(percent, bool) or not isinstance(percent, int) or not 0 <= percent <= 100:
        raise ValidationError(f"Confidence {percent!r} is not a percent from 0 to 100",
                              CONFIDENCE_ADVICE, field="confidence")
    return percent


def term(percent: int) -> str:
    """The ICD 203 term whose range holds ``percent``: ``term(68) == "likely"``."""
    _check_percent(percent)
    for t in TERMS:
        if percent <= t.high:
            return t.name
    raise AssertionError("the terms cover 0–100")  # pragma: no cover


def describe(percent: int) -> str:
    """The term with the number, as shown everywhere: ``describe(68) == "likely (68%)"``."""
    return f"{term(percent)} ({percent}%)"


def read_confidence(text: str | None) -> Reading | None:
    """Read what an analyst typed for confidence, in any command or field; None when blank.

    A lone digit 1–7 names an ICD 203 term: it stores the term's midpoint (``5`` → 68) and, as
    a bound, covers the term's range (``5`` → 56–80). Two or three digits are a percent (``05``
    → 5, ``100``), and so is a number with a percent sign (``5%``). Anything else, or more than
    100, raises ValidationError.
    """
    text = (text or "").strip()
    if not text:
        return None
    if len(text) == 1 and text.isdecimal():
        digit = int(text)
        for t in TERMS:
            if t.digit == digit:
                return Reading(t.midpoint, t.low, t.high)
        # "0" cannot name a term (they are 1–7) and has only one reading, 0 percent. "8" and
        # "9" could be a slip for a term digit or a percent typed without its leading zero;
        # refusing them costs one keystroke, guessing wrong would store a silent error.
        if digit == 0:
            return Reading(0, 0, 0)
        raise ValidationError(
            f"Confidence {text} is neither a term nor a percent",
            f"a lone digit 1–7 names a term; for {digit} percent type 0{digit} or {digit}%",
            field="confidence",
        )
    match = _PERCENT.fullmatch(text) or _DIGITS.fullmatch(text)
    if match is None:
        raise ValidationError(f"Confidence {text!r} is not understood", CONFIDENCE_ADVICE,
                              field="confidence")
    percent = int(match.group(1) if match.re is _PERCENT else match.group(0))
    if percent > 100:
        raise ValidationError(f"Confidence {percent}% is more than 100%", CONFIDENCE_ADVICE,
                              field="confidence")
    return Reading(percent, percent, percent)


def parse_confidence(text: str | None) -> int | None:
    """The percent to store for what was typed (``5`` → 68, ``05`` → 5); None when blank."""
    reading = read_confidence(text)
    return None if reading is None else reading.percent


def parse_min_confidence(text: str | None) -> int | None:
    """The least percent "at least ``text``" lets through: a term's lower bound (``5`` → 56)."""
    reading = read_confidence(text)
    return None if reading is None else reading.low


def could_become_confidence(text: str) -> bool:
    """Whether ``text`` is a first keystroke that more typing can still make valid (``8`` → ``80``)."""
    text = text.strip()
    return len(text) == 1 and text.isdecimal()


def could_become_grade(text: str) -> bool:
    """Whether ``text`` is a reliability letter still waiting for its credibility digit."""
    text = text.strip()
    return len(text) == 1 and text.upper() in RELIABILITY


def parse_grade(text: str | None) -> str | None:
    """Read an Admiralty grade in any case (``b2`` → ``"B2"``); None when nothing was typed."""
    text = (text or "").strip().upper()
    if not text:
        return None
    if not _GRADE.fullmatch(text):
        raise ValidationError(f"Grade {text!r} is not an Admiralty code", GRADE_ADVICE,
                              field="grade")
    return text


def describe_grade(grade: str) -> str:
    """The grade in words: ``describe_grade("B2") == "usually reliable, probably true"``."""
    code = parse_grade(grade)
    if code is None:
        raise ValidationError("Grade is empty", GRADE_ADVICE, field="grade")
    return f"{RELIABILITY[code[0]]}, {CREDIBILITY[code[1]]}"
