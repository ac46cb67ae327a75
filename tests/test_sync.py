"""Tests of readinglist.sync against the arXiv and Semantic Scholar stand-ins on 127.0.0.1:
batching, change detection, deterministic files, faults, title lookups, citations,
tracking, ``add``, and a run killed with SIGKILL at random moments.

The helpers at the top (stand-in data for a course, clients, :func:`kill_sync_at_random`)
are shared with test_cli_sync.py and meant for reuse.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from readinglist import graph, store
from readinglist.add import add_papers, parse_add_ids
from readinglist.bibtex import bibtex_name, citation_key, escape_bibtex, parse_bib
from readinglist.errors import LockHeldError, StoreError, UsageError
from readinglist.model import ArxivRecord, Library
from readinglist.services.arxiv import ArxivClient
from readinglist.services.semanticscholar import SemanticScholarClient
from readinglist.sync import (
    Failure,
    Progress,
    SyncIncomplete,
    VersionChange,
    list_candidates,
    offline_report,
    sync,
)
from readinglist.synced import (
    SYNCED_DIR,
    parse_arxiv,
    parse_candidates,
    parse_changes,
    parse_citations,
    parse_publications,
    parse_state,
)
from tests.helpers import snapshot
from tests.standins import arxiv_server
from tests.standins.arxiv_server import ArxivStandIn, sample_paper
from tests.standins.s2_server import S2StandIn

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2026, 5, 20)
OUTSIDE_DOI = "10.9999/outside.1"
PARSERS: dict[str, Callable[[str], Any]] = {
    "arxiv.json": parse_arxiv,
    "publications.json": parse_publications,
    "citations.json": parse_citations,
    "candidates.json": parse_candidates,
    "changes.json": parse_changes,
    "state.json": parse_state,
}


# ---------------------------------------------------------------- shared helpers


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One parse cache for these tests: it is keyed by each file's exact bytes, so sharing
    it is safe, and the bundled course is then parsed once, not once per test."""
    return tmp_path_factory.mktemp("shared-cache")


@pytest.fixture(autouse=True)
def quick_standin(monkeypatch: pytest.MonkeyPatch, shared_cache: Path) -> None:
    """Answer without Nagle's delay: the arXiv stand-in speaks keep-alive HTTP/1.1 and
    writes headers and body separately, so each answer otherwise waits ~40 ms for the
    client's delayed ACK. Also share the parse cache (see :func:`shared_cache`)."""
    monkeypatch.setattr(arxiv_server._Handler, "disable_nagle_algorithm", True, raising=False)
    monkeypatch.setenv("READINGLIST_CACHE_DIR", str(shared_cache))


def no_sleep(_seconds: float) -> None:
    """A sleep that does not: retries and spacing cost no time in tests."""


def arxiv_date(arxiv_id: str) -> str:
    """A plausible first-submission date for an id (``1806.07572`` -> ``2018-06-15``)."""
    m = re.match(r"^(\d\d)(\d\d)\.", arxiv_id) or re.search(r"/(\d\d)(\d\d)", arxiv_id)
    assert m, arxiv_id
    year = int(m[1])
    return f"{2000 + year if year < 90 else 1900 + year}-{m[2]}-15"


def library_of(root: Path) -> Library:
    """The library of a course folder."""
    return store.load_library(root).library


def arxiv_papers_for(library: Library, version: int = 2) -> dict[str, dict[str, Any]]:
    """Stand-in arXiv papers for every listed arXiv id, agreeing with the entries."""
    papers: dict[str, dict[str, Any]] = {}
    for key, p in library.papers.items():
        if p.arxiv is None:
            continue
        papers[p.arxiv.id] = sample_paper(
            p.arxiv.id,
            version,
            title=p.title,
            authors=[a.display for a in p.authors if not a.is_others],
            published=arxiv_date(p.arxiv.id),
            updated=arxiv_date(p.arxiv.id),
            abstract=f"The abstract of {key}: {p.title}.",
        )
    return papers


def s2_id(library: Library, key: str) -> str:
    """The batch id sync sends for a listed paper."""
    p = library.papers[key]
    return f"ARXIV:{p.arxiv.id}" if p.arxiv else f"DOI:{p.doi}"


def s2_papers_for(library: Library) -> dict[str, dict[str, Any]]:
    """Stand-in Semantic Scholar papers: each listed paper cites the one before it, every
    ntk paper cites one outside paper, and each has one unresolved reference."""
    keys = list(library.papers)
    papers: dict[str, dict[str, Any]] = {}
    for i, key in enumerate(keys):
        p = library.papers[key]
        refs: list[dict[str, Any]] = []
        if i > 0:
            prev = library.papers[keys[i - 1]]
            ext = {"ArXiv": prev.arxiv.id} if prev.arxiv else {"DOI": prev.doi}
            refs.append({"paperId": f"P-{prev.key}", "externalIds": ext, "title": prev.title,
                         "year": prev.year})  # fmt: skip
        if p.topic == "ntk":
            refs.append({"paperId": "OUT1", "externalIds": {"DOI": OUTSIDE_DOI},
                         "title": "An outside paper", "year": 1999})  # fmt: skip
        refs.append({"paperId": None, "externalIds": None, "title": "unresolved", "year": None})
        papers[s2_id(library, key)] = {
            "paperId": f"P-{key}",
            "title": p.title,
            "year": p.year,
            "venue": "",
            "publicationVenue": None,
            "externalIds": {"ArXiv": p.arxiv.id} if p.arxiv else {"DOI": p.doi},
            "citationCount": 1,
            "references": refs,
            "referenceCount": len(refs),
        }
    return papers


def make_clients(
    ax: ArxivStandIn, s2: S2StandIn | None = None, **options: Any
) -> tuple[ArxivClient, SemanticScholarClient | None]:
    """Clients of the stand-ins that never really sleep."""
    arxiv = ArxivClient(
        ax.url,
        delay=0,
        timeout=options.get("timeout", 5),
        retries=options.get("retries", 4),
        backoff=0,
        sleep=no_sleep,
        page_size=options.get("page_size", 100),
    )
    s2c = None
    if s2 is not None:
        s2c = SemanticScholarClient(s2.url, delay=0, timeout=5, retries=2, backoff=0,
                                    sleep=no_sleep)  # fmt: skip
    return arxiv, s2c


def sync_env(ax: ArxivStandIn, s2: S2StandIn | None, today: dt.date = TODAY) -> dict[str, str]:
    """Environment variables pointing the CLI at the stand-ins, with no waiting."""
    env = {
        "READINGLIST_ARXIV_URL": ax.url,
        "READINGLIST_ARXIV_DELAY": "0",
        "READINGLIST_ARXIV_BACKOFF": "0",
        "READINGLIST_S2_DELAY": "0",
        "READINGLIST_S2_BACKOFF": "0",
        "READINGLIST_TODAY": today.isoformat(),
    }
    if s2 is not None:
        env["READINGLIST_S2_URL"] = s2.url
    return env


