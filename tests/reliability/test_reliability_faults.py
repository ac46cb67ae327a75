"""Faults around the course folder: a second lock holder, writes that fail (disk full,
permission, read-only folder), unreadable files. Rows of ``corpus.FAULTS``.

Root ignores file permissions, so the permission cases are simulated by making the
system calls fail (monkeypatch); the real ``chmod`` variant runs when not root.
"""

from __future__ import annotations

import errno
import os
import pathlib
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from readinglist import store
from readinglist.errors import LockHeldError
from tests.helpers import snapshot
from tests.reliability.corpus import TODAY, Fails
from tests.reliability.runner import Ran, assert_refused, run_unchanged
from tests.standins import arxiv_server
from tests.standins.arxiv_server import ArxivStandIn, sample_paper
from tests.standins.s2_server import S2StandIn
from tests.test_sync import arxiv_papers_for, library_of, s2_papers_for, sync_env

REPO = Path(__file__).resolve().parents[2]
HOLD_LOCK = """
import sys
from pathlib import Path
from readinglist import store
with store.lock(Path(sys.argv[1]), "sync"):
    print("held", flush=True)
    sys.stdin.readline()
"""


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.fixture
def lock_holder(course: Path) -> Iterator[subprocess.Popen[str]]:
    """Another process holding the course folder's lock as ``readinglist sync``."""
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(course)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=_env(),
    )  # fmt: skip
    try:
        assert proc.stdout is not None and proc.stdout.readline() == "held\n"
        yield proc
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=10)


def test_second_lock_holder_in_another_process_is_refused(
    course: Path, lock_holder: subprocess.Popen[str], run
) -> None:  # type: ignore[no-untyped-def]
    holder = f"'readinglist sync' (pid {lock_holder.pid} on {socket.gethostname()})"
    with pytest.raises(LockHeldError) as info, store.lock(course, "add"):
        pass
    assert holder in str(info.value)
    # Through the CLI: sync refuses at once, before any request (the services are
    # unreachable here: a request would end in exit 3, not 2).
    started = time.monotonic()
    (ran,) = run_unchanged(run, course, [["sync", "--no-citations"]])
    assert_refused(ran, Fails(None, f"locked by {holder}"), store.LOCK_FILE)
    assert time.monotonic() - started < 5


def test_two_sync_processes_the_second_is_refused(course: Path, tmp_path: Path) -> None:
    """Two ``python -m readinglist sync``: the first hangs on a silent arXiv, holding
    the lock; the second is refused with exit 2 naming the first."""
    library = library_of(course)
    hand = snapshot(course / "bib")
    with ArxivStandIn(arxiv_papers_for(library), hang_seconds=30) as ax:
        ax.inject(["hang"] * 5)
        env = {**_env(), **sync_env(ax, None), "READINGLIST_ARXIV_TIMEOUT": "20",
               "READINGLIST_CACHE_DIR": str(tmp_path / "cache")}  # fmt: skip
        command = [sys.executable, "-m", "readinglist", "--root", str(course), "sync",
                   "--no-citations"]  # fmt: skip
        first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL)  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while not ax.requests:  # the first request is sent under the lock
                assert first.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
            second = subprocess.run(command, env=env, capture_output=True, text=True,
                                    timeout=60)  # fmt: skip
        finally:
            first.kill()
            first.wait(timeout=10)
    assert second.returncode == 2, second.stderr
    assert second.stderr.count("\n") == 1 and "Traceback" not in second.stderr
    assert second.stderr.startswith(
        f"error: {store.LOCK_FILE}: the course folder is locked by 'readinglist sync' "
        f"(pid {first.pid} on {socket.gethostname()})"
    ), second.stderr
    assert snapshot(course / "bib") == hand


def _raise(code: int):  # type: ignore[no-untyped-def]
    def fail(*args: object, **kwargs: object) -> None:
        raise OSError(code, os.strerror(code))

    return fail


@pytest.mark.parametrize(
    ("target", "code", "word"),
    [
        ("os.replace", errno.ENOSPC, "disk full"),
        ("tempfile.mkstemp", errno.EACCES, "permission denied"),
        ("os.fsync", errno.EIO, os.strerror(errno.EIO)),
    ],
    ids=["enospc-on-replace", "eacces-on-create", "eio-on-fsync"],
)
def test_export_output_write_fails_cleanly(
    course: Path,
    tmp_path: Path,
    run,
    monkeypatch: pytest.MonkeyPatch,
    target: str,
    code: int,
    word: str,
) -> None:  # type: ignore[no-untyped-def]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "lecture1.bib"
    out.write_bytes(b"old export\n")
    module, name = target.split(".")
    monkeypatch.setattr({"os": os, "tempfile": tempfile}[module], name, _raise(code))
    (ran,) = run_unchanged(run, course, [["export", "--lecture", "1", "-o", str(out)]])
    assert_refused(ran, Fails(None, f"cannot write: {word}; the file was left as it was"),
                   str(out))  # fmt: skip
    assert out.read_bytes() == b"old export\n"
    assert [p.name for p in out_dir.iterdir()] == ["lecture1.bib"]  # no temp file left


