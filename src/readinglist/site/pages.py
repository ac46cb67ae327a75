"""The pages of the course site, built in memory from a Library. No I/O.

The site is a pipeline: library -> graph analysis -> pages (HTML, and download files as
bytes) -> MkDocs writes them. :func:`build_site` is the whole middle of it; the MkDocs
plugin only hands its result to MkDocs.

Generated pages are HTML, not Markdown: each is an :class:`HtmlPage` holding its body,
its table of contents and its title; the plugin gives MkDocs an empty Markdown source
and the body in place of the converted one. Python-Markdown's HTML parser and MkDocs'
anchor scan of raw HTML were most of the build of a large list, for pages that were
HTML already. Only the home page's parts are Markdown, since a hand-written
``docs/index.md`` holds them.

Everything that came from a file or a service is escaped here: the Jinja templates
autoescape, display text goes through :func:`~readinglist.site.markup.text_html`
(escaped, ``$...$`` as MathML), and page titles, which MkDocs puts into ``<title>``
and the navigation without escaping, are escaped once (:func:`title_text`).
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
import posixpath
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from readinglist import graph
from readinglist.export import select, to_bibtex, to_csl_json
from readinglist.ids import parse_arxiv_id
from readinglist.model import Candidate, Change, Lecture, Library, Topic
from readinglist.records import Record, effective_record
from readinglist.site import calendar, feed, graphdata
from readinglist.site.markup import (
    Headings,
    HeadingStyle,
    Layout,
    arxiv_url,
    assign_slugs,
    doi_url,
    esc,
    safe_url,
    text_html,
    title_text,
)

log = logging.getLogger(__name__)

HOME = "index.md"
SCHEDULE = "lectures/index.md"
TOPICS = "topics/index.md"
PAPERS = "papers/index.md"
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

_KIND_LABELS = {
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
    bibtex: str

    @property
    def src(self) -> str:
        """The source path of the paper's page."""
        return f"papers/{self.slug}.md"

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


#: Templates mark what the search index should skip (long lists of other papers' titles,
#: the BibTeX that repeats the abstract) between these comments; see HtmlPage.search_html.
NOSEARCH = "<!--rl-nosearch-->"
END_NOSEARCH = "<!--/rl-nosearch-->"
_NOSEARCH_SPAN = re.compile(re.escape(NOSEARCH) + ".*?" + re.escape(END_NOSEARCH), re.S)
_IDS = re.compile(r'\sid="([^"]+)"')


@dataclass(frozen=True)
class HtmlPage:
    """A generated page: its title (text), HTML body and table of contents.

    ``search_html`` is what the search index reads: the body without the parts marked
    :data:`NOSEARCH` (a paper page's search entry is its title, authors, abstract and
    details, not the titles of the forty papers it cites). ``toc`` is MkDocs' toc
    tokens (``level``, ``id``, ``name`` as HTML, ``children``).
    """

    title: str
    html: str
    search_html: str
    toc: list[dict[str, Any]] = field(default_factory=list)
    search: bool = True
    hide: tuple[str, ...] = ()

    @property
    def meta(self) -> dict[str, Any]:
        """The page's metadata as front matter would give it; the title escaped once."""
        data: dict[str, Any] = {"title": title_text(self.title)}
        if not self.search:
            data["search"] = {"exclude": True}
        if self.hide:
            data["hide"] = list(self.hide)
        return data

    @property
    def anchors(self) -> set[str]:
        """Every id of the body (what links to ``page.md#anchor`` may point at)."""
        return set(_IDS.findall(self.html))


@dataclass
class SitePlan:
    """The generated site in memory: pages (HTML or Markdown), other files (bytes), the nav.

    ``html`` holds the generated pages; ``pages`` the few generated as Markdown (the
    home page, when there is no hand-written ``docs/index.md``), front matter included.
    ``nav`` is MkDocs ``nav`` configuration for the generated pages, titles already
    escaped; paper pages are never in it (MEASURED.md: a nav of every paper makes the
    build quadratic). ``home`` holds the generated parts of the home page for a
    hand-written ``index.md`` (see :data:`HOME_MARKERS`).
    """

    pages: dict[str, str] = field(default_factory=dict)
    html: dict[str, HtmlPage] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
    nav: list[Any] = field(default_factory=list)
    home: dict[str, str] = field(default_factory=dict)
    paper_pages: frozenset[str] = frozenset()


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("readinglist.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates do not change during a build; skip the stat calls
    )


