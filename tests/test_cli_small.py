"""Small things a newcomer meets first: a closed pipe, padded lines, silent writes, a
doubled path, an odd sentence."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import networkx as nx
import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    "command",
    [["stats"], ["show", "jacot2018"], ["export", "--all"], ["graph"], ["check"], ["suggest"]],
    ids=lambda c: c[0],
)
def test_a_closed_pipe_exits_0_quietly(command: list[str]) -> None:
    # As `readinglist stats | head -1` once head has gone: the reading end is closed
    # before the first write, so every write fails with EPIPE.
    read, write = os.pipe()
    os.close(read)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "readinglist", "--root", str(REPO), *command],
            stdout=write, stderr=subprocess.PIPE, text=True, timeout=120, check=False,
        )  # fmt: skip
    finally:
        os.close(write)
    assert (result.returncode, result.stderr) == (0, "")


def test_stats_into_head_exits_0() -> None:
    command = f'"{sys.executable}" -m readinglist --root "{REPO}" stats'
    script = f"{command} | head -1; exit ${{PIPESTATUS[0]}}"
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and result.stderr == ""
    assert result.stdout.startswith("59 papers, 8 topics, 13 lectures")


def test_show_has_no_trailing_spaces(run: Any) -> None:
    result = run("--root", REPO, "show", "jacot2018")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[:2] == [
        "key         jacot2018",
        "title       Neural Tangent Kernel: Convergence and Generalization in Neural Networks",
    ]
    assert "defined at  bib/ntk.bib:4" in lines
    assert [line for line in lines if line != line.rstrip()] == []


@pytest.mark.parametrize(
    ("fmt", "read"), [("json", None), ("graphml", nx.read_graphml), ("gexf", nx.read_gexf)]
)
def test_graph_to_a_file_says_what_it_wrote(run: Any, tmp_path: Path, fmt: str, read: Any) -> None:
    out = tmp_path / f"course.{fmt}"
    result = run("--root", REPO, "graph", "--format", fmt, "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    if read is None:
        data = nx.node_link_graph(__import__("json").loads(out.read_text()), edges="links")
    else:
        data = read(out)
    size = out.stat().st_size
    assert result.stderr == (
        f"wrote the graph to {out} ({fmt}, {data.number_of_nodes()} nodes, "
        f"{data.number_of_edges()} edges, {size:,} bytes)\n"
    )
    assert data.number_of_nodes() > 59


def test_missing_root_is_named_once(run: Any, tmp_path: Path) -> None:
    nope = tmp_path / "nope"
    result = run("--root", nope, "check")
    assert result.exit_code == 2
    assert result.stderr == f"error: {nope}: no such folder (given with --root)\n"


def test_offline_sync_before_any_sync_says_so(run: Any, course: Path) -> None:
    result = run("--root", course, "sync", "--offline")
    assert result.exit_code == 0, result.stderr
    first = result.stdout.splitlines()[0]
    assert first == "Offline: nothing fetched, and no sync has stored data yet."
    assert "never synced" not in result.stdout
