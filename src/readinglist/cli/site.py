"""``build`` and ``serve``: the course site (MkDocs with the readinglist plugin)."""

from __future__ import annotations

from pathlib import Path

import click

from readinglist.cli import Context, cli

ENGINE = click.option(
    "--engine",
    type=click.Choice(["mkdocs", "zensical"]),
    default="mkdocs",
    show_default=True,
    help="Build with MkDocs and Material, or with Zensical (pip install 'readinglist[zensical]').",
)


@cli.command()
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write the site here (default: site/ in the course folder).",
)
@click.option("--strict", is_flag=True, help="Fail (exit 1) on any MkDocs warning.")
@ENGINE
@click.pass_obj
def build(obj: Context, site_dir: Path | None, strict: bool, engine: str) -> None:
    """Build the course site: a page per lecture, topic and paper, the citation graph,
    downloads and the what's-new feed, from bib/ and the hand-written docs/.

    \b
    Exit: 0 built, 1 warnings with --strict, 2 unreadable list or mkdocs.yml.
    Example:
      readinglist build -d public --strict
      readinglist build --engine zensical
    """
    from readinglist.site.run import build as build_site

    out = build_site(obj.course_root(), site_dir=site_dir, strict=strict, engine=engine)
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

    \b
    Example:
      readinglist serve -a 127.0.0.1:8001
    """
    from readinglist.site.run import serve as serve_site

    serve_site(obj.course_root(), dev_addr=dev_addr, engine=engine)
