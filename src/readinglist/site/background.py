"""Work of a site build done by a child process while MkDocs builds the pages.

Two parts of a build of a large list depend on nothing MkDocs does: the paper pages'
HTML (rendered from our templates) and the download files (each lecture's and topic's
BibTeX, ``all.bib``, ``all.json``, the GraphML graph). :class:`Background` forks a copy
of the process that renders the paper pages, in the order MkDocs builds them, and
sends each through a pipe; then it writes the downloads. Meanwhile this process runs
MkDocs (its page template, the search index, writing the pages) on the other core.

The output is the same whichever process made it:

- a page the child did not send (it failed or stopped) is rendered here;
- each download goes straight to its place in the site folder through a temporary
  file renamed over it, so no reader sees half of one, and if the child did not write
  them all, :meth:`Background.finish` writes them here. MkDocs is given each as a file
  whose source *is* its destination, which its own copying leaves alone
  (``File.copy_file`` skips a file copied onto itself, "to let plugins write directly
  into site_dir");
- without ``fork``, or in a process running threads (``serve``'s server: a fork would
  copy them half-way), everything is done here, as before.
"""

from __future__ import annotations

import os
import pickle
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

Writer = Callable[[IO[str]], None]


def write_file(path: Path, write: Writer) -> None:
    """Write ``path`` with ``write`` (UTF-8, newlines as written), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as stream:
            write(stream)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


class Background:
    """The paper pages (source path -> a function rendering one) and the downloads
    (file -> its writer) of one build; see the module doc."""

    def __init__(self, pages: Mapping[str, Callable[[], Any]], downloads: Mapping[Path, Writer]):
        self.pages = dict(pages)
        self.downloads = dict(downloads)
        self.pid: int | None = None
        self._stream: IO[bytes] | None = None
        self._early: dict[str, Any] = {}
        self._written = False

    def start(self, *, fork: bool = True) -> bool:
        """Put a placeholder at each download's place and fork the child; without
        ``fork`` (or where forking is unsafe) write the downloads now. True if forked."""
        for path in self.downloads:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        if not fork or not hasattr(os, "fork") or threading.active_count() > 1:
            self._write_downloads()
            return False
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: leave without running any of the parent's exit code
            os.close(read)
            code = 1
            try:
                with open(write, "wb", buffering=1 << 20) as out:
                    for src, render in self.pages.items():
                        pickle.dump((src, render()), out, protocol=pickle.HIGHEST_PROTOCOL)
                self._write_downloads()
                code = 0
            except BaseException:  # noqa: BLE001  # the parent does what is missing
                pass
            finally:
                os._exit(code)
        os.close(write)
        self.pid = pid
        self._stream = open(read, "rb", buffering=1 << 20)  # noqa: SIM115  # closed in finish
        return True

    def _write_downloads(self) -> None:
        for path, write in self.downloads.items():
            write_file(path, write)
        self._written = True

    def get(self, src: str) -> Any:
        """The rendered page ``src``: from the child, or rendered here."""
        if src in self._early:
            return self._early.pop(src)
        while self._stream is not None:
            try:
                got, page = pickle.load(self._stream)
            except Exception:  # noqa: BLE001  # the end, or a child that stopped
                self._close()
                break
            if got == src:
                return page
            self._early[got] = page  # asked out of order: kept until asked
        return self.pages[src]()

    def _close(self) -> None:
        if self._stream is not None:
            self._stream.close()
            self._stream = None

    def finish(self) -> None:
        """Wait for the child (a closed pipe stops it) and write here any download it
        did not write."""
        self._close()
        self._early.clear()
        if self.pid is not None:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            self._written = os.waitstatus_to_exitcode(status) == 0
        if not self._written:
            self._write_downloads()

    def abandon(self) -> None:
        """Stop the child and wait for it, writing nothing (the build failed)."""
        self._close()
        if self.pid is not None:
            os.waitpid(self.pid, 0)
            self.pid = None
