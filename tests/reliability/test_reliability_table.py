"""RELIABILITY.md's table is exactly what table.py prints from the corpus, and every test
a row names exists."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from tests.reliability import table
from tests.reliability.corpus import (
    ARXIV,
    BIBTEX,
    COURSE,
    COVERED,
    FAULTS,
    OPEN,
    PROPERTIES,
    S2,
    SECURITY,
)

REPO = Path(__file__).resolve().parents[2]


def test_document_table_is_the_generated_one() -> None:
    document = (REPO / "RELIABILITY.md").read_text(encoding="utf-8")
    assert table.generated_part(document) == table.render(), (
        "RELIABILITY.md is out of date: run python tests/reliability/table.py --write"
    )


def test_table_script_runs_standalone() -> None:
    done = subprocess.run(
        [sys.executable, str(REPO / "tests/reliability/table.py")],
        capture_output=True, text=True, cwd=REPO / "tests", check=True,
    )  # fmt: skip
    assert done.stdout == table.render()


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}


def test_every_named_test_exists() -> None:
    for row in FAULTS + SECURITY + PROPERTIES + OPEN + COVERED:
        file, _, name = row.test.partition("::")
        name = name.split("[")[0]
        assert name in _functions(REPO / file), row.test


def test_every_case_id_is_unique() -> None:
    ids = [c.id for c in BIBTEX + COURSE + ARXIV + S2] + [
        r.id for r in FAULTS + SECURITY + PROPERTIES + OPEN + COVERED
    ]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
