"""Property tests (rows of ``corpus.PROPERTIES``): an export parses back to the records
written; any hostile string renders as text in the site; ``show`` prints any title as
written. (Normalizing an id twice changes nothing: tests/test_ids.py.)"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import lxml.html
from click.testing import Result
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string as pybtex_parse

from readinglist.bibtex import parse_bib, parse_names
from readinglist.latex import latex_to_text

SMALL_COURSE = "course:\n  title: Property course\ntopics:\n  - slug: t\nlectures: []\n"


def small_course(folder: Path, bib: str) -> Path:
    """A course folder with one topic ``t`` whose ``bib/t.bib`` holds ``bib``."""
    (folder / "bib").mkdir(parents=True)
    (folder / "bib/course.yml").write_text(SMALL_COURSE, encoding="utf-8")
    (folder / "bib/t.bib").write_text(bib, encoding="utf-8")
    return folder


# -- export, then parse --------------------------------------------------------------

# Safe: no braces or backslash (a value is written between braces), no control
# characters, no surrogates; anything else, '@', '%', '#', '"', ',' and '=' included.
_VALUE_CHARS = st.characters(
    blacklist_characters="{}\\", blacklist_categories=("Cs", "Cc", "Zl", "Zp")
)
values = (
    st.text(_VALUE_CHARS, min_size=1, max_size=30).map(lambda s: " ".join(s.split())).filter(bool)
)
braced = st.builds(lambda a, b, c: f"{a}{{{b}}}{c}", values, values, values)
field_names = st.sampled_from(
    ["title", "journal", "note", "abstract", "url", "volume", "publisher", "x-custom", "howpub"]
)
keys = st.from_regex(r"[A-Za-z][A-Za-z0-9_:.+-]{0,20}", fullmatch=True)
entries = st.lists(
    st.tuples(
        keys,
        st.sampled_from(["article", "misc", "inproceedings", "book", "online"]),
        st.lists(
            st.tuples(field_names, values | braced),
            min_size=1,
            max_size=5,
            unique_by=lambda f: f[0],
        ),  # fmt: skip
    ),
    min_size=1,
    max_size=6,
    unique_by=lambda e: e[0].lower(),
)


def _write_entry(kind: str, key: str, fields: list[tuple[str, str]]) -> str:
    # As a person writes it: braces around values, odd spacing, a comment between.
    body = ",\n".join(f"   {name} =   {{{value}}}" for name, value in fields)
    return f"% {key}\n@{kind}{{{key},\n{body}\n}}\n"


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries)
def test_export_then_parse_gives_the_same_records(
    run: Callable[..., Result], generated: list[tuple[str, str, list[tuple[str, str]]]]
) -> None:
    text = "\n".join(_write_entry(kind, key, fields) for key, kind, fields in generated)
    with tempfile.TemporaryDirectory() as tmp:
        root = small_course(Path(tmp) / "course", text)
        result = run("--root", root, "export", "--all")
    assert result.exit_code == 0, result.stderr
    exported = result.stdout
    ours = {e.key: e for e in parse_bib(exported, "export.bib").entries}
    theirs = pybtex_parse(exported, "bibtex").entries
    assert list(ours) == [key for key, _, _ in generated]
    for key, kind, fields in generated:
        assert ours[key].entry_type == kind
        assert list(ours[key].fields) == fields
        assert {n: str(v) for n, v in theirs[key].fields.items()} == dict(fields)


# -- hostile strings in the site -------------------------------------------------------

_TAGS = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(2)>", "</title><script>alert(3)"
    "</script>", "<!--", "-->", "<![CDATA[", "]]>", "&amp;", "&lt;b&gt;",
    "\"'><svg onload=alert(4)>", '<a href="javascript:alert(5)">x</a>', "</textarea>",
    "<style>", "<iframe src=//evil.example>",
]  # fmt: skip
_PLAIN = st.text(st.sampled_from("abcXYZ019 <>&\"'/=;:()!?.,"), min_size=1, max_size=8)
hostile = (
    st.lists(st.one_of(st.sampled_from(_TAGS), _PLAIN), min_size=1, max_size=4)
    .map(lambda parts: " ".join("".join(parts).split()))
    .filter(lambda s: len(s) > 1 and "--" not in s and "''" not in s)
)


def _visible(page: str) -> tuple[str, str]:
    """The page's <title> text and its body text, whitespace collapsed."""
    doc = lxml.html.document_fromstring(page)
    title = doc.find(".//title")
    body = doc.find(".//body")
    assert title is not None and body is not None
    return " ".join(title.text_content().split()), " ".join(body.text_content().split())


def _assert_inert(page: str) -> None:
    """Nothing a hostile string brought became markup: no script, handler or link of
    ours (the theme's own inline SVG icons and scripts are fine)."""
    doc = lxml.html.document_fromstring(page)
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag == "script":
            assert "alert(" not in (element.text or ""), element.text
        for name, value in element.attrib.items():
            assert "alert(" not in value and "evil.example" not in value, (element.tag, value)
            assert not name.lower().startswith("on"), (element.tag, name)


# A build takes seconds: few examples, the same ones every run, no shrinking.
@settings(
    max_examples=3,
    derandomize=True,
    phases=(Phase.explicit, Phase.generate),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(title=hostile, author=hostile, abstract=hostile)
def test_hostile_strings_render_as_text_in_the_site(
    run: Callable[..., Result], title: str, author: str, abstract: str
) -> None:
    entry = (
        f"@article{{hostile1,\n  title = {{{title}}},\n  author = {{Doe, {author}}},\n"
        f"  abstract = {{{abstract}}},\n  journal = {{J}},\n  year = {{2020}},\n}}\n"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "course"
        assert run("init", root).exit_code == 0
        with (root / "bib/ntk.bib").open("a", encoding="utf-8") as fh:
            fh.write("\n" + entry)
        site = Path(tmp) / "site"
        result = run("--root", root, "build", "-d", site)
        assert result.exit_code == 0, result.stderr[-2000:]
        pages = {p.name: p.read_text(encoding="utf-8") for p in (site / "papers").glob("*.html")}
    page = pages["hostile1.html"]
    shown_title = latex_to_text(title)
    (person,) = parse_names(f"Doe, {author}")
    head, body = _visible(page)
    assert shown_title in head, (shown_title, head)
    for text in (shown_title, person.display, latex_to_text(abstract)):
        assert text in body, (text, body[:2000])
    for html in pages.values():
        _assert_inert(html)


# -- show prints any title --------------------------------------------------------------

_PRINTABLE = st.characters(
    blacklist_characters="{}\\$%#~^_&", blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp",
                                                             "Co", "Cn")
)  # fmt: skip


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(_PRINTABLE, min_size=1, max_size=40).map(lambda s: " ".join(s.split())).filter(
    lambda s: s and "--" not in s and "''" not in s and "``" not in s
))  # fmt: skip
def test_show_prints_any_title_as_text(run: Callable[..., Result], title: str) -> None:
    bib = f"@misc{{any,\n  title = {{{title}}},\n  author = {{Doe, Jane}},\n  year = {{2020}}}}\n"
    with tempfile.TemporaryDirectory() as tmp:
        root = small_course(Path(tmp) / "course", bib)
        text = run("--root", root, "show", "any")
        data = run("--root", root, "show", "any", "--json")
        shutil.rmtree(root)
    assert text.exit_code == 0 and data.exit_code == 0, (text.stderr, data.stderr)
    assert json.loads(data.stdout)["title"] == title
    # The table may wrap or fold a long title: compare without whitespace.
    assert "".join(title.split()) in "".join(text.stdout.split()), (title, text.stdout)
