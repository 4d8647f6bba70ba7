"""The validation split per source: one window stream per source, a loss per source.

A mixture is judged per domain (per-domain perplexity, as Paloma and the OLMo reports do):
an overall loss hides a source the model fits badly when that source is a small share of
the split. The rows of the val shards carry their source, so the documents of each source,
in split order, form a token stream of their own (SourceStream), cut into windows as the
train split is. Each evaluation scores the first `eval.samples` windows of every source, so
a small source gets its windows however the shards order the documents, never crowded out
by the first windows of a large one.

A source whose documents hold fewer tokens than one window (seq_len + 1), or fewer windows
than there are data-parallel ranks, is not scored: it is logged with 0 tokens and no loss.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer.data import Batch, TokenStream, Windows, read_across, validation_batches


class SourceStream:
    """The documents of one source in a split, in split order, as one token stream.

    It is read through the split's TokenStream, so shard hashes and token ids are checked
    as they are for training. `runs` are the maximal ranges [start, end) of the split
    stream that hold consecutive documents of this source."""

    def __init__(self, split: TokenStream, source: str, runs: np.ndarray) -> None:
        self.split = split
        self.source = source
        self.directory = split.directory
        self.runs = runs  # [R, 2] int64
        self.run_starts = np.concatenate([[0], np.cumsum(runs[:, 1] - runs[:, 0])])
        self.num_tokens = int(self.run_starts[-1])

    def window(self, start: int, length: int) -> tuple[np.ndarray, np.ndarray]:
        """int64 tokens [start, start + length) of this source's stream and the offsets
        (relative to start) where a document begins."""
        if start < 0 or start + length > self.num_tokens:
            raise ValueError(
                f"{self.directory}: {self.source} window [{start}, {start + length}) outside "
                f"[0, {self.num_tokens})"
            )
        return read_across(self.run_starts, start, length, self._run_window)

    def _run_window(self, run: int, local: int, take: int) -> tuple[np.ndarray, np.ndarray]:
        return self.split.window(int(self.runs[run, 0]) + local, take)


def source_streams(split: TokenStream) -> dict[str, SourceStream]:
    """One SourceStream per source named in the split's rows, by source name."""
    names: list[str] = []
    starts, ends = [], []
    for shard, reader in enumerate(split.readers):
        offsets = reader.offsets + int(split.shard_starts[shard])
        names += reader.sources()
        starts.append(offsets[:-1])
        ends.append(offsets[1:])
    if not names:
        return {}
    doc_starts, doc_ends = np.concatenate(starts), np.concatenate(ends)
    sources, codes = np.unique(np.array(names, dtype=object), return_inverse=True)
    # Documents follow each other in the split stream, so a run of one source is contiguous.
    first = np.concatenate([[0], np.flatnonzero(codes[1:] != codes[:-1]) + 1])
    last = np.concatenate([first[1:], [codes.size]]) - 1
    runs = np.stack([doc_starts[first], doc_ends[last]], axis=1).astype(np.int64)
    return {
        str(name): SourceStream(split, str(name), runs[codes[first] == code])
        for code, name in enumerate(sources)
    }


def windows_scored(available: int, samples: int, dp_size: int) -> int:
    """How many of a source's `available` windows each evaluation scores: the first
    `samples` (0 = all), rounded down to a multiple of dp_size so that every rank runs the
    same number of forwards."""
    count = available if samples <= 0 else min(samples, available)
    return count - count % dp_size


class ValidationSet:
    """The windows of every source of the val split that an evaluation scores."""

    def __init__(self, split: TokenStream, seq_len: int, samples: int, dp_size: int) -> None:
        self.split = split
        self.seq_len = seq_len
        self.dp_size = dp_size
        self.windows: dict[str, Windows] = {}
        self.counts: dict[str, int] = {}
        self.notes: list[str] = []
        for name, stream in source_streams(split).items():
            available = max(0, (stream.num_tokens - 1) // seq_len)
            self.counts[name] = windows_scored(available, samples, dp_size)
            if self.counts[name]:
                self.windows[name] = Windows(stream, seq_len)
            else:
                self.notes.append(
                    f"validation: {name} has {stream.num_tokens} tokens in the val split, "
                    f"{available} windows of {seq_len + 1} for {dp_size} ranks: not scored"
                )

    @property
    def sources(self) -> list[str]:
        """Every source of the split, scored or not, by name."""
        return sorted(self.counts)

    def batches(self, micro_batch: int, dp_rank: int) -> Iterator[tuple[str, Batch]]:
        """This rank's micro-batches, source by source, each with its source's name."""
        if not self.windows:  # raised inside the run, as any error of an evaluation
            raise ValueError(
                f"{self.split.directory}: too few validation windows for {self.dp_size} ranks: "
                f"no source of the val split has {self.dp_size} windows of {self.seq_len + 1} "
                "tokens"
            )
        for name, windows in self.windows.items():
            for batch in validation_batches(
                windows, self.counts[name], micro_batch, dp_rank, self.dp_size
            ):
                yield name, batch


@dataclass
class Validation:
    """One evaluation: each source's mean token loss and tokens scored, and `loss`, the
    mean token loss over all scored windows of all sources (so weighted by tokens)."""

    loss: float
    losses: dict[str, float]
    tokens: dict[str, int]

    @classmethod
    def from_sums(cls, loss_sums: dict[str, float], tokens: dict[str, int]) -> Validation:
        """From each source's summed token loss and its tokens scored (0 = not scored)."""
        scored = [name for name in tokens if tokens[name] > 0]
        total = sum(tokens[name] for name in scored)
        return cls(
            loss=sum(loss_sums[name] for name in scored) / total,
            losses={name: loss_sums[name] / tokens[name] for name in scored},
            tokens=dict(tokens),
        )

    def record(self, step: int) -> dict[str, Any]:
        """The metrics.jsonl record: `val_loss`, `val/loss/<source>`, `val/tokens/<source>`
        (a source not scored has its tokens, 0, and no loss)."""
        record: dict[str, Any] = {"kind": "val", "step": step, "val_loss": self.loss}
        record.update({f"val/loss/{name}": value for name, value in self.losses.items()})
        record.update({f"val/tokens/{name}": count for name, count in self.tokens.items()})
        return record

    def summary(self) -> str:
        """`arxiv 4.1203, books 5.0021, ...` for the console."""
        return ", ".join(f"{name} {value:.4f}" for name, value in self.losses.items())
