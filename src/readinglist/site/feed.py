"""The Atom feed of what's new (``feed.xml``). No I/O.

Deterministic: entries come from the stored change history, dated by the day of the
sync that found them, and the feed's ``updated`` is the newest of those days, never the
time of the build. Ids are ``urn:uuid`` values derived from the course and the change,
so they stay stable across builds and hosts.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urljoin
from xml.etree import ElementTree as ET

from readinglist.model import Library
from readinglist.site.markup import clean

ATOM = "http://www.w3.org/2005/Atom"
_EPOCH = "1970-01-01T00:00:00Z"


def _timestamp(date: str) -> str:
    try:
        day = dt.date.fromisoformat(date[:10])
    except ValueError:
        return _EPOCH
    return f"{day.isoformat()}T00:00:00Z"


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", {k: clean(v) for k, v in attrs.items()})
    if text is not None:
        element.text = clean(text)
    return element


def atom(
    library: Library,
    changes: Sequence[Mapping[str, Any]],
    *,
    paper_urls: Mapping[str, str],
    site_url: str = "",
    home_url: str = "index.html",
) -> str:
    """The feed as XML text.

    ``changes`` are the what's-new views (``change``, ``label``, ``paper``, ``url``);
    ``paper_urls`` gives each paper's site-relative URL. Links are absolute when the
    site's URL is known (``site_url``), relative to the feed otherwise.
    """
    ET.register_namespace("", ATOM)
    course = library.course
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, course.url or f"readinglist:{course.title}")
    base = site_url.rstrip("/") + "/" if site_url else ""

    def absolute(url: str) -> str:
        return urljoin(base, url) if base else url

    feed = ET.Element(f"{{{ATOM}}}feed")
    title = " ".join(x for x in (course.number, course.title) if x)
    _sub(feed, "title", f"{title}: what's new")
    _sub(feed, "subtitle", "New versions, publications and candidate papers of the reading list")
    _sub(feed, "id", absolute("feed.xml") if base else f"urn:uuid:{namespace}")
    updated = max((_timestamp(v["change"].date) for v in changes), default=_EPOCH)
    _sub(feed, "updated", updated)
    author = _sub(feed, "author")
    _sub(author, "name", ", ".join(course.instructors) or title)
    _sub(feed, "link", rel="alternate", type="text/html", href=absolute(home_url))
    if base:
        _sub(feed, "link", rel="self", type="application/atom+xml", href=absolute("feed.xml"))
    _sub(feed, "generator", "readinglist")
    ordered = sorted(
        changes,
        key=lambda v: (
            _timestamp(v["change"].date),
            v["change"].key,
            v["change"].kind,
            v["change"].detail,
        ),
        reverse=True,
    )
    for view in ordered:
        change = view["change"]
        paper = view["paper"]
        entry = _sub(feed, "entry")
        _sub(entry, "title", f"{view['label']}: {view['subject']}")
        ident = f"{change.date}|{change.kind}|{change.key}|{change.detail}"
        _sub(entry, "id", f"urn:uuid:{uuid.uuid5(namespace, ident)}")
        _sub(entry, "updated", _timestamp(change.date))
        if paper is not None and change.key in paper_urls:
            _sub(entry, "link", rel="alternate", type="text/html",
                 href=absolute(paper_urls[change.key]))  # fmt: skip
        elif view.get("url"):
            _sub(entry, "link", rel="alternate", href=view["url"])
        summary = change.detail or view["label"]
        _sub(entry, "summary", summary)
    ET.indent(feed)
    body = ET.tostring(feed, encoding="unicode")
    return f'<?xml version="1.0" encoding="utf-8"?>\n{body}\n'
