"""Citations in hand-written pages: parsing, rendering, escaping, and the plugin's use
of them in a build (links, References, warnings with file and line, ``--strict``,
the numeric style, ``serve`` rebuilding a page that cites)."""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import markdown as python_markdown
import pytest
import test_site
from hypothesis import given
from hypothesis import strategies as st
from test_site import Built, _get, build_copy, serving

from readinglist.site.citations import (
    AUTHOR_YEAR,
    NUMERIC,
    REFERENCES_MARKER,
    Cited,
    Item,
    Source,
    cite,
    code_free_spans,
    find_citations,
    labels,
    md_text,
    parse_group,
    source_of,
)
from readinglist.site.markup import Layout, assign_slugs
from readinglist.store import load_library

REPO = Path(__file__).resolve().parents[1]


def source(
    key: str, families: tuple[str, ...], year: int | None, title: str = "", **kw: object
) -> Source:
    """A Source as the plugin makes it, with only what a test needs."""
    values: dict[str, object] = {
        "key": key,
        "families": families,
        "et_al": False,
        "authors": " and ".join(families),
        "year": year,
        "title": title or f"Title of {key}",
        "venue": "",
        "arxiv": None,
        "doi": None,
        "src": f"papers/{key}.md",
    }
    values.update(kw)
    return Source(**values)  # type: ignore[arg-type]


SOURCES = {
    "jacot2018": source(
        "jacot2018",
        ("Jacot", "Gabriel", "Hongler"),
        2018,
        "Neural Tangent Kernel: Convergence and Generalization in Neural Networks",
        venue="NeurIPS 2018",
        arxiv="1806.07572",
        authors="Arthur Jacot, Franck Gabriel and Clément Hongler",
    ),
    "du2018": source("du2018", ("Du", "Zhai", "Póczos", "Singh"), 2018, doi="10.1/x(y)"),
    "li2018sgd": source("li2018sgd", ("Li", "Liang"), 2018, "Learning via SGD"),
    "li2018b": source("li2018b", ("Li", "Liang"), 2018, "Another paper"),
    "barron1993": source("barron1993", ("Barron",), 1993),
    "solo": source("solo", ("Solo",), 2020, et_al=True),
    "anon": source("anon", (), None, "A paper without any authors at all"),
    "allenzhu2019": source("allenzhu2019", ("Allen-Zhu", "Li", "Song"), 2019),
}


def cite_text(
    text: str, *, style: str = AUTHOR_YEAR, page: str = "notes/x.md", **kw: object
) -> Cited:
    layout = Layout(**kw)  # type: ignore[arg-type]
    return cite(
        text,
        known=SOURCES,
        source=SOURCES.__getitem__,
        href=lambda src: layout.href(page, src),
        style=style,
    )


