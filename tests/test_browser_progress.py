"""Citations and reading progress in a real browser (headless Chromium, Playwright).

Uses test_browser's sites and fixtures: the bundled course built into tmp and served by
a loopback ``http.server``; each test gets a fresh browser context (so an empty
localStorage), and must load nothing from another host and log no console error.

Set ``READINGLIST_SCREENSHOTS=1`` to refresh docs/img/notes.png and docs/img/progress.png.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import test_browser
from test_browser import CHROMIUM, REPO, Served, Watched
from test_site import copy_course

from readinglist.site.run import build
from readinglist.store import load_library

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"no Chromium at {CHROMIUM}"),
]

# test_browser's fixtures: its built sites, its browser, its watched page.
served = test_browser.served
browser = test_browser.browser
page = test_browser.page

LECTURE = "lectures/7.html"
JACOT = 'li.rl-paper[data-key="jacot2018"]'
DU = 'li.rl-paper[data-key="du2018"]'


def lecture_keys(served: Served, number: int = 7) -> tuple[str, ...]:
    lecture = load_library(served.bundled).library.lecture(number)
    assert lecture is not None
    return lecture.keys


def toggle(pg: Any, item: str) -> Any:
    return pg.locator(f"{item} button.rl-read-toggle")


def count_text(pg: Any) -> str:
    return str(pg.locator(".rl-progress .rl-progress-text").inner_text())


# ---------------------------------------------------------------- citations


def test_a_cited_key_links_to_its_paper_and_references_list_it(
    page: Watched, served: Served
) -> None:
    pg = page.page
    pg.goto(served.url("bundled", "notes/lecture-7.html"))
    refs = pg.locator(".rl-references li")
    assert refs.count() == 4
    assert "Arthur Jacot, Franck Gabriel and Clément Hongler" in refs.nth(2).inner_text()
    assert refs.nth(2).get_by_role("link", name="arXiv").get_attribute("href") == (
        "https://arxiv.org/abs/1806.07572"
    )
    cite = pg.locator("a.rl-cite", has_text="Jacot et al. (2018)").first
    assert cite.is_visible()
    with pg.expect_navigation():
        cite.click()
    assert pg.url == served.url("bundled", "papers/jacot2018.html")
    assert "Neural Tangent Kernel" in pg.locator("h1").inner_text()


# ---------------------------------------------------------------- reading progress


def test_read_toggle_survives_a_reload_and_updates_the_counts(
    page: Watched, served: Served
) -> None:
    total = len(lecture_keys(served))
    pg = page.page
    pg.goto(served.url("bundled", LECTURE))
    assert pg.locator("li.rl-paper button.rl-read-toggle").count() == total
    assert count_text(pg) == f"0 of {total} read"
    button = toggle(pg, JACOT)
    assert button.inner_text() == "Mark as read"
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert button.inner_text() == "Read ✓"
    assert count_text(pg) == f"1 of {total} read"
    pg.reload()
    assert toggle(pg, JACOT).get_attribute("aria-pressed") == "true"
    assert toggle(pg, DU).get_attribute("aria-pressed") == "false"
    assert count_text(pg) == f"1 of {total} read"
    # The same mark on the topic's page and the paper's own page.
    pg.goto(served.url("bundled", "topics/ntk.html"))
    assert toggle(pg, JACOT).get_attribute("aria-pressed") == "true"
    ntk = pg.locator("li.rl-paper[data-key]").count()
    assert count_text(pg) == f"1 of {ntk} read"
    pg.goto(served.url("bundled", "papers/jacot2018.html"))
    own = pg.locator("[data-paper] button.rl-read-toggle")
    assert own.get_attribute("aria-pressed") == "true"
    own.click()  # unmark it from the paper's page
    pg.goto(served.url("bundled", LECTURE))
    assert count_text(pg) == f"0 of {total} read"
    stored = [k for k in pg.evaluate("Object.keys(localStorage)") if "readinglist" in k]
    assert stored == ["readinglist:/bundled/:read"]  # one list, named by the site's root


def test_home_schedule_shows_progress_per_lecture(page: Watched, served: Served) -> None:
    total = len(lecture_keys(served))
    pg = page.page
    pg.goto(served.url("bundled", LECTURE))
    toggle(pg, JACOT).click()
    toggle(pg, DU).click()
    pg.goto(served.url("bundled", "index.html"))
    assert pg.locator(".rl-schedule th.rl-progress-head").inner_text() == "Read"
    cells = pg.locator("td.rl-progress-cell")
    assert cells.count() == 13
    assert pg.locator('td[data-progress-lecture="7"]').inner_text() == f"2 of {total}"
    first = len(lecture_keys(served, 1))
    assert pg.locator('td[data-progress-lecture="1"]').inner_text() == f"0 of {first}"
    summary = pg.locator(".rl-progress-summary").inner_text()
    assert re.fullmatch(r"Your reading: 2 of \d+ scheduled papers marked as read\.", summary)
    # A lecture read in full is marked as complete.
    pg.goto(served.url("bundled", LECTURE))
    for key in lecture_keys(served)[2:]:
        toggle(pg, f'li.rl-paper[data-key="{key}"]').click()
    assert count_text(pg) == f"{total} of {total} read"
    pg.goto(served.url("bundled", "lectures/index.html"))
    cell = pg.locator('td[data-progress-lecture="7"]')
    assert cell.inner_text() == f"{total} of {total}"
    assert "rl-complete" in (cell.get_attribute("class") or "")


def test_export_clear_import_restores_the_read_list(
    page: Watched, served: Served, tmp_path: Path
) -> None:
    total = len(lecture_keys(served))
    pg = page.page
    pg.goto(served.url("bundled", LECTURE))
    toggle(pg, JACOT).click()
    toggle(pg, DU).click()
    pg.goto(served.url("bundled", "index.html"))
    with pg.expect_download() as info:
        pg.get_by_role("button", name="Export read list").click()
    download = info.value
    assert download.suggested_filename == "reading-progress.json"
    saved = tmp_path / "reading-progress.json"
    download.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data == {
        "format": "readinglist-progress",
        "version": 1,
        "site": "/bundled/",
        "read": ["du2018", "jacot2018"],
    }
    pg.evaluate("localStorage.clear()")
    pg.reload()
    row = pg.locator('td[data-progress-lecture="7"]')
    assert row.inner_text() == f"0 of {total}"
    with pg.expect_file_chooser() as chooser:
        pg.get_by_role("button", name="Import read list").click()
    chooser.value.set_files(str(saved))
    pg.wait_for_function(
        "document.querySelector('td[data-progress-lecture=\"7\"]').textContent.startsWith('2')"
    )
    assert row.inner_text() == f"2 of {total}"
    assert pg.locator(".rl-progress-message").inner_text() == (
        "Imported: 2 papers added to your marks."
    )
    pg.goto(served.url("bundled", LECTURE))
    assert toggle(pg, JACOT).get_attribute("aria-pressed") == "true"
    # A file that is not an export is refused and changes nothing.
    pg.goto(served.url("bundled", "index.html"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"read": "<img src=x onerror=alert(1)>"}', encoding="utf-8")
    with pg.expect_file_chooser() as chooser:
        pg.get_by_role("button", name="Import read list").click()
    chooser.value.set_files(str(bad))
    message = pg.locator(".rl-progress-message")
    message.filter(has_text="not a read list").wait_for()
    assert row.inner_text() == f"2 of {total}"
    assert pg.locator('img[src="x"]').count() == 0


def test_keyboard_toggles_the_button(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("bundled", LECTURE))
    button = toggle(pg, JACOT)
    button.focus()
    assert pg.evaluate("document.activeElement.getAttribute('data-read-key')") == "jacot2018"
    pg.keyboard.press("Space")
    assert button.get_attribute("aria-pressed") == "true"
    pg.keyboard.press("Enter")
    assert button.get_attribute("aria-pressed") == "false"
    pg.keyboard.press("Enter")
    assert button.get_attribute("aria-pressed") == "true"
    pg.keyboard.press("Shift+Tab")
    pg.keyboard.press("Tab")
    assert pg.evaluate("document.activeElement.getAttribute('data-read-key')") == "jacot2018"
    # The accessible name is the visible label; the tick is decoration.
    assert pg.get_by_role("button", name="Read", exact=True).count() == 1
    described = button.get_attribute("aria-describedby")
    assert described and "Neural Tangent Kernel" in pg.locator(f"#{described}").inner_text()


def test_progress_works_from_file_urls(browser: Any, served: Served) -> None:
    """Opened from disk, marks are kept and counted, and nothing is requested."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    requests: list[str] = []
    errors: list[str] = []
    pg.on("request", lambda r: requests.append(r.url))
    failed: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # A load cut short by the test's own reload or navigation (net::ERR_ABORTED, seen
    # for the favicon) is not a failure of the site.
    pg.on(
        "requestfailed",
        lambda r: None if "ERR_ABORTED" in (r.failure or "") else failed.append(r.url),
    )
    try:
        site = served.folder / "bundled"
        pg.goto((site / "lectures" / "7.html").as_uri())
        toggle(pg, JACOT).click()
        pg.reload()
        assert toggle(pg, JACOT).get_attribute("aria-pressed") == "true"
        pg.goto((site / "index.html").as_uri())
        total = len(lecture_keys(served))
        assert pg.locator('td[data-progress-lecture="7"]').inner_text() == f"1 of {total}"
        assert [u for u in requests if not u.startswith("file://")] == []
        # Material's search looks for search_index.js on file://, which MkDocs's search
        # plugin does not write (Zensical's, for search.js); that is the only thing
        # allowed to fail here.
        index = "search.js" if served.engine == "zensical" else "search_index.js"
        assert {u.rsplit("/", 1)[-1] for u in failed} <= {index}
        search = ("Failed to load resource: net::ERR_FILE_NOT_FOUND", "Invalid script: ")
        assert [e for e in errors if not e.startswith(search)] == []
        assert all(index in e for e in errors if e.startswith(search[1]))
    finally:
        context.close()


