"""Rotary position embeddings in LLaMA's interleaved layout.

The reference code views adjacent pairs (x0, x1), (x2, x3), ... of each head as complex
numbers and multiplies them by e^{i·pos·θ_j}, θ_j = theta^(-2j/head_dim). We do the same
rotation with real cos/sin tables (complex tensors do not mix well with DTensor and
bfloat16); the arithmetic is in float32 as in the reference. Hugging Face's `rotate_half`
convention pairs x_j with x_{j+head_dim/2} instead, hence the wq/wk permutation in
`model.hf_convert`.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


def rope_tables(head_dim: int, max_seq_len: int, theta: float) -> tuple[torch.Tensor, torch.Tensor]:
    """cos and sin of pos·θ_j, each [max_seq_len, head_dim // 2] in float32."""
    exponents = torch.arange(0, head_dim, 2, dtype=torch.float32)[: head_dim // 2] / head_dim
    inv_freq = 1.0 / (theta**exponents)
    angles = torch.outer(torch.arange(max_seq_len, dtype=torch.float32), inv_freq)
    return angles.cos(), angles.sin()


@dataclass(frozen=True)
class Rotary:
    """cos/sin for the positions of one batch, shaped [B or 1, T, 1, head_dim // 2].

    A plain dataclass on purpose: FSDP's input casting and tensor-parallel input
    preparation walk pytrees, and must leave these float32 tables alone.
    """

    cos: torch.Tensor
    sin: torch.Tensor


def apply_rope(x: torch.Tensor, rotary: Rotary) -> torch.Tensor:
    """Rotate adjacent pairs of x ([B, T, H, head_dim]) by the angles in `rotary`."""
    pairs = x.float().unflatten(-1, (-1, 2))
    x0, x1 = pairs[..., 0], pairs[..., 1]
    cos, sin = rotary.cos, rotary.sin
    rotated = torch.stack((x0 * cos - x1 * sin, x0 * sin + x1 * cos), dim=-1)
    return rotated.flatten(-2).type_as(x)
