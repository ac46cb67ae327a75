"""``init`` and ``import``: start a course folder, bring in an existing BibTeX file."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from readinglist.cli import EXIT_FINDINGS, EXIT_OK, Context, cli, emit_json
from readinglist.errors import UsageError

if TYPE_CHECKING:
    from readinglist.importer import ImportPlan

# ---------------------------------------------------------------- init


def _parse_date(value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--date {value!r} is not a date (YYYY-MM-DD)") from None


@cli.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option(
    "--title",
    default=None,
    help="The course's title (default: 'Reading seminar'; quote it in the shell).",
)
@click.option(
    "--date",
    "date_text",
    metavar="YYYY-MM-DD",
    default=None,
    help="Date of the example lecture (default: next Wednesday).",
)
def init(directory: Path, title: str | None, date_text: str | None) -> None:
    """Start a new course folder in DIR: mkdocs.yml, bib/course.yml with one example topic
    and lecture, bib/ntk.bib with two real entries, docs/index.md, README.md, .gitignore
    and a GitHub Actions workflow that syncs weekly and publishes the site to GitHub Pages.

    DIR may exist (empty, or holding other files); init refuses to overwrite any file and
    then writes nothing (exit 2).

    \b
    Example:
      readinglist init seminar --title "Topics in Learning Theory" --date 2025-09-10
      readinglist --root seminar check
    """
    from readinglist.scaffold import DEFAULT_TITLE, create_course, next_wednesday, plan_course

    date = _parse_date(date_text) or next_wednesday(dt.date.today())
    files = plan_course(title if title is not None else DEFAULT_TITLE, date)
    create_course(directory, files)
    click.echo(f"created a course in {directory} ({len(files)} files):")
    for rel in files:
        click.echo(f"  {rel}")
    click.echo("next: edit bib/course.yml, then")
    click.echo(f"  cd {click.format_filename(directory)}")
    click.echo("  readinglist check && readinglist build && readinglist serve")


# ---------------------------------------------------------------- import


@cli.command("import")
@click.argument("file", metavar="FILE.bib", type=click.Path(path_type=Path))
@click.option("--topic", required=True, help="The topic (slug) whose bib/<slug>.bib receives it.")
@click.option("--lecture", type=int, help="Also add the papers to this lecture's readings.")
@click.option("--optional", is_flag=True, help="With --lecture: as optional readings.")
@click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_obj
def import_(
    obj: Context,
    file: Path,
    topic: str,
    lecture: int | None,
    optional: bool,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Append the entries of FILE.bib (a Zotero, JabRef, Google Scholar, DBLP, Semantic
    Scholar or arXiv export) to bib/<topic>.bib exactly as written there.

    The same paper already on the list (same arXiv id, same DOI, or same title, first
    author and year with no conflicting volume, number, pages or entry type) is skipped
    and reported. A possible duplicate (same title and first author, but a different
    year, volume or type: a recurring column, a journal version) is imported and reported
    with both keys. An entry that cannot be read is reported with its line; the others
    are imported. An entry whose key is taken by a different paper is not imported:
    rename it in FILE.bib (a free key is suggested) and import again. What is imported
    gets the same checks as 'check'. @string macros the entries use are appended with
    them; @comment and @preamble are not. A new SLUG starts a topic, titled from the slug.

    \b
    Exit: 0 imported (or skipped as already on the list), 1 some entries not imported
    (unreadable, key clashes) or check errors in what was imported, 2 nothing usable in
    FILE.bib or bad arguments.
    Example:
      readinglist import ~/Downloads/zotero.bib --topic ntk --lecture 7 --optional
    """
    from readinglist.importer import apply_import, plan_import
    from readinglist.store import lock

    if optional and lecture is None:
        raise UsageError("--optional needs --lecture N")
    root = obj.course_root()
    plan = plan_import(root, file, topic, lecture=lecture, required=not optional)
    if not dry_run and (plan.text or plan.course_text is not None):
        # Decide again under the lock: another writer may have appended meanwhile. The
        # first plan, without the lock, keeps refusals from leaving a lock file behind.
        with lock(root, "import"):
            plan = plan_import(root, file, topic, lecture=lecture, required=not optional)
            apply_import(root, plan)
    if as_json:
        data = plan.as_json()
        data["dry_run"] = dry_run
        emit_json(data)
    else:
        _render(plan, dry_run)
    sys.exit(EXIT_FINDINGS if plan.failed else EXIT_OK)


def _say(text: str) -> None:
    click.echo(text, err=True)


def _render(plan: ImportPlan, dry_run: bool) -> None:
    """Each decision on stderr, the summary on stdout (as ``check`` does)."""
    would = "would " if dry_run else ""
    for note in plan.notes:
        _say(f"note: {note}")
    if plan.new_topic:
        from readinglist.course import title_from_slug

        _say(f"{would}add topic {plan.topic!r} to bib/course.yml (a new bib/{plan.topic}.bib)")
        _say(
            f"hint: its title is {title_from_slug(plan.topic)!r}, made from the slug: edit it "
            "and add a description in bib/course.yml"
        )
    for name in plan.strings:
        _say(f"{would}add @string {name} (the imported entries use it)")
    for item in plan.imported:
        _say(f"{would}import {item.key} -> {plan.target}")
    for skip in plan.skipped:
        _say(str(skip))
    for maybe in plan.possible:
        _say(str(maybe))
    for failed in plan.not_imported:
        _say(f"{plan.source}:{failed.line}: {failed}")
    for finding in plan.findings:
        _say(f"{finding.file}:{finding.line}: {finding.severity}: {finding.message} "
             f"[{finding.code}]")  # fmt: skip
    for ignored in plan.ignored:
        _say(f"ignore @{ignored.kind} at {plan.source}:{ignored.line} (not imported)")
    if plan.lecture is not None:
        which = "required" if plan.required else "optional"
        if plan.lecture_keys:
            keys = ", ".join(plan.lecture_keys)
            _say(f"{would}add to lecture {plan.lecture} ({which}): {keys}")
        if plan.already_read:
            _say(f"lecture {plan.lecture} already reads {', '.join(plan.already_read)}")
    possible = f" ({len(plan.possible)} possible duplicates)" if plan.possible else ""
    counts = (
        f"import {len(plan.imported)}{possible}, skip {len(plan.skipped)} (already on the "
        f"list), not import {len(plan.not_imported)}"
    )
    if dry_run:
        click.echo(f"dry run: would {counts}; nothing written")
        return
    done = (
        f"imported {len(plan.imported)}{possible}, skipped {len(plan.skipped)} (already on "
        f"the list), not imported {len(plan.not_imported)}"
    )
    if plan.imported:
        done += f" ({plan.target}{' created' if plan.creates_target else ''})"
    click.echo(done)
