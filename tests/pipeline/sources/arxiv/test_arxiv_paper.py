"""One member to one Document, on inline projects: what real LaTeX (TeX Live's publisher
templates and manuals) taught, each as a case."""

from __future__ import annotations

import gzip
import io
import tarfile

from pipeline.counters import Tally
from pipeline.rules.config import MinCharsRule, RulesConfig
from pipeline.sources.arxiv.config import ArxivConfig
from pipeline.sources.arxiv.paper import Outcome, paper_steps, process_member
from pipeline.sources.arxiv.tarball import ArxivMember

CONFIG = ArxivConfig()


def project(
    files: dict[str, str], config: ArxivConfig = CONFIG, tally: Tally | None = None
) -> Outcome:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    member = ArxivMember(1, "2101.00001.gz", "2101.00001", 0, gzip.compress(buffer.getvalue()))
    count = Tally() if tally is None else tally
    return process_member(member, "t.tar", config, paper_steps(config), count)


def text_of(files: dict[str, str]) -> str:
    outcome = project(files)
    assert outcome.document is not None and outcome.dropped is None, outcome
    return outcome.document.text


HEAD = "\\documentclass{article}\n\\begin{document}\n\\section{A}\n"


def test_a_let_wrapped_command_expands_once_not_in_a_loop() -> None:
    text = text_of({"main.tex": "\\let\\originalTeX\\TeX\n\\renewcommand{\\TeX}{\\mbox{\\originalTeX}}\n"
                    + HEAD + "Use \\TeX.\n\\end{document}\n"})  # fmt: skip
    assert "Use \\mbox{\\TeX}." in text and "\\mbox{\\mbox" not in text


def test_listings_keep_their_code_and_their_inputs_are_not_followed() -> None:
    listing = "\\begin{lstlisting}\n\\input{data/extra.tex} % 100%\n\\def\\x{y}\n\\end{lstlisting}"
    text = text_of({"main.tex": HEAD + listing + "\n\\x\n\\end{document}\n",
                    "data/extra.tex": "\\def\\x{from the class}\nqxnotincluded\n"})  # fmt: skip
    assert listing in text and "qxnotincluded" not in text
    # the file the class loads by itself still defines \x
    assert text.rstrip().endswith("from the class")


def test_macros_of_the_papers_own_packages_are_expanded() -> None:
    text = text_of({"main.tex": "\\documentclass{article}\n\\usepackage{defs}\n\\begin{document}\n"
                    "\\section{A}\n$\\vect{x}$\n\\end{document}\n",
                    "defs.sty": "\\newcommand{\\vect}[1]{\\mathbf{#1}}\n"})  # fmt: skip
    assert "$\\mathbf{x}$" in text


def test_another_document_of_the_project_is_tried_when_the_first_has_no_section() -> None:
    outcome = project({"letter.tex": "\\documentclass{letter}\n\\begin{document}\nDear editor\n"
                       "\\input{fig}\n\\end{document}\n", "fig.tex": "figure",
                       "paper.tex": HEAD + "The paper.\n\\end{document}\n"})  # fmt: skip
    assert outcome.document is not None and outcome.dropped is None
    assert outcome.document.meta["main_file"] == "paper.tex"
    assert outcome.document.text == "\\section{A}\nThe paper.\n"


def test_filecontents_goes_and_no_sections_is_a_drop_with_its_reason() -> None:
    text = text_of({"main.tex": HEAD + "\\begin{filecontents}{x.bib}\n@qxbib\n\\end{filecontents}\n"
                    "kept\n\\end{document}\n"})  # fmt: skip
    assert "qxbib" not in text and "kept" in text
    outcome = project(
        {"main.tex": "\\documentclass{article}\n\\begin{document}\nx\n\\end{document}"}
    )
    assert outcome.dropped is not None and outcome.dropped.reason == "no_section"


def test_a_generic_rule_switched_on_in_the_config_drops_a_paper_last() -> None:
    config = ArxivConfig(rules=RulesConfig(min_chars=MinCharsRule(chars=10_000)))
    tally = Tally()
    outcome = project({"main.tex": HEAD + "A short paper.\n\\end{document}\n"}, config, tally)
    assert outcome.dropped is not None and outcome.dropped.reason == "short"
    assert outcome.document is not None and "A short paper." in outcome.document.text
    assert tally["dropped.short"] == 1


def test_a_paper_whose_documentclass_follows_a_commented_needstexformat_is_kept() -> None:
    # aomart's sample: the comment stripper glued \documentclass to the line before
    text = text_of({"main.tex": "\\NeedsTeXFormat{LaTeX2e}% LaTeX 2.09 can't be used\n"
                    "[1994/12/01]% LaTeX date\n" + HEAD + "Kept.\n\\end{document}\n"})  # fmt: skip
    assert text == "\\section{A}\nKept.\n"


def test_definitions_in_a_group_and_looping_ones_are_counted_not_expanded() -> None:
    # uwthesis: a \def\{ inside \newenvironment made each \{ sixteen \ttfamily\char`
    tally = Tally()
    outcome = project({"main.tex": "\\documentclass{report}\n\\newenvironment{demo}"
                       "{\\def\\{{\\ttfamily\\char`\\{}\\def\\}{\\ttfamily\\char`\\}}}{}\n"
                       "\\def\\|{\\ensuremath{\\|}}\n\\newcommand{\\R}{\\mathbb{R}}\n"
                       "\\begin{document}\n\\section{A}\n$S = \\{x \\in \\R\\}$, $\\|v\\|$.\n"
                       "\\end{document}\n"}, tally=tally)  # fmt: skip
    assert outcome.document is not None and outcome.dropped is None
    assert outcome.document.text == "\\section{A}\n$S = \\{x \\in \\mathbb{R}\\}$, $\\|v\\|$.\n"
    assert tally["macros.skipped.in_group"] == 2 and tally["macros.skipped.self_reference"] == 1


def test_a_chapter_or_a_class_own_section_starts_the_body_not_one_shown_in_verbatim() -> None:
    for opening in ("\\chapter{Intro}", "\\chapter*{Preface}", "\\Section{Intro}"):
        text = text_of({"main.tex": "\\documentclass{book}\n\\begin{document}\nqxfront "
                        "\\verb|\\section{x}| and \\Verb+\\section{y}+\n" + opening +
                        "\nBody.\n\\end{document}\n"})  # fmt: skip
        assert text == opening + "\nBody.\n", opening


def test_the_bibliography_and_its_commands_go() -> None:
    text = text_of({"main.tex": "\\documentclass{article}\n\\usepackage{biblatex}\n"
                    "\\addbibresource{refs.bib}\n\\begin{document}\n\\bibliographystyle{plain}\n"
                    "\\section{A}\nText~\\cite{a}.\\nocite{*}\n\\bibliographystyle{unsrt}\n"
                    "\\bibliography{refs}\n\\end{document}\n"})  # fmt: skip
    assert text == "\\section{A}\nText~\\cite{a}.\n"
