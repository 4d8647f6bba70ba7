"""Histogram bins as counters: each value lands in the bin its documented bounds say, the
counts a stage makes are what `_stats.json` shows, and the harness keeps them apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import counters, histograms
from pipeline.config import RunConfig
from pipeline.counters import Tally
from pipeline.harness.running import run_stage
from pipeline.harness.stage import Stage, StageContext
from pipeline.histograms import Bin


@pytest.mark.parametrize(
    ("chars", "lower"), [(0, 0), (1, 1), (2, 2), (3, 2), (255, 128), (256, 256), (1000, 512)]
)
def test_a_length_falls_in_the_power_of_two_at_or_below_it(chars: int, lower: int) -> None:
    assert histograms.chars_bin(chars) == lower


@pytest.mark.parametrize(
    ("perplexity", "bin"),
    [
        (0.5, "0.00"),  # no model gives < 1; counted in the first bin
        (1.0, "0.00"),
        (10.0, "1.00"),
        (11.0, "1.00"),  # log10 1.041
        (11.3, "1.05"),  # log10 1.053
        (316.3, "2.50"),
        (1e9, "7.00"),  # 1e7 and above share the last bin
    ],
)
def test_a_perplexity_falls_in_its_twentieth_of_a_decade(perplexity: float, bin: str) -> None:
    assert histograms.log10_perplexity_bin(perplexity) == bin


@pytest.mark.parametrize(
    ("probability", "bin"),
    [(0.0, "0.00"), (0.049, "0.00"), (0.05, "0.05"), (0.5, "0.50"), (0.999, "0.95"), (1.0, "0.95")],
)
def test_a_wiki_prob_falls_in_its_twentieth(probability: float, bin: str) -> None:
    assert histograms.wiki_prob_bin(probability) == bin


def test_a_kept_document_is_counted_by_length_and_language() -> None:
    tally = Tally()
    counters.count_kept("é" * 300, tally, "fr")
    counters.count_kept("x" * 40, tally, None)
    counters.count_kept("y" * 50, tally, "en")
    assert tally == {
        "kept": 3,
        "bytes.kept": 600 + 40 + 50,
        "hist.chars.256": 1,
        "hist.chars.32": 2,
        "hist.language.fr": 1,
        "hist.language.en": 1,
    }


def test_bins_read_back_in_the_order_of_their_bounds() -> None:
    tally = Tally()
    for perplexity in (9.0, 9.5, 120.0, 2000.0, 2100.0, 2200.0):
        histograms.count_perplexity("en", perplexity, tally)
    histograms.count_perplexity("de", 50.0, tally)
    for probability in (0.97, 0.12, 0.14):
        histograms.count_wiki_prob(probability, tally)
    plain, bins = histograms.split(tally)
    assert plain == {}
    assert histograms.numeric_bins(bins, "log10_perplexity.en") == [
        Bin(0.95, 2), Bin(2.05, 1), Bin(3.3, 3)
    ]  # fmt: skip
    assert histograms.numeric_bins(bins, "log10_perplexity.de") == [Bin(1.65, 1)]
    assert histograms.numeric_bins(bins, "wiki_prob") == [Bin(0.1, 2), Bin(0.95, 1)]


class CountingStage(Stage):
    name = "counting"

    def run(self, ctx: StageContext) -> dict[str, int]:
        tally = Tally()
        tally("read", 2)
        counters.count_kept("a" * 10, tally, "en")
        counters.count_kept("b" * 1000, tally, "de")
        return dict(sorted(tally.items()))


def test_the_harness_writes_histogram_bins_apart_from_the_counters(tmp_path: Path) -> None:
    run = RunConfig(run_dir=str(tmp_path))
    returned = run_stage(CountingStage(), run)
    stats = json.loads((tmp_path / "counting" / "_stats.json").read_text())
    assert stats["counters"] == returned == {"read": 2, "kept": 2, "bytes.kept": 1010}
    assert stats["histograms"] == {
        "chars.8": 1, "chars.512": 1, "language.de": 1, "language.en": 1
    }  # fmt: skip
