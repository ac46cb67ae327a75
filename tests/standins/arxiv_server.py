"""A stand-in for the arXiv API query endpoint, on 127.0.0.1, in arXiv's real Atom format.

The bytes are modelled on recorded answers (../shared/fixtures/arxiv): the current format
(since 2025-11-11) on lukasschwab-arxiv.py/*.json, the legacy one (``legacy=True``) on
orijtech-arxiv/*.atom and pubs-pubs. It answers ``GET /api/query`` with ``id_list`` and/or
``search_query`` (``ti:``, ``au:``, ``abs:``, ``cat:``, ``all:`` and bare words, phrases in
double quotes, joined by ``AND``/``OR``/``ANDNOT`` read left to right; no parentheses),
``sortBy``/``sortOrder`` and ``start``/``max_results`` paging. Like arXiv it answers a
malformed id with HTTP 400 and an Atom error feed, leaves a well-formed unknown id out
(current) or sends an entry without ``<id>`` for it (legacy, where totalResults counts
it; that entry's shape is reconstructed from lukasschwab/arxiv.py issues #80 and #82, not
from a recording), and lists id_list answers newest first, not in request order.

Faults are injected per request, in order, each consumed by one request (see FAULTS).
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import textwrap
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit
from xml.sax.saxutils import escape, quoteattr

log = logging.getLogger(__name__)

FAULTS = {
    "429": "HTTP 429 with Retry-After: 1",
    "503": "HTTP 503 with an HTML body",
    "rate": "HTTP 200 with the body 'Rate exceeded.' (as arXiv throttles)",
    "empty": "HTTP 200 with an empty body",
    "truncated": "HTTP 200 with the first half of the real feed (correctly framed)",
    "html200": "HTTP 200 with an HTML page",
    "hang": "accept and never answer (until stop or hang_seconds, then close)",
    "400": "HTTP 400 with arXiv's error feed, whatever the request",
    "incomplete": "the real feed without its last entry, totalResults unchanged",
    "duplicate": "the real feed with its first entry twice (totalResults counts both)",
    "cut": "Content-Length of the whole feed, half of it sent, connection closed",
}
"""Fault names accepted by :meth:`ArxivStandIn.inject`, and what each does."""

_ATOM_TYPE = "application/atom+xml; charset=utf-8"
_WELL_FORMED = re.compile(
    r"^(?:\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)?(?:\.[A-Za-z]{2})?/\d{7})(?:v\d+)?$"
)
_VERSION = re.compile(r"^(?P<id>.+?)(?:v(?P<version>\d+))?$")
_TOKEN = re.compile(
    r"(?P<op>\b(?:ANDNOT|AND|OR)\b)"
    r'|(?:(?P<field>ti|au|abs|co|jr|cat|all):)?(?:"(?P<phrase>[^"]*)"|(?P<word>[^\s"]+))'
)


def sample_paper(arxiv_id: str, version: int = 1, **fields: Any) -> dict[str, Any]:
    """A paper dict for :class:`ArxivStandIn` with plausible defaults for every field."""
    paper: dict[str, Any] = {
        "id": arxiv_id,
        "version": version,
        "title": f"A study of {arxiv_id}",
        "authors": ["Ada Lovelace", "Alan Turing"],
        "abstract": f"We study {arxiv_id} and find it interesting.",
        "categories": ["cs.LG"],
        "published": "2020-01-01T12:00:00Z",
        "updated": "2020-01-01T12:00:00Z",
        "doi": "",
        "journal_ref": "",
        "comment": "",
    }
    paper.update(fields)
    return paper


def _timestamp(value: str) -> str:
    value = value.strip()
    return value if "T" in value else f"{value}T00:00:00Z"


def _legacy_wrap(text: str, indent: str = "  ") -> str:
    # Legacy arXiv wrapped titles, comments and journal refs near 80 columns, later
    # lines indented by two spaces.
    lines = textwrap.wrap(text, width=70, break_long_words=False, break_on_hyphens=False)
    return f"\n{indent}".join(lines)


def _legacy_summary(text: str) -> str:
    # Legacy abstracts: two leading spaces, hard-wrapped at 80, a final newline.
    lines = textwrap.wrap("  " + text, width=80, break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines) + "\n"


def _feed_hash(text: str) -> str:
    return base64.b64encode(hashlib.sha1(text.encode()).digest()).decode().rstrip("=")


class _Paper:
    """One paper as the stand-in holds it."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        m = _VERSION.match(str(data["id"]))
        assert m, data
        self.id = m["id"]
        self.version = int(data.get("version") or m["version"] or 1)
        self.title = str(data.get("title", ""))
        authors = data.get("authors", [])
        self.authors = [str(a) for a in authors]
        affiliations = data.get("affiliations") or [[] for _ in self.authors]
        self.affiliations = [list(a) for a in affiliations]
        self.abstract = str(data.get("abstract", ""))
        self.categories = [str(c) for c in data.get("categories", [])]
        self.primary = str(data.get("primary_category") or (self.categories or [""])[0])
        self.published = _timestamp(str(data.get("published", "2020-01-01")))
        self.updated = _timestamp(str(data.get("updated") or self.published))
        self.doi = str(data.get("doi") or "")
        self.journal_ref = str(data.get("journal_ref") or "")
        self.comment = str(data.get("comment") or "")

    @property
    def versioned(self) -> str:
        return f"{self.id}v{self.version}"

    def text_of(self, field: str) -> str:
        if field == "ti":
            return self.title
        if field == "au":
            return " ; ".join(self.authors)
        if field == "abs":
            return self.abstract
        if field == "co":
            return self.comment
        if field == "jr":
            return self.journal_ref
        return " ".join([self.title, self.abstract, self.comment, self.journal_ref, *self.authors])

    def current_xml(self) -> str:
        v = self.versioned
        out = [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{v}</id>",
            f"    <title>{escape(self.title)}</title>",
            f"    <updated>{self.updated}</updated>",
            f'    <link href="https://arxiv.org/abs/{v}" rel="alternate" type="text/html"/>',
            f'    <link href="https://arxiv.org/pdf/{v}" rel="related" type="application/pdf"'
            ' title="pdf"/>',
            f"    <summary>{escape(self.abstract)}</summary>",
        ]
        out += [
            f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
            for c in self.categories
        ]
        out.append(f"    <published>{self.published}</published>")
        if self.comment:
            out.append(f"    <arxiv:comment>{escape(self.comment)}</arxiv:comment>")
        out.append(f"    <arxiv:primary_category term={quoteattr(self.primary)}/>")
        if self.journal_ref:
            out.append(f"    <arxiv:journal_ref>{escape(self.journal_ref)}</arxiv:journal_ref>")
        for name, affiliations in zip(self.authors, self.affiliations, strict=False):
            out += ["    <author>", f"      <name>{escape(name)}</name>"]
            out += [
                f"      <arxiv:affiliation>{escape(a)}</arxiv:affiliation>" for a in affiliations
            ]
            out.append("    </author>")
        if self.doi:
            out.append(f"    <arxiv:doi>{escape(self.doi)}</arxiv:doi>")
            out.append(
                f'    <link rel="related" href={quoteattr("https://doi.org/" + self.doi)}'
                ' title="doi"/>'
            )
        out.append("  </entry>")
        return "\n".join(out) + "\n"

    def legacy_xml(self) -> str:
        v = self.versioned
        ns = 'xmlns:arxiv="http://arxiv.org/schemas/atom"'
        out = [
            "  <entry>",
            f"    <id>http://arxiv.org/abs/{v}</id>",
            f"    <updated>{self.updated}</updated>",
            f"    <published>{self.published}</published>",
            f"    <title>{escape(_legacy_wrap(self.title))}</title>",
            f"    <summary>{escape(_legacy_summary(self.abstract))}</summary>",
        ]
        for name, affiliations in zip(self.authors, self.affiliations, strict=False):
            out += ["    <author>", f"      <name>{escape(name)}</name>"]
            out += [
                f"      <arxiv:affiliation {ns}>{escape(a)}</arxiv:affiliation>"
                for a in affiliations
            ]
            out.append("    </author>")
        if self.doi:
            out.append(f"    <arxiv:doi {ns}>{escape(self.doi)}</arxiv:doi>")
            href = quoteattr("http://dx.doi.org/" + self.doi)
            out.append(f'    <link title="doi" href={href} rel="related"/>')
        if self.comment:
            out.append(
                f"    <arxiv:comment {ns}>{escape(_legacy_wrap(self.comment))}</arxiv:comment>"
            )
        if self.journal_ref:
            out.append(
                f"    <arxiv:journal_ref {ns}>{escape(_legacy_wrap(self.journal_ref))}"
                "</arxiv:journal_ref>"
            )
        out += [
            f'    <link href="http://arxiv.org/abs/{v}" rel="alternate" type="text/html"/>',
            f'    <link title="pdf" href="http://arxiv.org/pdf/{v}" rel="related"'
            ' type="application/pdf"/>',
            f"    <arxiv:primary_category {ns} term={quoteattr(self.primary)}"
            ' scheme="http://arxiv.org/schemas/atom"/>',
        ]
        out += [
            f'    <category term={quoteattr(c)} scheme="http://arxiv.org/schemas/atom"/>'
            for c in self.categories
        ]
        out.append("  </entry>")
        return "\n".join(out) + "\n"


