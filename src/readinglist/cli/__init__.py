"""The ``readinglist`` command line (the contract is CLI.md).

One module per family of commands (``library``: check/show/export; ``sync``; ``graph``;
``site``; ``course``); this module holds the group, the global options and the one place
where errors become a line and an exit code.

Each command parses its arguments, calls one core function and renders the result.
Errors are turned into one line on stderr and an exit code here, in one place
(:class:`_Group`); below this module nothing prints, prompts or exits.
"""

from __future__ import annotations

import functools
import json
import logging
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from readinglist import __version__
from readinglist.errors import ReadingListError, StoreError

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT, EXIT_REMOTE = 0, 1, 2, 3

log = logging.getLogger("readinglist")


@dataclass
class Context:
    """What the global options say, shared by every command."""

    root: Path | None
    debug: bool

    def course_root(self) -> Path:
        """The course folder (checked to hold the course file)."""
        from readinglist.errors import CourseNotFoundError
        from readinglist.store import find_root

        if self.root is not None and not self.root.is_dir():
            # Named once, as the file of the one-line error: "error: /nope: no such folder".
            what = "not a folder" if self.root.exists() else "no such folder"
            raise CourseNotFoundError(f"{what} (given with --root)", file=str(self.root))
        return find_root(self.root)

    def load(self, *, synced: bool = True, citations: bool = True):  # type: ignore[no-untyped-def]
        """Load the course folder's library (``citations=False`` skips citation data)."""
        from readinglist.store import load_library

        return load_library(self.course_root(), synced=synced, citations=citations)


def _Console(**options: Any) -> Console:
    """A rich Console that leaves a closed pipe to :class:`_Group` (exit 0, quietly);
    rich's own handling exits 1. rich is imported here, on first use, not at start-up."""
    return _console_class()(**options)


@functools.cache
def _console_class() -> type[Console]:
    from rich.console import Console

    class QuietPipeConsole(Console):
        def on_broken_pipe(self) -> None:
            raise BrokenPipeError

    return QuietPipeConsole


def err_console() -> Console:
    """The stderr console. Text is printed as given: titles and keys come from files and
    services, so ``[/]`` must not be read as rich markup (it raised MarkupError) nor
    ``:smile:`` as an emoji code; pass ``markup=True`` only for text built from literals."""
    return _Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def out_console() -> Console:
    """The stdout console; like :func:`err_console`, no markup or emoji codes."""
    return _Console(highlight=False, soft_wrap=True, markup=False, emoji=False)


def fail(message: str) -> None:
    """Print one error line to stderr (the caller chooses the exit code)."""
    # Messages can quote input (a token, a service's answer): keep them to one line.
    click.echo(f"error: {' '.join(message.splitlines())}", err=True)


def _debug(ctx: click.Context) -> bool:
    from readinglist.environment import debug

    return bool(getattr(ctx.obj, "debug", False) or debug())


# Each command, the module that defines it (readinglist.cli.MODULE) and the first sentence
# of its help. Listing the commands (``readinglist --help``) reads this table instead of
# importing every command module; a command's module is imported when the command runs or
# shows its own help. tests/test_imports.py checks the sentences against the commands.
COMMANDS: dict[str, tuple[str, str]] = {
    "add": ("sync", "Append new papers (arXiv ids in any shape, or DOIs) to a topic's .bib with "
            "fetched metadata; every existing byte of the file stays in place."),
    "build": ("site", "Build the course site: a page per lecture, topic and paper, the citation "
              "graph, downloads and the what's-new feed, from bib/ and the hand-written docs/."),
    "candidates": ("sync", "List the new arXiv papers tracking found (sync --track), best first."),
    "check": ("library", "Validate the whole course: syntax, duplicate keys, the same paper under "
              "two keys, malformed arXiv ids and DOIs, readings naming unknown keys, empty "
              "topics and lectures, entries missing title/author/year, fetched data "
              "disagreeing with hand-written data."),
    "export": ("library", "Export BibTeX or CSL-JSON for a lecture, a topic or everything "
               "(stdout unless -o)."),
    "graph": ("graph", "Export the citation/topic graph: listed papers, the outside papers they "
              "cite, topics, lectures and authors, linked by cites, in_topic, read_in, covers "
              "and wrote edges."),
    "import": ("course", "Append the entries of FILE.bib (a Zotero, JabRef, Google Scholar, DBLP, "
               "Semantic Scholar or arXiv export) to bib/<topic>.bib exactly as written there."),
    "init": ("course", "Start a new course folder in DIR: mkdocs.yml, bib/course.yml with one "
             "example topic and lecture, bib/ntk.bib with two real entries, docs/index.md, "
             "README.md, .gitignore and a GitHub Actions workflow that syncs weekly and "
             "publishes the site to GitHub Pages."),
    "serve": ("site", "Preview the site, rebuilding it whenever bib/, docs/ or mkdocs.yml "
              "change."),
    "show": ("library", "Show the effective record of one paper (hand-written fields over "
             "fetched ones)."),
    "stats": ("graph", "Figures of the course: counts, the papers most cited within the list "
              "(with their PageRank over citations among listed papers), connected components "
              "of the citation graph, and papers without citation data."),
    "suggest": ("graph", "Suggest readings: papers outside the list cited by at least K listed "
                "papers, most cited first, with the listed papers that cite them."),
    "sync": ("sync", "Enrich the list from arXiv (batched), fetch citations and venues from "
             "Semantic Scholar, and with --track look for new papers per topic; print what "
             "changed."),
}  # fmt: skip


class _LazyGroup(click.Group):
    """A group whose commands are imported on first use (see :data:`COMMANDS`), so a
    command loads only its own module and ``--help`` loads none."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            # Importing a command module registers its commands on ``cli``.
            __import__(f"readinglist.cli.{COMMANDS[cmd_name][0]}")
        return self.commands.get(cmd_name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The command list, from :data:`COMMANDS` for commands not imported yet."""
        rows: list[tuple[str, click.Command]] = []
        for name in self.list_commands(ctx):
            command = self.commands.get(name) or click.Command(name, help=COMMANDS[name][1])
            if not command.hidden:
                rows.append((name, command))
        if rows:
            limit = formatter.width - 6 - max(len(name) for name, _ in rows)
            with formatter.section("Commands"):
                formatter.write_dl([(name, c.get_short_help_str(limit)) for name, c in rows])


class _Group(_LazyGroup):
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


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


def write_output(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from readinglist.store import write_atomic

    try:
        write_atomic(output.resolve(), text.encode("utf-8"))
    except StoreError as exc:
        exc.file = str(output)
        raise
