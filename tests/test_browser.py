"""The built course site in a real browser (headless Chromium through Playwright).

The bundled course and a hostile copy of it are built once into tmp and served by a
loopback ``http.server``; every page a test opens must load nothing from another host,
log no console error and fire no dialog.

Set ``READINGLIST_SCREENSHOTS=1`` to refresh the screenshots in ``docs/img/``.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from test_site import REPO, copy_course, make_hostile, write_synced

from readinglist.site.run import build
from readinglist.store import load_library

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

playwright_api = pytest.importorskip("playwright.sync_api")
ZENSICAL_MARK = pytest.mark.skipif(
    importlib.util.find_spec("zensical") is None, reason="Zensical is not installed"
)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


#: The site engines every browser test runs against (``readinglist build --engine``).
ENGINES = ["mkdocs", pytest.param("zensical", marks=ZENSICAL_MARK)]


@dataclass
class Served:
    """Built sites under one loopback origin: ``/bundled/`` and ``/hostile/``, built
    with ``engine``."""

    origin: str
    folder: Path
    bundled: Path
    engine: str = "mkdocs"

    def url(self, site: str, rel: str) -> str:
        return f"{self.origin}/{site}/{rel}"


@pytest.fixture(scope="module", params=ENGINES)
def served(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    engine = request.param
    # A module that imports this fixture may name the engines it is about.
    if engine not in getattr(request.module, "SITE_ENGINES", (engine,)):
        pytest.skip(f"{request.module.__name__} tests the {engine} site elsewhere")
    folder = tmp_path_factory.mktemp(f"served-{engine}")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READINGLIST_CACHE_DIR", str(tmp_path_factory.mktemp("browser-cache")))
        bundled = copy_course(tmp_path_factory.mktemp("b") / "course")
        build(bundled, site_dir=folder / "bundled", engine=engine)
        hostile = copy_course(tmp_path_factory.mktemp("h") / "course")
        make_hostile(hostile)
        write_synced(hostile)
        build(hostile, site_dir=folder / "hostile", engine=engine)
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_port}", folder, bundled, engine)
    finally:
        server.shutdown()
        server.server_close()


def search(pg: Any, engine: str, text: str) -> Any:
    """Type ``text`` into the site's search; returns the locator of the results box.

    Material's search box sits in the header; Zensical's (a new search engine) opens a
    dialog from the header's search button.
    """
    if engine == "zensical":
        pg.locator(".md-search__button").click()
        box = pg.locator('dialog input[role="combobox"]')
        box.wait_for()
        box.press_sequentially(text)
        return pg.locator("dialog")
    box = pg.locator("input.md-search__input")
    box.click()
    box.press_sequentially(text)
    return pg.locator(".md-search-result")


def search_hit(results: Any, engine: str, href_part: str) -> Any:
    """The first result linking to a page whose address holds ``href_part``."""
    link = 'a[role="option"]' if engine == "zensical" else ".md-search-result__link"
    return results.locator(f'{link}[href*="{href_part}"]').first


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Watched:
    """A page and what it did: requests, console errors, page errors, dialogs."""

    page: Any
    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def assert_clean(self) -> None:
        outside = [u for u in self.requests if not u.startswith(self.origin + "/")]
        assert outside == [], f"requests outside the site: {outside}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs fired: {self.dialogs}"


@pytest.fixture
def page(browser: Any, served: Served) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    watched = Watched(pg, served.origin)
    pg.on("request", lambda r: watched.requests.append(r.url))
    pg.on("console", lambda m: watched.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: watched.errors.append(str(e)))

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    pg.on("dialog", on_dialog)
    try:
        yield watched
        watched.assert_clean()
    finally:
        context.close()


def wait_for_graph(pg: Any) -> None:
    pg.wait_for_function("window.readinglistGraph && window.readinglistGraph.stable === true")


# ---------------------------------------------------------------- the bundled site


def test_home_loads(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("bundled", "index.html"))
    assert "Theoretical Foundations for Deep Learning" in pg.title()
    assert pg.locator(".rl-schedule-note").is_visible()
    assert pg.locator(".rl-schedule tbody tr").count() == 13
    assert pg.locator("nav.md-nav--primary").get_by_text("Citation graph").count() >= 1


def test_lecture_lists_its_readings(page: Watched, served: Served) -> None:
    library = load_library(served.bundled).library
    lecture = library.lecture(7)
    assert lecture is not None
    pg = page.page
    pg.goto(served.url("bundled", "lectures/7.html"))
    items = pg.locator(".rl-readings li.rl-paper")
    assert items.count() == len(lecture.keys)
    first = items.first
    assert "Neural Tangent Kernel" in first.locator(".rl-title").inner_text()
    assert first.get_by_role("link", name="arXiv").get_attribute("href") == (
        "https://arxiv.org/abs/1806.07572"
    )
    pg.get_by_role("link", name=re.compile(r"Download lecture-7\.bib")).is_visible()


def test_search_finds_the_ntk_paper(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("bundled", "index.html"))
    results = search(pg, served.engine, "tangent")
    # The results re-render on every keystroke: wait for the one we want rather than
    # reading a list that may still change under us.
    ntk = search_hit(results, served.engine, "papers/jacot2018.html")
    ntk.wait_for(timeout=30_000)
    assert "Neural Tangent Kernel" in ntk.inner_text()


def test_graph_draws_one_node_per_paper_filters_and_opens_papers(
    page: Watched, served: Served
) -> None:
    library = load_library(served.bundled).library
    pg = page.page
    pg.goto(served.url("bundled", "graph.html"))
    wait_for_graph(pg)
    assert pg.evaluate("readinglistGraph.view.length") == len(library.papers) == 59
    drawn = pg.evaluate("Object.keys(readinglistGraph.network.body.nodes).length")
    assert drawn == 59
    assert pg.locator("#rl-graph canvas").count() == 1
    ntk = len(library.papers_in_topic("ntk"))
    topic_index = [t.slug for t in library.topics].index("ntk")
    pg.select_option("#rl-topic", str(topic_index))
    assert pg.evaluate("readinglistGraph.view.length") == ntk
    assert pg.locator("#rl-graph-count").inner_text() == f"{ntk} of 59 papers shown"
    pg.select_option("#rl-topic", "")
    pg.select_option("#rl-lecture", "7")
    lecture = library.lecture(7)
    assert lecture is not None
    assert pg.evaluate("readinglistGraph.view.length") == len(lecture.keys)
    pg.select_option("#rl-lecture", "")
    assert pg.evaluate("readinglistGraph.view.length") == 59
    # Click the NTK paper's node: its page opens.
    point = pg.evaluate(
        """() => {
          const g = window.readinglistGraph;
          const node = g.nodes.get().find(n => n.label.startsWith("Jacot"));
          const pos = g.network.canvasToDOM(g.network.getPosition(node.id));
          const box = document.getElementById("rl-graph").getBoundingClientRect();
          return {x: box.left + pos.x, y: box.top + pos.y};
        }"""
    )
    with pg.expect_navigation():
        pg.mouse.click(point["x"], point["y"])
    assert pg.url.endswith("/bundled/papers/jacot2018.html")
    assert "Neural Tangent Kernel" in pg.locator("h1").inner_text()


def test_paper_page_has_bibtex_with_copy_button(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("bundled", "papers/jacot2018.html"))
    block = pg.locator("#bibtex ~ .highlight").first
    assert "@inproceedings{jacot2018," in block.inner_text()
    # Material's script adds the button after load: .md-clipboard up to 9.6, a
    # copy-typed .md-code__button in 9.7 and later.
    button = block.locator('.md-clipboard, .md-code__button[data-md-type="copy"]')
    button.wait_for(timeout=10_000)
    assert button.count() == 1
    assert button.get_attribute("title") == "Copy to clipboard"
    details = pg.locator("details.abstract")
    assert details.count() == 0  # no abstract in the bundled data: nothing to unfold


def test_screenshots(page: Watched, served: Served, tmp_path: Path) -> None:
    pg = page.page
    shots = {
        "home.png": "index.html",
        "lecture.png": "lectures/7.html",
        "paper.png": "papers/jacot2018.html",
        "graph.png": "graph.html",
    }
    for name, rel in shots.items():
        pg.goto(served.url("bundled", rel))
        if name == "graph.png":
            wait_for_graph(pg)
        pg.screenshot(path=str(tmp_path / name))
        assert (tmp_path / name).stat().st_size > 20_000
    if os.environ.get("READINGLIST_SCREENSHOTS") and served.engine == "mkdocs":
        target = REPO / "docs" / "img"
        target.mkdir(exist_ok=True)
        for name in shots:
            shutil.copy(tmp_path / name, target / name)


# ---------------------------------------------------------------- math and hostile input


def test_math_is_rendered_as_mathml(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("hostile", "papers/jacot2018.html"))
    math = pg.locator(".rl-abstract math").first
    box = math.bounding_box()
    assert box is not None and box["width"] > 5 and box["height"] > 5
    assert pg.evaluate("document.querySelector('.rl-abstract math').namespaceURI") == (
        "http://www.w3.org/1998/Math/MathML"
    )
    assert pg.locator(".rl-abstract code.rl-tex").inner_text() == "$\\frac{1$"


def test_hostile_title_and_abstract_are_shown_as_text(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("hostile", "papers/evil2024.html"))
    pg.wait_for_load_state("load")
    heading = pg.locator("h1").inner_text()
    assert heading.startswith("<script>alert(1)</script> Hostile")
    assert "<img src=x onerror=alert(2)>" in heading
    assert pg.title().startswith("<script>alert(1)</script> Hostile")
    abstract = pg.locator(".rl-abstract").inner_text()
    assert "<script>alert(3)</script>" in abstract and "<img src=x onerror=alert(4)>" in abstract
    assert pg.locator('img[src="x"]').count() == 0
    assert pg.locator("a[href^='javascript:']").count() == 0
    pg.goto(served.url("hostile", "lectures/1.html"))
    assert pg.locator("h1").inner_text().startswith("<script>alert(7)</script>")
    nav = pg.locator("nav.md-nav--primary").inner_text()
    assert "<script>alert(7)</script> Universal approximation" in nav
    assert "NTK <img src=x onerror=alert(8)>" in nav
    pg.wait_for_timeout(300)  # give any injected handler a chance to fire


def test_hostile_title_is_text_in_search_results(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("hostile", "index.html"))
    results = search(pg, served.engine, "Hostile")
    search_hit(results, served.engine, "papers/evil2024.html").wait_for(timeout=15_000)
    # Retries until the results stop changing (they re-render on every keystroke).
    playwright_api.expect(results).to_contain_text("<script>alert(1)</script>", timeout=30_000)
    assert results.locator('img[src="x"]').count() == 0
    pg.wait_for_timeout(300)


def test_hostile_graph_tooltips_are_text(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("hostile", "graph.html"))
    wait_for_graph(pg)
    assert pg.evaluate("readinglistGraph.view.length") == 60
    options = pg.locator("#rl-topic option").all_inner_texts()
    assert "NTK <img src=x onerror=alert(8)>" in options
    point = pg.evaluate(
        """() => {
          const g = window.readinglistGraph;
          const node = g.nodes.get().find(n => n.title.startsWith("<script>"));
          const pos = g.network.canvasToDOM(g.network.getPosition(node.id));
          const box = document.getElementById("rl-graph").getBoundingClientRect();
          return {x: box.left + pos.x, y: box.top + pos.y};
        }"""
    )
    pg.mouse.move(point["x"], point["y"])
    tooltip = pg.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5_000)
    assert tooltip.inner_text().startswith("<script>alert(1)</script> Hostile")
    assert pg.locator('img[src="x"]').count() == 0


def test_graph_and_links_work_from_file_urls(browser: Any, served: Served) -> None:
    """Opened from disk (file://), the graph still draws and links between pages work."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    requests: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    try:
        site = served.folder / "bundled"
        pg.goto((site / "graph.html").as_uri())
        wait_for_graph(pg)
        assert pg.evaluate("readinglistGraph.view.length") == 59
        pg.goto((site / "lectures" / "7.html").as_uri())
        with pg.expect_navigation():
            pg.locator(".rl-readings .rl-title a").first.click()
        assert pg.url == (site / "papers" / "jacot2018.html").as_uri()
        assert "Neural Tangent Kernel" in pg.locator("h1").inner_text()
        assert [u for u in requests if not u.startswith("file://")] == []
    finally:
        context.close()
