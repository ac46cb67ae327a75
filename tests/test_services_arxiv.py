"""Tests of readinglist.services.arxiv: conformance with recorded arXiv answers, a strict
parser, and the client against a stand-in arXiv on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import arxiv
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from readinglist.errors import BadRequestError, ServiceError, ServiceResponseError, UsageError
from readinglist.services.arxiv import DEFAULT_URL, ArxivClient, Feed, parse_feed

try:
    from standins.arxiv_server import FAULTS, ArxivStandIn, sample_paper
except ImportError:  # tests/ imported as a package
    from tests.standins.arxiv_server import (  # type: ignore[no-redef]
        FAULTS,
        ArxivStandIn,
        sample_paper,
    )

from tests.conftest import SHARED, needs_shared

ARXIV_FIXTURES = SHARED / "fixtures" / "arxiv"
# The recorded answers live in ../shared beside the main checkout, not in the repository;
# the repository's own answers in tests/fixtures/arxiv (hand-written in arXiv's formats)
# cover the same shapes and always run.
recorded = needs_shared(ARXIV_FIXTURES)
OWN_FIXTURES = Path(__file__).resolve().parent / "fixtures" / "arxiv"

# -- the repository's own answers ------------------------------------------------------
# file: (HTTP status arXiv gives that answer, totalResults, entry ids or the error URL)
OWN: dict[str, tuple[int, int, list[str] | str]] = {
    "current_id_list": (200, 2, ["1810.02054v2", "1806.07572v4"]),
    "current_search_start0": (200, 5, ["2101.00001v1", "2101.00002v3"]),
    "current_search_start2": (200, 5, ["2101.00003v1", "2101.00004v2"]),
    "current_old_style": (200, 1, ["math/0501001v1"]),
    "current_unknown_id": (200, 0, []),
    "current_error_400": (
        400, 1, "https://arxiv.org/api/errors#incorrect_id_format_for_1806.0757x"
    ),
    "legacy_search": (200, 37, ["1902.06720v4", "math/0502002v2"]),
    "legacy_unknown_id": (200, 2, ["1806.07572v3"]),
    "legacy_error_400": (
        400, 1, "http://arxiv.org/api/errors#incorrect_id_format_for_NOTANID"
    ),
}  # fmt: skip


def _own(name: str) -> bytes:
    return (OWN_FIXTURES / f"{name}.atom").read_bytes()


def _own_one(name: str, arxiv_id: str) -> Any:
    return next(r for r in parse_feed(_own(name)).entries if r.id == arxiv_id)


def _assert_complete(records: Any) -> None:
    """Every record has a title, authors, ISO dates and its primary category listed."""
    for record in records:
        assert record.title and record.authors and record.published and record.updated
        dt.date.fromisoformat(record.published)
        assert record.primary_category in record.categories


def test_every_own_fixture_is_listed() -> None:
    assert sorted(p.stem for p in OWN_FIXTURES.glob("*.atom")) == sorted(OWN)


@pytest.mark.parametrize("name", sorted(OWN))
def test_own_fixture_parses_to_expected_ids(name: str) -> None:
    status, total, expected = OWN[name]
    feed = parse_feed(_own(name))
    assert feed.total_results == total
    if isinstance(expected, str):
        assert status == 400
        assert feed.entries == [] and feed.entry_count == 0
        assert [e.url for e in feed.errors] == [expected]
    else:
        assert _versioned(feed) == expected
        assert feed.errors == []
        _assert_complete(feed.entries)


def test_own_fixture_paging_and_order() -> None:
    first, second = (parse_feed(_own(f"current_search_start{n}")) for n in (0, 2))
    assert (first.start, first.items_per_page, second.start) == (0, 2, 2)
    legacy = parse_feed(_own("legacy_search"))
    assert (legacy.start, legacy.items_per_page) == (0, 2)
    # id_list answers come newest first, not in request order.
    assert _versioned(parse_feed(_own("current_id_list")))[0] == "1810.02054v2"


def test_own_fixture_current_format_fields() -> None:
    ntk = _own_one("current_id_list", "1806.07572")
    assert ntk.authors == ("Arthur Jacot", "Franck Gabriel", "Clément Hongler")
    assert ntk.doi == "10.5555/fixture.3327757"
    assert ntk.journal_ref.startswith("Fixture Proceedings of Neural Information")
    assert ntk.categories == ("cs.LG", "cs.NE", "math.PR", "stat.ML")
    assert (ntk.version, ntk.published, ntk.updated) == (4, "2018-06-20", "2020-02-10")
    assert "$\\Theta$" in ntk.abstract
    du = _own_one("current_id_list", "1810.02054")
    assert "Barnabás Póczos" in du.authors and "&" in du.abstract
    assert (du.doi, du.journal_ref, du.comment) == ("", "", "Fixture comment: 19 pages")
    old = _own_one("current_old_style", "math/0501001")
    assert old.affiliations == (("Fixture University",), ("Example Institute", "Second Lab"))
    assert old.abstract.startswith("Fixture text with two")  # leading spaces gone
    assert old.categories == ("math.PR", "60G15")


def test_own_fixture_legacy_format_is_unwrapped() -> None:
    wide = _own_one("legacy_search", "1902.06720")
    assert wide.title == (
        "Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient Descent"
    )
    assert "\n" not in wide.abstract and "  " not in wide.abstract
    assert wide.abstract.startswith("Fixture text, not the paper's abstract")
    assert wide.doi == "10.5555/fixture.legacy.1"
    assert wide.journal_ref == "Fixture Advances in Neural Information Processing Systems 32 (2019)"
    assert wide.comment == "Fixture comment: 12+16 pages; v4: published version"
    assert "Søren Fixture" in wide.authors and wide.primary_category == "stat.ML"
    msc = _own_one("legacy_search", "math/0502002")
    assert msc.categories[-1] == "14C20, 14M99"
    assert msc.affiliations == (("Fixture University",),)


def test_own_fixture_error_feeds() -> None:
    current = parse_feed(_own("current_error_400"))
    assert [(e.code, e.message) for e in current.errors] == [
        ("incorrect_id_format_for_1806.0757x", "incorrect id format for 1806.0757x")
    ]
    legacy = parse_feed(_own("legacy_error_400"))
    assert [(e.code, e.message) for e in legacy.errors] == [
        ("incorrect_id_format_for_NOTANID", "incorrect id format for NOTANID")
    ]


# -- the recorded answers ----------------------------------------------------------------
def _fixture_cases() -> list[tuple[str, int, bytes]]:
    """(name, status, body bytes) for every recorded arXiv answer, all three containers."""
    cases: list[tuple[str, int, bytes]] = []
    for path in sorted((ARXIV_FIXTURES / "lukasschwab-arxiv.py").glob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        # Stored as content.decode("latin-1"): encoding back gives the exact UTF-8 bytes.
        cases.append((path.stem, data["status_code"], data["body"].encode("latin-1")))
    for path in sorted((ARXIV_FIXTURES / "orijtech-arxiv").glob("*.atom")):
        cases.append((path.stem, 200, path.read_bytes()))
    pubs = json.loads((ARXIV_FIXTURES / "pubs-pubs" / "test_apis_data.json").read_text("utf-8"))
    for i, (urls, _meta, body, status, _error) in enumerate(pubs):
        if "export.arxiv.org" in urls[0]:
            id_list = urls[0].split("id_list=", 1)[1]
            cases.append((f"pubs[{i}]:{id_list}", status, body.encode("utf-8")))
    return cases


CASES = _fixture_cases() if ARXIV_FIXTURES.is_dir() else []
BODIES = {name: body for name, _status, body in CASES}

DEEP_DREAM_0 = [
    "1611.09520v2", "1511.08339v2", "1612.03659v1", "1304.8005v2", "1402.2297v1",
    "1608.03425v1", "1510.02795v2", "0706.3031v3", "0904.3231v1", "1403.7984v2",
]  # fmt: skip
# totalResults and entry ids (feed order) per the fixtures README; a string for an error.
EXPECTED: dict[str, tuple[int, list[str] | str]] = {
    "q_testing_s0_m10_bc5a6c384fe9": (
        214881,
        [
            "2202.12139v1",
            "2405.13786v1",
            "2005.14124v2",
            "2204.08348v3",
            "2302.03287v3",
            "1202.4527v1",
            "2503.05378v2",
            "1205.1866v1",
            "2502.07719v2",
            "1812.11470v1",
        ],
    ),
    "q_testing_s10_m10_34e56e15aaac": (
        214881,
        [
            "2403.16981v2",
            "2004.03322v1",
            "1912.09881v1",
            "2406.19956v3",
            "1912.04900v1",
            "2301.05651v1",
            "1605.01097v1",
            "2301.13615v1",
            "2407.18756v1",
            "2202.06271v1",
        ],
    ),
    "id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af": (1, ["1707.08567v1"]),
    "id_astro-ph_0601001_s0_m100_3150dca9dc76": (1, ["astro-ph/0601001v1"]),
    "id_2104.12255v1_s0_m100_6ae69987ffe1": (1, ["2104.12255v1"]),
    "id_0000.0000_s0_m100_8b51d9633a68": (0, []),
    "id_abc_s0_m100_b79c8dcf6bc3": (1, "https://arxiv.org/api/errors#incorrect_id_format_for_abc"),
    "deep_dream-0": (24617, DEEP_DREAM_0),
    "deep_dream-1": (24617, DEEP_DREAM_0[1:] + ["1604.07600v2"]),
}
PUBS_EXPECTED: dict[str, tuple[int, list[str] | str]] = {
    "1312.2021": (1, ["1312.2021v1"]),
    "1710.08557": (1, ["1710.08557v1"]),
    "astro-ph/9812133": (1, ["astro-ph/9812133v1"]),
    "math/0211159": (1, ["math/0211159v1"]),
    "math/9501234": (1, ["math/9501234v1"]),
    "INVALIDID": (1, "http://arxiv.org/api/errors#incorrect_id_format_for_INVALIDID"),
}


def _expected(name: str) -> tuple[int, list[str] | str]:
    if name.startswith("pubs["):
        return PUBS_EXPECTED[name.split(":", 1)[1]]
    return EXPECTED[name]


def _versioned(feed: Feed) -> list[str]:
    return [f"{r.id}v{r.version}" for r in feed.entries]


def _one(name: str, arxiv_id: str) -> Any:
    feed = parse_feed(BODIES[name])
    return next(r for r in feed.entries if r.id == arxiv_id)


@recorded
def test_every_arxiv_fixture_file_is_covered() -> None:
    files = sorted(
        p.relative_to(ARXIV_FIXTURES).as_posix() for p in ARXIV_FIXTURES.rglob("*") if p.is_file()
    )
    assert files == sorted(
        [f"lukasschwab-arxiv.py/{n}.json" for n in EXPECTED if not n.startswith("deep")]
        + ["orijtech-arxiv/deep_dream-0.atom", "orijtech-arxiv/deep_dream-1.atom"]
        + ["pubs-pubs/test_apis_data.json"]
    )
    pubs = [name for name in BODIES if name.startswith("pubs[")]
    assert len(pubs) == 11
    assert {name.split(":", 1)[1] for name in pubs} == set(PUBS_EXPECTED)


@recorded
@pytest.mark.parametrize(("name", "status", "body"), CASES, ids=[c[0] for c in CASES])
def test_fixture_parses_to_expected_ids(name: str, status: int, body: bytes) -> None:
    total, expected = _expected(name)
    feed = parse_feed(body)
    assert feed.total_results == total
    if isinstance(expected, str):
        assert status == 400
        assert feed.entries == []
        assert [e.url for e in feed.errors] == [expected]
        assert feed.entry_count == 0
    else:
        assert status == 200
        assert _versioned(feed) == expected
        assert feed.errors == []
        _assert_complete(feed.entries)


@recorded
def test_fixture_paging_headers() -> None:
    first = parse_feed(BODIES["q_testing_s0_m10_bc5a6c384fe9"])
    second = parse_feed(BODIES["q_testing_s10_m10_34e56e15aaac"])
    assert (first.start, first.items_per_page) == (0, 10)
    assert (second.start, second.items_per_page) == (10, 10)
    legacy = parse_feed(BODIES["deep_dream-1"])
    assert (legacy.start, legacy.items_per_page) == (1, 10)


@recorded
def test_non_ascii_name_from_the_latin1_container() -> None:
    record = _one("id_0808.05394_1707.08567_s0_m100_42e5aa0ec3af", "1707.08567")
    assert len(record.authors) == 34
    assert "Dirk Wübben" in record.authors
    assert not any("Ã" in name for name in record.authors)
    assert record.title == (
        "Proceedings of Workshop AEW10: Concepts in Information Theory and Communications"
    )
    assert record.comment.startswith("44 pages, editors for the proceedings")
    assert record.affiliations == ()


@recorded
def test_old_style_id_with_affiliations_and_journal_ref() -> None:
    record = _one("id_astro-ph_0601001_s0_m100_3150dca9dc76", "astro-ph/0601001")
    assert (record.version, record.published, record.updated) == (1, "2006-01-02", "2006-01-02")
    assert record.authors == ("Andrew Gould", "Susan Dorsher", "B. Scott Gaudi", "Andrzej Udalski")
    assert record.affiliations == (
        ("Ohio State",),
        ("Ohio State",),
        ("CfA",),
        ("Warsaw University Observatory",),
    )
    assert record.journal_ref == "ActaAstron.56:1-50,2006"
    assert record.abstract.startswith("We derive the frequencies")  # leading spaces gone
    assert "Gould & Morgan (2003)" in record.abstract and "V_max<17.5" in record.abstract
    assert record.primary_category == "astro-ph"


@recorded
def test_doi_journal_ref_and_categories_current_format() -> None:
    record = _one("q_testing_s0_m10_bc5a6c384fe9", "2202.12139")
    assert record.doi == "10.1109/ICSTW55395.2022.00035"
    assert record.journal_ref.startswith("Artificial Intelligence in Software Testing @ 2022")
    assert record.categories == ("cs.SE", "cs.LG")
    assert record.primary_category == "cs.SE"
    multi = _one("q_testing_s10_m10_34e56e15aaac", "2403.16981")
    assert multi.categories == ("math.ST", "cs.IT", "stat.ML")
    assert "$α$" in multi.abstract


@recorded
def test_paper_titled_zero() -> None:
    record = _one("id_2104.12255v1_s0_m100_6ae69987ffe1", "2104.12255")
    assert record.title == "0"
    assert record.authors == ("Quan Thoi Minh Nguyen",)
    assert record.categories == ("cs.CR",)


@recorded
def test_error_feeds_current_and_legacy() -> None:
    current = parse_feed(BODIES["id_abc_s0_m100_b79c8dcf6bc3"])
    assert [(e.code, e.message) for e in current.errors] == [
        ("incorrect_id_format_for_abc", "incorrect id format for abc")
    ]
    legacy_name = next(n for n in BODIES if n.endswith(":INVALIDID"))
    legacy = parse_feed(BODIES[legacy_name])
    assert [(e.code, e.message) for e in legacy.errors] == [
        ("incorrect_id_format_for_INVALIDID", "incorrect id format for INVALIDID")
    ]


@recorded
def test_legacy_format_is_unwrapped() -> None:
    record = _one("deep_dream-0", "1611.09520")
    assert record.title == (
        "Hierarchical Neural Representation of Dreamed Objects Revealed by Brain "
        "Decoding with Deep Neural Network Features"
    )
    assert "\n" not in record.abstract and "  " not in record.abstract
    assert record.abstract.startswith("Dreaming is generally thought")
    assert record.primary_category == "q-bio.NC"
    atmospheres = _one("deep_dream-0", "1511.08339")
    assert atmospheres.doi == "10.3847/0004-637X/820/2/107"
    assert atmospheres.comment == "ApJ accepted"
    pipes = _one("deep_dream-0", "0706.3031")
    assert pipes.journal_ref == (
        "S\\'eminaire Lotharingien de Combinatoire, Issue 58 (2008), Article B58e. (electronic)"
    )
    assert pipes.comment.startswith("6 pages, 4 figures; v3=v2 = online published version: edited")
    augment = _one("deep_dream-0", "1510.02795")
    assert "Søren Hauberg" in augment.authors
    msc = next(
        r for r in parse_feed(BODIES["deep_dream-0"]).entries if "14C20, 14M99" in r.categories
    )
    assert msc.categories[-1] == "14C20, 14M99"


@recorded
def test_legacy_pubs_records() -> None:
    def pubs(arxiv_id: str) -> Any:
        name = next(n for n in BODIES if n.endswith(f":{arxiv_id}"))
        return _one(name, arxiv_id)

    wrong_sign = pubs("1312.2021")
    assert wrong_sign.doi == "10.1103/INVALIDDOI.89.084044"  # altered upstream, see README
    assert wrong_sign.categories == ("hep-th", "gr-qc")
    assert wrong_sign.journal_ref == "Phys. Rev. D 89, 084044 (2014)"
    supernovae = pubs("astro-ph/9812133")
    assert len(supernovae.affiliations) == len(supernovae.authors) > 20
    assert supernovae.affiliations[0] == ("The Supernova Cosmology Project",)
    perelman = pubs("math/0211159")
    assert perelman.categories == ("math.DG", "53C")
    assert (perelman.comment, perelman.published) == ("39 pages", "2002-11-11")
    knuth = pubs("math/9501234")
    assert knuth.authors == ("Donald E. Knuth",)
    assert knuth.journal_ref == "J. Algebraic Combin. 6 (1997), no. 3, 253--257"


# -- a strict parser ---------------------------------------------------------------------
FEED_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom"'
    b' xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">\n'
)


def _feed(entries: str = "", total: str | int = 1, *, head: bytes = FEED_HEAD) -> bytes:
    counts = (
        f"<opensearch:totalResults>{total}</opensearch:totalResults>"
        "<opensearch:startIndex>0</opensearch:startIndex>"
        "<opensearch:itemsPerPage>10</opensearch:itemsPerPage>"
    )
    return head + (counts + entries + "</feed>").encode()


def _entry(arxiv_id: str = "http://arxiv.org/abs/1806.07572v4", extra: str = "") -> str:
    return (
        f"<entry><id>{arxiv_id}</id><title>Neural Tangent Kernel</title>"
        "<published>2018-06-20T09:00:00Z</published><updated>2020-02-10T10:00:00Z</updated>"
        "<author><name>Arthur Jacot</name></author>"
        f'<category term="cs.LG"/>{extra}</entry>'
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "empty body"),
        (b"   \n", "empty body"),
        (b"Rate exceeded.", "not well-formed XML"),
        (b"<!DOCTYPE html>\n<html><body>busy</body></html>", "has a DOCTYPE"),
        (b"<html><body><p>busy</p></body></html>", "not an Atom feed"),
        (b'<rss version="2.0"><channel/></rss>', "not an Atom feed"),
        (_feed(total="many"), "not a count"),
        (_feed(total="-1"), "not a count"),
        (FEED_HEAD + b"</feed>", "no opensearch:totalResults"),
        (_feed(_entry("http://example.org/abs/1806.07572v4")), "not an abstract URL"),
        (_feed(_entry("http://arxiv.org/abs/1806.07572")), "not an abstract URL"),
        (_feed(_entry("http://arxiv.org/abs/abc")), "not an abstract URL"),
        (
            _feed(
                _entry(extra="<published>yesterday</published>").replace(
                    "<published>2018-06-20T09:00:00Z</published>", ""
                )
            ),
            "not a date",
        ),
    ],
    ids=lambda v: v[:30] if isinstance(v, bytes) else v,
)
def test_parse_feed_refuses(body: bytes, message: str) -> None:
    with pytest.raises(ServiceResponseError, match=message):
        parse_feed(body)


@pytest.mark.parametrize("name", ["current_id_list", "legacy_search"])
def test_truncated_body_raises(name: str) -> None:
    body = _own(name)
    for cut in (len(body) // 2, len(body) - 10, 200):
        with pytest.raises(ServiceResponseError, match="not well-formed XML"):
            parse_feed(body[:cut])


def test_xml_bomb_is_refused_not_expanded() -> None:
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    bomb = (
        '<?xml version="1.0"?>\n<!DOCTYPE feed [<!ENTITY lol0 "lol">' + lol + "]>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>&lol9;</title></feed>'
    ).encode()
    # libxml2 itself stops a bomb this size; a small one reaches the DOCTYPE check.
    with pytest.raises(ServiceResponseError, match="has a DOCTYPE|not well-formed") as info:
        parse_feed(bomb)
    assert "lollol" not in str(info.value)


def test_internal_entity_is_refused_not_expanded() -> None:
    doctype = b'<!DOCTYPE feed [<!ENTITY who "EXPANDED-NAME">]>\n'
    body = _feed(
        _entry().replace("Arthur Jacot", "&who;"),
        head=FEED_HEAD.replace(b"<feed", doctype + b"<feed", 1),
    )
    with pytest.raises(ServiceResponseError, match="has a DOCTYPE") as info:
        parse_feed(body)
    assert "EXPANDED-NAME" not in str(info.value)


def test_external_entity_is_refused_not_resolved(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    doctype = f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>\n'.encode()
    body = _feed(
        _entry().replace("Neural Tangent Kernel", "&xxe;"),
        head=FEED_HEAD.replace(b"<feed", doctype + b"<feed", 1),
    )
    with pytest.raises(ServiceResponseError, match="has a DOCTYPE") as info:
        parse_feed(body)
    assert "TOP-SECRET" not in str(info.value)


def test_entry_without_id_is_skipped_but_counted() -> None:
    feed = parse_feed(_feed(_entry() + "<entry><title>Error</title></entry>", total=2))
    assert _versioned(feed) == ["1806.07572v4"]
    assert (feed.total_results, feed.entry_count) == (2, 2)


def test_duplicate_entries_keep_the_latest_version_once() -> None:
    older = _entry("http://arxiv.org/abs/1806.07572v3")
    other = _entry("https://arxiv.org/abs/hep-th/9901001v1")
    feed = parse_feed(_feed(older + other + _entry() + older, total=4))
    assert _versioned(feed) == ["1806.07572v4", "hep-th/9901001v1"]
    assert feed.entry_count == 4


def test_doi_from_link_and_first_of_several() -> None:
    link = '<link title="doi" href="http://dx.doi.org/10.1000/abc%2Fdef" rel="related"/>'
    assert parse_feed(_feed(_entry(extra=link))).entries[0].doi == "10.1000/abc/def"
    several = "<arxiv:doi>10.1000/one 10.1000/two</arxiv:doi>"
    assert parse_feed(_feed(_entry(extra=several))).entries[0].doi == "10.1000/one"


def test_categories_deduplicated_and_primary_falls_back() -> None:
    extra = '<category term="stat.ML"/><category term="cs.LG"/><category term=""/>'
    record = parse_feed(_feed(_entry(extra=extra))).entries[0]
    assert record.categories == ("cs.LG", "stat.ML")
    assert record.primary_category == "cs.LG"


def test_entry_missing_title_and_dates_is_tolerated() -> None:
    # The legacy API omitted <title> for the paper titled "0".
    body = _feed("<entry><id>http://arxiv.org/abs/2104.12255v1</id></entry>")
    record = parse_feed(body).entries[0]
    assert (record.title, record.published, record.authors) == ("", "", ())


_MUTATION_SOURCES = [
    "current_id_list",
    "legacy_search",
    "current_error_400",
    "current_old_style",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_parse_feed_on_arbitrary_bytes_raises_only_service_response_error(body: bytes) -> None:
    try:
        feed = parse_feed(body)
    except ServiceResponseError:
        return
    assert isinstance(feed, Feed)


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(_MUTATION_SOURCES),
    st.integers(min_value=0),
    st.integers(min_value=0, max_value=200),
    st.binary(max_size=40),
)
def test_parse_feed_on_mangled_feeds_raises_only_service_response_error(
    name: str, at: int, drop: int, insert: bytes
) -> None:
    body = _own(name)
    at %= len(body) + 1
    mangled = body[:at] + insert + body[at + drop :]
    try:
        feed = parse_feed(mangled)
    except ServiceResponseError:
        return
    assert feed.total_results >= 0


# -- the client against the stand-in -----------------------------------------------------
def _ids(n: int, first: int = 1) -> list[str]:
    return [f"2001.{i:05d}" for i in range(first, first + n)]


def _papers(ids: list[str]) -> dict[str, dict[str, Any]]:
    # Published dates rise with the number, so arXiv's newest-first order reverses ours.
    base = dt.datetime(2020, 1, 1, 12, tzinfo=dt.UTC)
    return {
        i: sample_paper(i, published=(base + dt.timedelta(hours=n)).strftime("%Y-%m-%dT%H:%M:%SZ"))
        for n, i in enumerate(ids)
    }


@pytest.fixture
def sleeps() -> list[float]:
    """Pauses the client asked for (none is really slept)."""
    return []


@pytest.fixture
def standin() -> Iterator[ArxivStandIn]:
    with ArxivStandIn(_papers(_ids(300))) as server:
        yield server


@pytest.fixture
def make_client(sleeps: list[float]) -> Callable[..., ArxivClient]:
    def make(server: ArxivStandIn, **options: Any) -> ArxivClient:
        options = {"delay": 0, "timeout": 5, "retries": 3, "backoff": 0.01, **options}
        return ArxivClient(server.url, sleep=sleeps.append, **options)

    return make


def test_250_ids_take_three_batches(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    ids = _ids(250)
    result = make_client(standin).fetch_ids([f"{i}v1" for i in ids])
    assert result.requests == len(standin.requests) == 3
    assert [q["max_results"] for q in standin.requests] == ["100", "100", "50"]
    assert all(q["start"] == "0" for q in standin.requests)
    sent = [i for q in standin.requests for i in q["id_list"].split(",")]
    assert sent == ids  # in order, each once, without version
    assert sorted(result.records) == ids
    assert (result.missing, result.failed) == ([], {})


def test_out_of_order_answers_are_matched_by_id(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    ids = _ids(5, first=10)
    body = requests.get(standin.url, params={"id_list": ",".join(ids), "max_results": "5"}).content
    assert [r.id for r in parse_feed(body).entries] == ids[::-1]
    result = make_client(standin).fetch_ids(ids)
    for arxiv_id in ids:
        assert result.records[arxiv_id].id == arxiv_id
        assert result.records[arxiv_id].title == f"A study of {arxiv_id}"


def test_malformed_id_is_isolated_by_bisection(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    ids = _ids(99)
    batch = ids[:37] + ["abc"] + ids[37:]
    result = make_client(standin).fetch_ids(batch)
    assert result.failed == {"abc": "arXiv refused the id as malformed (HTTP 400)"}
    assert sorted(result.records) == ids
    assert result.missing == []
    sent = [q["id_list"] for q in standin.requests]
    assert len(sent) == len(set(sent))  # no request repeated: a 400 is never retried
    assert sent[0].count(",") == 99
    assert result.requests == len(sent) <= 1 + 2 * 7  # halving 100 down to 1


def test_two_malformed_ids_in_one_batch(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    result = make_client(standin).fetch_ids(["bad-one", *_ids(6), "0704.0001v0x"])
    assert set(result.failed) == {"bad-one", "0704.0001v0x"}
    assert sorted(result.records) == _ids(6)


@pytest.mark.parametrize(
    "fault", ["429", "503", "rate", "empty", "truncated", "html200", "hang", "incomplete"]
)
def test_each_fault_is_retried_and_survived(
    standin: ArxivStandIn,
    make_client: Callable[..., ArxivClient],
    sleeps: list[float],
    fault: str,
) -> None:
    standin.inject([fault])
    client = make_client(standin, timeout=0.3 if fault == "hang" else 5)
    result = client.fetch_ids(_ids(3))
    assert sorted(result.records) == _ids(3)
    assert (result.missing, result.failed) == ([], {})
    assert result.requests == len(standin.requests) == 2
    assert standin.pending_faults == []
    assert sleeps == ([1.0] if fault == "429" else [0.01])  # Retry-After, else backoff


def test_several_faults_in_a_row(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient], sleeps: list[float]
) -> None:
    standin.inject(["rate", "503", "empty"])
    result = make_client(standin).fetch_ids(_ids(2))
    assert sorted(result.records) == _ids(2)
    assert result.requests == 4
    assert sleeps == [0.01, 0.02, 0.04]  # exponential backoff


@pytest.mark.parametrize("fault", ["503", "rate", "incomplete", "truncated"])
def test_persistent_fault_raises_service_error(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient], fault: str
) -> None:
    standin.inject([fault] * 3)
    client = make_client(standin, retries=2)
    with pytest.raises(ServiceError) as info:
        client.fetch_ids(_ids(3))
    assert not isinstance(info.value, BadRequestError)
    assert info.value.exit_code == 3
    assert "3 attempts" in str(info.value) or "3 tries" in str(info.value)
    assert len(standin.requests) == 3


def test_incomplete_feed_never_reports_missing(
    make_client: Callable[..., ArxivClient],
) -> None:
    # 2001.00002 does not exist; the first answer also lacks 2001.00001.
    with ArxivStandIn(_papers(["2001.00001", "2001.00003"])) as server:
        server.inject(["incomplete"])
        result = make_client(server).fetch_ids(["2001.00001", "2001.00002", "2001.00003"])
        assert result.missing == ["2001.00002"]
        assert sorted(result.records) == ["2001.00001", "2001.00003"]
        assert result.requests == 2


def test_400_is_never_retried(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    standin.inject(["400", "400"])
    client = make_client(standin)
    result = client.fetch_ids(["2001.00001"])
    assert result.failed == {"2001.00001": "arXiv refused the id as malformed (HTTP 400)"}
    assert result.requests == len(standin.requests) == 1
    with pytest.raises(BadRequestError):
        client.search("ti:study", max_results=5)
    assert len(standin.requests) == 2


def test_malformed_alone_takes_one_request(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    result = make_client(standin).fetch_ids(["abc"])
    assert (result.failed, result.requests) == (
        {"abc": "arXiv refused the id as malformed (HTTP 400)"},
        1,
    )


def test_nonexistent_id_is_missing(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    result = make_client(standin).fetch_ids(["2001.00001", "2001.99999v2", "0000.0000"])
    assert result.missing == ["2001.99999v2", "0000.0000"]
    assert list(result.records) == ["2001.00001"]
    assert result.requests == 1


def test_duplicate_entries_are_kept_once(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    standin.inject(["duplicate"])
    result = make_client(standin).fetch_ids(_ids(4))
    assert sorted(result.records) == _ids(4)
    assert result.requests == 1


def test_other_version_is_matched_and_spellings_are_kept(
    make_client: Callable[..., ArxivClient],
) -> None:
    papers = {"1806.07572": sample_paper("1806.07572", version=4)}
    with ArxivStandIn(papers) as server:
        result = make_client(server).fetch_ids(
            ["1806.07572v2", "arXiv:1806.07572", "1806.07572v2", "2001.99999", " "]
        )
        assert [q["id_list"] for q in server.requests] == ["1806.07572,2001.99999"]
    record = result.records["1806.07572"]
    assert (record.id, record.version) == ("1806.07572", 4)
    assert result.missing == ["2001.99999"]
    assert result.failed == {" ": "not an arXiv id"}


def test_unsendable_strings_fail_without_a_request(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    result = make_client(standin).fetch_ids(["2001.00001,2001.00002", "", "a b", "x&y=1"])
    assert set(result.failed) == {"2001.00001,2001.00002", "", "a b", "x&y=1"}
    assert result.requests == 0 and standin.requests == []
    assert make_client(standin).fetch_ids([]).requests == 0


def test_legacy_format_stand_in(make_client: Callable[..., ArxivClient]) -> None:
    papers = _papers(_ids(5))
    papers["2001.00002"]["title"] = "A rather long title " * 8
    papers["2001.00002"]["doi"] = "10.1000/xyz"
    papers["2001.00002"]["affiliations"] = [["Somewhere"], []]
    with ArxivStandIn(papers, legacy=True) as server:
        client = make_client(server)
        result = client.fetch_ids(["2001.00001", "2001.00002", "2001.99999", "abc"])
        body = requests.get(server.url, params={"id_list": "2001.00002"}).content
        assert b"\n  A rather long" in body and b"http://dx.doi.org/10.1000/xyz" in body
        feed = client.search("cat:cs.LG", max_results=3)
    assert result.missing == ["2001.99999"]
    assert set(result.failed) == {"abc"}
    record = result.records["2001.00002"]
    assert record.title == ("A rather long title " * 8).strip()
    assert (record.doi, record.affiliations) == ("10.1000/xyz", (("Somewhere",), ()))
    assert _versioned(feed) == ["2001.00005v1", "2001.00004v1", "2001.00003v1"]
    assert feed.total_results == 5


def test_legacy_placeholder_counts_toward_total() -> None:
    with ArxivStandIn(_papers(_ids(1)), legacy=True) as server:
        body = requests.get(server.url, params={"id_list": "2001.00001,2001.99999"}).content
    feed = parse_feed(body)
    assert (feed.total_results, feed.entry_count, _versioned(feed)) == (2, 2, ["2001.00001v1"])


def test_search_sends_arxiv_parameters(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    feed = make_client(standin).search('ti:"study of 2001.00007"', max_results=10)
    assert _versioned(feed) == ["2001.00007v1"]
    assert standin.requests == [
        {
            "search_query": 'ti:"study of 2001.00007"',
            "id_list": "",
            "sortBy": "submittedDate",
            "sortOrder": "descending",
            "start": "0",
            "max_results": "10",
        }
    ]


def test_search_pages_and_orders(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    client = make_client(standin)
    feed = client.search("all:study", max_results=3, start=3, sort_order="ascending")
    assert _versioned(feed) == ["2001.00004v1", "2001.00005v1", "2001.00006v1"]
    assert (feed.total_results, feed.start) == (300, 3)
    assert client.search("cat:math.CO", max_results=5).entries == []


@pytest.mark.parametrize(
    "kwargs",
    [
        {"query": "", "max_results": 5},
        {"query": "ti:x", "max_results": 0},
        {"query": "ti:x", "max_results": 101},
        {"query": "ti:x", "max_results": 5, "start": -1},
        {"query": "ti:x", "max_results": 5, "sort_by": "title"},
        {"query": "ti:x", "max_results": 5, "sort_order": "sideways"},
    ],
)
def test_search_refuses_bad_arguments(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient], kwargs: dict[str, Any]
) -> None:
    query = kwargs.pop("query")
    with pytest.raises(UsageError):
        make_client(standin).search(query, **kwargs)
    assert standin.requests == []


def test_empty_search_page_is_retried(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    standin.inject(["incomplete"])  # a page of one without its entry: empty
    feed = make_client(standin).search("all:study", max_results=1)
    assert _versioned(feed) == ["2001.00300v1"]
    assert len(standin.requests) == 2


def _dated_papers(days: int) -> dict[str, dict[str, Any]]:
    start = dt.date(2024, 3, 1)
    return {
        i: sample_paper(
            i, published=(start + dt.timedelta(days=n)).isoformat(), title=f"Topic paper {n}"
        )
        for n, i in enumerate(_ids(days))
    }


def test_iter_search_stops_at_the_watermark(make_client: Callable[..., ArxivClient]) -> None:
    with ArxivStandIn(_dated_papers(10)) as server:
        client = make_client(server, page_size=3)
        found = list(client.iter_search('ti:"topic paper"', stop_before=dt.date(2024, 3, 6)))
        pages = [(q["start"], q["max_results"]) for q in server.requests]
    # Newest first: 03-10 .. 03-06 are on or after the watermark; 03-05 stops the walk.
    assert [r.published for r in found] == [f"2024-03-{d:02d}" for d in range(10, 5, -1)]
    assert pages == [("0", "3"), ("3", "3")]


def test_iter_search_without_watermark_reads_to_the_end_or_the_limit(
    make_client: Callable[..., ArxivClient],
) -> None:
    with ArxivStandIn(_dated_papers(7)) as server:
        client = make_client(server, page_size=3)
        assert len(list(client.iter_search("all:topic", None))) == 7
        assert len(server.requests) == 3  # 3 + 3 + 1, then totalResults says done
        server.requests.clear()
        assert len(list(client.iter_search("all:topic", None, max_results=4))) == 4
        assert len(server.requests) == 2
        server.requests.clear()
        assert list(client.iter_search("all:nothing-matches", None)) == []
        assert len(server.requests) == 1


def test_iter_search_skips_papers_repeated_across_pages(
    make_client: Callable[..., ArxivClient],
) -> None:
    with ArxivStandIn(_dated_papers(6)) as server:
        client = make_client(server, page_size=3)
        pages = client.iter_search("all:topic", None)
        first = [next(pages) for _ in range(3)]
        # A new paper arrives between pages: page two starts with one already seen.
        server.add_paper(sample_paper("2001.00099", published="2024-04-01", title="Topic new"))
        rest = list(pages)
    ids = [r.id for r in first + rest]
    assert len(ids) == len(set(ids)) == 6
    assert "2001.00099" not in ids


def test_requests_are_spaced_by_the_delay(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient], sleeps: list[float]
) -> None:
    client = make_client(standin, delay=5.0)
    client.fetch_ids(_ids(3))
    client.fetch_ids(_ids(3, first=10))
    assert len(sleeps) == 1 and 4.0 < sleeps[0] <= 5.0
    assert client.requests_made == 2


def test_base_url_with_query_string(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    client = ArxivClient(standin.url + "?extra={x}", delay=0, sleep=lambda _s: None)
    assert list(client.fetch_ids(["2001.00001"]).records) == ["2001.00001"]
    assert standin.requests[0]["extra"] == "{x}"


def test_page_size_is_bounded() -> None:
    with pytest.raises(ValueError):
        ArxivClient(DEFAULT_URL, page_size=101)


def test_stand_in_refuses_unknown_faults(standin: ArxivStandIn) -> None:
    with pytest.raises(ValueError, match="unknown faults"):
        standin.inject(["gremlins"])
    assert "hang" in FAULTS


def test_body_cut_mid_transfer_is_retried(
    standin: ArxivStandIn, make_client: Callable[..., ArxivClient]
) -> None:
    standin.inject(["cut"])
    result = make_client(standin).fetch_ids(_ids(2))
    assert sorted(result.records) == _ids(2)


# -- the arxiv package as a reference reader ---------------------------------------------
def _package_client(server: ArxivStandIn, page_size: int) -> arxiv.Client:
    """The arxiv package's public client, pointed at the stand-in."""
    client = arxiv.Client(page_size=page_size, delay_seconds=0, num_retries=0)
    client.query_url_format = server.url + "?{}"  # a documented attribute of Client
    return client


