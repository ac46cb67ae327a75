"""Import the entries of an existing BibTeX file into a topic's hand-written ``.bib``.

The file may come from anywhere people keep references (Zotero, JabRef, Google Scholar,
DBLP, Semantic Scholar, arXiv's export). Contract:

- every imported entry is appended **exactly as written in the source**: the raw text from
  its ``@`` to its closing delimiter, with every field, its spelling, order and layout;
- every existing byte of the target file stays in place (:func:`store.append_text`);
- entries already on the list are skipped and said so: the same key, or the same paper
  (``Paper.identity_marks``: arXiv id, DOI, title and first author), also within the
  imported file itself;
- nothing is renamed: an entry whose key is taken by a *different* paper is not imported;
  it is reported with a free key to rename it to (exit 1);
- ``@string`` definitions the imported entries use are appended too (once), so the target
  still parses; ``@comment`` and ``@preamble`` blocks are not imported (and reported);
- with a lecture, the keys become readings of that lecture by a minimal textual insertion
  into the hand-written course file (:func:`add_readings`), verified by parsing it again.

:func:`plan_import` reads and decides without writing; :func:`apply_import` writes.
The incoming file is not trusted: anything unreadable raises BibSyntaxError naming it
and the line.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pybtex.database.input.bibtex import LowLevelParser, SkipEntry, month_names
from pybtex.exceptions import PybtexError
from pybtex.utils import CaseInsensitiveDict
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from readinglist.bibtex import decode_bib, paper_from_raw, parse_bib
from readinglist.course import COURSE_FILE, SLUG, CourseFile, parse_course
from readinglist.errors import BibSyntaxError, ReadingListError, UsageError
from readinglist.model import Lecture, Paper, Reading
from readinglist.store import append_text, load_library, read_bytes, write_atomic

# ---------------------------------------------------------------- the source file


@dataclass(frozen=True)
class Block:
    """One ``@`` command of a BibTeX file, as written.

    ``kind`` is ``entry``, ``string``, ``preamble`` or ``comment``; ``name`` is the entry
    key or the macro name; ``text`` the raw source from ``@`` to the closing delimiter;
    ``uses`` the (lower-case) names of the macros its values refer to.
    """

    kind: str
    name: str
    text: str
    line: int
    uses: frozenset[str] = frozenset()
    value: str = ""


class _BlockScanner(LowLevelParser):
    """pybtex's tokenizer, recording where each command starts and ends and which
    ``@string`` macros it uses (the parts :func:`bibtex.parse_bib` does not keep)."""

    def __init__(self, text: str, file: str) -> None:
        super().__init__(text, macros=CaseInsensitiveDict(month_names), filename=file)
        self.used: set[str] = set()
        self.comments: list[int] = []

    def handle_error(self, error: Exception) -> None:
        raise error

    def substitute_macro(self, name: str) -> str:
        self.used.add(name.lower())
        return str(super().substitute_macro(name))

    def parse_command(self) -> Any:
        self.used = set()
        start = self.command_start
        try:
            return super().parse_command()
        except SkipEntry:
            # pybtex skips @comment by raising SkipEntry; note where it was.
            self.comments.append(start)
            raise


def scan_blocks(text: str, file: str) -> list[Block]:
    """Every ``@`` command of ``text`` with its raw source, in file order.

    ``text`` must already have been read by :func:`bibtex.parse_bib` (which reports
    syntax errors with their lines); a failure here is reported the same way.
    """
    scanner = _BlockScanner(text, file)
    blocks: list[tuple[int, Block]] = []
    try:
        for command, body in scanner:
            start, end = scanner.command_start, scanner.pos
            line = text.count("\n", 0, start) + 1
            kind = command.lower()
            raw = text[start:end]
            if kind == "string":
                name, parts = body
                blocks.append(
                    (
                        start,
                        Block("string", name, raw, line, frozenset(scanner.used), "".join(parts)),
                    )
                )
            elif kind == "preamble":
                blocks.append((start, Block("preamble", "", raw, line, frozenset(scanner.used))))
            else:
                key, _fields = body
                blocks.append((start, Block("entry", key, raw, line, frozenset(scanner.used))))
    except PybtexError as exc:
        line = getattr(exc, "lineno", None) or 1
        raise BibSyntaxError(str(exc), file=file, line=int(line)) from None
    for start in scanner.comments:
        line = text.count("\n", 0, start) + 1
        blocks.append((start, Block("comment", "", "", line)))
    return [b for _, b in sorted(blocks, key=lambda pair: pair[0])]


# ---------------------------------------------------------------- the plan


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
class NotImported:
    """An entry that cannot be imported as written (a key clash, a conflicting macro)."""

    key: str
    line: int
    reason: str
    suggestion: str = ""

    def __str__(self) -> str:
        return f"not imported {self.key}: {self.reason}"


@dataclass(frozen=True)
class Ignored:
    """A block of the source that import leaves out on purpose (@comment, @preamble)."""

    kind: str
    line: int


@dataclass(frozen=True)
class ImportPlan:
    """What an import does: decided by :func:`plan_import`, written by :func:`apply_import`.

    ``text`` is what is appended to ``target`` (empty when nothing is imported);
    ``course_text`` the new course file when readings are added to a lecture, else None.
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

    @property
    def findings(self) -> bool:
        """True when some entries were not imported (the command then exits 1)."""
        return bool(self.not_imported)

    def as_json(self) -> dict[str, object]:
        """The plan as plain data for ``import --json``."""
        return {
            "file": self.source,
            "topic": self.topic,
            "target": self.target,
            "imported": [dataclasses.asdict(i) for i in self.imported],
            "skipped": [dataclasses.asdict(s) for s in self.skipped],
            "not_imported": [dataclasses.asdict(n) for n in self.not_imported],
            "ignored": [dataclasses.asdict(i) for i in self.ignored],
            "strings": list(self.strings),
            "lecture": None
            if self.lecture is None
            else {
                "number": self.lecture,
                "list": "required" if self.required else "optional",
                "added": list(self.lecture_keys),
                "already_read": list(self.already_read),
            },
        }


