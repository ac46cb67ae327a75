"""The site's BibTeX highlighting (site/highlight.py) gives Pygments' bytes: every
input is highlighted by real Pygments too and compared byte for byte, and the fast path
is checked to be the one taken where it should (a fast path that always fell back to
Pygments would pass the comparisons and fail those)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import BibTeXLexer

from readinglist.bibtex import decode_bib
from readinglist.errors import ReadingListError
from readinglist.site import highlight, paper_pages
from readinglist.site.markup import Layout
from readinglist.site.views import SiteData
from readinglist.store import load_library
from tests.helpers import generated_library
from tests.reliability.corpus import BIBTEX, content_bytes

REPO = Path(__file__).resolve().parents[1]
SHAPES = REPO / "tests" / "data" / "shapes"
LEXER = BibTeXLexer()
FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)


def pygments(text: str) -> str:
    """What the site used to call, and what pymdownx.highlight gives a bibtex block."""
    return str(pygments_highlight(text, LEXER, FORMATTER))


def assert_pygments(text: str) -> bool:
    """``text`` highlighted as Pygments does it, by both paths; True when the fast path
    answered."""
    expected = pygments(text)
    fast = highlight.highlight_fast(text)
    assert fast is None or fast == expected
    assert highlight.highlight_bibtex(text) == expected
    return fast is not None


def course_with(root: Path, bib: bytes) -> Path:
    """A course folder of one topic whose ``.bib`` file holds ``bib``."""
    (root / "bib").mkdir(parents=True)
    (root / "bib" / "course.yml").write_text("course:\n  title: T\ntopics:\n  - slug: t\n")
    (root / "bib" / "t.bib").write_bytes(bib)
    return root


def exported(root: Path) -> list[str]:
    """Each paper's BibTeX as its page gets it (``PaperView.bibtex``: the entry as
    ``export`` writes it)."""
    site = SiteData(load_library(root).library, Layout())
    return [view.bibtex for view in site.papers.values()]


# --------------------------------------------------------------------------- which path


FAST = [
    "@misc{k, title = {T}}",
    '@Article{key,\n  title = {A {B} c},\n  year = 2020,\n  month = feb # "~15",\n}\n',
    '@string{jmlr = "J. Mach. Learn. Res."}\n\n@article(k,\n journal = jmlr,\n)\n',
    '% a comment\n@comment{anything}\n@preamble{"\\newcommand{\\x}{y}"}\n',
    "@misc{k,, title = {T}}",  # an empty field
    "@commentary{x, a = b}\n@comments{x}\n@COMMENT{x}",
    '@misc{k, a = x # {y} # "z" # 1, b = {x}{y}, c = 1 2, d = {x}b, e = 12ab}',
    "@misc{k,\r\n\ttitle = {<b> & \"q\" 'a'},\r\n  note = {Caf\u00e9 \u2013 na\u00efve},\r\n}",
]
FALLBACK = [
    '@string(j = "J"}',
    '@string{j = "J")',
    "@misc(k, title = {T}}",  # "(" closed by "}": Pygments' Error token
    "@misc{k, title = {T)",  # the same the other way
    "@misc{k, title = {unclosed}\n",  # the entry never closes
    "@misc{k, title = {unclosed\n}\n",  # the value never closes
    '@misc{k, title = "unclosed}\n',
    "@misc{k, title {T}}",  # no "=": an Error token
    "@misc k",  # no delimiter
    "@misc{, title = {T}}",  # no key
    "@misc{k, title = {T}",
]


@pytest.mark.parametrize("text", FAST)
def test_these_take_the_fast_path(text: str) -> None:
    assert assert_pygments(text)


@pytest.mark.parametrize("text", FALLBACK)
def test_these_are_left_to_pygments(text: str) -> None:
    assert not assert_pygments(text)


def test_the_probe_agrees_with_the_installed_pygments() -> None:
    assert highlight.highlight_fast(highlight.PROBE) == pygments(highlight.PROBE)
    # The escaping chosen is the one of the installed Pygments (2.16 escapes quotes).
    quotes = "&quot;" in pygments('@misc{k, t = {"}}')
    assert highlight._installed_escape() is highlight._ESCAPES[1 if quotes else 0]


def test_a_pygments_that_writes_other_bytes_turns_the_fast_path_off(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    other = pygments(FAST[0]).replace('class="nc"', 'class="k"')
    monkeypatch.setattr(highlight, "pygments_html", lambda text: other)
    highlight._installed_escape.cache_clear()  # asked again, of this "Pygments"
    request.addfinalizer(highlight._installed_escape.cache_clear)  # and of the real one
    assert highlight.highlight_fast(FAST[0]) is None
    assert highlight.highlight_bibtex(FAST[0]) == other
    assert "fast path differs from Pygments" in caplog.text


def test_paper_pages_call_the_module() -> None:
    for text in FAST + FALLBACK:
        assert paper_pages.highlight_bibtex(text) == pygments(text)


# --------------------------------------------------------------------------- real inputs


def test_every_paper_page_of_the_bundled_course(course: Path) -> None:
    texts = exported(course)
    assert len(texts) >= 20
    assert all([assert_pygments(text) for text in texts])  # and every one by the fast path


@pytest.mark.parametrize("shape", sorted(p.name for p in SHAPES.glob("*.bib")))
def test_every_shape_file(tmp_path: Path, shape: str) -> None:
    data = (SHAPES / shape).read_bytes()
    assert_pygments(decode_bib(data, shape))  # the whole file, comments and all
    for text in exported(course_with(tmp_path, data)):
        assert_pygments(text)


def _corpus() -> Iterator[tuple[str, bytes]]:
    for case in BIBTEX:
        if case.content is not None:
            yield case.id, content_bytes(case.content)


@pytest.mark.parametrize(("case", "data"), list(_corpus()), ids=[c for c, _ in _corpus()])
def test_every_hostile_bib_of_the_reliability_corpus(
    tmp_path: Path, case: str, data: bytes
) -> None:
    try:
        text = decode_bib(data, "x.bib")
    except ReadingListError:
        return  # not UTF-8 or holds a NUL: refused before anything is shown
    assert_pygments(text)
    try:
        texts = exported(course_with(tmp_path, data))
    except ReadingListError:
        return  # a file the course cannot be read with has no pages
    for text in texts:
        assert_pygments(text)


@pytest.mark.parametrize("shape", ["journal", "synthetic"])
def test_generated_libraries(tmp_path: Path, shape: str) -> None:
    root = generated_library(tmp_path / shape, 150, shape)
    for bib in sorted((root / "bib").glob("*.bib")):
        assert_pygments(bib.read_text(encoding="utf-8"))
    texts = exported(root)
    assert len(texts) >= 150
    fast = [assert_pygments(text) for text in texts]
    assert all(fast)


# --------------------------------------------------------------------------- properties

ODD = st.sampled_from(
    [
        "{", "}", '"', "#", "@", "%", "\\", "<", ">", "&", "'", "=", ",", "(", ")", "é",
        "\u00a0", "\u2028", "\t", "\r\n", "\r", "\n", " ", "~", "0", "7", "ſ", "K",
    ]
)  # fmt: skip
WORD = st.text(st.sampled_from("abcXYZ_-:.+0123456789"), min_size=1, max_size=6)
# Mostly what exports write, now and then something odd (sampled_from is uniform: the
# common choices are listed several times).
SPACE = st.sampled_from([" ", " ", "\n  ", "\n  ", "", "\t", "\r\n\t", "\n\n", "\u00a0", "\x0c"])


@st.composite
def values(draw: st.DrawFn) -> str:
    """A field value: braced, quoted, a number, a macro, or several joined by ``#``."""
    text = draw(st.lists(st.one_of(WORD, ODD, SPACE), max_size=8).map("".join))
    one = st.sampled_from(
        [
            "{" + text + "}", "{" + text + "}", '"' + text + '"', "{{" + text + "}}",
            '"{' + text + '}"', "{a {b {c {" + text + "}}}}", "2020", "jan", "ack-kb",
            text, "{" + text, "",
        ]
    )  # fmt: skip
    parts = draw(st.lists(one, min_size=1, max_size=3))
    joiner = draw(st.sampled_from([" # ", "#", " #\n   "]))
    return joiner.join(parts)


