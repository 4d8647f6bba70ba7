"""The counter scheme every stage uses, and the two ways to count.

Names: `read` (records parsed), `kept` (documents written), `dropped.<reason>`,
`errors.<reason>`, `bytes.read` (input bytes), `bytes.kept` (UTF-8 bytes of kept text),
`files.read`, and `<metric>.<source>` for figures per source (`tokens.wikipedia`), and
`hist.<name>.<bin>` for histogram bins (pipeline/histograms.py). The harness writes a
stage's counters to its `_stats.json`, the histogram bins in a section of their own.

Pure functions take a `Count` (`count(name, n)`), so tests see the figures without Beam:
pass a `Tally`; a stage passes `BeamCounters(stage)`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from pipeline import histograms

READ = "read"
KEPT = "kept"
BYTES_READ = "bytes.read"
BYTES_KEPT = "bytes.kept"
FILES_READ = "files.read"

Count = Callable[[str, int], None]


def dropped(reason: str) -> str:
    return f"dropped.{reason}"


def errors(reason: str) -> str:
    return f"errors.{reason}"


def per_source(metric: str, source: str) -> str:
    return f"{metric}.{source}"


def count_kept(text: str, count: Count, language: str | None = None) -> None:
    """A document written: `kept`, its text's UTF-8 bytes, and its length and language in
    the histograms the report draws."""
    count(KEPT, 1)
    count(BYTES_KEPT, len(text.encode("utf-8")))
    histograms.count_document(text, language, count)


class Tally(Counter):
    """Counts in a plain Counter (tests, plain-Python stages): `tally(name, n)`."""

    def __call__(self, name: str, n: int = 1) -> None:
        self[name] += n


class BeamCounters:
    """Counts into Beam metrics of namespace `stage`; picklable, so a DoFn can hold one.
    Metric objects are created once per name per worker."""

    def __init__(self, stage: str) -> None:
        self.stage = stage
        self._metrics: dict[str, Any] = {}

    def __call__(self, name: str, n: int = 1) -> None:
        metric = self._metrics.get(name)
        if metric is None:
            from apache_beam.metrics import Metrics

            metric = self._metrics[name] = Metrics.counter(self.stage, name)
        metric.inc(n)

    def __getstate__(self) -> dict[str, Any]:
        return {"stage": self.stage, "_metrics": {}}
