"""The MkDocs plugin: hands the generated course site to MkDocs.

Thin on purpose: it loads the library, asks :func:`readinglist.site.pages.build_site`
for every page and file, and adds them with ``File.generated`` in ``on_files``. Nothing
is written into ``docs/`` (which holds only hand-written pages) and nothing generated
is committed; the vis-network JavaScript is copied from the installed pyvis package.

Generated pages are HTML already, so they skip Python-Markdown: each has an empty
Markdown source. They are rendered when MkDocs builds them (``on_page_context``, before
the search plugin's), by child processes working alongside MkDocs when the process may
fork (:mod:`readinglist.site.background`), and let go once written: the page gets its
table of contents, anchors and, for the search plugin, its search entry; then its whole
body. Material renders its navigation once for all paper pages
(:mod:`readinglist.site.navcache`) and the rest of their page once per shape of page
(:mod:`readinglist.site.chrome`). The downloads are written straight into the site
folder.

Use it in ``mkdocs.yml``::

    plugins:
      - search
      - readinglist          # option: root (the course folder; default: mkdocs.yml's)

Hand-written pages may cite papers of the list with pandoc's syntax (``[@key]``; see
:mod:`readinglist.site.citations`); option ``citation_style: numeric`` numbers them.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import jinja2
from mkdocs.config import config_options
from mkdocs.config.base import Config
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.livereload import LiveReloadServer
from mkdocs.plugins import BasePlugin, CombinedEvent, event_priority
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from mkdocs.utils.templates import TemplateContext

from readinglist.errors import ReadingListError
from readinglist.model import Library
from readinglist.site import background, chrome, citations, jinjacache, navcache, offline
from readinglist.site.markup import HeadingStyle, Layout
from readinglist.site.pages import ASSETS, HOME, HtmlPage, LazyPage, SitePlan, build_site
from readinglist.site.reuse import KeptPages
from readinglist.site.tree import Citer, default_nav, home_markdown
from readinglist.site.views import PAPER_FOLDER

log = logging.getLogger("mkdocs.plugins.readinglist")

#: Files of this package copied into the site's ``assets/readinglist/``.
OWN_ASSETS = ("readinglist.css", "graph.js", "progress.css", "progress.js", "iframe-worker.js")
#: vis-network, as pyvis ships it.
VIS_FILES = {"vis-network.min.js": "vis-network.min.js", "vis-network.css": "vis-network.min.css"}
VIS_VERSION = "vis-9.1.2"


class LibraryError(PluginError):
    """A library error during a build, carrying the original ReadingListError.

    Its message is the same one line the CLI prints (``bib/x.bib:3: ...``); the
    ``readinglist build`` command re-raises :attr:`error` to print it and exit 2.
    """

    def __init__(self, error: ReadingListError) -> None:
        super().__init__(str(error))
        self.error = error


class ReadingListConfig(Config):
    """Options of the plugin."""

    root = config_options.Optional(config_options.Type(str))
    """The course folder (holding ``bib/``); default: the folder of ``mkdocs.yml``."""
    citation_style = config_options.Choice(citations.STYLES, default=citations.AUTHOR_YEAR)
    """How citations in hand-written pages look: ``Jacot et al., 2018`` or ``[1]``."""


def vis_directory() -> Path:
    """The folder of pyvis's bundled vis-network files.

    Found without importing pyvis: its import pulls in IPython and took 2.2 s of a 2.3 s
    build. Raises ReadingListError when pyvis or the files are missing.
    """
    import importlib.util

    spec = importlib.util.find_spec("pyvis")
    folders = list(spec.submodule_search_locations or ()) if spec else []
    for folder in folders:
        found = Path(folder) / "templates" / "lib" / VIS_VERSION
        if all((found / source).is_file() for source in VIS_FILES):
            return found
    raise ReadingListError(
        f"vis-network ({VIS_VERSION}) not found in the installed pyvis: "
        "pip install --force-reinstall 'pyvis>=0.3.2'"
    )


def _display_path(page: Page, config: MkDocsConfig) -> str:
    """A page's source file as people name it: relative to mkdocs.yml (``docs/x.md``)."""
    base = Path(config.config_file_path or ".").resolve().parent
    path = Path(page.file.abs_src_path or page.file.src_uri).resolve()
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else page.file.src_uri


def _asset_bytes(name: str) -> bytes:
    return resources.files("readinglist.site").joinpath("assets", name).read_bytes()


