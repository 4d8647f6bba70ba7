"""Parameters of the Wikipedia stage."""

from __future__ import annotations

import dataclasses

from pipeline.commit_groups import commit_files_field
from pipeline.rules.config import RulesConfig, rules_field
from settings import BYTES_MAX, INT32_MAX, param

# The 20 languages of LLaMA's Wikipedia subset (Touvron et al. 2023, §2).
LLAMA_LANGUAGES = [
    "bg", "ca", "cs", "da", "de", "en", "es", "fr", "hr", "hu",
    "it", "nl", "pl", "pt", "ro", "ru", "sl", "sr", "sv", "uk",
]  # fmt: skip


@dataclasses.dataclass
class WikipediaConfig:
    inputs: list[str] = param(
        [], "MediaWiki XML dumps (.xml or .xml.bz2; globs; any Beam path)", path="files"
    )
    languages: list[str] = param(
        LLAMA_LANGUAGES, "wiki languages kept (xml:lang / dbname of a dump)"
    )
    namespaces: list[int] = param(
        [0],
        "page namespaces kept (0 = articles; dumps hold none of the negative ones)",
        min=0,
        max=INT32_MAX,
    )
    keep_title: bool = param(True, "start each document with the article title and a blank line")
    min_body_chars: int = param(
        1, "articles whose cleaned body is shorter are dropped", min=0, max=BYTES_MAX
    )
    math: str = param(
        "latex",
        "<math> as LaTeX between $ ($$ for display math), or drop it",
        choices=("latex", "drop"),
    )
    max_page_bytes: int = param(
        64 << 20, "a page larger than this is an error (bounds memory)", min=1024, max=BYTES_MAX
    )
    rules: RulesConfig = rules_field()
    commit_files: int = commit_files_field()
