"""What a sync did: the report, its parts, and the error that says what was saved.

Plain data with the JSON shapes of CLI.md; no I/O. The CLI renders these.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from readinglist.errors import ServiceError
from readinglist.model import Candidate, Change, Citation, ExternalPaper

SEMANTICSCHOLAR_EVIDENCE = "semanticscholar"
"""The ``evidence`` of fetched citations; every other evidence is curated and kept."""


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


def service_reason(exc: ServiceError, service: str) -> str:
    """The reason inside a service error's message: ``could not reach arXiv (HTTP 503
    after 5 attempts)`` -> ``HTTP 503 after 5 attempts``."""
    text = exc.message
    prefix = f"could not reach {service} ("
    if text.startswith(prefix) and text.endswith(")"):
        return text[len(prefix) : -1]
    return text


def incomplete(
    exc: ServiceError, during: str, report: SyncReport, saved: list[str], dry_run: bool
) -> SyncIncomplete:
    """The error for arXiv failing ``during`` a stage, saying which of the files were
    already ``saved`` (every one whole) and that a rerun finishes the job."""
    reason = service_reason(exc, "arXiv")
    stored = f"stored data from {report.stored_date}" if report.stored_date else "stored data"
    never = "" if report.stored_date else " (never synced)"
    if dry_run or not saved:
        message = f"could not reach arXiv ({reason}): {stored} is unchanged{never}"
    else:
        message = (
            f"could not reach arXiv ({reason}) during {during}: "
            f"{report.batches_saved} of {report.batches} batches saved "
            f"({', '.join(sorted(saved))}; every file is whole); the rest of the "
            f"{stored} is unchanged; run sync again to finish"
        )
    return SyncIncomplete(message, report)


def citation_counts(
    citations: Iterable[Citation], external: Mapping[str, ExternalPaper]
) -> dict[str, int]:
    """``{"curated", "semanticscholar", "external"}``: citations by origin, outside papers."""
    cites = list(citations)
    fetched = sum(1 for c in cites if c.evidence == SEMANTICSCHOLAR_EVIDENCE)
    return {"curated": len(cites) - fetched, "semanticscholar": fetched,
            "external": len(external)}  # fmt: skip
