"""The same course site from both engines: MkDocs with the plugin, and Zensical fed the
site as a tree of files (readinglist.site.tree, readinglist.site.zensical_site)."""

from __future__ import annotations

import hashlib
import importlib.util
import logging
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_site import REPO, Built, copy_course, parse, write_synced

from readinglist.site.markup import Headings, HeadingStyle
from readinglist.site.run import build
from readinglist.site.tree import SiteTree, course_tree, read_docs
from readinglist.site.zensical_site import STAGING_PREFIX, write_tree
from readinglist.store import load_library

needs_zensical = pytest.mark.skipif(
    importlib.util.find_spec("zensical") is None, reason="Zensical is not installed"
)

# The theme's own files differ between the engines (Material's bundle and lunr search
# against Zensical's bundle and search); everything else must be the same list.
THEME = ("assets/javascripts/", "assets/stylesheets/", "assets/images/", "search/")
ENGINE_OWN = {"search.json", "search.js", "sitemap.xml", "sitemap.xml.gz", "404.html"}


def site_files(site: Path) -> set[str]:
    out = set()
    for path in site.rglob("*"):
        rel = path.relative_to(site).as_posix()
        if path.is_file() and not rel.startswith(THEME) and rel not in ENGINE_OWN:
            out.add(rel)
    return out


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Built]]:
    """The bundled course with sync data, built by each engine."""
    if importlib.util.find_spec("zensical") is None:
        pytest.skip("Zensical is not installed")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READINGLIST_CACHE_DIR", str(tmp_path_factory.mktemp("engines-cache")))
        root = copy_course(tmp_path_factory.mktemp("engines") / "course")
        write_synced(root)
        out = tmp_path_factory.mktemp("engines-out")
        yield {
            engine: Built(root, build(root, site_dir=out / engine, engine=engine))
            for engine in ("mkdocs", "zensical")
        }


@needs_zensical
def test_both_engines_build_the_same_pages_and_files(both: dict[str, Built]) -> None:
    mkdocs, zensical = (site_files(both[e].site) for e in ("mkdocs", "zensical"))
    assert mkdocs == zensical
    library = load_library(both["mkdocs"].root).library
    pages = {rel for rel in zensical if rel.endswith(".html")}
    assert {f"papers/{key}.html" for key in library.papers} <= pages
    assert {f"lectures/{lec.number}.html" for lec in library.lectures} <= pages
    assert {f"topics/{t.slug}.html" for t in library.topics} <= pages
    for rel in ("graph.html", "new.html", "downloads.html", "authors.html", "missing.html",
                "feed.xml", "assets/readinglist/graph-data.js", "downloads/all.bib"):  # fmt: skip
        assert rel in zensical, rel
    assert len(pages) == 91  # and 404.html, the theme's own: 92, as the issue counts


@needs_zensical
def test_downloads_feed_and_graph_data_are_the_same_bytes(both: dict[str, Built]) -> None:
    sites = {e: b.site for e, b in both.items()}
    generated = [rel for rel in site_files(sites["mkdocs"]) if not rel.endswith(".html")]
    assert len(generated) > 30
    for rel in generated:
        assert digest(sites["mkdocs"] / rel) == digest(sites["zensical"] / rel), rel


@needs_zensical
def test_zensical_pages_have_titles_toc_links_and_citations(both: dict[str, Built]) -> None:
    site = both["zensical"]
    paper = site.text("papers/jacot2018.html")
    assert "<title>Neural Tangent Kernel: Convergence and Generalization" in paper
    # Headings of generated pages are Markdown there: the toc extension lists them.
    for ident in ("abstract", "read-in", "citations-within-the-list", "details", "bibtex"):
        assert f'id="{ident}"' in paper
        assert f'href="#{ident}"' in paper
    hrefs = {url for tag, name, url, _ in parse(paper).urls if name == "href"}
    assert "../lectures/7.html" in hrefs
    notes = site.text("notes/lecture-7.html")
    assert 'class="rl-cite"' in notes and "../papers/jacot2018.html" in notes
    assert "rl-references" in notes
    home = site.text("index.html")
    assert "rl-schedule-note" in home and "<!-- readinglist:schedule -->" not in home
    assert home.count('data-lecture="') == 13
    graph = site.text("graph.html")
    assert "assets/readinglist/vis-network.min.js" in graph
    assert "md-sidebar--primary" in graph  # the graph page still hides its sidebars:
    assert 'data-md-component="sidebar" data-md-type="navigation" hidden' in graph


