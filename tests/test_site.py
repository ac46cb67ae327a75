"""The course site: the plugin's pages, downloads, feed, safety, and `readinglist build`.

Sites are built into tmp from copies of the bundled course (never into the repo); the
bundled site is built once per module and shared by the read-only tests.
"""

from __future__ import annotations

import contextlib
import html
import json
import posixpath
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from readinglist.model import (
    ArxivRecord,
    Candidate,
    Change,
    Citation,
    ExternalPaper,
    Publication,
)
from readinglist.site import markup
from readinglist.site.graphdata import to_json
from readinglist.site.markup import Layout, assign_slugs, math_html, safe_url, text_html
from readinglist.site.render import element_ids
from readinglist.site.run import build
from readinglist.store import load_library
from readinglist.synced import (
    dump_arxiv,
    dump_candidates,
    dump_changes,
    dump_citations,
    dump_publications,
    parse_citations,
)

REPO = Path(__file__).resolve().parents[1]
ATOM = "{http://www.w3.org/2005/Atom}"

HOSTILE_TITLE = "<script>alert(1)</script> Hostile $x_1 < y^2$ & <img src=x onerror=alert(2)>"
HOSTILE_LECTURE = "<script>alert(7)</script> Universal approximation"
HOSTILE_TOPIC = "NTK <img src=x onerror=alert(8)>"


# ---------------------------------------------------------------- course copies


def copy_course(dest: Path) -> Path:
    """A copy of the bundled course folder (bib/, docs/, mkdocs.yml) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "bib", dest / "bib")
    shutil.copytree(REPO / "docs", dest / "docs")
    shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


def append_bib(root: Path, name: str, text: str) -> None:
    path = root / "bib" / name
    path.write_text(path.read_text(encoding="utf-8") + "\n" + text, encoding="utf-8")


def edit_course(root: Path, old: str, new: str) -> None:
    path = root / "bib" / "course.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def make_hostile(root: Path) -> None:
    """Put markup and script into a title, an abstract, a venue, a URL, a lecture and a topic."""
    append_bib(
        root,
        "ntk.bib",
        "@article{evil2024,\n"
        "  author = {Mallory, Eve and Trent, <b>Bob</b>},\n"
        f"  title = {{{HOSTILE_TITLE}}},\n"
        "  abstract = {We show <script>alert(3)</script> that $\\frac{a}{b} < c$ and"
        " <img src=x onerror=alert(4)>. Also </details></div><script>alert(5)</script>.},\n"
        "  journal = {Journal of </div><script>alert(6)</script>},\n"
        "  year = {2024},\n"
        "  url = {javascript:alert(9)},\n"
        "}\n",
    )
    edit_course(
        root,
        "title: Universal approximation and Barron's theorem",
        f'title: "{HOSTILE_LECTURE}"',
    )
    edit_course(root, "required: [cybenko1989, barron1993, jones1992]",
                "required: [cybenko1989, barron1993, jones1992, evil2024]")  # fmt: skip
    edit_course(
        root,
        "title: Neural tangent kernels and over-parameterization",
        f'title: "{HOSTILE_TOPIC}"',
    )


def write_synced(root: Path, external_citers: tuple[str, ...] = ("jacot2018", "du2018")) -> None:
    """Sync data as `readinglist sync` stores it: arXiv records, publications, news,
    and citations of a paper outside the list."""
    synced = root / "bib" / "synced"
    synced.mkdir(exist_ok=True)
    citations, external = parse_citations((synced / "citations.json").read_text("utf-8"))
    citations += tuple(
        Citation(citing=key, cited="doi:10.1000/xyz", evidence="semanticscholar")
        for key in external_citers
    )
    external["doi:10.1000/xyz"] = ExternalPaper(
        id="doi:10.1000/xyz",
        title="Deep <i>learning</i> with $\\alpha$",
        year=2016,
        ids={"doi": "10.1000/xyz"},
    )
    (synced / "citations.json").write_text(dump_citations(citations, external), "utf-8")
    arxiv = {
        "jacot2018": ArxivRecord(
            id="1806.07572",
            version=4,
            title="Neural Tangent Kernel: Convergence and Generalization in Neural Networks",
            authors=("Arthur Jacot", "Franck Gabriel", "Clément Hongler"),
            abstract="At initialization, artificial neural networks are equivalent to Gaussian"
            " processes in the infinite-width limit $n \\to \\infty$, with kernel"
            " $\\Theta^{(L)}_{x_1}$; a bad formula $\\frac{1$ stays source.",
            published="2018-06-20T00:00:00Z",
            updated="2020-02-10T00:00:00Z",
            categories=("cs.LG", "stat.ML"),
        ),
        "du2018": ArxivRecord(
            id="1810.02054",
            version=2,
            title="Gradient Descent Provably Optimizes Over-parameterized Neural Networks",
            authors=("Simon S. Du",),
            abstract="One of the mysteries in the success of neural networks.",
            comment="This paper has been withdrawn",
        ),
    }
    (synced / "arxiv.json").write_text(dump_arxiv(arxiv), encoding="utf-8")
    pubs = {"li2018sgd": Publication(venue="NeurIPS 2018", year=2018, kind="conference")}
    (synced / "publications.json").write_text(dump_publications(pubs), encoding="utf-8")
    candidates = [
        Candidate(
            arxiv="2401.00001",
            title="A New Tangent Kernel Bound with $O(\\sqrt{n})$ Width",
            topic="ntk",
            score=0.91,
            published="2024-01-02",
            authors=("Ada Lovelace",),
            abstract="We prove <b>things</b>.",
        ),
    ]
    (synced / "candidates.json").write_text(dump_candidates(candidates), encoding="utf-8")
    changes = [
        Change(date="2024-01-05", kind="new-version", key="jacot2018", detail="v3 -> v4"),
        Change(date="2024-01-05", kind="published", key="li2018sgd", detail="NeurIPS 2018"),
        Change(date="2024-01-03", kind="withdrawn", key="du2018"),
        Change(
            date="2024-01-02",
            kind="candidate",
            key="2401.00001",
            detail="ntk",
            url="https://arxiv.org/abs/2401.00001",
        ),
    ]
    (synced / "changes.json").write_text(dump_changes(changes), encoding="utf-8")


@dataclass(frozen=True)
class Built:
    """A course folder and the site built from it."""

    root: Path
    site: Path

    def text(self, rel: str) -> str:
        return (self.site / rel).read_text(encoding="utf-8")

    def files(self, *suffixes: str) -> Iterator[Path]:
        for path in sorted(self.site.rglob("*")):
            if path.is_file() and (not suffixes or path.suffix in suffixes):
                yield path


def build_copy(tmp: Path, *changes: object) -> Built:
    root = copy_course(tmp / "course")
    for change in changes:
        change(root)  # type: ignore[operator]
    site = build(root, site_dir=tmp / "site")
    return Built(root, site)


@pytest.fixture(scope="module")
def isolated_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # conftest's autouse isolation is per test; module fixtures need their own.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READINGLIST_CACHE_DIR", str(tmp_path_factory.mktemp("site-cache")))
        yield


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory, isolated_cache: None) -> Built:
    """The bundled course, built once."""
    return build_copy(tmp_path_factory.mktemp("bundled"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, isolated_cache: None) -> Built:
    """The bundled course with hostile strings, built once."""
    return build_copy(tmp_path_factory.mktemp("hostile"), make_hostile)


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory, isolated_cache: None) -> Built:
    """The bundled course with sync data (abstracts, versions, news), built once."""
    return build_copy(tmp_path_factory.mktemp("synced"), write_synced)


# ---------------------------------------------------------------- HTML helpers


class _Links(HTMLParser):
    """Collects (tag, attribute, value) of every URL-bearing attribute, and the links
    inside the primary navigation."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.urls: list[tuple[str, str, str, dict[str, str]]] = []
        self.nav_links: list[str] = []
        self.nav_text: list[str] = []
        self._depth = 0  # depth inside the primary nav, 0 = outside
        self._title: list[str] | None = None
        self.title = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        for name in ("src", "href", "data", "poster", "srcset"):
            if name in values:
                self.urls.append((tag, name, values[name], values))
        if self._depth:
            if tag not in ("br", "img", "input", "meta", "link"):
                self._depth += 1
            if tag == "a":
                self.nav_links.append(values.get("href", ""))
        elif "md-nav--primary" in values.get("class", "").split():
            self._depth = 1
        if tag == "title":
            self._title = []

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1
        if tag == "title" and self._title is not None:
            self.title = "".join(self._title)
            self._title = None

    def handle_data(self, data: str) -> None:
        if self._title is not None:
            self._title.append(data)
        if self._depth:
            self.nav_text.append(data)


