"""Tests of readinglist.services.semanticscholar: parsers, fixtures, client vs stand-in."""

from __future__ import annotations

import contextlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
import requests
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.errors import (
    BadRequestError,
    ServiceError,
    ServiceResponseError,
    UsageError,
)
from readinglist.ids import ArxivId
from readinglist.model import Publication
from readinglist.services.semanticscholar import (
    BATCH_SIZE,
    PAPER_FIELDS,
    REFERENCE_CAP,
    REFERENCE_FIELDS,
    S2Paper,
    S2Reference,
    SemanticScholarClient,
    parse_batch,
    parse_error,
    parse_match,
    parse_paper,
    parse_references_page,
    publication,
    request_id_for_arxiv,
    request_id_for_doi,
)

try:
    from standins.s2_server import S2StandIn
except ImportError:  # tests/ collected as a package (rootdir on sys.path instead)
    from tests.standins.s2_server import S2StandIn

SHARED = Path(
    os.environ.get("READINGLIST_SHARED") or Path(__file__).resolve().parents[2] / "shared"
)
FIXTURES = SHARED / "fixtures" / "semanticscholar"
FIXTURE_FILES = sorted(FIXTURES.rglob("*.yaml"))
API_KEY = "s2-SECRET-key-0123456789abcdef"


# -- recorded fixtures -----------------------------------------------------------------
def interactions(path: Path) -> list[dict[str, Any]]:
    """The vcrpy cassette's exchanges as ``{method, uri, request_body, status, body}``."""
    cassette = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for item in cassette["interactions"]:
        response = item["response"]
        body = response["body"]["string"] if "body" in response else response["content"]
        status = response["status"]["code"] if "status" in response else response["status_code"]
        out.append(
            {
                "method": item["request"]["method"],
                "uri": item["request"]["uri"],
                "request_body": item["request"].get("body") or "",
                "status": status,
                "body": body if isinstance(body, bytes) else body.encode("utf-8"),
            }
        )
    return out


def fixture(name: str) -> list[dict[str, Any]]:
    """The interactions of the one fixture file called ``name``."""
    (path,) = [p for p in FIXTURE_FILES if p.name == name]
    return interactions(path)


def test_fixtures_are_present() -> None:
    assert len(FIXTURE_FILES) == 4, f"expected the 4 recorded cassettes in {FIXTURES}"


@pytest.mark.parametrize("path", FIXTURE_FILES, ids=lambda p: p.name)
def test_every_fixture_parses(path: Path) -> None:
    parsed = 0
    for exchange in interactions(path):
        uri, body, status = exchange["uri"], exchange["body"], exchange["status"]
        if not uri.startswith("https://api.semanticscholar.org/graph/v1/"):
            # paper-qa's cassette also holds its Crossref call; not ours to parse.
            assert uri.startswith("https://api.crossref.org/")
            continue
        if status == 404:
            assert parse_error(body)
        elif "/paper/batch" in uri:
            ids = json.loads(exchange["request_body"])["ids"]
            assert len(parse_batch(body, ids)) == len(ids)
        elif "/references" in uri:
            references, _ = parse_references_page(body)
            assert references
        elif "/paper/search" in uri:
            assert parse_match(body)
        else:
            pytest.fail(f"no parser for {exchange['method']} {uri}")
        parsed += 1
    assert parsed


def test_batch_fixture_is_aligned_with_its_null() -> None:
    (exchange,) = fixture("test_get_papers_return_not_found.yaml")
    ids = json.loads(exchange["request_body"])["ids"]
    papers = parse_batch(exchange["body"], ids)
    assert papers[0] is None  # CorpusId:211530585 is unknown
    first, second, third = papers[1:]
    assert first is not None and second is not None and third is not None
    assert first.external_ids["CorpusId"] == "470667" == ids[1].removeprefix("CorpusId:")
    assert second.doi == ids[2] == "10.2139/ssrn.2250500"
    assert third.paper_id == ids[3]
    assert first.title == "How Much Should We Trust Differences-in-Differences Estimates?"
    assert (first.year, first.citation_count, first.reference_count) == (2001, 10670, 30)
    # publicationVenue is null and venue empty: nothing to call a publication.
    assert first.publication_venue_name == "" and first.venue == ""
    assert publication(first) is None
    # references were not asked for, so they cannot count as complete.
    assert first.references == () and not first.references_complete


