"""The arXiv API: a client (policy in its constructor) and a pure parser of its Atom feeds.

:func:`parse_feed` is a pure function of the response bytes; it does no I/O and trusts
nothing it is given. It is strict where the ``arxiv`` package is lenient: that package
parses with lxml in recover mode, so a truncated page, an HTML error page or arXiv's
``Rate exceeded.`` (sent with status 200) silently become an empty result. Here each of
them raises :class:`ServiceResponseError`, and the client turns that into a retry.
Entities are never expanded: a document with a DOCTYPE is refused.

Both answer formats are read: the current one (since 2025-11-11: https links, titles and
abstracts on one line, no ``scheme`` on ``arxiv:primary_category``) and the legacy one
(hard-wrapped text, ``http://dx.doi.org`` DOI links, an entry without ``<id>`` for a
well-formed id that does not exist).

:class:`ArxivClient` sends all HTTP through :class:`~readinglist.services.http.HttpClient`
(spacing, timeouts, retries with backoff, never retrying a 400) and builds the query
URLs itself (:func:`query_url`), with the parameters the ``arxiv`` package sends.

Why not ``arxiv.Client``: its public surface (``Client(page_size, delay_seconds,
num_retries)``, ``results(Search)``) has no request timeout (a silent server holds it
until the server gives up), no answer-time or size limit, no session, User-Agent or
request count to set, retries a 400 (``num_retries`` + 1 requests for one malformed id)
and hides its body (the error feed), and parses in lxml recover mode without exposing
``totalResults``: ``Rate exceeded.``, an HTML page or an empty body sent with status
200 become an empty result, which we would report as "not on arXiv". So the package is
used for what it is meant for and no more: its public sort enums name arXiv's sort
values here, and the tests run its public client against the stand-in as a reference
reader (same query parameters, same papers).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from urllib.parse import unquote, urlencode

import arxiv
import requests
from lxml import etree

from readinglist.errors import BadRequestError, ServiceResponseError, UsageError
from readinglist.ids import parse_arxiv_id
from readinglist.model import ArxivRecord
from readinglist.services.http import Answer, HttpClient, RetryableResponse

log = logging.getLogger(__name__)

DEFAULT_URL = "https://export.arxiv.org/api/query"
"""The arXiv API query endpoint used when ``READINGLIST_ARXIV_URL`` is not set."""

DEFAULT_DELAY = 3.0
"""Seconds between requests: arXiv's terms of use ask for one request every 3 s."""

MAX_PAGE = 100
"""The largest batch of ids or page of results sent in one request.

``max_results`` defaults to 10 even with ``id_list``, and about 650 ids already give
HTTP 414, so 100 is the safe size.
"""

_ATOM = "http://www.w3.org/2005/Atom"
_NS = {
    "atom": _ATOM,
    "arxiv": "http://arxiv.org/schemas/atom",
    "opensearch": "http://a9.com/-/spec/opensearch/1.1/",
}
_ABS_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/abs/(?P<id>\S+)$")
_ERROR_URL = re.compile(r"^https?://(?:www\.|export\.)?arxiv\.org/api/errors(?:#(?P<code>\S*))?$")
_DOI_URL = re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<doi>\S+)$", re.IGNORECASE)
_SPACE = re.compile(r"\s+")
# What may go into ``id_list`` unparsed: anything else could smuggle in a comma (a second
# id) or a query parameter. arXiv, not us, decides whether such a string is malformed.
_SENDABLE = re.compile(r"^[A-Za-z0-9.\-/]+$")
_SORT_BY = {c.value: c for c in arxiv.SortCriterion}
_SORT_ORDER = {o.value: o for o in arxiv.SortOrder}


@dataclass(frozen=True)
class ApiError:
    """One entry of an arXiv error feed (sent with HTTP 400).

    ``code`` is the fragment of the error URL (``incorrect_id_format_for_abc``),
    ``message`` arXiv's summary (``incorrect id format for abc``).
    """

    code: str
    message: str
    url: str


