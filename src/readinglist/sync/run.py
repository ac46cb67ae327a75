"""One sync run: the stages in order, each plan -> fetch -> merge -> save.

1. **arXiv, by id**: after each batch, ``changes.json`` and then ``arxiv.json`` are
   saved, so a run killed at any moment leaves every file whole (each record old or
   new) and a rerun finishes the job: it finds the same changes, and the changes file
   de-duplicates them.
2. **arXiv, by title**: lookups that found nothing are remembered in ``state.json`` and
   retried after :data:`~readinglist.sync.plan.LOOKUP_RETRY_DAYS` or when the title is
   edited.
3. **Semantic Scholar** (when a client is given): each fetched paper's references
   replace its earlier ``semanticscholar`` citations; curated citations and those of
   papers not fetched this time are kept. Publications go to ``publications.json``.
4. **Tracking** (``track=True``): new papers per topic, scored; the best kept in
   ``candidates.json``.

The whole run holds the course folder's lock (``store.lock(root, "sync")``); the
hand-written ``.bib`` files and course file are only read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass, replace
from pathlib import Path

from readinglist import store
from readinglist.errors import ServiceError
from readinglist.services.arxiv import ArxivClient
from readinglist.services.semanticscholar import SemanticScholarClient
from readinglist.sync import fetch_arxiv, fetch_s2, plan, track
from readinglist.sync.merge import (
    SyncData,
    best_title_match,
    find_disagreements,
    merge_record,
    merge_s2,
    merge_title_match,
    reference_index,
)
from readinglist.sync.report import (
    Failure,
    Progress,
    ProgressCallback,
    SyncIncomplete,
    SyncReport,
    citation_counts,
    incomplete,
)
from readinglist.sync.save import FILES, STATE_FILE, Writer, load_state, save, stored_date
from readinglist.synced import TitleLookup

log = logging.getLogger(__name__)


def sync(
    root: Path,
    *,
    arxiv: ArxivClient | None = None,
    s2: SemanticScholarClient | None = None,
    track: bool = False,
    dry_run: bool = False,
    offline: bool = False,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> SyncReport:
    """Sync the course folder at ``root`` and report what changed (see the package
    docstring); with ``offline``, report what is stored without any network.

    ``s2`` None skips Semantic Scholar (``--no-citations``). ``dry_run`` fetches and
    reports but writes nothing (and takes no lock, since it writes nothing). ``today``
    dates the changes (default: the system's date). Raises :class:`SyncIncomplete`
    when arXiv cannot be reached, LockHeldError when another sync runs, and the store's
    errors for unreadable files. Semantic Scholar failing is not fatal: the report's
    ``errors`` say so (exit 3) and citation data stays as it was.
    """
    if offline:
        return offline_report(root)
    if arxiv is None:
        raise ValueError("a sync that is not offline needs an arXiv client")
    run = _Run(root, arxiv, s2, dry_run, today or dt.date.today(), progress or _quiet)
    if dry_run:
        return run.run(track)
    with store.lock(root, "sync"):
        return run.run(track)


def _quiet(_p: Progress) -> None:
    return None


def offline_report(root: Path) -> SyncReport:
    """What is stored, without any network: counts, the day it last changed,
    disagreements with the hand-written entries, and the latest recorded changes."""
    library = store.load_library(root).library
    report = SyncReport(mode="offline", stored_date=stored_date(load_state(root), library))
    report.papers = len(library.papers)
    report.disagreements = find_disagreements(library, library.arxiv)
    with_id = [k for k, p in library.papers.items() if p.arxiv]
    latest = max((c.date for c in library.changes), default="")
    report.stored = {
        "arxiv": len(library.arxiv),
        "matched_by_title": sorted(k for k, r in library.arxiv.items() if r.matched_by),
        "not_fetched": sorted(k for k in with_id if k not in library.arxiv),
        "publications": len(library.publications),
        "citations": citation_counts(library.citations, library.external),
        "candidates": len(library.candidates),
        "withdrawn": sorted(k for k, r in library.arxiv.items() if r.withdrawn),
        "recent_changes": [
            dataclasses.asdict(c) for c in library.changes if latest and c.date == latest
        ],
    }
    report.candidates = len(library.candidates)
    report.citations = report.stored["citations"]
    return report


@dataclass
class _Run:
    """The clients and settings of one run; :meth:`run` loads the data and runs the
    stages, each a function of this module."""

    root: Path
    arxiv: ArxivClient
    s2: SemanticScholarClient | None
    dry_run: bool
    today: dt.date
    progress: ProgressCallback

    def run(self, track: bool) -> SyncReport:
        date = self.today.isoformat()
        report = SyncReport(mode="dry-run" if self.dry_run else "sync", date=date)
        library = store.load_library(self.root).library
        state = load_state(self.root)
        report.stored_date = stored_date(state, library)
        report.papers = len(library.papers)
        data = SyncData.start(library, date, report)
        lookups = {
            k: v for k, v in state.lookups.items()
            if k in library.papers and library.papers[k].arxiv is None
        }  # fmt: skip
        writer = Writer(self.root, date, self.dry_run, replace(state, lookups=lookups))
        before_arxiv = self.arxiv.requests_made
        before_s2 = self.s2.requests_made if self.s2 else 0
        try:
            _fetch_by_id(self, data, writer)
            _lookup_titles(self, data, writer)
            if self.s2 is not None:
                _fetch_citations(self, self.s2, data, writer)
            if track:
                _track(self, data, writer)
            save(data, writer, *FILES)
        finally:
            report.written = sorted(writer.written)
            report.requests["arxiv"] = self.arxiv.requests_made - before_arxiv
            if self.s2 is not None:
                report.requests["semanticscholar"] = self.s2.requests_made - before_s2
        report.updated = sorted(data.updated)
        report.disagreements = find_disagreements(library, data.records)
        report.candidates = len(data.candidates)
        report.citations = citation_counts(data.citations, data.external)
        log.info("sync: %d changes, %d failed", len(report.changes), len(report.failed))
        return report

    def incomplete(self, exc: ServiceError, data: SyncData, writer: Writer,
                   during: str) -> SyncIncomplete:  # fmt: skip
        """The error for arXiv failing ``during`` a stage."""
        return incomplete(exc, during, data.report, writer.saved_data, self.dry_run)


def _fetch_by_id(run: _Run, data: SyncData, writer: Writer) -> None:
    """Stage 1: every listed arXiv id, batch by batch, saved after each batch."""
    wanted = plan.arxiv_ids(data.library, data.records)
    batches = plan.batches(list(wanted.by_id), run.arxiv.page_size)
    data.report.batches = len(batches)
    for n, batch in enumerate(batches, 1):
        run.progress(Progress("arxiv", n, len(batches), len(batch)))
        try:
            result = run.arxiv.fetch_ids(batch)
        except ServiceError as exc:
            raise run.incomplete(exc, data, writer, f"batch {n} of {len(batches)}") from exc
        for arxiv_id in batch:
            keys = wanted.by_id[arxiv_id]
            record = result.records.get(arxiv_id)
            if record is None:
                reason = fetch_arxiv.failure_reason(result, arxiv_id)
                data.report.failed.extend(Failure(arxiv_id, reason, key) for key in keys)
                continue
            for key in keys:
                matched = "title" if key in wanted.by_title else ""
                merge_record(data, key, replace(record, matched_by=matched))
        save(data, writer, "changes.json", "arxiv.json")
        data.report.batches_saved = n
        run.progress(Progress("arxiv", n, len(batches), len(batch), finished=True))


def _lookup_titles(run: _Run, data: SyncData, writer: Writer) -> None:
    """Stage 2: papers without an arXiv id, by title; ``state.json`` remembers misses."""
    due = plan.due_lookups(data.library, data.records, writer.state.lookups, run.today)
    for n, paper in enumerate(due, 1):
        run.progress(Progress("lookup", n, len(due), 1, label=paper.key))
        try:
            entries = fetch_arxiv.lookup_title(run.arxiv, paper)
        except ServiceError as exc:
            raise run.incomplete(exc, data, writer, "title lookups") from exc
        record = best_title_match(paper, entries)
        lookups = dict(writer.state.lookups)
        if record is not None:
            lookups.pop(paper.key, None)
            merge_title_match(data, paper.key, record)
        else:
            lookups[paper.key] = TitleLookup(data.date, paper.title_key)
        writer.state = replace(writer.state, lookups=lookups)
        save(data, writer, *(("changes.json", "arxiv.json") if record else ()), STATE_FILE)
        run.progress(Progress("lookup", n, len(due), 1, finished=True, label=paper.key))


def _fetch_citations(run: _Run, s2: SemanticScholarClient, data: SyncData, writer: Writer) -> None:
    """Stage 3: Semantic Scholar's publications and references of every paper."""
    fetched = fetch_s2.fetch_papers(
        s2, plan.s2_ids(data.library, data.records), data.report.stored_date, run.progress
    )
    if fetched.error:
        data.report.errors.append(fetched.error)
        data.report.failed.append(Failure("semanticscholar", fetched.error))
    if fetched.found:
        merge_s2(data, fetched.found)
        save(data, writer, "changes.json", "publications.json", "citations.json")


def _track(run: _Run, data: SyncData, writer: Writer) -> None:
    """Stage 4: each topic's query since its watermark; the best new papers kept."""
    topics = plan.tracked_topics(data.library)
    marks = dict(writer.state.tracking)
    read: dict[str, track.TopicRead] = {}
    for n, topic in enumerate(topics, 1):
        run.progress(Progress("track", n, len(topics), 0, label=topic.slug))
        start = plan.track_start(topic, marks.get(topic.slug), run.today)
        try:
            papers = fetch_arxiv.read_topic(run.arxiv, topic, start)
        except ServiceError as exc:
            during = f"tracking of topic {topic.slug!r}"
            raise run.incomplete(exc, data, writer, during) from exc
        if papers is None:
            reason = "arXiv refused the tracking query (HTTP 400)"
            data.report.failed.append(Failure(f"topic:{topic.slug}", reason))
            run.progress(Progress("track", n, len(topics), 0, True, topic.slug))
            continue
        mark = track.watermark(topic.arxiv_query.strip(), papers, marks.get(topic.slug), start)
        read[topic.slug] = track.TopicRead(papers, start, mark)
        marks[topic.slug] = mark
        run.progress(Progress("track", n, len(topics), len(papers), True, topic.slug))
    fresh = track.fresh_papers(data, read)
    new_ids = {r.id for rs in fresh.values() for r in rs}
    cites: dict[str, set[str]] = {}
    if run.s2 is not None and new_ids and not data.report.errors:
        index = reference_index(data, {})
        cites = fetch_s2.fetch_candidate_cites(run.s2, new_ids, index, data.library.papers)
    track.merge_tracked(data, read, fresh, cites)
    save(data, writer, "changes.json", "candidates.json")
    writer.state = replace(writer.state, tracking=marks)
    save(data, writer, STATE_FILE)
