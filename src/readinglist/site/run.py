"""Build or serve a course folder's site with MkDocs (what ``readinglist build``/``serve`` run).

Errors come out as readinglist errors, so the CLI prints one line and exits as CLI.md
says: a broken ``.bib`` or course file is reported with its file and line (exit 2), an
unusable ``mkdocs.yml`` names that file (exit 2), and warnings in strict mode fail the
build with exit 1.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from readinglist.errors import ReadingListError, UsageError

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

    from readinglist.model import Library

log = logging.getLogger(__name__)

CONFIG_FILE = "mkdocs.yml"


class SiteBuildError(ReadingListError):
    """MkDocs could not build the site (the reason was logged above the error)."""


class StrictBuildError(SiteBuildError):
    """Warnings in strict mode: the site was not built."""

    exit_code = 1


def _config_file(root: Path) -> Path:
    path = root / CONFIG_FILE
    if not path.is_file():
        raise UsageError(
            "no mkdocs.yml in the course folder; it configures the site "
            "(theme, plugins: [search, readinglist])",
            file=CONFIG_FILE,
        )
    return path


def _check_site_dir(root: Path, site_dir: Path) -> None:
    """Refuse an output folder MkDocs would wipe together with the course."""
    root, site_dir = root.resolve(), site_dir.resolve()
    if site_dir == root or root.is_relative_to(site_dir):
        raise UsageError(f"the site folder {site_dir} would hold the course folder; choose another")
    for kept in ("bib", "docs"):
        if site_dir.is_relative_to(root / kept):
            raise UsageError(f"the site folder must not be inside {kept}/ (it is emptied first)")


def _load_config(root: Path, **options: Any) -> MkDocsConfig:
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    config_file = _config_file(root)
    try:
        return load_config(config_file=str(config_file), **options)
    except ConfigurationError as exc:
        raise _config_error(exc) from None
    except Abort as exc:
        raise SiteBuildError(f"invalid configuration: {exc}", file=CONFIG_FILE) from None


def _config_error(exc: Exception) -> SiteBuildError:
    """One line naming mkdocs.yml (and the line, for a YAML error) for a config error."""
    import yaml

    cause = exc.__cause__ or exc.__context__
    if isinstance(cause, yaml.MarkedYAMLError) and cause.problem_mark is not None:
        problem = " ".join(str(cause.problem or cause.context or "syntax error").split())
        line = cause.problem_mark.line + 1
        return SiteBuildError(f"not valid YAML: {problem}", file=CONFIG_FILE, line=line)
    return SiteBuildError(" ".join(str(exc).split()), file=CONFIG_FILE)


def _check_library(root: Path) -> None:
    # Read the list before MkDocs starts, so a broken .bib is one line with its file
    # and line (the plugin reads it again, from the parse cache).
    from readinglist.store import load_library

    load_library(root)


def build(
    root: Path,
    *,
    site_dir: Path | None = None,
    strict: bool = False,
    engine: str = "mkdocs",
    library: Library | None = None,
) -> Path:
    """Build the site of the course folder ``root``; returns the site folder.

    ``site_dir`` defaults to mkdocs.yml's ``site_dir`` (``site/`` next to it).
    ``engine``: ``mkdocs`` (with the plugin) or ``zensical`` (:mod:`.zensical_site`).
    ``library``: the course's library, read already by the caller (with citation data);
    without it the course is read here first.
    """
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.exceptions import Abort

    if library is None:
        _check_library(root)
    options: dict[str, Any] = {"strict": strict}
    if site_dir is not None:
        _check_site_dir(root, site_dir)
        options["site_dir"] = str(site_dir.resolve())
    config = _load_config(root, **options)
    _check_site_dir(root, Path(config.site_dir))
    if engine == "zensical":
        from readinglist.site import zensical_site

        return zensical_site.build(root, config, strict=strict)
    if "readinglist" not in config.plugins:
        log.warning("mkdocs.yml does not list the readinglist plugin: only docs/ is built")
    from readinglist.site.plugin import ReadingListPlugin

    plugin = config.plugins.get("readinglist")
    if library is not None and isinstance(plugin, ReadingListPlugin):
        plugin.preload(root, library)
    try:
        mkdocs_build(config)
    except Abort as exc:
        plugin = config.plugins.get("readinglist")
        error = getattr(plugin, "error", None)
        if isinstance(error, ReadingListError):
            raise error from None
        message = str(exc).strip()
        if "strict mode" in message:
            raise StrictBuildError(f"site not built: {message.rstrip('!')}") from None
        raise SiteBuildError(f"site not built: {message.rstrip('!')}") from None
    return Path(config.site_dir)


def serve(root: Path, *, dev_addr: str | None = None, engine: str = "mkdocs") -> None:
    """Serve the site with live reload until interrupted.

    Rebuilds when ``docs/``, ``mkdocs.yml`` or anything under ``bib/`` changes (the
    plugin's ``on_serve`` watches ``bib/``). Before each build it runs ``check`` and shows
    the findings in the log and on every page (:mod:`readinglist.site.serving`); findings
    never stop the preview. An edit of ``bib/*.bib`` files or the course file updates
    only the pages it changes (:mod:`readinglist.site.incremental`), the edited papers'
    pages first.
    """
    from urllib.parse import urlsplit

    from mkdocs.commands.serve import serve as mkdocs_serve
    from mkdocs.exceptions import Abort, ConfigurationError

    from readinglist.site import serving

    _check_library(root)
    config_file = _config_file(root)
    config = _load_config(root, dev_addr=dev_addr)  # fail early, with a clear line
    host, port = config.dev_addr
    _check_address(host, port)
    if engine == "zensical":
        from readinglist.site import zensical_site

        zensical_site.serve(root, config, dev_addr=dev_addr)
        return
    mount = urlsplit(config.site_url or "/").path.rstrip("/") + "/"
    shown_host = f"[{host}]" if ":" in host else host
    url = f"http://{shown_host}:{port}{mount}"
    hooks = [*config.hooks, str(Path(__file__).with_name("hooks") / "serve.py")]
    serving.start(root, url)
    serving.log.info("building the site of %s for %s ...", root, url)
    try:
        mkdocs_serve(config_file=str(config_file), livereload=True, dev_addr=dev_addr, hooks=hooks)
    except ConfigurationError as exc:
        raise _config_error(exc) from None
    except Abort as exc:
        raise SiteBuildError(f"site not served: {str(exc).strip().rstrip('!')}") from None
    finally:
        serving.STATE = None


def _check_address(host: str, port: int) -> None:
    """Refuse an address the server could not listen on, before building anything."""
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, _, _, _, address = infos[0]
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # Like the server: a port in TIME_WAIT is free to take.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot serve on {host}:{port}: {reason}") from None
