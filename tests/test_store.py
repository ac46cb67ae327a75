"""store: atomic writes, appends that keep every byte, the lock, the parse cache."""

from __future__ import annotations

import errno
import gc
import os
import weakref
from pathlib import Path

import pytest

from readinglist import store
from readinglist.errors import LockHeldError, StoreError


def test_append_keeps_every_byte_and_follows_line_endings(tmp_path: Path) -> None:
    (tmp_path / "bib").mkdir()
    path = tmp_path / "bib/a.bib"
    path.write_bytes(b"@misc{a,\r\n title={A}}\r\n")
    store.append_text(tmp_path, "bib/a.bib", "@misc{b,\n title={B}}\n")
    data = path.read_bytes()
    assert data.startswith(b"@misc{a,\r\n title={A}}\r\n")
    assert data == b"@misc{a,\r\n title={A}}\r\n\r\n@misc{b,\r\n title={B}}\r\n"
    path.write_bytes(b"@misc{a, title={A}}")  # no final newline
    store.append_text(tmp_path, "bib/a.bib", "@misc{b, title={B}}\n")
    assert path.read_bytes() == b"@misc{a, title={A}}\n\n@misc{b, title={B}}\n"


def test_write_text_is_a_no_op_when_unchanged(tmp_path: Path) -> None:
    assert store.write_text(tmp_path, "bib/synced/x.json", "{}\n") is True
    before = (tmp_path / "bib/synced/x.json").stat().st_mtime_ns
    assert store.write_text(tmp_path, "bib/synced/x.json", "{}\n") is False
    assert (tmp_path / "bib/synced/x.json").stat().st_mtime_ns == before


@pytest.mark.parametrize(
    ("code", "word"), [(errno.ENOSPC, "disk full"), (errno.EACCES, "permission")]
)
def test_failed_write_leaves_the_old_file(
    tmp_path: Path, monkeypatch, code: int, word: str
) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "f.json"
    path.write_text("old\n")

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(StoreError) as info:
        store.write_atomic(path, b"new\n")
    assert word in str(info.value) and str(path) in str(info.value)
    assert path.read_text() == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"]  # no temp file left


def test_lock_refuses_a_second_holder_and_names_the_first(tmp_path: Path) -> None:
    with store.lock(tmp_path, "sync"):
        with pytest.raises(LockHeldError) as info, store.lock(tmp_path, "add"):
            pass
        assert "'readinglist sync' (pid" in str(info.value)
    with store.lock(tmp_path, "add"):  # released after the first holder is done
        pass


def test_cache_is_used_and_invalidated_exactly(tmp_path: Path, course: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    calls: list[str] = []
    real = store._papers_of

    def counting(data: bytes, rel: str):  # type: ignore[no-untyped-def]
        calls.append(rel)
        return real(data, rel)

    monkeypatch.setattr(store, "_papers_of", counting)
    first = store.load_library(course).library
    assert len(calls) == 8
    calls.clear()
    again = store.load_library(course).library
    assert calls == [] and list(again.papers) == list(first.papers)
    ntk = course / "bib/ntk.bib"
    ntk.write_bytes(
        ntk.read_bytes().replace(b"Neural Tangent Kernel", b"Neural Tangent Kernels", 1)
    )
    changed = store.load_library(course).library
    assert calls == ["bib/ntk.bib"]
    assert changed.papers["jacot2018"].title.startswith("Neural Tangent Kernels")


def test_damaged_cache_entry_is_a_miss(course: Path) -> None:
    store.load_library(course)
    cache = Path(os.environ["READINGLIST_CACHE_DIR"])
    for entry in cache.glob("*.pickle"):
        entry.write_bytes(b"garbage")
    assert len(store.load_library(course).library.papers) == 59


def test_lock_removes_temp_files_a_killed_writer_left(tmp_path: Path) -> None:
    synced = tmp_path / "bib/synced"
    synced.mkdir(parents=True)
    (synced / ".arxiv.json.abc123.tmp").write_text("half")
    (synced / "arxiv.json").write_text("{}\n")
    with store.lock(tmp_path, "sync"):
        pass
    assert sorted(p.name for p in synced.iterdir()) == ["arxiv.json"]


@pytest.mark.parametrize("run", ["cold", "warm"])
def test_loading_leaves_the_papers_to_the_oldest_collector_generation(
    course: Path, run: str
) -> None:
    # The cycle collector is paused while papers are read or unpickled and what was made
    # meanwhile moved to the oldest generation: no young-generation pass walks them.
    if run == "warm":
        store.load_library(course)
    assert gc.isenabled()
    library = store.load_library(course).library
    assert gc.isenabled()
    young = {id(obj) for generation in (0, 1) for obj in gc.get_objects(generation)}
    papers = list(library.papers.values())
    assert len(papers) == 59
    assert not [p.key for p in papers if id(p) in young]
    assert not [p.key for p in papers if id(p.__dict__) in young]


def test_loading_leaves_a_paused_collector_paused(course: Path) -> None:
    gc.disable()
    try:
        store.load_library(course)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_cyclic_garbage_made_while_loading_is_still_collected(course: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    real = store._papers_of
    made: list[weakref.ref[object]] = []

    class Node:
        pass

    def with_a_cycle(data: bytes, rel: str):  # type: ignore[no-untyped-def]
        node = Node()
        node.self = node  # type: ignore[attr-defined]
        made.append(weakref.ref(node))
        return real(data, rel)

    monkeypatch.setattr(store, "_papers_of", with_a_cycle)
    store.load_library(course)
    assert made
    gc.collect()
    assert all(ref() is None for ref in made)


def test_cache_entries_are_written_without_fsync_and_a_cut_entry_is_a_miss(
    course: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    # The cache is not the user's data: its writes skip fsync, because an entry a crash
    # cut short cannot unpickle and is re-parsed.
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    first = store.load_library(course).library
    cache = Path(os.environ["READINGLIST_CACHE_DIR"])
    entries = sorted(cache.glob("*.pickle"))
    assert len(entries) == 8 and synced == []
    for entry in entries:
        data = entry.read_bytes()
        entry.write_bytes(data[: len(data) // 2])
    again = store.load_library(course).library
    assert list(again.papers) == list(first.papers)
    assert again.papers["jacot2018"] == first.papers["jacot2018"]
    store.write_atomic(course / "x.json", b"{}")  # other writes still fsync
    assert len(synced) == 2


def test_cached_papers_share_their_field_names(course: Path) -> None:
    # Field names and entry types are interned when read, so a cache entry (one file)
    # holds each once: a smaller pickle, a faster warm load.
    for run in ("cold", "warm"):
        papers = store.load_library(course).library.papers_in_topic("ntk")
        titles = [name for p in papers for name, _ in p.fields if name == "title"]
        assert len(titles) > 5 and all(name is titles[0] for name in titles), run
        types = [p.entry_type for p in papers if p.entry_type == "inproceedings"]
        assert len(types) > 2 and all(t is types[0] for t in types), run
        _ = [p.field("title") for p in papers]
        keys = [k for p in papers for k in p._by_name if k == "title"]
        assert len(keys) == len(papers) and all(k is keys[0] for k in keys), run


def test_loading_leaves_objects_the_program_froze_frozen(course: Path) -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        assert frozen > 0
        store.load_library(course)
        assert gc.get_freeze_count() == frozen and gc.isenabled()
    finally:
        gc.unfreeze()
