"""What the distribution promises: its name, version, metadata, and dependencies that are
each used (imported by name in src/, or loaded by name from mkdocs.yml)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from click.testing import Result

from readinglist import DISTRIBUTION, __version__
from readinglist.errors import ReadingListError
from readinglist.scaffold import plan_course
from readinglist.site import plugin

REPO = Path(__file__).resolve().parents[1]
SRC = REPO / "src" / "readinglist"
PYPROJECT = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))

#: Distribution -> the module names it provides (where they differ from the name).
MODULES = {
    "PyYAML": "yaml",
    "mkdocs-material": "material",
    "pymdown-extensions": "pymdownx",
    "Markdown": "markdown",
    "Jinja2": "jinja2",
    "MarkupSafe": "markupsafe",
    "Pygments": "pygments",
}
#: Loaded by name, not imported: the theme and Markdown extensions in mkdocs.yml.
LOADED_BY_MKDOCS = {"material", "pymdownx"}
IMPORT = re.compile(
    r"^\s*(?:import ([a-z_]\w*)(?:\.\w+)*(?:\s+as\s+\w+)?\s*(?:,|#|$)"
    r"|from ([a-z_]\w*)(?:\.\w+)* import )",
    re.M,
)


class _AnyTagLoader(yaml.SafeLoader):
    """mkdocs.yml may hold ``!!python/name`` tags (pymdownx options): read them as text."""


_AnyTagLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_AnyTagLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[; ]", requirement, maxsplit=1)[0]


def test_the_distribution_is_ours_and_the_command_keeps_its_name() -> None:
    project = PYPROJECT["project"]
    assert project["name"] == DISTRIBUTION == "readinglist-seminar"
    assert project["scripts"] == {"readinglist": "readinglist.cli:main"}
    assert project["dynamic"] == ["version"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "readinglist.__version__"
    }
    assert project["license"] == "MIT" and (REPO / "LICENSE").read_text().startswith("MIT")
    assert {"Homepage", "Source", "Issues"} <= set(project["urls"])
    assert len({u.rsplit("/issues", 1)[0].split("#")[0] for u in project["urls"].values()}) <= 2
    assert project["readme"] == "README.md" and project["keywords"]
    # The SPDX expression says the license; a License classifier beside it is refused.
    assert not any(c.startswith("License ::") for c in project["classifiers"])


def test_version_option_prints_the_version(run: Callable[..., Result]) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout == f"readinglist, version {__version__}\n"


def test_every_dependency_is_used() -> None:
    sources = "\n".join(p.read_text("utf-8") for p in SRC.rglob("*.py"))
    new_course = plan_course("Seminar", dt.date(2025, 9, 10))["mkdocs.yml"].decode()
    loaded = set()
    for text in ((REPO / "mkdocs.yml").read_text("utf-8"), new_course):
        config = yaml.load(text, Loader=_AnyTagLoader)
        loaded.add(config["theme"]["name"])
        for extension in config.get("markdown_extensions", []):
            name = extension if isinstance(extension, str) else next(iter(extension))
            loaded.add(name.split(".")[0])
    for requirement in PYPROJECT["project"]["dependencies"]:
        name = _name(requirement)
        module = MODULES.get(name, name.replace("-", "_").lower())
        if module in LOADED_BY_MKDOCS:
            assert module in loaded, f"{name}: not loaded by mkdocs.yml"
            continue
        imported = re.search(rf"^\s*(import|from) {module}\b", sources, re.M)
        found = f'find_spec("{module}")' in sources  # files read from it, not imported
        assert imported or found, f"{name} unused"
        assert importlib.util.find_spec(module) is not None


def test_every_third_party_import_is_a_declared_dependency() -> None:
    # Runtime dependencies, and the optional extras users install by name (zensical);
    # the test extra does not count: src must not need it.
    extras = PYPROJECT["project"]["optional-dependencies"]
    requirements = [*PYPROJECT["project"]["dependencies"]]
    requirements += [r for extra, rs in extras.items() if extra != "test" for r in rs]
    declared = {MODULES.get(_name(r), _name(r).replace("-", "_").lower()) for r in requirements}
    # pyvis is not imported: only its vis-network files are read (plugin.vis_directory).
    imported = set()
    for path in SRC.rglob("*.py"):
        for match in IMPORT.finditer(path.read_text("utf-8")):
            imported.add(match.group(1) or match.group(2))
    stdlib = set(__import__("sys").stdlib_module_names) | {"readinglist", "__future__"}
    assert imported - stdlib <= declared, imported - stdlib - declared
    assert "scipy" not in declared  # nothing imports it; only the tests' nx.pagerank needs it


def test_vis_network_is_found_without_importing_pyvis() -> None:
    folder = plugin.vis_directory()
    for source in plugin.VIS_FILES:
        assert (folder / source).stat().st_size > 10_000
    assert b"vis-network" in (folder / "vis-network.min.js").read_bytes()[:2000]


def test_missing_vis_network_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ReadingListError, match=r"vis-network \(vis-9\.1\.2\) not found"):
        plugin.vis_directory()
