"""A pre-imported ``readinglist`` that forks one ``sync`` run per request.

Starting ``python -m readinglist`` costs about a second of imports, so a loop of fifty
SIGKILLs would mostly kill interpreters still importing. This process imports the CLI
once (it starts no threads, so forking is safe) and forks a child per ``run`` line read
on stdin; the child runs ``readinglist --root ROOT sync`` with its output discarded.

Protocol (one line each way): ``run`` -> ``pid N``; ``reap N`` -> ``status S`` (the raw
wait status, after the test has killed the child or let it finish). A child is reaped
only when asked, so its pid cannot be reused before the test is done signalling it.
"""

from __future__ import annotations

import os
import sys

# The CLI imports a command's module and its engine on first use; import them here, once,
# so that a forked child starts syncing at once.
import readinglist.cli.sync  # noqa: F401
import readinglist.sync  # noqa: F401
from readinglist.cli import cli


def _child(root: str) -> None:
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)
    code = 1
    try:
        cli.main(["--root", root, "sync"], prog_name="readinglist")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        os._exit(code)


def main() -> None:
    """Serve ``run`` and ``reap`` requests until stdin closes."""
    root = sys.argv[1]
    while line := sys.stdin.readline():
        command, *args = line.split()
        if command == "run":
            pid = os.fork()
            if pid == 0:
                _child(root)
            print(f"pid {pid}", flush=True)
        elif command == "reap":
            _, status = os.waitpid(int(args[0]), 0)
            print(f"status {status}", flush=True)


if __name__ == "__main__":
    main()
