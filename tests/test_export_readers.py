"""CSL-JSON exports read by real CSL readers: pandoc ``--citeproc`` and citeproc-py.

These run on a fresh clone; the JSON schema in ../shared/schemas is an extra check where
that folder is present (it is not part of the repository).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import SHARED, needs_shared

REPO = Path(__file__).resolve().parents[1]
SCHEMA = SHARED / "schemas" / "csl-data.json"
LECTURES = range(1, 14)
PANDOC = shutil.which("pandoc")

# .ci/run installs pandoc; elsewhere a missing pandoc skips these tests rather than fail.
needs_pandoc = pytest.mark.skipif(
    PANDOC is None and not os.environ.get("CI"),
    reason="pandoc is not installed (apt-get install pandoc); .ci/run installs it",
)

SELECTIONS = [["--lecture", str(n)] for n in LECTURES] + [["--all"]]


def _csl(run: Any, root: Path, *selection: str) -> list[dict[str, Any]]:
    result = run("--root", root, "export", *selection, "--format", "csl-json")
    assert result.exit_code == 0, result.stderr
    items = json.loads(result.stdout)
    assert isinstance(items, list) and items
    return items


def _pandoc(tmp_path: Path, items: list[dict[str, Any]]) -> tuple[str, str, list[Any]]:
    """Render every item with pandoc --citeproc (HTML) and read it back as CSL-JSON."""
    assert PANDOC, "pandoc is required (CI installs it)"
    bib = tmp_path / "refs.json"
    bib.write_text(json.dumps(items, ensure_ascii=False), encoding="utf-8")
    doc = tmp_path / "doc.md"
    doc.write_text('---\nnocite: "@*"\n---\n\nReadings.\n', encoding="utf-8")
    rendered = subprocess.run(
        [PANDOC, "--citeproc", f"--bibliography={bib}", "-t", "html", str(doc)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert rendered.returncode == 0, rendered.stderr
    reread = subprocess.run(
        [PANDOC, "-f", "csljson", "-t", "csljson", str(bib)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert reread.returncode == 0, reread.stderr
    return rendered.stdout, rendered.stderr + reread.stderr, json.loads(reread.stdout)


def _citeproc_py(items: list[dict[str, Any]]) -> list[str]:
    """The bibliography citeproc-py formats from the items (its bundled Harvard style)."""
    import citeproc
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON

    style_file = Path(citeproc.__file__).parent / "data" / "styles" / "harvard-cite-them-right.csl"
    with warnings.catch_warnings():
        # citeproc-py does not know CSL 1.0.2's "citation-key"; it says so and ignores it.
        warnings.filterwarnings("ignore", message=".*unsupported: citation_key")
        source = CiteProcJSON(items)
    style = CitationStylesStyle(str(style_file), validate=False)
    bibliography = CitationStylesBibliography(style, source, formatter.plain)
    for item in items:
        bibliography.register(Citation([CitationItem(item["id"])]))
    return [str(entry) for entry in bibliography.bibliography()]


@needs_pandoc
@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "-".join(s).strip("-"))
def test_pandoc_citeproc_reads_every_export(run: Any, tmp_path: Path, selection: list[str]) -> None:
    items = _csl(run, REPO, *selection)
    html, stderr, reread = _pandoc(tmp_path, items)
    assert "WARNING" not in stderr.upper(), stderr
    # One bibliography entry per item, each under its own id.
    for item in items:
        assert f'id="ref-{item["id"]}"' in html
    assert html.count('class="csl-entry"') == len(items)
    assert {i["id"] for i in reread} == {i["id"] for i in items}
    by_id = {i["id"]: i for i in reread}
    for item in items:
        again = by_id[item["id"]]
        assert again["issued"] == item["issued"]
        assert [a.get("family") for a in again.get("author", [])] == [
            a.get("family") for a in item.get("author", [])
        ]


@pytest.mark.parametrize("selection", SELECTIONS, ids=lambda s: "-".join(s).strip("-"))
def test_citeproc_py_formats_every_export(run: Any, selection: list[str]) -> None:
    items = _csl(run, REPO, *selection)
    entries = _citeproc_py(items)
    assert len(entries) == len(items)
    text = "\n".join(entries)
    for item in items:
        first = (item.get("author") or [{}])[0]
        assert first.get("family", "") in text
        assert str(item["issued"]["date-parts"][0][0]) in text


@needs_pandoc
def test_hostile_strings_reach_both_readers(
    run: Any, course: Path, write_bib: Any, tmp_path: Path
) -> None:
    write_bib(course, "extra.bib",
              "@misc{evil,\n  title = {<script>alert(1)</script> 100\\% $\\alpha_{1}$},\n"
              "  author = {O'Brien, Ann and {\\\"U}nal, B},\n  year = {2020},\n"
              "  url = {https://x.org/a_b~c%d#e&f},\n}\n")  # fmt: skip
    items = _csl(run, course, "--all")
    html, stderr, reread = _pandoc(tmp_path, items)
    assert "<script>" not in html and 'id="ref-evil"' in html
    (evil,) = [i for i in reread if i["id"] == "evil"]
    assert [a["family"] for a in evil["author"]] == ["O’Brien", "Ünal"]
    entries = _citeproc_py(items)
    assert any("Ünal" in e and "2020" in e for e in entries)


@needs_shared(SCHEMA)
def test_every_export_matches_the_shared_csl_schema(run: Any) -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    for selection in SELECTIONS:
        jsonschema.validate(_csl(run, REPO, *selection), schema)
