"""A deterministic synthetic course folder for benchmarks.

``python benchmarks/generate.py DIR --papers 10000`` writes DIR/bib/*.bib (10 topics),
DIR/bib/course.yml (topics and lectures), DIR/bib/synced/citations.json (20 references
per paper: most to listed papers, some to outside papers) and DIR/mkdocs.yml. Realistic:
2-8 authors with LaTeX accents, ~150-word abstracts with ``$...$`` math (and a formula in
about one title in ten), ``@string``
journal macros, arXiv ids. The same arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

TOPICS = [
    "approximation", "depth", "landscape", "implicit", "kernels",
    "generalization", "robustness", "lower-bounds", "optimization", "transformers",
]  # fmt: skip
GIVEN = [
    "Ana", "Bj{\\\"o}rn", "C{\\'e}line", "Dmitri", "{\\'E}mile", "Fran{\\c{c}}ois", "G{\\\"u}nter",
    "H{\\aa}kon", "Ines", "Ji{\\v{r}}{\\'i}", "Karl", "L{\\'a}szl{\\'o}", "Mar{\\'i}a", "Nils",
    "{\\O}ystein", "Pál", "Quentin", "Ren{\\'e}e", "S{\\o}ren", "Tom{\\'a}{\\v{s}}", "Ulrike",
]  # fmt: skip
FAMILY = [
    "Erd{\\H{o}}s", "Sch{\\\"o}lkopf", "M{\\\"u}ller", "Garc{\\'i}a", "Nguyen", "Smith", "Dvo{\\v{r}}{\\'a}k",
    "Ko{\\c{c}}", "Jacot", "Chen", "Wang", "Barron", "de la Cruz", "van der Berg", "O'Neil",
    "Kowalski", "Rossi", "Tanaka", "Svensson", "Petrov", "Hongler", "Ng",
]  # fmt: skip
WORDS = (
    "we show that gradient descent on overparameterized networks converges to a global minimum "
    "of the training loss and that the learned function generalizes with a bound that depends "
    "on the norm of the weights rather than on the number of parameters the analysis relies on "
    "a kernel regime in which features barely move and on a margin argument for separable data "
    "we also prove lower bounds showing that no statistical query algorithm can learn this class "
    "with polynomially many queries and we discuss implications for depth separation results"
).split()
MATH = [
    "$O(\\sqrt{n})$", "$\\lambda_{\\min}(H) > 0$", "$\\epsilon$", "$L^2(\\mu)$",
    "$\\mathbb{R}^d$", "$\\|W\\|_F$", "$e^{-t}$", "$d \\ge 2$",
]  # fmt: skip
JOURNALS = {
    "jmlr": "Journal of Machine Learning Research",
    "tit": "IEEE Transactions on Information Theory",
    "aos": "Annals of Statistics",
}


def _abstract(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(150)]
    for i in range(3):
        words[rng.randrange(len(words))] = MATH[(i + rng.randrange(8)) % len(MATH)]
    return " ".join(words)


def _arxiv_id(i: int) -> str:
    year = 15 + (i // 90000)
    month = 1 + (i // 7500) % 12
    return f"{year:02d}{month:02d}.{10000 + i % 90000:05d}"


REPO = Path(__file__).resolve().parents[1]


def site_config(name: str, *, plugin: bool = True) -> str:
    """The bundled course's mkdocs.yml with another site name (and, for the plain
    baseline, without the readinglist plugin), so both sites render alike."""
    lines = []
    for line in (REPO / "mkdocs.yml").read_text(encoding="utf-8").splitlines():
        if line.startswith("site_name:"):
            line = f"site_name: {name}"
        elif line.startswith("site_description:"):
            continue
        elif line.strip() == "- readinglist" and not plugin:
            continue
        lines.append(line)
    return "\n".join(lines) + "\n"


def generate(root: Path, papers: int, seed: int = 408, refs: int = 20) -> None:
    """Write a synthetic course of ``papers`` papers below ``root``."""
    rng = random.Random(seed)
    bib = root / "bib"
    (bib / "synced").mkdir(parents=True, exist_ok=True)
    keys: list[str] = []
    files: dict[str, list[str]] = {t: [] for t in TOPICS}
    for i in range(papers):
        topic = TOPICS[i % len(TOPICS)]
        key = f"p{i:05d}"
        keys.append(key)
        n_auth = rng.randint(2, 8)
        authors = " and ".join(f"{rng.choice(FAMILY)}, {rng.choice(GIVEN)}" for _ in range(n_auth))
        # About one title in ten carries a formula, as in arXiv's cs.LG and stat.ML.
        subject = rng.choice(MATH) if rng.random() < 0.1 else rng.choice(WORDS)
        title = (
            f"On {rng.choice(WORDS)} {rng.choice(WORDS)} of {subject} {{ReLU}} networks, part {i}"
        )
        kind = rng.random()
        lines = [f"@{'article' if kind < 0.4 else 'misc'}{{{key},", f"  author = {{{authors}}},"]
        lines.append(f"  title = {{{title}}},")
        if kind < 0.4:
            lines.append(f"  journal = {rng.choice(list(JOURNALS))},")
            lines.append(f"  volume = {{{rng.randint(1, 60)}}},")
            lines.append(f"  pages = {{{rng.randint(1, 500)}--{rng.randint(501, 900)}}},")
        lines.append(f"  year = {{{2015 + (i // 90000) + rng.randint(0, 5)}}},")
        lines.append(f"  eprint = {{{_arxiv_id(i)}}},")
        lines.append("  archivePrefix = {arXiv},")
        lines.append(f"  abstract = {{{_abstract(rng)}}},")
        lines.append("}")
        files[topic].append("\n".join(lines))
    macros = "".join(f'@string{{{k} = "{v}"}}\n' for k, v in JOURNALS.items())
    for topic, entries in files.items():
        text = f"% synthetic topic {topic}\n{macros}\n" + "\n\n".join(entries) + "\n"
        (bib / f"{topic}.bib").write_text(text, encoding="utf-8")

    citations = []
    external: dict[str, dict[str, object]] = {}
    for i, key in enumerate(keys):
        for r in range(refs):
            if r < refs - 3 or papers < 50:
                j = rng.randrange(papers)
                if j == i:
                    continue
                cited = keys[j]
            else:
                n = rng.randrange(max(1, papers // 5))
                cited = f"s2:ext{n:06d}"
                external[cited] = {"id": cited, "title": f"Outside paper {n}", "year": 2010,
                                   "ids": {"s2": f"ext{n:06d}"}}  # fmt: skip
            citations.append(
                {
                    "citing": key,
                    "cited": cited,
                    "evidence": "semanticscholar",
                    "note": "",
                    "source": "synthetic",
                }  # fmt: skip
            )
    unique = {(c["citing"], c["cited"], c["evidence"]): c for c in citations}
    data = {"format": 1, "citations": [unique[k] for k in sorted(unique)],
            "external": dict(sorted(external.items()))}  # fmt: skip
    (bib / "synced" / "citations.json").write_text(
        json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8"
    )

    course = ["course:", "  title: Synthetic Seminar", "  number: BENCH-1", "topics:"]
    for topic in TOPICS:
        course += [f"  - slug: {topic}", f"    title: {topic.title()}",
                   f"    arxiv_query: 'abs:\"{topic}\"'"]  # fmt: skip
    course.append("lectures:")
    per = max(1, min(6, papers // 24))
    for n in range(1, 13):
        start = (n - 1) * per
        chosen = keys[start : start + per]
        course += [
            f"  - number: {n}",
            f"    date: 2021-{2 + (n + 1) // 4:02d}-{1 + (n * 7) % 28:02d}",
            f"    title: Lecture {n}",
            f"    topics: [{TOPICS[(n - 1) % len(TOPICS)]}]",
            f"    required: [{', '.join(chosen[: max(1, per // 2)])}]",
            f"    optional: [{', '.join(chosen[max(1, per // 2) :])}]",
        ]
    (bib / "course.yml").write_text("\n".join(course) + "\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(site_config("Synthetic Seminar"), encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Synthetic Seminar\n", encoding="utf-8")


def main() -> None:
    """Command line: write a synthetic course folder."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=408)
    parser.add_argument("--refs", type=int, default=20)
    args = parser.parse_args()
    generate(args.root, args.papers, args.seed, args.refs)


if __name__ == "__main__":
    main()
