"""The GraphML download and `graph --format graphml`: our streaming writer gives exactly
the text of networkx's own writer (``generate_graphml`` of ``build_graph``), hostile
values included, and reads back with networkx."""

from __future__ import annotations

import io
import random
from pathlib import Path

import networkx as nx
import pytest

from readinglist import graph
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


def networkx_text(lib: Library) -> str:
    """What networkx's writer makes of the graph (the reference)."""
    g = graph.build_graph(lib)
    for i, (*_, data) in enumerate(g.edges(keys=True, data=True)):
        data["id"] = f"e{i}"
    for data in [g.graph, *(d for _, d in g.nodes(data=True)),
                 *(d for *_, d in g.edges(keys=True, data=True))]:  # fmt: skip
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = graph.strip_control(value)
    lines = nx.generate_graphml(g, prettyprint=True, edge_id_from_attribute="id")
    return "\n".join(lines) + "\n"


def paper(key: str, title: str, topic: str = "t", authors: str = "Doe, Jane") -> Paper:
    fields = (("author", authors), ("title", title), ("year", "2020"))
    return Paper(key=key, entry_type="article", fields=fields, topic=topic,
                 location=Location(f"bib/{topic}.bib", 1))  # fmt: skip


HOSTILE = [
    "Quotes \" and ' and <b>tags</b> & ampersands",
    "Control \x01\x07\x1b[31m characters \x0b\x0c\x1c and a tab\there",
    "Line\u2028separator, paragraph\u2029separator, next\x85line",
    "Carriage\rreturn and CRLF\r\nin a title",
    "Non-ASCII: Søren Çelik — 深層学習 \U0001f600",
    "   ",
]


def hostile_library() -> Library:
    papers = [paper(f"k{i}", t, authors="Çelik, Søren and O'Neil, \"Q\"") for i, t in
              enumerate(HOSTILE)]  # fmt: skip
    papers.append(paper('we"ird <key>&', "Weird key", topic="other & <topic>"))
    citations = [
        Citation("k0", "k1", "explicit"),
        Citation("k1", "k0", ""),
        Citation("k2", "k2", "explicit"),  # a self-citation
        Citation("k3", "s2:1", "semantic\rscholar"),
        Citation("k3", "s2:2", "weak"),
        Citation('we"ird <key>&', "k0", "explicit"),
    ]
    external = {
        "s2:1": ExternalPaper("s2:1", "Outside\x00 title <&>", 2019,
                              {"corpus": 123, "doi": "10.1/x\"y", "ratio": 1.5}),  # type: ignore[dict-item]
        "s2:2": ExternalPaper("s2:2", "", None),
    }  # fmt: skip
    lectures = (
        Lecture(1, None, "Lecture <one> & \"two\"", ("t",), (Reading("k0", True),
                Reading("k1", False))),
    )  # fmt: skip
    return Library(
        course=Course("Course \x01 <&> Ünïcode\u2028title"),
        topics=(Topic("t", "Topic & <t>"),),
        lectures=lectures,
        papers={p.key: p for p in papers},
        citations=tuple(citations),
        external=external,
    )


def test_same_text_as_networkx_on_the_bundled_course(course: Path) -> None:
    lib = load_library(course).library
    assert graph.to_graphml(lib) == networkx_text(lib)


def test_same_text_as_networkx_on_hostile_values(tmp_path: Path) -> None:
    lib = hostile_library()
    text = graph.to_graphml(lib)
    assert text == networkx_text(lib)
    assert text.isascii()
    path = tmp_path / "g.graphml"
    path.write_text(text, encoding="utf-8")
    back = nx.read_graphml(path, force_multigraph=True)
    assert back.number_of_nodes() == graph.build_graph(lib).number_of_nodes()


