"""The ``margin`` command line.

Headless commands import only ``click`` and ``store`` so they start fast; the TUI (Textual) and
Rich are imported inside the commands that show them. Every user mistake ends as one line on
stderr and exit status 2, with nothing written.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from store.errors import MarginError
from tui.paths import default_db_path, file_lines

EXIT_USER_ERROR = 2


class Context:
    """What every command needs: where the database is, opened on first use."""

    def __init__(self, db_path: Path, keys_path: Path | None, analyst: str | None = None) -> None:
        self.db_path = db_path
        self.keys_path = keys_path
        self.analyst = analyst
        """Who is working, from --analyst or the config file (None: the login name)."""
        self._db = None

    @property
    def db(self):
        if self._db is None:
            from store.db import open_db

            self._db = open_db(self.db_path, analyst=self.analyst)
        return self._db


pass_context = click.make_pass_decorator(Context)


class MarginGroup(click.Group):
    """Turns a ``MarginError`` anywhere below into one line on stderr and exit status 2."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's own usage errors become one line too, not a usage block."""
        try:
            return super().main(*args, standalone_mode=False, **kwargs)
        except click.exceptions.NoArgsIsHelpError as error:
            click.echo(error.ctx.get_help() if error.ctx else str(error), err=True)
            sys.exit(EXIT_USER_ERROR)
        except click.UsageError as error:
            hint = f" (see '{error.ctx.command_path} --help')" if error.ctx else ""
            fail(f"{error.format_message()}{hint}")
        except click.ClickException as error:
            fail(error.format_message())
        except click.exceptions.Abort:
            fail("interrupted: nothing more was written")

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # --help is answered before --db and --keys are read; it names the files they choose.
        ctx.meta["margin.files"] = _paths_given(args)
        return super().parse_args(ctx, args)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """After the commands, the files margin uses with these options."""
        db_path, keys_path = ctx.meta.get("margin.files", (None, None))
        formatter.write_paragraph()
        formatter.write_heading("Files")
        # Written out whole, not wrapped: a path broken at its hyphens cannot be copied.
        for label, where in file_lines(db_path or default_db_path(), keys_path):
            formatter.write(f"  {label:<15}{where}\n")

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MarginError as error:
            fail(str(error))
        except sqlite3.OperationalError as error:
            fail(f"the database could not be used ({error}): close other programs using it "
                 "and try again")
        except KeyboardInterrupt:
            fail("interrupted: nothing more was written")


def _paths_given(args: list[str]) -> tuple[Path | None, Path | None]:
    """The --db and --keys given before the command, if any."""
    found: dict[str, Path] = {}
    arguments = iter(args)
    for argument in arguments:
        if not argument.startswith("-"):
            break
        name, equals, value = argument.partition("=")
        if name in ("--db", "--keys"):
            value = value if equals else next(arguments, "")
            if value:
                found[name] = Path(value)
    return found.get("--db"), found.get("--keys")


def fail(message: str) -> None:
    """Print ``margin: message`` on stderr and exit with the user-error status.

    The message can quote what the user gave (a key, a name), so it is made display-safe.
    """
    from store.display import display_safe

    click.echo(f"margin: {display_safe(message, one_line=True)}", err=True)
    sys.exit(EXIT_USER_ERROR)


@click.group(cls=MarginGroup, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--db", "db_path", type=click.Path(path_type=Path), default=None,
              help="Database file (default: $MARGIN_DB, else margin.db in the user data directory).")
@click.option("--keys", "keys_path", type=click.Path(path_type=Path), default=None,
              help="A keybindings.toml overriding default keys (default: the user config directory's).")
@click.option("--analyst", "analyst", default=None,
              help="Who is working: recorded on what you create (default: [analyst] name in "
                   "config.toml in the user config directory, else your login name).")
@click.version_option(package_name="margin")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None, keys_path: Path | None,
         analyst: str | None) -> None:
    """margin: read articles and annotate claims and quotes by keyboard.

    With no command, opens the library in the terminal UI.
    """
    from tui.config import analyst_name

    ctx.obj = Context(db_path or default_db_path(), keys_path, analyst_name(analyst))
    if ctx.invoked_subcommand is None:
        _run_tui(ctx.obj, _ready_for_tui(ctx.obj), None)


def _ready_for_tui(context: Context) -> dict[str, str]:
    """Check all that could stop the TUI, before anything is written; returns the user's keys.

    A bad keymap or database is reported first, then a missing terminal.
    """
    from tui.keymap import load_user_keymap

    keymap = load_user_keymap(context.keys_path)
    context.db
    if not sys.stdin.isatty() or not sys.stdout.isatty():
        raise MarginError("the reader needs a terminal",
                          "run margin in a terminal, or use a command such as 'margin articles'")
    return keymap


