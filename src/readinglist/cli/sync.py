"""``sync``, ``candidates`` and ``add``: fetch from arXiv and Semantic Scholar, list tracked
papers, append new papers.

Each command builds the service clients from the environment (every variable is read
through :mod:`readinglist.environment`, which lists them), calls one function
(:func:`readinglist.sync.sync`, :func:`readinglist.sync.list_candidates`,
:func:`readinglist.add.add_papers`) and renders its report.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

import click
from rich import box
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    TextColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.table import Table

from readinglist import environment
from readinglist.add import AddReport
from readinglist.cli import EXIT_OK, Context, cli, emit_json, err_console, fail
from readinglist.errors import UsageError
from readinglist.services.arxiv import DEFAULT_URL as ARXIV_URL
from readinglist.services.arxiv import ArxivClient
from readinglist.services.semanticscholar import DEFAULT_URL as S2_URL
from readinglist.services.semanticscholar import SemanticScholarClient
from readinglist.sync import Progress, SyncReport

# ---------------------------------------------------------------- clients


def arxiv_client(environ: Mapping[str, str] | None = None) -> ArxivClient:
    """The arXiv client the commands use, configured from the environment."""
    url = environment.text(environ, "READINGLIST_ARXIV_URL") or ARXIV_URL
    return ArxivClient(url, **environment.client_options(environ, "READINGLIST_ARXIV",
                                                         page_size=True))  # fmt: skip


def s2_client(environ: Mapping[str, str] | None = None) -> SemanticScholarClient:
    """The Semantic Scholar client the commands use (``S2_API_KEY`` sent, never shown)."""
    return SemanticScholarClient(
        base_url=environment.text(environ, "READINGLIST_S2_URL") or S2_URL,
        api_key=environment.text(environ, "S2_API_KEY"),
        **environment.client_options(environ, "READINGLIST_S2"),
    )


# ---------------------------------------------------------------- progress

_STAGES = {
    "arxiv": "arXiv batch",
    "lookup": "arXiv title lookup",
    "semanticscholar": "Semantic Scholar batch",
    "track": "tracking topic",
}


def progress_line(p: Progress) -> str:
    """The plain progress line of a step (``arXiv batch 1/3 (100 papers)``)."""
    what = f"{_STAGES.get(p.stage, p.stage)} {p.step}/{p.total}"
    if p.label:
        return f"{what} ({p.label})"
    return f"{what} ({p.papers} paper{'s' if p.papers != 1 else ''})"


class _PlainProgress:
    """One line on stderr as each step starts: readable in CI logs."""

    def __call__(self, p: Progress) -> None:
        if not p.finished:
            click.echo(progress_line(p), err=True)

    def __enter__(self) -> _PlainProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class _BarProgress:
    """A rich progress bar per stage on a terminal: steps, papers, time left."""

    def __init__(self) -> None:
        self.bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[papers]} papers"),
            TimeRemainingColumn(),
            console=err_console(),
            transient=True,
        )
        self.tasks: dict[str, Any] = {}

    def __call__(self, p: Progress) -> None:
        task = self.tasks.get(p.stage)
        if task is None:
            task = self.bar.add_task(_STAGES.get(p.stage, p.stage), total=p.total, papers=0)
            self.tasks[p.stage] = task
        if p.finished:
            done = self.bar.tasks[task].fields.get("papers", 0) + p.papers
            self.bar.update(task, completed=p.step, papers=done)
        else:
            self.bar.update(task, description=progress_line(p))

    def __enter__(self) -> _BarProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()


def _progress() -> _PlainProgress | _BarProgress:
    return _BarProgress() if sys.stderr.isatty() else _PlainProgress()


# ---------------------------------------------------------------- sync


def out_console() -> Console:
    """stdout for reports: no markup, so a title such as ``[Re] ...`` prints as written."""
    return Console(highlight=False, soft_wrap=True, markup=False)


def print_table(out: Console, table: Table) -> None:
    """Print a table without the spaces rich pads its last column with (clean logs,
    stable transcripts)."""
    with out.capture() as captured:
        out.print(table)
    click.echo("\n".join(line.rstrip() for line in captured.get().splitlines()))


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_sync(report: SyncReport) -> None:
    """The human report of a sync on stdout: a table of what changed, then a summary."""
    out = out_console()
    if report.mode == "offline":
        _render_offline(report)
        return
    req = report.requests
    head = "Dry run (nothing written): " if report.mode == "dry-run" else "Synced: "
    out.print(
        f"{head}{_plural(report.fetched, 'paper')} from arXiv ({_plural(req['arxiv'], 'request')})"
        + (
            f", Semantic Scholar ({_plural(req['semanticscholar'], 'request')})"
            if req.get("semanticscholar")
            else ""
        )
        + "."
    )
    rows: list[tuple[str, str, str]] = []
    for v in report.new_versions:
        rows.append((v.key, "new version", f"v{v.old} -> v{v.new}"))
    for p in report.published:
        rows.append((p.key, "now published", p.venue + (f" (doi:{p.doi})" if p.doi else "")))
    for key in report.withdrawn:
        rows.append((key, "withdrawn", ""))
    for m in report.matched:
        rows.append((m.key, "found by title", f"arXiv {m.arxiv}"))
    for d in report.disagreements:
        rows.append((d.key, f"{d.field} differs", d.detail))
    for f in report.failed:
        rows.append((f.key or f.id, "failed", f"{f.id}: {f.reason}" if f.key else f.reason))
    if rows:
        table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
        table.add_column("paper", no_wrap=True)
        table.add_column("change", no_wrap=True)
        table.add_column("detail")
        for row in rows:
            table.add_row(*row)
        print_table(out, table)
    else:
        out.print("Nothing new.")
    summary = [_plural(len(report.updated), "paper") + " updated"]
    summary.append(f"{len(report.failed)} failed")
    if report.tracked or report.candidates:
        summary.append(
            f"{_plural(report.candidates, 'candidate')} stored ({len(report.new_candidates)} new)"
        )
    out.print("; ".join(summary) + ".")
    if report.mode == "dry-run":
        if report.written:
            out.print(f"Would write {_files(report.written)}.")
    elif report.written:
        out.print(f"Wrote {_files(report.written)}.")
    else:
        out.print("No file changed.")


def _files(paths: list[str]) -> str:
    """``bib/synced/: arxiv.json, state.json`` for files of one folder."""
    folders = {p.rpartition("/")[0] for p in paths}
    if len(folders) == 1:
        return f"{folders.pop()}/: " + ", ".join(p.rpartition("/")[2] for p in paths)
    return ", ".join(paths)


def _render_offline(report: SyncReport) -> None:
    out = out_console()
    s = report.stored
    date = report.stored_date or "never synced"
    out.print(f"Offline: stored data from {date} (nothing fetched).")
    cit = s.get("citations", {})
    out.print(
        f"arXiv records: {s['arxiv']} of {report.papers} papers "
        f"({len(s['matched_by_title'])} found by title); not fetched yet: "
        f"{', '.join(s['not_fetched']) or 'none'}"
    )
    out.print(
        f"Publications: {s['publications']}; citations: {cit.get('curated', 0)} curated, "
        f"{cit.get('semanticscholar', 0)} from Semantic Scholar, "
        f"{cit.get('external', 0)} outside papers; candidates: {s['candidates']}"
    )
    if s["withdrawn"]:
        out.print(f"Withdrawn: {', '.join(s['withdrawn'])}")
    if report.disagreements:
        table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
        table.add_column("paper", no_wrap=True)
        table.add_column("disagreement")
        for d in report.disagreements:
            table.add_row(d.key, f"{d.field}: {d.detail}")
        print_table(out, table)


@cli.command()
@click.option("--no-citations", is_flag=True, help="Skip Semantic Scholar (citations, venues).")
@click.option("--track", is_flag=True, help="Also look for new papers per topic (arxiv_query).")
@click.option("--offline", is_flag=True, help="No network: report what is stored.")
@click.option("--dry-run", is_flag=True, help="Fetch and report, but write nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@click.pass_obj
def sync(
    obj: Context, no_citations: bool, track: bool, offline: bool, dry_run: bool, as_json: bool
) -> None:
    """Enrich the list from arXiv (batched), fetch citations and venues from Semantic
    Scholar, and with --track look for new papers per topic; print what changed.

    Writes only bib/synced/ (deterministic: a sync that finds nothing new changes no
    byte); the hand-written .bib files and course file are never touched.

    \b
    Exit: 0 done, 1 some ids failed, 2 bad input or lock held, 3 a service
    could not be reached (what was already saved is said).
    Example:
      readinglist sync
      readinglist sync --track --json > report.json
    """
    from readinglist.sync import sync as run_sync

    if offline and (track or dry_run):
        raise UsageError("--offline fetches nothing: it cannot be combined with --track/--dry-run")
    root = obj.course_root()
    if offline:
        report = run_sync(root, offline=True)
    else:
        today = environment.today()
        arxiv = arxiv_client()
        s2 = None if no_citations else s2_client()
        with _progress() as progress:
            report = run_sync(
                root, arxiv=arxiv, s2=s2, track=track, dry_run=dry_run, today=today,
                progress=progress,
            )  # fmt: skip
    if as_json:
        emit_json(report.as_json())
    else:
        render_sync(report)
    for message in report.errors:
        fail(message)
    sys.exit(report.exit_code)


# ---------------------------------------------------------------- candidates


@cli.command()
@click.option("--topic", help="Only this topic's candidates (its slug).")
@click.option("--json", "as_json", is_flag=True, help="Print the candidates as JSON.")
@click.pass_obj
def candidates(obj: Context, topic: str | None, as_json: bool) -> None:
    """List the new arXiv papers tracking found (sync --track), best first.

    \b
    Example:
      readinglist candidates --topic ntk
      readinglist add 2406.01234 --topic ntk
    """
    from readinglist.sync import list_candidates

    library = obj.load(citations=False).library
    found = list_candidates(library, topic)
    if as_json:
        emit_json(
            [
                {"arxiv": c.arxiv, "title": c.title, "topic": c.topic, "score": c.score,
                 "published": c.published, "authors": list(c.authors),
                 "url": f"https://arxiv.org/abs/{c.arxiv}", "cites": list(c.cites)}
                for c in found
            ]
        )  # fmt: skip
        return
    out = out_console()
    if not found:
        out.print("No candidates" + (f" for topic {topic}" if topic else "") + ".")
        return
    table = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
    for name in ("score", "arXiv", "topic", "published", "title"):
        table.add_column(name, no_wrap=name != "title")
    for c in found:
        table.add_row(f"{c.score:.2f}", c.arxiv, c.topic, c.published, c.title)
    print_table(out, table)


# ---------------------------------------------------------------- add


def render_add(report: AddReport) -> None:
    """The human report of ``add`` on stdout (refusals and failures on stderr)."""
    out = out_console()
    for e in report.added:
        out.print(f"added {e.key} ({e.id}) to {report.file}: {e.title}")
    if report.added and report.lecture is not None:
        kind = "required" if report.required else "optional"
        keys = ", ".join(e.key for e in report.added)
        out.print(f"lecture {report.lecture}: {keys} added to the {kind} readings")
    for f in report.refused:
        fail(f"{f.id}: {f.reason}")
    for f in report.failed:
        fail(f"{f.id}: {f.reason}")
    for w in report.warnings:
        fail(w)


@cli.command()
@click.argument("ids", nargs=-1, required=True)
@click.option("--topic", required=True, help="The topic (slug) whose .bib gets the papers.")
@click.option("--lecture", type=int, help="Also make them readings of lecture N.")
@click.option("--optional", is_flag=True, help="With --lecture: optional, not required.")
@click.option("--json", "as_json", is_flag=True, help="Print what was added as JSON.")
@click.pass_obj
def add(
    obj: Context,
    ids: tuple[str, ...],
    topic: str,
    lecture: int | None,
    optional: bool,
    as_json: bool,
) -> None:
    """Append new papers (arXiv ids in any shape, or DOIs) to a topic's .bib with
    fetched metadata; every existing byte of the file stays in place.

    \b
    Exit: 0 added, 1 some ids already listed or not found, 2 bad input,
    3 a service could not be reached (nothing written).
    Example:
      readinglist add 1806.07572 https://arxiv.org/abs/1810.02054v2 --topic ntk
      readinglist add 10.1007/BF02551274 --topic approximation --lecture 1 --optional
    """
    from readinglist.add import add_papers, parse_add_ids

    if optional and lecture is None:
        raise UsageError("--optional needs --lecture N")
    parse_add_ids(ids)  # bad ids are exit 2 before any request
    today = environment.today()
    needs_s2 = any(kind == "doi" for kind, _, _ in parse_add_ids(ids))
    report = add_papers(
        obj.course_root(), ids, topic, arxiv=arxiv_client(),
        s2=s2_client() if needs_s2 else None, lecture=lecture, required=not optional,
        today=today,
    )  # fmt: skip
    if as_json:
        emit_json(report.as_json())
    else:
        render_add(report)
    sys.exit(report.exit_code if report.exit_code else EXIT_OK)
