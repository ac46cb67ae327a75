"""The BibTeX family of the hostile-input corpus, through the real CLI.

Each case of :data:`corpus.BIBTEX` becomes ``bib/hostile.bib``, a topic of the bundled
course, and runs through ``check --json``, ``check``, ``show`` and ``export``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.corpus import BIBTEX, HOSTILE_BIB, BibCase, Fails, content_bytes
from tests.reliability.runner import (
    assert_refused,
    findings_of,
    json_of,
    matches,
    run_unchanged,
)

BUNDLED_PAPERS = 59


def add_hostile_topic(root: Path) -> None:
    """Make ``bib/hostile.bib`` a topic of the course file, so the corpus file is read
    like any topic's file (and no stray-file warning hides among the findings)."""
    path = root / "bib/course.yml"
    text = path.read_text(encoding="utf-8")
    assert "\nlectures:" in text
    path.write_text(
        text.replace(
            "\nlectures:", "\n  - slug: hostile\n    title: Hostile input\n\nlectures:", 1
        ),
        encoding="utf-8",
    )


@pytest.mark.parametrize("case", BIBTEX, ids=[c.id for c in BIBTEX])
def test_hostile_bib(case: BibCase, course: Path, run) -> None:  # type: ignore[no-untyped-def]
    add_hostile_topic(course)
    target = course / HOSTILE_BIB
    if case.content is None:
        target.mkdir()
    else:
        target.write_bytes(content_bytes(case.content))
    outcome = case.outcome
    if isinstance(outcome, Fails):
        commands = [["check", "--json"], ["check"], ["show", "jacot2018"], ["export", "--all"]]
        for ran in run_unchanged(run, course, commands):
            if outcome.seconds is not None:
                assert ran.seconds < outcome.seconds, (ran.args, ran.seconds)
            assert_refused(ran, outcome, HOSTILE_BIB)
        return

    keys = list(outcome.show) + [k for k in outcome.shown if k not in outcome.show]
    commands = [["check", "--json"], ["check"], ["export", "--all"]]
    commands += [["show", key, "--json"] for key in outcome.show]
    commands += [["show", key] for key in keys]
    done = run_unchanged(run, course, commands)
    check_json, check_text, export, *shows = done
    for ran in (check_json, check_text):
        assert ran.result.exit_code == outcome.exit, (ran.args, ran.stderr[-1000:])
    report = json_of(check_json)
    assert report["papers"] == BUNDLED_PAPERS + outcome.papers, report["papers"]
    found = findings_of(report, HOSTILE_BIB)
    for finding in outcome.findings:
        assert finding in found, (finding, found)
    unexpected_errors = [
        (f["code"], f["line"]) for f in report["errors"] if (f["code"], f["line"]) not in
        outcome.findings
    ]  # fmt: skip
    assert not unexpected_errors, unexpected_errors
    assert export.result.exit_code == 0, export.stderr
    for key in keys:
        assert f"{{{key}," in export.stdout, key
    by_args = {ran.args: ran for ran in shows}
    for key, fields in outcome.show.items():
        ran = by_args[("show", key, "--json")]
        assert ran.result.exit_code == 0, ran.stderr
        record = json_of(ran)
        for name, expected in fields.items():
            assert matches(record[name], expected), (key, name, str(record[name])[:200])
    for key in keys:
        ran = by_args[("show", key)]
        assert ran.result.exit_code == 0, ran.stderr
        # The table wraps long cells: compare with whitespace runs as single spaces.
        printed = " ".join(ran.stdout.split())
        for text in outcome.shown.get(key, ()):
            assert text in printed, (key, text)
        for text in outcome.never_shown:
            assert text not in ran.stdout, (key, repr(text))
    if outcome.seconds is not None:
        slowest = max(done, key=lambda r: r.seconds)
        assert slowest.seconds < outcome.seconds, (slowest.args, slowest.seconds)


def test_corpus_ids_are_unique() -> None:
    ids = [c.id for c in BIBTEX]
    assert len(ids) == len(set(ids))
