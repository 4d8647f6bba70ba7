"""What the report shows, read into records: each stage's `_stats.json`, the shards'
`manifest.json` and a training run's `metrics.jsonl`. Nothing here reads documents again:
the histograms are the bins the stages counted (pipeline/histograms.py)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pipeline import histograms, io
from pipeline.harness.stage import SUCCESS
from pipeline.histograms import Bin
from pipeline.stages import stage_names

# `sample` writes the synthetic inputs; its counters say which files it rewrote this time,
# which is the run's history, not its corpus.
NOT_REPORTED = ("sample",)


@dataclass(frozen=True)
class Funnel:
    """A stage's records: read, kept, and each reason they were dropped, failed or were
    merged into another (pipeline/counters.py: read = kept + dropped + errors + merged)."""

    read: int | None
    kept: int | None
    dropped: dict[str, int]
    errors: dict[str, int]
    merged: dict[str, int] = field(default_factory=dict)

    def counters(self) -> list[tuple[str, int]]:
        """(counter, records) from read to kept, as `_stats.json` names them."""
        steps = [] if self.read is None else [("read", self.read)]
        for family, reasons in (("dropped", self.dropped), ("errors", self.errors),
                                ("merged", self.merged)):  # fmt: skip
            steps += [(f"{family}.{reason}", n) for reason, n in reasons.items()]
        return steps + ([] if self.kept is None else [("kept", self.kept)])

    def steps(self) -> list[tuple[str, int]]:
        """(label, records) from read to kept: what the funnel chart draws."""
        return [(step_label(name), n) for name, n in self.counters()]


FAMILY_LABELS = {"dropped": "dropped", "errors": "error", "merged": "merged"}


def step_label(counter: str) -> str:
    """`dropped.tail` -> `dropped: tail`; `read` and `kept` as they are."""
    family, _, reason = counter.partition(".")
    return f"{FAMILY_LABELS[family]}: {reason}" if reason else counter


@dataclass(frozen=True)
class Timing:
    """How long a stage took (`timing` in its `_SUCCESS`, which records when the stage ran,
    so that `_stats.json` stays the same for the same inputs): wall-clock seconds, and the
    CPU seconds of the processes it ran in."""

    wall_seconds: float
    core_seconds: float


@dataclass(frozen=True)
class StageStatistics:
    """One stage's `_stats.json`."""

    name: str
    counters: dict[str, int]
    histograms: dict[str, int] = field(default_factory=dict)
    figures: dict[str, float] = field(default_factory=dict)
    timing: Timing | None = None  # runs of older code did not record it

    @property
    def funnel(self) -> Funnel:
        return funnel(self.counters)

    @property
    def lengths(self) -> list[Bin]:
        return histograms.numeric_bins(self.histograms, "chars")

    @property
    def languages(self) -> dict[str, int]:
        return histograms.labelled_bins(self.histograms, "language")

    @property
    def perplexities(self) -> dict[str, list[Bin]]:
        """Per language, the log10-perplexity bins of the pages judged."""
        languages = sorted(
            {k.split(".")[1] for k in self.histograms if k.startswith("log10_perplexity.")}
        )
        return {
            language: histograms.numeric_bins(self.histograms, f"log10_perplexity.{language}")
            for language in languages
        }

    @property
    def wiki_probs(self) -> list[Bin]:
        return histograms.numeric_bins(self.histograms, "wiki_prob")

    @property
    def cutoffs(self) -> dict[str, tuple[float, float]]:
        """Per language, the perplexity cutoffs (head, middle) the stage used."""
        languages = sorted(
            {
                k.split(".")[1]
                for k in self.figures
                if k.startswith("cutoffs.") and k.count(".") == 2
            }
        )
        return {
            language: (self.figures[f"cutoffs.{language}.head"], self.figures[f"cutoffs.{language}.middle"])
            for language in languages
        }  # fmt: skip


def funnel(counters: Mapping[str, int]) -> Funnel:
    """The funnel of a stage's counters (`read`, `kept`, `dropped.*`, `errors.*`,
    `merged.*`), reasons by decreasing count, then by name."""

    def reasons(prefix: str) -> dict[str, int]:
        found = [(k.removeprefix(prefix), v) for k, v in counters.items() if k.startswith(prefix)]
        return dict(sorted(found, key=lambda item: (-item[1], item[0])))

    return Funnel(
        read=counters.get("read"),
        kept=counters.get("kept"),
        dropped=reasons("dropped."),
        errors=reasons("errors."),
        merged=reasons("merged."),
    )


