"""Activation checkpointing of transformer blocks: none, selective, or full.

*Selective* follows LLaMA §2.4 ("save the activations that are expensive to compute,
such as the outputs of linear layers"): within a block, the outputs of matrix multiplies
and attention kernels are kept and everything cheap (norms, RoPE, SiLU, products,
reshapes) is recomputed in the backward pass. Unlike torchtitan's policy, which
recomputes every second matmul to save more memory, every matmul output is saved.
*Full* keeps only the block input and recomputes the whole block.
"""

from __future__ import annotations

import functools

import torch
from torch.utils.checkpoint import CheckpointPolicy, create_selective_checkpoint_contexts

MODES = ("none", "selective", "full")


def _op(namespace: str, name: str) -> object | None:
    """torch.ops.<namespace>.<name>.default, or None if that op is not registered."""
    try:
        return getattr(getattr(torch.ops, namespace), name).default
    except (AttributeError, RuntimeError):
        return None


@functools.cache
def saved_ops() -> frozenset[object]:
    """Ops whose outputs selective checkpointing keeps (resolved once, after imports)."""
    names = [
        ("aten", "mm"),
        ("aten", "addmm"),
        ("aten", "bmm"),
        ("aten", "_scaled_dot_product_flash_attention"),
        ("aten", "_scaled_dot_product_efficient_attention"),
        ("aten", "_scaled_dot_product_cudnn_attention"),
        ("aten", "_scaled_dot_product_flash_attention_for_cpu"),
        # xformers registers its kernels as torch ops (names from xformers 0.0.3x).
        ("xformers", "efficient_attention_forward_cutlass"),
        ("xformers_flash", "flash_fwd"),
        ("xformers_flash3", "flash_fwd"),
    ]
    return frozenset(op for op in (_op(ns, name) for ns, name in names) if op is not None)


def _policy(ctx: object, op: object, *args: object, **kwargs: object) -> CheckpointPolicy:
    return CheckpointPolicy.MUST_SAVE if op in saved_ops() else CheckpointPolicy.PREFER_RECOMPUTE


def selective_context() -> tuple[object, object]:
    """The (forward, recompute) context pair for `torch.utils.checkpoint.checkpoint`."""
    return create_selective_checkpoint_contexts(_policy)


def checkpointed(mode: str, fn, *args: object) -> torch.Tensor:
    """Run fn(*args) under activation-checkpointing `mode`."""
    if mode == "none":
        return fn(*args)
    if mode == "full":
        return torch.utils.checkpoint.checkpoint(fn, *args, use_reentrant=False)
    if mode == "selective":
        return torch.utils.checkpoint.checkpoint(
            fn, *args, use_reentrant=False, context_fn=selective_context
        )
    raise ValueError(f"unknown activation checkpointing mode {mode!r}; choose from {MODES}")
