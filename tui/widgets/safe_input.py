"""An ``Input`` that shows control and bidi characters as visible placeholders while editing.

A pasted source name or note can hold a right-to-left override (U+202E) or another bidi
control; drawn as it is, the terminal would reorder the rest of the line, so what the analyst
sees is not what they are about to save. ``SafeInput`` draws its value through
``store.display.display_safe``, the rule the article view and the command line use, so each
such character shows as one visible character and the cursor stays over the character it edits.
The value itself is untouched: what is saved is what was typed or pasted.

Every text input of the TUI is a ``SafeInput`` (or a subclass of it).
"""

from __future__ import annotations

from rich.cells import cell_len, get_character_cell_size
from rich.text import Text
from textual.suggester import SuggestionReady
from textual.widgets import Input

from store.display import display_safe


class SafeInput(Input):
    """A text input whose value is drawn display-safe, one visible character per character."""

    # The suggestion as the suggester gave it; ``_suggestion`` holds its shown form, which
    # Input draws after the value.
    _suggested: str = ""

    @property
    def shown_value(self) -> str:
        """The value as drawn: every control or bidi character as its placeholder."""
        return display_safe(self.value, one_line=True)

    @property
    def _value(self) -> Text:
        # Input draws and measures the value through this property; the placeholders have the
        # value's length, so selection and cursor indices still fall on the same characters.
        if self.password:
            return super()._value
        text = Text(self.shown_value, no_wrap=True, overflow="ignore", end="")
        return self.highlighter(text) if self.highlighter is not None else text

    def _position_to_cell(self, position: int) -> int:
        # Measured on what is drawn: a bidi control takes no cell, its placeholder takes one.
        return cell_len(self.shown_value[:position])

    def _cell_offset_to_index(self, offset: int) -> int:
        # Where a click lands, counted over what is drawn, for the same reason.
        scroll_x, _ = self.scroll_offset
        target = offset + scroll_x
        cells = 0
        for index, character in enumerate(self.shown_value):
            width = get_character_cell_size(character)
            if cells <= target < cells + width:
                return index
            cells += width
        return max(0, min(target, len(self.value)))

    async def _on_suggestion_ready(self, event: SuggestionReady) -> None:
        # Input's own handler would store the suggestion as it is, and it is drawn raw.
        event.prevent_default()
        if event.value == self.value:
            self._suggested = event.suggestion
            self._suggestion = display_safe(event.suggestion, one_line=True)

    def action_cursor_right(self, select: bool = False) -> None:
        """Accept the suggestion (its real text, not its shown form) or move right."""
        if not select and self.cursor_at_end and self._suggestion:
            self._suggestion = self._suggested
        super().action_cursor_right(select)