def test_reference_fixture_pages_follow_next() -> None:
    exchanges = fixture("test_get_paper_references.yaml")
    by_offset = {int(e["uri"].split("offset=")[1].split("&")[0]): e for e in exchanges}
    references: list[S2Reference] = []
    offset: int | None = 0
    pages = 0
    while offset is not None:
        page, offset = parse_references_page(by_offset[offset]["body"])
        references.extend(page)
        pages += 1
    assert pages == 2
    assert len(references) == 67
    # The batch fixture says the same paper (DOI 10.2139/ssrn.2250500) has 67 references.
    (batch,) = fixture("test_get_papers_return_not_found.yaml")
    ids = json.loads(batch["request_body"])["ids"]
    paper = parse_batch(batch["body"], ids)[2]
    assert paper is not None and paper.reference_count == len(references)
    unresolved = [r for r in references if not r.resolved]
    assert len(unresolved) == 23
    assert all(r.paper_id is None and r.title for r in unresolved)
    assert "Profile for Spandana" in {r.title for r in unresolved}
    assert references[0] == S2Reference(
        paper_id="e945ca4fdcf45b1a118f1462db7afa12629a131f",
        title="Group lending or individual lending? Evidence from a randomised field "
        "experiment in Mongolia",
        year=None,
    )


def test_not_found_fixture_is_an_error_body() -> None:
    paper, author = fixture("test_not_found.yaml")
    assert paper["status"] == author["status"] == 404
    assert parse_error(paper["body"]) == "Paper with id 0 not found"
    assert parse_error(author["body"]) == "Author with id 0 not found"
    # An error body is never taken for an empty page or an empty search.
    with pytest.raises(ServiceResponseError):
        parse_references_page(paper["body"])
    with pytest.raises(ServiceResponseError):
        parse_match(paper["body"])
    with pytest.raises(ServiceResponseError):
        parse_batch(paper["body"], ["0"])


def test_standin_404_speaks_the_recorded_bytes(caplog: pytest.LogCaptureFixture) -> None:
    paper, _ = fixture("test_not_found.yaml")
    with S2StandIn({}) as s2:
        response = requests.get(f"{s2.url}/paper/0/references", timeout=5)
        assert response.status_code == 404
        assert response.content == paper["body"]
        client = SemanticScholarClient(s2.url, delay=0, sleep=fail_sleep)
        with caplog.at_level(logging.WARNING):
            assert client.fetch_references("0") is None
    assert "Paper with id 0 not found" in caplog.text


def test_match_fixture_gives_the_canonical_arxiv_id() -> None:
    exchanges = fixture("test_arxiv_doi_is_used_when_available.yaml")
    (match,) = [e for e in exchanges if "/paper/search/match" in e["uri"]]
    (paper,) = parse_match(match["body"])
    assert paper.external_ids["ArXiv"] == "1706.03762"
    assert paper.arxiv == ArxivId("1706.03762")
    assert paper.canonical_ids == {
        "s2": "204e3073870fae3d05bcbc2f6a8e263d9b72e776",
        "arxiv": "1706.03762",
        "dblp": "journals/corr/VaswaniSPUJGKP17",
    }
    # A real venue; the DBLP key is CoRR's (the preprint), so it is not the publication's.
    assert paper.publication() == Publication(
        venue="Neural Information Processing Systems",
        year=2017,
        doi="",
        dblp="",
        source="semanticscholar",
    )


# -- parsers -------------------------------------------------------------------------
def paper_json(n: int, **overrides: Any) -> dict[str, Any]:
    """A paper as S2 returns it with every field the client asks for."""
    refs = [reference_json(n, i) for i in range(3)]
    paper: dict[str, Any] = {
        "paperId": f"{n:040x}",
        "externalIds": {"ArXiv": f"2101.{n:05d}", "CorpusId": n},
        "title": f"Paper {n}",
        "venue": "",
        "publicationVenue": None,
        "year": 2021,
        "citationCount": n,
        "referenceCount": len(refs),
        "references": refs,
    }
    paper.update(overrides)
    return paper


