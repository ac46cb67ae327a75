"""``readinglist import``: real export formats kept byte for byte, duplicates skipped and
said so, key clashes refused with a free key, the course file edited by insertion only."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from readinglist.bibtex import decode_bib, parse_bib
from readinglist.course import add_readings, parse_course, yaml_key
from readinglist.errors import UsageError
from tests.helpers import snapshot

IMPORTS = Path(__file__).parent / "data" / "imports"

#: source -> (keys imported into the bundled course, {skipped key: expected reason start})
SOURCES: dict[str, tuple[list[str], dict[str, str]]] = {
    "zotero.bib": (
        ["kingmaAdamMethodStochastic2014"],
        {"jacotNeuralTangentKernel2018": "same title, first author and year (2018)"},
    ),
    "jabref.bib": (["Lee2019"], {"Jacot2018": "same key and same arXiv id 1806.07572"}),
    "scholar.bib": (
        ["arora2019exact"],
        {
            "jacot2018neural": "same arXiv id 1806.07572",
            "du2018gradient": "same arXiv id 1810.02054",
        },
    ),
    "dblp.bib": (
        ["DBLP:journals/corr/abs-1902-06720"],
        {"DBLP:journals/corr/abs-1806-07572": "same arXiv id 1806.07572"},
    ),
    # Semantic Scholar writes the NeurIPS paper as an @Article: same title, first author
    # and year as the @inproceedings on the list, but another entry type, so only a
    # possible duplicate (POSSIBLE), imported and reported.
    "semanticscholar.bib": (["Kingma2014AdamAM", "Jacot2018NeuralTK"], {}),
    "arxiv.bib": (["kingma2014adam"], {"jacot2018neural": "same arXiv id 1806.07572"}),
}

POSSIBLE = {
    "Jacot2018NeuralTK": "same title and first author, but entry types article and "
    "conference; compare with jacot2018 (bib/ntk.bib:4)",
}

SAME_AS = {
    "jacotNeuralTangentKernel2018": "jacot2018",
    "Jacot2018": "jacot2018",
    "jacot2018neural": "jacot2018",
    "du2018gradient": "du2018",
    "DBLP:journals/corr/abs-1806-07572": "jacot2018",
    "Jacot2018NeuralTK": "jacot2018",
}


def raw_entry(text: str, key: str) -> str:
    """The source text of one entry, found without the importer: from its ``@`` to the
    ``}`` that starts a line (how every fixture closes its entries)."""
    start = text.rindex("@", 0, text.index("{" + key + ","))
    return text[start : text.index("\n}", start) + 2]


def fields_of(text: str, key: str) -> tuple[tuple[str, str], ...]:
    (entry,) = [e for e in parse_bib(text, "x.bib").entries if e.key == key]
    return entry.fields


def test_every_fixture_parses_and_shows_its_tools_quirks() -> None:
    texts = {p.name: p.read_text("utf-8") for p in IMPORTS.glob("*.bib")}
    assert set(texts) == set(SOURCES)
    for name, text in texts.items():
        assert parse_bib(text, name).entries, name
    assert "urldate" in texts["zotero.bib"] and "{{" in texts["zotero.bib"]
    assert ":application/pdf" in texts["zotero.bib"] and "langid" in texts["zotero.bib"]
    assert "@Comment{jabref-meta: databaseType:bibtex;}" in texts["jabref.bib"]
    assert "owner" in texts["jabref.bib"] and "groups" in texts["jabref.bib"]
    assert "journal={arXiv preprint arXiv:1806.07572}" in texts["scholar.bib"]
    assert (
        "biburl" in texts["dblp.bib"] and "{DBLP:journals/corr/abs-1806-07572," in texts["dblp.bib"]
    )
    assert "@Article{Jacot2018NeuralTK," in texts["semanticscholar.bib"]
    assert "primaryClass={cs.LG}" in texts["arxiv.bib"]


@pytest.mark.parametrize("source", sorted(SOURCES))
def test_import_keeps_every_byte_and_skips_what_is_on_the_list(run, course, source: str) -> None:  # type: ignore[no-untyped-def]
    imported, skipped = SOURCES[source]
    path = IMPORTS / source
    source_text = path.read_text("utf-8")
    target = course / "bib/ntk.bib"
    old = target.read_bytes()
    others = {p: p.read_bytes() for p in (course / "bib").glob("*") if p != target and p.is_file()}

    result = run("--root", course, "import", path, "--topic", "ntk")

    assert result.exit_code == 0, result.stderr
    new = target.read_bytes()
    assert new.startswith(old)
    new_text = new.decode("utf-8")
    for key in imported:
        raw = raw_entry(source_text, key)
        assert raw in new_text, key
        assert fields_of(new_text, key) == fields_of(source_text, key)
        assert f"import {key} -> bib/ntk.bib" in result.stderr
    for key, reason in skipped.items():
        assert f"skip {key}: {reason}" in result.stderr, result.stderr
        assert f" as {SAME_AS[key]} (bib/ntk.bib:" in result.stderr
        assert "{" + key + "," not in new_text
    possible = [k for k in imported if k in POSSIBLE]
    for key in possible:
        assert f"possible duplicate {key}: {POSSIBLE[key]}" in result.stderr
    note = f" ({len(possible)} possible duplicates)" if possible else ""
    assert result.stdout == (
        f"imported {len(imported)}{note}, skipped {len(skipped)} (already on the list), "
        "not imported 0 (bib/ntk.bib)\n"
    )
    assert {p: p.read_bytes() for p in others} == others
    check = run("--root", course, "check", "--json")
    report = json.loads(check.stdout)
    assert check.exit_code == 0 and report["errors"] == [], report["errors"]
    assert report["papers"] == 59 + len(imported)


def test_skip_message_names_the_paper_on_the_list(run, course) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", course, "import", IMPORTS / "dblp.bib", "--topic", "ntk")
    line = next(x for x in result.stderr.splitlines() if x.startswith("skip"))
    assert line == (
        "skip DBLP:journals/corr/abs-1806-07572: same arXiv id 1806.07572 as jacot2018 "
        "(bib/ntk.bib:4)"
    )


def test_importing_twice_imports_nothing_the_second_time(run, course) -> None:  # type: ignore[no-untyped-def]
    for source in sorted(SOURCES):
        first = run("--root", course, "import", IMPORTS / source, "--topic", "ntk")
        assert first.exit_code == 0, first.stderr
        before = snapshot(course)
        again = run("--root", course, "import", IMPORTS / source, "--topic", "ntk")
        assert again.exit_code == 0
        assert again.stdout.startswith("imported 0, "), again.stdout
        assert snapshot(course) == before


def test_the_same_paper_from_every_tool_is_imported_once(run, course) -> None:  # type: ignore[no-untyped-def]
    for source in ["zotero.bib", "arxiv.bib", "semanticscholar.bib", "jabref.bib", "dblp.bib"]:
        assert run("--root", course, "import", IMPORTS / source, "--topic", "ntk").exit_code == 0
    text = (course / "bib/ntk.bib").read_text("utf-8")
    # Adam (Zotero, arXiv, Semantic Scholar) and Lee et al. 2019 (JabRef, DBLP) once each;
    # Semantic Scholar's @Article of the NTK paper is a possible duplicate: kept, warned.
    assert "kingmaAdamMethodStochastic2014" in text
    assert "{kingma2014adam," not in text and "Kingma2014AdamAM" not in text
    assert "{Lee2019," in text and "abs-1902-06720" not in text
    report = json.loads(run("--root", course, "check", "--json").stdout)
    assert report["errors"] == [] and report["papers"] == 62
    [warning] = [w for w in report["warnings"] if w["code"] == "possible-duplicate"]
    assert "'Jacot2018NeuralTK' and 'jacot2018'" in warning["message"]


def test_duplicates_within_the_file_are_skipped(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    both = tmp_path / "both.bib"
    jabref = (IMPORTS / "jabref.bib").read_text("utf-8")
    both.write_text(jabref + "\n" + (IMPORTS / "dblp.bib").read_text("utf-8"), "utf-8")
    result = run("--root", course, "import", both, "--topic", "ntk")
    assert result.exit_code == 0
    assert "import Lee2019 -> bib/ntk.bib" in result.stderr
    assert (
        f"skip DBLP:journals/corr/abs-1902-06720: same arXiv id 1902.06720 as Lee2019 "
        f"({both}:19)" in result.stderr
    )
    assert result.stdout.startswith("imported 1, skipped 3 ")


MIXUP = """@inproceedings{zhang2017,
  title = {mixup: Beyond Empirical Risk Minimization},
  author = {Zhang, Hongyi and Cisse, Moustapha and Dauphin, Yann N. and Lopez-Paz, David},
  booktitle = {International Conference on Learning Representations (ICLR 2018)},
  year = {2017},
  eprint = {1710.09412},
  archivePrefix = {arXiv},
}
"""


def test_key_clash_with_a_different_paper_is_not_imported(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "colleague.bib"
    source.write_text(MIXUP + "\n" + (IMPORTS / "arxiv.bib").read_text("utf-8"), "utf-8")
    before = (course / "bib/generalization.bib").read_bytes()
    result = run("--root", course, "import", source, "--topic", "generalization")
    assert result.exit_code == 1
    assert (
        "not imported zhang2017: key 'zhang2017' is taken by a different paper "
        "(bib/generalization.bib:" in result.stderr
    )
    assert "rename it in " in result.stderr and "(e.g. to 'zhang2017b')" in result.stderr
    assert "import kingma2014adam" in result.stderr
    assert result.stdout.startswith("imported 1, skipped 1 (already on the list), not imported 1")
    text = (course / "bib/generalization.bib").read_bytes()
    assert text.startswith(before) and b"mixup" not in text and b"kingma2014adam" in text


def test_key_clash_within_the_file_suggests_a_key_free_everywhere(
    run, course, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "kingma.bib"
    source.write_text(
        "@misc{kingma,\n  title = {Adam: A Method for Stochastic Optimization},\n"
        "  author = {Kingma, Diederik P. and Ba, Jimmy},\n  year = {2014},\n"
        "  eprint = {1412.6980},\n}\n\n"
        "@misc{kingma,\n  title = {Auto-Encoding Variational Bayes},\n"
        "  author = {Kingma, Diederik P. and Welling, Max},\n  year = {2013},\n"
        "  eprint = {1312.6114},\n}\n\n"
        "@misc{kingmab,\n  title = {Auto-Encoding Variational Bayes},\n"
        "  author = {Kingma, Diederik P. and Welling, Max},\n  year = {2013},\n"
        "  eprint = {1312.6114},\n}\n",
        "utf-8",
    )
    result = run("--root", course, "import", source, "--topic", "ntk", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert [i["key"] for i in data["imported"]] == ["kingma", "kingmab"]
    (clash,) = data["not_imported"]
    # kingmab is used by the file itself, so the suggestion is the next free key.
    assert clash["key"] == "kingma" and clash["line"] == 8 and clash["suggestion"] == "kingmac"


def test_same_key_same_fields_is_a_skip_even_without_identity_marks(
    run, course, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    entry = "@misc{note1,\n  title = {Notes},\n  year = {2020},\n}\n"
    (course / "bib/ntk.bib").write_text(
        (course / "bib/ntk.bib").read_text() + "\n" + entry, "utf-8"
    )
    source = tmp_path / "notes.bib"
    source.write_text(entry.replace("  ", "    "), "utf-8")
    result = run("--root", course, "import", source, "--topic", "ntk")
    assert result.exit_code == 0
    assert "skip note1: same key and the same fields as note1 (bib/ntk.bib:" in result.stderr


def test_string_macros_come_along_once_and_unused_ones_do_not(run, course) -> None:  # type: ignore[no-untyped-def]
    run("--root", course, "import", IMPORTS / "jabref.bib", "--topic", "ntk")
    text = (course / "bib/ntk.bib").read_text("utf-8")
    assert text.count("@String{neurips") == 1
    assert "@String{iclr" not in text
    assert text.index("@String{neurips") < text.index("@InProceedings{Lee2019")
    fields = dict(fields_of(text, "Lee2019"))
    assert fields["booktitle"] == "Advances in Neural Information Processing Systems 32"


def test_a_macro_the_target_already_defines_is_not_repeated(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    target = course / "bib/ntk.bib"
    target.write_text(
        "@String{NeurIPS = {Advances in Neural Information Processing Systems}}\n\n"
        + target.read_text("utf-8"),
        "utf-8",
    )
    result = run("--root", course, "import", IMPORTS / "jabref.bib", "--topic", "ntk")
    assert result.exit_code == 0, result.stderr
    assert "@string" not in result.stderr
    assert target.read_text("utf-8").lower().count("@string{neurips") == 1


def test_a_macro_the_target_defines_differently_is_refused(run, course) -> None:  # type: ignore[no-untyped-def]
    target = course / "bib/ntk.bib"
    target.write_text("@string{neurips = {NeurIPS}}\n\n" + target.read_text("utf-8"), "utf-8")
    before = snapshot(course)
    result = run("--root", course, "import", IMPORTS / "jabref.bib", "--topic", "ntk")
    assert result.exit_code == 1
    assert "not imported Lee2019: it uses @string 'neurips', which bib/ntk.bib defines" in (
        result.stderr
    )
    assert snapshot(course) == before


def test_comments_and_preambles_are_reported_not_imported(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "pre.bib"
    source.write_text(
        '@preamble{"\\newcommand{\\noop}[1]{}"}\n\n' + (IMPORTS / "jabref.bib").read_text(),
        "utf-8",
    )
    result = run("--root", course, "import", source, "--topic", "ntk")
    assert result.exit_code == 0
    assert f"ignore @preamble at {source}:1 (not imported)" in result.stderr
    assert f"ignore @comment at {source}:34 (not imported)" in result.stderr
    text = (course / "bib/ntk.bib").read_text()
    assert "@preamble" not in text and "jabref-meta" not in text


def test_a_topic_without_a_bib_file_gets_one(run, course) -> None:  # type: ignore[no-untyped-def]
    course_file = course / "bib/course.yml"
    course_file.write_text(
        course_file.read_text().replace(
            "\nlectures:",
            "  - slug: optimizers\n    title: Optimizers\n\nlectures:",
            1,
        )
    )
    result = run("--root", course, "import", IMPORTS / "zotero.bib", "--topic", "optimizers")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith("(bib/optimizers.bib created)\n")
    source = (IMPORTS / "zotero.bib").read_text()
    assert (course / "bib/optimizers.bib").read_text() == (
        raw_entry(source, "kingmaAdamMethodStochastic2014") + "\n"
    )
    assert run("--root", course, "check").exit_code == 0


def test_dry_run_writes_nothing(run, course) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(course)
    result = run(
        "--root", course, "import", IMPORTS / "jabref.bib", "--topic", "ntk", "--lecture", "7",
        "--dry-run",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "would import Lee2019 -> bib/ntk.bib" in result.stderr
    assert "would add @string neurips" in result.stderr
    assert "would add to lecture 7 (required): Lee2019" in result.stderr
    assert result.stdout == (
        "dry run: would import 1, skip 1 (already on the list), not import 0; nothing written\n"
    )
    assert snapshot(course) == before


def test_json_report(run, course) -> None:  # type: ignore[no-untyped-def]
    result = run(
        "--root", course, "import", IMPORTS / "scholar.bib", "--topic", "ntk", "--lecture", "8",
        "--optional", "--json",
    )  # fmt: skip
    data = json.loads(result.stdout)
    assert data["imported"] == [{"key": "arora2019exact", "line": 15}]
    assert [s["key"] for s in data["skipped"]] == ["jacot2018neural", "du2018gradient"]
    assert data["skipped"][0]["same_as"] == "jacot2018"
    assert data["lecture"] == {
        "number": 8,
        "list": "optional",
        "added": ["arora2019exact", "jacot2018", "du2018"],
        "already_read": [],
    }
    assert data["dry_run"] is False and data["not_imported"] == []


def test_lecture_readings_are_inserted_and_check_stays_clean(run, course) -> None:  # type: ignore[no-untyped-def]
    course_file = course / "bib/course.yml"
    old = course_file.read_text("utf-8")
    result = run(
        "--root", course, "import", IMPORTS / "dblp.bib", "--topic", "ntk", "--lecture", "7"
    )
    assert result.exit_code == 0, result.stderr
    assert "add to lecture 7 (required): DBLP:journals/corr/abs-1902-06720" in result.stderr
    assert "lecture 7 already reads jacot2018" in result.stderr
    new = course_file.read_text("utf-8")
    insertion = ", 'DBLP:journals/corr/abs-1902-06720'"
    assert new.replace(insertion, "", 1) == old
    assert "    required: [jacot2018, du2018, 'DBLP:journals/corr/abs-1902-06720']\n" in new
    lecture = next(x for x in parse_course(new).lectures if x.number == 7)
    assert lecture.required == ("jacot2018", "du2018", "DBLP:journals/corr/abs-1902-06720")
    check = run("--root", course, "check", "--json")
    assert check.exit_code == 0 and json.loads(check.stdout)["errors"] == []


def test_duplicates_on_the_list_become_readings_of_the_lecture(run, course) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", course, "import", IMPORTS / "arxiv.bib", "--topic", "ntk",
                 "--lecture", "1", "--optional")  # fmt: skip
    assert result.exit_code == 0
    lecture = next(
        x for x in parse_course((course / "bib/course.yml").read_text()).lectures if x.number == 1
    )
    assert lecture.optional[-2:] == ("kingma2014adam", "jacot2018")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--topic", "Not A Slug"],
            "error: topic 'Not A Slug' is not a valid slug (lower-case letters, digits, '-') "
            "and not in bib/course.yml; topics: approximation, ",
        ),
        (
            ["--topic", "ntk", "--lecture", "99"],
            "error: no lecture 99 in bib/course.yml; lectures: 1, 2",
        ),
        (["--topic", "ntk", "--optional"], "error: --optional needs --lecture N"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(run, course, args, message: str) -> None:  # type: ignore[no-untyped-def]
    before = snapshot(course)
    result = run("--root", course, "import", IMPORTS / "zotero.bib", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message) and result.stderr.count("\n") == 1
    assert snapshot(course) == before


@pytest.mark.parametrize(
    ("content", "line", "hint"),
    [
        (b"@article{x,\n  title = {A},\n  author = {Sch\xf6lkopf, B},\n}\n", 3, "not UTF-8"),
        (b"@article{x,\n  title = {A}\n  year = {2020},\n}\n", 2,
         "missing comma after the field on line 2?"),
        (b"@Article{,\n  title = {A},\n}\n", 1, "without a key"),
    ],
)  # fmt: skip
def test_a_file_with_nothing_usable_is_one_line_with_its_line(
    run, course, tmp_path: Path, content: bytes, line: int, hint: str
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "broken.bib"
    source.write_bytes(content)
    before = snapshot(course)
    result = run("--root", course, "import", source, "--topic", "ntk")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {source}:{line}: "), result.stderr
    assert hint in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert snapshot(course) == before


GOOD = (
    "@article{good2020,\n  title = {A Perfectly Readable Paper},\n  author = {Doe, Jane},\n"
    "  year = {2020},\n}\n"
)


@pytest.mark.parametrize(
    ("broken", "line", "hint"),
    [
        ("@article{x,\n  title = {Oops,\n  year = 2020,\n}\n", 8, "unbalanced brace"),
        ('@article{x,\n  title = "Oops,\n  year = 2020,\n}\n', 8, "unclosed quote"),
        ("@article{x,\n  title = {A}\n  year = {2020},\n}\n", 8,
         "missing comma after the field on line 8?"),
        ("@article{x,\n  title {A},\n}\n", 8, "'=' missing after field name 'title'"),
        ("@Article{,\n  title = {A},\n}\n", 7, "without a key"),
    ],
)  # fmt: skip
def test_one_unreadable_entry_is_reported_and_the_others_imported(
    run, course, tmp_path: Path, broken: str, line: int, hint: str
) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "mixed.bib"
    source.write_text(GOOD + "\n" + broken + "\n" + GOOD.replace("good2020", "after2021")
                      .replace("Perfectly", "Second").replace("2020", "2021"), "utf-8")  # fmt: skip
    result = run("--root", course, "import", source, "--topic", "ntk")
    assert result.exit_code == 1, result.stderr
    assert f"{source}:{line}: not imported" in result.stderr and hint in result.stderr
    text = (course / "bib/ntk.bib").read_text("utf-8")
    assert "{good2020," in text and "{after2021," in text
    check = run("--root", course, "check", "--json")
    assert check.exit_code == 0, check.stdout


def test_an_undefined_macro_reads_as_empty_and_is_said(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "macro.bib"
    source.write_text(GOOD.replace("  year", "  journal = jmlrr,\n  year"), "utf-8")
    result = run("--root", course, "import", source, "--topic", "ntk")
    assert result.exit_code == 0, result.stderr
    assert f"note: {source}:4: undefined @string macro 'jmlrr'" in result.stderr
    assert "{good2020," in (course / "bib/ntk.bib").read_text("utf-8")


def test_missing_file_is_exit_2(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", course, "import", tmp_path / "nope.bib", "--topic", "ntk")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'nope.bib'}: ")


def test_crlf_target_stays_crlf(run, course) -> None:  # type: ignore[no-untyped-def]
    target = course / "bib/ntk.bib"
    target.write_bytes(target.read_bytes().replace(b"\n", b"\r\n"))
    old = target.read_bytes()
    assert run("--root", course, "import", IMPORTS / "arxiv.bib", "--topic", "ntk").exit_code == 0
    new = target.read_bytes()
    assert new.startswith(old) and b"\n" not in new.replace(b"\r\n", b"")


def test_the_one_reader_slices_each_block() -> None:
    text = (IMPORTS / "jabref.bib").read_text()
    parsed = parse_bib(decode_bib(text.encode(), "j.bib"), "j.bib")
    assert [(d.name, d.line) for d in parsed.strings] == [("neurips", 3), ("iclr", 5)]
    assert [(e.key, e.line) for e in parsed.entries] == [("Jacot2018", 7), ("Lee2019", 19)]
    assert parsed.comments == (32, 34)
    lee = parsed.entries[1]
    assert [d.name for d in lee.strings] == ["neurips"]
    assert lee.text == raw_entry(text, "Lee2019")


# ---------------------------------------------------------------- add_readings

LECTURES = """# a comment kept as it is
course:
  title: T
