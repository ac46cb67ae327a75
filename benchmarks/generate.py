r"""Deterministic course folders for benchmarks, in two shapes.

``python benchmarks/generate.py DIR --papers 10000`` writes the *synthetic* shape:
DIR/bib/*.bib (10 topics), DIR/bib/course.yml (topics and lectures),
DIR/bib/synced/citations.json (20 references per paper: most to listed papers, some to
outside papers) and DIR/mkdocs.yml. 2-8 authors with LaTeX accents, ~150-word abstracts
with ``$...$`` math (and a formula in about one title in ten), ``@string`` journal macros,
arXiv ids: what an arXiv-era reading list looks like.

``--shape journal`` writes the *real-shaped* library instead: what a long journal
bibliography kept by hand for decades looks like (generated here, not copied from any
file). Per file a header of ``%`` comments, ``@comment`` and ``@preamble`` blocks and
dozens of ``@string`` macros (journals, publishers, some built from others with ``#``);
entries of many types with mixed case (``@Article``, ``@INPROCEEDINGS``) and the odd
parenthesized entry; values braced, quoted (with braces inside) or bare numbers; month
macros (``month = feb``, ``month = jun # "~15"``); ``#`` concatenation; 1 to 40 names
joined by ``and`` in "Last, First", "First von Last", "Last, Jr., First" and
``{Corporate Name}`` forms, some ending in ``and others``; LaTeX accents old and new
(``{\"o}``, ``\'{e}``, ``{\ss}``, ``\v{c}``); ``crossref`` to ``@proceedings``
entries later in the file; the extra fields such bibliographies carry (``fjournal``,
``CODEN``, ``ISSN``, ``journal-URL``, ``acknowledgement = ack-kb``, ``bibsource``,
``bibdate``, ``mrclass``), DOIs, URLs and keywords; about 18 fields per article, and
40-220-word abstracts on about 45% of articles. The same
arguments always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
import re
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
                   f"    description: Synthetic papers on {topic}.",
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


# ---------------------------------------------------------------- the real-shaped library

# Journal macros as the big hand-kept bibliographies write them: a few built from others.
J_STRINGS = [
    ("j-ACTA-INFO", '"Acta Informatica"'),
    ("j-ANN-MATH-STAT", '"Annals of Mathematical Statistics"'),
    ("j-ANN-STAT", '"The Annals of Statistics"'),
    ("j-ANN-PROBAB", '"The Annals of Probability"'),
    ("j-BIOMETRIKA", '"Biometrika"'),
    ("j-COMP-J", '"The Computer Journal"'),
    ("j-IEEE-TRANS-INF-THEORY", 'ieee # " Transactions on Information Theory"'),
    ("j-IEEE-TRANS-NEURAL-NETW", 'ieee # " Transactions on Neural Networks"'),
    ("j-IEEE-TRANS-PAMI", 'ieee # " Transactions on Pattern Analysis and Machine Intelligence"'),
    ("j-J-ACM", '"Journal of the {ACM}"'),
    ("j-J-AM-STAT-ASSOC", '"Journal of the American Statistical Association"'),
    ("j-J-COMPLEXITY", '"Journal of Complexity"'),
    ("j-J-R-STAT-SOC-B", '"Journal of the Royal Statistical Society. Series B (Methodological)"'),
    ("j-J-MACH-LEARN-RES", '"Journal of Machine Learning Research"'),
    ("j-MACH-LEARN", '"Machine Learning"'),
    ("j-MATH-COMPUT", '"Mathematics of Computation"'),
    ("j-MATH-CONTROL-SIGNALS-SYST", '"Mathematics of Control, Signals, and Systems"'),
    ("j-NEURAL-COMPUT", '"Neural Computation"'),
    ("j-NEURAL-NETW", '"Neural Networks"'),
    ("j-NUMER-MATH", '"Numerische Mathematik"'),
    ("j-PROC-NATL-ACAD-SCI-USA", '"Proceedings of the National Academy of Sciences of the '
     'United States of America"'),
    ("j-SIAM-J-COMPUT", 'siam # " Journal on Computing"'),
    ("j-SIAM-J-NUMER-ANAL", 'siam # " Journal on Numerical Analysis"'),
    ("j-SIAM-J-OPTIM", 'siam # " Journal on Optimization"'),
    ("j-SIAM-REV", 'siam # " Review"'),
    ("j-TCS", '"Theoretical Computer Science"'),
    ("j-Z-WAHRSCH-VERW-GEB", '"Zeitschrift f{\\"u}r Wahrscheinlichkeitstheorie und '
     'verwandte Gebiete"'),
]  # fmt: skip
PUBLISHERS = [
    ("pub-ACM", '"ACM Press"'), ("pub-ACM:adr", '"New York, NY, USA"'),
    ("pub-AMS", '"American Mathematical Society"'), ("pub-AMS:adr", '"Providence, RI, USA"'),
    ("pub-SV", '"Spring{\\-}er-Ver{\\-}lag"'), ("pub-SV:adr", '"Berlin, Germany~/ Heidelberg, Germany~/ London, UK~/ etc."'),
    ("pub-MIT", '"MIT Press"'), ("pub-MIT:adr", '"Cambridge, MA, USA"'),
    ("pub-IEEE", 'ieee # " Computer Society Press"'), ("pub-IEEE:adr", '"1109 Spring Street, Suite 300, Silver Spring, MD 20910, USA"'),
]  # fmt: skip
J_GIVEN = [
    "Andr{\\'e}", "J{\\\"u}rgen", "Fran{\\c{c}}oise", "Bernhard", "Vladimir N.", "M. J. D.",
    "Ji{\\v{r}}{\\'\\i}", "S{\\o}ren", "{\\AA}sa", "Gy{\\\"o}rgy", "Jos{\\'e} M.", "Yu.",
    "Peter L.", "Leo", "Grace", "Ulf", "Kurt", "Halbert", "David E.", "R{\\'o}bert",
    "Zolt{\\'a}n", "\\v{S}t{\\v{e}}p{\\'a}n", "Nicol{\\`o}", "Tom\\'{a}\\v{s}", "Maxim",
    "J.", "A. N.", "Dorit", "Wassily", "Ingrid", "{\\'E}va", "Ole E.",
]  # fmt: skip
J_FAMILY = [
    "Vapnik", "Cybenko", "Barron", "Hornik", "Stinchcombe", "White", "Sch{\\\"o}lkopf",
    "M{\\\"u}ller", "Gy{\\\"o}rfi", "Lugosi", "Devroye", "Kolmogorov", "Arnol'd", "Tikhonov",
    "Wahba", "Breiman", "Friedman", "Stone", "Cs{\\'a}ji", "Erd{\\H{o}}s", "R{\\'e}nyi",
    "Ne{\\v{s}}et{\\v{r}}il", "Stra{\\ss}en", "Ko{\\c{c}}", "Pe{\\~n}a", "Br{\\o}ndsted",
    "Daubechies", "Sz{\\'e}kely", "Cesa-Bianchi", "Bart{\\l}omiej", "Hoeffding",
]  # fmt: skip
J_VON = ["van der", "von", "de la", "van", "di", "le"]
J_CORPORATE = ["{IEEE Task Force on Learning Theory}", "{The MNIST Consortium}",
               "{Working Group 2.5}", "{ATLAS Collaboration}"]  # fmt: skip
J_TITLE_WORDS = (
    "approximation by superpositions of a sigmoidal function universal bounds for "
    "stochastic gradient methods on the rate of convergence of regularized least squares "
    "estimates consistency of support vector machines and other regularized kernel "
    "classifiers minimax lower bounds via Fano's inequality learning in the presence of "
    "malicious errors a decision theoretic generalization of online learning "
    "entropy numbers of linear function classes"
).split()
J_TITLE_SPECIAL = [
    "{B}ayesian", "{M}arkov", "{G}aussian", "{$L^p$}", "$\\varepsilon$-entropy",
    "{Vapnik--Chervonenkis}", "{H}ilbert", "{PAC}", "$k$-means", "{B}anach",
    "{\\em a priori}", "{R}ademacher", "$\\ell_1$", "{Lipschitz}",
]  # fmt: skip
J_KEYWORDS = ["neural networks", "approximation theory", "statistical learning",
              "kernel methods", "convex optimization", "VC dimension", "boosting"]  # fmt: skip
J_TYPES = [
    ("Article", 62), ("article", 12), ("ARTICLE", 3), ("InProceedings", 9),
    ("inproceedings", 2), ("Book", 3), ("InCollection", 3), ("TechReport", 2),
    ("PhdThesis", 1), ("Misc", 2), ("Unpublished", 1),
]  # fmt: skip
J_FILES = ["acta", "annals", "jacm", "neural", "siam", "transactions"]
J_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def _j_name(rng: random.Random) -> str:
    form = rng.random()
    given, family = rng.choice(J_GIVEN), rng.choice(J_FAMILY)
    if form < 0.55:
        return f"{family}, {given}"
    if form < 0.80:
        return f"{given} {family}"
    if form < 0.88:
        return f"{given} {rng.choice(J_VON)} {family}"
    if form < 0.93:
        return f"{rng.choice(J_VON)} {family}, {given}"
    if form < 0.97:
        return f"{family}, {rng.choice(['Jr.', 'III', 'Sr.'])}, {given}"
    return rng.choice(J_CORPORATE)


def _j_names(rng: random.Random) -> str:
    roll = rng.random()
    n = (1 if roll < 0.25 else rng.randint(2, 4) if roll < 0.85
         else rng.randint(5, 12) if roll < 0.97 else rng.randint(13, 40))  # fmt: skip
    names = [_j_name(rng) for _ in range(n)]
    if n > 3 and rng.random() < 0.2:
        names.append("others")
    return " and\n                 ".join(names) if n > 6 else " and ".join(names)


def _j_title(rng: random.Random) -> str:
    words = [rng.choice(J_TITLE_WORDS) for _ in range(rng.randint(4, 16))]
    if rng.random() < 0.5:
        words[rng.randrange(len(words))] = rng.choice(J_TITLE_SPECIAL)
    if words[0][0].isalpha():
        words[0] = words[0].capitalize()
    return " ".join(words)


def _j_value(rng: random.Random, text: str) -> str:
    """Braces most of the time, quotes (braces inside allowed) some of the time."""
    return f'"{text}"' if rng.random() < 0.3 and '"' not in text else f"{{{text}}}"


def _j_entry(rng: random.Random, key: str, journals: list[str], crossrefs: list[str]) -> str:
    kind = rng.choices([t for t, _ in J_TYPES], [w for _, w in J_TYPES])[0]
    low = kind.lower()
    year = rng.randint(1943, 2024)
    fields: list[tuple[str, str]] = []
    if low == "book" and rng.random() < 0.3:
        fields.append(("editor", _j_value(rng, _j_names(rng))))
    else:
        fields.append(("author", _j_value(rng, _j_names(rng))))
    title = _j_title(rng)
    fields.append(("title", _j_value(rng, title)))
    if low == "article":
        fields.append(("journal", rng.choice(journals)))
        fields.append(("volume", str(rng.randint(1, 120)) if rng.random() < 0.5
                       else _j_value(rng, str(rng.randint(1, 120)))))  # fmt: skip
        fields.append(("number", _j_value(rng, str(rng.randint(1, 12)))))
        first = rng.randint(1, 2000)
        fields.append(("pages", _j_value(rng, f"{first}--{first + rng.randint(1, 60)}")))
        month = rng.choice(J_MONTHS)
        roll = rng.random()
        if roll < 0.6:
            fields.append(("month", month))
        elif roll < 0.75:
            fields.append(("month", f'{month} # "~{rng.randint(1, 28)}"'))
        elif roll < 0.85:
            fields.append(("month", f'"{month.capitalize()}."'))
        fields.append(("year", str(year) if rng.random() < 0.5 else _j_value(rng, str(year))))
        fields.append(("fjournal", _j_value(rng, "Journal of Something Long and Unabbreviated")))
        # What journal bibliographies kept for decades add to every article.
        code = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(5))
        fields.append(("CODEN", _j_value(rng, code)))
        issn = f"{rng.randint(1000, 9999)}-{rng.randint(100, 999)}X"
        fields.append(("ISSN", _j_value(rng, issn)))
        fields.append(("ISSN-L", _j_value(rng, issn)))
        fields.append(("journal-URL", _j_value(rng, f"http://www.example.org/loi/{code.lower()}")))
        fields.append(("acknowledgement", rng.choice(["ack-kb", 'ack-kb # " and " # ack-rs'])))
        fields.append(
            ("bibsource", _j_value(rng, "http://www.example.org/pub/tex/bib/journals.bib"))
        )
        if rng.random() < 0.4:
            fields.append(("onlinedate", _j_value(rng, f"{rng.randint(1, 28)} {month} {year}")))
    elif low == "inproceedings":
        if crossrefs and rng.random() < 0.7:
            fields.append(("crossref", _j_value(rng, rng.choice(crossrefs))))
        else:
            fields.append(("booktitle", _j_value(rng, f"Proceedings of the {rng.randint(1, 40)}th "
                                                      "Annual Conference on Learning Theory")))  # fmt: skip
            fields.append(("year", str(year)))
        first = rng.randint(1, 600)
        fields.append(("pages", _j_value(rng, f"{first}--{first + rng.randint(5, 20)}")))
    elif low in ("book", "incollection"):
        pub = rng.choice(PUBLISHERS[::2])[0]
        fields.append(("publisher", pub))
        fields.append(("address", pub + ":adr"))
        if low == "incollection":
            fields.append(("booktitle", _j_value(rng, _j_title(rng))))
        fields.append(("year", str(year)))
        fields.append(
            ("ISBN", _j_value(rng, f"0-{rng.randint(100, 999)}-{rng.randint(10000, 99999)}-X"))
        )
    elif low == "techreport":
        fields.append(
            ("institution", _j_value(rng, "Department of Statistics, Stanford University"))
        )
        fields.append(("type", '"Technical Report"'))
        fields.append(("number", _j_value(rng, f"TR-{rng.randint(1, 400)}")))
        fields.append(("year", str(year)))
    elif low == "phdthesis":
        fields.append(("school", _j_value(rng, 'Universit{\\"a}t T{\\"u}bingen')))
        fields.append(("year", str(year)))
    else:
        fields.append(("howpublished", '"Manuscript"' if low == "unpublished" else
                       '"\\url{https://example.org/' + key.replace(":", "/") + '}"'))  # fmt: skip
        fields.append(("note", f'"Preprint, " # {rng.choice(J_MONTHS)} # " {year}"'))
        fields.append(("year", str(year)))
    if rng.random() < 0.5:
        fields.append(
            ("DOI", _j_value(rng, f"10.{rng.randint(1000, 9999)}/{key.lower().replace(':', '.')}"))
        )
    if rng.random() < 0.3:
        fields.append(
            (
                "URL",
                _j_value(rng, f"http://www.example.org/~{key.split(':')[0].lower()}/{key}.ps.gz"),
            )
        )
    if rng.random() < 0.4:
        fields.append(("MRclass", _j_value(rng, f"{rng.randint(10, 99)}A{rng.randint(10, 99)}")))
        fields.append(
            ("MRnumber", _j_value(rng, f"{rng.randint(10, 99)} \\#{rng.randint(1000, 9999)}"))
        )
    if rng.random() < 0.35:
        fields.append(("keywords", _j_value(rng, "; ".join(rng.sample(J_KEYWORDS, 3)))))
    if rng.random() < (0.45 if low == "article" else 0.1):
        words = [rng.choice(J_TITLE_WORDS) for _ in range(rng.randint(40, 220))]
        fields.append(("abstract", _j_value(rng, " ".join(words) + ".")))
    fields.append(("bibdate", f'"{rng.choice(["Mon", "Tue", "Thu"])} {rng.choice(J_MONTHS).capitalize()} '
                              f'{rng.randint(1, 28):2d} 10:{rng.randint(10, 59)}:00 MST {rng.randint(1994, 2024)}"'))  # fmt: skip
    width = max(len(n) for n, _ in fields)
    sep = "\t" if rng.random() < 0.1 else "  "
    body = ",\n".join(f"{sep}{n.ljust(width)} = {v}" for n, v in fields)
    if rng.random() < 0.02:
        return f"@{kind}({key},\n{body}\n)"
    return f"@{kind}{{{key},\n{body},\n}}"


def generate_journal(root: Path, papers: int, seed: int = 408) -> None:
    """Write a real-shaped course of ``papers`` entries below ``root`` (see the module)."""
    rng = random.Random(seed)
    bib = root / "bib"
    bib.mkdir(parents=True, exist_ok=True)
    journals = [name for name, _ in J_STRINGS]
    keys: list[str] = []
    per_file = -(-papers // len(J_FILES))
    for f, slug in enumerate(J_FILES):
        count = min(per_file, papers - f * per_file)
        proceedings = [f"COLT:{1960 + 10 * f + n}" for n in range(max(1, count // 200))]
        head = [
            f"%%% -*-BibTeX-*-\n%%% ====================================================\n"
            f'%%%  BibTeX-file{{\n%%%     filename        = "{slug}.bib",\n'
            f'%%%     version         = "{1 + f}.{rng.randint(10, 99)}",\n'
            f'%%%     checksum        = "{rng.randint(10000, 99999)} {count * 17} '
            f'{count * 90}",\n%%%     docstring       = "A generated, real-shaped '
            f'bibliography (benchmarks/generate.py)."\n%%%  }}\n'
            "%%% ====================================================",
            '@Preamble{"\\input bibnames.sty" #\n  "\\def \\TM {${}^{\\sc TM}$}" #\n'
            '  "\\ifx \\undefined \\mathbb \\def \\mathbb #1{{\\bf #1}}\\fi"}',
            "@Comment{Journal abbreviations; the publishers come after.}",
            '@String{ack-kb = "A. Keeper, Department of Mathematics, Example University, '
            '1 University Road, Exampleton, EX 00000, Nowhere"}'
            '\n@String{ack-rs = "R. Second"}',
            '@String{ieee = "IEEE"}\n@String{siam = "SIAM"}',
            "\n".join(f"@String{{{n:<28}= {v}}}" for n, v in J_STRINGS),
            "\n".join(f"@String{{{n:<28}= {v}}}" for n, v in PUBLISHERS),
        ]
        entries = []
        for i in range(count):
            n = f * per_file + i
            family = rng.choice(J_FAMILY)
            plain = re.sub(r"\\[A-Za-z]+|\\.|[^A-Za-z]", "", family)
            key = f"{plain}:{1943 + n % 80}:{'ABCDEFGHJKLMNPQRSTUVWXYZ'[n % 24]}{n}"
            keys.append(key)
            entries.append(_j_entry(rng, key, journals, proceedings))
            if rng.random() < 0.01:
                entries.append(
                    f"% Entry {key} checked against the printed volume {rng.randint(1, 99)}."
                )
        # Cross-referenced proceedings come last, as BibTeX wants.
        for p in proceedings:
            year = p.split(":")[1]
            entries.append(
                f"@Proceedings{{{p},\n  editor    = {{Haussler, David and Pitt, Leonard}},\n"
                f"  booktitle = {{Proceedings of the {year} Workshop on Computational Learning "
                f"Theory}},\n  title     = {{Proceedings of the {year} Workshop on "
                f"Computational Learning Theory}},\n  publisher = pub-ACM,\n"
                f"  address   = pub-ACM:adr,\n  year      = {{{year}}},\n}}"
            )
        text = "\n\n".join(head) + "\n\n" + "\n\n".join(entries) + "\n"
        (bib / f"{slug}.bib").write_text(text, encoding="utf-8")

    course = ["course:", "  title: Real-shaped Seminar", "  number: BENCH-2", "topics:"]
    for slug in J_FILES:
        course += [f"  - slug: {slug}", f"    title: {slug.title()}",
                   f"    description: Papers of the {slug} bibliography."]  # fmt: skip
    course.append("lectures:")
    for n in range(1, 13):
        chosen = keys[(n - 1) * 7 : n * 7]
        course += [
            f"  - number: {n}", f"    date: 2021-{2 + (n + 1) // 4:02d}-{1 + (n * 7) % 28:02d}",
            f"    title: Lecture {n}", f"    topics: [{J_FILES[(n - 1) % len(J_FILES)]}]",
            f"    required: [{', '.join(repr(k) for k in chosen[:3])}]",
            f"    optional: [{', '.join(repr(k) for k in chosen[3:])}]",
        ]  # fmt: skip
    (bib / "course.yml").write_text("\n".join(course) + "\n", encoding="utf-8")
    (root / "mkdocs.yml").write_text(site_config("Real-shaped Seminar"), encoding="utf-8")
    (root / "docs").mkdir(exist_ok=True)
    (root / "docs" / "index.md").write_text("# Real-shaped Seminar\n", encoding="utf-8")


def main() -> None:
    """Command line: write a course folder of either shape."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--papers", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=408)
    parser.add_argument("--refs", type=int, default=20)
    parser.add_argument(
        "--shape", choices=["synthetic", "journal"], default="synthetic",
        help="synthetic: arXiv-era reading list; journal: a long journal bibliography",
    )  # fmt: skip
    args = parser.parse_args()
    if args.shape == "journal":
        generate_journal(args.root, args.papers, args.seed)
    else:
        generate(args.root, args.papers, args.seed, args.refs)


if __name__ == "__main__":
    main()
