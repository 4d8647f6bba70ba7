"""The training configuration: typed dataclasses with defaults, read from YAML.

Every field has a default and a one-line help (`fleece train --defaults` prints them).
A YAML file only overrides; an unknown key or a value of the wrong type is an error that
names the key path (`optim.lr: expected a number, got string '3e-4'`).
"""

from __future__ import annotations

import dataclasses
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Literal

import yaml


def option(default: Any, help: str) -> Any:  # noqa: A002 - mirrors click's keyword
    """A dataclass field with its default and help text."""
    if dataclasses.is_dataclass(default):
        return field(default_factory=lambda: dataclasses.replace(default), metadata={"help": help})
    return field(default=default, metadata={"help": help})


class ConfigError(ValueError):
    """A configuration file or override that does not fit the schema."""


@dataclass
class ModelSection:
    preset: str = option(
        "tiny", "model shape: 7B 13B 33B 65B (LLaMA Table 2), 1B, 100M, tiny, nano"
    )
    dim: int | None = option(None, "override the preset's model width")
    n_layers: int | None = option(None, "override the preset's number of blocks")
    n_heads: int | None = option(None, "override the preset's number of attention heads")
    vocab_size: int | None = option(None, "embedding rows; default: the shards' vocab_size")
    norm_eps: float | None = option(None, "override RMSNorm epsilon (LLaMA-1: 1e-6)")
    rope_theta: float | None = option(None, "override the RoPE base (LLaMA: 10000)")
    attention: Literal["auto", "sdpa", "xformers"] = option(
        "auto", "attention kernel: xformers on CUDA when installed, else SDPA"
    )
    init_device: Literal["auto", "cpu", "meta"] = option(
        "auto",
        "where parameters are first built: cpu (same weights at any world size) or meta "
        "(materialised per shard after FSDP; for models too large for host memory); "
        "auto = meta for FSDP with more than 1B parameters",
    )


@dataclass
class DataSection:
    shards: str = option(
        "runs/sample/shards", "directory with manifest.json and the Arrow token shards"
    )
    seq_len: int = option(
        2048, "tokens per training sequence (windows of seq_len + 1 cut across documents)"
    )
    document_mask: bool = option(
        False, "attend only within a document inside a packed sequence (RoPE positions restart)"
    )


@dataclass
class BatchSection:
    global_tokens: int = option(4_194_304, "tokens per optimizer step over all ranks (LLaMA: 4M)")
    micro_batch_size: int = option(
        1, "sequences per rank per forward/backward; the rest is accumulation"
    )


@dataclass
class OptimSection:
    lr: float = option(3.0e-4, "peak learning rate (LLaMA: 3e-4 up to 13B, 1.5e-4 for 33B/65B)")
    beta1: float = option(0.9, "AdamW beta1")
    beta2: float = option(0.95, "AdamW beta2")
    eps: float = option(1.0e-8, "AdamW epsilon")
    weight_decay: float = option(
        0.1, "decoupled weight decay on matrices (not on norms and token embeddings)"
    )
    grad_clip: float = option(1.0, "clip the global gradient norm to this value (0 = off)")
    warmup_steps: int = option(2000, "linear warm-up steps from 0 to the peak")
    min_lr_ratio: float = option(0.1, "cosine decay ends at this fraction of the peak")
    decay_steps: int | None = option(
        None, "step where the cosine reaches its floor; default: steps"
    )


@dataclass
class ParallelSection:
    data_parallel: Literal["ddp", "fsdp"] = option(
        "ddp", "how ranks share the model: DDP replicas or FSDP2 shards"
    )
    tensor_parallel: int = option(
        1, "ranks per tensor-parallel group (Megatron layout + sequence parallel)"
    )
    activation_checkpointing: Literal["none", "selective", "full"] = option(
        "none", "per block: selective saves matmul/attention outputs and recomputes the rest"
    )
    precision: Literal["auto", "bf16", "fp32"] = option(
        "auto", "auto = bf16 autocast on CUDA, fp32 on CPU"
    )


@dataclass
class EvalSection:
    every: int = option(
        1000, "validation loss every N steps (also before the first and after the last)"
    )
    samples: int = option(256, "validation windows evaluated each time (0 = the whole val split)")


@dataclass
class CheckpointSection:
    every: int = option(
        1000, "save a checkpoint every N steps (and after the last step); 0 = only at the end"
    )
    keep: int = option(3, "keep the newest K checkpoints (0 = all)")
    resume: str = option(
        "auto", "auto (latest in run_dir, if any), none, or a checkpoint directory"
    )


