"""Semantic Scholar Graph API: citation data and publication venues of listed papers.

Two layers, as in every service module:

- **Pure parsers** (:func:`parse_batch`, :func:`parse_references_page`,
  :func:`parse_match`, :func:`parse_error`) turn response bytes into frozen records. They
  do no I/O, trust nothing in the body, tolerate ``null`` in every optional field, and
  raise only :class:`~readinglist.errors.ServiceResponseError` for a body they cannot use.
- **The client** (:class:`SemanticScholarClient`) sends every request through the shared
  :class:`~readinglist.services.http.HttpClient` policy: one request at a time, spaced by
  ``delay``, retrying 429 (honouring ``Retry-After``), 5xx and unusable bodies with
  exponential backoff.

Truncated references: Semantic Scholar caps the nested ``references`` of a batch answer.
The client asks for ``referenceCount`` too, and a paper's references count as complete
when the answer lists at least ``referenceCount`` of them; without a ``referenceCount``
they count as complete when fewer than :data:`REFERENCE_CAP` came back. Incomplete
references are paged through ``/paper/{paperId}/references``. (A paper whose publisher
elides its references has ``referenceCount`` > 0 and an empty list: it costs one page
request, which then answers what there is.)

The API key is sent as the ``x-api-key`` header of each request and kept nowhere else:
not in the shared HTTP client, the session, ``repr``, log records or exception messages.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import requests

from readinglist.errors import ServiceResponseError, UsageError
from readinglist.ids import ArxivId, arxiv_from_doi, normalize_doi, parse_arxiv_id
from readinglist.model import Publication
from readinglist.services.http import Answer, HttpClient, RetryableResponse

log = logging.getLogger(__name__)

SERVICE = "Semantic Scholar"
"""The service's name in messages."""
DEFAULT_URL = "https://api.semanticscholar.org/graph/v1"
"""The Graph API base URL (``READINGLIST_S2_URL`` overrides it)."""
BATCH_SIZE = 500
"""The most ids ``POST /paper/batch`` accepts in one request."""
REFERENCE_CAP = 1000
"""Without a ``referenceCount``, this many nested references means "maybe truncated"."""
PAGE_SIZE = 1000
"""References asked for per page of ``/paper/{id}/references`` (the API's maximum)."""

PAPER_FIELDS = (
    "title,year,venue,publicationVenue,externalIds,citationCount,referenceCount,authors,"
    "references.paperId,references.externalIds,references.title,references.year"
)
"""The fields asked of ``/paper/batch`` (``referenceCount`` to detect truncation)."""
REFERENCE_FIELDS = "paperId,externalIds,title,year"
"""The fields asked of each cited paper on ``/paper/{id}/references``."""

# Venue names that are preprint servers, not publications. A whole-word prefix, because
# S2 writes "arXiv.org", "ArXiv" and (older records) "arXiv: Machine Learning", while
# "Corrosion Science" is a journal.
_PREPRINT_VENUE = re.compile(
    r"^\s*(?:arxiv|corr|biorxiv|medrxiv|ssrn|research square)\b", re.IGNORECASE
)
_EMPTY_IDS: Mapping[str, str] = MappingProxyType({})
# JSON may escape half of a surrogate pair alone; such a string cannot be written
# as UTF-8 (a sync would fail saving it), so each lone half becomes U+FFFD.
_SURROGATE = re.compile("[\ud800-\udfff]")
# Control characters (and U+FFFE/U+FFFF) are no text: they would reach terminals as
# escape sequences and make GraphML, GEXF and the site's feed invalid XML.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


def _unicode(value: str) -> str:
    """``value`` as text that can always be saved and shown: lone surrogates become
    U+FFFD, control characters other than whitespace are dropped."""
    return _CONTROL.sub("", _SURROGATE.sub("\ufffd", value))


def _external_ids(value: Any, where: str) -> Mapping[str, str]:
    """``externalIds`` as strings (``CorpusId`` arrives as a number); nulls dropped."""
    if value is None:
        return _EMPTY_IDS
    if not isinstance(value, dict):
        raise ServiceResponseError(f"{SERVICE}: {where}externalIds is not an object")
    out: dict[str, str] = {}
    for name, raw in value.items():
        if raw is None:
            continue
        if isinstance(raw, bool) or not isinstance(raw, str | int):
            raise ServiceResponseError(f"{SERVICE}: {where}externalIds.{name} is not a scalar")
        out[_unicode(str(name))] = _unicode(str(raw))
    return MappingProxyType(out)


