"""Work of a site build done by a child process while MkDocs builds the pages.

Two parts of a build of a large list depend on nothing MkDocs does: the paper pages'
HTML (rendered from our templates) and the download files (each lecture's and topic's
BibTeX, ``all.bib``, ``all.json``, the GraphML graph, the graph page's data).
:class:`Background` forks copies of the process that render the generated pages (one
for the course's pages, then the downloads; one for the paper pages), in the order
MkDocs builds them, and hand each over through a file. Meanwhile this process runs MkDocs
(its page template, the search index, writing the pages).

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
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

Writer = Callable[[IO[str]], None]


def write_file(path: Path, write: Writer, *, keep_same: bool = False) -> bool:
    """Write ``path`` with ``write`` (UTF-8, newlines as written), atomically; with
    ``keep_same``, a file whose bytes would not change is left as it was. True when the
    file was replaced."""
    import filecmp

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        with temporary.open("w", encoding="utf-8", newline="") as stream:
            write(stream)
        if keep_same and path.is_file() and filecmp.cmp(temporary, path, shallow=False):
            return False
        os.replace(temporary, path)
        return True
    finally:
        temporary.unlink(missing_ok=True)


class _Child:
    """One child process: its pages come through a file (unlinked, so the disk cache
    holds them, not this process's memory), one byte on a pipe telling each is whole.
    The child never waits for this process, however far ahead it is."""

    def __init__(self, pid: int, ready: int, pages: IO[bytes]) -> None:
        self.pid = pid
        self.ready: int | None = ready
        self.pages = pages
        self.early: dict[str, Any] = {}

    def next(self) -> tuple[str, Any] | None:
        """The next page the child sent, or None when it sends no more."""
        if self.ready is None:
            return None
        try:
            if os.read(self.ready, 1):
                got: tuple[str, Any] = pickle.load(self.pages)
                return got
        except Exception:  # noqa: BLE001  # a child that stopped half-way
            pass
        self.close()
        return None

    def close(self) -> None:
        if self.ready is not None:
            os.close(self.ready)
            self.ready = None
            self.pages.close()


class Background:
    """Groups of pages (source path -> a function rendering one), each rendered by a
    child of its own, and the downloads (file -> its writer), written by the first
    child after its pages; see the module doc."""

    def __init__(
        self, groups: Sequence[Mapping[str, Callable[[], Any]]], downloads: Mapping[Path, Writer]
    ) -> None:
        self.pages = {src: render for group in groups for src, render in group.items()}
        self.groups = [dict(group) for group in groups]
        self.downloads = dict(downloads)
        self.children: list[_Child] = []
        self._child_of: dict[str, _Child] = {}
        self._written = False

    def start(self, *, fork: bool = True) -> bool:
        """Put a placeholder at each download's place and fork the children; without
        ``fork`` (or where forking is unsafe) write the downloads now. True if forked."""
        for path in self.downloads:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch()
        if not fork or not hasattr(os, "fork") or threading.active_count() > 1:
            self._write_downloads()
            return False
        for i, group in enumerate(self.groups):
            child = self._fork(group, downloads=i == 0)
            self.children.append(child)
            self._child_of.update(dict.fromkeys(group, child))
        return True

    def _fork(self, pages: Mapping[str, Callable[[], Any]], *, downloads: bool) -> _Child:
        handle, name = tempfile.mkstemp(prefix="readinglist-pages-")
        reader = open(name, "rb")  # noqa: SIM115  # closed by _Child.close
        os.unlink(name)  # both ends are open: the file lives until they close
        ready_read, ready_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: leave without running any of the parent's exit code
            os.close(ready_read)
            reader.close()
            for child in self.children:  # the ends of the children forked before
                child.close()
            code = 1
            try:
                with open(handle, "wb", buffering=1 << 20) as out:
                    for src, render in pages.items():
                        pickle.dump((src, render()), out, protocol=pickle.HIGHEST_PROTOCOL)
                        out.flush()
                        os.write(ready_write, b"\1")
                if downloads:
                    self._write_downloads()
                code = 0
            except BaseException:  # noqa: BLE001  # the parent does what is missing
                pass
            finally:
                os._exit(code)
        os.close(handle)
        os.close(ready_write)
        return _Child(pid, ready_read, reader)

    def _write_downloads(self) -> None:
        for path, write in self.downloads.items():
            write_file(path, write)
        self._written = True

    def get(self, src: str) -> Any:
        """The rendered page ``src``: from its child, or rendered here."""
        child = self._child_of.get(src)
        if child is not None:
            if src in child.early:
                return child.early.pop(src)
            while (sent := child.next()) is not None:
                if sent[0] == src:
                    return sent[1]
                child.early[sent[0]] = sent[1]  # asked out of order: kept until asked
        return self.pages[src]()

    def finish(self) -> None:
        """Wait for the children (a closed pipe stops one) and write here any download
        the first did not write."""
        written = self._written
        for i, child in enumerate(self.children):
            child.close()
            child.early.clear()
            _, status = os.waitpid(child.pid, 0)
            if i == 0:
                written = os.waitstatus_to_exitcode(status) == 0
        self.children = []
        self._child_of = {}
        if not written:
            self._write_downloads()

    def abandon(self) -> None:
        """Stop the children and wait for them, writing nothing (the build failed)."""
        for child in self.children:
            child.close()
            os.waitpid(child.pid, 0)
        self.children = []
        self._child_of = {}
