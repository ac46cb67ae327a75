"""BibTeX text <-> model, with pybtex's low-level parser. Strings only, no disk I/O.

Reading keeps every field exactly as written (the text between its delimiters, with
``@string`` macros and ``#`` concatenation resolved) and the line of every entry and
field. Writing never goes through pybtex's writer, which re-escapes values and drops
``@string``/``@comment`` (see MEASURED.md): an entry is written back with each field's
text as the person wrote it.

Incoming text is not trusted: every way it can be unreadable raises
:class:`BibSyntaxError` naming the file and line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from pybtex.database.input.bibtex import LowLevelParser, SkipEntry, month_names
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError
from pybtex.utils import CaseInsensitiveDict

from readinglist.errors import BibSyntaxError
from readinglist.ids import identify
from readinglist.model import Location, Paper, Person

_FIELD_START = re.compile(r"(?m)^[ \t]*([A-Za-z][\w\-:.+]*)[ \t]*=")
_PERSON_FIELDS = ("author", "editor")
_SAFE_KEY = re.compile(r"^[^\s\"#%'(),={}\\]+$")


@dataclass(frozen=True)
class RawEntry:
    """One entry as read: type, key, ``(name, value)`` fields, and where it was written."""

    entry_type: str
    key: str
    fields: tuple[tuple[str, str], ...]
    line: int
    field_lines: tuple[int, ...]


@dataclass(frozen=True)
class Problem:
    """Something questionable in a file that does not stop it from being read."""

    line: int
    code: str
    message: str


@dataclass(frozen=True)
class ParsedFile:
    """The entries of one ``.bib`` file and the problems found while reading it."""

    entries: tuple[RawEntry, ...]
    problems: tuple[Problem, ...]


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


class _Parser(LowLevelParser):
    """pybtex's tokenizer with errors turned into exceptions we can locate, and
    ``@comment{...}`` bodies skipped whole (as biber and JabRef do), so an ``@`` inside
    one (``jabref-meta: fileDirectory-user@host``) is not read as a new entry."""

    def handle_error(self, error: Exception) -> None:
        raise error

    def parse_command(self):  # type: ignore[no-untyped-def]
        try:
            return super().parse_command()
        except SkipEntry:
            if self.text[self.pos - 1 : self.pos] == "{":
                self._skip_braced_body()
            raise

    def _skip_braced_body(self) -> None:
        depth = 1
        start: int = self.pos  # type: ignore[has-type]
        pos = start
        text: str = self.text
        while depth and pos < len(text):
            ch = text[pos]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
            pos += 1
        if depth:
            return  # unbalanced: leave it to the ordinary scan
        self.update_lineno(text[start:pos])
        self.pos = pos


def _error_line(error: Exception, text: str, fallback: int) -> int:
    line = getattr(error, "lineno", None)
    return int(line) if line else fallback


def parse_bib(text: str, file: str) -> ParsedFile:
    """Parse BibTeX text into entries, keeping fields as written.

    Duplicate fields in one entry keep the first value (as BibTeX does) and are
    reported as problems; anything that stops the text from being read raises
    BibSyntaxError naming ``file`` and the line.
    """
    parser = _Parser(text, macros=CaseInsensitiveDict(month_names), filename=file)
    entries: list[RawEntry] = []
    problems: list[Problem] = []
    line = 1
    counted_to = 0
    try:
        for command, body in parser:
            start = parser.command_start
            line += text.count("\n", counted_to, start)
            counted_to = start
            kind = command.lower()
            if kind in ("string", "preamble"):
                continue
            key, raw_fields = body
            if not key:
                raise BibSyntaxError("entry without a key", file=file, line=line)
            starts = _field_starts(text[start : parser.pos], line)
            seen: set[str] = set()
            fields: list[tuple[str, str]] = []
            lines: list[int] = []
            cursor = 0
            for name, parts in raw_fields:
                fline = line
                lower = name.lower()
                # Match field names in order, so text inside a value cannot shift lines.
                for j in range(cursor, len(starts)):
                    if starts[j][0] == lower:
                        fline, cursor = starts[j][1], j + 1
                        break
                if lower in seen:
                    problems.append(
                        Problem(
                            fline,
                            "duplicate-field",
                            f"{key}: field {name!r} given twice; the first one is used",
                        )
                    )
                    continue
                seen.add(lower)
                fields.append((name, "".join(parts)))
                lines.append(fline)
            entries.append(RawEntry(kind, key, tuple(fields), line, tuple(lines)))
    except BibSyntaxError:
        raise
    except PybtexSyntaxError as exc:
        raise BibSyntaxError(
            _syntax_message(exc), file=file, line=_error_line(exc, text, line)
        ) from None
    except PybtexError as exc:
        raise BibSyntaxError(str(exc), file=file, line=_error_line(exc, text, line)) from None
    except RecursionError:
        raise BibSyntaxError("braces nested too deeply", file=file, line=line) from None
    return ParsedFile(tuple(entries), tuple(problems))


def _field_starts(entry_text: str, line: int) -> list[tuple[str, int]]:
    out = []
    for m in _FIELD_START.finditer(entry_text):
        out.append((m.group(1).lower(), line + entry_text.count("\n", 0, m.start())))
    return out


def _syntax_message(exc: PybtexSyntaxError) -> str:
    message = str(exc)
    # pybtex prefixes "syntax error in line N: " (or "undefined string in line N: ");
    # we print the line ourselves.
    return re.sub(r"^([a-z ]+?) in line \d+:\s*", r"\1: ", message)


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_depth0(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` where ``pattern`` matches outside braces."""
    if "{" not in text:
        return pattern.split(text)
    parts: list[str] = []
    start = 0
    for m in pattern.finditer(text):
        # A separator counts only where the braces before it are balanced.
        if _depth(text, start, m.start()) == 0 and _depth(text, 0, m.start()) == 0:
            parts.append(text[start : m.start()])
            start = m.end()
    parts.append(text[start:])
    return parts


