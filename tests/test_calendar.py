"""The lecture calendar (site/calendar.py): lectures.ics read back by two parsers.

icalendar wrote it; vobject, an independent RFC 5545 parser, must read the same events.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from pathlib import Path

import icalendar
import pytest
import vobject

from readinglist.course import parse_course
from readinglist.errors import CourseFileError
from readinglist.model import Library
from readinglist.records import effective_record
from readinglist.site.calendar import CALENDAR, lecture_uid, lectures_ics
from readinglist.site.pages import build_site
from readinglist.store import load_library

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def edit_course(root: Path, old: str, new: str) -> None:
    path = root / "bib" / "course.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def library_of(root: Path) -> Library:
    return load_library(root).library


def ics_of(root: Path, **kwargs: str) -> bytes:
    plan = build_site(library_of(root), **kwargs)  # type: ignore[arg-type]
    return plan.file_bytes(CALENDAR)


def events_by_uid(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_one_event_per_lecture_with_its_readings_read_by_two_parsers(course: Path) -> None:
    library = library_of(course)
    data = ics_of(course)
    # icalendar
    events = events_by_uid(data)
    assert len(events) == len(library.lectures) == 13
    # vobject, a second, independent reader
    parsed = vobject.readOne(data.decode("utf-8"))
    vevents = parsed.vevent_list
    assert len(vevents) == 13
    by_uid = {v.uid.value: v for v in vevents}
    assert set(by_uid) == set(events)
    for lec in library.lectures:
        uid = lecture_uid(library, lec.number)
        event, vevent = events[uid], by_uid[uid]
        assert lec.date is not None
        start = vevent.dtstart.value
        assert start == dt.datetime.combine(lec.date, dt.time(12), tzinfo=NEW_YORK)
        assert vevent.dtend.value - start == dt.timedelta(hours=3)
        assert event.decoded("dtstart") == start
        assert f"Lecture {lec.number}: {lec.title}" in vevent.summary.value
        text = vevent.description.value
        assert text == str(event["DESCRIPTION"])
        for key in lec.keys:
            record = effective_record(library, library.papers[key])
            assert record.title in text, (lec.number, key)
            assert record.arxiv is None or f"https://arxiv.org/abs/{record.arxiv}" in text
        required, _, optional = text.partition("Optional readings:")
        assert "Required readings:" in required
        for key in lec.optional:
            if key not in lec.required:
                assert effective_record(library, library.papers[key]).title in optional


def test_lecture_7_description_links_each_reading(course: Path) -> None:
    events = events_by_uid(ics_of(course))
    library = library_of(course)
    text = str(events[lecture_uid(library, 7)]["DESCRIPTION"])
    assert "- Neural Tangent Kernel" in text
    assert "https://arxiv.org/abs/1806.07572" in text
    links = re.findall(r"^  (https://\S+)$", text, re.M)
    lecture = library.lecture(7)
    assert lecture is not None and len(links) == len(lecture.keys)


def test_the_file_is_rfc5545_text_crlf_folded_at_75_octets(course: Path) -> None:
    data = ics_of(course)
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert b"\n" not in b"".join(lines), "a bare LF inside a line"
    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines), "long lines are folded"
    assert lines[0] == b"BEGIN:VCALENDAR" and lines[-1] == b"END:VCALENDAR"
    assert b"VERSION:2.0" in lines and b"METHOD:PUBLISH" in lines
    cal = icalendar.Calendar.from_ical(data)
    zones = [str(z["TZID"]) for z in cal.walk("VTIMEZONE")]
    assert zones == ["America/New_York"]
    assert b"DTSTART;TZID=America/New_York:20210217T120000" in data


def test_same_input_same_bytes_and_stable_uids(course: Path) -> None:
    first = ics_of(course)
    assert ics_of(course) == first
    uids = list(events_by_uid(first))
    assert len(set(uids)) == 13
    assert all(re.fullmatch(r"lecture-\d+\.[a-z0-9-]+@readinglist", u) for u in uids)
    for event in events_by_uid(first).values():
        stamp = event.decoded("dtstamp")
        assert stamp.tzinfo is not None and stamp.utcoffset() == dt.timedelta(0)
    # A new title keeps every UID (a re-import updates the events).
    edit_course(course, "title: Depth separations", "title: Depth separations, revisited")
    assert list(events_by_uid(ics_of(course))) == uids


def test_lectures_without_a_time_are_all_day_events(course: Path) -> None:
    edit_course(course, 'time: "12:00-15:00"', "")
    data = ics_of(course)
    assert b"VTIMEZONE" not in data
    for vevent in vobject.readOne(data.decode()).vevent_list:
        start, end = vevent.dtstart.value, vevent.dtend.value
        assert type(start) is dt.date and end - start == dt.timedelta(days=1)
    assert b"DTSTART;VALUE=DATE:20210217" in data


def test_a_lecture_time_overrides_the_course_time(course: Path) -> None:
    edit_course(
        course, "  - number: 2\n    date: 2021-02-24\n",
        '  - number: 2\n    date: 2021-02-24\n    time: "09:30-11:00"\n',
    )  # fmt: skip
    library = library_of(course)
    events = events_by_uid(ics_of(course))
    start = events[lecture_uid(library, 2)].decoded("dtstart")
    assert start == dt.datetime(2021, 2, 24, 9, 30, tzinfo=NEW_YORK)
    assert events[lecture_uid(library, 3)].decoded("dtstart").hour == 12


def test_site_url_links_lecture_and_paper_pages(course: Path) -> None:
    library = library_of(course)
    events = events_by_uid(ics_of(course, site_url="https://example.org/course/"))
    event = events[lecture_uid(library, 7)]
    assert str(event["URL"]) == "https://example.org/course/lectures/7.html"
    assert "https://example.org/course/papers/jacot2018.html" in str(event["DESCRIPTION"])


def test_a_course_without_dates_gets_no_calendar_and_no_link(course: Path) -> None:
    path = course / "bib" / "course.yml"
    text = re.sub(r"^    date: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text, encoding="utf-8")
    library = library_of(course)
    assert all(lec.date is None for lec in library.lectures)
    assert lectures_ics(library) is None
    plan = build_site(library)
    assert CALENDAR not in plan.files and CALENDAR not in plan.writers
    for src in ("lectures/index.md", "downloads.md"):
        assert CALENDAR not in plan.html[src].html
    assert CALENDAR not in plan.home["schedule"]


def test_the_schedule_and_downloads_link_the_calendar(course: Path) -> None:
    plan = build_site(library_of(course))
    assert 'href="../lectures.ics">Add to calendar</a>' in plan.html["lectures/index.md"].html
    assert 'href="lectures.ics">Add to calendar</a>' in plan.home["schedule"]
    assert 'href="lectures.ics">lectures.ics</a>' in plan.html["downloads.md"].html


@pytest.mark.parametrize(
    ("old", "new", "line", "message"),
    [
        ('time: "12:00-15:00"', 'time: "noon"', 12, "course.time must be HH:MM-HH:MM"),
        ('time: "12:00-15:00"', 'time: "15:00-12:00"', 12, "end after start"),
        ("timezone: America/New_York", "timezone: Mars/Olympus", 13, "not an IANA time zone"),
        ("  timezone: America/New_York\n", "", 12, "needs course.timezone"),
    ],
)
def test_bad_meeting_times_are_errors_with_their_line(
    course: Path, old: str, new: str, line: int, message: str
) -> None:
    edit_course(course, old, new)
    text = (course / "bib" / "course.yml").read_text(encoding="utf-8")
    with pytest.raises(CourseFileError, match=message) as caught:
        parse_course(text)
    assert caught.value.line == line


def test_a_lecture_time_without_a_zone_is_an_error(course: Path, run: object) -> None:
    path = course / "bib" / "course.yml"
    text = re.sub(r"^  time(zone)?: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
    path.write_text(text, encoding="utf-8")
    edit_course(
        course, "  - number: 2\n    date: 2021-02-24\n",
        '  - number: 2\n    date: 2021-02-24\n    time: "09:30-11:00"\n',
    )  # fmt: skip
    result = run("--root", course, "check")  # type: ignore[operator]
    assert result.exit_code == 2
    assert re.fullmatch(
        r"error: bib/course\.yml:\d+: lecture 2: a meeting time needs course\.timezone.*\n",
        result.stderr,
    )
