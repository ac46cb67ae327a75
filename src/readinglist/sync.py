"""Sync a course's machine-owned data from arXiv and Semantic Scholar; report what changed.

:func:`sync` does one run and returns a :class:`SyncReport`; it prints nothing (progress
goes to a callback the CLI renders, details to ``logging``). In order:

1. **arXiv, by id**: every listed paper with an arXiv id (hand-written, or found by title
   in an earlier run) is fetched in batches of the client's page size (100), one request
   a batch when nothing fails. After each batch, ``changes.json`` and then ``arxiv.json``
   are saved, so a run killed at any moment leaves every file whole (each record old or
   new) and a rerun finishes the job: it finds the same changes, and the changes file
   de-duplicates them.
2. **arXiv, by title**: each paper without an arXiv id is looked up once (``ti:"..."``,
   one request each); only a strict match is accepted (same normalized title and an
   author surname in common) and stored with ``matched_by="title"``. Lookups that found
   nothing are remembered in ``state.json`` and retried after :data:`LOOKUP_RETRY_DAYS`
   or when the title is edited.
3. **Semantic Scholar** (when a client is given): one batch call per 500 papers. Each
   fetched paper's references replace its earlier ``semanticscholar`` citations; curated
   citations and those of papers not fetched this time are kept. Publications
   (venue, DOI) go to ``publications.json``.
4. **Tracking** (``track=True``): each topic's ``arxiv_query`` is read back to the
   topic's watermark (first run: :data:`TRACK_FIRST_DAYS` days), new papers are scored
   (:mod:`readinglist.tracking`) and the best kept in ``candidates.json``.

Only files under ``bib/synced/`` are written, each through :func:`store.write_text`
(atomic; nothing written when the bytes are equal), in the deterministic layout of
:mod:`readinglist.synced`. ``state.json`` holds the day the stored data last changed: it
moves only when another file's content changes, so an idle sync changes no byte. The
hand-written ``.bib`` files and course file are only read. The whole run holds the
course folder's lock (``store.lock(root, "sync")``).

What counts as a change is judged against the data stored before the run: a paper
fetched for the first time is stored without being reported as a new version or as
newly published (a first sync is a baseline), except that a withdrawn paper is always
reported. When arXiv cannot be reached, :class:`SyncIncomplete` (exit 3) says what this
run had already saved.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from readinglist import store, tracking
from readinglist.bibtex import decode_bib, format_entry, parse_bib, parse_names
from readinglist.errors import (
    BadRequestError,
    BibSyntaxError,
    ServiceError,
    StoreError,
    UsageError,
)
from readinglist.ids import arxiv_from_doi, find_arxiv_id, find_doi, normalize_doi
from readinglist.latex import fold, latex_to_text, normalize_title, split_math
from readinglist.model import (
    ArxivRecord,
    Candidate,
    Change,
    Citation,
    ExternalPaper,
    Library,
    Paper,
    Publication,
)
from readinglist.services.arxiv import ArxivClient
from readinglist.services.semanticscholar import (
    BATCH_SIZE,
    S2Paper,
    S2Reference,
    SemanticScholarClient,
    publication,
)
from readinglist.synced import (
    SYNCED_DIR,
    SyncState,
    TitleLookup,
    Watermark,
    dump_arxiv,
    dump_candidates,
    dump_changes,
    dump_citations,
    dump_publications,
    dump_state,
    parse_state,
)

log = logging.getLogger(__name__)

LOOKUP_RETRY_DAYS = 90
"""A title lookup that found nothing is tried again after this many days."""
LOOKUP_RESULTS = 5
"""Results read per title lookup (arXiv ranks by relevance)."""
MIN_LOOKUP_TITLE = 12
"""Normalized titles shorter than this are too unspecific to look up."""
TRACK_FIRST_DAYS = 30
"""How far back the first tracking run of a topic reads."""
TRACK_MAX_RESULTS = 500
"""At most this many papers are read per topic and run."""
SEMANTICSCHOLAR_EVIDENCE = "semanticscholar"
"""The ``evidence`` of fetched citations; every other evidence is curated and kept."""
S2_PAPER_URL = "https://www.semanticscholar.org/paper/"

STATE_FILE = "state.json"
# Changes first: a crash after them but before the data they describe makes the rerun
# find the same changes again, which the changes file de-duplicates.
_FILES = (
    "changes.json",
    "arxiv.json",
    "publications.json",
    "citations.json",
    "candidates.json",
    STATE_FILE,
)


def resolve_today(environ: Mapping[str, str] | None = None) -> dt.date:
    """Today, or ``READINGLIST_TODAY`` (``YYYY-MM-DD``) when set (tests, replays)."""
    env = os.environ if environ is None else environ
    raw = env.get("READINGLIST_TODAY", "").strip()
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError(f"READINGLIST_TODAY must be a date YYYY-MM-DD, not {raw!r}") from None


# ---------------------------------------------------------------- the report


@dataclass(frozen=True)
class Progress:
    """One step of a run, for a progress display.

    ``stage`` is ``arxiv`` (id batches), ``lookup`` (title lookups),
    ``semanticscholar`` (batches) or ``track`` (topics); ``step`` counts from 1 to
    ``total``; ``papers`` is the size of the step. Each step is announced twice: when it
    starts (``finished`` False) and when it is done.
    """

    stage: str
    step: int
    total: int
    papers: int = 0
    finished: bool = False
    label: str = ""


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class VersionChange:
    """A listed paper got a new arXiv version."""

    key: str
    old: int
    new: int

    def as_json(self) -> dict[str, object]:
        """``{"key", "from", "to"}`` as CLI.md says (``"v3"``, ``"v4"``)."""
        return {"key": self.key, "from": f"v{self.old}", "to": f"v{self.new}"}


@dataclass(frozen=True)
class PublishedChange:
    """A listed preprint is now published (``source``: ``arxiv`` or ``semanticscholar``)."""

    key: str
    venue: str
    doi: str = ""
    source: str = "arxiv"

    def as_json(self) -> dict[str, object]:
        """``{"key", "venue", "doi", "source"}``."""
        return {"key": self.key, "venue": self.venue, "doi": self.doi or None,
                "source": self.source}  # fmt: skip


@dataclass(frozen=True)
class Disagreement:
    """Fetched data disagrees with the hand-written entry (a warning, as in ``check``)."""

    key: str
    field: str
    message: str
    file: str
    line: int
    detail: str = ""  # the message without the key and field, for a table

    def as_json(self) -> dict[str, object]:
        """``{"key", "field", "message", "file", "line", "detail"}``."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class TitleMatch:
    """A paper without an arXiv id found on arXiv by its title."""

    key: str
    arxiv: str
    title: str

    def as_json(self) -> dict[str, object]:
        """``{"key", "arxiv", "title"}``."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class Failure:
    """Something that could not be fetched: an arXiv id (``key`` names the paper), a
    tracking query (``topic:<slug>``) or a service."""

    id: str
    reason: str
    key: str = ""

    def as_json(self) -> dict[str, object]:
        """``{"id", "reason", "key"}``."""
        return {"id": self.id, "reason": self.reason, "key": self.key or None}


@dataclass(frozen=True)
class TopicTracking:
    """What tracking one topic found: papers read, new candidates kept, the watermark."""

    topic: str
    read: int
    new: int
    kept: int
    since: str
    watermark: str

    def as_json(self) -> dict[str, object]:
        """All fields."""
        return dataclasses.asdict(self)


@dataclass
class SyncReport:
    """What a sync did (or, offline, what is stored). ``mode`` is ``sync``, ``dry-run``
    or ``offline``; ``date`` the run's day; ``stored_date`` the day the stored data
    last changed before the run (empty: never synced)."""

    mode: str = "sync"
    date: str = ""
    stored_date: str = ""
    requests: dict[str, int] = field(default_factory=lambda: {"arxiv": 0, "semanticscholar": 0})
    papers: int = 0
    fetched: int = 0
    updated: list[str] = field(default_factory=list)
    new_versions: list[VersionChange] = field(default_factory=list)
    published: list[PublishedChange] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)
    disagreements: list[Disagreement] = field(default_factory=list)
    matched: list[TitleMatch] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    tracked: list[TopicTracking] = field(default_factory=list)
    new_candidates: list[Candidate] = field(default_factory=list)
    candidates: int = 0
    citations: dict[str, int] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    stored: dict[str, Any] = field(default_factory=dict)
    batches: int = 0
    batches_saved: int = 0

    @property
    def exit_code(self) -> int:
        """CLI.md: 3 when a service could not be reached, 1 when ids failed, else 0."""
        if self.errors:
            return 3
        return 1 if self.failed else 0

    def as_json(self) -> dict[str, object]:
        """The CLI.md shape of ``sync --json``, plus more keys."""
        return {
            "requests": dict(self.requests),
            "updated": sorted(self.updated),
            "new_versions": [v.as_json() for v in self.new_versions],
            "published": [p.as_json() for p in self.published],
            "failed": [f.as_json() for f in self.failed],
            "withdrawn": sorted(self.withdrawn),
            "disagreements": [d.as_json() for d in self.disagreements],
            "matched": [m.as_json() for m in self.matched],
            "candidates": {
                "stored": self.candidates,
                "new": [_candidate_json(c) for c in self.new_candidates],
                "topics": [t.as_json() for t in self.tracked],
            },
            "citations": dict(self.citations),
            "mode": self.mode,
            "date": self.date,
            "stored_date": self.stored_date or None,
            "papers": self.papers,
            "fetched": self.fetched,
            "written": sorted(self.written),
            "errors": list(self.errors),
            **({"stored": self.stored} if self.stored else {}),
        }


def _candidate_json(c: Candidate) -> dict[str, object]:
    return {"arxiv": c.arxiv, "title": c.title, "topic": c.topic, "score": c.score,
            "published": c.published}  # fmt: skip


class SyncIncomplete(ServiceError):
    """arXiv could not be reached (exit 3). ``report`` holds what the run did before;
    the message says what of it was saved."""

    exit_code = 3

    def __init__(self, message: str, report: SyncReport) -> None:
        super().__init__(message)
        self.report = report


# ---------------------------------------------------------------- comparisons


def surnames_shared(hand: Paper, authors: Sequence[str]) -> bool | None:
    """Whether the entry and a fetched author list share a surname (the rule of
    ``check``); None when either list is empty."""
    mine = {normalize_title(p.last) for p in hand.authors if not p.is_others}
    mine.discard("")
    theirs = {normalize_title(a.split()[-1]) for a in authors if a.split()}
    theirs.discard("")
    if not mine or not theirs:
        return None
    return bool(mine & theirs)


def is_strict_match(paper: Paper, record: ArxivRecord) -> bool:
    """True when an arXiv record is surely this paper: the same normalized title and at
    least one author surname in common."""
    if not paper.title_key or normalize_title(record.title) != paper.title_key:
        return False
    return surnames_shared(paper, record.authors) is True


def find_disagreements(library: Library, records: Mapping[str, ArxivRecord]) -> list[Disagreement]:
    """Where fetched records disagree with hand-written entries: title and authors as
    ``check`` judges them; the year when the entry predates the paper's first arXiv
    version (only for papers whose entry names the arXiv id: an old paper found by
    title may well have been posted years later)."""
    out: list[Disagreement] = []
    for key, record in sorted(records.items()):
        paper = library.papers.get(key)
        if paper is None:
            continue
        file = paper.location.file
        hand_title = paper.field("title")
        at = record.arxiv_id
        if hand_title and normalize_title(hand_title) != normalize_title(record.title):
            detail = f"arXiv {at}: {record.title!r}"
            message = f"{key}: title differs from {detail}"
            out.append(Disagreement(key, "title", message, file, paper.field_line("title"), detail))
        if surnames_shared(paper, record.authors) is False:
            detail = f"no surname in common with arXiv {at}"
            message = f"{key}: no author surname in common with arXiv {at}"
            line = paper.field_line("author")
            out.append(Disagreement(key, "authors", message, file, line, detail))
        first = record.published[:4]
        if (
            paper.arxiv is not None
            and paper.year is not None
            and first.isdigit()
            and paper.year < int(first)
        ):
            detail = f"{paper.year} is before arXiv {at} ({record.published})"
            message = f"{key}: year {detail}"
            out.append(Disagreement(key, "year", message, file, paper.field_line("year"), detail))
    return out


def _published_on_arxiv(record: ArxivRecord | None) -> bool:
    return bool(record and (record.journal_ref or record.doi))


def venue_label(pub: Publication) -> str:
    """``ICLR 2019``: the venue, with the year when the venue does not already say it."""
    year = str(pub.year) if pub.year else ""
    return f"{pub.venue} {year}" if year and year not in pub.venue else pub.venue


# ---------------------------------------------------------------- the run


def load_state(root: Path) -> SyncState:
    """``bib/synced/state.json`` (empty when there is none)."""
    rel = f"{SYNCED_DIR}/{STATE_FILE}"
    if not (root / rel).exists():
        return SyncState()
    data = store.read_bytes(root, rel)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError("not UTF-8", file=rel) from None
    return parse_state(text, rel)


def _stored_date(state: SyncState, library: Library) -> str:
    if state.changed:
        return state.changed
    if library.changes:
        return max(c.date for c in library.changes)
    return "an earlier sync" if library.arxiv else ""


def _reason(exc: ServiceError, service: str) -> str:
    # "could not reach arXiv (HTTP 503 after 5 attempts)" -> "HTTP 503 after 5 attempts"
    text = exc.message
    prefix = f"could not reach {service} ("
    if text.startswith(prefix) and text.endswith(")"):
        return text[len(prefix) : -1]
    return text


def sync(
    root: Path,
    *,
    arxiv: ArxivClient,
    s2: SemanticScholarClient | None = None,
    track: bool = False,
    dry_run: bool = False,
    today: dt.date | None = None,
    progress: ProgressCallback | None = None,
) -> SyncReport:
    """Sync the course folder at ``root``; see the module docstring.

    ``s2`` None skips Semantic Scholar (``--no-citations``). ``dry_run`` fetches and
    reports but writes nothing (and takes no lock, since it writes nothing). ``today``
    dates the changes (default :func:`resolve_today`). Raises :class:`SyncIncomplete`
    when arXiv cannot be reached, LockHeldError when another sync runs, and the store's
    errors for unreadable files. Semantic Scholar failing is not fatal: the report's
    ``errors`` say so (exit 3) and citation data stays as it was.
    """
    run = _Run(root, arxiv, s2, track, dry_run, today or resolve_today(), progress)
    if dry_run:
        return run.run()
    with store.lock(root, "sync"):
        return run.run()


def offline_report(root: Path) -> SyncReport:
    """What is stored, without any network: counts, the day it last changed,
    disagreements with the hand-written entries, and the latest recorded changes."""
    library = store.load_library(root).library
    state = load_state(root)
    report = SyncReport(mode="offline", stored_date=_stored_date(state, library))
    report.papers = len(library.papers)
    report.disagreements = find_disagreements(library, library.arxiv)
    with_id = [k for k, p in library.papers.items() if p.arxiv]
    latest = max((c.date for c in library.changes), default="")
    report.stored = {
        "arxiv": len(library.arxiv),
        "matched_by_title": sorted(k for k, r in library.arxiv.items() if r.matched_by),
        "not_fetched": sorted(k for k in with_id if k not in library.arxiv),
        "publications": len(library.publications),
        "citations": _citation_counts(library.citations, library.external),
        "candidates": len(library.candidates),
        "withdrawn": sorted(k for k, r in library.arxiv.items() if r.withdrawn),
        "recent_changes": [
            dataclasses.asdict(c) for c in library.changes if latest and c.date == latest
        ],
    }
    report.candidates = len(library.candidates)
    report.citations = report.stored["citations"]
    return report


def _citation_counts(
    citations: Iterable[Citation], external: Mapping[str, ExternalPaper]
) -> dict[str, int]:
    cites = list(citations)
    fetched = sum(1 for c in cites if c.evidence == SEMANTICSCHOLAR_EVIDENCE)
    return {"curated": len(cites) - fetched, "semanticscholar": fetched,
            "external": len(external)}  # fmt: skip


class _Writer:
    """Writes machine-owned files where their content changed, keeping ``state.json``'s
    ``changed`` day: it is written *before* the first changed file of a run, so a crash
    cannot leave new data with an old day (a rerun would find nothing to change and never
    move it). With ``dry_run`` it only notes what it would write."""

    def __init__(self, root: Path, date: str, dry_run: bool, state: SyncState) -> None:
        self.root = root
        self.date = date
        self.dry_run = dry_run
        self.state = state
        self.written: list[str] = []

    def _differs(self, name: str, text: str, empty: bool) -> bool:
        path = self.root / SYNCED_DIR / name
        try:
            return path.read_bytes() != text.encode("utf-8")
        except FileNotFoundError:
            return not empty  # no file and nothing to say: no file
        except OSError as exc:
            raise StoreError(exc.strerror or str(exc), file=f"{SYNCED_DIR}/{name}") from None

    def _put(self, name: str, text: str) -> None:
        rel = f"{SYNCED_DIR}/{name}"
        if not self.dry_run:
            store.write_text(self.root, rel, text)
        if rel not in self.written:
            self.written.append(rel)

    def write(self, name: str, text: str, empty: bool = False) -> None:
        """Write ``bib/synced/<name>`` if its content changed (``empty``: the text says
        nothing, so a missing file need not be created)."""
        if not self._differs(name, text, empty):
            return
        if self.state.changed != self.date:
            self.state = replace(self.state, changed=self.date)
            self._put(STATE_FILE, dump_state(self.state))
        self._put(name, text)

    def save_state(self) -> None:
        """Write ``state.json`` if it changed (dating the change)."""
        if not self._differs(STATE_FILE, dump_state(self.state), self.state == SyncState()):
            return
        self.state = replace(self.state, changed=self.date)
        self._put(STATE_FILE, dump_state(self.state))

    @property
    def saved_data(self) -> list[str]:
        """The files written other than ``state.json``."""
        return [w for w in self.written if not w.endswith(STATE_FILE)]


class _Run:
    """One sync run: the data before it, the data as it is being updated, the report."""

    def __init__(
        self,
        root: Path,
        arxiv: ArxivClient,
        s2: SemanticScholarClient | None,
        track: bool,
        dry_run: bool,
        today: dt.date,
        progress: ProgressCallback | None,
    ) -> None:
        self.root = root
        self.arxiv = arxiv
        self.s2 = s2
        self.track = track
        self.dry_run = dry_run
        self.today = today
        self.date = today.isoformat()
        self.progress = progress or (lambda _p: None)
        self.report = SyncReport(mode="dry-run" if dry_run else "sync", date=self.date)
        self.published_keys: set[str] = set()
        self.updated: set[str] = set()

    # -- bookkeeping -------------------------------------------------------------------
    def _load(self) -> None:
        self.library = store.load_library(self.root).library
        lib = self.library
        state = load_state(self.root)
        self.report.stored_date = _stored_date(state, lib)
        self.report.papers = len(lib.papers)
        listed = set(lib.papers)
        # The data before the run, against which changes are judged.
        self.before = dict(lib.arxiv)
        self.before_publications = dict(lib.publications)
        # The data being updated, minus what belongs to papers no longer on the list.
        self.records: dict[str, ArxivRecord] = {k: r for k, r in lib.arxiv.items() if k in listed}
        self.publications: dict[str, Publication] = {
            k: p for k, p in lib.publications.items() if k in listed
        }
        self.citations: list[Citation] = [
            c for c in lib.citations
            if c.evidence != SEMANTICSCHOLAR_EVIDENCE or c.citing in listed
        ]  # fmt: skip
        referenced = {c.cited for c in self.citations}
        self.external: dict[str, ExternalPaper] = {
            k: v for k, v in lib.external.items() if k in referenced
        }
        self.changes: list[Change] = list(lib.changes)
        self.candidates: list[Candidate] = self._unlisted(lib.candidates)
        lookups = {
            k: v for k, v in state.lookups.items()
            if k in listed and lib.papers[k].arxiv is None
        }  # fmt: skip
        self.writer = _Writer(self.root, self.date, self.dry_run, replace(state, lookups=lookups))

    def _listed_ids(self) -> tuple[set[str], set[str]]:
        ids = {p.arxiv.id for p in self.library.papers.values() if p.arxiv}
        ids |= {r.id for k, r in self.records.items() if k in self.library.papers}
        titles = {p.title_key for p in self.library.papers.values() if len(p.title_key) >= 12}
        return ids, titles

    def _unlisted(self, candidates: Iterable[Candidate]) -> list[Candidate]:
        """Candidates not on the list (by arXiv id or title) of topics that still exist."""
        ids, titles = self._listed_ids()
        slugs = {t.slug for t in self.library.topics}
        return [
            c for c in candidates
            if c.topic in slugs and c.arxiv not in ids and normalize_title(c.title) not in titles
        ]  # fmt: skip

    def _text(self, name: str) -> tuple[str, bool]:
        """The text of one machine-owned file, and whether it says nothing."""
        if name == "arxiv.json":
            return dump_arxiv(dict(sorted(self.records.items()))), not self.records
        if name == "publications.json":
            text = dump_publications(dict(sorted(self.publications.items())))
            return text, not self.publications
        if name == "citations.json":
            return dump_citations(self.citations, self.external), not self.citations
        if name == "candidates.json":
            return dump_candidates(self.candidates), not self.candidates
        return dump_changes(self.changes), not self.changes

    def save(self, *names: str) -> None:
        """Write these files, in this order, where their content changed."""
        for name in names:
            if name == STATE_FILE:
                self.writer.save_state()
            else:
                self.writer.write(name, *self._text(name))

    def record(self, change: Change) -> None:
        """Note a change for the report and ``changes.json``."""
        self.changes.append(change)
        self.report.changes.append(change)

    def _incomplete(self, exc: ServiceError, during: str) -> SyncIncomplete:
        report = self.report
        reason = _reason(exc, "arXiv")
        saved = self.writer.saved_data
        stored = f"stored data from {report.stored_date}" if report.stored_date else "stored data"
        never = "" if report.stored_date else " (never synced)"
        if self.dry_run or not saved:
            message = f"could not reach arXiv ({reason}): {stored} is unchanged{never}"
        else:
            message = (
                f"could not reach arXiv ({reason}) during {during}: "
                f"{report.batches_saved} of {report.batches} batches saved "
                f"({', '.join(sorted(saved))}; every file is whole); the rest of the "
                f"{stored} is unchanged; run sync again to finish"
            )
        return SyncIncomplete(message, report)

    # -- the run ---------------------------------------------------------------------
    def run(self) -> SyncReport:
        self._load()
        before_arxiv = self.arxiv.requests_made
        before_s2 = self.s2.requests_made if self.s2 else 0
        try:
            self._fetch_batches()
            self._lookup_titles()
            if self.s2 is not None:
                self._fetch_s2()
            if self.track:
                self._track()
            self.save(*_FILES)
        finally:
            self.report.written = sorted(self.writer.written)
            self.report.requests["arxiv"] = self.arxiv.requests_made - before_arxiv
            if self.s2 is not None:
                self.report.requests["semanticscholar"] = self.s2.requests_made - before_s2
        report = self.report
        report.updated = sorted(self.updated)
        report.disagreements = find_disagreements(self.library, self.records)
        report.candidates = len(self.candidates)
        report.citations = _citation_counts(self.citations, self.external)
        log.info("sync: %d changes, %d failed", len(report.changes), len(report.failed))
        return report

    # -- 1. arXiv by id ----------------------------------------------------------------
    def _ids(self) -> tuple[dict[str, list[str]], set[str]]:
        """arXiv id -> keys (list order), and the keys whose id came from a title match."""
        by_id: dict[str, list[str]] = {}
        by_title: set[str] = set()
        for key, paper in self.library.papers.items():
            if paper.arxiv is not None:
                by_id.setdefault(paper.arxiv.id, []).append(key)
            elif key in self.records and self.records[key].matched_by == "title":
                by_id.setdefault(self.records[key].id, []).append(key)
                by_title.add(key)
        return by_id, by_title

    def _fetch_batches(self) -> None:
        by_id, by_title = self._ids()
        ids = list(by_id)
        size = self.arxiv.page_size
        batches = [ids[i : i + size] for i in range(0, len(ids), size)]
        self.report.batches = len(batches)
        for n, batch in enumerate(batches, 1):
            self.progress(Progress("arxiv", n, len(batches), len(batch)))
            try:
                result = self.arxiv.fetch_ids(batch)
            except ServiceError as exc:
                raise self._incomplete(exc, f"batch {n} of {len(batches)}") from exc
            for arxiv_id in batch:
                keys = by_id[arxiv_id]
                record = result.records.get(arxiv_id)
                if record is None:
                    reason = result.failed.get(arxiv_id) or "not on arXiv"
                    for key in keys:
                        self.report.failed.append(Failure(arxiv_id, reason, key))
                    continue
                for key in keys:
                    matched = "title" if key in by_title else ""
                    self._store_record(key, replace(record, matched_by=matched))
            self.save("changes.json", "arxiv.json")
            self.report.batches_saved = n
            self.progress(Progress("arxiv", n, len(batches), len(batch), finished=True))

    def _store_record(self, key: str, record: ArxivRecord) -> None:
        self.report.fetched += 1
        old = self.before.get(key)
        if old is not None and old.id != record.id:
            old = None  # the entry now names another paper: a fresh start
        if self.records.get(key) != record:
            self.updated.add(key)
        self.records[key] = record
        url = record.arxiv_id.abs_url
        if old is not None and record.version > old.version:
            self.report.new_versions.append(VersionChange(key, old.version, record.version))
            self.record(Change(self.date, "new-version", key,
                               f"v{old.version} -> v{record.version}", url))  # fmt: skip
        if old is not None and not _published_on_arxiv(old) and _published_on_arxiv(record):
            had_publication = key in self.before_publications
            if not had_publication:
                venue = record.journal_ref or f"DOI {record.doi}"
                doi = (normalize_doi(record.doi) or "") if record.doi else ""
                self.published_keys.add(key)
                self.report.published.append(PublishedChange(key, venue, doi, "arxiv"))
                self.record(Change(self.date, "published", key, venue,
                                   f"https://doi.org/{doi}" if doi else url))  # fmt: skip
        if record.withdrawn and not (old is not None and old.withdrawn):
            self.report.withdrawn.append(key)
            self.record(Change(self.date, "withdrawn", key, record.comment, url))

    # -- 2. arXiv by title -------------------------------------------------------------
    def _due_lookups(self) -> list[Paper]:
        due: list[Paper] = []
        for key, paper in self.library.papers.items():
            if paper.arxiv is not None or key in self.records:
                continue
            if len(paper.title_key) < MIN_LOOKUP_TITLE or not paper.authors:
                continue
            done = self.writer.state.lookups.get(key)
            if done is not None and done.title == paper.title_key:
                try:
                    age = (self.today - dt.date.fromisoformat(done.date)).days
                except ValueError:
                    age = LOOKUP_RETRY_DAYS
                if 0 <= age < LOOKUP_RETRY_DAYS:
                    continue
            due.append(paper)
        return due

    def _lookup_titles(self) -> None:
        due = self._due_lookups()
        for n, paper in enumerate(due, 1):
            self.progress(Progress("lookup", n, len(due), 1, label=paper.key))
            query = _title_query(paper.title)
            try:
                feed = self.arxiv.search(
                    query,
                    max_results=min(LOOKUP_RESULTS, self.arxiv.page_size),
                    sort_by="relevance",
                )
            except BadRequestError:
                log.warning("arXiv refused the title query for %s: %s", paper.key, query)
                entries: list[ArxivRecord] = []
            except ServiceError as exc:
                raise self._incomplete(exc, "title lookups") from exc
            else:
                entries = feed.entries
            matches = sorted((r for r in entries if is_strict_match(paper, r)), key=lambda r: r.id)
            lookups = dict(self.writer.state.lookups)
            if matches:
                record = replace(matches[0], matched_by="title")
                lookups.pop(paper.key, None)
                self.records[paper.key] = record
                self.updated.add(paper.key)
                self.report.fetched += 1
                self.report.matched.append(TitleMatch(paper.key, record.arxiv_id.versioned,
                                                      record.title))  # fmt: skip
                if record.withdrawn:
                    self.report.withdrawn.append(paper.key)
                    self.record(Change(self.date, "withdrawn", paper.key, record.comment,
                                       record.arxiv_id.abs_url))  # fmt: skip
            else:
                lookups[paper.key] = TitleLookup(self.date, paper.title_key)
            self.writer.state = replace(self.writer.state, lookups=lookups)
            self.save(*(("changes.json", "arxiv.json") if matches else ()), STATE_FILE)
            self.progress(Progress("lookup", n, len(due), 1, finished=True, label=paper.key))

    # -- 3. Semantic Scholar -----------------------------------------------------------
    def _s2_ids(self) -> dict[str, list[str]]:
        ids: dict[str, list[str]] = {}
        for key, paper in self.library.papers.items():
            arxiv_id = paper.arxiv.id if paper.arxiv else None
            if arxiv_id is None and key in self.records:
                arxiv_id = self.records[key].id
            if arxiv_id:
                ids.setdefault(f"ARXIV:{arxiv_id}", []).append(key)
            elif paper.doi:
                ids.setdefault(f"DOI:{paper.doi}", []).append(key)
        return ids

    def _fetch_s2(self) -> None:
        assert self.s2 is not None
        request_ids = self._s2_ids()
        wanted = list(request_ids)
        chunks = [wanted[i : i + BATCH_SIZE] for i in range(0, len(wanted), BATCH_SIZE)]
        found: dict[str, S2Paper] = {}
        for n, chunk in enumerate(chunks, 1):
            self.progress(Progress("semanticscholar", n, len(chunks), len(chunk)))
            try:
                result = self.s2.fetch_papers(chunk)
            except ServiceError as exc:
                stored = self.report.stored_date or "never synced"
                message = (
                    f"could not reach Semantic Scholar ({_reason(exc, 'Semantic Scholar')}): "
                    f"citation data from {stored} is unchanged"
                    if not found
                    else f"Semantic Scholar failed after {n - 1} of {len(chunks)} batches "
                    f"({_reason(exc, 'Semantic Scholar')}); citations of the papers fetched "
                    "are updated, the others unchanged"
                )
                self.report.errors.append(message)
                self.report.failed.append(Failure("semanticscholar", message))
                break
            for request_id, paper in result.papers.items():
                if paper is None:
                    log.info("Semantic Scholar does not know %s", request_id)
                    continue
                for key in request_ids[request_id]:
                    found[key] = paper
            self.progress(Progress("semanticscholar", n, len(chunks), len(chunk), finished=True))
        if found:
            self._apply_s2(found)
            self.save("changes.json", "publications.json", "citations.json")

    def _index(self, found: Mapping[str, S2Paper]) -> dict[tuple[str, str], str]:
        """(kind, id) -> listed key, for matching references to listed papers."""
        index: dict[tuple[str, str], str] = {}
        for key, paper in self.library.papers.items():
            if paper.arxiv:
                index.setdefault(("arxiv", paper.arxiv.id), key)
            if paper.doi:
                index.setdefault(("doi", paper.doi), key)
        for key, record in self.records.items():
            index.setdefault(("arxiv", record.id), key)
            doi = normalize_doi(record.doi) if record.doi else None
            if doi:
                index.setdefault(("doi", doi), key)
        for key, pub in self.publications.items():
            doi = normalize_doi(pub.doi) if pub.doi else None
            if doi:
                index.setdefault(("doi", doi), key)
        for key, s2_paper in found.items():
            index.setdefault(("s2", s2_paper.paper_id), key)
            for kind in ("arxiv", "doi"):
                value = s2_paper.canonical_ids.get(kind)
                if value:
                    index.setdefault((kind, value), key)
        return index

    def _apply_s2(self, found: Mapping[str, S2Paper]) -> None:
        index = self._index(found)
        # One outside paper can be named differently in two reference lists (with or
        # without its arXiv id): merge what every mention says per S2 paper id first.
        merged: dict[str, dict[str, str]] = {}
        for paper in found.values():
            for ref in paper.references:
                if ref.paper_id:
                    merged.setdefault(ref.paper_id, {}).update(ref.canonical_ids)
        edges: list[Citation] = []
        external: dict[str, ExternalPaper] = {}
        for key in sorted(found):
            paper = found[key]
            self._apply_publication(key, paper)
            source = f"{S2_PAPER_URL}{paper.paper_id}"
            for ref in paper.references:
                ids = dict(ref.canonical_ids)
                if ref.paper_id:
                    ids.update(merged.get(ref.paper_id, {}))
                cited = _cited_id(ids, index)
                if cited is None or cited == key:
                    continue
                edges.append(Citation(key, cited, SEMANTICSCHOLAR_EVIDENCE, source=source))
                if cited not in self.library.papers and cited not in external:
                    external[cited] = _external(cited, ref, ids)
        # Fetched papers' edges are replaced; curated ones and unfetched papers' stay,
        # their outside ids re-pointed at listed papers that match them now.
        kept = [
            c for c in self.citations
            if c.evidence != SEMANTICSCHOLAR_EVIDENCE or c.citing not in found
        ]  # fmt: skip
        kept = [_repoint(c, index) for c in kept]
        self.citations = kept + edges
        referenced = {c.cited for c in self.citations if c.cited not in self.library.papers}
        for ext_id, paper_ext in self.external.items():
            if ext_id in referenced and ext_id not in external:
                external[ext_id] = paper_ext
        self.external = {k: v for k, v in sorted(external.items()) if k in referenced}

    def _apply_publication(self, key: str, paper: S2Paper) -> None:
        pub = publication(paper)
        if pub is not None:
            kind = paper.publication_venue_type.strip().lower()
            pub = replace(pub, kind=kind if kind in ("journal", "conference") else "")
        old = self.publications.get(key)
        if pub is None:
            if old is not None:
                del self.publications[key]
                self.updated.add(key)
            return
        if old != pub:
            self.updated.add(key)
        self.publications[key] = pub
        synced_before = key in self.before or key in self.before_publications
        was_published = key in self.before_publications or _published_on_arxiv(self.before.get(key))
        if synced_before and not was_published and key not in self.published_keys:
            label = venue_label(pub)
            self.published_keys.add(key)
            self.report.published.append(PublishedChange(key, label, pub.doi, "semanticscholar"))
            url = f"https://doi.org/{pub.doi}" if pub.doi else f"{S2_PAPER_URL}{paper.paper_id}"
            self.record(Change(self.date, "published", key, label, url))

    # -- 4. tracking -------------------------------------------------------------------
    def _track(self) -> None:
        topics = [t for t in self.library.topics if t.arxiv_query.strip()]
        listed_ids, listed_titles = self._listed_ids()
        found: dict[str, list[ArxivRecord]] = {}
        tracking_state = dict(self.writer.state.tracking)
        since: dict[str, dt.date] = {}
        for n, topic in enumerate(topics, 1):
            self.progress(Progress("track", n, len(topics), 0, label=topic.slug))
            query = topic.arxiv_query.strip()
            mark = tracking_state.get(topic.slug)
            start = self.today - dt.timedelta(days=TRACK_FIRST_DAYS)
            if mark is not None and mark.query == query:
                with contextlib.suppress(ValueError):
                    start = dt.date.fromisoformat(mark.date)
            since[topic.slug] = start
            papers: list[ArxivRecord] = []
            try:
                for record in self.arxiv.iter_search(
                    query, stop_before=start, max_results=TRACK_MAX_RESULTS
                ):
                    papers.append(record)
            except BadRequestError:
                self.report.failed.append(
                    Failure(f"topic:{topic.slug}", "arXiv refused the tracking query (HTTP 400)")
                )
                self.progress(Progress("track", n, len(topics), 0, True, topic.slug))
                continue
            except ServiceError as exc:
                raise self._incomplete(exc, f"tracking of topic {topic.slug!r}") from exc
            found[topic.slug] = papers
            newest = max((r.published for r in papers if r.published), default="")
            watermark = max(newest, mark.date if mark and mark.query == query else "") or (
                start.isoformat()
            )
            tracking_state[topic.slug] = Watermark(query=query, date=watermark)
            self.progress(Progress("track", n, len(topics), len(papers), True, topic.slug))
        fresh = {
            slug: [
                r for r in papers
                if r.id not in listed_ids and normalize_title(r.title) not in listed_titles
            ]
            for slug, papers in found.items()
        }  # fmt: skip
        cites = self._candidate_cites({r.id for rs in fresh.values() for r in rs})
        corpus = tracking.build_corpus(self._topic_texts())
        previous = {(c.topic, c.arxiv) for c in self.candidates}
        pool: list[Candidate] = []
        for c in self.candidates:
            if c.topic in found:  # re-scored against the topic as it is now
                c = replace(c, score=self._score(corpus, c.topic, c.title, c.abstract, c.cites))
            pool.append(c)
        for slug, records in fresh.items():
            for r in records:
                listed_cites = tuple(sorted(cites.get(r.id, ())))
                pool.append(
                    Candidate(
                        arxiv=r.id,
                        title=r.title,
                        topic=slug,
                        score=self._score(corpus, slug, r.title, r.abstract, listed_cites),
                        published=r.published,
                        authors=r.authors,
                        abstract=r.abstract,
                        cites=listed_cites,
                    )
                )
        self.candidates = tracking.best(pool)
        for c in self.candidates:
            if (c.topic, c.arxiv) not in previous:
                self.report.new_candidates.append(c)
                self.record(Change(self.date, "candidate", c.arxiv, f"{c.topic}: {c.title}",
                                   f"https://arxiv.org/abs/{c.arxiv}"))  # fmt: skip
        kept_new = {(c.topic, c.arxiv) for c in self.report.new_candidates}
        for slug, papers in found.items():
            self.report.tracked.append(
                TopicTracking(
                    topic=slug,
                    read=len(papers),
                    new=len(fresh[slug]),
                    kept=sum(1 for t, _ in kept_new if t == slug),
                    since=since[slug].isoformat(),
                    watermark=tracking_state[slug].date,
                )
            )
        self.save("changes.json", "candidates.json")
        self.writer.state = replace(self.writer.state, tracking=tracking_state)
        self.save(STATE_FILE)

    def _topic_texts(self) -> dict[str, list[str]]:
        texts: dict[str, list[str]] = {}
        for topic in self.library.topics:
            docs = [f"{topic.title}. {topic.description}"]
            for paper in self.library.papers_in_topic(topic.slug):
                record = self.records.get(paper.key)
                abstract = paper.abstract or (record.abstract if record else "")
                title = paper.title or (record.title if record else "")
                docs.append(f"{title}. {abstract}")
            texts[topic.slug] = docs
        return texts

    def _score(
        self, corpus: tracking.Corpus, topic: str, title: str, abstract: str, cites: Sequence[str]
    ) -> float:
        in_topic = sum(
            1 for k in cites if k in self.library.papers and self.library.papers[k].topic == topic
        )
        elsewhere = sum(1 for k in cites if k in self.library.papers) - in_topic
        return tracking.score(corpus, topic, f"{title}. {abstract}", in_topic, elsewhere)

    def _candidate_cites(self, ids: set[str]) -> dict[str, set[str]]:
        """Listed papers each new candidate cites, per Semantic Scholar (one batch call
        per 500 candidates; nothing when citations are off or S2 failed this run)."""
        if self.s2 is None or not ids or self.report.errors:
            return {}
        wanted = [f"ARXIV:{i}" for i in sorted(ids)]
        index = self._index({})
        out: dict[str, set[str]] = {}
        try:
            for start in range(0, len(wanted), BATCH_SIZE):
                result = self.s2.fetch_papers(wanted[start : start + BATCH_SIZE])
                for request_id, paper in result.papers.items():
                    if paper is None:
                        continue
                    cited = (_cited_id(dict(r.canonical_ids), index) for r in paper.references)
                    keys = {c for c in cited if c is not None and c in self.library.papers}
                    if keys:
                        out[request_id.removeprefix("ARXIV:")] = keys
        except ServiceError as exc:
            log.warning("no citation data for candidates: %s", exc.message)
        return out


def _title_query(title: str) -> str:
    """``ti:"..."`` for a title: display text, without the characters that would end
    the phrase or escape out of it."""
    text = latex_to_text(title)
    text = "".join(" " if ch in '"\\' else ch for ch in text)
    return f'ti:"{" ".join(text.split())}"'


def _cited_id(ids: Mapping[str, str], index: Mapping[tuple[str, str], str]) -> str | None:
    """The listed key a reference names, else its outside id (arXiv id, DOI or S2 id,
    in that order of preference); None for a reference with no id at all."""
    for kind in ("arxiv", "doi", "s2"):
        value = ids.get(kind)
        if value and (kind, value) in index:
            return index[(kind, value)]
    for kind in ("arxiv", "doi", "s2"):
        value = ids.get(kind)
        if value:
            return f"{kind}:{value}"
    return None


def _repoint(c: Citation, index: Mapping[tuple[str, str], str]) -> Citation:
    kind, sep, value = c.cited.partition(":")
    if c.evidence == SEMANTICSCHOLAR_EVIDENCE and sep and (kind, value) in index:
        return replace(c, cited=index[(kind, value)])
    return c


def _external(cited: str, ref: S2Reference, ids: Mapping[str, str]) -> ExternalPaper:
    return ExternalPaper(id=cited, title=ref.title, year=ref.year, ids=dict(sorted(ids.items())))


# ---------------------------------------------------------------- candidates


def list_candidates(library: Library, topic: str | None = None) -> list[Candidate]:
    """The stored candidates not on the list (by arXiv id or title), best first.

    Raises UsageError (exit 2) for an unknown topic, listing the topics.
    """
    if topic is not None and library.topic(topic) is None:
        raise UsageError(f"no topic {topic!r}; topics are {_topic_names(library)}")
    ids = {p.arxiv.id for p in library.papers.values() if p.arxiv}
    ids |= {r.id for k, r in library.arxiv.items() if k in library.papers}
    titles = {p.title_key for p in library.papers.values() if len(p.title_key) >= 12}
    chosen = [
        c for c in library.candidates
        if (topic is None or c.topic == topic)
        and c.arxiv not in ids and normalize_title(c.title) not in titles
    ]  # fmt: skip
    return sorted(chosen, key=lambda c: (-c.score, c.topic, c.arxiv))


def _topic_names(library: Library) -> str:
    return ", ".join(t.slug for t in library.topics) or "none"


# ---------------------------------------------------------------- add

_KEY_STOP = frozenset(
    (  # noqa: SIM905
        "a an the on of in for to and with via from towards toward is are do does what how "
        "why when by at its into beyond can "
    ).split()
)
_CONFERENCE = re.compile(
    r"\b(?:proceedings|proc\.|conference|conf\.|workshop|symposium|neurips|nips|icml|iclr|"
    r"colt|aistats|uai|aaai|ijcai|cvpr|iccv|eccv|acl|emnlp|naacl|stoc|focs|soda|kdd)\b",
    re.IGNORECASE,
)
_SPECIAL = re.compile(r"(?<!\\)([&%#_])")


def escape_bibtex(text: str) -> str:
    """Text as a BibTeX value: ``& % # _`` escaped outside ``$...$`` math, braces escaped
    when they do not balance (an unbalanced value would swallow the rest of the file)."""
    pieces = [p if is_math else _SPECIAL.sub(r"\\\1", p) for is_math, p in split_math(text)]
    out = "".join(pieces)
    depth = 0
    for ch in out:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        out = re.sub(r"(?<!\\)([{}])", r"\\\1", out)
    return " ".join(out.split())


def bibtex_name(name: str) -> str:
    """A display name (``Simon S. Du``) in BibTeX's ``Last, First`` form (``Du, Simon S.``)."""
    people = parse_names(escape_bibtex(name))
    if not people:
        return ""
    p = people[0]
    last = " ".join(x for x in (p.von, p.last) if x)
    parts = [last] + ([p.jr] if p.jr else []) + ([p.first] if p.first else [])
    return ", ".join(parts) if len(parts) > 1 else last


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(latex_to_text(text)))


