"""GitHub: BigQuery github_repos JSONL exports -> permissively licensed, filtered,
deduplicated source files (RedPajama v1's rules).

One departure from RedPajama's rules: licence and copyright notice files (LICENSE.md,
COPYING, NOTICE.txt, LICENSE-MIT; `licence_files`) go as `licence_file` even where the
extension list would keep them, as they are boilerplate repeated across millions of
repositories that the exact dedup removes only where copies match byte for byte."""

from pipeline.declaration import PlanDefaults, SourceSpec, StageSpec, TableOneRow
from pipeline.sources.github.config import GithubConfig

SOURCE = SourceSpec(
    name="github",
    label="Github",
    summary="GitHub (BigQuery github_repos JSONL exports)",
    config=GithubConfig,
    stages=(
        StageSpec(
            "github",
            "pipeline.sources.github.stage",
            "Stage: GitHub JSONL exports -> licensed, filtered, deduplicated source files.",
            read_unit="JSONL row (a file)",
        ),
    ),
    id_form="`github/<repo_name>/<path>`",
    drop_reasons={
        "license": "not an MIT, BSD or Apache licence",
        "extension": "an extension or file name not on the list",
        "licence_file": "a licence or copyright notice file, not code",
        "empty": "nothing left once the licence header went",
        "max_line": "a line longer than max_line_length",
        "mean_line": "mean line length above max_mean_line_length",
        "alnum": "alphanumeric share below min_alphanumeric_fraction",
        "alpha_per_token": "too few alphabetic characters per token",
        "duplicate": "the same content as a file of a smaller id",
    },
    error_reasons={
        "malformed_json": "a line that is not a JSON object",
        "missing_field": "a row without repo_name, path or content",
        "invalid_utf8": "a line that is not UTF-8",
        "corrupt_gzip": "a corrupt gzip member; reading resumes at the next",
        "truncated_gzip": "the file ends inside a gzip member",
        "record_too_large": "a row above max_row_bytes",
    },
    ratio=4.5,
    table_one=TableOneRow(share=0.045, epochs=0.64, disk_bytes=328e9),
    plan=PlanDefaults(
        bytes_per_token=8.0,
        published_input_bytes=800 * 10**9,
        derivation="BigQuery JSONL (uncompressed) before licence, quality and dedup filters "
        "vs ~98B tokens",
    ),
)
