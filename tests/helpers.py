"""Small helpers shared by tests (fixtures live in conftest.py)."""

from __future__ import annotations

import hashlib
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

GENERATE = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"


def generated_library(root: Path, papers: int, shape: str) -> Path:
    """A course folder ``root`` made by benchmarks/generate.py (``synthetic`` or
    ``journal`` shape, see BENCHMARKS.md); returns ``root``."""
    subprocess.run(
        [sys.executable, str(GENERATE), str(root), "--papers", str(papers), "--shape", shape],
        check=True,
    )
    return root


def snapshot(folder: Path) -> dict[str, str]:
    """sha256 of every file below ``folder`` (relative path -> digest)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def http_get(url: str, timeout: float = 10) -> tuple[int, str]:
    """The status and text of a GET (an HTTP error's status, with no text)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, ""


class ServeProcess:
    """A ``readinglist serve`` of ``course`` on 127.0.0.1:``port``, run as a real process;
    its stderr read line by line (``lines`` holds what was read so far)."""

    def __init__(self, course: Path, port: int, env: dict[str, str] | None = None) -> None:
        self.url = f"http://127.0.0.1:{port}/"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "readinglist", "--root", str(course), "serve",
             "-a", f"127.0.0.1:{port}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.lines: list[str] = []
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._queue.put(line.rstrip("\n"))

    def next_line(self, timeout: float) -> str | None:
        """The next line of stderr, or None after ``timeout`` (the server must still run)."""
        try:
            line = self._queue.get(timeout=timeout)
        except queue.Empty:
            assert self.proc.poll() is None, "\n".join(self.lines)
            return None
        self.lines.append(line)
        return line

    def wait_for(self, pattern: str, timeout: float = 120) -> re.Match[str]:
        """The first line from now on matching ``pattern``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            line = self.next_line(0.5)
            if line is not None and (m := re.search(pattern, line)):
                return m
        raise AssertionError(f"no line matching {pattern!r}:\n" + "\n".join(self.lines))

    def stop(self) -> int:
        """Stop it as Ctrl-C does; its exit code."""
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        return self.proc.returncode
