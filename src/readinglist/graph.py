"""The citation/topic graph of a library and its analyses.

Contract: every function here is a pure function of a :class:`~readinglist.model.Library`;
nothing reads or writes files, prints or touches the network. The same library gives
the same graph, node for node and edge for edge in the same order, however its papers
and citations happen to be ordered, so exports are byte-identical.

The graph (:func:`build_graph`) is a ``networkx.MultiDiGraph``:

================  =========================================================================
node              attributes
================  =========================================================================
``paper:KEY``     a listed paper: ``kind="paper"``, ``key``, ``slug``, ``label`` (``Zhang
                  et al. 2017``), ``title``, ``topic``; ``year``, ``arxiv``, ``doi`` when known
``external:ID``   a paper outside the list that a listed paper cites: ``kind="external"``,
                  ``key`` (the id), ``slug``, ``label``; ``title``, ``year`` and its
                  identifiers (``arxiv``, ``doi``, ``s2``...) when known
``topic:SLUG``    ``kind="topic"``, ``key``, ``slug``, ``label`` (the title), ``title``
``lecture:N``     ``kind="lecture"``, ``key`` (N as text), ``slug``, ``number``, ``label``
                  (``Lecture N``), ``title``; ``date`` (ISO) when known
``author:NAME``   ``kind="author"``, ``key`` (NAME), ``slug``, ``label`` (display name);
                  NAME is the normalized name, ``family, given`` (see :func:`author_names`)
================  =========================================================================

``slug`` is URL- and file-safe and unique among the nodes of its kind. Edges carry
``kind`` and are keyed by it (at most one edge of a kind between two nodes): ``cites``
(paper -> paper or external; ``evidence``, comma-separated when sources differ),
``in_topic`` (paper -> topic), ``read_in`` (paper -> lecture; ``role`` is ``required``
or ``optional``), ``covers`` (lecture -> topic) and ``wrote`` (author -> paper;
``position`` from 0). Every attribute is a str or an int, never None or a list, so the
graph exports to GraphML and GEXF as it is.

The analyses (:func:`analyze` and friends) work on the citations among listed papers,
built straight from the library, never on the big multigraph: counts from sorted pairs,
components by a search of the citing/cited lists, PageRank by numpy on index arrays (the numbers of
``nx.pagerank``). Results derived from a library are kept for the last library asked
about (a Library is immutable), so building its graph, analysing it and exporting it
share that work. :func:`node_link` makes networkx's node-link data without building the
graph. Sized for 10,000 papers and 200,000 citations.
"""

from __future__ import annotations

import gc
import io
import itertools
import re
import weakref
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import wraps
from types import MappingProxyType
from typing import IO, TYPE_CHECKING, Any, ParamSpec, TypeVar

from readinglist.authors import author_names
from readinglist.errors import UsageError
from readinglist.latex import strip_control
from readinglist.model import ExternalPaper, Library, Paper

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "Analysis",
    "Bridge",
    "PaperStats",
    "Suggestion",
    "analyze",
    "author_names",
    "author_node",
    "build_graph",
    "counts",
    "external_node",
    "lecture_node",
    "node_link",
    "paper_node",
    "reading_order",
    "suggest",
    "to_gexf",
    "to_graphml",
    "topic_node",
]

_EMPTY_IDS: Mapping[str, str] = MappingProxyType({})
# Node attributes an outside paper's identifier names must not overwrite.
_RESERVED = frozenset({"kind", "key", "slug", "label", "title", "year", "topic", "id"})
_UNSAFE = re.compile(r"[^0-9a-z._-]+")
_LASTMODIFIED = re.compile(r' lastmodifieddate="[^"]*"')

_P = ParamSpec("_P")
_R = TypeVar("_R")


