"""The environment variables readinglist reads: all of them here, through one validator.

Only the entry points call this module (the CLI, and for the cache the store's default
that the MkDocs plugin also relies on); everything below them takes plain parameters.

| variable | meaning | default |
| --- | --- | --- |
| ``READINGLIST_ARXIV_URL`` | arXiv API query endpoint | arXiv's |
| ``READINGLIST_ARXIV_DELAY`` | seconds between arXiv requests | 3 |
| ``READINGLIST_ARXIV_TIMEOUT`` / ``_RETRIES`` / ``_BACKOFF`` | arXiv client policy | client's |
| ``READINGLIST_ARXIV_PAGE_SIZE`` | ids per batch, results per page (1-100) | 100 |
| ``READINGLIST_S2_URL`` | Semantic Scholar Graph API base URL | S2's |
| ``READINGLIST_S2_DELAY`` | seconds between Semantic Scholar requests | 1 |
| ``READINGLIST_S2_TIMEOUT`` / ``_RETRIES`` / ``_BACKOFF`` | S2 client policy | client's |
| ``S2_API_KEY`` | Semantic Scholar API key (sent, never shown) | none |
| ``READINGLIST_TODAY`` | the day a sync or add dates its changes (``YYYY-MM-DD``) | today |
| ``READINGLIST_CACHE_DIR`` | parsed-file cache; empty: no cache | ``$XDG_CACHE_HOME/readinglist`` |
| ``READINGLIST_DEBUG`` | tracebacks instead of one-line errors when set | unset |

A value that does not validate is a :class:`~readinglist.errors.UsageError` (exit 2)
naming the variable and the value (never an API key's value).
"""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from readinglist.errors import UsageError

T = TypeVar("T")

DELAY_LIMIT = 86400.0
"""The largest delay between requests accepted, in seconds."""


def _env(environ: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if environ is None else environ


def setting(
    environ: Mapping[str, str] | None, name: str, parse: Callable[[str], T], must_be: str
) -> T | None:
    """The one validator: the variable ``name`` read with ``parse`` (None when unset or
    empty); UsageError ``NAME must be <must_be>, not '<value>'`` when ``parse`` raises
    ValueError."""
    raw = _env(environ).get(name, "").strip()
    if not raw:
        return None
    try:
        return parse(raw)
    except ValueError:
        raise UsageError(f"{name} must be {must_be}, not {raw!r}") from None


def _number(kind: Callable[[str], float], low: float, high: float) -> Callable[[str], Any]:
    def parse(raw: str) -> float:
        value = kind(raw)
        if not (math.isfinite(value) and low <= value <= high):
            raise ValueError(raw)
        return value

    return parse


def number(
    environ: Mapping[str, str] | None, name: str, kind: type, low: float, high: float
) -> Any:
    """A number (``int`` or ``float``) from ``low`` to ``high``, or None when unset."""
    return setting(environ, name, _number(kind, low, high), f"a number from {low:g} to {high:g}")


def client_options(
    environ: Mapping[str, str] | None, prefix: str, *, page_size: bool = False
) -> dict[str, Any]:
    """A service client's policy from ``<prefix>_DELAY``, ``_TIMEOUT``, ``_RETRIES``,
    ``_BACKOFF`` (and ``_PAGE_SIZE``): only the variables that are set."""
    found = {
        "delay": number(environ, f"{prefix}_DELAY", float, 0, DELAY_LIMIT),
        "timeout": number(environ, f"{prefix}_TIMEOUT", float, 0.001, 3600),
        "retries": number(environ, f"{prefix}_RETRIES", int, 0, 20),
        "backoff": number(environ, f"{prefix}_BACKOFF", float, 0, 600),
    }
    if page_size:
        found["page_size"] = number(environ, f"{prefix}_PAGE_SIZE", int, 1, 100)
    return {k: v for k, v in found.items() if v is not None}


def text(environ: Mapping[str, str] | None, name: str) -> str | None:
    """A free-form value (a URL, an API key), stripped; None when unset or empty."""
    return setting(environ, name, str, "text")


def today(environ: Mapping[str, str] | None = None) -> dt.date:
    """Today, or ``READINGLIST_TODAY`` (``YYYY-MM-DD``) when set (tests, replays)."""
    day = setting(environ, "READINGLIST_TODAY", dt.date.fromisoformat, "a date YYYY-MM-DD")
    return day or dt.date.today()


def cache_dir(environ: Mapping[str, str] | None = None) -> Path | None:
    """Where parsed ``.bib`` files are cached: ``READINGLIST_CACHE_DIR`` (set but empty:
    no cache), else ``$XDG_CACHE_HOME/readinglist`` or ``~/.cache/readinglist``."""
    env = _env(environ)
    configured = env.get("READINGLIST_CACHE_DIR")
    if configured == "":
        return None
    if configured:
        return Path(configured)
    base = env.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "readinglist"


def terminal_forced(environ: Mapping[str, str] | None = None) -> bool | None:
    """Whether ``TTY_COMPATIBLE`` or ``FORCE_COLOR`` say output goes to a terminal, read
    as rich reads them (None: neither says; the stream decides)."""
    env = _env(environ)
    tty = env.get("TTY_COMPATIBLE", "")
    if tty in ("0", "1"):
        return tty == "1"
    force = env.get("FORCE_COLOR")
    return None if force is None else force != ""


def debug(environ: Mapping[str, str] | None = None) -> bool:
    """Whether ``READINGLIST_DEBUG`` asks for tracebacks."""
    return bool(_env(environ).get("READINGLIST_DEBUG"))
