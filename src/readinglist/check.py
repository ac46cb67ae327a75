"""Validation of a whole course: a pure function of the Library. No I/O.

Errors (``check`` exits 1): entries that cannot be read, duplicate keys, the same paper
under two keys (:mod:`readinglist.identity`), malformed arXiv ids and DOIs, crossref
cycles, readings naming unknown keys. Warnings (exit 0 unless ``--strict``): everything
else worth a look, possible duplicates among them. Every finding names a file and a line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass

from readinglist.bibtex import Problem
from readinglist.identity import Index
from readinglist.latex import normalize_title
from readinglist.model import Library, Location, Paper

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Finding:
    """One problem found by ``check``."""

    file: str
    line: int
    severity: str
    code: str
    message: str

    def as_json(self) -> dict[str, object]:
        """The CLI.md shape: file, line, code, message."""
        data = asdict(self)
        del data["severity"]
        return data

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message} [{self.code}]"


@dataclass(frozen=True)
class Report:
    """The findings of one check, sorted by file and line."""

    papers: int
    topics: int
    lectures: int
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings that make ``check`` fail."""
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings that fail ``check`` only with ``--strict``."""
        return tuple(f for f in self.findings if f.severity == WARNING)

    def as_json(self) -> dict[str, object]:
        """The CLI.md shape of ``check --json``."""
        return {
            "papers": self.papers,
            "topics": self.topics,
            "lectures": self.lectures,
            "errors": [f.as_json() for f in self.errors],
            "warnings": [f.as_json() for f in self.warnings],
        }


def _at(loc: Location | None, fallback: str) -> tuple[str, int]:
    return (loc.file, loc.line) if loc else (fallback, 1)


def check_library(
    library: Library,
    problems: Iterable[tuple[str, Problem]] = (),
    extra_files: Iterable[str] = (),
) -> Report:
    """Validate the library; ``problems`` are what reading the files already found."""
    out: list[Finding] = []

    def add(loc: tuple[str, int], severity: str, code: str, message: str) -> None:
        out.append(Finding(loc[0], loc[1], severity, code, message))

    for file, p in problems:
        add((file, p.line), p.severity, p.code, p.message)
    for file in extra_files:
        add((file, 1), WARNING, "file-not-a-topic",
            f"{file} is not a topic of {library.course_file}; add a topic with slug "
            f"{file.removeprefix('bib/').removesuffix('.bib')!r}")  # fmt: skip

    _check_keys(library, add)
    _check_same_paper(library, add)
    _check_entries(library, add)
    _check_course(library, add)
    _check_fetched(library, add)
    return Report(
        papers=len(library.papers),
        topics=len(library.topics),
        lectures=len(library.lectures),
        findings=tuple(sorted(set(out))),
    )


def _where(p: Paper) -> tuple[str, int]:
    return (p.location.file, p.location.line)


def _check_keys(library: Library, add) -> None:  # type: ignore[no-untyped-def]
    first: dict[str, Paper] = {}
    folded: dict[str, Paper] = {}
    for p in library.entries:
        if p.key in first:
            other = first[p.key]
            add(_where(p), "error", "duplicate-key",
                f"duplicate key {p.key!r} (first defined at {other.location})")  # fmt: skip
            continue
        first[p.key] = p
        low = p.key.lower()
        if low in folded:
            other = folded[low]
            add(_where(p), "error", "duplicate-key",
                f"keys {p.key!r} and {other.key!r} ({other.location}) differ only in case; "
                "BibTeX treats them as one key")  # fmt: skip
        else:
            folded[low] = p


def _check_same_paper(library: Library, add) -> None:  # type: ignore[no-untyped-def]
    """The same paper under two keys is an error; a possible duplicate (same title and
    first author, but a different or missing year, volume, pages or type) a warning.
    Each entry is reported once, against the first entry it matches."""
    index: Index[Paper] = Index()
    for p in library.papers.values():
        found = index.best(p.identity)
        index.add(p, p.identity)
        if found is None:
            continue
        other, match = found
        if match.same:
            add(_where(p), "error", "same-paper",
                f"{p.key!r} and {other.key!r} ({other.location}) are the same paper "
                f"({match.reason})")  # fmt: skip
        else:
            add(_where(p), "warning", "possible-duplicate",
                f"{p.key!r} and {other.key!r} ({other.location}) may be the same paper "
                f"({match.reason})")  # fmt: skip


def _check_entries(library: Library, add) -> None:  # type: ignore[no-untyped-def]
    for p in library.entries:
        for name, message in p.id_problems:
            add((p.location.file, p.field_line(name)), "error",
                "malformed-doi" if name == "doi" else "malformed-arxiv-id",
                f"{p.key}: {message}")  # fmt: skip
        missing = [
            name
            for name, present in (
                ("title", bool((p.field("title") or "").strip())),
                ("author", bool((p.field("author") or p.field("editor") or "").strip())),
                ("year", p.year is not None),
            )
            if not present
        ]
        if missing:
            add(_where(p), "warning", "missing-field", f"{p.key}: no {', '.join(missing)}")


def _check_course(library: Library, add) -> None:  # type: ignore[no-untyped-def]
    course = library.course_file
    for topic in library.topics:
        missing = [
            what
            for what, absent in (
                ("title", not topic.title or topic.title == topic.slug),
                ("description", not topic.description),
            )
            if absent
        ]
        if missing:
            add(_at(topic.location, course), "warning", "topic-undescribed",
                f"topic {topic.slug!r} has no {' and no '.join(missing)}; the site shows "
                "them on its page (add them under the topic in the course file)")  # fmt: skip
        if not library.papers_in_topic(topic.slug):
            add(_at(topic.location, course), "warning", "empty-topic",
                f"topic {topic.slug!r} has no papers "
                f"({topic.bib_file} is missing or empty)")  # fmt: skip
    for lecture in library.lectures:
        if not lecture.readings:
            add(_at(lecture.location, course), "warning", "empty-lecture",
                f"lecture {lecture.number} has no readings")  # fmt: skip
        seen: set[str] = set()
        for reading in lecture.readings:
            where = _at(reading.location, course)
            if reading.key not in library.papers:
                hint = _close_key(reading.key, library)
                add(where, "error", "unknown-key",
                    f"lecture {lecture.number} reads {reading.key!r}, which is not on the "
                    f"list{hint}")  # fmt: skip
            if reading.key in seen:
                add(where, "warning", "duplicate-reading",
                    f"lecture {lecture.number} lists {reading.key!r} twice")  # fmt: skip
            seen.add(reading.key)


def _close_key(key: str, library: Library) -> str:
    import difflib  # only for a reading that names an unknown key

    match = difflib.get_close_matches(key, list(library.papers), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _check_fetched(library: Library, add) -> None:  # type: ignore[no-untyped-def]
    for key, record in sorted(library.arxiv.items()):
        paper = library.papers.get(key)
        if paper is None:
            continue
        hand_title = paper.field("title")
        if hand_title and normalize_title(hand_title) != normalize_title(record.title):
            add((paper.location.file, paper.field_line("title")), "warning", "title-differs",
                f"{key}: title differs from arXiv {record.arxiv_id}: {record.title!r}")  # fmt: skip
        hand = {normalize_title(p.last) for p in paper.authors if not p.is_others}
        fetched = {normalize_title(a.split()[-1]) for a in record.authors if a.split()}
        if hand and fetched and not hand & fetched:
            add((paper.location.file, paper.field_line("author")), "warning", "authors-differ",
                f"{key}: no author surname in common with arXiv {record.arxiv_id}")  # fmt: skip
