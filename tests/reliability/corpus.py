"""The hostile-input corpus: every case tried against readinglist, as data.

Each case has an id, what was tried, and the expected outcome. The tests of this folder
are driven by these tables (one parametrized test per family), and ``table.py`` prints
RELIABILITY.md's table from the same tables, so the document and the tests cannot
drift apart.

Families:

- ``BIBTEX``: a hostile ``bib/hostile.bib`` (a topic of the course) run through
  ``check --json``, ``check``, ``show`` and ``export``;
- ``COURSE``: a hostile ``bib/course.yml`` run through the same commands;
- ``ARXIV`` / ``S2``: scripted answers of the service stand-ins, run through the clients
  of ``services/arxiv.py`` and ``services/semanticscholar.py``;
- ``FAULTS``, ``SECURITY``, ``PROPERTIES``: one test each (named in the row);
- ``COVERED``: cases other test files already run (named in the row), listed so the table
  is the whole picture; a test checks the named tests exist.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

# --------------------------------------------------------------------------- outcomes


@dataclass(frozen=True)
class Fails:
    """The input is refused: exit ``exit``, one line ``error: FILE:LINE: ...``
    (``line`` None: ``error: FILE: ...``) holding ``fragment``, each command within
    ``seconds`` when given."""

    line: int | None
    fragment: str
    exit: int = 2
    file: str = ""
    seconds: float | None = None

    def summary(self, default_file: str) -> str:
        where = (
            f"{self.file or default_file}:{self.line}" if self.line else (self.file or default_file)
        )
        fast = f", within {self.seconds:g} s" if self.seconds else ""
        return f"refused{fast}, one line `{where}: …{self.fragment}…`"


@dataclass(frozen=True)
class Len:
    """An expected value given by its length only (for values of megabytes)."""

    n: int


@dataclass(frozen=True)
class Reads:
    """The input is read.

    ``papers``: papers the hostile file adds to the list; ``exit``: of ``check``;
    ``findings``: ``(code, line)`` that ``check --json`` must report for the file;
    ``show``: key -> fields ``show KEY --json`` must give; ``shown``: key -> text that
    ``show KEY`` must print; ``never_shown``: text ``show`` must never print;
    ``seconds``: the most every command may take.
    """

    what: str
    papers: int = 1
    exit: int = 0
    findings: tuple[tuple[str, int], ...] = ()
    show: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    shown: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    never_shown: tuple[str, ...] = ()
    seconds: float | None = None

    def summary(self, default_file: str) -> str:
        codes = ", ".join(f"{code} at line {line}" for code, line in self.findings)
        return self.what + (f"; check reports {codes}" if codes else "")


Content = bytes | Callable[[], bytes]


def content_bytes(content: Content) -> bytes:
    """The bytes of a case's input (generated on demand for large inputs)."""
    return content() if callable(content) else content


# --------------------------------------------------------------------------- BibTeX


@dataclass(frozen=True)
class BibCase:
    """A hostile ``bib/hostile.bib``. ``content`` None: the file is a folder."""

    id: str
    tried: str
    content: Content | None
    outcome: Fails | Reads

    @property
    def exit(self) -> int:
        return self.outcome.exit


HOSTILE_BIB = "bib/hostile.bib"


def _entries(n: int, newline: bytes = b"\n") -> bytes:
    """``n`` valid entries of six lines each (so later lines are at 6n + k)."""
    one = b"@misc{p%d,\n  title={Paper %d},\n  author={Doe, Jane},\n  year={2020},\n}\n\n"
    return b"".join(one % (i, i) for i in range(n)).replace(b"\n", newline)


def _ten_mb_field() -> bytes:
    return (
        b"@misc{big,\n  title={Big},\n  author={Doe, Jane},\n  year={2020},\n  abstract={"
        + b"word " * 2_000_000
        + b"},\n}\n"
    )


def _thousand_authors() -> bytes:
    names = b" and ".join(b"Author%d, First%d" % (i, i) for i in range(1000))
    return b"@misc{many,\n  title={Many hands},\n  year={2020},\n  author={" + names + b"},\n}\n"


def _five_thousand_entries() -> bytes:
    return _entries(5000)


def _huge_key() -> bytes:
    return b"@misc{" + b"k" * 100_000 + b",\n  title={Long key},\n}\n"


def _deep(n: int, close: bool = True) -> bytes:
    inner = b"{" * n + b"Deep" + (b"}" * n if close else b"")
    return b"@misc{deep,\n  title={" + inner + b"},\n  author={Doe, Jane},\n  year={2020},\n}\n"


_DOI_LINE = b"@misc{k1,\n title={T},\n author={Doe, Jane},\n year={2020},\n doi={bad}\n}\n"
"""An entry whose line 5 holds a malformed DOI: ``check`` reports it on that line."""

