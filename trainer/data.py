"""Training samples from token shards: packing, a stateless order, rank slices.

The train shards of a split are read as one concatenated token stream (memory-mapped,
never copied). Sample i is the window stream[i·T : i·T + T + 1] (T = seq_len): inputs are
its first T tokens, targets its last T, so every token after the first is a target exactly
once per epoch, and windows run across document boundaries (packing). The document starts
inside a window come with it, for document-masked attention.

Order is a pure function of (seed, epoch, global sample index): global index g is
sample permute(g mod S; seed, g div S) of epoch g div S, where `permute` is a keyed
bijection on [0, S) (a Feistel network with cycle walking: O(1) memory however large S).
Step k of training consumes global indices [p, p + B) with p the loader position; data-
parallel rank r takes the r-th contiguous slice of those B. The position is all a
checkpoint needs, and the samples of a step do not depend on the number of ranks, so a
run resumed on a different world size sees exactly the samples it would have seen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import torch

from pipeline.shards.format import ShardReader, join
from trainer.shard_checks import ShardCheckError, ShardHashes, check_sizes, checked_manifest

_MASK64 = (1 << 64) - 1


def _mix64(z: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser on uint64 arrays (wrap-around arithmetic)."""
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _round_keys(seed: int, epoch: int, rounds: int) -> list[np.uint64]:
    keys = []
    state = np.array(
        [(seed * 0x9E3779B97F4A7C15 + epoch * 0xD1B54A32D192ED03) & _MASK64], dtype=np.uint64
    )
    for _ in range(rounds):
        state = _mix64(state + np.uint64(0x9E3779B97F4A7C15))
        keys.append(state[0])
    return keys