def _describe(kind: str, value: str, paper: Paper) -> str:
    if kind == "title and first author":
        family = next((p.family for p in paper.authors if not p.is_others), "")
        return f'title and first author ("{paper.title}", {family})'
    return f"{kind} {value}"


class _Known:
    """The papers an incoming entry is compared with: the list, then accepted imports."""

    def __init__(self, papers: Iterable[Paper]) -> None:
        self.keys: dict[str, Paper] = {}
        self.marks: dict[tuple[str, str], Paper] = {}
        for paper in papers:
            self.add(paper)

    def add(self, paper: Paper) -> None:
        # BibTeX keys are case-insensitive, so a case variant is the same key.
        self.keys.setdefault(paper.key.lower(), paper)
        for mark in paper.identity_marks():
            self.marks.setdefault(mark, paper)

    def same_paper(self, paper: Paper) -> tuple[str, str, Paper] | None:
        for kind, value in paper.identity_marks():
            other = self.marks.get((kind, value))
            if other is not None:
                return kind, value, other
        return None


def _free_key(key: str, taken: set[str]) -> str:
    for suffix in [*"bcdefghijklmnopqrstuvwxyz", *(str(n) for n in range(2, 1000))]:
        if (key + suffix).lower() not in taken:
            return key + suffix
    return key + "-imported"  # pragma: no cover - a thousand clashes of one key


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

    Raises UsageError for an unknown topic or lecture (or a course file too unusual to
    add readings to), BibSyntaxError for an unreadable source or course ``.bib``.
    """
    name = source_name or str(source)
    library = load_library(root, synced=False).library
    course_text: str | None = None
    new_topic = library.topic(topic) is None
    if new_topic:
        # A new slug starts a new topic: bib/<slug>.bib and a line in the course file.
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

    text = decode_bib(read_bytes(Path(), str(source)), name)
    parsed = parse_bib(text, name)
    blocks = scan_blocks(text, name)
    entry_blocks = [b for b in blocks if b.kind == "entry"]
    if [b.name for b in entry_blocks] != [e.key for e in parsed.entries]:
        raise ReadingListError("could not match the entries to their text", file=name)
    strings = {b.name.lower(): b for b in blocks if b.kind == "string"}

    target = f"bib/{topic}.bib"
    target_path = root / target
    creates = not target_path.exists()
    target_text = "" if creates else decode_bib(read_bytes(root, target), target)
    target_macros = {
        b.name.lower(): b.value for b in scan_blocks(target_text, target) if b.kind == "string"
    }

    known = _Known(library.entries)
    taken = {p.key.lower() for p in library.entries} | {e.key.lower() for e in parsed.entries}
    imported: list[tuple[Block, Paper]] = []
    skipped: list[Skipped] = []
    not_imported: list[NotImported] = []
    needed_strings: list[str] = []
    for block, raw in zip(entry_blocks, parsed.entries, strict=True):
        paper = paper_from_raw(raw, topic, name)
        same = known.same_paper(paper)
        holder = known.keys.get(paper.key.lower())
        if same is not None:
            kind, value, other = same
            prefix = "same key and " if other.key.lower() == paper.key.lower() else "same "
            skipped.append(
                Skipped(
                    paper.key,
                    raw.line,
                    prefix + _describe(kind, value, other),
                    other.key,
                    str(other.location),
                    _is_in(other, imported),
                )
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
                        _is_in(holder, imported),
                    )
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
        conflict = _macro_conflict(block, strings, target_macros)
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
        for macro in _macros_needed(block, strings):
            if macro not in target_macros and macro not in needed_strings:
                needed_strings.append(macro)
        known.add(paper)
        imported.append((block, paper))

    # @string definitions go in before the entries that use them, in source order.
    string_blocks = [strings[m] for m in sorted(needed_strings, key=lambda m: strings[m].line)]
    pieces = [b.text for b in string_blocks] + [b.text for b, _ in imported]
    appended = "\n\n".join(pieces) + "\n" if pieces else ""
    if appended:
        _verify_appended(target_text, appended, target, [p for _, p in imported])

    notes = tuple(f"{name}:{p.line}: {p.message}" for p in parsed.problems)
    ignored = tuple(Ignored(b.kind, b.line) for b in blocks if b.kind in ("comment", "preamble"))

    lecture_keys: list[str] = []
    already: list[str] = []
    if lec is not None:
        wanted = [p.key for _, p in imported]
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
        imported=tuple(Imported(p.key, p.location.line) for _, p in imported),
        skipped=tuple(skipped),
        not_imported=tuple(not_imported),
        ignored=ignored,
        strings=tuple(strings[m].name for m in needed_strings),
        notes=notes,
        text=appended,
        lecture=lecture,
        required=required,
        lecture_keys=tuple(lecture_keys),
        already_read=tuple(already),
        course_text=course_text,
        new_topic=new_topic,
    )


def _is_in(paper: Paper, imported: Sequence[tuple[Block, Paper]]) -> bool:
    return any(paper is p for _, p in imported)


def _same_fields(a: Paper, b: Paper) -> bool:
    def norm(p: Paper) -> tuple[str, tuple[tuple[str, str], ...]]:
        return p.entry_type.lower(), tuple(
            sorted((n.lower(), " ".join(v.split())) for n, v in p.fields)
        )

    return norm(a) == norm(b)


def _macros_needed(block: Block, strings: dict[str, Block]) -> list[str]:
    """The source's @string names ``block`` uses, with the ones those use, in order."""
    out: list[str] = []
    todo = sorted(block.uses)
    while todo:
        name = todo.pop(0)
        if name in strings and name not in out:
            out.append(name)
            todo.extend(sorted(strings[name].uses))
    return out


