"""Per-step metrics: JSONL, TensorBoard when installed, a console line; MFU.

MFU = achieved model FLOP/s per GPU ÷ the GPU's dense bf16 peak, with FLOPs per token
6N + 12·L·d·T (`model.flops_per_token`). The peaks are the vendors' dense (not sparse)
bf16 tensor-core figures; none is claimed for CPUs, where MFU is reported as null.
"""

from __future__ import annotations

import json
import os
from typing import Any

import torch

# Substring of torch.cuda.get_device_name() -> dense bf16 FLOP/s. Longest match wins, so
# "H100 PCIe" beats "H100".
PEAK_BF16_FLOPS: dict[str, float] = {
    "A100": 312e12,
    "A800": 312e12,
    "A10G": 70e12,
    "A10": 125e12,
    "L4": 121e12,
    "L40S": 362e12,
    "H100": 989e12,  # SXM5 (names like "NVIDIA H100 80GB HBM3")
    "H100 PCIe": 756e12,
    "H100 NVL": 835e12,
    "H800": 989e12,
    "H200": 989e12,
    "GH200": 989e12,
    "B200": 2250e12,
}


def peak_for_name(name: str) -> float | None:
    """The dense bf16 peak of a GPU called `name` (as CUDA reports it), None if unknown."""
    matches = [key for key in PEAK_BF16_FLOPS if key in name]
    return PEAK_BF16_FLOPS[max(matches, key=len)] if matches else None


def peak_flops(device: torch.device) -> float | None:
    """The dense bf16 peak of `device`, or None (CPU, or a GPU not in the table)."""
    if device.type != "cuda":
        return None
    return peak_for_name(torch.cuda.get_device_name(device))


def mfu(
    tokens_per_second: float, flops_per_token: float, world_size: int, peak: float | None
) -> float | None:
    """Model FLOPs utilisation per GPU (tokens/s counted over all `world_size` GPUs)."""
    if peak is None:
        return None
    return tokens_per_second * flops_per_token / (world_size * peak)


def scalar_tag(kind: str, key: str) -> str:
    """The TensorBoard tag of a record's key: `<kind>/<key>` (`train/loss`, `val/val_loss`),
    or the key itself when it names its own group (`val/loss/c4`)."""
    return key if "/" in key else f"{kind}/{key}"


class MetricsLog:
    """Appends records to run_dir/metrics.jsonl (rank 0 only) and mirrors scalars to
    TensorBoard when it is installed and enabled."""

    def __init__(self, run_dir: str, enabled: bool, tensorboard: bool, resume_step: int) -> None:
        self.enabled = enabled
        self.path = os.path.join(run_dir, "metrics.jsonl")
        self._writer = None
        if not enabled:
            return
        os.makedirs(run_dir, exist_ok=True)
        self._truncate_after(resume_step)
        if tensorboard:
            try:
                # lazy: tensorboard is optional (not a dependency), needed only when enabled
                from torch.utils.tensorboard import SummaryWriter
            except ImportError:
                SummaryWriter = None
            if SummaryWriter is not None:
                self._writer = SummaryWriter(
                    os.path.join(run_dir, "tb"), purge_step=resume_step + 1
                )

    def _truncate_after(self, step: int) -> None:
        """Drop records of steps after `step` (a resumed run recomputes them)."""
        if not os.path.exists(self.path):
            return
        with open(self.path, encoding="utf-8") as handle:
            kept = [line for line in handle if line.strip() and json.loads(line)["step"] <= step]
        with open(self.path, "w", encoding="utf-8") as handle:
            handle.writelines(kept)

    def write(self, record: dict[str, Any]) -> None:
        if not self.enabled:
            return
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record) + "\n")
        if self._writer is not None:
            for key, value in record.items():
                if isinstance(value, int | float) and not isinstance(value, bool) and key != "step":
                    self._writer.add_scalar(scalar_tag(record["kind"], key), value, record["step"])

    def close(self) -> None:
        if self._writer is not None:
            self._writer.close()


def read_metrics(run_dir: str) -> list[dict[str, Any]]:
    """All records of run_dir/metrics.jsonl."""
    path = os.path.join(run_dir, "metrics.jsonl")
    with open(path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