class _Identified:
    """Canonical identifiers derived from ``paper_id`` and ``external_ids``."""

    paper_id: str | None
    external_ids: Mapping[str, str]

    @property
    def arxiv(self) -> ArxivId | None:
        """The canonical arXiv id (``externalIds.ArXiv``, else an arXiv DataCite DOI)."""
        raw = self.external_ids.get("ArXiv")
        if raw:
            found = parse_arxiv_id(raw)
            if found:
                return ArxivId(found.id)
        doi = self.doi
        if doi:
            found = arxiv_from_doi(doi)
            if found:
                return ArxivId(found.id)
        return None

    @property
    def doi(self) -> str | None:
        """The DOI, normalized (lower case, no prefix), or None."""
        raw = self.external_ids.get("DOI")
        return normalize_doi(raw) if raw else None

    @property
    def canonical_ids(self) -> Mapping[str, str]:
        """``{"s2": paperId, "arxiv": id, "doi": doi, "dblp": key}``, known ones only.

        The shape of :attr:`readinglist.model.ExternalPaper.ids`.
        """
        out: dict[str, str] = {}
        if self.paper_id:
            out["s2"] = self.paper_id
        arxiv = self.arxiv
        if arxiv:
            out["arxiv"] = arxiv.id
        doi = self.doi
        if doi:
            out["doi"] = doi
        dblp = self.external_ids.get("DBLP")
        if dblp:
            out["dblp"] = dblp
        return MappingProxyType(out)


@dataclass(frozen=True)
class S2Reference(_Identified):
    """One paper a paper cites. ``paper_id`` is None when S2 could not resolve it."""

    paper_id: str | None
    title: str
    year: int | None
    external_ids: Mapping[str, str] = field(default_factory=lambda: _EMPTY_IDS, hash=False)

    @property
    def resolved(self) -> bool:
        """True when Semantic Scholar matched the reference to a paper of its own."""
        return self.paper_id is not None


@dataclass(frozen=True)
class S2Paper(_Identified):
    """What Semantic Scholar says of one paper.

    ``references_complete`` is False when the references may be truncated or were not
    part of the answer (see the module docstring for the rule).
    """

    paper_id: str
    title: str
    year: int | None
    venue: str
    publication_venue_name: str
    publication_venue_type: str
    external_ids: Mapping[str, str] = field(hash=False)
    citation_count: int | None
    references: tuple[S2Reference, ...]
    references_complete: bool
    reference_count: int | None = None
    authors: tuple[str, ...] = ()

    def publication(self) -> Publication | None:
        """Where this paper was published; see :func:`publication`."""
        return publication(self)


@dataclass(frozen=True)
class FetchResult:
    """The answer of :meth:`SemanticScholarClient.fetch_papers`.

    ``papers`` maps every requested id to its paper, or None when S2 does not know it;
    ``requests`` counts the HTTP requests made, retries and reference pages included.
    """

    papers: Mapping[str, S2Paper | None]
    requests: int


def _is_preprint_venue(name: str) -> bool:
    return not name.strip() or bool(_PREPRINT_VENUE.match(name))


def publication(paper: S2Paper) -> Publication | None:
    """The published version of ``paper`` (venue, year, DOI, DBLP key), or None.

    None when the paper has no venue or only a preprint server's (arXiv, CoRR, bioRxiv,
    medRxiv, SSRN, Research Square). The arXiv DataCite DOI and DBLP's CoRR keys
    (``journals/corr/...``) describe the preprint, so they are left out.
    """
    venue = paper.publication_venue_name or paper.venue
    if _is_preprint_venue(venue):
        return None
    doi = paper.doi or ""
    if doi.startswith("10.48550/"):
        doi = ""
    dblp = paper.external_ids.get("DBLP", "")
    if dblp.startswith("journals/corr/"):
        dblp = ""
    return Publication(
        venue=venue.strip(), year=paper.year, doi=doi, dblp=dblp, source="semanticscholar"
    )


def _load(body: bytes) -> Any:
    try:
        return json.loads(body)
    except (ValueError, RecursionError) as exc:
        # ValueError covers bad JSON and bytes that are not UTF-8/16/32.
        raise ServiceResponseError(f"{SERVICE} answered invalid JSON ({exc})") from None


