"""How benchmarks/run.py measures: whole processes, medians, the table's rows.

The harness has one direction: ``run.py`` (the command line) imports ``bench_more`` (the
sync, graph, site and serve figures) and this module; ``bench_more`` imports this module
and ``generate``; this module imports neither (it runs ``generate.py`` as a child
process, so the measuring process stays small).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PY = sys.executable
READINGLIST = [PY, "-m", "readinglist"]


@dataclass
class Measure:
    """One whole-process measurement: median seconds and peak resident memory (MiB), and
    the CPU seconds (user + system) the process used, which other work on the machine
    slows far less than the wall time."""

    seconds: float
    peak_mib: float
    cpu: float = 0.0


@dataclass
class Row:
    """One line of the table."""

    figure: str
    ours: str
    baseline: str
    ratio: str
    memory: str
    target: str
    ok: bool | None = None


# A small launcher forks and execs the measured command and reports its wall time and
# peak RSS. Measuring from this (large) benchmark process instead would count this
# process's own memory as the child's peak: the child's RSS before exec is the copy of
# the parent it was forked from.
_LAUNCHER = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
with open(sys.argv[1], "w") as fh:
    fh.write(f"{elapsed} {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a measured process: ours, plus ``extra``, with bytecode caching
    on (a ``PYTHONDONTWRITEBYTECODE`` in the shell would make every start-up compile our
    modules from source, which no installed copy does)."""
    env = {**os.environ, **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run_process(
    cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measure:
    """Run one process to the end; its wall time and peak RSS (from wait4's rusage)."""
    with tempfile.NamedTemporaryFile("r", suffix=".measure") as out:
        proc = subprocess.run(
            [PY, "-c", _LAUNCHER, out.name, *cmd],
            env=child_env(env),
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if proc.returncode not in (0, 1):
            tail = proc.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {tail}")
        elapsed, maxrss, cpu = out.read().split()
    return Measure(float(elapsed), int(maxrss) / 1024, float(cpu))


def median_of(
    runs: int, make: Callable[[], Measure], before_each: Callable[[], None] | None = None
) -> Measure:
    """Warm up once, then the median time (and max memory) of ``runs`` runs."""
    if before_each:
        before_each()
    make()
    results = []
    for _ in range(runs):
        if before_each:
            before_each()
        results.append(make())
    return Measure(
        statistics.median(r.seconds for r in results),
        max(r.peak_mib for r in results),
        statistics.median(r.cpu for r in results),
    )


def fmt_s(seconds: float) -> str:
    """Seconds with sensible precision."""
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


def ensure_library(work: Path, papers: int, refs: int = 20, shape: str = "synthetic") -> Path:
    """The library of ``papers`` papers under ``work`` (``shape``: synthetic or journal,
    see generate.py), generated once, in a child process so this process stays small."""
    if shape == "journal":
        root = work / f"journal{papers}"
    else:
        root = work / f"lib{papers}" if refs == 20 else work / f"lib{papers}-r{refs}"
    if not root.exists():
        subprocess.run(
            [PY, str(HERE / "generate.py"), str(root), "--papers", str(papers),
             "--refs", str(refs), "--shape", shape],
            check=True,
        )  # fmt: skip
    return root


def print_table(rows: list[Row]) -> None:
    """Print the rows as a Markdown table (stdout)."""
    head = ["figure", "this project", "baseline", "ratio", "peak memory", "target", "met"]
    lines = [head, ["---"] * len(head)]
    for r in rows:
        met = "" if r.ok is None else ("yes" if r.ok else "NO")
        lines.append([r.figure, r.ours, r.baseline, r.ratio, r.memory, r.target, met])
    for line in lines:
        print("| " + " | ".join(line) + " |")