topics:
  - slug: a
lectures:
  - number: 1
    title: Flow
    required: [x, "y"]   # trailing comment
  - number: 2
    title: Block
    required:
      - x
      - y  # the last one
    optional: [z]
  - number: 3
    title: Empty flow
    required: []
  - number: 4
    title: Nothing yet, optional there
    optional: [z]
  - number: 5
    title: Nothing yet
    description: >-
      folded text

  - number: 6
    title: Null list
    required:
  - number: 7
    optional: [z]
    title: No key, optional not first
"""


@pytest.mark.parametrize(
    ("number", "required", "inserted"),
    [
        (1, True, ", new1, new2"),
        (2, True, "      - new1\n      - new2\n"),
        (2, False, ", new1, new2"),
        (3, True, "new1, new2"),
        (4, True, "    required: [new1, new2]\n"),
        (5, True, "    required: [new1, new2]\n"),
        (6, True, " [new1, new2]"),
        (7, True, "    required: [new1, new2]\n"),
    ],
)
def test_add_readings_only_inserts(number: int, required: bool, inserted: str) -> None:
    new = add_readings(LECTURES, number, ["new1", "new2"], required=required)
    assert inserted in new
    assert new.replace(inserted, "", 1) == LECTURES
    lecture = next(x for x in parse_course(new).lectures if x.number == number)
    keys = lecture.required if required else lecture.optional
    assert keys[-2:] == ("new1", "new2")


def test_add_readings_puts_required_before_optional() -> None:
    new = add_readings(LECTURES, 4, ["k"])
    assert "    required: [k]\n    optional: [z]\n" in new


def test_add_readings_after_a_folded_description_keeps_the_blank_line() -> None:
    new = add_readings(LECTURES, 5, ["k"])
    assert "      folded text\n    required: [k]\n\n  - number: 6" in new


def test_add_readings_crlf_and_quoted_keys() -> None:
    text = LECTURES.replace("\n", "\r\n")
    new = add_readings(text, 2, ["DBLP:conf/x/Y20", "it's"])
    assert "      - 'DBLP:conf/x/Y20'\r\n      - 'it''s'\r\n" in new
    lecture = next(x for x in parse_course(new).lectures if x.number == 2)
    assert lecture.required[-2:] == ("DBLP:conf/x/Y20", "it's")


@pytest.mark.parametrize(
    "text",
    [
        "course: {title: T}\nlectures:\n  - {number: 1, title: Flow}\n",
        "course: {title: T}\nlectures:\n  - number: 1\n    required: ~\n",
        "course: {title: T}\nlectures:\n  - number: 1\n    required:\n    -   a\n    - b\n",
    ],
)
def test_unusual_layouts_are_left_to_the_person(text: str) -> None:
    if "- b" in text:
        # Items with a different indentation each still work: only the last one counts.
        assert "    - k\n" in add_readings(text, 1, ["k"])
        return
    with pytest.raises(UsageError) as exc:
        add_readings(text, 1, ["k", "DBLP:x"])
    assert "add them by hand: required: [k, 'DBLP:x']" in str(exc.value)


def test_unusual_course_file_via_cli_is_exit_2_and_nothing_written(run, course) -> None:  # type: ignore[no-untyped-def]
    course_file = course / "bib/course.yml"
    course_file.write_text(
        course_file.read_text() + "  - {number: 14, title: Extra, topics: [ntk]}\n", "utf-8"
    )
    before = snapshot(course)
    result = run("--root", course, "import", IMPORTS / "arxiv.bib", "--topic", "ntk",
                 "--lecture", "14")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "error: bib/course.yml: cannot add the readings to lecture 14 safely (unusual "
        "layout); add them by hand: required: [kingma2014adam, jacot2018]\n"
    )
    assert snapshot(course) == before


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1))
def test_yaml_key_reads_back_as_the_same_key(key: str) -> None:
    if key != key.strip() or key.startswith("@"):
        return  # the course file strips readings (and a leading @), so such keys cannot be read
    assert yaml.safe_load(f"[{yaml_key(key)}]") == [key]
    assert yaml.safe_load(f"- {yaml_key(key)}\n") == [key]


def test_a_folder_as_file_is_exit_2(run, course, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", course, "import", tmp_path, "--topic", "ntk")
    assert result.exit_code == 2
    assert result.stderr == f"error: {tmp_path}: is a folder, not a file\n"


def test_a_new_topic_is_added_to_the_course_file(run, course) -> None:  # type: ignore[no-untyped-def]
    """``--topic`` naming a new slug creates bib/<slug>.bib and inserts one line under
    ``topics:``; every existing byte of the course file stays in place."""
    course_file = course / "bib/course.yml"
    old = course_file.read_text()
    result = run("--root", course, "import", IMPORTS / "dblp.bib", "--topic", "kernels",
                 "--lecture", "8")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "add topic 'kernels' to bib/course.yml" in result.stderr
    new = course_file.read_text()
    assert "  - slug: kernels\n" in new
    # Only insertions: every character of the old file is still there, in order.
    import difflib

    ops = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    assert {op for op, *_ in ops} == {"equal", "insert"}
    topics = [t.slug for t in parse_course(new).topics]
    assert topics[-1] == "kernels" and len(topics) == 9
    assert (course / "bib/kernels.bib").is_file()
    check = run("--root", course, "check", "--json")
    assert check.exit_code == 0, check.stdout


def test_a_new_topic_in_a_course_file_without_topics(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from readinglist.course import add_topic

    text = "course:\n  title: X\n"
    assert add_topic(text, "new") == text + (
        "topics:\n  - slug: new\n    title: 'New'  # made from the slug by import: edit it "
        "and add a description\n"
    )
    flow = "course: {title: X}\ntopics: [{slug: a}]\n"
    with pytest.raises(Exception, match="add it by hand"):
        add_topic(flow, "new")
