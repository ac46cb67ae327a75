"""Tests of readinglist.tracking: tokenizing, TF-IDF scoring against a topic, keeping the
best candidates."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from readinglist.model import Candidate
from readinglist.tracking import (
    DIGITS,
    KEEP_PER_TOPIC,
    best,
    build_corpus,
    citation_bonus,
    score,
    similarity,
    tokenize,
)

TOPICS = {
    "ntk": [
        "Neural tangent kernels. Wide networks trained by gradient descent.",
        "Neural Tangent Kernel: Convergence and Generalization in Neural Networks. The "
        "neural tangent kernel governs training of infinitely wide networks.",
        "On Lazy Training in Differentiable Programming. Lazy training keeps the weights "
        "close to initialization, as in the kernel regime.",
    ],
    "data-poisoning": [
        "Data poisoning attacks. Corrupting training data.",
        "Certified Defenses for Data Poisoning Attacks. An attacker inserts poisoned points "
        "into the training set; we bound the damage.",
        "BadNets: backdoor attacks on neural networks trained on poisoned data.",
    ],
}


def test_tokenize_drops_stop_words_math_and_plurals() -> None:
    text = "The Neural Networks of $\\mathbb{R}^d$ and Erd\\H{o}s' studies"
    assert tokenize(text) == ["neural", "network", "erdo"]
    assert tokenize("Generalization, in general") == ["generalization", "general"]
    assert tokenize("Théorie des matrices") == ["theorie", "des", "matrice"]
    assert tokenize("") == []


def test_a_paper_scores_highest_for_its_own_topic() -> None:
    corpus = build_corpus(TOPICS)
    ntk_paper = "The neural tangent kernel of deep networks under gradient descent training"
    poison = "A backdoor data poisoning attack on image classifiers"
    assert score(corpus, "ntk", ntk_paper) > 3 * score(corpus, "data-poisoning", ntk_paper)
    assert score(corpus, "data-poisoning", poison) > 0.3
    assert score(corpus, "ntk", poison) == 0
    assert score(corpus, "ntk", "Quantum chromodynamics on the lattice") == 0
    assert score(corpus, "unknown-topic", ntk_paper) == 0


def test_scores_are_cosines_rounded_and_deterministic() -> None:
    corpus = build_corpus(TOPICS)
    text = "neural tangent kernel"
    value = similarity(corpus, "ntk", text)
    assert 0 < value <= 1
    assert score(corpus, "ntk", text) == round(value, DIGITS)
    again = build_corpus({k: list(v) for k, v in reversed(TOPICS.items())})
    assert score(again, "ntk", text) == score(corpus, "ntk", text)


def test_citing_listed_papers_adds_a_bonus() -> None:
    corpus = build_corpus(TOPICS)
    text = "A paper about lazy training"
    plain = score(corpus, "ntk", text)
    assert score(corpus, "ntk", text, cites_in_topic=2) == pytest.approx(plain + 0.2)
    assert score(corpus, "ntk", text, cites_elsewhere=1) == pytest.approx(plain + 0.05)
    assert citation_bonus(10, 10) == pytest.approx(0.3 + 0.1)  # capped
    assert citation_bonus(0, 0) == 0


def _candidate(arxiv: str, topic: str, value: float, published: str = "2026-05-01") -> Candidate:
    return Candidate(arxiv=arxiv, title=arxiv, topic=topic, score=value, published=published)


def test_best_keeps_the_top_per_topic_above_zero_each_once() -> None:
    pool = [_candidate(f"2605.{i:05d}", "ntk", i / 100) for i in range(30)]
    pool += [_candidate("2605.99999", "other", 0.5), _candidate("2605.88888", "other", 0.0)]
    pool.append(_candidate("2605.00029", "ntk", 0.1))  # a lower-scored copy of the best
    kept = best(pool)
    ntk = [c for c in kept if c.topic == "ntk"]
    assert len(ntk) == KEEP_PER_TOPIC
    assert ntk[0].arxiv == "2605.00029" and ntk[0].score == 0.29
    assert [c.score for c in ntk] == sorted((c.score for c in ntk), reverse=True)
    assert [c.arxiv for c in kept if c.topic == "other"] == ["2605.99999"]
    assert best([], keep=3) == []


def test_best_breaks_ties_by_arxiv_id() -> None:
    pool = [_candidate("2605.00002", "t", 0.5), _candidate("2605.00001", "t", 0.5)]
    assert [c.arxiv for c in best(pool)] == ["2605.00001", "2605.00002"]


CORPUS = build_corpus(TOPICS)


@given(st.text(max_size=200))
def test_similarity_is_between_zero_and_one(text: str) -> None:
    value = similarity(CORPUS, "ntk", text)
    assert 0 <= value <= 1 + 1e-9 and math.isfinite(value)