def test_unreadable_bib_is_one_line(course: Path, run, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    real = pathlib.Path.read_bytes

    def read_bytes(self: pathlib.Path) -> bytes:
        if self.name == "ntk.bib":
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        return real(self)

    before = snapshot(course)
    for command in (["check", "--json"], ["show", "jacot2018"], ["export", "--all"]):
        with monkeypatch.context() as patch:
            patch.setattr(pathlib.Path, "read_bytes", read_bytes)
            result = run("--root", course, *command)
        assert_refused(Ran(tuple(command), result, 0.0), Fails(None, "permission denied"),
                       "bib/ntk.bib")  # fmt: skip
    assert snapshot(course) == before


@pytest.fixture
def services_env(course: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Stand-ins serving the bundled course; the CLI's environment points at them."""
    monkeypatch.setattr(arxiv_server._Handler, "disable_nagle_algorithm", True, raising=False)
    library = library_of(course)
    with ArxivStandIn(arxiv_papers_for(library)) as ax, S2StandIn(s2_papers_for(library)) as s2:
        for name, value in sync_env(ax, s2, TODAY).items():
            monkeypatch.setenv(name, value)
        yield


def _read_only(course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every write below ``course`` fail with EROFS, as on a read-only mount."""
    inside = str(course.resolve())
    real_open, real_mkstemp, real_mkdir = os.open, tempfile.mkstemp, pathlib.Path.mkdir
    writing = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def guarded_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & writing and os.path.abspath(path).startswith(inside):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        return real_open(path, flags, *args, **kwargs)

    def guarded_mkstemp(*args, dir=None, **kwargs):  # type: ignore[no-untyped-def]  # noqa: A002
        if dir is not None and os.path.abspath(dir).startswith(inside):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(dir))
        return real_mkstemp(*args, dir=dir, **kwargs)

    def guarded_mkdir(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        if str(self.resolve()).startswith(inside) and not self.exists():
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(os, "open", guarded_open)
    monkeypatch.setattr(tempfile, "mkstemp", guarded_mkstemp)
    monkeypatch.setattr(pathlib.Path, "mkdir", guarded_mkdir)


def test_sync_on_a_read_only_course_folder(
    course: Path, run, monkeypatch: pytest.MonkeyPatch, services_env: None
) -> None:  # type: ignore[no-untyped-def]
    _read_only(course, monkeypatch)
    (ran,) = run_unchanged(run, course, [["sync"]])
    assert_refused(ran, Fails(None, "Read-only file system"), store.LOCK_FILE)


def test_sync_when_the_disk_fills_mid_run(
    course: Path, run, monkeypatch: pytest.MonkeyPatch, services_env: None
) -> None:  # type: ignore[no-untyped-def]
    """The lock is taken, data is fetched, then the first save finds the disk full."""
    monkeypatch.setattr(os, "replace", _raise(errno.ENOSPC))
    hand = snapshot(course / "bib")
    result = run("--root", course, "sync")
    assert result.exit_code == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith("error: ") and "disk full" in lines[-1], result.stderr
    assert len([line for line in lines if line.startswith("error:")]) == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert snapshot(course / "bib") == hand
    assert not [p for p in course.rglob("*.tmp")], "a temp file was left behind"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_sync_on_a_chmod_read_only_course_folder(course: Path, run, services_env: None) -> None:  # type: ignore[no-untyped-def]
    folders = [course, course / "bib", course / "bib" / "synced"]
    for folder in folders:
        folder.chmod(0o555)
    try:
        (ran,) = run_unchanged(run, course, [["sync"]])
    finally:
        for folder in folders:
            folder.chmod(0o755)
    assert_refused(ran, Fails(None, "ermission denied"), store.LOCK_FILE)


def test_add_append_failure_keeps_the_bib(
    course: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(arxiv_server._Handler, "disable_nagle_algorithm", True, raising=False)
    with ArxivStandIn({"2001.00001": sample_paper("2001.00001")}) as ax:
        for name, value in sync_env(ax, None, TODAY).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(os, "replace", _raise(errno.ENOSPC))
        before = snapshot(course / "bib")
        result = run("--root", course, "add", "2001.00001", "--topic", "ntk")
    assert result.exit_code == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "disk full" in result.stderr, result.stderr
    assert result.stderr.startswith("error: "), result.stderr
    assert snapshot(course / "bib") == before
