"""Writing BibTeX text for new entries: escaping values, names in ``Last, First`` form,
new citation keys. Strings only, no disk.

Meant to join :mod:`readinglist.bibtex` (reading and writing one format in one place);
it is a module of its own only while ``bibtex.py`` is being reworked. The entry text
itself is laid out by :func:`readinglist.bibtex.format_entry`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from readinglist.errors import UsageError
from readinglist.latex import fold, latex_to_text, split_math
from readinglist.names import parse_names

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
