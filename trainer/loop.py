"""The training loop: build, resume, step, validate, checkpoint, log.

One optimizer step = `accumulation` micro-batches per data-parallel rank; each micro-loss
is divided by their number, and DDP/FSDP average over ranks, so the gradient is the mean
over the global batch whatever the world size. Step numbers count completed updates:
validation "at step 0" is before training, the checkpoint "at step 10" after 10 updates.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import torch
import torch.distributed as dist
import torch.nn.functional as F
import yaml
from torch import nn

from model import ModelConfig, Transformer, count_parameters, flops_per_token, preset
from pipeline.lock import RunLockedError, run_lock
from pipeline.shards.format import TOKENIZER_NAME, join
from trainer.checkpoint import (
    checkpoint_path,
    intact_checkpoint,
    latest_intact_checkpoint,
    load_checkpoint,
    load_model_weights,
    save_checkpoint,
)
from trainer.config import ModelSection, TrainConfig
from trainer.data import Batch, TokenStream, TrainLoader, Windows
from trainer.init_from import check_tokenizer, checkpoint_model_config
from trainer.metrics import MetricsLog, mfu, peak_flops
from trainer.optim import build_optimizer, learning_rate, set_learning_rate
from trainer.parallel import Topology, close_topology, init_topology, parallelize
from trainer.shard_checks import check_tokenizer_copy, check_vocabulary, checked_manifest
from trainer.time_left import TimeLeft, format_duration
from trainer.validation import Validation, ValidationSet


class DivergenceError(RuntimeError):
    """The loss became NaN or infinite."""


@dataclass
class TrainResult:
    run_dir: str
    step: int
    losses: dict[int, float] = field(default_factory=dict)  # steps trained by this call
    val_losses: list[tuple[int, float]] = field(default_factory=list)  # whole run, resumes included
    checkpoint: str | None = None


def resolve_model_config(section: ModelSection, vocab_size: int, seq_len: int) -> ModelConfig:
    """The preset with the section's overrides; vocabulary from the shards, context = seq_len."""
    base = preset(section.preset)
    changes: dict[str, Any] = {
        name: getattr(section, name)
        for name in ("dim", "n_layers", "n_heads", "norm_eps", "rope_theta")
        if getattr(section, name) is not None
    }
    vocab = section.vocab_size if section.vocab_size is not None else vocab_size
    if vocab < vocab_size:
        raise ValueError(
            f"model.vocab_size {vocab} is smaller than the shards' vocab_size {vocab_size}"
        )
    return base.replace(vocab_size=vocab, max_seq_len=seq_len, **changes)


log = logging.getLogger("fleece.trainer")


def _log(topology: Topology, message: str) -> None:
    """Progress is reported once, by the main rank."""
    if topology.is_main:
        log.info(message)


def _all_reduce_sum(value: torch.Tensor, topology: Topology) -> torch.Tensor:
    if topology.dp_size > 1:
        dist.all_reduce(value, op=dist.ReduceOp.SUM, group=topology.dp_group)
    return value