def plain(text: str) -> str:
    """What a reader sees of Markdown with inline HTML: tags dropped, references decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", text))


def body(cited: Cited) -> str:
    """The page without its References section."""
    parts = cited.markdown.split("\n\n## References\n\n")
    return parts[0] + "\n" if len(parts) > 1 else parts[0]


# ---------------------------------------------------------------- parsing


def test_text_around_a_citation_is_kept_exactly() -> None:
    out = cite_text("Before [@jacot2018] after.\n").markdown
    assert out.startswith(
        'Before &#40;<a class="rl-cite" href="../papers/jacot2018.html" title="Neural Tangent '
        'Kernel&#58; Convergence and Generalization in Neural Networks">Jacot et al., 2018</a>'
        "&#41; after.\n\n## References\n"
    )


def test_group_prefix_locator_and_year_only() -> None:
    text = (
        "A [@jacot2018; @du2018]. B [see @jacot2018, p. 3]. C [-@barron1993]. "
        "D [e.g. @du2018 ch. 2].\n"
    )
    out = plain(body(cite_text(text)))
    assert out == (
        "A (Jacot et al., 2018; Du et al., 2018). B (see Jacot et al., 2018, p. 3). "
        "C (1993). D (e.g. Du et al., 2018, ch. 2).\n"
    )


def test_parse_group_items() -> None:
    assert parse_group("see @a, p. 3; -@b;@{x/y}") == (
        Item("a", prefix="see", suffix="p. 3"),
        Item("b", year_only=True),
        Item("x/y"),
    )
    assert parse_group("mail a@b.com") is None  # an e-mail address, not a citation
    assert parse_group("@a; no key here") is None
    assert parse_group("@a\n\n@b") is None  # brackets do not span paragraphs
    assert parse_group("@abc_def") == (Item("abc_def"),)


def test_in_text_citations_for_known_keys_only() -> None:
    cited = cite_text("@jacot2018 show it; @du2018. And @someone said @li2018sgd's result.\n")
    out = plain(body(cited))
    assert out == (
        "Jacot et al. (2018) show it; Du et al. (2018). And @someone said "
        "Li and Liang (2018)'s result.\n"
    )
    assert cited.unknown == ()  # a bare @name is not a citation attempt


def test_in_text_key_followed_by_punctuation_cites_the_known_prefix() -> None:
    out = plain(body(cite_text("See @jacot2018.Then @du2018/slides and @{barron1993}.\n")))
    assert out == "See Jacot et al. (2018).Then Du et al. (2018)/slides and Barron (1993).\n"


def test_emails_and_mentions_are_untouched() -> None:
    text = (
        "Write to a@b.com, jacot2018@example.org or x@jacot2018.org; [mail a@du2018.org].\n"
        "<jacot@du2018.com> and <https://example.org/@jacot2018>.\n"
    )
    cited = cite_text(text)
    assert cited == Cited(text)


def test_code_blocks_inline_code_comments_and_links_are_untouched() -> None:
    text = (
        "```python\n[@jacot2018] @du2018\n```\n\n"
        "~~~~\n```\n[@jacot2018]\n```\n~~~~\n\n"
        "    [@jacot2018] indented code\n    @du2018\n\n"
        "Inline `[@jacot2018]` and ``@du2018 `x` `` code.\n\n"
        "<!-- [@jacot2018]\n@du2018 -->\n\n"
        "[a link @du2018](https://example.org/@du2018) and ![img @du2018](x.png)\n\n"
        "[ref @du2018][r]\n\n"
        "[@jacot2018]: https://example.org/ref\n\n"
        "<pre>[@jacot2018]</pre> \\[@foo] \\@du2018\n"
    )
    cited = cite_text(text)
    assert cited == Cited(text)
    assert find_citations(text, SOURCES) == []


def test_citations_right_after_code_are_found_with_their_lines() -> None:
    text = "```\n[@nope1]\n```\n\n    [@nope2]\n\nText [@nope3] and `[@nope4]`.\n"
    assert cite_text(text).unknown == ((7, "nope3"),)


def test_list_continuations_are_text_but_deeper_indentation_is_code() -> None:
    text = "- item\n\n    continued [@jacot2018]\n\n        code [@du2018]\n"
    spans = code_free_spans(text)
    free = "".join(text[a:b] for a, b in spans)
    assert "continued [@jacot2018]" in free and "code [@du2018]" not in free
    cited = cite_text(text)
    assert cited.keys == ("jacot2018",)
    assert "code [@du2018]" in cited.markdown


def test_lazy_continuation_lines_are_not_code() -> None:
    text = "A paragraph\n    continued [@jacot2018].\n"
    assert cite_text(text).keys == ("jacot2018",)


def test_unknown_keys_are_shown_and_reported_with_their_lines() -> None:
    text = "Line one.\n\nOne [@foo] and [@jacot2018; @bar, p. 2].\n\nThen [see @baz].\n"
    cited = cite_text(text)
    assert cited.unknown == ((3, "foo"), (3, "bar"), (5, "baz"))
    out = plain(body(cited))
    assert out == (
        "Line one.\n\nOne [@foo?] and (Jacot et al., 2018; @bar?, p. 2).\n\nThen [see @baz?].\n"
    )
    assert cited.keys == ("jacot2018",)


def test_a_page_with_only_unknown_keys_gets_no_references() -> None:
    cited = cite_text("Only [@foo].\n")
    assert "References" not in cited.markdown and cited.keys == ()


def test_a_page_without_citations_comes_back_unchanged() -> None:
    text = "# Title\n\nNo citations, but an e-mail a@b.com and @someone.\n"
    assert cite_text(text) == Cited(text)


# ---------------------------------------------------------------- labels and references


def test_author_year_labels() -> None:
    given_labels = labels(
        [SOURCES[k] for k in ("barron1993", "li2018sgd", "jacot2018", "solo", "anon")]
    )
    text = {k: v.text(AUTHOR_YEAR) for k, v in given_labels.items()}
    assert text == {
        "barron1993": "Barron, 1993",
        "li2018sgd": "Li and Liang, 2018",
        "jacot2018": "Jacot et al., 2018",
        "solo": "Solo et al., 2020",  # "Solo and others"
        "anon": "A paper without any…, n.d.",
    }


def test_same_label_gets_letters_in_references_order() -> None:
    cited = cite_text("[@li2018sgd] and [@li2018b]\n")
    # "Another paper" sorts before "Learning via SGD".
    assert plain(body(cited)) == "(Li and Liang, 2018b) and (Li and Liang, 2018a)\n"
    assert cited.keys == ("li2018b", "li2018sgd")
    refs = cited.markdown.split("## References")[1]
    assert '<span class="rl-year">2018a</span>' in refs.split("Another paper")[1].split("</li>")[0]


def test_references_are_sorted_and_unique() -> None:
    sources = dict(SOURCES)
    sources["li2017"] = source("li2017", ("Li",), 2017, "Zeta")
    sources["lia2017"] = source("lia2017", ("Li",), 2017, "Alpha")
    sources["erdos"] = source("erdos", ("Erdős",), 1950)
    sources["eaton"] = source("eaton", ("Eaton",), 1960)
    text = (
        "[@jacot2018] [@li2017] @du2018 [@jacot2018; @lia2017] @jacot2018 [@erdos] "
        "[@eaton] [@barron1993] [@allenzhu2019]\n"
    )
    cited = cite(
        text,
        known=sources,
        source=sources.__getitem__,
        href=lambda src: Layout().href("x.md", src),
    )
    order = [
        "allenzhu2019",
        "barron1993",
        "du2018",
        "eaton",
        "erdos",
        "jacot2018",
        "lia2017",
        "li2017",
    ]
    assert cited.keys == tuple(order)
    refs = cited.markdown.split("## References\n\n")[1]
    assert refs.count("<li>") == len(order)
    positions = [refs.index(f'href="papers/{key}.html"') for key in order]
    assert positions == sorted(positions)


def test_reference_entries_have_authors_title_venue_year_and_links() -> None:
    cited = cite_text("[@jacot2018] [@du2018]\n")
    refs = cited.markdown.split("## References\n\n")[1]
    jacot = refs.split("<li>")[2]
    assert jacot.startswith(
        '<span class="rl-authors">Arthur Jacot, Franck Gabriel and Clément Hongler</span>. '
        '<a class="rl-ref-title" href="../papers/jacot2018.html">Neural Tangent Kernel: '
        "Convergence and Generalization in Neural Networks</a>. "
        '<span class="rl-venue">NeurIPS 2018</span>, <span class="rl-year">2018</span>. '
        '<span class="rl-links"><a href="https://arxiv.org/abs/1806.07572">arXiv</a></span>'
    )
    assert '<a href="https://doi.org/10.1/x(y)">DOI</a>' in refs
    assert "\n\n" not in refs.strip()  # one raw HTML block: Markdown leaves it alone


def test_reference_titles_render_math() -> None:
    sources = {"m": source("m", ("Moi",), 2021, "Rates $O(n^{-1/2})$ and <b>bold</b>")}
    cited = cite("[@m]", known=sources, source=sources.__getitem__, href=lambda s: s)
    refs = cited.markdown.split("## References")[1]
    assert '<math xmlns="http://www.w3.org/1998/Math/MathML"' in refs
    assert "&lt;b&gt;bold&lt;/b&gt;" in refs and "<b>" not in refs


def test_references_go_where_the_marker_is() -> None:
    text = f"Intro [@jacot2018].\n\n{REFERENCES_MARKER}\n\n## Appendix\n\nMore.\n"
    out = cite_text(text).markdown
    assert out.index("## References") < out.index("## Appendix")
    assert REFERENCES_MARKER not in out and out.endswith("More.\n")


def test_numeric_style_numbers_by_references_order() -> None:
    text = "[@jacot2018] then [@du2018; @allenzhu2019] and [see @du2018, p. 3]; @jacot2018 too.\n"
    cited = cite_text(text, style=NUMERIC)
    assert plain(body(cited)) == ("[3] then [2, 1] and [see 2, p. 3]; Jacot et al. [3] too.\n")
    refs = cited.markdown.split("## References\n\n")[1]
    numbers = re.findall(r'<span class="rl-ref-number">\[(\d+)\]</span>', refs)
    assert numbers == ["1", "2", "3"]
    assert refs.index("allenzhu2019") < refs.index("du2018") < refs.index("jacot2018")
    assert plain(body(cite_text("[@foo]", style=NUMERIC))) == "[@foo?]"


def test_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="citation style must be one of"):
        cite_text("[@jacot2018]", style="footnotes")


@pytest.mark.parametrize(
    ("page", "directory_urls", "href"),
    [
        ("notes.md", False, "papers/jacot2018.html"),
        ("notes/x.md", False, "../papers/jacot2018.html"),
        ("a/b/c.md", False, "../../papers/jacot2018.html"),
        ("notes/x.md", True, "../../papers/jacot2018/"),
        ("notes/index.md", True, "../papers/jacot2018/"),
    ],
)
def test_links_are_relative_to_the_page(page: str, directory_urls: bool, href: str) -> None:
    cited = cite_text("[@jacot2018]", page=page, use_directory_urls=directory_urls)
    assert f'<a class="rl-cite" href="{href}"' in cited.markdown
    assert f'<a class="rl-ref-title" href="{href}"' in cited.markdown


# ---------------------------------------------------------------- hostile input


HOSTILE = {
    "x<script>": source(
        "x<script>",
        ("O'Brien*_`", "<b>Bold</b>"),
        2020,
        "<img src=x onerror=alert(1)> `code` *em* [a](javascript:alert(2)) | $x$",
        authors="<script>alert(3)</script>",
        venue="</div><script>alert(4)</script>",
        doi='10.1/"><script>',
        src="papers/x-script-1234.md",
    ),
    "x<b": source("x<b", ("<i>", "O'Neil"), 2021, src="papers/x-b-1234.md"),
}


def _render_markdown(text: str) -> str:
    """Markdown to HTML with the bundled site's extensions (what MkDocs does next)."""
    return python_markdown.markdown(
        text, extensions=["attr_list", "md_in_html", "tables", "pymdownx.superfences"]
    )


