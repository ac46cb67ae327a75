"""The store step of a sync: reading ``state.json`` and writing ``bib/synced/``.

Only files under ``bib/synced/`` are written, each through :func:`store.write_text`
(atomic; nothing written when the bytes are equal), in the deterministic layout of
:mod:`readinglist.synced`. ``state.json`` holds the day the stored data last changed: it
moves only when another file's content changes, so an idle sync changes no byte.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from readinglist import store
from readinglist.errors import StoreError
from readinglist.model import Library
from readinglist.sync.merge import SyncData
from readinglist.synced import (
    SYNCED_DIR,
    SyncState,
    dump_arxiv,
    dump_candidates,
    dump_changes,
    dump_citations,
    dump_publications,
    dump_state,
    parse_state,
)

STATE_FILE = "state.json"
# Changes first: a crash after them but before the data they describe makes the rerun
# find the same changes again, which the changes file de-duplicates.
FILES = (
    "changes.json",
    "arxiv.json",
    "publications.json",
    "citations.json",
    "candidates.json",
    STATE_FILE,
)


def load_state(root: Path) -> SyncState:
    """``bib/synced/state.json`` (empty when there is none)."""
    rel = f"{SYNCED_DIR}/{STATE_FILE}"
    if not (root / rel).exists():
        return SyncState()
    data = store.read_bytes(root, rel)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError("not UTF-8", file=rel) from None
    return parse_state(text, rel)


def stored_date(state: SyncState, library: Library) -> str:
    """The day the stored data last changed (``an earlier sync`` when only records
    say there was one; empty: never synced)."""
    if state.changed:
        return state.changed
    if library.changes:
        return max(c.date for c in library.changes)
    return "an earlier sync" if library.arxiv else ""


class Writer:
    """Writes machine-owned files where their content changed, keeping ``state.json``'s
    ``changed`` day: it is written *before* the first changed file of a run, so a crash
    cannot leave new data with an old day (a rerun would find nothing to change and never
    move it). With ``dry_run`` it only notes what it would write."""

    def __init__(self, root: Path, date: str, dry_run: bool, state: SyncState) -> None:
        self.root = root
        self.date = date
        self.dry_run = dry_run
        self.state = state
        self.written: list[str] = []

    def _differs(self, name: str, text: str, empty: bool) -> bool:
        path = self.root / SYNCED_DIR / name
        try:
            return path.read_bytes() != text.encode("utf-8")
        except FileNotFoundError:
            return not empty  # no file and nothing to say: no file
        except OSError as exc:
            raise StoreError(exc.strerror or str(exc), file=f"{SYNCED_DIR}/{name}") from None

    def _put(self, name: str, text: str) -> None:
        rel = f"{SYNCED_DIR}/{name}"
        if not self.dry_run:
            store.write_text(self.root, rel, text)
        if rel not in self.written:
            self.written.append(rel)

    def write(self, name: str, text: str, empty: bool = False) -> None:
        """Write ``bib/synced/<name>`` if its content changed (``empty``: the text says
        nothing, so a missing file need not be created)."""
        if not self._differs(name, text, empty):
            return
        if self.state.changed != self.date:
            self.state = replace(self.state, changed=self.date)
            self._put(STATE_FILE, dump_state(self.state))
        self._put(name, text)

    def save_state(self) -> None:
        """Write ``state.json`` if it changed (dating the change)."""
        if not self._differs(STATE_FILE, dump_state(self.state), self.state == SyncState()):
            return
        self.state = replace(self.state, changed=self.date)
        self._put(STATE_FILE, dump_state(self.state))

    @property
    def saved_data(self) -> list[str]:
        """The files written other than ``state.json``."""
        return [w for w in self.written if not w.endswith(STATE_FILE)]


def file_text(data: SyncData, name: str) -> tuple[str, bool]:
    """The text of one machine-owned file, and whether it says nothing."""
    if name == "arxiv.json":
        return dump_arxiv(dict(sorted(data.records.items()))), not data.records
    if name == "publications.json":
        text = dump_publications(dict(sorted(data.publications.items())))
        return text, not data.publications
    if name == "citations.json":
        return dump_citations(data.citations, data.external), not data.citations
    if name == "candidates.json":
        return dump_candidates(data.candidates), not data.candidates
    return dump_changes(data.changes), not data.changes


def save(data: SyncData, writer: Writer, *names: str) -> None:
    """Write these files, in this order, where their content changed."""
    for name in names:
        if name == STATE_FILE:
            writer.save_state()
        else:
            writer.write(name, *file_text(data, name))
