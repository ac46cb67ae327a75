"""Merging fetched data into the machine-owned data, and judging what changed: pure.

:class:`SyncData` is the data of ``bib/synced/`` as a run updates it, with the data
stored before the run (against which changes are judged) and the report being filled.
The ``merge_*`` functions take what a fetch step returned and update it; nothing here
does I/O.

What counts as a change is judged against the data stored before the run: a paper
fetched for the first time is stored without being reported as a new version or as
newly published (a first sync is a baseline), except that a withdrawn paper is always
reported.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

from readinglist.ids import normalize_doi
from readinglist.latex import normalize_title
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
from readinglist.services.semanticscholar import S2Paper, S2Reference, publication
from readinglist.sync.plan import listed_marks, unlisted
from readinglist.sync.report import (
    SEMANTICSCHOLAR_EVIDENCE,
    Disagreement,
    PublishedChange,
    SyncReport,
    TitleMatch,
    VersionChange,
)

S2_PAPER_URL = "https://www.semanticscholar.org/paper/"


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


def published_on_arxiv(record: ArxivRecord | None) -> bool:
    """Whether arXiv itself says the paper is published (a journal reference or DOI)."""
    return bool(record and (record.journal_ref or record.doi))


def venue_label(pub: Publication) -> str:
    """``ICLR 2019``: the venue, with the year when the venue does not already say it."""
    year = str(pub.year) if pub.year else ""
    return f"{pub.venue} {year}" if year and year not in pub.venue else pub.venue


# ---------------------------------------------------------------- the data of a run


@dataclass
class SyncData:
    """The machine-owned data as a run updates it.

    ``before`` and ``before_publications`` are the stored data before the run; the
    other fields start as the stored data minus what belongs to papers no longer on
    the list. ``updated`` collects the keys whose data changed; ``report`` the run's
    report, which the merge functions fill in.
    """

    library: Library
    date: str
    report: SyncReport
    before: dict[str, ArxivRecord]
    before_publications: dict[str, Publication]
    records: dict[str, ArxivRecord]
    publications: dict[str, Publication]
    citations: list[Citation]
    external: dict[str, ExternalPaper]
    changes: list[Change]
    candidates: list[Candidate]
    updated: set[str] = field(default_factory=set)
    published_keys: set[str] = field(default_factory=set)

    @classmethod
    def start(cls, library: Library, date: str, report: SyncReport) -> SyncData:
        """The data of a run starting from what ``library`` holds."""
        listed = set(library.papers)
        records = {k: r for k, r in library.arxiv.items() if k in listed}
        citations = [
            c for c in library.citations
            if c.evidence != SEMANTICSCHOLAR_EVIDENCE or c.citing in listed
        ]  # fmt: skip
        referenced = {c.cited for c in citations}
        return cls(
            library=library,
            date=date,
            report=report,
            before=dict(library.arxiv),
            before_publications=dict(library.publications),
            records=records,
            publications={k: p for k, p in library.publications.items() if k in listed},
            citations=citations,
            external={k: v for k, v in library.external.items() if k in referenced},
            changes=list(library.changes),
            candidates=unlisted(library, records, library.candidates),
        )

    def record(self, change: Change) -> None:
        """Note a change for the report and ``changes.json``."""
        self.changes.append(change)
        self.report.changes.append(change)


# ---------------------------------------------------------------- arXiv


def merge_record(data: SyncData, key: str, record: ArxivRecord) -> None:
    """Store a record fetched by id for ``key``; report a new version, a publication
    arXiv now names, a withdrawal."""
    report = data.report
    report.fetched += 1
    old = data.before.get(key)
    if old is not None and old.id != record.id:
        old = None  # the entry now names another paper: a fresh start
    if data.records.get(key) != record:
        data.updated.add(key)
    data.records[key] = record
    url = record.arxiv_id.abs_url
    if old is not None and record.version > old.version:
        report.new_versions.append(VersionChange(key, old.version, record.version))
        data.record(Change(data.date, "new-version", key,
                           f"v{old.version} -> v{record.version}", url))  # fmt: skip
    newly_published = (
        old is not None
        and not published_on_arxiv(old)
        and published_on_arxiv(record)
        and key not in data.before_publications
    )
    if newly_published:
        venue = record.journal_ref or f"DOI {record.doi}"
        doi = (normalize_doi(record.doi) or "") if record.doi else ""
        data.published_keys.add(key)
        report.published.append(PublishedChange(key, venue, doi, "arxiv"))
        data.record(Change(data.date, "published", key, venue,
                           f"https://doi.org/{doi}" if doi else url))  # fmt: skip
    if record.withdrawn and not (old is not None and old.withdrawn):
        report.withdrawn.append(key)
        data.record(Change(data.date, "withdrawn", key, record.comment, url))


def best_title_match(paper: Paper, entries: Sequence[ArxivRecord]) -> ArxivRecord | None:
    """The strict match (:func:`is_strict_match`) among a title lookup's results with
    the lowest id, marked ``matched_by="title"``; None when there is none."""
    matches = sorted((r for r in entries if is_strict_match(paper, r)), key=lambda r: r.id)
    return replace(matches[0], matched_by="title") if matches else None


def merge_title_match(data: SyncData, key: str, record: ArxivRecord) -> None:
    """Store the record a title lookup found for ``key`` (reported, and a withdrawal)."""
    data.records[key] = record
    data.updated.add(key)
    data.report.fetched += 1
    data.report.matched.append(TitleMatch(key, record.arxiv_id.versioned, record.title))
    if record.withdrawn:
        data.report.withdrawn.append(key)
        data.record(Change(data.date, "withdrawn", key, record.comment,
                           record.arxiv_id.abs_url))  # fmt: skip


# ---------------------------------------------------------------- Semantic Scholar


def reference_index(data: SyncData, found: Mapping[str, S2Paper]) -> dict[tuple[str, str], str]:
    """(kind, id) -> listed key, for matching references to listed papers: the
    :func:`~readinglist.sync.plan.listed_marks` of the data, and the ids Semantic
    Scholar gave the papers ``found`` this run (their S2 id too)."""
    index = listed_marks(data.library.papers, data.records, data.publications)
    for key, s2_paper in found.items():
        index.setdefault(("s2", s2_paper.paper_id), key)
        for kind in ("arxiv", "doi"):
            value = s2_paper.canonical_ids.get(kind)
            if value:
                index.setdefault((kind, value), key)
    return index


def merge_s2(data: SyncData, found: Mapping[str, S2Paper]) -> None:
    """Merge the Semantic Scholar papers fetched per key: publications, and their
    references as citations (replacing those fetched earlier for the same papers)."""
    library = data.library
    index = reference_index(data, found)
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
        merge_publication(data, key, paper)
        source = f"{S2_PAPER_URL}{paper.paper_id}"
        for ref in paper.references:
            ids = dict(ref.canonical_ids)
            if ref.paper_id:
                ids.update(merged.get(ref.paper_id, {}))
            cited = cited_id(ids, index)
            if cited is None or cited == key:
                continue
            edges.append(Citation(key, cited, SEMANTICSCHOLAR_EVIDENCE, source=source))
            if cited not in library.papers and cited not in external:
                external[cited] = _external(cited, ref, ids)
    # Fetched papers' edges are replaced; curated ones and unfetched papers' stay,
    # their outside ids re-pointed at listed papers that match them now.
    kept = [
        c for c in data.citations
        if c.evidence != SEMANTICSCHOLAR_EVIDENCE or c.citing not in found
    ]  # fmt: skip
    data.citations = [_repoint(c, index) for c in kept] + edges
    referenced = {c.cited for c in data.citations if c.cited not in library.papers}
    for ext_id, paper_ext in data.external.items():
        if ext_id in referenced and ext_id not in external:
            external[ext_id] = paper_ext
    data.external = {k: v for k, v in sorted(external.items()) if k in referenced}


def merge_publication(data: SyncData, key: str, paper: S2Paper) -> None:
    """Store (or drop) the publication Semantic Scholar knows for ``key``; report it as
    newly published when the paper was synced before and was not published then."""
    pub = publication(paper)
    if pub is not None:
        kind = paper.publication_venue_type.strip().lower()
        pub = replace(pub, kind=kind if kind in ("journal", "conference") else "")
    old = data.publications.get(key)
    if pub is None:
        if old is not None:
            del data.publications[key]
            data.updated.add(key)
        return
    if old != pub:
        data.updated.add(key)
    data.publications[key] = pub
    synced_before = key in data.before or key in data.before_publications
    was_published = key in data.before_publications or published_on_arxiv(data.before.get(key))
    if synced_before and not was_published and key not in data.published_keys:
        label = venue_label(pub)
        data.published_keys.add(key)
        data.report.published.append(PublishedChange(key, label, pub.doi, "semanticscholar"))
        url = f"https://doi.org/{pub.doi}" if pub.doi else f"{S2_PAPER_URL}{paper.paper_id}"
        data.record(Change(data.date, "published", key, label, url))


def cited_id(ids: Mapping[str, str], index: Mapping[tuple[str, str], str]) -> str | None:
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
