"""What ``readinglist serve`` adds to MkDocs' live preview: it says where it serves, what it
watches and when each build ends, and it shows what ``check`` finds, in the terminal
and as a banner on every page, while it keeps serving.

The MkDocs events below reach the build through a hook file (``hooks/serve.py``) that
:func:`readinglist.site.run.serve` adds to the configuration; MkDocs reloads that
configuration on each rebuild, so the state lives here, in this module. Messages go to
the ``readinglist.serve`` logger (the CLI prints them); nothing here prints.
"""

from __future__ import annotations

import html
import logging
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation

    from readinglist.check import Finding
    from readinglist.site.incremental import Builder
    from readinglist.store import LoadResult

log = logging.getLogger("readinglist.serve")

BANNER_ID = "readinglist-check"


@dataclass
class LastBuild:
    """What the last whole build made, for :mod:`.incremental` to update in place."""

    config: MkDocsConfig
    files: Files
    nav: Navigation
    env: jinja2.Environment


@dataclass
class ServeState:
    """One ``serve`` run: the course folder, its address, the builds so far."""

    root: Path
    url: str = ""
    builds: int = 0
    started: float = 0.0
    findings: tuple[Finding, ...] = ()
    shown: tuple[str, ...] | None = field(default=None)
    building: dict[str, Any] = field(default_factory=dict)
    """The build under way: its files, nav and Jinja environment, as the events pass."""
    updating: bool = False
    """True while :mod:`.incremental` runs the build events itself (it says what it did)."""
    last: LastBuild | None = None
    """The last build that ended well (None after a failed one)."""
    builder: Builder | None = None
    """The server's builder (:func:`on_serve` puts it in place)."""


STATE: ServeState | None = None


def start(root: Path, url: str) -> None:
    """Begin a serve run of ``root`` (called before MkDocs' serve)."""
    global STATE
    STATE = ServeState(root=root, url=url)


def _summary(findings: tuple[Finding, ...]) -> str:
    errors = sum(f.severity == "error" for f in findings)
    warnings = len(findings) - errors
    e = "error" if errors == 1 else "errors"
    w = "warning" if warnings == 1 else "warnings"
    return f"{errors} {e}, {warnings} {w}"


def run_check(state: ServeState) -> bool:
    """Run ``check`` on the course and log new findings; False when the course could not
    be read at all (the error is logged; the build that follows fails with it)."""
    from readinglist.errors import ReadingListError
    from readinglist.store import load_library

    try:
        loaded = load_library(state.root, citations=False)
    except ReadingListError as exc:
        # The plugin fails this build with the same error; the last good site stays up.
        state.findings, state.shown = (), None
        log.error("error: %s", exc)
        return False
    show_findings(state, loaded)
    return True


def show_findings(state: ServeState, loaded: LoadResult) -> None:
    """Check the course as ``loaded`` (without citation data) and log new findings."""
    from readinglist.check import check_library

    report = check_library(loaded.library, loaded.problems, loaded.extra_files)
    state.findings = report.findings
    lines = tuple(str(f) for f in report.findings)
    if lines != state.shown:  # the same findings again are not repeated
        for line in lines:
            log.warning("%s", line)
        state.shown = lines


def on_pre_build(config: MkDocsConfig) -> None:
    """Run ``check`` on the course before each build; note the time."""
    state = STATE
    if state is None:
        return
    state.started = time.monotonic()
    state.last = None
    state.building = {}
    run_check(state)


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Keep the build's files (for incremental updates; see :mod:`.incremental`)."""
    if STATE is not None:
        STATE.building["files"] = files
    return files


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    """Keep the build's navigation."""
    if STATE is not None:
        STATE.building["nav"] = nav
    return nav


def on_env(env: jinja2.Environment, config: MkDocsConfig, files: Files) -> jinja2.Environment:
    """Keep the build's Jinja environment (the theme's, as the plugins left it)."""
    if STATE is not None:
        STATE.building["env"] = env
    return env


def checked() -> str:
    """``check: 1 error, 0 warnings``: what check found, for the build lines."""
    return f"check: {_summary(STATE.findings if STATE else ())}"


