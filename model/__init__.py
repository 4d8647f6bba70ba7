"""The LLaMA transformer in plain PyTorch (xformers attention on CUDA when installed)."""

from model.config import (
    PRESETS,
    ModelConfig,
    count_parameters,
    ffn_hidden_dim,
    flops_per_token,
    preset,
)
from model.transformer import Transformer, TransformerBlock, document_positions

__all__ = [
    "PRESETS",
    "ModelConfig",
    "Transformer",
    "TransformerBlock",
    "count_parameters",
    "document_positions",
    "ffn_hidden_dim",
    "flops_per_token",
    "preset",
]
