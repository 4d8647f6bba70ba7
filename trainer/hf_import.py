"""`fleece import hf`: a Hugging Face Llama folder as a fleece checkpoint.

The folder's config.json becomes the model shape (`model.hf_convert.model_config_from_hf`
refuses, naming the field, what fleece's model lacks); its weights come from
model.safetensors, a sharded model.safetensors.index.json, or pytorch_model*.bin (read with
`weights_only=True`, so a pickle cannot run code). They keep their dtype, so importing an
export gives back every bit. The checkpoint holds the model only (no optimizer, step 0):
`fleece train --init-from OUT` starts a run from it, `fleece generate --checkpoint OUT`
samples from it, `fleece export hf OUT ...` writes it back.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator

import torch
from safetensors.torch import load_file

from model import ModelConfig, Transformer
from model.hf_convert import UnsupportedConfig, from_hf_state_dict, model_config_from_hf
from pipeline.shards.format import TOKENIZER_NAME
from trainer.checkpoint import save_model_weights
from trainer.output_folder import written_folder

log = logging.getLogger("fleece.trainer")

SAFETENSORS = ("model.safetensors.index.json", "model.safetensors")
PICKLES = ("pytorch_model.bin.index.json", "pytorch_model.bin")


def read_hf_config(directory: str) -> dict[str, object]:
    path = os.path.join(directory, "config.json")
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a JSON object")
    return data


def _weight_files(directory: str) -> Iterator[str]:
    """The weight files of a folder, safetensors first (as transformers prefers them)."""
    for name in (*SAFETENSORS, *PICKLES):
        path = os.path.join(directory, name)
        if not os.path.exists(path):
            continue
        if name.endswith(".index.json"):
            with open(path, encoding="utf-8") as handle:
                weight_map = json.load(handle)["weight_map"]
            for file in sorted(set(weight_map.values())):
                yield os.path.join(directory, file)
        else:
            yield path
        return
    raise FileNotFoundError(
        f"{directory}: no weights (looked for {', '.join(SAFETENSORS + PICKLES)})"
    )


def read_hf_weights(directory: str) -> dict[str, torch.Tensor]:
    """Every tensor of a Hugging Face folder's weight files, by HF name, as stored."""
    weights: dict[str, torch.Tensor] = {}
    for path in _weight_files(directory):
        try:
            if path.endswith(".safetensors"):
                weights.update(load_file(path))
            else:
                weights.update(torch.load(path, map_location="cpu", weights_only=True))
        except FileNotFoundError:
            raise
        except Exception as error:  # damaged files raise SafetensorError, UnpicklingError,
            # RuntimeError...: each becomes one line naming the file
            first_line = str(error).strip().splitlines()[0] if str(error).strip() else ""
            raise ValueError(f"{path}: unreadable ({type(error).__name__}: {first_line})") from None
    return weights


def _checked_shapes(weights: dict[str, torch.Tensor], config: ModelConfig, directory: str) -> None:
    with torch.device("meta"):
        expected = Transformer(config).state_dict()
    for name, tensor in weights.items():
        if tuple(tensor.shape) != tuple(expected[name].shape):
            raise ValueError(
                f"{directory}: {name} has shape {tuple(tensor.shape)}, config.json implies "
                f"{tuple(expected[name].shape)}"
            )


def import_hf(directory: str, out: str, force: bool = False) -> ModelConfig:
    """Write the checkpoint `out` from the Hugging Face Llama folder `directory`."""
    try:
        config = model_config_from_hf(read_hf_config(directory))
    except UnsupportedConfig as error:
        raise UnsupportedConfig(f"{os.path.join(directory, 'config.json')}: {error}") from None
    try:
        weights = from_hf_state_dict(read_hf_weights(directory), config)
    except KeyError as error:
        raise ValueError(f"{directory}: {error.args[0]}") from None
    _checked_shapes(weights, config, directory)
    tokenizer = os.path.join(directory, TOKENIZER_NAME)
    if not os.path.exists(tokenizer):
        log.warning(
            "%s: no %s, so the checkpoint has none (fleece generate needs one; training "
            "from it skips the tokenizer check)",
            directory,
            TOKENIZER_NAME,
        )
        tokenizer = None
    trainer_state = {
        "step": 0,
        "model": config.to_dict(),
        # What the readers of a checkpoint need: the kernel choice and the context length.
        "config": {"model": {"attention": "auto"}, "data": {"seq_len": config.max_seq_len}},
        "imported_from": os.path.abspath(directory),
        "history": {"val": []},
    }
    with written_folder(out, force, source=directory) as folder:
        save_model_weights(folder, weights, trainer_state, tokenizer)
    return config