def parse(text: str) -> _Links:
    parser = _Links()
    parser.feed(text)
    return parser


def raw_title(text: str) -> str:
    m = re.search(r"<title>(.*?)</title>", text, re.S)
    assert m
    return m.group(1)


def primary_nav(text: str) -> str:
    """The raw HTML of the primary navigation (Material's left sidebar)."""
    start = text.index('class="md-nav md-nav--primary"')
    end = text.index('<div class="md-sidebar md-sidebar--secondary"', start)
    return text[start:end]


# ---------------------------------------------------------------- pages


def test_every_page_and_file_is_generated(bundled: Built) -> None:
    library = load_library(bundled.root).library
    assert len(library.papers) == 59 and len(library.lectures) == 13
    expected = [
        "index.html", "lectures/index.html", "topics/index.html", "papers/index.html",
        "authors.html", "graph.html", "missing.html", "new.html", "downloads.html",
        "using.html", "feed.xml", "downloads/all.bib", "downloads/all.json",
        "downloads/graph.graphml", "assets/readinglist/vis-network.min.js",
        "assets/readinglist/vis-network.min.css", "assets/readinglist/graph-data.js",
        "assets/readinglist/graph.js", "assets/readinglist/readinglist.css",
    ]  # fmt: skip
    expected += [f"lectures/{lec.number}.html" for lec in library.lectures]
    expected += [f"downloads/lecture-{lec.number}.bib" for lec in library.lectures]
    expected += [f"topics/{t.slug}.html" for t in library.topics]
    expected += [f"downloads/topic-{t.slug}.bib" for t in library.topics]
    expected += [f"papers/{key}.html" for key in library.papers]
    missing = [rel for rel in expected if not (bundled.site / rel).is_file()]
    assert missing == []
    assert len(list((bundled.site / "papers").glob("*.html"))) == 59 + 1


def test_nothing_is_written_into_docs_or_the_course(bundled: Built) -> None:
    assert sorted(p.name for p in (bundled.root / "docs").iterdir()) == sorted(
        p.name for p in (REPO / "docs").iterdir()
    )
    assert not (bundled.root / "site").exists()


def test_nav_lists_site_pages_but_no_paper_page(bundled: Built) -> None:
    library = load_library(bundled.root).library
    papers = {f"papers/{key}.html" for key in library.papers}
    for rel in ("index.html", "lectures/7.html", "papers/jacot2018.html", "graph.html"):
        hrefs = parse(bundled.text(rel)).nav_links
        # Site-relative targets of the nav's links, whatever page they are on.
        links = {posixpath.normpath(posixpath.join(posixpath.dirname(rel), h)) for h in hrefs}
        assert not papers & links, rel
        assert {
            "papers/index.html",
            "lectures/7.html",
            "topics/ntk.html",
            "graph.html",
            "using.html",
            "downloads.html",
            "new.html",
            "missing.html",
        } <= links, rel
        assert len(links) < 45, "the nav grows with the list; it must not"


def test_home_shows_handwritten_intro_course_facts_and_schedule(bundled: Built) -> None:
    text = bundled.text("index.html")
    assert "This is the reading list of the seminar" in text  # docs/index.md
    assert "Ankur Moitra" in text and "Spring 2021" in text
    assert "About this schedule" in text
    assert "this project's example schedule" in html.unescape(text)
    assert "readinglist:schedule" not in text and "readinglist:course" not in text
    table = text[text.index("<table>") : text.index("</table>")]
    assert table.count("<tr>") == 13 + 1
    assert 'href="lectures/7.html"' in table and "Wed 31 Mar 2021" in table
    assert 'href="topics/ntk.html"' in table