BIBTEX: tuple[BibCase, ...] = (
    # -- one unreadable entry: one error finding at its line, the rest is read -------
    BibCase("bib-unbalanced-brace-crlf",
            "unbalanced `{` after three good entries, CRLF line endings",
            _entries(3, b"\r\n") + b"@article{x,\r\n  title = {Oops,\r\n  year = 2020,\r\n}\r\n",
            Reads("the 3 good entries read; one error at the field whose `}` is missing",
                  papers=3, exit=1, findings=(("syntax-error", 20),))),
    BibCase("bib-unbalanced-quote-cr",
            'unbalanced `"` after three good entries, old-Mac CR line endings',
            _entries(3, b"\r") + b'@article{x,\r  title = "Oops,\r  year = 2020,\r}\r',
            Reads("the 3 good entries read; one error: unclosed quote at its field",
                  papers=3, exit=1, findings=(("syntax-error", 20),))),
    BibCase("bib-missing-comma-between-fields",
            "a missing comma between two fields of a later entry",
            _entries(3) + b"@misc{x,\n  title = {A},\n  note = {B}\n  year = 2020\n}\n",
            Reads("the 3 good entries read; 'missing comma after the field on line 21?'",
                  papers=3, exit=1, findings=(("syntax-error", 21),))),
    BibCase("bib-cut-after-key", "the file ends right after `@article{x,`",
            _entries(3) + b"@article{x,",
            Reads("the 3 good entries read; one error at the cut entry",
                  papers=3, exit=1, findings=(("syntax-error", 19),))),
    BibCase("bib-cut-in-string", 'the file ends inside a quoted `@string` value',
            b'@string{jmlr = "Journal of',
            Reads("nothing to read; one error: unclosed quote", papers=0, exit=1,
                  findings=(("syntax-error", 1),))),
    BibCase("bib-entry-without-key", "an entry with no key (`@misc{, title=...}`)",
            b"@misc{\n, title={T}}\n",
            Reads("left out with one error (Citavi and Medline write these)", papers=0,
                  exit=1, findings=(("no-key", 1),))),
    BibCase("bib-field-without-value", "`note = ,`",
            b"@misc{x,\n  title = {A},\n  note = ,\n}\n",
            Reads("left out with one error at the field", papers=0, exit=1,
                  findings=(("syntax-error", 3),))),
    BibCase("bib-field-without-equals", "`note {B}`",
            b"@misc{x,\n  title = {A},\n  note {B},\n}\n",
            Reads("left out; \"'=' missing after field name 'note' on line 3?\"", papers=0,
                  exit=1, findings=(("syntax-error", 3),))),
    BibCase("bib-paren-closed-by-brace", "`@misc(` closed by `}`",
            b"@misc(x,\n  title = {A},\n}\n",
            Reads("left out with one error where `)` was expected", papers=0, exit=1,
                  findings=(("syntax-error", 3),))),
    BibCase("bib-undefined-macro-in-concat", "`title = \"A \" # nosuch` (undefined macro)",
            b'@misc{x,\n  author = {Doe, Jane},\n  title = "A " # nosuch,\n}\n',
            Reads("read as BibTeX does: the macro is empty, with a warning",
                  findings=(("undefined-macro", 3), ("missing-field", 1)),
                  show={"x": {"title": "A"}})),
    BibCase("bib-mutual-macros", "`@string{a = b}` and `@string{b = a}`",
            b"@string{a = b}\n@string{b = a}\n@misc{x, title = a}\n",
            Reads("read; `b` is undefined where `a` is defined: a warning, empty values",
                  findings=(("undefined-macro", 1),))),
    BibCase("bib-deep-braces-unclosed", "10,000 `{` never closed",
            lambda: _deep(10_000, close=False),
            Reads("left out with one error: the brace is never closed", papers=0, exit=1,
                  findings=(("syntax-error", 2),), seconds=2)),
    BibCase("bib-braces-200-deep", "braces nested 200 deep, balanced",
            lambda: _deep(200), Reads("read (no nesting limit)", show={"deep": {"title": "Deep"}})),
    BibCase("bib-key-with-space-late", "`@article{my key,` after three good entries",
            _entries(3) + b"@article{my key,\n  title = {A},\n}\n",
            Reads("the 3 good entries read; 'a key cannot hold spaces'", papers=3, exit=1,
                  findings=(("syntax-error", 19),))),
    BibCase("bib-citavi-empty-key", "`@Article{,` (Citavi, Medline) among good entries",
            _entries(2) + b"@Article{,\n author = {Doe, Jane},\n title = {T},\n year = {2020}\n}\n",
            Reads("the 2 good entries read; one error at the keyless entry", papers=2, exit=1,
                  findings=(("no-key", 13),))),
    BibCase("bib-crossref-cycle", "two entries whose crossrefs name each other",
            b"@inproceedings{ca,\n  title = {Cycle A},\n  author = {Doe, Jane},\n"
            b"  year = {2020},\n  crossref = {cb},\n}\n"
            b"@proceedings{cb,\n  title = {Cycle B},\n  author = {Doe, Jane},\n"
            b"  year = {2020},\n  crossref = {ca},\n}\n",
            Reads("read; each is refused its parent with an error (nothing inherited)",
                  papers=2, exit=1, findings=(("crossref-cycle", 5), ("crossref-cycle", 11)))),
    BibCase("bib-recurring-column", "one journal column in three issues (same title and author)",
            b"".join(b"@article{c%d,\n  title = {Letters from the Editor: On Lists},\n"
                     b"  author = {Moore, Ada},\n  year = {%d},\n  volume = {%d},\n}\n"
                     % (y, y, y - 1979) for y in (1990, 1991, 1992)),
            Reads("all three read; possible duplicates are warnings, not errors", papers=3,
                  findings=(("possible-duplicate", 7), ("possible-duplicate", 13)))),
    BibCase("bib-acm-doi-url", "a DOI written as `http://doi.acm.org/10.1145/...`",
            b"@article{acm,\n  title = {T},\n  author = {Doe, Jane},\n  year = {1999},\n"
            b"  doi = {http://doi.acm.org/10.1145/300000.300001},\n}\n",
            Reads("read; the DOI is recognised and shown without the resolver",
                  show={"acm": {"doi": "10.1145/300000.300001"}})),
    # -- refused: exit 2, one line naming the file and the line ---------------------
    BibCase("bib-latin1", "a Latin-1 file (`M\\xfcller`)",
            "@misc{k,\n  author = {Müller, Hans},\n  title = {T},\n}\n".encode("latin-1"),
            Fails(2, "not UTF-8 (byte 0xFC)")),
    BibCase("bib-utf16", "a UTF-16 file with its BOM",
            "@misc{k, title = {T}}\n".encode("utf-16"), Fails(1, "not UTF-8 (byte 0xFF)")),
    BibCase("bib-overlong-utf8", "an overlong UTF-8 sequence (`\\xc0\\xaf`, a disguised `/`)",
            b"@misc{k,\n  title = {a\xc0\xafb},\n}\n", Fails(2, "not UTF-8 (byte 0xC0)")),
    BibCase("bib-encoded-surrogate", "a UTF-8-encoded surrogate (`\\xed\\xa0\\x80`)",
            b"@misc{k,\n\n  title = {\xed\xa0\x80},\n}\n", Fails(3, "not UTF-8 (byte 0xED)")),
    BibCase("bib-nul-late-crlf", "a NUL byte on line 21 of a CRLF file",
            _entries(3, b"\r\n") + b"\r\n@misc{x,\r\n  title = {A\x00},\r\n}\r\n",
            Fails(21, "NUL byte")),
    BibCase("bib-is-a-folder", "`bib/hostile.bib` is a folder",
            None, Fails(None, "is a folder, not a file")),
    # -- read -----------------------------------------------------------------------
    BibCase("bib-10mb-field", "a 10 MB abstract (2,000,000 words)", _ten_mb_field,
            Reads("read whole; show and export carry all 10 MB within seconds",
                  show={"big": {"abstract": Len(9_999_999), "title": "Big"}}, seconds=10)),
    BibCase("bib-braces-100-deep", "braces nested 100 deep, balanced", lambda: _deep(100),
            Reads("read; the title shows as `Deep`", show={"deep": {"title": "Deep"}})),
    BibCase("bib-duplicate-keys", "the same key twice",
            b"@misc{dup, title={First}, author={Doe, Jane}, year={2020}}\n"
            b"@misc{dup, title={Second}, author={Roe, Rick}, year={2021}}\n",
            Reads("read; the first entry is the paper", exit=1,
                  findings=(("duplicate-key", 2),), show={"dup": {"title": "First"}})),
    BibCase("bib-keys-differ-in-case", "keys `Case` and `case`",
            b"@misc{Case, title={Upper}, author={Doe, Jane}, year={2020}}\n"
            b"@misc{case, title={Lower}, author={Roe, Rick}, year={2021}}\n",
            Reads("both read; BibTeX would take them as one key", papers=2, exit=1,
                  findings=(("duplicate-key", 2),),
                  show={"Case": {"title": "Upper"}, "case": {"title": "Lower"}})),
    BibCase("bib-duplicate-field", "`title` given twice in one entry",
            b"@misc{df,\n  title = {One},\n  title = {Two},\n  author = {Doe, Jane},\n"
            b"  year = {2020},\n}\n",
            Reads("read; the first value is used (as BibTeX does)",
                  findings=(("duplicate-field", 3),), show={"df": {"title": "One"}})),
    BibCase("bib-concatenation", "`@string` macros and `#` joining quoted, braced and macro parts",
            b'@string{pre = "Journal of "}\n@misc{cc,\n  title = "Con" # {cat} # "enated",\n'
            b'  author = {Doe, Jane},\n  year = {2020},\n  journal = pre # "Things" # {, More},\n'
            b"  month = jan,\n}\n",
            Reads("read with the parts joined",
                  show={"cc": {"title": "Concatenated", "venue": "Journal of Things, More"}})),
    BibCase("bib-missing-comma-after-key", "`@misc{k title = {T}}` (no comma after the key)",
            b"@misc{k\n  title = {T},\n  author = {Doe, Jane},\n  year = {2020},\n}\n",
            Reads("read as pybtex reads it: key `k`, title `T`; a warning",
                  findings=(("missing-comma", 1),), show={"k": {"title": "T"}})),
    BibCase("bib-key-with-slash", "key `a/b`",
            b"@misc{a/b, title={Slash}, author={Doe, Jane}, year={2020}}\n",
            Reads("read; show and export use the key as written",
                  show={"a/b": {"title": "Slash"}})),
    BibCase("bib-key-dot-dot", "key `../../etc/passwd`",
            b"@misc{../../etc/passwd, title={Dots}, author={Doe, Jane}, year={2020}}\n",
            Reads("read; the key is only a name", show={"../../etc/passwd": {"title": "Dots"}})),
    BibCase("bib-key-non-ascii", "key `Müller2020é漢`",
            "@misc{Müller2020é漢, title={Umlaut}, author={Doe, Jane}, year={2020}}\n".encode(),
            Reads("read", show={"Müller2020é漢": {"title": "Umlaut"}})),
    BibCase("bib-key-100k-chars", "a key of 100,000 characters", _huge_key,
            Reads("read",
                  findings=(("missing-field", 1),), show={"k" * 100_000: {"title": "Long key"}})),
    BibCase("bib-key-rich-markup", "key `a[/]b` given twice (rich markup in a message)",
            b"@misc{a[/]b, title={T}, author={Doe, Jane}, year={2020}}\n"
            b"@misc{a[/]b, title={U}, author={Doe, Jane}, year={2021}}\n",
            Reads("read; `check` prints the key as text", exit=1,
                  findings=(("duplicate-key", 2),), show={"a[/]b": {"title": "T"}})),
    BibCase("bib-1000-authors", "an entry with 1,000 authors", _thousand_authors,
            Reads("read; show lists all 1,000",
                  show={"many": {"authors": [f"First{i} Author{i}" for i in range(1000)]}},
                  shown={"many": ("First0 Author0", "First999 Author999")})),
    BibCase("bib-5000-entries", "5,000 entries in one file", _five_thousand_entries,
            Reads("read within seconds", papers=5000, seconds=15)),
    BibCase("bib-empty", "an empty file", b"",
            Reads("read: no papers (check warns of an empty topic)", papers=0)),
    BibCase("bib-whitespace-only", "only blank lines, spaces and tabs", b"  \n\n\t\n",
            Reads("read: no papers", papers=0)),
    BibCase("bib-comment-only", "only `%` comment lines", b"% nothing here\n% really\n",
            Reads("read: no papers", papers=0)),
    BibCase("bib-text-outside-entries", "free text, stray braces and `}` outside entries",
            b"Notes } {{ and more\n}\n@misc{k1, title={T}, author={Doe, Jane}, year={2020}}\n",
            Reads("read; text outside entries is ignored, as BibTeX does",
                  show={"k1": {"title": "T"}})),
    BibCase("bib-bom", "a UTF-8 BOM, then an entry with a bad DOI on line 5",
            b"\xef\xbb\xbf" + _DOI_LINE,
            Reads("read; lines count from the BOM's line", exit=1,
                  findings=(("malformed-doi", 5),))),
    BibCase("bib-cr-line-endings", "old-Mac CR line endings, bad DOI on line 5",
            _DOI_LINE.replace(b"\n", b"\r"),
            Reads("read; lines counted by CR", exit=1, findings=(("malformed-doi", 5),))),
    BibCase("bib-mixed-line-endings", "LF, CRLF and CR mixed, bad DOI on line 5",
            b"@misc{k1,\r\n title={T},\r author={Doe, Jane},\n year={2020},\r\n doi={bad}\r}\n",
            Reads("read; every kind of line end counts once", exit=1,
                  findings=(("malformed-doi", 5),))),
    BibCase("bib-jabref-comment", "JabRef `@Comment{jabref-meta: ...user@host...}` blocks",
            b"@Comment{jabref-meta: fileDirectory-user@host:/home/user/papers;}\n"
            b"@Comment{jabref-meta: databaseType:bibtex;}\n" + _DOI_LINE,
            Reads("read; the `@` in the comment is not an entry", exit=1,
                  findings=(("malformed-doi", 7),), show={"k1": {"title": "T"}})),
    BibCase("bib-preamble-and-parens", "`@preamble` and a `@misc(...)` entry",
            b'@preamble{"\\newcommand{\\x}{y}"}\n'
            b"@misc(k1, title={Paren}, author={Doe, Jane}, year={2020})\n",
            Reads("read", show={"k1": {"title": "Paren"}})),
    BibCase("bib-rich-markup-in-fields", "`[/]`, `[bold]` and `:smile:` in title and abstract",
            b"@misc{rm, title={A [/] B [bold]C[/bold] :smile:}, author={Doe, Jane},"
            b" year={2020}, abstract={See [/] and [link=file:///etc/passwd]x[/link]}}\n",
            Reads("read; `show` prints the text as written (no markup, no emoji)",
                  show={"rm": {"title": "A [/] B [bold]C[/bold] :smile:"}},
                  shown={"rm": ("A [/] B [bold]C[/bold] :smile:", "[link=file:///etc/passwd]")})),
    BibCase("bib-terminal-escapes", "ESC sequences and control characters in title and abstract",
            b"@misc{esc, title={Red \x1b[31malert\x1b[0m \x01x\x02}, author={Doe, Jane},"
            b" year={2020}, abstract={\x1b]0;pwned\x07 title}}\n",
            Reads("read; displayed text drops control characters",
                  show={"esc": {"title": "Red [31malert[0m x"}}, never_shown=("\x1b", "\x07"))),
    BibCase("bib-html-in-fields", "`<script>` in the title",
            b"@misc{h, title={<script>alert(1)</script>}, author={Doe, Jane}, year={2020}}\n",
            Reads("read; shown as the text it is",
                  show={"h": {"title": "<script>alert(1)</script>"}},
                  shown={"h": ("<script>alert(1)</script>",)})),
    BibCase("bib-bidi-override", "a right-to-left override (U+202E) in the title",
            "@misc{bidi, title={report\u202egnp.exe}, author={Doe, Jane}, year={2020}}\n".encode(),
            Reads("read as written", show={"bidi": {"title": "report\u202egnp.exe"}})),
)  # fmt: skip


