"""Text made safe to show on a terminal: the one rule the TUI and the command line share.

Stored text keeps what the analyst's sources wrote, including bidirectional controls, which a
terminal would obey invisibly (an RLO makes "evil" read "live"); and a database written by
another program could hold control characters that a terminal runs as commands (set the
window title, write the clipboard, clear the screen). Shown on a terminal, every such character
becomes one visible character instead, so a column in the article view still matches an offset
in the stored text.
"""

from __future__ import annotations

import re

# The C0 set shows as its Unicode control picture (ESC as ␛, BEL as ␇), DEL as ␡.
_C0 = {chr(code): chr(0x2400 + code) for code in range(0x20)}
_C0["\x7f"] = "\u2421"
# The C1 set (U+0080-U+009F, with the one-byte CSI U+009B) has no pictures: it is shown as the
# replacement character, "something here cannot be shown".
_C1 = {chr(code): "\ufffd" for code in range(0x80, 0xA0)}
# Embeddings, overrides and isolates (LRE RLE PDF LRO RLO, LRI RLI FSI PDI) reorder the text
# around them; each shows as a two-way arrow so the reader sees that something is there.
BIDI_CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
BIDI_PLACEHOLDER = "\u21c4"
_BIDI = {character: BIDI_PLACEHOLDER for character in BIDI_CONTROLS}

_KEEP = "\n\t"
_SHOWN = {**_C0, **_C1, **_BIDI}
for _kept in _KEEP:
    del _SHOWN[_kept]
_UNSAFE_RE = re.compile("[" + re.escape("".join(_SHOWN)) + "]")
_UNSAFE_WITH_BREAKS_RE = re.compile("[" + re.escape("".join(_SHOWN) + _KEEP) + "]")


def display_safe(text: str, *, one_line: bool = False) -> str:
    """``text`` with every control character and bidi control shown as one visible character.

    Newlines and tabs are kept, unless ``one_line``, when they too are shown as pictures. The
    result has as many characters as ``text``, so offsets into one are offsets into the other.
    """
    pattern = _UNSAFE_WITH_BREAKS_RE if one_line else _UNSAFE_RE
    return pattern.sub(lambda found: _C0.get(found.group(), _SHOWN.get(found.group(), "")),
                       text)


def is_display_safe(text: str) -> bool:
    """Whether ``text`` can go to a terminal as it is (no control but newline and tab)."""
    return _UNSAFE_RE.search(text) is None


def json_safe(text: str) -> str:
    """JSON text with every control and bidi character written as a ``\\uXXXX`` escape.

    The data is unchanged (a JSON reader gets the same strings), but nothing in it acts on the
    terminal it is printed to.
    """
    return _UNSAFE_RE.sub(lambda found: f"\\u{ord(found.group()):04x}", text)


def excerpt(text: str, length: int = 90) -> str:
    """The text on one line, cut at ``length`` characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1].rstrip() + "…"
