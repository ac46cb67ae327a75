"""Paper pages made from a chrome rendered once (site/chrome.py) are byte for byte the
pages Material's own ``main.html`` renders: the whole built site is compared with a
build that renders every page through the theme, on the bundled course with sync data
and hostile titles, with canonical URLs and directory URLs, and with theme overrides
that use a page's parts in ways the chrome cannot fill (it must notice and fall back).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from test_site import append_bib, copy_course, make_hostile, write_synced

from readinglist.site import chrome
from readinglist.site.run import build

#: Titles that differ once escaped, unescaped or stripped of tags: the chrome must put
#: each where Material puts it (``<title>``, the header, the toc) exactly as it would.
TITLES = [
    "&amp; &lt;b&gt; already escaped &#x27;entities&#x27; &quot;",
    "A </title><script>alert(1)</script> title",
    "   Leading and trailing spaces, \"quotes\" and 'apostrophes'   ",
    "Ünïcödé — 深層学習 and $\\mathbb{R}^n$ math, {braces} \\& a backslash",
    "<h1>A heading in a title</h1> and \ue000rl-title-plain\ue001 a sentinel",
]


def more_hostile(root: Path) -> None:
    """Papers with hostile titles, one without an abstract (another toc shape)."""
    entries = []
    for i, title in enumerate(TITLES):
        abstract = "" if i == 2 else f"  abstract = {{An abstract with <b>tags</b> {i}.}},\n"
        entries.append(f"@article{{hostile{i},\n  author = {{Doe, Jane}},\n"
                       f"  title = {{{title}}},\n{abstract}  year = {{2020}},\n}}\n")  # fmt: skip
    append_bib(root, "ntk.bib", "\n".join(entries))


def site_url(root: Path) -> None:
    """Canonical URLs (a slot of their own) and directory URLs (a folder per page)."""
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    text = text.replace("use_directory_urls: false", "use_directory_urls: true")
    text = re.sub(r"^  - offline\b.*\n", "", text, flags=re.M)  # it turns them off
    config.write_text(text + "site_url: https://example.org/course/\n", encoding="utf-8")


#: Theme overrides no chrome can be filled from: one transforms the title (caught by
#: the hostile sentinels), one writes the page's URL out (caught on a shape's second page).
OVERRIDES = {
    "striptags": "{% block htmltitle %}<title>{{ page.meta.title | striptags if page else '' }}"
                 "</title>{% endblock %}\n",
    "url": "{% block extrahead %}<meta name=\"page\" content=\"{{ page.url if page }}\">"
           "{% endblock %}\n",
}  # fmt: skip


def theme_override(block: str) -> Callable[[Path], None]:
    """A custom_dir whose main.html overrides a block of Material's base.html."""

    def change(root: Path) -> None:
        overrides = root / "overrides"
        overrides.mkdir()
        (overrides / "main.html").write_text('{% extends "base.html" %}\n' + block, "utf-8")
        config = root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        text = text.replace("  name: material\n", "  name: material\n  custom_dir: overrides\n")
        config.write_text(text, encoding="utf-8")

    return change


def site_files(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*"))
            if p.is_file()}  # fmt: skip


def build_both(
    tmp: Path, monkeypatch: pytest.MonkeyPatch, changes: list[Callable[[Path], None]]
) -> tuple[dict[str, bytes], dict[str, bytes], list[chrome.ChromeCache]]:
    """The site built with the chrome and without it; the chrome caches used."""
    root = copy_course(tmp / "course")
    for change in changes:
        change(root)
    caches: list[chrome.ChromeCache] = []
    install = chrome.install

    def recording(env, folder):  # type: ignore[no-untyped-def]
        cache = install(env, folder)
        caches.append(cache)
        return cache

    monkeypatch.setattr(chrome, "install", recording)
    fast = site_files(build(root, site_dir=tmp / "fast"))
    monkeypatch.setattr(chrome, "ENABLED", False)
    slow = site_files(build(root, site_dir=tmp / "slow"))
    return fast, slow, caches


def assert_same_site(fast: dict[str, bytes], slow: dict[str, bytes]) -> None:
    assert sorted(fast) == sorted(slow)
    differ = [name for name in fast if fast[name] != slow[name]]
    assert differ == []