@dataclass(frozen=True)
class Feed:
    """One page of an arXiv answer.

    ``entries`` are the papers, each once (a paper listed twice keeps its latest
    version), in feed order. ``errors`` are the entries of an error feed.
    ``entry_count`` is the number of paper ``<entry>`` elements as sent, counting
    duplicates and the legacy format's id-less placeholders for ids that do not exist:
    that is what ``total_results`` counts, so a complete answer to an id list has
    ``total_results == entry_count``.
    """

    total_results: int
    start: int
    items_per_page: int
    entries: list[ArxivRecord] = field(default_factory=list)
    errors: list[ApiError] = field(default_factory=list)
    entry_count: int = 0


@dataclass(frozen=True)
class FetchResult:
    """What :meth:`ArxivClient.fetch_ids` learned.

    ``records`` maps each canonical id (no version) to the latest version's record.
    ``missing`` lists the ids (as the caller spelled them) that complete, well-formed
    feeds did not contain: they do not exist on arXiv. ``failed`` maps ids to the reason
    they could not be looked up (arXiv refused them as malformed). ``requests`` counts
    the HTTP requests made, retries included.
    """

    records: dict[str, ArxivRecord]
    missing: list[str]
    failed: dict[str, str]
    requests: int


def _preview(body: bytes) -> str:
    text = body[:60].decode("utf-8", "replace")
    return repr(text + ("..." if len(body) > 60 else ""))


def _clean(text: str | None) -> str:
    # The legacy format hard-wraps titles, abstracts, comments and journal references;
    # the line breaks carry no meaning, and collapsing them makes both formats agree.
    return _SPACE.sub(" ", text or "").strip()


def _text(elem: etree._Element, path: str) -> str | None:
    found = elem.find(path, _NS)
    if found is None:
        return None
    # itertext, not .text: .text stops at the first child or comment.
    return "".join(found.itertext())


def _count(root: etree._Element, name: str) -> int:
    raw = _text(root, f"opensearch:{name}")
    if raw is None:
        raise ServiceResponseError(f"arXiv feed has no opensearch:{name}")
    value = raw.strip()
    if not value.isascii() or not value.isdigit():
        raise ServiceResponseError(f"arXiv feed has opensearch:{name} {raw!r}, not a count")
    return int(value)


def _date(raw: str | None, what: str, entry_id: str) -> str:
    if raw is None or not raw.strip():
        return ""
    day = raw.strip()[:10]
    try:
        return dt.date.fromisoformat(day).isoformat()
    except ValueError:
        raise ServiceResponseError(
            f"arXiv entry {entry_id} has {what} {raw.strip()!r}, not a date"
        ) from None


def _doi(entry: etree._Element) -> str:
    # An arxiv:doi may list several DOIs separated by spaces; the record holds one.
    tokens = _clean(_text(entry, "arxiv:doi")).split()
    if tokens:
        return tokens[0]
    for link in entry.iterfind("atom:link", _NS):
        if link.get("title") == "doi":
            m = _DOI_URL.match((link.get("href") or "").strip())
            if m:
                return unquote(m["doi"])
    return ""


def _record(entry: etree._Element, entry_id: str) -> ArxivRecord:
    m = _ABS_URL.match(entry_id)
    parsed = parse_arxiv_id(m["id"]) if m else None
    if parsed is None or parsed.version is None:
        raise ServiceResponseError(
            f"arXiv entry id {entry_id!r} is not an abstract URL of a versioned arXiv id"
        )
    authors: list[str] = []
    affiliations: list[tuple[str, ...]] = []
    for author in entry.iterfind("atom:author", _NS):
        name = _clean(_text(author, "atom:name"))
        if not name:
            continue
        authors.append(name)
        found = (_clean("".join(a.itertext())) for a in author.iterfind("arxiv:affiliation", _NS))
        affiliations.append(tuple(a for a in found if a))
    terms = (_clean(c.get("term")) for c in entry.iterfind("atom:category", _NS))
    categories = tuple(dict.fromkeys(t for t in terms if t))
    primary = entry.find("arxiv:primary_category", _NS)
    primary_category = _clean(primary.get("term")) if primary is not None else ""
    return ArxivRecord(
        id=parsed.id,
        version=parsed.version,
        # The legacy API once omitted <title> for the paper titled "0": tolerate it.
        title=_clean(_text(entry, "atom:title")),
        authors=tuple(authors),
        abstract=_clean(_text(entry, "atom:summary")),
        # () when no author has one, so "no affiliations known" has a single spelling.
        affiliations=tuple(affiliations) if any(affiliations) else (),
        primary_category=primary_category or (categories[0] if categories else ""),
        categories=categories,
        comment=_clean(_text(entry, "arxiv:comment")),
        journal_ref=_clean(_text(entry, "arxiv:journal_ref")),
        doi=_doi(entry),
        published=_date(_text(entry, "atom:published"), "published", entry_id),
        updated=_date(_text(entry, "atom:updated"), "updated", entry_id),
    )


