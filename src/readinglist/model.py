"""The data model: Paper, Topic, Lecture, Course, Library and the fetched records.

Frozen, typed dataclasses; no I/O. A Paper keeps every field exactly as a person wrote
it in the ``.bib`` file (``fields``), so nothing is lost; display text (LaTeX decoded to
Unicode, math kept) is computed on demand, never stored in place of the original.
The citation key is a paper's identity.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from sys import intern
from types import MappingProxyType

from readinglist.identity import Identity
from readinglist.ids import ArxivId
from readinglist.latex import latex_to_text, normalize_title
from readinglist.names import Person, first_person, parse_names

_EMPTY: Mapping[str, str] = MappingProxyType({})


@dataclass(frozen=True)
class Location:
    """Where something was written: a file (relative to the course folder) and a line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Paper:
    """One hand-written BibTeX entry.

    ``fields`` holds ``(name, value)`` pairs in the order and spelling the person used,
    each value the text between the delimiters (``@string`` macros and ``#``
    concatenation resolved); author and editor lists are there too, as written.
    """

    key: str
    entry_type: str
    fields: tuple[tuple[str, str], ...]
    topic: str
    location: Location
    arxiv: ArxivId | None = None
    doi: str | None = None
    field_lines: tuple[int, ...] = ()
    # ``(field, message)`` for values meant as an arXiv id or DOI but malformed.
    id_problems: tuple[tuple[str, str], ...] = ()
    # The entry's source text from its ``@`` to its closing delimiter, as written.
    source: str = ""
    # ``(name, source text)`` of the ``@string`` definitions the entry needs, in order.
    strings: tuple[tuple[str, str], ...] = ()
    # The DOI as written (resolver prefix removed, case kept); ``doi`` is for comparing.
    doi_written: str | None = None

    @cached_property
    def _by_name(self) -> Mapping[str, str]:
        return {intern(name.lower()): value for name, value in self.fields}

    def field(self, name: str) -> str | None:
        """The raw value of a field (case-insensitive name), or None."""
        return self._by_name.get(name.lower())

    def field_line(self, name: str) -> int:
        """The line a field starts on (the entry's line if unknown)."""
        for (fname, _), line in zip(self.fields, self.field_lines, strict=False):
            if fname.lower() == name.lower():
                return line
        return self.location.line

    @cached_property
    def authors(self) -> tuple[Person, ...]:
        """The author list, split into names (editors when there is no author)."""
        raw = self.field("author") or self.field("editor") or ""
        return parse_names(raw)

    @property
    def title(self) -> str:
        """The title for display (LaTeX decoded, ``$math$`` kept)."""
        return latex_to_text(self.field("title") or "")

    @property
    def year(self) -> int | None:
        """The year as a number, when the ``year`` field (or ``date``) starts with one."""
        raw = (self.field("year") or self.field("date") or "").strip()
        digits = raw[:4]
        return int(digits) if len(digits) == 4 and digits.isdigit() else None

    @property
    def venue(self) -> str:
        """Journal, booktitle or publisher, for display."""
        for name in ("journal", "booktitle", "journaltitle", "howpublished", "publisher"):
            value = self.field(name)
            if value:
                return latex_to_text(value)
        return ""

    @property
    def abstract(self) -> str:
        """The hand-written abstract for display, if any."""
        return latex_to_text(self.field("abstract") or "")

    @cached_property
    def title_key(self) -> str:
        """The normalized title, used to find the same paper under two keys."""
        return normalize_title(self.field("title") or "")

    @cached_property
    def identity(self) -> Identity:
        """What tells this paper apart (see :mod:`readinglist.identity`)."""
        first = self._first_author
        return self._identity(self.field("title") or "", first.last if first else "")

    def inheriting(self, extra: tuple[tuple[str, str], ...]) -> Paper:
        """This entry with fields taken through ``crossref`` after its own (the names
        lower case, none of them already in the entry).

        When the identity is already known and neither title nor authors are inherited,
        the new one keeps its normalized title and first author (normalizing is what
        costs) and recomputes the rest (year, volume, pages...).
        """
        paper = dataclasses.replace(self, fields=self.fields + extra)
        known: Identity | None = self.__dict__.get("identity")
        names = {name for name, _ in extra}
        # The first author comes from the editors only when there is no author.
        same_names = "author" not in names and ("editor" not in names or self.field("author"))
        if known is not None and "title" not in names and same_names:
            fresh = paper._identity("", "")
            paper.__dict__["identity"] = dataclasses.replace(
                fresh, title=known.title, first_author=known.first_author
            )
        return paper

    def _identity(self, title: str, first_author: str) -> Identity:
        return Identity.of(
            arxiv=self.arxiv.id if self.arxiv else None,
            doi=self.doi,
            title=title,
            first_author=first_author,
            year=self.year,
            volume=self.field("volume"),
            number=self.field("number") or self.field("issue"),
            pages=self.field("pages"),
            entry_type=self.entry_type,
        )

    @property
    def _first_author(self) -> Person | None:
        # Only the first name is split: identities are computed for every entry at load,
        # and the whole list (``authors``) only when something shows or compares it.
        return first_person(self.field("author") or self.field("editor") or "")

    @property
    def first_author_key(self) -> str:
        """The normalized family name of the first author (empty when unknown)."""
        first = self._first_author
        return normalize_title(first.last) if first else ""


