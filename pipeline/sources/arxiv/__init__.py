"""ArXiv: bulk LaTeX source tarballs -> each paper's body from its first section to its
bibliography, comments stripped and user macros expanded (LLaMA §2)."""

from pipeline.declaration import PlanDefaults, SourceSpec, StageSpec, TableOneRow
from pipeline.sources.arxiv.config import ArxivConfig

SOURCE = SourceSpec(
    name="arxiv",
    label="ArXiv",
    summary="ArXiv (bulk LaTeX source tarballs)",
    config=ArxivConfig,
    stages=(
        StageSpec(
            "arxiv",
            "pipeline.sources.arxiv.stage",
            "Stage: arXiv source tarballs -> papers' LaTeX bodies, macros expanded.",
            read_unit="tarball member (a paper)",
        ),
    ),
    id_form="`arxiv/<new-style id>` (`arxiv/2101.00001`), `arxiv/<archive>/<number>` "
    "(`arxiv/hep-th/9901001`)",
    drop_reasons={
        "pdf_only": "a paper given as PDF only",
        "no_latex": "no .tex file",
        "no_main_file": "no `\\documentclass`",
        "no_section": "no section to start the body at",
        "empty": "no text left",
        "replacement_chars": "a share of U+FFFD above max_replacement_share",
        "duplicate": "an older copy of the paper",
    },
    error_reasons={
        "truncated_tar": "the tarball ends inside a member (that member is lost)",
        "too_large": "a member that inflates past max_member_bytes",
        "unknown_member": "a member that is neither a paper's gzip nor a PDF",
        "not_a_tar": "an input that is not a tar file",
        "corrupt_gzip": "a paper's gzip that cannot be read",
        "record_too_large": "a member above max_member_bytes",
        "empty_file": "an input file with no bytes",
    },
    warning_reasons={
        "decoded_fallback": "a file of a paper read as cp1252 (not UTF-8); the paper's meta says so",
        "truncated_tar": "a tarball whose next header is cut or damaged after whole members",
        "path_traversal": "an entry of a paper whose path leaves the work folder: not read, "
        "the rest of the paper is",
        "corrupt_tar": "a paper's tar that breaks after some entries: those before are read",
    },
    ratio=2.5,
    table_one=TableOneRow(share=0.025, epochs=1.06, disk_bytes=92e9),
    plan=PlanDefaults(
        bytes_per_token=60.0,
        published_input_bytes=2 * 10**12,
        derivation="source tarballs (figures included) vs ~33B tokens of cleaned LaTeX",
    ),
)
