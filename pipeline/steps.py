"""The step contract: one rule applied to one record, and the Beam wrapper that runs steps.

A step is a small frozen dataclass with `__call__(record)` that returns the record (the
same, or changed: new text, new `meta` signals) or `Dropped(reason)`. Being a dataclass, it
pickles for Beam, its repr shows its parameters and `describe` fingerprints it. A step that
needs a model (language ID, perplexity) loads it in `setup()`, which the wrapper calls once
per worker. Scoring and deciding are separate steps: a scorer writes a signal into `meta`,
a keep-step compares it with a threshold, so changing a threshold recomputes nothing.
`MinChars` (pipeline/rules/document.py, with the other rules any source may use) is the
shape of every step.

`apply_steps` runs a chain in plain Python and counts `dropped.<reason>`; `ApplySteps` is
the same as a PTransform whose `dropped` output carries the documents a rule removed (with
`--keep-dropped`), each as it entered the chain, with the reason.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import apache_beam as beam

from pipeline import counters, io
from pipeline.counters import BeamCounters, Count
from pipeline.documents import Document

R = TypeVar("R")


@dataclass(frozen=True)
class Dropped:
    """What a step returns for a record it removes: the reason, counted as dropped.<reason>."""

    reason: str


Step = Callable[[Any], Any]  # record -> record | Dropped; may have setup()


def apply_steps(record: R, steps: Sequence[Step], count: Count) -> R | Dropped:
    """The record after every step, or the first Dropped (counted as dropped.<reason>)."""
    record, dropped = run_steps(record, steps, count)
    return record if dropped is None else dropped


def run_steps(record: R, steps: Sequence[Step], count: Count) -> tuple[R, Dropped | None]:
    """(the record as far as the steps took it, the first Dropped or None): a dropped record
    keeps the signals the steps before its rule wrote (its bucket, when the bucket drops it)."""
    for step in steps:
        result = step(record)
        if isinstance(result, Dropped):
            count(counters.dropped(result.reason), 1)
            return record, result
        record = result
    return record, None


def setup_steps(steps: Sequence[Step]) -> None:
    """Load what the model-backed steps need (once per worker)."""
    for step in steps:
        setup = getattr(step, "setup", None)
        if setup is not None:
            setup()


def describe(steps: Sequence[Step]) -> list[dict[str, Any]]:
    """Each step's class and parameters, for a stage's fingerprint and its logs."""
    return [{"step": type(s).__name__, **dataclasses.asdict(s)} for s in steps]


class StepsFn(io.StoreFn):
    """Applies a chain of steps to each Document; the main output is what survives, the
    "dropped" output (only with keep_dropped) the dropped-rows of what did not."""

    def __init__(self, stage: str, steps: Sequence[Step], keep_dropped: bool) -> None:
        super().__init__()
        self.steps, self.keep_dropped = tuple(steps), keep_dropped
        self.count = BeamCounters(stage)

    def setup(self) -> None:
        super().setup()
        setup_steps(self.steps)

    def process(self, doc: Document) -> Iterator[Any]:
        result = apply_steps(doc, self.steps, self.count)
        if not isinstance(result, Dropped):
            yield result
        elif self.keep_dropped:
            yield beam.pvalue.TaggedOutput("dropped", doc.dropped_row(result.reason))


class ApplySteps(beam.PTransform):
    """Documents -> (kept Documents, dropped rows): `kept, dropped = docs | ApplySteps(...)`."""

    def __init__(self, stage: str, steps: Sequence[Step], keep_dropped: bool) -> None:
        super().__init__()
        self.stage, self.steps, self.keep_dropped = stage, steps, keep_dropped

    def expand(self, docs: beam.PCollection) -> tuple[beam.PCollection, beam.PCollection]:
        outputs = docs | "Apply steps" >> beam.ParDo(
            StepsFn(self.stage, self.steps, self.keep_dropped)
        ).with_outputs("dropped", main="kept")
        return outputs.kept, outputs.dropped