def front_matter(title: str, *, search: bool = True, hide: Iterable[str] = ()) -> str:
    """YAML front matter with the title escaped once for HTML (see :func:`title_text`)."""
    data: dict[str, Any] = {"title": title_text(title)}
    if not search:
        data["search"] = {"exclude": True}
    hidden = list(hide)
    if hidden:
        data["hide"] = hidden
    dumped = yaml.safe_dump(data, allow_unicode=True, sort_keys=True, width=10**6)
    return f"---\n{dumped}---\n\n"


class _Builder:
    """Builds every page of one site; holds the views shared by the pages."""

    def __init__(
        self,
        library: Library,
        layout: Layout,
        *,
        site_url: str = "",
        headings: HeadingStyle | None = None,
    ) -> None:
        self.library = library
        self.layout = layout
        self.site_url = site_url
        self.headings = headings or HeadingStyle()
        self.env = _environment()
        self.analysis = graph.analyze(library, min_cites=2)
        self.slugs = assign_slugs(library.papers)
        self.topic_slugs = assign_slugs(t.slug for t in library.topics)
        self.papers: dict[str, PaperView] = {}
        for key, paper in library.papers.items():
            self.papers[key] = PaperView(
                key=key,
                slug=self.slugs[key],
                record=effective_record(library, paper),
                topic=paper.topic,
                bibtex=to_bibtex(library, [paper]),
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
        self._items: dict[tuple[str, str], str] = {}
        self._lecture_titles: dict[int, Markup] = {}
        # The lecture calendar exists when a lecture has a date (site/calendar.py).
        dated = any(lec.date for lec in library.lectures)
        self.calendar_file = calendar.CALENDAR if dated else ""
        self.abstracts = sum(1 for v in self.papers.values() if v.record.abstract)

    # ---------------------------------------------------------------- helpers

    def href_from(self, page: str) -> Callable[..., str]:
        """A function giving relative links from ``page`` (used by the templates)."""

        def href(target: str, anchor: str = "") -> str:
            return self.layout.href(page, target, anchor)

        return href

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

    def render(self, template: str, page: str, **context: Any) -> str:
        """Render a template with the helpers every template uses."""
        context.setdefault("h", Headings(self.headings))
        return self.env.get_template(template).render(
            href=self.href_from(page),
            library=self.library,
            course=self.library.course,
            text_html=text_html,
            esc=esc,
            nosearch=Markup(NOSEARCH),
            end_nosearch=Markup(END_NOSEARCH),
            calendar_file=self.calendar_file,
            abstracts=self.abstracts,
            total_papers=len(self.papers),
            **context,
        )

    def page(
        self,
        template: str,
        src: str,
        title: str,
        *,
        search: bool = True,
        search_html: str | None = None,
        hide: Iterable[str] = (),
        **context: Any,
    ) -> HtmlPage:
        """Render a page template into an :class:`HtmlPage`.

        The search index gets ``search_html`` when given, else the page without its
        :data:`NOSEARCH` parts (nothing when ``search`` is false).
        """
        headings = Headings(self.headings)
        text = self.render(template, src, h=headings, **context)
        searched = text
        if NOSEARCH in text:
            searched = _NOSEARCH_SPAN.sub("", text) if search else ""
            text = text.replace(NOSEARCH, "").replace(END_NOSEARCH, "")
        if search_html is not None:
            searched = search_html
        return HtmlPage(
            title=title,
            html=text,
            search_html=searched if search else "",
            toc=headings.toc(),
            search=search,
            hide=tuple(hide),
        )

    def paper_item(self, view: PaperView, page: str) -> str:
        """``<li>`` of a paper in a short list (title link, first author, year): the same
        for every page of one folder, so made once per folder."""
        folder = self.layout.url(page).rpartition("/")[0]
        key = (folder, view.key)
        item = self._items.get(key)
        if item is None:
            year = f", {view.year}" if view.year else ""
            item = self._items[key] = (
                f'<li><a href="{esc(self.layout.href(page, view.src))}">{view.title_html}</a>'
                f' <span class="rl-muted">({esc(view.first_author)}{esc(year)})</span></li>'
            )
        return item

    def paper_items(self, views: Iterable[PaperView], page: str) -> Markup:
        """The ``<li>`` of :meth:`paper_item` for each view, one a line."""
        return Markup("\n".join(self.paper_item(v, page) for v in views))

    # ---------------------------------------------------------------- shared data

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

    # ---------------------------------------------------------------- pages

    def home_parts(self) -> dict[str, str]:
        """The generated parts of the home page (relative to ``index.md``)."""
        return {
            name: self.render(f"home_{name}.md.j2", HOME, rows=self.lecture_rows(),
                              links=self.course_links())
            for name in HOME_MARKERS
        }  # fmt: skip

    def home(self, parts: Mapping[str, str]) -> str:
        """The whole home page when there is no hand-written ``docs/index.md``."""
        course = self.library.course
        heading = " ".join(x for x in (course.number, course.title) if x)
        return (
            front_matter(course.title)
            + f'<h1 class="rl-course-title">{esc(heading)}</h1>\n\n'
            + parts["course"]
            + "\n"
            + parts["schedule"]
        )

    def schedule(self) -> HtmlPage:
        """``lectures/index.md``: the schedule."""
        return self.page("schedule.md.j2", SCHEDULE, "Schedule", rows=self.lecture_rows())

    def lecture(self, lec: Lecture) -> HtmlPage:
        """One lecture: readings, reading order, download."""
        page = lecture_src(lec.number)
        required = self.views(lec.required)
        optional = self.views(k for k in lec.optional if k not in lec.required)
        order = self.views(self.analysis.reading_order.get(lec.number, ()))
        unknown = [k for k in lec.keys if k not in self.papers]
        numbers = [x.number for x in self.library.lectures]
        index = numbers.index(lec.number)
        prev_lec = self.library.lectures[index - 1] if index > 0 else None
        next_lec = self.library.lectures[index + 1] if index + 1 < len(numbers) else None
        links = [(item.label, self.course_link(item.url, page)) for item in lec.links]
        return self.page(
            "lecture.md.j2",
            page,
            f"Lecture {lec.number}: {lec.title}",
            lec=lec,
            date=format_date(lec.date),
            iso_date=lec.date.isoformat() if lec.date else "",
            title_html=text_html(lec.title),
            description_html=text_html(lec.description),
            topics=[(self.topic_title(s), self.topic_src(s)) for s in lec.topics],
            required=required,
            optional=optional,
            order=order,
            unknown=unknown,
            links=[(label, url) for label, url in links if url],
            bib=lecture_bib(lec.number),
            prev=(prev_lec, lecture_src(prev_lec.number)) if prev_lec else None,
            next=(next_lec, lecture_src(next_lec.number)) if next_lec else None,
            notes=self.notes,
        )

    @cached_property
    def notes(self) -> dict[str, str]:
        """Short notes shown next to a reading (cited by how many listed papers)."""
        notes = {}
        for key in self.papers:
            n = self.cited_within(key)
            if n:
                notes[key] = f"cited by {n} on the list"
        return notes

    def topics_index(self) -> HtmlPage:
        """``topics/index.md``: every topic with its description."""
        rows = []
        for topic in self.library.topics:
            lectures = [lec for lec in self.library.lectures if topic.slug in lec.topics]
            rows.append(
                {
                    "topic": topic,
                    "src": self.topic_src(topic.slug),
                    "title_html": text_html(topic.title),
                    "description_html": text_html(topic.description),
                    "papers": len(self.topic_papers.get(topic.slug, ())),
                    "lectures": [(lec.number, lecture_src(lec.number)) for lec in lectures],
                }
            )
        return self.page("topics.md.j2", TOPICS, "Topics", rows=rows)

    def topic(self, topic: Topic) -> HtmlPage:
        """One topic: description, papers, most cited, new candidates."""
        page = self.topic_src(topic.slug) or ""
        papers = self.topic_papers.get(topic.slug, [])
        ranked = sorted(
            (p for p in papers if self.cited_within(p.key) > 0),
            key=lambda p: (-self.cited_within(p.key), p.key),
        )[:5]
        candidates = sorted(
            (c for c in self.library.candidates if c.topic == topic.slug),
            key=lambda c: (-c.score, c.arxiv),
        )
        lectures = [lec for lec in self.library.lectures if topic.slug in lec.topics]
        return self.page(
            "topic.md.j2",
            page,
            topic.title,
            topic=topic,
            title_html=text_html(topic.title),
            description_html=text_html(topic.description),
            papers=papers,
            most_cited=[(p, self.cited_within(p.key)) for p in ranked],
            candidates=[self.candidate_view(c) for c in candidates],
            lectures=[(lec, lecture_src(lec.number)) for lec in lectures],
            bib=self.topic_bib(topic.slug),
            notes=self.notes,
        )

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

    def paper(self, view: PaperView) -> HtmlPage:
        """One paper: metadata, status, abstract, citations, lectures, BibTeX."""
        rec = view.record
        stats = self.analysis.papers.get(view.key)
        lectures = []
        for lec in self.lectures_by_key.get(view.key, ()):
            kind = "required" if view.key in lec.required else "optional"
            lectures.append((lec, lecture_src(lec.number), kind, self.lecture_title_html(lec)))
        people = self.paper_authors[view.key]
        authors = [(name, self.author_anchor(ident)) for name, ident in people]
        cites = self.views(rec.cites)
        cited_by = self.views(rec.cited_by)
        topic_title = self.topic_title(view.topic)
        return self.page(
            "paper.md.j2",
            view.src,
            view.title_plain,
            search_html=self.paper_search_html(view, topic_title),
            p=view,
            rec=rec,
            authors=authors,
            et_al="et al." in rec.authors,
            topic_title=topic_title,
            topic_src=self.topic_src(view.topic),
            lectures=lectures,
            cites=len(cites),
            cited_by=len(cited_by),
            cites_html=self.paper_items(cites, view.src),
            cited_by_html=self.paper_items(cited_by, view.src),
            pagerank=f"{stats.pagerank:.3f}" if stats else "",
            version=rec.version or "",
            arxiv_published=rec.arxiv_published[:10],
            arxiv_updated=rec.arxiv_updated[:10],
            location=str(self.library.papers[view.key].location),
            bibtex_html=Markup(highlight_bibtex(view.bibtex)),
            changes=self.changes_by_key.get(view.key, ()),
            kind_labels=_KIND_LABELS,
        )

    @staticmethod
    def paper_search_html(view: PaperView, topic_title: str) -> str:
        """A paper's search entry: one section with its title, authors, venue, year,
        abstract, key, arXiv id and topic (not the papers it cites, nor its BibTeX).

        Plain paragraphs, math in the abstract as its LaTeX source: the search plugin
        parses this HTML for every page, and MathML is a dozen tags per formula.
        """
        rec = view.record
        facts = [view.authors_text, view.venue, str(view.year or "")]
        ids = [view.key, f"arXiv {rec.arxiv}" if rec.arxiv else "", rec.doi, topic_title]
        parts = [f'<h1 id="paper">{view.title_html}</h1>']
        parts.append(f"<p>{esc(' · '.join(x for x in facts if x))}</p>")
        if rec.abstract:
            parts.append(f"<p>{esc(rec.abstract)}</p>")
        parts.append(f"<p>{esc(' · '.join(x for x in ids if x))}</p>")
        return "\n".join(parts)

    def lecture_title_html(self, lec: Lecture) -> Markup:
        """A lecture's title as HTML, made once per lecture."""
        if lec.number not in self._lecture_titles:
            self._lecture_titles[lec.number] = text_html(lec.title)
        return self._lecture_titles[lec.number]

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
    def authors(self) -> list[AuthorEntry]:
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
                anchor=self.author_anchor(ident),
                papers=tuple(sorted(papers[ident], key=lambda v: (v.year or 0, v.key))),
                sort_key=ident if "," in ident else _family_sort(ident),
            )
            for ident, counts in displays.items()
        ]
        return sorted(entries, key=lambda e: (e.sort_key, e.name))

    @cached_property
    def _author_slugs(self) -> dict[str, str]:
        return assign_slugs(ident for people in self.paper_authors.values() for _, ident in people)

    def author_anchor(self, ident: str) -> str:
        """The anchor of an author on the authors page."""
        return f"author-{self._author_slugs[ident]}"

    def authors_page(self) -> HtmlPage:
        """``authors.md``: every author and their papers on the list."""
        groups: dict[str, list[AuthorEntry]] = {}
        for entry in self.authors:
            letter = entry.sort_key[:1].upper() or "#"
            groups.setdefault(letter if letter.isalpha() else "#", []).append(entry)
        return self.page(
            "authors.md.j2", AUTHORS, "Authors", search=False, groups=sorted(groups.items())
        )

    def papers_index(self) -> HtmlPage:
        """``papers/index.md``: every paper by topic."""
        groups = []
        for topic in self.library.topics:
            papers = self.topic_papers.get(topic.slug, [])
            if papers:
                groups.append((topic.title, self.topic_src(topic.slug), papers))
        known = {t.slug for t in self.library.topics}
        stray = [v for v in self.papers.values() if v.topic not in known]
        if stray:
            groups.append(("Other papers", None, stray))
        return self.page(
            "papers.md.j2",
            PAPERS,
            "Papers",
            search=False,
            groups=groups,
            cited={k: self.cited_within(k) for k in self.papers},
            total=len(self.papers),
        )

    def graph_page(self) -> HtmlPage:
        """``graph.md``: the interactive citation graph."""
        data = graphdata.vis_data(
            self.library, self.analysis, {k: v.src for k, v in self.papers.items()},
            self.layout, GRAPH, topic_title=self.topic_title,
            records={k: v.record for k, v in self.papers.items()},
        )  # fmt: skip
        self.graph_data = data
        ranked = sorted(self.papers.values(), key=lambda v: (-self.cited_within(v.key), v.key))
        return self.page(
            "graph.md.j2",
            GRAPH,
            "Citation graph",
            search=False,
            hide=["navigation", "toc"],  # the graph gets the page's whole width
            data=data,
            lectures=[(lec.number, lec.title) for lec in self.library.lectures],
            most_cited=[(v, self.cited_within(v.key)) for v in ranked[:10]
                        if self.cited_within(v.key)],
            edges=len(data["edges"]),
            without=len(self.analysis.without_citations),
            components=len(self.analysis.components),
            assets=ASSETS,
        )  # fmt: skip

    def missing(self) -> HtmlPage:
        """``missing.md``: papers outside the list that listed papers cite."""
        min_cites = 2
        suggestions = list(self.analysis.suggestions)
        if not suggestions:
            min_cites = 1
            suggestions = list(graph.analyze(self.library, min_cites=1).suggestions)
        rows = []
        for s in suggestions:
            ids = dict(s.ids or {})
            links = []
            arxiv = parse_arxiv_id(str(ids.get("arxiv", "") or ids.get("ArXiv", "")))
            if arxiv:
                links.append(("arXiv", arxiv_url(arxiv.versioned)))
            doi = str(ids.get("doi", "") or ids.get("DOI", ""))
            if doi.startswith("10."):
                links.append(("DOI", doi_url(doi)))
            rows.append(
                {
                    "title_html": text_html(s.title or s.id),
                    "year": s.year or "",
                    "links": links,
                    "cited_by": self.views(s.cited_by),
                    "topics": [(self.topic_title(t), self.topic_src(t)) for t in s.topics],
                }
            )
        return self.page(
            "missing.md.j2",
            MISSING,
            "Missing from the list",
            rows=rows,
            min_cites=min_cites,
            has_citations=bool(self.library.citations),
        )

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
            "label": _KIND_LABELS.get(c.kind, c.kind),
            "paper": view,
            "subject": view.title_plain if view else title,
            "title_html": view.title_html if view else text_html(title),
            "detail": c.detail,
            "url": safe_url(c.url) if c.url else None,
        }

    def new(self) -> HtmlPage:
        """``new.md``: what the last syncs found: versions, publications, candidates."""
        by_date: dict[str, list[dict[str, Any]]] = {}
        for c in self.library.changes:
            by_date.setdefault(c.date, []).append(self.change_view(c))
        candidates = sorted(self.library.candidates, key=lambda c: (-c.score, c.topic, c.arxiv))
        return self.page(
            "new.md.j2",
            NEW,
            "What's new",
            days=sorted(by_date.items(), reverse=True),
            candidates=[self.candidate_view(c) for c in candidates],
            feed=FEED,
        )

    def downloads_page(self) -> HtmlPage:
        """``downloads.md``: every generated file to download."""
        return self.page(
            "downloads.md.j2",
            DOWNLOADS,
            "Downloads",
            search=False,
            lectures=[(lec, lecture_bib(lec.number), text_html(lec.title))
                      for lec in self.library.lectures],
            topics=[(t, self.topic_bib(t.slug), text_html(t.title)) for t in self.library.topics],
        )  # fmt: skip

    # ---------------------------------------------------------------- files

    def downloads(self) -> dict[str, bytes]:
        """The BibTeX, CSL-JSON and GraphML files, made exactly as ``export`` makes them."""
        lib = self.library
        out: dict[str, bytes] = {}
        for lec in lib.lectures:
            # Same call and arguments as `readinglist export --lecture N`: same bytes.
            title, papers = select(lib, lecture=lec.number)
            out[lecture_bib(lec.number)] = to_bibtex(lib, papers, title=title).encode()
        for topic in lib.topics:
            title, papers = select(lib, topic=topic.slug)
            out[self.topic_bib(topic.slug)] = to_bibtex(lib, papers, title=title).encode()
        title, papers = select(lib)
        out["downloads/all.bib"] = to_bibtex(lib, papers, title=title).encode()
        out["downloads/all.json"] = to_csl_json(lib, papers).encode()
        out["downloads/graph.graphml"] = graph.to_graphml(lib).encode()
        return out