def id_requests(ax: ArxivStandIn) -> list[dict[str, str]]:
    """The stand-in's id_list requests (batches)."""
    return [r for r in ax.requests if r.get("id_list")]


def search_requests(ax: ArxivStandIn) -> list[dict[str, str]]:
    """The stand-in's search requests (title lookups and tracking)."""
    return [r for r in ax.requests if r.get("search_query") and not r.get("id_list")]


def hand_written(root: Path) -> dict[str, str]:
    """Digests of the hand-written files (every .bib and the course file)."""
    return {k: v for k, v in snapshot(root / "bib").items() if not k.startswith("synced")}


def synced_files(root: Path) -> dict[str, bytes]:
    """The machine-owned files, by name."""
    folder = root / SYNCED_DIR
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.json"))}


def assert_synced_valid(root: Path) -> None:
    """Every machine-owned file parses (valid JSON of the right shape)."""
    for name, data in synced_files(root).items():
        PARSERS[name](data.decode("utf-8"))


@dataclasses.dataclass
class Services:
    """A course copy and the stand-ins serving its papers."""

    root: Path
    ax: ArxivStandIn
    s2: S2StandIn

    def clients(self, **options: Any) -> tuple[ArxivClient, SemanticScholarClient | None]:
        return make_clients(self.ax, self.s2, **options)

    def sync(self, *, citations: bool = True, **kwargs: Any):  # type: ignore[no-untyped-def]
        arxiv, s2 = self.clients(**kwargs.pop("client_options", {}))
        kwargs.setdefault("today", TODAY)
        return sync(self.root, arxiv=arxiv, s2=s2 if citations else None, **kwargs)


@pytest.fixture
def services(course: Path) -> Iterator[Services]:
    """The bundled course copy with both stand-ins serving it."""
    library = library_of(course)
    with ArxivStandIn(arxiv_papers_for(library)) as ax, S2StandIn(s2_papers_for(library)) as s2:
        yield Services(course, ax, s2)


def write_course(root: Path, entries: str, *, query: str = "", lectures: str = "[]") -> Path:
    """A small course folder: one topic ``t`` (bib/t.bib holding ``entries``)."""
    (root / "bib").mkdir(parents=True)
    q = f"\n    arxiv_query: '{query}'" if query else ""
    (root / "bib" / "course.yml").write_text(
        f"course:\n  title: Test\ntopics:\n  - slug: t\n    title: Test topic{q}\n"
        f"lectures: {lectures}\n",
        encoding="utf-8",
    )
    (root / "bib" / "t.bib").write_text(entries, encoding="utf-8")
    return root


def generated_entries(n: int) -> tuple[str, dict[str, dict[str, Any]]]:
    """``n`` entries with arXiv ids 2001.00000... and the stand-in papers for them."""
    parts, papers = [], {}
    for i in range(n):
        arxiv_id = f"2001.{i:05d}"
        title = f"Generated paper number {i} on learning"
        parts.append(f"@misc{{p{i},\n  author = {{Lovelace, Ada}},\n  title = {{{title}}},\n"
                     f"  year = {{2020}},\n  eprint = {{{arxiv_id}}},\n}}\n")  # fmt: skip
        papers[arxiv_id] = sample_paper(arxiv_id, 1, title=title, authors=["Ada Lovelace"],
                                        published="2020-01-15")  # fmt: skip
    return "\n".join(parts), papers


# ---------------------------------------------------------------- SIGKILL helper


def _sync_command(root: Path) -> list[str]:
    return [sys.executable, "-m", "readinglist", "--root", str(root), "sync"]


def _subprocess_env(extra: Mapping[str, str]) -> dict[str, str]:
    env = dict(os.environ)
    env.update(extra)
    src = str(REPO / "src")
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return env


def check_old_or_new(root: Path, old: Mapping[str, bytes], new: Mapping[str, bytes]) -> None:
    """Every machine-owned file is whole and valid, and holds old or new data: the old
    or the new file, or (progress saved per batch) old or new data per paper record,
    per change and per candidate."""
    for name, data in synced_files(root).items():
        assert name in PARSERS, f"unexpected file {name}"
        parsed = PARSERS[name](data.decode("utf-8"))
        if data in (old.get(name), new.get(name)):
            continue
        if name == "state.json":
            continue  # dated and written before the data it dates; checked by parsing
        olds = PARSERS[name](old[name].decode()) if name in old else None
        news = PARSERS[name](new[name].decode()) if name in new else None
        if name in ("arxiv.json", "publications.json"):
            for key, record in parsed.items():
                allowed = [d.get(key) for d in (olds, news) if d is not None]
                assert record in allowed, f"{name}: {key} is neither old nor new"
        elif name == "citations.json":
            allowed_edges = set((olds or ((), {}))[0]) | set((news or ((), {}))[0])
            assert set(parsed[0]) <= allowed_edges, name
        else:
            allowed_items = set(olds or ()) | set(news or ())
            assert set(parsed) <= allowed_items, f"{name} holds something neither old nor new"


