"""The benchmark libraries (benchmarks/generate.py): deterministic, and read by our reader
exactly as pybtex reads them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from pybtex.database import parse_file

from readinglist.bibtex import decode_bib, parse_bib, parse_names
from tests.helpers import generated_library


def _generate(root: Path, shape: str, papers: int = 300) -> Path:
    return generated_library(root, papers, shape)


@pytest.mark.parametrize("shape", ["synthetic", "journal"])
def test_same_arguments_give_the_same_bytes(tmp_path: Path, shape: str) -> None:
    a = _generate(tmp_path / "a", shape, 120)
    b = _generate(tmp_path / "b", shape, 120)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    for rel in files:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_real_shaped_library_has_the_shapes_it_promises(tmp_path: Path) -> None:
    text = "\n".join(p.read_text() for p in (_generate(tmp_path, "journal") / "bib").glob("*.bib"))
    assert re.search(r"\n  month +=\s*feb,", text)  # a month macro
    assert re.search(r"\n  author += \{[^}]*(\{[^}]*\}[^}]*)* and\n", text)  # a long list
    for shape in ("@String{", "@Preamble{", "@Comment{", " # ",
                  '"~', "crossref", "@Proceedings{", " and others", "{\\\"o}", "@Article(",
                  "{ATLAS Collaboration}", "\\v{"):  # fmt: skip
        assert shape in text, shape


def test_our_reader_agrees_with_pybtex_on_the_real_shaped_library(tmp_path: Path) -> None:
    root = _generate(tmp_path, "journal")
    compared = 0
    for path in sorted((root / "bib").glob("*.bib")):
        ours = parse_bib(decode_bib(path.read_bytes(), path.name), path.name)
        theirs = parse_file(str(path))
        assert [e.key for e in ours.entries] == list(theirs.entries), path
        assert ours.problems == ()
        for entry in ours.entries:
            reference = theirs.entries[entry.key]
            fields = {name.lower(): value for name, value in entry.fields}
            for name, value in reference.fields.items():
                # pybtex collapses white space; we keep the value as written.
                assert " ".join(fields[name.lower()].split()) == value, (entry.key, name)
                compared += 1
            for role in ("author", "editor"):
                if role in fields:
                    names = parse_names(fields[role])
                    assert len(names) == len(reference.persons[role]), (entry.key, role)
    assert compared > 3000


def test_check_reads_the_real_shaped_library(tmp_path: Path) -> None:
    root = _generate(tmp_path / "course", "journal")
    proc = subprocess.run(
        [sys.executable, "-m", "readinglist", "--root", str(root), "check"],
        capture_output=True, text=True, env={"READINGLIST_CACHE_DIR": str(tmp_path / "c"),
                                             "PATH": "/usr/bin:/bin"},
        check=False,
    )  # fmt: skip
    # Clean: in particular the years that @InProceedings take through crossref count.
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "306 papers, 6 topics, 12 lectures: 0 errors, 0 warnings\n"
