"""The 404 page works at any base path: served under a sub-path (as a project's GitHub
Pages site is), at any depth of missing URL, and opened from disk."""

from __future__ import annotations

import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from readinglist.site.notfound import MARK, base_path, relocatable
from readinglist.site.run import build

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
MOUNT = "/course/"


# ---------------------------------------------------------------- the rewrite


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import shutil

    repo = Path(__file__).resolve().parents[1]
    course = tmp_path_factory.mktemp("nf") / "course"
    course.mkdir()
    for name in ("bib", "docs"):
        shutil.copytree(repo / name, course / name)
    shutil.copy(repo / "mkdocs.yml", course / "mkdocs.yml")
    out = tmp_path_factory.mktemp("nf-site") / "site"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("READINGLIST_CACHE_DIR", str(tmp_path_factory.mktemp("nf-cache")))
        build(course, site_dir=out)
    return out


def test_built_404_has_no_root_absolute_link(site: Path) -> None:
    html = (site / "404.html").read_text(encoding="utf-8")
    assert MARK in html
    assert not re.findall(r'\s(?:href|src)="/(?!/)', html)
    assert 'href="assets/stylesheets/' in html and 'href="lectures/1.html"' in html
    assert '"base": "."' in html
    # The charset still comes first (within the first 1024 bytes).
    assert html.index("<meta charset") < 1024
    # Other pages keep MkDocs' own relative links.
    assert MARK not in (site / "index.html").read_text(encoding="utf-8")


def test_relocatable_with_a_site_url_path_and_idempotent() -> None:
    page = (
        '<html><head><meta charset="utf-8"><link href="/course/assets/x.css"></head>'
        '<body><a href="/course/">home</a><a href="/other/">other</a><a href="//cdn/x">x</a>'
        '<script id="__config" type="application/json">{"base": "/course/", '
        '"search": "/course/assets/w.js"}</script></body></html>'
    )
    out = relocatable(page, "https://example.org/course/")
    assert 'href="assets/x.css"' in out and 'href="./"' in out
    assert 'href="/other/"' in out and 'href="//cdn/x"' in out  # not ours: left alone
    assert '{"base": ".", "search": "assets/w.js"}' in out
    assert out.index('<meta charset="utf-8">') < out.index(MARK)
    assert relocatable(out, "https://example.org/course/") == out
    assert base_path(None) == "/" and base_path("https://x.org/a") == "/a/"


# ---------------------------------------------------------------- in a browser


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Like GitHub Pages for a project site: the site under MOUNT, its 404.html (status
    404) for any missing path under it."""

    site: Path

    def translate_path(self, path: str) -> str:
        path = path.split("?", 1)[0].split("#", 1)[0]
        if not path.startswith(MOUNT):
            return str(self.site / "__nowhere__")
        return str(self.site / path[len(MOUNT) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or not self.path.startswith(MOUNT):
            super().send_error(code, message, explain)
            return
        body = (self.site / "404.html").read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def origin(site: Path) -> Iterator[str]:
    handler = type("Handler", (_PagesHandler,), {"site": site})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def _styled(browser: Any, url: str) -> dict[str, Any]:
    page = browser.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.on("response", lambda r: failed.append(r.url) if r.status >= 400 and r.url != url else 0)
    try:
        page.goto(url, wait_until="load")
        page.wait_for_function("() => document.querySelector('.md-header') !== null")
        return {
            "failed": failed,
            **page.evaluate(
                """() => {
                const sheets = [...document.styleSheets].filter(
                    s => s.href && s.href.includes('/assets/stylesheets/main'));
                return {
                    sheets: sheets.map(s => s.href),
                    rules: (() => {  // from file: rules cannot be read (null origin)
                        try { return sheets.length ? sheets[0].cssRules.length : 0; }
                        catch (e) { return -1; }
                    })(),
                    header: getComputedStyle(document.querySelector('.md-header')).position,
                    home: document.querySelector('a.md-logo').href,
                    material: typeof window.document$ === 'object',
                    lecture: [...document.querySelectorAll('a')]
                        .map(a => a.href).find(h => h.endsWith('lectures/1.html')),
                };
            }"""
            ),
        }
    finally:
        page.close()


@pytest.mark.browser
@pytest.mark.parametrize(
    "missing", ["nope.html", "lectures/99.html", "papers/a/b/c/", "topics/x?q=1#y"]
)
def test_404_is_styled_under_a_sub_path_at_any_depth(
    browser: Any, origin: str, missing: str
) -> None:
    url = f"{origin}{MOUNT}{missing}"
    seen = _styled(browser, url)
    root = f"{origin}{MOUNT}"
    assert seen["sheets"] and all(s.startswith(root) for s in seen["sheets"])
    assert seen["rules"] > 100  # Material's stylesheet, loaded and parsed
    assert seen["header"] == "sticky"  # and applied
    assert seen["home"] == f"{root}index.html"
    assert seen["lecture"] == f"{root}lectures/1.html"
    assert seen["material"]  # Material's script ran (loaded from the root)
    # What failed is only Chromium's preload scanner fetching ahead of the <base> the
    # script sets (relative to the missing URL's folder) and the script's probes of
    # folders inside the site: never a request at the site's root.
    folder = url.split("?")[0].rsplit("/", 1)[0] + "/"
    for failed in seen["failed"]:
        if failed.endswith("/404.html"):
            assert failed.startswith(root) and failed != f"{root}404.html", failed
        else:
            assert failed.startswith(folder) and folder != root, failed


@pytest.mark.browser
def test_404_is_styled_from_disk(browser: Any, site: Path) -> None:
    url = (site / "404.html").as_uri()
    seen = _styled(browser, url)
    assert seen["sheets"] == [s for s in seen["sheets"] if s.startswith(site.as_uri())]
    assert seen["sheets"] and seen["header"] == "sticky"  # Material's stylesheet applied
    assert seen["home"] == (site / "index.html").as_uri()
    # Material looks for an offline search index from file: on every page (it is made
    # only by its offline plugin); nothing else may fail.
    assert [u for u in seen["failed"] if not u.endswith("/search/search_index.js")] == []
