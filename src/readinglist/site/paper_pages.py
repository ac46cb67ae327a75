"""The paper pages: one page per paper, the papers index and the authors index."""

from __future__ import annotations

from markupsafe import Markup

from readinglist.site.highlight import highlight_bibtex
from readinglist.site.render import HtmlPage, Renderer
from readinglist.site.views import (
    AUTHORS,
    KIND_LABELS,
    PAPERS,
    AuthorEntry,
    PaperView,
    SiteData,
    lecture_src,
)


def paper(d: SiteData, r: Renderer, view: PaperView) -> HtmlPage:
    """One paper: metadata, status, abstract, citations, lectures, BibTeX."""
    rec = view.record
    stats = d.analysis.papers.get(view.key)
    lectures = []
    for lec in d.lectures_by_key.get(view.key, ()):
        kind = "required" if view.key in lec.required else "optional"
        lectures.append((lec, lecture_src(lec.number), kind, d.lecture_title_html(lec)))
    people = d.author_index.paper_authors[view.key]
    authors = [(name, d.author_index.anchor(ident)) for name, ident in people]
    cites = d.views(rec.cites)
    cited_by = d.views(rec.cited_by)
    topic_title = d.topic_title(view.topic)
    return r.page(
        "paper.md.j2",
        view.src,
        view.title_plain,
        search_html=paper_search_html(r, view, topic_title),
        p=view,
        rec=rec,
        authors=authors,
        et_al="et al." in rec.authors,
        topic_title=topic_title,
        topic_src=d.topic_src(view.topic),
        lectures=lectures,
        cites=len(cites),
        cited_by=len(cited_by),
        cites_html=r.paper_items(cites, view.src),
        cited_by_html=r.paper_items(cited_by, view.src),
        pagerank=f"{stats.pagerank:.3f}" if stats else "",
        version=rec.version or "",
        arxiv_published=rec.arxiv_published[:10],
        arxiv_updated=rec.arxiv_updated[:10],
        location=str(d.library.papers[view.key].location),
        bibtex_html=Markup(highlight_bibtex(view.bibtex)),
        changes=d.changes_by_key.get(view.key, ()),
        kind_labels=KIND_LABELS,
    )


def paper_search_html(r: Renderer, view: PaperView, topic_title: str) -> str:
    """A paper's search entry (``paper_search.html.j2``): its title, authors, venue,
    year, abstract, key, arXiv id and topic, not the papers it cites nor its BibTeX."""
    rec = view.record
    return r.env.get_template("paper_search.html.j2").render(
        p=view,
        rec=rec,
        facts=[view.authors_text, view.venue, str(view.year or "")],
        ids=[view.key, f"arXiv {rec.arxiv}" if rec.arxiv else "", rec.doi, topic_title],
    )


def authors_page(d: SiteData, r: Renderer) -> HtmlPage:
    """``authors.md``: every author and their papers on the list."""
    groups: dict[str, list[AuthorEntry]] = {}
    for entry in d.author_index.entries:
        letter = entry.sort_key[:1].upper() or "#"
        groups.setdefault(letter if letter.isalpha() else "#", []).append(entry)
    return r.page("authors.md.j2", AUTHORS, "Authors", search=False, groups=sorted(groups.items()))


def papers_index(d: SiteData, r: Renderer) -> HtmlPage:
    """``papers/index.md``: every paper by topic."""
    groups = []
    for topic in d.library.topics:
        papers = d.topic_papers.get(topic.slug, [])
        if papers:
            groups.append((topic.title, d.topic_src(topic.slug), papers))
    known = {t.slug for t in d.library.topics}
    stray = [v for v in d.papers.values() if v.topic not in known]
    if stray:
        groups.append(("Other papers", None, stray))
    return r.page(
        "papers.md.j2",
        PAPERS,
        "Papers",
        search=False,
        groups=groups,
        cited={k: d.cited_within(k) for k in d.papers},
        total=len(d.papers),
    )