def _parse_xml(body: bytes) -> etree._Element:
    if not body.strip():
        raise ServiceResponseError("arXiv answered an empty body")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        root = etree.fromstring(body, parser)
    except (etree.LxmlError, ValueError) as exc:
        raise ServiceResponseError(
            f"arXiv answered something that is not well-formed XML: {_preview(body)} ({exc})"
        ) from None
    if root is None:
        raise ServiceResponseError(f"arXiv answered no XML document: {_preview(body)}")
    docinfo = root.getroottree().docinfo
    # A DTD is the only way to declare entities (a "billion laughs" bomb, an external
    # file): arXiv never sends one, so any DOCTYPE is refused before anything is read.
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise ServiceResponseError(
            "arXiv's answer has a DOCTYPE (an HTML page, or entity declarations): refused"
        )
    if root.tag != f"{{{_ATOM}}}feed":
        raise ServiceResponseError(f"arXiv answered XML that is not an Atom feed: {_preview(body)}")
    return root


def parse_feed(body: bytes) -> Feed:
    """Parse one arXiv API answer (the raw HTTP body) into a :class:`Feed`.

    Pure and strict: raises :class:`ServiceResponseError` for an empty body, a body
    that is not well-formed XML (truncated, HTML, ``Rate exceeded.``), a DOCTYPE (so
    no entity is ever expanded), a root that is not an Atom feed, missing or
    non-numeric ``opensearch`` counts, and paper entries whose id or dates cannot be
    read. Entries without ``<id>`` (the legacy format's nonexistent ids) are skipped;
    error entries go to ``errors``.
    """
    root = _parse_xml(bytes(body))
    total = _count(root, "totalResults")
    start = _count(root, "startIndex")
    per_page = _count(root, "itemsPerPage")
    records: dict[str, ArxivRecord] = {}
    errors: list[ApiError] = []
    count = 0
    for entry in root.iterfind("atom:entry", _NS):
        entry_id = _clean(_text(entry, "atom:id"))
        error = _ERROR_URL.match(entry_id)
        if error:
            errors.append(
                ApiError(
                    code=error["code"] or "",
                    message=_clean(_text(entry, "atom:summary")),
                    url=entry_id,
                )
            )
            continue
        count += 1
        if not entry_id:
            log.debug("skipping an arXiv entry without <id> (an id that does not exist)")
            continue
        record = _record(entry, entry_id)
        kept = records.get(record.id)
        if kept is None or record.version > kept.version:
            records[record.id] = record
    return Feed(
        total_results=total,
        start=start,
        items_per_page=per_page,
        entries=list(records.values()),
        errors=errors,
        entry_count=count,
    )


def _check_errors(feed: Feed) -> None:
    if feed.errors:
        first = feed.errors[0]
        raise ServiceResponseError(f"arXiv answered an error feed: {first.message or first.code}")


def query_url(
    base_url: str,
    *,
    query: str = "",
    id_list: Sequence[str] = (),
    sort_by: arxiv.SortCriterion = arxiv.SortCriterion.Relevance,
    sort_order: arxiv.SortOrder = arxiv.SortOrder.Descending,
    start: int = 0,
    max_results: int,
) -> str:
    """The GET URL of one page of a query: ``base_url`` with the API's parameters in the
    order and spelling the ``arxiv`` package sends them (``search_query``, ``id_list``,
    ``sortBy``, ``sortOrder``, ``start``, ``max_results``)."""
    params = {
        "search_query": query,
        "id_list": ",".join(id_list),
        "sortBy": sort_by.value,
        "sortOrder": sort_order.value,
        "start": str(start),
        "max_results": str(max_results),
    }
    return base_url + ("&" if "?" in base_url else "?") + urlencode(params)


