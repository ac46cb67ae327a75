"""The data of the course site: what the pages show, computed once from a Library.
No I/O, no markup.

The site is built in two steps: this data step (:class:`SiteData`: a view of each paper,
indexes by lecture, topic and change, the citation graph's analysis, the site's paths)
and the render step (:mod:`readinglist.site.render` and the page families
:mod:`~readinglist.site.course_pages`, :mod:`~readinglist.site.paper_pages`,
:mod:`~readinglist.site.overview_pages`), whose templates hold all the markup.
"""

from __future__ import annotations

import datetime as dt
import posixpath
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from markupsafe import Markup

from readinglist import graph
from readinglist.export import to_bibtex
from readinglist.ids import parse_arxiv_id
from readinglist.model import Candidate, Change, Lecture, Library
from readinglist.records import Record, effective_record
from readinglist.site import calendar, graphdata
from readinglist.site.markup import (
    Layout,
    arxiv_url,
    assign_slugs,
    doi_url,
    safe_url,
    text_html,
)

HOME = "index.md"
SCHEDULE = "lectures/index.md"
TOPICS = "topics/index.md"
PAPER_FOLDER = "papers"
"""The folder of the paper pages (and of their index)."""
PAPERS = f"{PAPER_FOLDER}/index.md"
AUTHORS = "authors.md"
GRAPH = "graph.md"
MISSING = "missing.md"
NEW = "new.md"
DOWNLOADS = "downloads.md"
FEED = "feed.xml"
ASSETS = "assets/readinglist"
GRAPH_DATA = f"{ASSETS}/graph-data.js"

#: Markers a hand-written ``docs/index.md`` may hold; the generated parts replace them.
HOME_MARKERS = {
    "course": "<!-- readinglist:course -->",
    "schedule": "<!-- readinglist:schedule -->",
}

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

KIND_LABELS = {
    "new-version": "New version",
    "published": "Published",
    "withdrawn": "Withdrawn",
    "candidate": "New candidate",
    "added": "Added to the list",
}


def format_date(date: dt.date | None) -> str:
    """``Wed 17 Feb 2021``, the same on every machine (no locale)."""
    if date is None:
        return ""
    return f"{_DAYS[date.weekday()]} {date.day} {_MONTHS[date.month - 1]} {date.year}"


def lecture_src(number: int) -> str:
    """The source path of a lecture's page."""
    return f"lectures/{int(number)}.md"


def lecture_bib(number: int) -> str:
    """The site path of a lecture's BibTeX download."""
    return f"downloads/lecture-{int(number)}.bib"


