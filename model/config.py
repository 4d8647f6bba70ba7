"""Model hyper-parameters, the presets of LLaMA's Table 2 and small ones, and FLOP counting."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass


def ffn_hidden_dim(dim: int, multiple_of: int = 256) -> int:
    """SwiGLU hidden size: 2/3 of 4·dim, rounded up to a multiple of `multiple_of`.

    This is the reference code's rule (`int(2 * 4 * dim / 3)` then round up), which gives
    11008 for dim 4096 (7B) and keeps the parameter count of a 4·dim GELU MLP.
    """
    hidden = int(2 * (4 * dim) / 3)
    return multiple_of * math.ceil(hidden / multiple_of)


@dataclass(frozen=True)
class ModelConfig:
    """Shape of a LLaMA transformer. Defaults are LLaMA-1 7B's."""

    dim: int = 4096
    n_layers: int = 32
    n_heads: int = 32
    vocab_size: int = 32000
    multiple_of: int = 256
    norm_eps: float = 1e-6  # the value in LLaMA-1's params.json (the code's default is 1e-5)
    rope_theta: float = 10000.0
    max_seq_len: int = 2048

    def __post_init__(self) -> None:
        if self.dim % self.n_heads:
            raise ValueError(f"dim {self.dim} is not divisible by n_heads {self.n_heads}")
        if self.head_dim % 2:
            raise ValueError(f"head_dim {self.head_dim} must be even for rotary embeddings")
        for name in ("dim", "n_layers", "n_heads", "vocab_size", "multiple_of", "max_seq_len"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")

    @property
    def head_dim(self) -> int:
        return self.dim // self.n_heads

    @property
    def ffn_dim(self) -> int:
        return ffn_hidden_dim(self.dim, self.multiple_of)

    def replace(self, **changes: object) -> ModelConfig:
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, object]:
        return dataclasses.asdict(self)


# Table 2 of the LLaMA paper (dim, heads, layers); vocab 32000 and context 2048 as released.
PRESETS: dict[str, ModelConfig] = {
    "7B": ModelConfig(dim=4096, n_heads=32, n_layers=32),
    "13B": ModelConfig(dim=5120, n_heads=40, n_layers=40),
    "33B": ModelConfig(dim=6656, n_heads=52, n_layers=60),
    "65B": ModelConfig(dim=8192, n_heads=64, n_layers=80),
    # Small shapes for benchmarks, CPU training and tests (same architecture rules).
    "1B": ModelConfig(dim=2048, n_heads=16, n_layers=16),
    "100M": ModelConfig(dim=768, n_heads=12, n_layers=8),
    "tiny": ModelConfig(dim=128, n_heads=4, n_layers=4, max_seq_len=512),
    "nano": ModelConfig(dim=64, n_heads=4, n_layers=2, max_seq_len=256),
}


def preset(name: str) -> ModelConfig:
    """The preset called `name` (see PRESETS); a clear error lists the known names."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown model preset {name!r}; known: {', '.join(PRESETS)}") from None


def count_parameters(config: ModelConfig) -> int:
    """Closed-form parameter count: 2·V·d + L·(4d² + 3·d·h + 2d) + d (no biases, untied)."""
    d, h, v, n = config.dim, config.ffn_dim, config.vocab_size, config.n_layers
    return 2 * v * d + n * (4 * d * d + 3 * d * h + 2 * d) + d


def flops_per_token(config: ModelConfig, seq_len: int) -> float:
    """Training FLOPs per token, 6N + 12·L·d·T (PaLM appendix B; nanoGPT, torchtitan).

    N counts every parameter except the input embedding table, whose lookup does no
    multiply-adds (torchtitan's convention; the output projection is counted). The
    attention term counts the full T×T score matrix (no discount for causality), and
    recomputation from activation checkpointing is not counted: this is model FLOPs, so
    MFU stays comparable across checkpointing choices.
    """
    n = count_parameters(config) - config.vocab_size * config.dim
    return 6.0 * n + 12.0 * config.n_layers * config.dim * seq_len
