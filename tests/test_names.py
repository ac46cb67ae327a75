"""Name splitting (names.py): the first author alone is the same Person as the first one
of the whole split list, on generated author lists and on every list of the shape files
and of a generated journal bibliography."""

from __future__ import annotations

from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from readinglist.bibtex import decode_bib, parse_bib
from readinglist.names import Person, first_person, parse_names
from tests.helpers import generated_library

SHAPES = Path(__file__).parent / "data" / "shapes"


def first_of_all(raw: str) -> Person | None:
    """The old way: split every name of the list, take the first that is not ``others``."""
    return next((p for p in parse_names(raw) if not p.is_others), None)


WORDS = ["Jacot", "Arthur", "de", "la", "Vall{\\'e}e", "von", "{Google Research}", "Jr.",
         "{\\relax Ch}arles", "{Barnes and Noble}", "{and}", "others", "Others", "d'Ascoli",
         "van der", "O'Neil", "{\\\"U}ber", "{", "}", "\\'Eric", "J.", "~", "AND",
         "and"]  # fmt: skip
SPACES = [" ", "  ", "\t", "\n", " ~ ", "~", ""]
SEPARATORS = [" and ", " AND ", "\nand\t", " and  and ", " and others", ", ", ",", " , "]


@st.composite
def author_lists(draw: st.DrawFn) -> str:
    """Author lists as people write them: First Last, von Last, Jr, First; braces,
    ``and others``, empty names, odd spacing, unbalanced braces now and then."""
    names = []
    for _ in range(draw(st.integers(0, 5))):
        words = draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=4))
        gaps = [draw(st.sampled_from(SPACES)) for _ in words]
        names.append("".join(w + g for w, g in zip(words, gaps, strict=True)))
    seps = [draw(st.sampled_from(SEPARATORS)) for _ in names]
    return draw(st.sampled_from(SPACES)) + "".join(n + s for n, s in zip(names, seps, strict=True))


@given(author_lists())
@settings(max_examples=1500)
@example("others and Jacot, Arthur")
@example("others, and {Google Research} and Lee")
@example("and and de la Vall{\\'e}e Poussin, Jr, Charles and Knuth")
@example("{Barnes and Noble} and Smith")
@example("{Unbalanced and Smith and Jones")
@example("Smith} and Jones")
@example("")
def test_the_first_person_is_the_first_of_the_whole_split(raw: str) -> None:
    assert first_person(raw) == first_of_all(raw)


def _author_lists(bib: Path) -> list[str]:
    parsed = parse_bib(decode_bib(bib.read_bytes(), bib.name), bib.name)
    return [
        value
        for entry in parsed.entries
        for name, value in entry.fields
        if name.lower() in ("author", "editor")
    ]


def test_the_first_person_of_every_shape_file_list() -> None:
    lists = [raw for bib in sorted(SHAPES.glob("*.bib")) for raw in _author_lists(bib)]
    assert len(lists) > 20
    for raw in lists:
        assert first_person(raw) == first_of_all(raw), raw


def journal_library(root: Path, papers: int = 600) -> Path:
    """A generated real-shaped library (benchmarks/generate.py --shape journal)."""
    return generated_library(root, papers, "journal")


def test_the_first_person_of_every_list_of_a_journal_bibliography(tmp_path: Path) -> None:
    root = journal_library(tmp_path / "lib")
    lists = [raw for bib in sorted((root / "bib").glob("*.bib")) for raw in _author_lists(bib)]
    assert len(lists) > 500
    for raw in lists:
        assert first_person(raw) == first_of_all(raw), raw
