"""The run manifest: typed configuration dataclasses, YAML loading and validation.

Every default lives here (or in the stage config modules this file composes); a manifest
YAML only overrides. Unknown keys and wrong types fail before anything runs, naming the key
path, e.g. `sources.wikipedia.languges: unknown key`.
"""

from __future__ import annotations

import dataclasses
import os
import types
import typing
from typing import Any

import yaml

from pipeline.encode import EncodeConfig
from pipeline.mix.config import MixConfig
from pipeline.params import param
from pipeline.wikipedia.config import WikipediaConfig
from tokenizer.config import TokenizerConfig

SOURCES: tuple[str, ...] = (
    "commoncrawl",
    "c4",
    "github",
    "wikipedia",
    "books",
    "arxiv",
    "stackexchange",
)


class ConfigError(ValueError):
    """A manifest that cannot be used; the message starts with the offending key path."""


@dataclasses.dataclass
class RunnerConfig:
    beam_args: list[str] = param(
        [],
        "Beam pipeline flags passed unchanged, e.g. ['--runner=DataflowRunner', '--project=p']; "
        "flags given on the command line come after these and win",
    )
    direct_num_workers: int = param(0, "DirectRunner worker processes (0 = all cores)")
    direct_running_mode: str = param(
        "multi_processing", "DirectRunner mode: multi_processing, multi_threading or in_memory"
    )


@dataclasses.dataclass
class SampleConfig:
    enabled: bool = param(False, "generate the synthetic sample inputs as the first stage")
    scale: int = param(1, "sample size multiplier (1 = a few MB)")
    seed: int = param(0, "seed of the synthetic sample")
    out: str = param("{run_dir}/inputs", "where the sample inputs are written")


@dataclasses.dataclass
class SourcesConfig:
    wikipedia: WikipediaConfig = param(WikipediaConfig(), "Wikipedia (MediaWiki XML dumps)")


@dataclasses.dataclass
class RunConfig:
    run_dir: str = param(
        "runs/default", "all stage outputs go under this directory (any Beam path)"
    )
    seed: int = param(0, "seed of every random choice in the run")
    runner: RunnerConfig = param(RunnerConfig(), "how Beam pipelines run")
    sample: SampleConfig = param(SampleConfig(), "synthetic sample inputs (for trying fleece)")
    sources: SourcesConfig = param(SourcesConfig(), "per-source inputs and cleaning parameters")
    tokenizer: TokenizerConfig = param(TokenizerConfig(), "SentencePiece BPE training")
    encode: EncodeConfig = param(EncodeConfig(), "token encoding of documents")
    mix: MixConfig = param(MixConfig(), "mixture, validation split and token shards")

    def resolve(self, path: str) -> str:
        """A manifest path with `{run_dir}` substituted; local relative paths made absolute so
        that worker processes (which may run elsewhere) see the same files."""
        path = path.replace("{run_dir}", self.run_dir)
        if "://" in path:
            return path
        return os.path.abspath(path)


def _type_name(tp: Any) -> str:
    return getattr(tp, "__name__", None) or str(tp).replace("typing.", "")


def _convert(value: Any, tp: Any, key: str) -> Any:
    """`value` checked (and, for nested dataclasses, built) against the annotation `tp`."""
    origin = typing.get_origin(tp)
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
        return from_dict(tp, value, key)
    if origin in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if value is None and type(None) in args:
            return None
        errors = []
        for arg in args:
            if arg is type(None):
                continue
            try:
                return _convert(value, arg, key)
            except ConfigError as exc:
                errors.append(str(exc))
        raise ConfigError(errors[0] if errors else f"{key}: wrong type")
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        if not isinstance(value, list):
            raise ConfigError(f"{key}: expected a list, got {type(value).__name__}")
        return [_convert(v, item_tp, f"{key}[{i}]") for i, v in enumerate(value)]
    if origin is dict:
        key_tp, val_tp = typing.get_args(tp)
        if not isinstance(value, dict):
            raise ConfigError(f"{key}: expected a mapping, got {type(value).__name__}")
        return {
            _convert(k, key_tp, f"{key}"): _convert(v, val_tp, f"{key}.{k}")
            for k, v in value.items()
        }
    if tp is Any:
        return value
    if tp is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if tp is int and isinstance(value, bool):
        raise ConfigError(f"{key}: expected int, got bool")
    if tp in (int, float, str, bool):
        if not isinstance(value, tp):
            raise ConfigError(
                f"{key}: expected {tp.__name__}, got {type(value).__name__} ({value!r})"
            )
        return value
    raise ConfigError(f"{key}: unsupported type {_type_name(tp)}")


def from_dict(cls: type, data: dict[str, Any], prefix: str = "") -> Any:
    """An instance of dataclass `cls` with the defaults overridden by `data`."""
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for name in data:
        if name not in names:
            raise ConfigError(f"{prefix + '.' if prefix else ''}{name}: unknown key")
    values = {}
    for name, value in data.items():
        key = f"{prefix}.{name}" if prefix else name
        values[name] = _convert(value, hints[name], key)
    instance = cls(**values)
    check = getattr(instance, "validate", None)
    if check is not None:
        try:
            check()
        except ValueError as exc:
            raise ConfigError(f"{prefix or '<root>'}: {exc}") from exc
    return instance


def load_manifest_text(text: str, origin: str = "<manifest>") -> RunConfig:
    try:
        data = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        raise ConfigError(f"{origin}: not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{origin}: the manifest must be a mapping")
    return from_dict(RunConfig, data)


def load_manifest(path: str) -> RunConfig:
    """Read and validate a run manifest (a local path or any Beam filesystem path)."""
    from pipeline.io import read_text

    try:
        text = read_text(path)
    except FileNotFoundError as exc:
        raise ConfigError(f"{path}: manifest not found") from exc
    return load_manifest_text(text, path)


def to_dict(config: Any) -> dict[str, Any]:
    """The configuration as plain data (what the fingerprints and manifest.json record)."""
    return dataclasses.asdict(config)


def defaults_yaml(cls: type = RunConfig) -> str:
    """The complete manifest with every default and a one-line comment per key."""
    lines: list[str] = []

    def emit(instance: Any, indent: int) -> None:
        pad = "  " * indent
        for f in dataclasses.fields(instance):
            value = getattr(instance, f.name)
            help_text = f.metadata.get("help", "")
            if help_text:
                lines.append(f"{pad}# {help_text}")
            if dataclasses.is_dataclass(value):
                lines.append(f"{pad}{f.name}:")
                emit(value, indent + 1)
            else:
                dumped = yaml.safe_dump(value, default_flow_style=True, width=10**9).strip()
                if dumped.endswith("\n..."):
                    dumped = dumped[: -len("\n...")]
                dumped = dumped.removesuffix("...").strip()
                lines.append(f"{pad}{f.name}: {dumped}")

    emit(cls(), 0)
    return "\n".join(lines) + "\n"
