"""``readinglist init``: a new course folder from the templates in ``templates/init``.

:func:`plan_course` renders the files in memory (no I/O besides reading the packaged
templates); :func:`create_course` writes them. Contract: init never overwrites. Every
path is checked before the first byte is written, so a refusal leaves the folder exactly
as it was; each file is then written atomically.

The templates hold these placeholders: ``%%TITLE_YAML%%`` (the title as a YAML
double-quoted scalar), ``%%TITLE_MD%%`` (the title as Markdown text), ``%%DATE%%`` (the
example lecture's date), ``%%CONTACT_LINE%%`` (the course file's ``contact:`` line,
commented out when no contact was given), ``%%DISTRIBUTION%%`` and ``%%VERSION%%`` (what
the workflow installs: exactly the version that wrote it), ``%%PROJECT_URL%%`` and
``%%PYTHON%%`` (the Python the workflow runs). Dot-files are stored without their dot
(``gitignore``, ``github/``) because package-data globs skip hidden files.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from importlib import resources
from pathlib import Path

import yaml

from readinglist import DISTRIBUTION, PROJECT_URL, __version__
from readinglist.errors import StoreError, UsageError
from readinglist.store import write_atomic

DEFAULT_TITLE = "Reading seminar"

#: The Python the generated workflow runs: the oldest this package supports and tests.
WORKFLOW_PYTHON = "3.11"

#: Course-folder path -> template path (relative to ``templates/init``), in write order.
TEMPLATE_FILES: dict[str, str] = {
    "bib/course.yml": "bib/course.yml",
    "bib/ntk.bib": "bib/ntk.bib",
    "mkdocs.yml": "mkdocs.yml",
    "docs/index.md": "docs/index.md",
    "README.md": "README.md",
    ".gitignore": "gitignore",
    ".github/workflows/readinglist.yml": "github/workflows/readinglist.yml",
    ".github/dependabot.yml": "github/dependabot.yml",
}

_PLACEHOLDER = re.compile(r"%%([A-Z_]+)%%")
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]#|])")
# An address, not a display name: it goes into a YAML line and an HTTP header comment.
_CONTACT = re.compile(r"[^\s@()<>,;:\\\"\[\]]+@[^\s@()<>,;:\\\"\[\]]+\.[^\s@()<>,;:\\\"\[\]]+")


def next_wednesday(today: dt.date) -> dt.date:
    """The first Wednesday after ``today`` (a week later when today is a Wednesday)."""
    return today + dt.timedelta(days=(2 - today.weekday()) % 7 or 7)


def yaml_string(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back as exactly ``text``."""
    dumped = yaml.dump(
        text, Dumper=yaml.SafeDumper, default_style='"', allow_unicode=True, width=1 << 30
    )
    out = dumped.removesuffix("\n...\n").rstrip("\n")
    if yaml.safe_load(out) != text or "\n" in out:  # pragma: no cover - PyYAML's contract
        raise UsageError(f"cannot write the title {text!r} as YAML")
    return out


def markdown_text(text: str) -> str:
    """``text`` as Markdown that displays as written (no emphasis, links or HTML)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _check_title(title: str) -> str:
    if not title.strip():
        raise UsageError("the title must not be empty")
    if any(ord(c) < 32 or c in "\x7f\u2028\u2029\x85" for c in title):
        raise UsageError("the title must be one line of text (no control characters)")
    return title.strip()


def _template(name: str) -> str:
    return resources.files("readinglist").joinpath("templates", "init", name).read_text("utf-8")


def _contact_line(contact: str | None) -> str:
    if contact is None:
        return "# contact: you@example.edu"
    contact = contact.strip()
    if not _CONTACT.fullmatch(contact):
        raise UsageError(f"--contact {contact!r} is not an e-mail address (name@example.edu)")
    return f"contact: {yaml_string(contact)}"


def plan_course(title: str, date: dt.date, contact: str | None = None) -> dict[str, bytes]:
    """The files of a new course folder: path relative to the folder -> content.

    ``contact`` (an e-mail address) becomes the course file's ``contact:``; without it
    the line is there, commented out. Raises UsageError for a bad title or contact.
    """
    title = _check_title(title)
    values = {
        "TITLE_YAML": yaml_string(title),
        "TITLE_MD": markdown_text(title),
        "DATE": date.isoformat(),
        "CONTACT_LINE": _contact_line(contact),
        "DISTRIBUTION": DISTRIBUTION,
        "VERSION": __version__,
        "PROJECT_URL": PROJECT_URL,
        "PYTHON": WORKFLOW_PYTHON,
    }

    def fill(match: re.Match[str]) -> str:
        return values[match.group(1)]

    return {
        rel: _PLACEHOLDER.sub(fill, _template(name)).encode("utf-8")
        for rel, name in TEMPLATE_FILES.items()
    }


def conflicts(directory: Path, files: dict[str, bytes]) -> str | None:
    """The first path init would have to overwrite (or cannot create), else None."""
    if os.path.lexists(directory) and not directory.is_dir():
        return str(directory)
    for rel in files:
        path = directory / rel
        # Every parent must be a folder (or not exist yet); the file itself must not exist,
        # not even as a dangling link.
        for parent in reversed(path.relative_to(directory).parents[:-1]):
            if os.path.lexists(directory / parent) and not (directory / parent).is_dir():
                return str(directory / parent)
        if os.path.lexists(path):
            return str(path)
    return None


def create_course(directory: Path, files: dict[str, bytes]) -> None:
    """Write ``files`` into ``directory`` (created if missing), refusing to overwrite.

    Raises UsageError naming the first file that exists, before anything is written;
    StoreError when a folder cannot be created or a file cannot be written.
    """
    clash = conflicts(directory, files)
    if clash is not None:
        raise UsageError(
            "already exists; init never overwrites, so nothing was written", file=clash
        )
    for rel, data in files.items():
        path = directory / rel
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create folder: {exc.strerror or exc}", file=str(path.parent)
            ) from None
        write_atomic(path, data)