@dataclass(frozen=True)
class PaperView:
    """What the pages show of one paper: display text already escaped as Markup."""

    key: str
    slug: str
    record: Record
    topic: str
    library: Library | None = field(default=None, compare=False, repr=False)

    @cached_property
    def bibtex(self) -> str:
        """The entry as ``export`` writes it (with the ``@string`` definitions and
        crossref parents it needs); made when a page asks, not for every view."""
        if self.library is None:
            return ""
        return to_bibtex(self.library, [self.library.papers[self.key]])

    @property
    def src(self) -> str:
        """The source path of the paper's page."""
        return f"{PAPER_FOLDER}/{self.slug}.md"

    @cached_property
    def title_html(self) -> Markup:
        """The title with math rendered (the key when the entry has no title)."""
        return text_html(self.record.title or self.key)

    @property
    def title_plain(self) -> str:
        """The title as text, math as its LaTeX source."""
        return self.record.title or self.key

    @cached_property
    def authors_text(self) -> str:
        """``A, B and C`` (plain text; templates escape it)."""
        names = list(self.record.authors)
        if not names:
            return "Unknown authors"
        if len(names) == 1:
            return names[0]
        if names[-1] == "et al.":
            return ", ".join(names[:-1]) + " et al."
        return ", ".join(names[:-1]) + " and " + names[-1]

    @property
    def first_author(self) -> str:
        """``Jacot et al.``: the short form for tables."""
        names = [n for n in self.record.authors if n != "et al."]
        if not names:
            return ""
        family = names[0].split()[-1] if names[0].split() else names[0]
        return family + (" et al." if len(self.record.authors) > 1 else "")

    @property
    def year(self) -> int | None:
        """The year, when known."""
        return self.record.year

    @property
    def venue(self) -> str:
        """The venue as text."""
        return self.record.venue

    @cached_property
    def venue_html(self) -> Markup:
        """The venue, escaped."""
        return text_html(self.record.venue)

    @cached_property
    def abstract_html(self) -> Markup:
        """The abstract with math rendered, or empty Markup."""
        return text_html(self.record.abstract) if self.record.abstract else Markup("")

    @property
    def published(self) -> bool:
        """True when the paper appeared in a journal or proceedings."""
        return self.record.published

    @property
    def withdrawn(self) -> bool:
        """True when arXiv says the paper was withdrawn."""
        return self.record.withdrawn

    @cached_property
    def links(self) -> tuple[tuple[str, str], ...]:
        """Outside links to read the paper: arXiv, PDF, DOI, the entry's URL."""
        out = []
        if self.record.arxiv:
            out.append(("arXiv", arxiv_url(self.record.arxiv)))
            out.append(("PDF", arxiv_url(self.record.arxiv, pdf=True)))
        if self.record.doi:
            out.append(("DOI", doi_url(self.record.doi)))
        url = safe_url(self.record.url) if self.record.url else None
        if url and all(url != u for _, u in out):
            out.append(("Link", url))
        return tuple(out)


@dataclass(frozen=True)
class AuthorEntry:
    """One person of the authors index and the papers they wrote on the list."""

    name: str
    anchor: str
    papers: tuple[PaperView, ...]
    sort_key: str = ""


