"""The CLI contract for check/show/export: exit codes, one-line errors, nothing lost."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import snapshot

REPO = Path(__file__).resolve().parents[1]


def test_show_gives_the_ntk_paper(run) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", REPO, "show", "jacot2018", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    for key in ("key", "title", "authors", "year", "arxiv", "version", "doi", "venue",
                "abstract", "topics", "lectures", "cites", "cited_by"):  # fmt: skip
        assert key in data
    assert data["arxiv"] == "1806.07572"
    assert data["title"].startswith("Neural Tangent Kernel")
    assert data["authors"][0] == "Arthur Jacot"
    assert data["topics"] == ["ntk"] and data["lectures"]
    assert "chizat2019lazy" in data["cited_by"]


def test_show_text_and_unknown_key(run) -> None:  # type: ignore[no-untyped-def]
    text = run("--root", REPO, "show", "barron1993")
    assert text.exit_code == 0 and "Universal approximation bounds" in text.stdout
    missing = run("--root", REPO, "show", "jacot2019")
    assert missing.exit_code == 2
    assert missing.stderr == "error: no paper with key 'jacot2019'; did you mean jacot2018?\n"


def test_folder_without_course_file_is_refused(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", tmp_path, "check")
    assert result.exit_code == 2
    assert "no course file bib/course.yml" in result.stderr
    assert result.stderr.count("\n") == 1


def test_help_of_every_command_has_an_example(run) -> None:  # type: ignore[no-untyped-def]
    from readinglist.cli import COMMANDS

    for name in COMMANDS:
        result = run(name, "--help")
        assert result.exit_code == 0
        assert "Example" in result.stdout, name


def test_version(run) -> None:  # type: ignore[no-untyped-def]
    assert run("--version").stdout.startswith("readinglist, version ")


# Files that cannot be read at all: exit 2, one line naming file and line.
UNREADABLE = {
    "invalid UTF-8": (b"@article{x,\n  title = {A},\n  author = {Sch\xf6lkopf, B},\n}\n", 3),
    "NUL byte": (b"@article{x,\n  title = {A\x00},\n}\n", 2),
}


@pytest.mark.parametrize("case", sorted(UNREADABLE))
@pytest.mark.parametrize("command", [["check"], ["show", "jacot2018"], ["export", "--all"]])
def test_unreadable_bib_is_one_line_exit_2_and_nothing_written(
    run, course, write_bib, case, command
) -> None:  # type: ignore[no-untyped-def]
    data, line = UNREADABLE[case]
    original_lines = (course / "bib/ntk.bib").read_bytes().count(b"\n")
    write_bib(course, "ntk.bib", (course / "bib/ntk.bib").read_bytes() + data)
    before = snapshot(course)
    result = run("--root", course, *command)
    assert result.exit_code == 2, (case, result.stdout, result.stderr)
    assert result.stderr.startswith(f"error: bib/ntk.bib:{original_lines + line}: "), result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(course) == before


# One broken entry among good ones: a finding at its line (exit 1 for check); the other
# entries are read, shown and exported.
BROKEN = {
    "unbalanced brace": (b"@article{x,\n  title = {Oops,\n  year = 2020,\n}\n", 2, "error"),
    "unbalanced quote": (b'@article{x,\n  title = "Oops,\n  year = 2020,\n}\n', 2, "error"),
    "missing comma": (b"@article{x,\n  title = {A}\n  year = {2020},\n}\n", 2, "error"),
    "missing =": (b"@article{x,\n  title {A},\n  year = {2020},\n}\n", 2, "error"),
    "empty key": (b"@Article{,\n  title = {A},\n}\n", 1, "error"),
    "undefined macro": (b"@article{x,\n  title = {A},\n  journal = jmlrr,\n}\n", 3, "warning"),
    "self-referencing macro": (b"@string{a = a # b}\n@misc{x, title = a}\n", 1, "warning"),
    "cut off at end": (b"@article{x,\n  title = {A},\n  year = {20", 3, "error"),
    "key with space": (b"@article{my key,\n  title = {A},\n}\n", 1, "error"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_one_broken_entry_is_one_finding_and_the_rest_is_used(run, course, write_bib, case) -> None:  # type: ignore[no-untyped-def]
    data, line, severity = BROKEN[case]
    original_lines = (course / "bib/ntk.bib").read_bytes().count(b"\n")
    write_bib(course, "ntk.bib", (course / "bib/ntk.bib").read_bytes() + data)
    before = snapshot(course)
    result = run("--root", course, "check", "--json")
    report = json.loads(result.stdout)
    found = [f for f in report[severity + "s"]
             if f["file"] == "bib/ntk.bib" and f["code"] != "missing-field"]  # fmt: skip
    assert [f["line"] for f in found][:1] == [original_lines + line], report
    assert result.exit_code == (1 if severity == "error" else 0)
    assert report["papers"] >= 59
    shown = run("--root", course, "show", "jacot2018")
    assert shown.exit_code == 0 and "Neural Tangent Kernel" in shown.stdout
    exported = run("--root", course, "export", "--all")
    assert exported.exit_code == 0 and "@inproceedings{jacot2018," in exported.stdout
    assert snapshot(course) == before


@pytest.mark.parametrize(
    ("content", "readable"),
    [
        (b"\xef\xbb\xbf@misc{bom1, title={T}, author={A, B}, year={2020}}\n", True),
        (b"@misc{crlf1,\r\n title={T},\r\n author={A, B},\r\n year={2020}\r\n}\r\n", True),
        (b"@misc{cr1,\r title={T},\r author={A, B},\r year={2020}\r}\r", True),
        (b"@misc{a/b, title={Slash key}, author={A, B}, year={2020}}\n", True),
        (b"@misc{../up, title={Dots key}, author={A, B}, year={2020}}\n", True),
        (b"@misc{M\xc3\xbcller2020, title={Umlaut key}, author={A, B}, year={2020}}\n", True),
        (b"", True),
        (b"% only a comment\n", True),
    ],
)
def test_valid_oddities_are_read(run, course, write_bib, content: bytes, readable: bool) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "odd.bib", content)
    result = run("--root", course, "check", "--json")
    assert result.exit_code in (0, 1), result.stderr
    report = json.loads(result.stdout)
    expected = 59 + (1 if b"@misc" in content else 0)
    assert report["papers"] == expected


def test_crlf_file_reports_right_line(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "odd.bib", b"@misc{k1,\r\n title={T},\r\n author={A, B},\r\n year={2020},\r\n"
              b" doi={bad}\r\n}\r\n")  # fmt: skip
    report = json.loads(run("--root", course, "check", "--json").stdout)
    (err,) = report["errors"]
    assert (err["file"], err["line"]) == ("bib/odd.bib", 5)


def test_bib_that_is_a_folder_or_unreadable(run, course) -> None:  # type: ignore[no-untyped-def]
    (course / "bib/folder.bib").mkdir()
    result = run("--root", course, "check")
    assert (
        result.exit_code == 2
        and result.stderr == "error: bib/folder.bib: is a folder, not a file\n"
    )
    (course / "bib/folder.bib").rmdir()
    if os.geteuid() == 0:
        pytest.skip("root reads every file")
    path = course / "bib/ntk.bib"
    path.chmod(0)
    result = run("--root", course, "check")
    assert result.exit_code == 2 and "permission denied" in result.stderr


def test_course_file_error_is_one_line(run, course) -> None:  # type: ignore[no-untyped-def]
    path = course / "bib/course.yml"
    path.write_text(path.read_text().replace("lectures:", "lectures:\n  - number: x\n", 1))
    before = snapshot(course)
    result = run("--root", course, "check")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: bib/course.yml:") and "whole number" in result.stderr
    assert snapshot(course) == before


def test_debug_shows_the_traceback(course, write_bib) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "ntk.bib", b"@article{x,\n title = {Sch\xf6n},\n}\n")
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    plain = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(course), "check"],
                           capture_output=True, text=True, env=env)  # fmt: skip
    assert plain.returncode == 2 and "Traceback" not in plain.stderr
    debug = subprocess.run([sys.executable, "-m", "readinglist", "--root", str(course), "--debug",
                            "check"], capture_output=True, text=True, env=env)  # fmt: skip
    assert debug.returncode != 0 and "Traceback" in debug.stderr


def test_no_command_rewrites_hand_written_files(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Every command that exists, run against a copy: hand-written files stay byte-identical."""
    hand = {p: p.read_bytes() for p in (course / "bib").glob("*.bib")}
    hand[course / "bib/course.yml"] = (course / "bib/course.yml").read_bytes()
    out = tmp_path / "out"
    out.mkdir()
    commands = [
        ["check"], ["check", "--json", "--strict"], ["show", "jacot2018"],
        ["show", "jacot2018", "--json"], ["export", "--all"], ["export", "--lecture", "3"],
        ["export", "--topic", "ntk", "--format", "csl-json", "-o", out / "ntk.json"],
        ["export", "--all", "--prefer", "published"],
        ["stats"], ["stats", "--json"], ["suggest", "--min-cites", "1"],
        ["graph", "-o", out / "g.json"],
        ["candidates"], ["sync", "--offline"], ["sync", "--offline", "--dry-run"],
        ["build", "-d", out / "site"],
    ]  # fmt: skip
    from readinglist.cli import COMMANDS

    ran = 0
    for command in commands:
        if command[0] not in COMMANDS:
            continue
        run("--root", course, *command)
        ran += 1
    assert ran >= 7
    for path, data in hand.items():
        assert path.read_bytes() == data, path


