"""Import the entries of an existing BibTeX file into a topic's hand-written ``.bib``.

The file may come from anywhere people keep references (Zotero, JabRef, Google Scholar,
DBLP, Semantic Scholar, Citavi, Medline, arXiv's export). The importer plans and writes;
it reads with :func:`bibtex.parse_bib` like everything else. Contract:

- every imported entry is appended **exactly as written in the source**: the raw text from
  its ``@`` to its closing delimiter, with every field, its spelling, order and layout;
- every existing byte of the target file stays in place (:func:`store.append_text`);
- the same paper (:mod:`readinglist.identity`: arXiv id, DOI, or title, first author and
  year with nothing conflicting) already on the list, or earlier in the file, is skipped
  and said so; a *possible* duplicate (same title and first author, but a different year,
  volume, pages or type: a recurring column, a journal version) is imported and reported
  with both entries named;
- an entry that cannot be read (a syntax slip, an empty key) is not imported and is
  reported with its line; the others are imported (exit 1). Only a file with nothing
  readable in it is refused whole (exit 2);
- nothing is renamed: an entry whose key is taken by a *different* paper is not imported;
  it is reported with a free key to rename it to (exit 1);
- what is imported passes the same checks as ``check`` (:func:`check.check_library`), and
  their findings are reported: what import adds without a finding, ``check`` accepts;
- ``@string`` definitions the imported entries use are appended too (once), so the target
  still parses; ``@comment`` and ``@preamble`` blocks are not imported (and reported);
- with a lecture, the keys become readings of that lecture by a minimal textual insertion
  into the hand-written course file (:func:`course.add_readings`).

:func:`plan_import` reads and decides without writing; :func:`apply_import` writes.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from readinglist.bibtex import ParsedFile, Problem, StringDef, decode_bib, paper_from_raw, parse_bib
from readinglist.check import Finding, check_library
from readinglist.course import (
    COURSE_FILE,
    SLUG,
    add_readings,
    add_topic,
)
from readinglist.errors import BibSyntaxError, ReadingListError, UsageError
from readinglist.identity import Index
from readinglist.model import Lecture, Library, Paper
from readinglist.records import resolve_crossrefs
from readinglist.store import append_text, load_library, read_bytes, write_atomic

__all__ = ["ImportPlan", "apply_import", "plan_import"]


@dataclass(frozen=True)
class Imported:
    """An entry that is (or would be) appended."""

    key: str
    line: int


@dataclass(frozen=True)
class Skipped:
    """An entry left out because the paper is already on the list (or earlier in the file)."""

    key: str
    line: int
    reason: str
    same_as: str
    where: str
    in_file: bool = False

    def __str__(self) -> str:
        return f"skip {self.key}: {self.reason} as {self.same_as} ({self.where})"


@dataclass(frozen=True)
class Possible:
    """An imported entry that may be the same paper as one on the list (or earlier in the
    file): imported, and said so, naming both."""

    key: str
    line: int
    reason: str
    same_as: str
    where: str

    def __str__(self) -> str:
        return (
            f"possible duplicate {self.key}: {self.reason}; compare with {self.same_as} "
            f"({self.where})"
        )


@dataclass(frozen=True)
class NotImported:
    """An entry that cannot be imported as written (unreadable, a key clash, a
    conflicting macro)."""

    key: str
    line: int
    reason: str
    suggestion: str = ""

    def __str__(self) -> str:
        return f"not imported {self.key or '(no key)'}: {self.reason}"


@dataclass(frozen=True)
class Ignored:
    """A block of the source that import leaves out on purpose (@comment, @preamble)."""

    kind: str
    line: int


@dataclass(frozen=True)
class ImportPlan:
    """What an import does: decided by :func:`plan_import`, written by :func:`apply_import`.

    ``text`` is what is appended to ``target`` (empty when nothing is imported);
    ``course_text`` the new course file when a topic or readings are added, else None;
    ``findings`` what ``check`` says of the imported entries (at their source lines).
    """

    source: str
    topic: str
    target: str
    creates_target: bool
    imported: tuple[Imported, ...]
    skipped: tuple[Skipped, ...]
    not_imported: tuple[NotImported, ...]
    ignored: tuple[Ignored, ...]
    strings: tuple[str, ...]
    notes: tuple[str, ...]
    text: str
    lecture: int | None = None
    required: bool = True
    lecture_keys: tuple[str, ...] = ()
    already_read: tuple[str, ...] = ()
    course_text: str | None = None
    new_topic: bool = False
    possible: tuple[Possible, ...] = ()
    findings: tuple[Finding, ...] = ()

    @property
    def failed(self) -> bool:
        """True when some entries were not imported or what was imported has errors
        (the command then exits 1)."""
        return bool(self.not_imported) or any(f.severity == "error" for f in self.findings)

    def as_json(self) -> dict[str, object]:
        """The plan as plain data for ``import --json``."""
        return {
            "file": self.source,
            "topic": self.topic,
            "target": self.target,
            "imported": [dataclasses.asdict(i) for i in self.imported],
            "skipped": [dataclasses.asdict(s) for s in self.skipped],
            "possible_duplicates": [dataclasses.asdict(p) for p in self.possible],
            "not_imported": [dataclasses.asdict(n) for n in self.not_imported],
            "ignored": [dataclasses.asdict(i) for i in self.ignored],
            "strings": list(self.strings),
            "findings": [{**f.as_json(), "severity": f.severity} for f in self.findings],
            "new_topic": self.new_topic,
            "lecture": None
            if self.lecture is None
            else {
                "number": self.lecture,
                "list": "required" if self.required else "optional",
                "added": list(self.lecture_keys),
                "already_read": list(self.already_read),
            },
        }


def _free_key(key: str, taken: set[str]) -> str:
    for suffix in [*"bcdefghijklmnopqrstuvwxyz", *(str(n) for n in range(2, 1000))]:
        if (key + suffix).lower() not in taken:
            return key + suffix
    return key + "-imported"  # pragma: no cover - a thousand clashes of one key


def read_source(source: Path, name: str) -> ParsedFile:
    """Read the file to import. Raises BibSyntaxError when nothing in it is usable (not
    UTF-8, or every entry unreadable); otherwise unreadable entries are in ``problems``."""
    text = decode_bib(read_bytes(Path(), str(source)), name)
    parsed = parse_bib(text, name)
    if not parsed.entries and parsed.unreadable:
        first = parsed.unreadable[0]
        raise BibSyntaxError(first.message, file=name, line=first.line)
    return parsed


def plan_import(
    root: Path,
    source: Path,
    topic: str,
    *,
    lecture: int | None = None,
    required: bool = True,
    source_name: str | None = None,
) -> ImportPlan:
    """Decide what importing ``source`` into topic ``topic`` does, writing nothing.

    Raises UsageError for an unknown lecture or a bad new slug (or a course file too
    unusual to edit), BibSyntaxError for a source with nothing usable in it.
    """
    name = source_name or str(source)
    loaded = load_library(root, synced=False)
    library = loaded.library
    course_text: str | None = None
    new_topic = library.topic(topic) is None
    if new_topic:
        # A new slug starts a new topic: bib/<slug>.bib and an item in the course file.
        if not SLUG.match(topic):
            slugs = ", ".join(t.slug for t in library.topics) or "none yet"
            raise UsageError(
                f"topic {topic!r} is not a valid slug (lower-case letters, digits, '-') and "
                f"not in {COURSE_FILE}; topics: {slugs}"
            )
        course_text = add_topic(_read_course_text(root), topic)
    lec: Lecture | None = None
    if lecture is not None:
        lec = library.lecture(lecture)
        if lec is None:
            numbers = ", ".join(str(x.number) for x in library.lectures) or "none yet"
            raise UsageError(f"no lecture {lecture} in {COURSE_FILE}; lectures: {numbers}")

    parsed = read_source(source, name)
    target = f"bib/{topic}.bib"
    creates = not (root / target).exists()
    target_text = "" if creates else decode_bib(read_bytes(root, target), target)
    target_macros = {d.name.lower(): d.value for d in parse_bib(target_text, target).strings}

    index: Index[tuple[Paper, bool]] = Index(((p, False), p.identity) for p in library.entries)
    keys: dict[str, Paper] = {}
    for p in library.entries:
        keys.setdefault(p.key.lower(), p)
    taken = set(keys) | {e.key.lower() for e in parsed.entries}
    imported: list[Paper] = []
    skipped: list[Skipped] = []
    possible: list[Possible] = []
    not_imported = [
        NotImported(p.key, p.line, p.message.removeprefix(f"{p.key}: ")) for p in parsed.unreadable
    ]
    needed: dict[str, StringDef] = {}
    incoming = [paper_from_raw(raw, topic, name) for raw in parsed.entries]
    # Compared as check will see them: with what crossref parents give them.
    resolved, _ = resolve_crossrefs([*library.entries, *incoming])
    offset = len(library.entries)
    for i, (raw, written) in enumerate(zip(parsed.entries, incoming, strict=True)):
        paper = resolved.get(offset + i, written)
        found = index.best(paper.identity)
        holder = keys.get(paper.key.lower())
        if found is not None and found[1].same:
            (other, in_file), match = found
            prefix = "same key and " if other.key.lower() == paper.key.lower() else ""
            skipped.append(
                Skipped(
                    paper.key,
                    raw.line,
                    prefix + match.reason,
                    other.key,
                    str(other.location),
                    in_file,
                )  # fmt: skip
            )
            continue
        if holder is not None:
            if _same_fields(paper, holder):
                skipped.append(
                    Skipped(
                        paper.key,
                        raw.line,
                        "same key and the same fields",
                        holder.key,
                        str(holder.location),
                        any(holder is p for p in imported),
                    )  # fmt: skip
                )
                continue
            suggestion = _free_key(paper.key, taken)
            taken.add(suggestion.lower())
            not_imported.append(
                NotImported(
                    paper.key,
                    raw.line,
                    f"key {paper.key!r} is taken by a different paper ({holder.location}: "
                    f'"{holder.title}"); rename it in {name} (e.g. to {suggestion!r}) and '
                    "import again",
                    suggestion,
                )
            )
            continue
        conflict = next(
            (
                d.name
                for d in raw.strings
                if d.name.lower() in target_macros and target_macros[d.name.lower()] != d.value
            ),
            None,
        )
        if conflict:
            not_imported.append(
                NotImported(
                    paper.key,
                    raw.line,
                    f"it uses @string {conflict!r}, which {target} defines differently; "
                    "import it by hand",
                )
            )
            continue
        if found is not None:
            (other, _), match = found
            possible.append(
                Possible(paper.key, raw.line, match.reason, other.key, str(other.location))
            )
        for d in raw.strings:
            if d.name.lower() not in target_macros:
                needed.setdefault(d.name.lower(), d)
        index.add((paper, True), paper.identity)
        keys.setdefault(paper.key.lower(), written)
        imported.append(written)

    # @string definitions go in before the entries that use them, in source order.
    string_defs = sorted(needed.values(), key=lambda d: d.line)
    pieces = [d.text for d in string_defs] + [p.source for p in imported]
    appended = "\n\n".join(pieces) + "\n" if pieces else ""
    if appended:
        _verify_appended(target_text, appended, target, imported)

    notes = tuple(f"{name}:{p.line}: {p.message}" for p in parsed.problems if p.severity != "error")
    ignored = tuple(
        sorted(
            [Ignored("comment", line) for line in parsed.comments]
            + [Ignored("preamble", line) for line, _ in parsed.preambles],
            key=lambda i: i.line,
        )
    )

    lecture_keys: list[str] = []
    already: list[str] = []
    if lec is not None:
        wanted = [p.key for p in imported]
        wanted += [s.same_as for s in skipped if not s.in_file]
        for key in dict.fromkeys(wanted):
            (already if key in lec.keys else lecture_keys).append(key)
        if lecture_keys:
            course_text = add_readings(
                course_text if course_text is not None else _read_course_text(root),
                lec.number,
                lecture_keys,
                required=required,
            )

    return ImportPlan(
        source=name,
        topic=topic,
        target=target,
        creates_target=creates and bool(appended),
        imported=tuple(Imported(p.key, p.location.line) for p in imported),
        skipped=tuple(skipped),
        not_imported=tuple(sorted(not_imported, key=lambda n: n.line)),
        ignored=ignored,
        strings=tuple(d.name for d in string_defs),
        notes=notes,
        text=appended,
        lecture=lecture,
        required=required,
        lecture_keys=tuple(lecture_keys),
        already_read=tuple(already),
        course_text=course_text,
        new_topic=new_topic,
        possible=tuple(possible),
        findings=_findings(library, imported, name),
    )


# What check says of an entry that import reports itself (possible duplicates) or that
# is about the course rather than the entry.
_REPORTED_BY_IMPORT = frozenset({"possible-duplicate", "same-paper", "duplicate-key"})


def _findings(library: Library, imported: Sequence[Paper], source: str) -> tuple[Finding, ...]:
    """What ``check`` would say of the imported entries, at their lines in the source."""
    if not imported:
        return ()
    entries = [*library.entries, *imported]
    resolved, crossref_problems = resolve_crossrefs(entries)
    for i, paper in resolved.items():
        entries[i] = paper
    papers = dict(library.papers)
    for p in entries[len(library.entries) :]:
        papers.setdefault(p.key, p)
    trial = dataclasses.replace(
        library, papers=papers, entries=tuple(entries), lectures=(), topics=()
    )
    problems = [
        (cp.paper.location.file, Problem(cp.paper.field_line(cp.field), cp.code, cp.message,
                                         cp.severity, cp.paper.key))
        for cp in crossref_problems
    ]  # fmt: skip
    report = check_library(trial, problems)
    return tuple(
        f for f in report.findings if f.file == source and f.code not in _REPORTED_BY_IMPORT
    )


def _same_fields(a: Paper, b: Paper) -> bool:
    def norm(p: Paper) -> tuple[str, tuple[tuple[str, str], ...]]:
        return p.entry_type.lower(), tuple(
            sorted((n.lower(), " ".join(v.split())) for n, v in p.fields)
        )

    return norm(a) == norm(b)


def _verify_appended(old: str, appended: str, target: str, papers: Sequence[Paper]) -> None:
    """Parse the target as it will be and check that the old entries read as before and
    the new ones as they did in the source: the guarantee, checked rather than hoped."""
    before = parse_bib(old, target) if old else None
    after = parse_bib(old + "\n" + appended, target)
    old_entries = before.entries if before else ()
    expected = [(e.key, e.fields) for e in old_entries] + [(p.key, p.fields) for p in papers]
    errors_before = len(before.unreadable) if before else 0
    if [(e.key, e.fields) for e in after.entries] != expected or len(
        after.unreadable
    ) != errors_before:
        raise ReadingListError(
            "the imported entries would not read back as written; nothing was written",
            file=target,
        )


def apply_import(root: Path, plan: ImportPlan) -> None:
    """Write what ``plan`` decided: append to the topic's ``.bib``, then update the course
    file. Each write is atomic; the ``.bib`` keeps every existing byte."""
    if plan.text:
        old = read_bytes(root, plan.target) if (root / plan.target).exists() else b""
        if b"\r\n" in old:
            # Follow the file's own line endings, so it does not end up mixed (append_text
            # separates with a bare newline).
            sep = b"\r\n" if old.endswith(b"\n") else b"\r\n\r\n"
            data = plan.text.replace("\n", "\r\n").encode("utf-8")
            write_atomic(root / plan.target, old + sep + data)
        else:
            append_text(root, plan.target, plan.text)
    if plan.course_text is not None:
        data = read_bytes(root, COURSE_FILE)
        bom = b"\xef\xbb\xbf" if data.startswith(b"\xef\xbb\xbf") else b""
        write_atomic(root / COURSE_FILE, bom + plan.course_text.encode("utf-8"))


def _read_course_text(root: Path) -> str:
    data = read_bytes(root, COURSE_FILE)
    # The store has read it successfully already, so it is UTF-8.
    return data.decode("utf-8-sig")