class Trainer:
    """Holds what one run builds; `run()` trains to `config.steps`."""

    def __init__(self, config: TrainConfig, topology: Topology) -> None:
        self.config = config
        self.topology = topology
        data = config.data
        manifest = checked_manifest(data.shards)
        self.tokenizer = join(data.shards, TOKENIZER_NAME)
        if os.path.exists(self.tokenizer):
            check_tokenizer_copy(data.shards, manifest)  # before a checkpoint copies it
        else:
            self.tokenizer = None
        self.resume_from = self._resume_source()
        self.init_from = self._init_source(manifest)
        self.weights_from = self.init_from  # recorded in checkpoints, kept across resumes
        self.model_config = self._model_config(manifest)
        splits = ("train", "val") if config.eval.every > 0 else ("train",)
        check_vocabulary(
            data.shards,
            [s for s in manifest["shards"] if s["split"] in splits],
            self.model_config.vocab_size,
        )
        self.train_stream = TokenStream(data.shards, "train", manifest, data.verify_sha256)
        self.train_windows = Windows(self.train_stream, data.seq_len)
        self.validation = (
            ValidationSet(
                TokenStream(data.shards, "val", manifest, data.verify_sha256),
                data.seq_len,
                config.eval.samples,
                topology.dp_size,
            )
            if config.eval.every > 0
            else None
        )
        if config.batch.global_tokens % data.seq_len:
            raise ValueError(
                f"batch.global_tokens {config.batch.global_tokens} is not a multiple of data.seq_len {data.seq_len}"
            )
        self.global_batch = config.batch.global_tokens // data.seq_len
        device = topology.device
        precision = config.parallel.precision
        self.bf16 = precision == "bf16" or (precision == "auto" and device.type == "cuda")
        fsdp = topology.dp_size > 1 and config.parallel.data_parallel == "fsdp"
        self.data_parallel = config.parallel.data_parallel if topology.dp_size > 1 else "none"
        # FSDP casts parameters itself (MixedPrecisionPolicy); everything else uses autocast.
        self.autocast = self.bf16 and not fsdp
        self.model, self.wrapped = self._build_model(fsdp)
        self.optimizer = build_optimizer(self.wrapped, config.optim)
        self.loader = TrainLoader(
            self.train_windows,
            config.seed,
            self.global_batch,
            config.batch.micro_batch_size,
            topology.dp_rank,
            topology.dp_size,
        )
        self.flops_per_token = flops_per_token(self.model_config, data.seq_len)
        self.peak = peak_flops(device)
        self.history: dict[str, list] = {"val": []}
        self.step = 0
        self.last_checkpoint: str | None = None

    def _build_model(self, fsdp: bool) -> tuple[Transformer, nn.Module]:
        config, topology = self.config, self.topology
        init_device = config.model.init_device
        if init_device == "auto":
            init_device = "meta" if fsdp and count_parameters(self.model_config) > 1e9 else "cpu"
        with torch.device("meta" if init_device == "meta" else "cpu"):
            model = Transformer(self.model_config, config.model.attention)
        model.set_activation_checkpointing(config.parallel.activation_checkpointing)
        if init_device == "cpu":
            # Seeded full initialisation on every rank, before sharding: identical weights
            # whatever the world size.
            torch.manual_seed(config.seed)
            model.init_weights()
            model.to(topology.device)
        wrapped = parallelize(model, topology, config.parallel, self.bf16)
        if init_device == "meta":
            # Each rank initialises only its shards (same seed, same draws in one process).
            model.to_empty(device=topology.device)
            torch.manual_seed(config.seed)
            model.init_weights()
        return model, wrapped

    # -- resume --------------------------------------------------------------------------

    def _resume_source(self) -> str | None:
        choice = self.config.checkpoint.resume
        if choice == "none":
            return None
        if choice == "auto":
            return latest_intact_checkpoint(self.config.run_dir, self.topology)
        return intact_checkpoint(choice, self.topology)

    def _init_source(self, manifest: dict[str, Any]) -> str | None:
        """init_from's checkpoint, its tokenizer checked; None when a resume wins over it
        (trainer/init_from.py says why)."""
        if self.config.init_from is None or self.resume_from is not None:
            return None
        path = intact_checkpoint(self.config.init_from, self.topology)
        check_tokenizer(path, self.config.data.shards, manifest)
        return path

    def _model_config(self, manifest: dict[str, Any]) -> ModelConfig:
        """With init_from, the shape of the checkpoint that is loaded (init_from's, or the
        resumed one's, which has it too); else the preset and its overrides."""
        vocab, seq_len = int(manifest["vocab_size"]), self.config.data.seq_len
        loaded = self.resume_from or self.init_from
        if self.config.init_from is not None and loaded is not None:
            return checkpoint_model_config(loaded, self.config.model, vocab, seq_len)
        return resolve_model_config(self.config.model, vocab, seq_len)

    def resume(self) -> None:
        """Load the checkpoint to resume, else init_from's weights, else keep the init."""
        if self.init_from is not None:
            load_model_weights(self.init_from, self.wrapped)
            _log(
                self.topology,
                f"initialised from {self.init_from}: weights only, step 0, fresh optimizer "
                "and schedule",
            )
        path = self.resume_from
        if path is None:
            return
        state = load_checkpoint(path, self.wrapped, self.optimizer, self.topology)
        self.weights_from = state.get("init_from")
        if self.config.init_from is not None:
            _log(self.topology, f"init_from ignored: the run resumes its checkpoint {path}")
        self.loader.load_state_dict(state["loader"])
        self.step = int(state["step"])
        self.history = state["history"]
        self.last_checkpoint = path
        _log(
            self.topology,
            f"resumed from {path} at step {self.step} (epoch {self.loader.epoch:.3f})",
        )

    # -- steps ---------------------------------------------------------------------------

    def _autocast(self) -> contextlib.AbstractContextManager:
        if not self.autocast:
            return contextlib.nullcontext()
        return torch.autocast(device_type=self.topology.device.type, dtype=torch.bfloat16)

    def _gradient_sync(self, last: bool) -> contextlib.AbstractContextManager:
        """Reduce gradients across data-parallel ranks only on the last micro-batch."""
        if hasattr(self.wrapped, "no_sync") and not last:
            return self.wrapped.no_sync()
        if hasattr(self.wrapped, "set_requires_gradient_sync"):
            self.wrapped.set_requires_gradient_sync(last)
        return contextlib.nullcontext()

    def _loss(self, batch: Batch, reduction: str = "mean") -> torch.Tensor:
        batch = batch.to(self.topology.device)
        documents = batch.document_ids if self.config.data.document_mask else None
        with self._autocast():
            logits = self.wrapped(batch.inputs, documents)
        return F.cross_entropy(
            logits.float().flatten(0, 1), batch.targets.flatten(), reduction=reduction
        )

    def _clip_gradients(self) -> float:
        params = [p for p in self.wrapped.parameters() if p.grad is not None]
        norm = torch.nn.utils.get_total_norm([p.grad for p in params], foreach=True)
        if hasattr(norm, "full_tensor"):  # a DTensor under FSDP or tensor parallelism
            norm = norm.full_tensor()
        if self.config.optim.grad_clip > 0:
            torch.nn.utils.clip_grads_with_norm_(
                params, self.config.optim.grad_clip, norm, foreach=True
            )
        return float(norm)

    def train_step(self) -> tuple[float, float, list[int]]:
        """One optimizer step; returns (mean loss over the global batch, grad norm, samples)."""
        batches = self.loader.next_step()
        total = torch.zeros((), device=self.topology.device)
        for index, batch in enumerate(batches):
            with self._gradient_sync(last=index == len(batches) - 1):
                loss = self._loss(batch) / len(batches)
                loss.backward()
            total += loss.detach()
        loss = float(_all_reduce_sum(total, self.topology)) / self.topology.dp_size
        if not math.isfinite(loss):
            self.optimizer.zero_grad(set_to_none=True)
            where = self.last_checkpoint or "none (no checkpoint was saved)"
            raise DivergenceError(
                f"loss is {loss} at step {self.step + 1}; last good checkpoint: {where}"
            )
        grad_norm = self._clip_gradients()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        samples = [s for b in batches for s in b.samples]
        return loss, grad_norm, samples

    @torch.no_grad()
    def evaluate(self) -> Validation:
        """Mean token loss of each source's first eval.samples windows of the val split
        (trainer/validation.py), and over all of them: the token-weighted mean."""
        sources = self.validation.sources
        row = {name: index for index, name in enumerate(sources)}
        # [source, (summed token loss, tokens)], reduced over ranks in one call.
        sums = torch.zeros(len(sources), 2, dtype=torch.float64, device=self.topology.device)
        for name, batch in self.validation.batches(
            self.config.batch.micro_batch_size, self.topology.dp_rank
        ):
            sums[row[name], 0] += self._loss(batch, reduction="sum").double()
            sums[row[name], 1] += batch.targets.numel()
        loss_sums, tokens = _all_reduce_sum(sums, self.topology).cpu().T.tolist()
        return Validation.from_sums(
            dict(zip(sources, loss_sums, strict=True)),
            {name: round(count) for name, count in zip(sources, tokens, strict=True)},
        )

    def _gather_samples(self, samples: list[int]) -> list[int]:
        if self.topology.dp_size == 1:
            return samples
        gathered: list[list[int]] = [[] for _ in range(self.topology.dp_size)]
        dist.all_gather_object(gathered, samples, group=self.topology.dp_group)
        return sorted(s for part in gathered for s in part)

    # -- bookkeeping ---------------------------------------------------------------------

    def _trainer_state(self) -> dict[str, Any]:
        return {
            "step": self.step,
            "loader": self.loader.state_dict(),
            "schedule": {
                "lr": learning_rate(max(self.step - 1, 0), self.config.optim, self.config.steps)
            },
            "history": self.history,
            "config": self.config.to_dict(),
            "model": self.model_config.to_dict(),
            "world_size": self.topology.world_size,
            "data_parallel": self.data_parallel,
            "tensor_parallel": self.topology.tp_size,
            "init_from": self.weights_from,
        }

    def save(self) -> None:
        path = checkpoint_path(self.config.run_dir, self.step)
        save_checkpoint(
            path,
            self.wrapped,
            self.optimizer,
            self._trainer_state(),
            self.topology,
            self.tokenizer,
            self.config.checkpoint.keep,
        )
        self.last_checkpoint = path
        _log(self.topology, f"saved checkpoint {path}")

    def _validate(self, metrics: MetricsLog) -> None:
        validation = self.evaluate()
        self.history["val"].append([self.step, validation.loss])
        metrics.write(validation.record(self.step))
        _log(
            self.topology,
            f"step {self.step}: validation loss {validation.loss:.4f} ({validation.summary()})",
        )

    def _write_run_files(self) -> None:
        if not self.topology.is_main:
            return
        os.makedirs(self.config.run_dir, exist_ok=True)
        with open(
            os.path.join(self.config.run_dir, "config.yaml"), "w", encoding="utf-8"
        ) as handle:
            yaml.safe_dump(self.config.to_dict(), handle, sort_keys=False)
        if self.tokenizer is not None:
            shutil.copyfile(self.tokenizer, os.path.join(self.config.run_dir, TOKENIZER_NAME))

    def run(self) -> TrainResult:
        config, topology = self.config, self.topology
        self.resume()
        self._write_run_files()
        metrics = MetricsLog(
            config.run_dir, topology.is_main, config.metrics.tensorboard, self.step
        )
        _log(
            topology,
            f"model {count_parameters(self.model_config) / 1e6:.1f}M parameters, "
            f"{self.train_windows.num_samples} train windows of {config.data.seq_len + 1} tokens, "
            f"global batch {self.global_batch} × {self.loader.accumulation} accumulation steps, "
            f"world {topology.world_size} (dp {topology.dp_size} × tp {topology.tp_size}) on {topology.device}",
        )
        for note in self.validation.notes if self.validation is not None else []:
            _log(topology, note)
        result = TrainResult(config.run_dir, self.step)
        self.time_left = TimeLeft(config.steps)
        try:
            if self.validation is not None and not any(
                s == self.step for s, _ in self.history["val"]
            ):
                self._validate(metrics)
            while self.step < config.steps:
                self._one_step(metrics, result)
            # A short run must not end before every shard it read has passed its check.
            self.train_stream.hashes.wait_all()
            if self.validation is not None:
                self.validation.split.hashes.wait_all()
        finally:
            metrics.close()
        result.step = self.step
        result.val_losses = [(int(s), float(v)) for s, v in self.history["val"]]
        result.checkpoint = self.last_checkpoint
        self._summary(result)
        return result

    def _one_step(self, metrics: MetricsLog, result: TrainResult) -> None:
        config, topology = self.config, self.topology
        lr = learning_rate(self.step, config.optim, config.steps)
        set_learning_rate(self.optimizer, lr)
        started = time.perf_counter()
        loss, grad_norm, samples = self.train_step()
        if topology.device.type == "cuda":
            torch.cuda.synchronize()
        elapsed = time.perf_counter() - started
        self.step += 1
        result.losses[self.step] = loss
        seconds_left = self.time_left.update(self.step)
        tokens_per_second = config.batch.global_tokens / elapsed
        utilisation = mfu(tokens_per_second, self.flops_per_token, topology.world_size, self.peak)
        record = {
            "kind": "train",
            "step": self.step,
            "loss": loss,
            "lr": lr,
            "grad_norm": grad_norm,
            "tokens": self.step * config.batch.global_tokens,
            "tokens_per_s": tokens_per_second,
            "mfu": utilisation,
            "epoch": self.loader.epoch,
        }
        if config.metrics.log_samples:
            record["samples"] = self._gather_samples(samples)
        metrics.write(record)
        if self.step % max(1, config.metrics.log_every) == 0 or self.step == config.steps:
            shown = f" mfu {utilisation:.1%}" if utilisation is not None else ""
            eta = f" eta {format_duration(seconds_left)}" if seconds_left is not None else ""
            _log(
                topology,
                f"step {self.step}/{config.steps} loss {loss:.4f} lr {lr:.2e} grad {grad_norm:.3f} "
                f"{tokens_per_second:,.0f} tok/s{shown} epoch {self.loader.epoch:.3f}{eta}",
            )
        if self.validation is not None and (
            self.step % config.eval.every == 0 or self.step == config.steps
        ):
            self._validate(metrics)
        every = config.checkpoint.every
        if (every > 0 and self.step % every == 0) or self.step == config.steps:
            self.save()

    def _summary(self, result: TrainResult) -> None:
        if len(result.val_losses) >= 2:
            (s0, first), (s1, last) = result.val_losses[0], result.val_losses[-1]
            change = (last - first) / first
            _log(
                self.topology,
                f"validation loss {first:.4f} at step {s0} -> {last:.4f} at step {s1} ({change:+.1%})",
            )


@contextlib.contextmanager
def _run_dir_lock(run_dir: str, topology: Topology) -> Iterator[None]:
    """One trainer per run directory (pipeline/lock.py): the main rank holds the lock, and
    tells the other ranks whether it got it, so that all of them stop when it did not."""
    with contextlib.ExitStack() as held:
        refusal: BaseException | None = None
        if topology.is_main:
            try:
                held.enter_context(run_lock(run_dir))
            except (RunLockedError, OSError) as error:  # held, or run_dir cannot be written
                refusal = error
        if topology.world_size > 1:
            shared = [refusal]
            dist.broadcast_object_list(shared, src=0)
            refusal = shared[0]
        if refusal is not None:
            raise refusal
        yield


def train(config: TrainConfig) -> TrainResult:
    """Train as `config` says, in this process (one rank of a torchrun job, or alone)."""
    topology = init_topology(config.parallel)
    try:
        with _run_dir_lock(config.run_dir, topology):
            return Trainer(config, topology).run()
    finally:
        close_topology(topology)