def reference_json(n: int, i: int) -> dict[str, Any]:
    """Reference ``i`` of paper ``n``; every fifth one unresolved."""
    if i % 5 == 4:
        return {"paperId": None, "externalIds": None, "title": f"Unresolved {n}.{i}", "year": None}
    return {
        "paperId": f"{n:020x}{i:020x}",
        "externalIds": {"DOI": f"10.1000/P{n}.{i}", "CorpusId": i},
        "title": f"Reference {n}.{i}",
        "year": 2000 + i % 20,
    }


def body(data: Any) -> bytes:
    return json.dumps(data).encode()


def test_parse_batch_tolerates_nulls_everywhere() -> None:
    nulls = {
        "paperId": "p1",
        "title": None,
        "year": None,
        "venue": None,
        "publicationVenue": None,
        "externalIds": None,
        "citationCount": None,
        "referenceCount": None,
        "references": None,
    }
    (paper,) = parse_batch(body([nulls]), ["ARXIV:2101.00001"])
    assert paper == S2Paper(
        paper_id="p1",
        title="",
        year=None,
        venue="",
        publication_venue_name="",
        publication_venue_type="",
        external_ids={},
        citation_count=None,
        references=(),
        references_complete=False,
        reference_count=None,
    )
    assert paper.arxiv is None and paper.doi is None and paper.canonical_ids == {"s2": "p1"}
    assert publication(paper) is None
    (sparse,) = parse_batch(body([{"paperId": "p2", "references": [None]}]), ["x"])
    assert sparse is not None and sparse.references == () and sparse.references_complete


@pytest.mark.parametrize(
    "answer",
    [[paper_json(1)], [paper_json(1), paper_json(2), paper_json(3)], [None]],
    ids=["shorter", "longer", "shorter-null"],
)
def test_parse_batch_refuses_a_misaligned_answer(answer: list[Any]) -> None:
    with pytest.raises(ServiceResponseError, match="papers for 2 ids"):
        parse_batch(body(answer), ["ARXIV:2101.00001", "ARXIV:2101.00002"])


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'[{"paperId": "x"', "invalid JSON"),
        (b"\xff\xfe\x00garbage", "invalid JSON"),
        (b"", "invalid JSON"),
        (b'{"error": "Too many ids"}', "not a list"),
        (b"[42]", "not an object"),
        (b'[{"title": "no id"}]', "no paperId"),
        (b'[{"paperId": "x", "year": "2017"}]', "year is not an integer"),
        (b'[{"paperId": "x", "year": true}]', "year is not an integer"),
        (b'[{"paperId": "x", "title": 3}]', "title is not a string"),
        (b'[{"paperId": "x", "externalIds": []}]', "externalIds is not an object"),
        (b'[{"paperId": "x", "externalIds": {"DOI": [1]}}]', "not a scalar"),
        (b'[{"paperId": "x", "publicationVenue": "NeurIPS"}]', "not an object"),
        (b'[{"paperId": "x", "references": {}}]', "references is not a list"),
        (b'[{"paperId": "x", "references": [{"paperId": 7}]}]', "paperId is not a string"),
        (b"[" * 100_000 + b"]" * 100_000, "invalid JSON"),
    ],
)
def test_parse_batch_rejects_unusable_bodies(raw: bytes, message: str) -> None:
    with pytest.raises(ServiceResponseError, match=message):
        parse_batch(raw, ["x"])


@pytest.mark.parametrize(
    ("refs", "reference_count", "complete"),
    [
        (3, 3, True),
        (3, 2, True),  # S2's count is sometimes lower than the list: nothing to page
        (2, 3, False),
        (0, 5, False),
        (REFERENCE_CAP - 1, None, True),
        (REFERENCE_CAP, None, False),
    ],
)
def test_truncation_rule(refs: int, reference_count: int | None, complete: bool) -> None:
    data = paper_json(1, references=[reference_json(1, i) for i in range(refs)])
    data["referenceCount"] = reference_count
    paper = parse_paper(data)
    assert len(paper.references) == refs
    assert paper.references_complete is complete