# The legacy answer for a well-formed id that does not exist: an entry without <id>.
_LEGACY_PLACEHOLDER = """  <entry>
    <title>Error</title>
    <summary></summary>
  </entry>
"""


def _matches(paper: _Paper, field: str, needle: str) -> bool:
    needle = " ".join(needle.lower().split())
    if field == "cat":
        return needle in (c.lower() for c in paper.categories)
    return needle in " ".join(paper.text_of(field).lower().split())


def _search(papers: Iterable[_Paper], query: str) -> list[_Paper]:
    """The papers matching an arXiv ``search_query`` (a small subset of its syntax)."""
    result: set[str] | None = None
    op = "AND"
    papers = list(papers)
    for m in _TOKEN.finditer(query):
        if m["op"]:
            op = m["op"]
            continue
        field = m["field"] or "all"
        needle = m["phrase"] if m["phrase"] is not None else m["word"]
        hits = {p.id for p in papers if _matches(p, field, needle)}
        if result is None:
            result = hits
        elif op == "AND":
            result &= hits
        elif op == "OR":
            result |= hits
        else:
            result -= hits
        op = "AND"
    return [p for p in papers if result is not None and p.id in result]


class ArxivStandIn:
    """A real HTTP server on 127.0.0.1 (a free port) answering like arXiv's query API.

    ``papers`` maps ids to paper dicts (see :func:`sample_paper`); ``legacy`` selects the
    pre-2025-11-11 format. Use as a context manager (or ``start()``/``stop()``).
    ``requests`` lists every request's query parameters (one value each), faults included.
    """

    def __init__(
        self,
        papers: Mapping[str, Mapping[str, Any]],
        *,
        legacy: bool = False,
        hang_seconds: float = 5.0,
    ) -> None:
        self.papers: dict[str, _Paper] = {}
        for data in papers.values():
            paper = _Paper(data)
            self.papers[paper.id] = paper
        self.legacy = legacy
        self.hang_seconds = hang_seconds
        self.requests: list[dict[str, str]] = []
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------
    def start(self) -> ArxivStandIn:
        """Bind 127.0.0.1 on a free port and serve in a background thread."""
        standin = self

        class Handler(_Handler):
            owner = standin

        server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._closing.clear()
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; hanging requests are released at once."""
        self._closing.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> ArxivStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The query endpoint, ``http://127.0.0.1:PORT/api/query``."""
        assert self._server is not None, "the stand-in is not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}/api/query"

    def add_paper(self, data: Mapping[str, Any]) -> None:
        """Add (or replace) a paper while serving, as a new submission would."""
        paper = _Paper(data)
        with self._lock:
            self.papers = {**self.papers, paper.id: paper}

    # -- faults ----------------------------------------------------------------------
    def inject(self, faults: Iterable[str]) -> None:
        """Queue faults; each following request consumes one, in order."""
        faults = list(faults)
        unknown = [f for f in faults if f not in FAULTS]
        if unknown:
            raise ValueError(f"unknown faults {unknown}; known: {sorted(FAULTS)}")
        with self._lock:
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> list[str]:
        """Faults not yet consumed."""
        with self._lock:
            return list(self._faults)

    def _take(self, query: dict[str, str]) -> str | None:
        with self._lock:
            self.requests.append(query)
            return self._faults.popleft() if self._faults else None

    # -- answers ---------------------------------------------------------------------
    def answer(self, query: Mapping[str, str]) -> tuple[int, bytes, list[_Paper | None], int]:
        """The status, body, listed entries and totalResults arXiv would send."""
        id_list = [i.strip() for i in query.get("id_list", "").split(",") if i.strip()]
        for requested in id_list:
            if not _WELL_FORMED.match(requested):
                return 400, self.error_feed(query, requested), [], 1
        try:
            start = int(query.get("start", "0"))
            max_results = int(query.get("max_results", "10"))
        except ValueError:
            return 400, self.error_feed(query, "start"), [], 1
        search_query = query.get("search_query", "")
        slots: list[_Paper | None]
        if id_list:
            slots = []
            for requested in id_list:
                m = _VERSION.match(requested)
                assert m
                paper = self.papers.get(m["id"])
                if paper is not None and m["version"] and int(m["version"]) > paper.version:
                    paper = None
                slots.append(paper)
            if search_query:
                allowed = {p.id for p in _search(self.papers.values(), search_query)}
                slots = [p for p in slots if p is not None and p.id in allowed]
            if not self.legacy:
                slots = [p for p in slots if p is not None]
            # arXiv lists id_list answers by date, not in request order.
            slots.sort(key=lambda p: p.published if p else "", reverse=True)
        elif search_query:
            slots = list(_search(self.papers.values(), search_query))
            sort_by = query.get("sortBy", "relevance")
            descending = query.get("sortOrder", "descending") == "descending"
            if sort_by == "submittedDate":
                slots.sort(key=lambda p: p.published if p else "", reverse=descending)
            elif sort_by == "lastUpdatedDate":
                slots.sort(key=lambda p: p.updated if p else "", reverse=descending)
        else:
            slots = []
        total = len(slots)
        page = slots[start : start + max_results]
        return 200, self.feed(query, page, total, start, max_results), page, total

    def feed(
        self,
        query: Mapping[str, str],
        page: list[_Paper | None],
        total: int,
        start: int,
        max_results: int,
    ) -> bytes:
        """A results feed holding ``page`` (None: the legacy id-less entry)."""
        sq = query.get("search_query", "")
        ids = query.get("id_list", "")
        if self.legacy:
            return self._legacy_feed(sq, ids, page, total, start, max_results)
        shown = sq if (not sq or ":" in sq) else f"all:{sq}"
        title = f"search_query={shown}&id_list={ids}&start={start}&max_results={max_results}"
        link = (
            f"https://arxiv.org/api/query?search_query={shown}&start={start}"
            f"&max_results={max_results}&id_list={ids}"
        )
        head = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <id>https://arxiv.org/api/{_feed_hash(title)}</id>\n"
            f"  <title>arXiv Query: {escape(title)}</title>\n"
            f"  <updated>{_now()}</updated>\n"
            f'  <link href={quoteattr(link)} type="application/atom+xml"/>\n'
            f"  <opensearch:itemsPerPage>{max_results}</opensearch:itemsPerPage>\n"
            f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
            f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        )
        entries = "".join(p.current_xml() for p in page if p is not None)
        return (head + entries + "</feed>\n").encode()

    def _legacy_feed(
        self,
        sq: str,
        ids: str,
        page: list[_Paper | None],
        total: int,
        start: int,
        max_results: int,
    ) -> bytes:
        title = f"search_query={sq}&id_list={ids}&start={start}&max_results={max_results}"
        entries = "".join(p.legacy_xml() if p else _LEGACY_PLACEHOLDER for p in page)
        return (
            _legacy_head(title, total, start, max_results).encode()
            + (entries + "</feed>\n").encode()
        )

    def error_feed(self, query: Mapping[str, str], bad: str) -> bytes:
        """arXiv's HTTP 400 answer: an error feed naming the malformed id."""
        now = _now()
        if self.legacy:
            title = (
                f"search_query={query.get('search_query', '')}&id_list={query.get('id_list', '')}"
            )
            url = f"http://arxiv.org/api/errors#incorrect_id_format_for_{bad}"
            body = _legacy_head(title, 1, 0, 1) + (
                "  <entry>\n"
                f"    <id>{escape(url)}</id>\n"
                "    <title>Error</title>\n"
                f"    <summary>incorrect id format for {escape(bad)}</summary>\n"
                f"    <updated>{_legacy_now()}</updated>\n"
                f'    <link href={quoteattr(url)} rel="alternate" type="text/html"/>\n'
                "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
                "  </entry>\n</feed>\n"
            )
            return body.encode()
        url = f"https://arxiv.org/api/errors#incorrect_id_format_for_{bad}"
        body = (
            "<?xml version='1.0' encoding='UTF-8'?>\n"
            '<feed xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns="http://www.w3.org/2005/Atom">\n'
            "  <id>https://arxiv.org/</id>\n"
            "  <title>arXiv Search Results</title>\n"
            f"  <updated>{now}</updated>\n"
            "  <opensearch:itemsPerPage>1</opensearch:itemsPerPage>\n"
            "  <opensearch:totalResults>1</opensearch:totalResults>\n"
            "  <opensearch:startIndex>0</opensearch:startIndex>\n"
            "  <entry>\n"
            f"    <id>{escape(url)}</id>\n"
            "    <title>Error</title>\n"
            f"    <updated>{now}</updated>\n"
            f'    <link href={quoteattr(url)} rel="alternate" type="text/html"/>\n'
            f"    <summary>incorrect id format for {escape(bad)}</summary>\n"
            "    <author>\n      <name>arXiv api core</name>\n    </author>\n"
            "  </entry>\n</feed>\n"
        )
        return body.encode()


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _legacy_now() -> str:
    # Legacy feeds were dated at midnight US Eastern time of the day.
    return datetime.now(UTC).strftime("%Y-%m-%dT00:00:00-05:00")