def citation_key(authors: Sequence[str], year: str, title: str, taken: Iterable[str]) -> str:
    """``jacot2018neural``: the first author's family name, the year and the first word of
    the title that says something, lower-case ASCII; ``b``, ``c``... appended until it is
    unlike every key in ``taken`` (compared without case, as BibTeX does)."""
    family = ""
    if authors:
        people = parse_names(authors[0])
        if people:
            family = _ascii_word(people[0].last)
    word = ""
    for raw in latex_to_text(title).split():
        candidate = _ascii_word(raw)
        if candidate and candidate not in _KEY_STOP:
            word = candidate
            break
    base = f"{family or 'anon'}{year}{word}"
    used = {k.lower() for k in taken}
    if base not in used:
        return base
    for n in range(1, 10_000):
        suffix = ""
        while n:
            n, r = divmod(n, 26)
            suffix = "abcdefghijklmnopqrstuvwxyz"[r] + suffix
        if base + suffix not in used and suffix != "a":
            return base + suffix
    raise UsageError(f"no free citation key for {base!r}")  # pragma: no cover


@dataclass(frozen=True)
class NewEntry:
    """A paper ``add`` appends: its key, what identified it, the BibTeX text."""

    key: str
    id: str
    title: str
    text: str
    record: ArxivRecord | None = None

    def as_json(self) -> dict[str, object]:
        """``{"key", "id", "title"}``."""
        return {"key": self.key, "id": self.id, "title": self.title}


