"""AdamW with LLaMA's settings and the warm-up + cosine learning-rate schedule.

Weight decay applies to every matrix of the attention and feed-forward blocks and to the
output projection; it does not apply to RMSNorm weights (scales, where shrinking towards
0 has no regularising meaning) nor to the token embeddings (a lookup table whose rare
rows would be decayed towards zero between their updates). LLaMA does not say; this is
nanoGPT's rule (only ≥2-D tensors decay) plus the embedding exemption of GPT-NeoX/OLMo.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from trainer.config import OptimSection


def parameter_groups(model: nn.Module, weight_decay: float) -> list[dict[str, object]]:
    """Two AdamW groups: decayed matrices, and norms plus token embeddings without decay."""
    decay, no_decay = [], []
    for name, param in model.named_parameters():
        if not param.requires_grad:
            continue
        if param.ndim < 2 or "tok_embeddings" in name:
            no_decay.append(param)
        else:
            decay.append(param)
    return [
        {"params": decay, "weight_decay": weight_decay},
        {"params": no_decay, "weight_decay": 0.0},
    ]


def build_optimizer(model: nn.Module, config: OptimSection) -> torch.optim.AdamW:
    return torch.optim.AdamW(
        parameter_groups(model, config.weight_decay),
        lr=config.lr,
        betas=(config.beta1, config.beta2),
        eps=config.eps,
    )


def learning_rate(step: int, config: OptimSection, total_steps: int) -> float:
    """LR for optimizer step `step` (0-based): linear warm-up to the peak over
    `warmup_steps`, then cosine to `min_lr_ratio`·peak at `decay_steps`, flat afterwards."""
    peak = config.lr
    if step < config.warmup_steps:
        return peak * (step + 1) / config.warmup_steps
    end = config.decay_steps if config.decay_steps is not None else total_steps
    span = max(1, end - config.warmup_steps)
    progress = min(1.0, (step - config.warmup_steps) / span)
    floor = peak * config.min_lr_ratio
    return floor + (peak - floor) * 0.5 * (1.0 + math.cos(math.pi * progress))


def set_learning_rate(optimizer: torch.optim.Optimizer, lr: float) -> None:
    for group in optimizer.param_groups:
        group["lr"] = lr
