"""LaTeX to Unicode for display, math kept as written."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from readinglist.latex import fold, latex_to_text, normalize_title, split_math


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        (r"Erd{\H o}s", "Erdős"),
        (r"Sch{\"o}lkopf", "Schölkopf"),
        (r"Sch\"{o}lkopf", "Schölkopf"),
        (r"L{\'e}na{\"\i}c", "Lénaïc"),
        (r"Dvo\v{r}\'ak", "Dvořák"),
        (r"{\L}ukasz", "Łukasz"),
        (r"pages 1--10 --- done", "pages 1–10 — done"),
        (r"The {P}ower of {D}epth", "The Power of Depth"),
        (r"\emph{Deep} {ReLU} nets", "Deep ReLU nets"),
        ("Hard\n   wrapped  title", "Hard wrapped title"),
        (r"50\% of \& more", "50% of & more"),
    ],
)
def test_accents_and_dashes_decode(raw: str, shown: str) -> None:
    assert latex_to_text(raw) == shown


def test_math_is_kept_as_written() -> None:
    raw = r"Bounds for $\lambda_{\max}$ and $O(\sqrt{n})$ on Erd{\H o}s -- graphs"
    assert latex_to_text(raw) == r"Bounds for $\lambda_{\max}$ and $O(\sqrt{n})$ on Erdős – graphs"


def test_escaped_dollar_is_not_math() -> None:
    assert split_math(r"costs \$5 and $x$") == [(False, r"costs \$5 and "), (True, "$x$")]


def test_normalize_title_ignores_case_braces_and_accents() -> None:
    assert normalize_title(r"The {P}ower of {D}epth: Erd{\H o}s") == normalize_title(
        "the power of depth -- Erdős."
    )


@given(st.text(max_size=80))
def test_decoding_never_crashes(text: str) -> None:
    shown = latex_to_text(text)
    assert isinstance(shown, str)
    normalize_title(text)


def _fold_char_by_char(text: str) -> str:
    """fold as first written: decompose, drop combining characters one by one, lower."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded if not unicodedata.combining(c)).lower()


@given(st.text())
@example("Erdős Gyárfás Çelik Ångström ﬁne Ⅻ İstanbul ß ǅ")
@example("plain ASCII, Title Case")
@example("Erdős–Rényi — “quoted” שָׁלוֹם हिन्दी Ελληνικά")
def test_fold_is_decompose_drop_accents_lower(text: str) -> None:
    assert fold(text) == _fold_char_by_char(text)
    assert fold(text) == _fold_char_by_char(text)  # the table, filled, agrees too
