"""Search from disk (``file://``) with Material's ``offline`` plugin, and no CDN.

Material's ``offline`` plugin (``plugins: [search, offline]`` in ``mkdocs.yml``) writes
the search index as a script, ``search/search_index.js``, that a page opened from disk
can load. It also names a Web Worker shim on unpkg.com, because Chromium starts no
Worker from a ``file://`` page; this site loads nothing from other hosts, so the plugin
puts its own shim (``assets/readinglist/iframe-worker.js``) in that one's place. It also
turns off instant navigation on ``file://`` (Material does that by itself there) and sets
``use_directory_urls: false`` (our ``mkdocs.yml`` has it already).
"""

from __future__ import annotations

from mkdocs.config.defaults import MkDocsConfig

#: The site's own Worker shim (site/assets/iframe-worker.js), under assets/readinglist/.
SHIM = "assets/readinglist/iframe-worker.js"


def offline_enabled(config: MkDocsConfig) -> bool:
    """True when Material's offline plugin is configured and enabled."""
    for name, plugin in config.plugins.items():
        if name.rpartition("/")[2] == "offline" and "material" in type(plugin).__module__:
            return bool(getattr(plugin, "config", {}).get("enabled", True))
    return False


def use_own_worker_shim(config: MkDocsConfig) -> None:
    """Put the site's Worker shim in place of the offline plugin's CDN one.

    Whichever plugin's ``on_config`` runs first: the offline plugin adds its shim only
    when no polyfill's URL holds "iframe-worker", and ours does.
    """
    if not offline_enabled(config):
        return
    polyfills = [p for p in config.extra.get("polyfills", []) if "iframe-worker" not in str(p)]
    config.extra["polyfills"] = [*polyfills, SHIM]