def _text(obj: Mapping[str, Any], key: str, where: str) -> str:
    value = obj.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ServiceResponseError(f"{SERVICE}: {where}{key} is not a string")
    return _unicode(value)


def _count(obj: Mapping[str, Any], key: str, where: str) -> int | None:
    value = obj.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise ServiceResponseError(f"{SERVICE}: {where}{key} is not an integer")
    return value


def _reference(obj: Any, where: str) -> S2Reference:
    if not isinstance(obj, dict):
        raise ServiceResponseError(f"{SERVICE}: {where}is not an object")
    paper_id = obj.get("paperId")
    if paper_id is not None and not isinstance(paper_id, str):
        raise ServiceResponseError(f"{SERVICE}: {where}paperId is not a string")
    return S2Reference(
        paper_id=_unicode(paper_id) if paper_id else None,
        title=_text(obj, "title", where),
        year=_count(obj, "year", where),
        external_ids=_external_ids(obj.get("externalIds"), where),
    )


def _authors(raw: Any, where: str) -> tuple[str, ...]:
    """Author names of a paper answer (``[{"authorId", "name"}]``); nulls skipped."""
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ServiceResponseError(f"{SERVICE}: {where}authors is not a list")
    names = []
    for item in raw:
        if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"].strip():
            names.append(_unicode(item["name"].strip()))
    return tuple(names)


def parse_paper(obj: Any) -> S2Paper:
    """One paper object of a Semantic Scholar answer (already decoded JSON).

    Raises :class:`ServiceResponseError` when it is not an object with a ``paperId``
    or a field has the wrong type; ``null`` is accepted for every other field.
    """
    if not isinstance(obj, dict):
        raise ServiceResponseError(f"{SERVICE}: a paper is not an object")
    paper_id = obj.get("paperId")
    if not isinstance(paper_id, str) or not paper_id:
        raise ServiceResponseError(f"{SERVICE}: a paper has no paperId")
    where = f"paper {paper_id}: "
    venue_obj = obj.get("publicationVenue")
    if venue_obj is not None and not isinstance(venue_obj, dict):
        raise ServiceResponseError(f"{SERVICE}: {where}publicationVenue is not an object")
    venue_obj = venue_obj or {}
    raw_refs = obj.get("references")
    if raw_refs is not None and not isinstance(raw_refs, list):
        raise ServiceResponseError(f"{SERVICE}: {where}references is not a list")
    references = tuple(
        _reference(item, f"{where}reference {i}: ")
        for i, item in enumerate(raw_refs or ())
        if item is not None
    )
    reference_count = _count(obj, "referenceCount", where)
    if raw_refs is None:
        complete = False
    elif reference_count is not None:
        complete = len(references) >= reference_count
    else:
        complete = len(references) < REFERENCE_CAP
    return S2Paper(
        paper_id=_unicode(paper_id),
        title=_text(obj, "title", where),
        year=_count(obj, "year", where),
        venue=_text(obj, "venue", where),
        publication_venue_name=_text(venue_obj, "name", f"{where}publicationVenue."),
        publication_venue_type=_text(venue_obj, "type", f"{where}publicationVenue."),
        external_ids=_external_ids(obj.get("externalIds"), where),
        citation_count=_count(obj, "citationCount", where),
        authors=_authors(obj.get("authors"), where),
        references=references,
        references_complete=complete,
        reference_count=reference_count,
    )


def parse_batch(body: bytes, requested: Sequence[str]) -> list[S2Paper | None]:
    """The answer of ``POST /paper/batch``: one paper (or None, unknown id) per request id.

    The answer must be a list exactly as long as ``requested``: a shorter or longer list
    cannot be aligned safely, so it raises :class:`ServiceResponseError`, as do invalid
    JSON and anything that is not a list of objects and nulls.
    """
    data = _load(body)
    if not isinstance(data, list):
        raise ServiceResponseError(f"{SERVICE}: the batch answer is not a list")
    if len(data) != len(requested):
        raise ServiceResponseError(
            f"{SERVICE}: the batch answer has {len(data)} papers for {len(requested)} ids"
        )
    return [None if item is None else parse_paper(item) for item in data]


