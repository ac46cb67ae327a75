"""The CLI contract of sync, candidates and add: output, JSON shapes, exit codes, one-line
errors, nothing lost. Runs the commands in-process against the stand-ins."""

from __future__ import annotations

import datetime as dt
import json
import os
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import Result

from readinglist import store
from readinglist.bibtex import parse_bib
from readinglist.cli.sync import _BarProgress, arxiv_client, progress_line
from readinglist.errors import UsageError
from readinglist.sync import Progress
from tests.helpers import snapshot
from tests.standins.arxiv_server import ArxivStandIn, sample_paper
from tests.standins.s2_server import S2StandIn
from tests.test_sync import (
    TODAY,
    TRACKED,
    arxiv_papers_for,
    hand_written,
    library_of,
    quick_standin,  # noqa: F401 (an autouse fixture)
    s2_id,
    s2_papers_for,
    search_requests,
    shared_cache,  # noqa: F401 (used by quick_standin)
    sync_env,
    tracking_course,
)

Run = Callable[..., Result]


@pytest.fixture
def served(
    course: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[ArxivStandIn, S2StandIn]]:
    """The bundled course copy served by both stand-ins, the environment pointing at them."""
    library = library_of(course)
    with ArxivStandIn(arxiv_papers_for(library)) as ax, S2StandIn(s2_papers_for(library)) as s2:
        for name, value in sync_env(ax, s2).items():
            monkeypatch.setenv(name, value)
        yield ax, s2


def no_lock(snap: dict[str, str]) -> dict[str, str]:
    """A snapshot without the lock file (created empty by the first writing command)."""
    return {k: v for k, v in snap.items() if k != ".readinglist.lock"}


# ---------------------------------------------------------------- sync


