"""The one notion of "the same paper" (identity.py): properties of the rule, the index,
regressions for real shapes, and the promise that what import adds without a finding,
check accepts without one."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.bibtex import paper_from_raw, parse_bib
from readinglist.check import check_library
from readinglist.identity import POSSIBLE, SAME, Identity, Index, compare
from readinglist.importer import apply_import, plan_import
from readinglist.model import Paper
from readinglist.records import resolve_crossrefs
from readinglist.store import load_library

TITLES = ["A Theory of Learning Kernels Slowly", "Wide Networks Evolve as Linear Models"]
AUTHORS = ["Jacot", "Lee", "de la Cruz"]
SHAPES = Path(__file__).parent / "data" / "shapes"

identities = st.builds(
    Identity.of,
    arxiv=st.sampled_from([None, "1806.07572", "1902.06720"]),
    doi=st.sampled_from([None, "10.1000/a", "10.1000/b", "10.48550/arxiv.1806.07572"]),
    title=st.sampled_from(TITLES),
    first_author=st.sampled_from(AUTHORS),
    year=st.sampled_from([None, 2018, 2019]),
    volume=st.sampled_from([None, "3", "4"]),
    number=st.sampled_from([None, "1", "2"]),
    pages=st.sampled_from([None, "1--10", "1-10", "11--20"]),
    entry_type=st.sampled_from(["article", "inproceedings", "misc", "book"]),
)


@given(identities, identities)
def test_the_verdict_is_symmetric(a: Identity, b: Identity) -> None:
    one, other = compare(a, b), compare(b, a)
    assert (one and one.verdict) == (other and other.verdict)


@given(identities, identities)
def test_the_same_arxiv_id_or_doi_is_the_same_paper(a: Identity, b: Identity) -> None:
    match = compare(a, b)
    if (a.arxiv and a.arxiv == b.arxiv) or (a.doi and a.doi == b.doi):
        assert match is not None and match.verdict == SAME


@given(identities, identities)
def test_by_title_only_with_the_same_year_and_nothing_conflicting(a: Identity, b: Identity) -> None:
    match = compare(a, b)
    if match is None or (a.arxiv and a.arxiv == b.arxiv) or (a.doi and a.doi == b.doi):
        return
    assert a.title == b.title and a.first_author == b.first_author
    conflict = any(
        x and y and x != y
        for x, y in [
            (a.arxiv, b.arxiv), (a.doi, b.doi), (a.volume, b.volume), (a.number, b.number),
            (a.pages, b.pages), (a.kind, b.kind),
        ]
    ) or a.year is None or b.year is None or a.year != b.year  # fmt: skip
    assert match.verdict == (POSSIBLE if conflict else SAME), (a, b, match)


@given(st.lists(identities, min_size=1, max_size=12), identities)
def test_the_index_finds_what_comparing_with_everything_finds(
    filed: list[Identity], probe: Identity
) -> None:
    index: Index[int] = Index(enumerate(filed))
    brute = [(i, m) for i, other in enumerate(filed) if (m := compare(probe, other))]
    brute.sort(key=lambda pair: (0 if pair[1].same else 1, pair[0]))
    assert index.find(probe) == brute


def _paper(text: str):  # type: ignore[no-untyped-def]
    return [paper_from_raw(e, "t", "t.bib") for e in parse_bib(text, "t.bib").entries]


def test_recurring_column_issues_are_possible_duplicates_only() -> None:
    issues = _paper(
        "".join(
            f"@article{{col{year},\n  author = {{Moore, Ada}},\n  title = {{Letters from the "
            f"Editor: On Reading Lists}},\n  journal = {{CACM}},\n  year = {{{year}}},\n"
            f"  volume = {{{year - 1979}}},\n}}\n"
            for year in (1990, 1991, 1992)
        )
    )
    for a in issues:
        for b in issues:
            if a is not b:
                match = compare(a.identity, b.identity)
                assert match is not None and match.verdict == POSSIBLE
                assert "years" in match.reason and "volumes" in match.reason


def test_a_book_is_not_the_article_of_the_same_title() -> None:
    book, article = _paper(
        "@book{b, author = {Feller, W.}, title = {An Introduction to Probability Theory},"
        " year = 1957}\n"
        "@article{a, author = {Feller, William}, title = {An introduction to probability "
        "theory}, year = 1957, journal = {J}}\n"
    )
    match = compare(book.identity, article.identity)
    assert match is not None and match.verdict == POSSIBLE and "entry types" in match.reason


def test_short_titles_never_match() -> None:
    a, b = _paper(
        "@article{a, author = {Doe, J}, title = {Editorial}, year = 2000}\n"
        "@article{b, author = {Doe, J}, title = {Editorial}, year = 2000}\n"
    )
    assert compare(a.identity, b.identity) is None


# ---------------------------------------------------------------- import agrees with check

COURSE = "course:\n  title: T\ntopics:\n  - slug: t\n    title: T\n    description: D\n"
_ON_LIST = (
    "@article{listed,\n  author = {Jacot, Arthur},\n  title = {Neural Tangent Kernel: "
    "Convergence and Generalization},\n  year = {2018},\n  eprint = {1806.07572},\n}\n"
)

field_values = {
    "title": st.sampled_from([None, "", "Neural Tangent Kernel: Convergence and Generalization",
                              "A Different and Long Enough Title", "The {B}raced $x^2$ Title"]),
    "author": st.sampled_from([None, "", "Jacot, Arthur", "Lee, J. and others", "{IEEE}"]),
    "year": st.sampled_from([None, "2018", "2019", "{2020/2021}", "20xx"]),
    "doi": st.sampled_from([None, "10.1000/x", "http://doi.acm.org/10.1145/1.2",
                            "doi:10.1000/Y", "not a doi", "https://dx.doi.org/10.5555/Z"]),
    "eprint": st.sampled_from([None, "1806.07572", "1902.06720v2", "bad-id"]),
    "journal": st.sampled_from([None, "jmlr", "{CoRR}", "nosuchmacro"]),
    "crossref": st.sampled_from([None, "listed", "nowhere"]),
}  # fmt: skip


def _entry(key: str, values: dict[str, str | None]) -> str:
    lines = [f"@article{{{key},"]
    for name, value in values.items():
        if value is None:
            continue
        raw = value if value in ("jmlr", "nosuchmacro") or value.startswith("{") else (
            "{" + value + "}")  # fmt: skip
        lines.append(f"  {name} = {raw},")
    return "\n".join(lines) + "\n}\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.fixed_dictionaries(field_values), min_size=1, max_size=4))
def test_what_import_adds_without_a_finding_check_accepts(
    entries: list[dict[str, str | None]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "bib").mkdir()
        (root / "bib/course.yml").write_text(COURSE)
        (root / "bib/t.bib").write_text(_ON_LIST)
        source = root / "in.bib"
        text = '@string{jmlr = "Journal of ML"}\n' + "".join(
            _entry(f"k{i}", values) for i, values in enumerate(entries)
        )
        source.write_text(text)
        plan = plan_import(root, source, "t", source_name="in.bib")
        apply_import(root, plan)
        loaded = load_library(root, synced=False)
        report = check_library(loaded.library, loaded.problems)
        noted = [int(note.split(":")[1]) for note in plan.notes]
        in_source = _owners(text, [f.line for f in plan.findings] + noted)
        target_text = (root / "bib/t.bib").read_text()
        in_target = _owners(
            target_text,
            [f.line for f in report.findings
             if f.file == "bib/t.bib" and f.code != "possible-duplicate"],
        )  # fmt: skip
        for item in plan.imported:
            if item.key not in in_source:
                assert item.key not in in_target, (item.key, report.findings, plan.findings)


def _owners(text: str, lines: list[int]) -> set[str]:
    """The keys of the entries that hold these lines."""
    entries = parse_bib(text, "x").entries
    out = set()
    for line in lines:
        for e, nxt in zip(entries, [*entries[1:], None], strict=True):
            end = nxt.line if nxt else 10**9
            if e.line <= line < end:
                out.add(e.key)
    return out


# ---------------------------------------------------------------- crossref

_INHERITING = """
@proceedings{proc, editor = {Ito, Ken}, title = {Proceedings of the Workshop on Things},
  year = 2018, volume = 7}
