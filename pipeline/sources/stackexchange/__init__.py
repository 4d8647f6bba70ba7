"""StackExchange: per-site Posts.xml dumps -> each question with its answers, highest score
first, HTML turned to text with code blocks kept (LLaMA §2)."""

from pipeline.declaration import PlanDefaults, SourceSpec, StageSpec, TableOneRow
from pipeline.sources.stackexchange.config import StackExchangeConfig

SOURCE = SourceSpec(
    name="stackexchange",
    label="StackExchange",
    summary="StackExchange (per-site Posts.xml dumps, .7z or extracted)",
    config=StackExchangeConfig,
    stages=(
        StageSpec(
            "stackexchange",
            "pipeline.sources.stackexchange.stage",
            "Stage: per-site Posts.xml -> questions with their answers, highest score first.",
            read_unit="row of Posts.xml (a post)",
        ),
    ),
    id_form="`stackexchange/<site>/<question id>`",
    drop_reasons={
        "post_type": "tag wikis and other rows that are neither question nor answer",
        "orphan_answer": "its question is not in the input",
        "site": "a question or answer of a site not kept",
        "duplicate": "a post given twice",
    },
    merged_reasons={"answer": "an answer, written inside its question's document"},
    error_reasons={
        "malformed_row": "a row that cannot be parsed",
        "doctype": "a Posts.xml with a DOCTYPE (refused: entity expansion)",
        "bad_archive": "a .7z that cannot be read",
        "no_posts_xml": "a .7z without Posts.xml",
        "missing_field": "a row without the attributes a post needs",
        "record_too_large": "a row above the size cap",
        "empty_file": "an input file with no bytes",
    },
    ratio=2.0,
    table_one=TableOneRow(share=0.020, epochs=1.03, disk_bytes=78e9),
    plan=PlanDefaults(
        bytes_per_token=3.3,
        published_input_bytes=90 * 10**9,
        derivation="28 sites' .7z archives, ~90 GB, vs ~27B tokens",
    ),
)