def _run_tui(context: Context, keymap: dict[str, str], article_id: str | None) -> None:
    from tui.app import run

    run(context.db_path, keymap, open_article=article_id, keys_path=context.keys_path,
        analyst=context.analyst)


METADATA_OPTIONS = (
    click.option("--title", help="Title to use instead of the one found."),
    click.option("--author", help="Author(s), ';'-separated, instead of those found."),
    click.option("--outlet", help="Publication name."),
    click.option("--url", help="The article's URL."),
    click.option("--published", help="Publication date or time, ISO 8601 (2025-09-07T17:21+03:00)."),
    click.option("--section", help="Section of the publication."),
    click.option("--language", help="Language code, such as en."),
)


# The number is the store's TIME_LIMIT, written out so that --help does not import the importer.
TIMEOUT_OPTION = click.option(
    "--timeout", type=click.FloatRange(min=0, min_open=True), default=None, metavar="SECONDS",
    help="Give up on a URL that has not finished downloading after this many seconds (default 120).")


def metadata_options(function):
    for option in reversed(METADATA_OPTIONS):
        function = option(function)
    return function


FORCE_OPTION = click.option(
    "--force", is_flag=True,
    help="Import even what does not look like an article (a table of data, a one-word file).")


def _read(source: str, overrides: dict[str, str | None], timeout: float | None = None,
          force: bool = False):
    from store.ingest import NotAnArticleError, apply_overrides, read_source

    limits = {} if timeout is None else {"time_limit": timeout}
    try:
        draft = read_source(source, allow_non_article=force, **limits)
    except NotAnArticleError as error:
        raise MarginError(error.title, "give --force to import it as an article anyway") from None
    return apply_overrides(draft, **overrides)


@main.command("open")
@click.argument("source")
@metadata_options
@TIMEOUT_OPTION
@FORCE_OPTION
@pass_context
def open_command(context: Context, source: str, timeout: float | None, force: bool,
                 **overrides: str | None) -> None:
    """Import SOURCE if it is new (a file, URL, or - for stdin), then read it."""
    from store.revisions import import_article

    keymap = _ready_for_tui(context)
    imported = import_article(context.db, _read(source, overrides, timeout, force))
    _run_tui(context, keymap, imported.article["id"])


@main.command("import")
@click.argument("sources", nargs=-1, required=True)
@metadata_options
@TIMEOUT_OPTION
@FORCE_OPTION
@click.option("--revision-of", "revision_of", metavar="ID",
              help="Add the text as a new revision of this article, whatever its address.")
@pass_context
def import_command(context: Context, sources: tuple[str, ...], timeout: float | None, force: bool,
                   revision_of: str | None, **overrides: str | None) -> None:
    """Import articles from files, URLs, or - for standard input.

    A new text at the address of an article in the library (or given --revision-of) is added
    as that article's newest revision, and its annotations are placed on it.
    Each source is imported on its own: one that fails is reported and the others still import.
    """
    from store.revisions import import_article

    db = context.db
    if revision_of is not None:
        from store.articles import get_article

        # Before any source is read or fetched: a wrong id is the whole command's mistake.
        revision_of = get_article(db, revision_of)["id"]
    failures = 0
    with _progress(len(sources)) as advance:
        for source in sources:
            try:
                draft = _read(source, overrides, timeout, force)
                imported = import_article(db, draft, revision_of=revision_of)
            except MarginError as error:
                failures += 1
                click.echo(f"margin: {_one_line(str(error))}", err=True)
            else:
                article = imported.article
                click.echo(f"{article['id']}  {imported.state}  {_one_line(article['title'])}"
                           f"{_anchor_counts(imported.counts)}")
                if imported.created:
                    _echo_notices(article["id"], draft)
            advance(source)
    if failures:
        sys.exit(EXIT_USER_ERROR)


def _anchor_counts(counts: dict[str, int]) -> str:
    """``  (N annotations: E exact, M moved, F changed, O orphaned)`` after a revision."""
    if not counts:
        return ""
    total = sum(counts.values())
    return (f"  ({total} annotation{'s' if total != 1 else ''}: {counts['exact']} exact, "
            f"{counts['moved']} moved, {counts['changed']} changed, "
            f"{counts['orphan']} orphaned)")


