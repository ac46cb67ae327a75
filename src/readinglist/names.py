"""Names in author and editor lists, split BibTeX's way. Strings only, no I/O.

Used by the model (a paper's authors), the BibTeX reader and writer, and sync; it
depends on nothing but :mod:`readinglist.latex`, so none of them import each other for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from readinglist.latex import latex_to_text


@dataclass(frozen=True)
class Person:
    """One name of an author or editor list, split BibTeX's way (raw LaTeX parts)."""

    first: str = ""
    von: str = ""
    last: str = ""
    jr: str = ""

    @property
    def is_others(self) -> bool:
        """True for the ``and others`` marker at the end of a truncated author list."""
        return self.last == "others" and not (self.first or self.von or self.jr)

    @property
    def is_corporate(self) -> bool:
        """True for a braced corporate name such as ``{Google Research}``."""
        return (
            not (self.first or self.von or self.jr)
            and self.last.startswith("{")
            and self.last.endswith("}")
        )

    @property
    def family(self) -> str:
        """The family name for display, with the von part (``de la Vallée Poussin``)."""
        return latex_to_text(" ".join(p for p in (self.von, self.last) if p))

    @property
    def given(self) -> str:
        """The given names for display."""
        return latex_to_text(self.first)

    @property
    def suffix(self) -> str:
        """The Jr part for display."""
        return latex_to_text(self.jr)

    @property
    def display(self) -> str:
        """The name as read: ``Charles de la Vallée Poussin, Jr``; ``et al.`` for others."""
        if self.is_others:
            return "et al."
        name = " ".join(p for p in (self.given, self.family) if p)
        return f"{name}, {self.suffix}" if self.suffix else name


_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


def _split_depth0(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split ``text`` where ``pattern`` matches outside braces."""
    if "{" not in text:
        return pattern.split(text)
    return list(_iter_depth0(text, pattern))


def _iter_depth0(text: str, pattern: re.Pattern[str]) -> Iterator[str]:
    """The pieces :func:`_split_depth0` returns, one at a time, so a caller that needs
    only the first ones does not split the rest."""
    braces = "{" in text
    start = 0
    for m in pattern.finditer(text):
        # A separator counts only where the braces before it are balanced.
        if not braces or (_depth(text, start, m.start()) == 0 and _depth(text, 0, m.start()) == 0):
            yield text[start : m.start()]
            start = m.end()
    yield text[start:]


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


def first_person(raw: str) -> Person | None:
    """The first name of an author list that is not the ``others`` marker: the same
    Person as the first such one :func:`parse_names` gives, but only the names up to it
    are split (what a paper's identity compares; a journal entry lists many authors)."""
    for name in _iter_depth0(" ".join(raw.split()), _AND):
        name = name.strip()
        if not name or name.lower() == "others":
            continue
        person = _split_name(name)
        if not person.is_others:
            return person
    return None
