"""The reader's one-match path for the common field (``_Reader.simple_fields``) reads
every input exactly as its general path does: the same entries, values, field and entry
lines, source texts, macros used and problems (with their lines and messages)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from readinglist import bibtex
from readinglist.bibtex import ParsedFile, decode_bib, parse_bib
from readinglist.errors import BibSyntaxError
from tests.helpers import generated_library
from tests.reliability.corpus import BIBTEX, content_bytes

REPO = Path(__file__).resolve().parents[1]
SHAPES = REPO / "tests" / "data" / "shapes"


def both(text: str) -> tuple[ParsedFile, ParsedFile]:
    """``text`` read with the one-match path, then with the general path only."""
    fast = parse_bib(text, "x.bib")
    bibtex._Reader.simple_fields = False
    try:
        general = parse_bib(text, "x.bib")
    finally:
        bibtex._Reader.simple_fields = True
    return fast, general


def assert_same(text: str) -> ParsedFile:
    fast, general = both(text)
    assert fast == general
    return fast


def test_the_switch_is_on_by_default_and_changes_the_path(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    assert bibtex._Reader.simple_fields is True
    calls: list[str] = []
    real = bibtex._Reader.value
    monkeypatch.setattr(
        bibtex._Reader, "value", lambda self, *a: calls.append("v") or real(self, *a)
    )
    fast, general = both("@misc{k, title = {T}, year = 2020, note = m}")
    assert fast == general and len(calls) == 3  # only the general path called value()


@pytest.mark.parametrize("shape", sorted(p.name for p in SHAPES.glob("*.bib")))
def test_every_shape_file(shape: str) -> None:
    assert_same(decode_bib((SHAPES / shape).read_bytes(), shape))


def _corpus() -> Iterator[tuple[str, str]]:
    for case in BIBTEX:
        if case.content is None:
            continue
        try:
            yield case.id, decode_bib(content_bytes(case.content), "x.bib")
        except BibSyntaxError:
            continue  # not UTF-8 or holds a NUL: refused before reading


@pytest.mark.parametrize(("case", "text"), list(_corpus()), ids=[c for c, _ in _corpus()])
def test_every_hostile_bib_of_the_reliability_corpus(case: str, text: str) -> None:
    assert_same(text)


@pytest.mark.parametrize("shape", ["journal", "synthetic"])
def test_generated_libraries(tmp_path: Path, shape: str) -> None:
    root = generated_library(tmp_path / shape, 400, shape)
    entries = 0
    for bib in sorted((root / "bib").glob("*.bib")):
        text = decode_bib(bib.read_bytes(), bib.name)
        parsed = assert_same(text)
        entries += len(parsed.entries)
        lines = text.split("\n")
        for entry in parsed.entries:
            assert lines[entry.line - 1].lstrip().startswith("@")
            for (name, _), line in zip(entry.fields, entry.field_lines, strict=True):
                assert lines[line - 1].lstrip().startswith(name), (entry.key, name, line)
    assert entries >= 400


# Pieces of entries, good and broken, to put together at random.
NAMES = ["title", "author", "Year", "@odd", "x-y", "note", "journal", "a:b", "title"]
VALUES = [
    "{Plain}", "{}", "{With {Inner} braces}", "{an @ sign}", '"Quoted"', '""',
    '"with {braces}"', '"an @ sign"', "2020", "007", "jan", "jmlr", "undefinedmacro",
    'jmlr # " (JMLR)"', '{a} # {b}', "{unclosed", '"unclosed', "{a}}", "=", "", "12ab",
    "{multi\nline\n  value}", '"multi\nline"', "{x}\n@misc{inner, title={I}}",
    '{runs\n@misc(j, t=1) on}', '"runs\n  @book(j, t=1) on"',
]  # fmt: skip
GAPS = ["", " ", "\n", "\n  ", "\t"]
SEPS = [",", ", ", ",\n  ", "", " ", ",,", ";", "\n"]


@st.composite
def bib_texts(draw: st.DrawFn) -> str:
    parts = ['@string{jmlr = "Journal of ML"}\n']
    for i in range(draw(st.integers(1, 4))):
        opener, closer = draw(st.sampled_from([("{", "}"), ("(", ")")]))
        fields = []
        for _ in range(draw(st.integers(0, 5))):
            gap1, gap2 = draw(st.sampled_from(GAPS)), draw(st.sampled_from(GAPS))
            fields.append(
                f"{draw(st.sampled_from(NAMES))}{gap1}={gap2}{draw(st.sampled_from(VALUES))}"
                f"{draw(st.sampled_from(GAPS))}"
            )
        body = "".join(f + draw(st.sampled_from(SEPS)) for f in fields)
        kind = draw(st.sampled_from(["article", "misc", "InProceedings"]))
        end = draw(st.sampled_from([closer, closer, "}" if closer == ")" else ")", ""]))
        parts.append(f"@{kind}{opener}k{i},{draw(st.sampled_from(GAPS))}{body}{end}\n\n")
    return "".join(parts)


@given(bib_texts())
@settings(max_examples=600, deadline=None)
@example('@misc{k, title = {T}, note = "a" # jmlr, year = 2020}')
@example("@misc(k, title = {T} )\n@misc{j, title = {x}) }")
@example("@misc{k, title = {x}\n@misc{j, title = {y}}")
@example("@misc{k, @odd = {x}, title = undefinedmacro}")
@example("@misc{k, title = {runs\n@misc(j, t=1) on}, year = 1}")
def test_generated_entries_good_and_broken(text: str) -> None:
    assert_same(text)
