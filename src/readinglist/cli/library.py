"""``check``, ``show`` and ``export``: validate, inspect and export the hand-written list."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from readinglist.cli import (
    EXIT_FINDINGS,
    EXIT_OK,
    Context,
    cli,
    emit_json,
    err_console,
    out_console,
    write_output,
)
from readinglist.errors import UsageError

if TYPE_CHECKING:
    from readinglist.check import Report
    from readinglist.store import LoadResult


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


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
    report = check_course(obj)
    failed = bool(report.errors) or (strict and bool(report.warnings))
    if as_json:
        emit_json(report.as_json())
    else:
        print_findings(report)
        summary = (
            f"{_count(report.papers, 'paper')}, {_count(report.topics, 'topic')}, "
            f"{_count(report.lectures, 'lecture')}: {count_findings(report)}"
        )
        click.echo(summary)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def check_course(obj: Context) -> Report:
    """What ``check`` finds in the course folder (``serve`` runs it too)."""
    return check_loaded(obj.load(citations=False))


def check_loaded(loaded: LoadResult) -> Report:
    """What ``check`` finds in a course folder read already (``build`` reads it once)."""
    from readinglist.check import check_library

    return check_library(loaded.library, loaded.problems, loaded.extra_files)


def count_findings(report: Report) -> str:
    """``1 error, 2 warnings``."""
    return f"{_count(len(report.errors), 'error')}, {_count(len(report.warnings), 'warning')}"


def print_findings(report: Report) -> None:
    """One line per finding on stderr: ``FILE:LINE: error: message [code]``, coloured on
    a terminal."""
    if not report.findings:  # rich is imported only when there is something to colour
        return
    lines = [str(finding) for finding in report.findings]
    if not _stderr_is_terminal() and all(line.isprintable() for line in lines):
        # What rich prints without a terminal, byte for byte (no style, no wrapping;
        # the lines that rich would change, with tabs or control characters, go through
        # rich), written at once: rich took 0.5 ms a finding.
        sys.stderr.write("".join(line + "\n" for line in lines))
        sys.stderr.flush()
        return
    from rich.text import Text

    err = err_console()
    for finding in report.findings:
        style = "red" if finding.severity == "error" else "yellow"
        # Messages quote keys and titles from the files: pieces of Text, never markup
        # (escaped markup doubled a backslash that ended a message or file name).
        err.print(
            Text.assemble(
                f"{finding.file}:{finding.line}: ",
                (finding.severity, style),
                f": {finding.message} ",
                (f"[{finding.code}]", "dim"),
            )
        )


def _stderr_is_terminal() -> bool:
    """Whether rich would style stderr (a terminal, or the environment says so)."""
    from readinglist.environment import terminal_forced

    forced = terminal_forced()
    if forced is not None:
        return forced
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):  # no isatty, or already closed
        return False


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
        emit_json(record.as_json())
        return
    from rich.text import Text

    out = out_console()
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
    shown = [(name, value) for name, value in rows if value]
    width = max(len(name) for name, _ in shown)
    for name, value in shown:
        # One line per field, no padding after the value (the terminal wraps long ones);
        # the value is data, not rich markup.
        out.print(Text.assemble((name.ljust(width), "bold"), "  ", value))
    if record.abstract:
        out.print()
        out.print(Text(record.abstract))


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
    "--normalized",
    is_flag=True,
    help="BibTeX with resolved values: @string macros and '#' expanded, every value in "
    "braces, crossref fields inherited, entry types lower case. Default: each entry "
    "exactly as written, with the @string definitions and crossref parents it needs.",
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
    normalized: bool,
    output: Path | None,
) -> None:
    """Export BibTeX or CSL-JSON for a lecture, a topic or everything (stdout unless -o).

    BibTeX is exported as written: each entry's text exactly as in its .bib file
    (braces, quotes, bare numbers, macros, '#', month macros, entry type spelling),
    after the @string definitions it uses and before the crossref parents it needs,
    so the file reads alone. --normalized gives resolved, braced values instead.

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
        text = to_bibtex(
            library,
            papers,
            title=title,
            prefer_published=prefer == "published",
            normalized=normalized,
        )
    write_output(text, output)
