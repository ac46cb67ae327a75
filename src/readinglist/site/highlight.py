"""BibTeX highlighted exactly as Pygments highlights it, for a fraction of the time. No I/O.

Every paper page shows the paper's BibTeX as pymdownx.highlight would: the tokens of
Pygments' ``BibTeXLexer`` in the markup of ``HtmlFormatter(cssclass="highlight",
wrapcode=True)``. Pygments took a quarter of the paper pages' render time, so this module
runs the lexer's state machine itself and writes the formatter's markup as it goes.

How it stays byte-identical:

- each state of the lexer is one regex whose alternatives are the state's rules in
  Pygments' order, so the first rule that matches wins, as in Pygments; a value in braces
  or quotes, which Pygments reads as several ``String`` tokens, is one token here;
- the formatter joins consecutive tokens of one CSS class on a line into one ``<span>``
  and writes no span for an empty line part; :func:`_span` writes one run of a class;
- the common shapes are read in one match each, leaving the lexer where its rules would:
  a simple field (``,`` name ``=`` one value, then ``,`` or the entry's end), a field's
  head, an entry's head (type, delimiter, key) and end, a whole ``@string`` definition;
  the markup of the pieces that repeat from entry to entry is cached;
- wherever the fast path is not sure it answers None, and :func:`highlight_bibtex` asks
  Pygments itself (:func:`pygments_html`): text where Pygments would give an ``Error``
  token (a character no rule of its state takes, an entry opened with ``(`` and closed
  with ``}``), and text that ends inside an entry or a value (an unbalanced brace or
  quote). A probe entry with every kind of token is highlighted both ways once per
  process, and the fast path is used only if it gives Pygments' bytes for it: older
  Pygments (2.16, our lower bound) also escapes quotes, 2.21 does not (both escapings are
  known here); any other difference turns the fast path off.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

logger = logging.getLogger(__name__)

_Rules = Callable[[str, int], "re.Match[str] | None"]


def _rules(*alternatives: str) -> _Rules:
    """One state of the lexer: its rules as one alternation matched at a position
    (``match.lastindex`` says which rule matched). Pygments' BibTeX lexer ignores case."""
    return re.compile("|".join(f"({rule})" for rule in alternatives), re.IGNORECASE).match


# A macro, field or entry-type name as the lexer reads it: a letter or one of the
# symbols BibTeX allows, then word characters and those symbols.
_SYMBOLS = r"@!$&*+\-./:;<>?\[\\\]^`|~"
_NAME = rf"[a-z_{_SYMBOLS}][\w{_SYMBOLS}]*"
_SPACE = r"\s+"

# Between entries: space, ``@comment`` (a comment token, the rest of the line too),
# ``@preamble`` (a value in delimiters), ``@string`` (one field in delimiters), any other
# ``@type`` (an entry), and anything else to the end of the line is a comment.
_BETWEEN = _rules(_SPACE, "@comment(?!ary)", "@preamble", "@string", "@" + _NAME, ".+")
_OPENING = _rules(_SPACE, r"[{(]")
_CLOSING = _rules(_SPACE, r"[})]")
_KEY = _rules(_SPACE, r"[^\s,}]+")
_FIELDS = _rules(_SPACE, ",")
_FIELD = _rules(_SPACE, _NAME)
_EQUALS = _rules(_SPACE, "=")
_VALUE = _rules(_SPACE, _NAME, '"', r"\{", r"\d+", "#")
_BRACE = re.compile(r"[{}]").search
_QUOTE_OR_BRACE = re.compile(r'["{]').search


def _braces(depth: int) -> str:
    """A value in braces nested at most ``depth`` deep (possessive: linear time)."""
    inner = r"\{[^{}]*+\}"
    for _ in range(depth - 1):
        inner = rf"\{{[^{{}}]*+(?:{inner}[^{{}}]*+)*+\}}"
    return inner


# One value the fast matches below take whole: in braces nested at most three deep, in
# quotes with such braces inside, a number or a macro (three groups: string, number,
# macro).
_SIMPLE_VALUE = rf'(?:({_braces(3)}|"[^"{{]*+(?:{_braces(2)}[^"{{]*+)*+")|(\d+)|({_NAME}))'
_VALUE_CLASSES = ("s", "m", "nv")