@dataclass(frozen=True)
class Link:
    """A labelled link from the course file (slides, notes, recording, course page)."""

    label: str
    url: str


@dataclass(frozen=True)
class Course:
    """The facts of the course as the course file states them."""

    title: str
    number: str = ""
    term: str = ""
    institution: str = ""
    instructors: tuple[str, ...] = ()
    meets: str = ""
    url: str = ""
    description: str = ""
    schedule_note: str = ""
    links: tuple[Link, ...] = ()
    contact: str = ""  # an e-mail the services may write to (User-Agent); not shown
    time: str = ""
    """Meeting time ``HH:MM-HH:MM`` (for the lecture calendar), or empty."""
    timezone: str = ""
    """IANA time zone of ``time`` (``America/New_York``), or empty."""


@dataclass(frozen=True)
class Topic:
    """A topic: one ``bib/<slug>.bib`` file and what the course file says of it."""

    slug: str
    title: str
    description: str = ""
    arxiv_query: str = ""
    location: Location | None = None

    @property
    def bib_file(self) -> str:
        """The topic's BibTeX file, relative to the course folder."""
        return f"bib/{self.slug}.bib"


@dataclass(frozen=True)
class Reading:
    """One reading of a lecture: a paper key, required or optional."""

    key: str
    required: bool
    location: Location | None = None


@dataclass(frozen=True)
class Lecture:
    """One lecture of the schedule."""

    number: int
    date: dt.date | None
    title: str
    topics: tuple[str, ...] = ()
    readings: tuple[Reading, ...] = ()
    description: str = ""
    links: tuple[Link, ...] = ()
    location: Location | None = None
    time: str = ""
    """This lecture's ``HH:MM-HH:MM`` when it differs from the course's ``time``."""

    @property
    def required(self) -> tuple[str, ...]:
        """Keys of the required readings, in the course file's order."""
        return tuple(r.key for r in self.readings if r.required)

    @property
    def optional(self) -> tuple[str, ...]:
        """Keys of the optional readings, in the course file's order."""
        return tuple(r.key for r in self.readings if not r.required)

    @property
    def keys(self) -> tuple[str, ...]:
        """Every reading's key, required first, each once."""
        return tuple(dict.fromkeys(self.required + self.optional))


@dataclass(frozen=True)
class ArxivRecord:
    """What arXiv says of one paper (the latest version), as stored by ``sync``."""

    id: str
    version: int
    title: str
    authors: tuple[str, ...]
    abstract: str = ""
    affiliations: tuple[tuple[str, ...], ...] = ()
    primary_category: str = ""
    categories: tuple[str, ...] = ()
    comment: str = ""
    journal_ref: str = ""
    doi: str = ""
    published: str = ""
    updated: str = ""
    matched_by: str = ""  # "title" when sync found the paper by its title, not its id

    @property
    def arxiv_id(self) -> ArxivId:
        """The versioned id of this record."""
        return ArxivId(self.id, self.version)

    @property
    def withdrawn(self) -> bool:
        """True when the comment says the paper was withdrawn."""
        return "withdrawn" in self.comment.lower()