def _gc_paused(fn: Callable[_P, _R]) -> Callable[_P, _R]:
    """Run ``fn`` with the cyclic garbage collector paused.

    Building a 200,000-edge graph allocates hundreds of thousands of dicts and tuples,
    none of them garbage; the collector would keep re-scanning them (a third of the
    build time, measured). Reference counting still frees memory as usual.
    """

    @wraps(fn)
    def run(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        if not gc.isenabled():
            return fn(*args, **kwargs)
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            gc.enable()

    return run


# ---------------------------------------------------------------- node ids


def paper_node(key: str) -> str:
    """The node id of a listed paper."""
    return f"paper:{key}"


def external_node(ident: str) -> str:
    """The node id of a paper outside the list (its citation-data id)."""
    return f"external:{ident}"


def topic_node(slug: str) -> str:
    """The node id of a topic."""
    return f"topic:{slug}"


def lecture_node(number: int) -> str:
    """The node id of a lecture."""
    return f"lecture:{number}"


def author_node(name: str) -> str:
    """The node id of an author, from the normalized name :func:`author_names` gives."""
    return f"author:{name}"


# ---------------------------------------------------------------- results


@dataclass(frozen=True, slots=True)
class PaperStats:
    """Where one listed paper stands among the citations between listed papers.

    ``cites``/``cited_by`` are listed papers only, sorted by key; ``pagerank`` is over
    the citations among listed papers (a paper cited by well-cited papers ranks high);
    ``neighbour_topics`` are the topics of the papers it cites or is cited by, in course
    order.
    """

    key: str
    cited_within: int
    cites_within: int
    pagerank: float
    cites: tuple[str, ...]
    cited_by: tuple[str, ...]
    neighbour_topics: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A paper outside the list cited by several listed papers: a reading to consider.

    ``ids`` are its identifiers (``arxiv``, ``doi``, ``s2``, ``dblp``); ``cited_by`` the
    listed papers citing it, sorted; ``topics`` theirs, in course order.
    """

    id: str
    title: str
    year: int | None
    ids: Mapping[str, str]
    cited_by: tuple[str, ...]
    topics: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Bridge:
    """A citation between listed papers of two different topics."""

    citing: str
    cited: str
    citing_topic: str
    cited_topic: str


@dataclass(frozen=True)
class Analysis:
    """Every analysis of a library's citations (see :func:`analyze`).

    - ``papers``: stats of every listed paper, by key (sorted);
    - ``most_cited``: papers cited at least once within the list, by citations within the
      list, then PageRank (both descending), then key;
    - ``reading_order``: per lecture number, its readings in reading order
      (see :func:`reading_order`);
    - ``bridges``: citations between papers of different topics, by citing then cited key;
    - ``suggestions``: outside papers cited by at least ``min_cites`` listed papers
      (see :func:`suggest`);
    - ``without_citations``: listed papers without citation data (they cite nothing);
    - ``components``: weakly connected components of the citations among listed papers,
      largest first (then by first key), each sorted; a paper without links is alone;
    - ``bridge_papers``: papers whose citing and cited neighbours reach beyond their own
      topic, those spanning the most topics first (then most links, then key).
    """

    papers: Mapping[str, PaperStats]
    most_cited: tuple[str, ...]
    reading_order: Mapping[int, tuple[str, ...]]
    bridges: tuple[Bridge, ...]
    suggestions: tuple[Suggestion, ...]
    without_citations: tuple[str, ...]
    components: tuple[tuple[str, ...], ...]
    bridge_papers: tuple[str, ...] = ()


# ---------------------------------------------------------------- per-library memo

# name -> (the library it was computed from, the result); one library at a time.
_memo: dict[str, tuple[weakref.ref[Library], Any]] = {}


def _forget(ref: weakref.ref[Library]) -> None:
    # The library is gone: drop what was computed from it.
    for name, (owner, _) in list(_memo.items()):
        if owner is ref:
            _memo.pop(name, None)


def _memoized(library: Library, name: str, compute: Callable[[Library], _R]) -> _R:
    """``compute(library)``, kept until asked about another library or this one dies.

    Results are used read-only. Each entry names its library, so two threads working
    on two libraries at once can only miss the memo, never get the other's answer.
    """
    entry = _memo.get(name)
    if entry is not None and entry[0]() is library:
        kept: _R = entry[1]
        return kept
    value = compute(library)
    for other, (owner, _) in list(_memo.items()):
        if owner() is not library:  # keep one library's results at a time
            _memo.pop(other, None)
    _memo[name] = (weakref.ref(library, _forget), value)
    return value


# ---------------------------------------------------------------- citations


@dataclass(frozen=True)
class _Citations:
    """A library's citation relations, in the shapes the graph and the analyses use.

    Citations made by papers that are not listed are dropped (they are no node of the
    graph), as are self-citations; repeated relations merge their evidence.
    """

    evidence: Mapping[tuple[str, str], str]  # (citing, cited) -> evidence
    ordered: tuple[tuple[str, str], ...]  # every relation, sorted
    within: tuple[tuple[str, str], ...]  # the relations among listed papers, sorted
    outside: tuple[tuple[str, str], ...]  # the relations to outside papers, sorted


def _compute_citations(library: Library) -> _Citations:
    papers = library.papers
    evidence: dict[tuple[str, str], str] = {}
    for c in library.citations:
        pair = (c.citing, c.cited)
        if pair[0] == pair[1] or pair[0] not in papers:
            continue
        old = evidence.get(pair)
        if old is None:
            evidence[pair] = c.evidence
        elif old != c.evidence and c.evidence not in old.split(","):
            evidence[pair] = ",".join(sorted({*old.split(","), c.evidence}))
    ordered = tuple(sorted(evidence))
    within = tuple(pair for pair in ordered if pair[1] in papers)
    outside = tuple(pair for pair in ordered if pair[1] not in papers)
    return _Citations(MappingProxyType(evidence), ordered, within, outside)


def _citations(library: Library) -> _Citations:
    return _memoized(library, "citations", _compute_citations)


def counts(library: Library) -> dict[str, int]:
    """How many papers, topics, lectures, citations (relations made by listed papers;
    ``citations_within``: among listed papers) and outside papers cited."""
    citations = _citations(library)
    return {
        "papers": len(library.papers),
        "topics": len(library.topics),
        "lectures": len(library.lectures),
        "citations": len(citations.ordered),
        "citations_within": len(citations.within),
        "external_papers": len({cited for _, cited in citations.outside}),
    }


def _topic_rank(library: Library) -> dict[str, int]:
    return {t.slug: i for i, t in enumerate(library.topics)}


def _by_course_order(slugs: Iterable[str], rank: Mapping[str, int]) -> tuple[str, ...]:
    # Topics of the course file in its order; topics it does not name (an extra .bib
    # file) after them, sorted.
    return tuple(sorted(set(slugs), key=lambda s: (rank.get(s, len(rank)), s)))


def _known_topics(library: Library) -> list[str]:
    known = [t.slug for t in library.topics]
    return known + sorted({p.topic for p in library.papers.values()} - set(known))


# ---------------------------------------------------------------- graph


# One edge as stored before it becomes part of a graph or node-link data: target node,
# kind (also the edge key) and its one further attribute, if any.
_Edge = tuple[str, str, tuple[str, str | int] | None]


@dataclass(frozen=True)
class _GraphParts:
    """The nodes and edges of a library's graph, in insertion order (used read-only)."""

    title: str
    nodes: tuple[tuple[str, dict[str, str | int]], ...]
    out: Mapping[str, list[_Edge]]  # source node -> its edges, in order


def _slugs(keys: Iterable[str]) -> dict[str, str]:
    """A URL- and file-safe slug per key, unique among these keys (``-2`` on a clash)."""
    out: dict[str, str] = {}
    used: set[str] = set()
    for key in sorted(keys):
        base = _UNSAFE.sub("-", key.casefold()).strip("-.") or "x"
        slug, n = base, 1
        while slug in used:
            n += 1
            slug = f"{base}-{n}"
        used.add(slug)
        out[key] = slug
    return out


def _short_label(paper: Paper, year: int | None) -> str:
    people = [p for p in paper.authors if not p.is_others]
    if not people:
        names = paper.key
    elif len(people) == 1 and len(paper.authors) == 1:
        names = people[0].family or people[0].display
    elif len(people) == 2 and len(paper.authors) == 2:
        names = f"{people[0].family} & {people[1].family}"
    else:
        names = f"{people[0].family} et al."
    return f"{names} {year}" if year else names


def _attrs(**attrs: str | int | None) -> dict[str, str | int]:
    """Node attributes without the unknown (None or empty) ones: GraphML has no null."""
    return {name: value for name, value in attrs.items() if value is not None and value != ""}


def _title_year(known: ExternalPaper | None) -> tuple[str, int | None]:
    """An outside paper's title and year, as text and a number whatever the data held."""
    if known is None:
        return "", None
    title = known.title if isinstance(known.title, str) else str(known.title or "")
    year: Any = known.year
    if isinstance(year, str) and year.strip().isdigit():
        year = int(year)
    return " ".join(title.split()), year if type(year) is int and year > 0 else None


def _ids_of(ident: str, known: ExternalPaper | None) -> Mapping[str, str]:
    ids = {k: str(v) for k, v in known.ids.items() if v} if known and known.ids else {}
    if not ids and ":" in ident:
        # An id such as ``arxiv:2101.00001`` names its own scheme.
        scheme, _, value = ident.partition(":")
        if scheme and value:
            ids[scheme.lower()] = value
    return MappingProxyType(ids) if ids else _EMPTY_IDS


def _compute_parts(library: Library) -> _GraphParts:
    papers = library.papers
    citations = _citations(library)
    nodes: list[tuple[str, dict[str, str | int]]] = []
    out: dict[str, list[_Edge]] = {}

    titles: dict[str, str] = {t.slug: t.title for t in library.topics}
    for paper in papers.values():
        titles.setdefault(paper.topic, paper.topic)
    for lec in library.lectures:
        for slug in lec.topics:
            titles.setdefault(slug, slug)
    tid = {slug: topic_node(slug) for slug in sorted(titles)}
    topic_slugs = _slugs(titles)
    for slug, node in tid.items():
        title = titles[slug]
        nodes.append(
            (
                node,
                _attrs(
                    kind="topic", key=slug, slug=topic_slugs[slug], label=title or slug, title=title
                ),
            )
        )

    lectures = sorted(library.lectures, key=lambda lec: lec.number)
    lid = {lec.number: lecture_node(lec.number) for lec in lectures}
    for lec in lectures:
        node = lid[lec.number]
        nodes.append(
            (
                node,
                _attrs(
                    kind="lecture",
                    key=str(lec.number),
                    slug=str(lec.number),
                    number=lec.number,
                    label=f"Lecture {lec.number}",
                    title=lec.title,
                    date=lec.date.isoformat() if lec.date else None,
                ),
            )
        )
        out[node] = [(tid[slug], "covers", None) for slug in sorted(set(lec.topics))]

    # One string object per node id, shared by every edge that names it.
    pid = {key: paper_node(key) for key in sorted(papers)}
    outside = sorted({cited for _, cited in citations.outside})
    target = dict(pid)
    target.update((ident, external_node(ident)) for ident in outside)
    evidence = citations.evidence
    # One ("evidence", value) tuple per value, shared by the edges; none for no value.
    tags = {ev: ("evidence", ev) for ev in set(evidence.values()) if ev}
    current, edges = "", []
    for pair in citations.ordered:  # sorted: each paper's citations come together
        if pair[0] != current:
            current = pair[0]
            edges = out[pid[current]] = []
        edges.append((target[pair[1]], "cites", tags.get(evidence[pair])))
    roles: dict[str, list[tuple[int, str]]] = {}
    for lec in lectures:
        required = set(lec.required)
        for key in lec.keys:
            if key in papers:
                role = "required" if key in required else "optional"
                roles.setdefault(key, []).append((lec.number, role))
    paper_slugs = _slugs(papers)
    for key, node in pid.items():
        paper = papers[key]
        year = paper.year
        nodes.append(
            (
                node,
                _attrs(
                    kind="paper",
                    key=key,
                    slug=paper_slugs[key],
                    label=_short_label(paper, year),
                    title=paper.title,
                    year=year,
                    topic=paper.topic,
                    arxiv=paper.arxiv.id if paper.arxiv else None,
                    doi=paper.doi,
                ),
            )
        )
        edges = out.setdefault(node, [])
        edges.append((tid[paper.topic], "in_topic", None))
        edges.extend((lid[n], "read_in", ("role", role)) for n, role in sorted(roles.get(key, ())))

    outside_slugs = _slugs(outside)
    for ident in outside:
        known = library.external.get(ident)
        title, year = _title_year(known)
        attrs = _attrs(
            kind="external",
            key=ident,
            slug=outside_slugs[ident],
            label=title or ident,
            title=title,
            year=year,
        )
        for name, value in sorted(_ids_of(ident, known).items()):
            attrs[f"id_{name}" if name in _RESERVED else name] = value
        nodes.append((target[ident], attrs))

    names = author_names(papers.values())
    # One wrote edge per author and paper, at the author's first position on it.
    wrote: dict[str, dict[str, int]] = {}
    displays: dict[str, str] = {}
    for (key, position), (name, display) in names.items():
        displays[name] = display
        first = wrote.setdefault(name, {})
        if key not in first or position < first[key]:
            first[key] = position
    author_slugs = _slugs(displays)
    for name in sorted(displays):
        node = author_node(name)
        nodes.append(
            (
                node,
                {
                    "kind": "author",
                    "key": name,
                    "slug": author_slugs[name],
                    "label": displays[name],
                },
            )
        )
        out[node] = [
            (pid[key], "wrote", ("position", position))
            for key, position in sorted(wrote[name].items())
        ]
    return _GraphParts(library.course.title, tuple(nodes), out)


def _parts(library: Library) -> _GraphParts:
    return _memoized(library, "parts", _compute_parts)


@_gc_paused
def build_graph(library: Library) -> nx.MultiDiGraph:
    """The citation/topic graph of the library (nodes and edges: see the module doc).

    Nodes come by kind (topics, lectures, papers, outside papers, authors), each kind
    sorted; each node's edges in a fixed order; so the same library gives the same graph
    whatever the order of its papers and citations. The graph is new on every call:
    change it freely.
    """
    import networkx as nx  # only here: the site's build and ``check`` never need it

    parts = _parts(library)
    graph = nx.MultiDiGraph(name=parts.title)
    graph.add_nodes_from(parts.nodes)  # copies every attribute dict
    out = parts.out
    # add_edge, not add_edges_from: for a 4-tuple the latter calls add_edge and then
    # updates the data through a view built per edge, 1.5 times the time of this loop
    # on 260,000 edges. networkx's own edge order: by source in node order, as inserted.
    add_edge = graph.add_edge
    for u, _ in parts.nodes:
        for v, kind, tag in out.get(u, ()):
            if tag is None:
                add_edge(u, v, kind, kind=kind)
            else:
                add_edge(u, v, kind, kind=kind, **{tag[0]: tag[1]})
    return graph


@_gc_paused
def node_link(library: Library) -> dict[str, Any]:
    """The graph as networkx node-link data, links under ``"links"``; JSON-ready.

    Exactly ``nx.node_link_data(build_graph(library), edges="links")``, made straight
    from the graph's nodes and edges without building the graph (half the time and
    memory on a 200,000-citation library).
    """
    parts = _parts(library)
    out = parts.out
    # networkx's edge order: by source node in node order, then as inserted.
    links = [
        {"kind": kind, "source": u, "target": v, "key": kind}
        if tag is None
        else {"kind": kind, tag[0]: tag[1], "source": u, "target": v, "key": kind}
        for u, _ in parts.nodes
        for v, kind, tag in out.get(u, ())
    ]
    return {
        "directed": True,
        "multigraph": True,
        "graph": {"name": parts.title},
        "nodes": [{**attrs, "id": node} for node, attrs in parts.nodes],
        "links": links,
    }


def _xml_safe(graph: nx.MultiDiGraph) -> None:
    """Drop control characters from text attributes: XML 1.0 cannot hold them, and an
    outside paper's title comes from a remote service or hand-edited data (the same
    for the course title and the edges' evidence)."""
    datas = [graph.graph, *(d for _, d in graph.nodes(data=True))]
    datas += [d for *_, d in graph.edges(keys=True, data=True)]
    for data in datas:
        for name, value in data.items():
            if isinstance(value, str):
                data[name] = strip_control(value)


def to_graphml(library: Library) -> str:
    """The graph as GraphML text (opens in Gephi, yEd, Cytoscape)."""
    out = io.StringIO()
    write_graphml(library, out)
    return out.getvalue()


#: GraphML attribute types of networkx's writer, by Python type.
_GRAPHML_TYPES: dict[type, str] = {str: "string", int: "long", float: "double", bool: "boolean"}
_GRAPHML_HEAD = (
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
    'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n'
)
#: Line breaks str.splitlines knows among ASCII characters (networkx's lines are split
#: with it, and the text is ASCII once character references replace the rest).
_LINE_BREAKS = re.compile("[\r\x0b\x0c\x1c\x1d\x1e]")


def _cdata(text: str) -> str:
    """Text as xml.etree writes it: ``&``, ``<`` and ``>`` escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attrib(text: str) -> str:
    """An attribute value as xml.etree writes it."""
    text = _cdata(text).replace('"', "&quot;")
    return text.replace("\r", "&#13;").replace("\n", "&#10;").replace("\t", "&#09;")


def _graphml_nodes(parts: _GraphParts) -> dict[str, dict[str, Any]]:
    """The graph's nodes and attributes as networkx holds them (control characters
    dropped from text, as :func:`_xml_safe` does); nodes only edges name come last."""
    nodes: dict[str, dict[str, Any]] = {}
    for node, attrs in parts.nodes:
        nodes.setdefault(node, {}).update(attrs)
    for node, _ in parts.nodes:
        for target, _, _ in parts.out.get(node, ()):
            nodes.setdefault(target, {})
    for attrs in nodes.values():
        for name, value in attrs.items():
            if isinstance(value, str):
                attrs[name] = strip_control(value)
    return nodes


def _graphml_edges(
    parts: _GraphParts, nodes: Iterable[str]
) -> Iterable[tuple[str, str, dict[str, Any]]]:
    """The edges in networkx's order for the graph :func:`build_graph` makes: by source
    node, then by target in first-insertion order, then by key; a repeated
    ``(source, target, kind)`` updates the first one's data."""
    for u in nodes:
        by_target: dict[str, dict[str, dict[str, Any]]] = {}
        for v, kind, tag in parts.out.get(u, ()):
            data = by_target.setdefault(v, {}).setdefault(kind, {})
            data["kind"] = kind
            if tag is not None:
                value = tag[1]
                data[tag[0]] = strip_control(value) if isinstance(value, str) else value
        for v, keyed in by_target.items():
            for data in keyed.values():
                yield u, v, data