def on_post_build(config: MkDocsConfig) -> None:
    """Say that a build ended, when and how long it took, and what check found."""
    state = STATE
    if state is None or state.updating:
        return
    state.builds += 1
    took = time.monotonic() - state.started
    what = "built" if state.builds == 1 else "rebuilt"
    log.info("%s %s the site in %.1f s (%s)", time.strftime("%H:%M:%S"), what, took, checked())
    parts = state.building
    if {"files", "nav", "env"} <= parts.keys():
        state.last = LastBuild(config, parts["files"], parts["nav"], parts["env"])
    state.building = {}


def on_shutdown() -> None:
    """Stop what :func:`on_serve` started (the fast watcher, an update under way)."""
    state = STATE
    if state is not None and state.builder is not None:
        state.builder.close()


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
    """Say where the site is served and which paths are watched (after every plugin's
    ``on_serve``, so the reading list's ``bib/`` is among them)."""
    state = STATE
    if state is not None:
        from readinglist.site.incremental import Builder

        state.builder = Builder.install(server, config, state)
        # The server's own list (private in MkDocs 1.6) holds what plugins added; without
        # it, what MkDocs itself watches.
        paths = getattr(server, "_watched_paths", None) or [
            config.docs_dir,
            config.config_file_path or "",
            *config.watch,
        ]
        watched = sorted(_relative(Path(p), state.root) for p in paths if p)
        watched += sorted(_relative(Path(p), state.root) for p in config.watch)
        url = state.url or server.url
        listen = server.server_activate

        def activate() -> None:
            # Said once the socket listens: a browser opened on this line gets the site.
            listen()
            log.info("serving on %s (Ctrl-C stops)", url)
            log.info("watching for changes: %s", ", ".join(dict.fromkeys(watched)))

        server.server_activate = activate  # type: ignore[method-assign]
    return server


def _relative(path: Path, root: Path) -> str:
    path = path.resolve()
    try:
        rel = path.relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)
    return f"{rel}/" if path.is_dir() else rel


_ARTICLE = re.compile(r'<article class="md-content__inner[^"]*">')
_BODY = re.compile(r"<body[^>]*>")


def banner_html(findings: tuple[Finding, ...]) -> str:
    """The admonition shown at the top of every page while there are findings."""
    if not findings:
        return ""
    errors = any(f.severity == "error" for f in findings)
    title = f"readinglist check: {_summary(findings)}"
    if errors:
        title += " (readinglist build refuses to build with errors)"
    items = [
        f"<code>{html.escape(f.file)}:{f.line}</code> {html.escape(f.severity)}: "
        f"{html.escape(f.message)} <code>[{html.escape(f.code)}]</code>"
        for f in findings
    ]
    kind = "failure" if errors else "warning"
    lis = "".join(f"<li>{item}</li>" for item in items)
    return (
        f'<div class="admonition {kind}" id="{BANNER_ID}" role="alert">'
        f'<p class="admonition-title">{html.escape(title)}</p><ul>{lis}</ul></div>'
    )


def on_post_page(output: str, page: Any, config: MkDocsConfig) -> str:
    """Put the findings banner at the top of the page's content."""
    state = STATE
    if state is None:
        return output
    return _with_banner(output, banner_html(state.findings))


def _with_banner(output: str, banner: str) -> str:
    if not banner:
        return output
    for pattern in (_ARTICLE, _BODY):
        m = pattern.search(output)
        if m:
            return output[: m.end()] + banner + output[m.end() :]
    return banner + output


def rebanner(output: str, old: tuple[Finding, ...], new: tuple[Finding, ...]) -> str:
    """A page :func:`on_post_page` gave the banner of ``old`` findings, as it would be
    with ``new`` ones (the banner is the last thing added to a page). Raises ValueError
    when the page does not hold the old banner."""
    before = banner_html(old)
    if before:
        at = output.find(before)
        if at < 0:
            raise ValueError("the page does not hold the banner of the findings it was built with")
        output = output[:at] + output[at + len(before) :]
    return _with_banner(output, banner_html(new))
