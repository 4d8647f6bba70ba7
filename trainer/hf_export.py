"""`fleece export hf`: a checkpoint as a Hugging Face Llama folder, loadable without fleece.

    config.json              LlamaConfig fields (written as JSON; transformers not imported)
    generation_config.json   BOS 1, EOS 2, pad 0 (unk, as the tokenizer pads)
    model.safetensors        the weights in the checkpoint's dtype, HF names and RoPE layout;
                             above max_shard_size: model-0000k-of-0000n.safetensors and
                             model.safetensors.index.json, as the Hub lays them out
    tokenizer.model, tokenizer.json, tokenizer_config.json, special_tokens_map.json

The weights are read from DCP's metadata and files by name and global shape
(`trainer.checkpoint.read_model_weights`), so a checkpoint written by any number of ranks
under DDP, FSDP2 or tensor parallelism exports the same way, one output shard at a time:
memory holds at most one shard, not the model. Nothing is cast, so export then import
gives back every bit. Same checkpoint, same bytes: the files carry no date or version.
"""

from __future__ import annotations

import json
import logging
import os
import re
from dataclasses import dataclass

import torch
from safetensors.torch import save_file

from model import ModelConfig
from model.hf_convert import hf_config_kwargs, hf_names, to_hf_weight
from pipeline.shards.format import TOKENIZER_NAME
from tokenizer.hf import write_hf_tokenizer
from trainer.checkpoint import (
    intact_checkpoint,
    read_model_weights,
    read_trainer_state,
    stored_model_tensors,
)
from trainer.output_folder import written_folder

log = logging.getLogger("fleece.trainer")

SINGLE_FILE = "model.safetensors"
INDEX_FILE = "model.safetensors.index.json"
DEFAULT_MAX_SHARD_SIZE = "5GB"  # transformers' save_pretrained default
# Decimal units as the Hub writes them ("5GB" = 5·10⁹ bytes), binary ones as IEC says.
_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12,
          "KIB": 2**10, "MIB": 2**20, "GIB": 2**30, "TIB": 2**40}  # fmt: skip


def parse_size(text: str) -> int:
    """ "5GB" -> 5_000_000_000, "500KiB" -> 512_000, "1000" -> 1000 (bytes)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([KMGT]i?B|B)?\s*", text, re.IGNORECASE)
    if not match:
        raise ValueError(f"max shard size {text!r}: expected a size such as 5GB, 500MB or 1000")
    size = int(float(match[1]) * _UNITS[(match[2] or "").upper()])
    if size <= 0:
        raise ValueError(f"max shard size {text!r} must be positive")
    return size


def _dtype_name(dtype: torch.dtype) -> str:
    return str(dtype).removeprefix("torch.")


def config_json(config: ModelConfig, dtype: torch.dtype) -> dict[str, object]:
    """config.json of a LlamaForCausalLM with this shape. rope_theta and torch_dtype are
    transformers 4's names, which 5 still reads (5 writes rope_parameters and dtype: both are
    given, so neither version falls back to a default)."""
    name = _dtype_name(dtype)
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        **hf_config_kwargs(config),
        "rope_parameters": {"rope_theta": config.rope_theta, "rope_type": "default"},
        "rope_scaling": None,
        "attention_dropout": 0.0,
        "initializer_range": 0.02,
        "pretraining_tp": 1,
        "use_cache": True,
        "pad_token_id": None,
        "torch_dtype": name,
        "dtype": name,
    }


def _json_bytes(value: object) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8")


def plan_shards(sizes: dict[str, int], max_bytes: int) -> list[list[str]]:
    """Cut the weights, in order, into shards of at most max_bytes (transformers' rule: a
    shard is closed when the next weight would overflow it; a weight larger than the limit
    gets a shard of its own)."""
    shards: list[list[str]] = []
    current: list[str] = []
    used = 0
    for name, size in sizes.items():
        if current and used + size > max_bytes:
            shards.append(current)
            current, used = [], 0
        current.append(name)
        used += size
    if current:
        shards.append(current)
    return shards


def _shard_file(index: int, count: int) -> str:
    return SINGLE_FILE if count == 1 else f"model-{index:05d}-of-{count:05d}.safetensors"


@dataclass(frozen=True)
class Export:
    folder: str
    checkpoint: str
    files: list[str]
    weight_bytes: int
    dtype: str


def _write_weights(
    checkpoint: str, config: ModelConfig, folder: str, max_bytes: int
) -> tuple[list[str], int, torch.dtype]:
    stored = stored_model_tensors(checkpoint)
    names = hf_names(config)  # ours -> HF, in HF's order
    missing = [ours for ours in names if ours not in stored]
    if missing:
        raise ValueError(
            f"{checkpoint}: the checkpoint lacks {len(missing)} weights of its model shape, "
            f"e.g. {missing[0]}"
        )
    sizes = {ours: stored[ours].size.numel() * stored[ours].properties.dtype.itemsize
             for ours in names}  # fmt: skip
    shards = plan_shards(sizes, max_bytes)
    weight_map: dict[str, str] = {}
    files = []
    for index, shard in enumerate(shards, start=1):
        file = _shard_file(index, len(shards))
        weights = read_model_weights(checkpoint, shard)
        tensors = {names[ours]: to_hf_weight(ours, weights[ours], config) for ours in shard}
        save_file(tensors, os.path.join(folder, file), metadata={"format": "pt"})
        weight_map.update(dict.fromkeys(tensors, file))
        files.append(file)
    if len(shards) > 1:
        index_data = {"metadata": {"total_size": sum(sizes.values())},
                      "weight_map": dict(sorted(weight_map.items()))}  # fmt: skip
        with open(os.path.join(folder, INDEX_FILE), "wb") as handle:
            handle.write(_json_bytes(index_data))
        files.append(INDEX_FILE)
    return files, sum(sizes.values()), stored["tok_embeddings.weight"].properties.dtype


def export_hf(
    checkpoint: str, out: str, max_shard_size: str = DEFAULT_MAX_SHARD_SIZE, force: bool = False
) -> Export:
    """Write the Hugging Face folder `out` from a checkpoint or a run directory (its latest)."""
    max_bytes = parse_size(max_shard_size)
    path = intact_checkpoint(checkpoint)  # checksums checked before anything is read
    config = ModelConfig(**read_trainer_state(path)["model"])
    tokenizer = os.path.join(path, TOKENIZER_NAME)
    with written_folder(out, force, source=path) as folder:
        files: list[str] = []
        if os.path.exists(tokenizer):
            # First: a tokenizer that cannot be exported exactly stops the export before
            # the (large) weights are written.
            try:
                # The trainer sets max_seq_len to the run's data.seq_len: the trained context.
                files += write_hf_tokenizer(tokenizer, folder, config.max_seq_len)
            except ValueError as error:  # "tokenizer.model: <setting>; cannot export ..."
                raise ValueError(f"{path}: {error}") from None
        else:
            log.warning(
                "%s: no %s (the shards had none), so the export has no tokenizer",
                path,
                TOKENIZER_NAME,
            )
        weight_files, weight_bytes, dtype = _write_weights(path, config, folder, max_bytes)
        for name, value in (
            ("config.json", config_json(config, dtype)),
            # pad = unk (0), as the tokenizer's pad token and Llama 2's generation_config.
            ("generation_config.json", {"bos_token_id": 1, "eos_token_id": 2, "pad_token_id": 0}),
        ):
            with open(os.path.join(folder, name), "wb") as handle:
                handle.write(_json_bytes(value))
        files = ["config.json", "generation_config.json", *weight_files, *files]
    return Export(out, path, files, weight_bytes, _dtype_name(dtype))