def stage_statistics(
    name: str, stats: Mapping[str, Any], success: Mapping[str, Any] | None = None
) -> StageStatistics:
    """A stage's `_stats.json` (`stats`) and its timing from `_SUCCESS` (`success`)."""
    timing = (success or {}).get("timing")
    return StageStatistics(
        name=name,
        counters=dict(stats.get("counters", {})),
        histograms=dict(stats.get("histograms", {})),
        figures=dict(stats.get("figures", {})),
        timing=None
        if timing is None
        else Timing(float(timing["wall_seconds"]), float(timing["core_seconds"])),
    )


def read_stages(run_dir: str) -> list[StageStatistics]:
    """The statistics of every stage of the run that wrote them, in the order stages run."""
    found = []
    for name in stage_names():
        path = io.join(run_dir, name, "_stats.json")
        if name not in NOT_REPORTED and io.exists(path):
            success = io.join(run_dir, name, SUCCESS)
            done = io.read_json(success) if io.exists(success) else None
            found.append(stage_statistics(name, io.read_json(path), done))
    return found


@dataclass(frozen=True)
class Shard:
    file: str
    split: str
    documents: int
    tokens: int


def shards(manifest: Mapping[str, Any]) -> list[Shard]:
    """Every shard of manifest.json, in its order (train, then val)."""
    return [
        Shard(s["file"], s["split"], int(s["documents"]), int(s["tokens"]))
        for s in manifest["shards"]
    ]


@dataclass(frozen=True)
class Training:
    """A training run's curves from its metrics.jsonl (trainer/metrics.py's records)."""

    steps: list[int]
    loss: list[float]
    tokens_per_s: list[float]
    mfu: list[float | None]
    val_steps: list[int]
    val_loss: list[float]
    # per source, its validation curve: (step, loss) and the tokens it was measured on
    val_sources: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    val_tokens: dict[str, int] = field(default_factory=dict)  # at the last step measured

    @property
    def measured_mfu(self) -> bool:
        """Whether any step has an MFU (none on CPUs, which have no claimed peak)."""
        return any(value is not None for value in self.mfu)


def training(records: list[Mapping[str, Any]]) -> Training:
    """The curves of metrics.jsonl's records: `train` ones (step, loss, tokens_per_s, mfu)
    and `val` ones (step, val_loss, and per source `val/loss/<source>` with its
    `val/tokens/<source>`), each in step order."""
    train = sorted((r for r in records if r.get("kind") == "train"), key=lambda r: r["step"])
    val = sorted((r for r in records if r.get("kind") == "val"), key=lambda r: r["step"])
    return Training(
        steps=[int(r["step"]) for r in train],
        loss=[float(r["loss"]) for r in train],
        tokens_per_s=[float(r["tokens_per_s"]) for r in train],
        mfu=[None if r.get("mfu") is None else float(r["mfu"]) for r in train],
        val_steps=[int(r["step"]) for r in val],
        val_loss=[float(r["val_loss"]) for r in val],
        val_sources=per_source_losses(val),
        val_tokens={
            key.removeprefix(VAL_TOKENS): int(value)
            for r in val
            for key, value in r.items()
            if key.startswith(VAL_TOKENS)
        },
    )


VAL_LOSS, VAL_TOKENS = "val/loss/", "val/tokens/"


def per_source_losses(val: list[Mapping[str, Any]]) -> dict[str, list[tuple[int, float]]]:
    """source -> its (step, loss) points, sources by name, from `val` records in step order."""
    curves: dict[str, list[tuple[int, float]]] = {}
    for record in val:
        for key, value in record.items():
            if key.startswith(VAL_LOSS):
                source = key.removeprefix(VAL_LOSS)
                curves.setdefault(source, []).append((int(record["step"]), float(value)))
    return dict(sorted(curves.items()))


def read_training(train_dir: str) -> Training:
    """The curves of `<train_dir>/metrics.jsonl` (read here: the pipeline never imports
    the trainer, which needs torch)."""
    path = io.join(train_dir, "metrics.jsonl")
    if not io.exists(path):
        raise FileNotFoundError(f"{path}: no metrics.jsonl (is {train_dir} a training run?)")
    lines = io.read_text(path).splitlines()
    return training([json.loads(line) for line in lines if line.strip()])