# --------------------------------------------------------------------------- course file

BASE_COURSE = """\
course:
  title: Hostile seminar
topics:
  - slug: ntk
  - slug: approximation
lectures:
  - number: 1
    date: 2021-02-17
    title: First
    topics: [ntk]
    required: [jacot2018]
    optional: [barron1993]
"""
"""A small valid course file (line 11 holds lecture 1's required readings); the other
topics' ``.bib`` files of the bundled course are then stray files (warnings only)."""


def _edit(old: str, new: str) -> bytes:
    assert old in BASE_COURSE, old
    return BASE_COURSE.replace(old, new, 1).encode()


def _alias_bomb() -> bytes:
    lines = ["course: {title: X}", "a: &a [x, x, x, x, x, x, x, x, x]"]
    for i in range(20):
        name, prev = chr(98 + i), chr(97 + i)
        lines.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    return ("\n".join(lines) + "\n").encode()


def _huge_course() -> bytes:
    lectures = "".join(
        f"  - number: {i}\n    date: 2021-02-17\n    title: Lecture {i}\n    topics: [ntk]\n"
        f"    required: [jacot2018]\n    description: {'A long description. ' * 10}\n"
        for i in range(2, 2002)
    )
    return BASE_COURSE.encode() + lectures.encode()


@dataclass(frozen=True)
class CourseCase:
    """A hostile ``bib/course.yml`` (``content`` None: it is a folder)."""

    id: str
    tried: str
    content: Content | None
    outcome: Fails | Reads

    @property
    def exit(self) -> int:
        return self.outcome.exit


