"""arXiv id and DOI recognition in every shape people paste."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readinglist.ids import (
    ArxivId,
    find_arxiv_id,
    find_doi,
    identify,
    normalize_doi,
    parse_arxiv_id,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1806.07572", ArxivId("1806.07572")),
        ("1806.07572v3", ArxivId("1806.07572", 3)),
        ("arXiv:1806.07572v4", ArxivId("1806.07572", 4)),
        ("  arxiv:1806.07572 ", ArxivId("1806.07572")),
        ("2104.12255v1", ArxivId("2104.12255", 1)),
        ("hep-th/9901001", ArxivId("hep-th/9901001")),
        ("math.GT/0309136", ArxivId("math/0309136")),
        ("math.GT/0309136v2", ArxivId("math/0309136", 2)),
        ("astro-ph/0601001v1", ArxivId("astro-ph/0601001", 1)),
        ("0704.0001", ArxivId("0704.0001")),
    ],
)
def test_bare_ids_normalize(text: str, expected: ArxivId) -> None:
    assert parse_arxiv_id(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "1806.7572",  # too few digits
        "1813.07572",  # month 13
        "1806.075721",  # six digits
        "1412.12345",  # five digits before 2015
        "1501.1234",  # four digits after 2015
        "0703.0001",  # new-style ids began in April 2007
        "foo-bar/9901001",  # no such archive
        "hep-th/99010",  # short number
        "1806.07572v0",  # versions start at 1
        "",
        "abc",
    ],
)
def test_malformed_ids_are_rejected(text: str) -> None:
    assert parse_arxiv_id(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "https://arxiv.org/abs/1806.07572v3",
        "http://arxiv.org/pdf/1806.07572v3.pdf",
        "arxiv.org/pdf/1806.07572v3",
        "https://arxiv.org/html/1806.07572v3",
        "arXiv preprint arXiv:1806.07572v3",
        "Preprint, arXiv:1806.07572v3 [cs.LG]",
        "10.48550/arXiv.1806.07572v3",
    ],
)
def test_embedded_ids_are_found(text: str) -> None:
    assert find_arxiv_id(text) == ArxivId("1806.07572", 3)


def test_page_numbers_are_not_ids() -> None:
    assert find_arxiv_id("Neural Networks 2(5):359-366, 1989.07") is None


@pytest.mark.parametrize(
    ("fields", "arxiv", "doi"),
    [
        ({"eprint": "1806.07572", "archiveprefix": "arXiv"}, "1806.07572", None),
        ({"eprint": "1806.07572v2", "eprinttype": "arxiv"}, "1806.07572", None),
        ({"arxiv": "1806.07572"}, "1806.07572", None),
        ({"arxivid": "arXiv:1806.07572"}, "1806.07572", None),
        ({"journal": "arXiv preprint arXiv:1806.07572"}, "1806.07572", None),
        ({"note": "arXiv:hep-th/9901001"}, "hep-th/9901001", None),
        ({"url": "https://arxiv.org/abs/math.GT/0309136v1"}, "math/0309136", None),
        ({"doi": "10.48550/arXiv.1806.07572"}, "1806.07572", "10.48550/arxiv.1806.07572"),
        ({"doi": "https://doi.org/10.1109/18.256500"}, None, "10.1109/18.256500"),
        ({"url": "https://doi.org/10.1214/aos/1176348546"}, None, "10.1214/aos/1176348546"),
        ({"howpublished": "\\url{https://arxiv.org/abs/2001.01234}"}, "2001.01234", None),
        ({"title": "Nothing here"}, None, None),
    ],
)
def test_identify_reads_every_shape(
    fields: dict[str, str], arxiv: str | None, doi: str | None
) -> None:
    found = identify(fields)
    assert (found.arxiv.id if found.arxiv else None) == arxiv
    assert found.doi == doi
    assert found.problems == ()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"eprint": "1806.7572", "archiveprefix": "arXiv"}, "eprint"),
        ({"arxiv": "18O6.07572"}, "arxiv"),
        ({"doi": "10.1109"}, "doi"),
        ({"doi": "doi: not a doi"}, "doi"),
    ],
)
def test_identify_reports_malformed_values(fields: dict[str, str], field: str) -> None:
    assert [name for name, _ in identify(fields).problems] == [field]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("10.1109/18.256500", "10.1109/18.256500"),
        ("doi:10.1016/0893-6080(89)90020-8", "10.1016/0893-6080(89)90020-8"),
        ("https://dx.doi.org/10.1007/BF02551274", "10.1007/bf02551274"),
        ("http://doi.org/10.1007/BF02551274.", "10.1007/bf02551274"),
        ("10.1007", None),
        ("11.1007/x", None),
    ],
)
def test_normalize_doi(text: str, expected: str | None) -> None:
    assert normalize_doi(text) == expected


def test_find_doi_in_text() -> None:
    assert find_doi("see https://doi.org/10.1214/aos/1176348546 for details") == (
        "10.1214/aos/1176348546"
    )


new_ids = st.builds(
    lambda yy, mm, num, v: (f"{yy:02d}{mm:02d}", num, v),
    st.integers(7, 30),
    st.integers(1, 12),
    st.integers(1, 99999),
    st.one_of(st.none(), st.integers(1, 30)),
)


@given(new_ids)
def test_normalizing_twice_changes_nothing(parts: tuple[str, int, int | None]) -> None:
    yymm, num, version = parts
    if yymm < "0704":
        return
    digits = 5 if yymm >= "1501" else 4
    if num >= 10**digits:
        return
    text = f"{yymm}.{num:0{digits}d}" + (f"v{version}" if version else "")
    once = parse_arxiv_id(text)
    assert once is not None
    assert parse_arxiv_id(once.versioned) == once
    assert parse_arxiv_id(once.id) == ArxivId(once.id)
    for shape in (f"arXiv:{text}", f"https://arxiv.org/abs/{text}", f"10.48550/arXiv.{text}"):
        assert find_arxiv_id(shape) == once


@given(st.text(max_size=60))
def test_parsers_never_crash(text: str) -> None:
    result = parse_arxiv_id(text)
    if result is not None:
        assert parse_arxiv_id(result.versioned) == result
    find_arxiv_id(text)
    doi = normalize_doi(text)
    if doi is not None:
        assert normalize_doi(doi) == doi
    identify({"eprint": text, "doi": text, "url": text, "journal": text})
