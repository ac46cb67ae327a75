"""Citations in hand-written pages: pandoc's ``[@key]`` syntax resolved against the list.

Pure functions of strings, no I/O. :func:`cite` finds the citations of one Markdown page,
replaces each by a label linking to the cited paper's page and appends a References
section; the MkDocs plugin calls it from ``on_page_markdown`` for hand-written pages
and logs the unknown keys it reports (``docs/notes/x.md:12: unknown citation key 'foo'``).

The syntax is the part of pandoc's that notes need:

- ``[@key]``, ``[@a; @b]``, ``[see @key, p. 3]`` (prefix and locator kept),
  ``[-@key]`` (the year alone), ``@{odd/key}`` for a key with unusual characters;
- ``@key`` in running text, only for keys on the list (``@someone`` stays text) and
  never inside a word (``a@b.com`` is an e-mail address).

Fenced and indented code, inline code, HTML comments and tags, autolinks and links are
left alone. Keys and everything else that reaches the page are escaped: a citation of
``@{<script>}`` is text, whatever the key. The replacement is inline HTML whose text is
also protected from Markdown (``*``, ``_``, backticks and brackets become character
references), so a family name or a title never turns into emphasis or a link.
"""

from __future__ import annotations

import bisect
import html
import re
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass

from readinglist.latex import fold
from readinglist.model import Library
from readinglist.records import effective_record
from readinglist.site.markup import arxiv_url, clean, doi_url, esc, text_html

AUTHOR_YEAR = "author-year"
NUMERIC = "numeric"
STYLES = (AUTHOR_YEAR, NUMERIC)

#: Where a page wants its References section; without it, the section is appended.
REFERENCES_MARKER = "<!-- readinglist:references -->"

# pandoc's citation key: starts with a letter, digit or _, may hold internal
# punctuation, never ends with it (``@du2018.`` cites du2018). The braced form takes
# anything but braces, whitespace, ';' (the separator) and control characters.
_BARE_KEY = r"\w(?:[\w:.#$%&\-+?<>~/]*\w)?"
_BRACED_KEY = r"\{[^{};\s\x00-\x1f\x7f-\x9f]+\}"
_KEY = rf"(?:{_BRACED_KEY}|{_BARE_KEY})"
_ITEM = re.compile(rf"(?P<prefix>[^@]*?)(?P<minus>-?)@(?P<key>{_KEY})(?P<suffix>[^@]*)", re.S)
_PARTS = re.compile(r";(?![^{]*\})")  # ';' outside a braced key

# One pass over the text outside code blocks: what must stay as written comes first,
# so a citation is never found inside it.
_TOKEN = re.compile(
    r"""
    (?P<escape>\\[\\`*_{}\[\]()\#+\-.!@<>])
  | (?P<code>(?<!`)(?P<ticks>`+)(?!`)(?:(?!\n[ \t\r]*\n)[\s\S])*?(?<!`)(?P=ticks)(?!`))
  | (?P<comment><!--[\s\S]*?-->)
  | (?P<raw><(?P<rawtag>script|style|pre|textarea)\b[\s\S]*?</(?P=rawtag)\s*>)
  | (?P<tag></?[A-Za-z][^<>]*>|<[A-Za-z][A-Za-z0-9+.\-]*:[^<>\s]*>|<[^<>\s@]+@[^<>\s]+>)
  | (?P<refdef>^[ ]{0,3}\[[^\[\]\n]+\]:[ \t]*\S+
      (?:[ \t]+(?:"[^"\n]*"|'[^'\n]*'|\([^()\n]*\)))?[ \t]*\r?$)
  | (?P<link>!?\[[^\[\]]*\](?:\((?:[^()\n]|\([^()\n]*\))*\)|\[[^\[\]\n]*\]))
  | (?P<group>\[(?P<inner>(?:[^\[\]{}@]|\{[^{}\n]*\})*@(?:[^\[\]{}]|\{[^{}\n]*\})*)\])
  | (?P<intext>(?<![^\s(\[{"'“‘*_~])@(?P<key>"""
    + _KEY
    + "))",
    re.X | re.M,
)

