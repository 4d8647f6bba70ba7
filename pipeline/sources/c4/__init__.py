"""C4 (Raffel et al. 2020): raw Common Crawl WET cleaned with the rules of the code that
built C4, or an already-built C4 read as it is."""

from pipeline.declaration import PlanDefaults, SourceSpec, StageSpec, TableOneRow
from pipeline.readers.reasons import WET_ERRORS
from pipeline.sources.c4.config import C4Config

SOURCE = SourceSpec(
    name="c4",
    label="C4",
    summary="C4: raw WET cleaned with C4's rules, or an already-built C4 (json.gz)",
    config=C4Config,
    stages=(
        StageSpec(
            "c4",
            "pipeline.sources.c4.stage",
            "Stage: raw WET cleaned with C4's rules (or a built C4) -> English pages.",
            read_unit="WET record or built-C4 JSON line",
        ),
    ),
    id_form="raw `c4/<dump>/<WARC record uuid>`, built `c4/<file stem>/<line>`",
    drop_reasons={
        "length": "a page too short once its lines were cleaned",
        "lines": "no line left",
        "lorem": "holds lorem ipsum",
        "curly": "holds a curly bracket",
        "bad_words": "holds a word of the bad-words list",
        "sentences": "fewer sentences than min_sentences",
        "language": "not English with enough confidence",
        "duplicate": "a URL seen before",
        "line_dedup": "no line left after line dedup",
        "span_dedup": "no line left after 3-sentence span dedup",
    },
    error_reasons={
        **WET_ERRORS,
        "malformed_json": "a built-C4 line that is not a JSON object",
        "missing_field": "a built-C4 line without `text`",
        "invalid_utf8": "a built-C4 line that is not UTF-8",
        "corrupt_gzip": "a corrupt gzip member of a built-C4 file; reading resumes at the next",
        "truncated_gzip": "a built-C4 file that ends inside a gzip member",
    },
    ratio=15.0,
    table_one=TableOneRow(share=0.150, epochs=1.06, disk_bytes=783e9),
    plan=PlanDefaults(
        bytes_per_token=1.5,
        published_input_bytes=305 * 10**9,
        derivation="c4/en json.gz, ~305 GB, vs ~198B tokens",
    ),
)