def test_same_text_as_networkx_on_an_empty_title_and_no_edges() -> None:
    lib = Library(course=Course(""), topics=(Topic("t", "T"),), lectures=(),
                  papers={"a": paper("a", "A")}, citations=(), external={})  # fmt: skip
    assert graph.to_graphml(lib) == networkx_text(lib)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_same_text_as_networkx_on_random_libraries(seed: int) -> None:
    rng = random.Random(seed)
    keys = [f"p{i}" for i in range(60)]
    topics = ["a", "b", "c"]
    papers = [paper(k, f"Title {k} {rng.random()}", topic=rng.choice(topics)) for k in keys]
    citations = {(rng.choice(keys), rng.choice(keys + ["x:1", "x:2"])) for _ in range(300)}
    lectures = tuple(
        Lecture(n, None, f"L{n}", (rng.choice(topics),),
                tuple(Reading(k, rng.random() < 0.5) for k in rng.sample(keys, 8)))
        for n in range(1, 5)
    )  # fmt: skip
    lib = Library(
        course=Course("Random"),
        topics=tuple(Topic(t, t.upper()) for t in topics),
        lectures=lectures,
        papers={p.key: p for p in papers},
        citations=tuple(
            Citation(a, b, rng.choice(["explicit", "weak", ""])) for a, b in sorted(citations)
        ),  # fmt: skip
        external={},
    )
    assert graph.to_graphml(lib) == networkx_text(lib)


def test_write_graphml_streams_the_same_text(course: Path) -> None:
    lib = load_library(course).library
    out = io.StringIO()
    graph.write_graphml(lib, out)
    assert out.getvalue() == graph.to_graphml(lib)


def reference_order(keys: list[str], edges: set[tuple[str, str]], age) -> list[str]:  # type: ignore[no-untyped-def]
    """graph._order as it was written on networkx's condensation (the reference)."""
    g = nx.DiGraph()
    g.add_nodes_from(keys)
    g.add_edges_from(edges)
    condensed = nx.condensation(g)
    scc_of = condensed.graph["mapping"]
    position = {key: i for i, key in enumerate(keys)}
    first_at = {n: min(position[k] for k in condensed.nodes[n]["members"]) for n in condensed}
    order: list[str] = []

    def emit(n: int) -> None:
        members = condensed.nodes[n]["members"]
        if len(members) == 1:
            order.extend(members)
            return
        first = min(members, key=age)
        rest = [k for k in keys if k in members and k != first]
        inner = {(a, b) for a, b in edges if a in members and b in members and first not in (a, b)}
        order.append(first)
        order.extend(reference_order(rest, inner, age))

    done: set[int] = set()

    def visit(n: int) -> None:
        for p in sorted(condensed.predecessors(n), key=first_at.__getitem__):
            if p not in done:
                done.add(p)
                visit(p)
        emit(n)

    for key in keys:
        root = scc_of[key]
        if root not in done:
            done.add(root)
            visit(root)
    return order


@pytest.mark.parametrize("seed", range(12))
def test_reading_order_without_networkx_matches_the_condensation(seed: int) -> None:
    rng = random.Random(seed)
    keys = [f"k{i:02d}" for i in range(rng.randint(1, 40))]
    edges = {(rng.choice(keys), rng.choice(keys)) for _ in range(rng.randint(0, 80))}
    edges = {(a, b) for a, b in edges if a != b}
    years = {k: rng.choice([None, 2001, 2005, 2010]) for k in keys}

    def age(key: str) -> tuple[bool, int, str]:
        return (years[key] is None, years[key] or 0, key)

    assert graph._order(keys, edges, age) == reference_order(keys, edges, age)
    scc_of, components = graph._strong_components(keys, edges)
    expected = {frozenset(c) for c in nx.strongly_connected_components(nx.DiGraph(list(edges)))}
    expected |= {frozenset([k]) for k in keys if not any(k in c for c in expected)}
    assert {frozenset(c) for c in components} == expected
    assert all(k in components[scc_of[k]] for k in keys)
