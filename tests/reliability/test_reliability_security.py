"""Security checks (rows of ``corpus.SECURITY``): the XML parser resolves nothing, TLS
verification is never turned off, no shell sees data, the Semantic Scholar key is never
shown or stored, keys cannot steer the site out of its folder, and the built site holds
no path of the machine that built it."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from readinglist.services import arxiv as arxiv_service
from tests.reliability.corpus import SECRET, TODAY
from tests.standins import arxiv_server
from tests.standins.arxiv_server import ArxivStandIn
from tests.standins.s2_server import S2StandIn
from tests.test_sync import arxiv_papers_for, library_of, s2_papers_for, sync_env

REPO = Path(__file__).resolve().parents[2]
SRC = REPO / "src" / "readinglist"
API_KEY = "s2-key-SHOULD-NEVER-SHOW-5e1f"


def _source_files() -> list[Path]:
    files = sorted(SRC.rglob("*.py"))
    assert len(files) > 20, "the source tree was not found"
    return files


def _grep(pattern: str) -> list[str]:
    regex = re.compile(pattern)
    return [
        f"{path.relative_to(REPO)}:{n}: {line.strip()}"
        for path in _source_files()
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if regex.search(line)
    ]


def test_xml_parser_resolves_nothing(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The parser the arXiv module builds has entities, DTDs and the network off; the
    same parser, given an external entity past the DOCTYPE check, does not read it."""
    seen: list[dict[str, object]] = []
    real = etree.XMLParser

    def recording(**options: object) -> etree.XMLParser:
        seen.append(options)
        return real(**options)

    monkeypatch.setattr(arxiv_service.etree, "XMLParser", recording)
    feed = (
        b'<feed xmlns="http://www.w3.org/2005/Atom" '
        b'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/">'
        b"<opensearch:totalResults>0</opensearch:totalResults>"
        b"<opensearch:startIndex>0</opensearch:startIndex>"
        b"<opensearch:itemsPerPage>0</opensearch:itemsPerPage></feed>"
    )
    assert arxiv_service.parse_feed(feed).total_results == 0
    (options,) = seen
    assert options["resolve_entities"] is False
    assert options["no_network"] is True
    assert options["load_dtd"] is False
    assert options.get("huge_tree", False) is False
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    attack = f'<!DOCTYPE t [<!ENTITY x SYSTEM "{secret.as_uri()}">]><t>&x;</t>'.encode()
    root = etree.fromstring(attack, real(**options))
    assert SECRET not in etree.tostring(root).decode()


def test_tls_verification_is_never_disabled() -> None:
    found = _grep(
        r"verify\s*=\s*False|_create_unverified_context|CERT_NONE|check_hostname\s*=\s*False"
        r"|PYTHONHTTPSVERIFY|disable_warnings"
    )
    assert found == []


def test_no_shell_is_invoked() -> None:
    found = _grep(
        r"shell\s*=\s*True|os\.system\(|os\.popen\(|create_subprocess_shell|pty\.spawn"
        r"|commands\.getoutput"
    )
    assert found == []


def test_s2_key_never_printed_or_written_by_sync(course: Path, tmp_path: Path) -> None:
    """``readinglist --debug sync`` with ``S2_API_KEY`` set (a retried 429 included):
    the key reaches the service and appears in no output, log line or file."""
    library = library_of(course)
    cache = tmp_path / "cache"
    with ArxivStandIn(arxiv_papers_for(library)) as ax, S2StandIn(s2_papers_for(library)) as s2:
        s2.inject(["429", "ok"])
        env = {
            **os.environ,
            **sync_env(ax, s2, TODAY),
            "S2_API_KEY": API_KEY,
            "READINGLIST_CACHE_DIR": str(cache),
            "PYTHONPATH": str(REPO / "src"),
        }
        done = subprocess.run(
            [sys.executable, "-m", "readinglist", "--root", str(course), "--debug", "sync"],
            env=env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert s2.api_keys and set(s2.api_keys) == {API_KEY}, "the key was not sent"
    assert done.returncode == 0, done.stderr[-3000:]
    assert "DEBUG" in done.stderr, "debug logging was not on"
    assert API_KEY not in done.stdout and API_KEY not in done.stderr
    for folder in (course, cache):
        for path in folder.rglob("*"):
            if path.is_file():
                assert API_KEY.encode() not in path.read_bytes(), path


def test_course_file_python_tags_never_run(course: Path, tmp_path: Path, run) -> None:  # type: ignore[no-untyped-def]
    marker = tmp_path / "PWNED"
    apply = f"!!python/object/apply:os.system ['touch {marker}']"
    for text in (
        f"course:\n  title: {apply}\n",
        f"course: {{title: X}}\nlectures:\n  - number: {apply}\n",
        f"course: {{title: X}}\ntopics:\n  - {apply}\n",
        f"{apply}\n",
        "course: {title: X}\nlectures:\n  - number: !!python/name:os.system\n",
    ):
        (course / "bib/course.yml").write_text(text, encoding="utf-8")
        result = run("--root", course, "check")
        assert result.exit_code == 2, result.stderr
        assert result.stderr.startswith("error: bib/course.yml:") and result.stderr.count("\n") == 1
    assert not marker.exists()


HOSTILE_KEYS = [
    "../../../../tmp/readinglist-escape", "/etc/passwd", "..", "...", ".hidden", "-rf",
    "~user", "CON", "a:b", "a%2fb", "index.html", "assets", "search", "papers", "k" * 300,
    "é" * 200, "x\\..\\..\\y",
]  # fmt: skip


def test_site_of_hostile_keys_stays_inside_and_is_portable(
    course: Path, tmp_path: Path, run, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """One build of the bundled course plus papers with path-like keys: every output
    file lies inside the site folder, nothing appears outside, and no output file
    names the machine's paths (the build's folders, /root, /home)."""
    monkeypatch.setattr(arxiv_server._Handler, "disable_nagle_algorithm", True, raising=False)
    entries = "".join(
        f"@misc{{{key},\n  title = {{Hostile key {i}}},\n  author = {{Doe, Jane}},\n"
        f"  year = {{2020}},\n}}\n\n"
        for i, key in enumerate(HOSTILE_KEYS)
    )
    with (course / "bib/ntk.bib").open("a", encoding="utf-8") as fh:
        fh.write("\n" + entries)
    outside_before = sorted(p.name for p in tmp_path.iterdir())
    site = tmp_path / "out" / "site"
    result = run("--root", course, "build", "-d", site)
    assert result.exit_code == 0, result.stderr[-2000:]
    resolved = site.resolve()
    files = [p for p in site.rglob("*") if p.is_file()]
    assert len(files) > 100
    for path in files:
        assert path.resolve().is_relative_to(resolved), path
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted({*outside_before, "out"})
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["site"]
    assert not Path("/tmp/readinglist-escape").exists()
    papers = {p.name for p in (site / "papers").iterdir()}
    assert len(papers) >= 59 + len(HOSTILE_KEYS)
    needles = {str(tmp_path), str(course), str(site), str(REPO), "/root", "/home/",
               str(Path.home()) + "/", sys.prefix}  # fmt: skip
    for path in files:
        data = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in data, f"{path.relative_to(site)} holds {needle}"
