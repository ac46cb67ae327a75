"""``serve`` updates only what a ``.bib`` edit changes (site/incremental.py), and what it
serves afterwards is, byte for byte, what a whole build of the edited course gives.

Real ``readinglist serve`` processes on 127.0.0.1: one serves the course while a
sequence of edits is made, and its served folder (MkDocs' temporary ``mkdocs_*``
folder, found through ``TMPDIR``) is copied after each edit settles; then, for each
edited state, a fresh ``serve`` of that state on the same port builds it whole, and the
two folders are compared file by file. Nothing may differ: both are serve builds at the
same address (so ``site_url``, canonical links, the sitemap and the feed agree) on the
same day (the sitemap's dates), and the live-reload script is added to responses only,
never to the files.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.helpers import ServeProcess, free_port, http_get

UPDATED = r"^\d\d:\d\d:\d\d updated \d+ pages? in \d+\.\d s \(check: "
REST = r"^\d\d:\d\d:\d\d updated the rest of the site in \d+\.\d s: \d+ pages?, \d+ files?$"
REBUILT = r"^\d\d:\d\d:\d\d rebuilt the site in \d+\.\d s \(check: "
ADDED = """
@misc{served2024,
  title = {Added While Serving},
  author = {Doe, Jane and Roe, Richard},
  year = {2024},
  eprint = {2401.00001},
  archivePrefix = {arXiv},
}
"""


def _get(url: str) -> tuple[int, str]:
    return http_get(url, timeout=60)  # an update may hold a request for a while


class Serve(ServeProcess):
    """``readinglist serve`` of a course on ``port``, MkDocs' temporary folder under
    ``tmp``; its stderr, line by line."""

    def __init__(self, course: Path, port: int, tmp: Path) -> None:
        tmp.mkdir(parents=True, exist_ok=True)
        self.tmp = tmp
        super().__init__(course, port, env={**os.environ, "TMPDIR": str(tmp)})

    def settle(self) -> list[str]:
        """Wait until the edit's update (or rebuild) is complete and nothing follows
        for a while; the lines saying what was done."""
        done: list[str] = []
        deadline = time.monotonic() + 180
        pending = True  # an edit was made: something must happen
        while time.monotonic() < deadline:
            line = self.next_line(2.0 if not pending else 0.5)
            if line is None:
                if not pending:
                    return done
                continue
            if re.search(UPDATED, line):
                done.append(line)
                pending = True
            elif re.search(REST, line) or re.search(REBUILT, line):
                done.append(line)
                pending = False
        raise AssertionError("the update did not settle:\n" + "\n".join(self.lines))

    def site(self) -> Path:
        (folder,) = self.tmp.glob("mkdocs_*")
        return folder

    def stop(self) -> int:
        code = super().stop()
        assert code == 0, "\n".join(self.lines)
        return code


@contextlib.contextmanager
def serving(course: Path, port: int, tmp: Path) -> Iterator[Serve]:
    served = Serve(course, port, tmp)
    try:
        served.wait_for(r"^serving on ")
        yield served
    finally:
        served.stop()


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}  # fmt: skip


def _differences(ours: Path, whole: Path) -> list[str]:
    a, b = _tree(ours), _tree(whole)
    out = [f"only in the updated site: {p}" for p in sorted(a.keys() - b.keys())]
    out += [f"only in the whole build: {p}" for p in sorted(b.keys() - a.keys())]
    out += [f"differs: {p}" for p in sorted(a.keys() & b.keys()) if a[p] != b[p]]
    return out


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _entry(path: Path, key: str) -> str:
    text = path.read_text(encoding="utf-8")
    m = re.search(r"@\w+\{" + re.escape(key) + r",.*?\n\}\n", text, re.S)
    assert m, key
    return m.group(0)


def _title(course: Path) -> None:
    path = course / "bib" / "ntk.bib"
    # Editors leave backup files beside what they save: no build reads them.
    shutil.copy(path, course / "bib" / "ntk.bib~")
    _replace(path, "title = {Neural Tangent Kernel:",
             "title = {Neural Tangent Kernels, Edited While Serving:")  # fmt: skip


def _quick(course: Path) -> None:
    # The second edit comes while the first one's update is under way.
    path = course / "bib" / "ntk.bib"
    _replace(path, "title = {Gradient Descent Provably", "title = {Gradient Descent Surely")
    time.sleep(0.4)
    _replace(path, "title = {Gradient Descent Surely", "title = {Gradient Descent Quickly")


def _add(course: Path) -> None:
    path = course / "bib" / "ntk.bib"
    path.write_text(path.read_text(encoding="utf-8") + ADDED, encoding="utf-8")


def _move(course: Path) -> None:
    ntk, landscape = course / "bib" / "ntk.bib", course / "bib" / "landscape.bib"
    entry = _entry(ntk, "jacot2018")
    # Both files within the server's 0.1 s debounce: one change.
    ntk.write_text(ntk.read_text(encoding="utf-8").replace(entry, ""), encoding="utf-8")
    landscape.write_text(landscape.read_text(encoding="utf-8") + "\n" + entry, encoding="utf-8")


def _remove(course: Path) -> None:
    _replace(course / "bib" / "ntk.bib", ADDED, "")


def _reading(course: Path) -> None:
    _replace(course / "bib" / "course.yml", "optional: [allenzhu2019, li2018sgd]",
             "optional: [allenzhu2019, li2018sgd, soudry2018]")  # fmt: skip


def _retitle(course: Path) -> None:
    # A lecture's title is in the navigation of every page: a whole build.
    _replace(course / "bib" / "course.yml", 'title: "Neural tangent kernels I:',
             'title: "Neural tangent kernels, part I:')  # fmt: skip


def _break(course: Path) -> None:
    # A missing comma after a field: that entry cannot be read (an error finding).
    _replace(course / "bib" / "landscape.bib", "year = {2018},\n  eprint = {1806.07572}",
             "year = {2018}\n  eprint = {1806.07572}")  # fmt: skip


def _fix(course: Path) -> None:
    _replace(course / "bib" / "landscape.bib", "year = {2018}\n  eprint = {1806.07572}",
             "year = {2018},\n  eprint = {1806.07572}")  # fmt: skip


def _docs(course: Path) -> None:
    path = course / "docs" / "index.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nEdited while serving.\n",
                    encoding="utf-8")  # fmt: skip


#: (name, edit, updated in place (True) or rebuilt whole (False))
EDITS: list[tuple[str, Callable[[Path], None], bool]] = [
    ("title", _title, True),
    ("two quick edits", _quick, True),
    ("add a paper", _add, True),
    ("move a paper to another topic", _move, True),
    ("remove a paper", _remove, True),
    ("add a reading to a lecture", _reading, True),
    ("retitle a lecture", _retitle, False),
    ("break a .bib", _break, True),
    ("fix it again", _fix, True),
    ("edit docs/", _docs, False),
]


@pytest.mark.slow
def test_updates_in_place_give_a_whole_builds_bytes(course: Path, tmp_path: Path) -> None:
    port = free_port()
    states: list[tuple[str, Path, Path]] = []
    with serving(course, port, tmp_path / "tmp-live") as live:
        for i, (name, edit, in_place) in enumerate(EDITS):
            edit(course)
            lines = live.settle()
            kinds = [("updated" if re.search(UPDATED, x) else "rebuilt") for x in lines
                     if not re.search(REST, x)]  # fmt: skip
            if in_place:
                assert kinds and set(kinds) == {"updated"}, (name, lines)
            else:
                assert "rebuilt" in kinds, (name, lines)
            if name == "title":
                # The edit is on the served pages: the paper, its topic, its lectures.
                for page in ("papers/jacot2018.html", "topics/ntk.html", "lectures/7.html"):
                    status, html = _get(live.url + page)
                    assert status == 200 and "Edited While Serving" in html, page
            if name == "break a .bib":
                status, html = _get(live.url + "lectures/7.html")
                assert status == 200 and 'id="readinglist-check"' in html
                assert re.search(r"readinglist check: [1-9]\d* errors?,", html)
            if name == "fix it again":
                status, html = _get(live.url + "papers/jacot2018.html")
                assert status == 200 and 'id="readinglist-check"' not in html
            saved_site, saved_course = tmp_path / f"site-{i}", tmp_path / f"course-{i}"
            shutil.copytree(live.site(), saved_site)
            shutil.copytree(course, saved_course)
            states.append((name, saved_site, saved_course))
    for i, (name, saved_site, saved_course) in enumerate(states):
        with serving(saved_course, port, tmp_path / f"tmp-whole-{i}") as whole:
            assert _differences(saved_site, whole.site()) == [], name


@pytest.mark.slow
def test_a_bib_edit_reaches_the_page_over_http(course: Path, tmp_path: Path) -> None:
    with serving(course, free_port(), tmp_path / "tmp") as live:
        status, html = _get(live.url + "papers/jacot2018.html")
        assert status == 200 and "Edited While Serving" not in html
        _title(course)
        deadline = time.monotonic() + 60
        while "Edited While Serving" not in html and time.monotonic() < deadline:
            status, html = _get(live.url + "papers/jacot2018.html")
        assert "Edited While Serving" in html
        assert re.search(UPDATED, live.wait_for(UPDATED).string)
        # A new paper gets its page, linked from its topic's.
        _add(course)
        live.settle()
        status, html = _get(live.url + "papers/served2024.html")
        assert status == 200 and "Added While Serving" in html
        assert "served2024.html" in _get(live.url + "topics/ntk.html")[1]


@pytest.mark.parametrize("old_count, new_count", [(0, 1), (1, 0), (1, 2), (2, 2)])
def test_rebanner_gives_the_page_on_post_page_gives(old_count: int, new_count: int) -> None:
    from readinglist.check import Finding
    from readinglist.site import serving

    findings = [Finding(f"bib/<{i}>.bib", i + 1, "error", "syntax", f"broken & {i}")
                for i in range(3)]  # fmt: skip
    old, new = tuple(findings[:old_count]), tuple(findings[1 : 1 + new_count])
    page = ('<html><body><div class="md-content"><article class="md-content__inner md-typeset">'
            "<h1>A paper</h1></article></div></body></html>")  # fmt: skip
    state = serving.ServeState(root=Path("."))
    saved, serving.STATE = serving.STATE, state
    try:
        state.findings = old
        served = serving.on_post_page(page, page=None, config=None)  # type: ignore[arg-type]
        state.findings = new
        wanted = serving.on_post_page(page, page=None, config=None)  # type: ignore[arg-type]
    finally:
        serving.STATE = saved
    assert serving.rebanner(served, old, new) == wanted
    if old:
        with pytest.raises(ValueError):
            serving.rebanner(page, old, new)