_BIBTEX_HIGHLIGHT: tuple[Any, Any] | None = None


def highlight_bibtex(text: str) -> str:
    """BibTeX highlighted as pymdownx.highlight does a fenced ``bibtex`` block (the
    markup Material adds its copy button to), with one Pygments formatter for all."""
    global _BIBTEX_HIGHLIGHT
    from pygments import highlight

    if _BIBTEX_HIGHLIGHT is None:
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import BibTeXLexer

        _BIBTEX_HIGHLIGHT = (BibTeXLexer(), HtmlFormatter(cssclass="highlight", wrapcode=True))
    lexer, formatter = _BIBTEX_HIGHLIGHT
    return highlight(text, lexer, formatter)


def _family_sort(name: str) -> str:
    import unicodedata

    parts = name.split()
    family = parts[-1] if parts else name
    folded = unicodedata.normalize("NFKD", family)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


def build_site(
    library: Library,
    *,
    layout: Layout | None = None,
    site_url: str = "",
    skip: Iterable[str] = (),
    headings: HeadingStyle | None = None,
) -> SitePlan:
    """Every generated page and file of the course site, in memory.

    ``skip`` names source paths that hand-written pages already hold (they win; the
    home page is the exception: its generated parts go to ``SitePlan.home``).
    ``headings`` is how mkdocs.yml's ``toc`` extension marks headings.
    """
    layout = layout or Layout()
    skipped = set(skip)
    b = _Builder(library, layout, site_url=site_url, headings=headings)
    plan = SitePlan()
    plan.home = b.home_parts()
    if HOME not in skipped:
        plan.pages[HOME] = b.home(plan.home)
    pages: dict[str, Callable[[], HtmlPage]] = {
        SCHEDULE: b.schedule,
        TOPICS: b.topics_index,
        PAPERS: b.papers_index,
        AUTHORS: b.authors_page,
        GRAPH: b.graph_page,
        MISSING: b.missing,
        NEW: b.new,
        DOWNLOADS: b.downloads_page,
    }
    for lec in library.lectures:
        pages[lecture_src(lec.number)] = functools.partial(b.lecture, lec)
    for topic in library.topics:
        pages[b.topic_src(topic.slug) or ""] = functools.partial(b.topic, topic)
    for view in b.papers.values():
        pages[view.src] = functools.partial(b.paper, view)
    for src, make in pages.items():
        if src in skipped:
            log.warning("docs/%s is hand-written: it replaces the generated page", src)
            continue
        plan.html[src] = make()
    if GRAPH not in plan.html:
        b.graph_page()
    plan.files.update(b.downloads())
    base = site_url.rstrip("/") + "/" if site_url else ""
    ics = calendar.lectures_ics(
        library,
        lecture_url=lambda n: base + layout.url(lecture_src(n)) if base else None,
        paper_url=lambda k: base + layout.url(b.papers[k].src) if base else None,
    )
    if ics is not None:
        plan.files[calendar.CALENDAR] = ics
    plan.files[GRAPH_DATA] = graphdata.to_script(b.graph_data).encode()
    plan.files[FEED] = feed.atom(
        library,
        [b.change_view(c) for c in library.changes],
        paper_urls={k: layout.url(v.src) for k, v in b.papers.items()},
        site_url=site_url,
        home_url=layout.url(HOME),
    ).encode()
    plan.paper_pages = frozenset(v.src for v in b.papers.values())
    plan.nav = _nav(b, library)
    return plan


def _nav(b: _Builder, library: Library) -> list[Any]:
    """MkDocs nav config of the generated pages; titles escaped (MkDocs does not)."""
    lectures: list[Any] = [{"Overview": SCHEDULE}]
    lectures += [{title_text(f"{lec.number}. {lec.title}"): lecture_src(lec.number)}
                 for lec in library.lectures]  # fmt: skip
    topics: list[Any] = [{"Overview": TOPICS}]
    topics += [{title_text(t.title): b.topic_src(t.slug)} for t in library.topics]
    return [
        {"Home": HOME},
        {"Schedule": lectures},
        {"Topics": topics},
        {"Papers": PAPERS},
        {"Authors": AUTHORS},
        {"Citation graph": GRAPH},
        {"Missing from the list": MISSING},
        {title_text("What's new"): NEW},
        {"Downloads": DOWNLOADS},
    ]
