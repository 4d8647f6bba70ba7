"""Parameters of the GitHub stage (RedPajama v1's rules, LLaMA §2)."""

from __future__ import annotations

import dataclasses

from pipeline.commit_groups import commit_files_field
from pipeline.rules.config import RulesConfig, rules_field
from settings import BYTES_MAX, param

# The licences LLaMA kept: "Apache, BSD and MIT" (§2), as BigQuery's github_repos spells them.
LICENSES = ["mit", "apache-2.0", "bsd-2-clause", "bsd-3-clause"]

# RedPajama v1's extension whitelist (github_clean_dedup_local.py), plus the file names that
# carry code without an extension.
EXTENSIONS = [
    "asm", "bat", "cmd", "c", "h", "cs", "cpp", "hpp", "c++", "h++", "cc", "hh", "C", "H",
    "cmake", "css", "dockerfile", "f90", "f", "f03", "f08", "f77", "f95", "for", "fpp", "go",
    "hs", "html", "java", "js", "jl", "lua", "md", "markdown", "php", "php3", "php4", "php5",
    "phps", "phpt", "pl", "pm", "pod", "perl", "ps1", "psd1", "psm1", "py", "rb", "rs", "sql",
    "scala", "sh", "bash", "command", "zsh", "ts", "tsx", "tex", "vb", "xml", "xsd", "xsl",
]  # fmt: skip
FILENAMES = ["Dockerfile", "Makefile", "makefile", "GNUmakefile", "CMakeLists.txt"]
# Licence and copyright notice files, by the base name without its extension (rules.py):
# RedPajama kept LICENSE.md as Markdown; fleece drops them (module docstring of __init__).
LICENCE_FILES = ["LICENSE", "LICENCE", "COPYING", "COPYING.LESSER", "COPYRIGHT", "UNLICENSE",
                 "NOTICE"]  # fmt: skip


@dataclasses.dataclass
class GithubConfig:
    inputs: list[str] = param(
        [],
        "BigQuery github_repos exports: JSONL (.jsonl or .jsonl.gz; globs; any Beam path)",
        path="files",
    )
    licenses: list[str] = param(LICENSES, "licences kept (BigQuery's lower-case names)")
    extensions: list[str] = param(EXTENSIONS, "file extensions kept (case-sensitive, no dot)")
    filenames: list[str] = param(FILENAMES, "file names kept whatever their extension")
    licence_files: list[str] = param(
        LICENCE_FILES,
        "licence files dropped, by base name without extension (any case; also LICENSE-MIT, "
        "LICENCE_BSD, six.LICENSE); [] keeps them",
    )
    max_line_length: int = param(1000, "files with a longer line are dropped", min=1, max=BYTES_MAX)
    max_mean_line_length: float = param(
        100.0, "files whose mean line is longer go", above=0, max=BYTES_MAX
    )
    min_alphanumeric_fraction: float = param(
        0.25, "files with a smaller share of alphanumeric characters go", min=0, max=1
    )
    min_alpha_per_token: float = param(
        1.5,
        "files with fewer alphabetic characters per whitespace-separated token go",
        min=0,
        max=BYTES_MAX,
    )
    max_row_bytes: int = param(
        64 << 20,
        "a JSON line longer than this is an error (skipped, never held whole)",
        min=1,
        max=BYTES_MAX,
    )
    strip_licence_headers: bool = param(
        True, "remove a leading licence or copyright comment block before the rules and dedup"
    )
    rules: RulesConfig = rules_field()
    commit_files: int = commit_files_field()
