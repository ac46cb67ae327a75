"""The User-Agent every request carries: our name, version and page, and a contact from
the course file (``contact:``) or ``READINGLIST_CONTACT``. Checked where it matters: in
the headers the stand-in servers receive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result

from readinglist import DISTRIBUTION, PROJECT_URL, __version__
from readinglist.services.http import USER_AGENT, HttpClient, user_agent
from tests.standins.arxiv_server import ArxivStandIn
from tests.standins.s2_server import S2StandIn
from tests.test_cli_sync import served  # noqa: F401 (a fixture)
from tests.test_sync import quick_standin, shared_cache  # noqa: F401 (fixtures)

Run = Callable[..., Result]


def _with_contact(course: Path, contact: str) -> None:
    path = course / "bib" / "course.yml"
    text = path.read_text("utf-8")
    path.write_text(text.replace("course:\n", f"course:\n  contact: {contact}\n", 1), "utf-8")


def _agents(s2: S2StandIn) -> set[str]:
    return {r.headers.get("user-agent", "") for r in s2.requests}


def test_the_user_agent_names_our_own_page_and_version(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("READINGLIST_CONTACT", raising=False)
    assert f"https://pypi.org/project/{DISTRIBUTION}/" == PROJECT_URL
    assert DISTRIBUTION != "readinglist"  # the name on PyPI belongs to another project
    assert user_agent() == USER_AGENT == f"readinglist/{__version__} (+{PROJECT_URL})"
    assert user_agent("me@example.edu") == (
        f"readinglist/{__version__} (+{PROJECT_URL}; mailto:me@example.edu)"
    )
    # A value that would break the header's comment syntax is left out, not sent.
    assert user_agent("me@example.edu)\r\nX-Evil: 1") == USER_AGENT
    assert HttpClient(service="x").session.headers["User-Agent"] == USER_AGENT  # type: ignore[union-attr]


def test_the_environment_wins_over_the_course_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("READINGLIST_CONTACT", " ci@example.org ")
    assert user_agent("course@example.edu").endswith("; mailto:ci@example.org)")
    monkeypatch.setenv("READINGLIST_CONTACT", "")
    assert user_agent("course@example.edu").endswith("; mailto:course@example.edu)")


def test_sync_sends_the_course_files_contact(
    run: Run,
    course: Path,
    served: tuple[ArxivStandIn, S2StandIn],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("READINGLIST_CONTACT", raising=False)
    _with_contact(course, "teacher@example.edu")
    assert run("--root", course, "check").exit_code in (0, 1)  # the key is allowed
    result = run("--root", course, "sync", "--json")
    assert result.exit_code == 0, result.stderr
    assert served[1].requests, "sync asked Semantic Scholar nothing"
    assert _agents(served[1]) == {
        f"readinglist/{__version__} (+{PROJECT_URL}; mailto:teacher@example.edu)"
    }


def test_sync_sends_the_contact_from_the_environment(
    run: Run,
    course: Path,
    served: tuple[ArxivStandIn, S2StandIn],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("READINGLIST_CONTACT", "ci-bot@example.org")
    result = run("--root", course, "sync", "--json")
    assert result.exit_code == 0, result.stderr
    assert _agents(served[1]) == {
        f"readinglist/{__version__} (+{PROJECT_URL}; mailto:ci-bot@example.org)"
    }


def test_without_a_contact_the_user_agent_has_none(
    run: Run,
    course: Path,
    served: tuple[ArxivStandIn, S2StandIn],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("READINGLIST_CONTACT", raising=False)
    assert run("--root", course, "sync", "--json").exit_code == 0
    assert _agents(served[1]) == {USER_AGENT}
