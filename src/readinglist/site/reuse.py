"""The previous build's paper pages, kept so this build overwrites them in place.

MkDocs empties the site folder before a build, then writes every page anew. Creating a
file costs much more than rewriting one on some file systems. On this project's build
machine (ext4 without a journal, where the kernel passes over inodes deleted in the last
minute or so when it allocates one), a rebuild that had just deleted a thousand pages
spent 0.3 to 1.3 ms of system time on each new page (over a second at 1,000 papers);
rewriting an existing file took 0.07 ms. The paper pages are most of a large list's
site, and the plugin makes every one of them, so it keeps the previous build's paper
folder out of MkDocs' way:

1. before MkDocs empties the site folder (``on_pre_build``), the folder is renamed to a
   hidden name, which MkDocs' emptying leaves alone (:meth:`KeptPages.set_aside`);
2. once the site's files are known (``on_files``), it is renamed back, and every file in
   it that is not a page this build writes is deleted, as the emptying would have done
   (:meth:`KeptPages.restore`);
3. each kept page that this build writes is noted (:meth:`KeptPages.written`); after the
   build (or its failure), a kept page that was not written is deleted
   (:meth:`KeptPages.finish`), so no page of an earlier build survives.

The site ends up with the same files and bytes as after MkDocs' own emptying; only the
pages' inodes are the old ones. Not under ``serve`` nor ``--dirty``, where MkDocs does not
empty the folder this way; a folder that is a symbolic link is left to MkDocs.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

HIDDEN = ".readinglist-previous-pages"
"""The kept folder's name while MkDocs empties the site folder (hidden: left alone)."""


class KeptPages:
    """The previous build's copy of one folder of generated pages (see the module doc)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.aside = folder.parent / HIDDEN
        self._kept: set[Path] = set()

    @classmethod
    def set_aside(cls, site: Path, name: str) -> KeptPages | None:
        """Move ``site/name`` to the hidden name; None when there is nothing to keep."""
        kept = cls(site / name)
        _remove(kept.aside)  # left by a build that was killed half-way
        if kept.folder.is_symlink() or not kept.folder.is_dir():
            return None
        try:
            os.rename(kept.folder, kept.aside)
        except OSError:
            return None
        return kept

    def restore(self, pages: Iterable[Path]) -> None:
        """Put the folder back and delete what is not among ``pages`` (the files this
        build writes); with something in its place already, give up the old copy."""
        if self.folder.exists() or self.folder.is_symlink():
            _remove(self.aside)
            return
        try:
            os.rename(self.aside, self.folder)
        except OSError:
            _remove(self.aside)
            return
        wanted = {os.path.normpath(page) for page in pages}
        for top, folders, names in os.walk(self.folder, topdown=False):
            for name in names:
                path = os.path.join(top, name)
                if os.path.normpath(path) in wanted and not os.path.islink(path):
                    self._kept.add(Path(os.path.normpath(path)))
                else:
                    os.unlink(path)
            for name in folders:
                path = os.path.join(top, name)
                if os.path.islink(path):
                    os.unlink(path)
                elif not os.listdir(path):
                    os.rmdir(path)

    def written(self, page: Path) -> None:
        """``page`` was written by this build."""
        self._kept.discard(Path(os.path.normpath(page)))

    def finish(self) -> None:
        """Delete the kept pages this build did not write, and the hidden copy if the
        build stopped before restoring it."""
        for page in self._kept:
            page.unlink(missing_ok=True)
        self._kept.clear()
        _remove(self.aside)


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