def _depth(text: str, start: int, end: int) -> int:
    return text.count("{", start, end) - text.count("}", start, end)


_SPACE_RUN = re.compile(r"[\s~]+")
_COMMA = re.compile(r"\s*,\s*")


def _is_lower(word: str) -> bool:
    """BibTeX's case of a word: its first letter at brace depth 0 (a ``{\\'e}``-style
    special character counts by its letter; any other braced start is caseless)."""
    depth = 0
    i = 0
    while i < len(word):
        ch = word[i]
        if ch == "{":
            if depth == 0 and word.startswith("{\\", i):
                m = re.match(r"\{\\(?:[a-zA-Z]+|.)\s*\{?\s*([A-Za-z])", word[i:])
                return bool(m and m.group(1).islower())
            depth += 1
        elif ch == "}":
            depth -= 1
        elif depth == 0 and ch.isalpha():
            return ch.islower()
        i += 1
    return False


def _split_name(name: str) -> Person:
    parts = [p.strip() for p in _split_depth0(name, _COMMA)]
    if len(parts) == 1:
        words = [w for w in _split_depth0(parts[0], _SPACE_RUN) if w]
        if not words:
            return Person()
        lower = [i for i, w in enumerate(words[:-1]) if _is_lower(w)]
        if lower:
            first_end, von_end = lower[0], lower[-1] + 1
            return Person(
                first=" ".join(words[:first_end]),
                von=" ".join(words[first_end:von_end]),
                last=" ".join(words[von_end:]),
            )
        return Person(first=" ".join(words[:-1]), last=words[-1])
    head = [w for w in _split_depth0(parts[0], _SPACE_RUN) if w]
    lower = [i for i, w in enumerate(head[:-1]) if _is_lower(w)]
    von_end = lower[-1] + 1 if lower else 0
    jr = parts[1] if len(parts) > 2 else ""
    first = parts[2] if len(parts) > 2 else parts[1]
    if len(parts) > 3:
        first = ", ".join(parts[2:])
    return Person(first=first, von=" ".join(head[:von_end]), last=" ".join(head[von_end:]), jr=jr)


@lru_cache(maxsize=65536)
def parse_names(raw: str) -> tuple[Person, ...]:
    """Split an author list (``A and B and others``) into names, BibTeX's way.

    First/von/Last/Jr follow BibTeX's rules (``First von Last``, ``von Last, First``,
    ``von Last, Jr, First``; von words are the lower-case ones); ``{Braced Corporate}``
    names stay whole; ``others`` becomes the et-al. marker.
    """
    people: list[Person] = []
    for name in _split_depth0(" ".join(raw.split()), _AND):
        name = name.strip()
        if not name:
            continue
        if name.lower() == "others":
            people.append(Person(last="others"))
            continue
        people.append(_split_name(name))
    return tuple(people)


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
