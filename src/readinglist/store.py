"""The only module that reads and writes the course folder.

Contract:
- hand-written files (``bib/*.bib``, ``bib/course.yml``) are read, never rewritten;
  :func:`append_text` adds to the end of a ``.bib`` leaving every existing byte in place;
- every write is atomic (temp file in the same folder, fsync, ``os.replace``), so a
  reader or a crash sees the old file or the new one, never half of one;
- :func:`lock` keeps two writers (two syncs) from interleaving;
- parsed ``.bib`` files are cached outside the course folder, keyed by their exact bytes,
  so an unchanged file is never parsed twice and a changed one always is. Cache entries
  are written atomically but not fsynced: one lost or cut short by a crash fails to
  unpickle and is parsed again.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import gc
import hashlib
import json
import logging
import os
import pickle
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from readinglist import __version__, environment
from readinglist.bibtex import Problem, decode_bib, paper_from_raw, parse_bib
from readinglist.course import COURSE_FILE, parse_course
from readinglist.errors import (
    BibSyntaxError,
    CourseFileError,
    CourseNotFoundError,
    LockHeldError,
    StoreError,
)
from readinglist.model import Library, Paper
from readinglist.records import resolve_crossrefs
from readinglist.synced import (
    SYNCED_DIR,
    SyncedData,
    parse_arxiv,
    parse_candidates,
    parse_changes,
    parse_citations,
    parse_publications,
)

log = logging.getLogger(__name__)

LOCK_FILE = ".readinglist.lock"
_CACHE_VERSION = f"3-{__version__}"  # bump when Paper changes shape


@dataclass(frozen=True)
class LoadResult:
    """A loaded library and the per-file problems found while reading it."""

    library: Library
    problems: tuple[tuple[str, Problem], ...] = ()
    extra_files: tuple[str, ...] = field(default=())


def find_root(root: str | os.PathLike[str] | None = None) -> Path:
    """The course folder: ``root`` or the current directory; it must hold the course file."""
    path = Path(root) if root is not None else Path.cwd()
    if not path.is_dir():
        raise CourseNotFoundError(f"{path} is not a folder", file=str(path))
    if not (path / COURSE_FILE).is_file():
        raise CourseNotFoundError(
            f"no course file {COURSE_FILE} here; run 'readinglist init DIR' to start a course "
            "or pass --root DIR",
            file=str(path),
        )
    return path


def read_bytes(root: Path, rel: str) -> bytes:
    """Read a file of the course folder, turning OS errors into one clear error."""
    try:
        return (root / rel).read_bytes()
    except IsADirectoryError:
        raise StoreError("is a folder, not a file", file=rel) from None
    except PermissionError:
        raise StoreError("permission denied", file=rel) from None
    except OSError as exc:
        raise StoreError(exc.strerror or str(exc), file=rel) from None


def _cache_dir() -> Path | None:
    return environment.cache_dir()  # READINGLIST_CACHE_DIR, read with the other variables


@dataclass(frozen=True)
class _FileData:
    """What one ``.bib`` file yields: its papers (derived data computed) and problems."""

    papers: tuple[Paper, ...]
    problems: tuple[Problem, ...]


def _papers_of(data: bytes, rel: str) -> _FileData:
    parsed = parse_bib(decode_bib(data, rel), rel)
    topic = Path(rel).stem
    papers = []
    for raw in parsed.entries:
        paper = paper_from_raw(raw, topic, rel)
        # Computed now so the cache holds them: a warm load then does no LaTeX work.
        _ = paper.identity
        papers.append(paper)
    return _FileData(tuple(papers), parsed.problems)


def _load_file(data: bytes, rel: str) -> _FileData:
    """Parse one ``.bib`` file, or take it from the cache when its bytes are unchanged."""
    cache = _cache_dir()
    digest = hashlib.sha256(_CACHE_VERSION.encode() + b"\0" + rel.encode() + b"\0" + data)
    path = cache / f"{digest.hexdigest()}.pickle" if cache else None
    if path is not None:
        try:
            with path.open("rb") as fh:
                cached = pickle.load(fh)
            if isinstance(cached, _FileData):
                return cached
        except FileNotFoundError:
            pass
        except Exception as exc:  # a damaged cache entry is only a cache miss
            log.debug("ignoring cache entry %s: %s", path, exc)
    result = _papers_of(data, rel)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # Not fsynced: an entry lost or cut short by a crash fails to unpickle, a miss.
            data = pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(path, data, durable=False)
        except (OSError, StoreError) as exc:
            log.debug("cannot write cache %s: %s", path, exc)
    return result


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cycle collector while the papers are read or unpickled.

    Reading builds about a hundred objects per paper (strings, tuples, dataclasses) and
    none of them form a cycle, yet each collector pass walks every object made so far:
    for 10,000 papers those passes were a third of a warm ``check``. Cycles made
    meanwhile are collected once the collector is back.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        # What was made meanwhile goes straight to the oldest generation (freeze, then
        # unfreeze, moves every object there without a pass): otherwise the first pass
        # after this walks it all at once. Not when the program froze objects itself:
        # unfreezing would hand them back to the collector.
        if gc.get_freeze_count() == 0:
            gc.freeze()
            gc.unfreeze()
        gc.enable()


def bib_files(root: Path) -> list[str]:
    """The hand-written ``.bib`` files, relative to the course folder, sorted."""
    bib = root / "bib"
    return sorted(f"bib/{p.name}" for p in bib.glob("*.bib"))


def _synced_text(root: Path, name: str) -> str | None:
    rel = f"{SYNCED_DIR}/{name}"
    if not (root / rel).exists():
        return None
    data = read_bytes(root, rel)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise StoreError("not UTF-8", file=rel) from None


def load_synced(root: Path, *, with_citations: bool = True) -> SyncedData:
    """Read the machine-owned data (empty when nothing has been synced yet).

    ``with_citations=False`` skips the citation data, the largest file, for commands that do
    not use it.
    """
    arxiv = publications = {}
    citations: tuple = ()
    external: dict = {}
    candidates: tuple = ()
    changes: tuple = ()
    if (text := _synced_text(root, "arxiv.json")) is not None:
        arxiv = parse_arxiv(text)
    if (text := _synced_text(root, "publications.json")) is not None:
        publications = parse_publications(text)
    if with_citations and (text := _synced_text(root, "citations.json")) is not None:
        citations, external = parse_citations(text)
    if (text := _synced_text(root, "candidates.json")) is not None:
        candidates = parse_candidates(text)
    if (text := _synced_text(root, "changes.json")) is not None:
        changes = parse_changes(text)
    return SyncedData(arxiv, publications, citations, external, candidates, changes)


def load_library(root: Path, *, synced: bool = True, citations: bool = True) -> LoadResult:
    """Read the whole course folder into a Library.

    Raises BibSyntaxError / CourseFileError / StoreError (exit 2) for files that cannot
    be read at all (not UTF-8, unreadable); everything else is returned as problems for
    ``check``, an entry that cannot be read included: the other entries of its file are
    read, checked and published.
    """
    course_data = read_bytes(root, COURSE_FILE)
    try:
        course_text = course_data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = course_data.count(b"\n", 0, exc.start) + 1
        raise CourseFileError("not UTF-8", file=COURSE_FILE, line=line) from None
    course = parse_course(course_text, COURSE_FILE)
    slugs = [t.slug for t in course.topics]
    files = bib_files(root)
    by_stem = {Path(f).stem: f for f in files}
    ordered = [by_stem[s] for s in slugs if s in by_stem]
    extra = [f for f in files if Path(f).stem not in set(slugs)]
    entries: list[Paper] = []
    problems: list[tuple[str, Problem]] = []
    with _collector_paused():
        for rel in ordered + extra:
            loaded = _load_file(read_bytes(root, rel), rel)
            problems.extend((rel, p) for p in loaded.problems)
            entries.extend(loaded.papers)
        resolved, crossref_problems = resolve_crossrefs(entries)
    for i, paper in resolved.items():
        entries[i] = paper
    for cp in crossref_problems:
        line = cp.paper.field_line(cp.field)
        problems.append(
            (cp.paper.location.file, Problem(line, cp.code, cp.message, cp.severity, cp.paper.key))
        )
    papers: dict[str, Paper] = {}
    for paper in entries:
        papers.setdefault(paper.key, paper)
    data = load_synced(root, with_citations=citations) if synced else SyncedData()
    library = Library(
        course=course.course,
        topics=course.topics,
        lectures=course.lectures,
        papers=papers,
        entries=tuple(entries),
        arxiv=data.arxiv,
        publications=data.publications,
        citations=data.citations,
        external=data.external,
        candidates=data.candidates,
        changes=data.changes,
        course_file=COURSE_FILE,
    )
    return LoadResult(library, tuple(problems), tuple(extra))


def write_atomic(path: Path, data: bytes, *, durable: bool = True) -> None:
    """Replace ``path`` with ``data`` atomically: readers see the old or the new file.

    ``durable=False`` skips the two fsyncs that make the new file survive a power cut:
    for the parse cache, where a lost or cut-short entry is only a cache miss.
    Raises StoreError (naming the file) when the folder is read-only or the disk is full;
    the old file is then left exactly as it was.
    """
    import tempfile  # here: commands that only read (a warm check) never import it

    fd = -1
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fd = -1
            fh.write(data)
            fh.flush()
            if durable:
                os.fsync(fh.fileno())
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        else:
            os.chmod(tmp, 0o644)
        os.replace(tmp, path)
        tmp = ""
        if durable:
            _fsync_folder(path.parent)
    except OSError as exc:
        reason = {errno.ENOSPC: "disk full", errno.EACCES: "permission denied",
                  errno.EROFS: "read-only file system", errno.EPERM: "permission denied"}.get(
            exc.errno or 0, exc.strerror or str(exc)
        )  # fmt: skip
        raise StoreError(
            f"cannot write: {reason}; the file was left as it was", file=str(path)
        ) from None
    finally:
        if fd >= 0:
            os.close(fd)
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _fsync_folder(folder: Path) -> None:
    with contextlib.suppress(OSError):
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)


def write_text(root: Path, rel: str, text: str) -> bool:
    """Atomically write a machine-owned file; returns False (and writes nothing) when the
    file already holds exactly this text, so an unchanged sync changes no byte."""
    path = root / rel
    data = text.encode("utf-8")
    try:
        if path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise StoreError(exc.strerror or str(exc), file=rel) from None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create folder: {exc.strerror}", file=str(path.parent)) from None
    write_atomic(path, data)
    return True


def append_text(root: Path, rel: str, text: str) -> None:
    """Append BibTeX to a hand-written file, leaving every existing byte in place.

    A blank line separates the new text from the old; a file without a final newline
    gets one first; a CRLF file gets CRLF. The write is atomic, so a failure leaves the
    old file whole.
    """
    path = root / rel
    try:
        old = path.read_bytes() if path.exists() else b""
    except OSError as exc:
        raise StoreError(exc.strerror or str(exc), file=rel) from None
    newline = b"\r\n" if b"\r\n" in old else b"\n"
    new = text.encode("utf-8").replace(b"\r\n", b"\n")
    if newline != b"\n":
        new = new.replace(b"\n", newline)  # follow the file's own line endings
    sep = b"" if not old else (newline if old.endswith((b"\n", b"\r")) else newline * 2)
    write_atomic(path, old + sep + new)


def _remove_stale_temp_files(root: Path) -> None:
    """Delete temp files a killed writer left behind (safe only while holding the lock)."""
    synced = root / SYNCED_DIR
    for stale in synced.glob(".*.tmp") if synced.is_dir() else ():
        with contextlib.suppress(OSError):
            stale.unlink()


@contextlib.contextmanager
def lock(root: Path, command: str) -> Iterator[None]:
    """Hold the course folder's lock for one writing command.

    A second holder is refused at once with LockHeldError saying who holds it.
    """
    path = root / LOCK_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise StoreError(f"cannot create the lock file: {exc.strerror}", file=LOCK_FILE) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = "another readinglist process"
            with contextlib.suppress(Exception):
                info = json.loads(os.pread(fd, 4096, 0).decode() or "{}")
                holder = f"'readinglist {info['command']}' (pid {info['pid']} on {info['host']})"
            raise LockHeldError(
                f"the course folder is locked by {holder}; wait for it to finish",
                file=LOCK_FILE,
            ) from None
        _remove_stale_temp_files(root)
        import socket  # only here: the lock's holder is named by host

        info = {"pid": os.getpid(), "host": socket.gethostname(), "command": command}
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        try:
            yield
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


__all__ = [
    "BibSyntaxError",
    "LoadResult",
    "append_text",
    "bib_files",
    "find_root",
    "load_library",
    "load_synced",
    "lock",
    "read_bytes",
    "write_atomic",
    "write_text",
]