def test_references_keep_unresolved_ones_and_canonical_ids() -> None:
    paper = parse_paper(
        paper_json(
            1,
            references=[
                {"paperId": None, "title": "A talk", "externalIds": {"DOI": "10.1000/X"}},
                {
                    "paperId": "r2",
                    "title": "T",
                    "year": 2019,
                    "externalIds": {"ArXiv": "1806.07572"},
                },
                {
                    "paperId": "r3",
                    "title": None,
                    "externalIds": {"DOI": "10.48550/arXiv.1707.08567"},
                },
                {
                    "paperId": "r4",
                    "externalIds": {"DOI": "https://doi.org/10.1145/ABC", "DBLP": "k"},
                },
            ],
        )
    )
    unresolved, arxiv, datacite, doi = paper.references
    assert (
        not unresolved.resolved and unresolved.title == "A talk" and unresolved.doi == "10.1000/x"
    )
    assert unresolved.canonical_ids == {"doi": "10.1000/x"}
    assert arxiv.resolved and arxiv.arxiv == ArxivId("1806.07572") and arxiv.year == 2019
    assert datacite.arxiv == ArxivId("1707.08567") and datacite.title == ""
    assert doi.canonical_ids == {"s2": "r4", "doi": "10.1145/abc", "dblp": "k"}
    assert paper.arxiv == ArxivId("2101.00001")


def test_versioned_arxiv_external_id_loses_its_version() -> None:
    ref = S2Reference(paper_id="r", title="", year=None, external_ids={"ArXiv": "1806.07572v3"})
    assert ref.arxiv == ArxivId("1806.07572")
    assert S2Reference("r", "", None, {"ArXiv": "not an id"}).arxiv is None


@pytest.mark.parametrize(
    ("venue", "publication_venue", "expected"),
    [
        ("ArXiv", None, None),
        ("arXiv.org", {"name": "arXiv.org", "type": None}, None),
        ("arXiv: Machine Learning", None, None),
        ("CoRR", None, None),
        ("bioRxiv", None, None),
        ("CoRR abs/2101.00001", None, None),
        ("SSRN Electronic Journal", None, None),
        ("Corrosion Science", None, "Corrosion Science"),
        ("Arxiving the Past", None, "Arxiving the Past"),
        ("", None, None),
        ("  ", None, None),
        ("NeurIPS", None, "NeurIPS"),
        ("", {"name": "Nature", "type": "journal"}, "Nature"),
        (
            "ICML",
            {"name": "International Conference on Machine Learning"},
            "International Conference on Machine Learning",
        ),
    ],
)
def test_publication_needs_a_real_venue(
    venue: str, publication_venue: dict[str, Any] | None, expected: str | None
) -> None:
    paper = parse_paper(paper_json(1, venue=venue, publicationVenue=publication_venue))
    found = publication(paper)
    assert (found.venue if found else None) == expected


def test_publication_carries_doi_and_dblp_but_not_the_preprints() -> None:
    ids = {"DOI": "10.1038/S41586-021-03819-2", "DBLP": "journals/nature/JumperEPGFRTBZP21"}
    paper = parse_paper(
        paper_json(
            1,
            venue="Nature",
            year=2021,
            externalIds=ids,
            publicationVenue={"name": "Nature", "type": "journal"},
        )
    )
    assert paper.publication_venue_type == "journal"
    assert publication(paper) == Publication(
        venue="Nature",
        year=2021,
        doi="10.1038/s41586-021-03819-2",
        dblp="journals/nature/JumperEPGFRTBZP21",
        source="semanticscholar",
    )
    preprint_ids = {"DOI": "10.48550/arXiv.2101.00001", "DBLP": "journals/corr/abs-2101-00001"}
    at_icml = publication(parse_paper(paper_json(1, venue="ICML", externalIds=preprint_ids)))
    assert at_icml == Publication(venue="ICML", year=2021, source="semanticscholar")


def test_parse_references_page_shapes() -> None:
    page = {
        "offset": 0,
        "next": 2,
        "data": [{"citedPaper": reference_json(1, 0)}, {"citedPaper": None}, None],
    }
    references, next_offset = parse_references_page(body(page))
    assert [r.title for r in references] == ["Reference 1.0"] and next_offset == 2
    assert parse_references_page(body({"offset": 0, "data": None})) == ([], None)
    assert parse_references_page(body({"offset": 9, "data": []})) == ([], None)
    bad_pages: list[Any] = [
        [],
        {"offset": 0},
        {"data": {}},
        {"data": [3]},
        {"data": [], "next": "50"},
        {"data": [{"citedPaper": []}]},
    ]
    for bad in bad_pages:
        with pytest.raises(ServiceResponseError):
            parse_references_page(body(bad))


