"""Scoring tracked arXiv papers against a topic: TF-IDF cosine plus a citation bonus.

Pure Python, no I/O. A topic is described by the texts of its papers (title and
abstract: hand-written, or fetched from arXiv) and its own title and description. A new
paper's score is the cosine between its title+abstract and the topic's centroid, both as
TF-IDF vectors over the whole list (so words every topic uses weigh little), plus a
bonus for each listed paper it cites when citation data is known. Scores are rounded so
the stored candidates file is the same bytes on every machine.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from readinglist.latex import fold, latex_to_text
from readinglist.model import Candidate

KEEP_PER_TOPIC = 20
"""How many candidates each topic keeps, best first."""

DIGITS = 4
"""Scores are rounded to this many decimals (stable bytes, stable order)."""

TOPIC_BONUS = 0.1
"""Added per listed paper *of the topic* that a candidate cites (at most 3 count)."""
OTHER_BONUS = 0.05
"""Added per listed paper of another topic that a candidate cites (at most 2 count)."""

_WORD = re.compile(r"[a-z][a-z0-9]+")
_MATH = re.compile(r"\$[^$]*\$")
# Common English words and words every paper abstract uses: they say nothing of a topic.
_STOP = frozenset(
    (  # noqa: SIM905
        "a about above after again against all also an and any are as at be because been "
        "before being below between both but by can could did do does doing down during each "
        "few for from further had has have having here how however i if in into is it its "
        "itself just more most no nor not now of off on once only or other our ours out over "
        "own same she should so some such than that the their theirs them then there these "
        "they this those through to too under until up very was we were what when where which "
        "while who whom why will with would you your yours via thus hence paper papers show "
        "shows shown study studies result results propose proposed approach method methods "
        "new novel using use used based provide provides problem problems prove proves work "
        "works one two first second well many show give gives given under several recent "
        "recently "
    ).split()
)


def tokenize(text: str) -> list[str]:
    """The words of ``text`` that carry meaning: LaTeX decoded, math dropped, accents
    folded, lower case, stop words removed, plurals reduced (``networks`` -> ``network``)."""
    plain = fold(latex_to_text(_MATH.sub(" ", text)))
    out: list[str] = []
    for word in _WORD.findall(plain):
        if word in _STOP:
            continue
        out.append(_stem(word))
    return out


def _stem(word: str) -> str:
    # Only the plural: enough to match "networks" with "network" without a stemmer's
    # surprises ("generalization" and "general" must stay apart).
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


Vector = dict[str, float]


def _normalized(counts: Mapping[str, float]) -> Vector:
    norm = math.sqrt(sum(v * v for v in counts.values()))
    if norm == 0:
        return {}
    return {t: v / norm for t, v in counts.items()}


@dataclass(frozen=True)
class Corpus:
    """TF-IDF weights of the whole list and one centroid vector per topic.

    Build it with :func:`build_corpus`; score with :func:`similarity` / :func:`score`.
    """

    documents: int
    df: Mapping[str, int]
    topics: Mapping[str, Vector]

    def idf(self, term: str) -> float:
        """Smoothed inverse document frequency (an unseen word gets the largest)."""
        return math.log((1 + self.documents) / (1 + self.df.get(term, 0))) + 1.0

    def vector(self, text: str) -> Vector:
        """The L2-normalized TF-IDF vector of ``text`` (sublinear term frequency)."""
        counts = Counter(tokenize(text))
        return _normalized({t: (1 + math.log(n)) * self.idf(t) for t, n in counts.items()})


def build_corpus(topic_texts: Mapping[str, Sequence[str]]) -> Corpus:
    """A corpus from each topic's texts (its papers' title+abstract, its description).

    Document frequencies count every text of every topic, so a word common to the whole
    list weighs less than one particular to a topic. A topic's vector is the normalized
    sum of its texts' normalized vectors (each paper counts the same, long or short).
    """
    df: Counter[str] = Counter()
    documents = 0
    for texts in topic_texts.values():
        for text in texts:
            documents += 1
            df.update(set(tokenize(text)))
    base = Corpus(documents=documents, df=dict(df), topics={})
    topics: dict[str, Vector] = {}
    for slug, texts in topic_texts.items():
        total: dict[str, float] = {}
        for text in texts:
            for term, weight in base.vector(text).items():
                total[term] = total.get(term, 0.0) + weight
        topics[slug] = _normalized(total)
    return Corpus(documents=documents, df=dict(df), topics=topics)


def similarity(corpus: Corpus, topic: str, text: str) -> float:
    """Cosine between ``text`` and the topic's centroid (0 for an unknown topic)."""
    centroid = corpus.topics.get(topic)
    if not centroid:
        return 0.0
    vector = corpus.vector(text)
    return sum(w * centroid.get(t, 0.0) for t, w in vector.items())


def citation_bonus(cites_in_topic: int, cites_elsewhere: int) -> float:
    """The bonus for citing listed papers: citing the topic's own papers counts most."""
    return TOPIC_BONUS * min(cites_in_topic, 3) + OTHER_BONUS * min(cites_elsewhere, 2)


def score(
    corpus: Corpus, topic: str, text: str, cites_in_topic: int = 0, cites_elsewhere: int = 0
) -> float:
    """The score of a paper for a topic: similarity plus citation bonus, rounded."""
    value = similarity(corpus, topic, text) + citation_bonus(cites_in_topic, cites_elsewhere)
    return round(value, DIGITS)


def best(candidates: Iterable[Candidate], keep: int = KEEP_PER_TOPIC) -> list[Candidate]:
    """The ``keep`` best candidates of each topic with a score above 0, each paper once
    per topic (the higher-scored copy), best first, ties by arXiv id."""
    chosen: dict[tuple[str, str], Candidate] = {}
    for c in candidates:
        if c.score <= 0:
            continue
        kept = chosen.get((c.topic, c.arxiv))
        if kept is None or (c.score, c.published) > (kept.score, kept.published):
            chosen[(c.topic, c.arxiv)] = c
    by_topic: dict[str, list[Candidate]] = {}
    for c in chosen.values():
        by_topic.setdefault(c.topic, []).append(c)
    out: list[Candidate] = []
    for slug in sorted(by_topic):
        ranked = sorted(by_topic[slug], key=lambda c: (-c.score, c.arxiv))
        out.extend(ranked[:keep])
    return out
