"""Parameters of the arxiv stage (LaTeX sources; LLaMA §2, RedPajama v1's cleaner, fixed)."""

from __future__ import annotations

import dataclasses

from pipeline.rules.config import RulesConfig, rules_field
from settings import BYTES_MAX, param


@dataclasses.dataclass
class ArxivConfig:
    inputs: list[str] = param(
        [], "arXiv bulk source tarballs (.tar; globs; any Beam path)", path="files"
    )
    max_paper_bytes: int = param(
        256 << 20,
        "a paper that inflates to this many bytes or more is refused (errors.too_large)",
        min=1,
        max=BYTES_MAX,
    )
    max_member_bytes: int = param(
        256 << 20,
        "a tar member (compressed) larger than this is refused unread",
        min=1,
        max=BYTES_MAX,
    )
    max_include_depth: int = param(
        16, "\\input/\\include nesting followed at most this deep", min=1, max=100
    )
    max_macro_depth: int = param(
        16, "a macro's expansion is expanded again at most this many levels", min=1, max=100
    )
    max_expansion_ratio: float = param(
        8.0,
        "macro expansion stops (the text left unexpanded) past this many times the paper's "
        "characters (at least 1M)",
        above=0,
        max=1e6,
    )
    max_replacement_share: float = param(
        0.01,
        "papers whose text has a larger share of U+FFFD (undecodable bytes) are dropped",
        min=0,
        max=1,
    )
    rules: RulesConfig = rules_field()