COURSE_FILE = "bib/course.yml"
COURSE_FOLDER = "<course folder>"
"""Stands for the course folder's path, which the error names when it has no course file."""

COURSE: tuple[CourseCase, ...] = (
    CourseCase("course-typo-key", "`requried:` for `required:`",
               _edit("    required:", "    requried:"), Fails(11, "did you mean 'required'")),
    CourseCase("course-unknown-top-key", "an unknown top-level key",
               b"bogus: 1\n" + BASE_COURSE.encode(), Fails(1, "unknown key 'bogus'")),
    CourseCase("course-number-text", "`number: one`", _edit("number: 1", "number: one"),
               Fails(7, "whole number")),
    CourseCase("course-number-float", "`number: 1.5`", _edit("number: 1", "number: 1.5"),
               Fails(7, "whole number")),
    CourseCase("course-number-bool", "`number: true`", _edit("number: 1", "number: true"),
               Fails(7, "whole number")),
    CourseCase("course-number-python-tag", "`number: !!python/name:os.system`",
               _edit("number: 1", "number: !!python/name:os.system"), Fails(7, "cannot be read")),
    CourseCase("course-number-bad-int-tag", "`number: !!int nope`",
               _edit("number: 1", "number: !!int nope"), Fails(7, "cannot be read")),
    CourseCase("course-number-bad-timestamp", "`number: !!timestamp nope`",
               _edit("number: 1", "number: !!timestamp nope"), Fails(7, "cannot be read")),
    CourseCase("course-number-custom-tag", "`number: !foo 1`",
               _edit("number: 1", "number: !foo 1"), Fails(7, "cannot be read")),
    CourseCase("course-python-object", "`title: !!python/object/apply:os.system [...]`",
               _edit("title: Hostile seminar",
                     "title: !!python/object/apply:os.system ['touch PWNED']"),
               Fails(2, "must be text")),
    CourseCase("course-title-list", "`title: [a, b]`",
               _edit("title: Hostile seminar", "title: [a, b]"), Fails(2, "must be text")),
    CourseCase("course-topics-mapping", "`topics:` a mapping, not a list",
               _edit("  - slug: ntk\n  - slug: approximation\n", "  ntk: x\n"),
               Fails(4, "topics must be a list")),
    CourseCase("course-duplicate-lecture", "lecture number 1 twice",
               BASE_COURSE.encode() + b"  - number: 1\n",
               Fails(13, "lecture 1 defined twice (first at line 7)")),
    CourseCase("course-duplicate-topic", "topic `ntk` twice",
               _edit("  - slug: approximation", "  - slug: ntk"),
               Fails(5, "topic 'ntk' defined twice")),
    CourseCase("course-duplicate-mapping-key", "`course:` twice", b"course: {title: X}\n" * 2,
               Fails(2, "key 'course' given twice")),
    CourseCase("course-missing-title", "no `course.title`", b"course:\n  term: Spring\n",
               Fails(2, "course.title is required")),
    CourseCase("course-reading-not-on-list", "a required reading naming no paper",
               _edit("[jacot2018]", "[jacot2018, nosuchpaper2099]"),
               Reads("read", exit=1,
                     findings=(("unknown-key", 11),))),
    CourseCase("course-date-feb-30", "`date: 2021-02-30`",
               _edit("2021-02-17", "2021-02-30"), Fails(8, "not a valid date")),
    CourseCase("course-date-word", "`date: tomorrow`",
               _edit("2021-02-17", "tomorrow"), Fails(8, "not a valid date")),
    CourseCase("course-date-time", "`date: 2021-02-17T10:00:00`",
               _edit("2021-02-17", "2021-02-17T10:00:00"), Fails(8, "not a valid date")),
    CourseCase("course-alias-bomb", "a billion-laughs bomb of anchors and aliases", _alias_bomb,
               Fails(2, "anchors (&name) are not allowed", seconds=2)),
    CourseCase("course-merge-key", "an anchor and a `<<: *alias` merge key",
               b"course: &c {title: X}\ntopics:\n  - {<<: *c, slug: a}\n",
               Fails(1, "anchors (&name) are not allowed")),
    CourseCase("course-nested-40-deep", "lists nested 40 deep in a description",
               _edit("title: Hostile seminar\n",
                     "title: Hostile seminar\n  description: " + "[" * 40 + "]" * 40 + "\n"),
               Fails(3, "nested more than 32 deep")),
    CourseCase("course-nested-10000-deep", "lists nested 10,000 deep",
               lambda: b"course: {title: X}\nbogus: " + b"[" * 10_000 + b"]" * 10_000 + b"\n",
               Fails(2, "not valid YAML", seconds=2)),
    CourseCase("course-huge", "2,000 lectures (about 0.5 MB)", _huge_course,
               Reads("read within seconds", papers=0, seconds=15)),
    CourseCase("course-tab-indent", "a tab as indentation", b"course:\n\ttitle: X\n",
               Fails(2, "not valid YAML")),
    CourseCase("course-tab-in-value", "a tab inside a value",
               _edit("title: Hostile seminar", "title: Hostile\tseminar"),
               Reads("read", papers=0)),
    CourseCase("course-latin1", "a Latin-1 course file",
               "course:\n  title: Schön\n".encode("latin-1"), Fails(2, "not UTF-8")),
    CourseCase("course-utf16", "a UTF-16 course file", BASE_COURSE.encode("utf-16"),
               Fails(1, "not UTF-8")),
    CourseCase("course-bom-crlf", "a BOM and CRLF line endings, a reading naming no paper",
               lambda: b"\xef\xbb\xbf" + _edit("[jacot2018]", "[nosuch]").replace(b"\n", b"\r\n"),
               Reads("read; lines still right", exit=1, findings=(("unknown-key", 11),))),
    CourseCase("course-nul", "a NUL byte on line 2",
               _edit("Hostile seminar", "Hostile\x00seminar"), Fails(2, "#x0000 is not allowed")),
    CourseCase("course-escape-char", "an ESC character on line 9",
               _edit("title: First", "title: Fi\x1b[31mrst"), Fails(9, "#x001B is not allowed")),
    CourseCase("course-two-documents", "two YAML documents (`---`)",
               BASE_COURSE.encode() + b"---\ncourse: {title: Y}\n",
               Fails(13, "but found another document")),
    CourseCase("course-empty", "an empty course file", b"", Fails(1, "the course file is empty")),
    CourseCase("course-comment-only", "only comments", b"# nothing\n",
               Fails(1, "the course file is empty")),
    CourseCase("course-slug-traversal", "topic slug `../etc`",
               _edit("slug: approximation", "slug: ../etc"), Fails(5, "must be lower-case")),
    CourseCase("course-link-javascript", "a `javascript:` link",
               _edit("title: Hostile seminar\n", "title: Hostile seminar\n  links:\n"
                     "    - {label: x, url: 'javascript:alert(1)'}\n"),
               Fails(4, "must be http(s) or a relative path")),
    CourseCase("course-is-a-folder", "`bib/course.yml` is a folder", None,
               Fails(None, "no course file bib/course.yml here", file=COURSE_FOLDER)),
)  # fmt: skip


