"""Perplexity buckets (cc_net): head, middle and tail of each language's pages, cut at
percentiles of the run's own perplexities.

The cutoffs are exact quantiles of a fixed-bin histogram of log10 perplexity: bins of
1/1000 of a decade (0.23% of the perplexity), summed across workers as integer counts.
The sum does not depend on how the runner bundles pages, so the same pages always give the
same cutoffs, unlike Beam's approximate quantiles.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import apache_beam as beam

BIN_WIDTH = 0.001  # in log10 perplexity
LAST_BIN = 7000  # perplexities of 10**7 and above share the last bin


def perplexity_bin(perplexity: float) -> int:
    """The histogram bin of a perplexity (≥ 1 for any language model's)."""
    if perplexity <= 1.0:
        return 0
    return min(int(math.log10(perplexity) / BIN_WIDTH), LAST_BIN)


def bin_upper_edge(index: int) -> float:
    return 10.0 ** ((index + 1) * BIN_WIDTH)


def histogram(perplexities: Iterable[float]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for perplexity in perplexities:
        index = perplexity_bin(perplexity)
        counts[index] = counts.get(index, 0) + 1
    return counts


def percentile_cutoffs(counts: Mapping[int, int], percentiles: Sequence[float]) -> list[float]:
    """For each percentile p, the upper edge of the bin holding the page of rank ⌈p·N/100⌉
    (pages sorted by perplexity): at least p% of the pages score at or below the cutoff."""
    total = sum(counts.values())
    if not total:
        raise ValueError("no perplexities to cut")
    cutoffs = []
    for percentile in percentiles:
        rank, seen = max(1, math.ceil(percentile * total / 100)), 0
        for index in sorted(counts):
            seen += counts[index]
            if seen >= rank:
                cutoffs.append(bin_upper_edge(index))
                break
    return cutoffs


def perplexity_bucket(perplexity: float, cutoffs: Sequence[float]) -> str:
    """head at or below the first cutoff, middle at or below the second, else tail."""
    if perplexity <= cutoffs[0]:
        return "head"
    if perplexity <= cutoffs[1]:
        return "middle"
    return "tail"


class SumHistograms(beam.CombineFn):
    """Per language, the bin counts of every part added up: integers, so the order the
    runner adds them in changes nothing."""

    def create_accumulator(self) -> dict[int, int]:
        return {}

    def add_input(self, accumulator: dict[int, int], counts: Mapping[int, int]) -> dict[int, int]:
        for index, count in counts.items():
            accumulator[index] = accumulator.get(index, 0) + count
        return accumulator

    def merge_accumulators(self, accumulators: Iterable[dict[int, int]]) -> dict[int, int]:
        merged: dict[int, int] = {}
        for accumulator in accumulators:
            self.add_input(merged, accumulator)
        return merged

    def extract_output(self, accumulator: dict[int, int]) -> dict[int, int]:
        return accumulator