class SiteData:
    """Everything the pages of one site show, made once: views of the papers, indexes
    (a scan per paper would make the site quadratic), the graph analysis, paths."""

    def __init__(self, library: Library, layout: Layout, *, site_url: str = "") -> None:
        self.library = library
        self.layout = layout
        self.site_url = site_url
        self.slugs = assign_slugs(library.papers)
        self.topic_slugs = assign_slugs(t.slug for t in library.topics)
        self.papers: dict[str, PaperView] = {}
        for key, paper in library.papers.items():
            self.papers[key] = PaperView(
                key=key,
                slug=self.slugs[key],
                record=effective_record(library, paper),
                topic=paper.topic,
                library=library,
            )
        self.topics = {t.slug: t for t in library.topics}
        # Indexes the pages look things up in (a scan per paper would be quadratic).
        self.lectures_by_key: dict[str, list[Lecture]] = {}
        for lec in library.lectures:
            for key in lec.keys:
                self.lectures_by_key.setdefault(key, []).append(lec)
        self.changes_by_key: dict[str, list[Change]] = {}
        for change in library.changes:
            self.changes_by_key.setdefault(change.key, []).append(change)
        self.topic_papers: dict[str, list[PaperView]] = {}
        for view in self.papers.values():
            self.topic_papers.setdefault(view.topic, []).append(view)
        self._lecture_titles: dict[int, Markup] = {}
        # The lecture calendar exists when a lecture has a date (site/calendar.py).
        dated = any(lec.date for lec in library.lectures)
        self.calendar_file = calendar.CALENDAR if dated else ""
        self.abstracts = sum(1 for v in self.papers.values() if v.record.abstract)

    @cached_property
    def analysis(self) -> graph.Analysis:
        """The citation graph's analysis: made when a page asks (the MkDocs plugin
        renders pages in child processes, so the build itself never waits for it)."""
        return graph.analyze(self.library, min_cites=2)

    def topic_src(self, slug: str) -> str | None:
        """The page of a topic of the course file, or None for a stray ``.bib`` file."""
        return f"topics/{self.topic_slugs[slug]}.md" if slug in self.topic_slugs else None

    def topic_bib(self, slug: str) -> str:
        """The site path of a topic's BibTeX download."""
        return f"downloads/topic-{self.topic_slugs[slug]}.bib"

    def topic_title(self, slug: str) -> str:
        """A topic's title (its slug when the course file does not name it)."""
        topic = self.topics.get(slug)
        return topic.title if topic else slug

    def views(self, keys: Iterable[str]) -> list[PaperView]:
        """The views of the keys that name listed papers (unknown keys are skipped)."""
        return [self.papers[k] for k in keys if k in self.papers]

    def cited_within(self, key: str) -> int:
        """How many listed papers cite this one."""
        stats = self.analysis.papers.get(key)
        return int(stats.cited_within) if stats else 0

    def lecture_rows(self) -> list[dict[str, Any]]:
        """One row per lecture for the schedule tables."""
        rows = []
        for lec in self.library.lectures:
            rows.append(
                {
                    "lecture": lec,
                    "src": lecture_src(lec.number),
                    "date": format_date(lec.date),
                    "iso_date": lec.date.isoformat() if lec.date else "",
                    "title_html": text_html(lec.title),
                    "topics": [(self.topic_title(s), self.topic_src(s)) for s in lec.topics],
                    "required": len([k for k in lec.required if k in self.papers]),
                    "optional": len(
                        [k for k in lec.optional if k in self.papers and k not in lec.required]
                    ),
                }
            )
        return rows

    def course_link(self, url: str, page: str) -> str | None:
        """A link the course file gives (slides, notes): an outside http(s) URL, or a path
        inside the site relative to ``docs/`` (``notes/lecture-7.md``), made relative to
        ``page``. Anything else (``javascript:``, a path leaving the site) is dropped."""
        outside = safe_url(url)
        if outside:
            return outside
        path, _, anchor = url.strip().partition("#")
        if not path or ":" in path or "\\" in path or any(c.isspace() or ord(c) < 32 for c in path):
            return None
        target = posixpath.normpath(path.lstrip("/"))
        if target.startswith("..") or target == ".":
            return None
        return self.layout.href(page, target, anchor)

    def course_links(self) -> list[tuple[str, str]]:
        """The course's own links that are safe to show."""
        out = []
        course = self.library.course
        if course.url and safe_url(course.url):
            out.append(("Course page", course.url))
        for item in course.links:
            url = safe_url(item.url)
            if url and all(url != u for _, u in out):
                out.append((item.label, url))
        return out

    @cached_property
    def notes(self) -> dict[str, str]:
        """Short notes shown next to a reading (cited by how many listed papers)."""
        notes = {}
        for key in self.papers:
            n = self.cited_within(key)
            if n:
                notes[key] = f"cited by {n} on the list"
        return notes

    def candidate_view(self, c: Candidate) -> dict[str, Any]:
        """A tracked candidate for display (its arXiv link only when the id is valid)."""
        parsed = parse_arxiv_id(c.arxiv)
        authors = list(c.authors)
        return {
            "title_html": text_html(c.title or c.arxiv),
            "arxiv": parsed.versioned if parsed else c.arxiv,
            "url": arxiv_url(parsed.versioned) if parsed else "",
            "authors": ", ".join(authors[:3]) + (" et al." if len(authors) > 3 else ""),
            "published": c.published[:10],
            "score": f"{c.score:.2f}",
            "topic": self.topic_title(c.topic),
            "topic_src": self.topic_src(c.topic),
            "abstract_html": text_html(c.abstract) if c.abstract else Markup(""),
        }

    def lecture_title_html(self, lec: Lecture) -> Markup:
        """A lecture's title as HTML, made once per lecture."""
        if lec.number not in self._lecture_titles:
            self._lecture_titles[lec.number] = text_html(lec.title)
        return self._lecture_titles[lec.number]

    @cached_property
    def author_index(self) -> AuthorIndex:
        """Everyone on the list and their papers (the authors page, paper bylines)."""
        return AuthorIndex(self.library, self.papers)

    def change_view(self, c: Change) -> dict[str, Any]:
        """One change for the what's-new page and the feed."""
        view = self.papers.get(c.key)
        title = c.key
        if view is None:
            # A candidate's change names its arXiv id: show the candidate's title.
            found = next((x for x in self.library.candidates if x.arxiv == c.key), None)
            title = found.title if found and found.title else c.key
        return {
            "change": c,
            "label": KIND_LABELS.get(c.kind, c.kind),
            "paper": view,
            "subject": view.title_plain if view else title,
            "title_html": view.title_html if view else text_html(title),
            "detail": c.detail,
            "url": safe_url(c.url) if c.url else None,
        }

    @cached_property
    def graph_data(self) -> dict[str, Any]:
        """The vis-network data of the graph page (``graph-data.js``)."""
        return graphdata.vis_data(
            self.library, self.analysis, {k: v.src for k, v in self.papers.items()},
            self.layout, GRAPH, topic_title=self.topic_title,
            records={k: v.record for k, v in self.papers.items()},
        )  # fmt: skip


