"""The Semantic Scholar fetch steps of a sync: each asks the client and returns plain data.

One batch call per 500 papers (:data:`BATCH_SIZE`). Semantic Scholar failing is not
fatal: the papers fetched before the failure are kept and the failure is said.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from readinglist.errors import ServiceError
from readinglist.services.semanticscholar import BATCH_SIZE, S2Paper, SemanticScholarClient
from readinglist.sync.merge import cited_id
from readinglist.sync.plan import batches
from readinglist.sync.report import Progress, service_reason

log = logging.getLogger(__name__)


@dataclass
class S2Fetch:
    """What the batches brought: key -> paper (for the keys S2 knows), and, when a
    batch failed, the message saying so (the batches before it are in ``found``)."""

    found: dict[str, S2Paper] = field(default_factory=dict)
    error: str = ""


def fetch_papers(
    client: SemanticScholarClient,
    request_ids: Mapping[str, list[str]],
    stored_date: str,
    progress: Callable[[Progress], None],
) -> S2Fetch:
    """Fetch every S2 id of ``request_ids`` (id -> keys) in batches."""
    out = S2Fetch()
    chunks = batches(list(request_ids), BATCH_SIZE)
    for n, chunk in enumerate(chunks, 1):
        progress(Progress("semanticscholar", n, len(chunks), len(chunk)))
        try:
            result = client.fetch_papers(chunk)
        except ServiceError as exc:
            reason = service_reason(exc, "Semantic Scholar")
            out.error = (
                f"could not reach Semantic Scholar ({reason}): "
                + (
                    f"citation data from {stored_date} is unchanged"
                    if stored_date
                    else "citation data is unchanged (never synced)"
                )
                if not out.found
                else f"Semantic Scholar failed after {n - 1} of {len(chunks)} batches "
                f"({reason}); citations of the papers fetched are updated, the others "
                "unchanged"
            )
            return out
        for request_id, paper in result.papers.items():
            if paper is None:
                log.info("Semantic Scholar does not know %s", request_id)
                continue
            for key in request_ids[request_id]:
                out.found[key] = paper
        progress(Progress("semanticscholar", n, len(chunks), len(chunk), finished=True))
    return out


def fetch_candidate_cites(
    client: SemanticScholarClient,
    ids: set[str],
    index: Mapping[tuple[str, str], str],
    listed: Mapping[str, object],
) -> dict[str, set[str]]:
    """arXiv id -> the listed keys that new candidate cites, per Semantic Scholar (one
    batch call per 500 candidates; nothing for a candidate S2 does not know, and
    nothing at all when S2 fails)."""
    wanted = [f"ARXIV:{i}" for i in sorted(ids)]
    out: dict[str, set[str]] = {}
    try:
        for chunk in batches(wanted, BATCH_SIZE):
            result = client.fetch_papers(chunk)
            for request_id, paper in result.papers.items():
                if paper is None:
                    continue
                cited = (cited_id(dict(r.canonical_ids), index) for r in paper.references)
                keys = {c for c in cited if c is not None and c in listed}
                if keys:
                    out[request_id.removeprefix("ARXIV:")] = keys
    except ServiceError as exc:
        log.warning("no citation data for candidates: %s", exc.message)
    return out
