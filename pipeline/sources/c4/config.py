"""Parameters of the C4 stage (the rules of TFDS's c4_utils.py, LLaMA §2)."""

from __future__ import annotations

import dataclasses

from pipeline.rules.config import RulesConfig, rules_field
from settings import BYTES_MAX, COUNT_MAX, param

DEDUP = ("lines", "spans", "none")


@dataclasses.dataclass
class C4Config:
    inputs: list[str] = param(
        [],
        "raw Common Crawl WET files (.warc.wet.gz; globs; any Beam path), cleaned here",
        path="files",
    )
    built_inputs: list[str] = param(
        [],
        "an already-built C4: c4-*.json.gz files with text, url and timestamp, kept as is",
        path="files",
    )
    min_words_per_line: int = param(
        5,
        "lines with fewer whitespace-separated words go (C4's code: 5; T5 paper: 3)",
        min=0,
        max=COUNT_MAX,
    )
    min_sentences: int = param(
        3, "pages with fewer sentences go, after the line rules and after dedup "
        "(C4's code: 3; T5 paper: 5)", min=0, max=COUNT_MAX
    )  # fmt: skip
    max_word_length: int = param(1000, "lines holding a longer word go", min=1, max=BYTES_MAX)
    min_page_chars: int = param(0, "raw pages shorter than this go", min=0, max=BYTES_MAX)
    max_page_chars: int = param(
        190_000, "raw pages longer than this go (C4: 1.9e5)", min=1, max=BYTES_MAX
    )
    badwords_file: str = param(
        "",
        "a file of bad words or phrases, one per line: a page holding one goes ('' = none)",
        path="file",
    )
    lid_model: str = param(
        "", "fastText language-ID model ('' = the bundled lid.176.ftz)", path="file"
    )
    min_english_score: float = param(
        0.8,
        "pages whose lid.176 English score is lower go (C4 used langdetect at 0.99; clean "
        "English pages score 0.9-0.99 with fastText, German ones < 0.05)",
        min=0,
        max=1,
    )
    dedup: str = param(
        "lines",
        "lines: a line kept in its first page only, as C4's code did; spans: every 3-sentence "
        "span kept in its first page only, as the T5 paper says; none",
        choices=DEDUP,
    )
    max_record_bytes: int = param(
        64 << 20, "a built C4 line or WET record longer than this is an error", min=1, max=BYTES_MAX
    )
    rules: RulesConfig = rules_field()
