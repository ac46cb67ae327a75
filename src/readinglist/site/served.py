"""The served folder of ``readinglist serve``, updated in place page by page (the
mechanics of :mod:`readinglist.site.incremental`'s updates).

:class:`Site` holds what the last whole build made (its MkDocs files, navigation, Jinja
environment and plugins, the plan of generated pages) and runs single pages through
MkDocs' page pipeline with public APIs: the plugin events through ``config.plugins``,
``get_context``, the build's own environment, ``on_post_page``; the theme's static
templates as MkDocs' build makes them; the search index from each page's entries,
written by the search plugin's own ``on_post_build``. Every file is replaced
atomically and only when its bytes change.
"""

from __future__ import annotations

import dataclasses
import gzip
import hashlib
import io
import logging
import os
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from readinglist.errors import ReadingListError
from readinglist.site import serving
from readinglist.site.background import write_file

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.pages import Page

    from readinglist.model import Library
    from readinglist.site.pages import HtmlPage, Pages, SitePlan
    from readinglist.site.plugin import ReadingListPlugin
    from readinglist.site.serving import LastBuild, ServeState

log = logging.getLogger("readinglist.serve")

PLUGIN = "readinglist"
"""The plugin's name in ``config.plugins`` (and the ``generated_by`` of its files)."""


class FullBuild(Exception):
    """This change needs the whole build; the message says why."""


class Cancelled(Exception):
    """Step 2 of an update stopped before changing anything: another change came."""


