"""Render Material's navigation once for all paper pages, not once per paper.

Material renders the whole site navigation into every page (MEASURED.md). Paper pages
are not in the navigation and all live in ``papers/``, so their navigation is the same
HTML for all of them: no item is active, and every link is relative to the same
folder. With a thousand papers, rendering it again for each was a quarter of a build.

:func:`install` wraps the theme's template loader so that ``partials/nav.html`` (the
theme's own, or a ``custom_dir`` override) is rendered normally for every other page,
and once per folder for the pages ``key`` names. Nothing else of the theme changes.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

import jinja2

NAV = "partials/nav.html"
ORIGINAL = "readinglist/original-nav.html"

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


class _Loader(jinja2.BaseLoader):
    """The theme's loader, with ``partials/nav.html`` served by :data:`WRAPPER`."""

    def __init__(self, inner: jinja2.BaseLoader) -> None:
        self.inner = inner

    def get_source(
        self, environment: jinja2.Environment, template: str
    ) -> tuple[str, str | None, Callable[[], bool] | None]:
        if template == NAV:
            return WRAPPER, None, lambda: True
        if template == ORIGINAL:
            return self.inner.get_source(environment, NAV)
        return self.inner.get_source(environment, template)

    def list_templates(self) -> list[str]:
        return self.inner.list_templates()


def install(env: jinja2.Environment, key: Callable[[Any], Hashable | None]) -> bool:
    """Cache the navigation of the pages for which ``key(page)`` is not None, by key.

    ``key`` must give equal keys only to pages whose navigation is the same HTML.
    Returns False (and changes nothing) when the theme has no ``partials/nav.html``.
    """
    loader = env.loader
    if loader is None or isinstance(loader, _Loader):
        return False
    try:
        loader.get_source(env, NAV)
    except jinja2.TemplateNotFound:
        return False
    cache: dict[Hashable, str] = {}

    def put(k: Hashable, html: str) -> str:
        cache[k] = html
        return html

    env.loader = _Loader(loader)
    if env.cache is not None:
        env.cache.clear()  # nothing compiled with the old loader may stay
    env.globals["readinglist_nav_key"] = key
    env.globals["readinglist_nav_get"] = cache.get
    env.globals["readinglist_nav_put"] = put
    return True
