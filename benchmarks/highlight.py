"""The site's BibTeX highlighting against Pygments, on a generated library.

``python benchmarks/highlight.py [--papers 1000] [--shape journal|synthetic]`` generates
the library in a temporary folder, takes every paper's BibTeX as its page gets it
(``PaperView.bibtex``), checks ``readinglist.site.highlight.highlight_bibtex`` gives
Pygments' bytes for each, and prints the CPU seconds of both over all entries (best of
5), how many entries the fast path took, and the one-time probe of the installed Pygments.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generate import generate, generate_journal

from readinglist.site import highlight
from readinglist.site.markup import Layout
from readinglist.site.views import SiteData
from readinglist.store import load_library


def best_cpu(work: Callable[[str], str], texts: list[str], rounds: int = 5) -> float:
    """The least CPU time of ``rounds`` runs of ``work`` over all ``texts``."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for text in texts:
            work(text)
        times.append(time.process_time() - start)
    return min(times)


def main() -> None:
    """Generate, check, time, print."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--shape", choices=["journal", "synthetic"], default="journal")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (generate_journal if args.shape == "journal" else generate)(root, args.papers)
        site = SiteData(load_library(root).library, Layout())
        texts = [view.bibtex for view in site.papers.values()]
    start = time.process_time()
    highlight.highlight_fast("")  # the probe: Pygments imported, one entry both ways
    probe = time.process_time() - start
    fast = sum(highlight.highlight_fast(text) is not None for text in texts)
    different = [t for t in texts if highlight.highlight_bibtex(t) != highlight.pygments_html(t)]
    if different:
        raise SystemExit(f"{len(different)} entries differ from Pygments")
    ours = best_cpu(highlight.highlight_bibtex, texts)
    theirs = best_cpu(highlight.pygments_html, texts)
    print(f"{len(texts)} entries ({args.shape}, {sum(map(len, texts))} characters), "
          f"{fast} by the fast path, all byte-identical to Pygments")  # fmt: skip
    print(f"Pygments {theirs:.3f} s, ours {ours:.3f} s CPU (best of 5): {theirs / ours:.1f}x")
    print(f"the probe, once per process (Pygments imported): {probe * 1000:.0f} ms")


if __name__ == "__main__":
    main()