def permute(index: np.ndarray, size: int, seed: int, epoch: int) -> np.ndarray:
    """A bijection of [0, size) chosen by (seed, epoch), applied to `index` (vectorised)."""
    if size <= 0:
        raise ValueError(f"cannot permute an empty range (size {size})")
    index = np.asarray(index, dtype=np.uint64)
    if np.any(index >= np.uint64(size)):
        raise ValueError(f"index outside [0, {size})")
    half_bits = max(1, ((size - 1).bit_length() + 1) // 2)
    half_mask = np.uint64((1 << half_bits) - 1)
    keys = _round_keys(seed, epoch, rounds=4)

    def feistel(x: np.ndarray) -> np.ndarray:
        left, right = x >> np.uint64(half_bits), x & half_mask
        for key in keys:
            left, right = right, left ^ (_mix64(right ^ key) & half_mask)
        return (left << np.uint64(half_bits)) | right

    # The Feistel network permutes [0, 4^half_bits) ⊇ [0, size); walking the cycle until
    # the value falls inside [0, size) restricts it to a bijection there.
    out = feistel(index)
    outside = out >= np.uint64(size)
    while outside.any():
        out[outside] = feistel(out[outside])
        outside = out >= np.uint64(size)
    return out.astype(np.int64)


class TokenStream:
    """The shards of one split as one concatenated, memory-mapped token stream.

    Opening checks each shard against its manifest entry (size, a valid Arrow stream, its
    documents and tokens); with `verify_sha256` a background thread hashes the shards, and
    no window is served from a shard before its hash matched (trainer/shard_checks.py)."""

    def __init__(
        self,
        directory: str,
        split: str,
        manifest: dict[str, Any] | None = None,
        verify_sha256: bool = False,
    ) -> None:
        self.directory = directory
        manifest = manifest if manifest is not None else checked_manifest(directory)
        entries = [s for s in manifest.get("shards", []) if s.get("split") == split]
        if not entries:
            raise ValueError(f"{join(directory, 'manifest.json')}: lists no {split!r} shards")
        check_sizes(directory, entries)
        self.vocab_size = int(manifest["vocab_size"])
        self.readers = []
        for entry in entries:
            reader = ShardReader(join(directory, entry["file"]))
            for field, actual in (
                ("tokens", reader.num_tokens),
                ("documents", reader.num_documents),
            ):
                if actual != entry[field]:
                    raise ShardCheckError(
                        f"{reader.path}: holds {actual} {field}, manifest.json says {entry[field]}"
                    )
            self.readers.append(reader)
        self.hashes = ShardHashes(directory, entries, enabled=verify_sha256)
        self.shard_starts = np.cumsum([0] + [r.num_tokens for r in self.readers])
        self.num_tokens = int(self.shard_starts[-1])

    def window(self, start: int, length: int) -> tuple[np.ndarray, np.ndarray]:
        """int64 tokens [start, start + length) of the stream and the offsets (relative to
        start) where a document begins; a window may span shards."""
        if start < 0 or start + length > self.num_tokens:
            raise ValueError(
                f"{self.directory}: window [{start}, {start + length}) outside [0, {self.num_tokens})"
            )
        tokens, starts = read_across(self.shard_starts, start, length, self._shard_window)
        return tokens.astype(np.int64), starts

    def _shard_window(self, shard: int, local: int, take: int) -> tuple[np.ndarray, np.ndarray]:
        """Tokens [local, local + take) of one shard, once its hash is checked; ids checked
        against the vocabulary."""
        self.hashes.ready(shard)
        tokens, doc_starts = self.readers[shard].window(local, take)
        if take and int(tokens.max()) >= self.vocab_size:
            raise ShardCheckError(
                f"{self.readers[shard].path}: token id {int(tokens.max())} at or above the "
                f"vocabulary of {self.vocab_size} (run `fleece verify`)"
            )
        return tokens, doc_starts


Segment = Callable[[int, int, int], tuple[np.ndarray, np.ndarray]]


def read_across(
    bounds: np.ndarray, start: int, length: int, segment: Segment
) -> tuple[np.ndarray, np.ndarray]:
    """Tokens [start, start + length) of a stream made of segments laid end to end (segment
    k spans [bounds[k], bounds[k + 1])), and the offsets (relative to start) where a
    document begins: `segment(k, local, take)` gives tokens [local, local + take) of segment
    k and their document starts."""
    pieces, starts = [], []
    index = int(np.searchsorted(bounds, start, side="right")) - 1
    done = 0
    while done < length:
        local = start + done - int(bounds[index])
        take = min(length - done, int(bounds[index + 1]) - int(bounds[index]) - local)
        tokens, doc_starts = segment(index, local, take)
        pieces.append(tokens)
        starts.append(doc_starts + done)
        done += take
        index += 1
    return np.concatenate(pieces), np.concatenate(starts)


@dataclass
class Batch:
    """One micro-batch: inputs/targets [B, T] int64, document ids [B, T] (equal = same
    document), and the global sample indices it holds."""

    inputs: torch.Tensor
    targets: torch.Tensor
    document_ids: torch.Tensor
    samples: list[int]

    def to(self, device: torch.device) -> Batch:
        move = {"device": device, "non_blocking": device.type == "cuda"}
        return Batch(
            self.inputs.to(**move),
            self.targets.to(**move),
            self.document_ids.to(**move),
            self.samples,
        )


class Tokens(Protocol):
    """What windows are cut from: a split's TokenStream, or one source's documents of it
    (trainer/validation.py)."""

    directory: str
    num_tokens: int

    def window(self, start: int, length: int) -> tuple[np.ndarray, np.ndarray]: ...


class Windows:
    """Sample i of a stream: tokens [i·T, i·T + T + 1)."""

    def __init__(self, stream: Tokens, seq_len: int) -> None:
        self.stream = stream
        self.seq_len = seq_len
        self.num_samples = (stream.num_tokens - 1) // seq_len
        if self.num_samples < 1:
            raise ValueError(
                f"{stream.directory}: {stream.num_tokens} tokens are fewer than one sequence of {seq_len + 1}"
            )

    def batch(self, sample_ids: np.ndarray, global_indices: list[int]) -> Batch:
        rows, docs = [], []
        for sample in sample_ids:
            tokens, doc_starts = self.stream.window(int(sample) * self.seq_len, self.seq_len + 1)
            marks = np.zeros(self.seq_len + 1, dtype=np.int64)
            marks[doc_starts] = 1
            rows.append(tokens)
            docs.append(np.cumsum(marks))
        tokens = torch.from_numpy(np.stack(rows))
        document_ids = torch.from_numpy(np.stack(docs)[:, :-1])
        return Batch(tokens[:, :-1], tokens[:, 1:], document_ids, global_indices)


class TrainLoader:
    """Micro-batches of each optimizer step for one data-parallel rank."""

    def __init__(
        self,
        windows: Windows,
        seed: int,
        global_batch: int,
        micro_batch: int,
        dp_rank: int = 0,
        dp_size: int = 1,
    ) -> None:
        if global_batch % (micro_batch * dp_size):
            raise ValueError(
                f"global batch of {global_batch} sequences is not divisible by micro_batch_size "
                f"{micro_batch} × {dp_size} data-parallel ranks"
            )
        self.windows = windows
        self.seed = seed
        self.global_batch = global_batch
        self.micro_batch = micro_batch
        self.dp_rank = dp_rank
        self.dp_size = dp_size
        self.accumulation = global_batch // (micro_batch * dp_size)
        self.position = 0  # global index of the next sample

    def sample_ids(self, global_indices: np.ndarray) -> np.ndarray:
        """Which window each global index denotes (a pure function of seed and index)."""
        size = self.windows.num_samples
        epochs, offsets = np.divmod(global_indices, size)
        out = np.empty_like(global_indices)
        for epoch in np.unique(epochs):
            where = epochs == epoch
            out[where] = permute(offsets[where], size, self.seed, int(epoch))
        return out

    def next_step(self) -> list[Batch]:
        """This rank's micro-batches of the next optimizer step; advances the position."""
        per_rank = self.global_batch // self.dp_size
        first = self.position + self.dp_rank * per_rank
        indices = np.arange(first, first + per_rank, dtype=np.int64)
        samples = self.sample_ids(indices)
        self.position += self.global_batch
        return [
            self.windows.batch(
                samples[i : i + self.micro_batch], indices[i : i + self.micro_batch].tolist()
            )
            for i in range(0, per_rank, self.micro_batch)
        ]

    @property
    def epoch(self) -> float:
        return self.position / self.windows.num_samples

    def state_dict(self) -> dict[str, int]:
        return {
            "position": self.position,
            "seed": self.seed,
            "seq_len": self.windows.seq_len,
            "num_samples": self.windows.num_samples,
        }

    def load_state_dict(self, state: dict[str, int]) -> None:
        """Restore the position; the data and order it refers to must be the same."""
        for key, mine in (
            ("seed", self.seed),
            ("seq_len", self.windows.seq_len),
            ("num_samples", self.windows.num_samples),
        ):
            if state[key] != mine:
                raise ValueError(
                    f"checkpoint's loader has {key}={state[key]} but this run has {mine}: "
                    "the shards or the configuration changed, so the sample order would differ"
                )
        self.position = int(state["position"])


def validation_batches(
    windows: Windows, samples: int, micro_batch: int, dp_rank: int, dp_size: int
) -> list[Batch]:
    """The first `samples` windows of the val split in order (0 = all), every dp_size-th
    one for this rank, in micro-batches."""
    count = windows.num_samples if samples <= 0 else min(samples, windows.num_samples)
    mine = np.arange(dp_rank, count, dp_size, dtype=np.int64)
    return [
        windows.batch(mine[i : i + micro_batch], mine[i : i + micro_batch].tolist())
        for i in range(0, len(mine), micro_batch)
    ]