def _macro_conflict(
    block: Block, strings: dict[str, Block], target_macros: dict[str, str]
) -> str | None:
    for name in _macros_needed(block, strings):
        if name in target_macros and target_macros[name] != strings[name].value:
            return strings[name].name
    return None


def _verify_appended(old: str, appended: str, target: str, papers: Sequence[Paper]) -> None:
    """Parse the target as it will be and check that the old entries read as before and
    the new ones as they did in the source: the guarantee, checked rather than hoped."""
    before = parse_bib(old, target).entries if old else ()
    after = parse_bib(old + "\n" + appended, target).entries
    expected = [(e.key, e.fields) for e in before] + [(p.key, p.fields) for p in papers]
    if [(e.key, e.fields) for e in after] != expected:
        raise ReadingListError(
            "the imported entries would not read back as written; nothing was written",
            file=target,
        )


# ---------------------------------------------------------------- writing


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


# ---------------------------------------------------------------- the course file

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.+\-]*$")


def yaml_key(key: str) -> str:
    """A citation key as a YAML list item: plain when that reads back as the same text,
    else single-quoted (DBLP keys hold ``:``)."""
    if _PLAIN_KEY.match(key):
        try:
            if yaml.safe_load(key) == key:
                return key
        except yaml.YAMLError:  # pragma: no cover - the pattern admits no bad YAML
            pass
    return "'" + key.replace("'", "''") + "'"


