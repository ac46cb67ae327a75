"""One notion of "the same paper", for import, check and sync. Pure functions, no I/O.

Two entries are **the same paper** when they have

- the same arXiv id (the version does not count), or
- the same DOI (compared case-insensitively, without resolver prefix; arXiv's own
  ``10.48550`` DOIs count as their arXiv id), or
- the same normalized title *and* first author's family name *and* year, with nothing
  that conflicts: not two different arXiv ids or DOIs, not a different volume, number or
  pages, not a different kind of entry (an article is not a book; ``@misc`` and the
  like, which is how preprints are written, conflict with nothing).

Same title and first author with anything less (a year missing or different, a
conflicting volume, pages or entry type) is only a **possible** duplicate: a recurring
column, a journal version of a conference paper, a book and the article it grew from.
Import keeps possible duplicates and check only warns about them; both name the two
entries.

Titles shorter than :data:`MIN_TITLE` characters (``Introduction``, ``Editorial``) are
not telling enough to match on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from readinglist.latex import latex_to_text, normalize_title

SAME = "same"
POSSIBLE = "possible"
MIN_TITLE = 12

# Entry types grouped by what they are; types not listed (misc, online, unpublished,
# preprint, electronic, ...) are how preprints and web pages are written and conflict
# with no other type.
_KIND = {
    "article": "article",
    "inproceedings": "conference",
    "conference": "conference",
    "book": "book",
    "mvbook": "book",
    "booklet": "book",
    "manual": "book",
    "incollection": "part",
    "inbook": "part",
    "bookinbook": "part",
    "suppbook": "part",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "techreport": "report",
    "report": "report",
    "proceedings": "proceedings",
    "mvproceedings": "proceedings",
    "collection": "collection",
    "mvcollection": "collection",
    "patent": "patent",
}
_DASHES = re.compile(r"\s*(?:-+|–|—)\s*")


def _clean(value: str | None) -> str:
    return " ".join(latex_to_text(value).lower().split()) if value else ""


@dataclass(frozen=True)
class Identity:
    """What "the same paper" compares: ids, normalized title, first author, year and
    the bibliographic details that tell issues and editions apart."""

    arxiv: str | None = None
    doi: str | None = None
    title: str = ""
    first_author: str = ""
    year: int | None = None
    volume: str = ""
    number: str = ""
    pages: str = ""
    kind: str = ""

    @classmethod
    def of(
        cls,
        *,
        arxiv: str | None = None,
        doi: str | None = None,
        title: str = "",
        first_author: str = "",
        year: int | None = None,
        volume: str | None = None,
        number: str | None = None,
        pages: str | None = None,
        entry_type: str = "",
    ) -> Identity:
        """An identity from raw values (LaTeX allowed): what sync builds for a fetched
        record, and :attr:`model.Paper.identity` for an entry. ``doi`` must already be
        normalized (:func:`ids.normalize_doi`); arXiv's DataCite DOIs are ignored."""
        if doi and doi.lower().startswith("10.48550/"):
            doi = None
        return cls(
            arxiv=arxiv or None,
            doi=doi.lower() if doi else None,
            title=normalize_title(title),
            first_author=normalize_title(first_author),
            year=year,
            volume=_clean(volume),
            number=_clean(number),
            pages=_DASHES.sub("-", _clean(pages)),
            kind=_KIND.get(entry_type.lower(), ""),
        )

    @property
    def telling_title(self) -> bool:
        """True when title and first author are enough to look for the same paper."""
        return len(self.title) >= MIN_TITLE and bool(self.first_author)

    def marks(self) -> tuple[tuple[str, str], ...]:
        """The keys under which an index files this identity."""
        out = []
        if self.arxiv:
            out.append(("arxiv", self.arxiv))
        if self.doi:
            out.append(("doi", self.doi))
        if self.telling_title:
            out.append(("title", f"{self.title}|{self.first_author}"))
        return tuple(out)


@dataclass(frozen=True)
class Match:
    """How two entries compare: ``verdict`` is :data:`SAME` or :data:`POSSIBLE`;
    ``reason`` says why, in words for a message (``same arXiv id 1806.07572``)."""

    verdict: str
    reason: str

    @property
    def same(self) -> bool:
        """True for the same paper (not only a possible duplicate)."""
        return self.verdict == SAME


def compare(a: Identity, b: Identity) -> Match | None:
    """Whether ``a`` and ``b`` are the same paper, possibly the same, or neither (None)."""
    if a.arxiv and a.arxiv == b.arxiv:
        return Match(SAME, f"same arXiv id {a.arxiv}")
    if a.doi and a.doi == b.doi:
        return Match(SAME, f"same DOI {a.doi}")
    if not (a.telling_title and a.title == b.title and a.first_author == b.first_author):
        return None
    conflicts = []
    if a.arxiv and b.arxiv:
        conflicts.append(f"arXiv ids {a.arxiv} and {b.arxiv}")
    if a.doi and b.doi:
        conflicts.append(f"DOIs {a.doi} and {b.doi}")
    if a.year is not None and b.year is not None and a.year != b.year:
        conflicts.append(f"years {a.year} and {b.year}")
    for name, x, y in (
        ("volumes", a.volume, b.volume),
        ("numbers", a.number, b.number),
        ("pages", a.pages, b.pages),
        ("entry types", a.kind, b.kind),
    ):
        if x and y and x != y:
            conflicts.append(f"{name} {x} and {y}")
    if not conflicts and a.year is not None and a.year == b.year:
        return Match(SAME, f"same title, first author and year ({a.year})")
    if conflicts:
        return Match(POSSIBLE, "same title and first author, but " + ", ".join(conflicts))
    return Match(POSSIBLE, "same title and first author, no year to compare")


T = TypeVar("T")


class Index(Generic[T]):
    """Identities filed by arXiv id, DOI and title, to find matches of a new one without
    comparing it with everything."""

    def __init__(self, items: Iterable[tuple[T, Identity]] = ()) -> None:
        self._by_mark: dict[tuple[str, str], list[tuple[int, T, Identity]]] = {}
        self._count = 0
        for item, identity in items:
            self.add(item, identity)

    def add(self, item: T, identity: Identity) -> None:
        """File ``item`` under its identity."""
        self._count += 1
        for mark in identity.marks():
            self._by_mark.setdefault(mark, []).append((self._count, item, identity))

    def find(self, identity: Identity) -> list[tuple[T, Match]]:
        """The filed items that match ``identity``: the same paper first, then possible
        duplicates, each in the order they were filed."""
        seen: set[int] = set()
        found: list[tuple[int, int, T, Match]] = []
        for mark in identity.marks():
            for seq, item, other in self._by_mark.get(mark, ()):
                if seq in seen:
                    continue
                seen.add(seq)
                match = compare(identity, other)
                if match is not None:
                    found.append((0 if match.same else 1, seq, item, match))
        found.sort(key=lambda f: (f[0], f[1]))
        return [(item, match) for _, _, item, match in found]

    def best(self, identity: Identity) -> tuple[T, Match] | None:
        """The best match of ``identity`` (the same paper before a possible one), or None."""
        found = self.find(identity)
        return found[0] if found else None
