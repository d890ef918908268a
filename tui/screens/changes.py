"""What changed between two revisions of an article: the article with deletions and insertions
inline, over the reader.

Deleted words are struck through in red between ``[-`` and ``-]``, inserted ones underlined
in green between ``{+`` and ``+}``, so that a change shows without colour too (the same marks
as ``margin diff``). The revisions compared start at the one before the newest and the newest;
keys step either end. The diff of a long article is made in a worker.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from store.display import display_safe
from store.revisions import revision_text
from store.revisions.changes import word_diff
from store.revisions.texts import count_words
from tui.keymap import bindings
from tui.widgets.key_bar import KeyBar

DELETED = "strike red"
INSERTED = "underline green"
MARKS = {"delete": ("[-", "-]", DELETED), "insert": ("{+", "+}", INSERTED)}
# Past this many characters, runs of unchanged paragraphs far from any change are folded
# into one line: the whole of a very long article would take seconds to lay out.
FOLD_FROM = 60_000
CONTEXT_PARAGRAPHS = 2


def changes_text(segments: list[tuple[str, str]], fold: bool = False) -> tuple[Text, int, int]:
    """The segments of ``word_diff`` as one styled text, with the number of insertions and
    deletions; with ``fold``, unchanged paragraphs away from the changes are left out."""
    paragraphs: list[list[tuple[str, str]]] = [[]]
    for op, text in segments:
        if op != "equal":
            paragraphs[-1].append((op, text))
            continue
        for number, part in enumerate(text.split("\n\n")):
            if number:
                paragraphs.append([])
            if part:
                paragraphs[-1].append(("equal", part))
    changed = [any(op != "equal" for op, _ in paragraph) for paragraph in paragraphs]
    near = changed[:]
    if fold:
        for index, was in enumerate(changed):
            if was:
                for other in range(max(0, index - CONTEXT_PARAGRAPHS),
                                   min(len(near), index + CONTEXT_PARAGRAPHS + 1)):
                    near[other] = True
    else:
        near = [True] * len(paragraphs)
    shown = Text()
    insertions = deletions = 0
    folded = 0
    for paragraph, keep in zip(paragraphs, near):
        if not keep:
            folded += 1
            continue
        if shown:
            shown.append("\n\n")
        if folded:
            shown.append(f"⋯ {folded} unchanged paragraph{'s' * (folded != 1)} ⋯\n\n",
                         style="dim italic")
            folded = 0
        for op, text in paragraph:
            safe = display_safe(text)
            if op == "equal":
                shown.append(safe)
                continue
            opening, closing, style = MARKS[op]
            insertions += op == "insert"
            deletions += op == "delete"
            # A paragraph added or removed whole brings its break along: the marks go round
            # the words, the break stays a break.
            words = safe.strip()
            lead = safe[:len(safe) - len(safe.lstrip())]
            trail = safe[len(safe.rstrip()):]
            shown.append(lead)
            shown.append(opening, style="dim")
            shown.append(words, style=style)
            shown.append(closing, style="dim")
            shown.append(trail)
    if folded:
        shown.append(f"\n\n⋯ {folded} unchanged paragraph{'s' * (folded != 1)} ⋯",
                     style="dim italic")
    return shown, insertions, deletions


class ChangesScreen(ModalScreen[None]):
    """The changes between two revisions of one article (``article`` as ``get_article`` gives
    it), from revision ``start`` (default: the one before the newest) to ``end`` (the newest)."""

    CSS_PATH = "changes.tcss"
    BINDINGS = bindings("changes")

    def __init__(self, article: dict, start: int | None = None, end: int | None = None) -> None:
        super().__init__()
        self.article = article
        self.newest = article["revision"]
        self.end = end or self.newest
        self.start = start or max(1, self.end - 1)
        self.summary = ""
        """The last heading line written (which revisions, how many changes)."""

    def compose(self) -> ComposeResult:
        yield Static(id="changes-heading")
        with VerticalScroll(id="changes-scroll"):
            yield Static(id="changes-text")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#changes-scroll").focus()
        self._show()

    @property
    def scroller(self) -> VerticalScroll:
        """The scrolling pane holding the changes."""
        return self.query_one("#changes-scroll", VerticalScroll)

    def _show(self) -> None:
        """Compare the revisions now chosen (in a worker)."""
        self._heading(f"Revision {self.start} → {self.end}: comparing…")
        if self.start == self.end:
            self.query_one("#changes-text", Static).update(
                Text("The same revision on both sides: nothing to compare. Step either end.",
                     style="dim"))
            self._heading(f"Revision {self.start} → {self.end}: the same revision")
            return
        db = self.app.db  # type: ignore[attr-defined]
        old = revision_text(db, self.article["id"], self.start)
        new = revision_text(db, self.article["id"], self.end)
        self._compare(self.start, self.end, old, new)

    @work(thread=True, exclusive=True, group="changes")
    def _compare(self, start: int, end: int, old: str, new: str) -> None:
        segments = word_diff(old, new)
        shown, insertions, deletions = changes_text(segments, fold=len(new) > FOLD_FROM)
        added = sum(count_words(text) for op, text in segments if op == "insert")
        removed = sum(count_words(text) for op, text in segments if op == "delete")
        summary = (f"Revision {start} → {end}: {insertions} insertion{'s' * (insertions != 1)}, "
                   f"{deletions} deletion{'s' * (deletions != 1)} ({added} words added, "
                   f"{removed} removed)")
        self.app.call_from_thread(self._compared, start, end, shown, summary)

    def _compared(self, start: int, end: int, shown: Text, summary: str) -> None:
        if (start, end) != (self.start, self.end):
            return  # the analyst stepped on meanwhile; that comparison is on its way
        self.query_one("#changes-text", Static).update(shown)
        self._heading(summary)

    def _heading(self, summary: str) -> None:
        self.summary = summary
        title = display_safe(" ".join((self.article.get("title") or "Untitled").split()),
                             one_line=True)
        heading = Text(title, style="bold")
        heading.append("\n")
        heading.append(summary)
        self.query_one("#changes-heading", Static).update(heading)

    def _step(self, start: int, end: int) -> None:
        start = max(1, min(self.newest, start))
        end = max(1, min(self.newest, end))
        if (start, end) == (self.start, self.end):
            self.notify(f"The article has revisions 1 to {self.newest}", timeout=2)
            return
        self.start, self.end = start, end
        self._show()

    def action_changes_from_earlier(self) -> None:
        """Compare from the revision before."""
        self._step(self.start - 1, self.end)

    def action_changes_from_later(self) -> None:
        """Compare from the revision after."""
        self._step(self.start + 1, self.end)

    def action_changes_to_earlier(self) -> None:
        """Compare to the revision before."""
        self._step(self.start, self.end - 1)

    def action_changes_to_later(self) -> None:
        """Compare to the revision after."""
        self._step(self.start, self.end + 1)

    def action_changes_down(self) -> None:
        """Scroll a line down."""
        self.scroller.scroll_down(animate=False)

    def action_changes_up(self) -> None:
        """Scroll a line up."""
        self.scroller.scroll_up(animate=False)

    def action_changes_page_down(self) -> None:
        """Scroll a page down."""
        self.scroller.scroll_page_down(animate=False)

    def action_changes_page_up(self) -> None:
        """Scroll a page up."""
        self.scroller.scroll_page_up(animate=False)

    def action_changes_top(self) -> None:
        """Go to the top."""
        self.scroller.scroll_home(animate=False)

    def action_changes_bottom(self) -> None:
        """Go to the end."""
        self.scroller.scroll_end(animate=False)

    def action_close_changes(self) -> None:
        """Back to the article."""
        self.dismiss(None)
