"""Holes found in the graph export and ``suggest`` (control characters in outside papers'
titles), fixed: GraphML/GEXF stay XML and the terminal gets no escape sequences."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import etree

from readinglist.model import Citation, ExternalPaper
from readinglist.synced import SYNCED_DIR, dump_citations, parse_citations

EVIL_TITLE = "Evil \x01\x1b[31mred\x1b[0m title"


def cited_outside_paper(root: Path, title: str) -> None:
    """Stored citation data (older syncs, or curated by hand) with an outside paper that
    two listed papers cite, titled ``title``."""
    path = root / SYNCED_DIR / "citations.json"
    citations, external = parse_citations(path.read_text(encoding="utf-8"))
    citations = tuple(citations) + tuple(
        Citation(citing=key, cited="doi:10.1/evil", evidence="semanticscholar")
        for key in ("jacot2018", "du2018")
    )
    external = {**external, "doi:10.1/evil": ExternalPaper(
        id="doi:10.1/evil", title=title, year=2020, ids={"doi": "10.1/evil"})}  # fmt: skip
    path.write_text(dump_citations(citations, external), encoding="utf-8")


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_export_with_a_control_character_title_is_xml(
    course: Path, tmp_path: Path, run, fmt: str
) -> None:  # type: ignore[no-untyped-def]
    cited_outside_paper(course, EVIL_TITLE)
    out = tmp_path / f"graph.{fmt}"
    result = run("--root", course, "graph", "--format", fmt, "-o", out)
    assert result.exit_code == 0, result.stderr
    etree.parse(str(out))  # raises XMLSyntaxError: PCDATA invalid Char value 1


def test_suggest_prints_no_control_characters(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    cited_outside_paper(course, EVIL_TITLE)
    result = run("--root", course, "suggest")
    assert result.exit_code == 0, result.stderr
    assert "Evil" in result.stdout
    assert "\x1b" not in result.stdout and "\x01" not in result.stdout


def test_suggest_json_keeps_the_title_as_data(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    """The JSON output escapes what the text output should not print."""
    cited_outside_paper(course, EVIL_TITLE)
    result = run("--root", course, "suggest", "--json")
    assert result.exit_code == 0, result.stderr
    assert "\x1b" not in result.stdout and "\\u001b" in result.stdout
    assert any(item["title"] == EVIL_TITLE for item in json.loads(result.stdout))