# --------------------------------------------------------------------------- services


@dataclass(frozen=True)
class Found:
    """The client returns: ``records`` found, ``missing`` ids (arXiv), ``unknown`` (S2:
    answered null), after ``requests`` HTTP requests, having slept ``sleeps``."""

    what: str
    records: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    requests: int = 1
    sleeps: tuple[float, ...] | None = None

    exit = 0

    def summary(self, default_file: str) -> str:
        return self.what


@dataclass(frozen=True)
class Raises:
    """The client raises a ServiceError with ``exit`` (3: unreachable or unusable)."""

    what: str
    fragment: str
    requests: int
    exit: int = 3
    seconds: float | None = None

    def summary(self, default_file: str) -> str:
        return self.what


@dataclass(frozen=True)
class ServiceCase:
    """Scripted answers of a stand-in, one per request, in order: a stand-in fault name,
    ``"ok"`` (the real answer), or the name of a custom answer (``ARXIV_ANSWERS`` /
    ``S2_ANSWERS`` in the tests). ``never``: text that must appear in no record, error
    or log line (a secret file's content, say)."""

    id: str
    tried: str
    answers: tuple[str, ...]
    outcome: Found | Raises
    ids: tuple[str, ...] = ("2001.00001", "2001.00002", "2001.00003")
    options: Mapping[str, Any] = field(default_factory=dict)
    never: tuple[str, ...] = ()

    @property
    def exit(self) -> int:
        return self.outcome.exit


SECRET = "TOP-SECRET-c0ffee"
"""The content of the file the XML attacks point at; it must never be read."""

_THREE = ("2001.00001", "2001.00002", "2001.00003")

