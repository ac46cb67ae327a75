"""What a command imports: each command loads only what it uses (issue 15).

Every run is a fresh interpreter (``python -c``), because this test process has long
imported everything; the child runs the CLI as the console script does and then prints
the names in ``sys.modules``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

# Runs the CLI with the given arguments, then prints the loaded module names as JSON on
# the last line of stderr (stdout is the command's own).
_PROBE = """
import json, sys
from readinglist.cli import cli
try:
    cli.main(sys.argv[1:], prog_name="readinglist")
except SystemExit as exc:
    code = exc.code
sys.stderr.write("\\n" + json.dumps({"code": code, "modules": sorted(sys.modules)}) + "\\n")
"""

# Never needed to check a course: the network, the graph, the site, progress bars.
HEAVY = ("arxiv", "requests", "urllib3", "lxml", "networkx", "mkdocs", "jinja2", "rich.progress")
# The command modules and engines that `check` has no use for.
OTHER_PARTS = (
    "readinglist.sync", "readinglist.services", "readinglist.graph", "readinglist.site",
    "readinglist.tracking", "readinglist.importer", "readinglist.export",
    "readinglist.cli.sync", "readinglist.cli.graph", "readinglist.cli.site",
    "readinglist.cli.course",
)  # fmt: skip


def _modules(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-c", _PROBE, *args],
        capture_output=True, text=True, cwd=cwd, env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip
    report = json.loads(proc.stderr.strip().splitlines()[-1])
    assert report["code"] in (0, None), proc.stdout + proc.stderr
    return set(report["modules"])


def _loaded(modules: set[str], prefixes: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == p or m.startswith(p + ".") for p in prefixes))


def test_check_imports_only_what_it_uses(course: Path, tmp_path: Path) -> None:
    env = {"READINGLIST_CACHE_DIR": str(tmp_path / "cache")}
    for run in ("cold", "warm"):
        modules = _modules("--root", str(course), "check", env=env)
        assert "readinglist.check" in modules, run  # the probe did run the command
        assert _loaded(modules, HEAVY) == [], run
        assert _loaded(modules, OTHER_PARTS) == [], run
        # A clean course prints one summary line: no rich console at all.
        assert _loaded(modules, ("rich",)) == [], run
        assert "difflib" not in modules, run  # only to suggest a key for an unknown one
    assert "tempfile" not in modules  # a warm check writes nothing


def test_check_json_imports_nothing_heavy(course: Path, tmp_path: Path) -> None:
    env = {"READINGLIST_CACHE_DIR": str(tmp_path / "cache")}
    modules = _modules("--root", str(course), "check", "--json", env=env)
    assert "readinglist.check" in modules
    assert _loaded(modules, HEAVY + OTHER_PARTS) == []


def test_help_imports_no_command() -> None:
    modules = _modules("--help")
    ours = _loaded(modules, ("readinglist",))
    assert ours == ["readinglist", "readinglist.cli", "readinglist.errors"]
    assert _loaded(modules, ("rich", "yaml", "pybtex", *HEAVY)) == []


def test_a_command_help_imports_only_its_own_module() -> None:
    modules = _modules("sync", "--help")
    assert "readinglist.cli.sync" in modules
    # The sync engine and the clients are imported when the command runs, not for help.
    assert _loaded(modules, HEAVY + ("readinglist.sync", "readinglist.services")) == []
    assert _loaded(modules, ("readinglist.cli.library", "readinglist.cli.graph")) == []


# The command list printed from the table in cli/__init__.py, before any command module
# is imported, and again with every module imported; both lists must be the same.
_LISTING = """
import json, sys
import click
from click.testing import CliRunner
from readinglist.cli import COMMANDS, cli

def listing(width):
    result = CliRunner().invoke(cli, ["--help"], terminal_width=width)
    assert result.exit_code == 0, result.output
    return result.output

before = {w: listing(w) for w in (60, 80, 200, 1000)}
lazy = sorted(m for m in sys.modules if m.startswith("readinglist.cli."))
ctx = click.Context(cli)
found = {name: cli.get_command(ctx, name) is not None for name in COMMANDS}
after = {w: listing(w) for w in (60, 80, 200, 1000)}
print(json.dumps({"lazy": lazy, "found": found, "registered": sorted(cli.commands),
                  "same": [w for w in before if before[w] == after[w]],
                  "before": before[1000], "after": after[1000]}))
"""


def test_command_list_matches_the_commands_own_help() -> None:
    from readinglist.cli import COMMANDS

    proc = subprocess.run(
        [sys.executable, "-c", _LISTING], capture_output=True, text=True, check=True
    )
    data = json.loads(proc.stdout)
    assert data["lazy"] == []  # listing the commands imported none of them
    assert all(data["found"].values()), data["found"]
    # Every command a module registers is in the table (else --help would not list it).
    assert data["registered"] == sorted(COMMANDS)
    assert data["same"] == [60, 80, 200, 1000], (
        "COMMANDS in cli/__init__.py is out of date with a command's help; the lists were\n"
        f"{data['before']}\n{data['after']}"
    )


@pytest.mark.parametrize("name", ["check", "sync", "build", "import"])
def test_each_command_help_still_shows_its_example(name: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "readinglist", name, "--help"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Example:" in proc.stdout
    assert f"readinglist {name}" in proc.stdout


def test_unknown_command_is_a_usage_error() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "readinglist", "chek"], capture_output=True, text=True, check=False
    )
    assert proc.returncode == 2
    assert "No such command 'chek'" in proc.stderr


def test_benchmark_harness_imports_go_one_way() -> None:
    """benchmarks/*.py import each other without a circle (issue 17)."""
    import ast

    folder = Path(__file__).resolve().parents[1] / "benchmarks"
    local = {p.stem for p in folder.glob("*.py")}
    graph: dict[str, set[str]] = {}
    for path in folder.glob("*.py"):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
        graph[path.stem] = names & local
    assert graph["run"] >= {"harness", "bench_more"}  # the parse did find the imports

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        ahead = graph[start] - seen
        return any(nxt == goal or reaches(nxt, goal, seen | {nxt}) for nxt in ahead)

    circles = sorted(name for name in graph if reaches(name, name, set()))
    assert circles == [], f"import circle through {circles}: {graph}"


def test_check_with_findings_prints_them_without_rich_off_a_terminal(
    course: Path, tmp_path: Path
) -> None:
    (course / "bib" / "stray.bib").write_text("@misc{stray, title = {T}}\n")
    env = {"READINGLIST_CACHE_DIR": str(tmp_path / "cache")}
    env_plain = {**env, "FORCE_COLOR": "", "TTY_COMPATIBLE": ""}
    modules = _modules("--root", str(course), "check", env=env_plain)
    assert "readinglist.check" in modules
    assert _loaded(modules, ("rich",)) == []
    # The environment can still ask for colour: then rich prints them.
    modules = _modules("--root", str(course), "check", env={**env, "FORCE_COLOR": "1"})
    assert "rich.text" in modules
