"""The data of the graph page: vis-network nodes and edges, as a JavaScript file. No I/O.

Built here rather than with pyvis (MEASURED.md: pyvis checks every node against a list
and is slow on large graphs); pyvis only supplies the vis-network JavaScript. The data
is a script assigning a global, so the page works from ``file://`` too (a fetched
.json file would not). Strings stay data: the JSON is escaped so no ``</script>``,
``<!--`` or line separator in a title can end the script, and vis-network shows
string tooltips as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from readinglist.graph import Analysis
from readinglist.model import Library
from readinglist.records import Record, effective_record
from readinglist.site.markup import Layout, clean

#: Topic colours (Tableau 10: distinct, readable on white and on the dark scheme).
PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
)  # fmt: skip
OTHER_COLOUR = "#888888"
GLOBAL_NAME = "READINGLIST_GRAPH"


def _short_label(authors: tuple[str, ...], year: int | None, key: str) -> str:
    names = [a for a in authors if a != "et al."]
    family = names[0].split()[-1] if names and names[0].split() else key
    return f"{family} {year}" if year else family


def vis_data(
    library: Library,
    analysis: Analysis,
    paper_src: Mapping[str, str],
    layout: Layout,
    page: str,
    *,
    topic_title: Callable[[str], str],
    records: Mapping[str, Record] | None = None,
) -> dict[str, Any]:
    """Nodes (one per listed paper), citation edges between them, topics and lectures.

    ``paper_src`` maps each key to its page's source path; node URLs are relative to
    ``page`` (the graph page), so a click opens the paper from any host or folder.
    ``records`` are the papers' effective records when the caller has them already.
    """
    topics = [t.slug for t in library.topics]
    extra = sorted({p.topic for p in library.papers.values()} - set(topics))
    topic_index = {slug: i for i, slug in enumerate(topics + extra)}
    ids = {key: i for i, key in enumerate(library.papers)}
    lectures: dict[str, list[int]] = {}
    for lec in library.lectures:
        for key in lec.keys:
            lectures.setdefault(key, []).append(lec.number)
    nodes = []
    for key, paper in library.papers.items():
        record = records[key] if records is not None else effective_record(library, paper)
        stats = analysis.papers.get(key)
        cited = int(stats.cited_within) if stats else 0
        tooltip = [clean(record.title or key)]
        if record.authors:
            tooltip.append(clean(", ".join(record.authors)))
        where = clean(topic_title(paper.topic))
        tooltip.append(f"{record.year or 'n.d.'} · cited by {cited} on the list · {where}")
        nodes.append(
            {
                "id": ids[key],
                "key": clean(key),
                "label": clean(_short_label(record.authors, record.year, key)),
                "title": "\n".join(tooltip),
                "topic": topic_index[paper.topic],
                "lectures": lectures.get(key, []),
                "cited": cited,
                "url": layout.href(page, paper_src[key]),
            }
        )
    edges = []
    for key in library.papers:
        stats = analysis.papers.get(key)
        for target in stats.cites if stats else ():
            if target in ids and target != key:
                edges.append({"from": ids[key], "to": ids[target]})
    edges.sort(key=lambda e: (e["from"], e["to"]))
    return {
        "nodes": nodes,
        "edges": edges,
        "topics": [
            {
                "slug": clean(slug),
                "title": clean(topic_title(slug)),
                "colour": PALETTE[i] if i < len(PALETTE) else OTHER_COLOUR,
            }
            for slug, i in topic_index.items()
        ],
        "lectures": [{"number": lec.number, "title": clean(lec.title)} for lec in library.lectures],
    }


def to_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element or a JS file.

    ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, so no string can close a
    script or open a comment; ``ensure_ascii`` escapes U+2028/U+2029 too.
    """
    text = json.dumps(data, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def to_script(data: Any) -> str:
    """``graph-data.js``: assigns the graph data to ``window.READINGLIST_GRAPH``."""
    return f"window.{GLOBAL_NAME} = {to_json(data)};\n"
