"""Wikipedia: MediaWiki XML exports (dump.py), wikitext cleaning (clean.py), the stage."""

from pipeline.declaration import PlanDefaults, SourceSpec, StageSpec, TableOneRow
from pipeline.sources.wikipedia.config import WikipediaConfig

SOURCE = SourceSpec(
    name="wikipedia",
    label="Wikipedia",
    summary="Wikipedia (MediaWiki XML dumps)",
    config=WikipediaConfig,
    stages=(
        StageSpec(
            "wikipedia",
            "pipeline.sources.wikipedia.stage",
            "Stage: MediaWiki XML dumps -> cleaned articles and cited URLs.",
            read_unit="<page> of a dump",
        ),
    ),
    id_form="`wikipedia/<lang>/<page id>`",
    drop_reasons={
        "duplicate_page": "an older revision of a page another dump also holds",
        "namespace": "not in namespace 0 (articles)",
        "redirect": "a redirect",
        "not_wikitext": "a page whose content model is not wikitext",
        "empty": "no text left once markup went",
    },
    error_reasons={
        "malformed_page": "a <page> that cannot be parsed; reading resumes at the next",
        "corrupt_stream": "a bz2 stream that cannot be read; the pages before it are kept",
        "truncated_stream": "the file ends inside a bz2 stream; the pages before it are kept",
        "entity_expansion": "a dump that declares entities (refused)",
        "invalid_encoding": "text that is not in the declared encoding",
        "unknown_encoding": "an encoding Python does not know",
        "page_too_large": "a page above max_page_bytes",
        "empty_file": "an input file with no bytes",
    },
    warning_reasons={
        "dangling_colon": "an article kept with a line ending in ':' right before a table "
        "or template the cleaner dropped (the list it announces is gone)",
    },
    ratio=4.5,
    table_one=TableOneRow(share=0.045, epochs=2.45, disk_bytes=83e9),
    plan=PlanDefaults(
        bytes_per_token=2.3,
        published_input_bytes=60 * 10**9,
        derivation="20 pages-articles .xml.bz2 dumps, ~60 GB, vs ~26B tokens",
    ),
)
