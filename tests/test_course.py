"""The course file: schema, lines in every error, no aliases."""

from __future__ import annotations

import datetime as dt

import pytest

from readinglist.course import parse_course
from readinglist.errors import CourseFileError

GOOD = """\
course:
  title: A Seminar
  number: "6.S9"
  instructors: [Ada, Grace]
  links:
    - {label: Page, url: https://example.org/}
topics:
  - slug: ntk
    title: Kernels
    arxiv_query: 'abs:"neural tangent kernel"'
  - slug: depth
lectures:
  - number: 2
    date: 2021-02-24
    title: Second
    topics: [depth]
    required: [b]
  - number: 1
    date: 2021-02-17
    title: First
    topics: [ntk]
    required: [a, "@b"]
    optional: [c]
"""


def test_reads_course_topics_and_lectures() -> None:
    cf = parse_course(GOOD, "bib/course.yml")
    assert cf.course.title == "A Seminar" and cf.course.number == "6.S9"
    assert cf.course.instructors == ("Ada", "Grace")
    assert [t.slug for t in cf.topics] == ["ntk", "depth"]
    assert cf.topics[1].title == "depth"
    assert [lec.number for lec in cf.lectures] == [1, 2]
    first = cf.lectures[0]
    assert first.date == dt.date(2021, 2, 17)
    assert first.required == ("a", "b") and first.optional == ("c",)
    assert first.readings[0].location is not None and first.readings[0].location.line == 22


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        (
            "course: {title: X}\nlectures:\n  - number: 1\n    requried: [a]\n",
            4,
            "did you mean 'required'",
        ),
        ("course: {title: X}\nbogus: 1\n", 2, "unknown key 'bogus'"),
        ("course: {title: X}\nlectures:\n  - number: one\n", 3, "whole number"),
        ("course: {title: X}\nlectures:\n  - number: 1\n  - number: 1\n", 4, "defined twice"),
        (
            "course: {title: X}\nlectures:\n  - number: 1\n    date: 2021-02-30\n",
            4,
            "not a valid date",
        ),
        (
            "course: {title: X}\nlectures:\n  - number: 1\n    date: tomorrow\n",
            4,
            "not a valid date",
        ),
        ("course: {title: X}\nlectures:\n  - number: 1\n    topics: [nope]\n", 4, "unknown topic"),
        ("course: {title: X}\nlectures:\n  - number: 1\n    required: a\n", 4, "must be a list"),
        ("course: {title: X}\ntopics:\n  - slug: Bad/Slug\n", 3, "lower-case"),
        ("course: {title: X}\ntopics:\n  - slug: a\n  - slug: a\n", 4, "defined twice"),
        ("course:\n  number: 1\n", 2, "course.title is required"),
        ("course: {title: X\n", 2, "not valid YAML"),
        ("", 1, "empty"),
        ("- just a list\n", 1, "must be a mapping"),
        ("course: &c {title: X}\ntopics: *c\n", 1, "anchors"),
    ],
)
def test_errors_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(CourseFileError) as info:
        parse_course(text, "bib/course.yml")
    assert info.value.file == "bib/course.yml"
    assert info.value.line == line, str(info.value)
    assert fragment in info.value.message


def test_alias_bomb_is_refused_quickly() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(20)
    )
    with pytest.raises(CourseFileError):
        parse_course(bomb, "bib/course.yml")


def test_lectures_of_lists_each_lecture_reading_a_paper_once_in_course_order() -> None:
    from readinglist.model import Course, Lecture, Library, Reading

    def lecture(number: int, *readings: tuple[str, bool]) -> Lecture:
        return Lecture(
            number, None, f"L{number}", readings=tuple(Reading(k, r) for k, r in readings)
        )

    lectures = (
        lecture(3, ("a", False), ("b", True)),
        lecture(1, ("a", True), ("a", False)),  # required and optional: listed once
        lecture(2, ("c", True)),
    )
    library = Library(Course("C"), (), lectures, {})
    for key in ("a", "b", "c", "unread"):
        naive = tuple(lec for lec in lectures if key in lec.keys)
        assert library.lectures_of(key) == naive
    assert [lec.number for lec in library.lectures_of("a")] == [3, 1]
