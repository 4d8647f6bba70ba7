"""realtext.arxiv's pure parts: documents packed as arXiv packs papers, and the garble checks."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from pipeline.counters import Tally
from pipeline.sources.arxiv.config import ArxivConfig
from pipeline.sources.arxiv.paper import paper_steps, process_member
from pipeline.sources.arxiv.tarball import ArxivMember, read_tarball
from realtext.arxiv import DOCS, build_inputs, garble_checks


def paper(text: str) -> str:
    return f"\\documentclass{{article}}\n\\begin{{document}}\n\\section{{A}}\n{text}\n\\end{{document}}\n"


def test_each_document_is_a_paper_member_of_a_monthly_tarball(tmp_path: Path) -> None:
    docs = tmp_path / "deb" / DOCS
    (docs / "latex" / "cls" / "chapters").mkdir(parents=True)
    (docs / "latex" / "one").mkdir(parents=True)
    # Debian gzips the big files; a chapter is \input; a second document is its own paper
    (docs / "latex" / "cls" / "sample.tex.gz").write_bytes(
        gzip.compress(paper("Main. \\input{chapters/intro}").encode())
    )
    (docs / "latex" / "cls" / "chapters" / "intro.tex").write_text("Intro text.\n")
    (docs / "latex" / "cls" / "figure.png").write_bytes(b"\x89PNG")
    (docs / "latex" / "cls" / "letter.tex").write_text(paper("A letter."))
    (docs / "latex" / "one" / "alone.tex").write_text(paper("Alone."))
    (docs / "latex" / "cls" / "notes.tex").write_text("no document class here\n")
    section = build_inputs({"texlive-publishers-doc": tmp_path / "deb"}, tmp_path / "inputs")
    assert section == {"inputs": [str(tmp_path / "inputs" / "arXiv_src_*.tar")]}
    index = json.loads((tmp_path / "inputs" / "papers.json").read_text())
    assert index == {"arxiv/2401.00001": "latex/cls/letter.tex",
                     "arxiv/2401.00002": "latex/cls/sample.tex.gz",
                     "arxiv/2401.00003": "latex/one/alone.tex"}  # fmt: skip
    config, tally, texts = ArxivConfig(), Tally(), {}
    tarball = tmp_path / "inputs" / "arXiv_src_2401_001.tar"
    with open(tarball, "rb") as stream:
        for member in read_tarball(stream, tarball.name, 1 << 20):
            assert isinstance(member, ArxivMember)
            outcome = process_member(member, tarball.name, config, paper_steps(config), tally)
            assert outcome.document is not None and outcome.dropped is None
            texts[member.id] = (outcome.document.meta["files"], outcome.document.text)
    assert texts["arxiv/2401.00002"] == (
        ["sample.tex", "chapters/intro.tex"],
        "\\section{A}\nMain. Intro text.\n",
    )  # the other document and the figure are not part of it
    assert texts["arxiv/2401.00003"] == (["2401.00003.tex"], "\\section{A}\nAlone.\n")


def test_garble_checks_count_papers_outside_verbatim() -> None:
    texts = [
        "\\section{A}\nText.\n\\bibliographystyle{plain}\n",
        "\\section{B}\n$" + "\\ttfamily\\char`" * 16 + "\\{x\\}$\n",
        "\\section{C}\n\\begin{verbatim}\n\\documentclass{x}\n\\bibliographystyle{y}\n"
        "\\end{verbatim}\nWords.\n",
    ]
    checks = garble_checks(texts)
    assert checks["papers_with"]["bibliographystyle"] == 1
    assert checks["papers_with"]["documentclass"] == 0 and checks["papers_with"]["char"] == 1
    assert checks["papers_with_repeated_expansion"] == 1
    assert checks["papers_mostly_command_lines"] == 1  # A: 2 of 3 lines are commands