def write_graphml(library: Library, stream: IO[str]) -> None:
    """Write :func:`to_graphml`'s text to ``stream``, a piece at a time.

    The same text as ``networkx.generate_graphml(build_graph(library), prettyprint=True,
    edge_id_from_attribute="id")`` with numbered edge ids, joined by newlines (tests
    compare them), written straight from the graph's parts: networkx builds an element
    tree of the whole graph first, which took a second and hundreds of MiB at 5,000
    papers. An attribute value of a type networkx's writer would not name falls back to it.
    """
    parts = _parts(library)
    title = strip_control(parts.title)
    nodes = _graphml_nodes(parts)
    keys: dict[tuple[str, str, str], str] = {}

    def key(name: str, value: Any, scope: str) -> str | None:
        kind = _GRAPHML_TYPES.get(type(value))
        if kind is None:
            return None
        found = keys.get((name, kind, scope))
        if found is None:
            found = keys[(name, kind, scope)] = f"d{len(keys)}"
        return found

    # First pass: the keys, numbered in the order networkx's writer meets them.
    sources = list(dict.fromkeys(node for node, _ in parts.nodes))
    edges = (("edge", {**data, "id": ""}) for _, _, data in _graphml_edges(parts, sources))
    found = itertools.chain(
        [("graph", {"name": title})], (("node", a) for a in nodes.values()), edges
    )
    for scope, attrs in found:
        for name, value in attrs.items():
            if key(name, value, scope) is None:
                stream.write(_networkx_graphml(library))
                return

    def put(text: str) -> None:
        if not text.isascii():
            text = text.encode("ascii", "xmlcharrefreplace").decode("ascii")
        if _LINE_BREAKS.search(text):
            text = "\n".join(text.splitlines()) + "\n"
        stream.write(text)

    head = [_GRAPHML_HEAD]
    for (name, kind, scope), ident in reversed(keys.items()):
        head.append(f'  <key id="{ident}" for="{scope}" attr.name="{_attrib(name)}" '
                    f'attr.type="{kind}" />\n')  # fmt: skip
    head.append('  <graph edgedefault="directed">\n')
    put("".join(head))

    def element(tag: str, attributes: str, attrs: dict[str, Any], scope: str) -> str:
        if not attrs:
            return f"    <{tag}{attributes} />\n"
        lines = [f"    <{tag}{attributes}>\n"]
        for name, value in attrs.items():
            ident = keys[(name, _GRAPHML_TYPES[type(value)], scope)]
            text = str(value)
            if text:
                lines.append(f'      <data key="{ident}">{_cdata(text)}</data>\n')
            else:
                lines.append(f'      <data key="{ident}" />\n')
        lines.append(f"    </{tag}>\n")
        return "".join(lines)

    for node, attrs in nodes.items():
        put(element("node", f' id="{_attrib(node)}"', attrs, "node"))
    for i, (u, v, data) in enumerate(_graphml_edges(parts, sources)):
        ident = f"e{i}"
        attributes = f' source="{_attrib(u)}" target="{_attrib(v)}" id="{ident}"'
        put(element("edge", attributes, {**data, "id": ident}, "edge"))
    name = keys[("name", "string", "graph")]
    end = f'    <data key="{name}">{_cdata(title)}</data>\n' if title else (
        f'    <data key="{name}" />\n')  # fmt: skip
    put(end + "  </graph>\n</graphml>\n")