def test_hostile_keys_titles_and_names_never_become_markup() -> None:
    text = "Known [@{x<script>}] and @x<b in text; unknown [@{<script>alert(1)</script>}].\n"
    cited = cite(text, known=HOSTILE, source=HOSTILE.__getitem__, href=lambda s: s)
    assert cited.unknown == ((1, "<script>alert(1)</script>"),)
    page = _render_markdown(cited.markdown)
    assert "<script" not in page and "<img" not in page and "<b>" not in page
    assert "javascript:" not in re.sub(r">[^<]*<", "><", page)  # not in any attribute
    assert "<em>" not in page and "<code>" not in page  # Markdown did not act on names
    shown = plain(page)
    assert "O'Brien*_` and <b>Bold</b>, 2020" in shown  # the names, as text
    assert "<i> and O'Neil (2021) in text" in shown
    assert "[@<script>alert(1)</script>?]" in shown


def test_markdown_leaves_citation_labels_alone() -> None:
    sources = {"k": source("k", ("Under_score*", "Back`tick"), 2020, "T [x](y) `z`")}
    cited = cite("See [@k] and @k.\n", known=sources, source=sources.__getitem__, href=lambda s: s)
    page = _render_markdown(cited.markdown)
    assert plain(page).startswith(
        "See (Under_score* and Back`tick, 2020) and Under_score* and Back`tick (2020)."
    )
    assert page.count("<a ") == 3 and "<em>" not in page and "<code>" not in page


