"""`init_from`: a run that starts from another checkpoint's weights (continued pre-training,
or a model imported from Hugging Face).

Weights only: the run starts at step 0 with a fresh optimizer, schedule and sample order,
in the checkpoint's shape — model.preset is ignored, and a model.* override must agree with
the checkpoint, since the weights fix the shape; the context length is the run's seq_len
(RoPE has no learned positions). A run that resumes (its own latest checkpoint under
`checkpoint.resume: auto`, or a named one) ignores init_from: an interrupted fine-tune must
continue where it stopped, not start over from the base weights. Its shape then comes from
the checkpoint it resumes, which has the base model's.

The checkpoint's tokenizer.model must be the one that encoded the shards (same sha256 as
manifest.json records), or every id would mean another piece; a checkpoint without one (a
model trained on shards that had none) gets a warning, since nothing can be checked.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from model import ModelConfig
from pipeline.shards.format import TOKENIZER_NAME, file_sha256, join
from trainer.checkpoint import read_trainer_state
from trainer.config import ModelSection

log = logging.getLogger("fleece.trainer")

SHAPE_FIELDS = ("dim", "n_layers", "n_heads", "vocab_size", "norm_eps", "rope_theta")


def checkpoint_model_config(
    path: str, section: ModelSection, shards_vocab: int, seq_len: int
) -> ModelConfig:
    """The model shape stored with checkpoint `path`, with context seq_len; ValueError when a
    model.* override disagrees with it or its vocabulary is smaller than the shards'."""
    stored = ModelConfig(**read_trainer_state(path)["model"])
    for name in SHAPE_FIELDS:
        wanted = getattr(section, name)
        if wanted is not None and wanted != getattr(stored, name):
            raise ValueError(
                f"model.{name} {wanted} disagrees with {path}, whose {name} is "
                f"{getattr(stored, name)}: a run from a checkpoint keeps its shape"
            )
    if stored.vocab_size < shards_vocab:
        raise ValueError(
            f"{path}: vocabulary {stored.vocab_size} is smaller than the shards' {shards_vocab}"
        )
    return stored.replace(max_seq_len=seq_len)


def check_tokenizer(path: str, shards: str, manifest: dict[str, Any]) -> None:
    """ValueError naming both files when the checkpoint's tokenizer is not the shards'."""
    ours = os.path.join(path, TOKENIZER_NAME)
    if not os.path.exists(ours):
        log.warning(
            "%s has no %s: cannot check that it was trained with the shards' tokenizer",
            path,
            TOKENIZER_NAME,
        )
        return
    theirs = join(shards, manifest["tokenizer"]["file"])
    expected = manifest["tokenizer"]["sha256"]
    actual = file_sha256(ours)
    if actual != expected:
        raise ValueError(
            f"{ours} (sha256 {actual[:12]}) is not the tokenizer that encoded the shards, "
            f"{theirs} (sha256 {expected[:12]} in manifest.json): its ids would mean other pieces"
        )
