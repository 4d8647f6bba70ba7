"""CommonCrawl through CCNet (Wenzek et al. 2020) plus LLaMA's Wikipedia-reference
classifier: WET files -> deduplicated, language-identified, perplexity-bucketed pages that
look like the pages Wikipedia cites."""

from pipeline.declaration import PlanDefaults, SourceSpec, StageSpec, TableOneRow
from pipeline.readers.reasons import WET_ERRORS
from pipeline.sources.commoncrawl.config import CommonCrawlConfig

PACKAGE = "pipeline.sources.commoncrawl"
# the source whose articles train the language models (`lm`) and whose citations label the
# reference classifier (`refclf`): cc_net's and LLaMA's choice
REFERENCE_SOURCE = "wikipedia"

SOURCE = SourceSpec(
    name="commoncrawl",
    label="CommonCrawl",
    summary="CommonCrawl (WET files) through CCNet: stages lm, ccnet, refclf and commoncrawl",
    config=CommonCrawlConfig,
    stages=(
        StageSpec(
            "lm",
            f"{PACKAGE}.lm_stage",
            "Stage: per language, SentencePiece + KenLM models trained on Wikipedia (cc_net).",
            requires=(REFERENCE_SOURCE,),
        ),
        StageSpec(
            "ccnet",
            f"{PACKAGE}.ccnet_stage",
            "Stage: WET files -> deduplicated, language-identified, perplexity-scored pages.",
            requires=("lm",),
            read_unit="WET record",
        ),
        StageSpec(
            "refclf",
            f"{PACKAGE}.refclf_stage",
            "Stage: a fastText classifier of the pages Wikipedia cites (LLaMA's filter).",
            requires=("ccnet", REFERENCE_SOURCE),
        ),
        StageSpec(
            "commoncrawl",
            f"{PACKAGE}.stage",
            "Stage: ccnet pages -> the ones kept (perplexity buckets, reference classifier).",
            requires=("ccnet", "refclf"),
            read_unit="ccnet page",
        ),
    ),
    id_form="`commoncrawl/<dump>/<WARC record uuid>`",
    drop_reasons={
        "duplicate": "the same page digest seen earlier (ccnet)",
        "short": "shorter than min_chars once its duplicated lines went (ccnet)",
        "language": "not a kept language (ccnet)",
        "language_score": "lid.176 score below the threshold (ccnet)",
        "tail": "in the perplexity bucket dropped (commoncrawl; `head`/`middle` if dropped)",
        "not_reference": "wiki_prob below min_wiki_prob (commoncrawl)",
        "no_language_model": "its language has no model, so no bucket (commoncrawl)",
    },
    error_reasons=WET_ERRORS,
    ratio=67.0,
    table_one=TableOneRow(share=0.670, epochs=1.10, disk_bytes=3.3e12),
    plan=PlanDefaults(
        bytes_per_token=47.0,
        published_input_bytes=40 * 10**12,
        derivation="5 WET dumps of ~8 TB gzip each vs ~850B tokens kept by CCNet",
    ),
)
