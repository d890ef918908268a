"""Names as each style prints them: given first, inverted, initials, et al."""

from __future__ import annotations

import re

from store.citations.marks import APOSTROPHE
from store.citations.quotes import nest_quotes, prepare, render_quotes


def curl(text: str) -> str:
    """A name part with its apostrophes and quotation marks curled, as the processor does."""
    return render_quotes(nest_quotes(prepare(text, name=True))).text if text else text


def _part(name: dict, key: str) -> str:
    return curl(name.get(key, ""))


def _family(name: dict) -> str:
    particle = _part(name, "non-dropping-particle")
    if particle and not particle.endswith(("-", "'", APOSTROPHE)):
        particle += " "
    return particle + _part(name, "family")


def _initials(given: str) -> str:
    """Given names as APA prints them: ``Jean-Paul`` → ``J.-P.``, ``Mary Ann`` → ``M. A.``."""
    given = re.sub(r"\s*-\s*", "-", " ".join(given.split()))
    given = re.sub(r"\.(?=[^\s-])", ". ", given)
    words = []
    for word in given.split(" "):
        # A lower-case letter after a hyphen continues the same name ("Jong-un" → "J.").
        pieces = re.split(r"-(?=[^a-z])", word)
        out = []
        for piece in pieces:
            match = re.match(r"([^\W\d_])([^\W\d_]*)(\.?)", piece)
            if not match or not match.group(1).isupper():
                out.append(piece)
                continue
            head, rest, period = match.groups()
            if rest and period:
                out.append(head + rest + ".")  # an abbreviation such as "Th."
                continue
            # Capitals right after the first letter are kept as one initial ("MArie" →
            # "Ma."), unless the whole name is in capitals ("OLGA" → "O.").
            run = ""
            for c in rest:
                if c != c.upper():
                    break
                run += c
            extra = run.lower() if len(run) < len(rest) else ""
            out.append(head + extra + ".")
        words.append("-".join(out))
    return " ".join(words)


def _display(name: dict) -> str:
    """Given name first: ``Vincent van Gogh``, ``Martin Luther King Jr.``."""
    if "literal" in name:
        return curl(name["literal"])
    words = [_part(name, "given"), _family(name), _part(name, "suffix")]
    return " ".join(w for w in words if w)


def _inverted(name: dict, *, demote: bool) -> str:
    """Family name first: ``van Gogh, Vincent`` (or ``Gogh, Vincent van`` when demoted)."""
    if "literal" in name:
        return curl(name["literal"])
    if demote and name.get("non-dropping-particle"):
        given = " ".join(w for w in (_part(name, "given"), _part(name, "non-dropping-particle"))
                         if w)
        out = [_part(name, "family"), given]
    else:
        out = [_family(name), _part(name, "given")]
    if name.get("suffix"):
        out.append(_part(name, "suffix"))
    return ", ".join(w for w in out if w)


def _apa_name(name: dict) -> str:
    if "literal" in name:
        return curl(name["literal"])
    out = [_family(name), curl(_initials(name.get("given", "")))]
    if name.get("suffix"):
        out.append(_part(name, "suffix"))
    return ", ".join(w for w in out if w)


def _pair(first: str, second: str, second_name: dict, conjunction: str) -> str:
    # citeproc-js puts the comma before the conjunction of two names only when the second is
    # a person: "Katsimon, Olga, and John Smith" but "Katsimon, Olga and Reuters".
    comma = "," if "literal" not in second_name else ""
    return f"{first}{comma} {conjunction} {second}"


def _series(rendered: list[str], conjunction: str) -> str:
    return ", ".join(rendered[:-1]) + f", {conjunction} " + rendered[-1]


def names_note(names: list[dict]) -> str:
    """Authors as a Chicago note lists them, given name first: one or two by name, three or
    more as the first and "et al." (the 18th edition; the 17th named three)."""
    shown = [_display(n) for n in names[:2]]
    if len(names) == 1:
        return shown[0]
    if len(names) == 2:
        return f"{shown[0]} and {shown[1]}"
    return f"{shown[0]} et al."


def names_chicago_bib(names: list[dict]) -> str:
    """Authors as a Chicago bibliography lists them, the first inverted: up to six all named,
    seven or more as the first three and "et al." (the 18th edition)."""
    shown = [_inverted(names[0], demote=True)] + [_display(n) for n in names[1:]]
    if len(names) == 1:
        return shown[0]
    if len(names) == 2:
        return _pair(shown[0], shown[1], names[1], "and")
    if len(names) >= 7:
        return ", ".join(shown[:3]) + ", et al."
    return _series(shown, "and")


def names_mla(names: list[dict]) -> str:
    """Authors as MLA lists them: the first inverted, "et al." after two."""
    first = _inverted(names[0], demote=False)
    if len(names) == 1:
        return first
    if len(names) == 2:
        return _pair(first, _display(names[1]), names[1], "and")
    return f"{first}, et al."


def names_apa(names: list[dict]) -> str:
    """Authors as APA lists them: inverted with initials, "…" past twenty."""
    shown = [_apa_name(n) for n in names]
    if len(names) == 1:
        return shown[0]
    if len(names) == 2:
        return _pair(shown[0], shown[1], names[1], "&")
    if len(names) >= 21:
        return ", ".join(shown[:19]) + ", \u2026 " + shown[-1]
    return _series(shown, "&")
