"""arXiv id and DOI recognition and normalization.

Pure functions of strings, no I/O. People paste identifiers in many shapes:
``arXiv:1806.07572v3``, ``https://arxiv.org/pdf/1806.07572v3.pdf``,
``10.48550/arXiv.1806.07572``, Google Scholar's ``arXiv preprint arXiv:1806.07572``,
old-style ``hep-th/9901001`` and ``math.GT/0309136``. Every shape normalizes to one
canonical id (``1806.07572``, ``hep-th/9901001``, ``math/0309136``) with the version kept
apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

# The archives that used old-style identifiers (before April 2007).
OLD_ARCHIVES = frozenset(
    [
        "acc-phys",
        "adap-org",
        "alg-geom",
        "ao-sci",
        "astro-ph",
        "atom-ph",
        "bayes-an",
        "chao-dyn",
        "chem-ph",
        "cmp-lg",
        "comp-gas",
        "cond-mat",
        "cs",
        "dg-ga",
        "funct-an",
        "gr-qc",
        "hep-ex",
        "hep-lat",
        "hep-ph",
        "hep-th",
        "math",
        "math-ph",
        "mtrl-th",
        "nlin",
        "nucl-ex",
        "nucl-th",
        "patt-sol",
        "physics",
        "plasm-ph",
        "q-alg",
        "q-bio",
        "quant-ph",
        "solv-int",
        "supr-con",
    ]
)

_NEW = r"(?P<new>(?P<yymm>\d{4})\.(?P<num>\d{4,5}))"
_OLD = r"(?P<old>(?P<archive>[a-z]+(?:-[a-z]+)?)(?:\.(?P<subject>[A-Za-z]{2}))?/(?P<oldnum>\d{7}))"
_VERSION = r"(?:v(?P<version>\d+))?"
_BARE = re.compile(rf"^(?:{_NEW}|{_OLD}){_VERSION}$")
# An id inside longer text: a URL, "arXiv:...", a DataCite DOI, a Google Scholar journal.
_EMBEDDED = re.compile(
    r"(?:arxiv\.org/(?:abs|pdf|html|format)/|arxiv[:\s.]\s*|10\.48550/arxiv\.)"
    rf"(?:{_NEW}|{_OLD}){_VERSION}",
    re.IGNORECASE,
)
# Looks like someone meant an arXiv id, so a failed parse is "malformed", not "absent".
_ARXIVISH = re.compile(r"^\s*(?:arxiv:)?\s*[\w.\-/]*\d[\w.\-/]*\s*$", re.IGNORECASE)

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
# Every way a DOI is written with a prefix: "doi:", URN/info URIs and the resolvers
# (doi.org, dx.doi.org, www.doi.org, ACM's doi.acm.org, the handle server), with or
# without a scheme.
_DOI_PREFIX = re.compile(
    r"^\s*(?:doi\s*:\s*|urn:doi:|info:doi/|(?:https?://)?(?:(?:www|dx)\.)?doi\.org/"
    r"|(?:https?://)?doi\.acm\.org/|(?:https?://)?hdl\.handle\.net/)",
    re.IGNORECASE,
)
_DOI_EMBEDDED = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}]+")


@dataclass(frozen=True, order=True)
class ArxivId:
    """A canonical arXiv identifier (no version) and, separately, the version if given."""

    id: str
    version: int | None = None

    @property
    def versioned(self) -> str:
        """The id with its version (``1806.07572v4``), or the bare id if none is known."""
        return f"{self.id}v{self.version}" if self.version else self.id

    @property
    def abs_url(self) -> str:
        """The arXiv abstract page of this id (latest version unless one is given)."""
        return f"https://arxiv.org/abs/{self.versioned}"

    @property
    def pdf_url(self) -> str:
        """The arXiv PDF of this id (latest version unless one is given)."""
        return f"https://arxiv.org/pdf/{self.versioned}"

    def __str__(self) -> str:
        return self.versioned


def _from_match(m: re.Match[str]) -> ArxivId | None:
    version = int(m["version"]) if m["version"] else None
    if version == 0:
        return None
    if m["new"]:
        yymm = m["yymm"]
        month = int(yymm[2:])
        if not 1 <= month <= 12:
            return None
        # Five-digit numbers began in January 2015 (1501), four-digit ones ended in 1412.
        if (len(m["num"]) == 5) != (yymm >= "1501"):
            return None
        if yymm < "0704":
            return None
        return ArxivId(m["new"], version)
    archive = m["archive"].lower()
    if archive not in OLD_ARCHIVES:
        return None
    num = m["oldnum"]
    month = int(num[2:4])
    if not 1 <= month <= 12:
        return None
    return ArxivId(f"{archive}/{num}", version)


def parse_arxiv_id(text: str) -> ArxivId | None:
    """Parse a bare id (``1806.07572v3``, ``arXiv:1806.07572``, ``math.GT/0309136``).

    Returns None when ``text`` is not a well-formed arXiv id.
    """
    s = text.strip()
    if s[:6].lower() == "arxiv:":
        s = s[6:].strip()
    m = _BARE.match(s)
    return _from_match(m) if m else None


def find_arxiv_id(text: str) -> ArxivId | None:
    """Find an arXiv id inside free text: a URL, a note, a Google Scholar journal field.

    Only ids with an arXiv marker in front (``arxiv.org/abs/``, ``arXiv:``, the DataCite
    DOI prefix) are found, so page numbers and report numbers are not mistaken for ids.
    """
    for m in _EMBEDDED.finditer(text):
        found = _from_match(m)
        if found:
            return found
    return parse_arxiv_id(text)


def looks_like_arxiv_id(text: str) -> bool:
    """True when ``text`` looks like an attempt at an arXiv id (so failing to parse is
    a malformed id rather than some other kind of value)."""
    return bool(_ARXIVISH.match(text))


def strip_doi(text: str) -> str | None:
    """A DOI as written, without its ``doi:`` or resolver prefix (case kept), or None
    if malformed. This is the form to show and export."""
    s = _DOI_PREFIX.sub("", text.strip())
    s = s.rstrip(".,;")
    if not _DOI.match(s):
        return None
    return s


def normalize_doi(text: str) -> str | None:
    """The canonical (lower-case, prefix-free) form of a DOI, or None if malformed.

    DOIs are case-insensitive, so the lower-case form is what two entries are compared
    by; it is for comparing only (show and export keep :func:`strip_doi`'s form).
    """
    s = strip_doi(text)
    return s.lower() if s else None


def find_doi(text: str) -> str | None:
    """Find a DOI inside free text (a URL, a note) and return it normalized."""
    m = _DOI_EMBEDDED.search(text)
    return normalize_doi(m.group(0)) if m else None


def find_doi_written(text: str) -> str | None:
    """Find a DOI inside free text and return it as written (case kept)."""
    m = _DOI_EMBEDDED.search(text)
    return strip_doi(m.group(0)) if m else None


def arxiv_from_doi(doi: str) -> ArxivId | None:
    """The arXiv id behind an arXiv DataCite DOI (``10.48550/arXiv.1806.07572``)."""
    if doi.lower().startswith("10.48550/arxiv."):
        return parse_arxiv_id(doi[len("10.48550/arxiv.") :])
    return None


@dataclass(frozen=True)
class Identifiers:
    """What the fields of one BibTeX entry say about its arXiv id and DOI.

    ``problems`` holds ``(field, message)`` for values that are meant as an id or a DOI
    but are malformed.
    """

    arxiv: ArxivId | None
    doi: str | None
    problems: tuple[tuple[str, str], ...] = ()
    doi_written: str | None = None


_ARXIV_PREFIXES = {"arxiv", "arxiv.org"}


def identify(fields: Mapping[str, str]) -> Identifiers:
    """Recognize the arXiv id and DOI of an entry from its (lower-case named) fields.

    Looks, in this order, at ``eprint`` (with ``archivePrefix`` or ``eprinttype``
    arXiv, or an eprint that is itself an arXiv id), ``arxiv``/``arxivid``, ``doi``
    (the arXiv DataCite DOI counts), ``url``, ``journal`` (Google Scholar writes
    ``arXiv preprint arXiv:1806.07572``), ``note`` and ``howpublished``.
    """
    problems: list[tuple[str, str]] = []
    arxiv: ArxivId | None = None
    doi: str | None = None

    prefix = (fields.get("archiveprefix") or fields.get("eprinttype") or "").strip().lower()
    eprint = fields.get("eprint", "").strip()
    if eprint:
        parsed = parse_arxiv_id(eprint) or find_arxiv_id(eprint)
        if parsed:
            arxiv = parsed
        elif prefix in _ARXIV_PREFIXES:
            problems.append(("eprint", f"malformed arXiv id {eprint!r}"))
    for name in ("arxiv", "arxivid"):
        value = fields.get(name, "").strip()
        if value and arxiv is None:
            parsed = find_arxiv_id(value)
            if parsed:
                arxiv = parsed
            else:
                problems.append((name, f"malformed arXiv id {value!r}"))

    doi_written: str | None = None
    raw_doi = fields.get("doi", "").strip()
    if raw_doi:
        doi_written = strip_doi(raw_doi)
        doi = doi_written.lower() if doi_written else None
        if doi is None:
            problems.append(("doi", f"malformed DOI {raw_doi!r}"))
        elif arxiv is None:
            arxiv = arxiv_from_doi(doi)

    for name in ("url", "journal", "note", "howpublished", "eprint"):
        value = fields.get(name, "")
        if not value:
            continue
        if arxiv is None:
            m = _EMBEDDED.search(value)
            if m:
                found = _from_match(m)
                if found:
                    arxiv = found
                elif name != "eprint":
                    problems.append((name, f"malformed arXiv id in {value.strip()!r}"))
        if doi is None and name == "url":
            doi_written = find_doi_written(value)
            doi = doi_written.lower() if doi_written else None
            if doi and arxiv is None:
                arxiv = arxiv_from_doi(doi)
    return Identifiers(arxiv=arxiv, doi=doi, problems=tuple(problems), doi_written=doi_written)