def test_md_text_makes_markdown_characters_inert() -> None:
    assert md_text("a*b_c`d[e](f)<g>&") == "a&#42;b&#95;c&#96;d&#91;e&#93;&#40;f&#41;&lt;g&gt;&amp;"
    assert md_text("\x1b[31m") == "&#91;31m"  # control characters dropped


# One key shape per BibTeX key rule: no whitespace, braces or ';' (the separator).
_keys = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp"), blacklist_characters="{};"
    ),
    min_size=1,
    max_size=20,
)


@given(key=_keys)
def test_any_braced_key_is_escaped(key: str) -> None:
    cited = cite(f"[@{{{key}}}]", known=(), source=SOURCES.__getitem__, href=lambda s: s)
    assert cited.unknown == ((1, key),)
    assert "<" not in cited.markdown.replace('<span class="rl-cite-unknown">', "").replace(
        "</span>", ""
    )


@given(text=st.text(max_size=300))
def test_any_text_is_handled_and_without_at_sign_unchanged(text: str) -> None:
    cited = cite_text(text)
    if "@" not in text:
        assert cited == Cited(text)
    for line, _ in cited.unknown:
        assert 1 <= line <= text.count("\n") + 1


@given(text=st.text(alphabet="ab @[];-,`\n\t*>{}<", max_size=120))
def test_code_free_spans_partition_in_order(text: str) -> None:
    spans = code_free_spans(text)
    assert all(a < b for a, b in spans)
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
    assert all(a >= 0 and b <= len(text) for a, b in spans)


