"""The figures of benchmarks/run.py that need sync, the graph and the site.

Imported by run.py, which adds ``MORE`` to its figures; this module imports only
``harness``, ``generate`` and ``serve_edit`` (never run.py), so the harness has one
direction.
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from generate import site_config
from harness import (
    PY,
    READINGLIST,
    REPO,
    Row,
    child_env,
    ensure_library,
    fmt_s,
    median_of,
    run_process,
)
from serve_edit import figure_serve_edit

sys.path.insert(0, str(REPO))

from tests.standins import arxiv_server, s2_server  # noqa: E402


class _ServerClock:
    """Adds up the time the stand-in servers spend answering (their own time)."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.lock = threading.Lock()
        self._saved: list[tuple[type, str, object]] = []

    def wrap(self, cls: type, name: str) -> None:
        original = getattr(cls, name)
        clock = self

        def timed(handler: object) -> None:
            start = time.perf_counter()
            try:
                original(handler)
            finally:
                with clock.lock:
                    clock.seconds += time.perf_counter() - start

        self._saved.append((cls, name, original))
        setattr(cls, name, timed)

    def restore(self) -> None:
        for cls, name, original in self._saved:
            setattr(cls, name, original)


def _library_ids(root: Path) -> list[str]:
    sys.path.insert(0, str(REPO / "src"))
    from readinglist.store import load_library

    library = load_library(root, citations=False).library
    return [p.arxiv.id for p in library.papers.values() if p.arxiv]


def _standin_data(ids: list[str]) -> tuple[dict, dict]:
    papers = {i: arxiv_server.sample_paper(i, version=2, title=f"Synthetic paper {i}") for i in ids}
    s2 = {}
    for n, i in enumerate(ids):
        refs = [
            {
                "paperId": f"ref{(n * 7 + r) % 5000:05d}",
                "title": f"Outside {r}",
                "year": 2012,
                "externalIds": {"CorpusId": (n * 7 + r) % 5000},
            }  # fmt: skip
            for r in range(20)
        ]
        s2[f"ARXIV:{i}"] = {
            "paperId": f"s2{n:06d}", "title": f"Synthetic paper {i}", "year": 2020,
            "venue": "", "publicationVenue": None, "externalIds": {"ArXiv": i},
            "citationCount": n % 50, "referenceCount": len(refs), "references": refs,
        }  # fmt: skip
    return papers, s2


def figure_sync(work: Path, quick: bool) -> list[Row]:
    """Requests of a sync of N papers, and its time beyond the stand-in servers' own."""
    n = 150 if quick else 1000
    root = work / f"sync{n}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(ensure_library(work, n, refs=2), root)
    ids = _library_ids(root)
    papers, s2 = _standin_data(ids)
    clock = _ServerClock()
    clock.wrap(arxiv_server._Handler, "do_GET")
    clock.wrap(s2_server._Handler, "do_POST")
    clock.wrap(s2_server._Handler, "do_GET")
    try:
        with arxiv_server.ArxivStandIn(papers) as ax, s2_server.S2StandIn(s2) as ss:
            env = {
                "READINGLIST_ARXIV_URL": ax.url, "READINGLIST_S2_URL": ss.url,
                "READINGLIST_ARXIV_DELAY": "0", "READINGLIST_S2_DELAY": "0",
                "READINGLIST_TODAY": "2026-11-26", "READINGLIST_CACHE_DIR": str(work / "cache"),
            }  # fmt: skip
            start = time.perf_counter()
            proc = subprocess.run(
                [*READINGLIST, "--root", str(root), "sync", "--json"],
                env=child_env(env), capture_output=True, text=True, check=False,
            )  # fmt: skip
            elapsed = time.perf_counter() - start
            if proc.returncode not in (0, 1):
                raise RuntimeError(f"sync failed ({proc.returncode}): {proc.stderr[-2000:]}")
            report = json.loads(proc.stdout)
            arxiv_requests = len(ax.requests)
            s2_batches = len(ss.batch_requests())
    finally:
        clock.restore()
    want_ax, want_s2 = math.ceil(len(ids) / 100), math.ceil(len(ids) / 500)
    beyond = elapsed - clock.seconds
    return [
        Row(f"sync requests for {len(ids):,} arXiv ids (arXiv)", str(arxiv_requests),
            f"{len(ids):,} (one per paper)", f"{arxiv_requests / len(ids):.3f}x", "",
            f"ceil(N/100) = {want_ax}", arxiv_requests <= want_ax),
        Row(f"sync requests for {len(ids):,} arXiv ids (Semantic Scholar batches)",
            str(s2_batches), f"{len(ids):,} (one per paper)", f"{s2_batches / len(ids):.3f}x",
            "", f"ceil(N/500) = {want_s2}", s2_batches <= want_s2),
        Row(f"sync of {len(ids):,} papers, time beyond the servers' own",
            fmt_s(beyond), f"servers {fmt_s(clock.seconds)}", "", "",
            "<= 10 s", beyond <= 10),
    ] + ([] if report.get("requests") else [])  # fmt: skip