@dataclass(frozen=True)
class Publication:
    """Where a preprint was published, as a bibliographic service reports it."""

    venue: str
    year: int | None = None
    doi: str = ""
    dblp: str = ""
    source: str = ""
    kind: str = ""  # "journal" or "conference" when known


@dataclass(frozen=True)
class ExternalPaper:
    """A paper outside the list that listed papers cite (from citation data)."""

    id: str
    title: str
    year: int | None = None
    ids: Mapping[str, str] = field(default_factory=lambda: _EMPTY)


@dataclass(frozen=True)
class Citation:
    """``citing`` cites ``cited``; both are paper keys, or ``cited`` an ExternalPaper id.

    ``evidence`` says how this is known (``explicit``, ``source-keys``, ``weak`` for
    curated relations, ``semanticscholar`` for fetched ones) and ``source`` where.
    """

    citing: str
    cited: str
    evidence: str
    note: str = ""
    source: str = ""


@dataclass(frozen=True)
class Candidate:
    """A new arXiv paper found by tracking a topic's query."""

    arxiv: str
    title: str
    topic: str
    score: float
    published: str
    authors: tuple[str, ...] = ()
    abstract: str = ""
    cites: tuple[str, ...] = ()  # listed papers it cites, when citation data is known


@dataclass(frozen=True)
class Change:
    """One thing a sync found new: ``kind`` is ``new-version``, ``published``,
    ``withdrawn``, ``candidate`` or ``added``; ``date`` is the day of the sync."""

    date: str
    kind: str
    key: str
    detail: str = ""
    url: str = ""


@dataclass(frozen=True)
class Library:
    """Everything readinglist knows of one course folder.

    ``papers`` maps each key to its first entry, in topic order then file order;
    ``entries`` holds every entry read, duplicates included, for ``check``.
    Fetched data is keyed by paper key.
    """

    course: Course
    topics: tuple[Topic, ...]
    lectures: tuple[Lecture, ...]
    papers: Mapping[str, Paper]
    entries: tuple[Paper, ...] = ()
    arxiv: Mapping[str, ArxivRecord] = field(default_factory=dict)
    publications: Mapping[str, Publication] = field(default_factory=dict)
    citations: tuple[Citation, ...] = ()
    external: Mapping[str, ExternalPaper] = field(default_factory=dict)
    candidates: tuple[Candidate, ...] = ()
    changes: tuple[Change, ...] = ()
    course_file: str = "bib/course.yml"

    def topic(self, slug: str) -> Topic | None:
        """The topic with this slug, or None."""
        return next((t for t in self.topics if t.slug == slug), None)

    def lecture(self, number: int) -> Lecture | None:
        """The lecture with this number, or None."""
        return next((lec for lec in self.lectures if lec.number == number), None)

    def papers_in_topic(self, slug: str) -> tuple[Paper, ...]:
        """The topic's papers, in file order."""
        return tuple(p for p in self.papers.values() if p.topic == slug)

    def lectures_of(self, key: str) -> tuple[Lecture, ...]:
        """The lectures that read this paper, in course order."""
        return self._lectures_by_key.get(key, ())

    @cached_property
    def _lectures_by_key(self) -> Mapping[str, tuple[Lecture, ...]]:
        # One pass over the lectures: asking each lecture of each paper was quadratic
        # (a fifth of a 1,000-paper site's time before its pages were forked out).
        out: dict[str, list[Lecture]] = {}
        for lec in self.lectures:
            for key in lec.keys:
                out.setdefault(key, []).append(lec)
        return {key: tuple(lectures) for key, lectures in out.items()}

    @cached_property
    def _cites(self) -> Mapping[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for c in self.citations:
            out.setdefault(c.citing, []).append(c.cited)
        return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}

    @cached_property
    def _cited_by(self) -> Mapping[str, tuple[str, ...]]:
        out: dict[str, list[str]] = {}
        for c in self.citations:
            out.setdefault(c.cited, []).append(c.citing)
        return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}

    def cites(self, key: str) -> tuple[str, ...]:
        """Listed papers that this paper cites, per citation data."""
        return tuple(k for k in self._cites.get(key, ()) if k in self.papers)

    def cited_by(self, key: str) -> tuple[str, ...]:
        """Listed papers that cite this paper, per citation data."""
        return tuple(k for k in self._cited_by.get(key, ()) if k in self.papers)
