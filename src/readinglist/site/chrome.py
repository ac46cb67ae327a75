"""Render the theme's page chrome once for many generated pages, not once per page.

Material renders every page through ``main.html``: the head, the header, the
navigation, the table of contents, the footer and the scripts around the page's
content. For the paper pages of a large list that rendering was the biggest part of a
build, and all but a few parts of it are the same HTML for every paper of one folder
with the same table of contents. This module renders that chrome once per *shape* of
page and fills it with each page's own parts.

The pages stay MkDocs pages (the search plugin, the sitemap, other plugins'
``on_page_context``/``on_post_page`` and ``serve`` see them as before); only their
template is ours, :data:`TEMPLATE` (chosen through the page's meta ``template``), which
calls :func:`install`'s renderer. Its work, per page:

- The page's *shape* (:func:`shape`): its folder (as :func:`navcache.folder_key`
  gives it), table of contents, metadata other than the title, and which optional
  parts it has. A page that has none (or a context a plugin added to) is rendered by
  the theme's ``main.html`` as usual.
- For a new shape, the theme's ``main.html`` renders the page for real (that is the
  page's output), and twice more with a stand-in page whose own parts (title,
  content, canonical and absolute URL, edit URL) are sentinels: once with plain
  sentinels, whose places in the output split it into literal pieces and slots, and
  once with hostile ones (entities, tags, quotes), which must come out exactly where
  the plain ones did. A theme that transforms a part (``striptags``, ``urlencode``,
  a word count of the content) fails that check, and so does any difference between
  the real output and the pieces filled with the page's parts: the shape is then
  rendered by the theme for every page.
- The second page of a shape is rendered by the theme too and must equal its
  filled pieces (this catches a template using anything else of the page, such as
  its URL written out); from the third on, pages are the pieces filled in.

Only documented paths are used: MkDocs' ``on_env`` event, the page meta ``template``
that MkDocs documents for choosing a page's template, and Jinja's loaders and
``pass_context``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import jinja2
from markupsafe import Markup

#: Off: every page is rendered by the theme as usual (the plugin asks before using it;
#: tests compare the two).
ENABLED = True
#: The template of the pages rendered here (served by a DictLoader put first).
TEMPLATE = "readinglist/chrome-page.html"
#: The theme's page template, which renders the chrome.
MAIN = "main.html"
_BODY = "{{- readinglist_chrome_page() -}}"

#: What MkDocs puts into a page's template context; anything more (a plugin's own
#: variables) could differ between pages, so such a page is rendered by the theme.
STANDARD_CONTEXT = frozenset(
    {"nav", "pages", "base_url", "extra_css", "extra_javascript", "mkdocs_version",
     "build_date_utc", "config", "page"}
)  # fmt: skip

#: The page's own parts: attribute of the page -> slot name.
_SLOTS = ("title", "content", "canonical_url", "abs_url", "edit_url")
_PLAIN = {s: f"\ue000rl-{s}-plain\ue001" for s in _SLOTS}
_HOSTILE = {
    s: f"\ue000rl-{s} &amp; &lt;i&gt; <b>\"q\"</b> 's\ue001" for s in _SLOTS
}  # fmt: skip
_H1 = "<h1"  # Material adds the title as a heading to content without one


class _StandIn:
    """A page with some parts replaced (sentinels); everything else is the page's."""

    def __init__(self, page: Any, parts: dict[str, Any]) -> None:
        self.__dict__.update(parts)
        self._page = page

    def __getattr__(self, name: str) -> Any:
        return getattr(self._page, name)


def _toc_shape(items: Any) -> tuple[Any, ...]:
    return tuple(
        (item.title, item.id, item.level, _toc_shape(item.children)) for item in items or ()
    )


def shape(page: Any, folder: Hashable | None, context_keys: frozenset[str]) -> Hashable | None:
    """What decides a page's chrome besides its own parts; None: render it as usual."""
    if folder is None or not context_keys <= STANDARD_CONTEXT:
        return None
    meta = page.meta
    title = meta.get("title")
    if not isinstance(title, str) or not title or not isinstance(page.content, str):
        return None
    others = repr(sorted((k, v) for k, v in meta.items() if k not in ("title", "template")))
    optional = tuple(getattr(page, s, None) is None for s in _SLOTS[2:])
    return (folder, _toc_shape(page.toc), others, _H1 in page.content, optional)


def _values(page: Any) -> dict[str, str]:
    """The page's own parts, as the slots take them."""
    values = {"title": page.meta["title"], "content": page.content}
    for name in _SLOTS[2:]:
        value = getattr(page, name, None)
        if value is not None:
            values[name] = value
    return values