_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_LIST_ITEM = re.compile(r"^[ ]{0,3}(?:[-*+]|\d{1,9}[.)])(?:[ \t]|$)")
_BLANK_LINE = re.compile(r"\n[ \t\r]*\n")
# Characters Markdown (and its common extensions) would act on, as character
# references: text inside the HTML a citation becomes stays text.
_MD_ACTIVE = {ord(c): f"&#{ord(c)};" for c in "\\`*_{}[]()#+!|~$@:"}
_MD_TEXT = {**_MD_ACTIVE, **{ord(c): html.escape(c, quote=True) for c in "&<>\"'"}}


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class Source:
    """What a citation shows of one paper on the list (display text, LaTeX decoded)."""

    key: str
    families: tuple[str, ...]
    """Family names of the authors, in order (``and others`` left out)."""
    et_al: bool
    """True when the author list ends with ``and others``."""
    authors: str
    """The author line of a reference: ``A, B and C``."""
    year: int | None
    title: str
    """The title, ``$math$`` kept as written."""
    venue: str
    arxiv: str | None
    doi: str | None
    src: str
    """The source path of the paper's page (``papers/<slug>.md``)."""


@dataclass(frozen=True)
class Item:
    """One cited key of a citation, with the text written around it."""

    key: str
    prefix: str = ""
    suffix: str = ""
    year_only: bool = False


@dataclass(frozen=True)
class Citation:
    """A citation found in a page: ``[...]`` (one or more items) or ``@key`` in text."""

    start: int
    end: int
    line: int
    items: tuple[Item, ...]
    in_text: bool = False


@dataclass(frozen=True)
class Cited:
    """The outcome of :func:`cite` for one page."""

    markdown: str
    keys: tuple[str, ...] = ()
    """The cited papers, in the order of the References section."""
    unknown: tuple[tuple[int, str], ...] = ()
    """``(line, key)`` of each bracketed key that is not on the list."""


@dataclass(frozen=True)
class Label:
    """How one cited paper is shown: ``Jacot et al.`` and ``2018`` (or its number)."""

    names: str
    year: str
    number: int

    def text(self, style: str, *, in_text: bool = False, year_only: bool = False) -> str:
        """The label of one item: ``Jacot et al., 2018``, ``Jacot et al. (2018)``, ``1``."""
        if style == NUMERIC:
            return f"{self.names} [{self.number}]" if in_text else str(self.number)
        if year_only:
            return self.year
        return f"{self.names} ({self.year})" if in_text else f"{self.names}, {self.year}"


# ---------------------------------------------------------------- sources


def source_of(library: Library, key: str, slug: str) -> Source:
    """The :class:`Source` of a listed paper; ``slug`` is its page's (from
    :func:`~readinglist.site.markup.assign_slugs` of every key, as the site assigns them).

    Family names come from the hand-written author list when there is one (BibTeX's
    split, ``de la Vallée Poussin`` kept whole), else from the names arXiv gave.
    """
    from readinglist.site.pages import PaperView

    paper = library.papers[key]
    record = effective_record(library, paper)
    # PaperView gives the page path and author line every other page uses; its BibTeX
    # is not needed here.
    view = PaperView(key=key, slug=slug, record=record, topic=paper.topic)
    people = [p for p in paper.authors if not p.is_others]
    if people:
        families = tuple(p.family or p.given for p in people)
        et_al = any(p.is_others for p in paper.authors)
    else:
        names = [n for n in record.authors if n != "et al."]
        families = tuple(n.split()[-1] if n.split() else n for n in names)
        et_al = "et al." in record.authors
    return Source(
        key=key,
        families=families,
        et_al=et_al,
        authors=view.authors_text if record.authors else "",
        year=record.year,
        title=record.title,
        venue=record.venue,
        arxiv=record.arxiv,
        doi=record.doi,
        src=view.src,
    )