@inproceedings{child, author = {Vega, Rosa}, title = {A Child Paper That Inherits},
  crossref = {proc}}
@misc{untitled, crossref = {note}, pages = {1--2}}
@misc{note, author = {de la Cruz, Jr, Ana and others}, title = {A Note With a Long Title},
  date = {2020-03}, issue = 4}
@article{chain, title = {Third in a Chain of Inheritance}, crossref = {untitled}}
@inproceedings{edited, title = {Edited Volume Without Authors}, crossref = {proc}}
@inproceedings{empty, author = {}, title = {An Empty Author List Here}, crossref = {proc}}
"""


def _loaded(text: str) -> list[Paper]:
    papers = [paper_from_raw(raw, "t", "t.bib") for raw in parse_bib(text, "t.bib").entries]
    for paper in papers:
        _ = paper.identity  # as the store computes it before caching
    return papers


def test_an_inheriting_entry_has_the_identity_of_its_fields() -> None:
    # The inheriting copy reuses the normalized title and first author when it can; the
    # identity must be what its own fields give, computed from nothing.
    papers = _loaded(_INHERITING + (SHAPES / "crossref.bib").read_text())
    resolved, problems = resolve_crossrefs(papers)
    assert not problems and len(resolved) == 8
    for paper in resolved.values():
        fresh = dataclasses.replace(paper)  # no cached identity
        assert "identity" not in fresh.__dict__
        assert paper.identity == fresh.identity, paper.key
    by_key = {p.key: p for p in resolved.values()}
    assert by_key["child"].identity.year == 2018 and by_key["child"].identity.volume == "7"
    assert by_key["untitled"].identity.title == "a note with a long title"
    assert by_key["untitled"].identity.first_author == "cruz"
    assert by_key["chain"].identity.first_author == "cruz"
    assert by_key["chain"].identity.number == "4"
    # No author (or an empty one): the inherited editors give the first author.
    assert by_key["edited"].identity.first_author == "ito"
    assert by_key["empty"].identity.first_author == "ito"