# Which edit-article option sets the field a notice is about, for the hint after it.
_NOTICE_OPTIONS = {"authors": "--author NAME"}


def _echo_notices(article_id: str, draft) -> None:
    """Tell the person on stderr what the import left empty and why, with the command that
    sets it on the article now stored (importing again would find it already there)."""
    for name, notice in draft.notices.items():
        option = _NOTICE_OPTIONS.get(name)
        hint = f" (set it with: margin edit-article {article_id} {option})" if option else ""
        click.echo(f"margin: {article_id}: {_one_line(notice)}{hint}", err=True)


class _progress:
    """A Rich progress bar on stderr for several sources on a terminal; nothing otherwise."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.bar = None

    def __enter__(self):
        if self.total > 1 and sys.stderr.isatty():
            from rich.console import Console
            from rich.progress import Progress

            self.bar = Progress(console=Console(stderr=True), transient=True)
            self.bar.start()
            task = self.bar.add_task("importing", total=self.total)
            return lambda source: self.bar.update(task, advance=1, description=_one_line(source)[:40])
        return lambda source: None

    def __exit__(self, *exc_info) -> None:
        if self.bar is not None:
            self.bar.stop()


@main.command("articles")
@click.option("--archived", "state", flag_value="archived", help="List the archived articles.")
@click.option("--trash", "state", flag_value="trash", help="List the articles in the trash.")
@click.option("--all", "state", flag_value="all",
              help="List every article: library, archive and trash.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def articles_command(context: Context, as_json: bool, state: str | None) -> None:
    """List the articles of the library (or of the archive, the trash, or all of them)."""
    from store.articles import STATES, list_articles
    from store.nocase import as_read

    states = list(STATES) if state == "all" else [state or "library"]
    rows = [row for name in states for row in list_articles(context.db, state=name)]
    if as_json:
        click.echo(_json(rows))
        return
    if not rows:
        if state in ("archived", "trash"):
            click.echo("The archive is empty." if state == "archived" else "The trash is empty.")
        else:
            click.echo("No articles yet: import one with 'margin import FILE-OR-URL'.")
        return
    click.echo(f"{'ID':<8}  {'PUBLISHED':<10}  {'CLAIMS':>6}  {'QUOTES':>6}  TITLE")
    for row in rows:
        outlet = f" ({_one_line(as_read(row['outlet']))})" if row["outlet"] else ""
        where = (" [trash]" if row["deleted_at"] else " [archived]" if row["archived_at"]
                 else "")
        click.echo(f"{row['id']:<8}  {(row['published'] or '')[:10]:<10}  {row['claims']:>6}  "
                   f"{row['quotes']:>6}  {_one_line(row['title'])}{outlet}{where}")


@main.command("edit-article")
@click.argument("article")
@click.option("--title", help="The article's title.")
@click.option("--author", "authors", multiple=True,
              help="An author; repeat for several, in order. An organisation in braces: "
                   "'{Human Rights Watch}'. One empty --author '' clears them.")
@click.option("--outlet", help="Publication name.")
@click.option("--url", help="The article's address (http:// or https://).")
@click.option("--published", help="Publication date or time, ISO 8601 (2025-09-07T17:21+03:00).")
@click.option("--accessed", help="The day you read it, YYYY-MM-DD (default: the day of import).")
@click.option("--section", help="Section of the publication.")
@pass_context
def edit_article_command(context: Context, article: str, authors: tuple[str, ...],
                         **fields: str | None) -> None:
    """Correct ARTICLE's metadata; an empty value clears a field. Undo reverses it."""
    from store.articles import edit_article, get_article

    changes = {name: value for name, value in fields.items() if value is not None}
    if authors:
        changes["authors"] = list(authors)
    if not changes:
        raise click.UsageError("nothing to change: give --title, --author, --outlet, --url, "
                               "--published, --accessed or --section")
    before = get_article(context.db, article)
    after = edit_article(context.db, before["id"], **changes)
    state = "unchanged" if _metadata(after) == _metadata(before) else "edited"
    click.echo(f"{after['id']}  {state}  {_one_line(after['title'])}")


def _metadata(article: dict) -> tuple:
    from store.metadata import EDITABLE

    return tuple(article[name] for name in EDITABLE)


@main.command("archive-article")
@click.argument("article")
@pass_context
def archive_article_command(context: Context, article: str) -> None:
    """Move ARTICLE out of the library into the archive; its annotations stay in review."""
    from store.articles import archive_article

    done = archive_article(context.db, article)
    click.echo(f"{done['id']}  archived  {_one_line(done['title'])}")


