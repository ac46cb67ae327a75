"""The arXiv fetch steps of a sync: each asks the client and returns plain data.

By id, one request per batch of the client's page size (:meth:`ArxivClient.fetch_ids`);
by title, one request per paper, only a strict match accepted later
(:func:`readinglist.sync.merge.best_title_match`); tracking, each topic's query read back
to its watermark. A refused query (HTTP 400) is an answer, not a failure of arXiv; every
other :class:`~readinglist.errors.ServiceError` is left to the caller, which says what
the run had saved.
"""

from __future__ import annotations

import datetime as dt
import logging

from readinglist.errors import BadRequestError
from readinglist.model import ArxivRecord, Paper, Topic
from readinglist.services.arxiv import ArxivClient, FetchResult
from readinglist.sync.plan import LOOKUP_RESULTS, TRACK_MAX_RESULTS, title_query

log = logging.getLogger(__name__)

NOT_ON_ARXIV = "not on arXiv"


def failure_reason(result: FetchResult, arxiv_id: str) -> str:
    """Why ``arxiv_id`` is not among a fetch's records."""
    return result.failed.get(arxiv_id) or NOT_ON_ARXIV


def lookup_title(client: ArxivClient, paper: Paper) -> list[ArxivRecord]:
    """The best few arXiv results for the paper's title (none when arXiv refuses the
    query)."""
    query = title_query(paper.title)
    try:
        feed = client.search(
            query, max_results=min(LOOKUP_RESULTS, client.page_size), sort_by="relevance"
        )
    except BadRequestError:
        log.warning("arXiv refused the title query for %s: %s", paper.key, query)
        return []
    return feed.entries


def read_topic(client: ArxivClient, topic: Topic, start: dt.date) -> list[ArxivRecord] | None:
    """The papers of the topic's ``arxiv_query`` published since ``start``, newest
    first (at most :data:`TRACK_MAX_RESULTS`); None when arXiv refuses the query."""
    try:
        return list(
            client.iter_search(
                topic.arxiv_query.strip(), stop_before=start, max_results=TRACK_MAX_RESULTS
            )
        )
    except BadRequestError:
        return None
