"""BibTeX text -> entries, loss-free, with lines; names split BibTeX's way."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pybtex.database import parse_string as pybtex_parse

from readinglist.bibtex import decode_bib, format_entry, parse_bib, parse_names, raw_fields
from readinglist.errors import BibSyntaxError

SAMPLE = r"""% a comment line
@string{jmlr = "Journal of Machine Learning Research"}

@article{smith2020,
  author = {de la Vall{\'e}e Poussin, Jr, Charles and {Google Research} and others},
  title = {The {P}ower of $\lambda_{\max}$: 12\% better},
  journal = jmlr # " (JMLR)",
  month = jan,
  year = 2020,
  url = {https://example.org/a_b~c%20d#frag},
}

@comment{jabref-meta: databaseType:bibtex;}

@inproceedings(paren2019,
  title = "Quoted {"}value{"}",
  year = {2019}
)
"""


def test_fields_are_kept_as_written() -> None:
    parsed = parse_bib(SAMPLE, "x.bib")
    assert [e.key for e in parsed.entries] == ["smith2020", "paren2019"]
    first = dict(parsed.entries[0].fields)
    assert first["title"] == r"The {P}ower of $\lambda_{\max}$: 12\% better"
    assert first["journal"] == "Journal of Machine Learning Research (JMLR)"
    assert first["month"] == "January"
    assert first["year"] == "2020"
    assert first["url"] == "https://example.org/a_b~c%20d#frag"
    assert [name for name, _ in parsed.entries[0].fields] == [
        "author", "title", "journal", "month", "year", "url",
    ]  # fmt: skip
    assert dict(parsed.entries[1].fields)["title"] == 'Quoted {"}value{"}'


def test_lines_of_entries_and_fields() -> None:
    parsed = parse_bib(SAMPLE, "x.bib")
    assert parsed.entries[0].line == 4
    assert parsed.entries[0].field_lines[:2] == (5, 6)
    assert parsed.entries[1].line == 15


def test_duplicate_field_keeps_first_and_reports() -> None:
    parsed = parse_bib("@misc{a,\n title = {One},\n title = {Two},\n}\n", "x.bib")
    assert dict(parsed.entries[0].fields)["title"] == "One"
    assert [(p.line, p.code) for p in parsed.problems] == [(3, "duplicate-field")]
    # Names compare without case; the fields kept keep their lines.
    parsed = parse_bib("@misc{a,\n title = {One},\n year = 1,\n TITLE = {Two}, x = 2}", "x.bib")
    entry = parsed.entries[0]
    assert entry.fields == (("title", "One"), ("year", "1"), ("x", "2"))
    assert entry.field_lines == (2, 3, 4)
    assert [(p.line, p.code) for p in parsed.problems] == [(4, "duplicate-field")]


def test_names_split_bibtex_way() -> None:
    people = parse_names(r"de la Vall{\'e}e Poussin, Jr, Charles and {Google Research} and others")
    assert people[0].von == "de la"
    assert people[0].last == r"Vall{\'e}e Poussin"
    assert people[0].jr == "Jr"
    assert people[0].first == "Charles"
    assert people[0].display == "Charles de la Vallée Poussin, Jr"
    assert people[1].is_corporate and people[1].display == "Google Research"
    assert people[2].is_others and people[2].display == "et al."


def test_first_last_order_and_middle_names() -> None:
    (p,) = parse_names("Donald E. Knuth")
    assert (p.first, p.last) == ("Donald E.", "Knuth")


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("@article{a,\n  title = {Unbalanced,\n  year = 2020,\n}\n", 2,
         "unbalanced brace: the value of field 'title' on line 2 takes in the fields after it"),
        ("@article{a,\n  title = {Unclosed,\n  year = 2020,\n\n@misc{b, title = {B}}\n", 2,
         "runs into the next entry"),
        ('@article{a,\n  title = "Unclosed,\n  year = 2020,\n}\n', 2, "unclosed quote"),
        ("@article{a,\n  title = {x}\n  year = {2020},\n}\n", 2,
         "missing comma after the field on line 2?"),
        ("@article{a,\n  title {x},\n}\n", 2, "'=' missing after field name 'title' on line 2?"),
        ("@article{a,\n  title = {x},\n", 2, "entry 'a' is not closed before the next entry"),
        ("@article{a b,\n  title = {x},\n}\n", 1, "a key cannot hold spaces"),
        ("@Article{,\n  title = {x},\n}\n", 1, "without a key"),
    ],
)  # fmt: skip
def test_an_unreadable_entry_is_one_problem_with_its_line_and_a_hint(
    text: str, line: int, fragment: str
) -> None:
    good = "@misc{good, title = {Good}} "  # on the same line: the lines stay as written
    offset = 0
    parsed = parse_bib(good + text + "\n" + good.replace("good", "after"), "bib/x.bib")
    [problem] = parsed.problems
    assert problem.severity == "error" and problem.line == line + offset, problem
    assert fragment in problem.message
    # The entries around it are read.
    assert [e.key for e in parsed.entries][0] == "good"
    assert [e.key for e in parsed.entries][-1] == "after"


def test_an_undefined_macro_is_a_warning_and_reads_as_empty() -> None:
    parsed = parse_bib("@article{a,\n  journal = nosuchmacro,\n  year = 2020,\n}\n", "x")
    assert parsed.entries[0].fields == (("journal", ""), ("year", "2020"))
    [problem] = parsed.problems
    assert (problem.line, problem.code, problem.severity) == (2, "undefined-macro", "warning")
    assert "nosuchmacro" in problem.message


def test_deep_braces_are_read_without_recursion() -> None:
    text = "@misc{k, title = {" + "{" * 10000 + "x" + "}" * 10000 + "}}\n"
    [entry] = parse_bib(text, "x").entries
    assert entry.fields[0][1].count("{") == 10000


def test_raw_fields_keep_every_value_as_written() -> None:
    text = (
        '@string{jn = "J. Mach. Learn."}\n'
        "@Article{K,\n  Journal = jn # { Res.},\n  month = feb,\n  year = 2001,\n"
        '  pages = "1--2",\n  title = {{B}races {\\"o}},\n}\n'
    )
    [entry] = parse_bib(text, "x").entries
    assert raw_fields(entry.text) == [
        ("Journal", "jn # { Res.}"), ("month", "feb"), ("year", "2001"),
        ("pages", '"1--2"'), ("title", '{{B}races {\\"o}}'),
    ]  # fmt: skip
    assert dict(entry.fields)["Journal"] == "J. Mach. Learn. Res."
    assert dict(entry.fields)["month"] == "February"
    assert [d.name for d in entry.strings] == ["jn"]
    assert entry.text.startswith("@Article{K,") and entry.text.endswith("}")


def test_decode_handles_bom_crlf_and_cr() -> None:
    assert decode_bib(b"\xef\xbb\xbf@misc{a,}\r\n", "f") == "@misc{a,}\n"
    assert decode_bib(b"a\rb\r\nc", "f") == "a\nb\nc"


def test_decode_rejects_latin1_and_nul_with_line() -> None:
    with pytest.raises(BibSyntaxError) as info:
        decode_bib(b"@misc{a,\n author = {Sch\xf6lkopf},\n}\n", "f.bib")
    assert info.value.line == 2 and "UTF-8" in info.value.message
    with pytest.raises(BibSyntaxError) as info:
        decode_bib(b"\n\n@misc{a,\x00}", "f.bib")
    assert info.value.line == 3


def test_format_entry_reparses_to_the_same_fields() -> None:
    parsed = parse_bib(SAMPLE, "x.bib")
    for entry in parsed.entries:
        text = format_entry(entry.entry_type, entry.key, entry.fields)
        again = parse_bib(text, "y.bib").entries[0]
        assert again.fields == entry.fields
        assert again.key == entry.key


field_values = st.text(
    alphabet=st.characters(blacklist_characters="{}\\@\0\r", blacklist_categories=("Cs",)),
    max_size=40,
).map(lambda s: s.strip())


@given(st.lists(st.tuples(st.sampled_from(["title", "note", "journal", "x-y"]), field_values),
                max_size=4, unique_by=lambda t: t[0]))  # fmt: skip
def test_round_trip_through_our_writer(fields: list[tuple[str, str]]) -> None:
    fields = [(n, " ".join(v.split())) for n, v in fields if v.strip()]
    text = format_entry("misc", "k", fields)
    again = parse_bib(text, "x.bib").entries[0]
    assert list(again.fields) == fields
    # pybtex agrees on what we wrote.
    assert pybtex_parse(text, "bibtex").entries["k"].fields.keys() == {n for n, _ in fields}


name_words = st.sampled_from(
    ["Ada", "Lovelace", "van", "der", "de", "la", "Jr", "{Google Research}", r"{\'E}mile",
     r"Erd{\H{o}}s", "von", "Knuth", "E.", "d'Alembert", r"{\v{S}}ik", "Ng", "{de la}"]
)  # fmt: skip


@given(
    st.lists(
        st.tuples(st.lists(name_words, min_size=1, max_size=4), st.integers(0, 2)),
        min_size=1,
        max_size=4,
    )
)
def test_name_splitting_agrees_with_pybtex(names: list[tuple[list[str], int]]) -> None:
    from pybtex.database import Person as PybtexPerson

    rendered = []
    for words, commas in names:
        if commas and len(words) > commas:
            cut = len(words) - commas
            parts = [" ".join(words[:cut])] + words[cut:]
            rendered.append(", ".join(parts))
        else:
            rendered.append(" ".join(words))
    raw = " and ".join(rendered)
    ours = parse_names(raw)
    assert len(ours) == len(rendered)
    for text, person in zip(rendered, ours, strict=True):
        ref = PybtexPerson(text)
        expected = (
            " ".join(ref.first_names + ref.middle_names),
            " ".join(ref.prelast_names),
            " ".join(ref.last_names),
            " ".join(ref.lineage_names),
        )
        assert (person.first, person.von, person.last, person.jr) == expected, text


def test_comment_bodies_are_skipped_whole() -> None:
    text = (
        "@Comment{jabref-meta: fileDirectory-moitra@laptop:/home/x;}\n"
        "@misc{k1, title = {T}}\n"
        "@comment{nested {braces} and @misc{fake, title={no}} inside}\n"
        "@misc{k2,\n  title = {U}}\n"
    )
    parsed = parse_bib(text, "x.bib")
    assert [(e.key, e.line) for e in parsed.entries] == [("k1", 2), ("k2", 4)]


def test_a_file_that_ends_inside_an_entry_says_which_delimiter_is_missing() -> None:
    parsed = parse_bib("@misc{good, title = {Good}}\n@article{a,\n  title = {x},\n", "x.bib")
    [problem] = parsed.problems
    assert problem.line == 3
    expected = "the file ends inside entry 'a' (a '}' missing after the field on line 3?)"
    assert expected in problem.message
    assert [e.key for e in parsed.entries] == ["good"]