# A whole simple field after its comma: the name, ``=`` and one simple value, followed by
# ``,`` or the entry's end, so that the lexer is then back to reading fields.
_FIELD_HEAD = rf",(\s*)({_NAME})(\s*)=(\s*)"
_SIMPLE_FIELD = re.compile(_FIELD_HEAD + _SIMPLE_VALUE + r"(?=\s*[,})])", re.IGNORECASE).match
_SPLIT_FIELD_HEAD = re.compile(rf",(\s*)({_NAME})(\s*)(?:=(\s*))?", re.IGNORECASE).fullmatch
# A field's head alone (its value is read by the rules): ``,`` the name and ``=``.
_ANY_FIELD = re.compile(rf",\s*{_NAME}\s*=", re.IGNORECASE).match

# An entry up to its key (any ``@type`` the rules before it in _BETWEEN do not take),
# after which the lexer reads fields; and a whole ``@string`` definition of a simple
# value. Their groups, in order, are the tokens of these CSS classes.
_ENTRY_HEAD = re.compile(
    rf"(@(?!comment(?!ary)|preamble|string){_NAME})(\s*)([{{(])(\s*)([^\s,}}]+)", re.IGNORECASE
).match
_ENTRY_HEAD_CLASSES = ("nc", "w", "p", "w", "nl")
_STRING_DEF = re.compile(
    rf"(@string)(\s*)([{{(])(\s*)({_NAME})(\s*)(=)(\s*){_SIMPLE_VALUE}(\s*)([}})])",
    re.IGNORECASE,
).match
_STRING_DEF_CLASSES = ("nc", "w", "p", "w", "na", "w", "p", "w", *_VALUE_CLASSES, "w", "p")
# The end of an entry: maybe a comma, space, the closing delimiter.
_ENTRY_TAIL = re.compile(r"(,?)(\s*)([})])").match
_ENTRY_TAIL_CLASSES = ("p", "w", "p")
_CLOSER = {"{": "}", "(": ")"}

# The states of the lexer, as a stack (the top is the last item).
BETWEEN, OPENING, CLOSING, KEY, FIELDS, FIELD, EQUALS, VALUE = range(8)

# CSS classes of the token types the lexer gives (Pygments' short names).
_CLASS_NAME, _LABEL, _ATTRIBUTE, _VARIABLE = "nc", "nl", "na", "nv"
_PUNCTUATION, _STRING, _NUMBER, _COMMENT, _WHITESPACE = "p", "s", "m", "c", "w"

_HEAD = '<div class="highlight"><pre><span></span><code>'
_TAIL = "</code></pre></div>\n"


class _Escape:
    """HTML escaping as the installed Pygments' formatter does it: ``&``, ``<``, ``>``,
    and in older Pygments (2.16) also ``"`` and ``'``."""

    def __init__(self, *entities: tuple[str, str]) -> None:
        self.needed = re.compile("[" + "".join(char for char, _ in entities) + "]").search
        self.entities = entities

    def __call__(self, value: str) -> str:
        if self.needed(value):
            for char, entity in self.entities:  # "&" first
                value = value.replace(char, entity)
        return value


_ESCAPES = (
    _Escape(("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")),
    _Escape(("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;"), ("'", "&#39;")),
)


def _span(kind: str, value: str, escape: _Escape | None) -> str:
    """One run of tokens of CSS class ``kind``: a span per line it covers, none for an
    empty part. ``escape`` None: the text holds nothing to escape."""
    if escape is not None:
        value = escape(value)
    if "\n" not in value:
        return f'<span class="{kind}">{value}</span>'
    return "\n".join(
        f'<span class="{kind}">{part}</span>' if part else "" for part in value.split("\n")
    )


@functools.lru_cache(maxsize=1024)
def _field_head(text: str, escape: _Escape | None) -> str:
    """The markup of a field up to its value (``,`` name, maybe ``=`` and space), which
    repeats from entry to entry."""
    parts = _SPLIT_FIELD_HEAD(text)
    assert parts is not None
    pieces = [_span(_PUNCTUATION, ",", None)]
    for group, kind in ((1, _WHITESPACE), (2, _ATTRIBUTE), (3, _WHITESPACE)):
        if parts[group]:
            pieces.append(_span(kind, parts[group], escape))
    if parts[4] is not None:
        pieces.append(_span(_PUNCTUATION, "=", None))
    if parts[4]:
        pieces.append(_span(_WHITESPACE, parts[4], None))
    return "".join(pieces)