def _networkx_graphml(library: Library) -> str:
    """:func:`to_graphml`'s text made by networkx's own writer."""
    graph = build_graph(library)
    # networkx would use each edge's key ("cites") as its GraphML id; Gephi needs
    # edge ids to be unique, so number them (the kind stays in the "kind" attribute).
    for i, (*_, data) in enumerate(graph.edges(keys=True, data=True)):
        data["id"] = f"e{i}"
    _xml_safe(graph)
    import networkx as nx

    lines = nx.generate_graphml(graph, prettyprint=True, edge_id_from_attribute="id")
    text = "\n".join(lines) + "\n"
    graph.clear()  # a graph is a reference cycle: free it now, not at the next collection
    return text


def to_gexf(library: Library) -> str:
    """The graph as GEXF 1.2 text (Gephi's own format), without a date in it."""
    graph = build_graph(library)
    _xml_safe(graph)
    import networkx as nx

    text = "\n".join(nx.generate_gexf(graph, prettyprint=True)) + "\n"
    graph.clear()
    # networkx stamps today's date; drop it so the same graph gives the same bytes.
    return _LASTMODIFIED.sub("", text, count=1)


# ---------------------------------------------------------------- analyses


def _components(
    keys: list[str], cites: Mapping[str, list[str]], cited_by: Mapping[str, list[str]]
) -> list[tuple[str, ...]]:
    """The weakly connected components of the citations among listed papers, each
    sorted, largest first (ties by first key): what ``nx.weakly_connected_components``
    gives, found on the adjacency :func:`analyze` already has instead of a graph built
    for it (building a DiGraph through networkx's public API cost 0.3-0.5 s on 200,000
    citations; this search takes under 0.1 s)."""
    seen: set[str] = set()
    found: list[tuple[str, ...]] = []
    for key in keys:
        if key in seen:
            continue
        seen.add(key)
        component, todo = [key], [key]
        while todo:
            node = todo.pop()
            for other in (*cites[node], *cited_by[node]):
                if other not in seen:
                    seen.add(other)
                    component.append(other)
                    todo.append(other)
        found.append(tuple(sorted(component)))
    return sorted(found, key=lambda c: (-len(c), c[0]))


