"""Text as margin stores it: strict UTF-8 decoding, normalisation, and Markdown to plain text.

Every offset into an article is a Python string index into the output of ``normalise``, so
this module runs before any offset exists and must never drop a word.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

from store.errors import InputError

_UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
"""The byte order marks that open UTF-16 text (little- and big-endian)."""

# Controls (and Unicode separators) that Python's str.splitlines and many terminals treat as
# line breaks: deleting them would glue two words together, so they become newlines instead.
_LINE_BREAKS = {
    "\x0b": "\n",
    "\x0c": "\n",
    "\x1c": "\n",
    "\x1d": "\n",
    "\x1e": "\n",
    "\x85": "\n",
    "\u2028": "\n",
    "\u2029": "\n\n",
}
_LINE_BREAK_RE = re.compile("[" + "".join(_LINE_BREAKS) + "]")
# Category Cc is U+0000-U+001F and U+007F-U+009F (the C1 set); keep only \t and \n.
_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f]")
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
_BLANK_RUN_RE = re.compile(r"\n{3,}")


def decode(data: bytes, name: str) -> str:
    """Decode ``data`` as UTF-8 (dropping a BOM), refusing binary data and other encodings.

    ``name`` is the path, URL or ``-`` shown in the error. Byte offsets count from 0, as in a
    hex dump.
    """
    if data[:2] in UTF16_BOMS:
        raise InputError(
            f"{name} is UTF-16, not UTF-8",
            "Convert it first (iconv -f UTF-16 -t UTF-8 FILE > NEW) and import the result.",
        )
    if b"\x00" in data:
        raise binary_error(name)
    skip = len(_UTF8_BOM) if data.startswith(_UTF8_BOM) else 0
    try:
        return data[skip:].decode("utf-8")
    except UnicodeDecodeError as err:
        offset = skip + err.start
        line = data.count(b"\n", 0, offset) + 1
        raise InputError(
            f"{name} is not UTF-8 at byte {offset} (0x{data[offset]:02X}, line {line})",
            "Convert it to UTF-8 first (e.g. iconv -f WINDOWS-1252 -t UTF-8 FILE > NEW).",
        ) from None


def binary_error(name: str) -> InputError:
    """The error for input that holds NUL bytes, which no text, Markdown or HTML file does."""
    return InputError(f"{name} looks like a binary file (it contains NUL bytes)", "Import a text, Markdown or HTML file instead.")


def text_digest(text: str) -> str:
    """The SHA-256 of a normalised text (UTF-8), hex: how an article's text is known, here
    and in every copy that imported the same words."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_characters(text: str) -> str:
    """Unify line ends, drop control characters other than ``\\n`` and ``\\t``, and apply NFC.

    This is the part of ``normalise`` that leaves spacing alone, for parsers (Markdown) that
    give meaning to trailing spaces.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_BREAK_RE.sub(lambda m: _LINE_BREAKS[m.group()], text)
    text = _CONTROL_RE.sub("", text)
    # Lone surrogates cannot be stored as UTF-8; they only come from broken upstream decoding.
    text = _SURROGATE_RE.sub("\ufffd", text)
    return unicodedata.normalize("NFC", text)


def normalise(text: str) -> str:
    """Return ``text`` as margin stores it; offsets into articles index this string.

    NFC, ``\\r\\n`` and ``\\r`` become ``\\n``, control characters other than ``\\n`` and
    ``\\t`` are removed (line-breaking ones such as form feed become ``\\n`` so no two words
    merge), trailing whitespace is stripped from each line, runs of blank lines shrink to one,
    and blank lines at the start and end go. Indentation and every word are kept. Applying it
    twice changes nothing.
    """
    text = clean_characters(text)
    text = "\n".join(line.rstrip() for line in text.split("\n"))
    text = _BLANK_RUN_RE.sub("\n\n", text)
    return text.strip("\n")


# --- Markdown -------------------------------------------------------------------------------

_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX_RE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_RE = re.compile(r"^ {0,3}(?:=+|-+)[ \t]*$")
_BREAK_RE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_QUOTE_RE = re.compile(r"^ {0,3}> ?")
_ITEM_RE = re.compile(r"^([ \t]*)([-*+]|\d{1,9}[.)])(?:[ \t]+(.*))?$")
_REFDEF_RE = re.compile(r"^ {0,3}\[(?!\^)[^\]]+\]:[ \t]*\S+(?:[ \t]+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?[ \t]*$")
_FOOTDEF_RE = re.compile(r"^ {0,3}\[\^([^\]]+)\]:[ \t]*")
_TABLE_DELIM_RE = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)+\|?[ \t]*$")
_TABLE_ROW_RE = re.compile(r"^[ \t]*\|.*\|[ \t]*$")

_CODE_SPAN_RE = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)", re.DOTALL)
_ESCAPE_RE = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPED_RE = re.compile("\x02(\\d+)\x03")
_IMAGE_RE = re.compile(r"!\[([^\]]*)\](?:\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)|\[[^\]]*\])")
_LINK_RE = re.compile(r"\[([^\]]+)\](?:\((?:[^()\s]|\([^()\s]*\))*(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)|\[[^\]]*\])")
_FOOTREF_RE = re.compile(r"\[\^([^\]\s]+)\]")
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+|[^<>\s@]+@[^<>\s@]+\.[A-Za-z]+)>")
_BR_RE = re.compile(r"<br\s*/?>", re.IGNORECASE)
# Only tags HTML knows are removed: "List<String>" in prose is text, not markup.
_TAG_NAMES = (
    "a|abbr|article|aside|audio|b|big|blockquote|br|center|cite|code|dd|del|details|dfn|div|dl|dt|"
    "em|figcaption|figure|font|footer|h[1-6]|header|hr|i|iframe|img|ins|kbd|li|mark|nav|ol|p|"
    "picture|pre|q|s|samp|section|small|source|span|strike|strong|sub|summary|sup|table|tbody|td|"
    "tfoot|th|thead|time|tr|tt|u|ul|var|video|wbr"
)
_TAG_RE = re.compile(rf"</?(?:{_TAG_NAMES})(?:\s[^<>]*)?/?>", re.IGNORECASE)
_ENTITY_RE = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]{1,7}|#[xX][0-9A-Fa-f]{1,6});")
_COMMENT_RE = re.compile(r"<!--.*?-->", re.DOTALL)
_STRONG_STAR_RE = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_STRONG_UNDER_RE = re.compile(r"(?<![\w\\])__(?=\S)(.+?)(?<=\S)__(?!\w)")
_STRIKE_RE = re.compile(r"~~(?=\S)(.+?)(?<=\S)~~")
_EM_STAR_RE = re.compile(r"\*(?=[^\s*])(.+?)(?<=[^\s*])\*")
_EM_UNDER_RE = re.compile(r"(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)")


def _inline_to_text(text: str) -> str:
    """Strip inline Markdown (emphasis, links, images, code ticks, tags) and keep the words."""
    pieces = []
    last = 0
    for match in _CODE_SPAN_RE.finditer(text):
        pieces.append(_inline_markup_to_text(text[last : match.start()]))
        code = match.group(2)
        if code.startswith(" ") and code.endswith(" ") and code.strip():
            code = code[1:-1]
        pieces.append(code)
        last = match.end()
    pieces.append(_inline_markup_to_text(text[last:]))
    return "".join(pieces)


def _inline_markup_to_text(text: str) -> str:
    # Hide escaped punctuation behind control characters (normalise removed all real ones) so
    # that no later pattern mistakes \* or \[ for markup.
    text = _ESCAPE_RE.sub(lambda m: f"\x02{ord(m.group(1))}\x03", text)
    text = _COMMENT_RE.sub("", text)
    text = _IMAGE_RE.sub(r"\1", text)
    text = _LINK_RE.sub(r"\1", text)
    text = _FOOTREF_RE.sub(r"[\1]", text)
    text = _AUTOLINK_RE.sub(r"\1", text)
    text = _BR_RE.sub("\n", text)
    text = _TAG_RE.sub("", text)
    text = _STRONG_STAR_RE.sub(r"\1", text)
    text = _STRONG_UNDER_RE.sub(r"\1", text)
    text = _STRIKE_RE.sub(r"\1", text)
    text = _EM_STAR_RE.sub(r"\1", text)
    text = _EM_UNDER_RE.sub(r"\1", text)
    text = _ENTITY_RE.sub(lambda m: html.unescape(m.group()), text)
    return _ESCAPED_RE.sub(lambda m: chr(int(m.group(1))), text)


def markdown_to_text(markdown: str) -> tuple[str, str | None]:
    """Turn Markdown into plain text for the reader; return ``(text, first heading or None)``.

    Headings (without ``#``) and paragraphs stay as blank-line separated blocks, the lines of a
    paragraph are joined as Markdown joins them, list items and table rows stay one a line,
    code blocks keep their lines, and emphasis, link and image markup goes (link text and
    image descriptions stay). Expects text that went through ``clean_characters``.
    """
    blocks: list[str] = []
    heading: str | None = None
    paragraph: list[str] = []  # raw lines of the open paragraph or list item
    group: list[str] = []  # finished lines of the open list, table or code block
    fence: str | None = None
    in_comment = False

    def flush_paragraph() -> None:
        if paragraph:
            group.append(_inline_to_text(_join_lines(paragraph)))
            paragraph.clear()

    def flush_block() -> None:
        flush_paragraph()
        if group:
            blocks.append("\n".join(group))
            group.clear()

    def add_heading(raw: str) -> None:
        nonlocal heading
        flush_block()
        text = _inline_to_text(raw.strip())
        if text:
            blocks.append(text)
            if heading is None:
                heading = text

    for raw in markdown.split("\n"):
        if fence is not None:
            if raw.strip().startswith(fence) and set(raw.strip()) == {fence[0]}:
                fence = None
                flush_block()
            else:
                group.append(raw)
            continue
        if in_comment:
            end = raw.find("-->")
            if end < 0:
                continue
            in_comment = False
            raw = raw[end + 3 :]
        start = raw.find("<!--")
        if start >= 0 and "-->" not in raw[start:]:
            in_comment = True
            raw = raw[:start]
        line = raw
        while _QUOTE_RE.match(line):
            line = _QUOTE_RE.sub("", line, count=1)
        stripped = line.strip()

        if not stripped:
            flush_block()
        elif match := _FENCE_RE.match(line):
            flush_block()
            fence = match.group(1)
        elif match := _ATX_RE.match(line):
            add_heading(match.group(2) or "")
        elif paragraph and not group and not _ITEM_RE.match(paragraph[0]) and _SETEXT_RE.match(line):
            text = _join_lines(paragraph)
            paragraph.clear()
            add_heading(text)
        elif _BREAK_RE.match(line):
            flush_block()
        elif _REFDEF_RE.match(line):
            flush_paragraph()
        elif match := _ITEM_RE.match(line):
            flush_paragraph()
            indent, marker, rest = match.groups()
            bullet = "-" if marker in "-*+" else marker
            paragraph.append(f"{indent}{bullet} {rest or ''}".rstrip())
        elif match := _FOOTDEF_RE.match(line):
            flush_paragraph()
            paragraph.append(f"[{match.group(1)}] {line[match.end():]}")
        elif _TABLE_DELIM_RE.match(line) and (group or paragraph):
            flush_paragraph()
        elif _TABLE_ROW_RE.match(line):
            flush_paragraph()
            cells = [cell.strip() for cell in stripped.strip("|").split("|")]
            group.append(_inline_to_text(" | ".join(cells)))
        elif not paragraph and not group and line.startswith(("    ", "\t")):
            group.append(line[4:] if line.startswith("    ") else line[1:])
        elif group and not paragraph and line.startswith(("    ", "\t")) and _is_code(group):
            group.append(line[4:] if line.startswith("    ") else line[1:])
        else:
            paragraph.append(line)
    flush_block()
    return "\n\n".join(block for block in blocks if block.strip()), heading


def _is_code(group: list[str]) -> bool:
    """Whether an open group of lines is an indented code block (not a list or table)."""
    return not any(_ITEM_RE.match(line) or " | " in line for line in group)


def _join_lines(lines: list[str]) -> str:
    """Join a paragraph's source lines: soft breaks become spaces, hard breaks newlines."""
    parts: list[str] = []
    for index, line in enumerate(lines):
        text = line if index == 0 else line.lstrip()
        if index == len(lines) - 1:
            parts.append(text.rstrip())
        elif text.endswith("  ") or (text.endswith("\\") and not text.endswith("\\\\")):
            parts.append(text.rstrip().removesuffix("\\").rstrip() + "\n")
        else:
            parts.append(text.rstrip() + " ")
    return "".join(parts)
