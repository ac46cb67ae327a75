"""A stand-in for the Semantic Scholar Graph API on 127.0.0.1, for tests.

A real ``ThreadingHTTPServer`` on a free loopback port, speaking the recorded format of
``/graph/v1/paper/batch`` and ``/graph/v1/paper/{id}/references`` (field names as in the
fixtures under ``shared/fixtures/semanticscholar``). It records every request and
injects faults on demand, one per request::

    papers = {"ARXIV:1806.07572": {"paperId": "ab12", "title": "...", "references": [...]}}
    with S2StandIn(papers, max_refs_in_batch=5) as s2:
        s2.inject(["429", "ok", "malformed"])
        client = SemanticScholarClient(s2.url, delay=0)

Papers are keyed by request id and given as S2 returns them with every field, including
the complete ``references`` list (each ``{"paperId", "externalIds", "title", "year"}``)
and ``referenceCount``. Answers carry only the requested ``fields`` (plus ``paperId``),
as the real API does, so a client that forgets to ask for a field does not get it.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

PREFIX = "/graph/v1"
"""The path every endpoint lives under, as on api.semanticscholar.org."""
MAX_BATCH = 500
"""The most ids one batch request may carry (more is HTTP 400, as documented by S2)."""
MAX_LIMIT = 1000
"""The largest ``limit`` of a references page."""

FAULTS = frozenset({"ok", "429", "429-retry-after", "malformed", "short"})
"""Fault names for :meth:`S2StandIn.inject`: ``ok`` (none), ``429`` (no Retry-After),
``429-retry-after``, ``malformed`` (HTTP 200, invalid JSON), ``short`` (a batch answer
without its last element; no effect on other requests). Any three-digit status
(``"500"``, ``"503"``, ``"404"``, ``"400"``) is a fault too, with an ``{"error"}`` body."""


@dataclass(frozen=True)
class RecordedRequest:
    """One request the stand-in received (headers with lower-case names)."""

    method: str
    path: str
    query: Mapping[str, str]
    body: Any
    headers: Mapping[str, str]
    fault: str | None

    @property
    def ids(self) -> list[str]:
        """The ids of a batch request (empty for other requests)."""
        if isinstance(self.body, dict) and isinstance(self.body.get("ids"), list):
            return self.body["ids"]
        return []


def _dumps(data: Any) -> bytes:
    # Compact separators and a trailing newline: the bytes S2 sends (see test_not_found).
    return (json.dumps(data, separators=(",", ":")) + "\n").encode()


def _project(obj: Mapping[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """Only the requested fields (``references.title`` selects inside references)."""
    top: dict[str, list[str]] = {}
    for name in fields:
        head, _, sub = name.partition(".")
        top.setdefault(head, [])
        if sub:
            top[head].append(sub)
    out: dict[str, Any] = {"paperId": obj.get("paperId")}
    for head, subs in top.items():
        if head not in obj:
            continue
        value = obj[head]
        if head in ("references", "citations") and isinstance(value, list):
            value = [None if v is None else _project(v, subs or ["title"]) for v in value]
        out[head] = value
    return out


class S2StandIn:
    """The stand-in server; use it as a context manager.

    ``max_refs_in_batch`` caps the ``references`` of each batch answer (S2 caps them
    too), so a paper with more references must be paged. ``retry_after`` is the
    ``Retry-After`` (seconds) of the ``429-retry-after`` fault.
    """

    def __init__(
        self,
        papers: Mapping[str, Mapping[str, Any]],
        *,
        max_refs_in_batch: int = 1000,
        retry_after: int = 3,
    ) -> None:
        self.papers = dict(papers)
        self.max_refs_in_batch = max_refs_in_batch
        self.retry_after = retry_after
        self.requests: list[RecordedRequest] = []
        self._faults: deque[str] = deque()
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- control -----------------------------------------------------------------
    def inject(self, faults: Iterable[str]) -> None:
        """Queue faults; each request consumes the next one (``"ok"`` = no fault)."""
        faults = list(faults)
        for fault in faults:
            if fault not in FAULTS and not (fault.isdigit() and len(fault) == 3):
                raise ValueError(f"unknown fault {fault!r}")
        with self._lock:
            self._faults.extend(faults)

    @property
    def pending_faults(self) -> int:
        """Faults not consumed yet."""
        with self._lock:
            return len(self._faults)

    @property
    def url(self) -> str:
        """The API base URL: ``http://127.0.0.1:PORT/graph/v1``."""
        assert self._server is not None, "the stand-in is not running"
        return f"http://127.0.0.1:{self._server.server_address[1]}{PREFIX}"

    @property
    def api_keys(self) -> list[str | None]:
        """The ``x-api-key`` header of each request, None where it was not sent."""
        return [r.headers.get("x-api-key") for r in self.requests]

    @property
    def api_key_sent(self) -> bool:
        """True when any request carried an ``x-api-key`` header."""
        return any(key is not None for key in self.api_keys)

    def batch_requests(self) -> list[RecordedRequest]:
        """The ``POST /paper/batch`` requests, in order."""
        return [r for r in self.requests if r.path == f"{PREFIX}/paper/batch"]

    def reference_requests(self) -> list[RecordedRequest]:
        """The ``GET /paper/{id}/references`` requests, in order."""
        return [r for r in self.requests if r.path.endswith("/references")]

    def __enter__(self) -> S2StandIn:
        handler = type("Handler", (_Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown (and so each test) fast.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._server is not None and self._thread is not None
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # -- serving -----------------------------------------------------------------
    def _next_fault(self) -> str | None:
        with self._lock:
            return self._faults.popleft() if self._faults else None

    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def _find(self, paper_id: str) -> Mapping[str, Any] | None:
        """A paper by request id (``ARXIV:...``, ``DOI:...``) or by its paperId."""
        if paper_id in self.papers:
            return self.papers[paper_id]
        return next((p for p in self.papers.values() if p.get("paperId") == paper_id), None)

    def answer(
        self, method: str, path: str, query: Mapping[str, str], body: Any, fault: str | None
    ) -> tuple[int, dict[str, str], bytes]:
        """The status, extra headers and body for one request (faults applied)."""
        if fault == "429":
            return 429, {}, _dumps({"message": "Too Many Requests", "code": "429"})
        if fault == "429-retry-after":
            headers = {"Retry-After": str(self.retry_after)}
            return 429, headers, _dumps({"message": "Too Many Requests", "code": "429"})
        if fault == "malformed":
            return 200, {}, b'[{"paperId": "trunc'
        if fault and fault.isdigit():
            return int(fault), {}, _dumps({"error": f"injected HTTP {fault}"})
        fields = [f for f in query.get("fields", "").split(",") if f]
        if method == "POST" and path == f"{PREFIX}/paper/batch":
            return self._batch(body, fields, short=fault == "short")
        marker = f"{PREFIX}/paper/"
        if method == "GET" and path.startswith(marker) and path.endswith("/references"):
            paper_id = unquote(path[len(marker) : -len("/references")])
            return self._references(paper_id, query, fields)
        return 404, {}, _dumps({"error": "Not Found"})

    def _batch(
        self, body: Any, fields: list[str], *, short: bool
    ) -> tuple[int, dict[str, str], bytes]:
        ids = body.get("ids") if isinstance(body, dict) else None
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            return 400, {}, _dumps({"error": "Unacceptable request body: ids"})
        if len(ids) > MAX_BATCH:
            return 400, {}, _dumps({"error": f"No more than {MAX_BATCH} ids may be requested"})
        answer: list[dict[str, Any] | None] = []
        for request_id in ids:
            paper = self.papers.get(request_id)
            if paper is None:
                answer.append(None)
                continue
            projected = _project(paper, fields)
            if isinstance(projected.get("references"), list):
                projected["references"] = projected["references"][: self.max_refs_in_batch]
            answer.append(projected)
        if short and answer:
            answer.pop()
        return 200, {}, _dumps(answer)

    def _references(
        self, paper_id: str, query: Mapping[str, str], fields: list[str]
    ) -> tuple[int, dict[str, str], bytes]:
        paper = self._find(paper_id)
        if paper is None:
            return 404, {}, _dumps({"error": f"Paper with id {paper_id} not found"})
        try:
            offset = int(query.get("offset", "0"))
            limit = int(query.get("limit", "100"))
        except ValueError:
            return 400, {}, _dumps({"error": "offset and limit must be integers"})
        if offset < 0 or not 1 <= limit <= MAX_LIMIT:
            return 400, {}, _dumps({"error": f"limit must be between 1 and {MAX_LIMIT}"})
        references = paper.get("references") or []
        page: dict[str, Any] = {
            "offset": offset,
            "data": [
                {"citedPaper": _project(ref, fields or ["title"])}
                for ref in references[offset : offset + limit]
            ],
        }
        if offset + limit < len(references):
            page["next"] = offset + limit
        return 200, {}, _dumps(page)


class _Handler(BaseHTTPRequestHandler):
    standin: S2StandIn

    def _serve(self) -> None:
        split = urlsplit(self.path)
        query = {k: v[-1] for k, v in parse_qs(split.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            body = raw
        fault = self.standin._next_fault()
        self.standin._record(
            RecordedRequest(
                method=self.command,
                path=split.path,
                query=query,
                body=body,
                headers={k.lower(): v for k, v in self.headers.items()},
                fault=fault,
            )
        )
        status, headers, payload = self.standin.answer(self.command, split.path, query, body, fault)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def do_GET(self) -> None:
        """Answer a GET (``http.server`` dispatches on this name)."""
        self._serve()

    def do_POST(self) -> None:
        """Answer a POST."""
        self._serve()

    def log_message(self, format: str, *args: Any) -> None:
        """Silence the default stderr access log (tests inspect ``requests`` instead)."""