def _spellings(ids: Sequence[str]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Canonical id (no version) -> the spellings asked for, and the strings that cannot
    be sent as one id (a comma, a space) -> why."""
    spellings: dict[str, list[str]] = {}
    failed: dict[str, str] = {}
    for raw in ids:
        parsed = parse_arxiv_id(raw)
        key = parsed.id if parsed else raw.strip()
        if parsed is None and not _SENDABLE.match(key):
            failed[raw] = "not an arXiv id"
            continue
        if raw not in spellings.setdefault(key, []):
            spellings[key].append(raw)
    return spellings, failed


def _check_search(
    query: str, max_results: int, page_size: int, start: int, sort_by: str, sort_order: str
) -> None:
    """UsageError for a search that cannot be sent as asked."""
    if not query.strip():
        raise UsageError("an arXiv search needs a query")
    if not 1 <= max_results <= page_size:
        raise UsageError(f"max_results must be between 1 and {page_size}, not {max_results}")
    if start < 0:
        raise UsageError(f"start must not be negative, not {start}")
    if sort_by not in _SORT_BY or sort_order not in _SORT_ORDER:
        raise UsageError(f"unknown arXiv sort {sort_by!r} {sort_order!r}")


class ArxivClient:
    """A client of the arXiv API query endpoint.

    ``base_url`` is the query endpoint (the CLI passes ``READINGLIST_ARXIV_URL``);
    ``delay`` seconds separate requests, each with a ``timeout`` in seconds; ``retries``
    more attempts follow a retryable failure, waiting ``backoff * 2**attempt`` seconds
    (through ``sleep``, which tests replace). ``page_size`` (at most 100) is both the id
    batch size and the search page size. ``http`` is the shared-policy
    :class:`~readinglist.services.http.HttpClient` every request goes through.
    """

    def __init__(
        self,
        base_url: str,
        delay: float = DEFAULT_DELAY,
        timeout: float = 30,
        retries: int = 4,
        session: requests.Session | None = None,
        page_size: int = MAX_PAGE,
        *,
        backoff: float = 2.0,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        if not 1 <= page_size <= MAX_PAGE:
            raise ValueError(f"page_size must be between 1 and {MAX_PAGE}, not {page_size}")
        self.base_url = base_url
        self.page_size = page_size
        self.http = HttpClient(
            service="arXiv",
            delay=delay,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            session=session,
            sleep=sleep or time.sleep,
        )

    @property
    def requests_made(self) -> int:
        """HTTP requests this client has sent so far, retries included."""
        return self.http.requests_made

    def _get(self, url: str, check: Callable[[Feed], None]) -> Feed:
        """GET one page; retry until its body parses and passes ``check``."""
        parsed: list[Feed] = []

        def validate(response: Answer) -> None:
            try:
                feed = parse_feed(response.content)
            except ServiceResponseError as exc:
                raise RetryableResponse(exc.message) from None
            check(feed)
            parsed.append(feed)

        self.http.request("GET", url, validate=validate)
        return parsed[-1]

    def fetch_ids(self, ids: Sequence[str]) -> FetchResult:
        """Fetch the latest version of each arXiv id, in batches of ``page_size``.

        Ids are sent without their version and matched to entries by canonical id, in
        whatever order arXiv answers. A batch arXiv refuses (HTTP 400: some id in it is
        malformed) is split in halves until the refused ids stand alone; they go to
        ``failed`` and are never retried. A feed whose ``totalResults`` disagrees with
        its entries, or a body that is not an Atom feed, is retried; when retries run
        out, :class:`~readinglist.errors.ServiceError` is raised, so an id is only
        reported ``missing`` on the word of a complete feed (and a feed listing none
        of its batch is confirmed by asking once more). Strings that cannot be
        sent as one id (a comma, a space) fail without a request.
        """
        before = self.http.requests_made
        spellings, failed = _spellings(ids)
        keys = list(spellings)
        records: dict[str, ArxivRecord] = {}
        missing: list[str] = []
        refused: dict[str, str] = {}
        for i in range(0, len(keys), self.page_size):
            self._fetch_batch(keys[i : i + self.page_size], records, missing, refused)
        for key, reason in refused.items():
            for raw in spellings[key]:
                failed[raw] = reason
        missing_ids = [raw for key in missing for raw in spellings[key]]
        log.info(
            "arXiv: %d of %d ids found, %d missing, %d failed",
            len(records),
            len(ids),
            len(missing_ids),
            len(failed),
        )
        return FetchResult(
            records=records,
            missing=missing_ids,
            failed=failed,
            requests=self.http.requests_made - before,
        )

    def _fetch_batch(
        self,
        batch: list[str],
        records: dict[str, ArxivRecord],
        missing: list[str],
        refused: dict[str, str],
    ) -> None:
        url = query_url(self.base_url, id_list=batch, max_results=len(batch))
        try:
            feed = self._get(url, _check_complete)
            if feed.entry_count == 0:
                # arXiv now and then answers a valid feed with no entries for ids that
                # exist (lukasschwab/arxiv.py#43): ask once more before calling them
                # missing.
                log.info("arXiv listed none of %d ids; asking again", len(batch))
                feed = self._get(url, _check_complete)
        except BadRequestError:
            if len(batch) == 1:
                log.warning("arXiv refused the id %r as malformed", batch[0])
                refused[batch[0]] = "arXiv refused the id as malformed (HTTP 400)"
                return
            # One malformed id fails the whole batch; halves find it in log2(n) steps.
            half = len(batch) // 2
            log.info("arXiv refused a batch of %d ids; splitting it", len(batch))
            self._fetch_batch(batch[:half], records, missing, refused)
            self._fetch_batch(batch[half:], records, missing, refused)
            return
        found = {record.id: record for record in feed.entries}
        for key in batch:
            record = found.get(key)
            if record is None:
                missing.append(key)
            else:
                records[key] = record

    def search(
        self,
        query: str,
        *,
        max_results: int,
        sort_by: str = "submittedDate",
        sort_order: str = "descending",
        start: int = 0,
    ) -> Feed:
        """One page of results of an arXiv search query (``ti:"..."``, ``cat:cs.LG``).

        ``max_results`` is at most ``page_size``; for more, use :meth:`iter_search`.
        ``sort_by`` is ``submittedDate``, ``lastUpdatedDate`` or ``relevance``;
        ``sort_order`` ``descending`` or ``ascending``. An empty page before the end of
        the results is retried (arXiv sends those now and then).
        """
        _check_search(query, max_results, self.page_size, start, sort_by, sort_order)
        url = query_url(
            self.base_url,
            query=query,
            sort_by=_SORT_BY[sort_by],
            sort_order=_SORT_ORDER[sort_order],
            start=start,
            max_results=max_results,
        )

        def check(feed: Feed) -> None:
            _check_errors(feed)
            if feed.entry_count == 0 and start < feed.total_results:
                raise RetryableResponse(f"empty page at {start} of {feed.total_results} results")

        return self._get(url, check)

    def iter_search(
        self, query: str, stop_before: dt.date | None = None, max_results: int = 1000
    ) -> Iterator[ArxivRecord]:
        """Papers matching ``query``, newest submission first, each once.

        Pages of ``page_size`` are fetched as the iteration needs them. Stops after
        ``max_results`` papers, at the end of the results, or at the first paper
        published before ``stop_before`` (the watermark of the previous run).
        """
        seen: set[str] = set()
        yielded = 0
        start = 0
        size = min(self.page_size, max_results)
        while yielded < max_results:
            feed = self.search(query, max_results=size, start=start)
            for record in feed.entries:
                if record.id in seen:
                    # Pages can overlap when new papers arrive while paging.
                    continue
                if (
                    stop_before is not None
                    and record.published
                    and dt.date.fromisoformat(record.published) < stop_before
                ):
                    return
                seen.add(record.id)
                yield record
                yielded += 1
                if yielded >= max_results:
                    return
            start += feed.entry_count
            if feed.entry_count == 0 or start >= feed.total_results:
                return


def _check_complete(feed: Feed) -> None:
    _check_errors(feed)
    if feed.total_results != feed.entry_count:
        raise RetryableResponse(
            f"incomplete feed: totalResults {feed.total_results} but {feed.entry_count} entries"
        )
