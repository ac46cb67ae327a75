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

Edges carry ``kind`` and are keyed by it (at most one edge of a kind between two nodes):
``cites`` (paper -> paper or external; ``evidence``, comma-separated when several sources
agree), ``in_topic`` (paper -> topic), ``read_in`` (paper -> lecture; ``role`` is
``required`` or ``optional``), ``wrote`` (author -> paper; ``position`` from 0) and
``covers`` (lecture -> topic). Every attribute is a str or an int, never None or a list,
so the graph exports to GraphML and GEXF as it is.

The analyses (:func:`analyze` and friends) work on a plain ``DiGraph`` of citations among
listed papers, built straight from the library, not on the big multigraph.
"""

from __future__ import annotations

import json
import re
import unicodedata
import weakref
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import networkx as nx

from readinglist.errors import UsageError
from readinglist.latex import latex_to_text
from readinglist.model import Library, Paper, Person

__all__ = [
    "Analysis",
    "Bridge",
    "PaperStats",
    "Suggestion",
    "analyze",
    "author_names",
    "author_node",
    "build_graph",
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
# Node attributes an external paper's identifier names must not overwrite.
_RESERVED = frozenset({"kind", "key", "slug", "label", "title", "year", "topic", "id"})
_UNSAFE = re.compile(r"[^0-9a-z._-]+")
_WORD = re.compile(r"\w+")
_LASTMODIFIED = re.compile(r' lastmodifieddate="[^"]*"')


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
    """Where one listed paper stands in the citations among listed papers.

    ``cites``/``cited_by`` are listed papers only, sorted by key; ``pagerank`` is over
    the citations among listed papers (a paper cited by well-cited papers ranks high);
    ``neighbour_topics`` are the topics of the papers it cites or is cited by.
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
    """Every analysis of a library's citation graph (see :func:`analyze`).

    - ``papers``: stats of every listed paper, by key (sorted);
    - ``most_cited``: papers cited at least once within the list, by citations within the
      list, then PageRank (both descending), then key;
    - ``reading_order``: per lecture number, its readings in reading order;
    - ``bridges``: citations between papers of different topics, by citing then cited key;
    - ``suggestions``: outside papers cited by at least ``min_cites`` listed papers;
    - ``without_citations``: listed papers with no citation data (they cite nothing known);
    - ``components``: weakly connected components of the citations among listed papers,
      largest first (then by first key), each sorted; a paper without links is one alone;
    - ``bridge_papers``: papers whose neighbours (citing or cited) reach beyond their own
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


# ---------------------------------------------------------------- citations


@dataclass(frozen=True)
class _Citations:
    """The citation relations of a library, in the shapes the graph and analyses use."""

    relations: Mapping[tuple[str, str], str]  # (citing, cited) -> evidence
    ordered: tuple[tuple[tuple[str, str], str], ...]  # the relations, sorted
    within: tuple[tuple[str, str], ...]  # sorted relations among listed papers


_last: tuple[weakref.ref[Library], _Citations] | None = None


def _citations(library: Library) -> _Citations:
    """The library's citation relations, computed once per library object.

    Citations made by papers that are not listed are dropped (they are no node of the
    graph), as are self-citations; repeated relations merge their evidence. The result
    of the last library asked about is kept, since :func:`build_graph` and
    :func:`analyze` of one library both need it (a Library is immutable).
    """
    global _last
    if _last is not None and _last[0]() is library:
        return _last[1]
    papers = library.papers
    relations: dict[tuple[str, str], str] = {}
    for c in library.citations:
        if c.citing == c.cited or c.citing not in papers:
            continue
        pair = (c.citing, c.cited)
        old = relations.get(pair)
        if old is None:
            relations[pair] = c.evidence
        elif c.evidence not in old.split(","):
            relations[pair] = ",".join(sorted({*old.split(","), c.evidence}))
    ordered = tuple(sorted(relations.items()))
    within = tuple(pair for pair, _ in ordered if pair[1] in papers)
    result = _Citations(MappingProxyType(relations), ordered, within)
    _last = (weakref.ref(library), result)
    return result


def _topic_rank(library: Library) -> dict[str, int]:
    return {t.slug: i for i, t in enumerate(library.topics)}


def _by_course_order(slugs: Iterable[str], rank: Mapping[str, int]) -> tuple[str, ...]:
    # Topics of the course file in its order; topics it does not name (an extra .bib
    # file) after them, sorted.
    return tuple(sorted(set(slugs), key=lambda s: (rank.get(s, len(rank)), s)))


# ---------------------------------------------------------------- authors


@dataclass
class _Variant:
    """One spelling of a name (family and given tokens) and where it occurs."""

    group: str
    given: tuple[str, ...]
    papers: set[str]
    displays: Counter[str]
    coauthors: set[tuple[str, str]]


def _fold(text: str) -> tuple[str, ...]:
    """Decoded, accents folded, case folded words: ``{\\'E}mile`` -> ``("emile",)``."""
    plain = unicodedata.normalize("NFKD", latex_to_text(text))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return tuple(_WORD.findall(plain))


def _name_parts(person: Person) -> tuple[str, tuple[str, ...]] | None:
    """``(group, given tokens)``: people in one group may be one person; None to skip."""
    if person.is_others:
        return None
    if person.is_corporate:
        words = " ".join(_fold(person.last))
        # Braces keep a corporate name apart from a person of that family name.
        return (f"{{{words}}}", ()) if words else None
    family = " ".join(_fold(f"{person.von} {person.last}"))
    if not family:
        return None
    jr = " ".join(_fold(person.jr))
    return (f"{family}, {jr}" if jr else family, _fold(person.first))


def _names_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Could these given names be one person's? Equal words, or an initial and a word it
    starts; a missing middle name is no conflict (``John`` and ``John A.``)."""
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def _specificity(given: tuple[str, ...]) -> tuple[int, int, int, tuple[str, ...]]:
    # The fullest spelling names the merged author: most full words, most words, most
    # letters; ties broken by the words themselves so the choice is stable.
    return (-sum(len(w) > 1 for w in given), -len(given), -sum(map(len, given)), given)


def _cluster(variants: list[_Variant], together: set[frozenset[int]]) -> list[list[int]]:
    """Split one family name's spellings into people (lists of indexes).

    Two spellings merge when their given names are compatible, they never appear on one
    paper together, and either they share a co-author or no third spelling is compatible
    with one of them but not the other (then nothing else could be meant). A merge that
    would join spellings that conflict with each other (``J.`` sharing co-authors with
    both ``John`` and ``Jane``) is undone for the ambiguous spelling, which stays alone.
    """
    n = len(variants)
    compat = [[False] * n for _ in range(n)]
    for i in range(n):
        compat[i][i] = True
        for j in range(i + 1, n):
            ok = frozenset((i, j)) not in together and _names_compatible(
                variants[i].given, variants[j].given
            )
            compat[i][j] = compat[j][i] = ok
    partners = [frozenset(j for j in range(n) if compat[i][j]) for i in range(n)]
    edges: set[tuple[int, int]] = set()
    for i in range(n):
        for j in range(i + 1, n):
            if not compat[i][j]:
                continue
            unambiguous = partners[i] == partners[j]
            if unambiguous or variants[i].coauthors & variants[j].coauthors:
                edges.add((i, j))
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    while True:
        parent[:] = range(n)
        for i, j in edges:
            parent[find(i)] = find(j)
        groups: dict[int, list[int]] = {}
        for i in range(n):
            groups.setdefault(find(i), []).append(i)
        hubs = set()
        for members in groups.values():
            for v in members:
                near = [x for x in members if x != v and compat[v][x]]
                if any(not compat[x][y] for x in near for y in near):
                    hubs.add(v)
        if not hubs:
            return sorted(groups.values())
        edges = {(i, j) for i, j in edges if i not in hubs and j not in hubs}


def author_names(papers: Iterable[Paper]) -> dict[tuple[str, int], tuple[str, str]]:
    """The normalized name and display name of every author position of these papers.

    Returns ``{(paper key, position): (normalized name, display name)}``; ``and others``
    has no entry. A normalized name is ``family[, jr], given`` in folded lower case
    (``smith, john``); corporate names are braced (``{google research}``).

    Spellings of one family name (and suffix) are one author when that is safe:
    "J. Smith" and "John Smith" merge when the initials fit the given names and either
    they share a co-author (same family name and first initial) or no other spelling of
    Smith has a first name that fits one of them but not the other. So "J. Smith" never
    merges with both "John Smith" and "Jane Smith": with both present, "J. Smith" stays
    apart unless shared co-authors tie it to exactly one of them. Two spellings on the
    same paper are two people. A merged author takes the fullest spelling's name.
    """
    parts_cache: dict[Person, tuple[str, tuple[str, ...]] | None] = {}
    display_cache: dict[Person, str] = {}
    variants: dict[tuple[str, tuple[str, ...]], _Variant] = {}
    occurrences: list[tuple[str, int, tuple[str, tuple[str, ...]], str]] = []
    together: dict[str, set[frozenset[tuple[str, ...]]]] = {}
    for paper in sorted(papers, key=lambda p: p.key):
        on_paper: list[tuple[str, tuple[str, ...]]] = []
        for position, person in enumerate(paper.authors):
            if person not in parts_cache:
                parts_cache[person] = _name_parts(person)
            parts = parts_cache[person]
            if parts is None:
                continue
            variant = variants.get(parts)
            if variant is None:
                variant = variants[parts] = _Variant(parts[0], parts[1], set(), Counter(), set())
            variant.papers.add(paper.key)
            display = display_cache.get(person)
            if display is None:
                display = display_cache[person] = person.display
            variant.displays[display] += 1
            occurrences.append((paper.key, position, parts, display))
            on_paper.append(parts)
        if len(on_paper) > 1:
            for parts in on_paper:
                variants[parts].coauthors.update(
                    (group, given[0] if given else "")
                    for group, given in on_paper
                    if group != parts[0]
                )
            seen: dict[str, list[tuple[str, ...]]] = {}
            for group, given in on_paper:
                seen.setdefault(group, []).append(given)
            for group, givens in seen.items():
                for i, a in enumerate(givens):
                    for b in givens[i + 1 :]:
                        if a != b:
                            together.setdefault(group, set()).add(frozenset((a, b)))
    by_group: dict[str, list[_Variant]] = {}
    for variant in variants.values():
        by_group.setdefault(variant.group, []).append(variant)
    canonical: dict[tuple[str, tuple[str, ...]], tuple[str, str]] = {}
    for group, members in by_group.items():
        members.sort(key=lambda v: v.given)
        if len(members) == 1:
            clusters = [[0]]
        else:
            index = {v.given: i for i, v in enumerate(members)}
            pairs = {frozenset(index[g] for g in pair) for pair in together.get(group, ())}
            clusters = _cluster(members, pairs)
        for cluster in clusters:
            best = min((members[i] for i in cluster), key=lambda v: _specificity(v.given))
            name = f"{group}, {' '.join(best.given)}" if best.given else group
            display = min(best.displays.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            for i in cluster:
                canonical[(group, members[i].given)] = (name, display)
    return {(key, pos): canonical[parts] for key, pos, parts, _ in occurrences}


# ---------------------------------------------------------------- graph


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


def _short_label(paper: Paper) -> str:
    people = [p for p in paper.authors if not p.is_others]
    if not people:
        names = paper.key
    elif len(people) == 1 and len(paper.authors) == 1:
        names = people[0].family or people[0].display
    elif len(people) == 2 and len(paper.authors) == 2:
        names = f"{people[0].family} & {people[1].family}"
    else:
        names = f"{people[0].family} et al."
    return f"{names} {paper.year}" if paper.year else names


def _scalars(attrs: Mapping[str, Any]) -> dict[str, str | int | float]:
    """Attributes without None; anything that is not a str/int/float as text."""
    out: dict[str, str | int | float] = {}
    for name, value in attrs.items():
        if value is None or value == "":
            continue
        if isinstance(value, bool):
            out[name] = int(value)
        elif isinstance(value, str | int | float):
            out[name] = value
        elif isinstance(value, Mapping):
            out[name] = json.dumps(dict(value), sort_keys=True, ensure_ascii=False)
        elif isinstance(value, Iterable):
            out[name] = ";".join(str(v) for v in value)
        else:
            out[name] = str(value)
    return out


def build_graph(library: Library) -> nx.MultiDiGraph:
    """The citation/topic graph of the library (nodes and edges: see the module doc).

    Nodes are inserted by kind (topics, lectures, papers, outside papers, authors), each
    kind sorted; edges by kind, each kind sorted; so the same library gives the same
    graph whatever the order of its papers and citations.
    """
    cites = _citations(library)
    papers = library.papers
    graph = nx.MultiDiGraph(name=library.course.title)

    topics: dict[str, dict[str, Any]] = {}
    for topic in library.topics:
        topics[topic.slug] = {"title": topic.title}
    for paper in papers.values():
        topics.setdefault(paper.topic, {"title": paper.topic})
    for lecture in library.lectures:
        for slug in lecture.topics:
            topics.setdefault(slug, {"title": slug})
    topic_slugs = _slugs(topics)
    graph.add_nodes_from(
        (
            topic_node(slug),
            _scalars(
                {
                    "kind": "topic",
                    "key": slug,
                    "slug": topic_slugs[slug],
                    "label": attrs["title"],
                    "title": attrs["title"],
                }
            ),
        )
        for slug, attrs in sorted(topics.items())
    )
    graph.add_nodes_from(
        (
            lecture_node(lec.number),
            _scalars(
                {
                    "kind": "lecture",
                    "key": str(lec.number),
                    "slug": str(lec.number),
                    "number": lec.number,
                    "label": f"Lecture {lec.number}",
                    "title": lec.title,
                    "date": lec.date.isoformat() if lec.date else None,
                }
            ),
        )
        for lec in sorted(library.lectures, key=lambda lec: lec.number)
    )
    paper_slugs = _slugs(papers)
    graph.add_nodes_from(
        (
            paper_node(key),
            _scalars(
                {
                    "kind": "paper",
                    "key": key,
                    "slug": paper_slugs[key],
                    "label": _short_label(paper),
                    "title": paper.title,
                    "year": paper.year,
                    "topic": paper.topic,
                    "arxiv": paper.arxiv.id if paper.arxiv else None,
                    "doi": paper.doi,
                }
            ),
        )
        for key, paper in sorted(papers.items())
    )
    outside = sorted({cited for _, cited in cites.relations if cited not in papers})
    outside_slugs = _slugs(outside)
    external_nodes = []
    for ident in outside:
        known = library.external.get(ident)
        attrs: dict[str, Any] = {
            "kind": "external",
            "key": ident,
            "slug": outside_slugs[ident],
            "label": (known.title if known and known.title else ident),
            "title": known.title if known else None,
            "year": known.year if known else None,
        }
        for name, value in sorted(_ids_of(ident, known).items()):
            attrs[f"id_{name}" if name in _RESERVED else name] = value
        external_nodes.append((external_node(ident), _scalars(attrs)))
    graph.add_nodes_from(external_nodes)
    names = author_names(papers.values())
    authors = sorted(set(names.values()))
    author_slugs = _slugs(name for name, _ in authors)
    graph.add_nodes_from(
        (
            author_node(name),
            {"kind": "author", "key": name, "slug": author_slugs[name], "label": display},
        )
        for name, display in authors
    )

    def ext_or_paper(ident: str) -> str:
        return paper_node(ident) if ident in papers else external_node(ident)

    edges: list[tuple[str, str, str, dict[str, Any]]] = [
        (paper_node(citing), ext_or_paper(cited), "cites", {"kind": "cites", "evidence": ev})
        if ev
        else (paper_node(citing), ext_or_paper(cited), "cites", {"kind": "cites"})
        for (citing, cited), ev in cites.ordered
    ]
    edges.extend(
        (paper_node(key), topic_node(paper.topic), "in_topic", {"kind": "in_topic"})
        for key, paper in sorted(papers.items())
    )
    readings = sorted(
        (reading_key, lec.number, "required" if reading_key in lec.required else "optional")
        for lec in library.lectures
        for reading_key in lec.keys
        if reading_key in papers
    )
    edges.extend(
        (paper_node(key), lecture_node(n), "read_in", {"kind": "read_in", "role": role})
        for key, n, role in readings
    )
    edges.extend(
        (lecture_node(lec.number), topic_node(slug), "covers", {"kind": "covers"})
        for lec in sorted(library.lectures, key=lambda lec: lec.number)
        for slug in sorted(set(lec.topics))
    )
    # One wrote edge per author and paper, at the author's first position on it.
    wrote = {(name, key): pos for (key, pos), (name, _) in sorted(names.items(), reverse=True)}
    edges.extend(
        (author_node(name), paper_node(key), "wrote", {"kind": "wrote", "position": pos})
        for (name, key), pos in sorted(wrote.items())
    )
    _add_edges(graph, edges)
    return graph


def _add_edges(graph: nx.MultiDiGraph, edges: list[tuple[str, str, str, dict[str, Any]]]) -> None:
    """Add keyed edges between existing nodes, in order, as ``add_edges_from`` would.

    ``MultiDiGraph.add_edges_from`` spends about 6 us an edge on checks and views this
    graph does not need (both ends exist, each key is new); filling the adjacency the
    way ``MultiDiGraph.add_edge`` does takes a tenth of that on 200,000 citations.
    """
    succ, pred, new_keydict = graph._succ, graph._pred, graph.edge_key_dict_factory
    for u, v, key, data in edges:
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = pred[v][u] = new_keydict()
        keydict[key] = data
    nx._clear_cache(graph)


def node_link(library: Library, *, graph: nx.MultiDiGraph | None = None) -> dict[str, Any]:
    """The graph as networkx node-link data (links under ``"links"``), JSON-ready.

    Pass ``graph`` (from :func:`build_graph` of the same library) to skip rebuilding it.
    """
    g = build_graph(library) if graph is None else graph
    return nx.node_link_data(g, edges="links")


def to_graphml(library: Library, *, graph: nx.MultiDiGraph | None = None) -> str:
    """The graph as GraphML text (opens in Gephi, yEd, Cytoscape)."""
    g = build_graph(library) if graph is None else graph
    return "\n".join(nx.generate_graphml(g, prettyprint=True)) + "\n"


def to_gexf(library: Library, *, graph: nx.MultiDiGraph | None = None) -> str:
    """The graph as GEXF 1.2 text (Gephi's own format), without a date in it."""
    g = build_graph(library) if graph is None else graph
    text = "\n".join(nx.generate_gexf(g, prettyprint=True)) + "\n"
    # networkx stamps today's date; drop it so the same graph gives the same bytes.
    return _LASTMODIFIED.sub("", text, count=1)


# ---------------------------------------------------------------- analyses


def _ids_of(ident: str, known: Any) -> Mapping[str, str]:
    ids = dict(known.ids) if known is not None and known.ids else {}
    if not ids and ":" in ident:
        # An id such as ``arxiv:2101.00001`` names its own scheme.
        scheme, _, value = ident.partition(":")
        if scheme and value:
            ids[scheme.lower()] = value
    return MappingProxyType(ids) if ids else _EMPTY_IDS


def _citing_graph(library: Library, within: Iterable[tuple[str, str]]) -> nx.DiGraph:
    graph = nx.DiGraph()
    graph.add_nodes_from(sorted(library.papers))
    graph.add_edges_from(within)
    return graph


def _pagerank(graph: nx.DiGraph) -> dict[str, float]:
    if graph.number_of_nodes() == 0:
        return {}
    try:
        return nx.pagerank(graph)
    except nx.PowerIterationFailedConvergence:
        return nx.pagerank(graph, max_iter=10_000, tol=1e-8)


def reading_order(library: Library, lecture_number: int) -> tuple[str, ...]:
    """A lecture's readings in an order that reads a paper before the papers citing it.

    Readings with no citation between them keep the course file's order (required
    before optional). A citation cycle is broken by reading its oldest paper first
    (unknown years last, then by key). Raises UsageError for an unknown lecture.
    """
    lecture = library.lecture(lecture_number)
    if lecture is None:
        known = ", ".join(str(lec.number) for lec in library.lectures) or "none"
        raise UsageError(f"no lecture {lecture_number}; lectures: {known}")
    return _reading_order(library, lecture.keys, _citations(library).relations)


def _reading_order(
    library: Library, keys: tuple[str, ...], relations: Mapping[tuple[str, str], str]
) -> tuple[str, ...]:
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

    return tuple(_order(list(dict.fromkeys(keys)), edges, age))


def _order(keys: list[str], edges: set[tuple[str, str]], age: Any) -> list[str]:
    """``keys`` (given in course order) so that ``a`` comes before ``b`` for each edge.

    Each paper is read where the course puts it, its prerequisites pulled in just before
    it (in course order), so readings without relations keep their order. Papers citing
    each other in a cycle are read oldest first, then the rest of the cycle the same way.
    """
    graph = nx.DiGraph()
    graph.add_nodes_from(keys)
    graph.add_edges_from(edges)
    condensed = nx.condensation(graph)
    scc_of = condensed.graph["mapping"]
    position = {key: i for i, key in enumerate(keys)}
    first_at = {n: min(position[k] for k in condensed.nodes[n]["members"]) for n in condensed}

    def prerequisites(n: int) -> list[int]:
        return sorted(condensed.predecessors(n), key=first_at.__getitem__)

    order: list[str] = []
    done: set[int] = set()

    def emit(n: int) -> None:
        members = condensed.nodes[n]["members"]
        if len(members) == 1:
            order.extend(members)
            return
        first = min(members, key=age)
        rest = [k for k in keys if k in members and k != first]
        inner = {(a, b) for a, b in edges if a in members and b in members and first not in (a, b)}
        order.append(first)
        order.extend(_order(rest, inner, age))

    # An explicit stack, not recursion: a long chain of citations must not hit the limit.
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
        known = [t.slug for t in library.topics]
        known += sorted({p.topic for p in library.papers.values()} - set(known))
        if topic not in known:
            raise UsageError(f"unknown topic {topic!r}; topics: {', '.join(known) or 'none'}")
    return _suggest(library, _citations(library).relations, min_cites, topic)


def _suggest(
    library: Library,
    relations: Mapping[tuple[str, str], str],
    min_cites: int,
    topic: str | None,
) -> tuple[Suggestion, ...]:
    papers = library.papers
    citing: dict[str, list[str]] = {}
    for a, b in relations:
        if b not in papers and (topic is None or papers[a].topic == topic):
            citing.setdefault(b, []).append(a)
    rank = _topic_rank(library)
    out = []
    for ident, keys in citing.items():
        if len(keys) < max(min_cites, 1):
            continue
        known = library.external.get(ident)
        out.append(
            Suggestion(
                id=ident,
                title=(known.title if known and known.title else ident),
                year=known.year if known else None,
                ids=_ids_of(ident, known),
                cited_by=tuple(sorted(keys)),
                topics=_by_course_order((papers[k].topic for k in keys), rank),
            )
        )
    out.sort(key=lambda s: (-len(s.cited_by), s.title.casefold(), s.title, s.id))
    return tuple(out)


def analyze(library: Library, *, min_cites: int = 2) -> Analysis:
    """Run every analysis of the library's citations (see :class:`Analysis`)."""
    papers = library.papers
    citations = _citations(library)
    relations, within = citations.relations, citations.within
    graph = _citing_graph(library, within)
    ranks = _pagerank(graph)

    topic_of = {key: paper.topic for key, paper in papers.items()}
    cites: dict[str, list[str]] = {key: [] for key in papers}
    cited_by: dict[str, list[str]] = {key: [] for key in papers}
    for a, b in within:  # sorted, so every list comes out sorted
        cites[a].append(b)
        cited_by[b].append(a)
    rank = _topic_rank(library)
    stats: dict[str, PaperStats] = {}
    spans: list[tuple[int, int, str]] = []
    for key in sorted(papers):
        out_keys, in_keys = cites[key], cited_by[key]
        near = {topic_of[k] for k in out_keys}
        near.update(topic_of[k] for k in in_keys)
        stats[key] = PaperStats(
            key=key,
            cited_within=len(in_keys),
            cites_within=len(out_keys),
            pagerank=ranks.get(key, 0.0),
            cites=tuple(out_keys),
            cited_by=tuple(in_keys),
            neighbour_topics=_by_course_order(near, rank) if near else (),
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
    citing_any = {a for a, _ in relations}
    components = sorted(
        (tuple(sorted(c)) for c in nx.weakly_connected_components(graph)),
        key=lambda c: (-len(c), c[0]),
    )
    orders = {
        lec.number: _reading_order(library, lec.keys, relations)
        for lec in sorted(library.lectures, key=lambda lec: lec.number)
    }
    return Analysis(
        papers=MappingProxyType(stats),
        most_cited=tuple(s.key for s in most_cited),
        reading_order=MappingProxyType(orders),
        bridges=bridges,
        suggestions=_suggest(library, relations, min_cites, None),
        without_citations=tuple(sorted(k for k in papers if k not in citing_any)),
        components=tuple(components),
        bridge_papers=tuple(key for _, _, key in sorted(spans)),
    )