def test_titles_and_keys_with_rich_markup_are_printed_as_text(run, course, write_bib) -> None:  # type: ignore[no-untyped-def]
    write_bib(course, "extra.bib",
              "@misc{odd[/x],\n  title = {A [/bold] title [red]x},\n  author = {A, B},\n"
              "  year = {2020},\n  doi = {[/x]},\n}\n")  # fmt: skip
    shown = run("--root", course, "show", "odd[/x]")
    assert shown.exit_code == 0 and "A [/bold] title [red]x" in shown.stdout
    checked = run("--root", course, "check")
    assert checked.exit_code == 1 and "malformed DOI '[/x]'" in checked.stderr


# ---------------------------------------------------------------- printing findings


def _printed(report, *, through_rich: bool, monkeypatch) -> str:  # type: ignore[no-untyped-def]
    """What print_findings writes to a stderr that is not a terminal, by the plain path
    or (``through_rich``) by rich, as before the plain path existed."""
    from readinglist.cli import library

    with monkeypatch.context() as m:
        if through_rich:  # rich still sees no terminal: it prints without style
            m.setattr(library, "_stderr_is_terminal", lambda: True)
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            library.print_findings(report)
    return err.getvalue()


def _report(*findings: tuple[str, int, str, str, str]):  # type: ignore[no-untyped-def]
    from readinglist.check import Finding, Report

    return Report(1, 1, 1, tuple(Finding(*f) for f in findings))