def parse_references_page(body: bytes) -> tuple[list[S2Reference], int | None]:
    """One page of ``GET /paper/{id}/references``: its references and the next offset.

    The next offset is None on the last page (no ``next``). Unresolved references
    (``citedPaper.paperId`` null) are kept, with ``paper_id`` None.
    """
    data, items = _data_list(body, "references page")
    references: list[S2Reference] = []
    for i, item in enumerate(items):
        if item is None:
            continue
        if not isinstance(item, dict):
            raise ServiceResponseError(f"{SERVICE}: reference {i} of the page is not an object")
        cited = item.get("citedPaper")
        if cited is not None:
            references.append(_reference(cited, f"reference {i}: "))
    next_offset = _count(data, "next", "references page: ")
    return references, next_offset


def parse_match(body: bytes) -> list[S2Paper]:
    """The answer of a search (``/paper/search``, ``/paper/search/match``): its papers."""
    _, items = _data_list(body, "search answer")
    return [parse_paper(item) for item in items if item is not None]


def _data_list(body: bytes, what: str) -> tuple[dict[str, Any], list[Any]]:
    """An answer of the form ``{"data": [...], ...}``: the object and its list.

    An error body (``{"error": ...}``: "Title match not found", an unknown paper) has no
    ``data`` and must not pass for an empty result, so it is refused.
    """
    data = _load(body)
    if not isinstance(data, dict):
        raise ServiceResponseError(f"{SERVICE}: the {what} is not an object")
    if "data" not in data:
        raise ServiceResponseError(f"{SERVICE}: the {what} has no data")
    items = data.get("data")
    if items is not None and not isinstance(items, list):
        raise ServiceResponseError(f"{SERVICE}: the {what}'s data is not a list")
    return data, items or []