@dataclass
class AddReport:
    """What ``add`` did: entries appended (to ``file``), ids refused as already listed,
    ids that could not be fetched."""

    topic: str
    file: str
    added: list[NewEntry] = field(default_factory=list)
    refused: list[Failure] = field(default_factory=list)
    failed: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    lecture: int | None = None
    required: bool = True
    requests: dict[str, int] = field(default_factory=lambda: {"arxiv": 0, "semanticscholar": 0})

    @property
    def exit_code(self) -> int:
        """1 when some id was refused or not found, else 0."""
        return 1 if self.refused or self.failed or self.warnings else 0

    def as_json(self) -> dict[str, object]:
        """``{"added": [{"key","id","title"}], "refused", "failed", "file", ...}``."""
        return {
            "topic": self.topic,
            "file": self.file,
            "added": [e.as_json() for e in self.added],
            "refused": [f.as_json() for f in self.refused],
            "failed": [f.as_json() for f in self.failed],
            "warnings": list(self.warnings),
            "lecture": self.lecture,
            "reading": None if self.lecture is None else
            ("required" if self.required else "optional"),
            "requests": dict(self.requests),
        }  # fmt: skip


def _arxiv_entry_type(journal_ref: str) -> tuple[str, str]:
    if not journal_ref:
        return "misc", ""
    if _CONFERENCE.search(journal_ref):
        return "inproceedings", "booktitle"
    return "article", "journal"