ARXIV: tuple[ServiceCase, ...] = (
    ServiceCase("arxiv-zero-entries-for-existing-ids",
                "a valid feed with no entries (totalResults 0) for ids that exist",
                ("zero", "ok"), Found("asked again; all found, none reported missing",
                                      records=_THREE, requests=2)),
    ServiceCase("arxiv-zero-entries-twice",
                "no entries twice in a row for ids that do not exist",
                ("zero", "zero"), Found("reported missing after the second answer",
                                        missing=_THREE, requests=2)),
    ServiceCase("arxiv-zero-entries-with-total",
                "no entries but totalResults 3", ("zero-total", "ok"),
                Found("retried; all found", records=_THREE, requests=2)),
    ServiceCase("arxiv-billion-laughs", "a billion-laughs entity bomb, every time",
                ("bomb",) * 3, Raises("refused unexpanded; retried; unusable data, exit 3",
                                      "unusable data", 3), options={"retries": 2},
                never=("lollol",)),
    ServiceCase("arxiv-external-entity-file", "an external entity naming a local secret file",
                ("xxe-file",) * 2, Raises("refused before reading the file; exit 3",
                                          "unusable data", 2),
                options={"retries": 1}, never=(SECRET,)),
    ServiceCase("arxiv-external-dtd-network", "an external DTD and entity on another server",
                ("xxe-net",) * 2, Raises("refused; the other server is never asked; exit 3",
                                         "unusable data", 2), options={"retries": 1}),
    ServiceCase("arxiv-parameter-entity", "a parameter entity loading a remote DTD",
                ("param-entity",) * 2, Raises("refused; nothing fetched; exit 3",
                                              "unusable data", 2), options={"retries": 1}),
    ServiceCase("arxiv-xinclude", "an `xi:include` of a local secret file in a title",
                ("xinclude",), Found("read; the include is not processed, the secret not read",
                                     records=_THREE), never=(SECRET,)),
    ServiceCase("arxiv-truncated-then-ok", "half a feed, then the whole", ("truncated", "ok"),
                Found("retried; all found", records=_THREE, requests=2)),
    ServiceCase("arxiv-html-200-persistent", "an HTML page with status 200, every time",
                ("html200",) * 3, Raises("retried, then unusable data, exit 3",
                                         "unusable data", 3), options={"retries": 2}),
    ServiceCase("arxiv-rate-exceeded-then-ok", "`Rate exceeded.` with status 200, then the feed",
                ("rate", "ok"), Found("retried; all found", records=_THREE, requests=2)),
    ServiceCase("arxiv-empty-body-then-ok", "an empty body with status 200, then the feed",
                ("empty", "ok"), Found("retried; all found", records=_THREE, requests=2)),
    ServiceCase("arxiv-duplicate-entries", "the first entry twice (totalResults counts both)",
                ("duplicate",), Found("each paper once", records=_THREE)),
    ServiceCase("arxiv-other-version", "asked for v1, answered v3 of the paper",
                ("ok",), Found("matched by id without version; latest version kept",
                               records=("2001.00009",)), ids=("2001.00009v1",)),
    ServiceCase("arxiv-unasked-paper", "the answer lists a paper that was not asked for",
                ("wrong-paper",),
                Found("the stranger is ignored; the asked id is reported missing",
                      missing=("2001.00001",)), ids=("2001.00001",)),
    ServiceCase("arxiv-20mb-feed", "a 20 MB feed (four 5 MB abstracts)", ("huge-feed",),
                Found("read in full", records=("2001.00001", "2001.00002", "2001.00003",
                                               "2001.00004")),
                ids=("2001.00001", "2001.00002", "2001.00003", "2001.00004")),
    ServiceCase("arxiv-20mb-text-node", "a 20 MB abstract in one entry, every time",
                ("huge-node",) * 2, Raises("refused (lxml's 10 MB text limit); exit 3",
                                           "unusable data", 2),
                ids=("2001.00001",), options={"retries": 1}),
    ServiceCase("arxiv-drip", "the feed sent a byte every 50 ms (each read within the "
                "timeout, the whole never)", ("drip",) * 2,
                Raises("gives up at the answer deadline (1 s here, 300 s by default), "
                       "retries, exit 3", "answer not complete after 1 s", 2, seconds=5),
                options={"retries": 1, "timeout": 0.5, "deadline": 1.0}),
    ServiceCase("arxiv-endless", "an answer announcing 10 GB and streaming zeros",
                ("endless",), Raises("refused past the size cap (8 MB here, 512 MiB by "
                                     "default), not retried; exit 3", "larger than", 1,
                                     seconds=10),
                options={"max_bytes": 8_000_000}),
    ServiceCase("arxiv-never-answers", "the server accepts and never answers",
                ("hang",) * 3, Raises("times out, retries, then cannot reach arXiv, exit 3",
                                      "timed out", 3, seconds=5),
                options={"retries": 2, "timeout": 0.3}),
)  # fmt: skip

_S2_IDS = ("ARXIV:2101.00001", "ARXIV:2101.00002")

S2: tuple[ServiceCase, ...] = (
    ServiceCase("s2-lone-surrogates", "lone surrogates (`\\ud800`) in titles, venue and ids",
                ("surrogates",), Found("read; each becomes U+FFFD, so the data can be saved",
                                       records=_S2_IDS), ids=_S2_IDS),
    ServiceCase("s2-control-characters", "ESC sequences, `\\u0001` and U+FFFE in titles and venue",
                ("controls",), Found("read; control characters dropped (they would reach "
                                     "terminals and make GraphML invalid XML)",
                                     records=_S2_IDS), ids=_S2_IDS),
    ServiceCase("s2-retry-after-huge", "429 with `Retry-After: 1000000`, then the answer",
                ("retry-after-huge", "ok"),
                Found("waits at most 120 s (the cap), then reads", records=_S2_IDS,
                      requests=2, sleeps=(120.0,)), ids=_S2_IDS),
    ServiceCase("s2-retry-after-date", "429 with `Retry-After` an HTTP date in the past",
                ("retry-after-date", "ok"),
                Found("waits 0 s, then reads", records=_S2_IDS, requests=2, sleeps=(0.0,)),
                ids=_S2_IDS),
    ServiceCase("s2-retry-after-garbage", "429 with `Retry-After: soon`",
                ("retry-after-garbage", "ok"),
                Found("falls back to its own backoff", records=_S2_IDS, requests=2,
                      sleeps=(0.5,)), ids=_S2_IDS),
    ServiceCase("s2-retry-after-negative", "429 with `Retry-After: -5`",
                ("retry-after-negative", "ok"),
                Found("waits 0 s", records=_S2_IDS, requests=2, sleeps=(0.0,)), ids=_S2_IDS),
    ServiceCase("s2-429-storm-forever", "429 without Retry-After on every request",
                ("429",) * 4, Raises("backs off 0.5, 1, 2 s, then cannot reach it, exit 3",
                                     "HTTP 429", 4), ids=_S2_IDS),
    ServiceCase("s2-deep-json", "JSON nested 100,000 deep, every time", ("deep-json",) * 4,
                Raises("refused as invalid JSON (no RecursionError); exit 3",
                       "unusable data", 4), ids=_S2_IDS),
    ServiceCase("s2-nan", "`NaN` and `Infinity` as numbers", ("nan",) * 4,
                Raises("refused; retried; exit 3", "unusable data", 4), ids=_S2_IDS),
    ServiceCase("s2-html-200", "an HTML page with status 200", ("html200", "ok"),
                Found("retried; read", records=_S2_IDS, requests=2), ids=_S2_IDS),
    ServiceCase("s2-empty-body", "an empty body with status 200", ("empty", "ok"),
                Found("retried; read", records=_S2_IDS, requests=2), ids=_S2_IDS),
    ServiceCase("s2-null-answer", "the JSON `null` as the whole answer", ("null", "ok"),
                Found("retried; read", records=_S2_IDS, requests=2), ids=_S2_IDS),
    ServiceCase("s2-wrong-types", "`title: 123`, `year: \"2020\"`", ("wrong-types",) * 4,
                Raises("refused; retried; exit 3", "unusable data", 4), ids=_S2_IDS),
    ServiceCase("s2-extra-fields", "fields nobody asked for, `null` ones included",
                ("extra-fields",), Found("ignored; read", records=_S2_IDS), ids=_S2_IDS),
    ServiceCase("s2-batch-404", "HTTP 404 for the batch endpoint", ("404",),
                Raises("not retried; exit 3", "answered HTTP 404", 1), ids=_S2_IDS),
    ServiceCase("s2-all-unknown", "every paper answered `null` (unknown to S2)", ("ok",),
                Found("reported unknown, not an error", unknown=("ARXIV:2101.09999",)),
                ids=("ARXIV:2101.09999",)),
)  # fmt: skip


