"""The course file (``bib/course.yml``): course facts, topics, lectures and readings.

Reading it (:func:`parse_course`) and editing it by minimal insertions (:func:`add_topic`,
:func:`add_readings`, for ``import`` and ``add``). Strings only, no disk I/O.
The YAML is read node by node so every error names its line; aliases and anchors are
refused (they are never needed here and make "billion laughs" bombs possible); unknown
keys are errors, so a typo such as ``requried:`` cannot silently drop a lecture's readings.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from readinglist.errors import CourseFileError, ReadingListError, UsageError
from readinglist.model import Course, Lecture, Link, Location, Reading, Topic

COURSE_FILE = "bib/course.yml"
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")

_COURSE_KEYS = {
    "title", "number", "term", "institution", "instructors", "meets", "url",
    "description", "schedule_note", "links", "time", "timezone", "contact",
}  # fmt: skip
_TOPIC_KEYS = {"slug", "title", "description", "arxiv_query"}
_LECTURE_KEYS = {
    "number", "date", "title", "topics", "required", "optional", "description", "links",
    "time",
}  # fmt: skip
_TOP_KEYS = {"course", "topics", "lectures"}


# libyaml when installed: the pure-Python scanner takes seconds for a few hundred KB.
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MAX_DEPTH = 32
"""Deepest nesting of lists and mappings accepted (the schema needs 5); deeper input
would exhaust the recursive composer's stack."""


def _compose(text: str) -> Node | None:
    """The YAML node tree of ``text``, refusing anchors, aliases and deep nesting.

    A first pass over the events checks them before any node is built, so a "billion
    laughs" bomb or ``[[[[...`` is refused in time linear in its size.
    """
    loader = _Loader(text)
    try:
        depth = 0
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                raise CourseFileError(
                    "YAML aliases (*name) are not allowed in the course file", line=line
                )
            if getattr(event, "anchor", None):
                raise CourseFileError(
                    "YAML anchors (&name) are not allowed in the course file", line=line
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise CourseFileError(
                        f"lists and mappings nested more than {MAX_DEPTH} deep", line=line
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass(frozen=True)
class CourseFile:
    """What the course file defines."""

    course: Course
    topics: tuple[Topic, ...]
    lectures: tuple[Lecture, ...]


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file

    def fail(self, node: Node, message: str) -> CourseFileError:
        return CourseFileError(message, file=self.file, line=node.start_mark.line + 1)

    def loc(self, node: Node) -> Location:
        return Location(self.file, node.start_mark.line + 1)

    def mapping(self, node: Node, allowed: set[str], what: str) -> dict[str, Node]:
        if not isinstance(node, MappingNode):
            raise self.fail(node, f"{what} must be a mapping (key: value)")
        out: dict[str, Node] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if not isinstance(key, str):
                raise self.fail(key_node, f"{what}: keys must be plain words")
            if key not in allowed:
                import difflib  # only to name the key that was probably meant

                hint = difflib.get_close_matches(key, sorted(allowed), n=1)
                extra = f" (did you mean {hint[0]!r}?)" if hint else ""
                known = ", ".join(sorted(allowed))
                raise self.fail(key_node, f"{what}: unknown key {key!r}{extra}; known: {known}")
            if key in out:
                raise self.fail(key_node, f"{what}: key {key!r} given twice")
            out[key] = value_node
        return out

    def scalar(self, node: Node, what: str) -> Any:
        if not isinstance(node, ScalarNode):
            raise self.fail(node, f"{what} must be a single value")
        try:
            return _scalar_value(node)
        except Exception:
            # PyYAML's constructors fail in many ways on a bad tag or value (!foo,
            # !!python/name:..., "!!int nope", "!!timestamp nope"); all are bad input.
            raise self.fail(
                node, f"{what} {node.value!r} (tag {node.tag}) cannot be read"
            ) from None

    def text(self, node: Node | None, what: str, *, required: bool = False) -> str:
        if node is None:
            return ""
        if not isinstance(node, ScalarNode):
            raise self.fail(node, f"{what} must be text")
        if node.tag == "tag:yaml.org,2002:null" or (node.value == "" and node.style is None):
            if required:
                raise self.fail(node, f"{what} must not be empty")
            return ""
        return str(node.value)

    def text_list(self, node: Node | None, what: str) -> list[tuple[str, Node]]:
        if node is None:
            return []
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"{what} must be a list, e.g. [a, b]")
        out = []
        for item in node.value:
            if not isinstance(item, ScalarNode) or item.tag == "tag:yaml.org,2002:null":
                raise self.fail(item, f"{what}: each item must be a single word or text")
            out.append((str(item.value), item))
        return out

    def sequence(self, node: Node | None, what: str) -> list[Node]:
        if node is None:
            return []
        if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if not isinstance(node, SequenceNode):
            raise self.fail(node, f"{what} must be a list")
        return list(node.value)

    def links(self, node: Node | None, what: str) -> tuple[Link, ...]:
        out = []
        for item in self.sequence(node, what):
            m = self.mapping(item, {"label", "url"}, f"{what} entry")
            label = self.text(m.get("label"), f"{what}: label", required=True)
            url = self.text(m.get("url"), f"{what}: url", required=True)
            if not re.match(r"^(https?://|\.{0,2}/|[\w\-./]+$)", url):
                raise self.fail(m["url"], f"{what}: url {url!r} must be http(s) or a relative path")
            out.append(Link(label, url))
        return tuple(out)


def _scalar_value(node: ScalarNode) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node)
    finally:
        loader.dispose()