# ---------------------------------------------------------------- parsing


def code_free_spans(markdown: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the parts of a page outside fenced and indented code blocks.

    Indented code is a line indented by four columns after a blank line or more code;
    inside a list, where four columns continue the item, it takes eight.
    """
    spans: list[tuple[int, int]] = []
    start = pos = 0
    fence: str | None = None
    previous_blank, indented, in_list = True, False, False
    for line in markdown.splitlines(keepends=True):
        end = pos + len(line)
        text = line.rstrip("\r\n").expandtabs(4)
        blank = not text.strip()
        indent = len(text) - len(text.lstrip())
        opening = _FENCE.match(text)
        protected = False
        if fence is not None:
            protected = True
            # A closing fence: the same character, at least as long, nothing after it.
            if opening and not opening["info"].strip():
                run = opening["fence"]
                if run[0] == fence[0] and len(run) >= len(fence):
                    fence = None
        elif opening and not (opening.group("fence")[0] == "`" and "`" in opening["info"]):
            fence = opening.group("fence")
            protected = True
        elif not blank:
            code_indent = 8 if in_list else 4
            if indent >= code_indent and (previous_blank or indented):
                protected = True
            elif indent < 4:
                in_list = bool(_LIST_ITEM.match(text)) or (in_list and not previous_blank)
            indented = protected
        if protected:
            if pos > start:
                spans.append((start, pos))
            start = end
        pos = end
        previous_blank = blank
    if len(markdown) > start:
        spans.append((start, len(markdown)))
    return spans


def _key(raw: str) -> str:
    return raw[1:-1] if raw.startswith("{") else raw


def parse_group(inner: str) -> tuple[Item, ...] | None:
    """The items of a bracketed citation's inside (``see @a, p. 3; @b``), or None.

    Every ``;``-separated part must cite one key, after nothing or a space (so an
    e-mail address is not a citation); otherwise the brackets are not a citation.
    """
    if _BLANK_LINE.search(inner):
        return None
    items = []
    for part in _PARTS.split(inner):
        m = _ITEM.fullmatch(part.strip())
        if not m:
            return None
        prefix = m.group("prefix")
        if prefix and not prefix[-1].isspace():
            return None
        suffix = m.group("suffix")
        if suffix and (suffix[0].isalnum() or suffix[0] == "_"):
            return None
        items.append(
            Item(
                key=_key(m.group("key")),
                prefix=" ".join(prefix.split()),
                suffix=" ".join(suffix.lstrip(",").split()),
                year_only=bool(m.group("minus")),
            )
        )
    return tuple(items)


def _known_prefix(key: str, known: Container[str]) -> str | None:
    """The longest known key that ``key`` starts with, ending at a word character.

    ``@jacot2018.Then`` or ``@du2018/slides`` still cite the paper, as long as the
    longer spelling is not a key of its own.
    """
    if key in known:
        return key
    for cut in range(len(key) - 1, 0, -1):
        if not (key[cut - 1].isalnum() or key[cut - 1] == "_") or key[cut].isalnum():
            continue
        if key[:cut] in known:
            return key[:cut]
    return None


def find_citations(markdown: str, known: Container[str]) -> list[Citation]:
    """Every citation of a page, in order; lines count from 1.

    ``known`` holds the keys on the list: ``@key`` in running text is a citation only
    for them, while bracketed citations are reported whatever their keys.
    """
    starts = [0] + [m.end() for m in re.finditer("\n", markdown)]
    found: list[Citation] = []

    def line_of(pos: int) -> int:
        return bisect.bisect_right(starts, pos)

    def scan(text: str, offset: int) -> None:
        for m in _TOKEN.finditer(text):
            if m.group("group") is not None:
                items = parse_group(m.group("inner"))
                if items is None:
                    # Not a citation; running-text citations inside still count.
                    scan(m.group("inner"), offset + m.start("inner"))
                else:
                    start = offset + m.start()
                    found.append(Citation(start, offset + m.end(), line_of(start), items))
            elif m.group("intext") is not None:
                raw = m.group("key")
                braced = raw.startswith("{")
                if braced:
                    key = _key(raw) if _key(raw) in known else None
                else:
                    key = _known_prefix(raw, known)
                if key is None:
                    continue
                start = offset + m.start()
                end = start + 1 + (len(raw) if braced else len(key))
                found.append(Citation(start, end, line_of(start), (Item(key),), in_text=True))

    for begin, end in code_free_spans(markdown):
        scan(markdown[begin:end], begin)
    return found


# ---------------------------------------------------------------- rendering


def md_text(text: object) -> str:
    """Text for inline HTML in Markdown: escaped for HTML, and inert for Markdown."""
    return clean(str(text)).translate(_MD_TEXT)


def _names(source: Source) -> str:
    fams = source.families
    if not fams:
        words = source.title.split()
        short = " ".join(words[:4]) + ("…" if len(words) > 4 else "")
        return short or source.key
    if len(fams) == 1:
        return f"{fams[0]} et al." if source.et_al else fams[0]
    if len(fams) == 2 and not source.et_al:
        return f"{fams[0]} and {fams[1]}"
    return f"{fams[0]} et al."


def sort_key(source: Source) -> tuple[object, ...]:
    """References order: first author's family name, then year, then title."""
    first = source.families[0] if source.families else source.title
    return (
        fold(first),
        source.year is None,
        source.year or 0,
        fold(source.title),
        source.key,
    )


def labels(sources: Iterable[Source]) -> dict[str, Label]:
    """The label of each source, numbered in References order.

    Two papers that would get the same author-year label (``Li et al., 2018``) are told
    apart by a letter after the year, in References order: ``2018a``, ``2018b``.
    """
    ordered = sorted(sources, key=sort_key)
    same: dict[tuple[str, str], list[str]] = {}
    for s in ordered:
        same.setdefault((_names(s), str(s.year or "n.d.")), []).append(s.key)
    out: dict[str, Label] = {}
    for number, s in enumerate(ordered, start=1):
        names, year = _names(s), str(s.year or "n.d.")
        clash = same[(names, year)]
        if len(clash) > 1:
            letter = _letters(clash.index(s.key))
            year = f"{year}-{letter}" if year == "n.d." else f"{year}{letter}"
        out[s.key] = Label(names=names, year=year, number=number)
    return out


def _letters(index: int) -> str:
    """``a`` ... ``z``, ``aa``, ``ab`` ...: the suffix of the index-th same label."""
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(ord("a") + rest) + out
    return out


def _cite_link(source: Source, text: str, href: Callable[[str], str]) -> str:
    return (
        f'<a class="rl-cite" href="{md_text(href(source.src))}" '
        f'title="{md_text(source.title or source.key)}">{md_text(text)}</a>'
    )


def render_citation(
    citation: Citation,
    sources: Mapping[str, Source],
    label_of: Mapping[str, Label],
    href: Callable[[str], str],
    style: str = AUTHOR_YEAR,
) -> str:
    """The inline HTML of one citation (unknown keys as ``@key?``)."""
    if citation.in_text:
        item = citation.items[0]
        source = sources[item.key]
        return _cite_link(source, label_of[item.key].text(style, in_text=True), href)
    parts = []
    for item in citation.items:
        if item.key in sources:
            label = label_of[item.key].text(style, year_only=item.year_only)
            body = _cite_link(sources[item.key], label, href)
        else:
            body = f'<span class="rl-cite-unknown">{md_text("@" + item.key + "?")}</span>'
        prefix = md_text(item.prefix + " ") if item.prefix else ""
        suffix = md_text(", " + item.suffix) if item.suffix else ""
        parts.append(prefix + body + suffix)
    plain = all(not (i.prefix or i.suffix) for i in citation.items)
    if style == NUMERIC:
        opening, closing, sep = "[", "]", ", " if plain else "; "
    elif any(i.key in sources for i in citation.items):
        opening, closing, sep = "(", ")", "; "
    else:
        opening, closing, sep = "[", "]", "; "
    return md_text(opening) + md_text(sep).join(parts) + md_text(closing)


def render_reference(
    source: Source, label: Label, href: Callable[[str], str], style: str = AUTHOR_YEAR
) -> str:
    """One entry of the References list (HTML, everything escaped, math as MathML)."""
    out = []
    if style == NUMERIC:
        out.append(f'<span class="rl-ref-number">[{label.number}]</span> ')
    if source.authors:
        out.append(f'<span class="rl-authors">{esc(source.authors)}</span>. ')
    title = text_html(source.title or source.key)
    out.append(f'<a class="rl-ref-title" href="{esc(href(source.src))}">{title}</a>. ')
    details = []
    if source.venue:
        details.append(f'<span class="rl-venue">{text_html(source.venue)}</span>')
    year = label.year if style == AUTHOR_YEAR else str(source.year or "n.d.")
    details.append(f'<span class="rl-year">{esc(year)}</span>')
    out.append(", ".join(details) + ".")
    links = []
    if source.arxiv:
        links.append(f'<a href="{esc(arxiv_url(source.arxiv))}">arXiv</a>')
    if source.doi:
        links.append(f'<a href="{esc(doi_url(source.doi))}">DOI</a>')
    if links:
        out.append(' <span class="rl-links">' + " · ".join(links) + "</span>")
    return "<li>" + "".join(out) + "</li>"


def render_references(
    sources: Sequence[Source],
    label_of: Mapping[str, Label],
    href: Callable[[str], str],
    style: str = AUTHOR_YEAR,
) -> str:
    """The References section: a heading and one raw HTML block (no blank line inside,
    so Markdown leaves the MathML of titles alone)."""
    ordered = sorted(sources, key=lambda s: label_of[s.key].number)
    items = "\n".join(render_reference(s, label_of[s.key], href, style) for s in ordered)
    return (
        "## References\n\n"
        f'<div class="rl-references rl-references-{style}">\n<ul>\n{items}\n</ul>\n</div>\n'
    )


def cite(
    markdown: str,
    *,
    known: Container[str],
    source: Callable[[str], Source],
    href: Callable[[str], str],
    style: str = AUTHOR_YEAR,
) -> Cited:
    """Resolve the citations of one page.

    ``known`` holds the keys on the list, ``source`` gives the :class:`Source` of one
    of them and ``href`` the link from this page to a page's source path. Each
    citation becomes a label linking to the paper's page, an unknown key shows as
    ``[@key?]`` (and is reported with its line), and a References section lists each
    cited paper once; it goes where :data:`REFERENCES_MARKER` is, else at the end.
    A page without citations comes back unchanged.
    """
    if style not in STYLES:
        raise ValueError(f"citation style must be one of {', '.join(STYLES)}, not {style!r}")
    found = find_citations(markdown, known)
    if not found:
        return Cited(markdown)
    sources: dict[str, Source] = {}
    unknown: list[tuple[int, str]] = []
    for c in found:
        for item in c.items:
            if item.key in known:
                if item.key not in sources:
                    sources[item.key] = source(item.key)
            else:
                unknown.append((c.line, item.key))
    label_of = labels(sources.values())
    out = []
    pos = 0
    for c in found:
        out.append(markdown[pos : c.start])
        out.append(render_citation(c, sources, label_of, href, style))
        pos = c.end
    out.append(markdown[pos:])
    text = "".join(out)
    if sources:
        refs = render_references(list(sources.values()), label_of, href, style)
        if REFERENCES_MARKER in text:
            text = text.replace(REFERENCES_MARKER, refs, 1)
        else:
            text = text.rstrip("\n") + "\n\n" + refs
    ordered = sorted(sources, key=lambda k: label_of[k].number)
    return Cited(text, tuple(ordered), tuple(unknown))
