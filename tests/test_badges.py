"""The "published" badge: only for a venue that is not a preprint server.

Every shape the import fixtures carry (Google Scholar, DBLP, Semantic Scholar, Zotero,
JabRef, arXiv exports) is read as a course's topic file and shown with ``show --json``,
whose ``published`` is the flag the site's badge uses.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from readinglist.bibtex import paper_from_raw, parse_bib
from readinglist.model import Course, Library, Topic
from readinglist.records import _is_published_doi, effective_record, is_published

IMPORTS = Path(__file__).resolve().parent / "data" / "imports"

SHAPES = [
    # Google Scholar: @article with journal = {arXiv preprint arXiv:...}
    ("scholar.bib", "jacot2018neural", False),
    ("scholar.bib", "du2018gradient", False),
    ("scholar.bib", "arora2019exact", True),  # booktitle NeurIPS
    # DBLP: journal = {CoRR}, volume = {abs/...}
    ("dblp.bib", "DBLP:journals/corr/abs-1806-07572", False),
    ("dblp.bib", "DBLP:journals/corr/abs-1902-06720", False),
    # Semantic Scholar: journal = {ArXiv} or {CoRR}, but booktitle names the conference
    ("semanticscholar.bib", "Jacot2018NeuralTK", True),
    ("semanticscholar.bib", "Kingma2014AdamAM", True),
    # Zotero: @inproceedings with booktitle; @misc with publisher = {arXiv} and its DOI
    ("zotero.bib", "jacotNeuralTangentKernel2018", True),
    ("zotero.bib", "kingmaAdamMethodStochastic2014", False),
    # JabRef: booktitle from an @string macro
    ("jabref.bib", "Jacot2018", True),
    ("jabref.bib", "Lee2019", True),
    # arXiv's own export: @misc with eprint
    ("arxiv.bib", "jacot2018neural", False),
    ("arxiv.bib", "kingma2014adam", False),
]


@pytest.mark.parametrize(("fixture", "key", "published"), SHAPES, ids=lambda v: str(v))
def test_import_shapes_are_badged_truthfully(
    run: Any, course: Path, fixture: str, key: str, published: bool
) -> None:
    # The fixture replaces a topic's file, so its entries are the course's papers.
    (course / "bib" / "ntk.bib").write_bytes((IMPORTS / fixture).read_bytes())
    result = run("--root", course, "show", key, "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["published"] is published


def _paper(entry: str) -> Any:
    (raw,) = parse_bib(entry, "t.bib").entries
    return paper_from_raw(raw, "t", "bib/t.bib")


@pytest.mark.parametrize(
    ("entry", "published"),
    [
        ("@article{a, journal = {arXiv preprint arXiv:1412.6980}}", False),
        ("@article{a, journal = {{arXiv} e-prints}}", False),
        ("@article{a, journal = {ArXiv}, volume = {abs/1412.6980}}", False),
        ("@article{a, journal = {CoRR}, volume = {abs/1412.6980}}", False),
        ("@article{a, journal = {bioRxiv}}", False),
        ("@article{a, journal = {medRxiv}}", False),
        ("@article{a, journal = {SSRN Electronic Journal}}", False),
        ("@article{a, journal = {Research Square}}", False),
        ("@article{a, journal = {OpenReview}}", False),
        ("@article{a, journal = {Preprint}}", False),
        ("@article{a, journal = {Under review}}", False),
        ("@article{a}", False),  # no venue known
        ("@inproceedings{a, booktitle = {}}", False),
        ("@misc{a, publisher = {arXiv}, doi = {10.48550/arXiv.1412.6980}}", False),
        ("@book{a, publisher = {arXiv}}", False),
        ("@article{a, journal = {Corrosion Science}}", True),  # not CoRR
        ("@article{a, journal = {Annals of Statistics}}", True),
        ("@inproceedings{a, booktitle = {International Conference on Learning "
         "Representations}, publisher = {OpenReview.net}}", True),
        ("@book{a, publisher = {Cambridge University Press}}", True),
        ("@misc{a, journal = {Journal of Machine Learning Research}}", True),
    ],
)  # fmt: skip
def test_hand_written_venues(entry: str, published: bool) -> None:
    paper = _paper(entry)
    assert is_published(paper) is published
    library = Library(
        course=Course("Test course"), topics=(Topic("t", "T"),), lectures=(),
        papers={paper.key: paper},
    )  # fmt: skip
    assert effective_record(library, paper).published is published


@pytest.mark.parametrize(
    ("doi", "published"),
    [
        ("10.48550/arXiv.1412.6980", False),
        ("10.1101/2020.03.01.972935", False),  # bioRxiv
        ("10.1101/gr.123456.110", True),  # Genome Research, same prefix
        ("10.2139/ssrn.2250500", False),
        ("10.21203/rs.3.rs-12345/v1", False),
        ("10.31234/osf.io/abcde", False),
        ("10.1109/18.256500", True),
        ("", False),
    ],
)
def test_fetched_dois(doi: str, published: bool) -> None:
    assert _is_published_doi(doi) is published
