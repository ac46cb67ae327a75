"""``graph``, ``stats`` and ``suggest``: the citation/topic graph and what it says.

Each command loads the course, calls one function of :mod:`readinglist.graph` and renders
the result; the same course gives the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from readinglist.cli import Context, cli, emit_json, err_console, out_console, write_output

if TYPE_CHECKING:
    from readinglist.model import Library

_SHOWN = 10  # papers named in a text line before "and N more"


def _names(keys: tuple[str, ...] | list[str], limit: int = _SHOWN) -> str:
    shown = ", ".join(keys[:limit])
    return f"{shown}, and {len(keys) - limit} more" if len(keys) > limit else shown


# ---------------------------------------------------------------- graph


@cli.command("graph")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "graphml", "gexf"]),
    default="json",
    show_default=True,
    help="json: networkx node-link data; graphml and gexf open in Gephi, yEd, Cytoscape.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to FILE instead of stdout.",
)
@click.pass_obj
def graph_command(obj: Context, fmt: str, output: Path | None) -> None:
    """Export the citation/topic graph: listed papers, the outside papers they cite,
    topics, lectures and authors, linked by cites, in_topic, read_in, covers and wrote
    edges.

    \b
    Example:
      readinglist graph --format graphml -o course.graphml
      readinglist graph > course.json
    """
    from readinglist.graph import node_link, to_gexf, to_graphml

    library = obj.load().library
    if fmt == "graphml":
        text = to_graphml(library)
    elif fmt == "gexf":
        text = to_gexf(library)
    else:
        # One line, in the data's own (deterministic) order: indenting or sorting keys
        # takes json off its C encoder, four times the time on a 10,000-paper course.
        data = node_link(library)
        text = json.dumps(data, ensure_ascii=False) + "\n"
    write_output(text, output)
    if output is not None:
        if fmt == "json":
            nodes, edges = len(data["nodes"]), len(data.get("links", data.get("edges", [])))
        else:  # GraphML and GEXF write one <node> and one <edge> element per item
            nodes, edges = text.count("<node "), text.count("<edge ")
        click.echo(
            f"wrote the graph to {output} ({fmt}, {nodes} nodes, {edges} edges, "
            f"{len(text.encode('utf-8')):,} bytes)",
            err=True,
        )


# ---------------------------------------------------------------- stats


def _stats_json(library: Library, top: int) -> dict[str, Any]:
    from readinglist.graph import analyze, counts

    analysis = analyze(library)

    def paper(key: str) -> dict[str, Any]:
        s, p = analysis.papers[key], library.papers[key]
        return {
            "key": key,
            "title": p.title,
            "year": p.year,
            "topic": p.topic,
            "cited_within": s.cited_within,
            "cites_within": s.cites_within,
            "pagerank": round(s.pagerank, 6),
        }

    return {
        **counts(library),
        "most_cited": [paper(key) for key in analysis.most_cited[:top]],
        "components": [list(c) for c in analysis.components],
        "linked_components": sum(len(c) > 1 for c in analysis.components),
        "isolated": sorted(c[0] for c in analysis.components if len(c) == 1),
        "without_citations": list(analysis.without_citations),
        "cross_topic_citations": len(analysis.bridges),
        "bridge_papers": [
            {"key": key, "topics": list(analysis.papers[key].neighbour_topics)}
            for key in analysis.bridge_papers[:top]
        ],
    }


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON on stdout.")
@click.option(
    "--top",
    type=click.IntRange(min=1),
    default=10,
    show_default=True,
    help="How many most-cited papers (and bridge papers) to list.",
)
@click.pass_obj
def stats(obj: Context, as_json: bool, top: int) -> None:
    """Figures of the course: counts, the papers most cited within the list (with their
    PageRank over citations among listed papers), connected components of the citation
    graph, and papers without citation data.

    \b
    Example:
      readinglist stats
      readinglist stats --json --top 20
    """
    library = obj.load().library
    data = _stats_json(library, top)
    if as_json:
        emit_json(data)
        return
    out = out_console()
    out.print(
        f"{data['papers']} papers, {data['topics']} topics, {data['lectures']} lectures; "
        f"{data['citations']} citations ({data['citations_within']} within the list), "
        f"{data['external_papers']} papers outside the list cited",
        markup=False,
    )
    if data["most_cited"]:
        from rich.table import Table
        from rich.text import Text

        table = Table(title="Most cited within the list", title_justify="left")
        # Keys and figures are never cut; a narrow terminal wraps titles instead.
        table.add_column("#", justify="right", no_wrap=True)
        table.add_column("key", no_wrap=True)
        table.add_column("title")
        table.add_column("cited by", justify="right", no_wrap=True)
        table.add_column("PageRank", justify="right", no_wrap=True)
        for i, row in enumerate(data["most_cited"], 1):
            # Text, not markup: a title such as "[1/2]" must print as written.
            table.add_row(
                str(i),
                Text(row["key"]),
                Text(row["title"]),
                str(row["cited_within"]),
                f"{row['pagerank']:.3g}",
            )
        out.print(table)
    else:
        out.print("No paper is cited by another paper of the list.", markup=False)
    largest = max((len(c) for c in data["components"]), default=0)
    out.print(
        f"Components: {data['linked_components']} groups of papers linked by citations "
        f"(largest: {largest} papers); {len(data['isolated'])} papers not linked to another "
        "listed paper.",
        markup=False,
    )
    missing = data["without_citations"]
    if missing:
        out.print(
            f"Without citation data ({len(missing)}): {_names(missing)}. "
            "Run 'readinglist sync' to fetch citations.",
            markup=False,
        )
    else:
        out.print("Every paper has citation data.", markup=False)


# ---------------------------------------------------------------- suggest


@cli.command("suggest")
@click.option("--topic", help="Count only citations by this topic's papers (its slug).")
@click.option(
    "--min-cites",
    "min_cites",
    type=click.IntRange(min=1),
    default=2,
    show_default=True,
    help="How many listed papers must cite an outside paper.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the suggestions as JSON on stdout.")
@click.pass_obj
def suggest_command(obj: Context, topic: str | None, min_cites: int, as_json: bool) -> None:
    """Suggest readings: papers outside the list cited by at least K listed papers, most
    cited first, with the listed papers that cite them.

    \b
    Example:
      readinglist suggest --min-cites 3
      readinglist suggest --topic ntk --json
    """
    from readinglist.graph import suggest

    library = obj.load().library
    found = suggest(library, min_cites=min_cites, topic=topic)
    if as_json:
        emit_json(
            [
                {
                    "id": s.id,
                    "title": s.title,
                    "year": s.year,
                    "ids": dict(sorted(s.ids.items())),
                    "cited_by": list(s.cited_by),
                    "topics": list(s.topics),
                }
                for s in found
            ]
        )
        if not found:
            err_console().print(_nothing(library, min_cites, topic), markup=False)
        return
    out = out_console()
    if not found:
        out.print(_nothing(library, min_cites, topic), markup=False)
        return
    from rich.table import Table
    from rich.text import Text

    from readinglist.latex import strip_control

    table = Table(title="Papers outside the list, most cited first", title_justify="left")
    table.add_column("citing", justify="right", no_wrap=True)
    table.add_column("title")
    table.add_column("year", justify="right", no_wrap=True)
    table.add_column("id", overflow="fold")
    table.add_column("cited by")
    for s in found:
        table.add_row(
            str(len(s.cited_by)),
            Text(strip_control(s.title)),
            str(s.year or ""),
            Text(s.id),
            Text(_names(s.cited_by, 5)),
        )
    out.print(table)


def _nothing(library: Library, min_cites: int, topic: str | None) -> str:
    """A helpful line for when no outside paper qualifies."""
    papers = library.papers
    if not any(c.citing in papers and c.cited not in papers for c in library.citations):
        return (
            "No citation data about papers outside the list yet: run 'readinglist sync' to "
            "fetch citations from Semantic Scholar, then try again."
        )
    scope = f" of topic {topic}" if topic else ""
    hint = f"; try --min-cites {min_cites - 1}" if min_cites > 1 else ""
    return f"No paper outside the list is cited by {min_cites} or more listed papers{scope}{hint}."
