"""``graph``, ``stats`` and ``suggest`` on a copy of the bundled course."""

from __future__ import annotations

import io
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import networkx as nx
import pytest
from click.testing import Result

from readinglist.model import Citation, ExternalPaper
from readinglist.synced import dump_citations, parse_citations

Run = Callable[..., Result]
CITATIONS = Path("bib/synced/citations.json")


def stdout_of(result: Result, code: int = 0) -> str:
    assert result.exit_code == code, result.output
    return result.stdout


@pytest.fixture
def with_outside(course: Path) -> Path:
    """The course with citation data naming papers outside the list.

    arxiv:2101.00001 is cited by three ntk papers and one generalization paper;
    doi:10.1000/xyz by two generalization papers; arxiv:2202.00002 by one ntk paper.
    """
    citations, external = parse_citations((course / CITATIONS).read_text(encoding="utf-8"))
    new = [
        Citation(k, "arxiv:2101.00001", "semanticscholar")
        for k in ("jacot2018", "du2018", "allenzhu2019", "bartlett2017")
    ]
    new += [
        Citation(k, "doi:10.1000/xyz", "semanticscholar") for k in ("zhang2017", "golowich2018")
    ]
    new += [Citation("jacot2018", "arxiv:2202.00002", "semanticscholar")]
    external = {
        "arxiv:2101.00001": ExternalPaper(
            "arxiv:2101.00001", "Wide networks, briefly", 2021, {"arxiv": "2101.00001"}
        ),
        "doi:10.1000/xyz": ExternalPaper(
            "doi:10.1000/xyz", "A margin story", 2019, {"doi": "10.1000/xyz", "s2": "f00"}
        ),
        "arxiv:2202.00002": ExternalPaper("arxiv:2202.00002", "Cited once", 2022, {}),
    }
    text = dump_citations(list(citations) + new, external)
    (course / CITATIONS).write_text(text, encoding="utf-8")
    return course


# ---------------------------------------------------------------- stats


def test_zhang2017_is_the_most_cited_in_the_curated_data(course: Path) -> None:
    data = json.loads((course / CITATIONS).read_text(encoding="utf-8"))
    counts = Counter(c["cited"] for c in data["citations"])
    (top, n), (_, runner_up) = counts.most_common(2)
    assert (top, n) == ("zhang2017", 7)
    assert runner_up < n


def test_stats_shows_zhang2017_first(run: Run, course: Path) -> None:
    out = stdout_of(run("--root", course, "stats"))
    assert out.startswith("59 papers, 8 topics, 13 lectures; 36 citations (36 within the list)")
    assert "Most cited within the list" in out
    rows = [line for line in out.splitlines() if line.startswith("│")]
    assert "zhang2017" in rows[0]
    assert rows[0].split("│")[1].strip() == "1"
    assert rows[0].split("│")[4].strip() == "7"
    assert "Without citation data (42):" in out
    assert "Components: 4 groups" in out


def test_stats_json_shape(run: Run, course: Path) -> None:
    data = json.loads(stdout_of(run("--root", course, "stats", "--json")))
    assert {k: data[k] for k in ("papers", "topics", "lectures", "citations")} == {
        "papers": 59,
        "topics": 8,
        "lectures": 13,
        "citations": 36,
    }
    assert (data["citations_within"], data["external_papers"]) == (36, 0)
    top = data["most_cited"][0]
    assert set(top) >= {"key", "title", "year", "topic", "cited_within", "pagerank"}
    assert (top["key"], top["cited_within"]) == ("zhang2017", 7)
    assert 0 < top["pagerank"] < 1
    assert len(data["most_cited"]) == 10
    assert [s["cited_within"] for s in data["most_cited"]] == sorted(
        (s["cited_within"] for s in data["most_cited"]), reverse=True
    )
    papers = [k for c in data["components"] for k in c]
    assert sorted(papers) == sorted(set(papers)) and len(papers) == 59
    assert data["linked_components"] == 4
    assert len(data["without_citations"]) == 42
    assert "zhang2017" in data["without_citations"]  # it cites no listed paper
    assert data["cross_topic_citations"] > 0
    assert all(len(b["topics"]) >= 1 for b in data["bridge_papers"])


def test_stats_top(run: Run, course: Path) -> None:
    data = json.loads(stdout_of(run("--root", course, "stats", "--json", "--top", "3")))
    assert [p["key"] for p in data["most_cited"]] == ["zhang2017", "cybenko1989", "neyshabur2014"]
    assert stdout_of(run("--root", course, "stats", "--top", "0"), 2) == ""