def test_sync_json_has_the_contract_shape_and_progress_goes_to_stderr(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn]
) -> None:
    result = run("--root", course, "sync", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["requests"] == {"arxiv": 12, "semanticscholar": 1}
    assert len(data["updated"]) == 48 and data["updated"] == sorted(data["updated"])
    assert data["new_versions"] == [] and data["published"] == [] and data["failed"] == []
    for key in ("withdrawn", "disagreements", "matched", "candidates", "written"):
        assert key in data
    lines = result.stderr.splitlines()
    assert lines[0] == "arXiv batch 1/1 (48 papers)"
    assert "arXiv title lookup 1/11 (cybenko1989)" in lines
    assert lines[-1] == "Semantic Scholar batch 1/1 (59 papers)"


def test_sync_prints_what_changed(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    ax, s2 = served
    assert run("--root", course, "sync").exit_code == 0
    library = library_of(course)
    papers = arxiv_papers_for(library)
    ax.add_paper({**papers["1806.07572"], "version": 3})
    sid = s2_id(library, "du2018")
    s2.papers[sid] = {**s2.papers[sid], "venue": "ICLR", "year": 2019}
    monkeypatch.setenv("READINGLIST_TODAY", "2026-05-27")
    result = run("--root", course, "sync")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("Synced: 48 papers from arXiv (1 request), Semantic Scholar (1 request).")
    assert "jacot2018   new version     v2 -> v3" in out
    assert "du2018      now published   ICLR 2019" in out
    assert "2 papers updated; 0 failed." in out
    assert "Wrote bib/synced/: arxiv.json, changes.json, publications.json, state.json." in out


def test_show_after_sync_has_the_fetched_abstract_and_version(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn]
) -> None:
    assert run("--root", course, "sync", "--no-citations").exit_code == 0
    data = json.loads(run("--root", course, "show", "jacot2018", "--json").stdout)
    assert data["abstract"].startswith("The abstract of jacot2018")
    assert data["version"] == "v2" and data["arxiv"] == "1806.07572"


def test_sync_exits_1_when_ids_fail(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "c"
    (root / "bib").mkdir(parents=True)
    (root / "bib" / "course.yml").write_text(
        "course:\n  title: T\ntopics:\n  - slug: t\n    title: T\nlectures: []\n"
    )
    (root / "bib" / "t.bib").write_text(
        "@misc{a,\n  author = {Lovelace, Ada},\n  title = {A},\n  year = {2020},\n"
        "  eprint = {2001.00001},\n}\n"
    )
    with ArxivStandIn({}) as ax:
        for name, value in sync_env(ax, None).items():
            monkeypatch.setenv(name, value)
        result = run("--root", root, "sync", "--no-citations", "--json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["failed"] == [
        {"id": "2001.00001", "reason": "not on arXiv", "key": "a"}
    ]


def test_unreachable_arxiv_is_one_line_exit_3_and_nothing_changes(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINGLIST_ARXIV_RETRIES", "0")
    monkeypatch.setenv("READINGLIST_ARXIV_URL", "http://127.0.0.1:9/api/query")
    before = snapshot(course)
    result = run("--root", course, "sync")
    assert result.exit_code == 3
    assert result.stdout == ""
    assert result.stderr.splitlines()[-1] == (
        "error: could not reach arXiv (connection failed (ConnectionError) after 1 attempt): "
        "stored data is unchanged (never synced)"
    )
    assert no_lock(snapshot(course)) == before

    ax, _ = served
    monkeypatch.setenv("READINGLIST_ARXIV_URL", ax.url)
    assert run("--root", course, "sync").exit_code == 0
    monkeypatch.setenv("READINGLIST_ARXIV_URL", "http://127.0.0.1:9/api/query")
    before = snapshot(course)
    result = run("--root", course, "sync", "--json")
    assert result.exit_code == 3 and result.stdout == ""
    assert result.stderr.endswith(f"stored data from {TODAY.isoformat()} is unchanged\n")
    assert snapshot(course) == before


def test_a_hanging_arxiv_times_out_by_environment(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    ax, _ = served
    ax.hang_seconds = 2
    ax.inject(["hang"])
    monkeypatch.setenv("READINGLIST_ARXIV_TIMEOUT", "0.2")
    result = run("--root", course, "sync", "--no-citations")
    assert result.exit_code == 0, result.stderr
    assert len(library_of(course).arxiv) == 48


def test_lock_held_is_exit_2_naming_the_holder(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn]
) -> None:
    hand = hand_written(course)
    with store.lock(course, "sync"):
        result = run("--root", course, "sync")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: .readinglist.lock: the course folder is locked by 'readinglist sync' "
        f"(pid {os.getpid()} on {socket.gethostname()}); wait for it to finish\n"
    )
    assert served[0].requests == []
    assert hand_written(course) == hand


def test_offline_makes_no_request(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn]
) -> None:
    ax, s2 = served
    result = run("--root", course, "sync", "--offline", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["requests"] == {"arxiv": 0, "semanticscholar": 0}
    assert data["stored"]["arxiv"] == 0 and data["stored_date"] is None
    assert len(data["stored"]["not_fetched"]) == 48
    assert data["stored"]["citations"] == {"curated": 36, "semanticscholar": 0, "external": 0}
    assert run("--root", course, "sync").exit_code == 0
    ax.requests.clear()
    s2.requests.clear()
    before = snapshot(course)
    result = run("--root", course, "sync", "--offline")
    assert result.exit_code == 0
    assert result.stdout.splitlines()[:2] == [
        f"Offline: stored data from {TODAY.isoformat()} (nothing fetched).",
        "arXiv records: 48 of 59 papers (0 found by title); not fetched yet: none",
    ]
    assert ax.requests == [] and s2.requests == []
    assert snapshot(course) == before
    bad = run("--root", course, "sync", "--offline", "--track")
    assert bad.exit_code == 2 and bad.stderr.startswith("error: --offline fetches nothing")


def test_dry_run_writes_nothing(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn]
) -> None:
    before = snapshot(course)
    result = run("--root", course, "sync", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout.startswith("Dry run (nothing written): 48 papers from arXiv")
    assert "Would write bib/synced/: arxiv.json, citations.json, " in result.stdout
    assert snapshot(course) == before


def test_no_citations_asks_semantic_scholar_nothing(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn]
) -> None:
    result = run("--root", course, "sync", "--no-citations", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["requests"]["semanticscholar"] == 0
    assert served[1].requests == []


def test_the_api_key_is_sent_and_never_shown(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("S2_API_KEY", "sekrit-key-123")
    monkeypatch.setenv("READINGLIST_S2_URL", "http://127.0.0.1:9/graph/v1")
    monkeypatch.setenv("READINGLIST_S2_RETRIES", "0")
    failed = run("--root", course, "--debug", "sync")
    assert failed.exit_code == 3
    assert "could not reach Semantic Scholar" in failed.stderr
    monkeypatch.setenv("READINGLIST_S2_URL", served[1].url)
    ok = run("--root", course, "sync", "--json")
    assert ok.exit_code == 0
    for text in (failed.stdout, failed.stderr, ok.stdout, ok.stderr):
        assert "sekrit" not in text
    assert served[1].api_keys == ["sekrit-key-123"]


def test_bad_client_settings_are_exit_2(
    run: Run, course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINGLIST_ARXIV_PAGE_SIZE", "500")
    result = run("--root", course, "sync")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: READINGLIST_ARXIV_PAGE_SIZE must be a number from 1 to 100, not '500'\n"
    )
    monkeypatch.setenv("READINGLIST_ARXIV_PAGE_SIZE", "")
    monkeypatch.setenv("READINGLIST_TODAY", "soon")
    assert run("--root", course, "sync").exit_code == 2
    with pytest.raises(UsageError):
        arxiv_client({"READINGLIST_ARXIV_TIMEOUT": "-1"})
    assert arxiv_client({"READINGLIST_ARXIV_PAGE_SIZE": "7"}).page_size == 7


def test_progress_lines_and_bar() -> None:
    assert progress_line(Progress("arxiv", 1, 3, 100)) == "arXiv batch 1/3 (100 papers)"
    assert progress_line(Progress("semanticscholar", 1, 1, 1)) == (
        "Semantic Scholar batch 1/1 (1 paper)"
    )
    assert progress_line(Progress("track", 2, 8, 0, label="ntk")) == "tracking topic 2/8 (ntk)"
    bar = _BarProgress()
    with bar:
        bar(Progress("arxiv", 1, 2, 100))
        bar(Progress("arxiv", 1, 2, 100, finished=True))
    task = bar.bar.tasks[0]
    assert task.completed == 1 and task.fields["papers"] == 100


# ---------------------------------------------------------------- candidates


def test_candidates_json_best_first(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tracking_course(tmp_path / "c")
    library = library_of(root)
    with ArxivStandIn({**arxiv_papers_for(library), **TRACKED}) as ax:
        for name, value in sync_env(ax, None).items():
            monkeypatch.setenv(name, value)
        result = run("--root", root, "sync", "--track", "--no-citations", "--json")
        assert result.exit_code == 0, result.stderr
        assert len(search_requests(ax)) == 2
    data = json.loads(result.stdout)
    assert data["candidates"]["stored"] == 3 and len(data["candidates"]["new"]) == 3
    listed = run("--root", root, "candidates", "--json")
    assert listed.exit_code == 0
    items = json.loads(listed.stdout)
    assert [c["arxiv"] for c in items][0] == "2605.00001"
    for item in items:
        assert {"arxiv", "title", "topic", "score", "published"} <= set(item)
    assert [c["score"] for c in items] == sorted((c["score"] for c in items), reverse=True)
    only = json.loads(
        run("--root", root, "candidates", "--topic", "data-poisoning", "--json").stdout
    )
    assert [c["arxiv"] for c in only] == ["2605.00004"]
    text = run("--root", root, "candidates").stdout
    assert "2605.00001" in text and "Neural tangent kernel" in text
    assert run("--root", root, "candidates", "--topic", "quiet").stdout == (
        "No candidates for topic quiet.\n"
    )
    bad = run("--root", root, "candidates", "--topic", "nope")
    assert bad.exit_code == 2
    assert bad.stderr == "error: no topic 'nope'; topics are ntk, data-poisoning, quiet\n"


# ---------------------------------------------------------------- add


def test_add_appends_and_reports(run: Run, course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    paper = sample_paper("2403.01234", 1, title="Kernels & Co", authors=["Ada Lovelace"],
                         published="2024-03-02")  # fmt: skip
    bib = course / "bib" / "ntk.bib"
    old = bib.read_bytes()
    with ArxivStandIn({"2403.01234": paper}) as ax:
        for name, value in sync_env(ax, None).items():
            monkeypatch.setenv(name, value)
        result = run("--root", course, "add", "arXiv:2403.01234", "1806.07572", "--topic", "ntk",
                     "--lecture", "7")  # fmt: skip
        assert len(ax.requests) == 1
    assert result.exit_code == 1  # one of the two is on the list already
    assert result.stdout == (
        "added lovelace2024kernels (2403.01234) to bib/ntk.bib: Kernels & Co\n"
        "lecture 7: lovelace2024kernels added to the required readings\n"
    )
    assert result.stderr == (
        "error: 1806.07572: already on the list as jacot2018 (bib/ntk.bib:4)\n"
    )
    new = bib.read_bytes()
    assert new.startswith(old)
    entry = parse_bib(new.decode(), "bib/ntk.bib").entries[-1]
    assert entry.key == "lovelace2024kernels" and dict(entry.fields)["title"] == "Kernels \\& Co"
    assert "lovelace2024kernels" in library_of(course).lecture(7).required
    assert (
        "required: [jacot2018, du2018, lovelace2024kernels]"
        in (course / "bib" / "course.yml").read_text()
    )


def test_add_usage_errors_are_exit_2(run: Run, course: Path) -> None:
    before = snapshot(course)
    unknown = run("--root", course, "add", "2403.01234", "--topic", "nope")
    assert unknown.exit_code == 2
    assert unknown.stderr.startswith("error: no topic 'nope'; topics are approximation, ")
    optional = run("--root", course, "add", "2403.01234", "--topic", "ntk", "--optional")
    assert optional.exit_code == 2 and optional.stderr == "error: --optional needs --lecture N\n"
    bad = run("--root", course, "add", "not-an-id", "--topic", "ntk")
    assert bad.exit_code == 2 and bad.stderr == "error: not an arXiv id or a DOI: 'not-an-id'\n"
    assert no_lock(snapshot(course)) == before


def test_add_unknown_doi_is_exit_1(run: Run, course: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    before = snapshot(course)
    with ArxivStandIn({}) as ax, S2StandIn({}) as s2:
        for name, value in sync_env(ax, s2).items():
            monkeypatch.setenv(name, value)
        result = run("--root", course, "add", "10.1234/missing", "--topic", "ntk", "--json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    assert data["added"] == [] and data["failed"] == [
        {"id": "10.1234/missing", "reason": "not found on Semantic Scholar", "key": None}
    ]
    assert no_lock(snapshot(course)) == before


def test_add_when_arxiv_is_unreachable_is_exit_3_and_writes_nothing(
    run: Run, course: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("READINGLIST_ARXIV_RETRIES", "0")
    before = snapshot(course)
    result = run("--root", course, "add", "2403.01234", "--topic", "ntk")
    assert result.exit_code == 3
    assert result.stderr.startswith("error: could not reach arXiv (connection failed")
    assert no_lock(snapshot(course)) == before


# ---------------------------------------------------------------- transcript

TRANSCRIPT_COURSE = """course:
  title: A small seminar
topics:
  - slug: ntk
    title: Neural tangent kernels
lectures:
  - number: 1
    date: 2026-05-06
    title: The neural tangent kernel
    topics: [ntk]
    required: [jacot2018, du2018]
    optional: [allenzhu2019]
"""

TRANSCRIPT = """\
Synced: 4 papers from arXiv (1 request), Semantic Scholar (1 request).
paper       change          detail
────────────────────────────────────────────────────────────────────────────────
jacot2018   new version     v3 -> v4
du2018      now published   ICLR 2019
lee2019     title differs   arXiv 1902.06720v3: 'Wide Neural Networks of Any
                            Depth Evolve as Linear Models Under Gradient Descent
                            (extended)'
3 papers updated; 0 failed.
Wrote bib/synced/: arxiv.json, changes.json, publications.json, state.json.
"""


def transcript_course(root: Path) -> Path:
    """Four ntk papers and a one-lecture course."""
    (root / "bib").mkdir(parents=True)
    (root / "bib" / "course.yml").write_text(TRANSCRIPT_COURSE, "utf-8")
    source = (Path(__file__).resolve().parents[1] / "bib" / "ntk.bib").read_text("utf-8")
    keep = [b for b in source.split("\n\n") if any(k in b for k in ("{jacot2018,", "{du2018,",
                                                                    "{allenzhu2019,"))]  # fmt: skip
    keep.append(
        "@article{lee2019,\n  author = {Lee, Jaehoon and Xiao, Lechao and Schoenholz, Samuel S.},\n"
        "  title = {Wide Neural Networks of Any Depth Evolve as Linear Models Under Gradient "
        "Descent},\n  year = {2019},\n  eprint = {1902.06720},\n}\n"
    )
    (root / "bib" / "ntk.bib").write_text("\n\n".join(keep), "utf-8")
    return root


def test_transcript_of_a_weekly_sync(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The README's example: last week's sync, then this week's with a new version of
    jacot2018, du2018 published at ICLR, and an arXiv title that changed."""
    root = transcript_course(tmp_path / "seminar")
    library = library_of(root)
    papers = arxiv_papers_for(library, version=3)
    s2_papers = s2_papers_for(library)
    with ArxivStandIn(papers) as ax, S2StandIn(s2_papers) as s2:
        for name, value in sync_env(ax, s2, dt.date(2026, 5, 13)).items():
            monkeypatch.setenv(name, value)
        assert run("--root", root, "sync").exit_code == 0
        ax.add_paper({**papers["1806.07572"], "version": 4})
        ax.add_paper(
            {**papers["1902.06720"], "title": papers["1902.06720"]["title"] + " (extended)"}
        )
        sid = s2_id(library, "du2018")
        s2.papers[sid] = {**s2.papers[sid], "venue": "ICLR", "year": 2019,
                          "publicationVenue": {"name": "ICLR", "type": "conference"}}  # fmt: skip
        monkeypatch.setenv("READINGLIST_TODAY", "2026-05-20")
        result = run("--root", root, "sync")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == TRANSCRIPT
    assert result.stderr == "arXiv batch 1/1 (4 papers)\nSemantic Scholar batch 1/1 (4 papers)\n"
    changes = json.loads((root / "bib" / "synced" / "changes.json").read_text())["changes"]
    assert [(c["date"], c["kind"], c["key"], c["detail"]) for c in changes] == [
        ("2026-05-20", "published", "du2018", "ICLR 2019"),
        ("2026-05-20", "new-version", "jacot2018", "v3 -> v4"),
    ]


def test_malformed_stored_data_is_exit_2_naming_the_file(
    run: Run, course: Path, served: tuple[ArxivStandIn, S2StandIn]
) -> None:
    state = course / "bib" / "synced" / "state.json"
    state.write_text('{"format": 1,\n "lookups": [}\n')
    result = run("--root", course, "sync")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: bib/synced/state.json:2: not valid JSON")
    assert served[0].requests == []
    state.write_text('{"format": 1, "lookups": []}\n')
    result = run("--root", course, "sync")
    assert result.exit_code == 2
    assert result.stderr == "error: bib/synced/state.json: lookups: expected an object\n"


def test_titles_print_as_written_not_as_markup(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    title = "[bold]Attacks[/bold] on models"
    paper = sample_paper("2403.01234", 1, title=title, published="2024-03-02")
    root = tracking_course(tmp_path / "c")
    with ArxivStandIn({"2403.01234": paper}) as ax:
        for name, value in sync_env(ax, None).items():
            monkeypatch.setenv(name, value)
        result = run("--root", root, "add", "2403.01234", "--topic", "quiet")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(f"to bib/quiet.bib: {title}\n")
