"""Checkpoints: model and optimizer through torch.distributed.checkpoint, plus trainer state.

    <run_dir>/checkpoints/step-00001000/
        state/              DCP: model + optimizer, each rank writes its own shards
                            (model only for a checkpoint made by `fleece import hf`)
        trainer.json        step, loader position, schedule, config, model shape, history
        rng-00000.pt        per-rank RNG states (torch, CUDA, Python)
        tokenizer.model     so a checkpoint decodes on its own (`fleece generate`)
        COMPLETE            written last: the size and sha256 of every other file
                            (trainer/checkpoint_checksums.py); a directory without it is
                            ignored, and every reader checks the files against it first

DCP stores tensors by fully-qualified name with their global shapes, so a checkpoint
written by 2 FSDP or DDP ranks loads into 1 process (or 4) and back. Loading never puts a
second full copy of the model on the accelerator: a replicated model's state is read into
CPU tensors and then copied into the parameters; a sharded model's is read shard by shard
in place (DCP stages each read through host memory).
"""

from __future__ import annotations

import errno
import io
import json
import logging
import os
import random
import re
import shutil
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any

import torch
import torch.distributed as dist
import torch.distributed.checkpoint as dcp
from torch import nn
from torch.distributed.checkpoint import FileSystemReader
from torch.distributed.checkpoint.api import CheckpointException
from torch.distributed.checkpoint.metadata import TensorStorageMetadata
from torch.distributed.checkpoint.state_dict import (
    StateDictOptions,
    get_model_state_dict,
    get_state_dict,
    set_model_state_dict,
    set_state_dict,
)
from torch.distributed.tensor import DTensor

from pipeline.environment import ENVIRONMENT_ERRORS, environment_cause
from pipeline.shards.format import TOKENIZER_NAME
from trainer.checkpoint_checksums import (
    COMPLETE,
    DamagedCheckpoint,
    FileSum,
    checkpoint_files,
    file_sums,
    rank_files,
    verify_checkpoint,
    write_marker,
)
from trainer.parallel import Topology

log = logging.getLogger("fleece.trainer")
_STEP_DIR = re.compile(r"^step-(\d{8})$")
STATE = "state"
TRAINER_STATE = "trainer.json"


def checkpoint_path(run_dir: str, step: int) -> str:
    return os.path.join(run_dir, "checkpoints", f"step-{step:08d}")


def complete_checkpoints(run_dir: str) -> list[str]:
    """Complete checkpoint directories of a run, oldest first. A step directory without its
    marker (a save or a prune that was interrupted) is skipped, and the log says so."""
    root = os.path.join(run_dir, "checkpoints")
    if not os.path.isdir(root):
        return []
    complete = []
    for name in sorted(n for n in os.listdir(root) if _STEP_DIR.match(n)):
        path = os.path.join(root, name)
        if os.path.exists(os.path.join(path, COMPLETE)):
            complete.append(path)
        else:
            log.warning("%s: skipped, no %s marker (interrupted save or removal)", path, COMPLETE)
    return complete


def prune_checkpoints(run_dir: str, keep: int) -> None:
    """Remove all but the newest `keep` complete checkpoints (0 = keep all). The marker goes
    first: a kill in the middle leaves an incomplete checkpoint, which is skipped, never a
    "complete" one with its data half deleted."""
    for old in complete_checkpoints(run_dir)[:-keep] if keep > 0 else []:
        os.remove(os.path.join(old, COMPLETE))
        shutil.rmtree(old)


def latest_checkpoint(run_dir: str) -> str | None:
    found = complete_checkpoints(run_dir)
    return found[-1] if found else None


def resolve_checkpoint(path: str) -> str:
    """A checkpoint directory, or the latest complete one of a run directory."""
    if os.path.exists(os.path.join(path, COMPLETE)):
        return path
    latest = latest_checkpoint(path)
    if latest is None:
        raise FileNotFoundError(
            f"{path}: neither a complete checkpoint nor a run directory with one"
        )
    return latest