def _groups_html(match: re.Match[str], classes: tuple[str, ...], escape: _Escape | None) -> str:
    """The markup of a match whose groups, in order, cover it and are tokens of these
    classes (an empty or unused group is no token)."""
    pieces = []
    kind, start = "", match.start()
    for group, token in enumerate(classes, 1):
        left, right = match.span(group)
        if left != right and token != kind:
            if kind:
                pieces.append(_span(kind, match.string[start:left], escape))
            kind, start = token, left
    pieces.append(_span(kind, match.string[start : match.end()], escape))
    return "".join(pieces)


@functools.lru_cache(maxsize=1024)
def _string_def(text: str, escape: _Escape | None) -> str:
    """The markup of a whole ``@string`` definition, which repeats from entry to entry."""
    match = _STRING_DEF(text, 0)
    assert match is not None
    return _groups_html(match, _STRING_DEF_CLASSES, escape)


def _braced_end(text: str, at: int) -> int:
    """The index after the ``}`` that closes the ``{`` at ``at``; -1 when none does."""
    depth = 0
    while (found := _BRACE(text, at)) is not None:
        at = found.end()
        depth += 1 if found.group() == "{" else -1
        if depth == 0:
            return at
    return -1


def _quoted_end(text: str, at: int) -> int:
    """The index after the ``"`` that closes the quoted value whose first character is
    at ``at`` (a ``"`` inside braces does not close it); -1 when none does."""
    while (found := _QUOTE_OR_BRACE(text, at)) is not None:
        if found.group() == '"':
            return found.end()
        at = _braced_end(text, found.start())
        if at < 0:
            return -1
    return -1


