"""Incremental rebuilds under ``readinglist serve``: a ``.bib`` (or course file) edit
rewrites only the pages whose content changed.

MkDocs' live-reload server calls its builder after each change, and that builder makes
the whole site again (7-10 s at 1,000 papers). :class:`Builder` takes its place
(``server.builder``) and tells from snapshots of the watched files what changed:

- only ``bib/*.bib`` files and the course file, the course still readable, and the
  navigation the same (no lecture or topic added, removed or retitled): an *update*,
  in two steps;
- anything else (``docs/``, ``mkdocs.yml``, ``bib/synced/``, a course that cannot be
  read, a new navigation): the whole build.

The update:

1. *The pages near the edit*, before the browsers reload: the library is read again
   (the parse cache re-parses only the edited file), the site's data is made anew
   (:class:`~readinglist.site.views.SiteData`: ranks, author index and graph are
   global), and the pages of the changed papers, lectures and topics, of the topics
   and lectures of those papers, and the indexes are rendered and run through MkDocs'
   page pipeline (every plugin's page events, the theme's template, ``on_post_page``),
   then written, each atomically. When check's findings changed, every other page
   gets the new banner (:func:`~readinglist.site.serving.rebanner`: the banner is the
   last thing added).
2. *The rest*, in the background after the reload: the whole generated site is made in
   memory (:func:`~readinglist.site.pages.build_site`) and compared with what is
   served. Only the pages and files that differ go through the pipeline and are
   written; removed papers' pages are deleted, the theme's static templates (sitemap)
   made again when the set of pages changed, and the search index put together from
   each page's entries (the search plugin's own writer, through every plugin's
   ``on_post_build``). Then the browsers reload again.

After step 2 the served folder holds the bytes a whole build of the edited course gives
(tests/test_serve_incremental.py compares them). A change that arrives while step 2
compares stops it (the next update's step 2 does it all); one that arrives while it
writes waits for it. Only public MkDocs APIs are used: the plugin events through
``config.plugins``, ``get_context``, ``File.generated``, the build's own Jinja
environment, and the search plugin's ``search_index`` (Material's, which the course
sites use; with another search plugin every change is a whole build). The served
folder itself is :class:`~readinglist.site.served.Site`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from readinglist.site import livewatch, serving
from readinglist.site.served import Cancelled, FullBuild, Site

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer

    from readinglist.model import Library
    from readinglist.site.serving import LastBuild, ServeState

log = logging.getLogger("readinglist.serve")


class Builder:
    """The server's builder under ``readinglist serve`` (see the module doc)."""

    def __init__(
        self, server: LiveReloadServer, full: Callable[..., None], config: MkDocsConfig,
        state: ServeState,
    ) -> None:  # fmt: skip
        self.server, self.full, self.state = server, full, state
        self.bib = state.root.resolve() / "bib"
        self.paths = [self.bib, Path(config.docs_dir), *(Path(p) for p in config.watch)]
        if config.config_file_path:
            self.paths.append(Path(config.config_file_path))
        self.seen = livewatch.snapshot(self.paths)
        self.fast = livewatch.watch_fast(server, self.bib)
        self.site: Site | None = None
        self.rest: threading.Thread | None = None
        self.cancel = threading.Event()
        self.force_full = ""

    @classmethod
    def install(cls, server: LiveReloadServer, config: MkDocsConfig, state: ServeState) -> Builder:
        """Put a Builder in place of ``server.builder`` (which it calls for whole builds)."""
        builder = cls(server, server.builder, config, state)
        server.builder = builder
        return builder

    def __call__(self, config: MkDocsConfig | None = None) -> None:
        """Update or rebuild the site after a change (called by the server's build loop)."""
        before, self.seen = self.seen, livewatch.snapshot(self.paths)
        paths = {p for p in livewatch.changed(before, self.seen) if not self._unread(Path(p))}
        last = self.state.last
        if config is None and not paths and not self.force_full and last is not None:
            return  # step 2 asked the browsers to reload (it may still be finishing)
        self._stop_rest()
        reason = self._why_whole(paths, config)
        if reason is None and last is not None:
            try:
                self._update(last)
                return
            except FullBuild as exc:
                reason = str(exc)
            except Exception as exc:  # a bug here must not stop the preview
                log.warning("the update failed (%s: %s); building the whole site",
                            type(exc).__name__, exc,
                            exc_info=log.isEnabledFor(logging.DEBUG))  # fmt: skip
                reason = "the update failed"
        log.debug("building the whole site: %s", reason)
        self.force_full, self.site = "", None
        if config is None:
            self.full()
        else:
            self.full(config)

    def _why_whole(self, paths: Iterable[str], config: MkDocsConfig | None) -> str | None:
        if config is not None or self.state.last is None:
            return "no whole build to update"
        if self.force_full:
            return self.force_full
        from readinglist.course import COURSE_FILE

        for path in sorted(paths):
            p = Path(path)
            course = p == self.bib.parent / COURSE_FILE
            if not course and not (p.suffix == ".bib" and p.parent == self.bib):
                return f"{p} changed"
        return None

    def _unread(self, path: Path) -> bool:
        """True for a file under ``bib/`` that no build reads (an editor's backup or swap
        file): the course reads the course file, ``bib/*.bib`` and ``bib/synced/``."""
        from readinglist.course import COURSE_FILE

        if not path.is_relative_to(self.bib) or path.is_relative_to(self.bib / "synced"):
            return False
        if path == self.bib.parent / COURSE_FILE:
            return False
        return not (path.suffix == ".bib" and path.parent == self.bib)

    def _update(self, last: LastBuild) -> None:
        started = time.monotonic()
        state = self.state
        site = self.site
        if site is None or site.last is not last:
            site = self.site = Site(last, state.findings)
        library = site.read_library(state)
        read = time.monotonic()
        near = site.near(library)
        rendered = site.apply(near, library)
        written = len(rendered)
        if state.findings != site.findings:  # the banner on every other page
            written += site.rebanner(state.findings, skip=rendered)
        log.debug("read %.3f s, near pages %.3f s", read - started, time.monotonic() - read)
        log.info("%s updated %d %s in %.1f s (%s)", time.strftime("%H:%M:%S"), written,
                 "page" if written == 1 else "pages", time.monotonic() - started,
                 serving.checked())  # fmt: skip
        self.cancel = threading.Event()
        self.rest = threading.Thread(
            target=self._rest, args=(site, library, self.cancel), daemon=True
        )
        self.rest.start()

    def _rest(self, site: Site, library: Library, cancel: threading.Event) -> None:
        started = time.monotonic()
        try:
            pages, files = site.finish(library, cancel)
        except Cancelled:
            log.debug("the rest of the update gave way to the next change")
            return
        except Exception as exc:  # noqa: BLE001 (a whole build repairs whatever it was)
            why = str(exc) if isinstance(exc, FullBuild) else f"{type(exc).__name__}: {exc}"
            log.debug("the rest of the update failed: %s", why, exc_info=True)
            self.force_full = why or "the rest of the update failed"
            livewatch.request_reload(self.fast or self.server.observer, self.bib)
            return
        log.info("%s updated the rest of the site in %.1f s: %d %s, %d %s",
                 time.strftime("%H:%M:%S"), time.monotonic() - started,
                 pages, "page" if pages == 1 else "pages",
                 files, "file" if files == 1 else "files")  # fmt: skip
        if pages or files:
            livewatch.request_reload(self.fast or self.server.observer, self.bib)

    def _stop_rest(self) -> None:
        """Stop step 2 of the last update, if it is still comparing (the next update
        redoes it), or wait until it has written what it found."""
        rest = self.rest
        if rest is not None:
            self.cancel.set()
            rest.join()
        self.rest = None

    def close(self) -> None:
        """Stop the fast watcher and wait for an update under way."""
        if self.fast is not None:
            self.fast.stop()
        rest = self.rest
        if rest is not None:
            rest.join(timeout=30)
