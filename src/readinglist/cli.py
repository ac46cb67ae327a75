"""The ``readinglist`` command line (the contract is CLI.md).

Each command parses its arguments, calls one core function and renders the result.
Errors are turned into one line on stderr and an exit code here, in one place
(:class:`_Group`); below this module nothing prints, prompts or exits.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from readinglist import __version__
from readinglist.errors import ReadingListError, StoreError, UsageError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_REMOTE = 0, 1, 2, 3

log = logging.getLogger("readinglist")


@dataclass
class Context:
    """What the global options say, shared by every command."""

    root: Path | None
    debug: bool

    def course_root(self) -> Path:
        """The course folder (checked to hold the course file)."""
        from readinglist.store import find_root

        return find_root(self.root)

    def load(self, *, synced: bool = True):  # type: ignore[no-untyped-def]
        """Load the course folder's library."""
        from readinglist.store import load_library

        return load_library(self.course_root(), synced=synced)


def _stderr() -> Console:
    return Console(stderr=True, highlight=False, soft_wrap=True)


def _stdout() -> Console:
    return Console(highlight=False, soft_wrap=True)


def fail(message: str) -> None:
    """Print one error line to stderr (the caller chooses the exit code)."""
    click.echo(f"error: {message}", err=True)


def _debug(ctx: click.Context) -> bool:
    return bool(getattr(ctx.obj, "debug", False) or os.environ.get("READINGLIST_DEBUG"))


class _Group(click.Group):
    """Runs a command and turns every error into one line and a CLI.md exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ReadingListError as exc:
            if _debug(ctx):
                raise
            fail(str(exc))
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            fail("interrupted; stored data is left as it was")
            ctx.exit(130)
        except BrokenPipeError:
            # A reader such as `head` went away: not an error of ours.
            with open(os.devnull, "w") as devnull:
                os.dup2(devnull.fileno(), sys.stdout.fileno())
            ctx.exit(0)
        except MemoryError:
            fail("out of memory")
            ctx.exit(EXIT_INPUT)
        except Exception as exc:
            if _debug(ctx):
                raise
            fail(f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)")
            ctx.exit(EXIT_FINDINGS)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The course folder (holding mkdocs.yml and bib/). Default: the current directory.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks and debug logging.")
@click.version_option(__version__, prog_name="readinglist")
@click.pass_context
def cli(ctx: click.Context, root: Path | None, debug: bool) -> None:
    """Keep a seminar's reading list as BibTeX in git: check it, sync it from arXiv,
    link it into a citation graph, publish it as a site, export it per lecture.

    \b
    Example:
      readinglist check
      readinglist export --lecture 3 -o lecture3.bib
    """
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    ctx.obj = Context(root=root, debug=debug)


def main() -> None:
    """The console script."""
    cli(prog_name="readinglist")


def _emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def _write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from readinglist.store import write_atomic

    try:
        write_atomic(output.resolve(), text.encode("utf-8"))
    except StoreError as exc:
        exc.file = str(output)
        raise


# ---------------------------------------------------------------- check


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.option("--strict", is_flag=True, help="Warnings count as problems (exit 1).")
@click.pass_obj
def check(obj: Context, as_json: bool, strict: bool) -> None:
    """Validate the whole course: syntax, duplicate keys, the same paper under two keys,
    malformed arXiv ids and DOIs, readings naming unknown keys, empty topics and lectures,
    entries missing title/author/year, fetched data disagreeing with hand-written data.

    \b
    Exit: 0 clean, 1 errors (or warnings with --strict), 2 unreadable files.
    Example:
      readinglist check --strict
    """
    from readinglist.check import check_library

    loaded = obj.load()
    report = check_library(loaded.library, loaded.problems, loaded.extra_files)
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if as_json:
        _emit_json(report.as_json())
    else:
        err = _stderr()
        for finding in report.findings:
            style = "red" if finding.severity == "error" else "yellow"
            err.print(
                f"{finding.file}:{finding.line}: [{style}]{finding.severity}[/]: "
                f"{finding.message} [dim]\\[{finding.code}][/]",
                markup=True,
            )
        summary = (
            f"{report.papers} papers, {report.topics} topics, {report.lectures} lectures: "
            f"{len(report.errors)} errors, {len(report.warnings)} warnings"
        )
        click.echo(summary)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


# ---------------------------------------------------------------- show


@cli.command()
@click.argument("key")
@click.option("--json", "as_json", is_flag=True, help="Print the record as JSON.")
@click.pass_obj
def show(obj: Context, key: str, as_json: bool) -> None:
    """Show the effective record of one paper (hand-written fields over fetched ones).

    \b
    Example:
      readinglist show jacot2018 --json
    """
    from readinglist.records import effective_record

    library = obj.load().library
    paper = library.papers.get(key)
    if paper is None:
        import difflib

        close = difflib.get_close_matches(key, list(library.papers), n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        raise UsageError(f"no paper with key {key!r}{hint}")
    record = effective_record(library, paper)
    if as_json:
        _emit_json(record.as_json())
        return
    out = _stdout()
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column()
    rows = [
        ("key", record.key),
        ("title", record.title),
        ("authors", "; ".join(record.authors)),
        ("year", str(record.year or "")),
        ("venue", record.venue),
        ("arXiv", f"{record.arxiv}{record.version or ''}" if record.arxiv else ""),
        ("DOI", record.doi or ""),
        ("topic", ", ".join(record.topics)),
        ("lectures", ", ".join(str(n) for n in record.lectures)),
        ("cites", ", ".join(record.cites)),
        ("cited by", ", ".join(record.cited_by)),
        ("defined at", str(paper.location)),
    ]
    for name, value in rows:
        if value:
            table.add_row(name, value)
    out.print(table)
    if record.abstract:
        out.print()
        out.print(record.abstract)


# ---------------------------------------------------------------- export


@cli.command()
@click.option("--lecture", type=int, help="Export one lecture's readings (required first).")
@click.option("--topic", help="Export one topic's papers (its slug).")
@click.option("--all", "everything", is_flag=True, help="Export every paper on the list.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["bibtex", "csl-json"]),
    default="bibtex",
    show_default=True,
)
@click.option(
    "--prefer",
    type=click.Choice(["as-written", "published"]),
    default="as-written",
    show_default=True,
    help="published: add the venue a preprint was published in (from sync), keeping eprint.",
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.pass_obj
def export(
    obj: Context,
    lecture: int | None,
    topic: str | None,
    everything: bool,
    fmt: str,
    prefer: str,
    output: Path | None,
) -> None:
    """Export BibTeX or CSL-JSON for a lecture, a topic or everything (stdout unless -o).

    \b
    Example:
      readinglist export --lecture 5 -o lecture5.bib
      readinglist export --topic ntk --format csl-json
    """
    from readinglist.export import select, to_bibtex, to_csl_json

    chosen = sum(x is not None and x is not False for x in (lecture, topic, everything or None))
    if chosen != 1:
        raise UsageError("choose exactly one of --lecture N, --topic SLUG, --all")
    library = obj.load().library
    title, papers = select(library, lecture=lecture, topic=topic)
    if fmt == "csl-json":
        text = to_csl_json(library, papers)
    else:
        text = to_bibtex(library, papers, title=title, prefer_published=prefer == "published")
    _write_output(text, output)
