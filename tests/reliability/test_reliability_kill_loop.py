"""``sync`` killed with SIGKILL at random moments, many times (row fault-sigkill-loop).

Every run is a child forked from a pre-imported readinglist (``zygote.py``), so a kill
lands while sync works, not while Python imports. Runs are small (the bundled course,
stand-ins with no delay, 4 ids per arXiv batch) and the kill moments come from a fixed
seed. After every kill: each machine-owned file is whole and holds old or new data, and
the hand-written files are byte-identical; at the end, one more run finishes with the
bytes of an uninterrupted run and no temp file is left.

The checks are tests/test_sync.py's (``check_old_or_new``), reused.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.corpus import TODAY
from tests.standins import arxiv_server
from tests.standins.arxiv_server import ArxivStandIn
from tests.standins.s2_server import S2StandIn
from tests.test_sync import (
    arxiv_papers_for,
    check_old_or_new,
    hand_written,
    library_of,
    s2_papers_for,
    sync_env,
    synced_files,
)

REPO = Path(__file__).resolve().parents[2]
KILLS = 50
SEED = 408


@dataclass
class Zygote:
    """The forking server of ``zygote.py`` for one course folder."""

    proc: subprocess.Popen[str]

    def _ask(self, line: str) -> str:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().split()[1]

    def start(self) -> int:
        """Fork one ``sync`` run; its pid."""
        return int(self._ask("run"))

    def reap(self, pid: int) -> int:
        """Wait for the run and return its raw wait status."""
        return int(self._ask(f"reap {pid}"))

    def run_to_end(self) -> tuple[int, float]:
        """One uninterrupted run: its exit code and how long it took."""
        started = time.monotonic()
        status = self.reap(self.start())
        return os.waitstatus_to_exitcode(status), time.monotonic() - started


@pytest.fixture(autouse=True)
def _no_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    # See tests/test_sync.py: without it each stand-in answer waits for a delayed ACK.
    monkeypatch.setattr(arxiv_server._Handler, "disable_nagle_algorithm", True, raising=False)


@pytest.fixture
def zygotes(tmp_path: Path) -> Iterator[list[Zygote]]:
    """Start zygotes with :func:`spawn`; they are stopped after the test."""
    started: list[Zygote] = []
    yield started
    for z in started:
        assert z.proc.stdin is not None
        z.proc.stdin.close()
        z.proc.wait(timeout=20)


def spawn(zygotes: list[Zygote], root: Path, env: Mapping[str, str]) -> Zygote:
    """A zygote serving sync runs on ``root``."""
    full = dict(os.environ)
    full.update(env)
    full["PYTHONPATH"] = str(REPO / "src") + os.pathsep + str(REPO)
    proc = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("zygote.py")), str(root)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=full,
    )  # fmt: skip
    z = Zygote(proc)
    zygotes.append(z)
    return z


def leftovers(root: Path) -> list[str]:
    """Temp files of interrupted writes left in the course folder."""
    return sorted(str(p.relative_to(root)) for p in root.rglob("*.tmp"))


def test_sync_survives_sigkill_at_random_moments(
    course: Path, tmp_path: Path, zygotes: list[Zygote]
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(course, reference)
    library = library_of(course)
    with ArxivStandIn(arxiv_papers_for(library)) as ax, S2StandIn(s2_papers_for(library)) as s2:
        env = {
            **sync_env(ax, s2, TODAY),
            "READINGLIST_ARXIV_PAGE_SIZE": "4",
            "READINGLIST_CACHE_DIR": str(tmp_path / "cache"),
        }
        first = spawn(zygotes, reference, env)
        code, _ = first.run_to_end()
        assert code == 0
        new = synced_files(reference)
        # A second run does the same requests with warm caches: kill moments are drawn
        # over its length.
        code, took = first.run_to_end()
        assert code == 0 and synced_files(reference) == new
        old = synced_files(course)
        hand = hand_written(course)
        zygote = spawn(zygotes, course, env)
        rng = random.Random(SEED)
        killed = finished = 0
        while killed < KILLS:
            pid = zygote.start()
            time.sleep(rng.uniform(0, took))
            os.kill(pid, signal.SIGKILL)  # a zombie until reaped: the pid is still ours
            status = zygote.reap(pid)
            if os.WIFSIGNALED(status):
                killed += 1
            else:
                finished += 1
            check_old_or_new(course, old, new)
            assert hand_written(course) == hand
            # A killed write may leave its temp file next to the machine-owned files
            # (the next run's lock removes it); never next to a hand-written one.
            assert all(p.startswith("bib/synced/") for p in leftovers(course)), leftovers(course)
            assert finished < 2 * KILLS, "runs keep finishing before the kill"
        code, _ = zygote.run_to_end()
    assert code == 0
    assert synced_files(course) == new
    assert leftovers(course) == [], "temp files of killed runs are still there"
    assert hand_written(course) == hand_written(reference)
    print(f"\nsync: {killed} runs killed, {finished} finished first; one run {took:.2f} s")
