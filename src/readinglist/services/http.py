"""The HTTP policy every service client shares: timeouts, spacing, retries, counting.

All HTTP of readinglist goes through :class:`HttpClient.request`. Policy lives in the
constructor: base delay between requests (one connection at a time), an explicit timeout
on every request, how many times to retry what can succeed on retry (429, 5xx, timeouts,
connection errors, and answers the caller's ``validate`` calls retryable), exponential
backoff that honours ``Retry-After``. A 400 is never retried. TLS verification is never
turned off. Nothing here prints: progress and retries are logged.
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import requests
import urllib3

from readinglist import PROJECT_URL, __version__, environment
from readinglist.errors import BadRequestError, ServiceError, ServiceResponseError

log = logging.getLogger(__name__)

USER_AGENT = f"readinglist/{__version__} (+{PROJECT_URL})"
CONTACT_VARIABLE = "READINGLIST_CONTACT"


def user_agent(contact: str | None = None) -> str:
    """The User-Agent: our name, version and page, and a contact when one is known.

    ``contact`` (the course file's ``contact:``) is used unless ``READINGLIST_CONTACT``
    names one; arXiv and Semantic Scholar ask clients to say who to write to.
    """
    contact = environment.text(None, CONTACT_VARIABLE) or (contact or "").strip()
    if not contact or any(c in contact for c in "\r\n();\x00"):
        return USER_AGENT
    return f"readinglist/{__version__} (+{PROJECT_URL}; mailto:{contact})"


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


class _Overdue(requests.Timeout):
    """The answer kept coming, but not within the client's ``deadline``."""


class RetryableResponse(Exception):
    """Raised by a ``validate`` callback: the answer came but is not usable yet (for
    example arXiv's ``Rate exceeded.`` with status 200, or a truncated feed)."""


@dataclass(frozen=True)
class Answer:
    """A complete HTTP answer: status, final URL, headers and the whole body.

    What :meth:`HttpClient.request` returns instead of a ``requests.Response``: the body
    is read under the client's limits before anyone sees it, so the answer is plain
    data (nothing is filled into a response object behind its back)."""

    status_code: int
    url: str
    headers: Mapping[str, str] = field(repr=False)
    content: bytes = field(repr=False)


@dataclass
class HttpClient:
    """One service's connection policy.

    ``delay`` seconds are kept between the start of consecutive requests; ``retries``
    more attempts follow a retryable failure, waiting ``backoff * 2**attempt`` seconds
    (or what ``Retry-After`` asks, at most ``max_wait``).
    """

    service: str
    delay: float = 3.0
    timeout: float = 30.0
    retries: int = 4
    backoff: float = 2.0
    max_wait: float = 120.0
    # ``timeout`` bounds each read, so a server dripping a byte at a time would never trip
    # it: a whole answer must also arrive within ``deadline`` seconds and ``max_bytes``.
    deadline: float = 300.0
    max_bytes: int = 512 * 2**20
    # Headers may carry an API key: keep them (and the session) out of repr and logs.
    headers: Mapping[str, str] | None = field(default=None, repr=False)
    session: requests.Session | None = field(default=None, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def __post_init__(self) -> None:
        self.requests_made = 0
        self._last_start: float | None = None
        if self.session is None:
            self.session = requests.Session()
        # A session made by identified_session() already says who we are.
        if not str(self.session.headers.get("User-Agent", "")).startswith("readinglist/"):
            self.session.headers["User-Agent"] = user_agent()

    def _wait_turn(self) -> None:
        if self._last_start is not None and self.delay > 0:
            remaining = self.delay - (time.monotonic() - self._last_start)
            if remaining > 0:
                self.sleep(remaining)
        self._last_start = time.monotonic()

    def _read_body(self, response: requests.Response, started: float) -> bytes:
        """A streamed answer's whole body, read through ``response.raw``; gives up when it
        is not complete ``deadline`` seconds after ``started`` or exceeds ``max_bytes``.
        The connection goes back to the pool either way."""
        read1 = getattr(response.raw, "read1", None)
        if read1 is None:  # not urllib3 underneath (a test double): read it all at once
            return response.content
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := _read_chunk(read1):
                size += len(chunk)
                if size > self.max_bytes:
                    raise ServiceResponseError(
                        f"{self.service} sent an answer larger than {self.max_bytes:,} bytes",
                        url=response.url,
                    )
                if time.monotonic() - started > self.deadline:
                    raise _Overdue()
                chunks.append(chunk)
        finally:
            response.close()
        return b"".join(chunks)

    def request(
        self,
        method: str,
        url: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        validate: Callable[[Answer], None] | None = None,
        ok_statuses: frozenset[int] = frozenset({200}),
    ) -> Answer:
        """Send one request under this client's policy and return the usable answer.

        Raises :class:`BadRequestError` on 400, :class:`ServiceError` when the service
        cannot be reached or keeps failing, :class:`ServiceResponseError` for other
        unexpected statuses.
        """
        merged = dict(self.headers or {})
        merged.update(headers or {})
        last_problem = "no attempt made"
        unusable = False  # the last failure was an answer, not a lost connection
        for attempt in range(self.retries + 1):
            self._wait_turn()
            self.requests_made += 1
            wait: float | None = None
            unusable = False
            started = time.monotonic()
            try:
                assert self.session is not None
                response = self.session.request(
                    method, url, params=params, json=json, headers=merged, timeout=self.timeout,
                    stream=True,
                )  # fmt: skip
                answer = Answer(
                    status_code=response.status_code,
                    url=response.url,
                    headers=response.headers,
                    content=self._read_body(response, started),
                )
            except _Overdue:
                last_problem = f"answer not complete after {self.deadline:g} s"
            except requests.Timeout:
                last_problem = f"timed out after {self.timeout:g} s"
            except requests.ConnectionError as exc:
                last_problem = f"connection failed ({type(exc).__name__})"
            except (requests.exceptions.ChunkedEncodingError,
                    requests.exceptions.ContentDecodingError) as exc:  # fmt: skip
                # The connection broke in the middle of the body: worth another try.
                last_problem = f"answer cut off ({type(exc).__name__})"
            else:
                status = answer.status_code
                if status == 400:
                    error = BadRequestError(
                        f"{self.service} refused the request (HTTP 400)",
                        url=answer.url,
                        status=400,
                    )
                    error.body = answer.content[:65536]
                    raise error
                if status in RETRY_STATUSES:
                    last_problem = f"HTTP {status}"
                    wait = retry_after(answer.headers.get("Retry-After"))
                elif status not in ok_statuses:
                    raise ServiceResponseError(
                        f"{self.service} answered HTTP {status}", url=answer.url, status=status
                    )
                else:
                    if validate is None:
                        return answer
                    try:
                        validate(answer)
                    except RetryableResponse as exc:
                        last_problem = str(exc)
                        unusable = True
                    else:
                        return answer
            if attempt < self.retries:
                pause = wait if wait is not None else self.backoff * (2**attempt)
                pause = min(pause, self.max_wait)
                log.info(
                    "%s: %s; retry %d of %d in %.1f s",
                    self.service,
                    last_problem,
                    attempt + 1,
                    self.retries,
                    pause,
                )
                self.sleep(pause)
        attempts = self.retries + 1
        tries = "1 attempt" if attempts == 1 else f"{attempts} attempts"
        if unusable:
            raise ServiceResponseError(
                f"{self.service} kept sending unusable data ({last_problem}, {tries})",
                url=url,
            )
        raise ServiceError(
            f"could not reach {self.service} ({last_problem} after {tries})", url=url
        )


def identified_session(contact: str | None) -> requests.Session:
    """A session whose User-Agent carries ``contact`` (see :func:`user_agent`), for the
    service clients, which take a ``session``."""
    session = requests.Session()
    session.headers["User-Agent"] = user_agent(contact)
    return session


def retry_after(value: str | None) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number of seconds or an HTTP
    date); None when there is none or it says neither ("soon": use our own backoff)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _read_chunk(read1: Callable[..., bytes]) -> bytes:
    """What the server has sent so far (at most 64 KiB), with urllib3's errors turned into
    requests' (as ``Response.iter_content`` does)."""
    try:
        return read1(65536, decode_content=True)
    except urllib3.exceptions.ReadTimeoutError as exc:
        raise requests.exceptions.ReadTimeout(exc) from None
    except urllib3.exceptions.SSLError as exc:
        raise requests.exceptions.SSLError(exc) from None
    except urllib3.exceptions.ProtocolError as exc:
        raise requests.exceptions.ChunkedEncodingError(exc) from None
    except urllib3.exceptions.DecodeError as exc:
        raise requests.exceptions.ContentDecodingError(exc) from None