def parse_course(text: str, file: str = COURSE_FILE) -> CourseFile:
    """Read the course file's text into course facts, topics and lectures.

    Raises CourseFileError naming the line for invalid YAML, unknown keys, wrong types,
    duplicate slugs or lecture numbers, and invalid dates. Readings that name papers
    not on the list are left for ``check`` (they need the ``.bib`` files).
    """
    reader = _Reader(file)
    try:
        root = _compose(text)
    except CourseFileError as exc:
        exc.file = file
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise CourseFileError(
            f"not valid YAML: {exc.problem or exc}", file=file, line=line
        ) from None
    except yaml.reader.ReaderError as exc:
        # A character YAML does not allow (NUL, other control characters): its str()
        # spans two lines, and the line is in the position.
        found = text.find(chr(exc.character))
        line = text.count("\n", 0, found if found >= 0 else exc.position) + 1
        raise CourseFileError(
            f"not valid YAML: character #x{exc.character:04X} is not allowed",
            file=file,
            line=line,
        ) from None
    except yaml.YAMLError as exc:
        message = " ".join(str(exc).split())
        raise CourseFileError(f"not valid YAML: {message}", file=file, line=1) from None
    if root is None:
        raise CourseFileError("the course file is empty", file=file, line=1)
    top = reader.mapping(root, _TOP_KEYS, "course file")
    if "course" not in top:
        raise reader.fail(root, "the course file needs a 'course:' section")
    course = _read_course(reader, top["course"])
    topics = _read_topics(reader, top.get("topics"))
    lectures = _read_lectures(reader, top.get("lectures"), {t.slug for t in topics})
    timed = next((lec for lec in lectures if lec.time), None)
    if timed and not course.timezone and timed.location:
        raise CourseFileError(
            f"lecture {timed.number}: a meeting time needs course.timezone (e.g. "
            "America/New_York)", file=file, line=timed.location.line,
        )  # fmt: skip
    return CourseFile(course, topics, lectures)


def _read_course(r: _Reader, node: Node) -> Course:
    m = r.mapping(node, _COURSE_KEYS, "course")
    instructors = tuple(v for v, _ in r.text_list(m.get("instructors"), "course.instructors"))
    if "title" not in m:
        raise r.fail(node, "course.title is required")
    return Course(
        title=r.text(m["title"], "course.title", required=True),
        number=_str_scalar(r, m.get("number"), "course.number"),
        term=r.text(m.get("term"), "course.term"),
        institution=r.text(m.get("institution"), "course.institution"),
        instructors=instructors,
        meets=r.text(m.get("meets"), "course.meets"),
        url=r.text(m.get("url"), "course.url"),
        description=r.text(m.get("description"), "course.description"),
        schedule_note=r.text(m.get("schedule_note"), "course.schedule_note"),
        links=r.links(m.get("links"), "course.links"),
        time=_read_time(r, m.get("time"), "course.time"),
        timezone=_read_zone(r, m.get("timezone"), m.get("time")),
        contact=r.text(m.get("contact"), "course.contact"),
    )


def _str_scalar(r: _Reader, node: Node | None, what: str) -> str:
    if node is None:
        return ""
    if not isinstance(node, ScalarNode):
        raise r.fail(node, f"{what} must be a single value")
    return str(node.value)


def _read_topics(r: _Reader, node: Node | None) -> tuple[Topic, ...]:
    topics: list[Topic] = []
    seen: dict[str, int] = {}
    for item in r.sequence(node, "topics"):
        m = r.mapping(item, _TOPIC_KEYS, "topic")
        if "slug" not in m:
            raise r.fail(item, "topic needs a 'slug:' (the name of its bib/<slug>.bib file)")
        slug = r.text(m["slug"], "topic.slug", required=True)
        if not SLUG.match(slug):
            raise r.fail(
                m["slug"],
                f"topic slug {slug!r} must be lower-case letters, digits and '-' (it names "
                "bib/<slug>.bib)",
            )
        if slug in seen:
            raise r.fail(m["slug"], f"topic {slug!r} defined twice (first at line {seen[slug]})")
        seen[slug] = m["slug"].start_mark.line + 1
        topics.append(
            Topic(
                slug=slug,
                title=r.text(m.get("title"), "topic.title") or slug,
                description=r.text(m.get("description"), "topic.description"),
                arxiv_query=r.text(m.get("arxiv_query"), "topic.arxiv_query"),
                location=r.loc(item),
            )
        )
    return tuple(topics)


