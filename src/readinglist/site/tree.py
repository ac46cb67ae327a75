"""The course site as a tree of files that any MkDocs-style engine can build. No I/O
but reading the hand-written ``docs/`` folder.

:func:`course_tree` turns the library and the hand-written pages into one mapping of
docs-relative paths to bytes: every generated page as Markdown (front matter with its
title, then its HTML body, headings as Markdown so the engine's ``toc`` extension lists
them), the downloads, the feed, the graph data, the site's own scripts and styles,
vis-network from the installed pyvis, and the hand-written pages with their citations
resolved and the generated course facts put into the home page. Written into a docs
folder next to a config naming :attr:`SiteTree.nav`, :attr:`SiteTree.extra_css` and
:attr:`SiteTree.extra_javascript`, it is the whole site: this is how Zensical, which has
no plugin API, builds it (:mod:`readinglist.site.zensical_site`).

The MkDocs plugin builds the same site from the same :func:`~readinglist.site.pages.build_site`
plan, but hands it to MkDocs in memory, with its fast paths (HTML pages that skip
Python-Markdown, the navigation rendered once for all paper pages).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from readinglist.model import Library
from readinglist.site import citations
from readinglist.site.markup import HeadingStyle, Layout, assign_slugs
from readinglist.site.mdext import marker_line
from readinglist.site.pages import ASSETS, HOME, HOME_MARKERS, HtmlPage, SitePlan, build_site

log = logging.getLogger(__name__)

#: What the site adds to mkdocs.yml's ``extra_css`` and ``extra_javascript``.
EXTRA_CSS = (f"{ASSETS}/readinglist.css", f"{ASSETS}/progress.css")
EXTRA_JAVASCRIPT = (f"{ASSETS}/progress.js",)

#: Zensical's search refuses a page whose text has more than 16,384 token positions
#: ("exceeds the search index limit"); a generated page with more words than this (the
#: missing-papers page of a 5,000-paper list) is left out of its search instead.
SEARCH_WORDS = 10_000
_TAG = re.compile(r"<[^>]*>")

_FRONT_MATTER = re.compile(r"\A(---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z))", re.S)


def asset_files() -> dict[str, bytes]:
    """The site's own scripts and styles and vis-network (from the installed pyvis), by
    site path: the same files the MkDocs plugin adds."""
    from readinglist.site.plugin import OWN_ASSETS, VIS_FILES, vis_directory

    own = resources.files("readinglist.site").joinpath("assets")
    out = {f"{ASSETS}/{name}": own.joinpath(name).read_bytes() for name in OWN_ASSETS}
    vis = vis_directory()
    for source, target in VIS_FILES.items():
        out[f"{ASSETS}/{target}"] = (vis / source).read_bytes()
    return out


def home_markdown(markdown: str, parts: Mapping[str, str]) -> str:
    """A hand-written home page with the generated course facts and schedule put in at
    its markers (:data:`~readinglist.site.pages.HOME_MARKERS`), or appended."""
    if not any(marker in markdown for marker in HOME_MARKERS.values()):
        return markdown.rstrip("\n") + "\n\n" + parts["course"] + "\n" + parts["schedule"]
    for name, marker in HOME_MARKERS.items():
        markdown = markdown.replace(marker, parts[name])
    return markdown


def default_nav(plan: SitePlan, handwritten: Iterable[str]) -> list[Any]:
    """The navigation when mkdocs.yml has none: the site's own pages, then the
    hand-written ones. Paper pages are never in it: Material renders the whole
    navigation into every page, so listing every paper makes a build quadratic."""
    return plan.nav + sorted(src for src in handwritten if src.endswith(".md") and src != HOME)


def page_markdown(page: HtmlPage, *, raw: bool = True) -> str:
    """A generated page as a Markdown file: front matter (title, search, hide), then the
    HTML body. ``raw``: a first line (:func:`~readinglist.site.mdext.marker_line`) with
    which the :mod:`~readinglist.site.mdext` extension passes the body through without
    Markdown; without the extension Python-Markdown keeps the body as written anyway
    (block-level HTML, no blank line inside a block), only slower."""
    meta = yaml.safe_dump(page.meta, allow_unicode=True, sort_keys=True, width=10**6)
    head = marker_line(page.toc) + "\n" if raw else ""
    return f"---\n{meta}---\n\n{head}{page.html}"


class Citer:
    """Resolves the citations of hand-written pages against the list (one per build)."""

    def __init__(self, library: Library, layout: Layout, style: str) -> None:
        self.library = library
        self.layout = layout
        self.style = style
        self._slugs: dict[str, str] | None = None
        self._sources: dict[str, citations.Source] = {}

    def source(self, key: str) -> citations.Source:
        """What a citation of ``key`` shows (made once per key)."""
        if self._slugs is None:
            self._slugs = assign_slugs(self.library.papers)  # the same slugs as build_site's
        if key not in self._sources:
            self._sources[key] = citations.source_of(self.library, key, self._slugs[key])
        return self._sources[key]

    def cite(self, markdown: str, src_uri: str) -> citations.Cited:
        """The page's Markdown with its citations resolved, and its unknown keys."""
        return citations.cite(
            markdown,
            known=self.library.papers,
            source=self.source,
            href=lambda target: self.layout.href(src_uri, target),
            style=self.style,
        )


