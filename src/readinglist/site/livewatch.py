"""Watching the course folder under ``readinglist serve``: a fast watcher for ``bib/``,
snapshots of the watched files, and a way to ask the server for a reload.

MkDocs' live-reload server polls every watched path every 0.5 s; that delay alone is
half of the one second a ``.bib`` edit may take to reach the browser. ``bib/`` is
watched by the system's file events instead (inotify on Linux, through watchdog), with
the server's own handler, so the server's build loop runs as it always does. Only
public attributes of the server (``observer``, ``watch``, ``unwatch``) and of watchdog
(``event_queue``, ``emitters``) are used.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mkdocs.livereload import LiveReloadServer

log = logging.getLogger(__name__)

#: A file as a snapshot sees it: modification time (ns), size, inode.
Stamp = tuple[int, int, int]


def snapshot(paths: Iterable[Path]) -> dict[str, Stamp]:
    """Every file under ``paths`` (files or folders) with its stamp; missing paths are
    left out, so a file that appears or goes is a difference too."""
    out: dict[str, Stamp] = {}
    for path in paths:
        if path.is_file():
            _stamp(out, os.fspath(path))
            continue
        for folder, _, names in os.walk(path):
            for name in names:
                _stamp(out, os.path.join(folder, name))
    return out


def _stamp(out: dict[str, Stamp], path: str) -> None:
    try:
        st = os.stat(path)
    except OSError:  # gone between the listing and the stat: a change the next one sees
        return
    out[path] = (st.st_mtime_ns, st.st_size, st.st_ino)


def changed(before: Mapping[str, Stamp], after: Mapping[str, Stamp]) -> set[str]:
    """The paths added, removed or modified between two snapshots."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def watch_fast(server: LiveReloadServer, path: Path) -> Any | None:
    """Move the server's watch of ``path`` from its polling observer to a native one
    (inotify); returns the started observer, or None (the polling watch is kept) when
    the system refuses one."""
    from watchdog.observers import Observer
    from watchdog.observers.polling import PollingObserver

    if Observer is PollingObserver or not path.is_dir():
        return None
    fast = _changes_only(Observer)()  # type: ignore[arg-type]
    slow = server.observer
    with contextlib.suppress(KeyError):  # nobody watched it yet
        server.unwatch(os.fspath(path))
    server.observer = fast
    try:
        server.watch(os.fspath(path))  # the server's own handler, on the native observer
        fast.start()
    except OSError as exc:  # e.g. the inotify watch limit
        log.debug("no native file events for %s (%s); polling it", path, exc)
        server.observer = slow
        server.unwatch(os.fspath(path))
        server.watch(os.fspath(path))
        return None
    finally:
        server.observer = slow
    return fast


def _changes_only(observer: type[Any]) -> type[Any]:
    """``observer`` reporting only changes: inotify also reports every file opened and
    closed, and each build reads ``bib/``, which would start the next one."""
    from watchdog import events

    kinds = [events.FileCreatedEvent, events.FileModifiedEvent, events.FileDeletedEvent,
             events.FileMovedEvent, events.FileClosedEvent, events.DirMovedEvent,
             events.DirDeletedEvent, events.DirCreatedEvent]  # fmt: skip

    class ChangesOnly(observer):  # type: ignore[misc,valid-type]
        def schedule(self, handler: Any, path: str, *, recursive: bool = False,
                     event_filter: Any = None) -> Any:  # fmt: skip
            return super().schedule(handler, path, recursive=recursive,
                                    event_filter=event_filter or kinds)  # fmt: skip

    return ChangesOnly


def request_reload(observer: Any, path: Path) -> bool:
    """Tell the server that ``path`` changed (a synthetic event through its own handler),
    so its build loop runs the builder and then reloads the browsers. False when no
    watch of ``path`` is found."""
    from watchdog.events import FileModifiedEvent

    target = os.path.abspath(path)
    for emitter in list(observer.emitters):
        if emitter.watch.path == target:
            observer.event_queue.put((FileModifiedEvent(target), emitter.watch))
            return True
    return False
