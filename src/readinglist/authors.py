"""Authors across a library: which spellings of a name are one person.

Pure, no I/O. :func:`author_names` clusters the spellings of every author of every paper
(``Jacot, A.`` and ``Arthur Jacot``) into one normalized name, merging only when that is
safe; the graph (:mod:`readinglist.graph`) makes one author node per name and the site an
authors index.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from readinglist.latex import latex_to_text
from readinglist.model import Paper, Person

_WORD = re.compile(r"\w+")

_Parts = tuple[str, tuple[str, ...]]  # (family group, given-name words) of one spelling


@dataclass
class _Variant:
    """One spelling of a name (family and given words) and where it occurs."""

    group: str
    given: tuple[str, ...]
    papers: list[str]
    displays: Counter[str]


@lru_cache(maxsize=1 << 16)
def _fold(text: str) -> tuple[str, ...]:
    """Decoded, accents folded, case folded words: ``{\\'E}mile`` -> ``("emile",)``."""
    plain = unicodedata.normalize("NFKD", latex_to_text(text))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).casefold()
    return tuple(_WORD.findall(plain))


def _name_parts(person: Person) -> _Parts | None:
    """``(group, given tokens)``: people in one group may be one person; None to skip."""
    if person.is_others:
        return None
    if person.is_corporate:
        words = " ".join(_fold(person.last))
        # Braces keep a corporate name apart from a person of that family name.
        return (f"{{{words}}}", ()) if words else None
    family = " ".join(_fold(f"{person.von} {person.last}"))
    if not family:
        return None
    jr = " ".join(_fold(person.jr))
    return (f"{family}, {jr}" if jr else family, _fold(person.first))


