"""The effective record of a paper: hand-written fields over fetched ones. No I/O.

What a person wrote always wins; arXiv and Semantic Scholar fill in what the entry
leaves out (abstract, full author list, latest version, published venue).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from readinglist.model import Library, Paper

# ---------------------------------------------------------------- crossref

# Fields a child never takes from its parent (biblatex's defaults).
_NOT_INHERITED = frozenset(
    [
        "ids",
        "crossref",
        "xref",
        "entryset",
        "entrysubtype",
        "execute",
        "label",
        "options",
        "presort",
        "related",
        "relatedoptions",
        "relatedstring",
        "relatedtype",
        "shorthand",
        "shorthandintro",
        "sortkey",
        "key",
    ]
)
_WHOLES = frozenset(
    [
        "proceedings",
        "mvproceedings",
        "book",
        "mvbook",
        "collection",
        "mvcollection",
        "reference",
        "mvreference",
    ]
)
_PARTS = frozenset(
    [
        "inproceedings",
        "conference",
        "incollection",
        "inbook",
        "bookinbook",
        "suppbook",
        "suppcollection",
        "inreference",
    ]
)
# A whole's title is a part's booktitle (biblatex's \\DeclareDataInheritance defaults).
_WHOLE_TO_PART = {
    "title": "booktitle", "subtitle": "booksubtitle", "titleaddon": "booktitleaddon",
    "shorttitle": None, "sorttitle": None, "indextitle": None, "indexsorttitle": None,
}  # fmt: skip


@dataclass(frozen=True)
class CrossrefProblem:
    """A crossref that cannot be followed: an unknown parent (a warning) or a cycle
    (an error). ``field`` is ``crossref`` or ``xref``."""

    paper: Paper
    field: str
    severity: str
    code: str
    message: str


def inherited(child: Paper, parent: Paper, have: set[str]) -> list[tuple[str, str]]:
    """The fields ``child`` takes from ``parent``: each field it lacks (names in
    ``have``, lower case), a whole's title becoming a part's ``booktitle``."""
    mapping = _WHOLE_TO_PART if parent.entry_type in _WHOLES and child.entry_type in _PARTS else {}
    out: list[tuple[str, str]] = []
    for name, value in parent.fields:
        low = name.lower()
        if low in _NOT_INHERITED:
            continue
        target = mapping.get(low, low)
        if target is None or target in have:
            continue
        have.add(target)
        out.append((target, value))
    return out


def resolve_crossrefs(
    entries: Sequence[Paper],
) -> tuple[dict[int, Paper], list[CrossrefProblem]]:
    """Each entry with a ``crossref`` as it reads with its parents' fields (by position
    in ``entries``), and the crossrefs and xrefs that cannot be followed.

    ``crossref`` chains are followed (a parent's own parent too); a cycle is refused with
    an error and nothing is inherited. ``xref`` names a parent without inheriting from
    it (as in biblatex); only an unknown key is reported.
    """
    by_key: dict[str, Paper] = {}
    for p in entries:
        by_key.setdefault(p.key.lower(), p)
    resolved: dict[int, Paper] = {}
    problems: list[CrossrefProblem] = []
    for i, paper in enumerate(entries):
        for name in ("crossref", "xref"):
            target = (paper.field(name) or "").strip()
            if target and target.lower() not in by_key:
                problems.append(CrossrefProblem(paper, name, "warning", f"unknown-{name}",
                    f"{paper.key}: {name} {target!r} names no entry on the list"))  # fmt: skip
        if not paper.field("crossref"):
            continue
        chain: list[Paper] = []
        seen = {paper.key.lower()}
        current = paper
        cycle = False
        while True:
            target = (current.field("crossref") or "").strip().lower()
            if not target or target not in by_key:
                break
            if target in seen:
                cycle = True
                break
            seen.add(target)
            current = by_key[target]
            chain.append(current)
        if cycle:
            path = " -> ".join(
                [paper.key, *(p.key for p in chain), current.field("crossref") or ""]
            )
            problems.append(CrossrefProblem(paper, "crossref", "error", "crossref-cycle",
                f"{paper.key}: crossref cycle ({path}); nothing is inherited"))  # fmt: skip
            continue
        have = {n.lower() for n, _ in paper.fields}
        extra: list[tuple[str, str]] = []
        for parent in chain:
            extra.extend(inherited(paper, parent, have))
        if extra:
            resolved[i] = paper.inheriting(tuple(extra))
    return resolved, problems


def parents(library: Library, papers: Iterable[Paper]) -> list[Paper]:
    """The crossref parents (and theirs) of ``papers`` that are not among them."""
    chosen = {p.key.lower() for p in papers}
    by_key = {p.key.lower(): p for p in library.papers.values()}
    out: list[Paper] = []
    todo = [p for p in papers]
    while todo:
        paper = todo.pop(0)
        target = (paper.field("crossref") or "").strip().lower()
        parent = by_key.get(target)
        if parent is not None and target not in chosen:
            chosen.add(target)
            out.append(parent)
            todo.append(parent)
    return out


@dataclass(frozen=True)
class Record:
    """What readinglist shows of one paper (display text, LaTeX decoded, math kept)."""

    key: str
    title: str
    authors: tuple[str, ...]
    year: int | None
    arxiv: str | None
    version: str | None
    doi: str | None
    venue: str
    abstract: str
    topics: tuple[str, ...]
    lectures: tuple[int, ...]
    cites: tuple[str, ...]
    cited_by: tuple[str, ...]
    entry_type: str = "misc"
    categories: tuple[str, ...] = ()
    comment: str = ""
    journal_ref: str = ""
    published: bool = False
    withdrawn: bool = False
    arxiv_published: str = ""
    arxiv_updated: str = ""
    url: str = ""

    @property
    def abs_url(self) -> str:
        """The arXiv abstract page, or empty."""
        return f"https://arxiv.org/abs/{self.arxiv}" if self.arxiv else ""

    @property
    def pdf_url(self) -> str:
        """The arXiv PDF, or empty."""
        return f"https://arxiv.org/pdf/{self.arxiv}" if self.arxiv else ""

    @property
    def doi_url(self) -> str:
        """The DOI resolver link, or empty."""
        return f"https://doi.org/{self.doi}" if self.doi else ""

    def as_json(self) -> dict[str, object]:
        """The CLI.md shape of ``show --json`` (plus extra keys)."""
        return {
            "key": self.key,
            "title": self.title,
            "authors": list(self.authors),
            "year": self.year,
            "arxiv": self.arxiv,
            "version": self.version,
            "doi": self.doi,
            "venue": self.venue or None,
            "abstract": self.abstract or None,
            "topics": list(self.topics),
            "lectures": list(self.lectures),
            "cites": list(self.cites),
            "cited_by": list(self.cited_by),
            "entry_type": self.entry_type,
            "categories": list(self.categories),
            "comment": self.comment or None,
            "journal_ref": self.journal_ref or None,
            "published": self.published,
            "withdrawn": self.withdrawn,
            "url": self.url or None,
        }


def effective_record(library: Library, paper: Paper) -> Record:
    """Merge the hand-written entry with fetched data (hand-written wins)."""
    fetched = library.arxiv.get(paper.key)
    publication = library.publications.get(paper.key)
    authors = tuple(p.display for p in paper.authors)
    if not authors and fetched:
        authors = fetched.authors
    year = paper.year
    if year is None and fetched and fetched.published[:4].isdigit():
        year = int(fetched.published[:4])
    arxiv = paper.arxiv.id if paper.arxiv else (fetched.id if fetched else None)
    version = None
    if fetched:
        version = f"v{fetched.version}"
    elif paper.arxiv and paper.arxiv.version:
        version = f"v{paper.arxiv.version}"
    # The DOI as written (case kept): DOIs are compared lower-cased, never shown so.
    doi = paper.doi_written or paper.doi or (fetched.doi if fetched and fetched.doi else None)
    if not doi and publication and publication.doi:
        doi = publication.doi
    venue = paper.venue
    if not venue and publication:
        venue = publication.venue
    if not venue and fetched and fetched.journal_ref:
        venue = fetched.journal_ref
    published = is_published(paper) or bool(
        (publication and (_is_venue(publication.venue) or _is_published_doi(publication.doi)))
        or (fetched and (_is_venue(fetched.journal_ref) or _is_published_doi(fetched.doi)))
    )
    return Record(
        key=paper.key,
        title=paper.title or (fetched.title if fetched else ""),
        authors=authors,
        year=year,
        arxiv=arxiv,
        version=version,
        doi=doi,
        venue=venue,
        abstract=paper.abstract or (fetched.abstract if fetched else ""),
        topics=(paper.topic,),
        lectures=tuple(lec.number for lec in library.lectures_of(paper.key)),
        cites=library.cites(paper.key),
        cited_by=library.cited_by(paper.key),
        entry_type=paper.entry_type,
        categories=fetched.categories if fetched else (),
        comment=fetched.comment if fetched else "",
        journal_ref=fetched.journal_ref if fetched else "",
        published=published,
        withdrawn=bool(fetched and fetched.withdrawn),
        arxiv_published=fetched.published if fetched else "",
        arxiv_updated=fetched.updated if fetched else "",
        url=paper.field("url") or "",
    )


# Preprint servers and "not yet published" wordings, as venues are written in BibTeX
# exports: Google Scholar's "arXiv preprint arXiv:1412.6980", DBLP's "CoRR" (volume
# "abs/1412.6980"), Semantic Scholar's "ArXiv", "bioRxiv", "SSRN Electronic Journal".
_PREPRINT_VENUE = re.compile(
    r"arxiv|\bcorr\b|biorxiv|medrxiv|chemrxiv|psyarxiv|socarxiv|eartharxiv|engrxiv|techrxiv"
    r"|\bssrn\b|research\s*square|preprints\.org|authorea|\bpreprints?\b|\be-?prints?\b"
    r"|under\s+review|submitted|in\s+submission|^\s*openreview(?:\.net)?\s*$",
    re.IGNORECASE,
)
# DOIs that name a preprint: arXiv's DataCite DOIs, bioRxiv/medRxiv (10.1101 followed by
# a date or a number only; 10.1101 journals have letters), SSRN, Research Square,
# Preprints.org, ChemRxiv, OSF preprints (PsyArXiv, SocArXiv), Authorea, TechRxiv.
_PREPRINT_DOI = re.compile(
    r"^10\.(?:48550/|1101/[\d.]+$|2139/ssrn|21203/rs\.|20944/preprints|26434/chemrxiv"
    r"|3123[1459]/osf\.io|22541/au\.|36227/techrxiv)",
    re.IGNORECASE,
)
_VENUE_FIELDS = ("journal", "journaltitle", "booktitle")


def _is_venue(text: str | None) -> bool:
    """Whether ``text`` names a place of publication, not a preprint server."""
    text = " ".join((text or "").replace("{", "").replace("}", "").split())
    return bool(text) and not _PREPRINT_VENUE.search(text)


def _is_published_doi(doi: str | None) -> bool:
    return bool(doi) and not _PREPRINT_DOI.match(doi.strip())  # type: ignore[union-attr]


def is_published(paper: Paper) -> bool:
    """Whether the hand-written entry names a venue that is not a preprint server: a
    journal or proceedings (or a book's publisher), not arXiv, CoRR, bioRxiv, SSRN, ..."""
    if any(_is_venue(paper.field(name)) for name in _VENUE_FIELDS):
        return True
    return paper.entry_type == "book" and _is_venue(paper.field("publisher"))
