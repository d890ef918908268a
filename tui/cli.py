"""The ``margin`` command line.

Headless commands import only ``click`` and ``store`` so they start fast; the TUI (Textual) and
Rich are imported inside the commands that show them. Every user mistake ends as one line on
stderr and exit status 2, with nothing written.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
from pathlib import Path
from typing import Any

import click

from store.errors import MarginError

EXIT_USER_ERROR = 2


def default_db_path() -> Path:
    """``$MARGIN_DB``, else ``margin.db`` in the user data directory."""
    if os.environ.get("MARGIN_DB"):
        return Path(os.environ["MARGIN_DB"]).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("margin", appauthor=False)) / "margin.db"


class Context:
    """What every command needs: where the database is, opened on first use."""

    def __init__(self, db_path: Path, keys_path: Path | None) -> None:
        self.db_path = db_path
        self.keys_path = keys_path
        self._db = None

    @property
    def db(self):
        if self._db is None:
            from store.db import open_db

            self._db = open_db(self.db_path)
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
@click.version_option(package_name="margin")
@click.pass_context
def main(ctx: click.Context, db_path: Path | None, keys_path: Path | None) -> None:
    """margin: read articles and annotate claims and quotes by keyboard.

    With no command, opens the library in the terminal UI.
    """
    ctx.obj = Context(db_path or default_db_path(), keys_path)
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

    run(context.db_path, keymap, open_article=article_id)


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


def _read(source: str, overrides: dict[str, str | None], timeout: float | None = None):
    from store.ingest import apply_overrides, read_source

    limits = {} if timeout is None else {"time_limit": timeout}
    return apply_overrides(read_source(source, **limits), **overrides)


@main.command("open")
@click.argument("source")
@metadata_options
@TIMEOUT_OPTION
@pass_context
def open_command(context: Context, source: str, timeout: float | None, **overrides: str | None) -> None:
    """Import SOURCE if it is new (a file, URL, or - for stdin), then read it."""
    from store.articles import add_article

    keymap = _ready_for_tui(context)
    article, _ = add_article(context.db, _read(source, overrides, timeout))
    _run_tui(context, keymap, article["id"])


@main.command("import")
@click.argument("sources", nargs=-1, required=True)
@metadata_options
@TIMEOUT_OPTION
@pass_context
def import_command(context: Context, sources: tuple[str, ...], timeout: float | None,
                   **overrides: str | None) -> None:
    """Import articles from files, URLs, or - for standard input.

    Each source is imported on its own: one that fails is reported and the others still import.
    """
    from store.articles import add_article

    db = context.db
    failures = 0
    with _progress(len(sources)) as advance:
        for source in sources:
            try:
                article, created = add_article(db, _read(source, overrides, timeout))
            except MarginError as error:
                failures += 1
                click.echo(f"margin: {_one_line(str(error))}", err=True)
            else:
                state = "imported" if created else "already there"
                click.echo(f"{article['id']}  {state}  {_one_line(article['title'])}")
            advance(source)
    if failures:
        sys.exit(EXIT_USER_ERROR)


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
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@pass_context
def articles_command(context: Context, as_json: bool) -> None:
    """List the articles in the database."""
    from store.articles import list_articles
    from store.nocase import as_read

    rows = list_articles(context.db)
    if as_json:
        click.echo(_json(rows))
        return
    if not rows:
        click.echo("No articles yet: import one with 'margin import FILE-OR-URL'.")
        return
    click.echo(f"{'ID':<8}  {'PUBLISHED':<10}  {'CLAIMS':>6}  {'QUOTES':>6}  TITLE")
    for row in rows:
        outlet = f" ({_one_line(as_read(row['outlet']))})" if row["outlet"] else ""
        click.echo(f"{row['id']:<8}  {(row['published'] or '')[:10]:<10}  {row['claims']:>6}  "
                   f"{row['quotes']:>6}  {_one_line(row['title'])}{outlet}")


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


def _parse_occurrence(ctx: click.Context, param: click.Parameter, value: str | None) -> int:
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
@click.option("--occurrence", callback=_parse_occurrence, default="1", show_default=True,
              help="Which appearance of the text, when it appears more than once.")
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
    """Annotate the exact TEXT of ARTICLE; prints the new annotation's id."""
    from store.annotations import add_annotation_by_text

    annotation = add_annotation_by_text(context.db, article, text=text, occurrence=occurrence,
                                        **fields)
    click.echo(annotation["id"])


@main.command("annotations")
@click.option("--article", "article_id", help="Only this article's annotations.")
@click.option("--kind", type=click.Choice(["claim", "quote"]))
@click.option("--source", help="Only sources with words beginning so (any case): Omar, lamr.")
@click.option("--tag", "tags", multiple=True, help="Only annotations with this tag; repeat for all of several.")
@click.option("--search", help="Whole words in the span, note, source, role, via or tags.")
@click.option("--min-confidence", callback=_parse_confidence,
              help="At least this: a digit 1–7 for a term and above (5 = likely or more, "
                   "56% up), or a percent: 05, 60, 5%.")
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
    for row in rows:
        confidence = f"{row['confidence']}%" if row["confidence"] is not None else "-"
        click.echo(f"{row['id'][:8]}  {row['kind']:<5}  {confidence:>4}  {row['grade'] or '-':<2}  "
                   f"{_one_line(row['source'] or '-')[:24]:<24}  "
                   f"“{_one_line(row['exact'])[:60]}”  [{row['article_id']}]")


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
        text = cite_annotation(annotation, get_article(context.db, annotation["article_id"]), style)
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
    click.echo(report.summary())
    if report.rejected:
        sys.exit(EXIT_USER_ERROR)


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
