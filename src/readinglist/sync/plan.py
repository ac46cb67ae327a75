"""Which papers a sync asks about, and in which batches: pure functions of the library
and the stored data, no I/O.

- arXiv by id: every listed paper with an arXiv id (hand-written, or found by title in
  an earlier run), in batches of the client's page size;
- arXiv by title: papers without an id whose last lookup is old or whose title changed;
- Semantic Scholar: every paper with an arXiv id or a DOI, in batches of 500;
- tracking: each topic's ``arxiv_query``, read back to its watermark.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from readinglist.ids import normalize_doi
from readinglist.latex import latex_to_text, normalize_title
from readinglist.model import ArxivRecord, Candidate, Library, Paper, Publication, Topic
from readinglist.synced import TitleLookup, Watermark

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


def batches(ids: Sequence[str], size: int) -> list[list[str]]:
    """``ids`` cut into consecutive batches of at most ``size``."""
    return [list(ids[i : i + size]) for i in range(0, len(ids), size)]


@dataclass(frozen=True)
class ArxivPlan:
    """The arXiv ids to fetch: id -> the keys naming it (list order), and the keys whose
    id came from a title match in an earlier run."""

    by_id: dict[str, list[str]]
    by_title: frozenset[str]


def arxiv_ids(library: Library, records: Mapping[str, ArxivRecord]) -> ArxivPlan:
    """The :class:`ArxivPlan` of a library and its stored records."""
    by_id: dict[str, list[str]] = {}
    by_title: set[str] = set()
    for key, paper in library.papers.items():
        if paper.arxiv is not None:
            by_id.setdefault(paper.arxiv.id, []).append(key)
        elif key in records and records[key].matched_by == "title":
            by_id.setdefault(records[key].id, []).append(key)
            by_title.add(key)
    return ArxivPlan(by_id, frozenset(by_title))


def due_lookups(
    library: Library,
    records: Mapping[str, ArxivRecord],
    lookups: Mapping[str, TitleLookup],
    today: dt.date,
) -> list[Paper]:
    """Papers without an arXiv id to look up by title: not found before, titled
    specifically enough, with authors, and not looked up under this title within
    :data:`LOOKUP_RETRY_DAYS`."""
    due: list[Paper] = []
    for key, paper in library.papers.items():
        if paper.arxiv is not None or key in records:
            continue
        if len(paper.title_key) < MIN_LOOKUP_TITLE or not paper.authors:
            continue
        done = lookups.get(key)
        if done is not None and done.title == paper.title_key:
            try:
                age = (today - dt.date.fromisoformat(done.date)).days
            except ValueError:
                age = LOOKUP_RETRY_DAYS
            if 0 <= age < LOOKUP_RETRY_DAYS:
                continue
        due.append(paper)
    return due


def title_query(title: str) -> str:
    """``ti:"..."`` for a title: display text, without the characters that would end
    the phrase or escape out of it."""
    text = latex_to_text(title)
    text = "".join(" " if ch in '"\\' else ch for ch in text)
    return f'ti:"{" ".join(text.split())}"'


def s2_ids(library: Library, records: Mapping[str, ArxivRecord]) -> dict[str, list[str]]:
    """Semantic Scholar ids (``ARXIV:...`` or ``DOI:...``) -> the keys they stand for."""
    ids: dict[str, list[str]] = {}
    for key, paper in library.papers.items():
        arxiv_id = paper.arxiv.id if paper.arxiv else None
        if arxiv_id is None and key in records:
            arxiv_id = records[key].id
        if arxiv_id:
            ids.setdefault(f"ARXIV:{arxiv_id}", []).append(key)
        elif paper.doi:
            ids.setdefault(f"DOI:{paper.doi}", []).append(key)
    return ids


def listed_ids(library: Library, records: Mapping[str, ArxivRecord]) -> tuple[set[str], set[str]]:
    """The arXiv ids and the normalized titles (long enough to mean something) of the
    listed papers: what makes a tracked paper not new."""
    ids = {p.arxiv.id for p in library.papers.values() if p.arxiv}
    ids |= {r.id for k, r in records.items() if k in library.papers}
    titles = {p.title_key for p in library.papers.values() if len(p.title_key) >= MIN_LOOKUP_TITLE}
    return ids, titles


def listed_marks(
    papers: Mapping[str, Paper],
    records: Mapping[str, ArxivRecord],
    publications: Mapping[str, Publication],
) -> dict[tuple[str, str], str]:
    """``(kind, id)`` -> the listed key it identifies (``arxiv`` or ``doi``), from the
    entries, then the stored arXiv records and publications of listed papers; the first
    key wins where two name the same id."""
    marks: dict[tuple[str, str], str] = {}
    for key, paper in papers.items():
        if paper.arxiv:
            marks.setdefault(("arxiv", paper.arxiv.id), key)
        if paper.doi:
            marks.setdefault(("doi", paper.doi), key)
    for key, record in records.items():
        if key in papers:
            marks.setdefault(("arxiv", record.id), key)
            doi = normalize_doi(record.doi) if record.doi else None
            if doi:
                marks.setdefault(("doi", doi), key)
    for key, pub in publications.items():
        doi = normalize_doi(pub.doi) if pub.doi else None
        if doi and key in papers:
            marks.setdefault(("doi", doi), key)
    return marks


def unlisted(
    library: Library, records: Mapping[str, ArxivRecord], candidates: Iterable[Candidate]
) -> list[Candidate]:
    """Candidates not on the list (by arXiv id or title) of topics that still exist."""
    ids, titles = listed_ids(library, records)
    slugs = {t.slug for t in library.topics}
    return [
        c for c in candidates
        if c.topic in slugs and c.arxiv not in ids and normalize_title(c.title) not in titles
    ]  # fmt: skip


def tracked_topics(library: Library) -> list[Topic]:
    """The topics with an ``arxiv_query``."""
    return [t for t in library.topics if t.arxiv_query.strip()]


def track_start(topic: Topic, mark: Watermark | None, today: dt.date) -> dt.date:
    """The day tracking of ``topic`` reads back to: its watermark when its query is
    unchanged, else :data:`TRACK_FIRST_DAYS` before ``today``."""
    start = today - dt.timedelta(days=TRACK_FIRST_DAYS)
    if mark is not None and mark.query == topic.arxiv_query.strip():
        with contextlib.suppress(ValueError):
            start = dt.date.fromisoformat(mark.date)
    return start
