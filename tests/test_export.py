"""Exports: BibTeX that re-parses everywhere and keeps what was written; valid CSL-JSON."""

from __future__ import annotations

import json
from pathlib import Path

import bibtexparser
import jsonschema
import pytest
from pybtex.database import parse_string as pybtex_parse

from readinglist.bibtex import parse_bib
from readinglist.store import load_library
from tests.conftest import SHARED

REPO = Path(__file__).resolve().parents[1]
LECTURES = range(1, 14)


@pytest.fixture(scope="module")
def library():  # type: ignore[no-untyped-def]
    return load_library(REPO).library


@pytest.fixture(scope="module")
def csl_schema() -> dict | None:
    # ../shared is absent from a fresh clone: the schema check then happens only in
    # test_export_readers.py, which always has pandoc and citeproc-py read the CSL-JSON.
    path = SHARED / "schemas" / "csl-data.json"
    return json.loads(path.read_text()) if path.is_file() else None


def validate_csl(items: object, schema: dict | None) -> None:
    if schema is not None:
        jsonschema.validate(items, schema)


@pytest.mark.parametrize("number", LECTURES)
def test_every_lecture_exports_bibtex_that_reparses(run, number: int, library) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", REPO, "export", "--lecture", number)
    assert result.exit_code == 0, result.stderr
    text = result.stdout
    lecture = library.lecture(number)
    pybtex_keys = list(pybtex_parse(text, "bibtex").entries)
    assert pybtex_keys == list(lecture.keys)
    bp = bibtexparser.parse_string(text)
    assert not bp.failed_blocks
    assert [e.key for e in bp.entries] == list(lecture.keys)
    # Every field exactly as written in the hand-written file, nothing added.
    for entry in parse_bib(text, "export.bib").entries:
        assert entry.fields == library.papers[entry.key].fields
        names = {n.lower() for n, _ in entry.fields}
        assert not names & {"topic", "lecture", "lectures", "keywords", "readinglist"}


@pytest.mark.parametrize("number", LECTURES)
def test_every_lecture_exports_valid_csl_json(run, number: int, csl_schema) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", REPO, "export", "--lecture", number, "--format", "csl-json")
    assert result.exit_code == 0
    items = json.loads(result.stdout)
    validate_csl(items, csl_schema)
    assert items and all(item["id"] and item["title"] and item["issued"] for item in items)


def test_topic_and_all_exports(run, library, csl_schema) -> None:  # type: ignore[no-untyped-def]
    for topic in library.topics:
        result = run("--root", REPO, "export", "--topic", topic.slug)
        keys = list(pybtex_parse(result.stdout, "bibtex").entries)
        assert keys == [p.key for p in library.papers_in_topic(topic.slug)]
    everything = run("--root", REPO, "export", "--all").stdout
    assert len(pybtex_parse(everything, "bibtex").entries) == 59
    items = json.loads(run("--root", REPO, "export", "--all", "--format", "csl-json").stdout)
    validate_csl(items, csl_schema)
    assert len(items) == 59


def test_csl_json_carries_names_math_and_ids(library) -> None:  # type: ignore[no-untyped-def]
    from readinglist.export import csl_item

    item = csl_item(library, library.papers["jacot2018"])
    assert item["type"] == "paper-conference"
    assert item["author"][2] == {"family": "Hongler", "given": "Clément"}
    assert item["number"] == "arXiv:1806.07572"
    assert item["URL"] == "https://arxiv.org/abs/1806.07572"
    barron = csl_item(library, library.papers["barron1993"])
    assert barron["DOI"] == "10.1109/18.256500" and barron["page"] == "930-945"


def test_exports_are_deterministic(run) -> None:  # type: ignore[no-untyped-def]
    a = run("--root", REPO, "export", "--all").stdout
    b = run("--root", REPO, "export", "--all").stdout
    assert a == b


def test_output_file_is_written_atomically(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "l1.bib"
    result = run("--root", REPO, "export", "--lecture", "1", "-o", out)
    assert result.exit_code == 0 and result.stdout == ""
    assert out.read_text() == run("--root", REPO, "export", "--lecture", "1").stdout
    assert [p.name for p in tmp_path.iterdir()] == ["l1.bib"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--lecture", "99"], "no lecture 99; lectures are 1, 2"),
        (["--topic", "nope"], "no topic 'nope'; topics are approximation"),
        ([], "choose exactly one of"),
        (["--lecture", "1", "--all"], "choose exactly one of"),
    ],
)
def test_bad_selection_is_exit_2(run, args: list[str], message: str) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", REPO, "export", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1


def test_hostile_strings_survive_export(run, course: Path, write_bib, csl_schema) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "extra.bib",
              "@misc{evil,\n  title = {<script>alert(1)</script> 100\\% $\\alpha_{1}$},\n"
              "  author = {O'Brien, Ann and {\\\"U}nal, B},\n  year = {2020},\n"
              "  url = {https://x.org/a_b~c%d#e&f},\n}\n")  # fmt: skip
    text = run("--root", course, "export", "--all").stdout
    (entry,) = [e for e in parse_bib(text, "x.bib").entries if e.key == "evil"]
    assert dict(entry.fields)["url"] == "https://x.org/a_b~c%d#e&f"
    assert dict(entry.fields)["title"] == "<script>alert(1)</script> 100\\% $\\alpha_{1}$"
    items = json.loads(run("--root", course, "export", "--all", "--format", "csl-json").stdout)
    validate_csl(items, csl_schema)
    (evil,) = [i for i in items if i["id"] == "evil"]
    assert evil["title"] == "<script>alert(1)</script> 100% $\\alpha_{1}$"
    assert evil["author"][1] == {"family": "Ünal", "given": "B"}
