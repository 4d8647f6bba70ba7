"""Books: Project Gutenberg and Books3 texts, licence blocks removed, near-duplicate books
(MinHash, Jaccard >= 0.9 on word 5-grams) kept once (LLaMA §2)."""

from pipeline.declaration import PlanDefaults, SourceSpec, StageSpec, TableOneRow
from pipeline.sources.books.config import BooksConfig

SOURCE = SourceSpec(
    name="books",
    label="Books",
    summary="Books (Project Gutenberg and Books3 texts)",
    config=BooksConfig,
    stages=(
        StageSpec(
            "books",
            "pipeline.sources.books.stage",
            "Stage: Gutenberg and Books3 texts -> books without licence blocks, near-deduplicated.",
            read_unit="book (a .txt file or a JSON line)",
        ),
    ),
    id_form="`books/gutenberg/<eBook number>[-<rest of the file name>]`, "
    "`books/books3/<file stem or title slug>` (`~2`... on a clash)",
    drop_reasons={
        "empty": "no text left once the licence blocks went",
        "replacement_chars": "a share of U+FFFD above max_replacement_share",
        "near_duplicate": "word 5-gram Jaccard >= min_jaccard with the copy its group keeps",
    },
    error_reasons={
        "malformed_json": "a Books3 JSON line that is not an object",
        "missing_field": "a Books3 JSON line without text",
        "record_too_large": "a book above max_book_bytes",
        "empty_file": "an input file with no bytes",
    },
    warning_reasons={
        "decoded_fallback": "a book kept, read as cp1252 from its first byte that is not UTF-8 (meta `encoding`)",
    },
    ratio=4.5,
    table_one=TableOneRow(share=0.045, epochs=2.23, disk_bytes=85e9),
    plan=PlanDefaults(
        bytes_per_token=3.5,
        published_input_bytes=100 * 10**9,
        derivation="Gutenberg + Books3 plain text vs ~28B tokens (near-duplicates removed)",
    ),
)