@st.composite
def entries(draw: st.DrawFn) -> str:
    """An entry as an export or a person writes it, odd characters included."""
    kind = draw(st.sampled_from(["article", "Misc", "INPROCEEDINGS", "string", "string",
                                 "preamble", "comment", "commentary", "x@y", "strings",
                                 ""]))  # fmt: skip
    opening, closing = draw(
        st.sampled_from([("{", "}"), ("{", "}"), ("(", ")"), ("{", ")"), ("(", "}"), ("{", "")])
    )
    key = draw(st.sampled_from(["key", "Doe:2020:A1", "Doe:2020:A1", "k<&>", "", "k\u00e9"]))
    fields = []
    for _ in range(draw(st.integers(0, 4))):
        name = draw(st.sampled_from(["title", "Year", "journal", "a&b", "x-y", "@odd", "", "t t"]))
        fields.append(f"{draw(SPACE)}{name}{draw(SPACE)}={draw(SPACE)}{draw(values())}")
    sep = draw(st.sampled_from([",", ",\n  ", ",\n  ", " ,", ""]))
    if kind.lower() == "string":
        body = fields[0] if fields else key
    elif kind.lower() == "preamble":
        body = draw(values())
    else:
        body = sep.join([key, *fields]) + draw(st.sampled_from(["", ",", ",\n"]))
    before = draw(st.sampled_from(["", "", "% comment & <x>\n", "\n\n", "\ufeff", "x } {\n"]))
    return f"{before}@{kind}{draw(SPACE)}{opening}{body}{draw(SPACE)}{closing}\n"