def _read_lectures(r: _Reader, node: Node | None, slugs: set[str]) -> tuple[Lecture, ...]:
    lectures: list[Lecture] = []
    seen: dict[int, int] = {}
    for item in r.sequence(node, "lectures"):
        m = r.mapping(item, _LECTURE_KEYS, "lecture")
        if "number" not in m:
            raise r.fail(item, "lecture needs a 'number:'")
        number = r.scalar(m["number"], "lecture.number")
        if not isinstance(number, int) or isinstance(number, bool) or number < 0:
            raise r.fail(m["number"], f"lecture number must be a whole number, not {number!r}")
        if number in seen:
            raise r.fail(
                m["number"], f"lecture {number} defined twice (first at line {seen[number]})"
            )
        seen[number] = m["number"].start_mark.line + 1
        date = _read_date(r, m.get("date"), number)
        topics: list[str] = []
        for slug, snode in r.text_list(m.get("topics"), f"lecture {number}: topics"):
            if slug not in slugs:
                raise r.fail(snode, f"lecture {number}: unknown topic {slug!r}")
            topics.append(slug)
        readings: list[Reading] = []
        for required, name in ((True, "required"), (False, "optional")):
            for key, knode in r.text_list(m.get(name), f"lecture {number}: {name}"):
                readings.append(Reading(key.strip().lstrip("@"), required, r.loc(knode)))
        lectures.append(
            Lecture(
                number=number,
                date=date,
                title=r.text(m.get("title"), f"lecture {number}: title") or f"Lecture {number}",
                topics=tuple(topics),
                readings=tuple(readings),
                description=r.text(m.get("description"), f"lecture {number}: description"),
                links=r.links(m.get("links"), f"lecture {number}: links"),
                location=r.loc(item),
                time=_read_time(r, m.get("time"), f"lecture {number}: time"),
            )
        )
    return tuple(sorted(lectures, key=lambda lec: lec.number))


def _read_date(r: _Reader, node: Node | None, number: int) -> dt.date | None:
    if node is None:
        return None
    if not isinstance(node, ScalarNode):
        raise r.fail(node, f"lecture {number}: date must be YYYY-MM-DD")
    value = node.value.strip()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise r.fail(
            node, f"lecture {number}: {value!r} is not a valid date (YYYY-MM-DD)"
        ) from None


_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d-([01]\d|2[0-3]):[0-5]\d$")


def _read_time(r: _Reader, node: Node | None, what: str) -> str:
    value = r.text(node, what).replace(" ", "")
    if value and (not _TIME.match(value) or value[:5] >= value[6:]):
        assert node is not None
        raise r.fail(node, f"{what} must be HH:MM-HH:MM (24-hour, end after start)")
    return value


def _read_zone(r: _Reader, node: Node | None, time: Node | None) -> str:
    import zoneinfo

    value = r.text(node, "course.timezone").strip()
    if node is not None and value:
        try:
            zoneinfo.ZoneInfo(value)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise r.fail(node, f"course.timezone {value!r} is not an IANA time zone") from None
    elif time is not None:
        raise r.fail(time, "a meeting time needs course.timezone (e.g. America/New_York)")
    return value


# ---------------------------------------------------------------- editing the course file
# Minimal textual insertions (import, add): every existing character stays in place, and
# the result is parsed again and must read as before plus the change.

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


def title_from_slug(slug: str) -> str:
    """A first title for a topic started from its slug: ``lower-bounds`` -> ``Lower bounds``."""
    words = slug.replace("-", " ").split()
    return " ".join(words)[:1].upper() + " ".join(words)[1:] if words else slug


TITLE_HINT = "made from the slug by import: edit it and add a description"


def add_topic(text: str, slug: str) -> str:
    """Add a topic ``slug`` to the course file by inserting a ``- slug: SLUG`` item with
    a title made from the slug (and a comment saying to edit it) after the last topic, or
    a ``topics:`` section at the end; every existing character stays in place. The result
    must read as before plus the new topic, else UsageError says what to add by hand."""
    title = title_from_slug(slug)
    quoted = "'" + title.replace("'", "''") + "'"
    by_hand = UsageError(
        f"cannot add topic {slug!r} safely (unusual layout); add it by hand under "
        f"'topics:' as '- slug: {slug}' with 'title: {title}'",
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
            insert = (
                f"{first}topics:{nl}  - slug: {slug}{nl}    title: {quoted}  # {TITLE_HINT}{nl}"
            )
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
            indent = " " * len(prefix.expandtabs())
            insert = f"{first}{prefix}slug: {slug}{nl}{indent}title: {quoted}  # {TITLE_HINT}{nl}"
        else:
            raise _Unusual
    except (_Unusual, yaml.YAMLError):
        raise by_hand from None
    new, after = _insert_and_reread(text, at, insert, by_hand)
    if [(t.slug, t.title) for t in after.topics][-1:] != [(slug, title)] or [
        t.slug for t in after.topics
    ] != [t.slug for t in before.topics] + [slug]:
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