def nav_sources(nav: Any) -> set[str]:
    """Every page path a ``nav`` configuration names."""
    if isinstance(nav, str):
        return {nav}
    if isinstance(nav, dict):
        return {src for value in nav.values() for src in nav_sources(value)}
    if isinstance(nav, list):
        return {src for item in nav for src in nav_sources(item)}
    return set()


def _add_files(
    files: Files, plan: SitePlan, config: MkDocsConfig, written: Mapping[str, Path]
) -> None:
    """The plan's pages and files, the site's assets and vis-network, as MkDocs files.

    ``written`` names the files the plan's writers write straight into the site folder
    (:mod:`readinglist.site.background`): each is a file whose source is its
    destination, which MkDocs leaves in place.
    """
    for src_uri, text in plan.pages.items():
        files.append(File.generated(config, src_uri, content=text))
    listed = nav_sources(config.nav)
    for src_uri in plan.html_in_build_order():
        # An empty source: the body is HTML already, put in by on_page_content.
        if src_uri in plan.paper_pages:
            file = File.generated(config, src_uri, content="", inclusion=InclusionLevel.NOT_IN_NAV)
            if src_uri not in listed:  # MkDocs would not give it its nav title
                HtmlSourcePage(None, file, config)
        else:
            file = File.generated(config, src_uri, content="")
        files.append(file)
    for src_uri, data in plan.files.items():
        files.append(File.generated(config, src_uri, content=data))
    for src_uri, path in written.items():
        files.append(File.generated(config, src_uri, abs_src_path=str(path)))
    for name in OWN_ASSETS:
        files.append(File.generated(config, f"{ASSETS}/{name}", content=_asset_bytes(name)))
    vis = vis_directory()
    for source, target in VIS_FILES.items():
        files.append(File.generated(config, f"{ASSETS}/{target}", abs_src_path=str(vis / source)))


class HtmlSourcePage(Page):
    """A paper page: its source is empty and its body HTML made by :func:`build_site`
    (put in by the plugin's ``on_page_content``), so rendering it needs no
    Python-Markdown instance (creating one per page was a tenth of a large build)."""

    def render(self, config: MkDocsConfig, files: Files) -> None:
        """Nothing to convert; Markdown a plugin put in is converted as usual."""
        if self.markdown:
            super().render(config, files)
            return
        self.content = ""
        self.toc = get_toc([])
        self._title_from_render = None
        self.present_anchor_ids = set()