def _pagerank(
    keys: list[str], pairs: Iterable[tuple[str, str]], alpha: float = 0.85, tol: float = 1e-6
) -> dict[str, float]:
    """PageRank of ``keys`` over the links ``pairs`` (``a`` cites ``b``), with numpy.

    The computation of ``nx.pagerank`` with its defaults (damping 0.85, uniform
    teleport, dangling papers spread uniformly, L1 tolerance ``len(keys) * tol``) and the
    same numbers (tests compare them), without its conversion of the graph to a scipy
    matrix, which walks every edge in Python: 0.3 s of the 0.5 s it takes on 200,000
    citations, plus importing scipy. Keys are sorted and pairs sorted, so the sums run
    in one order and the result is the same on every run.
    """
    import numpy as np

    n = len(keys)
    if n == 0:
        return {}
    index = {key: i for i, key in enumerate(keys)}
    links = [(index[a], index[b]) for a, b in pairs]
    src = np.fromiter((a for a, _ in links), dtype=np.intp, count=len(links))
    dst = np.fromiter((b for _, b in links), dtype=np.intp, count=len(links))
    out_degree = np.bincount(src, minlength=n).astype(float)
    dangling = out_degree == 0
    weight = 1.0 / out_degree[src]  # each link carries 1/out-degree of its source
    teleport = np.full(n, 1.0 / n)
    x = teleport.copy()
    # networkx gives up after 100 iterations; a ranking is still worth having, so go on.
    for _ in range(1000):
        last = x
        flow = np.bincount(dst, weights=last[src] * weight, minlength=n)
        x = alpha * (flow + last[dangling].sum() * teleport) + (1 - alpha) * teleport
        if np.abs(x - last).sum() < n * tol:
            break
    return dict(zip(keys, x.tolist(), strict=True))