def test_stats_counts_outside_papers(run: Run, with_outside: Path) -> None:
    data = json.loads(stdout_of(run("--root", with_outside, "stats", "--json")))
    assert (data["citations"], data["citations_within"], data["external_papers"]) == (43, 36, 3)


def test_stats_without_any_citation(run: Run, course: Path) -> None:
    (course / CITATIONS).unlink()
    out = stdout_of(run("--root", course, "stats"))
    assert "No paper is cited by another paper of the list." in out
    assert "Without citation data (59)" in out
    assert "and 49 more" in out


def test_stats_is_byte_identical_across_runs(run: Run, course: Path) -> None:
    for args in (("stats",), ("stats", "--json")):
        first = stdout_of(run("--root", course, *args))
        assert stdout_of(run("--root", course, *args)) == first


# ---------------------------------------------------------------- graph


def test_graph_json_parses_and_is_identical_across_runs(run: Run, course: Path) -> None:
    first = stdout_of(run("--root", course, "graph"))
    assert stdout_of(run("--root", course, "graph", "--format", "json")) == first
    data = json.loads(first)
    assert data["directed"] and data["multigraph"]
    ids = {n["id"] for n in data["nodes"]}
    assert "paper:zhang2017" in ids and "topic:ntk" in ids and "lecture:13" in ids
    cites = [e for e in data["links"] if e["kind"] == "cites"]
    assert len(cites) == 36
    assert all(e["source"] in ids and e["target"] in ids for e in data["links"])


def test_graph_json_to_a_file(run: Run, course: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.json"
    assert stdout_of(run("--root", course, "graph", "-o", out)) == ""
    assert out.read_text(encoding="utf-8") == stdout_of(run("--root", course, "graph"))
    back = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="links")
    assert back.is_multigraph()
    assert back.has_edge("paper:arora2019fine", "paper:zhang2017", key="cites")


def test_graph_graphml_reads_back(run: Run, course: Path, tmp_path: Path) -> None:
    out = tmp_path / "course.graphml"
    stdout_of(run("--root", course, "graph", "--format", "graphml", "-o", out))
    g = nx.read_graphml(out, force_multigraph=True)
    kinds = Counter(d["kind"] for _, d in g.nodes(data=True))
    assert (kinds["paper"], kinds["topic"], kinds["lecture"]) == (59, 8, 13)
    assert kinds["author"] > 50
    assert g.nodes["paper:zhang2017"]["year"] == 2016
    (edge,) = g["paper:bartlett2017"]["paper:zhang2017"].values()
    assert (edge["kind"], edge["evidence"]) == ("cites", "explicit")
    first = out.read_bytes()
    stdout_of(run("--root", course, "graph", "--format", "graphml", "-o", out))
    assert out.read_bytes() == first


def test_graph_gexf_reads_back(run: Run, course: Path) -> None:
    text = stdout_of(run("--root", course, "graph", "--format", "gexf"))
    g = nx.read_gexf(io.BytesIO(text.encode("utf-8")))
    assert "paper:zhang2017" in g
    assert g.has_edge("paper:arora2019fine", "paper:zhang2017")
    assert stdout_of(run("--root", course, "graph", "--format", "gexf")) == text


def test_graph_with_outside_papers(run: Run, with_outside: Path) -> None:
    data = json.loads(stdout_of(run("--root", with_outside, "graph")))
    nodes = {n["id"]: n for n in data["nodes"]}
    outside = nodes["external:doi:10.1000/xyz"]
    assert (outside["kind"], outside["title"], outside["doi"], outside["s2"]) == (
        "external",
        "A margin story",
        "10.1000/xyz",
        "f00",
    )


def test_graph_bad_format_is_a_usage_error(run: Run, course: Path) -> None:
    result = run("--root", course, "graph", "--format", "dot")
    assert result.exit_code == 2
    assert "dot" in result.stderr


def test_graph_cannot_write_the_output(run: Run, course: Path, tmp_path: Path) -> None:
    result = run("--root", course, "graph", "-o", tmp_path / "no" / "such" / "dir" / "g.json")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "g.json" in lines[0]


# ---------------------------------------------------------------- suggest


def test_suggest_min_cites_1_without_outside_data(run: Run, course: Path) -> None:
    out = stdout_of(run("--root", course, "suggest", "--min-cites", "1"))
    assert "readinglist sync" in out
    result = run("--root", course, "suggest", "--json")
    assert json.loads(stdout_of(result)) == []
    assert "readinglist sync" in result.stderr