# ---------------------------------------------------------------- sources from the list


def test_source_of_a_listed_paper() -> None:
    library = load_library(REPO).library
    slugs = assign_slugs(library.papers)
    jacot = source_of(library, "jacot2018", slugs["jacot2018"])
    assert jacot == Source(
        key="jacot2018",
        families=("Jacot", "Gabriel", "Hongler"),
        et_al=False,
        authors="Arthur Jacot, Franck Gabriel and Clément Hongler",
        year=2018,
        title="Neural Tangent Kernel: Convergence and Generalization in Neural Networks",
        venue="Advances in Neural Information Processing Systems 31 (NeurIPS 2018)",
        arxiv="1806.07572",
        doi=None,
        src="papers/jacot2018.md",
    )
    du = source_of(library, "du2018", slugs["du2018"])
    assert du.families == ("Du", "Zhai", "Póczos", "Singh")  # LaTeX accents decoded
    assert replace(du, families=()).key == "du2018"


# ---------------------------------------------------------------- in a build


# test_site's fixtures: the bundled course built once per module, in its own cache.
isolated_cache = test_site.isolated_cache
bundled = test_site.bundled


def test_bundled_notes_page_links_to_papers_and_lists_references(bundled: Built) -> None:
    page = bundled.text("notes/lecture-7.html")
    cites = re.findall(r'<a class="rl-cite" href="([^"]+)"', page)
    assert set(cites) == {
        "../papers/jacot2018.html",
        "../papers/du2018.html",
        "../papers/allenzhu2019.html",
        "../papers/li2018sgd.html",
    }
    for href in cites:
        assert (bundled.site / "notes" / href).resolve().is_file()
    assert 'id="references"' in page
    refs = page[page.index('id="references"') :]
    titles = re.findall(r'<a class="rl-ref-title" href="\.\./papers/([^"]+)\.html"', refs)
    assert titles == ["allenzhu2019", "du2018", "jacot2018", "li2018sgd"]  # by family name
    assert "Jacot et al. &#40;2018&#41;" in page and "Li and Liang, 2018" in page
    text = re.sub(r"<code>.*?</code>", "", page)
    assert "[@" not in text and "@jacot2018" not in text and "@du2018" not in text
    nav = page[page.index('class="md-nav md-nav--primary"') :]
    assert "notes/lecture-7.html" in bundled.text("index.html")  # in the nav
    assert "Lecture 7 notes" in nav


def test_generated_pages_are_not_scanned_for_citations(bundled: Built) -> None:
    assert "rl-cite" not in bundled.text("papers/jacot2018.html")
    assert "rl-cite" not in bundled.text("lectures/7.html")


