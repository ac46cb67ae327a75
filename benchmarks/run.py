"""Benchmarks of readinglist against its baselines: ``python benchmarks/run.py [--quick]``.

Prints a table: figure, this project, baseline, ratio, peak memory, target. Every timing
is a whole process (start-up included), the median of at least 3 runs after one warm-up;
baselines run in the same session on the same machine. ``--quick`` uses small inputs and
one timed run, only to keep the harness working in CI (its figures are not the record).

Figures (see BENCHMARKS.md for a full run and where the time goes):
- load 10,000 papers cold / warm (``readinglist check``) vs pybtex ``parse_file``;
- peak memory of that load vs pybtex's own;
- sync requests for N arXiv ids vs one request per paper (stand-in servers count them);
- sync of 1,000 papers against zero-delay stand-ins: time beyond the servers' own;
- graph of 10,000 papers / 200,000 citations: build + every analysis + node-link export;
- site of the bundled course; site of 1,000 / 5,000 papers vs a plain ``mkdocs build``;
- ``serve``: rebuild after one ``.bib`` edit vs the plain mkdocs rebuild.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))


@dataclass
class Measure:
    """One whole-process measurement: median seconds and peak resident memory (MiB)."""

    seconds: float
    peak_mib: float


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
    fh.write(f"{elapsed} {usage.ru_maxrss}")
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_process(
    cmd: Sequence[str], env: dict[str, str] | None = None, cwd: Path | None = None
) -> Measure:
    """Run one process to the end; its wall time and peak RSS (from wait4's rusage)."""
    with tempfile.NamedTemporaryFile("r", suffix=".measure") as out:
        proc = subprocess.run(
            [PY, "-c", _LAUNCHER, out.name, *cmd],
            env={**os.environ, **(env or {})},
            cwd=cwd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            check=False,
        )
        if proc.returncode not in (0, 1):
            tail = proc.stderr.decode(errors="replace")[-2000:]
            raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {tail}")
        elapsed, maxrss = out.read().split()
    return Measure(float(elapsed), int(maxrss) / 1024)


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
    return Measure(statistics.median(r.seconds for r in results), max(r.peak_mib for r in results))


def fmt_s(seconds: float) -> str:
    """Seconds with sensible precision."""
    return f"{seconds:.2f} s" if seconds < 100 else f"{seconds:.0f} s"


PY = sys.executable
READINGLIST = [PY, "-m", "readinglist"]


def ensure_library(work: Path, papers: int, refs: int = 20) -> Path:
    """The synthetic library of ``papers`` papers under ``work``, generated once (in a
    child process, so this process stays small)."""
    root = work / f"lib{papers}" if refs == 20 else work / f"lib{papers}-r{refs}"
    if not root.exists():
        subprocess.run(
            [
                PY,
                str(HERE / "generate.py"),
                str(root),
                "--papers",
                str(papers),
                "--refs",
                str(refs),
            ],
            check=True,
        )
    return root


def figure_load(work: Path, papers: int, runs: int) -> list[Row]:
    """Cold and warm load (``readinglist check``) against pybtex's own parse."""
    root = ensure_library(work, papers)
    cache = work / "cache"
    env = {"READINGLIST_CACHE_DIR": str(cache)}
    # pybtex parses every file and keeps the result, as a loaded library does.
    baseline_code = (
        "import glob,sys\nfrom pybtex.database import parse_file\n"
        f"data = [parse_file(f) for f in sorted(glob.glob({str(root / 'bib')!r} + '/*.bib'))]\n"
    )
    base = median_of(runs, lambda: run_process([PY, "-c", baseline_code]))

    def clear() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    check = [*READINGLIST, "--root", str(root), "check"]
    cold = median_of(runs, lambda: run_process(check, env), before_each=clear)
    clear()
    run_process(check, env)
    warm = median_of(runs, lambda: run_process(check, env))
    n = f"{papers:,}"
    return [
        Row(f"load {n} papers cold (check)", fmt_s(cold.seconds), fmt_s(base.seconds),
            f"{cold.seconds / base.seconds:.2f}x", f"{cold.peak_mib:.0f} MiB", "<= 1.3x",
            cold.seconds / base.seconds <= 1.3),
        Row(f"load {n} papers warm (check)", fmt_s(warm.seconds), fmt_s(base.seconds),
            f"{warm.seconds / base.seconds:.2f}x", f"{warm.peak_mib:.0f} MiB", "<= 0.3x",
            warm.seconds / base.seconds <= 0.3),
        Row(f"peak memory, load of {n} papers", f"{cold.peak_mib:.0f} MiB",
            f"{base.peak_mib:.0f} MiB", f"{cold.peak_mib / base.peak_mib:.2f}x", "", "<= 2x",
            cold.peak_mib / base.peak_mib <= 2),
    ]  # fmt: skip


FIGURES: list[tuple[str, Callable[[Path, bool], list[Row]]]] = [
    ("load", lambda work, quick: figure_load(work, 1000 if quick else 10000, 1 if quick else 3)),
]


def extra_figures() -> None:
    """Figures that need the sync, graph and site layers, registered when they exist."""
    try:
        import bench_more
    except ModuleNotFoundError as exc:
        if exc.name != "bench_more":
            raise
    else:
        FIGURES.extend(bench_more.MORE)


def print_table(rows: list[Row]) -> None:
    """Print the rows as a Markdown table (stdout)."""
    head = ["figure", "this project", "baseline", "ratio", "peak memory", "target", "met"]
    lines = [head, ["---"] * len(head)]
    for r in rows:
        met = "" if r.ok is None else ("yes" if r.ok else "NO")
        lines.append([r.figure, r.ours, r.baseline, r.ratio, r.memory, r.target, met])
    for line in lines:
        print("| " + " | ".join(line) + " |")


def main() -> int:
    """Run every figure (or those named with --only) and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small inputs, one run: CI smoke")
    parser.add_argument("--only", action="append", default=[], help="run only these figures")
    parser.add_argument("--work", type=Path, help="keep generated libraries here")
    args = parser.parse_args()
    extra_figures()
    work = args.work or Path(tempfile.mkdtemp(prefix="readinglist-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    rows: list[Row] = []
    try:
        for name, figure in FIGURES:
            if args.only and name not in args.only:
                continue
            print(f"running {name} ...", file=sys.stderr, flush=True)
            rows.extend(figure(work, args.quick))
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    print_table(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