@needs_zensical
def test_zensical_build_leaves_docs_and_course_alone(both: dict[str, Built]) -> None:
    root = both["zensical"].root
    assert sorted(p.relative_to(root / "docs") for p in (root / "docs").rglob("*")) == sorted(
        p.relative_to(REPO / "docs") for p in (REPO / "docs").rglob("*")
    )
    for folder in (root, both["zensical"].site.parent):
        assert [p.name for p in folder.iterdir() if p.name.startswith(STAGING_PREFIX)] == []


@needs_zensical
def test_cli_build_engine_zensical(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    root = copy_course(tmp_path / "course")
    (root / "site").mkdir()
    (root / "site" / "stale.html").write_text("old", encoding="utf-8")
    result = run("--root", root, "build", "--engine", "zensical")
    assert result.exit_code == 0, result.stderr
    assert "site built in" in result.stderr
    assert (root / "site" / "lectures" / "7.html").is_file()
    assert not (root / "site" / "stale.html").exists()  # the output is replaced, as MkDocs does


def test_engine_zensical_without_zensical_is_one_line_exit_2(
    tmp_path: Path,
    run,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "zensical", None)  # import zensical raises ImportError
    root = copy_course(tmp_path / "course")
    result = run("--root", root, "build", "--engine", "zensical", "-d", tmp_path / "out")
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: the zensical engine needs Zensical, which is not installed: "
        'pip install "readinglist-seminar[zensical]"'
    ]
    assert not (tmp_path / "out").exists()