def _notes_page(root: Path, body: str) -> None:
    (root / "docs" / "notes").mkdir(exist_ok=True)
    (root / "docs" / "notes" / "x.md").write_text(body, encoding="utf-8")


BROKEN_NOTES = (
    "---\ntitle: Broken notes\n---\n\n# Broken notes\n\n" + "Text.\n\n" * 2 + "\n"
    "Cites [@jacot2018] and [@foo] and [@{<script>}].\n"
)


def test_unknown_key_is_a_warning_with_page_and_line(
    course: Path, run: Callable[..., object], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    _notes_page(course, BROKEN_NOTES)
    assert BROKEN_NOTES.splitlines()[11].startswith("Cites")  # line 12 of the file
    result = run("--root", course, "build", "-d", tmp_path / "out")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    warnings = [r.getMessage() for r in caplog.records if "citation" in r.getMessage()]
    assert warnings == [
        "docs/notes/x.md:12: unknown citation key 'foo'",
        "docs/notes/x.md:12: unknown citation key '<script>'",
    ]
    page = (tmp_path / "out" / "notes" / "x.html").read_text(encoding="utf-8")
    article = page[page.index("<article") : page.index("</article>")]
    assert "<script" not in article
    assert plain(page).count("[@foo?]") == 1 and "[@<script>?]" in plain(page)
    assert 'href="../papers/jacot2018.html"' in page


def test_strict_build_fails_on_an_unknown_key(
    course: Path, run: Callable[..., object], tmp_path: Path
) -> None:
    _notes_page(course, BROKEN_NOTES)
    result = run("--root", course, "build", "--strict", "-d", tmp_path / "out")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr.strip().splitlines()[-1] == (  # type: ignore[attr-defined]
        "error: site not built: Aborted with 2 warnings in strict mode"
    )


def test_numeric_style_from_mkdocs_yml(tmp_path: Path) -> None:
    def numeric(root: Path) -> None:
        config = root / "mkdocs.yml"
        text = config.read_text(encoding="utf-8")
        assert "  - readinglist\n" in text
        config.write_text(
            text.replace("  - readinglist\n", "  - readinglist:\n      citation_style: numeric\n"),
            encoding="utf-8",
        )

    built = build_copy(tmp_path, numeric)
    page = plain(built.text("notes/lecture-7.html"))
    assert "Jacot et al. [3] show" in page and "[4], although" in page
    assert "[1] Zeyuan Allen-Zhu" in page


def test_a_bad_citation_style_is_a_config_error(
    course: Path, run: Callable[..., object], caplog: pytest.LogCaptureFixture
) -> None:
    config = course / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(
        text.replace("  - readinglist\n", "  - readinglist:\n      citation_style: apa\n")
    )
    result = run("--root", course, "build")
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr.startswith("error: mkdocs.yml: ")  # type: ignore[attr-defined]
    assert len(result.stderr.strip().splitlines()) == 1  # type: ignore[attr-defined]
    assert "option 'citation_style': Expected one of: ('author-year', 'numeric')" in caplog.text


@pytest.mark.slow
def test_serve_rebuilds_a_page_that_cites_when_the_paper_changes(course: Path) -> None:
    with serving(course) as base:
        url = f"{base}/notes/lecture-7.html"

        def page_has(text: str, deadline: float) -> bool:
            import urllib.request

            while time.monotonic() < deadline:
                if _get(url) == 200:
                    with urllib.request.urlopen(url, timeout=5) as response:
                        if text in response.read().decode("utf-8"):
                            return True
                time.sleep(0.3)
            return False

        assert page_has("Neural Tangent Kernel: Convergence", time.monotonic() + 60)
        bib = course / "bib" / "ntk.bib"
        text = bib.read_text(encoding="utf-8")
        old = "Neural Tangent Kernel: Convergence and Generalization in Neural Networks"
        assert old in text
        bib.write_text(text.replace(old, "Renamed While Serving", 1), encoding="utf-8")
        assert page_has("Renamed While Serving", time.monotonic() + 60)
