"""Benchmarks of readinglist against its baselines: ``python benchmarks/run.py [--quick]``.

Prints a table: figure, this project, baseline, ratio, peak memory, target. Every timing
is a whole process (start-up included), the median of at least 3 runs after one warm-up;
baselines run in the same session on the same machine. ``--quick`` uses small inputs and
one timed run, only to keep the harness working in CI (its figures are not the record).

Figures (see BENCHMARKS.md for a full run and where the time goes):
- start-up: ``readinglist --help`` and a warm ``check`` of the bundled course vs
  ``python -c "import click"``;
- load 10,000 papers cold / warm (``readinglist check``) vs pybtex ``parse_file``, for
  the synthetic library and the real-shaped one (a long journal bibliography);
- peak memory of that load vs pybtex's own;
- sync requests for N arXiv ids vs one request per paper (stand-in servers count them);
- sync of 1,000 papers against zero-delay stand-ins: time beyond the servers' own;
- graph of 10,000 papers / 200,000 citations: build + every analysis + node-link export;
- site of the bundled course; site of 1,000 / 5,000 papers vs a plain ``mkdocs build``;
- ``serve``: one ``.bib`` edit to the served page (a real ``serve``), vs a whole rebuild.

Imports go one way: run.py -> bench_more -> harness, generate (see harness.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import bench_more
from harness import (
    PY,
    READINGLIST,
    REPO,
    Row,
    ensure_library,
    fmt_s,
    median_of,
    print_table,
    run_process,
)


def _console_script() -> list[str]:
    """``readinglist`` as people run it: the console script beside this interpreter."""
    script = Path(PY).parent / "readinglist"
    return [str(script)] if script.exists() else READINGLIST


def figure_startup(work: Path, quick: bool) -> list[Row]:
    """``readinglist --help`` and a warm ``check`` of the bundled course against the start-up
    of ``python -c "import click"`` (the least a click command can cost)."""
    runs = 3 if quick else 21
    env = {"READINGLIST_CACHE_DIR": str(work / "cache-startup")}
    readinglist = _console_script()
    click = median_of(runs, lambda: run_process([PY, "-c", "import click"]))
    helps = median_of(runs, lambda: run_process([*readinglist, "--help"], env))
    check = median_of(runs, lambda: run_process([*readinglist, "--root", str(REPO), "check"], env))
    base = f"{fmt_s(click.seconds)} (import click)"
    return [
        Row("`readinglist --help` vs `python -c \"import click\"`", fmt_s(helps.seconds), base,
            f"{helps.seconds / click.seconds:.2f}x", f"{helps.peak_mib:.0f} MiB", "<= 3x",
            helps.seconds / click.seconds <= 3),
        Row("warm `check` of the bundled course vs the same", fmt_s(check.seconds), base,
            f"{check.seconds / click.seconds:.2f}x", f"{check.peak_mib:.0f} MiB", "<= 4x",
            check.seconds / click.seconds <= 4),
    ]  # fmt: skip


# Targets per library shape: (cold, warm) ratios to pybtex's parse_file. The synthetic
# ones are issue 6's; the real-shaped ones issue 15's.
_LOAD_TARGETS = {"synthetic": (1.3, 0.3), "journal": (1.0, 0.2)}


def figure_load(work: Path, papers: int, runs: int, shape: str = "synthetic") -> list[Row]:
    """Cold and warm load (``readinglist check``) against pybtex's own parse."""
    root = ensure_library(work, papers, shape=shape)
    cache = work / f"cache-{shape}"
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
    kind = "real-shaped" if shape == "journal" else "synthetic"
    cold_target, warm_target = _LOAD_TARGETS[shape]
    return [
        Row(f"load {n} papers cold (check), {kind}", fmt_s(cold.seconds), fmt_s(base.seconds),
            f"{cold.seconds / base.seconds:.2f}x", f"{cold.peak_mib:.0f} MiB",
            f"<= {cold_target}x", cold.seconds / base.seconds <= cold_target),
        Row(f"load {n} papers warm (check), {kind}", fmt_s(warm.seconds), fmt_s(base.seconds),
            f"{warm.seconds / base.seconds:.2f}x", f"{warm.peak_mib:.0f} MiB",
            f"<= {warm_target}x", warm.seconds / base.seconds <= warm_target),
        Row(f"peak memory, load of {n} papers, {kind}", f"{cold.peak_mib:.0f} MiB",
            f"{base.peak_mib:.0f} MiB", f"{cold.peak_mib / base.peak_mib:.2f}x", "", "<= 2x",
            cold.peak_mib / base.peak_mib <= 2),
    ]  # fmt: skip


def _load(shape: str) -> Callable[[Path, bool], list[Row]]:
    def figure(work: Path, quick: bool) -> list[Row]:
        return figure_load(work, 1000 if quick else 10000, 1 if quick else 3, shape)

    return figure


FIGURES: list[tuple[str, Callable[[Path, bool], list[Row]]]] = [
    ("startup", figure_startup),
    ("load", _load("synthetic")),
    ("load-real", _load("journal")),
    *bench_more.MORE,
]


def main() -> int:
    """Run every figure (or those named with --only) and print the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--quick", action="store_true", help="small inputs, one run: CI smoke")
    parser.add_argument(
        "--only", action="append", default=[],
        help=f"run only these figures ({', '.join(name for name, _ in FIGURES)})",
    )  # fmt: skip
    parser.add_argument("--work", type=Path, help="keep generated libraries here")
    args = parser.parse_args()
    unknown = set(args.only) - {name for name, _ in FIGURES}
    if unknown:
        parser.error(f"no figure named {', '.join(sorted(unknown))}")
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