def _names_compatible(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Could these given names be one person's? Equal words, or an initial and a word it
    starts; a missing middle name is no conflict (``John`` and ``John A.``)."""
    for x, y in zip(a, b, strict=False):
        if x == y:
            continue
        if (len(x) == 1 and y.startswith(x)) or (len(y) == 1 and x.startswith(y)):
            continue
        return False
    return True


def _specificity(given: tuple[str, ...]) -> tuple[int, int, int, tuple[str, ...]]:
    # The fullest spelling names the merged author: most full words, most words, most
    # letters; ties broken by the words themselves so the choice is stable.
    return (-sum(len(w) > 1 for w in given), -len(given), -sum(map(len, given)), given)


def _cluster(
    variants: list[_Variant],
    together: set[frozenset[int]],
    authors_of: Mapping[str, list[_Parts]],
) -> list[list[int]]:
    """Split one family name's spellings into people (lists of indexes).

    Two spellings merge when their given names are compatible, they never appear on one
    paper together, and either they share a co-author or no third spelling is compatible
    with one of them but not the other (then nothing else could be meant). A merge that
    would join spellings that conflict with each other (``J.`` sharing co-authors with
    both ``John`` and ``Jane``) is undone for the ambiguous spelling, which stays alone.
    """
    n = len(variants)
    # compatible[i]: the spellings that could be the same person as i (i included).
    compatible: list[set[int]] = [{i} for i in range(n)]

    def compare(i: int, j: int) -> None:
        if frozenset((i, j)) not in together and _names_compatible(
            variants[i].given, variants[j].given
        ):
            compatible[i].add(j)
            compatible[j].add(i)

    # Only spellings with the same first initial (or no given name) can be compatible.
    by_initial: dict[str, list[int]] = {}
    for i, variant in enumerate(variants):
        by_initial.setdefault(variant.given[0][0] if variant.given else "", []).append(i)
    blank = set(by_initial.pop("", ()))
    for bucket in by_initial.values():
        for x, i in enumerate(bucket):
            for j in bucket[x + 1 :]:
                compare(i, j)
    for i in sorted(blank):
        for j in range(n):
            if j != i and (j not in blank or j > i):
                compare(i, j)
    partners = [frozenset(c) for c in compatible]
    coauthors: dict[int, set[tuple[str, str]]] = {}

    def coauthors_of(i: int) -> set[tuple[str, str]]:
        # Co-authors by family name and first initial, so "A. Ng" and "Andrew Ng"
        # count as the same co-author; computed only for the few pairs that need it.
        if i not in coauthors:
            group = variants[i].group
            coauthors[i] = {
                (other, given[0][0] if given else "")
                for key in variants[i].papers
                for other, given in authors_of[key]
                if other != group
            }
        return coauthors[i]

    edges: set[tuple[int, int]] = set()
    for i in range(n):
        for j in sorted(compatible[i]):
            if j > i and (partners[i] == partners[j] or coauthors_of(i) & coauthors_of(j)):
                edges.add((i, j))
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    while True:
        parent[:] = range(n)
        for i, j in edges:
            parent[find(i)] = find(j)
        groups: dict[int, list[int]] = {}
        for i in range(n):
            groups.setdefault(find(i), []).append(i)
        hubs = set()
        for members in groups.values():
            if len(members) < 3:
                continue
            for v in members:
                near = [x for x in members if x != v and x in compatible[v]]
                if any(y not in compatible[x] for x in near for y in near):
                    hubs.add(v)
        if not hubs:
            return sorted(groups.values())
        edges = {(i, j) for i, j in edges if i not in hubs and j not in hubs}


def author_names(papers: Iterable[Paper]) -> dict[tuple[str, int], tuple[str, str]]:
    """The normalized name and display name of every author position of these papers.

    Returns ``{(paper key, position): (normalized name, display name)}``; ``and others``
    has no entry. A normalized name is ``family[, jr], given`` in folded lower case
    (``smith, john``); corporate names are braced (``{google research}``).

    Spellings of one family name (and suffix) are one author when that is safe:
    "J. Smith" and "John Smith" merge when the initials fit the given names and either
    they share a co-author (same family name and first initial) or no other spelling of
    Smith has a first name that fits one of them but not the other. So "J. Smith" never
    merges with both "John Smith" and "Jane Smith": with both present, "J. Smith" stays
    apart unless shared co-authors tie it to exactly one of them. Two spellings on the
    same paper are two people. A merged author takes the fullest spelling's name.
    """
    # Keyed by the raw name parts: a tuple compares in C, a dataclass in Python.
    parts_of: dict[tuple[str, str, str, str], _Parts | None] = {}
    display_of: dict[tuple[str, str, str, str], str] = {}
    variants: dict[_Parts, _Variant] = {}
    authors_of: dict[str, list[_Parts]] = {}
    occurrences: list[tuple[str, int, _Parts]] = []
    together: dict[str, set[frozenset[tuple[str, ...]]]] = {}
    for paper in sorted(papers, key=lambda p: p.key):
        key = paper.key
        on_paper: list[_Parts] = []
        for position, person in enumerate(paper.authors):
            raw = (person.first, person.von, person.last, person.jr)
            if raw in parts_of:
                parts = parts_of[raw]
            else:
                parts = parts_of[raw] = _name_parts(person)
                display_of[raw] = person.display
            if parts is None:
                continue
            variant = variants.get(parts)
            if variant is None:
                variant = variants[parts] = _Variant(parts[0], parts[1], [], Counter())
            variant.papers.append(key)
            variant.displays[display_of[raw]] += 1
            occurrences.append((key, position, parts))
            on_paper.append(parts)
        authors_of[key] = on_paper
        if len({group for group, _ in on_paper}) < len(on_paper):
            # Two spellings of one family name on a paper are two people.
            seen: dict[str, list[tuple[str, ...]]] = {}
            for group, given in on_paper:
                seen.setdefault(group, []).append(given)
            for group, givens in seen.items():
                for i, a in enumerate(givens):
                    for b in givens[i + 1 :]:
                        if a != b:
                            together.setdefault(group, set()).add(frozenset((a, b)))
    by_group: dict[str, list[_Variant]] = {}
    for variant in variants.values():
        by_group.setdefault(variant.group, []).append(variant)
    canonical: dict[_Parts, tuple[str, str]] = {}
    for group, members in by_group.items():
        members.sort(key=lambda v: v.given)
        if len(members) == 1:
            clusters = [[0]]
        else:
            index = {v.given: i for i, v in enumerate(members)}
            pairs = {frozenset(index[g] for g in pair) for pair in together.get(group, ())}
            clusters = _cluster(members, pairs, authors_of)
        for cluster in clusters:
            if len(cluster) == 1:
                best = members[cluster[0]]
            else:
                best = min((members[i] for i in cluster), key=lambda v: _specificity(v.given))
            name = f"{group}, {' '.join(best.given)}" if best.given else group
            if len(best.displays) == 1:
                display = next(iter(best.displays))
            else:
                display = min(best.displays.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            for i in cluster:
                canonical[(group, members[i].given)] = (name, display)
    return {(key, pos): canonical[parts] for key, pos, parts in occurrences}