@given(st.lists(entries(), min_size=1, max_size=3).map("\n".join))
@settings(max_examples=400)
@example("@misc{k,\n  title = {A},\n  note = {},\n}\n")
@example('@string{j = "J"}\n@misc{k, journal = j # " (J)"}\n')
def test_entries_with_odd_values(text: str) -> None:
    assert_pygments(text)


@given(st.lists(st.one_of(ODD, WORD, SPACE, st.sampled_from(["@misc", "@string", "@comment"])))
       .map("".join))  # fmt: skip
@settings(max_examples=300)
def test_any_text(text: str) -> None:
    assert_pygments(text)


def test_the_properties_take_both_paths() -> None:
    """The strategies above reach both paths (so they test the fast path and the
    fallback, not only one)."""
    seen: set[bool] = set()

    @given(entries())
    @settings(max_examples=200, database=None)
    def record(text: str) -> None:
        seen.add(highlight.highlight_fast(text) is not None)

    record()
    assert seen == {True, False}


@pytest.fixture(scope="module")
def bundled_entries(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """The paper pages' BibTeX of a copy of the bundled course."""
    root = tmp_path_factory.mktemp("course")
    shutil.copytree(REPO / "bib", root / "bib")
    return exported(root)


@given(data=st.data())
@settings(max_examples=300)
def test_real_entries_with_a_few_characters_changed(
    bundled_entries: list[str], data: st.DataObject
) -> None:
    """Near misses of what exports write: a few characters of a real entry inserted,
    deleted or replaced (the fast path's shortcuts must step aside for each)."""
    text = data.draw(st.sampled_from(bundled_entries))
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text)))
        new = data.draw(st.one_of(ODD, st.just("")))
        text = text[:at] + new + text[at + data.draw(st.integers(0, 1)) :]
    assert_pygments(text)
