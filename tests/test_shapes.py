"""Real-world BibTeX shapes (tests/data/shapes, our own files modelled on what BibTeX
tools' test suites and real exports contain): one test per shape, through the CLI, and
exports read back by pybtex, bibtexparser and pandoc."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import jsonschema
import pybtex.errors
import pytest
from pybtex.database import parse_string as pybtex_parse

from readinglist.bibtex import parse_bib, raw_fields
from tests.conftest import REPO, SHARED

SHAPES = REPO / "tests" / "data" / "shapes"
PANDOC = shutil.which("pandoc")


def _import(run, course: Path, shape: str):  # type: ignore[no-untyped-def]
    return run("--root", course, "import", SHAPES / f"{shape}.bib", "--topic", shape)


def _check(run, course: Path) -> dict:  # type: ignore[no-untyped-def, type-arg]
    return json.loads(run("--root", course, "check", "--json").stdout)


def _codes(report: dict, severity: str, file: str) -> list[tuple[int, str]]:  # type: ignore[type-arg]
    return [(f["line"], f["code"]) for f in report[severity] if f["file"] == file]


def _raw_by_key(text: str) -> dict[str, list[tuple[str, str]]]:
    return {e.key: raw_fields(e.text) for e in parse_bib(text, "x").entries}


def _reads_back_everywhere(text: str, *, pandoc: bool = True) -> None:
    """The export parses alone with pybtex, bibtexparser and pandoc, to the same keys and
    (pybtex, which resolves macros as BibTeX does) the same values as ours."""
    ours = {e.key: e for e in parse_bib(text, "export.bib").entries}
    pybtex.errors.set_strict_mode(False)
    try:
        theirs = pybtex_parse(text, "bibtex")
    finally:
        pybtex.errors.set_strict_mode(True)
    assert list(theirs.entries) == list(ours)
    for key, entry in ours.items():
        for name, value in entry.fields:
            if name.lower() in ("author", "editor"):
                continue
            assert theirs.entries[key].fields[name] == value, (key, name)
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    assert [e.key for e in library.entries] == list(ours)
    if PANDOC and pandoc:
        out = subprocess.run([PANDOC, "-f", "bibtex", "-t", "csljson"], input=text,
                             capture_output=True, text=True, check=True, timeout=60)  # fmt: skip
        assert sorted(item["id"] for item in json.loads(out.stdout)) == sorted(ours)


# ---------------------------------------------------------------- export as written


@pytest.mark.parametrize("shape", sorted(p.stem for p in SHAPES.glob("*.bib")))
def test_export_of_each_shape_reads_back_as_written(run, course: Path, shape: str) -> None:  # type: ignore[no-untyped-def]
    _import(run, course, shape)
    result = run("--root", course, "export", "--topic", shape)
    assert result.exit_code == 0, result.stderr
    source = _raw_by_key((SHAPES / f"{shape}.bib").read_text("utf-8"))
    exported = _raw_by_key(result.stdout)
    assert exported, result.stdout
    for key, fields in exported.items():
        assert fields == source[key], key
    # pandoc 2.17 loops forever on a crossref cycle: that shape is for check to refuse.
    _reads_back_everywhere(result.stdout, pandoc=shape != "crossref-cycle")


def test_every_bundled_topic_exports_the_same_raw_values(run) -> None:  # type: ignore[no-untyped-def]
    for bib in sorted((REPO / "bib").glob("*.bib")):
        result = run("--root", REPO, "export", "--topic", bib.stem)
        assert result.exit_code == 0, result.stderr
        source = _raw_by_key(bib.read_text("utf-8"))
        exported = _raw_by_key(result.stdout)
        assert list(exported) == list(source), bib
        assert exported == source, bib
        _reads_back_everywhere(result.stdout)


def test_strings_macros_and_months_are_exported_as_written(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    _import(run, course, "strings-and-months")
    text = run("--root", course, "export", "--topic", "strings-and-months").stdout
    # The @string definitions the entries use come first, the dependency before its user.
    assert text.index("@String{proc") < text.index("@string{colt") < text.index("@InProc")
    assert '@STRING{jmlr = "Journal of Machine Learning Research"}' in text
    assert "JOURNAL = jmlr," in text and "MONTH = nov," in text and "YEAR = 2002," in text
    assert 'booktitle = colt # " (COLT)",' in text and "@ARTICLE{bartlett2002" in text
    # A parenthesized entry is written with braces (pandoc reads only those); its
    # values stay as written.
    assert "@article{mbeki1989superpositions," in text and "month = dec\n}" in text
    normalized = run("--root", course, "export", "--topic", "strings-and-months",
                     "--normalized").stdout  # fmt: skip
    assert "journal = {Journal of Machine Learning Research}," in normalized.replace(
        "JOURNAL", "journal"
    )
    assert "MONTH = {November}," in normalized and "@string" not in normalized.lower()
    assert "booktitle = {Proceedings of the Conference on Learning Theory (COLT)}" in normalized
    _reads_back_everywhere(normalized)


# ---------------------------------------------------------------- the same paper


def test_recurring_column_issues_are_all_imported_and_reported(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    result = _import(run, course, "recurring-column")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("imported 4 (2 possible duplicates), skipped 1 ")
    # Only the true duplicate (same title, author, year, volume, number, pages) is skipped.
    assert "skip column1992again: same title, first author and year (1992) as column1992" in (
        result.stderr
    )
    assert (
        "possible duplicate column1992: same title and first author, but years 1992 and "
        "1991, volumes 13 and 12" in result.stderr
    )
    report = _check(run, course)
    assert not [f for f in report["errors"] if f["code"] == "same-paper"]
    warned = [f["message"] for f in report["warnings"] if f["code"] == "possible-duplicate"]
    assert any("'column1992b' and 'column1991'" in m for m in warned), warned


def test_book_and_article_of_the_same_title_are_two_papers(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    result = _import(run, course, "book-vs-article")
    text = (course / "bib/book-vs-article.bib").read_text("utf-8")
    assert "{feller1957introduction," in text and "{feller1966introduction," in text
    assert "entry types article and book" in result.stderr
    # A preprint (@misc) and its journal version of the same year: the same paper.
    assert (
        "skip smith2021journal: same title, first author and year (2021) as "
        "smith2021preprint" in result.stderr
    )
    report = _check(run, course)
    assert [f for f in report["warnings"] if f["code"] == "possible-duplicate"
            and "feller1966introduction" in f["message"]]  # fmt: skip


# ---------------------------------------------------------------- partial reading


def test_citavi_entries_without_a_key_are_reported_the_rest_imported(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    result = _import(run, course, "citavi-empty-keys")
    assert result.exit_code == 1
    assert f"{SHAPES / 'citavi-empty-keys.bib'}:2: not imported (no key)" in result.stderr
    assert f"{SHAPES / 'citavi-empty-keys.bib'}:19: not imported (no key)" in result.stderr
    assert "{rivera2020keyed," in (course / "bib/citavi-empty-keys.bib").read_text("utf-8")


def test_hand_written_file_with_a_broken_entry_checks_with_the_others(
    run, course: Path, write_bib
) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "ntk.bib", (course / "bib/ntk.bib").read_text("utf-8")
              + "\n" + (SHAPES / "broken-middle.bib").read_text("utf-8"))  # fmt: skip
    offset = (course / "bib/ntk.bib").read_text("utf-8").index("% Shape: one broken")
    first = (course / "bib/ntk.bib").read_text("utf-8").count("\n", 0, offset)
    result = run("--root", course, "check", "--json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    errors = [f for f in report["errors"] if f["code"] == "syntax-error"]
    assert [(f["line"], f["message"]) for f in errors] == [
        (first + 11, "broken2019: missing comma after the field on line "
                     f"{first + 11}?")]  # fmt: skip
    assert (first + 19, "undefined-macro") in _codes(report, "warnings", "bib/ntk.bib")
    for key in ("before2019", "after2019", "jacot2018"):
        assert run("--root", course, "show", key).exit_code == 0, key


def test_undefined_macro_is_empty_and_warned(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    result = _import(run, course, "broken-middle")
    assert "undefined @string macro 'jnosuch'; it reads as empty" in result.stderr
    shown = json.loads(run("--root", course, "show", "after2019", "--json").stdout)
    assert shown["venue"] is None


# ---------------------------------------------------------------- crossref and xref


def test_crossref_children_inherit_and_parents_come_along(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    assert _import(run, course, "crossref").exit_code == 0
    child = json.loads(run("--root", course, "show", "child2018a", "--json").stdout)
    assert child["venue"] == "Proceedings of the Workshop on Inheritance"
    assert child["year"] == 2018
    chapter = json.loads(run("--root", course, "show", "chapter2010", "--json").stdout)
    # biblatex: a collection's title is its chapters' booktitle, never their title.
    assert chapter["title"] == "A Chapter of a Collected Volume"
    assert chapter["venue"] == "Collected Essays on Learning" and chapter["year"] == 2010
    report = _check(run, course)
    assert not [f for f in report["warnings"] if f["file"] == "bib/crossref.bib"
                and f["code"] == "missing-field"]  # fmt: skip
    items = {
        i["id"]: i
        for i in json.loads(
            run("--root", course, "export", "--topic", "crossref", "--format", "csl-json").stdout
        )
    }
    assert items["child2018a"]["container-title"] == "Proceedings of the Workshop on Inheritance"
    assert items["child2018a"]["issued"] == {"date-parts": [[2018, 9]]}
    assert items["child2018a"]["publisher"] == "Example Press"
    # xref names a parent without inheriting from it (biblatex).
    assert "container-title" not in items["xrefnote2019"]


def test_crossref_cycle_is_refused_with_a_finding(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    _import(run, course, "crossref-cycle")
    report = _check(run, course)
    cycles = [f for f in report["errors"] if f["code"] == "crossref-cycle"]
    assert {(f["file"], f["line"]) for f in cycles} == {
        ("bib/crossref-cycle.bib", 4), ("bib/crossref-cycle.bib", 10)}  # fmt: skip
    assert "loopa -> loopb -> loopa" in cycles[0]["message"]


# ---------------------------------------------------------------- DOIs


def test_every_doi_form_is_accepted_and_kept_as_written(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    result = _import(run, course, "doi-forms")
    assert result.exit_code == 0 and "malformed" not in result.stderr
    report = _check(run, course)
    assert not [f for f in report["errors"] if f["file"] == "bib/doi-forms.bib"]
    shown = json.loads(run("--root", course, "show", "dx2005", "--json").stdout)
    assert shown["doi"] == "10.1016/J.JID.2005.01.002"
    items = {
        i["id"]: i
        for i in json.loads(
            run("--root", course, "export", "--topic", "doi-forms", "--format", "csl-json").stdout
        )
    }
    assert items["acm1999"]["DOI"] == "10.1145/300000.300001"
    assert items["prefix2012"]["DOI"] == "10.1234/LoM.2012.99"
    # Compared case-insensitively: the same DOI in lower case is the same paper.
    again = course / "again.bib"
    again.write_text("@article{other, title = {X}, doi = {10.1016/j.jid.2005.01.002}}\n")
    second = run("--root", course, "import", again, "--topic", "doi-forms")
    assert "skip other: same DOI 10.1016/j.jid.2005.01.002 as dx2005" in second.stderr


# ---------------------------------------------------------------- CSL-JSON dates


def test_csl_json_keeps_months_days_ranges_and_series(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    _import(run, course, "biblatex-dates")
    out = run("--root", course, "export", "--topic", "biblatex-dates", "--format", "csl-json")
    items = {i["id"]: i for i in json.loads(out.stdout)}
    assert items["workshop1996"]["issued"] == {"date-parts": [[1996, 3, 11], [1996, 3, 14]]}
    assert items["blog2020"]["issued"] == {"date-parts": [[2020, 5]]}
    assert items["blog2020"]["accessed"] == {"date-parts": [[2021, 2, 1]]}
    assert items["annual2020"]["issued"] == {"date-parts": [[2020], [2021]]}
    assert items["annual2020"]["collection-title"] == "Annual Reviews"
    assert items["annual2020"]["collection-number"] == "7"
    assert items["ads1993"]["issued"] == {"date-parts": [[1993]]}
    assert items["numeric2019"]["issued"] == {"date-parts": [[2019, 3, 11]]}
    bundled = {
        i["id"]: i
        for i in json.loads(run("--root", course, "export", "--all", "--format", "csl-json").stdout)
    }
    pmlr = "Proceedings of Machine Learning Research"
    assert bundled["arora2019fine"]["collection-title"] == pmlr
    schema = SHARED / "schemas" / "csl-data.json"
    if schema.exists():
        jsonschema.validate(list(items.values()), json.loads(schema.read_text()))
        jsonschema.validate(list(bundled.values()), json.loads(schema.read_text()))


@pytest.mark.skipif(PANDOC is None, reason="pandoc is not installed")
def test_pandoc_citeproc_reads_the_csl_json_with_full_dates(
    run, course: Path, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _import(run, course, "biblatex-dates")
    csl = tmp_path / "refs.json"
    run("--root", course, "export", "--topic", "biblatex-dates", "--format", "csl-json",
        "-o", csl)  # fmt: skip
    doc = "---\nnocite: '@*'\n---\n\nText.\n"
    out = subprocess.run([PANDOC, "--citeproc", f"--bibliography={csl}", "-t", "plain"],
                         input=doc, capture_output=True, text=True, check=True,
                         timeout=60)  # fmt: skip
    assert "[WARNING]" not in out.stderr, out.stderr
    text = " ".join(out.stdout.split())
    assert "Notes from a Four-Day Workshop on Kernels" in text
    assert "May 2020" in text  # the month of an @online item survives to the bibliography
    assert "2020–2021" in text or "2020-2021" in text
