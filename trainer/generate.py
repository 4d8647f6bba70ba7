"""Sampling text from a checkpoint, decoded with the corpus tokenizer saved beside it."""

from __future__ import annotations

import os

import sentencepiece as spm
import torch

from model import ModelConfig, Transformer
from trainer.checkpoint import intact_checkpoint, load_model_weights, read_trainer_state

BOS_ID, EOS_ID = 1, 2


def load_for_inference(checkpoint: str, device: torch.device) -> tuple[Transformer, object, str]:
    """(model in eval mode, SentencePieceProcessor, checkpoint directory) for a checkpoint
    directory or a run directory (its latest checkpoint), its checksums checked first."""
    path = intact_checkpoint(checkpoint)
    state = read_trainer_state(path)
    tokenizer_file = os.path.join(path, "tokenizer.model")
    if not os.path.exists(tokenizer_file):
        raise FileNotFoundError(
            f"{path}: no tokenizer.model (the shards had none when it was trained)"
        )
    model = Transformer(ModelConfig(**state["model"]), state["config"]["model"]["attention"])
    load_model_weights(path, model)
    processor = spm.SentencePieceProcessor(model_file=tokenizer_file)
    return model.to(device).eval(), processor, path


@torch.no_grad()
def sample(
    model: Transformer,
    prompt: list[int],
    max_new_tokens: int,
    temperature: float = 0.8,
    top_k: int = 50,
    seed: int = 0,
) -> list[int]:
    """Continue `prompt` (token ids) by up to max_new_tokens, stopping at EOS.

    temperature 0 is greedy. Each step re-runs the whole (cropped) context: simple and
    exact, fine for the short samples this is meant for (no KV cache).
    """
    device = model.output.weight.device
    generator = torch.Generator(device=device).manual_seed(seed)
    ids = list(prompt)
    limit = model.config.max_seq_len
    for _ in range(max_new_tokens):
        context = torch.tensor([ids[-limit:]], device=device)
        logits = model(context)[0, -1].float()
        if temperature <= 0:
            token = int(logits.argmax())
        else:
            logits = logits / temperature
            if 0 < top_k < logits.numel():
                threshold = torch.topk(logits, top_k).values[-1]
                logits = logits.masked_fill(logits < threshold, float("-inf"))
            token = int(torch.multinomial(logits.softmax(-1), 1, generator=generator))
        if token == EOS_ID:
            break
        ids.append(token)
    return ids


def generate_text(
    checkpoint: str,
    prompt: str,
    max_new_tokens: int = 64,
    temperature: float = 0.8,
    top_k: int = 50,
    seed: int = 0,
    device: str | None = None,
) -> str:
    """The prompt and its continuation as text."""
    chosen = torch.device(device or ("cuda" if torch.cuda.is_available() else "cpu"))
    model, processor, _ = load_for_inference(checkpoint, chosen)
    prompt_ids = [BOS_ID, *processor.encode(prompt)]
    ids = sample(model, prompt_ids, max_new_tokens, temperature, top_k, seed)
    return processor.decode(ids[1:])
