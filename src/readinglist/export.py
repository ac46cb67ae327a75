"""BibTeX and CSL-JSON exports of a lecture, a topic or the whole list. No I/O.

BibTeX keeps each entry exactly as written in its ``.bib`` file, byte for byte from its
``@`` to its closing delimiter (never through pybtex's writer, which re-escapes values),
with the ``@string`` definitions it uses before it and the crossref parents it needs
after, and adds nothing internal (no topic or lecture fields); a normalized form
(macros expanded, values braced) is there on request. The same input gives the same bytes, so the
site's download of a lecture is byte-identical to ``readinglist export --lecture N``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from readinglist.bibtex import format_entry, raw_fields
from readinglist.errors import UsageError
from readinglist.latex import latex_to_text
from readinglist.model import Library, Paper
from readinglist.records import effective_record, parents

CSL_TYPES = {
    "article": "article-journal",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "incollection": "chapter",
    "inbook": "chapter",
    "book": "book",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "techreport": "report",
    "unpublished": "manuscript",
    "online": "webpage",
}


def select(
    library: Library, *, lecture: int | None = None, topic: str | None = None
) -> tuple[str, list[Paper]]:
    """The papers of one lecture (required first), one topic, or all; with a title.

    Raises UsageError naming what exists when the lecture or topic is unknown.
    """
    if lecture is not None:
        lec = library.lecture(lecture)
        if lec is None:
            known = ", ".join(str(x.number) for x in library.lectures) or "none"
            raise UsageError(f"no lecture {lecture}; lectures are {known}")
        papers = [library.papers[k] for k in lec.keys if k in library.papers]
        return f"Lecture {lec.number}: {lec.title}", papers
    if topic is not None:
        top = library.topic(topic)
        if top is None:
            known = ", ".join(t.slug for t in library.topics) or "none"
            raise UsageError(f"no topic {topic!r}; topics are {known}")
        return f"Topic: {top.title}", list(library.papers_in_topic(topic))
    return library.course.title, list(library.papers.values())


def _published_fields(library: Library, paper: Paper) -> tuple[str, list[tuple[str, str]]]:
    fields = list(paper.fields)
    names = {n.lower() for n, _ in fields}
    pub = library.publications.get(paper.key)
    if pub is None or names & {"journal", "booktitle"}:
        return paper.entry_type, fields
    kind = "article" if pub.kind == "journal" else "inproceedings"
    venue_field = "journal" if kind == "article" else "booktitle"
    insert_at = next(
        (i + 1 for i, (n, _) in enumerate(fields) if n.lower() == "title"), len(fields)
    )
    fields.insert(insert_at, (venue_field, _escape_bibtex(pub.venue)))
    if pub.doi and "doi" not in names:
        fields.append(("doi", pub.doi))
    if pub.year and "year" not in names:
        fields.append(("year", str(pub.year)))
    return kind, fields


_SPECIAL = re.compile(r"([&%#_$])")


def _escape_bibtex(text: str) -> str:
    """Escape a fetched plain-text value for BibTeX (hand-written values are never escaped)."""
    text = text.replace("{", "").replace("}", "").replace("\\", "")
    return _SPECIAL.sub(r"\\\1", text)


def to_bibtex(
    library: Library,
    papers: Sequence[Paper],
    *,
    title: str = "",
    prefer_published: bool = False,
    normalized: bool = False,
) -> str:
    """BibTeX for ``papers``.

    By default each entry exactly as written in its ``.bib`` file (its source text, so
    delimiters, ``@string`` macros, ``#``, month macros and the entry type's spelling are
    kept), after the ``@string`` definitions the entries use, and followed by the
    crossref parents they need that are not among them, so the file reads alone.
    ``prefer_published`` adds the venue a preprint was published in (from sync data),
    keeping every other value as written. ``normalized`` writes resolved values instead:
    macros expanded, every value braced, crossref fields inherited, types lower case.
    """
    chunks = []
    if title:
        # BibTeX reads an "@" anywhere outside entries as an entry: keep it out of comments.
        header = f"% {title}\n% exported by readinglist from {library.course.title}\n"
        chunks.append(re.sub(r"[@{}\\]", "", header))
    chosen = _unique(papers)
    if normalized:
        for paper in chosen:
            if prefer_published:
                entry_type, fields = _published_fields(library, paper)
            else:
                entry_type, fields = paper.entry_type, list(paper.fields)
            chunks.append(format_entry(entry_type, paper.key, fields))
        return "\n".join(chunks)
    defined: dict[str, str] = {}
    # parents() indexes the whole library: skip it when no entry names a parent (the
    # site asks for one paper at a time; that index per paper made it quadratic).
    extra = parents(library, chosen) if any(p.field("crossref") for p in chosen) else []
    for paper in [*chosen, *extra]:
        for name, text in paper.strings:
            if defined.get(name.lower()) != text:
                defined[name.lower()] = text
                chunks.append(text + "\n")
        if prefer_published and library.publications.get(paper.key) is not None:
            chunks.append(_published_as_written(library, paper))
        else:
            chunks.append(_braced(paper) + "\n")
    return "\n".join(chunks)


_PAREN_ENTRY = re.compile(r"@\s*[A-Za-z][\w\-:.+]*\s*\(")
_ENTRY_OPEN = re.compile(r"@\s*[A-Za-z][\w\-:.+]*\s*[{(]\s*")
_FIELD_NEXT = re.compile(r"\s+[^\s,=]+\s*=")


def _braced(paper: Paper) -> str:
    """The entry's source, with ``@type( ... )`` delimiters written as braces (the same
    entry to BibTeX; pandoc reads only braces) and a comma missing after the key put in
    (which the reader forgave with a warning). Field values are left as written."""
    text = paper.source
    if not text:  # a Paper made in code rather than read from a file
        return format_entry(paper.entry_type, paper.key, paper.fields).rstrip("\n")
    # The key followed by a field with no comma between (one pattern for all entries:
    # compiling one per key was a tenth of a large site build).
    start = _ENTRY_OPEN.match(text)
    if start and text.startswith(paper.key, start.end()):
        end = start.end() + len(paper.key)
        if _FIELD_NEXT.match(text, end):
            text = text[:end] + "," + text[end:]
    m = _PAREN_ENTRY.match(text)
    if m is None or not text.endswith(")") or "}" in paper.key:
        return text
    return text[: m.end() - 1] + "{" + text[m.end() : -1] + "}"


def _published_as_written(library: Library, paper: Paper) -> str:
    """The entry with the published venue added, its own values as written."""
    entry_type, fields = _published_fields(library, paper)
    raw = dict(raw_fields(paper.source))
    written_type = paper.source[1 : 1 + len(paper.entry_type)].strip()
    if entry_type == paper.entry_type and written_type.lower() == entry_type:
        entry_type = written_type
    lines = [f"@{entry_type}{{{paper.key},"]
    for name, value in fields:
        lines.append(f"  {name} = {raw[name] if name in raw else '{' + value + '}'},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _unique(papers: Iterable[Paper]) -> list[Paper]:
    return list({p.key: p for p in papers}.values())


def _name(person) -> dict[str, str]:  # type: ignore[no-untyped-def]
    if person.is_corporate:
        return {"literal": latex_to_text(person.last)}
    out = {"family": latex_to_text(person.last)}
    if person.first:
        out["given"] = person.given
    if person.von:
        out["non-dropping-particle"] = latex_to_text(person.von)
    if person.jr:
        out["suffix"] = person.suffix
    return out


def csl_item(library: Library, paper: Paper) -> dict[str, object]:
    """One CSL-JSON item (the schema's ``items``) for a paper."""
    record = effective_record(library, paper)
    item: dict[str, object] = {"id": paper.key, "citation-key": paper.key}
    csl_type = CSL_TYPES.get(paper.entry_type)
    if csl_type is None:
        csl_type = "article" if record.arxiv else "document"
    item["type"] = csl_type
    if record.title:
        item["title"] = record.title
    people = [p for p in paper.authors if not p.is_others]
    role = "author" if paper.field("author") else "editor"
    if people:
        item[role] = [_name(p) for p in people]
    elif record.authors:
        item["author"] = [{"literal": a} for a in record.authors]
    issued = issued_date(paper)
    if issued:
        item["issued"] = {"date-parts": issued}
    elif record.year:
        item["issued"] = {"date-parts": [[record.year]]}
    accessed = _parse_dates(paper.field("urldate") or "")
    if accessed:
        item["accessed"] = {"date-parts": accessed}
    container = paper.field("journal") or paper.field("journaltitle") or paper.field("booktitle")
    if container:
        item["container-title"] = latex_to_text(container)
    elif record.arxiv and not paper.field("journal"):
        item["publisher"] = "arXiv"
    series = paper.field("series")
    # A number is an article's issue, a report's number, or a book's number in a series.
    number_as = "issue" if paper.entry_type == "article" else (
        "collection-number" if series else "number")  # fmt: skip
    for bib_name, csl_name in (
        ("volume", "volume"),
        ("number", number_as),
        ("issue", "issue"),
        ("publisher", "publisher"),
        ("series", "collection-title"),
        ("edition", "edition"),
        ("address", "publisher-place"),
        ("location", "publisher-place"),
        ("isbn", "ISBN"),
        ("issn", "ISSN"),
    ):
        value = paper.field(bib_name)
        if value and csl_name not in item:
            item[csl_name] = latex_to_text(value)
    pages = paper.field("pages")
    if pages:
        item["page"] = latex_to_text(re.sub(r"\s*-+\s*", "-", pages))
    if record.doi:
        item["DOI"] = record.doi
    if record.arxiv:
        item["number"] = f"arXiv:{record.arxiv}"
        item["URL"] = record.abs_url
    elif record.url:
        item["URL"] = record.url
    if record.abstract:
        item["abstract"] = record.abstract
    return item


_ISO = re.compile(r"^\s*(-?\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?")
_MONTH_NAMES = {
    name: i
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")],
        start=1,
    )
    for name in names
}  # fmt: skip


