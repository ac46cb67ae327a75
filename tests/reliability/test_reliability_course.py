"""The course-file family of the hostile-input corpus, through the real CLI.

Each case of :data:`corpus.COURSE` becomes ``bib/course.yml`` of the bundled course and
runs through ``check --json``, ``check``, ``show`` and ``export``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability.corpus import (
    COURSE,
    COURSE_FILE,
    COURSE_FOLDER,
    CourseCase,
    Fails,
    content_bytes,
)
from tests.reliability.runner import assert_refused, findings_of, json_of, run_unchanged


@pytest.mark.parametrize("case", COURSE, ids=[c.id for c in COURSE])
def test_hostile_course_file(case: CourseCase, course: Path, run) -> None:  # type: ignore[no-untyped-def]
    target = course / COURSE_FILE
    if case.content is None:
        target.unlink()
        target.mkdir()
    else:
        target.write_bytes(content_bytes(case.content))
    outcome = case.outcome
    if isinstance(outcome, Fails):
        file = str(course) if outcome.file == COURSE_FOLDER else COURSE_FILE
        commands = [["check", "--json"], ["check"], ["show", "jacot2018"], ["export", "--all"]]
        for ran in run_unchanged(run, course, commands):
            if outcome.seconds is not None:
                assert ran.seconds < outcome.seconds, (ran.args, ran.seconds)
            assert_refused(ran, outcome, file)
        # Nothing a YAML tag names was ever run (course-python-object would create it).
        assert not (course / "PWNED").exists() and not Path("PWNED").exists()
        return
    commands = [["check", "--json"], ["check"], ["show", "jacot2018", "--json"],
                ["export", "--lecture", "1"]]  # fmt: skip
    done = run_unchanged(run, course, commands)
    check_json, check_text, show, export = done
    for ran in (check_json, check_text):
        assert ran.result.exit_code == outcome.exit, (ran.args, ran.stderr[-1000:])
    found = findings_of(json_of(check_json), COURSE_FILE)
    for finding in outcome.findings:
        assert finding in found, (finding, found)
    assert show.result.exit_code == 0 and json_of(show)["key"] == "jacot2018"
    assert export.result.exit_code == 0 and export.stdout.startswith("% Lecture 1:")
    if outcome.seconds is not None:
        slowest = max(done, key=lambda r: r.seconds)
        assert slowest.seconds < outcome.seconds, (slowest.args, slowest.seconds)


def test_course_corpus_ids_are_unique() -> None:
    ids = [c.id for c in COURSE]
    assert len(ids) == len(set(ids))