def entry_from_arxiv(key: str, record: ArxivRecord, publication: Publication | None = None) -> str:
    """A complete BibTeX entry for an arXiv paper (``@misc``, or ``@article`` /
    ``@inproceedings`` when a journal reference or publication is known)."""
    if publication is not None and publication.venue:
        kind = publication.kind
        entry_type, venue_field = (
            ("article", "journal") if kind == "journal" else ("inproceedings", "booktitle")
        )
        venue = publication.venue
    else:
        entry_type, venue_field = _arxiv_entry_type(record.journal_ref)
        venue = record.journal_ref
    doi = (publication.doi if publication and publication.doi else "") or record.doi
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(bibtex_name(a) for a in record.authors if a.strip())),
        ("title", escape_bibtex(record.title)),
    ]
    if venue_field:
        fields.append((venue_field, escape_bibtex(venue)))
    fields += [
        ("year", record.published[:4]),
        ("eprint", record.id),
        ("archivePrefix", "arXiv"),
    ]
    if record.primary_category:
        fields.append(("primaryClass", record.primary_category))
    if doi:
        fields.append(("doi", doi))
    if record.abstract:
        fields.append(("abstract", escape_bibtex(record.abstract)))
    fields.append(("url", f"https://arxiv.org/abs/{record.id}"))
    return format_entry(entry_type, key, [(n, v) for n, v in fields if v])


