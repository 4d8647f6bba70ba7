"""The training configuration: typed dataclasses with defaults, read from YAML.

Every field has a default and a one-line help (`fleece train --defaults` prints them).
A YAML file only overrides; an unknown key or a value of the wrong type is an error that
names the key path (`optim.lr: expected a number, got string '3e-4'`). The loader is the
pipeline's too (`settings`).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from settings import (
    COUNT_MAX,
    INT32_MAX,
    SEED_MAX,
    ConfigError,
    apply_override,
    check_paths,
    from_mapping,
    param,
)
from settings import defaults_yaml as _defaults_yaml

__all__ = ["ConfigError", "TrainConfig", "defaults_yaml", "load_config"]


@dataclass
class ModelSection:
    preset: str = param("tiny", "model shape: 7B 13B 33B 65B (LLaMA Table 2), 1B, 100M, tiny, nano")
    dim: int | None = param(None, "override the preset's model width", min=1, max=1 << 20)
    n_layers: int | None = param(None, "override the preset's number of blocks", min=1, max=10_000)
    n_heads: int | None = param(
        None, "override the preset's number of attention heads", min=1, max=1 << 16
    )
    vocab_size: int | None = param(
        None, "embedding rows; default: the shards' vocab_size", min=1, max=INT32_MAX
    )
    norm_eps: float | None = param(None, "override RMSNorm epsilon (LLaMA-1: 1e-6)", above=0, max=1)
    rope_theta: float | None = param(
        None, "override the RoPE base (LLaMA: 10000)", above=0, max=1e12
    )
    attention: Literal["auto", "sdpa", "xformers"] = param(
        "auto", "attention kernel: xformers on CUDA when installed, else SDPA"
    )
    init_device: Literal["auto", "cpu", "meta"] = param(
        "auto",
        "where parameters are first built: cpu (same weights at any world size) or meta "
        "(materialised per shard after FSDP; for models too large for host memory); "
        "auto = meta for FSDP with more than 1B parameters",
    )


@dataclass
class DataSection:
    shards: str = param(
        "runs/sample/shards",
        "directory with manifest.json and the Arrow token shards",
        path="folder",
    )
    seq_len: int = param(
        2048,
        "tokens per training sequence (windows of seq_len + 1 cut across documents)",
        min=1,
        max=1 << 24,
    )
    document_mask: bool = param(
        False, "attend only within a document inside a packed sequence (RoPE positions restart)"
    )
    verify_sha256: bool = param(
        True,
        "check each shard's sha256 against manifest.json in a background thread before its "
        "first batch is used (false for trusted storage: size and structure are still checked)",
    )


@dataclass
class BatchSection:
    global_tokens: int = param(
        4_194_304, "tokens per optimizer step over all ranks (LLaMA: 4M)", min=1, max=COUNT_MAX
    )
    micro_batch_size: int = param(
        1,
        "sequences per rank per forward/backward; the rest is accumulation",
        min=1,
        max=1 << 20,
    )


@dataclass
class OptimSection:
    lr: float = param(
        3.0e-4,
        "peak learning rate (LLaMA: 3e-4 up to 13B, 1.5e-4 for 33B/65B)",
        above=0,
        max=10,
    )
    beta1: float = param(0.9, "AdamW beta1", min=0, below=1)
    beta2: float = param(0.95, "AdamW beta2", min=0, below=1)
    eps: float = param(1.0e-8, "AdamW epsilon", above=0, max=1)
    weight_decay: float = param(
        0.1,
        "decoupled weight decay on matrices (not on norms and token embeddings)",
        min=0,
        max=10,
    )
    grad_clip: float = param(
        1.0, "clip the global gradient norm to this value (0 = off)", min=0, max=1e9
    )
    warmup_steps: int = param(2000, "linear warm-up steps from 0 to the peak", min=0, max=COUNT_MAX)
    min_lr_ratio: float = param(0.1, "cosine decay ends at this fraction of the peak", min=0, max=1)
    decay_steps: int | None = param(
        None, "step where the cosine reaches its floor; default: steps", min=1, max=COUNT_MAX
    )


@dataclass
class ParallelSection:
    data_parallel: Literal["ddp", "fsdp"] = param(
        "ddp", "how ranks share the model: DDP replicas or FSDP2 shards"
    )
    tensor_parallel: int = param(
        1,
        "ranks per tensor-parallel group (Megatron layout + sequence parallel)",
        min=1,
        max=1 << 16,
    )
    activation_checkpointing: Literal["none", "selective", "full"] = param(
        "none", "per block: selective saves matmul/attention outputs and recomputes the rest"
    )
    precision: Literal["auto", "bf16", "fp32"] = param(
        "auto", "auto = bf16 autocast on CUDA, fp32 on CPU"
    )


@dataclass
class EvalSection:
    every: int = param(
        1000,
        "validation loss every N steps (also before the first and after the last)",
        min=1,
        max=COUNT_MAX,
    )
    samples: int = param(
        256,
        "validation windows of each source evaluated each time (0 = all of them)",
        min=0,
        max=COUNT_MAX,
    )


@dataclass
class CheckpointSection:
    every: int = param(
        1000,
        "save a checkpoint every N steps (and after the last step); 0 = only at the end",
        min=0,
        max=COUNT_MAX,
    )
    keep: int = param(3, "keep the newest K checkpoints (0 = all)", min=0, max=COUNT_MAX)
    resume: str = param("auto", "auto (latest in run_dir, if any), none, or a checkpoint directory")


@dataclass
class MetricsSection:
    log_every: int = param(10, "print a progress line every N steps", min=1, max=COUNT_MAX)
    tensorboard: bool = param(
        True, "also write TensorBoard events to run_dir/tb when tensorboard is installed"
    )
    log_samples: bool = param(
        False, "record the global sample indices of each step in metrics.jsonl"
    )


@dataclass
class TrainConfig:
    run_dir: str = param(
        "runs/train", "where metrics, checkpoints and the tokenizer copy go", path="folder"
    )
    seed: int = param(
        0, "seeds initialisation and the sample order (0 to 2**32-1)", min=0, max=SEED_MAX
    )
    steps: int = param(1000, "optimizer steps to train", min=1, max=COUNT_MAX)
    init_from: str | None = param(
        None,
        "start from this checkpoint's weights (or a run's latest): step 0, fresh optimizer "
        "and schedule, its model shape (model.preset ignored, model.* overrides must agree); "
        "a run that resumes a checkpoint (checkpoint.resume) ignores it",
        path="folder",
    )
    model: ModelSection = param(ModelSection(), "model shape and kernels")
    data: DataSection = param(DataSection(), "token shards and packing")
    batch: BatchSection = param(BatchSection(), "batch size and gradient accumulation")
    optim: OptimSection = param(OptimSection(), "AdamW and the learning-rate schedule")
    parallel: ParallelSection = param(
        ParallelSection(), "parallelism, checkpointing of activations, precision"
    )
    eval: EvalSection = param(EvalSection(), "validation on the held-out shards")
    checkpoint: CheckpointSection = param(CheckpointSection(), "saving and resuming")
    metrics: MetricsSection = param(MetricsSection(), "logging")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def validate(self) -> None:
        if not self.run_dir.strip():
            raise ConfigError("run_dir: is empty: name the folder the run writes to")
        check_paths(self, os.path.abspath)


def load_config(path: str | None, overrides: list[str] | tuple[str, ...] = ()) -> TrainConfig:
    """Read a YAML config (or only defaults when path is None) and apply key=value overrides."""
    data: Any = {}
    if path is not None:
        try:
            with open(path, encoding="utf-8") as handle:  # a local file named on the command line
                data = yaml.safe_load(handle) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: not valid YAML: {error}") from error
        if not isinstance(data, dict):
            raise ConfigError(f"{path}: expected a mapping at the top level")
    for assignment in overrides:
        apply_override(data, assignment)
    try:
        return from_mapping(TrainConfig, data)
    except ConfigError as error:
        raise ConfigError(f"{_origin(str(error), path, overrides)}: {error}") from None


def _origin(message: str, path: str | None, overrides: list[str] | tuple[str, ...]) -> str:
    """Who set the key a ConfigError names (its message starts with the key path): the last
    `-o` that set that key or a section above it, else the YAML file, so that a typo made on
    the command line is not blamed on the file."""
    key = message.split(":", 1)[0]
    for assignment in reversed(overrides):
        target = assignment.split("=", 1)[0].strip()
        if key == target or key.startswith((f"{target}.", f"{target}[")):
            return f"-o {assignment}"
    return path or "overrides"


def defaults_yaml() -> str:
    """Every option with its default and help, as commented YAML."""
    return _defaults_yaml(TrainConfig)
