"""LaTeX text to Unicode for display, and title normalization for comparison.

Pure functions of strings. Accents, special letters and dashes are decoded
(``Erd{\\H o}s`` -> ``Erdős``, ``--`` -> ``–``); ``$...$`` math is kept exactly as
written, so the site can render it as math. Used only where text is displayed or
compared, never to rewrite what a person wrote.

The decoder is table-driven regular expressions rather than a LaTeX lexer
(latexcodec): it is about a hundred times faster, which matters when a 10,000-paper
library is displayed, and it covers what bibliographies use. Commands it does not know
are left as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Math spans: $...$, $$...$$, \(...\), \[...\]; a backslash-escaped \$ is not math.
_MATH = re.compile(r"(?<!\\)(\$\$.+?(?<!\\)\$\$|\$.+?(?<!\\)\$|\\\(.+?\\\)|\\\[.+?\\\])", re.S)

_ACCENTS = {
    "'": "\u0301", "`": "\u0300", "^": "\u0302", '"': "\u0308", "~": "\u0303",
    "=": "\u0304", ".": "\u0307", "u": "\u0306", "v": "\u030c", "H": "\u030b",
    "c": "\u0327", "k": "\u0328", "r": "\u030a", "d": "\u0323", "b": "\u0331",
    "t": "\u0361",
}  # fmt: skip
_LETTERS = {
    "ss": "ß", "o": "ø", "O": "Ø", "aa": "å", "AA": "Å", "ae": "æ", "AE": "Æ",
    "oe": "œ", "OE": "Œ", "l": "ł", "L": "Ł", "i": "ı", "j": "ȷ", "dh": "ð", "DH": "Ð",
    "th": "þ", "TH": "Þ", "ng": "ŋ", "NG": "Ŋ",
    "textendash": "–", "textemdash": "—", "textquoteright": "’", "textquoteleft": "‘",
    "textquotedblleft": "“", "textquotedblright": "”", "textasciitilde": "~",
    "textbackslash": "\\", "textbar": "|", "textless": "<", "textgreater": ">",
    "S": "§", "P": "¶", "dag": "†", "ddag": "‡", "copyright": "©", "pounds": "£",
    "LaTeX": "LaTeX", "TeX": "TeX", "ldots": "…", "dots": "…",
}  # fmt: skip
_ESCAPES = {"&": "&", "%": "%", "$": "$", "#": "#", "_": "_", "{": "\x01", "}": "\x02",
            " ": " ", ",": "\u2009", "-": ""}  # fmt: skip

# \'{e}, \'e, {\'e}, \"{\i}, \v{s}, \v s, \c{c}
_ACCENT = re.compile(
    r"""\\(?:([`'^"~=.])\s*|([uvHckrdbt])(?:\s+|(?=\{)))"""
    r"""(?:\{\s*(\\[ij](?![A-Za-z])|[A-Za-z])\s*\}|(\\[ij](?![A-Za-z])|[A-Za-z]))"""
)
_LETTER_NAMES = "|".join(sorted(_LETTERS, key=len, reverse=True))
_LETTER = re.compile(r"\\(" + _LETTER_NAMES + r")(?![A-Za-z])(?:\s*\{\})?\s?")
_ESCAPE = re.compile(r"\\([&%$#_{} ,\-])")
_FORMAT = re.compile(
    r"\\(?:textit|textbf|textsc|texttt|textrm|textsf|textsl|textup|textnormal|emph|mathrm|"
    r"url|mbox|text|uppercase|lowercase|MakeUppercase|MakeLowercase|protect|relax)\s*(?=[{\\])"
)
_GROUP_COMMAND = re.compile(r"\{\\(?:it|bf|sc|tt|rm|sf|sl|em|small|footnotesize)\s+")
_SPACE = re.compile(r"\s+")
# Control characters other than whitespace: never text, and they would collide with the
# \x01/\x02 placeholders of escaped braces or reach a terminal as escape sequences.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_NON_WORD = re.compile(r"[^0-9a-z]+")


def strip_control(text: str) -> str:
    """Text without control characters (terminal escapes, characters XML cannot hold)."""
    return _CONTROL.sub("", text)


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


def _accent(m: re.Match[str]) -> str:
    mark = _ACCENTS[m.group(1) or m.group(2)]
    letter = m.group(3) or m.group(4)
    if letter in ("\\i", "\\j"):
        letter = letter[1]
    return unicodedata.normalize("NFC", letter + mark)


def _decode_plain(text: str) -> str:
    if "\\" in text:
        text = _FORMAT.sub("", text)
        text = _GROUP_COMMAND.sub("{", text)
        text = _ACCENT.sub(_accent, text)
        text = _LETTER.sub(lambda m: _LETTERS[m.group(1)], text)
        text = _ESCAPE.sub(lambda m: _ESCAPES[m.group(1)], text)
    if "-" in text:
        text = text.replace("---", "—").replace("--", "–")
    if "`" in text or "''" in text:
        text = text.replace("``", "“").replace("''", "”")
    text = text.replace("~", " ").replace("{", "").replace("}", "")
    return text.replace("\x01", "{").replace("\x02", "}")


@lru_cache(maxsize=65536)
def latex_to_text(text: str) -> str:
    """Decode LaTeX to Unicode for display, keeping ``$...$`` math as written.

    Whitespace runs (BibTeX values are often hard-wrapped) become one space.
    """
    if not text:
        return ""
    text = _CONTROL.sub("", text)
    if "$" in text or "\\(" in text or "\\[" in text:
        pieces = [p if is_math else _decode_plain(p) for is_math, p in split_math(text)]
        decoded = "".join(pieces)
    else:
        decoded = _decode_plain(text)
    return _SPACE.sub(" ", decoded).strip()


# The accents of Latin letters after NFKD (U+0300-U+036F), dropped by one substitution.
_LATIN_MARKS = re.compile(
    "[" + "".join(chr(c) for c in range(0x300, 0x370) if unicodedata.combining(chr(c))) + "]"
)
_NON_ASCII = re.compile(r"[^\x00-\x7f]")


def fold(text: str) -> str:
    """Lower case with accents removed (``Erdős`` -> ``erdos``), for comparisons."""
    if text.isascii():
        return text.lower()  # nothing to decompose or drop
    folded = _LATIN_MARKS.sub("", unicodedata.normalize("NFKD", text))
    if any(unicodedata.combining(c) for c in _NON_ASCII.findall(folded)):
        folded = "".join(c for c in folded if not unicodedata.combining(c))  # other scripts
    return folded.lower()


def normalize_title(text: str) -> str:
    """A title reduced for comparison: decoded, accents folded, lower case, words only.

    ``The {P}ower of {D}epth`` and ``The power of depth.`` normalize alike.
    """
    return _NON_WORD.sub(" ", fold(latex_to_text(text))).strip()
