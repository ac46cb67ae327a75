"""The course pages: home, schedule, one page per lecture, topics, one page per topic."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from readinglist.model import Lecture, Topic
from readinglist.site.markup import text_html
from readinglist.site.render import HtmlPage, Renderer, front_matter
from readinglist.site.views import (
    HOME,
    HOME_MARKERS,
    SCHEDULE,
    TOPICS,
    SiteData,
    format_date,
    lecture_bib,
    lecture_src,
)


def home_parts(d: SiteData, r: Renderer) -> dict[str, str]:
    """The generated parts of the home page (relative to ``index.md``)."""
    return {
        name: r.render(f"home_{name}.md.j2", HOME, rows=d.lecture_rows(),
                          links=d.course_links())
        for name in HOME_MARKERS
    }  # fmt: skip


def home(d: SiteData, r: Renderer, parts: Mapping[str, str]) -> str:
    """The whole home page when there is no hand-written ``docs/index.md``."""
    course = d.library.course
    heading = " ".join(x for x in (course.number, course.title) if x)
    body = r.env.get_template("home.md.j2").render(
        heading=heading, parts={name: Markup(text) for name, text in parts.items()}
    )
    return front_matter(course.title) + body


def schedule(d: SiteData, r: Renderer) -> HtmlPage:
    """``lectures/index.md``: the schedule."""
    return r.page("schedule.md.j2", SCHEDULE, "Schedule", rows=d.lecture_rows())


def lecture(d: SiteData, r: Renderer, lec: Lecture) -> HtmlPage:
    """One lecture: readings, reading order, download."""
    page = lecture_src(lec.number)
    required = d.views(lec.required)
    optional = d.views(k for k in lec.optional if k not in lec.required)
    order = d.views(d.analysis.reading_order.get(lec.number, ()))
    unknown = [k for k in lec.keys if k not in d.papers]
    numbers = [x.number for x in d.library.lectures]
    index = numbers.index(lec.number)
    prev_lec = d.library.lectures[index - 1] if index > 0 else None
    next_lec = d.library.lectures[index + 1] if index + 1 < len(numbers) else None
    links = [(item.label, d.course_link(item.url, page)) for item in lec.links]
    return r.page(
        "lecture.md.j2",
        page,
        f"Lecture {lec.number}: {lec.title}",
        lec=lec,
        date=format_date(lec.date),
        iso_date=lec.date.isoformat() if lec.date else "",
        title_html=text_html(lec.title),
        description_html=text_html(lec.description),
        topics=[(d.topic_title(s), d.topic_src(s)) for s in lec.topics],
        required=required,
        optional=optional,
        order=order,
        unknown=unknown,
        links=[(label, url) for label, url in links if url],
        bib=lecture_bib(lec.number),
        prev=(prev_lec, lecture_src(prev_lec.number)) if prev_lec else None,
        next=(next_lec, lecture_src(next_lec.number)) if next_lec else None,
        notes=d.notes,
    )


def topics_index(d: SiteData, r: Renderer) -> HtmlPage:
    """``topics/index.md``: every topic with its description."""
    rows = []
    for topic in d.library.topics:
        lectures = [lec for lec in d.library.lectures if topic.slug in lec.topics]
        rows.append(
            {
                "topic": topic,
                "src": d.topic_src(topic.slug),
                "title_html": text_html(topic.title),
                "description_html": text_html(topic.description),
                "papers": len(d.topic_papers.get(topic.slug, ())),
                "lectures": [(lec.number, lecture_src(lec.number)) for lec in lectures],
            }
        )
    return r.page("topics.md.j2", TOPICS, "Topics", rows=rows)


def topic(d: SiteData, r: Renderer, topic: Topic) -> HtmlPage:
    """One topic: description, papers, most cited, new candidates."""
    page = d.topic_src(topic.slug) or ""
    papers = d.topic_papers.get(topic.slug, [])
    ranked = sorted(
        (p for p in papers if d.cited_within(p.key) > 0),
        key=lambda p: (-d.cited_within(p.key), p.key),
    )[:5]
    candidates = sorted(
        (c for c in d.library.candidates if c.topic == topic.slug),
        key=lambda c: (-c.score, c.arxiv),
    )
    lectures = [lec for lec in d.library.lectures if topic.slug in lec.topics]
    return r.page(
        "topic.md.j2",
        page,
        topic.title,
        topic=topic,
        title_html=text_html(topic.title),
        description_html=text_html(topic.description),
        papers=papers,
        most_cited=[(p, d.cited_within(p.key)) for p in ranked],
        candidates=[d.candidate_view(c) for c in candidates],
        lectures=[(lec, lecture_src(lec.number)) for lec in lectures],
        bib=d.topic_bib(topic.slug),
        notes=d.notes,
    )
