"""Histograms recorded as counters: fixed bins, each bin one integer counter.

A stage counts a document into a bin as it meets it (`hist.<name>.<bin>` += 1). Counters
are integers that every Beam runner sums across workers, so the histogram of a run is exact
and the same however the work was split, and the report draws it from `_stats.json`
without reading any output again. The harness moves these counters out of `counters` into
`_stats.json`'s `histograms` section, under their names less the `hist.` prefix.

The bins, each named by its lower bound so `_stats.json` reads as it is:

- `chars.<n>`: documents kept of n to 2n-1 characters, n a power of two (`chars.0`: empty).
- `language.<code>`: documents kept in that language (sources that set one).
- `log10_perplexity.<code>.<x>`: pages of that language whose log10 perplexity lies in
  [x, x + 0.05), x a multiple of 0.05 with two decimals (20 bins a decade; 7 and above share
  the last bin).
- `wiki_prob.<p>`: pages whose reference-classifier probability lies in [p, p + 0.05), p a
  multiple of 0.05 with two decimals (1.0 falls in 0.95).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import NamedTuple

# pipeline.counters' `Count` (`count(name, n)`), spelled out: counters.py counts kept
# documents through this module, so this one imports nothing of it
Count = Callable[[str, int], None]

PREFIX = "hist."

PERPLEXITY_BINS_PER_DECADE = 20
LAST_PERPLEXITY_BIN = 7 * PERPLEXITY_BINS_PER_DECADE  # perplexity 1e7 and above
WIKI_PROB_BINS = 20


def chars_bin(chars: int) -> int:
    """The power of two at or below `chars` (0 for an empty text)."""
    return 0 if chars <= 0 else 1 << (chars.bit_length() - 1)


def log10_perplexity_bin(perplexity: float) -> str:
    """The lower bound of the log10 bin holding `perplexity`, as its counter names it."""
    exponent = math.log10(perplexity) if perplexity > 1.0 else 0.0
    index = min(int(exponent * PERPLEXITY_BINS_PER_DECADE), LAST_PERPLEXITY_BIN)
    return f"{index / PERPLEXITY_BINS_PER_DECADE:.2f}"


def wiki_prob_bin(probability: float) -> str:
    """The lower bound of the 0.05 bin holding `probability`, as its counter names it."""
    index = min(max(int(probability * WIKI_PROB_BINS), 0), WIKI_PROB_BINS - 1)
    return f"{index / WIKI_PROB_BINS:.2f}"


def count_document(text: str, language: str | None, count: Count) -> None:
    """A kept document into the length histogram and, when it has one, its language's."""
    count(f"{PREFIX}chars.{chars_bin(len(text))}", 1)
    if language:
        count(f"{PREFIX}language.{language}", 1)


def count_perplexity(language: str, perplexity: float, count: Count) -> None:
    count(f"{PREFIX}log10_perplexity.{language}.{log10_perplexity_bin(perplexity)}", 1)


def count_wiki_prob(probability: float, count: Count) -> None:
    count(f"{PREFIX}wiki_prob.{wiki_prob_bin(probability)}", 1)


def split(counters: Mapping[str, int]) -> tuple[dict[str, int], dict[str, int]]:
    """(the counters that are not histogram bins, the bins under their names less `hist.`)."""
    plain = {k: v for k, v in counters.items() if not k.startswith(PREFIX)}
    bins = {k.removeprefix(PREFIX): v for k, v in counters.items() if k.startswith(PREFIX)}
    return plain, bins


class Bin(NamedTuple):
    lower: float
    count: int


def numeric_bins(histograms: Mapping[str, int], name: str) -> list[Bin]:
    """The bins of histogram `name` (e.g. `chars`, `log10_perplexity.en`) whose bounds are
    numbers, in increasing order of their lower bound."""
    prefix = f"{name}."
    bins = []
    for key, value in histograms.items():
        bound = key.removeprefix(prefix)
        if key.startswith(prefix) and _number(bound):
            bins.append(Bin(float(bound), value))
    return sorted(bins)


def labelled_bins(histograms: Mapping[str, int], name: str) -> dict[str, int]:
    """The bins of a categorical histogram (`language`): label -> count, by label."""
    prefix = f"{name}."
    return {
        k.removeprefix(prefix): v for k, v in sorted(histograms.items()) if k.startswith(prefix)
    }


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