@main.command("unarchive-article")
@click.argument("article")
@pass_context
def unarchive_article_command(context: Context, article: str) -> None:
    """Bring an archived ARTICLE back into the library."""
    from store.articles import unarchive_article

    done = unarchive_article(context.db, article)
    click.echo(f"{done['id']}  back in the library  {_one_line(done['title'])}")


@main.command("delete-article")
@click.argument("article")
@click.option("--yes", is_flag=True, help="Do not ask, even when the article has annotations.")
@pass_context
def delete_article_command(context: Context, article: str, yes: bool) -> None:
    """Move ARTICLE to the trash (restore-article brings it back).

    An article with annotations is moved only after a yes on standard input, or with --yes.
    """
    from store.articles import count_live_annotations, delete_article, get_article

    found = get_article(context.db, article)
    count = count_live_annotations(context.db, found["id"])
    if count and not yes:
        noun = "annotation" if count == 1 else "annotations"
        question = (f"The article “{_one_line(found['title'])}” has {count} {noun}; "
                    "move it to the trash?")
        try:
            agreed = click.confirm(question, default=False, err=True)
        except click.exceptions.Abort:
            agreed = False
        if not sys.stdin.isatty():
            click.echo(err=True)  # an answer piped in is not echoed: end the question's line
        if not agreed:
            fail(f"the article has {count} {noun} and was not moved to the trash: "
                 "answer y, or give --yes")
    done = delete_article(context.db, found["id"])
    click.echo(f"{done['id']}  moved to the trash  {_one_line(done['title'])}")


@main.command("restore-article")
@click.argument("article")
@pass_context
def restore_article_command(context: Context, article: str) -> None:
    """Bring ARTICLE back from the trash, with its annotations."""
    from store.articles import restore_article

    done = restore_article(context.db, article)
    click.echo(f"{done['id']}  restored  {_one_line(done['title'])}")


def _parse_confidence(ctx: click.Context, param: click.Parameter, value: str | None) -> int | None:
    """``--confidence`` and ``--min-confidence`` read as the form and the Review filter read them."""
    if value is None:
        return None
    from store.confidence import parse_confidence, parse_min_confidence

    parse = parse_min_confidence if param.name == "min_confidence" else parse_confidence
    try:
        return parse(value)
    except MarginError as error:
        raise click.BadParameter(error.advice or str(error)) from None


def _parse_occurrence(ctx: click.Context, param: click.Parameter,
                      value: str | None) -> int | None:
    if value is None:
        return None
    from store.annotations import parse_occurrence

    try:
        return parse_occurrence(value)
    except MarginError as error:
        raise click.BadParameter(error.advice or str(error)) from None