def test_parse_match_and_error_shapes() -> None:
    assert parse_match(body({"data": None})) == []
    assert [p.paper_id for p in parse_match(body({"data": [None, paper_json(2)]}))] == [f"{2:040x}"]
    for bad in (b"[]", b"nope", b'{"data": 1}'):
        with pytest.raises(ServiceResponseError):
            parse_match(bad)
    assert parse_error(b'{"message": "Too Many Requests"}') == "Too Many Requests"
    assert parse_error(b"<html>") is None
    assert parse_error(b'{"error": 3}') is None
    assert parse_error(b"[]") is None


def test_request_ids() -> None:
    assert request_id_for_arxiv("arXiv:1806.07572v3") == "ARXIV:1806.07572"
    assert request_id_for_arxiv(ArxivId("hep-th/9901001", 2)) == "ARXIV:hep-th/9901001"
    assert request_id_for_doi("https://doi.org/10.1145/ABC") == "DOI:10.1145/abc"
    with pytest.raises(UsageError):
        request_id_for_arxiv("1806.99")
    with pytest.raises(UsageError):
        request_id_for_doi("not-a-doi")


# -- hypothesis ----------------------------------------------------------------------
KEYS = st.sampled_from(
    [
        "paperId",
        "title",
        "year",
        "venue",
        "publicationVenue",
        "name",
        "type",
        "externalIds",
        "ArXiv",
        "DOI",
        "DBLP",
        "CorpusId",
        "citationCount",
        "referenceCount",
        "references",
        "data",
        "citedPaper",
        "next",
        "offset",
        "error",
    ]
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(KEYS | st.text(max_size=5), inner, max_size=6)
    ),
    max_leaves=30,
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(JSONISH)
def test_parsers_raise_only_service_response_error_on_jsonish(value: Any) -> None:
    raw = json.dumps(value).encode()
    # A list gets as many ids as it has items, so parsing goes past the length check.
    requested = ["x"] * len(value) if isinstance(value, list) else []
    for parse in (lambda b: parse_batch(b, requested), parse_references_page, parse_match):
        with contextlib.suppress(ServiceResponseError):
            parse(raw)
    assert parse_error(raw) is None or isinstance(parse_error(raw), str)


@settings(max_examples=200)
@given(st.binary(max_size=64))
def test_parse_batch_on_arbitrary_bytes(raw: bytes) -> None:
    with contextlib.suppress(ServiceResponseError):
        parse_batch(raw, ["x"])


@settings(max_examples=100)
@given(st.lists(st.none() | st.integers(min_value=0, max_value=10**6), max_size=30))
def test_parse_batch_keeps_positions(slots: list[int | None]) -> None:
    answer = [None if n is None else paper_json(n) for n in slots]
    papers = parse_batch(body(answer), [f"id{i}" for i in range(len(slots))])
    assert [p.citation_count if p else None for p in papers] == slots


# -- the client against the stand-in -------------------------------------------------
def fail_sleep(seconds: float) -> None:
    raise AssertionError(f"unexpected sleep of {seconds} s")


@pytest.fixture
def sleeps() -> list[float]:
    """The waits the client asked for (none are made)."""
    return []


def make_client(s2: S2StandIn, sleeps: list[float], **kwargs: Any) -> SemanticScholarClient:
    return SemanticScholarClient(s2.url, delay=0, sleep=sleeps.append, **kwargs)


def arxiv_papers(numbers: range, unknown_every: int = 0) -> dict[str, dict[str, Any]]:
    return {
        f"ARXIV:2101.{n:05d}": paper_json(n)
        for n in numbers
        if not (unknown_every and n % unknown_every == 0)
    }


def test_1200_ids_take_three_aligned_batches(sleeps: list[float]) -> None:
    papers = arxiv_papers(range(1, 1201), unknown_every=7)
    ids = [f"ARXIV:2101.{n:05d}" for n in range(1, 1201)]
    with S2StandIn(papers) as s2:
        result = make_client(s2, sleeps).fetch_papers(ids)
        batches = s2.batch_requests()
    assert [len(r.ids) for r in batches] == [500, 500, 200]
    assert [i for r in batches for i in r.ids] == ids
    assert all(r.query == {"fields": PAPER_FIELDS} for r in batches)
    assert result.requests == 3 and sleeps == []
    assert list(result.papers) == ids
    for n, request_id in enumerate(ids, start=1):
        paper = result.papers[request_id]
        if n % 7 == 0:
            assert paper is None
        else:
            assert paper is not None and paper.title == f"Paper {n}"
            assert paper.arxiv == ArxivId(f"2101.{n:05d}")
            assert paper.references_complete and len(paper.references) == 3
    assert sum(p is None for p in result.papers.values()) == 1200 // 7