@pytest.mark.parametrize("legacy", [False, True])
def test_the_arxiv_package_asks_the_same_and_reads_the_same_papers(
    legacy: bool, make_client: Callable[..., ArxivClient]
) -> None:
    ids = _ids(7)
    papers = _papers(ids)
    papers[ids[0]] |= {"doi": "10.1234/x", "journal_ref": "J. Tests 1 (2020)",
                       "comment": "12 pages", "categories": ["stat.ML", "cs.LG"]}  # fmt: skip
    with ArxivStandIn(papers, legacy=legacy) as server:
        theirs = list(
            _package_client(server, len(ids)).results(arxiv.Search(id_list=ids, max_results=7))
        )
        ours = make_client(server).fetch_ids(ids)
        query = 'ti:"study"'
        search = arxiv.Search(query, max_results=5, sort_by=arxiv.SortCriterion.SubmittedDate)
        their_hits = list(_package_client(server, 5).results(search))
        our_hits = make_client(server).search(query, max_results=5)
        their_requests, our_requests = server.requests[0::2], server.requests[1::2]
    assert their_requests == our_requests  # the same parameters, spelled the same
    assert [r.get_short_id() for r in their_hits] == [
        r.arxiv_id.versioned for r in our_hits.entries
    ]
    assert len(theirs) == len(ours.records) == 7
    for result in theirs:
        record = ours.records[result.get_short_id().rpartition("v")[0]]
        assert result.get_short_id() == record.arxiv_id.versioned
        assert " ".join(result.title.split()) == record.title
        assert [a.name for a in result.authors] == list(record.authors)
        assert " ".join(result.summary.split()) == record.abstract
        assert result.published.date().isoformat() == record.published
        assert result.updated.date().isoformat() == record.updated
        assert (result.primary_category, result.categories) == (
            record.primary_category, list(record.categories))  # fmt: skip
        assert (result.doi or "", " ".join((result.journal_ref or "").split())) == (
            record.doi, record.journal_ref)  # fmt: skip