def _parse_grade(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from store.confidence import parse_grade

    try:
        return parse_grade(value)
    except MarginError as error:
        raise click.BadParameter(error.advice or str(error)) from None


@main.command("add")
@click.argument("article")
@click.option("--kind", type=click.Choice(["claim", "quote"]), required=True)
@click.option("--text", required=True, help="The exact words of the article to annotate.")
@click.option("--occurrence", callback=_parse_occurrence,
              help="Which appearance of the text (1 for the first), when it appears more "
                   "than once.")
@click.option("--source", help="Who made the claim or said the quote.")
@click.option("--role", help="The source's role (remembered for next time).")
@click.option("--via", help="The channel: 'interview with Ukrinform'.")
@click.option("--confidence", callback=_parse_confidence,
              help="A digit 1–7 for an ICD 203 term (5 = likely: stored as 68), "
                   "or a percent: 05, 60, 100, 5%.")
@click.option("--grade", callback=_parse_grade, help="Admiralty code such as B2.")
@click.option("--note")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for several.")
@pass_context
def add_command(context: Context, article: str, text: str, occurrence: int, **fields: Any) -> None:
    """Annotate the words TEXT of ARTICLE; prints the new annotation's id.

    TEXT is found as typed: straight or curly quotation marks, any dash, and one space or
    several or a line break all match; the article's own words are saved. Words that appear
    more than once need --occurrence.
    """
    from store.annotations import (DuplicateAnnotationError, SeveralMatchesError,
                                   add_annotation_by_text)

    try:
        annotation = add_annotation_by_text(context.db, article, text=text,
                                            occurrence=occurrence, **fields)
    except SeveralMatchesError as error:
        raise MarginError(error.title, f"add --occurrence N to choose one "
                                       f"(1 to {len(error.contexts)})") from None
    except DuplicateAnnotationError as error:
        raise MarginError(error.title, f"change it with margin edit {error.existing[:8]} "
                                       "(--confidence, --note, …), or give another --source "
                                       "or --kind") from None
    click.echo(annotation["id"])


# --- editing, deleting, restoring and undoing: the store's functions, as the TUI calls them --

# What ``edit`` shows of each field, in this order; a missing value shows as "(none)".
SHOWN_FIELDS = ("kind", "source", "role", "via", "confidence", "grade", "note", "tags")


def _shown_value(field: str, value: Any) -> str:
    if value is None or value == []:
        return "(none)"
    if field == "confidence":
        from store.confidence import describe

        return describe(value)
    if field == "tags":
        return ", ".join(value)
    return _one_line(str(value))


def _what(annotation: dict) -> str:
    """``the quote “…”``: an annotation named for a person in one line."""
    from store.citations.quotes import quote_span

    return f"the {annotation['kind']} {_one_line(quote_span(annotation['exact'], 40))}"


def _live_annotation(context: Context, annotation_id: str) -> dict:
    """The annotation with that id or id prefix; a deleted one is refused, as the TUI does."""
    from store.annotations import get_annotation

    annotation = get_annotation(context.db, annotation_id)
    if annotation["deleted_at"]:
        raise MarginError(f"{_what(annotation)} is deleted",
                          f"run 'margin restore {annotation['id'][:8]}' first")
    return annotation


def _blank_or(parse):
    """An option callback: not given stays None, an empty value clears the field ("" →
    ``CLEAR``), anything else is read by ``parse`` as the form reads it."""
    def callback(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
        if value is None:
            return None
        if not value.strip():
            return CLEAR
        return parse(ctx, param, value)
    return callback


CLEAR = object()
"""An option given as an empty value: the field is to be emptied."""


@main.command("edit")
@click.argument("annotation_id", metavar="ID")
@click.option("--kind", type=click.Choice(["claim", "quote"]))
@click.option("--source", help="Who made the claim or said the quote ('' for nobody).")
@click.option("--role", help="The source's role (remembered for next time).")
@click.option("--via", help="The channel: 'interview with Ukrinform'.")
@click.option("--confidence", callback=_blank_or(_parse_confidence),
              help="A digit 1–7 for an ICD 203 term, or a percent: 05, 60, 100, 5%.")
@click.option("--grade", callback=_blank_or(_parse_grade), help="Admiralty code such as B2.")
@click.option("--note")
@click.option("--tag", "tags", multiple=True,
              help="A tag; repeat for several. Replaces the tags ('--tag \"\"' for none).")
@pass_context
def edit_command(context: Context, annotation_id: str, **options: Any) -> None:
    """Change fields of the annotation ID (or id prefix); prints what changed.

    Only the options given change; an empty value ('--note ""') empties that field.
    """
    from store.annotations import edit_annotation

    changes = {name: (None if value is CLEAR else value) for name, value in options.items()
               if value is not None and value != ()}
    if "tags" in changes:
        changes["tags"] = [tag for tag in changes["tags"] if tag.strip()]
    if not changes:
        raise click.UsageError("nothing to change: give a field such as --note, --confidence, "
                               "--grade, --source or --tag")
    before = _live_annotation(context, annotation_id)
    after = edit_annotation(context.db, before["id"], **changes)
    changed = [field for field in SHOWN_FIELDS if before[field] != after[field]]
    if not changed:
        click.echo(f"{after['id'][:8]}  nothing changed: {_what(after)} already has these values")
        return
    click.echo(f"{after['id'][:8]}  edited {_what(after)}")
    for field in changed:
        click.echo(f"  {field}: {_shown_value(field, before[field])} → "
                   f"{_shown_value(field, after[field])}")


@main.command("delete")
@click.argument("annotation_id", metavar="ID")
@pass_context
def delete_command(context: Context, annotation_id: str) -> None:
    """Delete the annotation ID (or id prefix); it is kept, and restore or undo brings it back."""
    from store.annotations import delete_annotation, get_annotation

    annotation = get_annotation(context.db, annotation_id)
    if annotation["deleted_at"]:
        raise MarginError(f"{_what(annotation)} is already deleted",
                          f"run 'margin restore {annotation['id'][:8]}' to bring it back")
    delete_annotation(context.db, annotation["id"])
    click.echo(f"{annotation['id'][:8]}  deleted {_what(annotation)} "
               "(margin undo or margin restore brings it back)")


@main.command("restore")
@click.argument("annotation_id", metavar="ID")
@pass_context
def restore_command(context: Context, annotation_id: str) -> None:
    """Bring back the deleted annotation ID (or id prefix)."""
    from store.annotations import get_annotation, restore_annotation

    annotation = get_annotation(context.db, annotation_id)
    if not annotation["deleted_at"]:
        raise MarginError(f"{_what(annotation)} is not deleted", "only deleted annotations restore")
    restore_annotation(context.db, annotation["id"])
    click.echo(f"{annotation['id'][:8]}  restored {_what(annotation)}")


@main.command("undo")
@click.option("--article", "article_id", help="Undo the latest change in this article only.")
@pass_context
def undo_command(context: Context, article_id: str | None) -> None:
    """Undo the latest change to an annotation or an article's metadata, as u does in the TUI.

    Each undo goes one change further back; what was undone stays in the history.
    """
    from store.annotations import describe_undo, undo

    if article_id is not None:
        from store.articles import get_article

        article_id = get_article(context.db, article_id)["id"]
    result = undo(context.db, article_id)
    if result is None:
        click.echo("Nothing to undo in this article." if article_id else "Nothing to undo.")
        return
    subject = result["annotation"] if result["subject"] == "annotation" else result["article"]
    click.echo(f"{subject['id'][:8]}  {_one_line(describe_undo(result))}")


@main.command("annotations")
@click.option("--article", "article_id", help="Only this article's annotations.")
@click.option("--kind", type=click.Choice(["claim", "quote"]))
@click.option("--source", help="Only sources with words beginning so (any case): Omar, lamr.")
@click.option("--tag", "tags", multiple=True, help="Only annotations with this tag; repeat for all of several.")
@click.option("--search", help="Whole words in the span, note, source, role, via or tags.")
@click.option("--min-confidence", callback=_parse_confidence,
              help="At least this: a digit 1–7 for a term and above (5 = likely or more, "
                   "56% up), or a percent: 05, 60, 5%.")
@click.option("--by", "analyst", help="Only those this analyst made (the whole name, any case).")
@click.option("--deleted", is_flag=True, help="List deleted annotations instead.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def annotations_command(context: Context, article_id: str | None, as_json: bool, deleted: bool,
                        **filters: Any) -> None:
    """List annotations, newest first."""
    from store.annotations import list_annotations

    if article_id is not None:
        from store.articles import get_article

        article_id = get_article(context.db, article_id)["id"]
    rows = list_annotations(context.db, article_id=article_id, deleted=deleted,
                            descending=True, **filters)
    if as_json:
        click.echo(_json(rows))
        return
    if not rows:
        click.echo("No annotations match.")
        return
    from store.citations.quotes import quote_span

    for row in rows:
        confidence = f"{row['confidence']}%" if row["confidence"] is not None else "-"
        click.echo(f"{row['id'][:8]}  {row['kind']:<5}  {_standing(row):<10}  {confidence:>4}  "
                   f"{row['grade'] or '-':<2}  "
                   f"{_one_line(row['source'] or '-')[:24]:<24}  "
                   f"{_one_line(quote_span(row['exact'], 60))}  [{row['article_id']}]")


def _standing(row: dict) -> str:
    """How an annotation stands in the newest text, when it is not simply there: ``orphan``,
    ``changed``, or ``unverified`` for a quote no longer verbatim or within its marks."""
    if row["anchor"] in ("orphan", "changed"):
        return row["anchor"]
    return "unverified" if row["verified"] == 0 else ""


@main.command("revisions")
@click.argument("article")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def revisions_command(context: Context, article: str, as_json: bool) -> None:
    """List the revisions of ARTICLE: when each was retrieved, its size, and the words added
    and removed since the one before."""
    from store.revisions import list_revisions

    rows = list_revisions(context.db, article)
    if as_json:
        click.echo(_json(rows))
        return
    click.echo(f"{'REV':>3}  {'RETRIEVED':<16}  {'CHARACTERS':>10}  {'ADDED':>6}  {'REMOVED':>7}  "
               "TITLE")
    for row in rows:
        click.echo(f"{row['number']:>3}  {_local_minute(row['retrieved_at']):<16}  "
                   f"{row['characters']:>10}  {'+' + str(row['words_added']):>6}  "
                   f"{'-' + str(row['words_removed']):>7}  {_one_line(row['title'] or '')}")


def _local_minute(stamp: str) -> str:
    """A stored UTC time as the local date and minute a person reads."""
    from datetime import datetime

    return datetime.fromisoformat(stamp).astimezone().strftime("%Y-%m-%d %H:%M")


@main.command("diff")
@click.argument("article")
@click.option("--from", "first", type=int, help="The older revision (default: the one before "
                                                "the newest).")
@click.option("--to", "second", type=int, help="The newer revision (default: the newest).")
@pass_context
def diff_command(context: Context, article: str, first: int | None,
                 second: int | None) -> None:
    """Print what changed in ARTICLE between two revisions: each changed paragraph, with
    removed words as [-words-] and added ones as {+words+}."""
    from store.articles import get_article
    from store.revisions import get_revision
    from store.revisions.changes import changed_paragraphs

    stored = get_article(context.db, article)
    second = stored["revision"] if second is None else second
    first = second - 1 if first is None else first
    if stored["revision"] == 1 and first == 0:
        click.echo(f"{stored['id']} has one revision: there is nothing to compare yet.")
        return
    old = get_revision(context.db, stored["id"], first)
    new = get_revision(context.db, stored["id"], second)
    paragraphs = changed_paragraphs(old["text"], new["text"])
    click.echo(f"{stored['id']}  revision {first} → {second}: {len(paragraphs)} paragraph"
               f"{'s' if len(paragraphs) != 1 else ''} changed")
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    for paragraph in paragraphs:
        click.echo("")
        click.echo(_display("".join(marks[op].format(text) for op, text in paragraph)))


def _display(text: str) -> str:
    """Stored text shown as written, line breaks kept, controls made visible."""
    from store.display import display_safe

    return display_safe(text)


STYLE_NAMES = ("analyst", "chicago-note", "chicago-bib", "apa", "mla", "markdown", "csl-json")
EXPORT_FORMATS = ("w3c", "jsonl", "csv", "markdown", "csl-json")


@main.command("cite")
@click.argument("item_id", metavar="ID")
@click.option("--style", type=click.Choice(STYLE_NAMES), default="analyst", show_default=True)
@click.option("--copy", is_flag=True, help="Also copy the citation to the clipboard.")
@pass_context
def cite_command(context: Context, item_id: str, style: str, copy: bool) -> None:
    """Print the citation of an annotation or an article (ID: either's id or id prefix)."""
    from store.annotations import get_annotation
    from store.articles import get_article
    from store.citations import cite_annotation, cite_article
    from store.display import display_safe
    from store.errors import NotFoundError

    try:
        annotation = get_annotation(context.db, item_id)
    except NotFoundError:
        try:
            article = get_article(context.db, item_id)
        except NotFoundError:
            raise NotFoundError(f"no annotation or article with id {item_id!r}",
                                "run 'margin annotations' or 'margin articles' to see the ids"
                                ) from None
        text = cite_article(article, style)
    else:
        from store.revisions import cited_article

        text = cite_annotation(annotation, cited_article(context.db, annotation), style)
    # Shown with its controls visible; the clipboard below gets the exact text.
    click.echo(display_safe(text))
    if copy:
        from tui.clipboard import copy_from_command_line

        # The citation is on stdout whatever happens next, so a clipboard that is missing is a
        # warning (exit 0), not a failure: what was asked for has been delivered once.
        # OSC 52 must reach the terminal: stdout may be redirected while stderr is still on it.
        copied = copy_from_command_line(text, sys.stdout if sys.stdout.isatty() else sys.stderr)
        click.echo(f"margin: {copied.message('citation')}", err=True)


@main.command("export")
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), default="w3c",
              show_default=True)
