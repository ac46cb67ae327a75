"""The arXiv and Semantic Scholar families of the hostile-input corpus.

Each case scripts the stand-in's answers request by request and runs the real client
(``services/arxiv.py``, ``services/semanticscholar.py``) against it. What the existing
service tests already cover (each fault once, the parser on mangled bytes) is listed in
the corpus's COVERED rows and not repeated here.
"""

from __future__ import annotations

import logging
import re
import time
from pathlib import Path

import pytest

from readinglist.errors import ServiceError
from readinglist.services.arxiv import ArxivClient
from readinglist.services.semanticscholar import SemanticScholarClient
from tests.reliability.corpus import ARXIV, S2, SECRET, Found, Raises, ServiceCase
from tests.reliability.services import Context, ScriptedArxiv, ScriptedS2, canary
from tests.standins import arxiv_server

CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@pytest.fixture(autouse=True)
def _no_nagle(monkeypatch: pytest.MonkeyPatch) -> None:
    # The arXiv stand-in writes headers and body separately: without this each answer
    # waits ~40 ms for a delayed ACK (see tests/test_sync.py).
    monkeypatch.setattr(arxiv_server._Handler, "disable_nagle_algorithm", True, raising=False)


def _texts(*values: object) -> str:
    return "\n".join(repr(v) for v in values)


@pytest.mark.parametrize("case", ARXIV, ids=[c.id for c in ARXIV])
def test_arxiv_answers(case: ServiceCase, tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    sleeps: list[float] = []
    with canary() as hits:
        ctx = Context(secret_uri=secret.as_uri(), canary_url=hits[0])
        scripted = ScriptedArxiv(case.answers, ctx, hang_seconds=2)
        with scripted as server:
            options = {"delay": 0, "timeout": 5, "retries": 3, "backoff": 0.01, **case.options}
            limits = {k: options.pop(k) for k in ("deadline", "max_bytes") if k in options}
            client = ArxivClient(server.url, sleep=sleeps.append, **options)
            for name, value in limits.items():  # HTTP policy the client does not expose
                setattr(client.http, name, value)
            started = time.monotonic()
            outcome = case.outcome
            if isinstance(outcome, Raises):
                with pytest.raises(ServiceError) as info:
                    client.fetch_ids(list(case.ids))
                error = info.value
                assert error.exit_code == outcome.exit, error
                assert outcome.fragment in str(error), str(error)
                assert len(server.requests) == outcome.requests
                seen = _texts(str(error), error.args)
                if outcome.seconds is not None:
                    assert time.monotonic() - started < outcome.seconds
            else:
                result = client.fetch_ids(list(case.ids))
                assert sorted(result.records) == sorted(outcome.records), result
                assert sorted(result.missing) == sorted(outcome.missing), result
                assert result.failed == {}
                assert result.requests == len(server.requests) == outcome.requests
                seen = _texts(result)
                for record in result.records.values():
                    assert record.id in outcome.records and record.version >= 1
            assert not scripted.script, "a scripted answer was not asked for"
        assert hits[1:] == [], f"the parser fetched {hits[1:]}"
    for text in case.never:
        assert text not in seen and text not in caplog.text, text


def test_other_version_keeps_the_latest() -> None:
    """arxiv-other-version, in detail: v1 asked, v3 kept."""
    with ScriptedArxiv(["ok"], Context("", "")) as server:
        client = ArxivClient(server.url, delay=0, timeout=5)
        record = client.fetch_ids(["2001.00009v1"]).records["2001.00009"]
    assert record.version == 3


@pytest.mark.parametrize("case", S2, ids=[c.id for c in S2])
def test_semantic_scholar_answers(case: ServiceCase) -> None:
    sleeps: list[float] = []
    with ScriptedS2(case.answers) as server:
        options = {"delay": 0, "timeout": 5, "retries": 3, "backoff": 0.5, **case.options}
        client = SemanticScholarClient(server.url, sleep=sleeps.append, **options)
        outcome = case.outcome
        if isinstance(outcome, Raises):
            with pytest.raises(ServiceError) as info:
                client.fetch_papers(list(case.ids))
            assert info.value.exit_code == outcome.exit, info.value
            assert outcome.fragment in str(info.value), str(info.value)
            assert len(server.requests) == outcome.requests
            return
        assert isinstance(outcome, Found)
        result = client.fetch_papers(list(case.ids))
    found = sorted(k for k, v in result.papers.items() if v is not None)
    unknown = sorted(k for k, v in result.papers.items() if v is None)
    assert found == sorted(outcome.records) and unknown == sorted(outcome.unknown)
    assert result.requests == outcome.requests
    if outcome.sleeps is not None:
        assert sleeps == list(outcome.sleeps)
    for paper in result.papers.values():
        if paper is None:
            continue
        # Whatever came in can be saved and shown: UTF-8, no control characters.
        strings = [paper.paper_id, paper.title, paper.venue, *paper.external_ids.values()]
        strings += [r.title for r in paper.references]
        for text in strings:
            text.encode("utf-8")
            assert not CONTROL.search(text), repr(text)


def test_corpus_ids_are_unique() -> None:
    ids = [c.id for c in ARXIV + S2]
    assert len(ids) == len(set(ids))