def intact_checkpoint(path: str, topology: Topology | None = None) -> str:
    """`resolve_checkpoint(path)`, its files checked against their checksums before anything
    reads them (DamagedCheckpoint, one line naming the file); collective under several ranks."""
    resolved = resolve_checkpoint(path)
    verify_checkpoint(resolved, topology)
    return resolved


def latest_intact_checkpoint(run_dir: str, topology: Topology | None = None) -> str | None:
    """The newest complete checkpoint of a run whose files are intact, skipping damaged ones
    with a warning; None when the run has none; DamagedCheckpoint when every one is damaged
    (starting over would silently throw the run away)."""
    found = complete_checkpoints(run_dir)
    damage: list[str] = []
    for path in reversed(found):
        try:
            verify_checkpoint(path, topology)
        except DamagedCheckpoint as error:
            damage.append(str(error))
            if topology is None or topology.is_main:
                log.warning("%s: skipped, damaged: %s", path, error)
            continue
        if damage and (topology is None or topology.is_main):
            log.warning("%s: the newest intact checkpoint, resuming from it", path)
        return path
    if found:
        raise DamagedCheckpoint(
            f"{os.path.join(run_dir, 'checkpoints')}: none of its {len(found)} checkpoints "
            f"is intact; the newest: {damage[0]}"
        )
    return None


@contextmanager
def _quiet_single_process() -> Iterator[None]:
    """DCP warns that it assumes one process when no process group exists: that is intended."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="torch.distributed is disabled")
        yield


def _barrier(topology: Topology) -> None:
    if topology.world_size > 1:
        dist.barrier()


def _rng_state() -> dict[str, Any]:
    state: dict[str, Any] = {"torch": torch.get_rng_state(), "python": random.getstate()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict[str, Any]) -> None:
    torch.set_rng_state(state["torch"])
    random.setstate(state["python"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def _state_bytes(state: Any) -> int:
    """Bytes of the tensors this rank holds in a (nested) state dict."""
    if isinstance(state, DTensor):
        state = state.to_local()
    if isinstance(state, torch.Tensor):
        return state.numel() * state.element_size()
    if isinstance(state, dict):
        return sum(_state_bytes(v) for v in state.values())
    if isinstance(state, list | tuple):
        return sum(_state_bytes(v) for v in state)
    return 0


def _disk_refuses(folder: str, needed: int) -> tuple[int, None] | None:
    """(ENOSPC, None) when the disk under `folder` has less room than a checkpoint of
    `needed` bytes, or refuses a small write outright (EROFS, EDQUOT...); else None."""
    try:
        if shutil.disk_usage(folder).free < needed:
            return errno.ENOSPC, None
    except OSError:
        pass
    probe = os.path.join(folder, ".fleece-space-probe")
    try:
        with open(probe, "wb") as handle:
            handle.write(b"\0" * 65536)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as error:
        return (error.errno, None) if error.errno in ENVIRONMENT_ERRORS else None
    finally:
        with suppress(OSError):
            os.unlink(probe)
    return None


def _write_bytes(path: str, data: bytes) -> None:
    try:
        with open(path, "wb") as handle:
            handle.write(data)
    except OSError as error:
        if error.filename is None:  # a failed write() does not name its file
            raise OSError(error.errno, error.strerror, path) from error
        raise


def save_checkpoint(
    path: str,
    model: nn.Module,
    optimizer: torch.optim.Optimizer,
    trainer_state: dict[str, Any],
    topology: Topology,
    tokenizer: str | None,
    keep: int,
) -> None:
    """Write a checkpoint (collective: every rank calls it), then prune to the newest `keep`."""
    if topology.is_main and os.path.exists(path):
        shutil.rmtree(path)  # a partial directory from a crash at this very step
    _barrier(topology)
    os.makedirs(path, exist_ok=True)
    model_state, optim_state = get_state_dict(model, optimizer)
    try:
        with _quiet_single_process():
            dcp.save(
                {"model": model_state, "optimizer": optim_state},
                checkpoint_id=os.path.join(path, STATE),
            )
    except (Exception, CheckpointException) as error:  # the latter is a BaseException
        # DCP wraps its writers' errors in text, and torch.save's short write on a full disk
        # reads "enforce fail at inline_container.cc" with no errno: ask the disk itself.
        needed = _state_bytes(model_state) + _state_bytes(optim_state)
        cause = environment_cause(error) or _disk_refuses(path, needed)
        if cause is None:
            raise
        code, where = cause
        raise OSError(code, os.strerror(code), where or os.path.join(path, STATE)) from error
    # Serialised in memory, then written by Python: a full disk is then an OSError naming the
    # file, not torch's "enforce fail at inline_container.cc".
    buffer = io.BytesIO()
    torch.save(_rng_state(), buffer)
    _write_bytes(os.path.join(path, f"rng-{topology.rank:05d}.pt"), buffer.getvalue())
    if topology.is_main:
        _write_description(path, trainer_state, tokenizer)
    sums = _gathered_sums(path, topology)
    if topology.is_main:
        _mark_complete(path, sums)
        prune_checkpoints(os.path.dirname(os.path.dirname(path)), keep)
    _barrier(topology)


def _gathered_sums(path: str, topology: Topology) -> dict[str, FileSum]:
    """Checksums of the checkpoint's files (collective): each rank hashes the files it wrote,
    so the reading back is spread over the ranks; the main rank gets them all (other ranks
    an empty dict). The gather also waits for every rank's files, as a barrier would."""
    sums = file_sums(path, rank_files(path, topology.rank))
    if topology.world_size == 1:
        return sums
    gathered: list[dict[str, FileSum]] | None = (
        [{} for _ in range(topology.world_size)] if topology.is_main else None
    )
    dist.gather_object(sums, gathered, dst=0)
    return {name: s for part in gathered or [] for name, s in part.items()}


