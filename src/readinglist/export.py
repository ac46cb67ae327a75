"""BibTeX and CSL-JSON exports of a lecture, a topic or the whole list. No I/O.

BibTeX keeps each person's key and every field exactly as written (never through
pybtex's writer, which re-escapes values), in the order written, and adds nothing
internal (no topic or lecture fields). The same input gives the same bytes, so the
site's download of a lecture is byte-identical to ``readinglist export --lecture N``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence

from readinglist.bibtex import format_entry
from readinglist.errors import UsageError
from readinglist.latex import latex_to_text
from readinglist.model import Library, Paper
from readinglist.records import effective_record

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
    library: Library, papers: Sequence[Paper], *, title: str = "", prefer_published: bool = False
) -> str:
    """BibTeX for ``papers``: each entry as written; ``prefer_published`` adds the venue
    a preprint was published in (from sync data), keeping its ``eprint``."""
    chunks = []
    if title:
        # BibTeX reads an "@" anywhere outside entries as an entry: keep it out of comments.
        header = f"% {title}\n% exported by readinglist from {library.course.title}\n"
        chunks.append(re.sub(r"[@{}\\]", "", header))
    for paper in _unique(papers):
        if prefer_published:
            entry_type, fields = _published_fields(library, paper)
        else:
            entry_type, fields = paper.entry_type, list(paper.fields)
        chunks.append(format_entry(entry_type, paper.key, fields))
    return "\n".join(chunks)


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
    if record.year:
        item["issued"] = {"date-parts": [[record.year]]}
    container = paper.field("journal") or paper.field("booktitle")
    if container:
        item["container-title"] = latex_to_text(container)
    elif record.arxiv and not paper.field("journal"):
        item["publisher"] = "arXiv"
    for bib_name, csl_name in (
        ("volume", "volume"),
        ("number", "issue"),
        ("publisher", "publisher"),
    ):
        value = paper.field(bib_name)
        if value:
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


def to_csl_json(library: Library, papers: Sequence[Paper]) -> str:
    """CSL-JSON (a list of items) for ``papers``, as stable, indented text."""
    items = [csl_item(library, p) for p in _unique(papers)]
    return json.dumps(items, indent=2, ensure_ascii=False) + "\n"
