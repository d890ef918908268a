"""Spans of an article's text: words, sentences, paragraphs, quotations, matches and lines.

Everything here works on code-point offsets into the article's normalised text, the same
offsets the annotations store, so the reader can ask "which sentence is under offset 1234?"
without knowing how the text is drawn. Nothing here imports Textual or Rich. Each job has its
module; the names below are the ones the reader and the form use.
"""

from store.spans.find import Matches, find_all, find_first, find_pattern
from store.spans.lines import LineIndex, spans_by_line
from store.spans.paragraphs import paragraphs
from store.spans.quotations import QUOTE_MARKS, quotation_at, quotation_pairs
from store.spans.sentences import Boundaries, segment_sentences
from store.spans.speakers import SourceHint, source_hints
from store.spans.words import (Span, is_word_char, next_word_start, previous_word_start,
                               snap_to_words, word_at)

__all__ = [
    "Boundaries", "LineIndex", "Matches", "QUOTE_MARKS", "SourceHint", "Span", "find_all",
    "find_first", "find_pattern", "is_word_char", "next_word_start", "paragraphs",
    "previous_word_start", "quotation_at", "quotation_pairs", "segment_sentences",
    "snap_to_words", "source_hints", "spans_by_line", "word_at",
]
