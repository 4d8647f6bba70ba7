"""Comments, the main file, includes and the body cut, on inline LaTeX."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from pipeline.sources.arxiv.latex import (
    choose_main,
    cut_body,
    inline,
    protect_verbatim,
    strip_comments,
    tidy,
    without_bibliography_commands,
)


def test_comments_go_and_escaped_percent_signs_stay() -> None:
    source = "Gain 12\\% here. % a comment\nnext line\n% whole line\nlast\n"
    assert strip_comments(source) == "Gain 12\\% here. \nnext line\nlast\n"


def test_the_character_before_a_comment_is_kept_and_so_is_its_newline() -> None:
    # RedPajama's [^\\]%.+$ ate the "x" of "x%"
    assert strip_comments("ab x% c\nd") == "ab x\nd"
    assert strip_comments("line break\\\\% comment\nnext") == "line break\\\\\nnext"


def test_a_trailing_comment_does_not_glue_the_documentclass_to_the_line_before() -> None:
    # aomart's and ijmart's samples (TeX Live) start like this: one was dropped, no main file
    source = (
        "% a comment line\n\\NeedsTeXFormat{LaTeX2e}% LaTeX 2.09 can't be used\n"
        "[1994/12/01]% LaTeX date\n\\documentclass{aomart}\n\\begin{document}\n"
    )
    stripped = strip_comments(source)
    assert stripped.startswith("\\NeedsTeXFormat{LaTeX2e}\n[1994/12/01]\n\\documentclass{aomart}\n")
    assert choose_main({"paper.tex": stripped}) == "paper.tex"
    # not at a line start either
    assert (
        choose_main({"p.tex": "\\NeedsTeXFormat{LaTeX2e}[1994/12/01]\\documentclass{x}"}) == "p.tex"
    )


def test_a_comment_before_a_blank_line_keeps_the_paragraph_break() -> None:
    assert strip_comments("end.% c\n\nNew paragraph") == "end.\n\nNew paragraph"


def test_verbatim_and_verb_keep_their_percent_signs() -> None:
    source = "\\verb|100%| sure % gone\n\\begin{verbatim}\n% kept\n\\end{verbatim}\n"
    assert (
        strip_comments(source) == "\\verb|100%| sure \n\\begin{verbatim}\n% kept\n\\end{verbatim}\n"
    )
    assert strip_comments("a\n\\begin{comment}\nhidden\n\\end{comment}\nb") == "a\n\nb"


@given(st.text(alphabet="ab %\\\n", max_size=40))
def test_no_unescaped_percent_survives(text: str) -> None:
    out = strip_comments(text)
    for i, char in enumerate(out):
        if char == "%":
            backslashes = len(out[:i]) - len(out[:i].rstrip("\\"))
            assert backslashes % 2 == 1


def test_the_main_file_has_a_documentclass_outside_comments() -> None:
    files = {
        "notes.tex": strip_comments("% \\documentclass{article}\nnotes\n"),
        "verb.tex": strip_comments("Use \\verb|\\documentclass| first.\n"),
        "fancyvrb.tex": strip_comments("Load it: \\Verb+\\documentclass[index]{x}+.\n"),
        "paper.tex": "\\documentstyle[12pt]{article}\n\\begin{document}x\\end{document}\n",
    }
    assert choose_main(files) == "paper.tex"
    assert choose_main({"a.tex": "no class"}) is None


def test_between_two_documents_the_one_that_includes_the_others_wins() -> None:
    files = {
        "a/template.tex": "\\documentclass{article}\n",
        "zz.tex": "\\documentclass{article}\n\\input{intro}\n\\include{b}\n",
        "intro.tex": "Intro.",
        "b.tex": "B.",
    }
    assert choose_main(files) == "zz.tex"


def test_includes_are_inlined_recursively_with_or_without_extension() -> None:
    files = {
        "main.tex": "A \\input{s/one} B \\include{two.tex} C \\input three D",
        "s/one.tex": "one[\\input{s/nested}]",
        "s/nested.tex": "nested",
        "two.tex": "two",
        "three.tex": "three",
    }
    result = inline("main.tex", files, 8)
    assert result.text == "A one[nested] B \ntwo\n C three D"
    assert result.files == ["main.tex", "s/one.tex", "s/nested.tex", "two.tex", "three.tex"]


def test_cycles_depth_and_paths_outside_the_paper_are_left_out() -> None:
    files = {
        "main.tex": "m \\input{a} \\input{../evil} \\input{/etc/x}",
        "a.tex": "a \\input{main}",
    }
    result = inline("main.tex", files, 8)
    assert result.text == "m a   " and result.cycles == 1
    assert result.missing == ["../evil", "/etc/x"]
    chain = {f"f{i}.tex": f"{i} \\input{{f{i + 1}}}" for i in range(10)}
    deep = inline("f0.tex", chain, 3)
    assert deep.text.split() == ["0", "1", "2"] and deep.too_deep == 1
    assert "\\includegraphics" in inline("m.tex", {"m.tex": "\\includegraphics{x}"}, 3).text


def test_the_body_runs_from_the_first_section_to_the_bibliography_or_appendix() -> None:
    source = (
        "\\documentclass{article}\n\\titleformat{\\section}{}\n\\begin{document}\n"
        "Title stuff\n\\subparagraph*{First} body \\partial x\n"
        "\\appendix\n\\section{Proofs}\n"
    )
    assert cut_body(source) == "\\subparagraph*{First} body \\partial x\n"
    for end in ("\\bibliography{refs}", "\\begin{thebibliography}{9}", "\\begin{references}",
                "\\printbibliography", "\\end{document}", "\\begin{REFERENCES}"):  # fmt: skip
        assert cut_body(f"\\section{{A}} text {end} after") == "\\section{A} text "
    assert cut_body("\\begin{document}\nno sections at all\n\\end{document}") is None


def test_the_body_starts_at_a_sectioning_command_of_any_level_or_class() -> None:
    front = (
        "\\documentclass{x}\n\\begin{document}\n\\thesection\\phantomsection $\\partial$ front\n"
    )
    for command in ("\\chapter*{Preface}", "\\part{One}", "\\Section{Intro}", "\\addchap{Intro}",
                    "\\thesissection{Intro}", "\\IJSRAsection{Intro}", "\\QuickChapter{Intro}",
                    "\\sectionheading{Intro}", "\\patentSection{Intro}", "\\minisec{Intro}"):  # fmt: skip
        assert cut_body(front + command + " body\n\\end{document}") == command + " body\n", command
    for command in ("\\thechapter", "\\setchapterstyle{x}", "\\sectionmark{x}", "\\partial"):
        assert cut_body(front + command + " body\n\\end{document}") is None, command


def test_a_section_shown_in_verbatim_does_not_start_the_body() -> None:
    # TeX Live's uestcthesis and revtex guides show \section in \verb and \Verb
    source = (
        "\\documentclass{report}\n\\begin{document}\nWrite \\verb|\\section{x}| or "
        "\\Verb+\\section*{y}+ or \\lstinline!\\subsection{z}!.\n\\chapter{Intro}\nText.\n"
        "\\end{document}\n"
    )
    masked, blocks = protect_verbatim(source)
    assert len(blocks) == 3
    assert cut_body(masked) == "\\chapter{Intro}\nText.\n"
    assert cut_body(protect_verbatim("\\begin{document}\n\\verb|\\section{x}|\n")[0]) is None


def test_bibliography_commands_go_wherever_they_stand() -> None:
    text = ("\\section{A} Text \\nocite{*}.\n\\bibliographystyle{plain}\n"
            "\\addbibresource[label=x]{refs.bib}\nEnd.\n")  # fmt: skip
    assert without_bibliography_commands(text) == "\\section{A} Text .\n\n\nEnd.\n"
    assert cut_body("\\section{A} x \\bibliographystyle{plain}\\bibliography{r}") == (
        "\\section{A} x \\bibliographystyle{plain}"
    )  # the cut ends at the bibliography; the style goes with the commands


def test_tidy_collapses_what_the_cuts_leave() -> None:
    assert tidy("a  \n\n\n\nb \n") == "a\n\nb\n"
