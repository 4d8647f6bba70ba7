"""Training throughput: tokens/s (and MFU on GPUs) for the tiny, ~100M and ~1B models.

    python -m bench.bench_train [--only cpu|gpu] [--steps N]

Each measurement runs the real training step — forward, fp32 cross-entropy, backward,
gradient clipping, AdamW — on random token ids (the loader's cost is negligible beside
it), after warm-up steps, and prints one JSON line. On CPU: the tiny model at sequence
128 and the ~100M model at sequence 256, in fp32. On CUDA: the ~1B model at sequence 2048
in bf16 autocast with selective activation checkpointing, once with SDPA and once with
xformers; without CUDA (or without xformers) a line says what was skipped and why.
MFU uses 6N + 12·L·d·T FLOPs per token against the GPU's dense bf16 peak.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import platform
import sys
import time
from collections.abc import Sequence

import torch
import torch.nn.functional as F

from model import ModelConfig, Transformer, count_parameters, flops_per_token, preset
from model.attention import xformers_ops
from trainer.config import OptimSection
from trainer.metrics import mfu, peak_flops
from trainer.optim import build_optimizer

VOCAB = 32000


def measure(
    name: str,
    config: ModelConfig,
    micro_batch: int,
    steps: int,
    warmup: int,
    device: torch.device,
    bf16: bool = False,
    backend: str = "sdpa",
    checkpointing: str = "none",
) -> dict[str, object]:
    """Time `steps` training steps after `warmup` ones; returns the JSON record."""
    torch.manual_seed(0)
    model = Transformer(config, backend).to(device)
    model.set_activation_checkpointing(checkpointing)
    optimizer = build_optimizer(model, OptimSection())
    seq_len = config.max_seq_len
    tokens = torch.randint(3, config.vocab_size, (micro_batch, seq_len + 1), device=device)
    autocast = torch.autocast("cuda", dtype=torch.bfloat16) if bf16 else contextlib.nullcontext()

    def step() -> float:
        with autocast:
            logits = model(tokens[:, :-1])
        loss = F.cross_entropy(logits.float().flatten(0, 1), tokens[:, 1:].flatten())
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        return float(loss.detach())

    def sync() -> None:
        if device.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(warmup):
        step()
    sync()
    if device.type == "cuda":
        torch.cuda.reset_peak_memory_stats(device)
    started = time.perf_counter()
    for _ in range(steps):
        step()
    sync()
    elapsed = time.perf_counter() - started
    tokens_per_s = steps * micro_batch * seq_len / elapsed
    flops = flops_per_token(config, seq_len)
    record: dict[str, object] = {
        "bench": "train",
        "config": name,
        "device": torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else f"cpu ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)",
        "params": count_parameters(config),
        "seq_len": seq_len,
        "micro_batch": micro_batch,
        "precision": "bf16" if bf16 else "fp32",
        "attention": backend,
        "activation_checkpointing": checkpointing,
        "steps": steps,
        "tokens_per_s": round(tokens_per_s, 1),
        "model_tflops_per_s": round(tokens_per_s * flops / 1e12, 3),
        "mfu": mfu(tokens_per_s, flops, 1, peak_flops(device)),
    }
    if device.type == "cuda":
        record["peak_memory_gib"] = round(torch.cuda.max_memory_allocated(device) / 2**30, 2)
    return record


def cpu_benchmarks(steps: int) -> list[dict[str, object]]:
    cpu = torch.device("cpu")
    tiny = preset("tiny").replace(vocab_size=VOCAB, max_seq_len=128)
    medium = preset("100M").replace(vocab_size=VOCAB, max_seq_len=256)
    return [
        measure("tiny", tiny, micro_batch=16, steps=max(steps, 5), warmup=2, device=cpu),
        measure("100M", medium, micro_batch=4, steps=max(1, steps // 3), warmup=1, device=cpu),
    ]


def gpu_benchmarks(steps: int) -> list[dict[str, object]]:
    if not torch.cuda.is_available():
        return [{"bench": "train", "config": "1B", "skipped": "no CUDA device"}]
    device = torch.device("cuda")
    config = preset("1B").replace(vocab_size=VOCAB, max_seq_len=2048)
    records = []
    for backend in ("sdpa", "xformers"):
        if backend == "xformers" and xformers_ops() is None:
            records.append(
                {
                    "bench": "train",
                    "config": "1B",
                    "attention": "xformers",
                    "skipped": "xformers not importable",
                }
            )
            continue
        records.append(
            measure(
                "1B",
                config,
                micro_batch=4,
                steps=steps,
                warmup=3,
                device=device,
                bf16=True,
                backend=backend,
                checkpointing="selective",
            )
        )
        torch.cuda.empty_cache()
    return records


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_train", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--only", choices=("cpu", "gpu"), help="run only the CPU or only the GPU part"
    )
    parser.add_argument(
        "--steps", type=int, default=10, help="timed steps (the 100M CPU run does a third)"
    )
    parser.add_argument(
        "--threads", type=int, help="torch intra-op threads on CPU (default: torch's)"
    )
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    parts = {"cpu": cpu_benchmarks, "gpu": gpu_benchmarks}
    for part in ("cpu", "gpu"):
        if args.only in (None, part):
            for record in parts[part](args.steps):
                print(json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