@dataclass
class MetricsSection:
    log_every: int = option(10, "print a progress line every N steps")
    tensorboard: bool = option(
        True, "also write TensorBoard events to run_dir/tb when tensorboard is installed"
    )
    log_samples: bool = option(
        False, "record the global sample indices of each step in metrics.jsonl"
    )


@dataclass
class TrainConfig:
    run_dir: str = option("runs/train", "where metrics, checkpoints and the tokenizer copy go")
    seed: int = option(0, "seeds initialisation and the sample order")
    steps: int = option(1000, "optimizer steps to train")
    model: ModelSection = option(ModelSection(), "model shape and kernels")
    data: DataSection = option(DataSection(), "token shards and packing")
    batch: BatchSection = option(BatchSection(), "batch size and gradient accumulation")
    optim: OptimSection = option(OptimSection(), "AdamW and the learning-rate schedule")
    parallel: ParallelSection = option(
        ParallelSection(), "parallelism, checkpointing of activations, precision"
    )
    eval: EvalSection = option(EvalSection(), "validation on the held-out shards")
    checkpoint: CheckpointSection = option(CheckpointSection(), "saving and resuming")
    metrics: MetricsSection = option(MetricsSection(), "logging")

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _type_name(value: Any) -> str:
    return {str: "string", bool: "boolean", int: "integer", float: "number"}.get(
        type(value), type(value).__name__
    )


def _convert(kind: Any, value: Any, path: str) -> Any:
    if dataclasses.is_dataclass(kind):
        return from_mapping(kind, value, path)
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(kind)
        if value is None and type(None) in options:
            return None
        (inner,) = [o for o in options if o is not type(None)]
        return _convert(inner, value, path)
    if origin is Literal:
        allowed = typing.get_args(kind)
        if value not in allowed:
            raise ConfigError(f"{path}: {value!r} is not one of {', '.join(map(repr, allowed))}")
        return value
    if kind is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{path}: expected true or false, got {_type_name(value)} {value!r}")
        return value
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{path}: expected an integer, got {_type_name(value)} {value!r}")
        return value
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            hint = " (YAML reads 3e-4 as a string: write 3.0e-4)" if isinstance(value, str) else ""
            raise ConfigError(f"{path}: expected a number, got {_type_name(value)} {value!r}{hint}")
        return float(value)
    if kind is str:
        if not isinstance(value, str):
            raise ConfigError(f"{path}: expected a string, got {_type_name(value)} {value!r}")
        return value
    raise TypeError(f"{path}: unsupported field type {kind!r}")


def from_mapping(cls: type, data: Any, path: str = "") -> Any:
    """Build dataclass `cls` from a (YAML) mapping, checking keys and types."""
    where = path or "config"
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping, got {_type_name(data)} {data!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    kwargs = {}
    for key, value in data.items():
        key_path = f"{path}.{key}" if path else str(key)
        if key not in names:
            raise ConfigError(f"unknown key {key_path!r}; {where} accepts: {', '.join(names)}")
        kwargs[key] = _convert(hints[key], value, key_path)
    return cls(**kwargs)


def apply_override(data: dict[str, Any], assignment: str) -> None:
    """Set `a.b.c=value` (value parsed as YAML) inside the raw mapping `data`."""
    if "=" not in assignment:
        raise ConfigError(f"override {assignment!r}: expected key.path=value")
    key_path, raw = assignment.split("=", 1)
    keys = key_path.strip().split(".")
    node = data
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise ConfigError(f"override {assignment!r}: {key!r} is not a section")
        node = child
    node[keys[-1]] = yaml.safe_load(raw)


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
            raise ConfigError(
                f"{path}: expected a mapping at the top level, got {_type_name(data)}"
            )
    for assignment in overrides:
        apply_override(data, assignment)
    try:
        return from_mapping(TrainConfig, data)
    except ConfigError as error:
        raise ConfigError(f"{path or 'overrides'}: {error}") from None


def defaults_yaml() -> str:
    """Every option with its default and help, as commented YAML."""
    lines: list[str] = []

    def emit(cls: type, instance: Any, indent: str) -> None:
        for f in dataclasses.fields(cls):
            value = getattr(instance, f.name)
            if dataclasses.is_dataclass(value):
                lines.append(f"{indent}{f.name}:  # {f.metadata['help']}")
                emit(type(value), value, indent + "  ")
            else:
                rendered = (
                    yaml.safe_dump(value, default_flow_style=True)
                    .strip()
                    .removesuffix("...")
                    .strip()
                )
                lines.append(f"{indent}{f.name}: {rendered}  # {f.metadata['help']}")

    emit(TrainConfig, TrainConfig(), "")
    return "\n".join(lines) + "\n"
