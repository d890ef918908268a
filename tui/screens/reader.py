"""The reader: one article on the left, its annotations (or the annotation form) on the right.

Every key comes from the ``reader`` table of the keymap registry and runs an action here; the
article view does the moving and drawing, ``store.spans`` knows where words, sentences,
paragraphs and quotations are, and ``store.annotations`` keeps what is saved.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Input, Static

from store import annotations as store_annotations
from store import confidence as confidence_terms
from store import revisions as store_revisions
from store.articles import get_article
from store.citations.quotes import quote_span
from store.display import display_safe
from store.errors import MarginError, ValidationError
from store.nocase import as_read
from store.spans import (Boundaries, Matches, find_first, next_word_start, previous_word_start,
                         quotation_at, snap_to_words, source_hints)
from tui.copying import copy_citation, copy_citation_as
from tui.screens.changes import ChangesScreen
from tui.screens.dialogs import ShowsArticle
from tui.keymap import bindings, display_keys
from tui.shown import ShowsContent, changes_what_is_shown
from tui.syncing import ShowsStored
from tui.undoing import undo_latest
from tui.widgets.annotation_form import FIELDS, AnnotationForm, FormValues
from tui.widgets.annotation_list import AnnotationList, excerpt
from tui.widgets.article_view import ArticleView, needs_review
from tui.widgets.key_bar import KeyBar
from tui.widgets.safe_input import SafeInput
from tui.widgets.title_bar import TitleBar

Span = tuple[int, int]


class FindBar(SafeInput):
    """The one-line prompt of ``find``; enter searches, the clear-selection key closes it."""


class ReaderScreen(ShowsArticle, ShowsContent, ShowsStored, Screen[None]):
    """Reads and annotates one article.

    ``annotation``, if given, is one of the article's annotations (id and start at least):
    the reader opens with the cursor at its start and it the current one, in view (the review
    opens annotations so). A deleted one is not drawn; the cursor goes to where it was.
    """

    CSS_PATH = "reader.tcss"
    SUB_TITLE = "Reader"
    BINDINGS = bindings("reader")
    _READER_ACTIONS = frozenset(binding.action for binding in BINDINGS)

    def __init__(self, article_id: str, annotation: dict | None = None,
                 at: int | None = None) -> None:
        super().__init__()
        self.article_id = article_id
        self.opened_on = annotation
        self.opened_at = at
        """A cursor offset to open at (where the analyst left off), if no annotation is given."""
        self.article: dict | None = None
        self.matches: Matches | None = None
        self.match_index: int | None = None
        self._annotations: list[dict] = []
        self._orphans: list[dict] = []
        self._form: AnnotationForm | None = None
        self._status = ""
        self._chosen_id: str | None = None
        """The annotation last chosen in the side list (what re-attach places)."""

    # --- layout

    def compose(self) -> ComposeResult:
        self.article = get_article(self.app.db, self.article_id)
        self.article_id = self.article["id"]
        # The bars and the side pane take their edges of the screen in this order (CSS
        # ``split``); the article's header, text and status line fill what is left. No
        # container holds them: each would be one more full-height widget to style and draw
        # before the article shows (bench/tui.py, first paint).
        yield TitleBar()
        yield KeyBar()
        with Vertical(id="side-pane"):
            yield Static(id="side-title")
            # The list of annotations is built when the article first has one (``_listing``).
            yield Static(id="side-empty")
        yield Static(article_header(self.article), id="article-header")
        yield ArticleView(self.article["text"], id="article")
        # The find bar is mounted after the first paint (``_find_bar``).
        yield Static(id="reader-status")

    def article_in_view(self) -> str | None:
        """The article being read."""
        return self.article_id

    def article_changed(self, article: dict) -> None:
        """Show the article's metadata as now stored in the header."""
        self.article = {**article, "text": self.text}
        self.query_one("#article-header", Static).update(article_header(article))

    def stored_changed(self) -> None:
        """Show the article's metadata and annotations as a sync left them. A new revision
        that came with it is not swapped in under the analyst's cursor: they are told to open
        the article again, and its annotations stay drawn on the text on screen."""
        try:
            article = get_article(self.app.db, self.article_id)
        except MarginError:
            return
        if article["revision"] != self.article["revision"]:
            self.notify("A new revision of this article came with the sync: open it again "
                        f"from the library ({self.key_for('library')}) to read it.",
                        title="Revised", timeout=10)
            return
        self.article_changed(article)
        self.reload_annotations()

    @on(events.Click, "#article-header")
    def _header_clicked(self) -> None:
        # The header is what edit-article edits: a click on it opens the form too.
        self.app.action_edit_article()  # type: ignore[attr-defined]

    def on_mount(self) -> None:
        self.reload_annotations()
        view = self.view
        view.focus()
        if self.opened_on is not None:
            drawn = next((a for a in self._annotations if a["id"] == self.opened_on["id"]),
                         None)
            if drawn is not None:
                view.stop_at(drawn)
            elif self.opened_on["start"] is None:
                self._lost_place(self.opened_on)
            else:
                view.move_to(max(0, min(self.opened_on["start"], len(self.text))))
            self.call_after_refresh(view.scroll_cursor_visible, center=True)
        elif self.opened_at is not None:
            view.move_to(max(0, min(self.opened_at, len(self.text))))
            self.call_after_refresh(view.scroll_cursor_visible, center=True)
        self._update_status()
        # After the first paint: it reads two revisions and writes what was read.
        self.call_after_refresh(self._tell_changes_since_read)
        # The find bar is hidden until wanted: built once the article is on screen, it costs
        # the first paint nothing (every widget built before it delays the article).
        self.call_after_refresh(self._find_bar)
        # pysbd takes a tenth of a second to load; do it once the article is on screen.
        self.set_timer(0.3, self._warm_sentences)

    def _tell_changes_since_read(self) -> None:
        """If the article was revised since the analyst last read it, say what changed (the
        diff runs in a worker), and record that the newest revision has now been read."""
        if self.article.get("read_revision") == self.article["revision"]:
            return
        db = self.app.db
        wanted = store_revisions.texts_since_read(db, self.article_id)
        store_revisions.mark_read(db, self.article_id)
        self.article["read_revision"] = self.article["revision"]
        if wanted is not None:
            self._measure_changes(wanted)

    @work(thread=True, exclusive=True, group="since-read")
    def _measure_changes(self, wanted: tuple) -> None:
        since = store_revisions.measure_since_read(*wanted)
        self.app.call_from_thread(
            self.notify, f"{since.describe()}. Press {self.key_for('show-changes')} to see them.",
            title="Revised", timeout=10, markup=False)

    @work(thread=True, exclusive=True, group="sentences")
    def _warm_sentences(self) -> None:
        """Load the sentence segmenter and segment the paragraph under the cursor."""
        bounds = self.view.bounds
        index = bounds.paragraph_index(self.view.cursor_offset)
        if index >= 0:
            bounds.sentences_in(index)

    @property
    def view(self) -> ArticleView:
        """The article pane."""
        return self.query_one("#article", ArticleView)

    @property
    def text(self) -> str:
        """The article's text."""
        return self.article["text"]

    @property
    def bounds(self) -> Boundaries:
        """Paragraphs and sentences of the article."""
        return self.view.bounds

    @property
    def form(self) -> AnnotationForm | None:
        """The open annotation form, if any (gone as soon as it is closed, not when removed)."""
        return self._form

    def key_for(self, action_id: str) -> str:
        """The keys of an action as the user has them, for messages."""
        return display_keys(self.app.actions[action_id].keys)  # type: ignore[attr-defined]

    # --- which actions work now

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Reader keys work in the article; in the find bar and the list of annotations only
        the one that leaves them."""
        if action not in self._READER_ACTIONS:
            return True
        if not hasattr(self, f"action_{action}"):
            return False  # a binding whose action another part of margin has yet to build
        focused = self.focused
        if isinstance(focused, (FindBar, AnnotationList)):
            return action == "clear_selection"
        return isinstance(focused, ArticleView)

    # --- annotations

    def reload_annotations(self) -> None:
        """Fetch this article's live annotations and redraw them.

        Those that lost their place in the newest text (orphans) are not drawn: they are
        listed after the others in the side pane.
        """
        fetched = list(self._fetch_annotations())
        # In the newest text's order: a revision can move passages past each other.
        self._annotations = sorted((a for a in fetched if a["start"] is not None),
                                   key=lambda a: (a["start"], a["end"]))
        self._orphans = [a for a in fetched if a["start"] is None]
        self.view.set_annotations(self._annotations)
        self.content_changed()
        listing = self._listing(build=bool(fetched))
        if listing is not None:
            listing.show(self._annotations + self._orphans)
            current = self.view.current_annotation
            listing.point_at(current["id"] if current else None)
        self._update_side_title()

    def _listing(self, build: bool = False) -> AnnotationList | None:
        """The side pane's list of annotations; with ``build``, made if there is none yet.

        An article with nothing annotated never needs it, and it is one more widget to build
        before the article's first paint.
        """
        listing = next(self.query("#annotations").results(AnnotationList), None)
        if listing is None and build:
            listing = AnnotationList(describe=confidence_terms.describe, id="annotations")
            self.query_one("#side-pane").mount(listing, after="#side-title")
        return listing

    # What the reader keeps of each annotation: enough to draw, list and edit it.
    _KEPT = ("id", "kind", "start", "end", "exact", "source", "role", "via", "confidence",
             "grade", "note", "tags", "anchor", "current", "reason", "reviewed_at", "verified",
             "prefix", "suffix")
    _PAGE = 2000

    def _fetch_annotations(self):
        """This article's live annotations in text order, a page at a time, each kept small:
        an article may have ten thousand, and their full rows would double the memory."""
        offset = 0
        while True:
            page = store_annotations.list_annotations(
                self.app.db, article_id=self.article_id, order_by="position",
                limit=self._PAGE, offset=offset)
            for row in page:
                kept = {key: row[key] for key in self._KEPT}
                kept["article_id"] = self.article_id
                yield kept
            if len(page) < self._PAGE:
                return
            offset += self._PAGE

    def _update_side_title(self) -> None:
        every = self._annotations + self._orphans
        claims = sum(1 for a in every if a["kind"] == "claim")
        quotes = len(every) - claims
        title = self.query_one("#side-title", Static)
        empty = self.query_one("#side-empty", Static)
        if self.form is not None:
            title.update(Text("Annotation", style="bold"))
        else:
            title.update(Text.assemble(("Annotations", "bold"),
                                       f"  {claims} claim{'s' * (claims != 1)}, "
                                       f"{quotes} quote{'s' * (quotes != 1)}"))
        empty.update(Text(
            f"Nothing annotated yet.\n\nSelect words ({self.key_for('select-mode')} then move, "
            f"{self.key_for('select-sentence')} a sentence, {self.key_for('select-paragraph')} "
            f"a paragraph, {self.key_for('select-quotation')} a quotation), then "
            f"{self.key_for('tag-claim')} for a claim or {self.key_for('tag-quote')} for a "
            "quote.", style="dim"))
        empty.display = not every and self.form is None
        listing = self._listing()
        if listing is not None:
            listing.display = bool(every) and self.form is None

    @on(ArticleView.CurrentAnnotationChanged)
    def _current_changed(self, event: ArticleView.CurrentAnnotationChanged) -> None:
        annotation = event.annotation
        listing = self._listing()
        if listing is not None:
            listing.point_at(annotation["id"] if annotation else None)

    @on(AnnotationList.Chosen)
    def _annotation_chosen(self, event: AnnotationList.Chosen) -> None:
        # The one re-attach places on the next selection (an orphan has no other way to be
        # pointed at: it is not in the text).
        self._chosen_id = event.annotation["id"]
        chosen = next((a for a in self._annotations if a["id"] == event.annotation["id"]), None)
        if chosen is not None:
            self.view.stop_at(chosen, center=True)
        elif event.annotation.get("start", 0) is None:
            self._lost_place(event.annotation)
        self.view.focus()

    def _lost_place(self, annotation: dict) -> None:
        """Say that an annotation has no place in the newest text, and why."""
        reason = annotation.get("reason") or "its words are not in the newest text"
        self.notify(f"This {annotation['kind']} lost its place in the newest revision "
                    f"({reason}): “{excerpt(annotation['exact'], 50)}”. Select its words "
                    f"and press {self.key_for('reattach')} to re-attach it.",
                    title="Lost its place", severity="warning", timeout=6, markup=False)

    # --- status line

    @on(ArticleView.SelectionChanged)
    def _selection_changed(self) -> None:
        self._update_status()

    def watch_focused(self) -> None:
        self._update_status()

    def on_screen_resume(self) -> None:
        # Back on this article (from Review, or a dialog): it is again the one being read.
        self._update_status()

    def on_screen_suspend(self) -> None:
        # Left for another screen (or margin is closing): where the cursor stopped is kept now.
        self.app.save_place()  # type: ignore[attr-defined]

    def _update_status(self) -> None:
        """Rewrite the status line (selection, matches, position) if its words changed."""
        if not self.is_mounted:
            return
        view = self.view
        parts: list[str] = []
        span = view.selected_span
        if view.selecting:
            parts.append("SELECT")
        if span is not None:
            parts.append(f"{span[1] - span[0]} characters selected")
        if self._on_current_match():
            parts.append(f"match {self.match_index + 1} of {len(self.matches)} "
                         f"for “{excerpt(self.matches.query, 30)}”")
        else:
            # The search is over (escape, or the cursor moved on): its count would only
            # mislead; n and N still go on from wherever the cursor is.
            self.match_index = None
        length = max(1, len(self.text))
        parts.append(f"{100 * view.cursor_offset // length}%")
        # Every move passes here: the app keeps the place and writes it now and then (tui.place).
        self.app.remember_place(article=self.article_id,  # type: ignore[attr-defined]
                                offset=view.cursor_offset)
        status = "  ·  ".join(parts)
        if status != self._status:
            # Only when it changed, and with no layout pass (the line is one fixed row):
            # each repaint here joins the key's frame.
            self._status = status
            self.query_one("#reader-status", Static).update(Text(status), layout=False)

    # --- moving

    def action_cursor_left(self) -> None:
        """Move left (extending the selection in selection mode)."""
        self.view.action_cursor_left()

    def action_cursor_right(self) -> None:
        """Move right (extending the selection in selection mode)."""
        self.view.action_cursor_right()

    def action_cursor_up(self) -> None:
        """Move up a row (extending the selection in selection mode)."""
        self.view.action_cursor_up()

    def action_cursor_down(self) -> None:
        """Move down a row (extending the selection in selection mode)."""
        self.view.action_cursor_down()

    def action_extend_left(self) -> None:
        """Extend the selection left."""
        self.view.action_cursor_left(select=True)

    def action_extend_right(self) -> None:
        """Extend the selection right."""
        self.view.action_cursor_right(select=True)

    def action_extend_up(self) -> None:
        """Extend the selection up a row."""
        self.view.action_cursor_up(select=True)

    def action_extend_down(self) -> None:
        """Extend the selection down a row."""
        self.view.action_cursor_down(select=True)

    def action_word_next(self) -> None:
        """Go to the start of the next word."""
        self.view.move_to(next_word_start(self.text, self.view.cursor_offset))

    def action_word_previous(self) -> None:
        """Go to the start of this word, or of the one before."""
        self.view.move_to(previous_word_start(self.text, self.view.cursor_offset))

    def action_sentence_next(self) -> None:
        """Go to the start of the next sentence."""
        self.view.move_to(self.bounds.next_sentence_start(self.view.cursor_offset))

    def action_sentence_previous(self) -> None:
        """Go to the start of this sentence, or of the one before."""
        self.view.move_to(self.bounds.previous_sentence_start(self.view.cursor_offset))

    def action_paragraph_next(self) -> None:
        """Go to the start of the next paragraph."""
        self.view.move_to(self.bounds.next_paragraph_start(self.view.cursor_offset))

    def action_paragraph_previous(self) -> None:
        """Go to the start of this paragraph, or of the one before."""
        self.view.move_to(self.bounds.previous_paragraph_start(self.view.cursor_offset))

    def action_document_start(self) -> None:
        """Go to the start of the article."""
        self.view.move_to(0)

    def action_document_end(self) -> None:
        """Go to the end of the article."""
        self.view.move_to(len(self.text))

    def action_page_down(self) -> None:
        """Move a screenful down."""
        self.view.page(1)

    def action_page_up(self) -> None:
        """Move a screenful up."""
        self.view.page(-1)

    def action_next_annotation(self) -> None:
        """Go to the start of the next annotation (each of several on the same words too)."""
        found = self.view.next_annotation()
        if found is None:
            self.notify("No annotation after the cursor", timeout=2)
            return
        self.view.stop_at(found, center=True)

    def action_previous_annotation(self) -> None:
        """Go to the start of the previous annotation (each of several on the same words too)."""
        found = self.view.previous_annotation()
        if found is None:
            self.notify("No annotation before the cursor", timeout=2)
            return
        self.view.stop_at(found, center=True)

    # --- selecting

    def action_select_mode(self) -> None:
        """Start a selection at the cursor (moves extend it); again, stop."""
        view = self.view
        if view.selecting:
            view.clear_selection()
        else:
            view.start_selecting()
        self._update_status()

    def action_clear_selection(self) -> None:
        """Close the find bar; leave the list of annotations for the article; else drop the
        selection; else stop marking matches."""
        if isinstance(self.focused, FindBar):
            self._close_find()
            return
        if isinstance(self.focused, AnnotationList):
            self.view.focus()
            return
        view = self.view
        if view.selected_span is None and not view.selecting:
            view.set_matches([])
        view.clear_selection()
        self._update_status()

    def _select(self, span: Span | None, what: str) -> None:
        if span is None:
            self.notify(f"No {what} under the cursor", severity="warning", timeout=3)
            return
        start, end = snap_to_words(self.text, *span)
        self.view.selecting = False
        self.view.select_span(start, end)
        self._update_status()

    def action_select_sentence(self) -> None:
        """Select the sentence under the cursor."""
        self._select(self.bounds.sentence_at(self.view.cursor_offset), "sentence")

    def action_select_paragraph(self) -> None:
        """Select the paragraph under the cursor."""
        self._select(self.bounds.paragraph_at(self.view.cursor_offset), "paragraph")

    def action_select_quotation(self) -> None:
        """Select the inside of the quotation around the cursor."""
        cursor = self.view.cursor_offset
        paragraph = self.bounds.paragraph_at(cursor)
        self._select(quotation_at(self.text, cursor, paragraph), "quotation")

    # --- finding

    async def _find_bar(self) -> FindBar:
        """The find bar, built after the first paint (``on_mount``) or, if asked sooner, now
        (awaited, so that it can take the focus at once)."""
        bar = next(self.query("#find").results(FindBar), None)
        if bar is None:
            bar = FindBar(placeholder="Find in the article, then enter", id="find",
                          compact=True)
            await self.mount(bar, after="#article")
        return bar

    async def action_find(self) -> None:
        """Open the find bar; matches are sought from the cursor as you type."""
        bar = await self._find_bar()
        self._find_origin = self.view.cursor_offset
        bar.add_class("-open")
        with bar.prevent(Input.Changed):
            bar.value = self.matches.query if self.matches is not None else ""
        # At once, not after the keys already queued (as ``bar.focus()`` would): what is
        # typed straight after the find key belongs in the bar.
        self.set_focus(bar)

    @on(Input.Changed, "#find")
    def _find_typed(self, event: Input.Changed) -> None:
        """Search as the query is typed: the cursor goes to the first match from where it was."""
        event.stop()
        origin = getattr(self, "_find_origin", self.view.cursor_offset)
        found = find_first(self.text, event.value, origin)
        self.view.selecting = False
        if found is None:
            self.view.set_matches([])
            self.view.move_to(origin)
            return
        self.view.set_matches([found])
        self.view.move_to(found[0], center=True)

    @on(Input.Submitted, "#find")
    def _find_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self._close_find()

    def _close_find(self) -> None:
        """Close the find bar, leaving the cursor on the match, and mark every match."""
        bar = self.query_one("#find", FindBar)
        bar.remove_class("-open")
        self.view.focus()
        query = bar.value
        if not query.strip():
            return
        origin = getattr(self, "_find_origin", self.view.cursor_offset)
        self.matches = Matches(self.text, query)
        self.view.set_matches(self.matches.spans)
        if not len(self.matches):
            self.match_index = None
            self.notify(f"“{excerpt(query, 40)}” is not in the article", severity="warning",
                        timeout=3)
            self._update_status()
            return
        self._go_to_match(self.matches.from_(origin), wrapped_if_before=origin)

    def _go_to_match(self, index: int | None, wrapped_if_before: int | None = None,
                     wrapped_if_after: int | None = None) -> None:
        if index is None or self.matches is None:
            return
        start, _ = self.matches.spans[index]
        if wrapped_if_before is not None and start < wrapped_if_before:
            self.notify("Search went past the end and started again at the top", timeout=2)
        if wrapped_if_after is not None and start > wrapped_if_after:
            self.notify("Search went past the top and started again at the end", timeout=2)
        self.match_index = index
        view = self.view
        if not view.has_matches:
            view.set_matches(self.matches.spans)
        view.selecting = False
        view.move_to(start, center=True)
        self._update_status()

    def _on_current_match(self) -> bool:
        """Whether the cursor is on the match the search went to, with the matches marked."""
        if self.matches is None or self.match_index is None or not self.view.has_matches:
            return False
        start, end = self.matches.spans[self.match_index]
        return start <= self.view.cursor_offset < end

    def _require_matches(self) -> bool:
        if self.matches is None or not len(self.matches):
            self.notify(f"Nothing to look for yet: press {self.key_for('find')} to find text",
                        timeout=3)
            return False
        return True

    def action_find_next(self) -> None:
        """Go to the next match, past the end to the top."""
        if self._require_matches():
            cursor = self.view.cursor_offset
            self._go_to_match(self.matches.after(cursor), wrapped_if_before=cursor + 1)

    def action_find_previous(self) -> None:
        """Go to the previous match, past the top to the end."""
        if self._require_matches():
            cursor = self.view.cursor_offset
            self._go_to_match(self.matches.before(cursor), wrapped_if_after=cursor - 1)

    # --- tagging, editing, deleting, undoing

    def _span_to_tag(self) -> Span | None:
        """The selection snapped to words, or the match under the cursor, or None."""
        span = self.view.snapped_selection()
        if span is not None:
            return span
        cursor = self.view.cursor_offset
        if self.matches is not None and self.match_index is not None and len(self.matches):
            start, end = self.matches.spans[self.match_index]
            if start == cursor:
                return snap_to_words(self.text, start, end)
        return None

    async def _tag(self, kind: str) -> None:
        span = self._span_to_tag()
        if span is None:
            self.notify(
                f"Select the words first: {self.key_for('select-mode')} starts a selection, "
                f"{self.key_for('select-sentence')} takes the sentence, "
                f"{self.key_for('select-quotation')} the quotation",
                severity="warning", timeout=4)
            return
        await self._open_form(span, FormValues(kind=kind), editing=None)

    async def action_tag_claim(self) -> None:
        """Open the form for a claim on the selection."""
        await self._tag("claim")

    async def action_tag_quote(self) -> None:
        """Open the form for a quote on the selection."""
        await self._tag("quote")

    @changes_what_is_shown
    async def action_edit_annotation(self) -> None:
        """Open the form on the annotation under the cursor."""
        annotation = self.view.current_annotation
        if annotation is None:
            self.notify("No annotation under the cursor", timeout=2)
            return
        await self._open_form((annotation["start"], annotation["end"]),
                              FormValues.from_annotation(annotation), editing=annotation)

    async def _open_form(self, span: Span, values: FormValues, editing: dict | None) -> None:
        if self.form is not None:
            if self.form.changed:
                # Never drop what was typed: finish or cancel that annotation first.
                self.notify("Save or cancel the annotation you are writing first",
                            severity="warning", timeout=3)
                self.form.focus_field("source")
                return
            self.form.remove()
        start, end = span
        self.view.selecting = False
        self.view.select_span(start, end)
        self._form_span = span
        hints = source_hints(self.text, start, end, self.bounds)
        form = AnnotationForm(span_text=self.text[start:end], values=values, editing=editing,
                              hints=hints, db=self.app.db)
        self._form = form
        self._update_side_title()
        # Mounted and focused before this key's turn ends: what is typed straight after the
        # tag key (the article view holds it meanwhile) goes to the source field.
        await self.query_one("#side-pane").mount(form)
        self.set_focus(form.input("source"))

    def _close_form(self) -> None:
        if self._form is not None:
            self._form.remove()
            self._form = None
        self.view.focus()
        self._update_side_title()

    @on(AnnotationForm.Cancelled)
    def _form_cancelled(self, event: AnnotationForm.Cancelled) -> None:
        editing = event.form.editing
        self._close_form()
        if editing is not None:
            # The words were selected only to show what was being edited: back to the
            # annotation itself, current, with nothing selected that c or q would tag again.
            # A new annotation's selection stays: the analyst made it, and may want the
            # other kind.
            self._stop_at_id(editing["id"])

    def _stop_at_id(self, annotation_id: str, center: bool = False) -> None:
        """Put the cursor on a drawn annotation, current, nothing selected."""
        drawn = next((a for a in self._annotations if a["id"] == annotation_id), None)
        if drawn is not None:
            self.view.stop_at(drawn, center=center)
        else:
            self.view.clear_selection()

    @on(AnnotationForm.Submitted)
    def _form_submitted(self, event: AnnotationForm.Submitted) -> None:
        form = event.form
        fields = event.values.as_fields()
        db = self.app.db
        try:
            if form.editing is not None:
                saved = store_annotations.edit_annotation(db, form.editing["id"], **fields)
                done = f"Saved your changes to the {saved['kind']}"
            else:
                start, end = self._form_span
                saved = store_annotations.add_annotation(db, self.article_id, start=start,
                                                         end=end, **fields)
                done = f"Saved the {saved['kind']}"
        except ValidationError as error:
            if error.field in FIELDS:
                form.mark_invalid({error.field: str(error)})
                form.focus_field(error.field)
            else:
                self.notify(str(error), title="Not saved", severity="error")
            return
        except MarginError as error:
            self.notify(str(error), title="Not saved", severity="error")
            return
        self._close_form()
        self.view.clear_selection()
        self.reload_annotations()
        self._stop_at_id(saved["id"])
        self.notify(f"{done} {quote_span(saved['exact'], 50)}", timeout=3)

    @changes_what_is_shown
    def action_delete_annotation(self) -> None:
        """Delete the annotation under the cursor (u brings it back)."""
        annotation = self.view.current_annotation
        if annotation is None:
            self.notify("No annotation under the cursor", timeout=2)
            return
        try:
            store_annotations.delete_annotation(self.app.db, annotation["id"])
        except MarginError as error:
            self.notify(str(error), severity="error")
            return
        self.reload_annotations()
        self.notify(f"Deleted the {annotation['kind']} {quote_span(annotation['exact'], 50)}. "
                    f"Press {self.key_for('undo')} to undo.", timeout=5)

    @changes_what_is_shown
    def action_undo(self) -> None:
        """Undo the latest create, edit or delete in this article, also from an earlier run."""
        result = undo_latest(self, self.article_id)
        if result is None:
            return
        if result["subject"] == "article":
            self.article_changed(result["article"])
            self.notify(store_annotations.describe_undo(result), timeout=4)
            return
        annotation = result["annotation"]
        message = store_annotations.describe_undo(result)
        self.reload_annotations()
        if not annotation.get("deleted_at"):
            self._stop_at_id(annotation["id"], center=True)
        self.notify(message, timeout=4)

    def _listed(self, annotation_id: str | None) -> dict | None:
        return next((a for a in self._annotations + self._orphans if a["id"] == annotation_id),
                    None)

    @changes_what_is_shown
    def action_accept_anchor(self) -> None:
        """Accept the new words of the changed annotation under the cursor (or the one chosen
        in the side list); u marks it changed again."""
        current = self.view.current_annotation
        if current is None or not needs_review(current):
            current = self._listed(self._chosen_id)
        if current is None or not needs_review(current):
            self.notify("No changed annotation under the cursor: its words were not edited "
                        "in a revision, or were already accepted", timeout=3)
            return
        try:
            accepted = store_revisions.accept_anchor(self.app.db, current["id"])
        except MarginError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.reload_annotations()
        self._stop_at_id(accepted["id"])
        self.notify(f"Accepted the new words {quote_span(accepted['current'], 50)} of the "
                    f"{accepted['kind']}. Press {self.key_for('undo')} to undo.", timeout=5,
                    markup=False)

    @changes_what_is_shown
    def action_reattach(self) -> None:
        """Place the annotation chosen in the side list (an orphan, or a changed one) on the
        selected words; u undoes it."""
        chosen = self._listed(self._chosen_id)
        if chosen is None:
            self.notify("Choose the annotation to re-attach in the side list first (enter on "
                        "it), then select its words", severity="warning", timeout=4)
            return
        span = self._span_to_tag()
        if span is None:
            self.notify(f"Select the words to re-attach the {chosen['kind']} to first "
                        f"({self.key_for('select-mode')} starts a selection)",
                        severity="warning", timeout=4)
            return
        try:
            placed = store_revisions.reattach(self.app.db, chosen["id"], *span)
        except MarginError as error:
            self.notify(str(error), title="Not re-attached", severity="error", markup=False)
            return
        self._chosen_id = None
        self.view.clear_selection()
        self.reload_annotations()
        self._stop_at_id(placed["id"], center=True)
        self.notify(f"Re-attached the {placed['kind']} to {quote_span(placed['current'], 50)}. "
                    f"Press {self.key_for('undo')} to undo.", timeout=5, markup=False)

    def action_show_changes(self) -> None:
        """Show what changed between revisions of the article (the last revision's changes)."""
        article = get_article(self.app.db, self.article_id)
        if article["revision"] < 2:
            self.notify("The article has one revision: nothing has changed since it was "
                        "imported", timeout=3)
            return
        self.app.push_screen(ChangesScreen(article))

    def _stored_current(self) -> dict | None:
        """The annotation under the cursor as stored, every column (the view keeps fewer)."""
        current = self.view.current_annotation
        return store_annotations.get_annotation(self.app.db, current["id"]) if current else None

    def action_copy_citation(self) -> None:
        """Copy the citation of the annotation under the cursor."""
        copy_citation(self.app, self._stored_current())

    def action_copy_citation_as(self) -> None:
        """Copy the citation of the annotation under the cursor in a chosen style."""
        copy_citation_as(self.app, self._stored_current())


def article_header(article: dict) -> Text:
    """Title, then authors, outlet and date: literal text, never markup."""
    header = Text(display_safe(article.get("title") or "Untitled", one_line=True), style="bold")
    details = []
    if article.get("authors"):
        details.append(", ".join(article["authors"]))
    if article.get("outlet"):
        details.append(as_read(article["outlet"]))
    if article.get("published"):
        details.append(format_published(article["published"]))
    if details:
        header.append("\n")
        header.append(display_safe(" · ".join(details), one_line=True), style="dim")
    return header


def format_published(value: str) -> str:
    """A stored ISO 8601 date as a reader expects it: ``7 September 2025, 17:21``."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    day = f"{moment.day} {moment:%B %Y}"
    return day if len(value) <= 10 else f"{day}, {moment:%H:%M}"
