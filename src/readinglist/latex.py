"""LaTeX text to Unicode for display, and title normalization for comparison.

Pure functions of strings. Accents, special letters and dashes are decoded
(``Erd{\\H o}s`` -> ``Erdős``, ``--`` -> ``–``); ``$...$`` math is kept exactly as
written, so the site can render it as math. Used only where text is displayed or
compared, never to rewrite what a person wrote.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import lru_cache

import latexcodec  # noqa: F401  (registers the "ulatex" codec)

# Math spans: $...$, $$...$$, \(...\), \[...\]; a backslash-escaped \$ is not math.
_MATH = re.compile(r"(?<!\\)(\$\$.+?(?<!\\)\$\$|\$.+?(?<!\\)\$|\\\(.+?\\\)|\\\[.+?\\\])", re.S)
# Font and emphasis commands whose argument is kept as plain text.
_FORMAT = re.compile(
    r"\\(?:textit|textbf|textsc|texttt|textrm|textsf|textsl|emph|mathrm|url|mbox|text)\s*(?=\{)"
)
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def split_math(text: str) -> list[tuple[bool, str]]:
    """Split text into ``(is_math, piece)`` runs; math pieces keep their delimiters."""
    out: list[tuple[bool, str]] = []
    pos = 0
    for m in _MATH.finditer(text):
        if m.start() > pos:
            out.append((False, text[pos : m.start()]))
        out.append((True, m.group(0)))
        pos = m.end()
    if pos < len(text):
        out.append((False, text[pos:]))
    return out


def _decode_plain(text: str) -> str:
    # latexcodec drops the whitespace at the ends of its input; keep it, since the
    # piece may sit between two formulas.
    stripped = text.strip()
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return lead + _decode_core(stripped) + trail if stripped else text


def _decode_core(text: str) -> str:
    text = _FORMAT.sub("", text)
    try:
        decoded = codecs.decode(text, "ulatex")
    except (UnicodeDecodeError, ValueError):
        decoded = text
    decoded = decoded.replace("{", "").replace("}", "")
    return decoded.replace("\xa0", " ")


@lru_cache(maxsize=65536)
def latex_to_text(text: str) -> str:
    """Decode LaTeX to Unicode for display, keeping ``$...$`` math as written.

    Whitespace runs (BibTeX values are often hard-wrapped) become one space.
    """
    if not text:
        return ""
    if "\\" not in text and "{" not in text and "-" not in text and "~" not in text:
        return _SPACE.sub(" ", text).strip()
    pieces = [piece if is_math else _decode_plain(piece) for is_math, piece in split_math(text)]
    return _SPACE.sub(" ", "".join(pieces)).strip()


def normalize_title(text: str) -> str:
    """A title reduced for comparison: decoded, accents folded, lower case, words only.

    ``The {P}ower of {D}epth`` and ``The power of depth.`` normalize alike.
    """
    plain = latex_to_text(text)
    folded = unicodedata.normalize("NFKD", plain)
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return _NON_WORD.sub(" ", folded).strip()
