"""The ``init`` and ``import`` commands end to end: a new course that checks clean, a
workflow GitHub can run, refusals that write nothing, and a site built from it all."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from tests.helpers import snapshot

IMPORTS = Path(__file__).parent / "data" / "imports"


def _has_command(name: str) -> bool:
    from readinglist.cli import COMMANDS

    return name in COMMANDS


def test_init_then_check_is_clean(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "x"
    result = run("init", folder, "--title", "Topics in Learning Theory", "--date", "2025-09-10")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(f"created a course in {folder} (8 files):\n  bib/course.yml\n")
    check = run("--root", folder, "check", "--strict")
    assert check.exit_code == 0, check.stderr
    assert check.stdout == "2 papers, 1 topic, 1 lecture: 0 errors, 0 warnings\n"
    show = json.loads(run("--root", folder, "show", "jacot2018", "--json").stdout)
    assert show["arxiv"] == "1806.07572" and show["lectures"] == [1]


def test_init_title_with_yaml_characters(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    title = "Seminar: # 'quoted' \"twice\" - [yes] {no} & more"
    assert run("init", tmp_path / "x", "--title", title).exit_code == 0
    from readinglist.course import parse_course

    text = (tmp_path / "x/bib/course.yml").read_text("utf-8")
    assert parse_course(text).course.title == title
    assert yaml.safe_load((tmp_path / "x/mkdocs.yml").read_text())["site_name"] == title
    assert run("--root", tmp_path / "x", "check").exit_code == 0


def test_init_default_date_is_next_wednesday(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    today = dt.date.today()
    assert run("init", tmp_path / "x").exit_code == 0
    from readinglist.course import parse_course

    course = parse_course((tmp_path / "x/bib/course.yml").read_text())
    (lecture,) = course.lectures
    assert course.course.title == "Reading seminar"
    assert lecture.date is not None and lecture.date.weekday() == 2
    # Allow for the day changing while the test runs.
    assert today < lecture.date <= today + dt.timedelta(days=8)


def test_init_bad_date_is_exit_2(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("init", tmp_path / "x", "--date", "2025-02-30")
    assert result.exit_code == 2
    assert result.stderr == "error: --date '2025-02-30' is not a date (YYYY-MM-DD)\n"
    assert not (tmp_path / "x").exists()


def test_init_refuses_to_overwrite_and_writes_nothing(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "x"
    assert run("init", folder, "--date", "2025-09-10").exit_code == 0
    (folder / "bib/ntk.bib").write_text("% mine now\n")
    before = snapshot(folder)
    again = run("init", folder, "--title", "Other")
    assert again.exit_code == 2
    assert again.stderr == (
        f"error: {folder / 'bib/course.yml'}: already exists; init never overwrites, so "
        "nothing was written\n"
    )
    assert snapshot(folder) == before


def test_init_refuses_a_folder_holding_one_of_its_files(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "README.md").write_text("my project\n")
    (tmp_path / "src").mkdir()
    before = snapshot(tmp_path)
    result = run("init", tmp_path)
    assert result.exit_code == 2 and result.stderr.count("\n") == 1
    assert f"{tmp_path / 'README.md'}: already exists" in result.stderr
    assert snapshot(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == [
        "README.md",
        "src",
    ]


def test_init_into_an_empty_existing_folder(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert run("init", tmp_path, "--date", "2025-09-10").exit_code == 0
    assert (tmp_path / "bib/course.yml").is_file()


def test_init_then_import_then_check(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "x"
    run("init", folder, "--date", "2025-09-10")
    result = run("--root", folder, "import", IMPORTS / "scholar.bib", "--topic", "ntk",
                 "--lecture", "1", "--optional")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "skip jacot2018neural: same arXiv id 1806.07572 as jacot2018 (bib/ntk.bib:5)" in (
        result.stderr
    )
    assert "skip du2018gradient: same arXiv id 1810.02054 as du2018 (bib/ntk.bib:14)" in (
        result.stderr
    )
    assert "add to lecture 1 (optional): arora2019exact" in result.stderr
    assert "    optional: [du2018, arora2019exact]\n" in (folder / "bib/course.yml").read_text()
    assert run("--root", folder, "check", "--strict").exit_code == 0


@pytest.mark.skipif(not _has_command("build"), reason="the site's `build` command is not there yet")
def test_init_import_build_makes_a_site(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    folder, out = tmp_path / "x", tmp_path / "out"
    assert (
        run("init", folder, "--title", "Seminar: 'NTK' & co", "--date", "2025-09-10").exit_code == 0
    )
    imported = run("--root", folder, "import", IMPORTS / "zotero.bib", "--topic", "ntk",
                   "--lecture", "1")  # fmt: skip
    assert imported.exit_code == 0, imported.stderr
    result = run("--root", folder, "build", "-d", out)
    assert result.exit_code == 0, result.stderr
    index = (out / "index.html").read_text("utf-8")
    assert "How the seminar works" in index
    lecture_pages = [p.read_text("utf-8") for p in (out / "lectures").glob("*.html")]
    assert any("Adam: A Method for Stochastic Optimization" in page for page in lecture_pages)
    assert not (folder / "site").exists()


def test_help_has_examples(run) -> None:  # type: ignore[no-untyped-def]
    for command in ("init", "import"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example:" in result.stdout