@dataclass
class SiteTree:
    """The whole site as files: docs-relative path -> bytes, plus what the config adds.

    ``nav`` is MkDocs ``nav`` configuration (titles already escaped), empty when
    mkdocs.yml has its own; ``generated`` names the paths made from the library (the
    rest are hand-written pages and files of ``docs/``).
    """

    files: dict[str, bytes] = field(default_factory=dict)
    nav: list[Any] = field(default_factory=list)
    generated: frozenset[str] = frozenset()
    extra_css: tuple[str, ...] = EXTRA_CSS
    extra_javascript: tuple[str, ...] = EXTRA_JAVASCRIPT
    markdown_extensions: tuple[str, ...] = ("readinglist.site.mdext",)


def read_docs(docs_dir: Path) -> dict[str, bytes]:
    """Every file of the hand-written ``docs/`` folder, by its path inside it."""
    out: dict[str, bytes] = {}
    if not docs_dir.is_dir():
        return out
    for path in sorted(docs_dir.rglob("*")):
        rel = path.relative_to(docs_dir)
        if path.is_file() and not any(part.startswith(".") for part in rel.parts):
            out[rel.as_posix()] = path.read_bytes()
    return out


def course_tree(
    library: Library,
    docs: Mapping[str, bytes],
    *,
    use_directory_urls: bool = False,
    site_url: str = "",
    headings: HeadingStyle | None = None,
    citation_style: str = citations.AUTHOR_YEAR,
    has_nav: bool = False,
    raw: bool = True,
    warn: Callable[[str, int, str], None] | None = None,
) -> SiteTree:
    """The course site as a tree of files (see the module doc).

    ``docs`` holds the hand-written files (``docs/`` by path inside it); they win over
    generated pages of the same path. ``warn(file, line, key)`` hears of each citation
    of a key that is not on the list (default: a logged warning). ``raw``: pages for
    the :mod:`~readinglist.site.mdext` extension (HTML headings, their toc carried
    along); else their headings are Markdown, for the engine's own ``toc`` extension.
    """
    layout = Layout(use_directory_urls=use_directory_urls)
    style = replace(headings or HeadingStyle(), markdown=not raw)
    plan = build_site(library, layout=layout, site_url=site_url, skip=docs, headings=style)
    files: dict[str, bytes] = {}
    for src, text in plan.pages.items():
        files[src] = text.encode()
    for src, page in plan.html.items():
        if page.search and len(_TAG.sub(" ", page.html).split()) > SEARCH_WORDS:
            log.info("%s: too long for the search index; left out of search", src)
            page = replace(page, search=False)
        files[src] = page_markdown(page, raw=raw).encode()
    files.update(plan.files)
    files.update((src, plan.file_bytes(src)) for src in plan.writers)
    files.update(asset_files())
    generated = frozenset(files)
    citer = Citer(library, layout, citation_style)
    for src, data in docs.items():
        files[src] = _prepare(src, data, plan, citer, warn) if src.endswith(".md") else data
    return SiteTree(
        files=files,
        nav=[] if has_nav else default_nav(plan, docs),
        generated=generated,
    )


def _prepare(
    src: str,
    data: bytes,
    plan: SitePlan,
    citer: Citer,
    warn: Callable[[str, int, str], None] | None,
) -> bytes:
    """A hand-written page as the site shows it: citations resolved, the home page
    completed."""
    text = data.decode("utf-8-sig")
    match = _FRONT_MATTER.match(text)
    head, body = (match.group(1), text[match.end() :]) if match else ("", text)
    if "@" in body:
        result = citer.cite(body, src)
        skipped = head.count("\n")
        for line, key in result.unknown:
            if warn is not None:
                warn(f"docs/{src}", line + skipped, key)
            else:
                log.warning("docs/%s:%d: unknown citation key %r", src, line + skipped, key)
        body = result.markdown
    if src == HOME:
        body = home_markdown(body, plan.home)
    return (head + body).encode()