def _sentinels(page: Any, which: dict[str, str]) -> tuple[_StandIn, dict[str, str]]:
    """A stand-in page with sentinels for the parts it has, and the sentinels used."""
    used = {"title": which["title"], "content": which["content"]}
    if _H1 in page.content:  # the sentinel has one too
        used["content"] = which["content"][:-1] + _H1 + which["content"][-1]
    for name in _SLOTS[2:]:
        if getattr(page, name, None) is not None:
            used[name] = which[name]
    meta = {**page.meta, "title": used["title"]}
    parts: dict[str, Any] = {name: used[name] for name in used}
    return _StandIn(page, {**parts, "meta": meta}), used


@dataclass(frozen=True)
class Chrome:
    """A rendered chrome: literal pieces with a slot name between every two."""

    pieces: tuple[str, ...]
    slots: tuple[str, ...]

    @classmethod
    def split(cls, html: str, sentinels: dict[str, str]) -> Chrome:
        """Cut ``html`` at every sentinel."""
        by_text = {text: name for name, text in sentinels.items()}
        pattern = re.compile("|".join(re.escape(t) for t in sorted(by_text, key=len, reverse=True)))
        pieces, slots, pos = [], [], 0
        for m in pattern.finditer(html):
            pieces.append(html[pos : m.start()])
            slots.append(by_text[m.group(0)])
            pos = m.end()
        pieces.append(html[pos:])
        return cls(tuple(pieces), tuple(slots))

    def fill(self, values: dict[str, str]) -> str:
        """The chrome with the slots filled."""
        out = [self.pieces[0]]
        for slot, piece in zip(self.slots, self.pieces[1:], strict=True):
            out.append(values[slot])
            out.append(piece)
        return "".join(out)


class _Fallback:
    """A shape the theme renders for every page (the checks failed)."""


_FALLBACK = _Fallback()


class ChromeCache:
    """The chromes of one build, by shape (see the module doc)."""

    def __init__(self, env: jinja2.Environment, folder: Callable[[Any], Hashable | None]) -> None:
        self.env = env
        self.folder = folder
        self.chromes: dict[Hashable, Chrome | _Fallback] = {}
        self.checked: set[Hashable] = set()
        self.filled = 0
        """How many pages were made from a cached chrome (for tests and the curious)."""

    def _theme(self, context: dict[str, Any]) -> str:
        return self.env.get_template(MAIN).render(context)

    def render(self, ctx: jinja2.runtime.Context) -> str:
        """The page of the template context ``ctx``, as the theme's ``main.html``
        renders it."""
        context = ctx.get_all()
        page = context.get("page")
        passed = frozenset(k for k in context if k not in self.env.globals)
        key = shape(page, self.folder(page), passed) if page is not None else None
        if key is None:
            return self._theme(context)
        found = self.chromes.get(key)
        if isinstance(found, _Fallback):
            return self._theme(context)
        if found is None:
            html = self._theme(context)
            self.chromes[key] = self._make(context, page, html)
            return html
        filled = found.fill(_values(page))
        if key not in self.checked:
            html = self._theme(context)
            self.checked.add(key)
            if html != filled:
                self.chromes[key] = _FALLBACK
            return html
        self.filled += 1
        return filled

    def _make(self, context: dict[str, Any], page: Any, html: str) -> Chrome | _Fallback:
        """The chrome of a new shape, or the fallback when a check fails."""
        plain_page, plain = _sentinels(page, _PLAIN)
        hostile_page, hostile = _sentinels(page, _HOSTILE)
        chrome = Chrome.split(self._theme({**context, "page": plain_page}), plain)
        if "content" not in chrome.slots:
            return _FALLBACK
        if chrome.fill(hostile) != self._theme({**context, "page": hostile_page}):
            return _FALLBACK
        if chrome.fill(_values(page)) != html:
            return _FALLBACK
        return chrome


def install(env: jinja2.Environment, folder: Callable[[Any], Hashable | None]) -> ChromeCache:
    """Serve :data:`TEMPLATE` from ``env``: pages whose meta ``template`` names it get
    the theme's ``main.html``, made from a chrome rendered once per shape.

    ``folder(page)`` gives the folder part of a page's shape (None: not cached); it must
    give equal values only to pages whose navigation is the same HTML
    (:func:`readinglist.site.navcache.folder_key`).
    """
    cache = ChromeCache(env, folder)
    loader = env.loader
    templates = jinja2.DictLoader({TEMPLATE: _BODY})
    env.loader = jinja2.ChoiceLoader([templates, loader] if loader else [templates])

    @jinja2.pass_context
    def chrome_page(ctx: jinja2.runtime.Context) -> Markup:
        return Markup(cache.render(ctx))

    env.globals["readinglist_chrome_page"] = chrome_page
    env.globals["readinglist_chrome"] = cache
    return cache