def test_batch_size_is_the_api_maximum() -> None:
    assert BATCH_SIZE == 500
    with S2StandIn({}) as s2:
        too_many = {"ids": [f"ARXIV:2101.{n:05d}" for n in range(501)]}
        response = requests.post(f"{s2.url}/paper/batch", json=too_many, timeout=5)
    assert response.status_code == 400


def test_ids_are_sent_canonical_and_answered_under_the_callers_id(sleeps: list[float]) -> None:
    papers = {"ARXIV:2101.00001": paper_json(1), "DOI:10.1145/abc": paper_json(2)}
    asked = ["ARXIV:2101.00001v2", "DOI:10.1145/ABC", "arXiv:2101.00001", "DOI:10.1/none"]
    with S2StandIn(papers) as s2:
        result = make_client(s2, sleeps).fetch_papers(asked)
        (batch,) = s2.batch_requests()
    assert batch.ids == ["ARXIV:2101.00001", "DOI:10.1145/abc", "DOI:10.1/none"]
    first, second, third, fourth = (result.papers[i] for i in asked)
    assert first is not None and first is third and first.title == "Paper 1"
    assert second is not None and second.title == "Paper 2"
    assert fourth is None


def test_no_ids_no_requests(sleeps: list[float]) -> None:
    with S2StandIn({}) as s2:
        result = make_client(s2, sleeps).fetch_papers([])
        assert s2.requests == []
    assert result.requests == 0 and dict(result.papers) == {}


def test_429_storm_backs_off_exponentially(sleeps: list[float]) -> None:
    with S2StandIn(arxiv_papers(range(1, 3))) as s2:
        s2.inject(["429"] * 5)
        result = make_client(s2, sleeps).fetch_papers(["ARXIV:2101.00001", "ARXIV:2101.00002"])
        assert len(s2.requests) == 6
    assert sleeps == [2.0, 4.0, 8.0, 16.0, 32.0]
    assert result.requests == 6
    assert [p.title if p else None for p in result.papers.values()] == ["Paper 1", "Paper 2"]


def test_429_with_retry_after_waits_what_it_says(sleeps: list[float]) -> None:
    with S2StandIn(arxiv_papers(range(1, 2)), retry_after=7) as s2:
        s2.inject(["429-retry-after", "429-retry-after", "429-retry-after", "429"])
        result = make_client(s2, sleeps).fetch_papers(["ARXIV:2101.00001"])
    # Retry-After rules while it is sent; then exponential backoff at its 4th step.
    assert sleeps == [7.0, 7.0, 7.0, 16.0]
    assert result.papers["ARXIV:2101.00001"] is not None


def test_5xx_is_retried(sleeps: list[float]) -> None:
    with S2StandIn(arxiv_papers(range(1, 2))) as s2:
        s2.inject(["500", "503", "502"])
        result = make_client(s2, sleeps, backoff=0.5).fetch_papers(["ARXIV:2101.00001"])
    assert sleeps == [0.5, 1.0, 2.0]
    assert result.requests == 4 and result.papers["ARXIV:2101.00001"] is not None


@pytest.mark.parametrize("fault", ["503", "429", "500"])
def test_persistent_failure_raises_service_error(sleeps: list[float], fault: str) -> None:
    with S2StandIn(arxiv_papers(range(1, 2))) as s2:
        s2.inject([fault] * 4)
        with pytest.raises(ServiceError, match=f"HTTP {fault} after 4 attempts") as info:
            make_client(s2, sleeps, retries=3).fetch_papers(["ARXIV:2101.00001"])
        assert len(s2.requests) == 4
    assert not isinstance(info.value, BadRequestError)
    assert info.value.exit_code == 3
    assert sleeps == [2.0, 4.0, 8.0]


def test_bad_request_is_not_retried(sleeps: list[float]) -> None:
    with S2StandIn(arxiv_papers(range(1, 2))) as s2:
        s2.inject(["400"])
        with pytest.raises(BadRequestError):
            make_client(s2, sleeps).fetch_papers(["ARXIV:2101.00001"])
        assert len(s2.requests) == 1
    assert sleeps == []


