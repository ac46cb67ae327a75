"""The pages about the whole list: citation graph, missing papers, what's new, downloads
(and the download files themselves)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import IO, Any

from readinglist import graph
from readinglist.export import select, to_bibtex, to_csl_json
from readinglist.ids import parse_arxiv_id
from readinglist.site.markup import arxiv_url, doi_url, text_html
from readinglist.site.render import HtmlPage, Renderer
from readinglist.site.views import (
    ASSETS,
    DOWNLOADS,
    FEED,
    GRAPH,
    MISSING,
    NEW,
    SiteData,
    lecture_bib,
)


def graph_page(d: SiteData, r: Renderer) -> HtmlPage:
    """``graph.md``: the interactive citation graph."""
    data = d.graph_data
    ranked = sorted(d.papers.values(), key=lambda v: (-d.cited_within(v.key), v.key))
    return r.page(
        "graph.md.j2",
        GRAPH,
        "Citation graph",
        search=False,
        hide=["navigation", "toc"],  # the graph gets the page's whole width
        data=data,
        lectures=[(lec.number, lec.title) for lec in d.library.lectures],
        most_cited=[(v, d.cited_within(v.key)) for v in ranked[:10]
                    if d.cited_within(v.key)],
        edges=len(data["edges"]),
        without=len(d.analysis.without_citations),
        components=len(d.analysis.components),
        assets=ASSETS,
    )  # fmt: skip


def missing(d: SiteData, r: Renderer) -> HtmlPage:
    """``missing.md``: papers outside the list that listed papers cite."""
    min_cites = 2
    suggestions = list(d.analysis.suggestions)
    if not suggestions:
        min_cites = 1
        suggestions = list(graph.suggest(d.library, min_cites=1))  # not every analysis again
    rows = []
    for s in suggestions:
        ids = dict(s.ids or {})
        links = []
        arxiv = parse_arxiv_id(str(ids.get("arxiv", "") or ids.get("ArXiv", "")))
        if arxiv:
            links.append(("arXiv", arxiv_url(arxiv.versioned)))
        doi = str(ids.get("doi", "") or ids.get("DOI", ""))
        if doi.startswith("10."):
            links.append(("DOI", doi_url(doi)))
        rows.append(
            {
                "title_html": text_html(s.title or s.id),
                "year": s.year or "",
                "links": links,
                "cited_by": d.views(s.cited_by),
                "topics": [(d.topic_title(t), d.topic_src(t)) for t in s.topics],
            }
        )
    return r.page(
        "missing.md.j2",
        MISSING,
        "Missing from the list",
        rows=rows,
        min_cites=min_cites,
        has_citations=bool(d.library.citations),
    )


def new(d: SiteData, r: Renderer) -> HtmlPage:
    """``new.md``: what the last syncs found: versions, publications, candidates."""
    by_date: dict[str, list[dict[str, Any]]] = {}
    for c in d.library.changes:
        by_date.setdefault(c.date, []).append(d.change_view(c))
    candidates = sorted(d.library.candidates, key=lambda c: (-c.score, c.topic, c.arxiv))
    return r.page(
        "new.md.j2",
        NEW,
        "What's new",
        days=sorted(by_date.items(), reverse=True),
        candidates=[d.candidate_view(c) for c in candidates],
        feed=FEED,
    )


def downloads_page(d: SiteData, r: Renderer) -> HtmlPage:
    """``downloads.md``: every generated file to download."""
    return r.page(
        "downloads.md.j2",
        DOWNLOADS,
        "Downloads",
        search=False,
        lectures=[(lec, lecture_bib(lec.number), text_html(lec.title))
                  for lec in d.library.lectures],
        topics=[(t, d.topic_bib(t.slug), text_html(t.title)) for t in d.library.topics],
    )  # fmt: skip


# ---------------------------------------------------------------- files


def downloads(d: SiteData) -> dict[str, Callable[[IO[str]], None]]:
    """The BibTeX, CSL-JSON and GraphML files, made exactly as ``export`` and ``graph``
    make them, as writers of text streams (UTF-8): an engine runs them when and where it
    likes (the MkDocs plugin in a child process, while it renders the pages)."""
    lib = d.library
    out: dict[str, Callable[[IO[str]], None]] = {}
    for lec in lib.lectures:
        # Same call and arguments as `readinglist export --lecture N`: same bytes.
        out[lecture_bib(lec.number)] = functools.partial(_bibtex, d, {"lecture": lec.number})
    for topic in lib.topics:
        out[d.topic_bib(topic.slug)] = functools.partial(_bibtex, d, {"topic": topic.slug})
    out["downloads/all.bib"] = functools.partial(_bibtex, d, {})
    out["downloads/all.json"] = functools.partial(_csl_json, d)
    out[GRAPHML] = functools.partial(_graphml, d)
    return out


#: The GraphML download.
GRAPHML = "downloads/graph.graphml"


def _bibtex(d: SiteData, which: dict[str, Any], stream: IO[str]) -> None:
    title, papers = select(d.library, **which)
    stream.write(to_bibtex(d.library, papers, title=title))


def _csl_json(d: SiteData, stream: IO[str]) -> None:
    _, papers = select(d.library)
    stream.write(to_csl_json(d.library, papers))


def _graphml(d: SiteData, stream: IO[str]) -> None:
    graph.write_graphml(d.library, stream)
