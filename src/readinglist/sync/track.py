"""Tracking new papers per topic: which of the papers read are new, how they score, which
are kept as candidates. Pure (the fetching is in :mod:`readinglist.sync.fetch`).

New papers are scored by :mod:`readinglist.tracking` against the topic as it is now;
stored candidates of the topics read this run are scored again, and the best kept in
``candidates.json``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from readinglist import tracking
from readinglist.errors import UsageError
from readinglist.latex import normalize_title
from readinglist.model import ArxivRecord, Candidate, Change, Library
from readinglist.sync.merge import SyncData
from readinglist.sync.plan import listed_ids
from readinglist.sync.report import TopicTracking
from readinglist.synced import Watermark


@dataclass(frozen=True)
class TopicRead:
    """What was read for one topic: the papers (newest first), the day read back to,
    the topic's new watermark."""

    papers: list[ArxivRecord]
    since: dt.date
    watermark: Watermark


def watermark(query: str, papers: Sequence[ArxivRecord], mark: Watermark | None,
              start: dt.date) -> Watermark:  # fmt: skip
    """The new watermark of a topic: the newest paper read, never earlier than the old
    watermark of the same query, else the day read back to."""
    newest = max((r.published for r in papers if r.published), default="")
    old = mark.date if mark and mark.query == query else ""
    return Watermark(query=query, date=max(newest, old) or start.isoformat())


def fresh_papers(data: SyncData, read: Mapping[str, TopicRead]) -> dict[str, list[ArxivRecord]]:
    """Per topic, the papers read that are not on the list (by arXiv id or title)."""
    ids, titles = listed_ids(data.library, data.records)
    return {
        slug: [
            r for r in got.papers
            if r.id not in ids and normalize_title(r.title) not in titles
        ]
        for slug, got in read.items()
    }  # fmt: skip


def merge_tracked(
    data: SyncData,
    read: Mapping[str, TopicRead],
    fresh: Mapping[str, list[ArxivRecord]],
    cites: Mapping[str, set[str]],
) -> None:
    """Score the new papers (and again the stored candidates of the topics read), keep
    the best as ``data.candidates``, and report the new ones per topic."""
    library = data.library
    corpus = tracking.build_corpus(_topic_texts(data))
    previous = {(c.topic, c.arxiv) for c in data.candidates}
    pool: list[Candidate] = []
    for c in data.candidates:
        if c.topic in read:  # re-scored against the topic as it is now
            c = replace(c, score=_score(library, corpus, c.topic, c.title, c.abstract, c.cites))
        pool.append(c)
    for slug, records in fresh.items():
        for r in records:
            listed_cites = tuple(sorted(cites.get(r.id, ())))
            score = _score(library, corpus, slug, r.title, r.abstract, listed_cites)
            pool.append(
                Candidate(
                    arxiv=r.id,
                    title=r.title,
                    topic=slug,
                    score=score,
                    published=r.published,
                    authors=r.authors,
                    abstract=r.abstract,
                    cites=listed_cites,
                )  # fmt: skip
            )
    data.candidates = tracking.best(pool)
    report = data.report
    for c in data.candidates:
        if (c.topic, c.arxiv) not in previous:
            report.new_candidates.append(c)
            data.record(Change(data.date, "candidate", c.arxiv, f"{c.topic}: {c.title}",
                               f"https://arxiv.org/abs/{c.arxiv}"))  # fmt: skip
    kept_new = {(c.topic, c.arxiv) for c in report.new_candidates}
    for slug, got in read.items():
        report.tracked.append(
            TopicTracking(
                topic=slug,
                read=len(got.papers),
                new=len(fresh[slug]),
                kept=sum(1 for t, _ in kept_new if t == slug),
                since=got.since.isoformat(),
                watermark=got.watermark.date,
            )
        )


def _topic_texts(data: SyncData) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    for topic in data.library.topics:
        docs = [f"{topic.title}. {topic.description}"]
        for paper in data.library.papers_in_topic(topic.slug):
            record = data.records.get(paper.key)
            abstract = paper.abstract or (record.abstract if record else "")
            title = paper.title or (record.title if record else "")
            docs.append(f"{title}. {abstract}")
        texts[topic.slug] = docs
    return texts


def _score(
    library: Library,
    corpus: tracking.Corpus,
    topic: str,
    title: str,
    abstract: str,
    cites: Sequence[str],
) -> float:
    papers = library.papers
    in_topic = sum(1 for k in cites if k in papers and papers[k].topic == topic)
    elsewhere = sum(1 for k in cites if k in papers) - in_topic
    return tracking.score(corpus, topic, f"{title}. {abstract}", in_topic, elsewhere)


def list_candidates(library: Library, topic: str | None = None) -> list[Candidate]:
    """The stored candidates not on the list (by arXiv id or title), best first.

    Raises UsageError (exit 2) for an unknown topic, listing the topics.
    """
    if topic is not None and library.topic(topic) is None:
        raise UsageError(f"no topic {topic!r}; topics are {topic_names(library)}")
    ids, titles = listed_ids(library, library.arxiv)
    chosen = [
        c for c in library.candidates
        if (topic is None or c.topic == topic)
        and c.arxiv not in ids and normalize_title(c.title) not in titles
    ]  # fmt: skip
    return sorted(chosen, key=lambda c: (-c.score, c.topic, c.arxiv))


def topic_names(library: Library) -> str:
    """The topics' slugs, comma-separated (``none`` when there are none)."""
    return ", ".join(t.slug for t in library.topics) or "none"