def test_paper_pages_equal_the_themes_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    changes = [write_synced, make_hostile, more_hostile]
    fast, slow, caches = build_both(tmp_path, monkeypatch, changes)
    assert_same_site(fast, slow)
    (cache,) = caches
    papers = [name for name in fast if name.startswith("papers/") and name != "papers/index.html"]
    # Up to two pages per shape come from the theme (made, then checked); the rest are
    # filled in.
    assert len(cache.chromes) >= 2  # with and without an abstract, with a history
    assert all(isinstance(c, chrome.Chrome) for c in cache.chromes.values())
    assert len(papers) - 2 * len(cache.chromes) <= cache.filled < len(papers)
    hostile = fast["papers/hostile0.html"].decode()
    assert "<title>&amp;amp; &amp;lt;b&amp;gt; already escaped" in hostile
    assert "<title>A &lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt; title - " in (
        fast["papers/hostile1.html"].decode()
    )


def test_canonical_and_directory_urls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fast, slow, caches = build_both(tmp_path, monkeypatch, [more_hostile, site_url])
    assert_same_site(fast, slow)
    page = fast["papers/hostile0/index.html"].decode()
    assert '<link rel="canonical" href="https://example.org/course/papers/hostile0/">' in page
    assert caches[0].filled > 40


@pytest.mark.parametrize("override", sorted(OVERRIDES))
def test_a_theme_the_chrome_cannot_fill_renders_every_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, override: str
) -> None:
    change = theme_override(OVERRIDES[override])
    fast, slow, caches = build_both(tmp_path, monkeypatch, [more_hostile, change])
    assert_same_site(fast, slow)
    if override == "url":
        assert '<meta name="page" content="papers/hostile1.html">' in (
            fast["papers/hostile1.html"].decode()
        )
    else:
        assert "<title>&amp; &lt;b&gt; already escaped" in fast["papers/hostile0.html"].decode()
    assert caches[0].filled == 0
    assert caches[0].chromes and not any(isinstance(c, chrome.Chrome)
                                         for c in caches[0].chromes.values())  # fmt: skip


def test_chrome_split_and_fill() -> None:
    sentinels = {"title": "\ue000T\ue001", "content": "\ue000C\ue001"}
    made = chrome.Chrome.split("<t>\ue000T\ue001</t><h>\ue000T\ue001</h><m>\ue000C\ue001</m>",
                               sentinels)  # fmt: skip
    assert made.slots == ("title", "title", "content")
    assert made.fill({"title": "a & b", "content": "<p>x</p>"}) == (
        "<t>a & b</t><h>a & b</h><m><p>x</p></m>"
    )


def test_paper_pages_are_rendered_one_at_a_time(tmp_path: Path) -> None:
    """Paper pages are lazy: rendered when MkDocs builds them and let go once written."""
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config

    from readinglist.site.pages import LazyPage

    root = copy_course(tmp_path / "course")
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(tmp_path / "site"))
    mkdocs_build(config)
    plugin = config.plugins["readinglist"]
    plan = plugin.plan
    papers = sorted(plan.paper_pages)
    assert papers and all(isinstance(plan.html.stub(src), LazyPage) for src in papers)
    assert plugin._rendered == {}  # nothing held after the build
    first = plan.html[papers[0]]
    again = plan.html[papers[0]]
    assert first == again and first is not again  # rendered on each look-up, not kept
    written = (tmp_path / "site" / papers[0].replace(".md", ".html")).read_text("utf-8")
    assert first.html in written


def test_every_lazy_page_has_the_metadata_it_announces(tmp_path: Path) -> None:
    """A page's title and flags are given before it is rendered (the nav, <title> and
    the search plugin's exclusions use them): they must be the rendered page's."""
    from readinglist.site.pages import build_site
    from readinglist.store import load_library

    root = copy_course(tmp_path / "course")
    write_synced(root)
    make_hostile(root)
    more_hostile(root)
    plan = build_site(load_library(root).library)
    lazy = plan.html.lazy()
    assert len(lazy) == len(plan.html) > 80
    for src, stub in lazy.items():
        page = stub.render()  # raises if title, search or hide differ
        assert stub.meta == page.meta, src


def test_asking_whether_a_page_exists_does_not_render_it() -> None:
    from readinglist.site.pages import Pages
    from readinglist.site.render import HtmlPage, LazyPage

    def fail() -> HtmlPage:
        raise AssertionError("rendered")

    pages = Pages()
    pages["papers/a.md"] = LazyPage("A", fail)
    assert "papers/a.md" in pages and "papers/a.md" in pages.keys()  # noqa: SIM118
    assert "papers/b.md" not in pages
    assert list(pages) == ["papers/a.md"]
