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

from pybtex.database import Person as PybtexPerson
from pybtex.database.input.bibtex import LowLevelParser, month_names
from pybtex.exceptions import PybtexError
from pybtex.scanner import PybtexSyntaxError
from pybtex.utils import CaseInsensitiveDict

from readinglist.errors import BibSyntaxError
from readinglist.model import Person

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
    """pybtex's tokenizer with errors turned into exceptions we can locate."""

    def handle_error(self, error: Exception) -> None:
        raise error


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
    # pybtex prefixes "syntax error in line N: "; we print the line ourselves.
    return re.sub(r"^syntax error in line \d+:\s*", "syntax error: ", message)


@lru_cache(maxsize=65536)
def parse_names(raw: str) -> tuple[Person, ...]:
    """Split an author list (``A and B and others``) into names, BibTeX's way.

    von/last/first/jr parts follow BibTeX's rules (pybtex); ``{Braced Corporate}`` names
    stay whole; ``others`` becomes the et-al. marker.
    """
    from pybtex.database.input.bibtex import split_name_list

    people: list[Person] = []
    for name in split_name_list(" ".join(raw.split())):
        if name.strip().lower() == "others":
            people.append(Person(last="others"))
            continue
        try:
            p = PybtexPerson(name)
        except PybtexError:
            people.append(Person(last=name))
            continue
        people.append(
            Person(
                first=" ".join(p.first_names + p.middle_names),
                von=" ".join(p.prelast_names),
                last=" ".join(p.last_names),
                jr=" ".join(p.lineage_names),
            )
        )
    return tuple(people)


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