def add_topic(text: str, slug: str) -> str:
    """Add a topic ``slug`` to the course file by inserting one ``- slug: SLUG`` line after
    the last topic (or a ``topics:`` section at the end); every existing character stays
    in place. The result must read as before plus the new topic, else UsageError says
    what to add by hand."""
    by_hand = UsageError(
        f"cannot add topic {slug!r} safely (unusual layout); add it by hand under "
        f"'topics:' as '- slug: {slug}'",
        file=COURSE_FILE,
    )
    before = parse_course(text, COURSE_FILE)
    nl = "\r\n" if "\r\n" in text else "\n"
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        if not isinstance(root, MappingNode):
            raise _Unusual
        topics = next(
            (v for k, v in root.value if isinstance(k, ScalarNode) and k.value == "topics"),
            None,
        )
        if topics is None:
            at, first = len(text), "" if text.endswith("\n") or not text else nl
            insert = f"{first}topics:{nl}  - slug: {slug}{nl}"
        elif isinstance(topics, SequenceNode) and not topics.flow_style and topics.value:
            last = topics.value[-1]
            start = _line_start(text, last.start_mark.index)
            prefix = text[start : last.start_mark.index]
            if not re.fullmatch(r"[ \t]*-[ \t]+", prefix):
                raise _Unusual
            end = last.end_mark.index
            while end > 0 and text[end - 1] in " \t\r\n":
                end -= 1
            at, first = _after_line(text, end, nl)
            insert = f"{first}{prefix}slug: {slug}{nl}"
        else:
            raise _Unusual
    except (_Unusual, yaml.YAMLError):
        raise by_hand from None
    new, after = _insert_and_reread(text, at, insert, by_hand)
    if [t.slug for t in after.topics] != [t.slug for t in before.topics] + [slug]:
        raise by_hand
    return new


def _insert_and_reread(
    text: str, at: int, insert: str, by_hand: UsageError
) -> tuple[str, CourseFile]:
    """The course file with ``insert`` at ``at``, and how it reads: an insertion that
    breaks the file is refused (``by_hand`` says what to do instead)."""
    new = text[:at] + insert + text[at:]
    try:
        return new, parse_course(new, COURSE_FILE)
    except ReadingListError:
        raise by_hand from None


def add_readings(text: str, number: int, keys: Sequence[str], *, required: bool = True) -> str:
    """Add ``keys`` to lecture ``number``'s required (or optional) readings by inserting
    text into the course file; every existing character stays in place.

    A flow list ``required: [a, b]`` gets ``, c``; a block list gets a ``- c`` line
    indented like its items; a lecture without the list gets a ``required: [c]`` line
    indented like its other keys. The result is parsed again and must read as before
    plus the new readings; otherwise (an unusual layout) UsageError says what to add by
    hand.
    """
    field = "required" if required else "optional"
    items = ", ".join(yaml_key(k) for k in keys)
    by_hand = UsageError(
        f"cannot add the readings to lecture {number} safely (unusual layout); add them by "
        f"hand: {field}: [{items}]",
        file=COURSE_FILE,
    )
    before = parse_course(text, COURSE_FILE)
    lecture = next((x for x in before.lectures if x.number == number), None)
    if lecture is None or lecture.location is None:
        raise UsageError(f"no lecture {number} in {COURSE_FILE}")
    nl = "\r\n" if "\r\n" in text else "\n"
    try:
        node = _lecture_node(text, lecture.location.line)
        at, insert = _insertion(text, node, field, [yaml_key(k) for k in keys], nl)
    except (_Unusual, yaml.YAMLError):
        raise by_hand from None
    new, after = _insert_and_reread(text, at, insert, by_hand)
    if not _reads_as(before, after, number, keys, required):
        raise by_hand
    return new


