"""A rebuild rewrites the previous build's paper pages in place (site/reuse.py) and
leaves the site exactly as a build into an empty folder would: no page, file or folder
of an earlier build survives."""

from __future__ import annotations

import os
from pathlib import Path
from types import SimpleNamespace

from readinglist.site.plugin import ReadingListPlugin
from readinglist.site.reuse import HIDDEN, KeptPages
from readinglist.site.run import build

EXTRA = """
@article{zzreuse2099,
  title = {A Paper Only the First Build Lists},
  author = {Ada Lovelace},
  journal = {Journal of Tests},
  year = {2099},
}
"""


def tree(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() or path.is_symlink()
    }


def test_a_rebuild_rewrites_pages_in_place_and_equals_a_fresh_build(
    course: Path, tmp_path: Path
) -> None:
    bib = course / "bib" / "ntk.bib"
    written = bib.read_bytes()
    bib.write_bytes(written + EXTRA.encode())
    site = build(course, site_dir=tmp_path / "site")
    papers = site / "papers"
    extra = papers / "zzreuse2099.html"
    assert b"A Paper Only the First Build Lists" in extra.read_bytes()
    kept = papers / "jacot2018.html"
    inode = kept.stat().st_ino
    # What an earlier build or a person may have left in the folder.
    (papers / "stale.html").write_text("<p>old</p>")
    (papers / "old" / "deeper").mkdir(parents=True)
    (papers / "old" / "deeper" / "x.txt").write_text("x")
    outside = tmp_path / "outside.txt"
    outside.write_text("not the site's")
    (papers / "link.html").symlink_to(outside)
    (papers / "linked-folder").symlink_to(tmp_path, target_is_directory=True)

    bib.write_bytes(written)  # the extra paper is gone from the list
    build(course, site_dir=site)
    fresh = build(course, site_dir=tmp_path / "fresh")

    assert tree(site) == tree(fresh)
    assert kept.stat().st_ino == inode  # rewritten in place, not deleted and made anew
    assert not extra.exists()
    assert outside.read_text() == "not the site's"
    assert not (site / HIDDEN).exists()


def test_kept_pages_not_written_again_are_deleted(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "papers" / "sub").mkdir(parents=True)
    for name in ("a.html", "b.html", "c.txt", "sub/d.html"):
        (site / "papers" / name).write_text(name)
    (site / HIDDEN).mkdir()  # left by a build killed half-way
    (site / HIDDEN / "old.html").write_text("old")

    kept = KeptPages.set_aside(site, "papers")
    assert kept is not None
    assert not (site / "papers").exists()
    assert sorted(p.name for p in (site / HIDDEN).iterdir()) == ["a.html", "b.html", "c.txt", "sub"]

    kept.restore([site / "papers" / "a.html", site / "papers" / "b.html"])
    assert sorted(p.name for p in (site / "papers").iterdir()) == ["a.html", "b.html"]
    kept.written(site / "papers" / "." / "a.html")
    kept.finish()
    assert [p.name for p in (site / "papers").iterdir()] == ["a.html"]
    assert (site / "papers" / "a.html").read_text() == "a.html"  # MkDocs rewrites it


def test_a_folder_made_again_before_restoring_wins(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "papers").mkdir(parents=True)
    (site / "papers" / "a.html").write_text("old")
    kept = KeptPages.set_aside(site, "papers")
    assert kept is not None
    (site / "papers").mkdir()  # another plugin wrote there after MkDocs emptied the site
    (site / "papers" / "new.html").write_text("new")
    kept.restore([site / "papers" / "a.html"])
    kept.finish()
    assert [p.name for p in (site / "papers").iterdir()] == ["new.html"]
    assert not (site / HIDDEN).exists()


def test_nothing_is_kept_under_serve_nor_dirty_nor_through_a_link(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "papers").mkdir(parents=True)
    config = SimpleNamespace(site_dir=str(site))
    for command, dirty in (("serve", False), ("build", True)):
        plugin = ReadingListPlugin()
        plugin.on_startup(command=command, dirty=dirty)
        plugin.on_pre_build(config=config)  # type: ignore[arg-type]
        assert (site / "papers").is_dir() and not (site / HIDDEN).exists()
    plugin = ReadingListPlugin()
    plugin.on_startup(command="build", dirty=False)
    plugin.on_pre_build(config=config)  # type: ignore[arg-type]
    assert not (site / "papers").exists() and (site / HIDDEN).is_dir()

    os.rmdir(site / HIDDEN)
    (site / "papers").symlink_to(tmp_path, target_is_directory=True)
    assert KeptPages.set_aside(site, "papers") is None
    assert (site / "papers").is_symlink()