@pytest.mark.parametrize("fault", ["malformed", "short"])
def test_unusable_batch_answer_is_retried(sleeps: list[float], fault: str) -> None:
    ids = [f"ARXIV:2101.{n:05d}" for n in range(1, 6)]
    with S2StandIn(arxiv_papers(range(1, 6), unknown_every=2)) as s2:
        s2.inject([fault, fault])
        result = make_client(s2, sleeps).fetch_papers(ids)
        assert len(s2.batch_requests()) == 3
    assert sleeps == [2.0, 4.0]
    assert [p.title if p else None for p in result.papers.values()] == [
        "Paper 1",
        None,
        "Paper 3",
        None,
        "Paper 5",
    ]


@pytest.mark.parametrize(
    ("fault", "message"), [("malformed", "invalid JSON"), ("short", "4 papers for 5 ids")]
)
def test_persistently_unusable_batch_raises(sleeps: list[float], fault: str, message: str) -> None:
    ids = [f"ARXIV:2101.{n:05d}" for n in range(1, 6)]
    with S2StandIn(arxiv_papers(range(1, 6))) as s2:
        s2.inject([fault] * 3)
        with pytest.raises(ServiceError, match=message):
            make_client(s2, sleeps, retries=2).fetch_papers(ids)
        assert len(s2.requests) == 3


def many_references(n: int, count: int) -> list[dict[str, Any]]:
    return [reference_json(n, i) for i in range(count)]


def test_references_beyond_the_batch_cap_are_paged(sleeps: list[float]) -> None:
    big = paper_json(1, references=many_references(1, 2345), referenceCount=2345)
    papers = {"ARXIV:2101.00001": big, "ARXIV:2101.00002": paper_json(2)}
    with S2StandIn(papers, max_refs_in_batch=100) as s2:
        result = make_client(s2, sleeps).fetch_papers(list(papers))
        pages = s2.reference_requests()
        (batch,) = s2.batch_requests()
    assert [r.path for r in pages] == [f"/graph/v1/paper/{big['paperId']}/references"] * 3
    assert [r.query for r in pages] == [
        {"fields": REFERENCE_FIELDS, "offset": str(offset), "limit": "1000"}
        for offset in (0, 1000, 2000)
    ]
    assert result.requests == 4
    paper = result.papers["ARXIV:2101.00001"]
    assert paper is not None and paper.references_complete
    assert [r.title for r in paper.references] == [r["title"] for r in big["references"]]
    assert sum(not r.resolved for r in paper.references) == 2345 // 5
    assert paper.references[1].doi == "10.1000/p1.1"
    small = result.papers["ARXIV:2101.00002"]
    assert small is not None and len(small.references) == 3 and small.references_complete
    assert batch.ids == list(papers)


def test_paging_survives_faults(sleeps: list[float]) -> None:
    big = paper_json(1, references=many_references(1, 25), referenceCount=25)
    with S2StandIn({"ARXIV:2101.00001": big}, max_refs_in_batch=10) as s2:
        s2.inject(["ok", "malformed", "429", "ok", "503"])
        result = make_client(s2, sleeps, page_size=10).fetch_papers(["ARXIV:2101.00001"])
        offsets = [r.query["offset"] for r in s2.reference_requests()]
    assert offsets == ["0", "0", "0", "10", "10", "20"]
    paper = result.papers["ARXIV:2101.00001"]
    assert paper is not None and len(paper.references) == 25 and paper.references_complete


def test_a_paper_named_twice_is_paged_once(sleeps: list[float]) -> None:
    big = paper_json(1, references=many_references(1, 12), referenceCount=12)
    papers = {"ARXIV:2101.00001": big, "DOI:10.1/same": big}
    with S2StandIn(papers, max_refs_in_batch=5) as s2:
        result = make_client(s2, sleeps).fetch_papers(list(papers))
        assert len(s2.reference_requests()) == 1
    assert result.papers["ARXIV:2101.00001"] == result.papers["DOI:10.1/same"]


