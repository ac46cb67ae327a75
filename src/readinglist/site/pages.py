"""The pages of the course site, built in memory from a Library. No I/O.

The site is a pipeline: library -> graph analysis -> data (:mod:`.views`) -> pages
rendered from templates (:mod:`.render` and the page families :mod:`.course_pages`,
:mod:`.paper_pages`, :mod:`.overview_pages`) -> an engine writes them.
:func:`build_site` is the whole middle of it; the MkDocs plugin hands its result to
MkDocs in memory, and :mod:`.tree` writes it as files for any engine (Zensical).

Generated pages are HTML, not Markdown: each is an :class:`HtmlPage` holding its body,
its table of contents and its title; the plugin gives MkDocs an empty Markdown source
and the body in place of the converted one. Python-Markdown's HTML parser and MkDocs'
anchor scan of raw HTML were most of the build of a large list, for pages that were
HTML already. Only the home page's parts are Markdown, since a hand-written
``docs/index.md`` holds them.

The names other modules use are re-exported here (paths, :class:`HtmlPage`,
:class:`PaperView`).
"""

from __future__ import annotations

import functools
import io
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from readinglist.model import Library
from readinglist.site import calendar, course_pages, feed, graphdata, overview_pages, paper_pages
from readinglist.site.highlight import highlight_bibtex
from readinglist.site.markup import HeadingStyle, Layout, title_text
from readinglist.site.render import (
    END_NOSEARCH,
    NOSEARCH,
    HtmlPage,
    LazyPage,
    Renderer,
    front_matter,
)
from readinglist.site.views import (
    ASSETS,
    AUTHORS,
    DOWNLOADS,
    FEED,
    GRAPH,
    GRAPH_DATA,
    HOME,
    HOME_MARKERS,
    MISSING,
    NEW,
    PAPERS,
    SCHEDULE,
    TOPICS,
    AuthorEntry,
    PaperView,
    SiteData,
    format_date,
    lecture_bib,
    lecture_src,
)

__all__ = [
    "ASSETS", "AUTHORS", "DOWNLOADS", "END_NOSEARCH", "FEED", "GRAPH", "GRAPH_DATA", "HOME",
    "HOME_MARKERS", "MISSING", "NEW", "NOSEARCH", "PAPERS", "SCHEDULE", "TOPICS",
    "AuthorEntry", "HtmlPage", "LazyPage", "PaperView", "SitePlan", "build_site", "format_date",
    "front_matter", "highlight_bibtex", "lecture_bib", "lecture_src",
]  # fmt: skip

log = logging.getLogger(__name__)


class Pages(Mapping[str, HtmlPage]):
    """The generated HTML pages by source path; a :class:`LazyPage` is rendered each
    time it is looked up (:meth:`stub` gives it without rendering)."""

    def __init__(self) -> None:
        self._pages: dict[str, HtmlPage | LazyPage] = {}

    def __setitem__(self, src: str, page: HtmlPage | LazyPage) -> None:
        self._pages[src] = page

    def __getitem__(self, src: str) -> HtmlPage:
        page = self._pages[src]
        return page.render() if isinstance(page, LazyPage) else page

    def __contains__(self, src: object) -> bool:
        return src in self._pages  # Mapping's own would render the page to find out

    def __iter__(self) -> Iterator[str]:
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)

    def lazy(self) -> dict[str, LazyPage]:
        """The lazy pages, in order."""
        return {src: page for src, page in self._pages.items() if isinstance(page, LazyPage)}

    def stub(self, src: str) -> HtmlPage | LazyPage | None:
        """The page as held: rendered already, or lazy (its title and meta known)."""
        return self._pages.get(src)


