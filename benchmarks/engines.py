"""The course site on both engines, side by side: MkDocs + Material (with the plugin)
and Zensical (fed the site as a tree of files).

``python benchmarks/engines.py [--papers 1000 5000] [--runs 3] [--work DIR]`` builds the
bundled course and synthetic libraries (benchmarks/generate.py) with
``readinglist build --engine mkdocs|zensical`` and prints a Markdown table: wall time
(median of ``--runs`` after one warm-up run, which also fills the parse cache), CPU time,
peak memory of the build process and its children, pages and size of the output.
Standalone on purpose: it only runs processes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ENGINES = ("mkdocs", "zensical")


def measure(cmd: list[str], cwd: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS (MiB) of the process and
    its children. On a shared machine the CPU time is the steadier figure."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ
    )
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    assert proc.stderr is not None
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err[-2000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def course(work: Path, papers: int | None) -> Path:
    """The bundled course (``papers`` None) or a synthetic one, made once under ``work``."""
    if papers is None:
        root = work / "bundled"
        if not root.exists():
            root.mkdir(parents=True)
            for name in ("bib", "docs"):
                shutil.copytree(REPO / name, root / name)
            shutil.copy(REPO / "mkdocs.yml", root / "mkdocs.yml")
        return root
    root = work / f"lib{papers}"
    if not root.exists():
        cmd = [sys.executable, str(HERE / "generate.py"), str(root), "--papers", str(papers)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return root


def output_size(site: Path) -> tuple[int, float]:
    pages = sum(1 for _ in site.rglob("*.html"))
    size = sum(p.stat().st_size for p in site.rglob("*") if p.is_file())
    return pages, size / 2**20


def bench(root: Path, engine: str, runs: int, warm_up: bool = True) -> dict[str, float]:
    out = root.parent / f"{root.name}-site-{engine}"
    cmd = [sys.executable, "-m", "readinglist", "--root", str(root), "build",
           "--engine", engine, "-d", str(out)]  # fmt: skip
    if warm_up:
        measure(cmd, root)  # warm-up: parse cache filled, imports in the page cache
    results = [measure(cmd, root) for _ in range(runs)]
    pages, mib = output_size(out)
    shutil.rmtree(out, ignore_errors=True)
    return {
        "seconds": statistics.median(r[0] for r in results),
        "cpu": statistics.median(r[1] for r in results),
        "peak": max(r[2] for r in results),
        "pages": pages,
        "mib": mib,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, nargs="*", default=[1000, 5000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--big-runs", type=int, default=1, help="runs at 5,000 papers and more")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--no-bundled", action="store_true", help="skip the bundled course")
    parser.add_argument("--engine", choices=ENGINES, action="append", help="only this engine")
    parser.add_argument(
        "--no-warm-up",
        action="store_true",
        help="no warm-up run (the first engine fills the cache)",
    )
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="readinglist-engines-"))
    os.environ.setdefault("READINGLIST_CACHE_DIR", str(work / "cache"))
    print("| site | engine | build (wall) | CPU (user + sys) | peak memory | pages | output |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for papers in ([] if args.no_bundled else [None]) + args.papers:
        root = course(work, papers)
        name = "bundled course" if papers is None else f"{papers:,} papers"
        runs = args.big_runs if papers and papers >= 5000 else args.runs
        for engine in args.engine or ENGINES:
            r = bench(root, engine, runs, warm_up=not args.no_warm_up)
            print(
                f"| {name} | {engine} | {r['seconds']:.2f} s | {r['cpu']:.2f} s | {r['peak']:.0f} MiB "
                f"| {r['pages']:,} | {r['mib']:.0f} MB |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