class Site:
    """The served site of the last whole build, updated in place page by page."""

    def __init__(self, last: LastBuild, findings: tuple[Any, ...]) -> None:
        from readinglist.site.markup import HeadingStyle, Layout
        from readinglist.site.plugin import ReadingListPlugin

        self.last = last
        self.config, self.files, self.nav, self.env = last.config, last.files, last.nav, last.env
        plugin = self.config.plugins.get(PLUGIN)
        if not isinstance(plugin, ReadingListPlugin) or plugin.plan is None:
            raise FullBuild("mkdocs.yml does not use the readinglist plugin")
        if plugin.library is None or plugin.root is None:
            raise FullBuild("the plugin has no library")
        self.plugin: ReadingListPlugin = plugin
        self.plan: SitePlan = plugin.plan
        self.library: Library = plugin.library
        self.search = _search_plugin(self.config)
        self.entries: dict[str, list[Any]] = {}
        if self.search is not None:
            for entry in self.search.search_index.entries:
                url = str(entry.get("location", "")).partition("#")[0]
                self.entries.setdefault(url, []).append(entry)
        self.findings = findings
        self.served: dict[str, bytes] = {}
        """A digest of each generated page as served (see :meth:`_digest_of`)."""
        self.handwritten = {f.src_uri for f in self.files if f.generated_by != PLUGIN}
        self.mapped = self._page_set()
        """The pages the sitemap lists, in order (made again when they change)."""
        self.layout = Layout(use_directory_urls=self.config.use_directory_urls)
        self.headings = HeadingStyle.from_config(self.config.mdx_configs.get("toc"))

    def read_library(self, state: ServeState) -> Library:
        """The course's library as it is now, checked (the findings logged as a build
        logs them). The citation data, the largest file, is the last build's: only
        ``.bib`` files changed."""
        from readinglist.store import load_library

        if self.plugin.root is None or self.plugin.root.resolve() != state.root.resolve():
            raise FullBuild("the plugin reads another course folder")
        try:
            loaded = load_library(state.root, citations=False)
        except ReadingListError as exc:
            raise FullBuild(str(exc)) from None
        serving.show_findings(state, loaded)
        old = self.library
        return dataclasses.replace(loaded.library, citations=old.citations, external=old.external)

    # ------------------------------------------------------------ step 1

    def near(self, library: Library) -> dict[str, HtmlPage]:
        """The generated pages of the papers that changed, their topics and lectures and
        the papers index, as they are now."""
        from readinglist.site import course_pages, paper_pages
        from readinglist.site.render import Renderer
        from readinglist.site.views import PAPERS, SCHEDULE, TOPICS, SiteData, lecture_src

        old = self.library
        _same_frame(old, library)
        changed = {k for k, p in library.papers.items() if old.papers.get(k) != p}
        removed = old.papers.keys() - library.papers.keys()
        lectures = {lec.number for lec in library.lectures if lec not in old.lectures}
        topics = {t.slug for t in library.topics if t not in old.topics}
        if not changed and not removed and not lectures and not topics:
            return {}
        d = SiteData(library, self.layout, site_url=self.config.site_url or "")
        r = Renderer(d, self.headings)
        # The papers citing or cited by them show their titles too, but there may be
        # dozens: step 2 updates them, after the page being edited is served.
        keys = changed
        slugs = {library.papers[k].topic for k in changed} | topics
        slugs |= {old.papers[k].topic for k in (changed | removed) & old.papers.keys()}
        out: dict[str, HtmlPage] = {}
        for k in sorted(keys):
            view = d.papers.get(k)
            if view is not None:
                out[view.src] = paper_pages.paper(d, r, view)
        for topic in library.topics:
            src = d.topic_src(topic.slug)
            if topic.slug in slugs and src:
                out[src] = course_pages.topic(d, r, topic)
        for lec in library.lectures:
            if lec.number in lectures or not (changed | removed).isdisjoint(lec.keys):
                out[lecture_src(lec.number)] = course_pages.lecture(d, r, lec)
        out[PAPERS] = paper_pages.papers_index(d, r)
        if lectures:  # readings: the schedule counts them; the papers list their lectures
            out[SCHEDULE] = course_pages.schedule(d, r)
            keys = {k for lec in (*old.lectures, *library.lectures) if lec.number in lectures
                    for k in lec.keys} & library.papers.keys()  # fmt: skip
            for k in sorted(keys):
                out[d.papers[k].src] = paper_pages.paper(d, r, d.papers[k])
        if topics:
            out[TOPICS] = course_pages.topics_index(d, r)
        return {src: page for src, page in out.items() if src not in self.handwritten}

    def apply(self, pages: Mapping[str, HtmlPage], library: Library) -> set[str]:
        """Render and write ``pages`` (generated pages, new ones too); returns the pages
        rendered."""
        known = set(self.plan.html)
        fresh: dict[str, HtmlPage] = {}
        for src, page in pages.items():
            digest = _digest(page)
            if src not in known or self._digest_of(src) != digest:
                fresh[src] = page
            self.served[src] = digest
        if not fresh:
            return set()
        # Only paper pages can be new here: topics and lectures come from the course file.
        papers = {src for src in fresh if src not in known}
        self.plan = dataclasses.replace(
            self.plan, html=_overlay(self.plan.html, fresh),
            paper_pages=self.plan.paper_pages | papers,
        )  # fmt: skip
        self.plugin.use(library, self.plan)
        self.library = library
        doc_files = self._doc_files()
        for src in fresh:
            file = self.files.get_file_from_path(src)
            if file is None:
                file = self._page_file(src)
                self.files.append(file)
                doc_files = self._doc_files()
            assert file.page is not None
            self._render(file.page, doc_files)
        return set(fresh)

    def rebanner(self, findings: tuple[Any, ...], *, skip: set[str]) -> int:
        """Give every served page but ``skip`` the banner of ``findings`` (check's
        findings changed); returns how many pages were written."""
        written = 0
        for file in self._doc_files():
            if file.src_uri in skip:
                continue
            path = Path(file.abs_dest_path)
            try:
                html = path.read_bytes().decode("utf-8")
            except FileNotFoundError:
                continue  # MkDocs wrote nothing for an empty page
            try:
                html = serving.rebanner(html, self.findings, findings)
            except ValueError as exc:
                raise FullBuild(str(exc)) from None
            written += _write(path, html.encode("utf-8", errors="xmlcharrefreplace"))
        self.findings = findings
        return written

    # ------------------------------------------------------------ step 2

    def finish(self, library: Library, cancel: threading.Event) -> tuple[int, int]:
        """Make the rest of the site agree with ``library``; returns how many pages and
        other files were written or removed. Until it starts writing, ``cancel`` stops
        it (Cancelled), leaving everything as it was."""
        from readinglist.site.pages import build_site

        plan = build_site(
            library, layout=self.layout, site_url=self.config.site_url or "",
            skip=self.handwritten, headings=self.headings,
        )  # fmt: skip
        if cancel.is_set():
            raise Cancelled
        old = self.plan
        if plan.pages != old.pages or plan.nav != old.nav:
            raise FullBuild("the generated Markdown pages or the navigation changed")
        known, planned = set(old.html), list(plan.html)
        pages, served = [], {}
        for src in planned:  # one page at a time: a large list's pages may be lazy
            if cancel.is_set():
                raise Cancelled
            served[src] = _digest(plan.html[src])
            if src not in known or self._digest_of(src) != served[src]:
                pages.append(src)
        gone = sorted(known - served.keys())
        files = [uri for uri, data in plan.files.items() if old.files.get(uri) != data]
        gone_files = [uri for uri in old.files if uri not in plan.files]
        listed = _listed(self.config)
        new = [src for src in pages if src not in known]
        if any(src in listed or src not in plan.paper_pages for src in new):
            raise FullBuild("a new page is in the navigation")
        if cancel.is_set():
            raise Cancelled
        # From here on the site changes: no stopping half-way.
        removed = [f for f in self.files if f.src_uri in {*gone, *gone_files}]
        self.files = self._reorder(old, plan, set(files))
        self.plan, self.served = plan, served
        self.plugin.use(library, plan)
        self.library = library
        written = 0
        for file in removed:
            if file.page is not None:
                self.entries.pop(file.page.url, None)
            with_path = Path(file.abs_dest_path)
            if with_path.exists():
                with_path.unlink()
                written += 1
        doc_files = self._doc_files()
        by_src = {f.src_uri: f for f in self.files}
        pages_written = sum(
            self._render(page, doc_files)
            for page in [*(by_src[src].page for src in pages), *self._handwritten_pages()]
            if page is not None
        )
        for uri in files:
            written += _write(by_src[uri].abs_dest_path, plan.files[uri])
        for uri, write in plan.writers.items():
            written += write_file(Path(by_src[uri].abs_dest_path), write, keep_same=True)
        if self._page_set() != self.mapped:
            self._static_templates()
            self.mapped = self._page_set()
        self._post_build()
        return pages_written, written

    def _digest_of(self, src: str) -> bytes:
        """The digest of a served generated page; the first time, of the served plan's
        page (a lazy page is rendered for it, once)."""
        if src not in self.served:
            self.served[src] = _digest(self.plan.html[src])
        return self.served[src]

    def _handwritten_pages(self) -> list[Page]:
        # They may cite papers (citations.py) and hold the home page's generated parts.
        return [f.page for f in self._doc_files() if f.src_uri in self.handwritten and f.page]

    def _reorder(self, old_plan: SitePlan, plan: SitePlan, changed: set[str]) -> Files:
        """The build's files with the plan's, in the order a whole build lists them
        (the sitemap and the search index follow it)."""
        from mkdocs.structure.files import File, Files

        old = list(self.files)
        by_src = {f.src_uri: f for f in old if f.generated_by == PLUGIN}
        planned = {*old_plan.pages, *old_plan.html, *old_plan.files, *old_plan.writers}
        planned |= {*plan.pages, *plan.html, *plan.files, *plan.writers}
        mine: list[File] = [by_src[src] for src in plan.pages]
        for src in plan.html_in_build_order():
            mine.append(by_src.get(src) or self._page_file(src))
        for uri, data in plan.files.items():
            file = by_src.get(uri)
            if file is None or uri in changed:
                file = File.generated(self.config, uri, content=data)
                file.generated_by = PLUGIN
            mine.append(file)
        # A streamed file's File names the file a whole build wrote; it is copied from
        # there by whole builds only (updates write it themselves).
        mine += [by_src[uri] for uri in plan.writers if uri in by_src]
        mine += [f for f in old if f.generated_by == PLUGIN and f.src_uri not in planned]
        first = next(i for i, f in enumerate(old) if f.generated_by == PLUGIN)
        others = [f for f in old if f.generated_by != PLUGIN]
        before = [f for f in old[:first] if f.generated_by != PLUGIN]
        return Files([*before, *mine, *others[len(before) :]])

    # ------------------------------------------------------------ MkDocs' pipeline

    def _page_set(self) -> tuple[str, ...]:
        return tuple(f.src_uri for f in self._doc_files())

    def _doc_files(self) -> list[File]:
        from mkdocs.structure.files import InclusionLevel

        return list(self.files.documentation_pages(inclusion=InclusionLevel.is_in_serve))

    def _page_file(self, src: str) -> File:
        """A new paper page, as the plugin adds it (see ``plugin._add_files``)."""
        from mkdocs.structure.files import File, InclusionLevel

        from readinglist.site.plugin import HtmlSourcePage

        file = File.generated(self.config, src, content="", inclusion=InclusionLevel.NOT_IN_NAV)
        file.generated_by = PLUGIN
        HtmlSourcePage(None, file, self.config)
        return file

    def _render(self, page: Page, doc_files: list[File]) -> int:
        """Run one page through MkDocs' page pipeline and write it when its bytes
        changed (1) or not (0); keep its search entries."""
        from mkdocs.commands.build import get_context

        config, files = self.config, self.files
        page = config.plugins.on_pre_page(page, config=config, files=files)
        page.read_source(config)
        assert page.markdown is not None
        page.markdown = config.plugins.on_page_markdown(
            page.markdown, page=page, config=config, files=files
        )
        page.render(config, files)
        assert page.content is not None
        page.content = config.plugins.on_page_content(
            page.content, page=page, config=config, files=files
        )
        page.active = True
        try:
            context = get_context(self.nav, doc_files, config, page)
            template = self.env.get_template(page.meta.get("template", "main.html"))
            with self._entries_of(page):
                context = config.plugins.on_page_context(
                    context, page=page, config=config, nav=self.nav
                )
            output = template.render(context)
            output = config.plugins.on_post_page(output, page=page, config=config)
        finally:
            page.active = False
        if not output.strip():
            return 0
        return _write(page.file.abs_dest_path, output.encode("utf-8", errors="xmlcharrefreplace"))

    def _entries_of(self, page: Page) -> _Capture:
        return _Capture(self, page)

    def _static_templates(self) -> None:
        """The theme's static templates (the sitemap lists every page), as MkDocs' build
        makes them."""
        import jinja2
        from mkdocs import utils
        from mkdocs.commands.build import get_context

        config = self.config
        for name in config.theme.static_templates:
            try:
                template = self.env.get_template(name)
            except jinja2.TemplateNotFound:
                continue
            template = config.plugins.on_pre_template(template, template_name=name, config=config)
            if utils.is_error_template(name):
                base_url = urlsplit(config.site_url or "/").path
            else:
                base_url = utils.get_relative_url(".", name)
            context = get_context(self.nav, self.files, config, base_url=base_url)
            context = config.plugins.on_template_context(context, template_name=name, config=config)
            output = template.render(context)
            output = config.plugins.on_post_template(output, template_name=name, config=config)
            if not output.strip():
                continue
            path = os.path.join(config.site_dir, name)
            _write(path, output.encode("utf-8"))
            if name == "sitemap.xml":
                pages = [f.page for f in self.files.documentation_pages() if f.page is not None]
                buffer = io.BytesIO()
                with gzip.GzipFile(fileobj=buffer, filename=f"{path}.gz", mode="wb",
                                   mtime=utils.get_build_timestamp(pages=pages)) as gz:  # fmt: skip
                    gz.write(output.encode("utf-8"))
                _write(f"{path}.gz", buffer.getvalue())

    def _post_build(self) -> None:
        """The search index from every page's entries, in page order, then every
        plugin's ``on_post_build`` (the search plugin writes the index; the offline
        plugin its script)."""
        state = serving.STATE
        if self.search is not None:
            current = self.search.search_index
            index = type(current)(**current.config)
            for file in self._doc_files():
                if file.page is not None:
                    index.entries.extend(self.entries.get(file.page.url, ()))
            self.search.search_index = index
        if state is not None:
            state.updating = True
        try:
            self.config.plugins.on_post_build(config=self.config)
        finally:
            if state is not None:
                state.updating = False