def test_suggest_json(run: Run, with_outside: Path) -> None:
    data = json.loads(stdout_of(run("--root", with_outside, "suggest", "--json")))
    assert data == [
        {
            "id": "arxiv:2101.00001",
            "title": "Wide networks, briefly",
            "year": 2021,
            "ids": {"arxiv": "2101.00001"},
            "cited_by": ["allenzhu2019", "bartlett2017", "du2018", "jacot2018"],
            "topics": ["ntk", "generalization"],
        },
        {
            "id": "doi:10.1000/xyz",
            "title": "A margin story",
            "year": 2019,
            "ids": {"doi": "10.1000/xyz", "s2": "f00"},
            "cited_by": ["golowich2018", "zhang2017"],
            "topics": ["generalization"],
        },
    ]


def test_suggest_min_cites(run: Run, with_outside: Path) -> None:
    three = json.loads(
        stdout_of(run("--root", with_outside, "suggest", "--json", "--min-cites", "3"))
    )
    assert [s["id"] for s in three] == ["arxiv:2101.00001"]
    one = json.loads(
        stdout_of(run("--root", with_outside, "suggest", "--json", "--min-cites", "1"))
    )
    assert [s["id"] for s in one] == ["arxiv:2101.00001", "doi:10.1000/xyz", "arxiv:2202.00002"]
    assert one[2]["ids"] == {"arxiv": "2202.00002"}  # no ids stored: the id says it


def test_suggest_per_topic(run: Run, with_outside: Path) -> None:
    ntk = json.loads(stdout_of(run("--root", with_outside, "suggest", "--topic", "ntk", "--json")))
    assert [(s["id"], s["cited_by"]) for s in ntk] == [
        ("arxiv:2101.00001", ["allenzhu2019", "du2018", "jacot2018"])
    ]
    gen = json.loads(
        stdout_of(run("--root", with_outside, "suggest", "--topic", "generalization", "--json"))
    )
    assert [s["id"] for s in gen] == ["doi:10.1000/xyz"]


def test_suggest_table(run: Run, with_outside: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # titles unwrapped
    out = stdout_of(run("--root", with_outside, "suggest"))
    assert "Wide networks, briefly" in out and "A margin story" in out
    assert out.index("Wide networks") < out.index("A margin story")
    assert "Cited once" not in out
    assert stdout_of(run("--root", with_outside, "suggest")) == out


def test_suggest_nothing_qualifies(run: Run, with_outside: Path) -> None:
    out = stdout_of(run("--root", with_outside, "suggest", "--min-cites", "5"))
    assert out.strip() == (
        "No paper outside the list is cited by 5 or more listed papers; try --min-cites 4."
    )
    out = stdout_of(
        run("--root", with_outside, "suggest", "--topic", "landscape", "--min-cites", "1")
    )
    assert "of topic landscape" in out and "try --min-cites" not in out


def test_suggest_unknown_topic(run: Run, course: Path) -> None:
    result = run("--root", course, "suggest", "--topic", "nope")
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: unknown topic 'nope'; topics: approximation, ")


def test_suggest_min_cites_must_be_positive(run: Run, course: Path) -> None:
    result = run("--root", course, "suggest", "--min-cites", "0")
    assert result.exit_code == 2


def test_commands_need_a_course(run: Run, tmp_path: Path) -> None:
    for command in ("graph", "stats", "suggest"):
        result = run("--root", tmp_path, command)
        assert result.exit_code == 2
        assert len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("command", ["graph", "stats", "suggest"])
def test_help_has_an_example(run: Run, command: str) -> None:
    out = stdout_of(run(command, "--help"))
    assert "Example:" in out
    assert f"readinglist {command}" in out


def test_titles_print_as_written(
    run: Run, with_outside: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Square brackets are rich markup; a title must never be read as markup.
    monkeypatch.setenv("COLUMNS", "200")
    path = with_outside / CITATIONS
    citations, external = parse_citations(path.read_text(encoding="utf-8"))
    hostile = "Bounds [1/2] and [bold]not bold[/bold] [/x]"
    external["arxiv:2101.00001"] = ExternalPaper("arxiv:2101.00001", hostile, 2021, {})
    path.write_text(dump_citations(list(citations), external), encoding="utf-8")
    out = stdout_of(run("--root", with_outside, "suggest"))
    assert hostile in out
    bib = with_outside / "bib" / "generalization.bib"
    text = bib.read_text(encoding="utf-8")
    old = "Understanding deep learning requires rethinking generalization"
    assert old in text
    bib.write_text(text.replace(old, "Understanding [deep] learning [/i]"), encoding="utf-8")
    out = stdout_of(run("--root", with_outside, "stats"))
    assert "Understanding [deep] learning [/i]" in out