def _prepared(text: str) -> str:
    """The text as Pygments' lexer reads it: no byte-order mark, ``\\n`` newlines, no
    newlines at either end, then one newline at the end."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n") + "\n"


def _fast(text: str, escape: _Escape) -> str | None:
    """The markup of ``text`` with this escaping; None where Pygments would give an
    Error token or the text ends inside an entry or a value."""
    text = _prepared(text)
    esc = escape if escape.needed(text) else None
    out = [_HEAD]
    kind = ""  # the CSS class of the run of tokens being read, which starts at ``start``
    start = 0
    stack = [BETWEEN]
    opening = ""
    at, end = 0, len(text)
    while at < end:
        state = stack[-1]
        if state == FIELDS and kind != _PUNCTUATION:
            simple = _SIMPLE_FIELD(text, at)
            if simple is not None:
                if kind:
                    out.append(_span(kind, text[start:at], esc))
                start = simple.end(4)  # where the value starts
                out.append(_field_head(text[at:start], esc))
                kind = _VALUE_CLASSES[(simple.lastindex or 5) - 5]
                at = simple.end()
                continue
            head = _ANY_FIELD(text, at)
            if head is not None:  # the value is read by the rules, after the "="
                if kind:
                    out.append(_span(kind, text[start:at], esc))
                out.append(_field_head(text[at : head.end() - 1], esc))
                kind, start = _PUNCTUATION, head.end() - 1
                at = head.end()
                stack += (FIELD, VALUE)
                continue
            tail = _ENTRY_TAIL(text, at)
            if tail is not None and kind != _WHITESPACE and _CLOSER[opening] == tail[3]:
                # The entry's end; nothing after it joins its closing delimiter.
                if kind:
                    out.append(_span(kind, text[start:at], esc))
                out.append(_groups_html(tail, _ENTRY_TAIL_CLASSES, esc))
                kind = ""
                at = tail.end()
                del stack[-2:]  # FIELDS and CLOSING
                continue
        elif state == BETWEEN and text[at] == "@":
            chunk = _STRING_DEF(text, at) if text[at + 1 : at + 2] in ("s", "S") else None
            if chunk is not None and _CLOSER[chunk[3]] == chunk[13]:
                html = _string_def(chunk.group(), esc)
            elif (chunk := _ENTRY_HEAD(text, at)) is not None:
                opening = chunk[3]
                stack += (CLOSING, FIELDS)
                html = _groups_html(chunk, _ENTRY_HEAD_CLASSES, esc)
            if chunk is not None:
                # Between entries only space and comments come before an "@", and neither
                # chunk ends in a class the next token can have: no run to join either side.
                if kind:
                    out.append(_span(kind, text[start:at], esc))
                out.append(html)
                kind = ""
                at = chunk.end()
                continue
        if state == VALUE:
            found = _VALUE(text, at)
            if found is None:  # the value is over: back to the field
                stack.pop()
                continue
            rule = found.lastindex
            stop = found.end()
            if rule == 1:
                token = _WHITESPACE
            elif rule == 2:
                token = _VARIABLE
            elif rule == 5:
                token = _NUMBER
            elif rule == 6:
                token = _PUNCTUATION
            else:
                token = _STRING
                stop = _quoted_end(text, stop) if rule == 3 else _braced_end(text, at)
                if stop < 0:
                    return None  # an unbalanced quote or brace: Pygments' String to the end
        elif state == BETWEEN:
            found = _BETWEEN(text, at)
            if found is None:
                return None
            rule = found.lastindex
            stop = found.end()
            if rule == 1:
                token = _WHITESPACE
            elif rule in (2, 6):
                token = _COMMENT
            else:
                token = _CLASS_NAME
                body = VALUE if rule == 3 else FIELD if rule == 4 else KEY
                stack += (CLOSING, body, OPENING)
        elif state in (FIELDS, FIELD):
            found = (_FIELDS if state == FIELDS else _FIELD)(text, at)
            if found is None:  # no more fields, or the field is over
                stack.pop()
                continue
            stop = found.end()
            if found.lastindex == 1:
                token = _WHITESPACE
            elif state == FIELDS:
                token = _PUNCTUATION
                stack.append(FIELD)
            else:
                token = _ATTRIBUTE
                stack += (VALUE, EQUALS)
        else:
            found = {OPENING: _OPENING, CLOSING: _CLOSING, KEY: _KEY, EQUALS: _EQUALS}[state](
                text, at
            )
            if found is None:
                return None  # Pygments gives an Error token here
            stop = found.end()
            if found.lastindex == 1:
                token = _WHITESPACE
            else:
                stack.pop()
                if state == KEY:
                    token = _LABEL
                    stack.append(FIELDS)
                else:
                    token = _PUNCTUATION
                    if state == OPENING:
                        opening = found.group()
                    elif state == CLOSING and "{(".index(opening) != "})".index(found.group()):
                        return None  # ``(`` closed by ``}`` or ``{`` by ``)``: an Error token
        if token != kind:
            if kind:
                out.append(_span(kind, text[start:at], esc))
            kind, start = token, at
        at = stop
    if len(stack) > 1:
        return None  # the text ends inside an entry
    if kind:
        out.append(_span(kind, text[start:], esc))
    out.append(_TAIL)
    return "".join(out)


_PYGMENTS: tuple[Any, Any] | None = None


def pygments_html(text: str) -> str:
    """What Pygments returns for ``text``: the reference, and the answer wherever the
    fast path is not sure."""
    global _PYGMENTS
    from pygments import highlight

    if _PYGMENTS is None:
        from pygments.formatters import HtmlFormatter
        from pygments.lexers import BibTeXLexer

        _PYGMENTS = (BibTeXLexer(), HtmlFormatter(cssclass="highlight", wrapcode=True))
    lexer, formatter = _PYGMENTS
    return str(highlight(text, lexer, formatter))


#: An entry with every token the lexer gives and every character escaping may touch.
PROBE = (
    '% a comment & <more>\n@comment{x}\n@preamble{"\\newcommand{\\x}{y}"}\n'
    '@String{j = "J. of A & B" # {<x>}}\n'
    '@Article(key-1:2,\n\ttitle = {It\'s {"nested"}\n  and long},\n'
    '  year = 2020, month = feb # "~15",\n  journal = j,\n  a&b = {x}\n)\n'
)


@functools.cache
def _installed_escape() -> _Escape | None:
    """The escaping that gives the installed Pygments' bytes for :data:`PROBE`, asked
    once per process; None (the fast path is off) when neither does."""
    reference = pygments_html(PROBE)
    escape = next((e for e in _ESCAPES if _fast(PROBE, e) == reference), None)
    if escape is None:
        logger.warning("BibTeX highlighting: the fast path differs from Pygments; off")
    return escape


def highlight_fast(text: str) -> str | None:
    """The markup Pygments gives for ``text``, made without Pygments; None where this
    module is not sure of it (then only Pygments can answer)."""
    escape = _installed_escape()
    return None if escape is None else _fast(text, escape)


def highlight_bibtex(text: str) -> str:
    """``text`` highlighted byte for byte as ``pygments.highlight(text, BibTeXLexer(),
    HtmlFormatter(cssclass="highlight", wrapcode=True))`` does: by the fast path when it
    is sure, else by Pygments itself."""
    html = highlight_fast(text)
    if html is None:
        html = pygments_html(text)  # the fallback: Pygments' own answer
    return html
