"""The child process of a site build (site/background.py): pages rendered there equal
pages rendered here, in any order asked, and nothing is lost when the child fails."""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

import pytest

from readinglist.site.background import Background, write_file

PARENT = os.getpid()


def page(n: int, *, fail_in_child: bool = False):  # type: ignore[no-untyped-def]
    def render() -> dict[str, object]:
        if fail_in_child and os.getpid() != PARENT:
            raise RuntimeError("the child fails here")
        return {"n": n, "html": f"<p>{n}</p>" * 1000, "pid_free": True}

    return render


def writer(text: str, *, fail_in_child: bool = False):  # type: ignore[no-untyped-def]
    def write(stream: IO[str]) -> None:
        if fail_in_child and os.getpid() != PARENT:
            raise RuntimeError("the child fails here")
        stream.write(text)

    return write


@pytest.mark.parametrize("fork", [True, False])
def test_pages_and_downloads(tmp_path: Path, fork: bool) -> None:
    pages = {f"p{n}.md": page(n) for n in range(300)}
    files = {tmp_path / "d" / "a.bib": writer("@misc{a}\n"), tmp_path / "b.json": writer("[é]\r\n")}
    work = Background([pages], files)
    assert work.start(fork=fork) is fork
    for path in files:
        assert path.exists()  # a placeholder at least: MkDocs copies the file onto itself
    order = [f"p{n}.md" for n in [0, 1, 5, 2, 3, 4, *range(6, 300)]]  # one asked early
    assert [work.get(src)["n"] for src in order] == [int(s[1:-3]) for s in order]
    work.finish()
    assert (tmp_path / "d" / "a.bib").read_bytes() == b"@misc{a}\n"
    assert (tmp_path / "b.json").read_bytes() == "[é]\r\n".encode()
    assert not list(tmp_path.rglob("*.tmp"))


def test_a_failing_child_loses_nothing(tmp_path: Path) -> None:
    pages = {f"p{n}.md": page(n, fail_in_child=n == 150) for n in range(300)}
    files = {tmp_path / "a.bib": writer("written here\n", fail_in_child=True)}
    work = Background([pages], files)
    assert work.start()
    assert [work.get(f"p{n}.md")["n"] for n in range(300)] == list(range(300))
    work.finish()
    assert (tmp_path / "a.bib").read_text() == "written here\n"


def test_pages_never_asked_for_do_not_block(tmp_path: Path) -> None:
    pages = {f"p{n}.md": page(n) for n in range(2000)}  # far more than a pipe holds
    work = Background([pages], {tmp_path / "a.bib": writer("x")})
    assert work.start()
    assert work.get("p0.md")["n"] == 0
    work.finish()  # the child stops at the closed pipe; the download is written here
    assert (tmp_path / "a.bib").read_text() == "x"


def test_write_file_replaces_atomically(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("old")

    def broken(stream: IO[str]) -> None:
        stream.write("half")
        raise OSError("disk full")

    with pytest.raises(OSError):
        write_file(path, broken)
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_write_file_keeps_a_file_whose_bytes_are_the_same(tmp_path: Path) -> None:
    # serve rewrites only what changed: an unchanged download keeps its file (and mtime).
    path = tmp_path / "f.txt"
    path.write_text("same")
    os.utime(path, (1, 1))
    assert write_file(path, lambda stream: stream.write("same"), keep_same=True) is False
    assert path.stat().st_mtime == 1
    assert write_file(path, lambda stream: stream.write("new"), keep_same=True) is True
    assert path.read_text() == "new"
    assert write_file(path, lambda stream: stream.write("new")) is True  # the default
    assert path.stat().st_mtime != 1
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_two_children_each_with_its_pages(tmp_path: Path) -> None:
    first = {f"a{n}.md": page(n) for n in range(50)}
    second = {f"b{n}.md": page(100 + n, fail_in_child=n == 7) for n in range(500)}
    work = Background([first, second], {tmp_path / "a.bib": writer("from the first child")})
    assert work.start()
    assert len(work.children) == 2
    # MkDocs' order: the first group's pages, then the second's; one asked early.
    asked = ["a0.md", "a2.md", "a1.md", *(f"a{n}.md" for n in range(3, 50))]
    asked += [f"b{n}.md" for n in range(500)]
    got = [work.get(src)["n"] for src in asked]
    assert got == [int(src[1:-3]) + (100 if src[0] == "b" else 0) for src in asked]
    work.finish()
    assert (tmp_path / "a.bib").read_text() == "from the first child"
