"""Small training configurations for the tests, as override lists."""

from __future__ import annotations

from trainer.config import TrainConfig, load_config


def nano_overrides(shards: str, run_dir: str, steps: int = 20, **extra: object) -> list[str]:
    """A 2-layer, dim-64 model on 32-token windows, 8 sequences per step (2 micro-batches)."""
    values: dict[str, object] = {
        "run_dir": run_dir,
        "steps": steps,
        "seed": 11,
        "model.preset": "nano",
        "data.shards": shards,
        "data.seq_len": 32,
        "batch.global_tokens": 256,
        "batch.micro_batch_size": 4,
        "optim.lr": 3.0e-3,
        "optim.warmup_steps": 4,
        # The cosine ends at step 20 whatever `steps` is, so a 10-step run is the first half
        # of a 20-step run (as if it had been interrupted).
        "optim.decay_steps": 20,
        "eval.every": 10,
        "eval.samples": 16,
        "checkpoint.every": 10,
        "checkpoint.keep": 5,
        "checkpoint.resume": "none",
        "metrics.log_every": 100,
        "metrics.tensorboard": False,
        "metrics.log_samples": True,
    }
    values.update(extra)
    return [f"{key}={value}" for key, value in values.items()]


def nano_config(shards: str, run_dir: str, steps: int = 20, **extra: object) -> TrainConfig:
    return load_config(None, nano_overrides(shards, run_dir, steps, **extra))
