"""``build`` and ``serve``: the course site (MkDocs with the readinglist plugin)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from readinglist.cli import EXIT_FINDINGS, Context, cli, fail

ENGINE = click.option(
    "--engine",
    type=click.Choice(["mkdocs", "zensical"]),
    default="mkdocs",
    show_default=True,
    help="Build with MkDocs and Material, or with Zensical "
    "(pip install 'readinglist-seminar[zensical]').",
)


@cli.command()
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the site here (default: site/ in the course folder).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail (exit 1) on any warning: check's warnings and MkDocs' warnings.",
)
@click.option(
    "--allow-errors",
    is_flag=True,
    help="Build even when check finds errors or (with --strict) warnings; they are printed.",
)
@ENGINE
@click.pass_obj
def build(
    obj: Context, site_dir: Path | None, strict: bool, allow_errors: bool, engine: str
) -> None:
    """Build the course site: a page per lecture, topic and paper, the citation graph,
    downloads and the what's-new feed, from bib/ and the hand-written docs/.

    It runs the same checks as `check` first: their findings are printed the same way,
    and errors (with --strict, warnings too) stop the build unless --allow-errors.

    \b
    Exit: 0 built, 1 check errors (or warnings with --strict), 2 unreadable list or
    mkdocs.yml.
    Example:
      readinglist build -d public --strict
      readinglist build --engine zensical
    """
    from readinglist.cli.library import check_loaded, count_findings, print_findings
    from readinglist.site.run import build as build_site

    # Read once, with the citation data the site shows; checked, then built from.
    loaded = obj.load()
    report = check_loaded(loaded)
    print_findings(report)
    blocking = report.errors or (strict and report.warnings)
    if blocking and not allow_errors:
        why = "" if report.errors else " (--strict makes warnings count)"
        fail(f"site not built: check found {count_findings(report)}{why}; fix them or pass "
             "--allow-errors to build anyway")  # fmt: skip
        sys.exit(EXIT_FINDINGS)
    out = build_site(
        obj.course_root(), site_dir=site_dir, strict=strict, engine=engine, library=loaded.library
    )
    click.echo(f"site built in {out}", err=True)


@cli.command()
@click.option(
    "-a",
    "--dev-addr",
    metavar="HOST:PORT",
    default=None,
    help="Serve on this address (default: 127.0.0.1:8000).",
)
@ENGINE
@click.pass_obj
def serve(obj: Context, dev_addr: str | None, engine: str) -> None:
    """Preview the site, rebuilding it whenever bib/, docs/ or mkdocs.yml change.

    It says where it serves, what it watches and each rebuild with its time, and shows
    what `check` finds in the terminal and at the top of every page; it keeps serving.

    \b
    Example:
      readinglist serve -a 127.0.0.1:8001
    """
    import logging

    from readinglist.site.run import serve as serve_site

    # What serve says (address, watched paths, each build with its time, check's
    # findings) comes through this logger; plain lines on stderr.
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    serve_log = logging.getLogger("readinglist.serve")
    serve_log.addHandler(handler)
    serve_log.setLevel(logging.INFO)
    serve_log.propagate = False
    try:
        serve_site(obj.course_root(), dev_addr=dev_addr, engine=engine)
    finally:
        serve_log.removeHandler(handler)
