"""The GitHub Actions workflow and Dependabot config that ``init`` writes: audited by
zizmor (no finding, in every persona), valid against GitHub's schemas
(check-jsonschema's vendored copies, no network), installing exactly this version, with
pinned actions, least privilege per job and no persisted credentials."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import Result

from readinglist import DISTRIBUTION, __version__
from readinglist.course import parse_course
from readinglist.scaffold import WORKFLOW_PYTHON

Run = Callable[..., Result]
WORKFLOW = ".github/workflows/readinglist.yml"
DEPENDABOT = ".github/dependabot.yml"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"@[0-9a-f]{40}\s+# v\d+\.\d+\.\d+$")


def _tool(name: str) -> str:
    """A command installed beside this Python (the test extra installs it)."""
    path = Path(sys.executable).parent / name
    assert path.exists(), f"{name} is not installed: pip install -e '.[test]'"
    return str(path)


@pytest.fixture
def folder(run: Run, tmp_path: Path) -> Path:
    result = run("init", tmp_path / "c", "--date", "2025-09-10", "--contact", "me@example.edu")
    assert result.exit_code == 0, result.stderr
    return tmp_path / "c"


def _workflow(folder: Path) -> tuple[str, dict[str, Any]]:
    text = (folder / WORKFLOW).read_text("utf-8")
    return text, yaml.safe_load(text)


@pytest.mark.parametrize("persona", ["regular", "pedantic", "auditor"])
def test_zizmor_finds_nothing(folder: Path, persona: str) -> None:
    done = subprocess.run(
        [_tool("zizmor"), "--offline", "--persona", persona, "--format", "plain", str(folder)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout
    # It did read both files (a file it cannot parse would be skipped with a warning).
    assert "dependabot.yml" in done.stderr and "readinglist.yml" in done.stderr


def test_zizmor_would_find_the_old_workflow(folder: Path) -> None:
    """The audit is real: what the old template did (tag refs) fails."""
    path = folder / WORKFLOW
    text = path.read_text("utf-8")
    text = re.sub(r"actions/checkout@[0-9a-f]{40}", "actions/checkout@v4", text)
    path.write_text(text, "utf-8")
    done = subprocess.run(
        [_tool("zizmor"), "--offline", str(folder)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0
    assert "unpinned-uses" in done.stdout


@pytest.mark.parametrize(
    ("schema", "rel"),
    [("vendor.github-workflows", WORKFLOW), ("vendor.dependabot", DEPENDABOT)],
)
def test_valid_against_githubs_schemas(folder: Path, schema: str, rel: str) -> None:
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", schema, str(folder / rel)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ok -- validation done" in done.stdout


def test_schema_check_would_fail_a_broken_workflow(folder: Path) -> None:
    path = folder / WORKFLOW
    path.write_text(path.read_text("utf-8").replace("runs-on:", "run-on:", 1), "utf-8")
    done = subprocess.run(
        [_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1


def test_installs_exactly_this_version_in_every_job_that_runs_it(folder: Path) -> None:
    _, workflow = _workflow(folder)
    for name, job in workflow["jobs"].items():
        runs = [s["run"] for s in job["steps"] if "run" in s]
        uses_tool = any(re.search(r"^readinglist ", r, re.M) for r in runs)
        installs = [r for r in runs if "pip install" in r]
        if uses_tool:
            assert installs == [f'python -m pip install "{DISTRIBUTION}=={__version__}"'], name
        else:
            assert installs == [], name
    assert "pip install readinglist" not in (folder / WORKFLOW).read_text("utf-8")
    assert "pip install readinglist\n" not in (folder / "README.md").read_text("utf-8")


def test_actions_are_pinned_to_commits_with_their_version(folder: Path) -> None:
    text, workflow = _workflow(folder)
    uses = [s["uses"] for job in workflow["jobs"].values() for s in job["steps"] if "uses" in s]
    assert sorted({u.split("@")[0] for u in uses}) == [
        "actions/checkout", "actions/deploy-pages", "actions/setup-python",
        "actions/upload-pages-artifact",
    ]  # fmt: skip
    for ref in uses:
        assert PINNED.match(ref), ref
    lines = [line for line in text.splitlines() if "uses:" in line]
    assert len(lines) == len(uses)
    for line in lines:
        assert VERSION_COMMENT.search(line), line
    # The same action is pinned to the same commit everywhere.
    pins: dict[str, set[str]] = {}
    for ref in uses:
        pins.setdefault(ref.split("@")[0], set()).add(ref)
    assert all(len(refs) == 1 for refs in pins.values())


def test_least_privilege_per_job(folder: Path) -> None:
    _, workflow = _workflow(folder)
    assert workflow["permissions"] == {}
    jobs = workflow["jobs"]
    assert {name: job["permissions"] for name, job in jobs.items()} == {
        "sync": {"contents": "write"},
        "build": {"contents": "read"},
        "deploy": {"pages": "write", "id-token": "write"},
    }
    for name, job in jobs.items():
        assert 0 < job["timeout-minutes"] <= 30, name
        assert job["runs-on"] == "ubuntu-latest"


def test_no_checkout_keeps_credentials_and_the_push_gets_the_token_alone(folder: Path) -> None:
    _, workflow = _workflow(folder)
    checkouts = [
        s for job in workflow["jobs"].values() for s in job["steps"]
        if s.get("uses", "").startswith("actions/checkout@")
    ]  # fmt: skip
    assert len(checkouts) == 2
    assert all(s["with"]["persist-credentials"] is False for s in checkouts)
    sync = workflow["jobs"]["sync"]
    commit = next(s for s in sync["steps"] if s.get("id") == "commit")
    assert commit["env"] == {"GH_TOKEN": "${{ github.token }}"}
    assert "${{" not in commit["run"]  # no expression expanded into the script
    assert "git diff --cached --quiet -- bib/synced" in commit["run"]
    assert 'push origin "HEAD:$GITHUB_REF_NAME"' in commit["run"]
    # No other step sees the token.
    others = [s for job in workflow["jobs"].values() for s in job["steps"] if s is not commit]
    assert not any("token" in str(s.get("env", "")) for s in others)


def test_python_is_pinned_and_the_steps_run_in_order(folder: Path) -> None:
    _, workflow = _workflow(folder)
    jobs = workflow["jobs"]
    pythons = [
        s["with"]["python-version"] for job in jobs.values() for s in job["steps"]
        if s.get("uses", "").startswith("actions/setup-python@")
    ]  # fmt: skip
    assert pythons == [WORKFLOW_PYTHON, WORKFLOW_PYTHON]
    assert re.fullmatch(r"3\.\d+", WORKFLOW_PYTHON)
    sync_runs = "\n".join(s.get("run", "") for s in jobs["sync"]["steps"])
    assert sync_runs.index("readinglist sync --track") < sync_runs.index("git commit")
    build_runs = "\n".join(s.get("run", "") for s in jobs["build"]["steps"])
    assert build_runs.index("readinglist check") < build_runs.index("readinglist build -d site")
    assert jobs["build"]["needs"] == "sync" and jobs["deploy"]["needs"] == "build"
    # build checks out exactly the commit sync made (or started from).
    checkout = jobs["build"]["steps"][0]
    assert checkout["with"]["ref"] == "${{ needs.sync.outputs.commit }}"
    assert jobs["sync"]["outputs"]["commit"] == "${{ steps.commit.outputs.sha }}"
    assert jobs["build"]["steps"][-1]["with"]["path"] == "site"
    assert jobs["deploy"]["environment"]["name"] == "github-pages"
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads `on` as True
    assert triggers["schedule"][0]["cron"].split()[4] == "1"  # weekly
    assert "workflow_dispatch" in triggers and triggers["push"]["branches"] == ["main"]


def test_the_workflow_passes_the_contact_to_sync(folder: Path) -> None:
    _, workflow = _workflow(folder)
    steps = workflow["jobs"]["sync"]["steps"]
    step = next(s for s in steps if "readinglist sync" in s.get("run", ""))
    assert step["env"] == {"READINGLIST_CONTACT": "${{ vars.READINGLIST_CONTACT }}"}
    assert step["continue-on-error"] is True


def test_dependabot_watches_the_pinned_actions(folder: Path) -> None:
    config = yaml.safe_load((folder / DEPENDABOT).read_text("utf-8"))
    assert config["version"] == 2
    [update] = config["updates"]
    assert update["package-ecosystem"] == "github-actions" and update["directory"] == "/"
    assert update["schedule"]["interval"] == "weekly"


def test_init_writes_the_contact_into_the_course_file(folder: Path) -> None:
    text = (folder / "bib/course.yml").read_text("utf-8")
    assert parse_course(text).course.contact == "me@example.edu"


def test_without_contact_the_line_is_there_commented(run: Run, tmp_path: Path) -> None:
    assert run("init", tmp_path / "c").exit_code == 0
    text = (tmp_path / "c/bib/course.yml").read_text("utf-8")
    assert "  # contact: you@example.edu\n" in text
    assert parse_course(text).course.contact == ""


@pytest.mark.parametrize(
    "contact", ["not-an-address", "a@b", "me@example.edu (Me)", "me@example.edu\nX: 1", ""]
)
def test_a_bad_contact_is_exit_2_and_writes_nothing(run: Run, tmp_path: Path, contact: str) -> None:
    result = run("init", tmp_path / "c", "--contact", contact)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: --contact ") and result.stderr.count("\n") == 1
    assert "is not an e-mail address" in result.stderr
    assert not (tmp_path / "c").exists()


def test_the_example_bib_carries_no_note_about_our_own_sources(folder: Path) -> None:
    text = (folder / "bib/ntk.bib").read_text("utf-8")
    assert "paperswithcode" not in text and "secondary source" not in text
