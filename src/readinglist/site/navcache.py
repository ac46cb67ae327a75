"""Render Material's navigation once for all paper pages, not once per paper.

Material renders the whole site navigation into every page (MEASURED.md). Paper pages
are not in the navigation and all live in ``papers/``, so their navigation is the same
HTML for all of them: no item is active, and every link is relative to the same
folder. With a thousand papers, rendering it again for each was a quarter of a build.

Only public, documented paths are used, so an upgrade of MkDocs, Material or Jinja
does not break it silently:

- MkDocs' ``on_env`` event, which exists to let a plugin change the Jinja environment;
- Material's template overrides: ``partials/nav.html`` is one of the partials its
  documentation lists for overriding (as a ``custom_dir`` would);
- Jinja's own loaders: a ``DictLoader`` serves the override (:data:`WRAPPER`), a
  ``PrefixLoader`` makes the theme's own partial (or the site's ``custom_dir``
  override of it) reachable as ``readinglist-theme/partials/nav.html``, and a
  ``ChoiceLoader`` puts them before the theme's loader, which is left as it was.

The override includes the theme's partial with the page's context for every other
page, and once per key for the pages ``key`` names. Nothing else of the theme changes.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection, Hashable, Mapping
from typing import Any

import jinja2

NAV = "partials/nav.html"
PREFIX = "readinglist-theme"
ORIGINAL = f"{PREFIX}/{NAV}"

# The original partial, included with the page's context; captured once per key.
WRAPPER = (
    "{%- set rl_key = readinglist_nav_key(page) -%}"
    "{%- if rl_key is none -%}"
    '{% include "' + ORIGINAL + '" %}'
    "{%- else -%}"
    "{%- set rl_cached = readinglist_nav_get(rl_key) -%}"
    "{%- if rl_cached is none -%}"
    '{%- set rl_nav -%}{% include "' + ORIGINAL + '" %}{%- endset -%}'
    "{{- readinglist_nav_put(rl_key, rl_nav) -}}"
    "{%- else -%}{{- rl_cached -}}{%- endif -%}"
    "{%- endif -%}"
)


def install(env: jinja2.Environment, key: Callable[[Any], Hashable | None]) -> bool:
    """Cache the navigation of the pages for which ``key(page)`` is not None, by key.

    ``key`` must give equal keys only to pages whose navigation is the same HTML.
    Returns False (and changes nothing) when the theme has no ``partials/nav.html`` or
    the cache is installed already.
    """
    theme = env.loader
    if theme is None or "readinglist_nav_key" in env.globals:
        return False
    try:
        env.get_template(NAV)
    except jinja2.TemplateNotFound:
        return False
    cache: dict[Hashable, str] = {}

    def put(k: Hashable, html: str) -> str:
        cache[k] = html
        return html

    # Jinja keys its template cache by loader, so nothing compiled before is reused.
    env.loader = jinja2.ChoiceLoader(
        [
            jinja2.DictLoader({NAV: WRAPPER}),
            jinja2.PrefixLoader({PREFIX: theme}),
            theme,
        ]
    )
    env.globals["readinglist_nav_key"] = key
    env.globals["readinglist_nav_get"] = cache.get
    env.globals["readinglist_nav_put"] = put
    return True


def folder_key(
    paper_pages: Collection[str], in_nav: Mapping[str, str]
) -> Callable[[Any], str | None]:
    """The ``key`` for :func:`install` of a site's paper pages: their folder.

    A generated paper page outside the navigation has no active item and every link of
    its navigation is relative to its folder, so all of one folder share the same HTML.
    ``in_nav`` maps the navigation's pages (source path) to their URLs.
    """

    def key(page: Any) -> str | None:
        file = getattr(page, "file", None)
        src = getattr(file, "src_uri", None)
        if file is None or src not in paper_pages or src in in_nav:
            return None
        if not file.generated_by:
            return None
        url: str = page.url
        if url.endswith("/"):  # directory URLs: papers/x/ is a folder of its own
            if any(u.startswith(url) for u in in_nav.values()):
                return None
            url = url.rstrip("/")
        return posixpath.dirname(url)

    return key
