"""``readinglist init``'s files: rendered from the packaged templates, titles that read back
exactly, real entries copied verbatim, and never an overwrite."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from readinglist.bibtex import parse_bib
from readinglist.course import parse_course
from readinglist.errors import StoreError, UsageError
from readinglist.scaffold import (
    TEMPLATE_FILES,
    conflicts,
    create_course,
    markdown_text,
    next_wednesday,
    plan_course,
    yaml_string,
)
from tests.helpers import snapshot

REPO = Path(__file__).resolve().parents[1]
DATE = dt.date(2025, 9, 10)
TRICKY = [
    "Q: # 'single' \"double\"",
    "- starts with a dash",
    "[not] a {flow} list, & an *alias",
    "yes",
    "null",
    "2021",
    "Théorie des réseaux — ∂f/∂x",
    "  padded  ",
    "back\\slash %s {0} ${{ github.sha }} %%DATE%%",
]


def text_files(title: str = "Seminar", date: dt.date = DATE) -> dict[str, str]:
    return {rel: data.decode("utf-8") for rel, data in plan_course(title, date).items()}


def test_every_template_is_rendered_with_no_placeholder_left() -> None:
    files = text_files()
    assert list(files) == list(TEMPLATE_FILES)
    assert set(files) == {
        "mkdocs.yml", "bib/course.yml", "bib/ntk.bib", "docs/index.md", "README.md",
        ".gitignore", ".github/workflows/readinglist.yml", ".github/dependabot.yml",
    }  # fmt: skip
    for rel, text in files.items():
        assert "%%" not in text, rel
        assert text.endswith("\n") and not text.endswith("\n\n"), rel


@pytest.mark.parametrize("title", TRICKY)
def test_title_reads_back_exactly_in_both_yaml_files(title: str) -> None:
    files = text_files(title)
    expected = title.strip()
    assert parse_course(files["bib/course.yml"]).course.title == expected
    assert yaml.safe_load(files["mkdocs.yml"])["site_name"] == expected
    # A placeholder-looking title is not expanded a second time.
    assert files["bib/course.yml"].count(DATE.isoformat()) == 1


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1))
def test_yaml_string_round_trips(text: str) -> None:
    assert yaml.safe_load(yaml_string(text)) == text
    assert "\n" not in yaml_string(text)


def test_markdown_text_escapes_markup() -> None:
    assert markdown_text("a *b* _c_ [d](e) <f> & #g") == (
        "a \\*b\\* \\_c\\_ \\[d\\](e) &lt;f&gt; &amp; \\#g"
    )
    assert markdown_text("Theoretical Foundations (Spring 2021)") == (
        "Theoretical Foundations (Spring 2021)"
    )


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "tab\there", "bell\x07"])
def test_bad_titles_are_refused(title: str) -> None:
    with pytest.raises(UsageError):
        plan_course(title, DATE)


def test_course_file_has_an_example_topic_and_lecture() -> None:
    course = parse_course(text_files("Seminar")["bib/course.yml"])
    (topic,) = course.topics
    assert topic.slug == "ntk" and topic.description and topic.arxiv_query
    (lecture,) = course.lectures
    assert lecture.date == DATE and lecture.topics == ("ntk",)
    assert lecture.required == ("jacot2018",) and lecture.optional == ("du2018",)


def test_example_entries_are_the_bundled_ones_verbatim() -> None:
    """The new course's papers are copied from the bundled course, whose facts are checked."""
    new = text_files()["bib/ntk.bib"]
    bundled = (REPO / "bib/ntk.bib").read_text("utf-8")
    keys = [e.key for e in parse_bib(new, "bib/ntk.bib").entries]
    assert keys == ["jacot2018", "du2018"]
    for key in keys:
        start = new.index("@", new.index("{" + key + ",") - 20)
        raw = new[start : new.index("\n}\n", start) + 2]
        assert raw in bundled, key


def test_mkdocs_settings_match_the_bundled_site() -> None:
    """The plugin's needs are what the bundled course's mkdocs.yml configures."""
    bundled_file = REPO / "mkdocs.yml"
    if not bundled_file.is_file():
        pytest.skip("the repository has no mkdocs.yml")
    bundled = yaml.safe_load(bundled_file.read_text("utf-8"))
    new = yaml.safe_load(text_files()["mkdocs.yml"])
    for key in ("theme", "plugins", "markdown_extensions", "use_directory_urls"):
        assert new.get(key) == bundled.get(key), key
    assert new["theme"]["font"] is False
    assert "readinglist" in new["plugins"]


