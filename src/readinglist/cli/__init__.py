"""The ``readinglist`` command line (the contract is CLI.md).

One module per family of commands (``library``: check/show/export; ``sync``; ``graph``;
``site``; ``course``); this module holds the group, the global options and the one place
where errors become a line and an exit code.

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

from readinglist import __version__
from readinglist.errors import ReadingListError, StoreError

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

    def load(self, *, synced: bool = True, citations: bool = True):  # type: ignore[no-untyped-def]
        """Load the course folder's library (``citations=False`` skips citation data)."""
        from readinglist.store import load_library

        return load_library(self.course_root(), synced=synced, citations=citations)


def err_console() -> Console:
    """The stderr console. Text is printed as given: titles and keys come from files and
    services, so ``[/]`` must not be read as rich markup (it raised MarkupError) nor
    ``:smile:`` as an emoji code; pass ``markup=True`` only for text built from literals."""
    return Console(stderr=True, highlight=False, soft_wrap=True, markup=False, emoji=False)


def out_console() -> Console:
    """The stdout console; like :func:`err_console`, no markup or emoji codes."""
    return Console(highlight=False, soft_wrap=True, markup=False, emoji=False)


def fail(message: str) -> None:
    """Print one error line to stderr (the caller chooses the exit code)."""
    # Messages can quote input (a token, a service's answer): keep them to one line.
    click.echo(f"error: {' '.join(message.splitlines())}", err=True)


def _debug(ctx: click.Context) -> bool:
    from readinglist.environment import debug

    return bool(getattr(ctx.obj, "debug", False) or debug())


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


def _register() -> None:
    # Importing a command module registers its commands on ``cli``.
    from readinglist.cli import library  # noqa: F401

    for name in ("sync", "graph", "site", "course"):
        try:
            __import__(f"readinglist.cli.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"readinglist.cli.{name}":
                raise


_register()
