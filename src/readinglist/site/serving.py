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
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer

    from readinglist.check import Finding

log = logging.getLogger("readinglist.serve")

BANNER_ID = "readinglist-check"


@dataclass
class ServeState:
    """One ``serve`` run: the course folder, its address, the builds so far."""

    root: Path
    url: str = ""
    builds: int = 0
    started: float = 0.0
    findings: tuple[Finding, ...] = ()
    shown: tuple[str, ...] | None = field(default=None)


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


def on_pre_build(config: MkDocsConfig) -> None:
    """Run ``check`` on the course before each build; note the time."""
    from readinglist.check import check_library
    from readinglist.errors import ReadingListError
    from readinglist.store import load_library

    state = STATE
    if state is None:
        return
    state.started = time.monotonic()
    try:
        loaded = load_library(state.root, citations=False)
    except ReadingListError as exc:
        # The plugin fails this build with the same error; the last good site stays up.
        state.findings, state.shown = (), None
        log.error("error: %s", exc)
        return
    report = check_library(loaded.library, loaded.problems, loaded.extra_files)
    state.findings = report.findings
    lines = tuple(str(f) for f in report.findings)
    if lines != state.shown:  # the same findings again are not repeated
        for line in lines:
            log.warning("%s", line)
        state.shown = lines


def on_post_build(config: MkDocsConfig) -> None:
    """Say that a build ended, when and how long it took, and what check found."""
    state = STATE
    if state is None:
        return
    state.builds += 1
    took = time.monotonic() - state.started
    what = "built" if state.builds == 1 else "rebuilt"
    found = f"check: {_summary(state.findings)}"
    log.info("%s %s the site in %.1f s (%s)", time.strftime("%H:%M:%S"), what, took, found)


def on_serve(server: LiveReloadServer, config: MkDocsConfig, builder: Any) -> LiveReloadServer:
    """Say where the site is served and which paths are watched (after every plugin's
    ``on_serve``, so the reading list's ``bib/`` is among them)."""
    state = STATE
    if state is not None:
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
    banner = banner_html(state.findings)
    if not banner:
        return output
    for pattern in (_ARTICLE, _BODY):
        m = pattern.search(output)
        if m:
            return output[: m.end()] + banner + output[m.end() :]
    return banner + output
