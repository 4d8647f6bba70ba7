"""Perplexity buckets: cutoffs from a fixed-bin histogram, whatever order the parts come in."""

from __future__ import annotations

import random

import pytest

from pipeline.sources.commoncrawl.buckets import (
    SumHistograms,
    histogram,
    percentile_cutoffs,
    perplexity_bin,
    perplexity_bucket,
)


def test_cutoffs_are_the_percentiles_to_a_bin() -> None:
    values = [float(v) for v in range(1, 1001)]  # perplexities 1..1000
    head, middle = percentile_cutoffs(histogram(values), [30, 60])
    # the 300th and 600th values, up to the upper edge of their bin (0.23% wide)
    assert 300 <= head < 300 * 1.0024 and 600 <= middle < 600 * 1.0024
    buckets = [perplexity_bucket(v, (head, middle)) for v in values]
    # at or below a cutoff: p% of the pages, plus those sharing the bin of the p% page
    assert buckets.count("head") == 300  # 300 and 301 fall in different bins
    assert buckets.count("head") + buckets.count("middle") == 601  # 600 and 601 share one


def test_summed_histograms_do_not_depend_on_the_order_of_parts() -> None:
    rng = random.Random(0)
    values = [10 ** rng.uniform(0.5, 4) for _ in range(5000)]
    parts = [histogram(values[i : i + 700]) for i in range(0, len(values), 700)]
    combine = SumHistograms()

    def total(order: list[dict[int, int]]) -> dict[int, int]:
        halves = [order[: len(order) // 2], order[len(order) // 2 :]]
        accumulators = []
        for half in halves:
            accumulator = combine.create_accumulator()
            for counts in half:
                accumulator = combine.add_input(accumulator, counts)
            accumulators.append(accumulator)
        return combine.extract_output(combine.merge_accumulators(accumulators))

    shuffled = parts[:]
    rng.shuffle(shuffled)
    assert total(parts) == total(shuffled) == histogram(values)
    assert percentile_cutoffs(total(shuffled), [30, 60]) == percentile_cutoffs(
        histogram(values), [30, 60]
    )


def test_bins_cover_every_perplexity_and_buckets_compare_at_or_below() -> None:
    assert perplexity_bin(1.0) == perplexity_bin(0.5) == 0
    assert perplexity_bin(1e12) == perplexity_bin(1e7)  # the last bin holds the rest
    assert perplexity_bin(1000.0) == 3000
    assert perplexity_bucket(340.0, (340.0, 520.0)) == "head"
    assert perplexity_bucket(340.1, (340.0, 520.0)) == "middle"
    assert perplexity_bucket(520.1, (340.0, 520.0)) == "tail"
    with pytest.raises(ValueError, match="no perplexities"):
        percentile_cutoffs({}, [30, 60])
