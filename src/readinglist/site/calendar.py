"""The lecture calendar of the course site: ``lectures.ics`` (RFC 5545). No I/O.

One VEVENT per dated lecture, made with the ``icalendar`` package (which folds lines
at 75 octets and ends them with CRLF). Google Calendar, Apple Calendar and Outlook
import it as a file or subscribe to it by URL.

- **Time**: the course file's ``time: "12:00-15:00"`` (or a lecture's own ``time:``)
  in its ``timezone:``, with that zone's VTIMEZONE; a lecture without a time is an
  all-day event on its date.
- **UID**: ``lecture-N.<course>@readinglist``, from the course's number, term and title
  and the lecture number, so a re-import updates the event instead of adding a copy.
- **Same input, same bytes**: no clock is read. DTSTAMP is midnight UTC of the
  lecture's date (RFC 5545 asks for a UTC date-time; a build time would change the
  file on every build).
- **Description**: the lecture's required and optional readings, each with a link (its
  page on the site when ``site_url`` is known, else arXiv, the DOI or the entry's URL).

A course without dated lectures gets no calendar (:func:`lectures_ics` returns None)
so the site shows no link to it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Callable

from readinglist.model import Lecture, Library
from readinglist.records import effective_record
from readinglist.site.markup import arxiv_url, doi_url, safe_url

CALENDAR = "lectures.ics"
"""The calendar's path in the site."""

PRODID = "-//readinglist//lecture calendar//EN"


def course_slug(library: Library) -> str:
    """The course's number, term and title as a lower-case ASCII slug (for UIDs)."""
    course = library.course
    text = " ".join(x for x in (course.number, course.term, course.title) if x)
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:80] or "course"


def lecture_uid(library: Library, number: int) -> str:
    """The stable UID of a lecture's event."""
    return f"lecture-{int(number)}.{course_slug(library)}@readinglist"


def _meeting(text: str, date: dt.date, zone: zoneinfo.ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start, _, end = text.partition("-")
    h1, m1 = (int(x) for x in start.split(":"))
    h2, m2 = (int(x) for x in end.split(":"))
    return (
        dt.datetime(date.year, date.month, date.day, h1, m1, tzinfo=zone),
        dt.datetime(date.year, date.month, date.day, h2, m2, tzinfo=zone),
    )


def _paper_link(library: Library, key: str) -> str:
    """An outside link to read a paper: arXiv, the DOI or the entry's URL."""
    record = effective_record(library, library.papers[key])
    if record.arxiv:
        return arxiv_url(record.arxiv)
    if record.doi:
        return doi_url(record.doi)
    return (safe_url(record.url) if record.url else None) or ""


def _reading_line(library: Library, key: str, page_url: Callable[[str], str | None]) -> str:
    record = effective_record(library, library.papers[key])
    names = [a for a in record.authors if a != "et al."]
    who = names[0].split()[-1] if names and names[0].split() else ""
    if who and len(record.authors) > 1:
        who += " et al."
    year = f" ({record.year})" if record.year else ""
    line = f"- {record.title or key}" + (f", {who}{year}" if who else year)
    link = page_url(key) or _paper_link(library, key)
    return line + (f"\n  {link}" if link else "")


def description(
    library: Library, lec: Lecture, page_url: Callable[[str], str | None] = lambda _: None
) -> str:
    """A lecture event's DESCRIPTION: its readings with links, as plain text."""
    parts = []
    if lec.description:
        parts.append(lec.description)
    required = [k for k in lec.required if k in library.papers]
    optional = [k for k in lec.optional if k in library.papers and k not in lec.required]
    for heading, keys in (("Required readings", required), ("Optional readings", optional)):
        if keys:
            lines = [_reading_line(library, k, page_url) for k in keys]
            parts.append(f"{heading}:\n" + "\n".join(lines))
    if not required and not optional:
        parts.append("No readings are listed for this lecture yet.")
    return "\n\n".join(parts)


def lectures_ics(
    library: Library,
    *,
    lecture_url: Callable[[int], str | None] = lambda _: None,
    paper_url: Callable[[str], str | None] = lambda _: None,
) -> bytes | None:
    """The calendar of the course's dated lectures, or None when no lecture has a date.

    ``lecture_url`` and ``paper_url`` give absolute URLs of the site's pages (None when
    the site's URL is not known).
    """
    dated = [lec for lec in library.lectures if lec.date is not None]
    if not dated:
        return None
    # Imported here: a site build writes the calendar in a child process (with the
    # other downloads), so the build's own start-up does not wait for icalendar (70 ms).
    from icalendar import Calendar, Event

    course = library.course
    zone = zoneinfo.ZoneInfo(course.timezone) if course.timezone else None
    prefix = f"{course.number} " if course.number else ""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")  # Outlook imports a published calendar as events
    cal.add("x-wr-calname", f"{prefix}{course.title}".strip())
    if course.timezone:
        cal.add("x-wr-timezone", course.timezone)
    for lec in dated:
        assert lec.date is not None
        event = Event()
        event.add("uid", lecture_uid(library, lec.number))
        event.add("dtstamp", dt.datetime.combine(lec.date, dt.time(), tzinfo=dt.UTC))
        event.add("summary", f"{prefix}Lecture {lec.number}: {lec.title}")
        time = lec.time or course.time
        if time and zone is not None:
            start, end = _meeting(time, lec.date, zone)
            event.add("dtstart", start)
            event.add("dtend", end)
        else:
            event.add("dtstart", lec.date)
            event.add("dtend", lec.date + dt.timedelta(days=1))
            event.add("transp", "TRANSPARENT")  # an all-day reminder, not a busy day
        event.add("description", description(library, lec, paper_url))
        url = lecture_url(lec.number)
        if url:
            event.add("url", url)
        cal.add_component(event)
    if zone is not None and any(lec.time or course.time for lec in dated):
        first = min(lec.date for lec in dated if lec.date)
        last = max(lec.date for lec in dated if lec.date)
        cal.add_missing_timezones(
            first_date=first - dt.timedelta(days=1), last_date=last + dt.timedelta(days=1)
        )
    data: bytes = cal.to_ical()
    return data