def test_unknown_engine_is_a_usage_error(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    result = run("--root", copy_course(tmp_path / "c"), "build", "--engine", "hugo")
    assert result.exit_code == 2
    assert "hugo" in result.stderr


def test_tree_pages_are_markdown_with_front_matter_and_escaped_titles(tmp_path: Path) -> None:
    root = copy_course(tmp_path / "course")
    library = load_library(root).library
    tree = course_tree(library, read_docs(root / "docs"))
    page = tree.files["papers/jacot2018.md"].decode()
    assert page.startswith("---\n") and "\ntitle: 'Neural Tangent Kernel:" in page
    assert "\n<!--readinglist:html {" in page and '<h2 id="read-in">' in page
    # Without the pass-through extension, headings are Markdown for the toc extension.
    plain = course_tree(library, read_docs(root / "docs"), raw=False)
    page = plain.files["papers/jacot2018.md"].decode()
    assert "<!--readinglist:html" not in page
    assert "\n## Read in\n" in page and "\n## BibTeX\n" in page
    # Generated pages never replace hand-written ones, and docs/ files pass through.
    assert tree.files["using.md"] == (root / "docs" / "using.md").read_bytes()
    assert "papers/jacot2018.md" in tree.generated and "using.md" not in tree.generated
    assert tree.nav[0] == {"Home": "index.md"} and "using.md" in tree.nav
    assert not any(isinstance(x, str) and x.startswith("papers/") for x in tree.nav)


def test_pass_through_extension_keeps_the_html_and_gives_the_toc() -> None:
    import markdown

    from readinglist.site.mdext import marker_line

    toc = [{"level": 2, "id": "a--b", "name": "A &amp; B", "children": []}]
    html = (
        '<div class="x">\n<p>*not emphasis* <b>kept</b></p>\n\n<h2 id="a--b">A &amp; B</h2>\n</div>'
    )
    md = markdown.Markdown(extensions=["toc", "readinglist.site.mdext"])
    assert md.convert(marker_line(toc) + "\n" + html) == html
    assert md.toc_tokens == [
        {"level": 2, "id": "a--b", "name": "A &amp; B", "html": "A &amp; B",
         "data-toc-label": "", "children": []}
    ]  # fmt: skip
    md.reset()
    assert md.convert("# Title\n\n*emphasis*") == (
        '<h1 id="title">Title</h1>\n<p><em>emphasis</em></p>'
    )
    assert [t["id"] for t in md.toc_tokens] == ["title"]


def test_tree_resolves_citations_and_reports_unknown_keys_with_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    root = copy_course(tmp_path / "course")
    note = root / "docs" / "notes" / "x.md"
    note.write_text("---\ntitle: X\n---\n\n# X\n\nSee [@jacot2018].\n\nAnd [@nosuch].\n")
    with caplog.at_level(logging.WARNING):
        tree = course_tree(load_library(root).library, read_docs(root / "docs"))
    text = tree.files["notes/x.md"].decode()
    assert text.startswith("---\ntitle: X\n---\n")
    assert 'href="../papers/jacot2018.html"' in text and "nosuch?" in text
    assert "docs/notes/x.md:9: unknown citation key 'nosuch'" in caplog.text


def test_markdown_headings_are_escaped_and_keep_an_explicit_id() -> None:
    h = Headings(HeadingStyle(markdown=True))
    assert h(2, "BibTeX") == "\n## BibTeX\n\n"
    assert h(3, "a <b> *c* [d](e)", "x") == (
        "\n### a &#60;b&#62; &#42;c&#42; &#91;d&#93;&#40;e&#41; { #x }\n\n"
    )
    (bibtex,) = h.toc()
    assert bibtex["id"] == "bibtex" and [t["id"] for t in bibtex["children"]] == ["x"]


def test_write_tree_rewrites_only_changed_files_and_removes_stale_ones(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    assert write_tree(SiteTree(files={"a.md": b"1", "d/b.md": b"2"}), docs) == 2
    before = (docs / "a.md").stat().st_mtime_ns
    (docs / "old").mkdir()
    (docs / "old" / "c.md").write_bytes(b"3")
    assert write_tree(SiteTree(files={"a.md": b"1", "d/b.md": b"22"}), docs) == 1
    assert (docs / "a.md").stat().st_mtime_ns == before
    assert (docs / "d" / "b.md").read_bytes() == b"22"
    assert not (docs / "old").exists()


@needs_zensical
@pytest.mark.slow
def test_serve_engine_zensical_rebuilds_when_a_bib_file_or_a_note_changes(
    course: Path,
) -> None:
    from test_site import _get, _wait_for, append_bib, serving

    with serving(course, "--engine", "zensical") as base:
        assert _wait_for(f"{base}/index.html", 200, time.monotonic() + 90)
        assert _wait_for(f"{base}/papers/jacot2018.html", 200, time.monotonic() + 30)
        assert _get(f"{base}/papers/served2024.html") == 404
        append_bib(
            course,
            "ntk.bib",
            "@misc{served2024, title = {Added While Serving}, author = {Doe, Jane},"
            " year = {2024}}\n",
        )
        assert _wait_for(f"{base}/papers/served2024.html", 200, time.monotonic() + 90)
    assert sorted(p.name for p in (course / "docs").iterdir()) == sorted(
        p.name for p in (REPO / "docs").iterdir()
    )


@needs_zensical
def test_init_course_builds_on_both_engines(tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "new"
    assert run("init", root).exit_code == 0
    sites = {}
    for engine in ("mkdocs", "zensical"):
        result = run("--root", root, "build", "--engine", engine, "-d", tmp_path / engine)
        assert result.exit_code == 0, result.stderr
        sites[engine] = site_files(tmp_path / engine)
    assert sites["mkdocs"] == sites["zensical"]
    assert any(
        rel.startswith("papers/") and rel != "papers/index.html" for rel in sites["zensical"]
    )


@needs_zensical
def test_zensical_strict_fails_on_a_broken_link_and_writes_nothing(
    tmp_path: Path,
    run,  # type: ignore[no-untyped-def]
) -> None:
    root = copy_course(tmp_path / "course")
    with (root / "docs" / "using.md").open("a", encoding="utf-8") as fh:
        fh.write("\n[broken](no-such-page.md)\n")
    out = tmp_path / "out"
    result = run("--root", root, "build", "--engine", "zensical", "--strict", "-d", out)
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1].startswith("error: site not built: ")
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(STAGING_PREFIX)] == []
    result = run("--root", root, "build", "--engine", "zensical", "-d", out)
    assert result.exit_code == 0 and (out / "using.html").is_file()


def test_a_page_too_long_for_zensicals_search_index_is_left_out_of_search(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from readinglist.site import tree as tree_module

    root = copy_course(tmp_path / "course")
    library = load_library(root).library
    normal = course_tree(library, read_docs(root / "docs"))
    assert "exclude" not in normal.files["lectures/7.md"].decode().split("---")[1]
    monkeypatch.setattr(tree_module, "SEARCH_WORDS", 50)
    short = course_tree(library, read_docs(root / "docs"))
    head = short.files["lectures/7.md"].decode().split("---")[1]
    assert "search:\n  exclude: true" in head