@click.option("--article", "article_id", help="Only this article's annotations.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output.")
@pass_context
def export_command(context: Context, fmt: str, article_id: str | None, output: Path | None) -> None:
    """Export annotations (csl-json: the articles) for other tools and reports."""
    from store.export import export

    if output is None:
        count = export(context.db, fmt, article_id=article_id, out=sys.stdout)
        sys.stdout.flush()
        return
    # Written beside the target and renamed into place, so a failed export never leaves a
    # half-written file where a good one was.
    partial = output.with_name(f".{output.name}.partial")
    try:
        with partial.open("w", encoding="utf-8", newline="" if fmt == "csv" else None) as out:
            count = export(context.db, fmt, article_id=article_id, out=out)
        partial.replace(output)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise MarginError(f"cannot write {output} ({error.strerror})",
                          "choose a path in a folder you can write to") from None
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    noun = "article" if fmt == "csl-json" else "annotation"
    click.echo(f"margin: wrote {count} {noun}{'s' if count != 1 else ''} to {output}", err=True)


@main.command("import-annotations")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path, allow_dash=True))
@pass_context
def import_annotations_command(context: Context, file: Path) -> None:
    """Merge a w3c or jsonl export; annotations with the same id merge, so twice changes nothing."""
    from store.interchange import import_annotations

    source = sys.stdin if str(file) == "-" else file
    report = import_annotations(context.db, source)
    for reason in report.kept:
        click.echo(f"margin: kept the newer copy here: {_one_line(reason)}", err=True)
    for reason in report.rejected:
        click.echo(f"margin: rejected: {_one_line(reason)}", err=True)
    for reason in report.revisions_refused:
        click.echo(f"margin: revision not added: {_one_line(reason)}", err=True)
    click.echo(report.summary())
    if report.rejected:
        sys.exit(EXIT_USER_ERROR)