def test_home_page_has_the_site_markers() -> None:
    from readinglist.site.pages import HOME_MARKERS

    index = text_files()["docs/index.md"]
    for marker in HOME_MARKERS.values():
        assert index.count(marker) == 1


def test_gitignore_and_readme() -> None:
    files = text_files()
    assert files[".gitignore"].split("\n")[1:4] == ["site/", ".readinglist.lock", "__pycache__/"]
    for command in ("check", "sync", "build", "export", "import", "serve"):
        assert f"readinglist {command}" in files["README.md"], command


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2025, 9, 8), dt.date(2025, 9, 10)),  # Monday
        (dt.date(2025, 9, 10), dt.date(2025, 9, 17)),  # Wednesday: the next one
        (dt.date(2025, 9, 14), dt.date(2025, 9, 17)),  # Sunday
        (dt.date(2025, 12, 31), dt.date(2026, 1, 7)),  # Wednesday at the end of a year
    ],
)
def test_next_wednesday(today: dt.date, expected: dt.date) -> None:
    assert next_wednesday(today) == expected


# ---------------------------------------------------------------- writing


def test_create_in_a_new_and_in_an_empty_folder(tmp_path: Path) -> None:
    files = plan_course("Seminar", DATE)
    create_course(tmp_path / "new" / "deeper", files)
    (tmp_path / "empty").mkdir()
    create_course(tmp_path / "empty", files)
    for folder in (tmp_path / "new" / "deeper", tmp_path / "empty"):
        assert {rel: (folder / rel).read_bytes() for rel in files} == files
        assert oct((folder / "bib/course.yml").stat().st_mode & 0o777) == "0o644"
        assert not [p for p in folder.rglob("*.tmp")]


def test_other_files_in_the_folder_are_fine(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    (tmp_path / "bib").mkdir()
    (tmp_path / "bib" / "other.bib").write_text("")
    create_course(tmp_path, plan_course("Seminar", DATE))
    assert (tmp_path / "notes.txt").read_text() == "mine"


@pytest.mark.parametrize(
    "existing", ["mkdocs.yml", "bib/ntk.bib", ".gitignore", ".github/workflows/readinglist.yml"]
)
def test_refuses_to_overwrite_and_writes_nothing(tmp_path: Path, existing: str) -> None:
    path = tmp_path / existing
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("hand-written\n")
    before = snapshot(tmp_path)
    with pytest.raises(UsageError) as exc:
        create_course(tmp_path, plan_course("Seminar", DATE))
    assert exc.value.file == str(path)
    assert (
        str(exc.value) == f"{path}: already exists; init never overwrites, so nothing was written"
    )
    assert snapshot(tmp_path) == before


def test_names_the_first_clash_in_write_order(tmp_path: Path) -> None:
    for rel in ("README.md", "bib/course.yml"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    assert conflicts(tmp_path, plan_course("Seminar", DATE)) == str(tmp_path / "bib/course.yml")


def test_a_file_where_a_folder_goes_and_dangling_links_are_clashes(tmp_path: Path) -> None:
    files = plan_course("Seminar", DATE)
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "docs").write_text("a file, not a folder")
    assert conflicts(tmp_path / "a", files) == str(tmp_path / "a" / "docs")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "mkdocs.yml").symlink_to(tmp_path / "nowhere")
    assert conflicts(tmp_path / "b", files) == str(tmp_path / "b" / "mkdocs.yml")
    (tmp_path / "c").write_text("a file")
    assert conflicts(tmp_path / "c", files) == str(tmp_path / "c")


def test_unwritable_folder_is_a_store_error(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    def refuse(self: Path, *args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "mkdir", refuse)
    with pytest.raises(StoreError) as exc:
        create_course(tmp_path / "course", plan_course("Seminar", DATE))
    assert (
        str(exc.value) == f"{tmp_path / 'course' / 'bib'}: cannot create folder: Permission denied"
    )
    assert not (tmp_path / "course").exists()


def test_templates_ship_with_the_package() -> None:
    from importlib import resources

    base = resources.files("readinglist").joinpath("templates", "init")
    for name in TEMPLATE_FILES.values():
        assert base.joinpath(name).is_file(), name
        # Package-data globs skip hidden files, so no template may be one.
        assert not any(part.startswith(".") for part in name.split("/")), name