def test_hostile_site_toggles_are_text(page: Watched, served: Served) -> None:
    pg = page.page
    pg.goto(served.url("hostile", "lectures/1.html"))
    button = toggle(pg, 'li.rl-paper[data-key="evil2024"]')
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    assert pg.locator('img[src="x"]').count() == 0
    pg.wait_for_timeout(200)


# ---------------------------------------------------------------- instant navigation


@pytest.fixture(scope="module")
def instant(served: Served, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The bundled course with Material's instant navigation, served as ``/instant/``.

    Material only: Zensical's bundle has no ``document$`` for progress.js to follow
    page changes by.
    """
    if served.engine != "mkdocs":
        pytest.skip("instant navigation is tested with Material")
    root = copy_course(tmp_path_factory.mktemp("instant") / "course")
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    # Material's instant navigation needs site_url to know which links are the site's.
    text = text.replace("  features:\n", "  features:\n    - navigation.instant\n", 1)
    config.write_text(f"site_url: {served.origin}/instant/\n" + text, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READINGLIST_CACHE_DIR", str(tmp_path_factory.mktemp("instant-cache")))
        build(root, site_dir=served.folder / "instant")
    return "instant"


def test_instant_navigation_gets_toggles_on_each_page(
    page: Watched, served: Served, instant: str
) -> None:
    pg = page.page
    pg.goto(served.url(instant, "index.html"))
    pg.wait_for_function("typeof window.document$ === 'object'")  # Material is set up
    pg.locator("td.rl-progress-cell").first.wait_for()  # and so is progress.js
    pg.evaluate("window.__sameDocument = true")  # gone if a full page load happens
    with pg.expect_response(re.compile(r"/lectures/7\.html$")):
        pg.locator(".rl-schedule a[href$='lectures/7.html']").click()
    toggle(pg, JACOT).wait_for()
    same = pg.evaluate("window.__sameDocument")
    assert same is True, "a full page load: instant navigation did not take the click"
    assert pg.locator(f"{JACOT} button.rl-read-toggle").count() == 1  # not added twice
    toggle(pg, JACOT).click()
    total = len(lecture_keys(served))
    assert count_text(pg) == f"1 of {total} read"


# ---------------------------------------------------------------- screenshots


@pytest.fixture
def shots(tmp_path: Path, served: Served) -> Iterator[Path]:
    yield tmp_path
    if os.environ.get("READINGLIST_SCREENSHOTS") and served.engine == "mkdocs":
        target = REPO / "docs" / "img"
        target.mkdir(exist_ok=True)
        for name in ("notes.png", "progress.png"):
            shutil.copy(tmp_path / name, target / name)


def test_screenshots(page: Watched, served: Served, shots: Path) -> None:
    pg = page.page
    pg.goto(served.url("bundled", LECTURE))
    toggle(pg, JACOT).click()
    toggle(pg, DU).click()
    pg.screenshot(path=str(shots / "progress.png"))
    pg.goto(served.url("bundled", "notes/lecture-7.html"))
    pg.screenshot(path=str(shots / "notes.png"), full_page=True)
    for name in ("notes.png", "progress.png"):
        assert (shots / name).stat().st_size > 20_000
