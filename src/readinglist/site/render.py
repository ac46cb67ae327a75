"""The render step of the course site: templates in, HTML pages out. No I/O.

Every page's markup is in the autoescaped Jinja templates of ``templates/``; this module
renders them with the helpers all pages use (relative links, headings recorded for the
table of contents) into :class:`HtmlPage` values. Everything that came from a file or a
service is escaped: the templates autoescape, display text goes through
:func:`~readinglist.site.markup.text_html` (escaped, ``$...$`` as MathML), and page
titles, which MkDocs puts into ``<title>`` and the navigation without escaping, are
escaped once (:func:`~readinglist.site.markup.title_text`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import jinja2
import yaml
from markupsafe import Markup

from readinglist.site import jinjacache
from readinglist.site.markup import Headings, HeadingStyle, clean, esc, text_html, title_text
from readinglist.site.views import PaperView, SiteData

#: Templates mark what the search index should skip (long lists of other papers' titles,
#: the BibTeX that repeats the abstract) between these comments; see HtmlPage.search_html.
NOSEARCH = "<!--rl-nosearch-->"
END_NOSEARCH = "<!--/rl-nosearch-->"
_NOSEARCH_SPAN = re.compile(re.escape(NOSEARCH) + ".*?" + re.escape(END_NOSEARCH), re.S)


def element_ids(html: str) -> set[str]:
    """The values of ``id="..."`` attributes in ``html``: what the regex
    ``\\sid="([^"]+)"`` finds (``id="`` after whitespace, a value not empty), looked
    for as a plain string. The regex, which starts with a class of characters, read a
    paper page at a fifth of the speed, and a build asks this of every page."""
    ids: set[str] = set()
    at = html.find('id="', 1)
    while at != -1:
        start = at + 4
        if html[at - 1].isspace():
            end = html.find('"', start)
            if end == -1:
                break  # no closing quote later: nothing further can match
            if end > start:
                ids.add(html[start:end])
                at = html.find('id="', end + 1)
                continue
        at = html.find('id="', at + 1)
    return ids


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
        return _meta(self.title, self.search, self.hide)

    @property
    def anchors(self) -> set[str]:
        """Every id of the body (what links to ``page.md#anchor`` may point at)."""
        return element_ids(self.html)


@dataclass(frozen=True)
class LazyPage:
    """A generated page rendered when asked (:meth:`render`), each time: its title and
    metadata are known at once. A large list's paper pages are these, so that an
    engine can render, write and drop one page at a time instead of holding them all
    (their HTML was 130 MiB of a 5,000-paper build)."""

    title: str
    make: Callable[[], HtmlPage]
    search: bool = True
    hide: tuple[str, ...] = ()

    @property
    def meta(self) -> dict[str, Any]:
        """The metadata the rendered page will have (see :attr:`HtmlPage.meta`)."""
        return _meta(self.title, self.search, self.hide)

    def render(self) -> HtmlPage:
        """The page, rendered now (its title and flags must be the ones given)."""
        page = self.make()
        if (page.title, page.search, page.hide) != (self.title, self.search, self.hide):
            raise RuntimeError(f"{self.title!r}: the rendered page has other metadata")
        return page


def _meta(title: str, search: bool, hide: tuple[str, ...]) -> dict[str, Any]:
    data: dict[str, Any] = {"title": title_text(title)}
    if not search:
        data["search"] = {"exclude": True}
    if hide:
        data["hide"] = list(hide)
    return data


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("readinglist.site", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # templates do not change during a build; skip the stat calls
    )
    env.filters["clean"] = clean  # control characters: invalid in XML, never shown in HTML
    jinjacache.use(env)
    return env


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


class Renderer:
    """Renders the page templates of one site (one Jinja environment for all pages)."""

    def __init__(self, data: SiteData, headings: HeadingStyle | None = None) -> None:
        self.data = data
        self.layout = data.layout
        self.library = data.library
        self.headings = headings or HeadingStyle()
        self.env = _environment()
        self._items: dict[tuple[str, str], str] = {}

    def href_from(self, page: str) -> Callable[..., str]:
        """A function giving relative links from ``page`` (used by the templates)."""

        def href(target: str, anchor: str = "") -> str:
            return self.layout.href(page, target, anchor)

        return href

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
            calendar_file=self.data.calendar_file,
            abstracts=self.data.abstracts,
            total_papers=len(self.data.papers),
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
            template = self.env.get_template("_paper_item.j2")
            href = self.layout.href(page, view.src)
            item = self._items[key] = template.render(p=view, href=href).rstrip("\n")
        return item

    def paper_items(self, views: Iterable[PaperView], page: str) -> Markup:
        """The ``<li>`` of :meth:`paper_item` for each view, one a line."""
        return Markup("\n".join(self.paper_item(v, page) for v in views))
