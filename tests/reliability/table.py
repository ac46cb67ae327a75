"""Print RELIABILITY.md's table of what was tried and what happens, from the corpus.

    python tests/reliability/table.py           # print the table
    python tests/reliability/table.py --write   # replace it in RELIABILITY.md

The rows come from the same data the tests run (``corpus.py``); test_reliability_table.py
fails when RELIABILITY.md's table is not exactly this output.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make ``tests.reliability`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.reliability.corpus import (  # noqa: E402 (after the path fix above)
    ARXIV,
    BIBTEX,
    COURSE,
    COURSE_FILE,
    COVERED,
    FAULTS,
    HOSTILE_BIB,
    OPEN,
    PROPERTIES,
    S2,
    SECURITY,
    BibCase,
    CourseCase,
    Fails,
    Raises,
    Row,
    ServiceCase,
)

DOCUMENT = Path(__file__).resolve().parents[2] / "RELIABILITY.md"
BEGIN = "<!-- BEGIN GENERATED TABLE: tests/reliability/table.py --write; do not edit by hand -->"
END = "<!-- END GENERATED TABLE -->"
_R = "tests/reliability/"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return lines


def _file_case(case: BibCase | CourseCase, file: str) -> tuple[str, str, str, str]:
    outcome = case.outcome
    if isinstance(outcome, Fails):
        return (f"`{case.id}`", case.tried, outcome.summary(file), str(outcome.exit))
    return (f"`{case.id}`", case.tried, outcome.summary(file), f"{outcome.exit} (check)")


def _service_case(case: ServiceCase) -> tuple[str, str, str, str]:
    outcome = case.outcome
    exit_code = f"{outcome.exit} (ServiceError)" if isinstance(outcome, Raises) else "-"
    requests = f" ({outcome.requests} request{'s' if outcome.requests != 1 else ''})"
    return (f"`{case.id}`", case.tried, outcome.what + requests, exit_code)


def _rows(rows: Sequence[Row]) -> list[tuple[str, str, str, str, str]]:
    return [(f"`{r.id}`", r.tried, r.outcome, r.exit, f"`{r.test}`") for r in rows]


def render() -> str:
    """The generated part of RELIABILITY.md."""
    head4 = ("Case", "What was tried", "What happens", "Exit")
    head5 = (*head4, "Test")
    total = sum(map(len, (BIBTEX, COURSE, ARXIV, S2, FAULTS, SECURITY, PROPERTIES, OPEN)))
    out = [
        f"{total} cases run by tests/reliability/, and {len(COVERED)} more run by other "
        "test files (last section).",
        "",
        f"### BibTeX files ({len(BIBTEX)} cases)",
        "",
        f"Each input is `{HOSTILE_BIB}`, a topic of the bundled course, run through "
        "`check --json`, `check`, `show` and `export --all` "
        f"(`{_R}test_reliability_bibtex.py::test_hostile_bib`). Every run: no traceback, no "
        "file of the course folder changed; a refusal is exactly one stderr line "
        "`error: FILE:LINE: ...` with exit 2.",
        "",
        *_table(head4, (_file_case(c, HOSTILE_BIB) for c in BIBTEX)),
        "",
        f"### Course file ({len(COURSE)} cases)",
        "",
        f"Each input replaces `{COURSE_FILE}` of the bundled course; same commands and checks "
        f"(`{_R}test_reliability_course.py::test_hostile_course_file`).",
        "",
        *_table(head4, (_file_case(c, COURSE_FILE) for c in COURSE)),
        "",
        f"### arXiv answers ({len(ARXIV)} cases)",
        "",
        "The arXiv stand-in answers each request as scripted; the real client "
        "(`services/arxiv.py`) fetches the ids "
        f"(`{_R}test_reliability_services.py::test_arxiv_answers`). Exit 3 is what the CLI "
        "makes of the ServiceError.",
        "",
        *_table(head4, (_service_case(c) for c in ARXIV)),
        "",
        f"### Semantic Scholar answers ({len(S2)} cases)",
        "",
        "The same with the Semantic Scholar stand-in and client "
        f"(`{_R}test_reliability_services.py::test_semantic_scholar_answers`; backoff 0.5 s).",
        "",
        *_table(head4, (_service_case(c) for c in S2)),
        "",
        f"### Faults ({len(FAULTS)})",
        "",
        *_table(head5, _rows(FAULTS)),
        "",
        f"### Attacks ({len(SECURITY)})",
        "",
        *_table(head5, _rows(SECURITY)),
        "",
        f"### Properties ({len(PROPERTIES)})",
        "",
        *_table(head5, _rows(PROPERTIES)),
        "",
        f"### Found in the graph export, since fixed ({len(OPEN)})",
        "",
        *_table(head5, _rows(OPEN)),
        "",
        f"### Run by other test files ({len(COVERED)})",
        "",
        *_table(head5, _rows(COVERED)),
    ]
    return "\n".join(out) + "\n"


def replace_in(document: str, table: str) -> str:
    """``document`` with the text between the markers replaced by ``table``."""
    start = document.index(BEGIN) + len(BEGIN)
    end = document.index(END)
    return document[:start] + "\n" + table + document[end:]


def generated_part(document: str) -> str:
    """The text between the markers (what :func:`render` must equal)."""
    start = document.index(BEGIN) + len(BEGIN)
    return document[start : document.index(END)].removeprefix("\n")


def main(argv: Sequence[str]) -> None:
    """Print the table, or with ``--write`` put it into RELIABILITY.md."""
    table = render()
    if "--write" in argv:
        DOCUMENT.write_text(replace_in(DOCUMENT.read_text(encoding="utf-8"), table), "utf-8")
    else:
        sys.stdout.write(table)


if __name__ == "__main__":
    main(sys.argv[1:])
