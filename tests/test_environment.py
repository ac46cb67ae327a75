"""Tests of readinglist.environment: every variable read in one place, one validator, and
the service clients the CLI builds from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from readinglist import environment
from readinglist.cli.sync import arxiv_client, s2_client
from readinglist.errors import UsageError
from readinglist.services.arxiv import DEFAULT_URL as ARXIV_URL
from readinglist.services.semanticscholar import DEFAULT_URL as S2_URL

API_KEY = "sekrit-environment-key"


def test_arxiv_client_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINGLIST_ARXIV_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("READINGLIST_ARXIV_DELAY", "0.5")
    from_os = arxiv_client()
    assert (from_os.base_url, from_os.http.delay) == ("http://127.0.0.1:9/api/query", 0.5)
    client = arxiv_client(
        {"READINGLIST_ARXIV_URL": " http://127.0.0.1:9/q ", "READINGLIST_ARXIV_DELAY": "0",
         "READINGLIST_ARXIV_RETRIES": "0", "READINGLIST_ARXIV_TIMEOUT": "2.5",
         "READINGLIST_ARXIV_BACKOFF": "1", "READINGLIST_ARXIV_PAGE_SIZE": "7"}
    )  # fmt: skip
    assert client.base_url == "http://127.0.0.1:9/q" and client.page_size == 7
    http = client.http
    assert (http.delay, http.retries, http.timeout, http.backoff) == (0.0, 0, 2.5, 1.0)
    default = arxiv_client({})
    assert (default.base_url, default.http.delay, default.page_size) == (ARXIV_URL, 3.0, 100)


@pytest.mark.parametrize("bad", ["soon", "-1", "nan", "inf", "1e9"])
def test_a_bad_delay_names_the_variable(bad: str) -> None:
    with pytest.raises(UsageError, match=f"^READINGLIST_ARXIV_DELAY must be a number from 0 "
                                         f"to 86400, not '{bad}'$"):  # fmt: skip
        arxiv_client({"READINGLIST_ARXIV_DELAY": bad})
    with pytest.raises(UsageError, match="^READINGLIST_S2_DELAY must be") as info:
        s2_client({"READINGLIST_S2_DELAY": bad, "S2_API_KEY": API_KEY})
    assert API_KEY not in str(info.value)


def test_s2_client_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    client = s2_client(
        {"READINGLIST_S2_URL": "http://127.0.0.1:9/graph/v1/", "READINGLIST_S2_DELAY": "0.25",
         "S2_API_KEY": API_KEY, "READINGLIST_S2_RETRIES": "2"}
    )  # fmt: skip
    assert client.base_url == "http://127.0.0.1:9/graph/v1"
    assert (client.delay, client.retries) == (0.25, 2)
    assert client.has_api_key and API_KEY not in repr(client)
    default = s2_client({"S2_API_KEY": ""})
    assert default.base_url == S2_URL and default.delay == 1.0 and not default.has_api_key
    monkeypatch.setenv("READINGLIST_S2_URL", "http://127.0.0.1:9/x")
    monkeypatch.setenv("READINGLIST_S2_DELAY", "2")
    monkeypatch.delenv("S2_API_KEY", raising=False)
    from_os = s2_client()
    assert (from_os.base_url, from_os.delay, from_os.has_api_key) == (
        "http://127.0.0.1:9/x", 2.0, False)  # fmt: skip


@pytest.mark.parametrize(
    ("name", "value"),
    [("READINGLIST_ARXIV_PAGE_SIZE", "101"), ("READINGLIST_ARXIV_PAGE_SIZE", "0"),
     ("READINGLIST_ARXIV_PAGE_SIZE", "2.5"), ("READINGLIST_ARXIV_RETRIES", "21"),
     ("READINGLIST_ARXIV_TIMEOUT", "0"), ("READINGLIST_S2_BACKOFF", "-1")],
)  # fmt: skip
def test_client_settings_out_of_range(name: str, value: str) -> None:
    build = arxiv_client if "ARXIV" in name else s2_client
    with pytest.raises(UsageError, match=f"^{name} must be a number from .* not '{value}'$"):
        build({name: value})


def test_today() -> None:
    assert environment.today({"READINGLIST_TODAY": "2024-02-29"}) == dt.date(2024, 2, 29)
    assert environment.today({"READINGLIST_TODAY": "  "}) == dt.date.today()
    assert environment.today({}) == dt.date.today()
    with pytest.raises(UsageError, match="^READINGLIST_TODAY must be a date YYYY-MM-DD, not "):
        environment.today({"READINGLIST_TODAY": "yesterday"})


def test_cache_dir(tmp_path: Path) -> None:
    assert environment.cache_dir({"READINGLIST_CACHE_DIR": str(tmp_path)}) == tmp_path
    assert environment.cache_dir({"READINGLIST_CACHE_DIR": ""}) is None
    xdg = {"XDG_CACHE_HOME": str(tmp_path / "xdg")}
    assert environment.cache_dir(xdg) == tmp_path / "xdg" / "readinglist"
    assert environment.cache_dir({}) == Path.home() / ".cache" / "readinglist"


def test_debug() -> None:
    assert environment.debug({"READINGLIST_DEBUG": "1"})
    assert not environment.debug({"READINGLIST_DEBUG": ""}) and not environment.debug({})


def test_only_the_environment_module_reads_the_environment() -> None:
    src = Path(environment.__file__).parent
    readers = sorted(
        str(p.relative_to(src))
        for p in src.rglob("*.py")
        if any(word in p.read_text("utf-8") for word in ("os.environ", "getenv("))
    )
    assert readers == ["environment.py"]