def entry_from_s2(
    key: str, paper: S2Paper, doi: str, record: ArxivRecord | None = None
) -> tuple[str, list[str]]:
    """A BibTeX entry for a paper known by its DOI (Semantic Scholar's title, year and
    venue; authors and abstract from arXiv when S2 links the paper to it). Returns the
    entry and the fields it had to leave out."""
    pub = publication(paper)
    kind = paper.publication_venue_type.strip().lower()
    venue = pub.venue if pub else ""
    entry_type, venue_field = ("misc", "")
    if venue:
        entry_type, venue_field = (
            ("article", "journal") if kind == "journal" else ("inproceedings", "booktitle")
        )
    authors: Sequence[str] = tuple(getattr(paper, "authors", ()) or ())
    if not authors and record is not None:
        authors = record.authors
    year = str(paper.year) if paper.year else (record.published[:4] if record else "")
    fields: list[tuple[str, str]] = [
        ("author", " and ".join(bibtex_name(str(a)) for a in authors if str(a).strip())),
        ("title", escape_bibtex(paper.title or (record.title if record else ""))),
    ]
    if venue_field:
        fields.append((venue_field, escape_bibtex(venue)))
    fields += [("year", year), ("doi", doi)]
    if record is not None:
        fields += [("eprint", record.id), ("archivePrefix", "arXiv")]
        if record.primary_category:
            fields.append(("primaryClass", record.primary_category))
        if record.abstract:
            fields.append(("abstract", escape_bibtex(record.abstract)))
    fields.append(("url", f"https://doi.org/{doi}"))
    missing = [n for n, v in fields if not v and n in ("author", "title", "year")]
    return format_entry(entry_type, key, [(n, v) for n, v in fields if v]), missing