TITLE = "ключ: title differs: 'Ñandú 数学 𝔼 x²' " + "long " * 40
FINDINGS = [
    ("bib/ntk.bib", 12, "error", "duplicate-key",
     "duplicate key 'jacot2018' (first at bib/a.bib:3)"),
    ("bib/x [y].bib", 3, "warning", "missing-field", "k[/x]: no year [red]:smile: \\[b] \\"),
    ("bib/ü.bib", 1000, "warning", "title-differs", TITLE),
    ("bib/t.bib", 7, "error", "syntax-error", "tab\there and a bell \x07 and \r return"),
    ("bib\\", 2, "error", "x", "ends with a backslash \\"),
]  # fmt: skip


def test_findings_print_exactly_without_a_terminal(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    report = _report(*FINDINGS[:3], FINDINGS[4])
    plain = _printed(report, through_rich=False, monkeypatch=monkeypatch)
    assert plain == (
        "bib/ntk.bib:12: error: duplicate key 'jacot2018' (first at bib/a.bib:3) "
        "[duplicate-key]\n"
        "bib/x [y].bib:3: warning: k[/x]: no year [red]:smile: \\[b] \\ [missing-field]\n"
        f"bib/ü.bib:1000: warning: {TITLE} [title-differs]\n"
        # Printed through escaped rich markup, a final backslash came out doubled.
        "bib\\:2: error: ends with a backslash \\ [x]\n"
    )  # fmt: skip
    assert plain == _printed(report, through_rich=True, monkeypatch=monkeypatch)
    # Tabs and control characters, which rich changes, still go through rich.
    odd = _report(*FINDINGS)
    assert _printed(odd, through_rich=False, monkeypatch=monkeypatch) == _printed(
        odd, through_rich=True, monkeypatch=monkeypatch
    )
    assert "tab\there" not in _printed(odd, through_rich=False, monkeypatch=monkeypatch)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.text(min_size=1, max_size=40).map(lambda t: t + "\\" if t.endswith("x") else t),
    st.tuples(st.text(max_size=80), st.sampled_from(["", "\\", "\\\\", "[", "[/]", " "])).map(
        "".join
    ),
    st.integers(1, 10**6),
)
def test_the_plain_findings_are_what_rich_prints(
    monkeypatch, file: str, message: str, line: int
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    report = _report((file, line, "warning", "code", message), (file, line + 1, "error", "c", "m"))
    assert _printed(report, through_rich=False, monkeypatch=monkeypatch) == _printed(
        report, through_rich=True, monkeypatch=monkeypatch
    )


@pytest.mark.parametrize(
    ("env", "styled"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": ""}, False),
     ({"TTY_COMPATIBLE": "1"}, True), ({"TTY_COMPATIBLE": "0", "FORCE_COLOR": "1"}, False)],
)  # fmt: skip
def test_findings_are_styled_when_the_environment_says_terminal(
    monkeypatch, env: dict[str, str], styled: bool
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("TTY_COMPATIBLE", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    from readinglist.cli import library

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        library.print_findings(_report(FINDINGS[0]))
    assert ("\x1b[" in err.getvalue()) is styled
    assert "duplicate key 'jacot2018'" in err.getvalue()