class AuthorIndex:
    """The people of the list: each paper's authors, one entry per person, anchors."""

    def __init__(self, library: Library, papers: Mapping[str, PaperView]) -> None:
        self.library = library
        self.papers = papers

    @cached_property
    def paper_authors(self) -> dict[str, list[tuple[str, str]]]:
        """Each paper's authors as ``(display name, author id)``, in order.

        The id is graph.author_names' normalized name (``family, given``), so spellings
        of one person ("J. Smith", "John Smith") share one entry of the index; authors
        known only from arXiv data are told apart by their folded name.
        """
        names = graph.author_names(self.library.papers.values())
        out: dict[str, list[tuple[str, str]]] = {}
        for key, view in self.papers.items():
            paper = self.library.papers[key]
            people: list[tuple[str, str]] = []
            if paper.authors:
                for pos, display in enumerate(view.record.authors):
                    if (key, pos) in names:
                        people.append((display, names[(key, pos)][0]))
                    elif display != "et al.":
                        people.append((display, display.casefold()))
            else:
                people = [(d, d.casefold()) for d in view.record.authors if d != "et al."]
            out[key] = people
        return out

    @cached_property
    def entries(self) -> list[AuthorEntry]:
        """Everyone on the list, by family name, with their papers."""
        displays: dict[str, dict[str, int]] = {}
        papers: dict[str, list[PaperView]] = {}
        for key, people in self.paper_authors.items():
            for display, ident in people:
                counts = displays.setdefault(ident, {})
                counts[display] = counts.get(display, 0) + 1
                if self.papers[key] not in papers.setdefault(ident, []):
                    papers[ident].append(self.papers[key])
        entries = [
            AuthorEntry(
                name=min(counts, key=lambda d: (-counts[d], -len(d), d)),
                anchor=self.anchor(ident),
                papers=tuple(sorted(papers[ident], key=lambda v: (v.year or 0, v.key))),
                sort_key=ident if "," in ident else _family_sort(ident),
            )
            for ident, counts in displays.items()
        ]
        return sorted(entries, key=lambda e: (e.sort_key, e.name))

    @cached_property
    def _author_slugs(self) -> dict[str, str]:
        return assign_slugs(ident for people in self.paper_authors.values() for _, ident in people)

    def anchor(self, ident: str) -> str:
        """The anchor of an author on the authors page."""
        return f"author-{self._author_slugs[ident]}"


def _family_sort(name: str) -> str:
    import unicodedata

    parts = name.split()
    family = parts[-1] if parts else name
    folded = unicodedata.normalize("NFKD", family)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()