def parse_error(body: bytes) -> str | None:
    """The message of an error body (``{"error": "Paper with id 0 not found"}``), or None."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict):
        message = data.get("error") or data.get("message")
        if isinstance(message, str):
            return message
    return None


def request_id_for_arxiv(arxiv: ArxivId | str) -> str:
    """The batch id of an arXiv paper: ``ARXIV:<id>`` without version (S2 wants it so)."""
    if isinstance(arxiv, str):
        parsed = parse_arxiv_id(arxiv)
        if parsed is None:
            raise UsageError(f"not an arXiv id: {arxiv!r}")
        arxiv = parsed
    return f"ARXIV:{arxiv.id}"


def request_id_for_doi(doi: str) -> str:
    """The batch id of a paper with a DOI: ``DOI:<normalized doi>``."""
    normalized = normalize_doi(doi)
    if normalized is None:
        raise UsageError(f"not a DOI: {doi!r}")
    return f"DOI:{normalized}"


def _wire_id(request_id: str) -> str:
    """The form sent to S2: arXiv ids lose their version, DOIs are normalized."""
    kind, sep, rest = request_id.partition(":")
    if sep and kind.upper() == "ARXIV":
        parsed = parse_arxiv_id(rest)
        return f"ARXIV:{parsed.id}" if parsed else request_id
    if sep and kind.upper() == "DOI":
        doi = normalize_doi(rest)
        return f"DOI:{doi}" if doi else request_id
    return request_id


class SemanticScholarClient:
    """A Semantic Scholar Graph API client; policy lives in the constructor.

    ``delay`` seconds between requests (S2 allows about one a second with a key, and
    shares a small pool among keyless callers), ``timeout`` on every request, ``retries``
    more attempts after a 429, 5xx, timeout or unusable answer, waiting ``backoff *
    2**attempt`` seconds or what ``Retry-After`` says. ``sleep`` is injectable so tests
    can observe the waits without making them.
    """

    def __init__(
        self,
        base_url: str = DEFAULT_URL,
        api_key: str | None = None,
        delay: float = 1.0,
        timeout: float = 30,
        retries: int = 6,
        session: requests.Session | None = None,
        *,
        backoff: float = 2.0,
        page_size: int = PAGE_SIZE,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.delay = delay
        self.timeout = timeout
        self.retries = retries
        self.page_size = page_size
        # Kept out of HttpClient (a dataclass whose repr shows its headers) and out of
        # the session; it is added to each request's headers only.
        self._api_key = api_key or None
        self._http = HttpClient(
            service=SERVICE,
            delay=delay,
            timeout=timeout,
            retries=retries,
            backoff=backoff,
            session=session,
            sleep=sleep,
        )

    @property
    def has_api_key(self) -> bool:
        """True when requests carry an API key."""
        return self._api_key is not None

    @property
    def requests_made(self) -> int:
        """HTTP requests this client has sent, retries included."""
        return self._http.requests_made

    def __repr__(self) -> str:
        key = "'***'" if self._api_key else "None"
        return (
            f"{type(self).__name__}(base_url={self.base_url!r}, api_key={key}, "
            f"delay={self.delay!r}, timeout={self.timeout!r}, retries={self.retries!r})"
        )

    def _headers(self) -> dict[str, str]:
        return {"x-api-key": self._api_key} if self._api_key else {}

    def fetch_papers(self, ids: Sequence[str]) -> FetchResult:
        """Fetch papers by id (``ARXIV:1806.07572``, ``DOI:10.1145/...``), 500 per request.

        Every paper's references are complete on return unless the references endpoint
        answered 404 for it (then they stay as the batch gave them, with a warning).
        Raises :class:`ServiceError` when S2 keeps failing (after retries) and
        :class:`BadRequestError` when it refuses a request.
        """
        before = self._http.requests_made
        wire = {request_id: _wire_id(request_id) for request_id in ids}
        unique = list(dict.fromkeys(wire.values()))
        found: dict[str, S2Paper | None] = {}
        for start in range(0, len(unique), BATCH_SIZE):
            chunk = unique[start : start + BATCH_SIZE]
            found.update(zip(chunk, self._fetch_batch(chunk), strict=True))
        # Two ids (an arXiv id and a DOI) can name one paper: page its references once.
        paged: dict[str, tuple[S2Reference, ...] | None] = {}
        for wire_id, paper in found.items():
            if paper is not None and not paper.references_complete:
                if paper.paper_id not in paged:
                    paged[paper.paper_id] = self.fetch_references(paper.paper_id)
                references = paged[paper.paper_id]
                if references is not None:
                    found[wire_id] = replace(paper, references=references, references_complete=True)
        papers = {request_id: found[wire_id] for request_id, wire_id in wire.items()}
        return FetchResult(papers=papers, requests=self._http.requests_made - before)

    def _fetch_batch(self, chunk: list[str]) -> list[S2Paper | None]:
        parsed: list[list[S2Paper | None]] = []

        def validate(response: Answer) -> None:
            try:
                parsed.append(parse_batch(response.content, chunk))
            except ServiceResponseError as exc:
                raise RetryableResponse(exc.message) from None

        self._http.request(
            "POST",
            f"{self.base_url}/paper/batch",
            params={"fields": PAPER_FIELDS},
            json={"ids": chunk},
            headers=self._headers(),
            validate=validate,
        )
        log.debug("%s: batch of %d ids answered", SERVICE, len(chunk))
        return parsed[-1]

    def fetch_references(self, paper_id: str) -> tuple[S2Reference, ...] | None:
        """Every reference of one paper, paging ``/paper/{paper_id}/references``.

        Returns None (and logs a warning) when S2 answers 404 for the paper.
        """
        references: list[S2Reference] = []
        offset: int | None = 0
        while offset is not None:
            page = self._fetch_references_page(paper_id, offset)
            if page is None:
                return None
            found, next_offset = page
            references.extend(found)
            if next_offset is not None and next_offset <= offset:
                # A `next` that does not advance would page forever.
                raise ServiceResponseError(
                    f"{SERVICE}: references of {paper_id} page back to offset {next_offset}"
                )
            offset = next_offset
        return tuple(references)

    def _fetch_references_page(
        self, paper_id: str, offset: int
    ) -> tuple[list[S2Reference], int | None] | None:
        pages: list[tuple[list[S2Reference], int | None]] = []

        def validate(response: Answer) -> None:
            if response.status_code != 200:
                return
            try:
                pages.append(parse_references_page(response.content))
            except ServiceResponseError as exc:
                raise RetryableResponse(exc.message) from None

        response = self._http.request(
            "GET",
            f"{self.base_url}/paper/{paper_id}/references",
            params={"fields": REFERENCE_FIELDS, "offset": offset, "limit": self.page_size},
            headers=self._headers(),
            validate=validate,
            ok_statuses=frozenset({200, 404}),
        )
        if response.status_code == 404:
            log.warning(
                "%s: no references for paper %s (HTTP 404: %s); keeping what the batch "
                "answer listed",
                SERVICE,
                paper_id,
                parse_error(response.content) or "not found",
            )
            return None
        return pages[-1]
