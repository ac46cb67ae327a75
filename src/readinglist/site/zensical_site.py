"""Build or serve a course site with Zensical (``readinglist build --engine zensical``).

Zensical reads mkdocs.yml but has no plugin API: it skips the readinglist plugin. So the
site goes to it as files: :func:`~readinglist.site.tree.course_tree` makes the whole tree
(generated pages, downloads, feed, graph data, assets, and the hand-written pages with
their citations resolved), which is written into a staging project, a hidden folder
beside the output (never into the course's ``docs/``):

- ``docs/``: the tree;
- ``mkdocs.yml``: ``INHERIT`` of the course's mkdocs.yml (Zensical's own way to extend a
  config) plus what the plugin would add: the staging folders, the navigation of the
  generated pages (when mkdocs.yml has none), the site's CSS and JavaScript, and the
  :mod:`~readinglist.site.mdext` Markdown extension through which generated pages,
  HTML already, skip Python-Markdown (Zensical's fast path, like the plugin's).

Zensical builds it (through its public ``zensical.build``/``zensical.serve``) and the
built site replaces the output folder. ``serve`` keeps the staging project while it
runs and rewrites the files of the tree that changed whenever ``bib/``, ``docs/`` or
mkdocs.yml change; Zensical's own watcher then rebuilds what they touch.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from readinglist.errors import UsageError
from readinglist.site import offline
from readinglist.site.run import SiteBuildError, StrictBuildError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from readinglist.site.tree import SiteTree

log = logging.getLogger(__name__)

STAGING_PREFIX = ".readinglist-zensical-"
INSTALL_HINT = 'pip install "readinglist-seminar[zensical]"'


def _zensical() -> Any:
    try:
        import zensical
    except ImportError:
        raise UsageError(
            f"the zensical engine needs Zensical, which is not installed: {INSTALL_HINT}"
        ) from None
    return zensical


def _plugin_option(config: MkDocsConfig, name: str, default: Any) -> Any:
    plugin = config.plugins.get("readinglist")
    options = getattr(plugin, "config", None)
    return options.get(name, default) if options is not None else default


def make_tree(root: Path, config: MkDocsConfig) -> SiteTree:
    """The site of the course folder ``root`` as files, configured by its mkdocs.yml."""
    from readinglist.site import citations
    from readinglist.site.markup import HeadingStyle
    from readinglist.site.tree import course_tree, read_docs
    from readinglist.store import find_root, load_library

    course = root
    option = _plugin_option(config, "root", None)
    if option:
        course = (Path(config.config_file_path).parent / option).resolve()
    library = load_library(find_root(course)).library
    # The pass-through extension is appended to mkdocs.yml's own list; without one there,
    # adding it would replace Zensical's default extensions, so pages go as Markdown.
    config_text = Path(config.config_file_path).read_text(encoding="utf-8")
    raw = re.search(r"^markdown_extensions:[ \t]*(#.*)?\r?\n[ \t]*-", config_text, re.M) is not None
    tree = course_tree(
        library,
        read_docs(Path(config.docs_dir)),
        use_directory_urls=config.use_directory_urls,
        site_url=config.site_url or "",
        headings=HeadingStyle.from_config(config.mdx_configs.get("toc")),
        citation_style=_plugin_option(config, "citation_style", citations.AUTHOR_YEAR),
        has_nav=config.nav is not None,
        raw=raw,
    )
    if not raw:
        tree.markdown_extensions = ()
    return tree


def staging_config(config: MkDocsConfig, tree: SiteTree) -> str:
    """The staging project's mkdocs.yml: the course's, inherited, plus the tree's needs."""
    data: dict[str, Any] = {
        "INHERIT": str(Path(config.config_file_path).resolve()),
        "docs_dir": "docs",
        "site_dir": "site",
    }
    if tree.nav:
        data["nav"] = tree.nav
    # Zensical merges lists of an inherited config by appending: add only what is missing.
    have_css = {str(x) for x in config.extra_css}
    have_js = {str(getattr(x, "path", x)) for x in config.extra_javascript}
    css = [x for x in tree.extra_css if x not in have_css]
    js = [x for x in tree.extra_javascript if x not in have_js]
    if css:
        data["extra_css"] = css
    if js:
        data["extra_javascript"] = js
    if offline.offline_enabled(config):
        # As the plugin does for Material: the site's own Worker shim for search from
        # file://, so that Zensical's offline support names no shim on a CDN.
        data["extra"] = {"polyfills": [offline.SHIM]}
    if tree.markdown_extensions:  # appended to mkdocs.yml's list
        data["markdown_extensions"] = list(tree.markdown_extensions)
    custom_dir = config.theme.custom_dir
    if custom_dir:  # relative to the course's mkdocs.yml, not to the staging project
        data["theme"] = {"custom_dir": str(Path(custom_dir).resolve())}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6)


