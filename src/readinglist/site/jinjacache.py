"""Compiled Jinja templates kept between builds, in the readinglist cache folder.

Compiling the theme's templates and ours took a tenth of a build of a small site and
a few percent of a large one, on every build. Jinja's own ``FileSystemBytecodeCache``
keeps the compiled code; it is keyed by the template's name and file and checked
against a checksum of its source and Jinja's and Python's versions, so a changed
template (an upgrade of Material, a ``custom_dir`` override) is compiled again. With
the cache turned off (``READINGLIST_CACHE_DIR`` set but empty) nothing is kept.
"""

from __future__ import annotations

import jinja2

from readinglist import environment


def bytecode_cache() -> jinja2.BytecodeCache | None:
    """The cache of compiled templates, or None when caching is off or impossible."""
    folder = environment.cache_dir()
    if folder is None:
        return None
    path = folder / "jinja"
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(path))


def use(env: jinja2.Environment) -> None:
    """Give ``env`` the cache, unless it has one already."""
    if env.bytecode_cache is None:
        env.bytecode_cache = bytecode_cache()