# --------------------------------------------------------------------------- one-test rows


@dataclass(frozen=True)
class Row:
    """A fault, attack or property run by one named test (``tests/...::name``)."""

    id: str
    tried: str
    outcome: str
    exit: str
    test: str


_R = "tests/reliability/"

FAULTS: tuple[Row, ...] = (
    Row("fault-lock-two-processes", "a second process takes the course lock while one holds it",
        "refused at once, naming the holder's command, pid and host", "2",
        _R + "test_reliability_faults.py::test_second_lock_holder_in_another_process_is_refused"),
    Row("fault-sync-two-processes", "two `readinglist sync` processes on one course",
        "the second exits 2 naming the first (`'readinglist sync' (pid N on host)`)", "2",
        _R + "test_reliability_faults.py::test_two_sync_processes_the_second_is_refused"),
    Row("fault-export-enospc", "`export -o` when the disk is full (`os.replace` raises ENOSPC)",
        "one line `disk full`; the old file is intact; no temp file left", "2",
        _R + "test_reliability_faults.py::test_export_output_write_fails_cleanly"),
    Row("fault-export-eacces", "`export -o` into a folder it may not write (EACCES on create)",
        "one line `permission denied`; nothing written", "2",
        _R + "test_reliability_faults.py::test_export_output_write_fails_cleanly"),
    Row("fault-fsync-eio", "fsync fails with EIO while writing", "one line; old file intact",
        "2", _R + "test_reliability_faults.py::test_export_output_write_fails_cleanly"),
    Row("fault-bib-unreadable", "a `.bib` that cannot be read (open raises EACCES; root "
        "reads every file, so it is simulated)", "one line `bib/FILE: permission denied`", "2",
        _R + "test_reliability_faults.py::test_unreadable_bib_is_one_line"),
    Row("fault-readonly-course-sync", "`sync` on a read-only course folder (simulated: every "
        "write raises EROFS; the real chmod runs when not root)",
        "one line naming the lock file it cannot create; every file as it was", "2",
        _R + "test_reliability_faults.py::test_sync_on_a_read_only_course_folder"),
    Row("fault-sync-disk-full", "`sync` when the disk fills at its first save (`os.replace` "
        "raises ENOSPC)", "one error line `disk full`; every file as it was; no temp file",
        "2", _R + "test_reliability_faults.py::test_sync_when_the_disk_fills_mid_run"),
    Row("fault-readonly-course-chmod", "`sync` on a course folder chmod -w (skipped as root)",
        "one line naming the lock file; every file as it was", "2",
        _R + "test_reliability_faults.py::test_sync_on_a_chmod_read_only_course_folder"),
    Row("fault-append-enospc", "`add` when the disk fills while appending to a `.bib`",
        "one line `disk full`; the `.bib` byte-identical", "2",
        _R + "test_reliability_faults.py::test_add_append_failure_keeps_the_bib"),
    Row("fault-sigkill-loop", "`sync` killed with SIGKILL at 50+ random moments",
        "every file old or new; a rerun ends with the bytes of an uninterrupted run", "-",
        _R + "test_reliability_kill_loop.py::test_sync_survives_sigkill_at_random_moments"),
)  # fmt: skip

_SITE_TEST = (
    _R + "test_reliability_security.py::test_site_of_hostile_keys_stays_inside_and_is_portable"
)

SECURITY: tuple[Row, ...] = (
    Row("sec-xml-parser-options", "how the arXiv parser is configured",
        "entity resolution, DTD loading and network access off; any DOCTYPE refused", "-",
        _R + "test_reliability_security.py::test_xml_parser_resolves_nothing"),
    Row("sec-tls-verify", "grep src/ for `verify=False`, `_create_unverified_context`, "
        "`CERT_NONE`", "none: TLS verification is never turned off", "-",
        _R + "test_reliability_security.py::test_tls_verification_is_never_disabled"),
    Row("sec-no-shell", "grep src/ for `shell=True`, `os.system`, `os.popen`",
        "none: no shell ever sees data", "-",
        _R + "test_reliability_security.py::test_no_shell_is_invoked"),
    Row("sec-s2-key-cli", "`--debug sync` with `S2_API_KEY` set, against the stand-ins",
        "the key is in no output, log or file of the course folder", "0",
        _R + "test_reliability_security.py::test_s2_key_never_printed_or_written_by_sync"),
    Row("sec-keys-escape-site", "keys `../../../../tmp/readinglist-escape`, `/etc/passwd`, "
        "300-char, `index.html`, `assets`, ... in a site build",
        "every file inside the site folder; nothing written outside", "0", _SITE_TEST),
    Row("sec-site-no-absolute-paths", "grep the built site for the build's tmp path, "
        "/root, /home", "none found", "0", _SITE_TEST),
    Row("sec-yaml-python-tags", "`!!python/object/apply:os.system` in the course file",
        "refused; never constructed (no file appears)", "2",
        _R + "test_reliability_security.py::test_course_file_python_tags_never_run"),
)  # fmt: skip

PROPERTIES: tuple[Row, ...] = (
    Row("prop-export-round-trip", "hypothesis: entries with arbitrary safe field values "
        "-> .bib -> `export --all` -> parse (ours and pybtex)",
        "the same keys and fields", "0",
        _R + "test_reliability_properties.py::test_export_then_parse_gives_the_same_records"),
    Row("prop-id-normalize-twice", "hypothesis: normalizing an arXiv id twice",
        "changes nothing more", "-",
        "tests/test_ids.py::test_normalizing_twice_changes_nothing"),
    Row("prop-hostile-string-site", "hypothesis: a generated hostile title, author and "
        "abstract in a built site", "appears as escaped text, never as a tag", "0",
        _R + "test_reliability_properties.py::test_hostile_strings_render_as_text_in_the_site"),
    Row("prop-show-any-text", "hypothesis: any printable text (no LaTeX specials) as a "
        "title through `show`", "printed as written (no markup), exit 0", "0",
        _R + "test_reliability_properties.py::test_show_prints_any_title_as_text"),
)  # fmt: skip


