"""Before and after, interleaved: ``python benchmarks/compare.py --before OLD/src``.

Runs the issue-15 figures (start-up, and the load of both 10,000-paper libraries) for
two source trees in alternation, round after round, so both meet the same load from
other work on the machine; ``--before`` is put on ``PYTHONPATH`` for the old tree (for
example ``git archive REV | tar -x -C /tmp/old`` gives ``/tmp/old/src``), the installed
tree is the new one. Prints, per figure, the median wall time and CPU time (user +
system) of each tree, and each tree's ratio to its baseline measured in the same rounds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from harness import PY, READINGLIST, REPO, Measure, ensure_library, fmt_s, run_process

Command = Callable[[str], Measure]  # tree ("before" or "after") -> one measurement


def _trees(before: Path, work: Path) -> dict[str, dict[str, str]]:
    return {
        "before": {"PYTHONPATH": str(before), "READINGLIST_CACHE_DIR": str(work / "c-before")},
        "after": {"READINGLIST_CACHE_DIR": str(work / "c-after")},
    }


def _pybtex(root: Path) -> list[str]:
    code = (
        "import glob\nfrom pybtex.database import parse_file\n"
        f"data = [parse_file(f) for f in sorted(glob.glob({str(root / 'bib')!r} + '/*.bib'))]\n"
    )
    return [PY, "-c", code]


def _row(figure: str, med: dict[str, tuple[float, float]]) -> str:
    """One table row from the medians (wall, CPU) of the baseline and each tree."""
    base_wall, base_cpu = med["baseline"]

    def cell(k: str) -> str:
        return f"{fmt_s(med[k][0])} / {fmt_s(med[k][1])}"

    def ratio(k: str) -> str:
        return f"{med[k][0] / base_wall:.2f}x / {med[k][1] / base_cpu:.2f}x"

    return (
        f"| {figure} | {cell('before')} | {cell('after')} | {cell('baseline')} | "
        f"{ratio('before')} | {ratio('after')} |"
    )


def main() -> int:
    """Run the rounds and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--before", type=Path, required=True, help="the old tree's src/")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--startup-rounds", type=int, default=15)
    parser.add_argument("--papers", type=int, default=10000)
    parser.add_argument("--work", type=Path, help="keep generated libraries here")
    parser.add_argument("--only", choices=["startup", "load"], help="one group of figures")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="readinglist-compare-"))
    work.mkdir(parents=True, exist_ok=True)
    trees = _trees(args.before.resolve(), work)
    script = Path(PY).parent / "readinglist"
    rl = [str(script)] if script.exists() else READINGLIST
    # figure -> (baseline command, {tree: command}, clear the cache first?)
    figures: list[tuple[str, list[str], dict[str, list[str]], bool]] = []
    if args.only in (None, "startup"):
        click = [PY, "-c", "import click"]
        figures += [
            ("`readinglist --help` vs `import click`", click,
             {t: [*rl, "--help"] for t in trees}, False),
            ("warm `check` of the bundled course vs `import click`", click,
             {t: [*rl, "--root", str(REPO), "check"] for t in trees}, False),
        ]  # fmt: skip
    if args.only in (None, "load"):
        for shape, name in (("synthetic", "synthetic"), ("journal", "real-shaped")):
            root = ensure_library(work, args.papers, shape=shape)
            check = [*READINGLIST, "--root", str(root), "check"]
            n = f"{args.papers:,}"
            figures += [
                (f"check of {n} papers, {name}, cold, vs pybtex", _pybtex(root),
                 {t: check for t in trees}, True),
                (f"check of {n} papers, {name}, warm, vs pybtex", _pybtex(root),
                 {t: check for t in trees}, False),
            ]  # fmt: skip

    print("| figure | before (wall / CPU) | after (wall / CPU) | baseline (wall / CPU) | "
          "ratio before (wall / CPU) | ratio after (wall / CPU) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- | --- |")
    try:
        for figure, baseline, commands, cold in figures:
            rounds = args.startup_rounds if "`" in figure else args.rounds
            got: dict[str, list[Measure]] = {"baseline": [], **{t: [] for t in trees}}
            for t, env in trees.items():  # warm-up: bytecode, and the cache when warm
                run_process(commands[t], env)
            for _ in range(rounds):
                got["baseline"].append(run_process(baseline))
                for t, env in trees.items():
                    if cold:
                        shutil.rmtree(env["READINGLIST_CACHE_DIR"], ignore_errors=True)
                    got[t].append(run_process(commands[t], env))
            med = {k: (statistics.median(m.seconds for m in v),
                       statistics.median(m.cpu for m in v)) for k, v in got.items()}  # fmt: skip
            print(_row(figure, med), flush=True)
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
