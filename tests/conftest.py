"""Shared test fixtures: a loopback-only network guard, the course copy, the CLI runner."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, settings

# Timing is not what these property tests check; a busy CI machine must not fail them.
settings.register_profile(
    "readinglist", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile("readinglist")

REPO = Path(__file__).resolve().parents[1]
# ../shared (recorded service answers, the CSL-JSON schema) sits beside the main checkout
# only; a fresh clone has none. Tests that need it are marked with needs_shared() and skip.
SHARED = Path(os.environ.get("READINGLIST_SHARED") or REPO.parent / "shared")


def needs_shared(path: Path) -> pytest.MarkDecorator:
    """Skip unless ``path`` (inside ../shared) exists, saying what is missing and why."""
    return pytest.mark.skipif(
        not path.exists(),
        reason=f"{path} is absent: ../shared (recorded answers, schemas) is not part of the "
        "repository; set READINGLIST_SHARED to a copy to run this test",
    )


def _is_loopback(address: object) -> bool:
    if not (isinstance(address, tuple) and address):
        return isinstance(address, str | bytes)  # AF_UNIX paths are local
    host = address[0]
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Refuse any connection that does not stay on this machine."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def guarded(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise OSError(f"test tried to reach {address!r}: only loopback is allowed")
        return real_connect(self, address)  # type: ignore[arg-type]

    def guarded_ex(self: socket.socket, address: object) -> object:
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_loopback(address):
            raise OSError(f"test tried to reach {address!r}: only loopback is allowed")
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_ex)


@pytest.fixture(autouse=True)
def _isolated_env(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test reads the user's cache or points at the real services."""
    monkeypatch.setenv("READINGLIST_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.setenv("READINGLIST_ARXIV_URL", "http://127.0.0.1:9/api/query")
    monkeypatch.setenv("READINGLIST_S2_URL", "http://127.0.0.1:9/graph/v1")
    monkeypatch.setenv("READINGLIST_ARXIV_DELAY", "0")
    monkeypatch.setenv("READINGLIST_S2_DELAY", "0")
    monkeypatch.delenv("S2_API_KEY", raising=False)
    monkeypatch.delenv("READINGLIST_DEBUG", raising=False)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A fresh copy of the bundled course folder (bib/, docs/, mkdocs.yml)."""
    dest = tmp_path / "course"
    dest.mkdir()
    shutil.copytree(REPO / "bib", dest / "bib")
    if (REPO / "docs").is_dir():
        shutil.copytree(REPO / "docs", dest / "docs")
    if (REPO / "mkdocs.yml").is_file():
        shutil.copy(REPO / "mkdocs.yml", dest / "mkdocs.yml")
    return dest


@pytest.fixture
def run() -> Callable[..., Result]:
    """Run the CLI in-process: ``run("--root", path, "check")``."""
    from readinglist.cli import cli

    def _run(*args: object, input: str | None = None) -> Result:
        runner = CliRunner()
        return runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

    return _run


@pytest.fixture
def write_bib() -> Callable[[Path, str, str | bytes], Path]:
    """Write a .bib file (text or raw bytes) into a course folder's bib/."""

    def _write(root: Path, name: str, content: str | bytes) -> Path:
        path = root / "bib" / name
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        return path

    return _write


@pytest.fixture
def cleanup() -> Iterator[list[Callable[[], None]]]:
    """Callbacks run after the test."""
    todo: list[Callable[[], None]] = []
    yield todo
    for fn in reversed(todo):
        fn()
