"""A paper's LaTeX: comments removed, its main file chosen, includes inlined, the body cut out.

- Comments: `%` to the end of its line, unless escaped (`\\%`, but `\\\\%` is a line break then a
  comment) or inside `\\verb`, `\\Verb`, `\\lstinline` or a verbatim-like environment. A line
  that is only a comment goes whole, its newline too; a trailing comment goes up to its
  newline, which stays: `\\NeedsTeXFormat{LaTeX2e}%` must not glue the next line (a
  `\\documentclass`) to itself. `comment` environments go, and so do `filecontents` ones (a
  .bib or .sty the paper writes out: not text). RedPajama v1's `[^\\\\]%.+$` also ate the
  character before the `%`.
- Main file: a file with `\\documentclass` (or LaTeX 2.09's `\\documentstyle`) outside comments
  and verbatim, anywhere in a line (`[1994/12/01]\\documentclass` is one); between several,
  the one that includes most of the others, then the shortest path, then the name.
- Includes: `\\input{f}`, `\\input f`, `\\include{f}`, `\\subfile{f}`, `\\import{dir}{f}` and
  `\\subimport{dir}{f}`, with or without `.tex`, replaced by the file's text, recursively to
  `max_depth`, a file never inside itself (a cycle leaves the command out). Paths resolve in
  the paper's own files only; one not there (a `../x`, an absolute path) is left out.
- Body: from the first sectioning command of any level after `\\begin{document}`, outside
  verbatim (`\\verb|\\section|` is code): LaTeX's `\\part` to `\\subparagraph` (starred or not:
  RedPajama's regex missed the `|` between the last two), KOMA-Script's `\\addchap`, `\\addsec`,
  `\\addpart`, `\\minisec`, and a class's own (`\\Section`, `\\thesissection`,
  `\\IJSRAsection`, `\\QuickChapter`, `\\sectionheading`: a name holding section, chapter or Part,
  but not a counter's `\\thesection` or hyperref's `\\phantomsection`); up to the first
  bibliography (`\\begin{thebibliography}`, `\\bibliography{`, `\\printbibliography`,
  `\\begin{references}`), `\\appendix` or `\\end{document}`. The bibliography's commands
  (`\\bibliographystyle`, `\\addbibresource`, `\\nocite`) go wherever they stand: LLaMA removed
  the bibliography, and they are its settings.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

LATEX_EXTENSIONS = (".tex", ".ltx")
VERBATIM = re.compile(
    r"\\begin\{(verbatim\*?|Verbatim\*?|lstlisting|minted|comment|filecontents\*?)\}(.*?)"
    r"\\end\{\1\}",
    re.DOTALL,
)
# environments that are not text at all: a comment, a file the paper writes out (.bib, .sty)
DISCARDED = ("comment", "filecontents", "filecontents*")
# inline verbatim: \verb|...|, fancyvrb's \Verb+...+, listings' \lstinline!...!
INLINE_VERBATIM = r"\\(?:verb|Verb|lstinline)(?![A-Za-z@])\*?"
VERBATIM_DELIMITER = r"([^A-Za-z\s*{\[])"
COMMENT_SCAN = re.compile(INLINE_VERBATIM + VERBATIM_DELIMITER + r"|\\.|%", re.DOTALL)
# anywhere in a line: `\NeedsTeXFormat{LaTeX2e}[1994/12/01]\documentclass{x}` starts a paper
DOCUMENT_CLASS = re.compile(r"\\document(?:class|style)(?![A-Za-z@])")
INCLUDE = re.compile(
    r"\\(?P<cmd>input|include|subfile)(?![A-Za-z@])\s*(?:\{(?P<braced>[^{}]*)\}"
    r"|(?P<bare>[^\s{}\\%]+))"
    r"|\\(?P<imp>import|subimport|inputfrom|subinputfrom|includefrom|subincludefrom)\*?"
    r"\s*\{(?P<dir>[^{}]*)\}\s*\{(?P<file>[^{}]*)\}"
)
BEGIN_DOCUMENT = re.compile(r"\\begin\s*\{document\}")
SECTION = re.compile(
    r"\\(?:part|chapter|(?:sub){0,2}section|(?:sub)?paragraph"  # LaTeX's
    r"|addchap|addsec|addpart|minisec"  # KOMA-Script's
    # a class's own: \Section, \thesissection, \QuickChapter, \sectionheading; not a counter
    # (\thesection), an anchor (\phantomsection) or a setting (\setchapter...)
    r"|(?!(?:the|phantom|bib|toc|new|renew|set|start|end|ref)(?:sub)*(?:section|chapter|part)"
    r"(?![A-Za-z@]))[A-Za-z]*?(?:[Ss]ection|[Cc]hapter|Part)(?:heading|[Tt]itle)?"
    r")(?![A-Za-z@])\*?"
)
END = re.compile(
    r"\\begin\s*\{(?:thebibliography|references|REFERENCES)\}|\\bibliography\s*\{"
    r"|\\printbibliography(?![A-Za-z@])|\\appendix(?![A-Za-z@])|\\end\s*\{document\}"
)
# the bibliography's settings, which may stand anywhere (a style chosen before the first
# section, a \nocite{*} in the text)
BIBLIOGRAPHY_COMMAND = re.compile(
    r"\\(?:bibliographystyle|addbibresource|nocite)(?![A-Za-z@])\*?\s*(?:\[[^\]]*\]\s*)?\{[^{}]*\}"
)


def strip_comments(text: str) -> str:
    """`text` without its comments (see the module docstring)."""
    out: list[str] = []
    last = 0
    for block in VERBATIM.finditer(text):
        out.append(_strip_comments(text[last : block.start()]))
        # a comment environment is a comment; verbatim keeps its % signs
        out.append("" if block.group(1) in DISCARDED else block.group())
        last = block.end()
    out.append(_strip_comments(text[last:]))
    return "".join(out)


def _strip_comments(text: str) -> str:
    out: list[str] = []
    last = pos = 0
    while (match := COMMENT_SCAN.search(text, pos)) is not None:
        pos = match.end()
        if match.group(1) is not None:  # \verb|...|: skip to its closing delimiter
            close = text.find(match.group(1), pos)
            newline = text.find("\n", pos)
            if close >= 0 and (newline < 0 or close < newline):
                pos = close + 1
            continue
        if match.group() != "%":
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.start())
        line_end = len(text) if line_end < 0 else line_end
        before = text[line_start : match.start()]
        if not before.strip():  # the whole line is a comment: it goes, line ending too
            out.append(text[last:line_start])
            last = pos = min(line_end + 1, len(text))
            continue
        # a trailing comment goes up to its newline, which stays
        out.append(text[last : match.start()])
        last = pos = line_end
    out.append(text[last:])
    return "".join(out)


VERBATIM_TEXT = re.compile(
    r"\\begin\{(verbatim\*?|Verbatim\*?|lstlisting|minted)\}.*?\\end\{\1\}"
    r"|" + INLINE_VERBATIM + VERBATIM_DELIMITER + r"[^\n]*?\2",
    re.DOTALL,
)
PLACEHOLDER = re.compile("\x00(\\d+)\x00")


def protect_verbatim(text: str) -> tuple[str, list[str]]:
    """`text` with each verbatim block and `\\verb` replaced by a placeholder (NUL, its
    number, NUL: no LaTeX), and the blocks: code shown in a paper is neither a macro
    definition nor a use, and must come out as it was written."""
    blocks: list[str] = []

    def hold(match: re.Match[str]) -> str:
        blocks.append(match.group())
        return f"\x00{len(blocks) - 1}\x00"

    return VERBATIM_TEXT.sub(hold, text.replace("\x00", "")), blocks


def restore_verbatim(text: str, blocks: list[str]) -> str:
    return PLACEHOLDER.sub(lambda m: blocks[int(m.group(1))], text) if blocks else text


def has_document_class(text: str) -> bool:
    """Whether `text` (comments already gone) starts a document: a `\\documentclass` that
    is not code shown in verbatim (`\\verb|\\documentclass|` in a manual's chapter)."""
    return DOCUMENT_CLASS.search(protect_verbatim(text)[0]) is not None


@dataclass(frozen=True)
class Include:
    start: int
    end: int
    targets: tuple[str, ...]  # candidate paths in the paper's files, in order of preference
    newlines: bool  # \include starts a new page: its text on lines of its own


def includes(text: str, current: str = "") -> list[Include]:
    """The include commands of a file at path `current`, in order."""
    found = []
    here = posixpath.dirname(current)
    # an \input shown in a listing is code, not an include
    shown = [(m.start(), m.end()) for m in VERBATIM_TEXT.finditer(text)]
    for match in INCLUDE.finditer(text):
        if any(start <= match.start() < end for start, end in shown):
            continue
        if match.group("cmd"):
            name = (match.group("braced") or match.group("bare") or "").strip().strip('"')
            bases = [name, posixpath.join(here, name)] if here else [name]
        else:
            folder, name = match.group("dir").strip(), match.group("file").strip()
            joined = posixpath.join(folder, name)
            relative = match.group("imp").startswith("sub")
            bases = [posixpath.join(here, joined), joined] if relative else [joined]
        targets = []
        for base in bases:
            if not base:
                continue
            path = posixpath.normpath(base)  # "./a" is "a"; "../a" stays outside
            targets += [path + ext for ext in ("", *LATEX_EXTENSIONS)]
        newlines = match.group("cmd") == "include"
        found.append(Include(match.start(), match.end(), tuple(targets), newlines))
    return found


def resolve(include: Include, files: Mapping[str, str]) -> str | None:
    """The first of an include's paths that is one of the paper's LaTeX files."""
    for target in include.targets:
        if target in files and target.lower().endswith(LATEX_EXTENSIONS):
            return target
    return None


def choose_main(files: Mapping[str, str]) -> str | None:
    """The main file among `files` (path -> text without comments), or None."""
    ranked = rank_mains(files)
    return ranked[0] if ranked else None


def rank_mains(files: Mapping[str, str]) -> list[str]:
    """The files that can be the main one (path -> text without comments), best first.

    Real projects hold several documents (a supplement, a response letter, a template kept
    beside the paper, a \\documentclass shown in a listing of a section file), so among the
    candidates: one no other file includes, then the one including most files, then one
    with \\begin{document} and a sectioning command, then the longest, then by path."""
    candidates = [path for path, text in files.items() if has_document_class(text)]
    included = {p: {resolve(i, files) for i in includes(files[p], p)} - {None, p} for p in files}
    inside = set().union(*included.values())

    def rank(path: str) -> tuple[bool, int, bool, bool, int, str]:
        text = protect_verbatim(files[path])[0]
        begin = BEGIN_DOCUMENT.search(text)
        sections = begin is not None and SECTION.search(text, begin.end()) is not None
        return (path in inside, -len(included[path]), begin is None, not sections, -len(text), path)

    return sorted(candidates, key=rank)


@dataclass
class Inlined:
    text: str
    files: list[str] = field(default_factory=list)  # every file used, main first
    missing: list[str] = field(default_factory=list)  # includes that found no file
    cycles: int = 0
    too_deep: int = 0


def inline(main: str, files: Mapping[str, str], max_depth: int) -> Inlined:
    """The main file's text with its includes replaced by theirs, recursively."""
    result = Inlined("", [main])
    result.text = _inline(main, files, max_depth, (main,), result)
    return result


def _inline(
    path: str, files: Mapping[str, str], depth: int, stack: tuple[str, ...], result: Inlined
) -> str:
    text = files[path]
    out: list[str] = []
    last = 0
    for include in includes(text, path):
        out.append(text[last : include.start])
        last = include.end
        target = resolve(include, files)
        if target is None:
            result.missing.append(include.targets[0] if include.targets else "")
            continue
        if target in stack:
            result.cycles += 1
            continue
        if depth <= 1:
            result.too_deep += 1
            continue
        if target not in result.files:
            result.files.append(target)
        inner = _inline(target, files, depth - 1, (*stack, target), result)
        out.append(f"\n{inner}\n" if include.newlines else inner)
    out.append(text[last:])
    return "".join(out)


def cut_body(text: str) -> str | None:
    """From the first sectioning command up to the bibliography, appendix or end of the
    document; None when the document has no sectioning command."""
    begin = BEGIN_DOCUMENT.search(text)
    section = SECTION.search(text, begin.end() if begin else 0)
    if section is None:
        return None
    end = END.search(text, section.start())
    return text[section.start() : end.start() if end else len(text)]


def without_bibliography_commands(text: str) -> str:
    """`text` without `\\bibliographystyle{..}`, `\\addbibresource{..}` and `\\nocite{..}`."""
    return BIBLIOGRAPHY_COMMAND.sub("", text)


def tidy(text: str) -> str:
    """Trailing spaces and runs of blank lines left by what was removed, gone."""
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