def _listed_marks(library: Library) -> dict[tuple[str, str], str]:
    marks: dict[tuple[str, str], str] = {}
    for key, paper in library.papers.items():
        if paper.arxiv:
            marks.setdefault(("arxiv", paper.arxiv.id), key)
        if paper.doi:
            marks.setdefault(("doi", paper.doi), key)
    for key, record in library.arxiv.items():
        if key in library.papers:
            marks.setdefault(("arxiv", record.id), key)
            doi = normalize_doi(record.doi) if record.doi else None
            if doi:
                marks.setdefault(("doi", doi), key)
    for key, pub in library.publications.items():
        doi = normalize_doi(pub.doi) if pub.doi else None
        if doi and key in library.papers:
            marks.setdefault(("doi", doi), key)
    return marks


def parse_add_ids(ids: Sequence[str]) -> list[tuple[str, str, str]]:
    """``(kind, id, as given)`` for each argument: ``arxiv`` (any shape
    :func:`~readinglist.ids.find_arxiv_id` accepts, DataCite DOIs included) or ``doi``;
    duplicates dropped. UsageError (exit 2) for anything else, before any request."""
    out: dict[tuple[str, str], str] = {}
    for raw in ids:
        found = find_arxiv_id(raw)
        if found is not None:
            out.setdefault(("arxiv", found.id), raw)
            continue
        doi = normalize_doi(raw) or find_doi(raw)
        if doi is None:
            raise UsageError(f"not an arXiv id or a DOI: {raw!r}")
        from_doi = arxiv_from_doi(doi)
        if from_doi is not None:
            out.setdefault(("arxiv", from_doi.id), raw)
        else:
            out.setdefault(("doi", doi), raw)
    return [(kind, value, raw) for (kind, value), raw in out.items()]


