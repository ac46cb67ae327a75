"""``build`` refuses what ``check`` refuses; ``serve`` says where, what and when, and shows
check's findings in the terminal and on the page while it keeps serving."""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ServeProcess, free_port, http_get

TYPO = ("required: [cybenko1989, barron1993", "required: [cybenko1989, barr0n1993")
_COURSE = (Path(__file__).resolve().parents[1] / "bib" / "course.yml").read_text("utf-8")
TYPO_LINE = next(n for n, line in enumerate(_COURSE.splitlines(), 1) if TYPO[0] in line)
FINDING = (
    f"bib/course.yml:{TYPO_LINE}: error: lecture 1 reads 'barr0n1993', which is not on the "
    "list (did you mean 'barron1993'?) [unknown-key]"
)


def _mistype(course: Path) -> None:
    path = course / "bib" / "course.yml"
    text = path.read_text(encoding="utf-8")
    assert text.count(TYPO[0]) == 1
    path.write_text(text.replace(*TYPO), encoding="utf-8")


def _warn_only(course: Path) -> None:
    # An entry without a year is a warning, not an error.
    with (course / "bib" / "ntk.bib").open("a", encoding="utf-8") as f:
        f.write("\n@misc{undated, title = {Undated}, author = {Doe, Jane}}\n")


# ---------------------------------------------------------------- build


def test_build_refuses_what_check_refuses(run: Any, course: Path, tmp_path: Path) -> None:
    _mistype(course)
    check = run("--root", course, "check")
    assert check.exit_code == 1 and FINDING in check.stderr
    out = tmp_path / "out"
    for strict in ([], ["--strict"]):
        result = run("--root", course, "build", *strict, "-d", out)
        assert result.exit_code == 1, result.stderr
        lines = result.stderr.splitlines()
        assert lines[0] == FINDING  # the same one-line finding as check
        assert lines[-1] == (
            "error: site not built: check found 1 error, 0 warnings; fix them or pass "
            "--allow-errors to build anyway"
        )
        assert "Traceback" not in result.stderr
        assert not out.exists()


def test_allow_errors_builds_and_still_prints_the_findings(
    run: Any, course: Path, tmp_path: Path
) -> None:
    _mistype(course)
    out = tmp_path / "out"
    result = run("--root", course, "build", "--allow-errors", "-d", out)
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines()[0] == FINDING
    assert (out / "lectures" / "1.html").is_file()


def test_strict_stops_on_check_warnings(run: Any, course: Path, tmp_path: Path) -> None:
    _warn_only(course)
    check = run("--root", course, "check")
    assert check.exit_code == 0 and "warning" in check.stderr
    (warning,) = [line for line in check.stderr.splitlines() if ": warning: " in line]
    strict = run("--root", course, "build", "--strict", "-d", tmp_path / "strict")
    assert strict.exit_code == 1
    assert strict.stderr.splitlines()[0] == warning
    assert "(--strict makes warnings count)" in strict.stderr
    assert not (tmp_path / "strict").exists()
    plain = run("--root", course, "build", "-d", tmp_path / "plain")
    assert plain.exit_code == 0 and plain.stderr.splitlines()[0] == warning
    assert (tmp_path / "plain" / "index.html").is_file()
    allowed = run("--root", course, "build", "--strict", "--allow-errors", "-d", tmp_path / "a")
    assert allowed.exit_code == 0, allowed.stderr


def test_clean_course_builds_without_findings(run: Any, course: Path, tmp_path: Path) -> None:
    result = run("--root", course, "build", "--strict", "-d", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith("site built in ")


def test_build_reads_the_course_once(
    run: Any, course: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # check and the plugin share one reading (it was three at 0.4 s each at 5,000 papers);
    # the site still shows the citation data, which check alone does not read.
    import readinglist.store as store

    calls: list[bool] = []
    real = store.load_library

    def counted(root: Path, **options: Any) -> Any:
        calls.append(options.get("citations", True))
        return real(root, **options)

    monkeypatch.setattr(store, "load_library", counted)
    out = tmp_path / "out"
    result = run("--root", course, "build", "-d", out)
    assert result.exit_code == 0, result.stderr
    assert calls == [True]
    assert (out / "papers" / "index.html").is_file()


# ---------------------------------------------------------------- serve


@contextlib.contextmanager
def serving(course: Path) -> Iterator[ServeProcess]:
    served = ServeProcess(course, free_port())
    try:
        yield served
    finally:
        code = served.stop()
    assert code == 0, "\n".join(served.lines)


@pytest.mark.slow
def test_serve_says_where_what_when_and_shows_findings(course: Path) -> None:
    _mistype(course)
    with serving(course) as served:
        served.wait_for(rf"^building the site of {re.escape(str(course))} for {served.url} ")
        served.wait_for(re.escape(FINDING))
        served.wait_for(r"^\d\d:\d\d:\d\d built the site in \d+\.\d s \(check: 1 error, 0 warn")
        served.wait_for(rf"^serving on {re.escape(served.url)} \(Ctrl-C stops\)$")
        watching = served.wait_for(r"^watching for changes: (.*)$")[1].split(", ")
        assert {"bib/", "docs/", "mkdocs.yml"} <= set(watching)
        # The finding is on every page, above the content.
        for page in ("index.html", "lectures/1.html", "papers/jacot2018.html"):
            status, html = http_get(served.url + page)
            assert status == 200
            assert 'id="readinglist-check"' in html, page
            assert "lecture 1 reads &#x27;barr0n1993&#x27;" in html
        # Fixing the course file updates the site (with its time) and the banner goes.
        path = course / "bib" / "course.yml"
        path.write_text(path.read_text().replace(TYPO[1], TYPO[0]))
        served.wait_for(r"^\d\d:\d\d:\d\d updated \d+ pages in \d+\.\d s \(check: 0 errors, 0 w")
        status, html = http_get(served.url + "lectures/1.html")
        assert status == 200 and 'id="readinglist-check"' not in html


def test_serve_refuses_a_busy_address_in_one_line(run: Any, course: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run("--root", course, "serve", "-a", f"127.0.0.1:{port}")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: cannot serve on 127.0.0.1:{port}: ")
    assert result.stderr.count("\n") == 1


def test_banner_escapes_what_the_files_say() -> None:
    from readinglist.check import Finding
    from readinglist.site.serving import banner_html

    assert banner_html(()) == ""
    hostile = Finding("bib/<x>.bib", 3, "warning", "no-year", "<script>alert(1)</script>")
    html = banner_html((hostile,))
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'class="admonition warning"' in html and "bib/&lt;x&gt;.bib:3" in html
    error = Finding("bib/course.yml", 9, "error", "unknown-key", "x")
    assert 'class="admonition failure"' in banner_html((hostile, error))
    assert "1 error, 1 warning" in banner_html((hostile, error))