class _Capture:
    """Collects what the search plugin indexes of one page (its ``on_page_context``)."""

    def __init__(self, site: Site, page: Page) -> None:
        self.site, self.page = site, page
        self.saved: Any = None

    def __enter__(self) -> None:
        search = self.site.search
        if search is not None:
            self.saved = search.search_index
            search.search_index = type(self.saved)(**self.saved.config)

    def __exit__(self, *exc: object) -> None:
        search = self.site.search
        if search is not None:
            self.site.entries[self.page.url] = search.search_index.entries
            search.search_index = self.saved


def _search_plugin(config: MkDocsConfig) -> Any | None:
    """The search plugin whose index is a list of entries (Material's), or None when
    there is no search; FullBuild for one whose index cannot be updated page by page."""
    for name, plugin in config.plugins.items():
        index = getattr(plugin, "search_index", None)
        if index is None and not name.endswith("search"):
            continue
        if isinstance(getattr(index, "entries", None), list) and hasattr(index, "config"):
            return plugin
        raise FullBuild(f"the {name} plugin's index cannot be updated page by page")
    return None


def _same_frame(old: Library, new: Library) -> None:
    """Refuse an update when the navigation would change (the lectures' numbers and
    titles, the topics' slugs and titles) or the synced data did: only papers, and in
    the course file readings, dates, descriptions and links, are updated in place."""
    course = ("papers", "entries", "course", "topics", "lectures")
    for f in dataclasses.fields(old):
        if f.name not in course and getattr(old, f.name) != getattr(new, f.name):
            raise FullBuild(f"the library's {f.name} changed")
    if [(lec.number, lec.title) for lec in old.lectures] != [
        (lec.number, lec.title) for lec in new.lectures
    ] or [(t.slug, t.title) for t in old.topics] != [(t.slug, t.title) for t in new.topics]:
        raise FullBuild("the navigation changed (a lecture's or topic's title)")


def _digest(page: HtmlPage) -> bytes:
    """What tells two renderings of a generated page apart (title, body, toc, meta)."""
    return hashlib.blake2b(repr(page).encode(), digest_size=16).digest()


def _overlay(html: Pages, fresh: Mapping[str, HtmlPage]) -> Pages:
    """The plan's pages with ``fresh`` ones in place, without rendering the others (its
    lazy pages stay lazy)."""
    from readinglist.site.pages import Pages

    out = Pages()
    for src in html:
        stub = html.stub(src)
        assert stub is not None
        out[src] = fresh.get(src, stub)
    for src in fresh.keys() - set(html):
        out[src] = fresh[src]
    return out


def _listed(config: MkDocsConfig) -> set[str]:
    from readinglist.site.plugin import nav_sources

    return nav_sources(config.nav)


def _write(path: str | os.PathLike[str], data: bytes) -> int:
    """Replace the file with ``data`` atomically (readers get the old or the new file);
    1 when its bytes changed, 0 when they were the same already (nothing written)."""
    from readinglist.store import write_atomic

    target = Path(path)
    try:
        if target.read_bytes() == data:
            return 0
    except OSError:
        target.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(target, data, durable=False)  # a preview's files: no fsync
    return 1
