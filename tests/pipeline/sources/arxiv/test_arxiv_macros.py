"""The macro expander on inline LaTeX: definitions found and removed, uses expanded."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.sources.arxiv.latex_macros import expand_macros, find_definitions, recursive


def clean(source: str, depth: int = 16, chars: int = 1 << 20) -> str:
    found = find_definitions(source)
    return expand_macros(found.text, found.macros, depth, chars).text


def test_two_arguments_with_an_optional_default() -> None:
    source = "\\newcommand{\\opt}[2][p]{\\|#2\\|_{#1}}\n$\\opt{x}$ and $\\opt[2]{y}$"
    assert clean(source) == "$\\|x\\|_{p}$ and $\\|y\\|_{2}$"


def test_a_macro_whose_body_uses_another_is_expanded_to_the_end() -> None:
    source = (
        "\\newcommand{\\vect}[1]{\\mathbf{#1}}\n\\newcommand{\\loss}{\\mathcal{L}(\\vect{w})}\n"
        "\\def\\twice#1{\\loss+\\loss_{#1}}\n$\\twice{i}$"
    )
    assert clean(source) == "$\\mathcal{L}(\\mathbf{w})+\\mathcal{L}(\\mathbf{w})_{i}$"


def test_delimited_def_takes_the_text_up_to_its_delimiter() -> None:
    assert clean("\\def\\foo#1.{[#1]}\n\\foo abc {x.y}. rest") == "[abc {x.y}] rest"
    assert clean("\\def\\pt(#1,#2){P_{#1}^{#2}}\n$\\pt(a,{b,c})$") == "$P_{a}^{b,c}$"
    assert (
        clean("\\long\\def\\norm#1{\\left\\|#1\\right\\|}\n$\\norm v$") == "$\\left\\|v\\right\\|$"
    )


def test_declare_math_operator_becomes_operatorname() -> None:
    source = "\\DeclareMathOperator{\\Tr}{Tr}\n\\DeclareMathOperator*{\\argmax}{arg\\,max}\n"
    assert clean(source + "$\\Tr A = \\argmax_x f$") == (
        "$\\operatorname{Tr} A = \\operatorname*{arg\\,max}_x f$"
    )


def test_starred_renew_provide_and_let() -> None:
    source = (
        "\\newcommand*{\\half}{\\frac{1}{2}}\n\\newcommand\\R{\\mathbb{R}}\n"
        "\\renewcommand{\\R}{\\mathbf{R}}\n\\providecommand{\\R}{ignored}\n"
        "\\providecommand{\\C}{\\mathbb{C}}\n\\let\\reals=\\R\n$\\half \\R \\C \\reals$"
    )
    assert clean(source) == "$\\frac{1}{2} \\mathbf{R} \\mathbb{C} \\mathbf{R}$"


def test_names_are_whole_control_words_and_escaped_backslashes_are_not_uses() -> None:
    source = "\\newcommand{\\R}{\\mathbb{R}}\n$\\R \\Rightarrow \\R^n$ a\\\\R"
    assert clean(source) == "$\\mathbb{R} \\Rightarrow \\mathbb{R}^n$ a\\\\R"


def test_definitions_disappear_also_in_the_body() -> None:
    out = clean("Text.\n\\def\\x{y}\nMore \\x.\n\\newcommand{\\z}[1]{#1!}\n\\z{w}")
    assert out == "Text.\nMore y.\nw!"
    assert "\\def" not in out and "\\newcommand" not in out


def test_recursion_stops_at_the_depth_limit_and_a_bomb_at_the_size_limit() -> None:
    assert clean("\\def\\a{\\a}\nx \\a y", depth=5) == "x \\a y"
    found = find_definitions("\\def\\a{\\a\\a}\nx \\a y")
    result = expand_macros(found.text, found.macros, 40, 10_000)
    assert not result.complete and result.text == "x \\a y"


def test_a_definition_inside_a_group_or_environment_goes_unexpanded_and_counted() -> None:
    # TeX Live's uwthesis: each \{ of the paper became \ttfamily\char123 (16 times over)
    found = find_definitions(
        "\\newenvironment{demo}{\\def\\{{\\ttfamily\\char123}}{}\n"
        "\\begin{frame}\\newcommand{\\x}{X}\\end{frame}\n{\\def\\y{Y}}\n"
        "}\\def\\top{T}\n\\begin{document}\\def\\doc{D}\n$\\{a\\}$ \\x \\y \\top \\doc"
    )
    assert set(found.macros) == {"top", "doc"} and found.skipped["in_group"] == 3
    out = expand_macros(found.text, found.macros, 16, 1 << 20).text
    assert out.endswith("$\\{a\\}$ \\x \\y T D") and "ttfamily" not in out


def test_an_environment_left_open_inside_another_closes_with_it() -> None:
    # elsarticle's manual shows a \begin{enumerate} in a listing-like vquote it never ends
    found = find_definitions("\\begin{vquote}\\begin{enumerate}\\end{vquote}\n\\def\\x{X}\\x")
    assert found.macros["x"].body == "X" and not found.skipped


def test_macros_whose_expansion_reaches_themselves_are_found() -> None:
    found = find_definitions(
        "\\def\\{{\\ttfamily\\char`\\{}\n\\def\\a{\\b!}\\def\\b{\\a?}\\def\\c{\\a}\n"
        "\\let\\orig\\LaTeX\n\\renewcommand{\\LaTeX}{\\mbox{\\orig}}\n\\def\\ok{\\\\ok}"
    )
    assert recursive(found.macros) == {"{", "a", "b"}  # \c only leads into a loop


def test_latex_internals_are_removed_but_not_expanded() -> None:
    source = "\\renewcommand\\section{\\@startsection{section}{1}{\\z@}{1ex}{1ex}{\\bf}}\n"
    assert clean(source + "\\section{Intro}") == "\\section{Intro}"


def test_a_use_without_its_arguments_is_left_as_it_is() -> None:
    assert clean("\\newcommand{\\p}[2]{(#1,#2)}\nend \\p{a}") == "end \\p{a}"


@given(st.text(alphabet="ab {}\\$%#^_[]1\n", max_size=60))
def test_text_without_definitions_is_unchanged(text: str) -> None:
    if "def" not in text and "command" not in text and "let" not in text:
        assert clean(text) == text


@given(st.lists(st.sampled_from(["x", "y", "{z}", "\\q", " "]), max_size=8))
def test_every_use_of_a_defined_macro_goes(args: list[str]) -> None:
    body = " ".join(f"\\m{{{a}}}" for a in args)
    out = clean("\\newcommand{\\m}[1]{<#1>}\n" + body)
    assert "\\m{" not in out and "\\newcommand" not in out