def reading_order(library: Library, lecture_number: int) -> tuple[str, ...]:
    """A lecture's readings in an order that reads a paper before the papers citing it.

    Each reading stays where the course file puts it (required before optional), the
    readings it cites pulled in just before it; readings without citations between them
    keep the course file's order. Papers citing each other in a cycle are read oldest
    first (unknown years last, then by key). Raises UsageError for an unknown lecture.
    """
    lecture = library.lecture(lecture_number)
    if lecture is None:
        known = ", ".join(str(lec.number) for lec in library.lectures) or "none"
        raise UsageError(f"no lecture {lecture_number}; lectures: {known}")
    return _reading_order(library, lecture.keys, _citations(library).evidence)


def _reading_order(
    library: Library, keys: tuple[str, ...], relations: Mapping[tuple[str, str], str]
) -> tuple[str, ...]:
    keys = tuple(dict.fromkeys(keys))
    edges = {
        (cited, citing)
        for citing in keys
        for cited in keys
        if cited != citing and (citing, cited) in relations
    }

    def age(key: str) -> tuple[bool, int, str]:
        paper = library.papers.get(key)
        year = paper.year if paper else None
        return (year is None, year or 0, key)

    return tuple(_order(list(keys), edges, age))


def _strong_components(
    keys: list[str], edges: Iterable[tuple[str, str]]
) -> tuple[dict[str, int], list[set[str]]]:
    """The strongly connected components of the graph of ``keys`` and ``edges``: each
    key's component number, and each component's keys (what ``nx.condensation`` gives
    as its ``mapping`` and ``members``, numbered in another order). Tarjan's algorithm
    with an explicit stack, so that a long chain does not hit the recursion limit; it
    spares the site's build importing networkx (0.15 s) for the reading order."""
    succ: dict[str, list[str]] = {key: [] for key in keys}
    for a, b in edges:
        succ.setdefault(a, []).append(b)
        succ.setdefault(b, [])
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    scc_of: dict[str, int] = {}
    components: list[set[str]] = []
    for root in succ:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(succ[root]))]
        while work:
            node, pending = work[-1]
            for nxt in pending:
                if nxt not in index:
                    index[nxt] = low[nxt] = len(index)
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(succ[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    members: set[str] = set()
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        scc_of[member] = len(components)
                        members.add(member)
                        if member == node:
                            break
                    components.append(members)
    return scc_of, components


def _order(keys: list[str], edges: set[tuple[str, str]], age: Callable[[str], Any]) -> list[str]:
    """``keys`` (in course order) arranged so that ``a`` comes before ``b`` for each edge.

    Each key keeps its place, its prerequisites pulled in just before it (in course
    order). A cycle is read oldest first, then the rest of it the same way.
    """
    scc_of, components = _strong_components(keys, edges)
    position = {key: i for i, key in enumerate(keys)}
    first_at = [min(position[k] for k in members) for members in components]
    before: list[set[int]] = [set() for _ in components]
    for a, b in edges:
        if scc_of[a] != scc_of[b]:
            before[scc_of[b]].add(scc_of[a])

    def prerequisites(n: int) -> list[int]:
        return sorted(before[n], key=first_at.__getitem__)

    order: list[str] = []

    def emit(n: int) -> None:
        members = components[n]
        if len(members) == 1:
            order.extend(members)
            return
        first = min(members, key=age)
        rest = [k for k in keys if k in members and k != first]
        inner = {(a, b) for a, b in edges if a in members and b in members and first not in (a, b)}
        order.append(first)
        order.extend(_order(rest, inner, age))

    # A depth-first walk with an explicit stack: a long chain of citations must not hit
    # the recursion limit.
    done: set[int] = set()
    for key in keys:
        root = scc_of[key]
        if root in done:
            continue
        done.add(root)
        stack = [(root, iter(prerequisites(root)))]
        while stack:
            node, pending = stack[-1]
            nxt = next((p for p in pending if p not in done), None)
            if nxt is None:
                stack.pop()
                emit(node)
            else:
                done.add(nxt)
                stack.append((nxt, iter(prerequisites(nxt))))
    return order


def suggest(
    library: Library, *, min_cites: int = 2, topic: str | None = None
) -> tuple[Suggestion, ...]:
    """Papers outside the list cited by at least ``min_cites`` listed papers.

    With ``topic``, only citations by that topic's papers count. Most cited first, ties
    by title (case-insensitive), then id. Raises UsageError for an unknown topic.
    """
    if topic is not None:
        known = _known_topics(library)
        if topic not in known:
            raise UsageError(f"unknown topic {topic!r}; topics: {', '.join(known) or 'none'}")
    return _suggest(library, _citations(library), min_cites, topic)


def _suggest(
    library: Library, citations: _Citations, min_cites: int, topic: str | None
) -> tuple[Suggestion, ...]:
    papers = library.papers
    citing: dict[str, list[str]] = {}
    for a, b in citations.outside:
        if topic is None or papers[a].topic == topic:
            citing.setdefault(b, []).append(a)
    rank = _topic_rank(library)
    in_order: dict[frozenset[str], tuple[str, ...]] = {}  # few distinct sets of topics
    out = []
    for ident, keys in citing.items():
        if len(keys) < max(min_cites, 1):
            continue
        known = library.external.get(ident)
        title, year = _title_year(known)
        near = frozenset(papers[k].topic for k in keys)
        topics = in_order.get(near)
        if topics is None:
            topics = in_order[near] = _by_course_order(near, rank)
        out.append(
            Suggestion(
                id=ident,
                title=title or ident,
                year=year,
                ids=_ids_of(ident, known),
                cited_by=tuple(keys),  # sorted: citations.outside is
                topics=topics,
            )
        )
    out.sort(key=lambda s: (-len(s.cited_by), s.title.casefold(), s.title, s.id))
    return tuple(out)


@_gc_paused
def analyze(library: Library, *, min_cites: int = 2) -> Analysis:
    """Run every analysis of the library's citations (see :class:`Analysis`)."""
    papers = library.papers
    citations = _citations(library)
    within = citations.within
    keys = sorted(papers)
    ranks = _pagerank(keys, within)
    topic_of = {key: paper.topic for key, paper in papers.items()}
    cites: dict[str, list[str]] = {key: [] for key in papers}
    cited_by: dict[str, list[str]] = {key: [] for key in papers}
    for a, b in within:  # sorted, so every list comes out sorted
        cites[a].append(b)
        cited_by[b].append(a)
    components = _components(keys, cites, cited_by)
    rank = _topic_rank(library)
    in_order: dict[frozenset[str], tuple[str, ...]] = {}  # few distinct sets of topics
    stats: dict[str, PaperStats] = {}
    spans: list[tuple[int, int, str]] = []
    for key in keys:
        out_keys, in_keys = cites[key], cited_by[key]
        near = frozenset([topic_of[k] for k in out_keys] + [topic_of[k] for k in in_keys])
        topics = in_order.get(near)
        if topics is None:
            topics = in_order[near] = _by_course_order(near, rank)
        stats[key] = PaperStats(
            key=key,
            cited_within=len(in_keys),
            cites_within=len(out_keys),
            pagerank=ranks[key],
            cites=tuple(out_keys),
            cited_by=tuple(in_keys),
            neighbour_topics=topics,
        )
        span = len(near | {topic_of[key]})
        if span > 1:
            spans.append((-span, -(len(out_keys) + len(in_keys)), key))

    # Rounded so last-bit float noise never decides between equally ranked papers.
    most_cited = sorted(
        (s for s in stats.values() if s.cited_within),
        key=lambda s: (-s.cited_within, -round(s.pagerank, 12), s.key),
    )
    bridges = tuple(
        Bridge(a, b, topic_of[a], topic_of[b]) for a, b in within if topic_of[a] != topic_of[b]
    )
    citing_any = {a for a, _ in citations.ordered}
    orders = {
        lec.number: _reading_order(library, lec.keys, citations.evidence)
        for lec in sorted(library.lectures, key=lambda lec: lec.number)
    }
    return Analysis(
        papers=MappingProxyType(stats),
        most_cited=tuple(s.key for s in most_cited),
        reading_order=MappingProxyType(orders),
        bridges=bridges,
        suggestions=_suggest(library, citations, min_cites, None),
        without_citations=tuple(sorted(k for k in papers if k not in citing_any)),
        components=tuple(components),
        bridge_papers=tuple(key for _, _, key in sorted(spans)),
    )