def _one_date(text: str) -> list[int] | None:
    m = _ISO.match(text)
    if not m:
        return None
    parts = [int(m.group(1))]
    # "1993-00-00" (ADS) means the month and day are unknown.
    for group in (m.group(2), m.group(3)):
        if group is None or int(group) == 0:
            break
        parts.append(int(group))
    if len(parts) > 1 and not 1 <= parts[1] <= 12:
        return parts[:1]
    return parts


def _parse_dates(text: str) -> list[list[int]]:
    """biblatex/ISO 8601 dates: ``1996-03-11``, ``2020-05``, ranges ``a/b``, ``2020/2021``,
    ``2020--2021``; an open end (``1996/``, ``1996/..``) keeps the start only."""
    text = latex_to_text(text).strip()
    if not text:
        return []
    pieces = re.split(r"\s*(?:/|--|–)\s*", text, maxsplit=1)
    out: list[list[int]] = []
    for piece in pieces:
        parsed = _one_date(piece) if piece and piece != ".." else None
        if parsed is None and not out:
            return []
        if parsed is not None:
            out.append(parsed)
    return out


def _month(text: str) -> int | None:
    word = latex_to_text(text).strip().lower().rstrip(".")
    word = re.split(r"\s*(?:--|-|–|/)\s*", word)[0]
    if word.isdigit():
        number = int(word)
        return number if 1 <= number <= 12 else None
    return _MONTH_NAMES.get(word)


def issued_date(paper: Paper) -> list[list[int]]:
    """The CSL ``date-parts`` of a paper: from ``date`` (biblatex, ranges too), else from
    ``year`` (``2020/2021`` is a range) with ``month`` (``feb``, ``2``, ``February``)
    and ``day``. Empty when no year is known."""
    date = paper.field("date")
    if date:
        parts = _parse_dates(date)
        if parts:
            return parts
    year = paper.field("year")
    if not year:
        return []
    parts = [p[:1] for p in _parse_dates(year)]
    if not parts:
        return []
    month = _month(paper.field("month") or "")
    if month:
        parts[0].append(month)
        day = (paper.field("day") or "").strip()
        if day.isdigit() and 1 <= int(day) <= 31:
            parts[0].append(int(day))
    return parts


def to_csl_json(library: Library, papers: Sequence[Paper]) -> str:
    """CSL-JSON (a list of items) for ``papers``, as stable, indented text."""
    items = [csl_item(library, p) for p in _unique(papers)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