def write_tree(tree: SiteTree, docs_dir: Path) -> int:
    """Make ``docs_dir`` hold exactly the tree's files; returns how many were written.

    Files whose bytes did not change are left alone (so a watching engine rebuilds only
    what changed); files no longer in the tree are removed.
    """
    written = 0
    for rel, data in tree.files.items():
        path = docs_dir / rel
        try:
            if path.read_bytes() == data:
                continue
        except OSError:
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    for path in sorted(docs_dir.rglob("*"), reverse=True):
        rel = path.relative_to(docs_dir).as_posix()
        if path.is_file() and rel not in tree.files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


def _stage(folder: Path, config: MkDocsConfig, tree: SiteTree) -> Path:
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    write_tree(tree, folder / "docs")
    config_file = folder / "mkdocs.yml"
    config_file.write_text(staging_config(config, tree), encoding="utf-8")
    return config_file


def _replace_folder(built: Path, target: Path) -> None:
    """Put the built site where the output goes (MkDocs also empties it first)."""
    if target.exists():
        old = target.with_name(f"{STAGING_PREFIX}old-{os.getpid()}")
        os.replace(target, old)
        os.replace(built, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(built, target)


def build(root: Path, config: MkDocsConfig, *, strict: bool = False) -> Path:
    """Build the site of ``root`` with Zensical into ``config.site_dir``; returns it."""
    zensical = _zensical()
    tree = make_tree(root, config)
    target = Path(config.site_dir).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    # Beside the output, so the built site moves into place without a copy.
    with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX, dir=target.parent) as tmp:
        config_file = _stage(Path(tmp), config, tree)
        try:
            zensical.build(str(config_file), {"clean": True, "strict": strict})
        except Exception as exc:  # Zensical reports its own errors as exceptions
            message = " ".join(str(exc).split()) or type(exc).__name__
            if strict:
                raise StrictBuildError(f"site not built: {message}") from None
            raise SiteBuildError(f"site not built: {message}") from None
        _replace_folder(Path(tmp) / "site", target)
    return target


def _snapshot(paths: list[Path]) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for base in paths:
        found: Iterator[Path] = base.rglob("*") if base.is_dir() else iter([base])
        for path in found:
            try:
                st = path.stat()
            except OSError:
                continue
            out[str(path)] = (st.st_mtime_ns, st.st_size)
    return out


def serve(root: Path, config: MkDocsConfig, *, dev_addr: str | None = None) -> None:
    """Serve the site with Zensical until interrupted, regenerating the tree when the
    course changes (``bib/``, ``docs/``, mkdocs.yml)."""
    from readinglist.errors import ReadingListError

    zensical = _zensical()
    tree = make_tree(root, config)
    watched = [root / "bib", Path(config.docs_dir), Path(config.config_file_path)]
    stop = threading.Event()
    with tempfile.TemporaryDirectory(prefix=STAGING_PREFIX) as tmp:
        folder = Path(tmp)
        config_file = _stage(folder, config, tree)

        def watch() -> None:
            seen = _snapshot(watched)
            while not stop.wait(0.5):
                now = _snapshot(watched)
                if now == seen:
                    continue
                seen = now
                try:
                    fresh = make_tree(root, config)
                    written = write_tree(fresh, folder / "docs")
                    config_file.write_text(staging_config(config, fresh), encoding="utf-8")
                except ReadingListError as exc:
                    log.error("%s (the site keeps its last good state)", exc)
                    continue
                log.info("course changed: %d file(s) of the site rewritten", written)

        thread = threading.Thread(target=watch, name="readinglist-watch", daemon=True)
        thread.start()
        options: dict[str, Any] = {"open": False, "strict": False}
        if dev_addr:
            options["dev_addr"] = dev_addr
        try:
            zensical.serve(str(config_file), options)
        except KeyboardInterrupt:
            pass  # Ctrl-C ends a preview, as with mkdocs serve
        finally:
            stop.set()
            thread.join(timeout=2)