def kill_sync_at_random(
    root: Path,
    env: Mapping[str, str],
    *,
    kills: int,
    new: Mapping[str, bytes],
    seed: int = 408,
    window: float = 1.5,
) -> int:
    """Start ``readinglist sync`` on ``root`` as a subprocess and SIGKILL it at a random
    moment, ``kills`` times; after each kill check every machine-owned file
    (:func:`check_old_or_new` against ``new``, an uninterrupted run's files) and that the
    hand-written files are unchanged. Returns how many runs finished before their kill.
    """
    rng = random.Random(seed)
    old = synced_files(root)
    hand = hand_written(root)
    finished = 0
    for _ in range(kills):
        proc = subprocess.Popen(
            _sync_command(root),
            env=_subprocess_env(env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            proc.wait(timeout=rng.uniform(0.05, window))
            finished += 1
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
        check_old_or_new(root, old, new)
        assert hand_written(root) == hand
    return finished


def run_sync_subprocess(root: Path, env: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """One uninterrupted ``readinglist sync`` subprocess."""
    return subprocess.run(
        _sync_command(root), env=_subprocess_env(env), capture_output=True, text=True,
        timeout=60, check=False,
    )  # fmt: skip


# ---------------------------------------------------------------- batching, bytes


def test_first_sync_makes_one_request_per_100_ids_and_one_s2_call(services: Services) -> None:
    library = library_of(services.root)
    ids = {p.arxiv.id for p in library.papers.values() if p.arxiv}
    report = services.sync()
    assert len(id_requests(services.ax)) == math.ceil(len(ids) / 100) == 1
    assert len(services.s2.batch_requests()) == math.ceil(len(library.papers) / 500) == 1
    assert services.s2.reference_requests() == []
    # The 11 DOI-only papers are looked up by title once each (none is on arXiv).
    no_id = [p for p in library.papers.values() if p.arxiv is None]
    assert len(search_requests(services.ax)) == len(no_id) == 11
    assert report.requests == {"arxiv": len(services.ax.requests), "semanticscholar": 1}
    assert report.failed == [] and report.exit_code == 0
    # A first sync is a baseline: stored, not reported as new versions.
    assert report.new_versions == [] and report.published == []
    assert sorted(report.updated) == sorted(k for k, p in library.papers.items() if p.arxiv)
    stored = library_of(services.root).arxiv
    assert stored["jacot2018"].version == 2
    assert stored["jacot2018"].abstract.startswith("The abstract of jacot2018")
    assert report.disagreements == []


def test_many_papers_batch_exactly(tmp_path: Path) -> None:
    entries, papers = generated_entries(520)
    root = write_course(tmp_path / "c", entries)
    s2_papers = {f"ARXIV:{i}": {"paperId": f"P{i}", "title": p["title"], "year": 2020,
                                "externalIds": {"ArXiv": i}, "references": [],
                                "referenceCount": 0} for i, p in papers.items()}  # fmt: skip
    with ArxivStandIn(papers) as ax, S2StandIn(s2_papers) as s2:
        arxiv, s2c = make_clients(ax, s2)
        seen: list[Progress] = []
        report = sync(root, arxiv=arxiv, s2=s2c, today=TODAY, progress=seen.append)
        assert len(ax.requests) == len(id_requests(ax)) == math.ceil(520 / 100) == 6
        assert [len(r.ids) for r in s2.batch_requests()] == [500, 20]
    assert report.requests == {"arxiv": 6, "semanticscholar": 2}
    assert len(library_of(root).arxiv) == 520
    starts = [(p.step, p.total, p.papers) for p in seen if p.stage == "arxiv" and not p.finished]
    assert starts == [(1, 6, 100), (2, 6, 100), (3, 6, 100), (4, 6, 100), (5, 6, 100),
                      (6, 6, 20)]  # fmt: skip


def test_second_sync_without_remote_change_changes_no_byte(services: Services) -> None:
    hand = hand_written(services.root)
    services.sync()
    first = snapshot(services.root)
    requests_before = len(services.ax.requests)
    report = services.sync()
    assert snapshot(services.root) == first
    assert report.written == [] and report.changes == [] and report.updated == []
    # Negative title lookups are remembered: only the batch request this time.
    assert len(services.ax.requests) - requests_before == 1
    # Even on another day nothing changes when nothing changed remotely.
    services.sync(today=TODAY + dt.timedelta(days=7))
    assert snapshot(services.root) == first
    assert hand_written(services.root) == hand
    assert_synced_valid(services.root)


def test_sync_never_touches_hand_written_files(services: Services) -> None:
    before = {p: p.read_bytes() for p in (services.root / "bib").glob("*.*")}
    services.sync()
    for path, data in before.items():
        if path.name != "citations.json":
            assert path.read_bytes() == data, path


# ---------------------------------------------------------------- changes


def test_changes_between_two_syncs_are_reported_and_recorded(services: Services) -> None:
    ax, s2 = services.ax, services.s2
    library = library_of(services.root)
    services.sync()
    papers = arxiv_papers_for(library)
    later = TODAY + dt.timedelta(days=7)
    # jacot2018: a new version; du2018: a journal reference and DOI appear on arXiv;
    # li2018sgd: Semantic Scholar now knows its venue; gu2017: withdrawn;
    # zhang2017: arXiv's title no longer matches the entry.
    ax.add_paper({**papers["1806.07572"], "version": 3})
    ax.add_paper({**papers["1810.02054"], "journal_ref": "ICLR 2019", "doi": "10.1000/ICLR.1"})
    ax.add_paper({**papers["1708.06733"], "comment": "This paper has been withdrawn"})
    ax.add_paper({**papers["1611.03530"], "title": "Something else entirely"})
    s2.papers[s2_id(library, "li2018sgd")] = {
        **s2.papers[s2_id(library, "li2018sgd")],
        "venue": "NeurIPS",
        "year": 2018,
        "publicationVenue": {"name": "Neural Information Processing Systems",
                             "type": "conference"},
    }  # fmt: skip
    report = services.sync(today=later)
    assert report.new_versions == [VersionChange("jacot2018", 2, 3)]
    assert {(p.key, p.venue, p.doi, p.source) for p in report.published} == {
        ("du2018", "ICLR 2019", "10.1000/iclr.1", "arxiv"),
        ("li2018sgd", "Neural Information Processing Systems 2018", "", "semanticscholar"),
    }
    assert report.withdrawn == ["gu2017"]
    assert [(d.key, d.field) for d in report.disagreements] == [("zhang2017", "title")]
    assert report.exit_code == 0
    data = report.as_json()
    assert data["new_versions"] == [{"key": "jacot2018", "from": "v2", "to": "v3"}]
    changes = library_of(services.root).changes
    assert {(c.date, c.kind, c.key) for c in changes} == {
        (later.isoformat(), "new-version", "jacot2018"),
        (later.isoformat(), "published", "du2018"),
        (later.isoformat(), "published", "li2018sgd"),
        (later.isoformat(), "withdrawn", "gu2017"),
    }
    assert next(c for c in changes if c.kind == "new-version").detail == "v2 -> v3"
    pubs = library_of(services.root).publications
    assert pubs["li2018sgd"].kind == "conference"
    assert load_state_changed(services.root) == later.isoformat()
    # A third sync finds nothing new and changes nothing.
    first = snapshot(services.root)
    again = services.sync(today=later + dt.timedelta(days=1))
    assert again.changes == [] and snapshot(services.root) == first


def load_state_changed(root: Path) -> str:
    """The day state.json says the stored data last changed."""
    return parse_state((root / SYNCED_DIR / "state.json").read_text("utf-8")).changed


def test_paper_missing_from_a_complete_feed_is_not_on_arxiv(tmp_path: Path) -> None:
    entries, papers = generated_entries(3)
    root = write_course(tmp_path / "c", entries)
    del papers["2001.00001"]
    with ArxivStandIn(papers) as ax:
        arxiv, _ = make_clients(ax)
        report = sync(root, arxiv=arxiv, today=TODAY)
    assert report.failed == [Failure("2001.00001", "not on arXiv", "p1")]
    assert report.exit_code == 1
    assert sorted(library_of(root).arxiv) == ["p0", "p2"]


# ---------------------------------------------------------------- faults

SURVIVABLE = ["429", "503", "rate", "empty", "truncated", "html200", "incomplete", "duplicate",
              "cut"]  # fmt: skip


@pytest.mark.parametrize("fault", SURVIVABLE)
def test_arxiv_faults_are_survived_with_nothing_lost(services: Services, fault: str) -> None:
    hand = hand_written(services.root)
    services.ax.inject([fault])
    report = services.sync(citations=False)
    assert report.failed == [] and report.exit_code == 0
    stored = library_of(services.root).arxiv
    assert len([k for k, r in stored.items() if not r.matched_by]) == 48
    assert stored["jacot2018"].version == 2
    assert hand_written(services.root) == hand
    assert_synced_valid(services.root)
    assert services.ax.pending_faults == []


def test_a_hanging_arxiv_is_retried_after_the_timeout(course: Path) -> None:
    library = library_of(course)
    with ArxivStandIn(arxiv_papers_for(library), hang_seconds=3) as ax:
        ax.inject(["hang"])
        arxiv, _ = make_clients(ax, timeout=0.3)
        started = time.monotonic()
        report = sync(course, arxiv=arxiv, today=TODAY)
        assert time.monotonic() - started < 3
    assert report.failed == [] and len(library_of(course).arxiv) == 48


def test_one_id_refused_with_400_fails_alone(tmp_path: Path) -> None:
    entries, papers = generated_entries(4)
    root = write_course(tmp_path / "c", entries)
    with ArxivStandIn(papers) as ax:
        # The batch, then its first half, then the first id alone are refused.
        ax.inject(["400", "400", "400"])
        arxiv, _ = make_clients(ax)
        report = sync(root, arxiv=arxiv, today=TODAY)
    assert report.failed == [
        Failure("2001.00000", "arXiv refused the id as malformed (HTTP 400)", "p0")
    ]
    assert report.exit_code == 1
    assert sorted(library_of(root).arxiv) == ["p1", "p2", "p3"]


def test_arxiv_unreachable_leaves_everything_as_it_was(course: Path) -> None:
    before = snapshot(course)
    arxiv = ArxivClient("http://127.0.0.1:9/api/query", delay=0, retries=1, backoff=0,
                        sleep=no_sleep, timeout=1)  # fmt: skip
    with pytest.raises(SyncIncomplete) as caught:
        sync(course, arxiv=arxiv, today=TODAY)
    assert caught.value.exit_code == 3
    assert str(caught.value) == (
        "could not reach arXiv (connection failed (ConnectionError) after 2 attempts): "
        "stored data is unchanged (never synced)"
    )
    after = snapshot(course)
    after.pop(".readinglist.lock", None)
    assert after == before


def test_arxiv_failing_mid_run_keeps_saved_batches_and_a_rerun_finishes(tmp_path: Path) -> None:
    entries, papers = generated_entries(250)
    root = write_course(tmp_path / "c", entries)
    reference = write_course(tmp_path / "ref", entries)
    with ArxivStandIn(papers) as ax:
        arxiv, _ = make_clients(ax, retries=2)
        sync(reference, arxiv=arxiv, today=TODAY)

        def fail_after_first_batch(p: Progress) -> None:
            if p.stage == "arxiv" and p.step == 1 and p.finished:
                ax.inject(["503"] * 3)

        with pytest.raises(SyncIncomplete) as caught:
            sync(root, arxiv=arxiv, today=TODAY, progress=fail_after_first_batch)
        assert str(caught.value) == (
            "could not reach arXiv (HTTP 503 after 3 attempts) during batch 2 of 3: 1 of 3 "
            "batches saved (bib/synced/arxiv.json; every file is whole); the rest of the "
            "stored data is unchanged; run sync again to finish"
        )
        assert len(library_of(root).arxiv) == 100
        assert_synced_valid(root)
        report = sync(root, arxiv=arxiv, today=TODAY)
    assert report.exit_code == 0 and len(report.updated) == 150
    assert synced_files(root) == synced_files(reference)


def test_arxiv_failing_during_title_lookups_says_what_was_saved(services: Services) -> None:
    def fail_at_lookups(p: Progress) -> None:
        if p.stage == "lookup" and p.step == 2 and not p.finished:
            services.ax.inject(["503"] * 5)

    with pytest.raises(SyncIncomplete) as caught:
        services.sync(progress=fail_at_lookups)
    assert str(caught.value) == (
        "could not reach arXiv (HTTP 503 after 5 attempts) during title lookups: 1 of 1 "
        "batches saved (bib/synced/arxiv.json; every file is whole); the rest of the stored "
        "data is unchanged; run sync again to finish"
    )
    assert caught.value.report.batches_saved == 1
    state = parse_state((services.root / SYNCED_DIR / "state.json").read_text())
    assert list(state.lookups) == ["cybenko1989"]  # the lookup done before the failure
    assert_synced_valid(services.root)


def test_refused_title_and_tracking_queries_are_reported_not_fatal(tmp_path: Path) -> None:
    root = tracking_course(tmp_path / "c")
    (root / "bib" / "quiet.bib").write_text(
        "@article{old,\n  author = {Green, Dana},\n  title = {An old paper never on arXiv},\n"
        "  journal = {J},\n  year = {1990},\n}\n"
    )
    papers = {**arxiv_papers_for(library_of(root)), **TRACKED}
    with ArxivStandIn(papers) as ax:

        def refuse(p: Progress) -> None:
            if p.stage in ("lookup", "track") and p.step == 1 and not p.finished:
                ax.inject(["400"])

        arxiv, _ = make_clients(ax)
        report = sync(root, arxiv=arxiv, today=TODAY, track=True, progress=refuse)
    assert report.failed == [Failure("topic:ntk", "arXiv refused the tracking query (HTTP 400)")]
    assert report.exit_code == 1
    assert [t.topic for t in report.tracked] == ["data-poisoning"]
    state = parse_state((root / SYNCED_DIR / "state.json").read_text())
    assert list(state.lookups) == ["old"] and list(state.tracking) == ["data-poisoning"]


def test_semantic_scholar_failing_after_a_batch_keeps_what_was_fetched(tmp_path: Path) -> None:
    entries, papers = generated_entries(510)
    root = write_course(tmp_path / "c", entries)
    s2_papers = {f"ARXIV:{i}": {"paperId": f"P{i}", "title": p["title"], "year": 2020,
                                "externalIds": {"ArXiv": i}, "venue": "ICML",
                                "references": [], "referenceCount": 0}
                 for i, p in papers.items()}  # fmt: skip
    with ArxivStandIn(papers) as ax, S2StandIn(s2_papers) as s2:
        s2.inject(["ok", "503", "503", "503"])
        arxiv, s2c = make_clients(ax, s2)
        report = sync(root, arxiv=arxiv, s2=s2c, today=TODAY)
    assert report.exit_code == 3
    assert report.errors == [
        "Semantic Scholar failed after 1 of 2 batches (HTTP 503 after 3 attempts); citations "
        "of the papers fetched are updated, the others unchanged"
    ]
    assert len(library_of(root).publications) == 500


def test_disagreements_follow_the_rules_of_check(tmp_path: Path) -> None:
    entries = (
        "@misc{early,\n  author = {Lovelace, Ada},\n  title = {Early},\n  year = {2019},\n"
        "  eprint = {2001.00001},\n}\n\n"
        "@misc{strangers,\n  author = {Turing, Alan},\n  title = {Strangers},\n"
        "  year = {2020},\n  eprint = {2001.00002},\n}\n"
    )
    root = write_course(tmp_path / "c", entries)
    papers = {
        "2001.00001": sample_paper("2001.00001", 1, title="Early", authors=["Ada Lovelace"],
                                   published="2020-01-15"),
        "2001.00002": sample_paper("2001.00002", 1, title="Strangers", authors=["Grace Hopper"],
                                   published="2020-01-15"),
    }  # fmt: skip
    with ArxivStandIn(papers) as ax:
        arxiv, _ = make_clients(ax)
        report = sync(root, arxiv=arxiv, today=TODAY)
    assert [(d.key, d.field, d.line) for d in report.disagreements] == [
        ("early", "year", 4),
        ("strangers", "authors", 9),
    ]
    assert report.disagreements[0].message == (
        "early: year 2019 is before arXiv 2001.00001v1 (2020-01-15)"
    )
    assert report.exit_code == 0  # warnings, as in check


def test_lock_is_held_for_the_whole_run(services: Services) -> None:
    with store.lock(services.root, "sync"), pytest.raises(LockHeldError) as caught:
        services.sync()
    assert "locked by 'readinglist sync' (pid" in str(caught.value)
    assert caught.value.exit_code == 2


def test_semantic_scholar_unreachable_is_reported_and_changes_nothing_of_it(
    services: Services,
) -> None:
    services.s2.inject(["503"] * 3)
    report = services.sync()
    assert report.exit_code == 3
    assert report.errors == [
        "could not reach Semantic Scholar (HTTP 503 after 3 attempts): citation data "
        "is unchanged (never synced)"
    ]
    assert len(library_of(services.root).arxiv) == 48
    citations, _ = parse_citations((services.root / SYNCED_DIR / "citations.json").read_text())
    assert {c.evidence for c in citations} == {"explicit", "source-keys", "weak"}


# ---------------------------------------------------------------- dry run, offline


def test_dry_run_writes_nothing(services: Services) -> None:
    before = snapshot(services.root)
    report = services.sync(dry_run=True)
    assert snapshot(services.root) == before
    assert report.mode == "dry-run" and "bib/synced/arxiv.json" in report.written
    assert len(report.updated) == 48


def test_offline_report_reads_stored_data_only(services: Services) -> None:
    services.sync()
    report = offline_report(services.root)
    assert report.mode == "offline" and report.stored_date == TODAY.isoformat()
    assert report.stored["arxiv"] == 48 and report.stored["not_fetched"] == []
    assert report.requests == {"arxiv": 0, "semanticscholar": 0}


# ---------------------------------------------------------------- title lookups

TITLE_ENTRIES = r"""
@article{exact,
  author = {Smith, Jane and Doe, John},
  title = {Deep Learning Theory: Notes, Volume {One}},
  journal = {Some Journal},
  year = {2019},
}

@article{nearmiss,
  author = {Brown, Carl},
  title = {A Study of Lazy Training in Neural Networks},
  journal = {Some Journal},
  year = {2019},
}

@article{otherauthors,
  author = {Green, Dana},
  title = {Gradient Flows on Wide Networks Explained},
  journal = {Some Journal},
  year = {2019},
}
"""

TITLE_PAPERS = {
    "1901.00001": sample_paper("1901.00001", 3, title="Deep learning theory:  notes, volume one",
                               authors=["Jane Smith", "Alice Roe"]),
    "1901.00002": sample_paper("1901.00002", 1,
                               title="A Study of Lazy Training in Neural Networks Revisited",
                               authors=["Carl Brown"]),
    "1901.00003": sample_paper("1901.00003", 1, title="Gradient Flows on Wide Networks Explained",
                               authors=["Bob White"]),
}  # fmt: skip


def test_title_lookup_accepts_only_a_strict_match_and_remembers_misses(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", TITLE_ENTRIES)
    hand = hand_written(root)
    with ArxivStandIn(TITLE_PAPERS) as ax:
        arxiv, _ = make_clients(ax)
        report = sync(root, arxiv=arxiv, today=TODAY)
        assert [(m.key, m.arxiv) for m in report.matched] == [("exact", "1901.00001v3")]
        assert len(search_requests(ax)) == 3 and id_requests(ax) == []
        assert search_requests(ax)[0]["search_query"] == (
            'ti:"Deep Learning Theory: Notes, Volume One"'
        )
        stored = library_of(root).arxiv
        assert list(stored) == ["exact"] and stored["exact"].matched_by == "title"
        state = parse_state((root / SYNCED_DIR / "state.json").read_text())
        assert sorted(state.lookups) == ["nearmiss", "otherauthors"]
        assert hand_written(root) == hand

        # Next week: the match is refreshed by id, the misses are not looked up again.
        ax.requests.clear()
        ax.add_paper({**TITLE_PAPERS["1901.00001"], "version": 4})
        report = sync(root, arxiv=arxiv, today=TODAY + dt.timedelta(days=7))
        assert search_requests(ax) == [] and len(id_requests(ax)) == 1
        assert report.new_versions == [VersionChange("exact", 3, 4)]
        assert library_of(root).arxiv["exact"].matched_by == "title"

        # After 90 days the misses are tried again.
        ax.requests.clear()
        sync(root, arxiv=arxiv, today=TODAY + dt.timedelta(days=91))
        assert len(search_requests(ax)) == 2
    assert hand_written(root) == hand


def test_title_lookup_is_repeated_when_the_title_is_edited(tmp_path: Path) -> None:
    root = write_course(tmp_path / "c", TITLE_ENTRIES)
    with ArxivStandIn(TITLE_PAPERS) as ax:
        arxiv, _ = make_clients(ax)
        sync(root, arxiv=arxiv, today=TODAY)
        bib = root / "bib" / "t.bib"
        bib.write_text(bib.read_text().replace("Gradient Flows on", "Gradient flows of"))
        ax.requests.clear()
        sync(root, arxiv=arxiv, today=TODAY)
        assert [r["search_query"] for r in search_requests(ax)] == [
            'ti:"Gradient flows of Wide Networks Explained"'
        ]


# ---------------------------------------------------------------- citations


def test_citations_keep_curated_edges_and_replace_fetched_ones(services: Services) -> None:
    curated_before = {(c.citing, c.cited, c.evidence) for c in library_of(services.root).citations}
    assert len(curated_before) == 36
    report = services.sync()
    library = library_of(services.root)
    edges = {(c.citing, c.cited, c.evidence) for c in library.citations}
    assert curated_before <= edges
    fetched = [c for c in library.citations if c.evidence == "semanticscholar"]
    keys = list(library.papers)
    # Each paper cites the one before it (matched by arXiv id or DOI), the ntk papers
    # the outside paper; unresolved references without any id are skipped.
    assert ("jacot2018", keys[keys.index("jacot2018") - 1], "semanticscholar") in edges
    ntk = [k for k, p in library.papers.items() if p.topic == "ntk"]
    assert {c.citing for c in fetched if c.cited == f"doi:{OUTSIDE_DOI}"} == set(ntk)
    assert len(fetched) == len(keys) - 1 + len(ntk)
    assert report.citations["curated"] == 36
    jacot = next(c for c in fetched if c.citing == "jacot2018")
    assert jacot.source == "https://www.semanticscholar.org/paper/P-jacot2018"

    # S2 drops du2018's references: its fetched edges go, curated ones stay.
    du = s2_id(library, "du2018")
    services.s2.papers[du] = {**services.s2.papers[du], "references": [], "referenceCount": 0}
    services.sync()
    library = library_of(services.root)
    edges = {(c.citing, c.cited, c.evidence) for c in library.citations}
    assert curated_before <= edges
    assert not any(c.citing == "du2018" and c.evidence == "semanticscholar"
                   for c in library.citations)  # fmt: skip

    # Without citations the fetched edges stay as they are.
    stored = (services.root / SYNCED_DIR / "citations.json").read_bytes()
    services.sync(citations=False)
    assert (services.root / SYNCED_DIR / "citations.json").read_bytes() == stored


def test_outside_paper_cited_by_two_listed_papers_is_suggested(services: Services) -> None:
    services.sync()
    library = library_of(services.root)
    outside = library.external[f"doi:{OUTSIDE_DOI}"]
    assert outside.title == "An outside paper" and outside.year == 1999
    assert dict(outside.ids) == {"doi": OUTSIDE_DOI, "s2": "OUT1"}
    suggestions = graph.suggest(library, min_cites=2)
    found = next(s for s in suggestions if s.id == f"doi:{OUTSIDE_DOI}")
    assert len(found.cited_by) == 7


def test_reference_known_only_by_s2_id_points_at_the_listed_paper(services: Services) -> None:
    library = library_of(services.root)
    jacot = s2_id(library, "jacot2018")
    services.s2.papers[jacot] = {
        **services.s2.papers[jacot],
        "references": [{"paperId": "P-du2018", "externalIds": None, "title": "", "year": None}],
        "referenceCount": 1,
    }
    services.sync()
    cited = {c.cited for c in library_of(services.root).citations if c.citing == "jacot2018"}
    assert "du2018" in cited


def test_publications_feed_export_prefer_published(services: Services, run) -> None:  # type: ignore[no-untyped-def]
    library = library_of(services.root)
    for key, kind in (("jacot2018", "conference"), ("bartlett2017", "journal")):
        sid = s2_id(library, key)
        venue = {"name": f"Venue of {key}", "type": kind}
        services.s2.papers[sid] = {**services.s2.papers[sid], "publicationVenue": venue}
    services.sync()
    pubs = library_of(services.root).publications
    assert (
        pubs["jacot2018"].venue == "Venue of jacot2018" and pubs["jacot2018"].kind == "conference"
    )
    assert pubs["bartlett2017"].kind == "journal"


# ---------------------------------------------------------------- tracking


TRACKING_COURSE = """course:
  title: Tracking
topics:
  - slug: ntk
    title: Neural tangent kernels
    description: Wide networks trained by gradient descent and their kernel limit.
    arxiv_query: 'abs:"neural tangent kernel"'
  - slug: data-poisoning
    title: Data poisoning
    description: Attacks that corrupt training data, and defenses.
    arxiv_query: 'abs:"data poisoning"'
  - slug: quiet
    title: A topic without tracking
lectures: []
"""

TRACKING_BIBS = {
    "ntk": r"""@inproceedings{jacot2018,
  author = {Jacot, Arthur and Gabriel, Franck and Hongler, Cl{\'e}ment},
  title = {Neural Tangent Kernel: Convergence and Generalization in Neural Networks},
  year = {2018},
  eprint = {1806.07572},
  abstract = {The neural tangent kernel describes gradient descent training of wide networks.},
}

@inproceedings{du2018,
  author = {Du, Simon S. and Zhai, Xiyu},
  title = {Gradient Descent Provably Optimizes Over-parameterized Neural Networks},
  year = {2018},
  eprint = {1810.02054},
}
""",
    "data-poisoning": r"""@inproceedings{steinhardt2017,
  author = {Steinhardt, Jacob and Koh, Pang Wei and Liang, Percy},
  title = {Certified Defenses for Data Poisoning Attacks},
  year = {2017},
  eprint = {1706.03691},
  abstract = {Data poisoning attacks corrupt the training set; we certify defenses.},
}
""",
}


def tracking_course(root: Path) -> Path:
    """A small course whose ntk and data-poisoning topics track queries the stand-in
    understands."""
    (root / "bib").mkdir(parents=True)
    (root / "bib" / "course.yml").write_text(TRACKING_COURSE, "utf-8")
    for slug, text in TRACKING_BIBS.items():
        (root / "bib" / f"{slug}.bib").write_text(text, "utf-8")
    return root


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


TRACKED = {
    "2605.00001": sample_paper("2605.00001", 1, published=days_ago(3),
        title="Neural tangent kernel analysis of wide networks",
        abstract="We study the neural tangent kernel of over-parameterized neural networks "
                 "trained by gradient descent and prove global convergence."),
    "2605.00002": sample_paper("2605.00002", 1, published=days_ago(10),
        title="Lazy training beyond the neural tangent kernel",
        abstract="Lazy training and the neural tangent kernel regime of wide networks."),
    "2604.00003": sample_paper("2604.00003", 1, published=days_ago(40),
        title="An old neural tangent kernel paper",
        abstract="The neural tangent kernel, from before the window."),
    "2605.00004": sample_paper("2605.00004", 1, published=days_ago(5),
        title="Backdoor data poisoning of image classifiers",
        abstract="A data poisoning attack that plants a backdoor in trained classifiers."),
}  # fmt: skip


def test_track_reads_30_days_then_stops_at_the_watermark(tmp_path: Path) -> None:
    course = tracking_course(tmp_path / "c")
    library = library_of(course)
    papers = {**arxiv_papers_for(library), **TRACKED}
    with ArxivStandIn(papers) as ax:
        arxiv, _ = make_clients(ax, page_size=2)
        report = sync(course, arxiv=arxiv, today=TODAY, track=True)
        ntk_pages = [r for r in search_requests(ax) if "tangent" in r["search_query"]]
        # Page 1: 00001, 00002; page 2 starts with 2604.00003, older than 30 days: stop.
        assert [r["start"] for r in ntk_pages] == ["0", "2"]
        assert ntk_pages[0]["sortBy"] == "submittedDate"
        assert ntk_pages[0]["sortOrder"] == "descending"
        stored = library_of(course).candidates
        assert {(c.topic, c.arxiv) for c in stored} == {
            ("ntk", "2605.00001"), ("ntk", "2605.00002"), ("data-poisoning", "2605.00004"),
        }  # fmt: skip
        assert all(c.score > 0 for c in stored)
        ntk = sorted((c for c in stored if c.topic == "ntk"), key=lambda c: -c.score)
        assert ntk[0].arxiv == "2605.00001"
        tracked = {t.topic: t for t in report.tracked}
        assert tracked["ntk"].since == days_ago(30) and tracked["ntk"].watermark == days_ago(3)
        assert {c.kind for c in report.changes} == {"candidate"}
        state = parse_state((course / SYNCED_DIR / "state.json").read_text())
        assert state.tracking["ntk"].date == days_ago(3)

        # A new submission; the next run reads back to the watermark only.
        ax.add_paper(sample_paper("2605.00005", 1, published=days_ago(1),
                                  title="Neural tangent kernel of transformers",
                                  abstract="The neural tangent kernel of attention."))  # fmt: skip
        ax.requests.clear()
        report = sync(course, arxiv=arxiv, today=TODAY, track=True)
        tracked = {t.topic: t for t in report.tracked}
        assert tracked["ntk"].read == 2  # 00005 and 00001 (on the watermark day)
        assert tracked["ntk"].since == days_ago(3)
        assert [c.arxiv for c in report.new_candidates] == ["2605.00005"]
        assert len([r for r in search_requests(ax) if "tangent" in r["search_query"]]) == 2

        # Added to the list, a candidate drops out at the next sync.
        add_papers(course, ["2605.00001"], "ntk", arxiv=arxiv, s2=None, today=TODAY)
        assert "2605.00001" not in {c.arxiv for c in library_of(course).candidates}
        sync(course, arxiv=arxiv, today=TODAY)
        assert "2605.00001" not in {c.arxiv for c in list_candidates(library_of(course))}


def test_track_uses_citations_of_candidates_when_known(tmp_path: Path) -> None:
    course = tracking_course(tmp_path / "c")
    library = library_of(course)
    papers = {**arxiv_papers_for(library), **TRACKED}
    s2_papers = s2_papers_for(library)
    s2_papers["ARXIV:2605.00002"] = {
        "paperId": "C2", "title": "x", "year": 2026, "externalIds": {"ArXiv": "2605.00002"},
        "references": [{"paperId": "P-jacot2018", "externalIds": {"ArXiv": "1806.07572"},
                        "title": "NTK", "year": 2018}], "referenceCount": 1,
    }  # fmt: skip
    with ArxivStandIn(papers) as ax, S2StandIn(s2_papers) as s2:
        arxiv, s2c = make_clients(ax, s2)
        sync(course, arxiv=arxiv, s2=s2c, today=TODAY, track=True)
        assert len(s2.batch_requests()) == 2  # the list, then the new candidates
    stored = {c.arxiv: c for c in library_of(course).candidates}
    assert stored["2605.00002"].cites == ("jacot2018",)
    assert stored["2605.00001"].cites == ()


# ---------------------------------------------------------------- add


def test_add_appends_a_complete_entry_and_keeps_every_old_byte(course: Path) -> None:
    bib = course / "bib" / "ntk.bib"
    old = bib.read_bytes()
    paper = sample_paper(
        "2403.01234", 2, title="Learning 100% of $\\alpha_1$ & more_things #1",
        authors=["Ludwig van Beethoven", "Zeyuan Allen-Zhu"], categories=["cs.LG", "stat.ML"],
        published="2024-03-02", abstract="An abstract with 50% & $x_1$.",
    )  # fmt: skip
    with ArxivStandIn({"2403.01234": paper}) as ax:
        arxiv, _ = make_clients(ax)
        report = add_papers(course, ["https://arxiv.org/abs/2403.01234v2"], "ntk", arxiv=arxiv,
                            s2=None, today=TODAY)  # fmt: skip
        assert len(ax.requests) == 1
    assert [e.key for e in report.added] == ["beethoven2024learning"]
    new = bib.read_bytes()
    assert new.startswith(old)
    parsed = parse_bib(new.decode("utf-8"), "bib/ntk.bib")
    assert parsed.problems == ()
    entry = parsed.entries[-1]
    fields = dict(entry.fields)
    assert entry.entry_type == "misc" and entry.key == "beethoven2024learning"
    assert fields["author"] == "van Beethoven, Ludwig and Allen-Zhu, Zeyuan"
    assert fields["title"] == "Learning 100\\% of $\\alpha_1$ \\& more\\_things \\#1"
    assert fields["year"] == "2024" and fields["eprint"] == "2403.01234"
    assert fields["archivePrefix"] == "arXiv" and fields["primaryClass"] == "cs.LG"
    assert fields["abstract"] == "An abstract with 50\\% \\& $x_1$."
    assert fields["url"] == "https://arxiv.org/abs/2403.01234"
    library = library_of(course)
    assert library.papers["beethoven2024learning"].arxiv.id == "2403.01234"
    assert library.arxiv["beethoven2024learning"].version == 2
    assert [(c.kind, c.key) for c in library.changes] == [("added", "beethoven2024learning")]


def test_add_refuses_papers_already_listed(course: Path) -> None:
    before = snapshot(course)
    with ArxivStandIn({}) as ax:
        arxiv, _ = make_clients(ax)
        report = add_papers(course, ["arXiv:1806.07572v2"], "ntk", arxiv=arxiv, s2=None)
        assert ax.requests == []
    assert report.refused == [
        Failure("1806.07572", "already on the list as jacot2018 (bib/ntk.bib:4)", "jacot2018")
    ]
    assert report.exit_code == 1 and report.added == []
    after = snapshot(course)
    after.pop(".readinglist.lock", None)
    assert after == before


def test_add_with_lecture_inserts_the_reading(course: Path) -> None:
    course_file = course / "bib" / "course.yml"
    old = course_file.read_text("utf-8")
    papers = {"2403.01234": sample_paper("2403.01234", 1, published="2024-03-02",
                                         journal_ref="Proceedings of COLT 2024")}  # fmt: skip
    with ArxivStandIn(papers) as ax:
        arxiv, _ = make_clients(ax)
        report = add_papers(course, ["2403.01234"], "ntk", arxiv=arxiv, s2=None, lecture=7,
                            required=False)  # fmt: skip
    key = report.added[0].key
    assert key == "lovelace2024study"
    new = course_file.read_text("utf-8")
    assert new == old.replace(
        "    optional: [allenzhu2019, li2018sgd]\n",
        f"    optional: [allenzhu2019, li2018sgd, {key}]\n",
    )
    library = library_of(course)
    assert key in library.lecture(7).optional
    assert library.papers[key].entry_type == "inproceedings"
    assert library.papers[key].field("booktitle") == "Proceedings of COLT 2024"


def test_add_bad_input_is_refused_before_any_request(course: Path) -> None:
    with ArxivStandIn({}) as ax:
        arxiv, _ = make_clients(ax)
        with pytest.raises(UsageError, match="no topic 'nope'; topics are approximation, "):
            add_papers(course, ["2403.01234"], "nope", arxiv=arxiv, s2=None)
        with pytest.raises(UsageError, match="no lecture 99"):
            add_papers(course, ["2403.01234"], "ntk", arxiv=arxiv, s2=None, lecture=99)
        with pytest.raises(UsageError, match="not an arXiv id or a DOI: 'hello'"):
            add_papers(course, ["hello"], "ntk", arxiv=arxiv, s2=None)
        assert ax.requests == []


def test_add_by_doi_uses_semantic_scholar(course: Path) -> None:
    s2_papers = {
        "DOI:10.1234/abc": {"paperId": "D1", "title": "A journal paper", "year": 2021,
                            "venue": "J. Stuff", "publicationVenue": {"name": "Journal of Stuff",
                                                                      "type": "journal"},
                            "externalIds": {"DOI": "10.1234/ABC", "ArXiv": "2101.00001"}},
        "DOI:10.1234/noarxiv": {"paperId": "D2", "title": "Without preprint", "year": 2020,
                                "venue": "Conf", "externalIds": {"DOI": "10.1234/noarxiv"}},
    }  # fmt: skip
    hopper = sample_paper(
        "2101.00001", 1, title="A journal paper", authors=["Grace Hopper"], published="2021-01-05"
    )
    papers = {"2101.00001": hopper}
    with ArxivStandIn(papers) as ax, S2StandIn(s2_papers) as s2:
        arxiv, s2c = make_clients(ax, s2)
        dois = ["doi:10.1234/ABC", "https://doi.org/10.1234/noarxiv", "10.1234/unknown"]
        report = add_papers(course, dois, "approximation", arxiv=arxiv, s2=s2c)
        assert len(s2.batch_requests()) == 1 and len(ax.requests) == 1
    assert [e.key for e in report.added] == ["hopper2021journal", "anon2020without"]
    assert report.failed == [Failure("10.1234/unknown", "not found on Semantic Scholar")]
    assert report.warnings == [
        "anon2020without: no author known for DOI 10.1234/noarxiv; add author by hand"
    ]
    assert report.exit_code == 1
    library = library_of(course)
    hopper = library.papers["hopper2021journal"]
    assert hopper.entry_type == "article" and hopper.field("journal") == "Journal of Stuff"
    assert hopper.doi == "10.1234/abc" and hopper.arxiv.id == "2101.00001"
    assert hopper.field("author") == "Hopper, Grace"


def test_add_refuses_a_doi_whose_preprint_is_listed(course: Path) -> None:
    ids = {"DOI": "10.1234/ntk", "ArXiv": "1806.07572"}
    s2_papers = {
        "DOI:10.1234/ntk": {"paperId": "X", "title": "NTK", "year": 2018, "externalIds": ids}
    }
    with ArxivStandIn({}) as ax, S2StandIn(s2_papers) as s2:
        arxiv, s2c = make_clients(ax, s2)
        report = add_papers(course, ["10.1234/ntk"], "ntk", arxiv=arxiv, s2=s2c)
        assert ax.requests == []
    assert [(f.id, f.key) for f in report.refused] == [("10.1234/ntk", "jacot2018")]
    assert report.added == [] and report.exit_code == 1


def test_appended_text_that_would_not_read_back_is_refused(course: Path) -> None:
    from readinglist import add as add_module

    before = (course / "bib" / "ntk.bib").read_bytes()
    with pytest.raises(StoreError, match="would not read back as written"):
        add_module._check_appended(course, "bib/ntk.bib", "@misc{x,\n  title = {a},\n", ["x"])
    assert (course / "bib" / "ntk.bib").read_bytes() == before


def test_key_and_bibtex_helpers() -> None:
    assert citation_key(["Arthur Jacot"], "2018", "Neural Tangent Kernel", []) == "jacot2018neural"
    assert citation_key(["Arthur Jacot"], "2018", "On the Kernel", ["Jacot2018Kernel"]) == (
        "jacot2018kernelb"
    )
    taken = ["x2020y", "x2020yb"]
    assert citation_key(["A X"], "2020", "Y", taken) == "x2020yc"
    assert citation_key(["Léna\u00efc Chizat"], "2019", "The lazy", []) == "chizat2019lazy"
    assert bibtex_name("Simon S. Du") == "Du, Simon S."
    assert bibtex_name("Plato") == "Plato"
    assert escape_bibtex("a_b $c_d$ {unbalanced") == "a\\_b $c_d$ \\{unbalanced"
    assert escape_bibtex("already \\& escaped") == "already \\& escaped"
    assert parse_add_ids(["10.48550/arXiv.1806.07572", "1806.07572v3"]) == [
        ("arxiv", "1806.07572", "10.48550/arXiv.1806.07572")
    ]


# ---------------------------------------------------------------- SIGKILL


def test_sync_killed_at_random_moments_leaves_whole_files_and_a_rerun_finishes(
    course: Path, tmp_path: Path
) -> None:
    reference = tmp_path / "reference"
    shutil.copytree(course, reference)
    library = library_of(course)
    with ArxivStandIn(arxiv_papers_for(library)) as ax, S2StandIn(s2_papers_for(library)) as s2:
        env = {
            **sync_env(ax, s2),
            "READINGLIST_ARXIV_DELAY": "0.01",
            "READINGLIST_ARXIV_PAGE_SIZE": "8",
        }
        started = time.monotonic()
        done = run_sync_subprocess(reference, env)
        took = time.monotonic() - started
        assert done.returncode == 0, done.stderr
        new = synced_files(reference)
        kill_sync_at_random(course, env, kills=5, new=new, window=took)
        final = run_sync_subprocess(course, env)
    assert final.returncode == 0, final.stderr
    assert synced_files(course) == new
    assert hand_written(course) == hand_written(reference)


def test_parsed_records_compare_equal_to_fetched_ones() -> None:
    record = ArxivRecord(id="1806.07572", version=4, title="T", authors=("A B",),
                         affiliations=(("X",), ()), categories=("cs.LG",))  # fmt: skip
    from readinglist.synced import dump_arxiv

    assert parse_arxiv(dump_arxiv({"k": record}))["k"] == record
    assert json.loads(dump_arxiv({"k": record}))["papers"]["k"]["version"] == 4