def test_home_is_generated_without_a_handwritten_index(tmp_path: Path) -> None:
    built = build_copy(tmp_path, lambda root: (root / "docs" / "index.md").unlink())
    text = built.text("index.html")
    assert "About this schedule" in text and "Ankur Moitra" in text
    assert text.count('href="lectures/13.html"') >= 2  # schedule table and nav


def test_lecture_page_lists_readings_order_and_bib(bundled: Built) -> None:
    library = load_library(bundled.root).library
    lecture = library.lecture(7)
    assert lecture is not None
    text = bundled.text("lectures/7.html")
    assert raw_title(text).startswith("Lecture 7: Neural tangent kernels I")
    assert "Required readings" in text and "Optional readings" in text
    for key in lecture.keys:
        assert f'href="../papers/{key}.html"' in text
    assert "Neural Tangent Kernel: Convergence and Generalization" in text
    assert "Arthur Jacot, Franck Gabriel and Clément Hongler" in text
    assert 'href="https://arxiv.org/abs/1806.07572"' in text
    assert 'href="https://arxiv.org/pdf/1806.07572"' in text
    assert "Suggested reading order" in text
    assert 'href="../downloads/lecture-7.bib"' in text
    assert 'href="6.html"' in text and 'href="8.html"' in text


def test_topic_page_has_description_papers_and_most_cited(bundled: Built) -> None:
    text = bundled.text("topics/ntk.html")
    assert "Very wide networks trained by gradient descent" in text
    assert "Most cited within the list" in text
    assert 'href="../papers/jacot2018.html"' in text
    assert 'href="../downloads/topic-ntk.bib"' in text
    assert "New candidates" not in text  # no tracking data in the bundled course


def test_paper_page_has_metadata_citations_lectures_and_bibtex(bundled: Built) -> None:
    text = bundled.text("papers/jacot2018.html")
    assert "Neural Tangent Kernel" in raw_title(text)
    assert "Advances in Neural Information Processing Systems 31" in text
    assert 'href="../lectures/7.html"' in text
    assert "Cited by</strong> (2)" in text
    assert 'href="../papers/chizat2019lazy.html"' not in text  # same folder: no ../papers
    assert 'href="chizat2019lazy.html"' in text
    assert 'href="../authors.html#author-' in text
    # A fenced bibtex block, so Material adds its copy button to it.
    block = text[text.index('id="bibtex"') :]
    assert re.search(
        r'<div class="highlight"><pre><span></span><code><span class="nc">@inproceedings', block
    )
    assert "jacot2018" in text and "archivePrefix" in text
    assert "bib/ntk.bib:4" in text


def test_authors_index_lists_everyone_with_anchors(bundled: Built) -> None:
    text = bundled.text("authors.html")
    assert "Arthur Jacot" in text and 'href="papers/jacot2018.html"' in text
    anchors = re.findall(r'<li id="(author-[^"]+)"', text)
    assert len(anchors) == len(set(anchors)) > 50
    paper = bundled.text("papers/jacot2018.html")
    for anchor in re.findall(r'href="\.\./authors\.html#(author-[^"]+)"', paper):
        assert anchor in anchors


def test_graph_page_embeds_one_node_per_paper(bundled: Built) -> None:
    text = bundled.text("graph.html")
    assert '<script src="assets/readinglist/vis-network.min.js"></script>' in text
    assert '<script src="assets/readinglist/graph-data.js"></script>' in text
    assert '<select id="rl-topic">' in text and '<select id="rl-lecture">' in text
    script = bundled.text("assets/readinglist/graph-data.js")
    prefix = "window.READINGLIST_GRAPH = "
    assert script.startswith(prefix) and script.endswith(";\n")
    data = json.loads(script[len(prefix) : -2])
    assert len(data["nodes"]) == 59 and len(data["topics"]) == 8
    urls = {n["url"] for n in data["nodes"]}
    assert "papers/jacot2018.html" in urls
    assert all((bundled.site / u).is_file() for u in urls)
    jacot = next(n for n in data["nodes"] if n["key"] == "jacot2018")
    assert jacot["cited"] == 2 and jacot["lectures"] == [7]
    assert data["edges"]
    vis = bundled.site / "assets/readinglist/vis-network.min.js"
    assert vis.stat().st_size > 100_000


def test_missing_page_without_outside_citations(bundled: Built) -> None:
    # The bundled citations are all between listed papers: nothing to suggest.
    text = bundled.text("missing.html")
    assert "No paper outside the list is cited by a listed paper" in text


def test_missing_page_lists_suggestions_and_says_which_threshold(synced: Built) -> None:
    text = synced.text("missing.html")
    assert "at least 2 listed papers" in text
    row = text[text.index("<tbody>") : text.index("</tbody>")]
    assert row.count("<tr>") == 1
    assert "Deep &lt;i&gt;learning&lt;/i&gt;" in row and "<math" in row
    assert 'href="https://doi.org/10.1000/xyz"' in row
    assert 'href="papers/jacot2018.html"' in row and 'href="papers/du2018.html"' in row


def test_missing_page_falls_back_to_one_citation(tmp_path: Path) -> None:
    def one(root: Path) -> None:
        write_synced(root, external_citers=("jacot2018",))

    text = build_copy(tmp_path, one).text("missing.html")
    assert "lowers the bar to one" in text and "Deep &lt;i&gt;learning" in text


