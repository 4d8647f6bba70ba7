"""ShardsConfig: the mixture, token target, validation split and shard size of a corpus."""

from __future__ import annotations

import dataclasses

from pipeline.registry import default_ratios, source_names
from settings import BYTES_MAX, COUNT_MAX, SEED_MAX, param


@dataclasses.dataclass
class ShardsConfig:
    """Mixture ratios, token target, validation split and shard size."""

    ratios: dict[str, float] = param(
        default_ratios(),
        "Share of training tokens per source (any scale; renormalised over present sources); "
        "each source's default is its declared one: LLaMA's Table 1, else 0",
        min=0,
        max=1e12,
    )
    token_target: int = param(
        0,
        "Training tokens (BOS+ids+EOS) in the train shards; 0 = the most that repeats no source.",
        min=0,
        max=COUNT_MAX,
    )
    val_fraction: float = param(
        0.0005, "Share of each source's documents held out for validation.", min=0, below=1
    )
    val_min_documents: int = param(
        4, "At least this many validation documents per source.", min=0, max=COUNT_MAX
    )
    split_seed: int = param(
        0,
        "Seed of the validation split's id hash (kept apart from `seed`, which only places).",
        min=0,
        max=SEED_MAX,
    )
    shard_bytes: int = param(
        1_000_000_000, "Target size of one shard file in bytes.", min=1024, max=BYTES_MAX
    )
    tolerance: float = param(
        0.01,
        "Largest allowed gap between achieved and target share (0.01 = 1 point).",
        above=0,
        below=1,
    )
    max_epochs: float = param(
        64.0, "Refuse a mixture that repeats any source more often.", above=0, max=1e6
    )

    def validate(self) -> None:
        unknown = sorted(set(self.ratios) - set(source_names()))
        if unknown:
            raise ValueError(
                f"ratios: unknown source(s) {unknown}; sources are {list(source_names())}"
            )
        if sum(self.ratios.values()) <= 0:
            raise ValueError("ratios must have a positive sum")
