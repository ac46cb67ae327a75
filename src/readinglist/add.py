"""``add``: append new papers, fetched by arXiv id or DOI, to a topic's hand-written ``.bib``.

Its own module, not a stage of :mod:`readinglist.sync`: sync writes only the
machine-owned ``bib/synced/``, while add appends to a hand-written file (every existing
byte kept) and may insert readings into the course file. From sync it shares the
``bib/synced/`` writer (the fetched records, an ``added`` change, the candidates it
drops) and the :class:`~readinglist.sync.Failure` shape of its report. The BibTeX text
(escaping, names, keys) is written by :mod:`readinglist.bibtex`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from readinglist import store
from readinglist.bibtex import (
    bibtex_name,
    citation_key,
    decode_bib,
    escape_bibtex,
    format_entry,
    parse_bib,
)
from readinglist.errors import BibSyntaxError, StoreError, UsageError
from readinglist.ids import arxiv_from_doi, find_arxiv_id, find_doi, normalize_doi
from readinglist.latex import normalize_title
from readinglist.model import ArxivRecord, Change, Library, Publication
from readinglist.services.arxiv import ArxivClient
from readinglist.services.semanticscholar import S2Paper, SemanticScholarClient, publication
from readinglist.sync.plan import listed_marks
from readinglist.sync.report import Failure
from readinglist.sync.save import Writer, load_state
from readinglist.sync.track import topic_names
from readinglist.synced import dump_arxiv, dump_candidates, dump_changes

_CONFERENCE = re.compile(
    r"\b(?:proceedings|proc\.|conference|conf\.|workshop|symposium|neurips|nips|icml|iclr|"
    r"colt|aistats|uai|aaai|ijcai|cvpr|iccv|eccv|acl|emnlp|naacl|stoc|focs|soda|kdd)\b",
    re.IGNORECASE,
)


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
    (:func:`readinglist.course.add_readings`). The fetched arXiv records go to
    ``arxiv.json``, an ``added`` change to ``changes.json``, and the papers leave
    ``candidates.json``. Raises UsageError (exit 2) for an unknown topic or lecture,
    ServiceError (exit 3) when a service cannot be reached, before anything is written.
    """
    from readinglist.course import add_readings

    date = (today or dt.date.today()).isoformat()
    with store.lock(root, "add"):
        library = store.load_library(root).library
        top = library.topic(topic)
        if top is None:
            raise UsageError(f"no topic {topic!r}; topics are {topic_names(library)}")
        if lecture is not None and library.lecture(lecture) is None:
            numbers = ", ".join(str(lec.number) for lec in library.lectures) or "none"
            raise UsageError(f"no lecture {lecture}; lectures are {numbers}")
        report = AddReport(topic=topic, file=top.bib_file, lecture=lecture, required=required)
        wanted = parse_add_ids(ids)
        marks = listed_marks(library.papers, library.arxiv, library.publications)
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
    writer = Writer(root, date, False, load_state(root))
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
    "entry_from_arxiv",
    "entry_from_s2",
    "parse_add_ids",
]