OPEN: tuple[Row, ...] = (
    Row("graph-xml-control-chars", "an outside paper titled with a control character "
        "(stored citation data) -> `graph --format graphml/gexf`",
        "control characters dropped from attributes: the file is XML (the site's "
        "downloads/graph.graphml too)", "0",
        _R + "test_reliability_others.py::"
        "test_graph_export_with_a_control_character_title_is_xml"),
    Row("suggest-control-chars", "the same title through `suggest`",
        "printed without control characters; `--json` keeps the title as data", "0",
        _R + "test_reliability_others.py::test_suggest_prints_no_control_characters"),
)  # fmt: skip
"""Holes first pinned by strict xfails, since fixed (and the data path that fed them
from Semantic Scholar is closed too: see s2-control-characters)."""


# --------------------------------------------------------------------------- elsewhere

COVERED: tuple[Row, ...] = tuple(
    Row(f"covered-{name.replace(' ', '-')}", name, "refused, one line naming the line", "2",
        f"tests/test_cli_library.py::test_unreadable_bib_is_one_line_exit_2_and_nothing_written[{name}]")
    for name in ("invalid UTF-8", "NUL byte")
) + tuple(
    Row(f"covered-{name.replace(' ', '-')}", f"{name} in one entry among good ones",
        "one finding at the entry's line with a hint; the others are read, shown, exported",
        "1 (0 for a macro)",
        f"tests/test_cli_library.py::test_one_broken_entry_is_one_finding_and_the_rest_is_used[{name}]")
    for name in ("unbalanced brace", "unbalanced quote", "missing comma", "missing =",
                 "empty key", "undefined macro", "self-referencing macro", "cut off at end",
                 "key with space")
) + (
    Row("covered-shapes", "real export shapes: recurring columns, book vs article, Citavi "
        "keyless entries, biblatex dates, crossref/xref and a cycle, DOI URL forms",
        "one test per shape; exports read back by pybtex, bibtexparser and pandoc", "0/1",
        "tests/test_shapes.py::test_export_of_each_shape_reads_back_as_written"),
    Row("covered-same-paper-rule", "the same paper: ids, or title + first author + year "
        "with nothing conflicting", "property tests of the rule and the index", "-",
        "tests/test_identity.py::test_by_title_only_with_the_same_year_and_nothing_conflicting"),
    Row("covered-import-agrees-with-check", "random entries imported, then checked",
        "what import adds without a finding, check accepts without one", "-",
        "tests/test_identity.py::test_what_import_adds_without_a_finding_check_accepts"),

    Row("covered-valid-oddities", "BOM, CRLF, CR, keys `a/b`, `../up`, `Müller2020`, empty "
        "and comment-only files", "read", "0/1",
        "tests/test_cli_library.py::test_valid_oddities_are_read"),
    Row("covered-bib-folder", "a `.bib` that is a folder; unreadable (skipped as root)",
        "one line, exit 2", "2",
        "tests/test_cli_library.py::test_bib_that_is_a_folder_or_unreadable"),
    Row("covered-arxiv-xml-bomb", "a billion-laughs document (parser)", "refused, not expanded",
        "-", "tests/test_services_arxiv.py::test_xml_bomb_is_refused_not_expanded"),
    Row("covered-arxiv-external-entity", "an external entity to a file (parser)",
        "refused, not resolved", "-",
        "tests/test_services_arxiv.py::test_external_entity_is_refused_not_resolved"),
    Row("covered-arxiv-faults-once", "429, 503, `Rate exceeded.`, empty, truncated, HTML 200, "
        "hang, incomplete feed (once each)", "retried and survived", "-",
        "tests/test_services_arxiv.py::test_each_fault_is_retried_and_survived"),
    Row("covered-arxiv-faults-persistent", "503, `Rate exceeded.`, incomplete, truncated on "
        "every try", "ServiceError after the retries", "3",
        "tests/test_services_arxiv.py::test_persistent_fault_raises_service_error"),
    Row("covered-arxiv-arbitrary-bytes", "hypothesis: arbitrary and mangled bodies",
        "only ServiceResponseError", "-",
        "tests/test_services_arxiv.py::test_parse_feed_on_mangled_feeds_raises_only_service_response_error"),
    Row("covered-s2-nulls", "nulls in every field of a batch answer", "read", "-",
        "tests/test_services_semanticscholar.py::test_parse_batch_tolerates_nulls_everywhere"),
    Row("covered-s2-malformed-short", "malformed JSON; a batch answer shorter than the request",
        "retried", "-",
        "tests/test_services_semanticscholar.py::test_unusable_batch_answer_is_retried"),
    Row("covered-s2-429-storm", "a 429 storm without Retry-After", "exponential backoff", "-",
        "tests/test_services_semanticscholar.py::test_429_storm_backs_off_exponentially"),
    Row("covered-s2-429-retry-after", "429 with Retry-After", "waits what it says", "-",
        "tests/test_services_semanticscholar.py::test_429_with_retry_after_waits_what_it_says"),
    Row("covered-s2-5xx", "500/503 every time", "ServiceError after the retries", "3",
        "tests/test_services_semanticscholar.py::test_persistent_failure_raises_service_error"),
    Row("covered-s2-key-client", "the S2 key through the client with DEBUG logging, retries "
        "and errors", "sent as `x-api-key`; in no log record, message or repr", "-",
        "tests/test_services_semanticscholar.py::test_api_key_is_sent_and_never_shown"),
    Row("covered-store-atomic", "ENOSPC/EACCES from `os.replace` in `write_atomic`",
        "StoreError; old file intact; no temp file", "-",
        "tests/test_store.py::test_failed_write_leaves_the_old_file"),
    Row("covered-store-lock", "a second lock holder in one process", "LockHeldError naming it",
        "-", "tests/test_store.py::test_lock_refuses_a_second_holder_and_names_the_first"),
    Row("covered-course-parser", "course-file schema errors at the parser level",
        "CourseFileError naming the line", "-", "tests/test_course.py::test_errors_name_the_line"),
)  # fmt: skip

TODAY = dt.date(2026, 5, 20)
"""The date sync runs are pinned to (machine-owned files are then reproducible)."""