def test_whats_new_and_feed_without_sync_data(bundled: Built) -> None:
    assert "Nothing yet" in bundled.text("new.html")
    feed = ET.fromstring((bundled.site / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed" and feed.findall(f"{ATOM}entry") == []


def test_search_index_is_lean(bundled: Built) -> None:
    index = json.loads(bundled.text("search/search_index.json"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    for excluded in ("graph.html", "downloads.html", "authors.html", "papers/index.html"):
        assert excluded not in locations
    assert "papers/jacot2018.html" in locations and "lectures/7.html" in locations
    assert (bundled.site / "search/search_index.json").stat().st_size < 1_000_000


def test_search_entry_of_a_paper_is_its_title_authors_and_abstract(synced: Built) -> None:
    index = json.loads(synced.text("search/search_index.json"))
    docs = [d for d in index["docs"] if d["location"].startswith("papers/jacot2018.html")]
    # One entry, at the page itself: not one per section, not the papers it cites.
    assert [d["location"] for d in docs] == ["papers/jacot2018.html"]
    entry = docs[0]
    assert entry["title"].startswith("Neural Tangent Kernel: Convergence and Generalization")
    assert "Arthur Jacot" in entry["text"]
    assert "At initialization, artificial neural" in entry["text"]
    assert "jacot2018" in entry["text"] and "1806.07572" in entry["text"]
    assert "Lazy Training" not in entry["text"]  # chizat2019lazy cites it: not its words
    assert "@inproceedings" not in entry["text"]  # nor its BibTeX
    topic = [d for d in index["docs"] if d["location"].startswith("topics/ntk.html")]
    assert topic and not any("Lazy Training" in d["text"] for d in topic)


def test_generated_pages_have_markdown_headings_toc_and_anchors(bundled: Built) -> None:
    # Generated pages skip Python-Markdown; their headings look as the toc extension's.
    text = bundled.text("papers/jacot2018.html")
    assert (
        '<h2 id="details">Details<a class="headerlink" href="#details" '
        'title="Permanent link">&para;</a></h2>'
    ) in text
    toc = text[text.index('<nav class="md-nav md-nav--secondary"') :]
    toc = toc[: toc.index("</nav>")]
    for anchor in ("read-in", "citations-within-the-list", "details", "bibtex"):
        assert f'href="#{anchor}"' in toc
    lecture = bundled.text("lectures/7.html")
    assert '<h2 id="required-readings">Required readings<a class="headerlink"' in lecture
    assert "<p><div" not in lecture and "<p></p>" not in lecture


_ID_ATTRIBUTE = re.compile(r'\sid="([^"]+)"')


_ID_PIECES = [" ", "\t", "\n", "\x1c", "\xa0", "\u2028", 'id="', '"', "x", "=", "i", "d", "<a"]


@given(st.lists(st.sampled_from(_ID_PIECES), max_size=24).map("".join))
@settings(max_examples=3000, deadline=None)
def test_element_ids_finds_what_the_id_regex_finds(text: str) -> None:
    assert element_ids(text) == set(_ID_ATTRIBUTE.findall(text))


def test_element_ids_of_built_pages_are_the_regex_ones(bundled: Built) -> None:
    pages = sorted(bundled.site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        text = path.read_text(encoding="utf-8")
        assert element_ids(text) == set(_ID_ATTRIBUTE.findall(text)), path


def test_heading_style_follows_the_toc_options() -> None:
    plain = markup.Headings(markup.HeadingStyle.from_config({}))
    assert str(plain(2, "What's new")) == '<h2 id="whats-new">What\'s new</h2>'
    assert str(plain(2, "What's new")).startswith('<h2 id="whats-new_1">')
    hashed = markup.Headings(markup.HeadingStyle.from_config({"permalink": "#", "toc_depth": 2}))
    assert str(hashed(2, "A <b>")) == (
        '<h2 id="a-b">A &lt;b&gt;'
        '<a class="headerlink" href="#a-b" title="Permanent link">#</a></h2>'
    )
    hashed(3, "Deeper")
    assert hashed.toc() == [{"level": 2, "id": "a-b", "name": "A &lt;b&gt;", "children": []}]


def test_paper_navigation_rendered_once_is_what_material_renders(
    bundled: Built, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readinglist.site import navcache

    monkeypatch.setattr(navcache, "install", lambda env, key: False)
    plain = build(bundled.root, site_dir=tmp_path / "uncached")
    for rel in ("papers/jacot2018.html", "papers/du2018.html", "lectures/7.html", "index.html"):
        assert (plain / rel).read_text(encoding="utf-8") == bundled.text(rel), rel


# ---------------------------------------------------------------- downloads


def test_lecture_bib_is_byte_identical_to_export(bundled: Built, run) -> None:  # type: ignore[no-untyped-def]
    library = load_library(bundled.root).library
    for lecture in library.lectures:
        result = run("--root", bundled.root, "export", "--lecture", lecture.number)
        assert result.exit_code == 0
        site = (bundled.site / f"downloads/lecture-{lecture.number}.bib").read_bytes()
        assert site == result.stdout_bytes, lecture.number
        assert site.count(b"\n@") + site.startswith(b"@") == len(lecture.keys)


def test_other_downloads_match_export(bundled: Built, run) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", bundled.root, "export", "--all")
    assert (bundled.site / "downloads/all.bib").read_bytes() == result.stdout_bytes
    result = run("--root", bundled.root, "export", "--all", "--format", "csl-json")
    assert (bundled.site / "downloads/all.json").read_bytes() == result.stdout_bytes
    assert len(json.loads(result.stdout)) == 59
    result = run("--root", bundled.root, "export", "--topic", "ntk")
    assert (bundled.site / "downloads/topic-ntk.bib").read_bytes() == result.stdout_bytes
    graphml = ET.fromstring((bundled.site / "downloads/graph.graphml").read_bytes())
    assert graphml.tag.endswith("graphml")


# ---------------------------------------------------------------- offline and private


_RESOURCE_TAGS = {"script", "link", "img", "iframe", "source", "video", "audio", "embed",
                  "object", "track", "image", "use", "input"}  # fmt: skip


def test_no_resource_is_loaded_from_another_host(bundled: Built) -> None:
    outside = re.compile(r"^(https?:)?//", re.I)
    for path in bundled.files(".html"):
        for tag, attr, value, attrs in parse(path.read_text(encoding="utf-8")).urls:
            if tag == "a":
                continue  # a link people click, not something the page loads
            if tag == "link" and attrs.get("rel") in ("canonical", "alternate"):
                continue
            if tag in _RESOURCE_TAGS:
                assert not outside.match(value), f"{path}: <{tag} {attr}={value!r}>"
    for path in bundled.files(".css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", path.read_text(encoding="utf-8")):
            assert not outside.match(url), f"{path}: url({url})"
        assert "@import" not in path.read_text(encoding="utf-8") or path.name.startswith("main")
    for name in ("graph.js", "graph-data.js", "readinglist.css"):
        text = (bundled.site / "assets/readinglist" / name).read_text(encoding="utf-8")
        assert not re.search(r"https?://", text), name
    for path in bundled.files(".html"):
        text = path.read_text(encoding="utf-8")
        assert "fonts.googleapis.com" not in text and "fonts.gstatic.com" not in text


def test_no_path_of_the_build_machine_in_the_site(bundled: Built) -> None:
    needles = {str(bundled.root), str(bundled.site), str(bundled.root.parent), str(REPO),
               sys.prefix, str(Path.home()) + "/"}  # fmt: skip
    for path in bundled.files():
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{path} holds {needle}"


def test_site_is_deterministic(bundled: Built, tmp_path: Path) -> None:
    again = build(bundled.root, site_dir=tmp_path / "again")
    skipped = {"sitemap.xml", "sitemap.xml.gz"}  # MkDocs stamps the build date there
    first = {p.relative_to(bundled.site): p.read_bytes() for p in bundled.files()
             if p.name not in skipped}  # fmt: skip
    second = {p.relative_to(again): p.read_bytes() for p in sorted(again.rglob("*"))
              if p.is_file() and p.name not in skipped}  # fmt: skip
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


# ---------------------------------------------------------------- sync data


def test_sync_data_shows_abstracts_versions_and_status(synced: Built) -> None:
    text = synced.text("papers/jacot2018.html")
    assert "At initialization, artificial neural networks" in text
    assert "v4" in text and "2018-06-20" in text and "2020-02-10" in text
    du = synced.text("papers/du2018.html")
    assert "withdrawn" in du and "rl-badge-withdrawn" in du
    lecture = synced.text("lectures/7.html")
    assert '<details class="abstract"><summary>Abstract</summary>' in lecture


def test_math_is_mathml_and_a_bad_formula_shows_its_source(synced: Built) -> None:
    text = synced.text("papers/jacot2018.html")
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">' in text
    assert "<mo>∞</mo>" in text
    assert "<msubsup>" in text or "<msub>" in text  # Theta^{(L)}_{x_1} kept its scripts
    assert "<em>" not in text.split('id="abstract"')[1].split("</div>")[0]
    assert '<code class="rl-tex">$\\frac{1$</code>' in text
    candidate = synced.text("topics/ntk.html")
    assert "New candidates" in candidate and "<msqrt>" in candidate
    assert "A New Tangent Kernel Bound" in candidate and "We prove &lt;b&gt;things" in candidate


def test_whats_new_lists_changes_and_candidates(synced: Built) -> None:
    text = synced.text("new.html")
    assert "New version" in text and "v3 -&gt; v4" in text
    assert "Published" in text and 'href="papers/li2018sgd.html"' in text
    assert "Withdrawn" in text and "A New Tangent Kernel Bound" in text
    assert 'href="feed.xml"' in text


def test_feed_is_valid_atom_and_deterministic(synced: Built, tmp_path: Path) -> None:
    data = (synced.site / "feed.xml").read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="utf-8"?>\n')
    feed = ET.fromstring(data)
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated", "author"):
        assert feed.find(f"{ATOM}{name}") is not None, name
    assert feed.findtext(f"{ATOM}updated") == "2024-01-05T00:00:00Z"
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 4
    ids = set()
    for entry in entries:
        for name in ("id", "title", "updated"):
            assert entry.findtext(f"{ATOM}{name}"), name
        ids.add(entry.findtext(f"{ATOM}id"))
        assert re.match(r"\d{4}-\d\d-\d\dT00:00:00Z$", entry.findtext(f"{ATOM}updated") or "")
    assert len(ids) == 4 and all(i.startswith("urn:uuid:") for i in ids)
    links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
    assert "papers/jacot2018.html" in links
    assert "https://arxiv.org/abs/2401.00001" in links
    again = build(synced.root, site_dir=tmp_path / "again")
    assert (again / "feed.xml").read_bytes() == data


def test_feed_links_are_absolute_with_a_site_url(tmp_path: Path) -> None:
    def configure(root: Path) -> None:
        write_synced(root)
        config = root / "mkdocs.yml"
        config.write_text(
            config.read_text() + "site_url: https://example.edu/408/\n", encoding="utf-8"
        )

    built = build_copy(tmp_path, configure)
    feed = ET.fromstring((built.site / "feed.xml").read_bytes())
    assert feed.findtext(f"{ATOM}id") == "https://example.edu/408/feed.xml"
    hrefs = [link.get("href") for link in feed.iter(f"{ATOM}link")]
    assert "https://example.edu/408/papers/jacot2018.html" in hrefs


# ---------------------------------------------------------------- hostile input


def test_hostile_strings_are_text_in_body_title_and_nav(hostile: Built) -> None:
    for path in hostile.files(".html"):
        text = path.read_text(encoding="utf-8")
        rel = path.relative_to(hostile.site)
        assert "<script>alert" not in text, rel
        assert "<img src=x" not in text, rel
        assert "<b>Bob" not in text, rel
        assert 'href="javascript:' not in text.lower(), rel
    paper = hostile.text("papers/evil2024.html")
    assert raw_title(paper).startswith("&lt;script&gt;alert(1)&lt;/script&gt; Hostile")
    assert "&lt;img src=x onerror=alert(2)&gt;" in raw_title(paper)
    assert "&lt;script&gt;alert(3)&lt;/script&gt;" in paper  # abstract, as text
    assert "Journal of &lt;/div&gt;&lt;script&gt;alert(6)&lt;/script&gt;" in paper
    assert "<math" in paper  # the formula in the hostile title still renders
    lecture = hostile.text("lectures/1.html")
    assert raw_title(lecture).startswith("Lecture 1: &lt;script&gt;alert(7)&lt;/script&gt;")
    nav = primary_nav(hostile.text("index.html"))
    assert "&lt;script&gt;alert(7)&lt;/script&gt; Universal approximation" in nav
    assert "NTK &lt;img src=x onerror=alert(8)&gt;" in nav
    assert "Hostile" not in nav  # paper pages stay out of the nav
    # Escaped once, not twice: the reader sees the characters, not entities.
    assert "&amp;lt;" not in paper and "&amp;lt;" not in nav


def test_hostile_strings_are_escaped_in_search_index(hostile: Built) -> None:
    index = json.loads(hostile.text("search/search_index.json"))
    found = False
    for doc in index["docs"]:
        for field in ("title", "text"):
            value = doc.get(field, "").lower()
            assert "<script" not in value and "<img" not in value and "<b>" not in value
            found = found or "&lt;script&gt;alert(1)" in doc.get(field, "")
    assert found


def test_hostile_strings_stay_data_in_graph_and_feed(hostile: Built) -> None:
    script = hostile.text("assets/readinglist/graph-data.js")
    assert "<" not in script and ">" not in script and "&" not in script
    data = json.loads(script[len("window.READINGLIST_GRAPH = ") : -2])
    evil = next(n for n in data["nodes"] if n["key"] == "evil2024")
    assert evil["title"].startswith("<script>alert(1)</script> Hostile")
    assert any(t["title"] == HOSTILE_TOPIC for t in data["topics"])
    ET.fromstring((hostile.site / "feed.xml").read_bytes())
    bib = (hostile.site / "downloads/lecture-1.bib").read_text(encoding="utf-8")
    assert "evil2024" in bib and "<script>alert(1)</script>" in bib  # a download: as written


def test_nasty_keys_get_safe_distinct_file_names(tmp_path: Path) -> None:
    keys = ["a/b", "..", "Foo", "foo", "index", "x\\y", "cafe\u0301"]

    def add(root: Path) -> None:
        append_bib(
            root,
            "ntk.bib",
            "".join(
                f"@misc{{{key}, title = {{Nasty {i}}}, author = {{Doe, Jane}}, year = {{2020}}}}\n"
                for i, key in enumerate(keys)
            ),
        )

    built = build_copy(tmp_path, add)
    site = built.site.resolve()
    for path in built.site.rglob("*"):
        assert path.resolve().is_relative_to(site)
    assert not (built.site.parent / "b.html").exists()
    data = json.loads(
        built.text("assets/readinglist/graph-data.js")[len("window.READINGLIST_GRAPH = ") : -2]
    )
    urls = {n["key"]: n["url"] for n in data["nodes"]}
    names = [urls[key] for key in keys]
    assert len({n.lower() for n in names}) == len(keys)
    assert urls["foo"] == "papers/foo.html" and urls["Foo"] != "papers/foo.html"
    for name in names:
        assert re.fullmatch(r"papers/[a-z0-9][a-z0-9._-]*\.html", name), name
        assert (built.site / name).is_file()
        assert "Nasty" in (built.site / name).read_text(encoding="utf-8")
    assert (built.site / "papers/index.html").read_text(encoding="utf-8").count("Nasty") == 7


# ---------------------------------------------------------------- graceful without data


def test_builds_without_any_synced_data(tmp_path: Path) -> None:
    built = build_copy(tmp_path, lambda root: shutil.rmtree(root / "bib" / "synced"))
    assert "no citation data yet" in built.text("missing.html")
    assert "Nothing yet" in built.text("new.html")
    assert "Cited by</strong> (0)" in built.text("papers/jacot2018.html")


def test_handwritten_page_replaces_a_generated_one(tmp_path: Path) -> None:
    def write(root: Path) -> None:
        (root / "docs" / "missing.md").write_text("# Our own list\n\nHand-written.\n")

    built = build_copy(tmp_path, write)
    assert "Hand-written." in built.text("missing.html")


# ---------------------------------------------------------------- the commands


def test_readinglist_build_exit_0(course: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # Build time is a benchmark figure (benchmarks/run.py), not a timed test.
    result = run("--root", course, "build", "-d", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "index.html").is_file()


def test_readinglist_build_default_site_dir(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", course, "build")
    assert result.exit_code == 0
    assert (course / "site" / "lectures" / "1.html").is_file()


def test_one_broken_entry_leaves_the_others_published(course: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # An unreadable entry is one finding (issue 12); the site is built from the others.
    # If build checks first, it refuses with that finding unless errors are allowed.
    append_bib(course, "ntk.bib", "@article{broken,\n  title = {never closed,\n")
    result = run("--root", course, "build", "-d", tmp_path / "out")
    if result.exit_code != 0:
        assert result.exit_code == 1, result.stderr
        assert re.search(r"bib/ntk\.bib:\d+: .*broken", result.stderr), result.stderr
        assert "Traceback" not in result.stderr
        result = run("--root", course, "build", "--allow-errors", "-d", tmp_path / "out")
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "out" / "papers" / "jacot2018.html").is_file()
    assert not (tmp_path / "out" / "papers" / "broken.html").exists()


def test_missing_mkdocs_yml_is_exit_2(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    (course / "mkdocs.yml").unlink()
    result = run("--root", course, "build")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: mkdocs.yml: no mkdocs.yml")


def test_broken_mkdocs_yml_is_exit_2(course: Path, run) -> None:  # type: ignore[no-untyped-def]
    (course / "mkdocs.yml").write_text("site_name: [unclosed\n")
    result = run("--root", course, "build")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: mkdocs.yml:2: not valid YAML: ")
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("target", [".", "..", "bib/out", "docs"])
def test_refuses_a_site_dir_that_would_wipe_the_course(course: Path, run, target: str) -> None:  # type: ignore[no-untyped-def]
    before = sorted(p.name for p in course.iterdir())
    result = run("--root", course, "build", "-d", course / target)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: the site folder")
    assert sorted(p.name for p in course.iterdir()) == before
    assert (course / "bib" / "course.yml").is_file()


def test_strict_build_fails_on_warnings_with_exit_1(course: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    (course / "docs" / "extra.md").write_text("# Extra\n\nSee [nowhere](nowhere.md).\n")
    result = run("--root", course, "build", "--strict", "-d", tmp_path / "out")
    assert result.exit_code == 1
    assert result.stderr.startswith("error: site not built: Aborted with 1 warnings")
    result = run("--root", course, "build", "-d", tmp_path / "out2")
    assert result.exit_code == 0


def test_bundled_course_builds_in_strict_mode(course: Path, run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", course, "build", "--strict", "-d", tmp_path / "out")
    assert result.exit_code == 0, result.stderr


def _mkdocs(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mkdocs", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_plain_mkdocs_build_works(course: Path, tmp_path: Path) -> None:
    result = _mkdocs("build", "-q", "-d", str(tmp_path / "out"), cwd=course)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "papers" / "jacot2018.html").is_file()
    assert (tmp_path / "out" / "downloads" / "lecture-1.bib").is_file()


def test_plain_mkdocs_build_survives_a_broken_entry(course: Path, tmp_path: Path) -> None:
    append_bib(course, "ntk.bib", "@article{broken,\n  title = {never closed,\n")
    result = _mkdocs("build", "-q", "-d", str(tmp_path / "out"), cwd=course)
    assert "Traceback" not in result.stderr
    if result.returncode == 0:
        assert (tmp_path / "out" / "papers" / "jacot2018.html").is_file()
    else:  # a plugin that checks first names the entry in one line
        errors = [line for line in result.stderr.splitlines() if "bib/ntk.bib:" in line]
        assert len(errors) == 1 and re.search(r"bib/ntk\.bib:\d+: ", errors[0])


def test_serve_watches_the_reading_list(course: Path) -> None:
    from mkdocs.config import load_config

    config = load_config(config_file=str(course / "mkdocs.yml"))
    plugin = config.plugins["readinglist"]
    plugin.on_config(config)

    class Server:
        watched: list[tuple[str, bool]] = []

        def watch(self, path: str, recursive: bool = True) -> None:
            self.watched.append((path, recursive))

    server = Server()
    assert plugin.on_serve(server, config=config, builder=lambda: None) is server
    assert (str(course.resolve() / "bib"), True) in server.watched


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _wait_for(url: str, status: int, deadline: float) -> bool:
    while time.monotonic() < deadline:
        if _get(url) == status:
            return True
        time.sleep(0.3)
    return False


@contextlib.contextmanager
def serving(course: Path, *options: str) -> Iterator[str]:
    """``readinglist serve [options]`` on a free loopback port; yields its base URL, then
    stops it with Ctrl-C and checks it exited cleanly."""
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "readinglist", "--root", str(course), "serve",
         "-a", f"127.0.0.1:{port}", *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.send_signal(signal.SIGINT)  # mkdocs serve shuts down and removes its tmp site
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, proc.stderr.read() if proc.stderr else ""


@pytest.mark.slow
def test_serve_rebuilds_when_a_bib_file_changes(course: Path) -> None:
    with serving(course) as base:
        assert _wait_for(f"{base}/index.html", 200, time.monotonic() + 60)
        assert _get(f"{base}/papers/served2024.html") == 404
        append_bib(
            course,
            "ntk.bib",
            "@misc{served2024, title = {Added While Serving}, author = {Doe, Jane},"
            " year = {2024}}\n",
        )
        assert _wait_for(f"{base}/papers/served2024.html", 200, time.monotonic() + 60)


def test_plugin_root_option_points_at_another_folder(course: Path, tmp_path: Path) -> None:
    site_folder = tmp_path / "website"
    site_folder.mkdir()
    shutil.copytree(course / "docs", site_folder / "docs")
    config = (course / "mkdocs.yml").read_text()
    config = config.replace("  - readinglist\n", f"  - readinglist:\n      root: {course}\n")
    (site_folder / "mkdocs.yml").write_text(config)
    result = _mkdocs("build", "-q", "-d", str(tmp_path / "out"), cwd=site_folder)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "lectures" / "7.html").is_file()


# ---------------------------------------------------------------- markup units


def test_math_html_renders_and_refuses_markup() -> None:
    assert math_html("$O(n^2)$").startswith('<math xmlns="http://www.w3.org/1998/Math/MathML"')
    assert "<msup>" in math_html("$O(n^2)$")
    assert 'display="block"' in math_html("$$x$$")
    for bad in ("$\\frac{1$", "$\\href{javascript:alert(1)}{x}$", "$\\unknowncommand x$"):
        out = math_html(bad)
        assert out.startswith('<code class="rl-tex">'), bad
        assert "javascript:alert(1)" not in out or "href=" not in out
    out = math_html("$\\text{<script>alert(1)</script>}$")
    assert "<script>" not in out and "&lt;script&gt;" in out


def test_text_html_escapes_and_keeps_underscores_of_math() -> None:
    out = str(text_html("a <b> & $x_1 + y_2$ c_d"))
    assert out.startswith("a &lt;b&gt; &amp; <math")
    assert out.endswith("</math> c_d")
    assert out.count("<msub>") == 2


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://arxiv.org/abs/1806.07572", True),
        ("http://people.csail.mit.edu/moitra/408c.html", True),
        ("mailto:someone@example.edu", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("data:text/html,<script>", False),
        ("https://", False),
        ("//evil.example/x", False),
        ("https://a.example/ b", False),
        ("", False),
    ],
)
def test_safe_url(url: str, ok: bool) -> None:
    assert (safe_url(url) is not None) is ok


def test_assign_slugs_are_safe_unique_and_stable() -> None:
    names = ["a/b", "..", ".", "", "Foo", "foo", "FOO", "index", "x\x00y", "café", "cafe",
             "con", "a" * 300, "jacot2018", "foo-" + "0" * 8]  # fmt: skip
    slugs = assign_slugs(names)
    assert assign_slugs(reversed(names)) == slugs
    assert slugs["foo"] == "foo" and slugs["jacot2018"] == "jacot2018"
    assert len({s.lower() for s in slugs.values()}) == len(names)
    for slug in slugs.values():
        assert re.fullmatch(r"[a-z0-9][a-z0-9._-]*", slug), slug
        assert ".." not in slug and len(slug) < 90
    assert slugs["index"] != "index" and slugs["con"] != "con"


def test_layout_links_with_and_without_directory_urls() -> None:
    flat = Layout(use_directory_urls=False)
    assert flat.url("papers/x.md") == "papers/x.html"
    assert flat.url("index.md") == "index.html"
    assert flat.href("papers/x.md", "lectures/1.md") == "../lectures/1.html"
    assert flat.href("index.md", "papers/x.md") == "papers/x.html"
    assert flat.href("papers/x.md", "papers/y.md") == "y.html"
    assert flat.href("papers/x.md", "authors.md", "author-a") == "../authors.html#author-a"
    assert flat.href("lectures/1.md", "downloads/lecture-1.bib") == "../downloads/lecture-1.bib"
    dirs = Layout(use_directory_urls=True)
    assert dirs.url("papers/x.md") == "papers/x/"
    assert dirs.href("papers/x.md", "lectures/1.md") == "../../lectures/1/"
    assert dirs.href("papers/x.md", "index.md") == "../../"
    assert dirs.href("index.md", "graph.md") == "graph/"
    assert dirs.href("graph.md", "assets/readinglist/graph.js") == "../assets/readinglist/graph.js"


def test_directory_urls_site_links_resolve(tmp_path: Path) -> None:
    def configure(root: Path) -> None:
        config = root / "mkdocs.yml"
        text = config.read_text().replace("use_directory_urls: false", "")
        # Material's offline plugin (search from file://) turns directory URLs off.
        config.write_text(re.sub(r"^  - offline\b.*\n", "", text, flags=re.M))

    built = build_copy(tmp_path, configure)
    page = built.site / "lectures" / "7" / "index.html"
    hrefs = [v for tag, attr, v, _ in parse(page.read_text()).urls
             if tag == "a" and v.startswith("../")]  # fmt: skip
    assert hrefs
    for href in hrefs:
        target = (page.parent / href.split("#")[0]).resolve()
        assert target.is_file() or (target / "index.html").is_file(), href


def test_graph_json_cannot_end_a_script() -> None:
    text = to_json({"t": "</script><!-- \u2028 & >"})
    assert "<" not in text and ">" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == {"t": "</script><!-- \u2028 & >"}


def test_markup_esc_strips_control_characters() -> None:
    assert str(markup.esc('a\x00b\x1b"c')) == "ab&quot;c"
    assert markup.title_text("a  <b>\n'c'") == "a &lt;b&gt; 'c'"
    assert html.unescape(markup.title_text("R&D")) == "R&D"


def test_lecture_links_reach_pages_inside_the_site(tmp_path: Path) -> None:
    """A lecture's links may name a hand-written page (relative to docs/) or an outside
    URL; anything else never becomes a link."""

    def add_links(root: Path) -> None:
        edit_course(
            root,
            "      - {label: Lecture notes, url: notes/lecture-7.md}\n",
            "      - {label: My notes, url: notes/lecture-7.md}\n"
            "      - {label: Slides, url: 'https://example.org/s7.pdf'}\n"
            "      - {label: Escape, url: ../../etc/passwd}\n",
        )

    built = build_copy(tmp_path, add_links)
    page = built.text("lectures/7.html")
    assert 'href="../notes/lecture-7.html"' in page
    assert 'href="https://example.org/s7.pdf"' in page
    assert "passwd" not in page


def test_nav_cache_uses_the_themes_partial_or_its_override_once_per_folder(
    tmp_path: Path,
) -> None:
    """A custom_dir override of partials/nav.html is what pages show; paper pages get it
    rendered once (the first paper's URL shows on all), every other page its own."""
    root = copy_course(tmp_path / "course")
    (root / "overrides" / "partials").mkdir(parents=True)
    (root / "overrides" / "partials" / "nav.html").write_text(
        '<nav class="md-nav md-nav--primary" data-rendered-for="{{ page.url }}">x</nav>\n'
    )
    edit_course_config = (root / "mkdocs.yml").read_text(encoding="utf-8")
    (root / "mkdocs.yml").write_text(
        edit_course_config.replace(
            "  name: material\n", "  name: material\n  custom_dir: overrides\n"
        )
    )
    site = build(root, site_dir=tmp_path / "site")
    marks = {
        p.name: re.findall(r'data-rendered-for="([^"]*)"', p.read_text(encoding="utf-8"))
        for p in (site / "papers").glob("*.html")
    }
    first = {tuple(m) for name, m in marks.items() if name != "index.html"}
    assert len(first) == 1 and next(iter(first))[0].startswith("papers/")
    lecture = (site / "lectures" / "7.html").read_text(encoding="utf-8")
    assert 'data-rendered-for="lectures/7.html"' in lecture


def test_nav_cache_install_needs_the_partial_and_installs_once() -> None:
    import jinja2

    from readinglist.site import navcache

    bare = jinja2.Environment(loader=jinja2.DictLoader({"base.html": "x"}))
    assert navcache.install(bare, lambda page: None) is False
    assert isinstance(bare.loader, jinja2.DictLoader)
    env = jinja2.Environment(loader=jinja2.DictLoader({navcache.NAV: "<nav>{{ page }}</nav>"}))
    calls: list[object] = []

    def key(page: object) -> str | None:
        calls.append(page)
        return None if page == "own" else "papers"

    assert navcache.install(env, key) is True
    assert navcache.install(env, key) is False
    nav = env.get_template(navcache.NAV)
    assert nav.render(page="a") == "<nav>a</nav>"
    assert nav.render(page="b") == "<nav>a</nav>"  # the same key: rendered once
    assert nav.render(page="own") == "<nav>own</nav>"
    assert calls == ["a", "b", "own"]
