"""One tar member -> one paper: its files read, its LaTeX cleaned, its Document.

    member ─► inflate (capped) ─► files (.tex/.ltx; unsafe entries refused) ─► decode ─►
    comments out ─► main file ─► includes inlined ─► verbatim set aside ─► macro
    definitions out ─► body cut ─► macros expanded (top-level, not recursive) ─►
    bibliography commands out ─► verbatim back ─► tidy ─► rules (not empty, few U+FFFD)

A member that cannot be read is a Fault (an error row: corrupt gzip, too large); a paper
that is read but not kept is Dropped with its reason (pdf_only, no_latex, no_main_file,
no_section, and the rules'); refused entries are Faults beside a paper that is still kept.
Definitions not expanded are counted `macros.skipped.<reason>`: `in_group` (made inside a
group or environment), `self_reference` (a macro whose expansion reaches itself again),
`internal` (a class formatting hook using LaTeX internals).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline import counters
from pipeline.counters import Count
from pipeline.documents import Document
from pipeline.readers.tar import Fault, inflate
from pipeline.rules.document import MaxReplacementShare, NotEmpty, configured_rules
from pipeline.sources.arxiv import latex
from pipeline.sources.arxiv.config import ArxivConfig
from pipeline.sources.arxiv.latex_macros import (
    Definitions,
    Macro,
    expand_macros,
    find_definitions,
    recursive,
)
from pipeline.sources.arxiv.tarball import ArxivMember, paper_files
from pipeline.steps import Dropped, Step, run_steps
from pipeline.text.decode import decode_text

NAME = "arxiv"
MIN_EXPANSION_CHARS = 1 << 20
MAX_MAIN_TRIES = 8  # candidates for the main file tried, at most


def paper_steps(config: ArxivConfig) -> list[Step]:
    """A cleaned paper's rules: some text, few U+FFFD (bytes that were not text, not LaTeX);
    then the generic rules its manifest section switches on."""
    return [
        NotEmpty(),
        MaxReplacementShare(config.max_replacement_share),
        *configured_rules(config.rules),
    ]


@dataclass
class Outcome:
    """What became of one member: its document (possibly only partly cleaned, when
    dropped), the Dropped or None, and its faults. `document` is None when the member
    could not be read at all (its one fault is an error); otherwise the faults are of some
    entries, the paper read without them (warnings: the record is not lost)."""

    document: Document | None
    dropped: Dropped | None = None
    faults: list[Fault] = field(default_factory=list)


def member_document(member: ArxivMember, text: str, tarball: str, **meta: object) -> Document:
    return Document(
        id=member.id,
        source=NAME,
        text=text,
        url=f"https://arxiv.org/abs/{member.paper}",
        meta={"tarball": tarball, "member": member.name, "version": member.version, **meta},
    )


def other_definitions(
    styles: Mapping[str, bytes], texts: Mapping[str, str], used: Sequence[str]
) -> Definitions:
    """The macros defined in the paper's .sty files and in its .tex files the main file
    does not include, in path order (a later file's definition wins); no text."""
    found = Definitions("", {}, Counter())
    sources = [latex.strip_comments(decode_text(data).text) for _, data in sorted(styles.items())]
    sources += [text for path, text in sorted(texts.items()) if path not in used]
    for source in sources:
        definitions = find_definitions(latex.protect_verbatim(source)[0])
        found.macros.update(definitions.macros)
        found.skipped.update(definitions.skipped)
    return found


@dataclass
class Cut:
    """A paper read from one main file: its text without macro definitions (verbatim set
    aside), the body cut from it (None: no sectioning command), its macros and the
    definitions skipped by reason."""

    main: str
    files: list[str]
    missing: list[str]
    text: str
    body: str | None
    macros: dict[str, Macro]
    skipped: Counter[str]
    verbatim: list[str]


def cut_paper(
    main: str, texts: Mapping[str, str], styles: Mapping[str, bytes], config: ArxivConfig
) -> Cut:
    inlined = latex.inline(main, texts, config.max_include_depth)
    masked, verbatim = latex.protect_verbatim(inlined.text)
    own = find_definitions(masked)
    # macros the text uses but defines elsewhere: in the paper's own .sty packages, or in
    # a .tex file its class or a package loads (\InputIfFileExists): the text's own win
    other = other_definitions(styles, texts, inlined.files)
    macros = {**other.macros, **own.macros}
    skipped = own.skipped + other.skipped
    expandable = {name: m for name, m in macros.items() if m.expandable}
    looping = recursive(expandable)
    skipped["internal"] += len(macros) - len(expandable)
    skipped["self_reference"] += len(looping)
    macros = {name: m for name, m in expandable.items() if name not in looping}
    body = latex.cut_body(own.text)
    return Cut(main, inlined.files, inlined.missing, own.text, body, macros, skipped, verbatim)


def process_member(
    member: ArxivMember, tarball: str, config: ArxivConfig, steps: Sequence[Step], count: Count
) -> Outcome:
    """The outcome of one member of tarball `tarball` (its file name); drops are counted."""

    def drop(reason: str, text: str = "", **meta: object) -> Outcome:
        count(counters.dropped(reason), 1)
        doc = member_document(member, text, tarball, **meta)
        return Outcome(doc, Dropped(reason), faults)

    faults: list[Fault] = []
    if isinstance(member.data, Fault):  # the tar ends inside the member
        return Outcome(None, None, [member.data])
    if member.name.lower().endswith(".pdf"):
        return drop("pdf_only", layout="pdf")
    content = inflate(member.data, config.max_paper_bytes)
    if isinstance(content, Fault):
        return Outcome(None, None, [content])
    paper = paper_files(content, member.name)
    del content
    faults += paper.faults
    if paper.layout in ("pdf", "postscript"):
        return drop("pdf_only", layout=paper.layout)
    if not paper.files:
        return drop("no_latex", layout=paper.layout)
    texts: dict[str, str] = {}
    decoded_fallback = False
    for path, data in sorted(paper.files.items()):
        decoded = decode_text(data)
        count(counters.BYTES_READ, counters.utf8_size(decoded.text))
        if decoded.fallback:
            count(counters.warnings("decoded_fallback"), 1)
            decoded_fallback = True
        texts[path] = latex.strip_comments(decoded.text.replace("\r\n", "\n"))
    mains = latex.rank_mains(texts)
    if not mains:
        return drop("no_main_file", "\n".join(texts.values()), layout=paper.layout)
    # the best candidate first; another document of the project only when that one has no
    # sectioning command (a template or a cover letter ranked first)
    for main in mains[:MAX_MAIN_TRIES]:
        cleaned = cut_paper(main, texts, paper.styles, config)
        if cleaned.body is not None:
            break
    else:
        cleaned = cut_paper(mains[0], texts, paper.styles, config)
    meta: dict[str, object] = {
        "layout": paper.layout,
        "main_file": cleaned.main,
        "files": cleaned.files,
        "decoded_fallback": decoded_fallback,
    }
    if cleaned.missing:
        meta["missing_includes"] = cleaned.missing
    body, macros, verbatim = cleaned.body, cleaned.macros, cleaned.verbatim
    if body is None:
        return drop("no_section", latex.restore_verbatim(cleaned.text, verbatim), **meta)
    for reason, n in sorted(cleaned.skipped.items()):
        if n:
            count(counters.macros_skipped(reason), n)
    limit = max(int(config.max_expansion_ratio * len(body)), MIN_EXPANSION_CHARS)
    expansion = expand_macros(body, macros, config.max_macro_depth, limit)
    meta["macros"] = len(macros)
    if not expansion.complete:
        meta["macros_expanded"] = False
    expanded = latex.without_bibliography_commands(expansion.text)
    text = latex.tidy(latex.restore_verbatim(expanded, verbatim))
    doc = member_document(member, text, tarball, **meta)
    doc, dropped = run_steps(doc, steps, count)
    return Outcome(doc, dropped, faults)