def test_404_on_references_keeps_the_batch_references(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    big = paper_json(1, references=many_references(1, 12), referenceCount=12)
    with S2StandIn({"ARXIV:2101.00001": big}, max_refs_in_batch=5) as s2:
        s2.inject(["ok", "404"])
        with caplog.at_level(logging.WARNING, logger="readinglist"):
            result = make_client(s2, sleeps).fetch_papers(["ARXIV:2101.00001"])
        assert len(s2.reference_requests()) == 1
    paper = result.papers["ARXIV:2101.00001"]
    assert paper is not None and not paper.references_complete
    assert [r.title for r in paper.references] == [r["title"] for r in big["references"][:5]]
    (record,) = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert big["paperId"] in record.getMessage() and "404" in record.getMessage()
    assert sleeps == []


def test_unknown_paper_has_no_references(sleeps: list[float]) -> None:
    with S2StandIn({}) as s2:
        assert make_client(s2, sleeps).fetch_references("nope") is None


class LoopingStandIn(S2StandIn):
    """Answers every references page with ``next`` pointing back at its own offset."""

    def _references(self, paper_id: str, query: Any, fields: list[str]) -> Any:
        status, headers, payload = super()._references(paper_id, query, fields)
        page = json.loads(payload)
        page["next"] = page["offset"]
        return status, headers, json.dumps(page).encode()


def test_references_next_that_does_not_advance_is_refused(sleeps: list[float]) -> None:
    with LoopingStandIn({"ARXIV:2101.00001": paper_json(1)}) as s2:
        with pytest.raises(ServiceResponseError, match="page back to offset 0"):
            make_client(s2, sleeps).fetch_references(f"{1:040x}")
        assert len(s2.requests) == 1


def test_api_key_is_sent_and_never_shown(
    sleeps: list[float], caplog: pytest.LogCaptureFixture
) -> None:
    big = paper_json(1, references=many_references(1, 12), referenceCount=12)
    caplog.set_level(logging.DEBUG)
    with S2StandIn({"ARXIV:2101.00001": big}, max_refs_in_batch=5) as s2:
        client = make_client(s2, sleeps, api_key=API_KEY, retries=2)
        s2.inject(["429", "ok", "500"])
        client.fetch_papers(["ARXIV:2101.00001"])
        s2.inject(["503"] * 3)
        with pytest.raises(ServiceError) as failed:
            client.fetch_papers(["ARXIV:2101.00001"])
        s2.inject(["400"])
        with pytest.raises(BadRequestError) as refused:
            client.fetch_papers(["ARXIV:2101.00001"])
        assert s2.api_key_sent and len(s2.requests) == 8
        assert s2.api_keys == [API_KEY] * 8
    assert client.has_api_key
    assert API_KEY not in repr(client) and API_KEY not in str(client)
    assert "api_key='***'" in repr(client)
    assert caplog.records, "the retries should have been logged"
    for record in caplog.records:
        assert API_KEY not in record.getMessage()
        assert API_KEY not in repr(record.args)
    assert API_KEY not in caplog.text
    for exc in (failed.value, refused.value):
        assert API_KEY not in str(exc) and API_KEY not in repr(exc)
        assert API_KEY not in str(exc.url) and API_KEY not in repr(exc.args)


def test_no_key_no_header(sleeps: list[float]) -> None:
    with S2StandIn(arxiv_papers(range(1, 2))) as s2:
        client = make_client(s2, sleeps)
        client.fetch_papers(["ARXIV:2101.00001"])
        assert not s2.api_key_sent and s2.api_keys == [None]
    assert not client.has_api_key and "api_key=None" in repr(client)


def test_delay_spaces_requests() -> None:
    waits: list[float] = []
    with S2StandIn(arxiv_papers(range(1, 3))) as s2:
        client = SemanticScholarClient(s2.url, delay=30, sleep=waits.append)
        client.fetch_papers(["ARXIV:2101.00001"])
        client.fetch_papers(["ARXIV:2101.00002"])
    # The second request waits for (almost all of) the 30 s spacing.
    assert len(waits) == 1 and 25 < waits[0] <= 30


def test_authors_are_read_and_nulls_skipped() -> None:
    from readinglist.services.semanticscholar import parse_paper

    paper = parse_paper(
        {
            "paperId": "p1",
            "authors": [
                {"authorId": "1", "name": "Arthur Jacot"},
                None,
                {"authorId": None, "name": None},
            ],
        }  # fmt: skip
    )
    assert paper.authors == ("Arthur Jacot",)
    assert parse_paper({"paperId": "p2", "authors": None}).authors == ()
