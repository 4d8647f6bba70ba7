"""Process groups and how the model is spread over them: DDP, FSDP2, tensor parallel.

Ranks form a 2-D mesh (dp, tp): consecutive ranks share a tensor-parallel group and
see the same data; data-parallel ranks see different slices of each global batch.
Tensor parallelism uses Megatron's layout with sequence parallelism (torchtitan's plan):
wq/wk/wv/w1/w3 and the output projection split by columns, wo/w2 by rows, and the norms
and residual stream split along the sequence between blocks. Parallelism is applied from
outside; the model code is unchanged. Under torchrun the environment gives rank and
world size; gloo is used on CPU and NCCL on CUDA.
"""

from __future__ import annotations

import atexit
import gc
import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn
from torch.distributed.device_mesh import init_device_mesh
from torch.distributed.fsdp import MixedPrecisionPolicy, fully_shard
from torch.distributed.tensor import Replicate, Shard
from torch.distributed.tensor.parallel import (
    ColwiseParallel,
    PrepareModuleInput,
    RowwiseParallel,
    SequenceParallel,
    parallelize_module,
)
from torch.nn.parallel import DistributedDataParallel

from model import Transformer
from trainer.config import ParallelSection


@dataclass
class Topology:
    """Where this process sits: global rank, data-parallel and tensor-parallel coordinates."""

    rank: int = 0
    world_size: int = 1
    dp_rank: int = 0
    dp_size: int = 1
    tp_size: int = 1
    device: torch.device = torch.device("cpu")
    mesh: object | None = None  # torch.distributed.device_mesh.DeviceMesh when world_size > 1

    @property
    def is_main(self) -> bool:
        return self.rank == 0

    @property
    def dp_group(self) -> object | None:
        return None if self.mesh is None else self.mesh["dp"].get_group()


def init_topology(config: ParallelSection) -> Topology:
    """Join the process group torchrun describes (if any) and build the device mesh."""
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    tp = config.tensor_parallel
    if tp < 1 or world_size % tp:
        raise ValueError(
            f"parallel.tensor_parallel={tp} does not divide the world size {world_size}"
        )
    if torch.cuda.is_available():
        device = torch.device("cuda", local_rank)
        torch.cuda.set_device(device)
    else:
        device = torch.device("cpu")
    if world_size == 1:
        return Topology(device=device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    dp = world_size // tp
    mesh = init_device_mesh(device.type, (dp, tp), mesh_dim_names=("dp", "tp"))
    return Topology(
        rank=rank,
        world_size=world_size,
        dp_rank=mesh["dp"].get_local_rank(),
        dp_size=dp,
        tp_size=tp,
        device=device,
        mesh=mesh,
    )


def close_topology(topology: Topology) -> None:
    """Leave the process group, and end its threads while the interpreter still runs.

    destroy_process_group() forgets the groups but leaves their threads running: a gloo
    group and its worker threads live until its last reference goes, and the device mesh,
    which torch's global caches keep past the run, holds one (its `_pg_registry`). A worker
    thread that frees a finished collective's tensors takes the GIL; when the interpreter
    is finalizing by then, Python ends the thread inside a C++ destructor and the process
    aborts ("terminate called without an active exception", exit -6) after a good run. So
    the mesh lets go of its groups and a collection frees the rest of the run (the model's
    FSDP or DDP state refers to the groups): each group's destructor joins its threads. A
    group still held by an exception in flight (its traceback holds the model) is freed by
    a collection at exit, before finalization (tests/trainer/test_trainer_exit.py)."""
    if topology.world_size == 1 or not dist.is_initialized():
        return
    dist.destroy_process_group()
    if topology.mesh is not None:
        topology.mesh._pg_registry.clear()
        topology.mesh = None
    gc.collect()
    # Once per process (unregister is a no-op the first time), however many runs close here.
    atexit.unregister(gc.collect)
    atexit.register(gc.collect)


def apply_tensor_parallel(model: Transformer, tp_mesh: object) -> None:
    """Megatron-style tensor + sequence parallelism over `tp_mesh`."""
    c = model.config
    size = tp_mesh.size()
    if c.n_heads % size or c.ffn_dim % size:
        raise ValueError(
            f"n_heads {c.n_heads} and ffn_dim {c.ffn_dim} must divide by tensor_parallel {size}"
        )
    parallelize_module(
        model,
        tp_mesh,
        {
            "tok_embeddings": RowwiseParallel(input_layouts=Replicate(), output_layouts=Shard(1)),
            "norm": SequenceParallel(),
            "output": ColwiseParallel(input_layouts=Shard(1), output_layouts=Replicate()),
        },
    )
    for block in model.layers:
        parallelize_module(
            block,
            tp_mesh,
            {
                "attention_norm": SequenceParallel(),
                # Rotary tables and the mask pass through untouched (layout None).
                "attention": PrepareModuleInput(
                    input_layouts=(Shard(1), None, None),
                    desired_input_layouts=(Replicate(), None, None),
                ),
                "attention.wq": ColwiseParallel(),
                "attention.wk": ColwiseParallel(),
                "attention.wv": ColwiseParallel(),
                "attention.wo": RowwiseParallel(output_layouts=Shard(1)),
                "ffn_norm": SequenceParallel(),
                "feed_forward": PrepareModuleInput(
                    input_layouts=(Shard(1),), desired_input_layouts=(Replicate(),)
                ),
                "feed_forward.w1": ColwiseParallel(),
                "feed_forward.w2": RowwiseParallel(output_layouts=Shard(1)),
                "feed_forward.w3": ColwiseParallel(),
            },
        )


def apply_fsdp(model: Transformer, dp_mesh: object, bf16: bool) -> None:
    """FSDP2: each block is one all-gather unit, the root holds embeddings and output."""
    policy = (
        MixedPrecisionPolicy(param_dtype=torch.bfloat16, reduce_dtype=torch.float32)
        if bf16
        else None
    )
    kwargs = {"mesh": dp_mesh} | ({"mp_policy": policy} if policy is not None else {})
    for block in model.layers:
        fully_shard(block, **kwargs)
    fully_shard(model, **kwargs)


def parallelize(
    model: Transformer, topology: Topology, config: ParallelSection, bf16: bool
) -> nn.Module:
    """Apply TP, then FSDP or DDP; returns the module to call (DDP wraps, the others not)."""
    if topology.tp_size > 1:
        apply_tensor_parallel(model, topology.mesh["tp"])
    if topology.dp_size > 1 and config.data_parallel == "fsdp":
        apply_fsdp(model, topology.mesh["dp"], bf16)
    if topology.dp_size > 1 and config.data_parallel == "ddp":
        if topology.tp_size > 1:
            raise ValueError(
                "tensor parallelism with several data-parallel ranks needs data_parallel: fsdp"
            )
        device_ids = [topology.device.index] if topology.device.type == "cuda" else None
        return DistributedDataParallel(
            model, device_ids=device_ids, process_group=topology.dp_group
        )
    return model


def unwrap(model: nn.Module) -> Transformer:
    """The Transformer inside a DDP wrapper (FSDP2 and TP modify modules in place)."""
    return model.module if hasattr(model, "module") else model
