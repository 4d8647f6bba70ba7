"""Causal self-attention with two interchangeable kernels.

* ``xformers``: `xformers.ops.memory_efficient_attention` on [B, T, H, D] tensors with
  `LowerTriangularMask`, or `BlockDiagonalCausalMask` over the flattened batch when
  documents packed in a row must not see each other. The kernel LLaMA's paper names; it
  has CUDA kernels only.
* ``sdpa``: `torch.nn.functional.scaled_dot_product_attention` with `is_causal=True`, or
  an explicit block-diagonal causal boolean mask for document masking. Runs everywhere.

``auto`` picks xformers when it is importable and the tensors are on CUDA, SDPA
otherwise. Both kernels accumulate the softmax in float32 (SDPA's math path runs in the
input dtype, which is float32 on CPU), as the reference's `softmax(scores.float())` does.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import torch
import torch.nn.functional as F
from torch import nn

from model.rope import Rotary, apply_rope

BACKENDS = ("auto", "sdpa", "xformers")


@functools.cache
def xformers_ops():
    """The `xformers.ops` module, or None when xformers is not installed or fails to load."""
    try:
        # lazy: optional (the gpu extra), and a broken build must fail here, not on import
        import xformers.ops as xops
    except Exception:  # noqa: BLE001 - a broken build (wrong torch ABI) must not stop training
        return None
    return xops


def resolve_backend(backend: str, device: torch.device) -> str:
    """The kernel `backend` means on `device` ("auto" chooses; explicit choices are checked)."""
    if backend not in BACKENDS:
        raise ValueError(f"unknown attention backend {backend!r}; choose from {BACKENDS}")
    if backend == "auto":
        return "xformers" if device.type == "cuda" and xformers_ops() is not None else "sdpa"
    if backend == "xformers":
        if xformers_ops() is None:
            raise RuntimeError(
                "attention backend 'xformers' requested but xformers is not importable"
            )
        if device.type != "cuda":
            raise RuntimeError(f"xformers has no kernels for device {device.type!r}; use 'sdpa'")
    return backend


@dataclass
class AttentionMask:
    """Which keys each query may see: causal within the row, and, when `document_ids` is
    given ([B, T], equal ids = same document, runs of consecutive positions), only within
    the query's own document. The kernel-specific forms are built once per forward pass
    and shared by all layers."""

    document_ids: torch.Tensor | None = None
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    def dense(self) -> torch.Tensor:
        """Boolean [B, 1, T, T], True where attention is allowed (for SDPA)."""
        if "dense" not in self._cache:
            docs = self.document_ids
            t = docs.shape[1]
            causal = torch.ones(t, t, dtype=torch.bool, device=docs.device).tril()
            same_doc = docs[:, :, None] == docs[:, None, :]
            self._cache["dense"] = (same_doc & causal).unsqueeze(1)
        return self._cache["dense"]

    def block_diagonal(self) -> object:
        """xformers `BlockDiagonalCausalMask` over the batch flattened to one row."""
        if "block" not in self._cache:
            lengths = packed_lengths(self.document_ids)
            bias_cls = xformers_ops().fmha.attn_bias.BlockDiagonalCausalMask
            try:  # recent xformers place the sequence starts on the queries' device up front
                bias = bias_cls.from_seqlens(lengths, device=self.document_ids.device)
            except TypeError:  # older ones have no `device` and move them inside the kernel call
                bias = bias_cls.from_seqlens(lengths)
            self._cache["block"] = bias
        return self._cache["block"]


def packed_lengths(document_ids: torch.Tensor) -> list[int]:
    """Lengths of the documents of a [B, T] batch flattened row after row, where a row end
    also ends a document: [[0, 0, 1], [1, 1, 1]] -> [2, 1, 3]."""
    b = document_ids.shape[0]
    row_offset = torch.arange(b, device=document_ids.device)[:, None] * (
        int(document_ids.max()) + 1
    )
    _, lengths = torch.unique_consecutive((document_ids + row_offset).flatten(), return_counts=True)
    return lengths.tolist()


def attend(
    q: torch.Tensor, k: torch.Tensor, v: torch.Tensor, mask: AttentionMask, backend: str
) -> torch.Tensor:
    """Scaled dot-product attention of q, k, v ([B, T, H, D]) -> [B, T, H, D]."""
    kernel = resolve_backend(backend, q.device)
    if kernel == "xformers":
        xops = xformers_ops()
        if mask.document_ids is None:
            return xops.memory_efficient_attention(q, k, v, attn_bias=xops.LowerTriangularMask())
        b, t, h, d = q.shape
        flat = [x.reshape(1, b * t, h, d) for x in (q, k, v)]
        out = xops.memory_efficient_attention(*flat, attn_bias=mask.block_diagonal())
        return out.view(b, t, h, d)
    qt, kt, vt = (x.transpose(1, 2) for x in (q, k, v))
    if mask.document_ids is None:
        out = F.scaled_dot_product_attention(qt, kt, vt, is_causal=True)
    else:
        out = F.scaled_dot_product_attention(qt, kt, vt, attn_mask=mask.dense())
    return out.transpose(1, 2)


class Attention(nn.Module):
    """Multi-head attention with rotary embeddings; wq, wk, wv, wo without biases.

    Head counts are inferred from the projection widths (`view(..., -1, head_dim)`), so the
    same code runs on the local heads of a tensor-parallel shard.
    """

    def __init__(self, dim: int, n_heads: int, backend: str = "auto") -> None:
        super().__init__()
        self.head_dim = dim // n_heads
        self.backend = backend
        self.wq = nn.Linear(dim, dim, bias=False)
        self.wk = nn.Linear(dim, dim, bias=False)
        self.wv = nn.Linear(dim, dim, bias=False)
        self.wo = nn.Linear(dim, dim, bias=False)

    def forward(self, x: torch.Tensor, rotary: Rotary, mask: AttentionMask) -> torch.Tensor:
        b, t = x.shape[0], x.shape[1]
        q = self.wq(x).view(b, t, -1, self.head_dim)
        k = self.wk(x).view(b, t, -1, self.head_dim)
        v = self.wv(x).view(b, t, -1, self.head_dim)
        q, k = apply_rope(q, rotary), apply_rope(k, rotary)
        out = attend(q, k, v, mask, self.backend)
        return self.wo(out.reshape(b, t, -1))
