"""A Python-Markdown extension that passes generated HTML pages through untouched.

Zensical converts every page with Python-Markdown, and its HTML parser was most of the
build of a large list for pages that are HTML already (the same reason the MkDocs
plugin gives MkDocs an empty source for them). A generated page written by
:mod:`readinglist.site.tree` starts with one marker line,
``<!--readinglist:html {"toc": [...]}-->``; for such a page the extension stores the
body as one raw HTML block (Python-Markdown's own stash, restored as written) and hands
over the page's table of contents as the ``toc`` extension would have made it. Any other
page is converted as usual. Only Python-Markdown's public extension API is used; the
staging config of :mod:`readinglist.site.zensical_site` lists it under
``markdown_extensions``.
"""

from __future__ import annotations

import json
from typing import Any

from markdown import Extension, Markdown
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

MARKER = "<!--readinglist:html "
END = "-->"


def marker_line(toc: list[dict[str, Any]]) -> str:
    """The first line of a generated page's Markdown, carrying its table of contents."""
    data = json.dumps({"toc": toc}, ensure_ascii=True, separators=(",", ":"))
    return MARKER + data.replace("--", "-\\u002d") + END  # "--" would end the comment


def _toc_token(token: dict[str, Any]) -> dict[str, Any]:
    """A heading as Python-Markdown's toc extension records it."""
    return {
        "level": token["level"],
        "id": token["id"],
        "name": token["name"],
        "html": token["name"],
        "data-toc-label": "",
        "children": [_toc_token(child) for child in token.get("children", [])],
    }


class _RawPage(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        md: Any = self.md
        md.readinglist_toc = None
        if not lines or not (lines[0].startswith(MARKER) and lines[0].endswith(END)):
            return lines
        data = json.loads(lines[0][len(MARKER) : -len(END)])
        md.readinglist_toc = [_toc_token(t) for t in data.get("toc", [])]
        placeholder = self.md.htmlStash.store("\n".join(lines[1:]))
        return ["", placeholder, "", ""]  # a block of its own, as html_block stashes


class _Toc(Postprocessor):
    def run(self, text: str) -> str:
        md: Any = self.md
        if getattr(md, "readinglist_toc", None) is not None:
            md.toc_tokens = md.readinglist_toc
        return text


class RawPageExtension(Extension):
    """Generated HTML pages skip Markdown; their toc comes with them."""

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Python-Markdown's name)
        # After normalize_whitespace (30: it drops the stash's placeholder characters),
        # before html_block (20), which would parse the whole page as HTML.
        md.preprocessors.register(_RawPage(md), "readinglist_raw_page", 25)
        md.postprocessors.register(_Toc(md), "readinglist_toc", 0)


def makeExtension(**kwargs: Any) -> RawPageExtension:  # noqa: N802 (Python-Markdown's name)
    """The entry point Python-Markdown looks for (``markdown_extensions: [this module]``)."""
    return RawPageExtension(**kwargs)