def _legacy_head(title: str, total: int, start: int, per_page: int) -> str:
    ns = 'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"'
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f'  <link href="http://arxiv.org/api/query?{quote(title, safe="")}" rel="self"'
        ' type="application/atom+xml"/>\n'
        f'  <title type="html">ArXiv Query: {escape(title)}</title>\n'
        f"  <id>http://arxiv.org/api/{_feed_hash(title)}</id>\n"
        f"  <updated>{_legacy_now()}</updated>\n"
        f"  <opensearch:totalResults {ns}>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex {ns}>{start}</opensearch:startIndex>\n"
        f"  <opensearch:itemsPerPage {ns}>{per_page}</opensearch:itemsPerPage>\n"
    )


class _Handler(BaseHTTPRequestHandler):
    owner: ArxivStandIn
    protocol_version = "HTTP/1.1"
    server_version = "arxiv-standin/1"
    # Headers and body go out in separate writes; without this each answer waits ~40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib name)
        log.debug("arXiv stand-in: " + format, *args)

    def _send(
        self,
        status: int,
        body: bytes,
        content_type: str = _ATOM_TYPE,
        headers: Mapping[str, str] | None = None,
        length: int | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        owner = self.owner
        parts = urlsplit(self.path)
        if parts.path != "/api/query":
            self._send(404, b"not found", "text/plain")
            return
        query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
        fault = owner._take(query)
        if fault == "hang":
            owner._closing.wait(owner.hang_seconds)
            self.close_connection = True
            return
        if fault == "429":
            self._send(429, b"Rate exceeded.", "text/plain", {"Retry-After": "1"})
            return
        if fault == "503":
            html = b"<html><body><h1>503 Service Unavailable</h1></body></html>"
            self._send(503, html, "text/html")
            return
        if fault == "rate":
            self._send(200, b"Rate exceeded.", "text/plain")
            return
        if fault == "empty":
            self._send(200, b"")
            return
        if fault == "html200":
            html = b"<!DOCTYPE html>\n<html><head><title>arXiv</title></head><body></body></html>"
            self._send(200, html, "text/html")
            return
        if fault == "400":
            bad = query.get("id_list", "").split(",")[0] or "abc"
            self._send(400, owner.error_feed(query, bad))
            return
        status, body, page, total = owner.answer(query)
        if status == 200 and fault in ("incomplete", "duplicate") and page:
            start = int(query.get("start", "0"))
            per_page = int(query.get("max_results", "10"))
            if fault == "incomplete":
                body = owner.feed(query, page[:-1], total, start, per_page)
            else:
                body = owner.feed(query, [page[0], *page], total + 1, start, per_page)
        if fault == "truncated":
            self._send(status, body[: len(body) // 2])
            return
        if fault == "cut":
            self.close_connection = True
            self._send(status, body[: len(body) // 2], length=len(body))
            return
        self._send(status, body)
