"""ArXiv sample: bulk source tarballs of per-paper gzip members, as arXiv's S3 bucket has them.

A member `<yymm>/<id>.gz` is either a gzipped single .tex file or a gzipped tar holding
main.tex (the only file with \\documentclass), macros.tex (\\input from the preamble),
sections/*.tex (\\input and \\include, one of them nested), refs.bib and a .sty.
Papers define macros with \\newcommand, \\newcommand*, \\renewcommand and \\def: argument-less,
one and two arguments, an optional argument with a default, and one macro whose body uses
another. Every paper has text before its first \\section (title, abstract), full-line and
inline comments, an escaped percent sign (`12\\%`), a bibliography and an appendix.

Planted faults (ground truth): one member in the middle of the first tarball is a truncated
gzip (`corrupt_members`); one paper's tar holds `../evil.tex`, which main.tex also \\inputs
(`path_traversal`); one member is a small gzip that inflates past a size cap (`oversized`):
exactly 256 MiB, which a cap of 256 MiB refuses (a paper must inflate to less). The last
tarball ends with the first paper again, rewritten (`superseded` lists the older copy).
Project papers also use a macro defined in their own .sty, a `\\let`-wrapped LaTeX
command (`\\renewcommand{\\LaTeX}{\\mbox{\\originalLaTeX}}`) and a verbatim block that shows an
`\\input` and a `%` (`expanded` holds what those must become).
Marker tokens that must never reach a cleaned document: see `absent_everywhere`.
Ids are "arxiv/<id>".

Planted LaTeX habits of real papers (`cases`, each a single-file paper after the last
tarball's resubmission, its truth beside the others' with `case`, `starts`, `absent`): a
`%`-commented `\\NeedsTeXFormat` line before `\\documentclass` (kept, not `no_main_file`); a
`\\def\\{` inside a `\\newenvironment` (not expanded outside it); a top-level `\\def\\{` whose body
mentions `\\{` (not expanded: it grew 16 copies); a report whose only `\\section` is in `\\verb`
and `\\Verb` and whose sections are `\\chapter`s (the body starts at the first `\\chapter`); a
class's own `\\Section` (kept, not `no_section`); bibliography commands ending the body
(`\\nocite{*}`, `\\bibliographystyle`: gone). `latex_absent` holds what
no kept paper may contain.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import tarfile
import zlib

from pipeline.sample import lexicon
from pipeline.sample.seeding import rng_for

TARBALLS_PER_SCALE = 2
PAPERS_PER_TARBALL = 8
OVERSIZED_BYTES = 256 * 1024 * 1024
MARKERS = {
    "before_first_section": "qxpreambleonly",
    "comment": "qxtexcomment",
    "bibliography": "qxbibonly",
    "appendix": "qxappendixonly",
    "path_traversal": "qxevil",
    "listing_only": "qxlistedonly",
}

MACROS = r"""\newcommand{\R}{\mathbb{R}}
\newcommand{\vect}[1]{\mathbf{#1}}
\newcommand{\pair}[2]{\langle #1, #2 \rangle}
\newcommand{\opt}[2][p]{\|#2\|_{#1}}
\renewcommand{\vec}[1]{\boldsymbol{#1}}
\def\eps{\varepsilon}
\def\norm#1{\left\|#1\right\|}
\newcommand{\loss}{\mathcal{L}(\vect{w})}
\newcommand*{\half}{\frac{1}{2}}
"""
# (usage in the text, what it expands to)
MACRO_USES = (
    (r"$\vect{x} \in \R^{n}$", r"$\mathbf{x} \in \mathbb{R}^{n}$"),
    (r"$\pair{u}{v}$", r"$\langle u, v \rangle$"),
    (r"$\opt{x}$", r"$\|x\|_{p}$"),
    (r"$\opt[2]{y}$", r"$\|y\|_{2}$"),
    (r"$\vec{z}$", r"$\boldsymbol{z}$"),
    (r"$\eps$", r"$\varepsilon$"),
    (r"$\norm{v}$", r"$\left\|v\right\|$"),
    (r"$\loss$", r"$\mathcal{L}(\mathbf{w})$"),
    (r"$\half$", r"$\frac{1}{2}$"),
)
MACRO_NAMES = [
    r"\vect",
    r"\pair",
    r"\opt",
    r"\vec{",
    r"\eps",
    r"\norm",
    r"\loss",
    r"\half",
    r"\R^",
    r"\newcommand",
    r"\renewcommand",
    r"\def",
    r"\stymacro",  # defined in the project's own mystyle.sty
    r"\originalLaTeX",  # a \let alias of a LaTeX command
    r"\mbox{\mbox",  # what \renewcommand{\LaTeX}{\mbox{\originalLaTeX}} gives when it loops
]
# project papers only: macros from the paper's .sty and a \let-wrapped LaTeX command, used
# in sections/method.tex, and a verbatim block that shows an \input (never followed) and %
PROJECT_MACROS = r"""\let\originalLaTeX\LaTeX
\renewcommand{\LaTeX}{\mbox{\originalLaTeX}}
"""
PROJECT_USES = "We typeset with \\LaTeX{} and write $\\stymacro{k}$.\n"
PROJECT_EXPANDED = ["We typeset with \\mbox{\\LaTeX}{} and write $\\mathsf{k}$."]
LISTING = "\\begin{verbatim}\n\\input{sections/listed}   % 100% verbatim\n\\end{verbatim}"

NOUNS = lexicon.words(
    "estimator|operator|bound|algorithm|gradient|kernel|manifold|sequence|model|network|loss|"
    "distribution|matrix|embedding|graph|solver|objective|regulariser|sampler|policy"
)
ADJECTIVES = lexicon.words(
    "convex|linear|sparse|stochastic|robust|adaptive|optimal|spectral|finite|uniform|smooth|"
    "discrete|bounded|symmetric"
)
VERBS = lexicon.words(
    "analyse|derive|prove|propose|study|characterise|extend|approximate|bound|compare|"
    "generalise|estimate"
)
SECTION_TITLES = lexicon.words(
    "Introduction|Related Work|Preliminaries|Method|Analysis|Experiments|Results|Discussion|"
    "Conclusion"
)


class AcademicWriter:
    """Sentences in the register of a mathematics or machine-learning paper."""

    def sentence(self, rng: random.Random) -> str:
        noun, other = rng.choice(NOUNS), rng.choice(NOUNS)
        adjective, verb = rng.choice(ADJECTIVES), rng.choice(VERBS)
        form = rng.randrange(6)
        if form == 0:
            return f"We {verb} the {adjective} {noun} and show that it controls the {other}."
        if form == 1:
            return f"In this section we {verb} a {adjective} {noun} for the {other} problem."
        if form == 2:
            return (
                f"The {noun} converges at rate $O(n^{{-{rng.randrange(1, 4)}/2}})$ "
                f"when the {other} is {adjective}."
            )
        if form == 3:
            return f"Our {noun} improves the {other} by {rng.randrange(2, 40)}\\% on average."
        if form == 4:
            return f"Following prior work~\\cite{{ref{rng.randrange(1, 9)}}}, we {verb} the {noun}."
        return f"A {adjective} {noun} yields a tighter {other} than the {adjective} baseline."

    def paragraph(self, rng: random.Random, sentences: int) -> str:
        return " ".join(self.sentence(rng) for _ in range(sentences))


def deterministic_gzip(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9, mtime=0)


def tar_bytes(files: list[tuple[str, bytes]], mtime: int) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files:
            add_member(tar, name, data, mtime)
    return buffer.getvalue()


def add_member(tar: tarfile.TarFile, name: str, data: bytes, mtime: int) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), mtime, 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    tar.addfile(info, io.BytesIO(data))


class PaperMaker:
    """Writes one paper's sources and records what its cleaned text must and must not hold."""

    def __init__(self) -> None:
        self.writer = AcademicWriter()

    def section(
        self, rng: random.Random, title: str, present: list[str], command: str = "section"
    ) -> str:
        first = self.writer.sentence(rng)
        percent = (
            f"The {rng.choice(NOUNS)} gains {rng.randrange(2, 40)}\\% over the "
            f"{rng.choice(ADJECTIVES)} baseline."
        )  # an escaped %, not a comment
        present += [first, percent]
        uses = rng.sample(MACRO_USES, 3)
        present.extend(expanded for _, expanded in uses)
        lines = [
            f"\\{command}{{{title}}}",
            f"\\label{{sec:{title.split()[0].lower()}}}",
            first + " " + self.writer.paragraph(rng, rng.randrange(2, 4)),
            f"% {MARKERS['comment']} TODO: {self.writer.sentence(rng)}",
            f"Consider {uses[0][0]} and {uses[1][0]}; then {uses[2][0]} holds. "
            f"{self.writer.sentence(rng)} % {MARKERS['comment']} check this",
            "",
            percent + " " + self.writer.paragraph(rng, rng.randrange(2, 5)),
        ]
        return "\n".join(lines) + "\n"

    def front_matter(
        self, rng: random.Random, macros_inline: bool, document_class: str = "article"
    ) -> str:
        preamble = [
            f"\\documentclass[11pt]{{{document_class}}}",
            "\\usepackage{amsmath,amssymb}",
            "\\usepackage{mystyle}",
        ]
        preamble.append(MACROS.strip() if macros_inline else "\\input{macros}")
        preamble += [
            "",
            f"\\title{{{MARKERS['before_first_section']} A "
            f"{rng.choice(ADJECTIVES).title()} {rng.choice(NOUNS).title()}}}",
            "\\author{A. Author \\and B. Author}",
            "\\begin{document}",
            "\\maketitle",
            "\\begin{abstract}",
            f"{MARKERS['before_first_section']} {self.writer.paragraph(rng, 3)}",
            "\\end{abstract}",
            "",
        ]
        return "\n".join(preamble) + "\n"

    def back_matter(self, rng: random.Random, inline_bibliography: bool) -> str:
        appendix = (
            f"\\appendix\n\\section{{Proofs}}\n{MARKERS['appendix']} "
            f"{self.writer.paragraph(rng, 3)}\n"
        )
        if inline_bibliography:
            items = "\n".join(
                f"\\bibitem{{ref{i}}} {MARKERS['bibliography']} A. Writer. "
                f"On the {rng.choice(NOUNS)}. {1990 + i}."
                for i in range(1, 5)
            )
            bibliography = f"\\begin{{thebibliography}}{{9}}\n{items}\n\\end{{thebibliography}}\n"
        else:
            bibliography = "\\bibliographystyle{plain}\n\\bibliography{refs}\n"
        parts = [bibliography, appendix] if rng.random() < 0.5 else [appendix, bibliography]
        return "".join(parts) + "\\end{document}\n"

    def single_file(self, rng: random.Random) -> tuple[bytes, list[str]]:
        present: list[str] = []
        titles = rng.sample(SECTION_TITLES, 3)
        source = (
            self.front_matter(rng, True)
            + "".join(self.section(rng, title, present) for title in titles)
            + self.back_matter(rng, True)
        )
        return deterministic_gzip(source.encode("utf-8")), present

    def project(self, rng: random.Random, mtime: int, evil: bool) -> tuple[bytes, list[str]]:
        present: list[str] = []
        titles = rng.sample(SECTION_TITLES, 4)
        main = (
            self.front_matter(rng, False)
            + self.section(rng, titles[0], present)
            + "\\input{sections/method}\n\\include{sections/experiments}\n"
            + ("\\input{../evil}\n" if evil else "")
            + self.section(rng, titles[3], present)
            + self.back_matter(rng, False)
        )
        details = self.section(rng, f"{titles[1]} Details", present)
        files = [
            ("main.tex", main),
            ("macros.tex", f"% {MARKERS['comment']} shared macros\n{MACROS}{PROJECT_MACROS}"),
            (
                "sections/method.tex",
                self.section(rng, titles[1], present)
                + PROJECT_USES
                + LISTING
                + "\n\\input{sections/details.tex}\n",
            ),  # the listing is verbatim: it must come out as it is
            (
                "sections/listed.tex",
                f"{MARKERS['listing_only']} shown in a listing, never included.\n",
            ),
            ("sections/details.tex", details),
            ("sections/experiments.tex", self.section(rng, titles[2], present)),
            (
                "refs.bib",
                "\n".join(
                    f"@article{{ref{i},\n  title={{{MARKERS['bibliography']} On the "
                    f"{rng.choice(NOUNS)}}},\n  author={{Writer, A.}},\n  year={{{1990 + i}}}\n}}"
                    for i in range(1, 5)
                )
                + "\n",
            ),
            (
                "mystyle.sty",
                "\\ProvidesPackage{mystyle}\n\\RequirePackage{amsthm}\n"
                "\\newtheorem{theorem}{Theorem}\n\\newcommand{\\stymacro}[1]{\\mathsf{#1}}\n",
            ),
        ]
        present.append(LISTING)
        if evil:
            files.append(
                (
                    "../evil.tex",
                    f"\\section{{Evil}}\n{MARKERS['path_traversal']} "
                    "this file lies outside the paper folder.\n",
                )
            )
        return deterministic_gzip(
            tar_bytes([(n, t.encode("utf-8")) for n, t in files], mtime)
        ), present


# planted cases: what each changes in a single-file paper (`head` before \documentclass,
# `class`, `preamble` before \begin{document}, `abstract`, the sectioning `command`, `text`
# ending the last section) and what its truth adds (`present`, `starts`, `absent`)
NEEDS_TEX_FORMAT = (
    "%% aomart's sample starts so\n\\NeedsTeXFormat{LaTeX2e}% LaTeX 2.09 can't be used\n"
    "[1994/12/01]% LaTeX date must be December 1994 or later\n"
)
SET_BRACES = "The set $S = \\{x : x > 0\\}$ is open."
VERB_SECTIONS = "Start a part with \\verb|\\section{Title}| or \\Verb+\\section*{Title}+."
CITE_ALL = "We cite every entry.\\nocite{*}\n\\bibliographystyle{unsrt}"
CASES: dict[str, dict] = {
    "needs_tex_format": {"head": NEEDS_TEX_FORMAT, "absent": ["\\NeedsTeXFormat"]},
    "def_in_group": {
        "preamble": "\\newenvironment{demo}{\\ttfamily\\def\\{{\\char123}\\def\\}{\\char125}}{}\n",
        "text": SET_BRACES,
        "present": [SET_BRACES],
        "absent": ["\\char12"],
    },
    "self_reference": {
        "preamble": "\\def\\{{\\ttfamily\\char`\\{}\n",
        "text": SET_BRACES,
        "present": [SET_BRACES],
        "absent": ["\\ttfamily\\char"],
    },
    "verb_section_chapter": {
        "class": "report",
        "abstract": VERB_SECTIONS,
        "command": "chapter",
        "starts": "\\chapter{",
    },
    "class_sectioning": {"command": "Section", "starts": "\\Section{"},
    "bibliography_commands": {
        "text": CITE_ALL,
        "present": ["We cite every entry."],
        "absent": ["\\nocite", "\\bibliographystyle"],
    },
}
LATEX_ABSENT = ["\\NeedsTeXFormat", "\\bibliographystyle", "\\nocite", "\\ttfamily\\char"]


def planted_paper(maker: PaperMaker, rng: random.Random, case: dict) -> tuple[bytes, list[str]]:
    """A single-file paper with one real habit (a CASES entry) and what it must keep."""
    present = list(case.get("present", []))
    front = maker.front_matter(rng, True, case.get("class", "article"))
    front = front.replace("\\begin{document}", case.get("preamble", "") + "\\begin{document}")
    front = front.replace("\\end{abstract}", case.get("abstract", "") + "\n\\end{abstract}")
    command = case.get("command", "section")
    titles = rng.sample(SECTION_TITLES, 2)
    body = "".join(maker.section(rng, title, present, command) for title in titles)
    back = maker.back_matter(rng, True)
    source = case.get("head", "") + front + body + case.get("text", "") + "\n" + back
    return deterministic_gzip(source.encode("utf-8")), present


def add_cases(
    tar: tarfile.TarFile, name: str, yymm: str, serial: int, mtime: int, seed: int, truth: dict
) -> int:
    """The planted cases at the end of tarball `name`, from paper number `serial`; their own
    random stream, so the papers before them stay as they were. The members added."""
    rng = rng_for(seed, "arxiv", "cases")
    maker = PaperMaker()
    for offset, (case, planted) in enumerate(CASES.items()):
        paper = f"{yymm}.{serial + offset:05d}"
        member = f"{yymm}/{paper}.gz"
        data, present = planted_paper(maker, rng, planted)
        add_member(tar, member, data, mtime + offset)
        truth["cases"][case] = f"arxiv/{paper}"
        truth["papers"][f"arxiv/{paper}"] = {
            "tar": f"arxiv/{name}",
            "member": member,
            "layout": "tex.gz",
            "main": None,
            "present": present,
            "expanded": [],
            "case": case,
            "starts": planted.get("starts", "\\section{"),
            "absent": planted.get("absent", []),
        }
    return len(CASES)


def oversized_member() -> bytes:
    """A gzipped .tex that inflates to OVERSIZED_BYTES (a few hundred KB on disk)."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip container, mtime 0
    head = b"\\documentclass{article}\n\\begin{document}\n\\section{Padding}\n"
    parts = [compressor.compress(head)]
    chunk = b" " * (1 << 20)
    remaining = OVERSIZED_BYTES - len(head)
    while remaining > 0:
        parts.append(compressor.compress(chunk[:remaining]))
        remaining -= len(chunk)
    parts.append(compressor.flush())
    return b"".join(parts)


def resubmit(
    tar: tarfile.TarFile, name: str, mtime: int, maker: PaperMaker, rng: random.Random, truth: dict
) -> None:
    """The first paper again, rewritten, at the end of the last tarball (a later bulk
    tarball that carries a paper again): the copy in the tarball that sorts last is kept."""
    first = truth["papers"][min(truth["papers"])]
    doc_id = min(truth["papers"])
    data, present = maker.single_file(rng)
    add_member(tar, first["member"], data, mtime + PAPERS_PER_TARBALL)
    truth["superseded"].append({"id": doc_id, "tar": first["tar"], "member": first["member"]})
    truth["papers"][doc_id] = {
        "tar": f"arxiv/{name}",
        "member": first["member"],
        "layout": "tex.gz",
        "main": None,
        "present": present,
        "expanded": [],
    }


def write_arxiv(out_dir: str, scale: int, seed: int) -> dict:
    """Write the tarballs under `out_dir`; return the "arxiv" ground truth."""
    os.makedirs(out_dir, exist_ok=True)
    rng = rng_for(seed, "arxiv")
    maker = PaperMaker()
    truth: dict = {
        "tarballs": [],
        "papers": {},
        "corrupt_members": [],
        "path_traversal": [],
        "oversized": [],
        "superseded": [],  # {"id", "tar", "member"}: an older copy of a paper, not kept
        "macro_names_absent": MACRO_NAMES,
        "absent_everywhere": sorted(MARKERS.values()),
        "oversized_decompressed_bytes": OVERSIZED_BYTES,
        "cases": {},  # case name -> the id of its planted paper
        "latex_absent": LATEX_ABSENT,
    }
    serial = 1
    for k in range(TARBALLS_PER_SCALE * scale):
        name = f"arXiv_src_sample_{k:03d}.tar"
        yymm = f"{21 + k // 12 % 5:02d}{k % 12 + 1:02d}"
        base_mtime = 1_600_000_000 + k * 86_400
        with tarfile.open(os.path.join(out_dir, name), "w", format=tarfile.USTAR_FORMAT) as tar:
            for index in range(PAPERS_PER_TARBALL):
                paper = f"{yymm}.{serial:05d}"
                serial += 1
                member = f"{yymm}/{paper}.gz"
                doc_id = f"arxiv/{paper}"
                location = {"tar": f"arxiv/{name}", "member": member}
                if k == 0 and index == PAPERS_PER_TARBALL // 2:
                    good, _ = maker.single_file(rng)
                    add_member(tar, member, good[: len(good) // 3], base_mtime + index)
                    truth["corrupt_members"].append({**location, "id": doc_id})
                    continue
                if k == 0 and index == PAPERS_PER_TARBALL - 2:
                    add_member(tar, member, oversized_member(), base_mtime + index)
                    truth["oversized"].append({**location, "id": doc_id})
                    continue
                evil = k == 0 and index == 1
                if evil or rng.random() < 0.5:
                    data, present = maker.project(rng, base_mtime + index, evil)
                    layout = "tar.gz"
                else:
                    data, present = maker.single_file(rng)
                    layout = "tex.gz"
                add_member(tar, member, data, base_mtime + index)
                truth["papers"][doc_id] = {
                    **location,
                    "layout": layout,
                    "main": "main.tex" if layout == "tar.gz" else None,
                    "present": present,
                    # what the cleaned text must hold beyond the literal `present`
                    "expanded": PROJECT_EXPANDED if layout == "tar.gz" else [],
                }
                if evil:
                    truth["path_traversal"].append(
                        {
                            **location,
                            "id": doc_id,
                            "entries": ["../evil.tex"],
                            "marker": MARKERS["path_traversal"],
                        }
                    )
            members = PAPERS_PER_TARBALL
            if k == TARBALLS_PER_SCALE * scale - 1:
                members += 1
                resubmit(tar, name, base_mtime, maker, rng, truth)
                members += add_cases(tar, name, yymm, serial, base_mtime, seed, truth)
        truth["tarballs"].append({"file": f"arxiv/{name}", "members": members})
    return truth
