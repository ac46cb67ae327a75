"""HTML for the site: escaping, math, safe links, safe file names and relative URLs.

Pure functions of strings, no I/O. Every string that came from a file or a service
passes through :func:`esc` (or :func:`text_html`, which also renders ``$...$`` math)
before it reaches a page; nothing here trusts its input.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote, urlsplit
from xml.etree.ElementTree import Element

from markupsafe import Markup

from readinglist.latex import split_math

# C0/C1 control characters other than tab and newline: invalid in XML, useless in HTML.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: str) -> str:
    """Text without control characters (which XML cannot hold and HTML never shows)."""
    return _CONTROL.sub("", text)


def esc(text: object) -> Markup:
    """Escape any value for HTML text or a double-quoted attribute."""
    return Markup(html.escape(clean(str(text)), quote=True))


def title_text(text: str) -> str:
    """A title for ``<title>``, the navigation and the header.

    MkDocs and Material put page titles into those places without escaping them, so
    the title they are given must already be HTML; quotes stay as they are because
    these places are text, never attributes.
    """
    return html.escape(clean(" ".join(text.split())), quote=False)


# ------------------------------------------------------------------------ math

# MathML elements and attributes latex2mathml produces; anything else is refused, so a
# crafted formula cannot smuggle markup (latex2mathml passes \href and raw text through).
_MATHML_TAGS = frozenset(
    [
        "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
        "munder", "mover", "munderover", "mfrac", "msqrt", "mroot", "mstyle", "mtable", "mtr",
        "mtd", "mpadded", "mphantom", "menclose", "merror", "mfenced", "mmultiscripts",
        "mprescripts", "none", "semantics", "annotation",
    ]
)  # fmt: skip
_MATHML_ATTRS = frozenset(
    [
        "xmlns", "display", "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace",
        "accent", "accentunder", "columnalign", "columnlines", "columnspacing", "rowspacing",
        "rowlines", "rowalign", "frame", "framespacing", "minsize", "maxsize", "movablelimits",
        "symmetric", "largeop", "width", "height", "depth", "voffset", "linethickness",
        "displaystyle", "scriptlevel", "form", "notation", "open", "close", "separators", "align",
        "equalrows", "equalcolumns",
    ]
)  # fmt: skip
# Elements with a fixed number of children; fewer means the LaTeX was cut short.
_ARITY = {"mfrac": 2, "msub": 2, "msup": 2, "msubsup": 3, "mroot": 2, "munder": 2,
          "mover": 2, "munderover": 3}  # fmt: skip
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
_SAFE_ATTR_VALUE = re.compile(r"^[\w#.,:;%+\- ]*$")


class _Unsafe(ValueError):
    """The converted formula holds something that is not plain MathML."""


def _mathml(element: Element, out: list[str]) -> None:
    tag = element.tag
    if tag not in _MATHML_TAGS:
        raise _Unsafe(tag)
    attrs = []
    for name, value in element.attrib.items():
        if name == "xmlns":
            if value != MATHML_NS:
                raise _Unsafe(value)
        elif name not in _MATHML_ATTRS or not _SAFE_ATTR_VALUE.match(value):
            raise _Unsafe(name)
        attrs.append(f' {name}="{html.escape(value)}"')
    if tag in _ARITY and len(element) != _ARITY[tag]:
        raise _Unsafe(f"{tag} needs {_ARITY[tag]} parts")  # e.g. "\\frac{1": not a formula
    out.append(f"<{tag}{''.join(attrs)}>")
    if element.text:
        # latex2mathml stores its own character references (``&#x02260;``) as text.
        text = html.unescape(element.text)
        if tag in ("mi", "mo", "mn") and text.startswith("\\"):
            raise _Unsafe(text)  # an unknown command, shown as its name: not a formula
        out.append(html.escape(clean(text), quote=False))
    for child in element:
        _mathml(child, out)
        if child.tail:
            out.append(html.escape(clean(html.unescape(child.tail)), quote=False))
    out.append(f"</{tag}>")


def _unbalanced(latex: str) -> bool:
    depth = 0
    for m in re.finditer(r"\\.|[{}]", latex):
        token = m.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return True
    return depth != 0


@lru_cache(maxsize=4096)
def math_html(source: str) -> str:
    """One ``$...$`` (or ``$$...$$``, ``\\(...\\)``, ``\\[...\\]``) span as MathML.

    A formula latex2mathml cannot convert, or converts into anything but MathML, is
    shown as its LaTeX source in ``<code>``.
    """
    from latex2mathml.converter import convert_to_element

    if source.startswith("$$") or source.startswith("\\["):
        body, display = source[2:-2], "block"
    elif source.startswith("\\("):
        body, display = source[2:-2], "inline"
    else:
        body, display = source[1:-1], "inline"
    if _unbalanced(body):
        return f'<code class="rl-tex">{html.escape(clean(source))}</code>'
    try:
        element = convert_to_element(body.strip(), display=display)
        out: list[str] = []
        _mathml(element, out)
    except Exception:  # latex2mathml raises many kinds of errors on bad input
        return f'<code class="rl-tex">{html.escape(clean(source))}</code>'
    return "".join(out)


def text_html(text: str) -> Markup:
    """Display text as HTML: escaped, with each ``$...$`` span rendered as MathML."""
    parts = []
    for is_math, piece in split_math(text):
        parts.append(math_html(piece) if is_math else html.escape(clean(piece), quote=False))
    return Markup("".join(parts))


def has_math(text: str) -> bool:
    """True when the text holds a math span."""
    return any(is_math for is_math, _ in split_math(text))


# ------------------------------------------------------------------------ links

_SAFE_SCHEMES = ("http", "https", "mailto")


def safe_url(url: str) -> str | None:
    """The URL if it is safe to link to from a page (http, https, mailto), else None.

    A ``javascript:`` or ``data:`` URL written into a ``.bib`` file or the course file
    must never become a link.
    """
    url = clean(url).strip()
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in _SAFE_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return url


def doi_url(doi: str) -> str:
    """The doi.org link of a DOI, with characters that would end the path quoted."""
    return "https://doi.org/" + quote(clean(doi).strip(), safe="/:;()._-<>[]")


def arxiv_url(arxiv_id: str, *, pdf: bool = False) -> str:
    """The arXiv abstract (or PDF) page of an id."""
    return f"https://arxiv.org/{'pdf' if pdf else 'abs'}/" + quote(clean(arxiv_id).strip())


def link(url: str | None, label: object, *, cls: str = "") -> Markup:
    """An outside link opened normally; plain text when the URL is not safe."""
    label_html = label if isinstance(label, Markup) else esc(label)
    if not url or safe_url(url) is None:
        return Markup(label_html)
    class_attr = f' class="{esc(cls)}"' if cls else ""
    return Markup(f'<a href="{esc(url)}"{class_attr}>{label_html}</a>')


# ------------------------------------------------------------------------ file names

_SLUG_CHARS = re.compile(r"[^a-z0-9._-]+")
_RESERVED = frozenset({"index", "assets", "search", "downloads", "con", "nul", "prn", "aux"})


def _ascii_slug(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    slug = _SLUG_CHARS.sub("-", folded).strip(".-_")
    return re.sub(r"-{2,}", "-", slug)[:60].strip(".-_")


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]


def assign_slugs(names: Iterable[str]) -> dict[str, str]:
    """A file-name-safe, unique slug for each name (citation key, topic slug, author).

    A name that is already a safe lower-case slug keeps it; any other (``a/b``, ``..``,
    ``Foo`` when ``foo`` exists, control characters) gets a folded slug plus a short
    hash of the name, so names differing only in case never share a file, even on a
    case-insensitive disk. The result depends only on the set of names.
    """
    ordered = sorted(set(names))
    taken: set[str] = set()
    out: dict[str, str] = {}
    # Names that are their own slug go first so they never lose it to a hashed one.
    for name in ordered:
        if _ascii_slug(name) == name and name not in _RESERVED and name:
            out[name] = name
            taken.add(name)
    for name in ordered:
        if name in out:
            continue
        base = _ascii_slug(name) or "x"
        length = 8
        slug = f"{base}-{_digest(name, length)}"
        while slug in taken:
            length += 4
            slug = f"{base}-{_digest(name, length)}"
        out[name] = slug
        taken.add(slug)
    return out


# ------------------------------------------------------------------------ headings


def _default_slugify(value: str, separator: str) -> str:
    from markdown.extensions.toc import slugify

    return slugify(value, separator)


@dataclass(frozen=True)
class HeadingStyle:
    """How Python-Markdown's ``toc`` extension marks up a heading, from mkdocs.yml.

    Generated pages are HTML that never goes through Markdown (Markdown's HTML parser
    was most of a large site's build), so their headings get here the ids, permalinks
    and table of contents the ``toc`` extension would give them.
    """

    permalink: bool | str = False
    permalink_class: str = "headerlink"
    permalink_title: str = "Permanent link"
    permalink_leading: bool = False
    anchorlink: bool = False
    anchorlink_class: str = "toclink"
    slugify: Callable[[str, str], str] = _default_slugify
    separator: str = "-"
    toc_top: int = 1
    toc_bottom: int = 6
    markdown: bool = False
    """Write headings as Markdown (``## Title``) for an engine that converts every page
    with Python-Markdown itself (Zensical): its ``toc`` extension then marks them up
    and lists them in the page's table of contents, as it does for hand-written pages."""

    @classmethod
    def from_config(cls, options: Mapping[str, Any] | None) -> HeadingStyle:
        """The style of the ``toc`` options of mkdocs.yml (``mdx_configs['toc']``)."""
        from markdown.extensions.toc import TocExtension

        conf = TocExtension(**dict(options or {})).getConfigs()
        depth = conf["toc_depth"]
        if isinstance(depth, str) and "-" in depth:
            top, bottom = (int(x) for x in depth.split("-"))
        else:
            top, bottom = 1, int(depth)
        permalink = conf["permalink"]
        if isinstance(permalink, str) and permalink.lower() in ("true", "false", ""):
            permalink = permalink.lower() == "true"
        return cls(
            permalink=permalink if isinstance(permalink, str) else bool(permalink),
            permalink_class=conf["permalink_class"],
            permalink_title=conf["permalink_title"],
            permalink_leading=bool(conf["permalink_leading"]),
            anchorlink=bool(conf["anchorlink"]),
            anchorlink_class=conf["anchorlink_class"],
            slugify=conf["slugify"],
            separator=conf["separator"],
            toc_top=top,
            toc_bottom=bottom,
        )


class Headings:
    """Headings of one page: each call returns a heading's HTML and records it for the
    page's table of contents (MkDocs' ``page.toc``)."""

    def __init__(self, style: HeadingStyle) -> None:
        self.style = style
        self.ids: set[str] = set()
        self.tokens: list[dict[str, Any]] = []

    def __call__(self, level: int, text: str, ident: str | None = None) -> Markup:
        from markdown.extensions.toc import unique

        style = self.style
        name = Markup(html.escape(clean(text), quote=False))
        given = ident
        ident = ident or unique(style.slugify(text, style.separator), self.ids)
        self.ids.add(ident)
        if style.markdown:
            self.tokens.append({"level": level, "id": ident, "name": str(name), "children": []})
            return _markdown_heading(level, text, given)
        if style.toc_top <= level <= style.toc_bottom:
            self.tokens.append({"level": level, "id": ident, "name": str(name), "children": []})
        inner = str(name)
        if style.anchorlink:
            inner = f'<a class="{esc(style.anchorlink_class)}" href="#{esc(ident)}">{inner}</a>'
        if style.permalink is not False:
            symbol = "&para;" if style.permalink is True else esc(style.permalink)
            title = f' title="{esc(style.permalink_title)}"' if style.permalink_title else ""
            link = (
                f'<a class="{esc(style.permalink_class)}" href="#{esc(ident)}"{title}>{symbol}</a>'
            )
            inner = link + inner if style.permalink_leading else inner + link
        return Markup(f'<h{level} id="{esc(ident)}">{inner}</h{level}>')

    def toc(self) -> list[dict[str, Any]]:
        """The recorded headings, nested as MkDocs' ``get_toc`` takes them."""
        from markdown.extensions.toc import nest_toc_tokens

        return list(nest_toc_tokens([dict(t) for t in self.tokens]))


# Characters Markdown would act on inside a heading, as character references.
_MD_HEADING = {ord(c): f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~$@:<>&"}


def _markdown_heading(level: int, text: str, ident: str | None) -> Markup:
    """A Markdown heading on lines of its own; an explicit id as attr_list's ``{ #id }``."""
    line = "#" * level + " " + " ".join(clean(text).split()).translate(_MD_HEADING)
    if ident:
        line += " { #" + ident + " }"
    return Markup(f"\n{line}\n\n")


# ------------------------------------------------------------------------ URLs


class Layout:
    """Where MkDocs puts each page (``x/y.md`` -> ``x/y.html`` or ``x/y/``), and the
    relative links between them, so pages link to each other without knowing the host
    (links work from ``file://`` too when ``use_directory_urls`` is off)."""

    def __init__(self, use_directory_urls: bool = False) -> None:
        self.use_directory_urls = use_directory_urls
        self._hrefs: dict[tuple[str, str, str], str] = {}

    def url(self, src_uri: str) -> str:
        """The site-relative URL of a source file (same rule as MkDocs)."""
        if not src_uri.endswith(".md"):
            return src_uri
        stem = src_uri[:-3]
        folder, name = posixpath.split(stem)
        if name in ("index", "README"):
            base = f"{folder}/" if folder else ""
            return base if self.use_directory_urls else f"{base}index.html"
        if self.use_directory_urls:
            return f"{stem}/"
        return f"{stem}.html"

    def href(self, from_src: str, to_src: str, anchor: str = "") -> str:
        """A relative link from one source file's page to another file or page."""
        source = self.url(from_src)
        source_dir = source if source.endswith("/") or not source else posixpath.dirname(source)
        key = (source_dir, to_src, anchor)
        found = self._hrefs.get(key)
        if found is None:
            found = self._hrefs[key] = self._relative(source_dir, to_src, anchor)
        return found

    def _relative(self, source_dir: str, to_src: str, anchor: str) -> str:
        target = self.url(to_src)
        # posixpath.relpath, without its two abspath (getcwd) calls: both are site paths.
        start = [part for part in source_dir.split("/") if part]
        parts = [part for part in target.split("/") if part]
        common = 0
        for a, b in zip(start, parts, strict=False):
            if a != b:
                break
            common += 1
        rel = "/".join([".."] * (len(start) - common) + parts[common:]) or "."
        if (not target or target.endswith("/")) and not rel.endswith("/"):
            rel += "/"  # a folder URL: keep the slash so relative links below it work
        return f"{rel}#{anchor}" if anchor else rel
