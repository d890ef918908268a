"""The lead of an annotation's citation (the span and who said it) and the citation itself."""

from __future__ import annotations

from store.citations.markdown import md_escape
from store.citations.marks import EM_DASH
from store.citations.quotes import quote_span
from store.citations.styles import DEFAULT_STYLE, check_style, cite_article
from store.confidence import describe as describe_confidence


def _one_line(text: str) -> str:
    return " ".join((text or "").split())


def attribution(annotation: dict) -> str:
    """Who said it, as the lead of a citation: ``Source, role (via)``; empty if unknown.

    When a parenthesis would stand beside another or inside one (a role ending "(DIU)", a
    via such as "Ukrinform (interview)"), the via follows a comma instead: ``…(DIU), via
    Ukrinform``.
    """
    who = ", ".join(p for p in (_one_line(annotation.get("source") or ""),
                                _one_line(annotation.get("role") or "")) if p)
    via = _one_line(annotation.get("via") or "")
    if who and via:
        if who.endswith(")") or "(" in via or ")" in via:
            said_via = via if via.casefold().startswith("via ") else f"via {via}"
            return f"{who}, {said_via}"
        return f"{who} ({via})"
    return who or via


def _sentence(text: str) -> str:
    """End a sentence with a period unless it already ends with one (or ? or !)."""
    return text if text.endswith((".", "?", "!", "\u2026")) else text + "."


def _lead(annotation: dict) -> str:
    """The span and who said it, before the citation of the article.

    A quote is in quotation marks, a claim (the article's wording, not necessarily anyone's
    words) follows ``Claim:``. With nobody named, a quote's closing mark ends it and the
    citation follows after a space; a claim is closed as a sentence.
    """
    exact = _one_line(annotation.get("exact") or "")
    who = attribution(annotation)
    if annotation.get("kind") == "claim":
        span = f"Claim: {exact}"
        return f"{span} {EM_DASH} {_sentence(who)}" if who else _sentence(span)
    span = quote_span(exact)
    return f"{span} {EM_DASH} {_sentence(who)}" if who else span


def _tally(annotation: dict) -> str:
    """``[quote · likely (68%) · B2]``, leaving out what is not known."""
    parts = [annotation.get("kind") or "quote"]
    if annotation.get("confidence") is not None:
        parts.append(describe_confidence(annotation["confidence"]))
    if annotation.get("grade"):
        parts.append(annotation["grade"])
    return "[" + " \u00b7 ".join(parts) + "]"


def _blockquote(text: str) -> str:
    lines = (text or "").split("\n")
    return "\n".join(f"> {line}" if line.strip() else ">" for line in lines)


def cite_annotation(annotation: dict, article: dict, style: str = DEFAULT_STYLE) -> str:
    """The citation of an annotation: its span and who said it, then the article's citation.

    ``analyst`` adds ``[kind · confidence · grade]``; ``markdown`` puts the span in a
    blockquote with the attribution and citation below it; ``csl-json`` is the article's item.
    """
    check_style(style)
    if style == "csl-json":
        return cite_article(article, style)
    if style == "markdown":
        who = attribution(annotation)
        lead = f"{EM_DASH} {_sentence(md_escape(who))} " if who else ""
        quote = _blockquote(annotation.get("exact") or "")
        return f"{quote}\n\n{lead}{cite_article(article, style)}"
    citation = cite_article(article, "chicago-note" if style == "analyst" else style)
    text = f"{_lead(annotation)} {citation}"
    if style == "analyst":
        text += " " + _tally(annotation)
    return text