class ReadingListPlugin(BasePlugin[ReadingListConfig]):
    """Generates the course site's pages from the reading list (see the module doc)."""

    root: Path | None = None
    library: Library | None = None
    plan: SitePlan | None = None
    error: ReadingListError | None = None
    """The library error that stopped the build, for ``readinglist build`` to report."""
    _citer: Citer | None = None
    _in_nav: Mapping[str, str] = MappingProxyType({})
    _rendered: dict[str, HtmlPage]
    """The lazy pages being built (between ``on_page_context`` and ``on_post_page``)."""
    _preloaded: tuple[Path, Library] | None = None
    _command: str | None = None
    _dirty: bool = False
    _kept: KeptPages | None = None
    """The previous build's paper pages, rewritten in place (see :mod:`.reuse`)."""
    _background: background.Background | None = None
    """The child process rendering the paper pages and writing the downloads."""

    def course_root(self, config: MkDocsConfig) -> Path:
        """The course folder: the ``root`` option, relative to ``mkdocs.yml``."""
        base = Path(config.config_file_path or ".").resolve().parent
        option = self.config.root
        return (base / option).resolve() if option else base

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig:
        """Load the library (a bad .bib fails the build here, with its file and line)."""
        from readinglist.store import find_root, load_library

        self.root = self.course_root(config)
        self._rendered = {}
        preloaded, self._preloaded = self._preloaded, None
        try:
            course = find_root(self.root)
            if preloaded is not None and preloaded[0] == course.resolve():
                self.library = preloaded[1]
            else:
                self.library = load_library(course).library
        except ReadingListError as exc:
            self.error = exc
            raise LibraryError(exc) from None
        for css in (f"{ASSETS}/readinglist.css", f"{ASSETS}/progress.css"):
            if css not in config.extra_css:
                config.extra_css.append(css)
        # Reading progress (read toggles, counts): browser-side, stored in localStorage.
        if f"{ASSETS}/progress.js" not in config.extra_javascript:
            config.extra_javascript.append(f"{ASSETS}/progress.js")
        self._citer = None
        offline.use_own_worker_shim(config)  # search from file:// without a CDN
        if config.theme.name == "material" and config.theme.get("font") is not False:
            log.warning(
                "theme.font is not false: Material will load Google Fonts; set "
                "'font: false' under theme in mkdocs.yml to keep the site offline"
            )
        return config

    def preload(self, root: Path, library: Library) -> None:
        """Build the next site from ``library``, read from the course folder ``root`` by
        the caller (``readinglist build`` checks it first): a library of 5,000 papers
        took 0.6 s to read again. Used once, and only if the plugin's course is ``root``."""
        self._preloaded = (root.resolve(), library)

    def use(self, library: Library, plan: SitePlan) -> None:
        """Render pages from now on from ``library`` and ``plan`` (``serve``'s updates)."""
        self.library, self.plan, self._citer = library, plan, None

    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files:
        """Add every generated page and file; hand-written pages win over generated ones."""
        assert self.library is not None
        handwritten = {f.src_uri for f in files}
        layout = Layout(use_directory_urls=config.use_directory_urls)
        try:
            plan = build_site(
                self.library,
                layout=layout,
                site_url=config.site_url or "",
                skip=handwritten,
                headings=HeadingStyle.from_config(config.mdx_configs.get("toc")),
            )
        except ReadingListError as exc:
            self.error = exc
            raise LibraryError(exc) from None
        self.plan = plan
        self._finish_background()  # a previous build's (serve)
        site = Path(config.site_dir)
        written = {src: site / src for src in plan.writers}
        _add_files(files, plan, config, written)
        if self._kept is not None:
            self._kept.restore(Path(f.abs_dest_path) for f in files if f.src_uri in plan.html)
        # Child processes render the pages and write the downloads while MkDocs builds
        # the pages, except under serve (its server runs threads).
        lazy = plan.html.lazy()
        course = {src: page.render for src, page in lazy.items() if src not in plan.paper_pages}
        papers = {src: page.render for src, page in lazy.items() if src in plan.paper_pages}
        downloads = {written[src]: write for src, write in plan.writers.items()}
        self._background = background.Background([course, papers], downloads)
        self._background.start(fork=self._command != "serve")
        if config.nav is None:
            # Only the site's own pages: listing every paper makes Material's build
            # quadratic (MEASURED.md), and papers are reached from lectures and search.
            pages = [f.src_uri for f in files
                     if f.src_uri in handwritten and f.is_documentation_page()]  # fmt: skip
            config.nav = default_nav(plan, pages)
        return files

    def on_startup(self, *, command: str, dirty: bool) -> None:
        """Note whether this is ``serve`` (see :meth:`on_files`) or a ``--dirty`` build."""
        self._command, self._dirty = command, dirty

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        """Keep the previous build's paper pages from MkDocs' emptying of the site folder,
        to rewrite them in place (see :mod:`readinglist.site.reuse`)."""
        self._kept = None
        if self._command != "serve" and not self._dirty:
            self._kept = KeptPages.set_aside(Path(config.site_dir), PAPER_FOLDER)

    def _finish_background(self, *, failed: bool = False) -> None:
        """Wait for the children and write what they left; a failed build writes nothing."""
        work, self._background = self._background, None
        if work is not None and failed:
            work.abandon()
        elif work is not None:
            work.finish()

    def _finish_kept(self) -> None:
        kept, self._kept = self._kept, None
        if kept is not None:
            kept.finish()

    @event_priority(100)  # before other plugins look at the site folder
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        """Wait until the downloads are written; delete kept pages not written again."""
        self._finish_background()
        self._finish_kept()

    def on_build_error(self, *, error: Exception) -> None:
        """Leave no child process behind, nor a page of an earlier build."""
        self._finish_background(failed=True)
        self._finish_kept()

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """Resolve citations in hand-written pages; put the generated course facts and
        schedule into a hand-written home page; give a generated page its metadata."""
        generated = self.generated_stub(page)
        if generated is not None:
            page.meta = generated.meta
            paper = self.plan is not None and page.file.src_uri in self.plan.paper_pages
            if paper and config.theme.name == "material" and chrome.ENABLED:  # see on_env
                page.meta["template"] = chrome.TEMPLATE
            return ""
        if not page.file.generated_by:
            markdown = self.cite(markdown, page=page, config=config)
        if self.plan is None or page.file.src_uri != HOME or page.file.generated_by:
            return markdown
        return home_markdown(markdown, self.plan.home)

    def cite(self, markdown: str, *, page: Page, config: MkDocsConfig) -> str:
        """A hand-written page with its citations resolved; unknown keys are warnings
        naming the file and line (which fail a ``--strict`` build)."""
        if "@" not in markdown or self.library is None:
            return markdown
        if self._citer is None:
            layout = Layout(use_directory_urls=config.use_directory_urls)
            self._citer = Citer(self.library, layout, self.config.citation_style)
        result = self._citer.cite(markdown, page.file.src_uri)
        if result.unknown:
            # page.markdown lacks the front matter: count its lines back in.
            skipped = max(0, page.file.content_string.count("\n") - markdown.count("\n"))
            where = _display_path(page, config)
            for line, key in result.unknown:
                log.warning("%s:%d: unknown citation key %r", where, line + skipped, key)
        return result.markdown

    def generated_stub(self, page: Page) -> HtmlPage | LazyPage | None:
        """The generated page a page of the site is, if it is one (a lazy one unrendered)."""
        if self.plan is None or not page.file.generated_by:
            return None
        return self.plan.html.stub(page.file.src_uri)

    def generated_page(self, page: Page) -> HtmlPage | None:
        """The generated HTML page a page of the site is, if it is one (rendered)."""
        stub = self.generated_stub(page)
        if isinstance(stub, LazyPage):
            return self._rendered.get(page.file.src_uri) or stub.render()
        return stub

    @staticmethod
    def _set_parts(page: Page, generated: HtmlPage) -> None:
        """A generated page's toc, anchors and search entry; see :meth:`on_page_content`."""
        page.toc = get_toc(generated.toc)  # type: ignore[arg-type]  # tokens as toc makes them
        page.present_anchor_ids = generated.anchors
        page.content = generated.search_html

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        """A generated page's HTML in place of its (empty) Markdown's; its toc and anchors.

        Until :meth:`on_page_context` the content is the part the search plugin indexes.
        A lazy page (a paper's) gets all of these in :meth:`on_page_context` instead, when
        MkDocs builds it: its HTML is made, written and let go one page at a time.
        """
        stub = self.generated_stub(page)
        if stub is None:
            return html
        if isinstance(stub, LazyPage):
            return ""
        self._set_parts(page, stub)
        return stub.search_html

    @event_priority(100)  # before the search plugin reads the page (default priority 0)
    def _render_lazy(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        stub = self.generated_stub(page)
        if isinstance(stub, LazyPage):
            src = page.file.src_uri
            work = self._background
            generated = work.get(src) if work is not None else stub.render()
            self._rendered[src] = generated
            self._set_parts(page, generated)
        return context

    @event_priority(-100)  # after the search plugin has read the page (default priority 0)
    def _whole_body(
        self, context: TemplateContext, /, *, page: Page, config: MkDocsConfig, nav: Navigation
    ) -> TemplateContext | None:
        generated = self.generated_page(page)
        if generated is not None:
            page.content = generated.html
        return context

    on_page_context = CombinedEvent(_render_lazy, _whole_body)
    """A lazy page rendered (its toc, anchors and search entry set before the search
    plugin reads them); then the whole body of every generated page, for the theme."""

    def _let_go(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        if self._rendered.pop(page.file.src_uri, None) is not None:
            page.content = None
        return output

    @event_priority(-100)  # after the other plugins: the output MkDocs writes
    def _note_written(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        if self._kept is not None and output.strip():  # MkDocs writes no empty page
            self._kept.written(Path(page.file.abs_dest_path))
        return output

    on_post_page = CombinedEvent(_let_go, _note_written)
    """Let a lazy page's HTML go once written (nothing later reads it); note each kept
    page of an earlier build that is written again."""

    def on_nav(self, nav: Navigation, /, *, config: MkDocsConfig, files: Files) -> Navigation:
        """Note which pages the navigation lists (see :meth:`on_env`)."""
        self._in_nav = {page.file.src_uri: page.url for page in nav.pages}
        return nav

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment:
        """Render the theme's navigation once for all paper pages (see navcache), and
        the rest of their chrome once per shape of page (see chrome)."""
        jinjacache.use(env)
        if self.plan is not None and config.theme.name == "material":
            folder = navcache.folder_key(self.plan.paper_pages, self._in_nav)
            navcache.install(env, folder)
            if chrome.ENABLED:
                chrome.install(env, folder)
        return env

    def on_post_template(
        self, output_content: str, /, *, template_name: str, config: MkDocsConfig
    ) -> str | None:
        """Make the 404 page work at any base path (see :mod:`readinglist.site.notfound`)."""
        if template_name != "404.html":
            return output_content
        from readinglist.site.notfound import relocatable

        return relocatable(output_content, config.site_url)

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer:
        """Rebuild when the reading list changes: ``bib/*.bib``, the course file, synced data."""
        root = self.root or self.course_root(config)
        bib = root / "bib"
        if bib.is_dir():
            server.watch(os.fspath(bib), recursive=True)
        return server
