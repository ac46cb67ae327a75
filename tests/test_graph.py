"""The citation/topic graph and its analyses, on hand-made libraries with known answers."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import io
import json
import random
import re
from pathlib import Path

import networkx as nx
import pytest

from readinglist import graph
from readinglist.errors import UsageError
from readinglist.graph import Bridge, Suggestion
from readinglist.model import (
    Citation,
    Course,
    ExternalPaper,
    Lecture,
    Library,
    Location,
    Paper,
    Reading,
    Topic,
)
from readinglist.store import load_library

# ---------------------------------------------------------------- helpers


def paper(
    key: str,
    topic: str = "t1",
    *,
    authors: str = "Doe, Jane",
    year: int | None = 2020,
    title: str | None = None,
) -> Paper:
    fields: list[tuple[str, str]] = [("title", title or f"Title of {key}")]
    if authors:
        fields.insert(0, ("author", authors))
    if year is not None:
        fields.append(("year", str(year)))
    return Paper(
        key=key,
        entry_type="article",
        fields=tuple(fields),
        topic=topic,
        location=Location(f"bib/{topic}.bib", 1),
    )


def cite(citing: str, cited: str, evidence: str = "explicit") -> Citation:
    return Citation(citing, cited, evidence)


def lecture(number: int, required: tuple[str, ...], optional: tuple[str, ...] = ()) -> Lecture:
    readings = tuple(Reading(k, True) for k in required) + tuple(
        Reading(k, False) for k in optional
    )
    return Lecture(number, dt.date(2021, 2, number), f"Lecture {number}", ("t1",), readings)


def library(
    papers: list[Paper],
    citations: list[Citation] | tuple[Citation, ...] = (),
    *,
    lectures: tuple[Lecture, ...] = (),
    external: dict[str, ExternalPaper] | None = None,
    topics: tuple[str, ...] | None = None,
) -> Library:
    slugs = topics or tuple(dict.fromkeys(p.topic for p in papers))
    return Library(
        course=Course("Test course"),
        topics=tuple(Topic(s, f"Topic {s}") for s in slugs),
        lectures=lectures,
        papers={p.key: p for p in papers},
        citations=tuple(citations),
        external=external or {},
    )


def shuffled(lib: Library, seed: int) -> Library:
    """The same library with its papers, citations and external papers in another order."""
    rng = random.Random(seed)
    papers = list(lib.papers.items())
    citations = list(lib.citations)
    external = list(lib.external.items())
    for items in (papers, citations, external):
        rng.shuffle(items)
    return dataclasses.replace(
        lib, papers=dict(papers), citations=tuple(citations), external=dict(external)
    )


def nl_bytes(lib: Library) -> bytes:
    return json.dumps(graph.node_link(lib), sort_keys=False, ensure_ascii=False).encode()


@pytest.fixture
def bundled(course: Path) -> Library:
    """The bundled course (a tmp copy), loaded."""
    return load_library(course).library


@pytest.fixture
def small() -> Library:
    """a, b in t1; c, d in t2; e alone; x and y outside the list.

    b->a, c->a, d->a, d->c among listed papers; a->x, b->x, c->y outside.
    """
    papers = [
        paper("a", "t1", year=2010),
        paper("b", "t1", year=2012),
        paper("c", "t2", year=2014),
        paper("d", "t2", year=2016),
        paper("e", "t2", year=2018),
    ]
    citations = [
        cite("b", "a"),
        cite("c", "a"),
        cite("d", "a"),
        cite("d", "c"),
        cite("a", "arxiv:2101.00001", "semanticscholar"),
        cite("b", "arxiv:2101.00001", "semanticscholar"),
        cite("c", "doi:10.1000/y", "semanticscholar"),
    ]
    external = {
        "arxiv:2101.00001": ExternalPaper(
            "arxiv:2101.00001", "Outside X", 2021, {"arxiv": "2101.00001", "s2": "abc"}
        ),
    }
    return library(papers, citations, external=external)


# ---------------------------------------------------------------- the graph


def test_nodes_and_edges_of_each_kind(small: Library) -> None:
    lib = dataclasses.replace(small, lectures=(lecture(1, ("a",), ("b",)),))
    g = graph.build_graph(lib)
    kinds = {n: d["kind"] for n, d in g.nodes(data=True)}
    assert kinds["paper:a"] == "paper"
    assert kinds["external:arxiv:2101.00001"] == "external"
    assert kinds["external:doi:10.1000/y"] == "external"
    assert kinds["topic:t1"] == kinds["topic:t2"] == "topic"
    assert kinds["lecture:1"] == "lecture"
    assert kinds["author:doe, jane"] == "author"
    assert set(kinds.values()) == {"paper", "external", "topic", "lecture", "author"}

    edges = {(u, v, k): d for u, v, k, d in g.edges(keys=True, data=True)}
    assert edges["paper:b", "paper:a", "cites"] == {"kind": "cites", "evidence": "explicit"}
    assert edges["paper:a", "external:arxiv:2101.00001", "cites"]["evidence"] == ("semanticscholar")
    assert edges["paper:a", "topic:t1", "in_topic"] == {"kind": "in_topic"}
    assert edges["paper:a", "lecture:1", "read_in"]["role"] == "required"
    assert edges["paper:b", "lecture:1", "read_in"]["role"] == "optional"
    assert edges["lecture:1", "topic:t1", "covers"] == {"kind": "covers"}
    assert edges["author:doe, jane", "paper:e", "wrote"] == {"kind": "wrote", "position": 0}
    assert all(d["kind"] == k for (_, _, k), d in edges.items())


def test_node_attributes(small: Library) -> None:
    g = graph.build_graph(small)
    a = g.nodes["paper:a"]
    assert a == {
        "kind": "paper",
        "key": "a",
        "slug": "a",
        "label": "Doe 2010",
        "title": "Title of a",
        "year": 2010,
        "topic": "t1",
    }
    x = g.nodes["external:arxiv:2101.00001"]
    assert x["title"] == x["label"] == "Outside X"
    assert (x["year"], x["arxiv"], x["s2"]) == (2021, "2101.00001", "abc")
    y = g.nodes["external:doi:10.1000/y"]  # no record: the id names itself
    assert y["label"] == "doi:10.1000/y"
    assert y["doi"] == "10.1000/y"
    assert "title" not in y and "year" not in y
    assert g.nodes["topic:t1"]["label"] == "Topic t1"
    assert g.graph["name"] == "Test course"


def test_no_attribute_is_none_or_a_list(bundled: Library, small: Library) -> None:
    for lib in (bundled, small):
        g = graph.build_graph(lib)
        values = [v for _, d in g.nodes(data=True) for v in d.values()]
        values += [v for *_, d in g.edges(keys=True, data=True) for v in d.values()]
        assert values
        assert all(type(v) in (str, int) for v in values)


def test_every_edge_ends_at_a_node(bundled: Library, small: Library) -> None:
    for lib in (bundled, small):
        data = graph.node_link(lib)
        ids = {n["id"] for n in data["nodes"]}
        assert len(ids) == len(data["nodes"])
        assert data["links"]
        assert all(e["source"] in ids and e["target"] in ids for e in data["links"])


def test_node_link_is_networkx_node_link_data(bundled: Library, small: Library) -> None:
    for lib in (bundled, small):
        expected = nx.node_link_data(graph.build_graph(lib), edges="links")
        assert graph.node_link(lib) == expected
        # Same order of keys too, so the JSON text is the same.
        assert json.dumps(graph.node_link(lib)) == json.dumps(expected)


def test_order_of_papers_and_citations_does_not_matter(bundled: Library) -> None:
    expected = nl_bytes(bundled)
    graphml, gexf = graph.to_graphml(bundled), graph.to_gexf(bundled)
    for seed in range(3):
        other = shuffled(bundled, seed)
        assert list(other.papers) != list(bundled.papers)
        assert nl_bytes(other) == expected
        assert graph.to_graphml(other) == graphml
        assert graph.to_gexf(other) == gexf


def test_shuffled_small_library_gives_same_bytes(small: Library) -> None:
    expected = nl_bytes(small)
    for seed in range(5):
        assert nl_bytes(shuffled(small, seed)) == expected


def test_rebuilding_gives_the_same_graph(bundled: Library) -> None:
    first, second = graph.build_graph(bundled), graph.build_graph(bundled)
    assert first is not second
    assert nx.utils.graphs_equal(first, second)
    assert list(first.nodes(data=True)) == list(second.nodes(data=True))
    assert list(first.edges(keys=True, data=True)) == list(second.edges(keys=True, data=True))


def test_changing_a_built_graph_changes_nothing_else(small: Library) -> None:
    before = nl_bytes(small)
    g = graph.build_graph(small)
    g.nodes["paper:a"]["title"] = "changed"
    g["paper:b"]["paper:a"]["cites"]["evidence"] = "changed"
    g.add_edge("paper:a", "paper:e", key="cites")
    g.remove_node("paper:c")
    assert nl_bytes(small) == before
    again = graph.build_graph(small)
    assert again.nodes["paper:a"]["title"] == "Title of a"
    assert again["paper:b"]["paper:a"]["cites"]["evidence"] == "explicit"
    assert not again.has_edge("paper:a", "paper:e")


def test_a_new_library_is_not_answered_from_the_last_one(small: Library) -> None:
    assert graph.analyze(small).papers["a"].cited_within == 3
    fewer = dataclasses.replace(small, citations=small.citations[:1])
    assert graph.analyze(fewer).papers["a"].cited_within == 1
    assert graph.build_graph(fewer).number_of_edges() < graph.build_graph(small).number_of_edges()
    assert graph.analyze(small).papers["a"].cited_within == 3


def test_repeated_self_and_unlisted_citations() -> None:
    lib = library(
        [paper("a"), paper("b")],
        [
            cite("a", "b", "explicit"),
            cite("a", "b", "semanticscholar"),
            cite("a", "b", "explicit"),
            cite("a", "a"),  # a self-citation says nothing
            cite("zz", "a"),  # a paper not on the list is no node
        ],
    )
    g = graph.build_graph(lib)
    cites = [(u, v, d) for u, v, k, d in g.edges(keys=True, data=True) if k == "cites"]
    assert cites == [
        ("paper:a", "paper:b", {"kind": "cites", "evidence": "explicit,semanticscholar"})
    ]
    assert "paper:zz" not in g and "external:zz" not in g
    stats = graph.analyze(lib).papers
    assert (stats["a"].cites_within, stats["b"].cited_within, stats["a"].cited_within) == (1, 1, 0)


def test_citation_without_evidence_has_no_evidence_attribute() -> None:
    lib = library([paper("a"), paper("b")], [cite("a", "b", "")])
    g = graph.build_graph(lib)
    assert g["paper:a"]["paper:b"]["cites"] == {"kind": "cites"}
    graph.to_graphml(lib)


def test_slugs_are_url_safe_and_unique() -> None:
    lib = library([paper("A:b"), paper("a-b"), paper("a/b"), paper("Zhang2017")])
    slugs = {d["key"]: d["slug"] for _, d in graph.build_graph(lib).nodes(data=True)}
    assert slugs["Zhang2017"] == "zhang2017"
    chosen = [slugs[k] for k in ("A:b", "a-b", "a/b")]
    assert len(set(chosen)) == 3
    assert all(s.replace("-", "").replace(".", "").isalnum() for s in chosen)


def test_labels_name_the_authors() -> None:
    lib = library(
        [
            paper("one", authors="Barron, Andrew R.", year=1993),
            paper("two", authors="Cybenko, G. and Hornik, Kurt", year=None),
            paper("many", authors="Zhang, Chiyuan and Bengio, Samy and others", year=2017),
            paper("nobody", authors=""),
        ]
    )
    labels = {d["key"]: d["label"] for _, d in graph.build_graph(lib).nodes(data=True)}
    assert labels["one"] == "Barron 1993"
    assert labels["two"] == "Cybenko & Hornik"
    assert labels["many"] == "Zhang et al. 2017"
    assert labels["nobody"] == "nobody 2020"


def test_graphml_reads_back(bundled: Library, tmp_path: Path) -> None:
    text = graph.to_graphml(bundled)
    path = tmp_path / "g.graphml"
    path.write_text(text, encoding="utf-8")
    back = nx.read_graphml(path, force_multigraph=True)
    built = graph.build_graph(bundled)
    assert list(back.nodes) == list(built.nodes)
    assert back.number_of_edges() == built.number_of_edges()
    assert back.nodes["paper:zhang2017"]["year"] == 2016
    assert back.nodes["paper:zhang2017"]["kind"] == "paper"
    (edge,) = back["paper:arora2019fine"]["paper:zhang2017"].values()
    assert edge["kind"] == "cites"
    # Gephi needs every edge id to be unique (networkx would use the key, "cites").
    ids = re.findall(r'<edge [^>]*id="([^"]*)"', text)
    assert len(ids) == built.number_of_edges() == len(set(ids))
    # Building the GraphML left nothing behind in a later graph.
    assert "id" not in graph.build_graph(bundled)["paper:arora2019fine"]["paper:zhang2017"]["cites"]


def test_gexf_reads_back_and_has_no_date(bundled: Library) -> None:
    text = graph.to_gexf(bundled)
    assert "lastmodifieddate" not in text
    back = nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    built = graph.build_graph(bundled)
    assert set(back.nodes) == set(built.nodes)
    assert back.number_of_edges() == built.number_of_edges()
    assert back.nodes["paper:zhang2017"]["label"] == built.nodes["paper:zhang2017"]["label"]


def test_empty_library() -> None:
    lib = library([])
    g = graph.build_graph(lib)
    assert g.number_of_nodes() == 0
    assert graph.node_link(lib)["nodes"] == []
    graph.to_graphml(lib)
    graph.to_gexf(lib)
    a = graph.analyze(lib)
    assert (a.papers, a.most_cited, a.components, a.suggestions) == ({}, (), (), ())
    assert graph.counts(lib)["citations"] == 0


# ---------------------------------------------------------------- analyses


def test_citations_within_and_most_cited(small: Library) -> None:
    a = graph.analyze(small)
    cited = {k: (s.cited_within, s.cites_within) for k, s in a.papers.items()}
    assert cited == {"a": (3, 0), "b": (0, 1), "c": (1, 1), "d": (0, 2), "e": (0, 0)}
    assert a.papers["d"].cites == ("a", "c")
    assert a.papers["a"].cited_by == ("b", "c", "d")
    assert a.most_cited == ("a", "c")
    assert list(a.papers) == sorted(a.papers)


def test_pagerank_is_over_citations_among_listed_papers(small: Library) -> None:
    ranks = {k: s.pagerank for k, s in graph.analyze(small).papers.items()}
    # Citations of outside papers (a->x, b->x, c->y) take no part; e is alone.
    loner = nx.DiGraph([("b", "a"), ("c", "a"), ("d", "a"), ("d", "c")])
    loner.add_node("e")
    expected = nx.pagerank(loner)
    assert ranks == pytest.approx(expected)
    assert sum(ranks.values()) == pytest.approx(1.0)
    assert max(ranks, key=ranks.__getitem__) == "a"


@pytest.mark.parametrize("seed", range(6))
def test_pagerank_equals_networkx(seed: int) -> None:
    rng = random.Random(seed)
    keys = [f"k{i:03d}" for i in range(rng.randint(1, 120))]
    pairs = {(rng.choice(keys), rng.choice(keys)) for _ in range(rng.randint(0, 4 * len(keys)))}
    pairs = sorted((a, b) for a, b in pairs if a != b)
    digraph = nx.DiGraph(pairs)
    digraph.add_nodes_from(keys)
    expected = nx.pagerank(digraph)  # scipy-backed
    got = graph._pagerank(keys, pairs)
    assert list(got) == keys
    assert got == pytest.approx(expected, rel=1e-9, abs=1e-12)


def test_pagerank_of_nothing() -> None:
    assert graph._pagerank([], []) == {}
    assert graph._pagerank(["only"], []) == {"only": pytest.approx(1.0)}


def test_pagerank_of_the_bundled_course(bundled: Library) -> None:
    within = [(c.citing, c.cited) for c in bundled.citations if c.cited in bundled.papers]
    digraph = nx.DiGraph(within)
    digraph.add_nodes_from(bundled.papers)
    expected = nx.pagerank(digraph)
    got = {k: s.pagerank for k, s in graph.analyze(bundled).papers.items()}
    assert got == pytest.approx(expected, rel=1e-9)


def test_most_cited_ties_go_to_pagerank_then_key() -> None:
    # p and q are each cited once; q's citer is itself cited, so q ranks higher.
    lib = library(
        [paper(k) for k in ("p", "q", "r", "s", "t")],
        [cite("r", "p"), cite("s", "q"), cite("t", "s")],
    )
    a = graph.analyze(lib)
    assert a.papers["q"].pagerank > a.papers["p"].pagerank
    assert a.most_cited == ("q", "p", "s")
    # Equal in every way: by key.
    twins = library([paper(k) for k in ("m", "n", "o", "z")], [cite("o", "n"), cite("z", "m")])
    assert graph.analyze(twins).most_cited == ("m", "n")


def test_no_citations_at_all() -> None:
    lib = library([paper("a"), paper("b")])
    a = graph.analyze(lib)
    assert a.most_cited == ()
    assert a.papers["a"].pagerank == pytest.approx(0.5)
    assert a.without_citations == ("a", "b")
    assert a.components == (("a",), ("b",))
    assert a.bridges == () and a.bridge_papers == () and a.suggestions == ()


def test_bridges_between_topics(small: Library) -> None:
    a = graph.analyze(small)
    assert a.bridges == (Bridge("c", "a", "t2", "t1"), Bridge("d", "a", "t2", "t1"))
    # a links t1 and t2 with three papers; c and d with two each; b stays in t1.
    assert a.bridge_papers == ("a", "c", "d")
    assert a.papers["a"].neighbour_topics == ("t1", "t2")
    assert a.papers["b"].neighbour_topics == ("t1",)
    assert a.papers["e"].neighbour_topics == ()


def test_bridge_papers_spanning_most_topics_come_first() -> None:
    papers = [paper("hub", "t1"), paper("x2", "t2"), paper("x3", "t3"), paper("x4", "t4")]
    papers += [paper("pair", "t2"), paper("mate", "t3")]
    lib = library(
        papers,
        [cite("x2", "hub"), cite("x3", "hub"), cite("hub", "x4"), cite("pair", "mate")],
    )
    spans = graph.analyze(lib).bridge_papers
    assert spans[0] == "hub"
    assert set(spans) == {"hub", "x2", "x3", "x4", "pair", "mate"}


def test_without_citations_and_components(small: Library) -> None:
    a = graph.analyze(small)
    # e cites nothing; every other paper cites something (a only outside the list).
    assert a.without_citations == ("e",)
    assert a.components == (("a", "b", "c", "d"), ("e",))


def test_components_largest_first_then_by_first_key() -> None:
    lib = library(
        [paper(k) for k in "abcdefg"],
        [cite("f", "g"), cite("b", "a"), cite("c", "b"), cite("e", "d")],
    )
    assert graph.analyze(lib).components == (("a", "b", "c"), ("d", "e"), ("f", "g"))


def test_counts(small: Library) -> None:
    assert graph.counts(small) == {
        "papers": 5,
        "topics": 2,
        "lectures": 0,
        "citations": 7,
        "citations_within": 4,
        "external_papers": 2,
    }


# ---------------------------------------------------------------- suggestions


def test_suggestions_need_k_citing_papers(small: Library) -> None:
    assert graph.suggest(small) == (
        Suggestion(
            id="arxiv:2101.00001",
            title="Outside X",
            year=2021,
            ids={"arxiv": "2101.00001", "s2": "abc"},
            cited_by=("a", "b"),
            topics=("t1",),
        ),
    )
    assert graph.analyze(small).suggestions == graph.suggest(small)
    one = graph.suggest(small, min_cites=1)
    assert [s.id for s in one] == ["arxiv:2101.00001", "doi:10.1000/y"]
    assert one[1].title == "doi:10.1000/y"  # no record: the id stands in for the title
    assert dict(one[1].ids) == {"doi": "10.1000/y"}
    assert one[1].year is None
    assert graph.suggest(small, min_cites=3) == ()
    assert [s.id for s in graph.analyze(small, min_cites=1).suggestions] == [s.id for s in one]


def test_suggestions_per_topic(small: Library) -> None:
    assert [s.id for s in graph.suggest(small, topic="t1")] == ["arxiv:2101.00001"]
    assert graph.suggest(small, topic="t2") == ()
    t2 = graph.suggest(small, topic="t2", min_cites=1)
    assert [(s.id, s.cited_by, s.topics) for s in t2] == [("doi:10.1000/y", ("c",), ("t2",))]


def test_suggestions_order_most_cited_then_title() -> None:
    papers = [paper(k, t) for k, t in (("a", "t1"), ("b", "t2"), ("c", "t1"))]
    external = {i: ExternalPaper(i, title) for i, title in (("s2:1", "beta"), ("s2:2", "Alpha"))}
    citations = [cite(k, i) for k in ("a", "b") for i in ("s2:1", "s2:2")]
    citations += [cite(k, "s2:3") for k in ("a", "b", "c")]
    found = graph.suggest(library(papers, citations, external=external))
    assert [s.id for s in found] == ["s2:3", "s2:2", "s2:1"]
    assert found[0].topics == ("t1", "t2")
    assert found[0].cited_by == ("a", "b", "c")


def test_unknown_topic_is_a_usage_error(small: Library) -> None:
    with pytest.raises(UsageError, match="unknown topic 'nope'; topics: t1, t2"):
        graph.suggest(small, topic="nope")


# ---------------------------------------------------------------- reading order


def test_reading_order_puts_cited_papers_first() -> None:
    lib = library(
        [paper("c"), paper("a"), paper("b"), paper("z")],
        [cite("c", "a")],
        lectures=(lecture(1, ("c", "a"), ("b",)), lecture(2, ("z", "b"), ("c",))),
    )
    assert graph.reading_order(lib, 1) == ("a", "c", "b")
    # Without relations the course order stands, required before optional.
    assert graph.reading_order(lib, 2) == ("z", "b", "c")
    assert graph.analyze(lib).reading_order == {1: ("a", "c", "b"), 2: ("z", "b", "c")}


def test_reading_order_pulls_in_a_chain_of_prerequisites() -> None:
    lib = library(
        [paper(k) for k in "pqrs"],
        [cite("p", "q"), cite("q", "r")],
        lectures=(lecture(1, ("s", "p"), ("r", "q")),),
    )
    assert graph.reading_order(lib, 1) == ("s", "r", "q", "p")


def test_reading_order_breaks_a_cycle_oldest_first() -> None:
    lib = library(
        [paper("new", year=2019), paper("old", year=2018), paper("third", year=2015)],
        [cite("new", "old"), cite("old", "new"), cite("third", "new")],
        lectures=(lecture(1, ("third", "new", "old")),),
    )
    # third cites the cycle {new, old}: the cycle first, its oldest paper first.
    assert graph.reading_order(lib, 1) == ("old", "new", "third")


def test_reading_order_cycle_ties_by_key_and_unknown_years_last() -> None:
    lib = library(
        [paper("b", year=2018), paper("a", year=2018), paper("u", year=None)],
        [cite("a", "b"), cite("b", "u"), cite("u", "a")],
        lectures=(lecture(1, ("u", "b", "a")),),
    )
    order = graph.reading_order(lib, 1)
    assert order[0] == "a"  # 2018 like b, but first by key; u (no year) never first
    assert sorted(order) == ["a", "b", "u"]
    # Within the rest, b cites u: u before b.
    assert order == ("a", "u", "b")


def test_reading_order_keeps_unknown_keys_in_place() -> None:
    lib = library(
        [paper("a"), paper("b")],
        [cite("a", "b")],
        lectures=(lecture(1, ("missing", "a", "b")),),
    )
    assert graph.reading_order(lib, 1) == ("missing", "b", "a")


def test_reading_order_of_the_bundled_course(bundled: Library) -> None:
    order = graph.reading_order(bundled, 1)
    # Barron (1993) cites Cybenko and Hornik: both come before it, Hornik pulled
    # forward from the optional readings.
    assert order == (
        "cybenko1989",
        "hornik1989",
        "barron1993",
        "jones1992",
        "leshno1993",
        "bach2017",
    )
    for number, keys in graph.analyze(bundled).reading_order.items():
        assert sorted(keys) == sorted(bundled.lecture(number).keys)
        for i, key in enumerate(keys):
            assert not set(bundled.cites(key)) & set(keys[i + 1 :])


def test_reading_order_of_an_unknown_lecture(small: Library) -> None:
    with pytest.raises(UsageError, match="no lecture 99"):
        graph.reading_order(small, 99)


# ---------------------------------------------------------------- authors


def authors_of(lib: Library) -> dict[str, list[str]]:
    g = graph.build_graph(lib)
    return {
        n: sorted(v.removeprefix("paper:") for v in g.successors(n))
        for n, d in g.nodes(data=True)
        if d["kind"] == "author"
    }


def test_initials_merge_with_the_only_full_name() -> None:
    lib = library(
        [paper("p1", authors="Smith, J."), paper("p2", authors="John Smith and Ng, Andrew")]
    )
    assert authors_of(lib) == {"author:smith, john": ["p1", "p2"], "author:ng, andrew": ["p2"]}
    labels = {d["label"] for _, d in graph.build_graph(lib).nodes(data=True)}
    assert "John Smith" in labels


def test_initials_do_not_merge_when_two_full_names_fit() -> None:
    lib = library(
        [
            paper("p1", authors="Smith, J."),
            paper("p2", authors="Smith, John"),
            paper("p3", authors="Smith, Jane"),
        ]
    )
    assert authors_of(lib) == {
        "author:smith, j": ["p1"],
        "author:smith, john": ["p2"],
        "author:smith, jane": ["p3"],
    }


def test_a_shared_coauthor_resolves_the_initial() -> None:
    lib = library(
        [
            paper("p1", authors="Smith, J. and Doe, Ann"),
            paper("p2", authors="Smith, John and Doe, A."),
            paper("p3", authors="Smith, Jane and Roe, Bo"),
        ]
    )
    found = authors_of(lib)
    assert found["author:smith, john"] == ["p1", "p2"]
    assert found["author:smith, jane"] == ["p3"]
    assert found["author:doe, ann"] == ["p1", "p2"]


def test_never_merge_an_initial_with_both_full_names() -> None:
    lib = library(
        [
            paper("p1", authors="Smith, J. and Doe, Ann and Roe, Bo"),
            paper("p2", authors="Smith, John and Doe, Ann"),
            paper("p3", authors="Smith, Jane and Roe, Bo"),
        ]
    )
    found = authors_of(lib)
    assert found["author:smith, j"] == ["p1"]
    assert found["author:smith, john"] == ["p2"]
    assert found["author:smith, jane"] == ["p3"]


def test_two_spellings_on_one_paper_are_two_people() -> None:
    lib = library([paper("p1", authors="Smith, J. and Smith, John")])
    assert authors_of(lib) == {"author:smith, j": ["p1"], "author:smith, john": ["p1"]}


def test_names_are_decoded_and_folded() -> None:
    lib = library(
        [
            paper("p1", authors='M{\\"u}ller, Hans'),
            paper("p2", authors="Müller, H."),
            paper("p3", authors="van der Berg, Anna and {Google Research} and others"),
            paper("p4", authors="Jean-Pierre Serre"),
            paper("p5", authors="Serre, J.-P."),
        ]
    )
    found = authors_of(lib)
    assert found["author:muller, hans"] == ["p1", "p2"]
    assert found["author:van der berg, anna"] == ["p3"]
    assert found["author:{google research}"] == ["p3"]
    assert found["author:serre, jean pierre"] == ["p4", "p5"]
    assert len(found) == 4  # "others" is nobody
    g = graph.build_graph(lib)
    assert g.nodes["author:muller, hans"]["label"] == "Hans Müller"


def test_middle_initials_and_conflicts() -> None:
    lib = library(
        [
            paper("p1", authors="Smith, John A."),
            paper("p2", authors="Smith, J."),
            paper("p3", authors="Lee, J. A."),
            paper("p4", authors="Lee, J. B."),
        ]
    )
    found = authors_of(lib)
    assert found["author:smith, john a"] == ["p1", "p2"]
    # J. A. and J. B. Lee cannot be one person.
    assert found["author:lee, j a"] == ["p3"]
    assert found["author:lee, j b"] == ["p4"]


def test_an_author_listed_twice_wrote_the_paper_once() -> None:
    lib = library([paper("p1", authors="Doe, Jane and Roe, Bo and Doe, Jane")])
    g = graph.build_graph(lib)
    assert g["author:doe, jane"]["paper:p1"]["wrote"]["position"] == 0
    assert g.number_of_edges("author:doe, jane", "paper:p1") == 1


def test_author_names_do_not_depend_on_paper_order() -> None:
    papers = [
        paper("p1", authors="Smith, J. and Doe, Ann"),
        paper("p2", authors="Smith, John and Doe, A."),
        paper("p3", authors="Smith, Jane"),
    ]
    assert graph.author_names(papers) == graph.author_names(list(reversed(papers)))


def test_nothing_is_kept_for_a_library_that_is_gone() -> None:
    lib = library([paper("a"), paper("b")], [cite("a", "b")])
    graph.build_graph(lib)
    graph.analyze(lib)
    assert graph._memo
    del lib
    gc.collect()
    assert not graph._memo


def test_untidy_outside_records_still_export() -> None:
    # citations.json is data from a service: a year as text, a wrapped title, ids that
    # are numbers, an id named like a node attribute.
    external = {
        "s2:1": ExternalPaper("s2:1", "A  wrapped\n title", "2019", {"corpus": 123, "key": "k"}),  # type: ignore[arg-type,dict-item]
        "s2:2": ExternalPaper("s2:2", "", True, {}),  # type: ignore[arg-type]
    }
    lib = library(
        [paper("a"), paper("b")],
        [cite(k, i) for k in "ab" for i in ("s2:1", "s2:2")],
        external=external,
        topics=("t1",),
    )
    lib = dataclasses.replace(lib, topics=(Topic("t1", ""),))
    g = graph.build_graph(lib)
    one = g.nodes["external:s2:1"]
    assert (one["title"], one["year"], one["corpus"], one["id_key"]) == (
        "A wrapped title",
        2019,
        "123",
        "k",
    )
    assert one["key"] == "s2:1"
    two = g.nodes["external:s2:2"]
    assert two["label"] == "s2:2" and "year" not in two
    assert g.nodes["topic:t1"]["label"] == "t1"
    nx.parse_graphml(graph.to_graphml(lib))
    found = {s.id: s for s in graph.suggest(lib)}
    assert (found["s2:1"].title, found["s2:1"].year) == ("A wrapped title", 2019)
    assert (found["s2:2"].title, found["s2:2"].year) == ("s2:2", None)
    assert dict(found["s2:1"].ids) == {"corpus": "123", "key": "k"}


def test_a_family_name_alone_merges_only_when_unambiguous() -> None:
    alone = library([paper("p1", authors="Smith"), paper("p2", authors="Smith, John")])
    assert authors_of(alone) == {"author:smith, john": ["p1", "p2"]}
    both = library(
        [
            paper("p1", authors="Smith"),
            paper("p2", authors="Smith, John"),
            paper("p3", authors="Smith, Jane"),
        ]
    )
    assert authors_of(both) == {
        "author:smith": ["p1"],
        "author:smith, john": ["p2"],
        "author:smith, jane": ["p3"],
    }