def add_papers(
    root: Path,
    ids: Sequence[str],
    topic: str,
    *,
    arxiv: ArxivClient,
    s2: SemanticScholarClient | None,
    lecture: int | None = None,
    required: bool = True,
    today: dt.date | None = None,
) -> AddReport:
    """Append new papers to ``bib/<topic>.bib`` with fetched metadata.

    arXiv ids are fetched in one batched request; DOIs are looked up on Semantic Scholar
    (one batch call). Papers already on the list are refused (the report names their
    key); ids arXiv or S2 do not know fail. Every existing byte of the ``.bib`` stays in
    place (:func:`store.append_text`); the appended text is checked to parse back first.
    With ``lecture``, the new keys become (required or optional) readings of that lecture
    by a textual insertion into the course file
    (:func:`readinglist.importer.add_readings`). The fetched arXiv records go to
    ``arxiv.json``, an ``added`` change to ``changes.json``, and the papers leave
    ``candidates.json``. Raises UsageError (exit 2) for an unknown topic or lecture,
    ServiceError (exit 3) when a service cannot be reached, before anything is written.
    """
    from readinglist.importer import add_readings

    date = (today or resolve_today()).isoformat()
    with store.lock(root, "add"):
        library = store.load_library(root).library
        top = library.topic(topic)
        if top is None:
            raise UsageError(f"no topic {topic!r}; topics are {_topic_names(library)}")
        if lecture is not None and library.lecture(lecture) is None:
            numbers = ", ".join(str(lec.number) for lec in library.lectures) or "none"
            raise UsageError(f"no lecture {lecture}; lectures are {numbers}")
        report = AddReport(topic=topic, file=top.bib_file, lecture=lecture, required=required)
        wanted = parse_add_ids(ids)
        marks = _listed_marks(library)
        todo: list[tuple[str, str, str]] = []
        for kind, value, raw in wanted:
            key = marks.get((kind, value))
            if key is not None:
                report.refused.append(Failure(value, _already(library, key), key))
            else:
                todo.append((kind, value, raw))
        before_a, before_s = arxiv.requests_made, (s2.requests_made if s2 else 0)
        try:
            entries = _fetch_new_entries(library, todo, report, arxiv, s2, marks)
        finally:
            report.requests["arxiv"] = arxiv.requests_made - before_a
            report.requests["semanticscholar"] = (s2.requests_made if s2 else 0) - before_s
        if not entries:
            return report
        course_text: str | None = None
        course_bom = b""
        if lecture is not None:
            data = store.read_bytes(root, library.course_file)
            course_bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
            course_text = add_readings(
                data.decode("utf-8-sig"), lecture, [e.key for e in entries], required=required
            )
        text = "\n".join(e.text for e in entries)
        _check_appended(root, top.bib_file, text, [e.key for e in entries])
        store.append_text(root, top.bib_file, text)
        report.added = entries
        if course_text is not None:
            store.write_atomic(root / library.course_file, course_bom + course_text.encode("utf-8"))
        _record_added(root, library, entries, topic, date)
        return report