@dataclass
class SitePlan:
    """The generated site in memory: pages (HTML or Markdown), other files (bytes), the nav.

    ``html`` holds the generated pages (paper pages are rendered when looked up:
    :class:`Pages`); ``pages`` the few generated as Markdown (the
    home page, when there is no hand-written ``docs/index.md``), front matter included.
    ``nav`` is MkDocs ``nav`` configuration for the generated pages, titles already
    escaped; paper pages are never in it (MEASURED.md: a nav of every paper makes the
    build quadratic). ``home`` holds the generated parts of the home page for a
    hand-written ``index.md`` (see :data:`HOME_MARKERS`). ``writers`` write the
    downloads (BibTeX, CSL-JSON, GraphML) into a text stream (UTF-8), so that no engine
    needs to hold them in memory and one can write them while it does other work.
    """

    pages: dict[str, str] = field(default_factory=dict)
    html: Pages = field(default_factory=Pages)
    files: dict[str, bytes] = field(default_factory=dict)
    nav: list[Any] = field(default_factory=list)
    home: dict[str, str] = field(default_factory=dict)
    paper_pages: frozenset[str] = frozenset()
    writers: dict[str, Callable[[IO[str]], None]] = field(default_factory=dict)

    def html_in_build_order(self) -> list[str]:
        """The generated HTML pages in the order an engine should build them: paper pages
        first. A paper page is ready soonest (the child process rendering them sends one
        a millisecond), while the indexes of a large list (authors, graph, missing
        papers) take the other child a while: asked for first, they kept MkDocs waiting
        0.6 s of a 1,000-paper build. MkDocs builds, and lists in the sitemap and the
        search index, pages in the order of its files."""
        return sorted(self.html, key=lambda src: src not in self.paper_pages)

    def file_bytes(self, src: str) -> bytes:
        """A file of the site: one of :attr:`files`, or what its writer writes."""
        if src in self.files:
            return self.files[src]
        out = io.StringIO()
        self.writers[src](out)
        return out.getvalue().encode()


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
    d = SiteData(library, layout, site_url=site_url)  # the data step
    r = Renderer(d, headings)  # the render step
    plan = SitePlan()
    plan.home = course_pages.home_parts(d, r)
    if HOME not in skipped:
        plan.pages[HOME] = course_pages.home(d, r, plan.home)

    # Every page is rendered when an engine asks (see Pages): its title and flags here.
    def lazy(make: Callable[..., HtmlPage], title: str, *args: Any, **flags: Any) -> LazyPage:
        return LazyPage(title, functools.partial(make, d, r, *args), **flags)

    pages: dict[str, LazyPage] = {
        SCHEDULE: lazy(course_pages.schedule, "Schedule"),
        TOPICS: lazy(course_pages.topics_index, "Topics"),
        PAPERS: lazy(paper_pages.papers_index, "Papers", search=False),
        AUTHORS: lazy(paper_pages.authors_page, "Authors", search=False),
        GRAPH: lazy(overview_pages.graph_page, "Citation graph", search=False,
                    hide=("navigation", "toc")),
        MISSING: lazy(overview_pages.missing, "Missing from the list"),
        NEW: lazy(overview_pages.new, "What's new"),
        DOWNLOADS: lazy(overview_pages.downloads_page, "Downloads", search=False),
    }  # fmt: skip
    for lec in library.lectures:
        title = f"Lecture {lec.number}: {lec.title}"
        pages[lecture_src(lec.number)] = lazy(course_pages.lecture, title, lec)
    for topic in library.topics:
        pages[d.topic_src(topic.slug) or ""] = lazy(course_pages.topic, topic.title, topic)
    for view in d.papers.values():
        pages[view.src] = lazy(paper_pages.paper, view.title_plain, view)
    for src, page in pages.items():
        if src in skipped:
            log.warning("docs/%s is hand-written: it replaces the generated page", src)
            continue
        plan.html[src] = page
    plan.writers.update(overview_pages.downloads(d))
    if d.calendar_file:
        base = site_url.rstrip("/") + "/" if site_url else ""
        plan.writers[calendar.CALENDAR] = functools.partial(_calendar, d, layout, base)
    plan.writers[GRAPH_DATA] = functools.partial(_graph_data, d)
    plan.files[FEED] = feed.atom(
        library,
        [d.change_view(c) for c in library.changes],
        paper_urls={k: layout.url(v.src) for k, v in d.papers.items()},
        site_url=site_url,
        home_url=layout.url(HOME),
    ).encode()
    plan.paper_pages = frozenset(v.src for v in d.papers.values())
    plan.nav = _nav(d, library)
    return plan


def _calendar(d: SiteData, layout: Layout, base: str, stream: IO[str]) -> None:
    """``lectures.ics``, with absolute links to the pages when the site's URL is known."""
    ics = calendar.lectures_ics(
        d.library,
        lecture_url=lambda n: base + layout.url(lecture_src(n)) if base else None,
        paper_url=lambda k: base + layout.url(d.papers[k].src) if base else None,
    )
    stream.write((ics or b"").decode())  # CRLF kept: the stream does not translate


def _graph_data(d: SiteData, stream: IO[str]) -> None:
    stream.write(graphdata.to_script(d.graph_data))


def _nav(d: SiteData, library: Library) -> list[Any]:
    """MkDocs nav config of the generated pages; titles escaped (MkDocs does not)."""
    lectures: list[Any] = [{"Overview": SCHEDULE}]
    lectures += [{title_text(f"{lec.number}. {lec.title}"): lecture_src(lec.number)}
                 for lec in library.lectures]  # fmt: skip
    topics: list[Any] = [{"Overview": TOPICS}]
    topics += [{title_text(t.title): d.topic_src(t.slug)} for t in library.topics]
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
