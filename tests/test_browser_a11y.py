"""Accessibility of the built site in a real browser: axe-core, keyboard, phones, file://.

axe-core (WCAG 2.1 A and AA rules) runs in headless Chromium on every kind of page, in
the light and the dark scheme; any violation fails the test with axe's own words. The
axe-core package comes from npm at test time (``npm install`` into tmp, once a session);
set ``READINGLIST_AXE_JS`` to an ``axe.min.js`` already installed to skip that. Without
npm and without that variable the axe tests are skipped, saying why.

Uses test_browser's sites and fixtures (the bundled course and a hostile copy with
synced data, built into tmp and served on 127.0.0.1).

Set ``READINGLIST_SCREENSHOTS=1`` to refresh docs/img/phone-schedule.png and
docs/img/phone-graph.png.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser
from test_browser import CHROMIUM, REPO, Served, wait_for_graph

from readinglist.store import load_library

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

# test_browser's fixtures: its built sites and its browser.
served = test_browser.served
SITE_ENGINES = ("mkdocs", "zensical")


def material_search_only(served: Served) -> None:
    """Skip on Zensical: these tests drive Material's search box (``input.md-search__input``)
    and its offline Worker shim; Zensical's search is another dialog, and its search is
    tested in test_browser.py. Not yet audited by axe there."""
    if served.engine != "mkdocs":
        pytest.skip("drives Material's search box; Zensical's search dialog differs")


browser = test_browser.browser

AXE_PACKAGE = "axe-core@4"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SCHEMES = ("light", "dark")

#: One page of each kind: (site, path). The hostile site has synced data, so its
#: what's-new, missing and topic pages show changes, suggestions and candidates.
PAGE_KINDS = {
    "home": ("bundled", "index.html"),
    "schedule": ("bundled", "lectures/index.html"),
    "lecture": ("bundled", "lectures/7.html"),
    "topics": ("bundled", "topics/index.html"),
    "topic": ("bundled", "topics/ntk.html"),
    "paper": ("bundled", "papers/jacot2018.html"),
    "papers": ("bundled", "papers/index.html"),
    "authors": ("bundled", "authors.html"),
    "graph": ("bundled", "graph.html"),
    "new-empty": ("bundled", "new.html"),
    "downloads": ("bundled", "downloads.html"),
    "missing-empty": ("bundled", "missing.html"),
    "notes": ("bundled", "notes/lecture-7.html"),
    "using": ("bundled", "using.html"),
    "new": ("hostile", "new.html"),
    "missing": ("hostile", "missing.html"),
    "topic-candidates": ("hostile", "topics/ntk.html"),
    "paper-abstract": ("hostile", "papers/jacot2018.html"),
}


@pytest.fixture(scope="session")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The text of axe-core's ``axe.min.js``, installed from npm for this session."""
    given = os.environ.get("READINGLIST_AXE_JS")
    if given:
        return Path(given).read_text(encoding="utf-8")
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("npm is not installed, so axe-core cannot be installed (apt-get install npm)")
    folder = tmp_path_factory.mktemp("axe")
    subprocess.run(
        [npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund",
         "--loglevel=error", AXE_PACKAGE],
        check=True, timeout=600, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    return (folder / "node_modules" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")


@pytest.fixture(params=SCHEMES)
def scheme(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def new_page(browser: Any, *, scheme: str = "light", width: int = 1280) -> Any:
    """A page in a fresh context; Material follows the browser's colour scheme."""
    context = browser.new_context(
        viewport={"width": width, "height": 900 if width > 600 else 844},
        color_scheme=scheme,
        is_mobile=width <= 600,
        has_touch=width <= 600,
    )
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.errors = errors
    return pg


@pytest.fixture
def light(browser: Any) -> Iterator[Any]:
    pg = new_page(browser)
    yield pg
    pg.context.close()


def settle(pg: Any) -> None:
    """Wait until Material and progress.js have set the page up."""
    pg.wait_for_load_state("load")
    pg.wait_for_function("typeof window.document$ === 'object'")
    if pg.locator("li.rl-paper[data-key]").count():
        pg.locator("button.rl-read-toggle").first.wait_for()
    if pg.locator("#rl-graph").count():
        wait_for_graph(pg)


def axe_violations(pg: Any, axe_js: str, context: str = "document") -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one line per element."""
    pg.add_script_tag(content=axe_js)
    found = pg.evaluate(
        """async ([tags, selector]) => {
          const where = selector === "document" ? document : document.querySelector(selector);
          const result = await axe.run(where, {runOnly: {type: "tag", values: tags}});
          return result.violations.flatMap(v => v.nodes.map(n =>
            `${v.id} (${v.impact}): ${n.target.join(" ")}: ${n.failureSummary}`));
        }""",
        [AXE_TAGS, context],
    )
    return [" ".join(str(line).split()) for line in found]


# ---------------------------------------------------------------- axe-core


@pytest.mark.parametrize("kind", PAGE_KINDS)
def test_axe_finds_no_violation(
    browser: Any, served: Served, axe_js: str, scheme: str, kind: str
) -> None:
    site, rel = PAGE_KINDS[kind]
    pg = new_page(browser, scheme=scheme)
    try:
        pg.goto(served.url(site, rel))
        settle(pg)
        expected = "slate" if scheme == "dark" else "default"
        assert pg.evaluate("document.body.dataset.mdColorScheme") == expected
        if kind == "lecture":  # a read toggle in both of its states
            pg.locator("button.rl-read-toggle").first.click()
            assert pg.locator('button.rl-read-toggle[aria-pressed="true"]').count() == 1
        violations = axe_violations(pg, axe_js)
        assert violations == [], "\n".join(violations)
        assert pg.errors == []
    finally:
        pg.context.close()


@pytest.mark.parametrize("kind", ["schedule", "graph", "lecture"])
def test_axe_finds_no_violation_on_a_phone(
    browser: Any, served: Served, axe_js: str, scheme: str, kind: str
) -> None:
    site, rel = PAGE_KINDS[kind]
    pg = new_page(browser, scheme=scheme, width=390)
    try:
        pg.goto(served.url(site, rel))
        settle(pg)
        violations = axe_violations(pg, axe_js)
        assert violations == [], "\n".join(violations)
    finally:
        pg.context.close()


def test_axe_finds_no_violation_in_search_results(
    browser: Any, served: Served, axe_js: str, scheme: str
) -> None:
    material_search_only(served)
    pg = new_page(browser, scheme=scheme)
    try:
        pg.goto(served.url("bundled", "index.html"))
        settle(pg)
        box = pg.locator("input.md-search__input")
        box.click()
        box.press_sequentially("tangent")
        pg.locator('.md-search-result__link[href*="papers/jacot2018.html"]').first.wait_for()
        pg.wait_for_timeout(300)  # results re-render per keystroke
        violations = axe_violations(pg, axe_js, ".md-search")
        assert violations == [], "\n".join(violations)
    finally:
        pg.context.close()


def test_axe_catches_a_contrast_regression(browser: Any, served: Served, axe_js: str) -> None:
    """The check can fail: grey-on-grey text is reported."""
    pg = new_page(browser)
    try:
        pg.goto(served.url("bundled", "lectures/7.html"))
        settle(pg)
        pg.add_style_tag(content=".md-typeset .rl-kicker { color: #c8c8c8 !important; }")
        violations = axe_violations(pg, axe_js)
        assert any(v.startswith("color-contrast") and "rl-kicker" in v for v in violations)
    finally:
        pg.context.close()


# ---------------------------------------------------------------- keyboard


def tab_to(pg: Any, selector: str, limit: int = 250) -> int:
    """Press Tab from the top of the page until ``selector`` has the focus."""
    pg.locator("body").focus()
    for count in range(1, limit + 1):
        pg.keyboard.press("Tab")
        if pg.evaluate("s => !!document.activeElement && document.activeElement.matches(s)",
                       selector):  # fmt: skip
            return count
    raise AssertionError(f"{selector} not reached with {limit} presses of Tab")


def focus_ring(pg: Any) -> dict[str, Any]:
    """The focused element's outline, and whether the browser shows focus there."""
    return dict(
        pg.evaluate(
            """() => {
              const el = document.activeElement;
              const s = getComputedStyle(el);
              return {visible: el.matches(":focus-visible"), style: s.outlineStyle,
                      width: parseFloat(s.outlineWidth), color: s.outlineColor};
            }"""
        )
    )


def assert_visibly_focused(pg: Any) -> None:
    ring = focus_ring(pg)
    assert ring["visible"], ring
    assert ring["style"] not in ("none", "hidden") and ring["width"] >= 2, ring
    assert ring["color"] not in ("transparent", "rgba(0, 0, 0, 0)"), ring


def test_keyboard_reaches_the_read_toggle_and_shows_focus(light: Any, served: Served) -> None:
    pg = light
    pg.goto(served.url("bundled", "lectures/7.html"))
    settle(pg)
    tab_to(pg, 'li[data-key="jacot2018"] button.rl-read-toggle')
    assert_visibly_focused(pg)
    pg.keyboard.press("Space")
    toggle = pg.locator('li[data-key="jacot2018"] button.rl-read-toggle')
    assert toggle.get_attribute("aria-pressed") == "true"
    # The reading's title link comes before it, and is focused visibly too.
    tab_to(pg, 'li[data-key="jacot2018"] .rl-title a')
    assert_visibly_focused(pg)


def test_keyboard_reaches_search_and_types_into_it(light: Any, served: Served) -> None:
    material_search_only(served)
    pg = light
    pg.goto(served.url("bundled", "index.html"))
    settle(pg)
    tab_to(pg, "input.md-search__input")
    assert_visibly_focused(pg)
    pg.keyboard.type("tangent")
    result = pg.locator('.md-search-result__link[href*="papers/jacot2018.html"]').first
    result.wait_for()
    tab_to_result = 0
    while not pg.evaluate("document.activeElement.matches('.md-search-result__link')"):
        pg.keyboard.press("ArrowDown")
        tab_to_result += 1
        assert tab_to_result < 5, "arrow keys do not reach the results"


def test_keyboard_reaches_graph_controls_and_they_filter(light: Any, served: Served) -> None:
    library = load_library(served.bundled).library
    pg = light
    pg.goto(served.url("bundled", "graph.html"))
    settle(pg)
    for selector in ("#rl-topic", "#rl-lecture", ".rl-skip a", "#rl-graph-table a"):
        tab_to(pg, selector)
        assert_visibly_focused(pg)
    # The skip link takes the keyboard past the drawing to the table.
    tab_to(pg, ".rl-skip a")
    pg.keyboard.press("Enter")
    assert pg.evaluate("location.hash") == "#papers-and-citations"
    # A topic picked there filters the drawing and the table alike.
    tab_to(pg, "#rl-topic")
    pg.select_option("#rl-topic", "0")  # the first topic (the select itself is native)
    first = library.topics[0].slug
    shown = len(library.papers_in_topic(first))
    pg.wait_for_function(f"readinglistGraph.view.length === {shown}")
    rows = pg.locator("#rl-graph-table tbody tr:not([hidden])")
    assert rows.count() == shown


# ---------------------------------------------------------------- graph: text alternative


def test_graph_table_holds_the_same_papers_and_citations(light: Any, served: Served) -> None:
    library = load_library(served.bundled).library
    pg = light
    pg.goto(served.url("bundled", "graph.html"))
    settle(pg)
    rows = pg.locator("#rl-graph-table tbody tr")
    assert rows.count() == len(library.papers) == pg.evaluate("readinglistGraph.nodes.length")
    drawn = pg.evaluate(
        """() => readinglistGraph.edges.get().map(e => `${e.from}>${e.to}`).sort()"""
    )
    listed = pg.evaluate(
        """() => [...document.querySelectorAll("#rl-graph-table tbody tr")].flatMap(row =>
             [...row.querySelectorAll("td a[href^='#rl-node-']")].map(a =>
               `${row.id.slice(8)}>${a.getAttribute("href").slice(9)}`)).sort()"""
    )
    assert listed == drawn and len(drawn) > 0
    ntk = pg.locator("#rl-graph-table tbody th a", has_text="Neural Tangent Kernel")
    assert ntk.get_attribute("href") == "papers/jacot2018.html"
    labelled = pg.get_by_role("img", name="Citation graph of the papers on the list")
    assert "table below" in (labelled.get_attribute("aria-label") or "")


# ---------------------------------------------------------------- phones (390 px)


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    pg = new_page(browser, width=390)
    yield pg
    pg.context.close()


@pytest.fixture
def phone_shots(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path
    if os.environ.get("READINGLIST_SCREENSHOTS"):
        for name in ("phone-schedule.png", "phone-graph.png"):
            shutil.copy(tmp_path / name, REPO / "docs" / "img" / name)


def no_sideways_scroll(pg: Any) -> None:
    widths = pg.evaluate(
        """() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,
                  Math.max(...[...document.querySelectorAll(".md-content *")]
                    .filter(e => !e.closest("thead"))  // clipped away: read, not shown
                    .map(e => e.getBoundingClientRect().right))]"""
    )
    assert widths[0] <= widths[1] == 390, widths
    assert widths[2] <= 390 + 0.5, widths


def test_schedule_is_stacked_cards_on_a_phone(
    phone: Any, served: Served, phone_shots: Path
) -> None:
    pg = phone
    pg.goto(served.url("bundled", "lectures/index.html"))
    settle(pg)
    pg.locator("td.rl-progress-cell").first.wait_for()
    no_sideways_scroll(pg)
    rows = pg.locator(".rl-schedule tbody tr")
    assert rows.count() == 13
    shape = pg.evaluate(
        """() => [...document.querySelectorAll(".rl-schedule tbody tr")].map(row => {
             const title = row.querySelector("td.rl-lecture");
             const lines = title.getBoundingClientRect().height /
                           parseFloat(getComputedStyle(title).lineHeight);
             return {display: getComputedStyle(row).display, lines: Math.round(lines),
                     width: row.getBoundingClientRect().width};
           })"""
    )
    assert {s["display"] for s in shape} == {"block"}
    assert max(s["lines"] for s in shape) <= 3, shape  # was 5-6 lines in a table column
    assert all(s["width"] <= 390 - 2 * 16 for s in shape)  # within the page's margins
    # Each card labels its topics and its readings (the header row is hidden).
    labels = pg.evaluate(
        """() => [...document.querySelectorAll(".rl-schedule tbody tr:first-child td")]
             .map(td => getComputedStyle(td, "::before").content)"""
    )
    assert any("Topics" in label for label in labels), labels
    assert any("Readings" in label for label in labels), labels
    pg.screenshot(path=str(phone_shots / "phone-schedule.png"))
    pg.goto(served.url("bundled", "graph.html"))
    settle(pg)
    no_sideways_scroll(pg)
    assert pg.evaluate("readinglistGraph.network.body.nodes[0].options.font.size") >= 24
    cards = pg.evaluate(
        """() => [...document.querySelectorAll("#rl-graph-table tbody tr")].map(
             r => getComputedStyle(r).display)"""
    )
    assert set(cards) == {"block"}
    pg.evaluate(
        "window.scrollTo(0, document.getElementById('papers-and-citations')"
        ".getBoundingClientRect().top + window.scrollY - 64)"
    )
    pg.wait_for_timeout(500)  # the header's title slides in
    pg.screenshot(path=str(phone_shots / "phone-graph.png"))  # the list view


# ---------------------------------------------------------------- search from disk


def test_search_works_from_file_urls(browser: Any, served: Served) -> None:
    """Opened from disk, every kind of page loads with no error and search finds papers."""
    material_search_only(served)
    pg = new_page(browser)
    requests: list[str] = []
    failed: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    pg.on(
        "requestfailed",
        lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(r.url),
    )
    site = served.folder / "bundled"
    try:
        assert (site / "search" / "search_index.js").is_file()
        for kind, (name, rel) in PAGE_KINDS.items():
            if name != "bundled":
                continue
            pg.goto((site / rel).as_uri())
            pg.wait_for_load_state("load")
            assert pg.locator("input.md-search__input").is_visible(), kind
        pg.goto((site / "lectures" / "7.html").as_uri())
        box = pg.locator("input.md-search__input")
        box.click()
        box.press_sequentially("tangent")
        ntk = pg.locator('.md-search-result__link[href*="papers/jacot2018.html"]').first
        ntk.wait_for(timeout=30_000)
        assert "Neural Tangent Kernel" in ntk.inner_text()
        with pg.expect_navigation():
            ntk.click()
        assert pg.url.startswith((site / "papers" / "jacot2018.html").as_uri())
        assert failed == []
        assert pg.errors == []
        assert [u for u in requests if not u.startswith("file://")] == []
    finally:
        pg.context.close()


def test_served_site_keeps_its_web_worker(browser: Any, served: Served) -> None:
    """Over http the shim leaves Material's Worker alone; search still works."""
    material_search_only(served)
    pg = new_page(browser)
    try:
        pg.goto(served.url("bundled", "index.html"))
        settle(pg)
        assert pg.evaluate("Worker.toString().includes('[native code]')")
        assert pg.evaluate("typeof window.IFrameWorker") == "undefined"
        box = pg.locator("input.md-search__input")
        box.click()
        box.press_sequentially("tangent")
        pg.locator('.md-search-result__link[href*="papers/jacot2018.html"]').first.wait_for()
    finally:
        pg.context.close()