# --- sharing with a team ---------------------------------------------------------------------

@main.command("sync")
@click.argument("url", required=False)
@pass_context
def sync_command(context: Context, url: str | None) -> None:
    """Share this copy with the team's PostgreSQL server: take the team's changes, send yours.

    URL is postgresql://user@host/database (default: $MARGIN_SYNC_URL, else the server last
    synced with). A password is best kept in PGPASSWORD or ~/.pgpass: margin remembers the
    address without it.
    """
    from store.sync import sync
    from tui.syncing import sync_url

    url = sync_url(context.db, url)
    if not url:
        fail("no server to sync with: give its address, 'margin sync "
             "postgresql://user@host/database', or set MARGIN_SYNC_URL")
    report = sync(context.db, url, progress=_SyncProgress())
    for problem in report.problems:
        click.echo(f"margin: not merged: {_one_line(problem)}", err=True)
    line = report.summary()
    if report.conflicts:
        line += " (list them with 'margin conflicts', or conflict:yes in Review)"
    click.echo(line)


class _SyncProgress:
    """Progress of a sync on stderr: rewritten in place on a terminal, a line a tenth else."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()
        self.shown: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if total == 0:
            return
        tenth = done * 10 // total
        if not self.terminal and self.shown.get(stage) == tenth:
            return
        self.shown[stage] = tenth
        text = f"{stage}: {done:,} of {total:,} changes"
        if self.terminal:
            click.echo(f"\r{text}\033[K", err=True, nl=done >= total)
        else:
            click.echo(text, err=True)


@main.command("conflicts")
@click.option("--all", "show_all", is_flag=True, help="Also list the resolved ones.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def conflicts_command(context: Context, show_all: bool, as_json: bool) -> None:
    """List the conflicts sync found: an annotation or article changed in two copies at once.

    The newer change stands; the other is kept here until you resolve the conflict.
    """
    from store.sync import list_conflicts

    rows = list_conflicts(context.db, open_only=not show_all)
    if as_json:
        click.echo(_json(rows))
        return
    if not rows:
        click.echo("no open conflicts" if not show_all else "no conflicts")
        return
    for row in rows:
        lost = row["lost"]
        what = (f"annotation {row['record_id'][:8]}" if row["subject"] == "annotation"
                else f"article {row['record_id']}")
        state = f"resolved {row['resolved_at'][:16]}" if row["resolved_at"] else "open"
        other = "deleted" if lost.get("deleted_at") else _one_line(
            lost.get("note") or lost.get("exact") or lost.get("title") or "")[:50]
        click.echo(f"{row['id']:>4}  {what}  {state}  other version of "
                   f"{lost.get('updated_at', '')[:16]}: {other}")


@main.command("resolve")
@click.argument("conflict_id", metavar="CONFLICT", type=int)
@click.option("--keep", "take", flag_value="kept", help="Keep the version that stands.")
@click.option("--take-other", "take", flag_value="lost",
              help="Put the other (losing) version back in its place.")
@pass_context
def resolve_command(context: Context, conflict_id: int, take: str | None) -> None:
    """Resolve conflict CONFLICT (its number in 'margin conflicts'); the answer travels to
    the team at the next sync."""
    from store.sync import resolve_conflict

    if take is None:
        raise click.UsageError("say which version to keep: --keep or --take-other")
    conflict = resolve_conflict(context.db, conflict_id, take=take)
    kept = "kept the version that stands" if take == "kept" else "took the other version"
    click.echo(f"{conflict['id']}  resolved: {kept}")


def _one_line(text: str) -> str:
    """Stored text for one line of a table or a message: spaces joined, controls visible."""
    from store.display import display_safe

    return display_safe(" ".join(str(text).split()), one_line=True)


def _json(rows: Any) -> str:
    """JSON for the terminal or a pipe: the same data, with controls written as escapes."""
    from store.display import json_safe

    return json_safe(json.dumps(rows, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main(prog_name="margin")
