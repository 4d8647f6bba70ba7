"""ArXiv on real LaTeX: TeX Live's publisher templates, theses and manuals as arXiv papers.

Debian's texlive-publishers-doc holds some 600 real LaTeX documents (journal and
conference templates, thesis classes with their sample chapters, class manuals), many of
them projects of several files, in several encodings, with the habits of real authors
(`\\NeedsTeXFormat{LaTeX2e}%` before `\\documentclass`, `\\def` inside environments,
`\\chapter` instead of `\\section`). Each document becomes one paper, packed as arXiv's
bulk tarballs pack papers (pipeline/sources/arxiv/tarball.py): `arXiv_src_2401_NNN.tar`
whose members are `2401/2401.NNNNN.gz`, a gzipped .tex when the paper is that one file,
else a gzipped tar of its folder. A document is any .tex/.ltx file that names
`\\documentclass` or `\\documentstyle` anywhere (even in a comment or a listing: the stage
decides whether it is a main file); its paper holds it and the LaTeX-side files
(`.tex .ltx .sty .cls .bib .bbl .bst .def .cfg`) of its folder and below, other documents
left out. Debian gzips large files (`x.tex.gz`): they are inflated back to `x.tex`.
Figures are left out: the stage skips them unread.

`papers.json` beside the tarballs maps each paper id to the document it came from, so a
drop can be checked by eye.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from pipeline.sources.arxiv.latex import protect_verbatim
from realtext import outputs
from realtext.download import Package

PACKAGES = [Package("deb", "texlive-publishers-doc")]
DOCS = Path("usr/share/doc/texlive-doc")
MONTH = "2401"
PAPERS_PER_TARBALL = 100
DOCUMENT_EXTENSIONS = (".tex", ".ltx")
PAPER_EXTENSIONS = (*DOCUMENT_EXTENSIONS, ".sty", ".cls", ".bib", ".bbl", ".bst", ".def", ".cfg")
NAMES_DOCUMENT = re.compile(rb"\\document(?:class|style)(?![A-Za-z@])")
MAX_FILE_BYTES = 4 << 20  # a .bib database of a whole field is no part of a paper

# garble checks over the kept text: leftovers of what the stage must remove, by name
LEFTOVERS = {
    "bibliographystyle": re.compile(r"\\bibliographystyle(?![A-Za-z@])"),
    "bibliography": re.compile(
        r"\\(?:bibliography|printbibliography|addbibresource)(?![A-Za-z@])"
        r"|\\begin\s*\{thebibliography\}"
    ),
    "char": re.compile(r"\\char(?![A-Za-z@])"),
    "NeedsTeXFormat": re.compile(r"\\NeedsTeXFormat(?![A-Za-z@])"),
    "documentclass": re.compile(r"\\document(?:class|style)(?![A-Za-z@])"),
    "usepackage": re.compile(r"\\usepackage(?![A-Za-z@])"),
    "begin_document": re.compile(r"\\begin\s*\{document\}"),
    "definition": re.compile(
        r"\\(?:newcommand|renewcommand|providecommand|[egx]?def)(?![A-Za-z@])"
    ),
}
# one to three control sequences (with what little sits between them) six or more times in
# a row: what a definition expanded into itself, or one expanded once per nesting level
REPEATED_EXPANSION = re.compile(r"((?:\\[A-Za-z@]+[^\\\n]{0,3}){1,3}?)\1{5,}")
COMMAND_LINE = re.compile(r"\s*\\[A-Za-z@]")
MOSTLY_COMMANDS = 0.5  # a kept paper more than half of whose lines are commands


def documents(root: Path) -> list[Path]:
    """Every file under `root` that names a document class, by path."""
    found = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and is_latex(path, DOCUMENT_EXTENSIONS):
            if NAMES_DOCUMENT.search(read_inflated(path)):
                found.append(path)
    return found


def is_latex(path: Path, extensions: tuple[str, ...]) -> bool:
    return path.name.lower().removesuffix(".gz").endswith(extensions)


def read_inflated(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def paper_files(document: Path, others: set[Path]) -> dict[str, bytes]:
    """The files of `document`'s paper: path in the paper (relative to its folder,
    Debian's .gz gone) -> bytes; the document first."""
    folder = document.parent
    files = {document.name.removesuffix(".gz"): read_inflated(document)}
    for path in sorted(folder.rglob("*")):
        if path == document or path in others or not path.is_file():
            continue
        if is_latex(path, PAPER_EXTENSIONS) and path.stat().st_size <= MAX_FILE_BYTES:
            name = path.relative_to(folder).as_posix().removesuffix(".gz")
            files.setdefault(name, read_inflated(path))
    return files


