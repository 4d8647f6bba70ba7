"""Parameters of the books stage (Gutenberg and Books3; LLaMA §2: book-level dedup at 90%)."""

from __future__ import annotations

import dataclasses

from pipeline.rules.config import RulesConfig, rules_field
from settings import BYTES_MAX, COUNT_MAX, SEED_MAX, param


@dataclasses.dataclass
class BooksConfig:
    inputs: list[str] = param(
        [],
        "book texts: Gutenberg .txt and Books3 .txt or JSONL (globs; any Beam path)",
        path="files",
    )
    books3_inputs: list[str] = param(
        [],
        "inputs known to be Books3 (otherwise told apart by the Gutenberg licence markers)",
        path="files",
    )
    max_book_bytes: int = param(
        64 << 20,
        "a book (a .txt file or a JSON line) longer than this is an error",
        min=1,
        max=BYTES_MAX,
    )
    max_replacement_share: float = param(
        0.001, "books with a larger share of U+FFFD (undecodable bytes) are dropped", min=0, max=1
    )
    min_jaccard: float = param(
        0.9, "books whose word 5-gram Jaccard with another is at least this are duplicates",
        min=0, max=1,
    )  # fmt: skip
    lsh_threshold: float = param(
        0.7, "MinHash LSH threshold of the candidate pairs checked exactly (below min_jaccard "
        "for recall)", above=0, below=1,
    )  # fmt: skip
    num_perm: int = param(128, "MinHash permutations per book signature", min=16, max=1024)
    seed: int = param(
        1, "MinHash seed (datasketch's default; numpy takes 0 to 2**32-1)", min=0, max=SEED_MAX
    )
    max_bucket_pairs: int = param(
        64, "an LSH bucket with more books than this pairs each with the smallest id and its "
        "neighbour in id order only (bounds the pairs of a bucket of many copies)",
        min=2, max=COUNT_MAX,
    )  # fmt: skip
    rules: RulesConfig = rules_field()
