"""The machine-owned data under ``bib/synced/``: what ``sync`` fetched, as text.

Strings only, no disk I/O. Every file is JSON written deterministically (sorted keys,
sorted lists, no timestamps that change when nothing changed), so a sync that finds
nothing new changes no byte and git diffs stay readable. Incoming text is not trusted:
a malformed file raises :class:`StoreError` naming it and the line.

Files (all optional):

- ``arxiv.json``: ``{"format": 1, "papers": {key: ArxivRecord fields}}``
- ``publications.json``: ``{"format": 1, "papers": {key: Publication fields}}``
- ``citations.json``: ``{"format": 1, "citations": [Citation fields],
  "external": {id: ExternalPaper fields}}``
- ``candidates.json``: ``{"format": 1, "candidates": [Candidate fields]}``
- ``changes.json``: ``{"format": 1, "changes": [Change fields]}``, newest first: what
  each sync found new (the site's "what's new" and its feed)
- ``state.json``: ``{"format": 1, "changed": date, "lookups": {key: TitleLookup fields},
  "tracking": {slug: Watermark fields}}``: what ``sync`` remembers between runs (the day
  the stored data last changed, title lookups that found nothing, tracking watermarks)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from readinglist.errors import StoreError
from readinglist.model import (
    ArxivRecord,
    Candidate,
    Change,
    Citation,
    ExternalPaper,
    Publication,
)

SYNCED_DIR = "bib/synced"
FORMAT = 1


@dataclass(frozen=True)
class SyncedData:
    """Everything in ``bib/synced/``, keyed by paper key where it is about a paper."""

    arxiv: Mapping[str, ArxivRecord] = field(default_factory=dict)
    publications: Mapping[str, Publication] = field(default_factory=dict)
    citations: tuple[Citation, ...] = ()
    external: Mapping[str, ExternalPaper] = field(default_factory=dict)
    candidates: tuple[Candidate, ...] = ()
    changes: tuple[Change, ...] = ()


@dataclass(frozen=True)
class TitleLookup:
    """A title lookup on arXiv that found no strict match: when, and for which
    normalized title (a changed title is looked up again)."""

    date: str
    title: str


@dataclass(frozen=True)
class Watermark:
    """How far back tracking has read a topic's arXiv query: papers submitted on or
    after ``date`` are read again next time; a changed ``query`` starts over."""

    query: str
    date: str


@dataclass(frozen=True)
class SyncState:
    """What ``sync`` remembers between runs (``state.json``).

    ``changed`` is the day the machine-owned data last changed (empty: never); it moves
    only when some file's content changes, so an idle sync changes no byte.
    """

    changed: str = ""
    lookups: Mapping[str, TitleLookup] = field(default_factory=dict)
    tracking: Mapping[str, Watermark] = field(default_factory=dict)


def dump_json(data: Any) -> str:
    """The one deterministic JSON layout of machine-owned files."""
    return json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def _load(text: str, file: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise StoreError(f"not valid JSON: {exc.msg}", file=file, line=exc.lineno) from None
    if not isinstance(data, dict):
        raise StoreError("expected a JSON object", file=file, line=1)
    if data.get("format", FORMAT) != FORMAT:
        raise StoreError(
            f"written by a newer readinglist (format {data.get('format')})", file=file, line=1
        )
    return data


_FIELDS: dict[type, tuple[str, ...]] = {}


def _build(cls: type, raw: Any, file: str, what: str) -> Any:
    if not isinstance(raw, dict):
        raise StoreError(f"{what}: expected an object", file=file)
    names = _FIELDS.get(cls)
    if names is None:
        names = _FIELDS[cls] = tuple(f.name for f in dataclasses.fields(cls))
    kwargs = {}
    for name in names:
        if name in raw:
            value = raw[name]
            if isinstance(value, list):
                value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
            kwargs[name] = value
    try:
        return cls(**kwargs)
    except TypeError as exc:
        raise StoreError(f"{what}: {exc}", file=file) from None


def parse_arxiv(text: str, file: str = f"{SYNCED_DIR}/arxiv.json") -> dict[str, ArxivRecord]:
    """Read ``arxiv.json``."""
    papers = _load(text, file).get("papers", {})
    return {k: _build(ArxivRecord, v, file, k) for k, v in sorted(papers.items())}


def parse_publications(
    text: str, file: str = f"{SYNCED_DIR}/publications.json"
) -> dict[str, Publication]:
    """Read ``publications.json``."""
    papers = _load(text, file).get("papers", {})
    return {k: _build(Publication, v, file, k) for k, v in sorted(papers.items())}


def parse_citations(
    text: str, file: str = f"{SYNCED_DIR}/citations.json"
) -> tuple[tuple[Citation, ...], dict[str, ExternalPaper]]:
    """Read ``citations.json``: the citation relations and the outside papers they name."""
    data = _load(text, file)
    citations = _records(Citation, text, file, "citations")
    external = {}
    for k, v in sorted(data.get("external", {}).items()):
        paper = _build(ExternalPaper, v, file, k)
        external[k] = dataclasses.replace(paper, ids=dict(paper.ids or {}))
    return citations, external


def _records(cls: type, text: str, file: str, name: str) -> tuple[Any, ...]:
    items = _load(text, file).get(name, [])
    if not isinstance(items, list):
        raise StoreError(f"{name}: expected a list", file=file)
    return tuple(_build(cls, c, file, f"{name}[{i}]") for i, c in enumerate(items))


def parse_candidates(
    text: str, file: str = f"{SYNCED_DIR}/candidates.json"
) -> tuple[Candidate, ...]:
    """Read ``candidates.json``."""
    return _records(Candidate, text, file, "candidates")


def parse_changes(text: str, file: str = f"{SYNCED_DIR}/changes.json") -> tuple[Change, ...]:
    """Read ``changes.json``."""
    return _records(Change, text, file, "changes")


def parse_state(text: str, file: str = f"{SYNCED_DIR}/state.json") -> SyncState:
    """Read ``state.json``."""
    data = _load(text, file)
    changed = data.get("changed", "")
    if not isinstance(changed, str):
        raise StoreError("changed: expected a date", file=file)
    sections: dict[str, dict[str, Any]] = {}
    for name, cls in (("lookups", TitleLookup), ("tracking", Watermark)):
        raw = data.get(name, {})
        if not isinstance(raw, dict):
            raise StoreError(f"{name}: expected an object", file=file)
        sections[name] = {k: _build(cls, v, file, f"{name}.{k}") for k, v in sorted(raw.items())}
    return SyncState(changed=changed, lookups=sections["lookups"], tracking=sections["tracking"])


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, tuple | list):
        return [_plain(v) for v in obj]
    if isinstance(obj, Mapping):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def dump_arxiv(records: Mapping[str, ArxivRecord]) -> str:
    """Write ``arxiv.json``."""
    return dump_json({"format": FORMAT, "papers": {k: _plain(v) for k, v in records.items()}})


def dump_publications(records: Mapping[str, Publication]) -> str:
    """Write ``publications.json``."""
    return dump_json({"format": FORMAT, "papers": {k: _plain(v) for k, v in records.items()}})


def dump_citations(
    citations: tuple[Citation, ...] | list[Citation], external: Mapping[str, ExternalPaper]
) -> str:
    """Write ``citations.json``, relations sorted so the same set gives the same bytes."""
    unique = {(c.citing, c.cited, c.evidence): c for c in citations}
    ordered = [unique[k] for k in sorted(unique)]
    return dump_json(
        {
            "format": FORMAT,
            "citations": [_plain(c) for c in ordered],
            "external": {k: _plain(v) for k, v in sorted(external.items())},
        }
    )


def dump_candidates(candidates: tuple[Candidate, ...] | list[Candidate]) -> str:
    """Write ``candidates.json``, best first, ties by id."""
    ordered = sorted(candidates, key=lambda c: (c.topic, -c.score, c.arxiv))
    return dump_json({"format": FORMAT, "candidates": [_plain(c) for c in ordered]})


def dump_changes(changes: tuple[Change, ...] | list[Change]) -> str:
    """Write ``changes.json``: newest day first, then by key and kind."""
    unique = {(c.date, c.key, c.kind, c.detail): c for c in changes}
    ordered = sorted(unique.values(), key=lambda c: (_neg(c.date), c.key, c.kind, c.detail))
    return dump_json({"format": FORMAT, "changes": [_plain(c) for c in ordered]})


def dump_state(state: SyncState) -> str:
    """Write ``state.json``."""
    return dump_json(
        {
            "format": FORMAT,
            "changed": state.changed,
            "lookups": {k: _plain(v) for k, v in sorted(state.lookups.items())},
            "tracking": {k: _plain(v) for k, v in sorted(state.tracking.items())},
        }
    )


def _neg(date: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in date)