def member_bytes(files: dict[str, bytes]) -> bytes:
    """A paper's member: its one .tex gzipped, or a gzipped tar of its files."""
    if len(files) == 1:
        return gzip.compress(next(iter(files.values())), mtime=0)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files.items():
            add_file(tar, name, data)
    return gzip.compress(buffer.getvalue(), mtime=0)


def add_file(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode = len(data), 0o644
    tar.addfile(info, io.BytesIO(data))


def build_inputs(packages: dict[str, Path], inputs: Path) -> dict:
    """arXiv bulk tarballs of the package's documents under `inputs`, and the arxiv section
    of the manifest."""
    root = packages["texlive-publishers-doc"] / DOCS
    if not root.is_dir():
        raise FileNotFoundError(f"{root}: no texlive-doc folder in texlive-publishers-doc")
    inputs.mkdir(parents=True, exist_ok=True)
    found = documents(root)
    others = set(found)
    index: dict[str, str] = {}
    for start in range(0, len(found), PAPERS_PER_TARBALL):
        tarball = inputs / f"arXiv_src_{MONTH}_{start // PAPERS_PER_TARBALL + 1:03d}.tar"
        with tarfile.open(tarball, "w", format=tarfile.USTAR_FORMAT) as tar:
            for serial, document in enumerate(found[start : start + PAPERS_PER_TARBALL], start + 1):
                paper = f"{MONTH}.{serial:05d}"
                add_file(tar, f"{MONTH}/{paper}.gz", member_bytes(paper_files(document, others)))
                index[f"arxiv/{paper}"] = document.relative_to(root).as_posix()
    (inputs / "papers.json").write_text(json.dumps(index, indent=1, sort_keys=True) + "\n")
    return {"inputs": [str(inputs / "arXiv_src_*.tar")]}


def garble_checks(texts: Iterable[str]) -> dict:
    """Per check, how many of the kept papers show it (see LEFTOVERS and the patterns),
    outside verbatim: a manual's listing of `\\documentclass` is its text."""
    leftovers: Counter[str] = Counter()
    repeated = mostly_commands = 0
    lines = command_lines = 0
    for shown in texts:
        text = protect_verbatim(shown)[0]
        leftovers.update(name for name, pattern in LEFTOVERS.items() if pattern.search(text))
        repeated += REPEATED_EXPANSION.search(text) is not None
        filled = [line for line in text.splitlines() if line.strip()]
        commands = sum(1 for line in filled if COMMAND_LINE.match(line))
        lines += len(filled)
        command_lines += commands
        mostly_commands += bool(filled) and commands / len(filled) > MOSTLY_COMMANDS
    return {
        "papers_with": {name: leftovers[name] for name in LEFTOVERS},
        "papers_with_repeated_expansion": repeated,
        "papers_mostly_command_lines": mostly_commands,
        "command_line_share": round(command_lines / lines, 4) if lines else 0.0,
    }


def checks(run_dir: Path, inputs: Path) -> dict:
    """Beside the counters the framework prints: the macros skipped by reason, the garble
    checks over the kept text, and which documents were dropped for want of a main file
    or a section."""
    stats = json.loads((run_dir / "arxiv" / "_stats.json").read_text())["counters"]
    kept = [row["text"] for row in outputs.kept(run_dir, "arxiv")]
    index = json.loads((inputs / "papers.json").read_text())
    figures: dict = {
        "papers": len(index),
        "macros_skipped": {
            k.removeprefix("macros.skipped."): v
            for k, v in sorted(stats.items())
            if k.startswith("macros.skipped.")
        },  # fmt: skip
        **garble_checks(kept),
    }
    lost: dict[str, list[str]] = {"no_main_file": [], "no_section": []}
    for row in outputs.dropped(run_dir, "arxiv"):
        if row["reason"] in lost:
            lost[row["reason"]].append(index.get(row["id"], row["id"]))
    figures["dropped_documents"] = {reason: sorted(paths) for reason, paths in lost.items()}
    return figures
