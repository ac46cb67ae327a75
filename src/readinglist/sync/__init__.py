"""Sync a course's machine-owned data from arXiv and Semantic Scholar; report what changed.

:func:`sync` does one run and returns a :class:`SyncReport`; it prints nothing (progress
goes to a callback the CLI renders, details to ``logging``). The modules are the stages,
in the order a run goes through them:

- :mod:`~readinglist.sync.plan`: which papers to ask about, in which batches (pure);
- :mod:`~readinglist.sync.fetch_arxiv`, :mod:`~readinglist.sync.fetch_s2`: ask the
  services (the only network I/O);
- :mod:`~readinglist.sync.merge`: merge what came into the machine-owned data and
  judge what changed (pure);
- :mod:`~readinglist.sync.track`: score new papers per topic, keep the best (pure);
- :mod:`~readinglist.sync.save`: write ``bib/synced/`` (the only disk writes);
- :mod:`~readinglist.sync.report`: the report and its JSON shape;
- :mod:`~readinglist.sync.run`: the run itself, stage after stage.

``add`` (appending new papers to a hand-written ``.bib``) is :mod:`readinglist.add`.
When arXiv cannot be reached, :class:`SyncIncomplete` (exit 3) says what the run had
already saved.
"""

from readinglist.sync.merge import (
    find_disagreements,
    is_strict_match,
    surnames_shared,
    venue_label,
)
from readinglist.sync.report import (
    Disagreement,
    Failure,
    Progress,
    ProgressCallback,
    PublishedChange,
    SyncIncomplete,
    SyncReport,
    TitleMatch,
    TopicTracking,
    VersionChange,
)
from readinglist.sync.run import offline_report, sync
from readinglist.sync.track import list_candidates

__all__ = [
    "Disagreement",
    "Failure",
    "Progress",
    "ProgressCallback",
    "PublishedChange",
    "SyncIncomplete",
    "SyncReport",
    "TitleMatch",
    "TopicTracking",
    "VersionChange",
    "find_disagreements",
    "is_strict_match",
    "list_candidates",
    "offline_report",
    "surnames_shared",
    "sync",
    "venue_label",
]