def _write_description(path: str, trainer_state: dict[str, Any], tokenizer: str | None) -> None:
    """trainer.json, and the tokenizer copy that lets the checkpoint decode on its own."""
    with open(os.path.join(path, TRAINER_STATE), "w", encoding="utf-8") as handle:
        json.dump(trainer_state, handle, indent=1)
    if tokenizer is not None:
        shutil.copyfile(tokenizer, os.path.join(path, TOKENIZER_NAME))


def _mark_complete(path: str, sums: dict[str, FileSum]) -> None:
    """Written last: readers take only a checkpoint with this marker, and check its files
    against the checksums it records. Files no rank claimed (DCP's .metadata, trainer.json,
    tokenizer.model, anything else) are hashed here."""
    rest = [name for name in checkpoint_files(path) if name not in sums]
    write_marker(path, {**sums, **file_sums(path, rest)})


class UnreadableCheckpoint(ValueError):
    """A checkpoint file could not be parsed (truncated, overwritten, not what it should be)."""


def read_trainer_state(path: str) -> dict[str, Any]:
    file = os.path.join(path, TRAINER_STATE)
    with open(file, encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except ValueError as error:  # an unchecked (older) checkpoint's damaged file
            raise UnreadableCheckpoint(f"{file}: not valid JSON ({error})") from None


@contextmanager
def _reading(path: str, file: str = STATE) -> Iterator[None]:
    """Any failure to parse `file` of checkpoint `path` as one line naming it. Checked
    checkpoints fail their checksums first; this is for those that carry none."""
    try:
        yield
    except FileNotFoundError:
        raise
    except (Exception, CheckpointException) as error:  # the latter is a BaseException
        # A damaged file raises whatever its parser does (zip, pickle, int()), and DCP wraps
        # a reader's error with its traceback: name the file and the first line of the cause.
        failures = getattr(error, "failures", None) or {}
        cause = next(iter(failures.values()))[0] if failures else error
        first = (str(cause).strip().splitlines() or [""])[0]
        raise UnreadableCheckpoint(
            f"{os.path.join(path, file)}: unreadable ({type(cause).__name__}: {first})"
        ) from error


def stored_model_tensors(path: str) -> dict[str, TensorStorageMetadata]:
    """The model weights a checkpoint holds, by name (without the "model." prefix), with
    their global shape and stored dtype, from DCP's metadata alone: the same whatever world
    size and parallelism (DDP, FSDP2, tensor parallel) wrote them."""
    with _reading(path):
        metadata = FileSystemReader(os.path.join(path, STATE)).read_metadata()
    return {
        name.removeprefix("model."): entry
        for name, entry in metadata.state_dict_metadata.items()
        if name.startswith("model.") and isinstance(entry, TensorStorageMetadata)
    }


def read_model_weights(path: str, names: list[str] | None = None) -> dict[str, torch.Tensor]:
    """Plain CPU tensors of the checkpoint's model weights (all, or `names`), in the shape
    and dtype they were stored in: no model is built, and no optimizer state is read."""
    stored = stored_model_tensors(path)
    wanted = list(stored) if names is None else names
    tensors = {
        name: torch.empty(stored[name].size, dtype=stored[name].properties.dtype) for name in wanted
    }
    with _quiet_single_process(), _reading(path):
        dcp.load({"model": tensors}, checkpoint_id=os.path.join(path, STATE), no_dist=True)
    return tensors


def save_model_weights(
    path: str,
    weights: dict[str, torch.Tensor],
    trainer_state: dict[str, Any],
    tokenizer: str | None,
) -> None:
    """A checkpoint of model weights only, from one process (`fleece import hf`): the layout
    of `save_checkpoint`, which `--init-from`, `fleece generate` and `fleece export` read."""
    os.makedirs(path, exist_ok=True)
    with _quiet_single_process():
        dcp.save({"model": weights}, checkpoint_id=os.path.join(path, STATE), no_dist=True)
    _write_description(path, trainer_state, tokenizer)
    _mark_complete(path, {})


def _holds_optimizer(path: str) -> bool:
    with _reading(path):
        metadata = FileSystemReader(os.path.join(path, STATE)).read_metadata()
    return any(name.startswith("optimizer.") for name in metadata.state_dict_metadata)


def load_checkpoint(
    path: str, model: nn.Module, optimizer: torch.optim.Optimizer, topology: Topology
) -> dict[str, Any]:
    """Restore model, optimizer and this rank's RNG from `path`; returns the trainer state."""
    if not os.path.exists(os.path.join(path, COMPLETE)):
        raise FileNotFoundError(f"{path}: not a complete checkpoint (no {COMPLETE} marker)")
    if not _holds_optimizer(path):
        raise ValueError(
            f"{path}: holds model weights only (no optimizer state), so a run cannot resume "
            "from it; start one from it with --init-from"
        )
    # A replicated model is read into CPU tensors and then copied into the parameters; a
    # sharded one (FSDP, tensor parallel) is read in place, each rank only its own shards.
    sharded = any(isinstance(p, DTensor) for p in model.parameters())
    options = StateDictOptions(cpu_offload=not sharded)
    model_state, optim_state = get_state_dict(model, optimizer, options=options)
    state = {"model": model_state, "optimizer": optim_state}
    with _quiet_single_process(), _reading(path):
        dcp.load(state, checkpoint_id=os.path.join(path, STATE))
    set_state_dict(
        model, optimizer, model_state_dict=state["model"], optim_state_dict=state["optimizer"]
    )
    rng_name = f"rng-{topology.rank:05d}.pt"
    if os.path.exists(os.path.join(path, rng_name)):  # absent on more ranks than were saved
        with _reading(path, rng_name):
            _set_rng_state(torch.load(os.path.join(path, rng_name), weights_only=True))
    return read_trainer_state(path)


def load_model_weights(path: str, model: nn.Module) -> None:
    """Only the model weights of a checkpoint, into a model: plain, DDP-wrapped, or sharded
    (FSDP2, tensor parallel; collective then, each rank reads its own shards). Weights
    stored in another dtype (an imported bf16 model) are cast to the model's."""
    sharded = any(isinstance(p, DTensor) for p in model.parameters())
    options = StateDictOptions(cpu_offload=not sharded)
    state = {"model": get_model_state_dict(model, options=options)}
    with _quiet_single_process(), _reading(path):
        dcp.load(state, checkpoint_id=os.path.join(path, STATE))
    set_model_state_dict(model, state["model"])