GRAPH_SCRIPT = """
import json, resource, sys, time
sys.setrecursionlimit(10000)
from readinglist.store import load_library
from readinglist import graph
library = load_library(__import__('pathlib').Path(sys.argv[1])).library
start = time.perf_counter()
analysis = graph.analyze(library)
data = graph.node_link(library)
text = json.dumps(data)
elapsed = time.perf_counter() - start
print(json.dumps({"seconds": elapsed, "citations": len(library.citations),
                  "papers": len(library.papers),
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def figure_graph(work: Path, quick: bool) -> list[Row]:
    """Graph build + every analysis + node-link export, 10,000 papers / 200,000 citations."""
    n = 1000 if quick else 10000
    root = ensure_library(work, n)
    env = child_env({"READINGLIST_CACHE_DIR": str(work / "cache")})
    runs = []
    for _ in range(1 if quick else 3):
        proc = subprocess.run([PY, "-c", GRAPH_SCRIPT, str(root)], env=env, capture_output=True,
                              text=True, check=True)  # fmt: skip
        runs.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    runs.sort(key=lambda r: r["seconds"])
    mid = runs[len(runs) // 2]
    peak = max(r["peak_mib"] for r in runs)
    return [
        Row(f"graph of {mid['papers']:,} papers / {mid['citations']:,} citations: build + "
            "analyses + node-link", fmt_s(mid["seconds"]), "", "", f"{peak:.0f} MiB (process)",
            "<= 5 s, <= 600 MB", mid["seconds"] <= 5 and peak <= 600),
    ]  # fmt: skip


def _plain_mkdocs(root: Path, pages: int, body: str) -> None:
    """A plain MkDocs-Material project with ``pages`` hand-written pages of similar size."""
    docs = root / "docs"
    (docs / "papers").mkdir(parents=True, exist_ok=True)
    (docs / "index.md").write_text("# Home\n\nA plain site.\n", encoding="utf-8")
    for i in range(pages):
        (docs / "papers" / f"p{i:05d}.md").write_text(body.replace("{i}", str(i)), encoding="utf-8")
    config = site_config("Plain", plugin=False)
    (root / "mkdocs.yml").write_text(
        config + "nav:\n  - Home: index.md\nnot_in_nav: |\n  /papers/\n", encoding="utf-8"
    )


def _paper_body(root: Path) -> str:
    """A paper page's Markdown size from our own build, as the plain site's page model."""
    sample = next((root / "site" / "papers").glob("*.html"), None)
    size = sample.stat().st_size // 6 if sample else 4000
    words = "gradient descent converges to a global minimum of the training loss ".split()
    text = "# Paper {i}\n\n" + " ".join(words[j % len(words)] for j in range(size // 6)) + "\n"
    return text + "\n```bibtex\n@misc{p{i}, title = {Paper {i}}}\n```\n"


def figure_site(work: Path, quick: bool) -> list[Row]:
    """Site of the bundled course; site of 1,000 / 5,000 papers vs a plain mkdocs build."""
    rows = []
    env = {"READINGLIST_CACHE_DIR": str(work / "cache")}
    bundled_out = work / "bundled-site"
    runs = 1 if quick else 3
    m = median_of(runs, lambda: run_process(
        [*READINGLIST, "--root", str(REPO), "build", "-d", str(bundled_out)], env))  # fmt: skip
    rows.append(Row("site of the bundled course (build)", fmt_s(m.seconds), "", "",
                    f"{m.peak_mib:.0f} MiB", "<= 15 s", m.seconds <= 15))  # fmt: skip
    sizes = [100] if quick else [1000, 5000]
    for n in sizes:
        root = ensure_library(work, n)
        out = root / "site"
        ours = median_of(1 if n >= 5000 else runs, lambda root=root, out=out: run_process(
            [*READINGLIST, "--root", str(root), "build", "-d", str(out)], env))  # fmt: skip
        plain = work / f"plain{n}"
        if not plain.exists():
            _plain_mkdocs(plain, n, _paper_body(root))
        base = median_of(1 if n >= 5000 else runs, lambda plain=plain: run_process(
            [PY, "-m", "mkdocs", "build", "-q", "-f", str(plain / "mkdocs.yml")]))  # fmt: skip
        ratio = ours.seconds / base.seconds
        memory = ours.peak_mib / base.peak_mib
        # Issue 15: half the plain build's time; at 5,000 papers also <= 1.5x its memory.
        big = n >= 5000
        rows.append(Row(f"site of {n:,} papers (build) vs plain mkdocs, {n:,} pages",
                        fmt_s(ours.seconds), fmt_s(base.seconds), f"{ratio:.2f}x",
                        f"{ours.peak_mib:.0f} / {base.peak_mib:.0f} MiB ({memory:.2f}x)",
                        "<= 0.5x, memory <= 1.5x" if big else "<= 0.5x",
                        ratio <= 0.5 and (memory <= 1.5 or not big)))  # fmt: skip
    return rows


MORE = [
    ("sync", figure_sync),
    ("graph", figure_graph),
    ("site", figure_site),
    ("serve", figure_serve_edit),
]