def _already(library: Library, key: str) -> str:
    paper = library.papers.get(key)
    where = f" ({paper.location})" if paper else ""
    return f"already on the list as {key}{where}"


def _fetch_new_entries(
    library: Library,
    todo: list[tuple[str, str, str]],
    report: AddReport,
    arxiv: ArxivClient,
    s2: SemanticScholarClient | None,
    marks: Mapping[tuple[str, str], str],
) -> list[NewEntry]:
    taken = set(library.papers) | {e.key for e in library.entries}
    arxiv_ids = [value for kind, value, _ in todo if kind == "arxiv"]
    dois = [value for kind, value, _ in todo if kind == "doi"]
    s2_papers: dict[str, S2Paper] = {}
    if dois:
        if s2 is None:
            raise UsageError("adding by DOI needs Semantic Scholar")
        result = s2.fetch_papers([f"DOI:{d}" for d in dois])
        for doi in dois:
            paper = result.papers.get(f"DOI:{doi}")
            if paper is None:
                report.failed.append(Failure(doi, "not found on Semantic Scholar"))
                continue
            linked = paper.arxiv
            if linked is not None and ("arxiv", linked.id) in marks:
                key = marks[("arxiv", linked.id)]
                report.refused.append(Failure(doi, _already(library, key), key))
                continue
            s2_papers[doi] = paper
    # One batched arXiv request: the ids asked for and the preprints of the DOIs.
    linked_ids = [p.arxiv.id for p in s2_papers.values() if p.arxiv is not None]
    records: dict[str, ArxivRecord] = {}
    fetch = list(dict.fromkeys(arxiv_ids + linked_ids))
    if fetch:
        result_a = arxiv.fetch_ids(fetch)
        records = result_a.records
        for arxiv_id in arxiv_ids:
            if arxiv_id not in records:
                reason = result_a.failed.get(arxiv_id) or "not on arXiv"
                report.failed.append(Failure(arxiv_id, reason))
    entries: list[NewEntry] = []
    for kind, value, _raw in todo:
        if kind == "arxiv" and value in records:
            record = records[value]
            key = citation_key(record.authors, record.published[:4], record.title, taken)
            taken.add(key)
            entries.append(
                NewEntry(key, value, record.title, entry_from_arxiv(key, record), record)
            )
        elif kind == "doi" and value in s2_papers:
            paper = s2_papers[value]
            linked_record = records.get(paper.arxiv.id) if paper.arxiv else None
            authors = tuple(getattr(paper, "authors", ()) or ()) or (
                linked_record.authors if linked_record else ()
            )
            year = str(paper.year or "") or (linked_record.published[:4] if linked_record else "")
            key = citation_key([str(a) for a in authors], year, paper.title, taken)
            taken.add(key)
            text, missing = entry_from_s2(key, paper, value, linked_record)
            if missing:
                report.warnings.append(
                    f"{key}: no {', '.join(missing)} known for DOI {value}; add "
                    f"{' and '.join(missing)} by hand"
                )
            entries.append(NewEntry(key, value, paper.title, text, linked_record))
    return entries


def _check_appended(root: Path, rel: str, text: str, keys: Sequence[str]) -> None:
    """Refuse to append text that would not parse back as exactly the new entries."""
    old = ""
    if (root / rel).exists():
        old = decode_bib(store.read_bytes(root, rel), rel)
    sep = "" if not old else ("\n" if old.endswith("\n") else "\n\n")
    refused = StoreError(
        "the new entries would not read back as written; nothing was written", file=rel
    )
    before = parse_bib(old, rel) if old else None
    try:
        after = parse_bib(old + sep + text, rel)
    except BibSyntaxError:
        raise refused from None
    new_keys = [e.key for e in after.entries][len(before.entries) if before else 0 :]
    problems = len(before.problems) if before else 0
    if new_keys != list(keys) or len(after.problems) != problems:
        raise refused


def _record_added(
    root: Path, library: Library, entries: Sequence[NewEntry], topic: str, date: str
) -> None:
    """Store the fetched records, note the additions, drop them from the candidates."""
    writer = _Writer(root, date, False, load_state(root))
    records = dict(library.arxiv)
    changes = list(library.changes)
    for e in entries:
        if e.record is not None:
            records[e.key] = e.record
        url = f"https://arxiv.org/abs/{e.record.id}" if e.record else f"https://doi.org/{e.id}"
        changes.append(Change(date, "added", e.key, topic, url))
    added_ids = {e.record.id for e in entries if e.record is not None}
    added_titles = {normalize_title(e.title) for e in entries}
    candidates = [
        c for c in library.candidates
        if c.arxiv not in added_ids and normalize_title(c.title) not in added_titles
    ]  # fmt: skip
    writer.write("changes.json", dump_changes(changes), not changes)
    writer.write("arxiv.json", dump_arxiv(dict(sorted(records.items()))), not records)
    writer.write("candidates.json", dump_candidates(candidates), not candidates)


__all__ = [
    "AddReport",
    "NewEntry",
    "add_papers",
    "bibtex_name",
    "citation_key",
    "entry_from_arxiv",
    "entry_from_s2",
    "escape_bibtex",
    "list_candidates",
    "parse_add_ids",
    "Disagreement",
    "Failure",
    "Progress",
    "ProgressCallback",
    "PublishedChange",
    "SyncIncomplete",
    "SyncReport",
    "TitleMatch",
    "TopicTracking",
    "VersionChange",
    "find_disagreements",
    "is_strict_match",
    "offline_report",
    "resolve_today",
    "surnames_shared",
    "sync",
    "venue_label",
]
