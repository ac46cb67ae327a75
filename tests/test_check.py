"""``check``: every finding names a file and a line; errors vs warnings as the issue says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import snapshot


def _check(run, root: Path, *extra: str):  # type: ignore[no-untyped-def]
    result = run("--root", root, "check", "--json", *extra)
    return result, json.loads(result.stdout)


def test_bundled_course_is_clean(run, course: Path) -> None:  # type: ignore[no-untyped-def]
    result, report = _check(run, course, "--strict")
    assert result.exit_code == 0, result.stderr
    assert (report["papers"], report["topics"], report["lectures"]) == (59, 8, 13)
    assert report["errors"] == [] and report["warnings"] == []


def _codes(findings: list[dict]) -> list[str]:
    return [f["code"] for f in findings]


def test_duplicate_keys_within_and_across_files(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "ntk.bib", (course / "bib/ntk.bib").read_text() +
              "\n@misc{jacot2018,\n  title = {Again},\n  author = {X, Y},\n  year = {2020},\n}\n"
              "\n@misc{Barron1993,\n  title = {Another paper entirely},\n  author = {Q, R},\n"
              "  year = {2000},\n}\n")  # fmt: skip
    result, report = _check(run, course)
    assert result.exit_code == 1
    dups = [f for f in report["errors"] if f["code"] == "duplicate-key"]
    assert len(dups) == 2
    assert {f["file"] for f in dups} == {"bib/ntk.bib"}
    assert any("first defined at bib/ntk.bib:" in f["message"] for f in dups)
    assert any("differ only in case" in f["message"] and "barron1993" in f["message"] for f in dups)


@pytest.mark.parametrize(
    ("entry", "kind"),
    [
        ("@misc{dup,\n  title = {X},\n  author = {A, B},\n  year = {2018},\n"
         "  eprint = {1806.07572v2},\n  archivePrefix = {arXiv},\n}\n", "same arXiv id 1806.07572"),
        ("@article{dup,\n  title = {Y},\n  author = {A, B},\n  year = {1993},\n"
         "  doi = {10.1109/18.256500},\n}\n", "same DOI 10.1109/18.256500"),
        ("@misc{dup,\n  title = {Neural {T}angent {K}ernel: convergence and generalization in "
         "neural networks},\n  author = {Jacot, A.},\n  year = {2018},\n}\n",
         "same title, first author and year (2018)"),
    ],
)  # fmt: skip
def test_same_paper_under_two_keys_names_both(run, course, write_bib, entry, kind) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "extra.bib", entry)
    result, report = _check(run, course)
    assert result.exit_code == 1
    same = [f for f in report["errors"] if f["code"] == "same-paper"]
    assert len(same) == 1, report
    assert "'dup'" in same[0]["message"] and kind in same[0]["message"]
    assert same[0]["file"] == "bib/extra.bib" and same[0]["line"] == 1


def test_malformed_ids_are_errors_at_their_line(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "extra.bib",
              "@misc{bad,\n  title = {T},\n  author = {A, B},\n  year = {2020},\n"
              "  eprint = {1806.7572},\n  archivePrefix = {arXiv},\n"
              "  doi = {10.12},\n}\n")  # fmt: skip
    result, report = _check(run, course)
    assert result.exit_code == 1
    found = {(f["code"], f["line"]) for f in report["errors"]}
    assert ("malformed-arxiv-id", 5) in found and ("malformed-doi", 7) in found


def test_unknown_reading_is_an_error_on_the_course_file_line(run, course) -> None:  # type: ignore[no-untyped-def]
    path = course / "bib/course.yml"
    text = path.read_text().replace("jacot2018", "jacot2019", 1)
    path.write_text(text)
    line = next(i for i, s in enumerate(text.splitlines(), 1) if "jacot2019" in s)
    result, report = _check(run, course)
    assert result.exit_code == 1
    (err,) = [f for f in report["errors"] if f["code"] == "unknown-key"]
    assert (err["file"], err["line"]) == ("bib/course.yml", line)
    assert "did you mean 'jacot2018'" in err["message"]


def test_warnings_fail_only_with_strict(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "ntk.bib", (course / "bib/ntk.bib").read_text() +
              "\n@misc{notitle2020,\n  author = {A, B},\n}\n")  # fmt: skip
    result, report = _check(run, course)
    assert result.exit_code == 0
    assert _codes(report["warnings"]) == ["missing-field"]
    assert "no title, year" in report["warnings"][0]["message"]
    result, _ = _check(run, course, "--strict")
    assert result.exit_code == 1


def test_empty_topic_and_lecture_and_stray_file_warn(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    (course / "bib/lower-bounds.bib").write_text("% nothing yet\n")
    write_bib(course, "stray.bib", "@misc{stray1, title={S}, author={A, B}, year={2020}}\n")
    path = course / "bib/course.yml"
    path.write_text(path.read_text() + "  - number: 99\n    title: Empty\n")
    result, report = _check(run, course)
    codes = _codes(report["warnings"])
    assert "empty-topic" in codes and "empty-lecture" in codes and "file-not-a-topic" in codes
    assert result.exit_code == 1  # lectures read the emptied topic's papers: unknown keys


def test_text_output_lists_findings_with_file_and_line(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "extra.bib", "@misc{x, title={T}, author={A, B}, year={2020}, doi={nope}}\n")
    result = run("--root", course, "check")
    assert result.exit_code == 1
    assert "bib/extra.bib:1: error: x: malformed DOI 'nope' [malformed-doi]" in result.stderr
    assert "59 papers" not in result.stdout and "60 papers, 8 topics, 13 lectures" in result.stdout


def test_check_never_writes(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(course)
    run("--root", course, "check")
    run("--root", course, "check", "--json", "--strict")
    assert snapshot(course) == before
