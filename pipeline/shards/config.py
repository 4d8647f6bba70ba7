"""ShardsConfig: the mixture, token target, validation split and shard size of a corpus."""

from __future__ import annotations

import dataclasses

from settings import param

# LLaMA, Table 1 (sampling proportions, percent).
LLAMA_RATIOS: dict[str, float] = {
    "commoncrawl": 67.0,
    "c4": 15.0,
    "github": 4.5,
    "wikipedia": 4.5,
    "books": 4.5,
    "arxiv": 2.5,
    "stackexchange": 2.0,
}


@dataclasses.dataclass
class ShardsConfig:
    """Mixture ratios, token target, validation split and shard size."""

    ratios: dict[str, float] = param(
        LLAMA_RATIOS,
        "Share of training tokens per source (any scale; renormalised over present sources).",
    )
    token_target: int = param(
        0,
        "Training tokens (BOS+ids+EOS) in the train shards; 0 = the most that repeats no source.",
        min=0,
    )
    val_fraction: float = param(
        0.0005, "Share of each source's documents held out for validation.", min=0, below=1
    )
    val_min_documents: int = param(4, "At least this many validation documents per source.", min=0)
    split_seed: int = param(
        0, "Seed of the validation split's id hash (kept apart from `seed`, which only places)."
    )
    shard_bytes: int = param(1_000_000_000, "Target size of one shard file in bytes.", min=1024)
    tolerance: float = param(
        0.01,
        "Largest allowed gap between achieved and target share (0.01 = 1 point).",
        above=0,
        below=1,
    )
    max_epochs: float = param(64.0, "Refuse a mixture that repeats any source more often.", above=0)

    def validate(self) -> None:
        unknown = sorted(set(self.ratios) - set(LLAMA_RATIOS))
        if unknown:
            raise ValueError(
                f"ratios: unknown source(s) {unknown}; sources are {list(LLAMA_RATIOS)}"
            )
        if any(r < 0 for r in self.ratios.values()) or sum(self.ratios.values()) <= 0:
            raise ValueError("ratios must be non-negative with a positive sum")