class _Unusual(Exception):
    """The course file's layout is not one add_readings edits."""


def _lecture_node(text: str, line: int) -> MappingNode:
    root = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(root, MappingNode):
        raise _Unusual
    for key, value in root.value:
        if isinstance(key, ScalarNode) and key.value == "lectures":
            if not isinstance(value, SequenceNode):
                raise _Unusual
            for item in value.value:
                if item.start_mark.line + 1 == line and isinstance(item, MappingNode):
                    return item
    raise _Unusual


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _after_line(text: str, index: int, nl: str) -> tuple[int, str]:
    """Where a new line goes after the line holding ``index`` (and a newline to put
    first when that line is the last one and has none)."""
    end = text.find("\n", index)
    if end < 0:
        return len(text), nl
    return end + 1, ""


def _insertion(
    text: str, lecture: MappingNode, field: str, keys: list[str], nl: str
) -> tuple[int, str]:
    fields: dict[str, tuple[Node, Node]] = {}
    for k, v in lecture.value:
        if isinstance(k, ScalarNode):
            fields[k.value] = (k, v)
    if field in fields:
        key_node, value = fields[field]
        if isinstance(value, SequenceNode) and value.flow_style:
            if value.value:
                return value.value[-1].end_mark.index, ", " + ", ".join(keys)
            opening = value.start_mark.index
            if text[opening] != "[":
                raise _Unusual
            return opening + 1, ", ".join(keys)
        if isinstance(value, SequenceNode) and value.value:
            last = value.value[-1]
            start = _line_start(text, last.start_mark.index)
            prefix = text[start : last.start_mark.index]
            if not re.fullmatch(r"[ \t]*-[ \t]+", prefix):
                raise _Unusual
            at, first = _after_line(text, last.end_mark.index, nl)
            return at, first + "".join(f"{prefix}{k}{nl}" for k in keys)
        if (
            isinstance(value, ScalarNode)
            and value.tag == "tag:yaml.org,2002:null"
            and value.value == ""
            and text[key_node.end_mark.index : key_node.end_mark.index + 1] == ":"
        ):
            return key_node.end_mark.index + 1, " [" + ", ".join(keys) + "]"
        raise _Unusual
    if lecture.flow_style:
        raise _Unusual
    columns = {k.start_mark.column for k, _ in lecture.value}
    if len(columns) != 1:
        raise _Unusual
    indent = " " * columns.pop()
    line = f"{indent}{field}: [{', '.join(keys)}]{nl}"
    # Required readings go before the optional ones when those are already there.
    if field == "required" and "optional" in fields:
        key_node = fields["optional"][0]
        start = _line_start(text, key_node.start_mark.index)
        if text[start : key_node.start_mark.index].strip() == "":
            return start, line
    _, last_value = lecture.value[-1]
    end = last_value.end_mark.index
    # A block scalar ends after its trailing blank lines: step back to its last word.
    while end > 0 and text[end - 1] in " \t\r\n":
        end -= 1
    at, first = _after_line(text, end, nl)
    return at, first + line


def _without_locations(obj: Any) -> Any:
    if isinstance(obj, tuple):
        return tuple(_without_locations(v) for v in obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if f.name == "location":
                changes[f.name] = None
            elif isinstance(value, tuple):
                changes[f.name] = _without_locations(value)
        return dataclasses.replace(obj, **changes)
    return obj


def _reads_as(
    before: CourseFile, after: CourseFile, number: int, keys: Sequence[str], required: bool
) -> bool:
    if before.course != after.course:
        return False
    if _without_locations(before.topics) != _without_locations(after.topics):
        return False
    old = {x.number: _without_locations(x) for x in before.lectures}
    new = {x.number: _without_locations(x) for x in after.lectures}
    if old.keys() != new.keys():
        return False
    lec = old[number]
    added = tuple(Reading(k, required) for k in keys)
    req = tuple(r for r in lec.readings if r.required)
    opt = tuple(r for r in lec.readings if not r.required)
    readings = req + added + opt if required else req + opt + added
    old[number] = dataclasses.replace(lec, readings=readings)
    return old == new
