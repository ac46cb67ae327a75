"""``serve``: from one ``.bib`` edit to the served page showing it, under a real
``readinglist serve`` process, at N papers (issue 15: <= 1 s at 1,000).

Each edit changes the title of one paper (the first of ``depth.bib``), and the clock runs
from writing the file to the first HTTP GET of that paper's page that shows the new
title: file-event detection, the server's debounce, the update and the GET all count.
Then the same edit with ``mkdocs.yml`` touched too, which makes it a whole rebuild (what
every ``.bib`` edit cost before the incremental updates), for comparison. Between edits
the script waits until the server says the update (or rebuild) is complete.

    python benchmarks/serve_edit.py [--papers 1000] [--edits 5] [--work DIR]

``figure_serve_edit(work, quick)`` gives the same as rows for benchmarks/run.py; it
imports only ``harness``.
"""

from __future__ import annotations

import argparse
import os
import queue
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from harness import READINGLIST, Row, child_env, ensure_library, fmt_s, print_table

PAPER = "p00001"
EDITED = "depth.bib"
DONE = re.compile(r"updated the rest of the site in|rebuilt the site in|built the site in")


class Server:
    """A ``readinglist serve`` of ``root`` on a free loopback port; its stderr lines."""

    def __init__(self, root: Path, cache: Path) -> None:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/"
        self.proc = subprocess.Popen(
            [*READINGLIST, "--root", str(root), "serve", "-a", f"127.0.0.1:{port}"],
            env=child_env({"READINGLIST_CACHE_DIR": str(cache)}),
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: re.Pattern[str] | str, timeout: float = 600) -> str:
        """The next stderr line matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None:
                    raise RuntimeError("readinglist serve exited") from None
                continue
            self.seen.append(line)
            if re.search(pattern, line):
                return line
        raise RuntimeError(f"no line matching {pattern!r} in {timeout} s")

    def page(self, path: str) -> str:
        with urllib.request.urlopen(self.url + path, timeout=60) as response:
            return str(response.read().decode("utf-8"))

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _edit(bib: Path, marker: str) -> None:
    """Give the first paper of ``bib`` a title holding ``marker`` (in place, one write)."""
    text = bib.read_text(encoding="utf-8")
    new = re.sub(r"(title = \{)(?:Edit\w+ )?", rf"\g<1>{marker} ", text, count=1)
    bib.write_text(new, encoding="utf-8")


def measure(root: Path, cache: Path, edits: int) -> tuple[list[float], list[float], list[str]]:
    """Seconds from edit to page for ``edits`` incremental and whole rebuilds; the lines
    the server logged about them."""
    server = Server(root, cache)
    try:
        server.wait_for(r"^serving on ")
        bib, config = root / "bib" / EDITED, root / "mkdocs.yml"
        runs: dict[bool, list[float]] = {False: [], True: []}
        for whole in (False, True):
            for i in range(edits):
                marker = f"Edit{'W' if whole else 'I'}{i}x{os.getpid()}"
                _edit(bib, marker)
                if whole:
                    os.utime(config)  # anything outside bib/ is a whole rebuild
                start = time.perf_counter()
                while marker not in server.page(f"papers/{PAPER}.html"):
                    time.sleep(0.005)
                runs[whole].append(time.perf_counter() - start)
                server.wait_for(DONE)
                time.sleep(0.5)  # let the machine settle (and the browsers reload)
        return runs[False], runs[True], server.seen
    finally:
        server.stop()


def figure_serve_edit(work: Path, quick: bool) -> list[Row]:
    """Edit to served page under ``serve``: incremental vs whole rebuild."""
    n = 100 if quick else 1000
    source = ensure_library(work, n)
    root = work / f"serve-edit-{n}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("site"))
    ours, whole, _ = measure(root, work / "cache", 3 if quick else 5)
    a, b = statistics.median(ours), statistics.median(whole)
    return [Row(f"serve: one .bib edit to the served page, {n:,} papers (whole rebuild)",
                fmt_s(a), fmt_s(b), f"{a / b:.2f}x", "", "<= 1 s", a <= 1.0)]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--work", type=Path, default=Path("/tmp/readinglist-bench"))
    args = parser.parse_args()
    source = ensure_library(args.work, args.papers)
    root = args.work / f"serve-edit-{args.papers}"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns("site"))
    ours, whole, log = measure(root, args.work / "cache", args.edits)
    for line in log:
        print("#", line, file=sys.stderr)
    print("incremental:", " ".join(f"{s:.3f}" for s in ours), file=sys.stderr)
    print("whole:      ", " ".join(f"{s:.3f}" for s in whole), file=sys.stderr)
    a, b = statistics.median(ours), statistics.median(whole)
    print_table([Row(f"serve: one .bib edit to the served page, {args.papers:,} papers "
                     "(whole rebuild)", fmt_s(a), fmt_s(b), f"{a / b:.2f}x",
                     f"load {os.getloadavg()[0]:.1f}", "<= 1 s", a <= 1.0)])  # fmt: skip


if __name__ == "__main__":
    main()
