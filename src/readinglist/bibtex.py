"""BibTeX text <-> model: the one reading path. Strings only, no disk I/O.

:func:`parse_bib` is what the store, the importer and the checker all read with. It keeps,
for every entry, the text from its ``@`` to its closing delimiter exactly as written (what
``export`` and ``import`` copy), each field's value with ``@string`` macros and ``#``
resolved (what is displayed and compared), the ``@string`` definitions it uses, and the
line of the entry and of each field. ``@comment`` bodies are skipped whole, ``@preamble``
and ``@string`` blocks are kept with their text.

Reading is partial, as BibTeX's own is: an entry that cannot be read (a missing comma or
``=``, an unbalanced brace, an unclosed quote, an empty key) is one error
:class:`Problem` naming its line and what is likely missing, and reading goes on at the
next entry. An undefined macro is a warning and reads as empty, as in BibTeX. Only text
that is not UTF-8 (or holds a NUL) is refused whole, by :func:`decode_bib`.

Writing never goes through pybtex's writer, which re-escapes values and drops
``@string``/``@comment`` (see MEASURED.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from sys import intern

from readinglist.errors import BibSyntaxError, UsageError
from readinglist.ids import identify
from readinglist.latex import fold, latex_to_text, split_math
from readinglist.model import Location, Paper
from readinglist.names import parse_names

__all__ = [
    "ParsedFile",
    "Problem",
    "RawEntry",
    "StringDef",
    "decode_bib",
    "format_entry",
    "is_safe_key",
    "paper_from_raw",
    "parse_bib",
    "parse_names",
    "raw_fields",
]

MONTHS = {
    "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May",
    "jun": "June", "jul": "July", "aug": "August", "sep": "September", "oct": "October",
    "nov": "November", "dec": "December",
}  # fmt: skip
"""The month macros every BibTeX style defines (what ``month = feb`` reads as)."""

_SAFE_KEY = re.compile(r"^[^\s\"#%'(),={}\\]+$")
_WS = re.compile(r"\s*")
_TYPE = re.compile(r"[A-Za-z][\w\-:.+]*")
_NAME = re.compile(r"[^\s\"#%'(),={}]+")
_KEY_BRACE = re.compile(r"[^\s,}]+")
_KEY_PAREN = re.compile(r"[^\s,]+")
_NUMBER = re.compile(r"\d+")
_BRACES = re.compile(r"[{}]")
_QUOTE_STOPS = re.compile(r'["{}]')
# A line starting a new entry: a value that runs over one is an unclosed brace or quote.
_ENTRY_LINE = re.compile(r"\n[ \t]*@[ \t]*[A-Za-z]+[ \t]*[{(]")
_NEXT_AT_LINE = re.compile(r"\n[ \t]*@")
_FIELD_AFTER_KEY = re.compile(r"[^\s\"#%'(),={}]+\s*=")
# A value that holds "name = ..." lines has taken in the fields after it.
_SWALLOWED = re.compile(r"\n[ \t]*[A-Za-z][\w\-]*[ \t]*=")
# The common field, read in one match: a name (not starting with "@"), "=", then one
# braced value without inner braces, quoted value without braces, number or macro, and
# the "," or closing delimiter after it. No "@" in the value, so it cannot run into the
# next entry. Anything else (nesting, "#", errors) takes the general path, which reads
# these the same way.
_SIMPLE_FIELD = r"""
    ([^\s"\#%'(),={}@][^\s"\#%'(),={}]*) \s*=\s*
    (?: \{([^{}@]*)\} | "([^"{}@]*)" | ([0-9]+) | ([A-Za-z][^\s"\#%'(),={}]*) )
    \s*(?=[,CLOSE])
"""


@cache
def _simple_field(close: str) -> re.Pattern[str]:
    """:data:`_SIMPLE_FIELD` for entries closed by ``close``, compiled on first use (a
    warm load never parses)."""
    return re.compile(_SIMPLE_FIELD.replace("CLOSE", close), re.VERBOSE)


@dataclass(frozen=True)
class StringDef:
    """One ``@string`` definition: its name as written, resolved value and source text."""

    name: str
    value: str
    text: str
    line: int
    uses: tuple[str, ...] = ()


@dataclass(frozen=True)
class RawEntry:
    """One entry as read: type (lower case), key, ``(name, value)`` fields with values
    resolved, the line of the entry and of each field, its source text from ``@`` to the
    closing delimiter, and the ``@string`` definitions it needs (with the ones those use),
    in definition order."""

    entry_type: str
    key: str
    fields: tuple[tuple[str, str], ...]
    line: int
    field_lines: tuple[int, ...]
    text: str = ""
    strings: tuple[StringDef, ...] = ()


@dataclass(frozen=True)
class Problem:
    """Something questionable in a file that does not stop the rest from being read.

    ``severity`` is ``error`` for an entry that could not be read at all (it is left
    out), ``warning`` otherwise; ``key`` is the entry's key when known.
    """

    line: int
    code: str
    message: str
    severity: str = "warning"
    key: str = ""


@dataclass(frozen=True)
class ParsedFile:
    """The entries of one ``.bib`` file, its other blocks and the problems found."""

    entries: tuple[RawEntry, ...]
    problems: tuple[Problem, ...]
    strings: tuple[StringDef, ...] = ()
    comments: tuple[int, ...] = ()
    preambles: tuple[tuple[int, str], ...] = ()

    @property
    def unreadable(self) -> tuple[Problem, ...]:
        """The entries left out because they could not be read."""
        return tuple(p for p in self.problems if p.severity == "error")


def decode_bib(data: bytes, file: str) -> str:
    """Turn a file's bytes into text: UTF-8 (a BOM is allowed), newlines normalized.

    Raises BibSyntaxError with the line of the first byte that is not UTF-8, or of a NUL.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start]
        raise BibSyntaxError(
            f"not UTF-8 (byte 0x{byte:02X}); save the file as UTF-8", file=file, line=line
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    nul = text.find("\0")
    if nul >= 0:
        raise BibSyntaxError(
            "NUL byte in the file (is it binary?)", file=file, line=text.count("\n", 0, nul) + 1
        )
    return text


class _Unreadable(Exception):
    """An entry that cannot be read: where (an offset) and what is likely wrong."""

    def __init__(self, pos: int, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.pos = pos
        self.message = message
        self.line = line


class _Reader:
    """One pass over a file's text. Offsets only go forward, so lines are counted
    incrementally."""

    # Read the common field shape in one regular expression match (False: always the
    # general path; the tests compare the two).
    simple_fields = True

    def __init__(self, text: str, *, resolve: bool = True) -> None:
        self.text = text
        self.resolve = resolve
        self.macros: dict[str, str] = dict(MONTHS)
        self.defs: dict[str, StringDef] = {}
        self.problems: list[Problem] = []
        self._line_pos = 0
        self._line = 1
        # Per value: macros used, undefined ones seen.
        self.uses: list[str] = []

    def line(self, pos: int) -> int:
        if pos >= self._line_pos:
            self._line += self.text.count("\n", self._line_pos, pos)
        else:
            self._line = self.text.count("\n", 0, pos) + 1
        self._line_pos = pos
        return self._line

    def skip_ws(self, pos: int) -> int:
        m = _WS.match(self.text, pos)
        return m.end() if m else pos

    # ------------------------------------------------------------ values

    def value(self, pos: int, field: str, field_line: int, close: str) -> tuple[str, int]:
        """Read ``part (# part)*`` at ``pos``; the resolved text and the end offset."""
        text = self.text
        pieces: list[str] = []
        while True:
            pos = self.skip_ws(pos)
            ch = text[pos : pos + 1]
            if ch == "{":
                end = self._braced_end(pos, field, field_line)
                pieces.append(text[pos + 1 : end - 1])
            elif ch == '"':
                end = self._quoted_end(pos, field, field_line)
                pieces.append(text[pos + 1 : end - 1])
            elif ch.isdigit():
                m = _NUMBER.match(text, pos)
                assert m is not None
                end = m.end()
                pieces.append(m.group(0))
            else:
                m = _NAME.match(text, pos)
                if not m or not ch:
                    if not ch:
                        raise _Unreadable(
                            pos,
                            f"the file ends in field {field!r} (line {field_line})",
                            field_line,
                        )
                    what = "a value" if not pieces else "a value after '#'"
                    raise _Unreadable(
                        pos,
                        f"{what} expected for field {field!r} on line {field_line}, found {ch!r}",
                    )
                end = m.end()
                pieces.append(self._macro(m.group(0), pos))
            pos = self.skip_ws(end)
            if text[pos : pos + 1] != "#":
                return "".join(pieces), pos
            pos += 1

    def _macro(self, name: str, pos: int) -> str:
        low = name.lower()
        self.uses.append(low)
        value = self.macros.get(low)
        if value is None:
            self.problems.append(
                Problem(
                    self.line(pos),
                    "undefined-macro",
                    f"undefined @string macro {name!r}; it reads as empty (as in BibTeX)",
                )
            )
            return ""
        return value

    def _braced_end(self, pos: int, field: str, field_line: int) -> int:
        text = self.text
        close = text.find("}", pos + 1)
        inner_open = text.find("{", pos + 1, close if close >= 0 else len(text))
        if close >= 0 and inner_open < 0:
            end = close + 1  # the common case: no nested braces
        else:
            depth = 0
            end = -1
            for m in _BRACES.finditer(text, pos):
                if m.group(0) == "{":
                    depth += 1
                else:
                    depth -= 1
                    if depth == 0:
                        end = m.end()
                        break
            if end < 0:
                self._runaway(pos, len(text), field, field_line, "brace", "'}'")
                raise _Unreadable(
                    pos,
                    f"unbalanced brace: the value of field {field!r} on line {field_line} "
                    "is never closed (a '}' missing?)",
                    field_line,
                )
        self._runaway(pos, end, field, field_line, "brace", "'}'")
        return end

    def _quoted_end(self, pos: int, field: str, field_line: int) -> int:
        depth = 0
        for m in _QUOTE_STOPS.finditer(self.text, pos + 1):
            ch = m.group(0)
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    # The '}' that ends the entry: the quote was never closed.
                    raise _Unreadable(
                        m.start(),
                        f"unclosed quote: the value of field {field!r} on line {field_line} "
                        "is never closed (a '\"' missing?)",
                        field_line,
                    )
            elif depth == 0:
                end = m.end()
                self._runaway(pos, end, field, field_line, "quote", "'\"'")
                return end
        self._runaway(pos, len(self.text), field, field_line, "quote", "'\"'")
        raise _Unreadable(
            pos,
            f"unclosed quote: the value of field {field!r} on line {field_line} is never "
            "closed (a '\"' missing?)",
            field_line,
        )

    def _runaway(self, start: int, end: int, field: str, line: int, kind: str, mark: str) -> None:
        if "@" in self.text[start:end]:
            m = _ENTRY_LINE.search(self.text, start, end)
            if m:
                what = "unbalanced brace" if kind == "brace" else "unclosed quote"
                raise _Unreadable(
                    start,
                    f"{what}: the value of field {field!r} on line {line} runs into the "
                    f"next entry (line {self.line(m.start() + 1)}); a {mark} missing?",
                    line,
                )

    # ------------------------------------------------------------ blocks

    def entry_body(
        self, pos: int, kind: str, at_line: int
    ) -> tuple[str, list[tuple[str, str]], list[int], int]:
        """Read an entry from its opening delimiter: key, fields, field lines, end."""
        text = self.text
        opener = text[pos]
        close = "}" if opener == "{" else ")"
        pos = self.skip_ws(pos + 1)
        m = (_KEY_BRACE if close == "}" else _KEY_PAREN).match(text, pos)
        key = m.group(0) if m else ""
        if key.endswith(close) and close == ")":
            key = key[:-1]
        if m and "=" in key:
            # "@misc{title = {x}}": no key; BibTeX would take "title" as one.
            raise _Unreadable(pos, f"entry without a key on line {at_line} (@{kind}{{KEY, ...)")
        pos = self.skip_ws(pos + len(key))
        fields: list[tuple[str, str]] = []
        lines: list[int] = []
        after = text[pos : pos + 1]
        if after not in (",", close) and key and _FIELD_AFTER_KEY.match(text, pos):
            # "@misc{k\n  title = ..." : read as pybtex does, with a warning.
            self.problems.append(
                Problem(at_line, "missing-comma", f"{key}: a ',' missing after the key?", key=key)
            )
            after = ","
        if after not in (",", close):
            if not after:
                raise _Unreadable(pos, f"the file ends inside entry {key!r}", at_line)
            if _NAME.match(text, pos) and key:
                raise _Unreadable(
                    pos,
                    f"key {key!r} is followed by {text[pos:].split(None, 1)[0][:20]!r} on "
                    f"line {self.line(pos)}: a key cannot hold spaces (a ',' missing?)",
                    self.line(pos),
                )
            raise _Unreadable(pos, f"',' expected after the key {key!r}", self.line(pos))
        last_line = at_line
        last: tuple[str, str] | None = None
        simple_field = None
        if self.simple_fields:
            simple_field = _simple_field(close)
        while True:
            if text[pos : pos + 1] == ",":
                pos = self.skip_ws(pos + 1)
            ch = text[pos : pos + 1]
            if ch == close:
                pos += 1
                break
            next_entry = ch == "@" and _ENTRY_LINE.match(text, text.rfind("\n", 0, pos))
            if next_entry or not ch:
                # The entry is not closed before the next one (or the end of the file).
                if last is not None and _SWALLOWED.search(last[1]):
                    raise _Unreadable(
                        pos,
                        f"unbalanced brace: the value of field {last[0]!r} on line "
                        f"{last_line} takes in the fields after it (a '}}' missing?)",
                        last_line,
                    )
                where = (
                    f"entry {key!r} is not closed before the next entry on line {self.line(pos)}"
                    if ch
                    else f"the file ends inside entry {key!r}"
                )
                raise _Unreadable(
                    pos, f"{where} (a {close!r} missing after the field on line {last_line}?)",
                    last_line,
                )  # fmt: skip
            if ch in "})":
                raise _Unreadable(
                    pos,
                    f"entry {key!r} opened with {opener!r} ends with {ch!r} on line "
                    f"{self.line(pos)} (a {close!r} expected)",
                    self.line(pos),
                )
            simple = simple_field.match(text, pos) if simple_field else None
            if simple is not None:
                name = intern(simple.group(1))
                fline = last_line = self.line(pos)
                value = simple.group(2)
                if value is None:
                    value = simple.group(3)
                    if value is None:
                        value = simple.group(4)
                        if value is None:
                            value = self._macro(simple.group(5), simple.start(5))
                last = (name, value)
                fields.append(last)
                lines.append(fline)
                pos = simple.end()
                continue
            m = _NAME.match(text, pos)
            if not m:
                raise _Unreadable(pos, f"a field name expected, found {ch!r}", self.line(pos))
            name = intern(m.group(0))
            fline = self.line(pos)
            last_line = fline
            pos = self.skip_ws(m.end())
            if text[pos : pos + 1] != "=":
                raise _Unreadable(
                    pos,
                    f"'=' missing after field name {name!r} on line {fline}?",
                    fline,
                )
            value, pos = self.value(pos + 1, name, fline, close)
            last = (name, value)
            fields.append((name, value))
            lines.append(fline)
            nxt = text[pos : pos + 1]
            if nxt not in (",", close):
                if not nxt:
                    continue  # reported by the loop as the end of the file
                if _SWALLOWED.search(value):
                    raise _Unreadable(
                        pos,
                        f"unbalanced brace: the value of field {name!r} on line {fline} "
                        "takes in the fields after it (a '}' missing?)",
                        fline,
                    )
                raise _Unreadable(pos, f"missing comma after the field on line {fline}?", fline)
        return key, fields, lines, pos

    def skip_comment(self, pos: int) -> int:
        """The end of an ``@comment``'s braced body (or ``pos`` when it has none)."""
        if self.text[pos : pos + 1] != "{":
            return pos
        depth = 0
        for m in _BRACES.finditer(self.text, pos):
            depth += 1 if m.group(0) == "{" else -1
            if depth == 0:
                return m.end()
        return pos  # unbalanced: leave the rest to the ordinary scan


def _needed(uses: Iterable[str], defs: dict[str, StringDef]) -> tuple[StringDef, ...]:
    """The definitions ``uses`` needs, with the ones they use, in definition order."""
    out: dict[str, StringDef] = {}
    todo = list(uses)
    while todo:
        name = todo.pop()
        d = defs.get(name)
        if d is not None and name not in out:
            out[name] = d
            todo.extend(d.uses)
    return tuple(sorted(out.values(), key=lambda d: d.line))


def parse_bib(text: str, file: str) -> ParsedFile:
    """Read BibTeX text (already decoded) into entries, keeping each as written.

    Duplicate fields keep the first value (as BibTeX does) and are reported; an entry
    that cannot be read is left out and reported as an error problem naming its line and
    what is likely missing; an undefined macro reads as empty, with a warning. ``file``
    is only used in messages.
    """
    del file  # problems carry lines; callers know their file
    r = _Reader(text)
    entries: list[RawEntry] = []
    strings: list[StringDef] = []
    comments: list[int] = []
    preambles: list[tuple[int, str]] = []
    pos = 0
    n = len(text)
    while True:
        at = text.find("@", pos)
        if at < 0:
            break
        at_line = r.line(at)
        start = r.skip_ws(at + 1)
        m = _TYPE.match(text, start)
        if not m:
            pos = at + 1  # a stray "@" outside entries is text, as in BibTeX's comments
            continue
        kind = intern(m.group(0).lower())
        pos = r.skip_ws(m.end())
        if kind == "comment":
            comments.append(at_line)
            pos = r.skip_comment(pos)
            continue
        if text[pos : pos + 1] not in ("{", "("):
            # "name@example.org" in text between entries: not an entry.
            pos = m.end()
            continue
        r.uses = []
        try:
            if kind in ("string", "preamble"):
                pos = _block(r, kind, at, pos, at_line, strings, preambles)
                continue
            key, fields, lines, pos = r.entry_body(pos, kind, at_line)
        except _Unreadable as exc:
            line = exc.line if exc.line is not None else r.line(exc.pos)
            key = _key_at(text, at)
            label = f"{key}: " if key else ""
            r.problems.append(Problem(line, "syntax-error", f"{label}{exc.message}", "error", key))
            nxt = _NEXT_AT_LINE.search(text, at + 1)
            pos = nxt.start() + 1 if nxt else n
            continue
        if not key:
            r.problems.append(
                Problem(
                    at_line,
                    "no-key",
                    f"entry @{m.group(0)} without a key (as Citavi and Medline exports "
                    "write it); give it a key to use it",
                    "error",
                )
            )
            continue
        if len({name.lower() for name, _ in fields}) == len(fields):
            out_fields, out_lines = fields, lines  # no field given twice: the common case
        else:
            out_fields, out_lines = _first_of_each(r, key, fields, lines)
        entries.append(
            RawEntry(
                kind,
                key,
                tuple(out_fields),
                at_line,
                tuple(out_lines),
                text[at:pos],
                _needed(r.uses, r.defs) if r.uses else (),
            )
        )
    return ParsedFile(
        tuple(entries), tuple(r.problems), tuple(strings), tuple(comments), tuple(preambles)
    )


def _first_of_each(
    r: _Reader, key: str, fields: list[tuple[str, str]], lines: list[int]
) -> tuple[list[tuple[str, str]], list[int]]:
    """The fields without the ones given again (BibTeX uses the first), each repeat
    reported."""
    out_fields: list[tuple[str, str]] = []
    out_lines: list[int] = []
    names: set[str] = set()
    for (name, value), fline in zip(fields, lines, strict=True):
        low = name.lower()
        if low in names:
            r.problems.append(
                Problem(
                    fline,
                    "duplicate-field",
                    f"{key}: field {name!r} given twice; the first one is used",
                    key=key,
                )
            )
            continue
        names.add(low)
        out_fields.append((name, value))
        out_lines.append(fline)
    return out_fields, out_lines


def _block(
    r: _Reader,
    kind: str,
    at: int,
    pos: int,
    at_line: int,
    strings: list[StringDef],
    preambles: list[tuple[int, str]],
) -> int:
    text = r.text
    close = "}" if text[pos] == "{" else ")"
    pos = r.skip_ws(pos + 1)
    if kind == "preamble":
        _, pos = r.value(pos, "@preamble", at_line, close)
    else:
        m = _NAME.match(text, pos)
        if not m:
            raise _Unreadable(pos, f"a macro name expected in @string on line {at_line}")
        name = m.group(0)
        pos = r.skip_ws(m.end())
        if text[pos : pos + 1] != "=":
            raise _Unreadable(pos, f"'=' missing after @string name {name!r}?", at_line)
        value, pos = r.value(pos + 1, name, at_line, close)
    pos = r.skip_ws(pos)
    if text[pos : pos + 1] != close:
        raise _Unreadable(pos, f"{close!r} expected to end the @{kind} on line {at_line}")
    pos += 1
    if kind == "preamble":
        preambles.append((at_line, text[at:pos]))
    else:
        d = StringDef(name, value, text[at:pos], at_line, tuple(dict.fromkeys(r.uses)))
        r.macros[name.lower()] = value
        r.defs[name.lower()] = d
        strings.append(d)
    return pos


_KEY_AT = re.compile(r"@\s*[A-Za-z][\w\-:.+]*\s*([{(])\s*([^\s,})=]*)")


def _key_at(text: str, at: int) -> str:
    m = _KEY_AT.match(text, at)
    return m.group(2) if m else ""


def raw_fields(entry_text: str) -> list[tuple[str, str]]:
    """The ``(name, value source)`` pairs of one entry's text, each value exactly as
    written between the ``=`` and the separator (delimiters, macros, ``#`` kept)."""
    r = _Reader(entry_text)
    m = _KEY_AT.match(entry_text)
    if not m:
        return []
    out: list[tuple[str, str]] = []
    text = entry_text
    pos = r.skip_ws(m.end())
    close = "}" if m.group(1) == "{" else ")"
    while pos < len(text):
        if text[pos] == ",":
            pos = r.skip_ws(pos + 1)
        if pos >= len(text) or text[pos] == close:
            break
        nm = _NAME.match(text, pos)
        if not nm:
            break
        pos = r.skip_ws(nm.end())
        if text[pos : pos + 1] != "=":
            break
        vstart = r.skip_ws(pos + 1)
        try:
            _, pos = r.value(vstart, nm.group(0), 1, close)
        except _Unreadable:
            break
        out.append((nm.group(0), text[vstart:pos].rstrip()))
    return out


def paper_from_raw(raw: RawEntry, topic: str, file: str) -> Paper:
    """The Paper of an entry read from ``file`` (its arXiv id and DOI recognized)."""
    found = identify({name.lower(): value for name, value in raw.fields})
    return Paper(
        key=raw.key,
        entry_type=raw.entry_type,
        fields=raw.fields,
        topic=topic,
        location=Location(file, raw.line),
        arxiv=found.arxiv,
        doi=found.doi,
        field_lines=raw.field_lines,
        id_problems=found.problems,
        source=raw.text,
        strings=tuple((d.name, d.text) for d in raw.strings),
        doi_written=found.doi_written,
    )


def is_safe_key(key: str) -> bool:
    """True when a key can be written back into BibTeX unchanged."""
    return bool(_SAFE_KEY.match(key))


def format_entry(entry_type: str, key: str, fields: Iterable[tuple[str, str]]) -> str:
    """Write one entry as BibTeX, each value between braces exactly as given.

    Values come from a BibTeX parse, so their braces are balanced.
    """
    lines = [f"@{entry_type}{{{key},"]
    for name, value in fields:
        lines.append(f"  {name} = {{{value}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- writing new entries
# Escaping values, names in ``Last, First`` form, new citation keys (for ``add``); the
# entry text itself is laid out by :func:`format_entry`.

_KEY_STOP = frozenset(
    (  # noqa: SIM905
        "a an the on of in for to and with via from towards toward is are do does what how "
        "why when by at its into beyond can "
    ).split()
)
_SPECIAL = re.compile(r"(?<!\\)([&%#_])")


def escape_bibtex(text: str) -> str:
    """Text as a BibTeX value: ``& % # _`` escaped outside ``$...$`` math, braces escaped
    when they do not balance (an unbalanced value would swallow the rest of the file)."""
    pieces = [p if is_math else _SPECIAL.sub(r"\\\1", p) for is_math, p in split_math(text)]
    out = "".join(pieces)
    depth = 0
    for ch in out:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        if depth < 0:
            break
    if depth != 0:
        out = re.sub(r"(?<!\\)([{}])", r"\\\1", out)
    return " ".join(out.split())


def bibtex_name(name: str) -> str:
    """A display name (``Simon S. Du``) in BibTeX's ``Last, First`` form (``Du, Simon S.``)."""
    people = parse_names(escape_bibtex(name))
    if not people:
        return ""
    p = people[0]
    last = " ".join(x for x in (p.von, p.last) if x)
    parts = [last] + ([p.jr] if p.jr else []) + ([p.first] if p.first else [])
    return ", ".join(parts) if len(parts) > 1 else last


def _ascii_word(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", fold(latex_to_text(text)))


def citation_key(authors: Sequence[str], year: str, title: str, taken: Iterable[str]) -> str:
    """``jacot2018neural``: the first author's family name, the year and the first word of
    the title that says something, lower-case ASCII; ``b``, ``c``... appended until it is
    unlike every key in ``taken`` (compared without case, as BibTeX does)."""
    family = ""
    if authors:
        people = parse_names(authors[0])
        if people:
            family = _ascii_word(people[0].last)
    word = ""
    for raw in latex_to_text(title).split():
        candidate = _ascii_word(raw)
        if candidate and candidate not in _KEY_STOP:
            word = candidate
            break
    base = f"{family or 'anon'}{year}{word}"
    used = {k.lower() for k in taken}
    if base not in used:
        return base
    for n in range(1, 10_000):
        suffix = ""
        while n:
            n, r = divmod(n, 26)
            suffix = "abcdefghijklmnopqrstuvwxyz"[r] + suffix
        if base + suffix not in used and suffix != "a":
            return base + suffix
    raise UsageError(f"no free citation key for {base!r}")  # pragma: no cover
