"""What every corpus test asserts of a CLI run: exit code, one error line, no traceback,
nothing in the course folder changed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import Result

from tests.helpers import snapshot
from tests.reliability.corpus import Fails, Len


@dataclass
class Ran:
    """One CLI run and how long it took."""

    args: tuple[str, ...]
    result: Result
    seconds: float

    @property
    def stderr(self) -> str:
        return self.result.stderr

    @property
    def stdout(self) -> str:
        return self.result.stdout


def run_unchanged(
    run: Callable[..., Result], root: Path, commands: Sequence[Sequence[str]]
) -> list[Ran]:
    """Run each command on ``root``; assert none of them changed any file of it and
    none printed a traceback or an internal error."""
    before = snapshot(root)
    done = []
    for command in commands:
        started = time.monotonic()
        result = run("--root", root, *command)
        done.append(Ran(tuple(command), result, time.monotonic() - started))
        assert "Traceback" not in result.stderr, (command, result.stderr[-2000:])
        assert "internal error" not in result.stderr, (command, result.stderr[-2000:])
    assert snapshot(root) == before, "a command changed the course folder"
    return done


def assert_refused(ran: Ran, fails: Fails, file: str) -> None:
    """Exit ``fails.exit`` with exactly one stderr line ``error: FILE:LINE: ...``."""
    where = f"{file}:{fails.line}: " if fails.line else f"{file}: "
    assert ran.result.exit_code == fails.exit, (ran.args, ran.result.exit_code, ran.stderr)
    assert ran.stderr.count("\n") == 1 and ran.stderr.endswith("\n"), ran.stderr
    assert ran.stderr.startswith(f"error: {where}"), (ran.args, ran.stderr)
    assert fails.fragment in ran.stderr, (ran.args, ran.stderr)
    assert ran.stdout == "", ran.stdout[:300]


def matches(actual: Any, expected: Any) -> bool:
    """``actual == expected``, where a :class:`Len` compares lengths only."""
    if isinstance(expected, Len):
        return hasattr(actual, "__len__") and len(actual) == expected.n
    return bool(actual == expected)


def findings_of(report: dict[str, Any], file: str) -> list[tuple[str, int]]:
    """The ``(code, line)`` of every error and warning ``check --json`` reports for ``file``."""
    return [
        (f["code"], f["line"])
        for kind in ("errors", "warnings")
        for f in report[kind]
        if f["file"] == file
    ]


def json_of(ran: Ran) -> Any:
    """The JSON document on stdout (nothing else may be there)."""
    return json.loads(ran.stdout)
