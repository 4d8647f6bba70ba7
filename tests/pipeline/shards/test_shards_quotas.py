"""The pure mix rule: shares, quotas, the remainder copy and the validation split."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.registry import default_ratios
from pipeline.shards import quotas

LLAMA_RATIOS = default_ratios()
SOURCES = list(LLAMA_RATIOS)


def corpus(seed: int = 0) -> dict[str, list[tuple[str, int]]]:
    """(id, row tokens) per source; sizes chosen so some sources repeat and some do not."""
    rng = random.Random(seed)
    sizes = {
        "commoncrawl": 900,
        "c4": 300,
        "github": 120,
        "wikipedia": 40,
        "books": 12,
        "arxiv": 50,
        "stackexchange": 60,
    }
    mean = {
        "commoncrawl": 300,
        "c4": 250,
        "github": 400,
        "wikipedia": 500,
        "books": 5000,
        "arxiv": 3000,
        "stackexchange": 200,
    }
    return {
        s: [(f"{s}/{i}", 2 + rng.randint(1, 2 * mean[s])) for i in range(n)]
        for s, n in sizes.items()
    }


def test_shares_renormalise_over_present_sources_and_name_the_missing() -> None:
    shares, missing = quotas.target_shares(LLAMA_RATIOS, ["wikipedia", "books"])
    assert shares == {"books": 0.5, "wikipedia": 0.5}
    assert missing == ["arxiv", "c4", "commoncrawl", "github", "stackexchange"]
    with pytest.raises(ValueError, match="no present source"):
        quotas.target_shares({"c4": 1.0}, ["wikipedia"])


def achieved(docs: dict[str, list[tuple[str, int]]], target: int) -> dict[str, float]:
    tokens = {s: sum(t for _, t in d) for s, d in docs.items()}
    counts = {s: len(d) for s, d in docs.items()}
    shares, _ = quotas.target_shares(LLAMA_RATIOS, docs)
    plan = quotas.plan_quotas(tokens, counts, shares, target, max_epochs=1000)
    got = {}
    for s, d in docs.items():
        q = plan[s]
        threshold = quotas.remainder_threshold(d, q.remainder)
        got[s] = sum(quotas.copies(i, q.full_copies, threshold) * t for i, t in d)
        assert q.quota <= got[s] < q.quota + max(t for _, t in d)
    total = sum(got.values())
    return {s: got[s] / total for s in got}


@pytest.mark.parametrize("target", [0, 400_000, 3_000_000])
def test_achieved_mixture_is_within_one_point_of_every_target(target: int) -> None:
    docs = corpus()
    shares = achieved(docs, target)
    for source, ratio in LLAMA_RATIOS.items():
        assert abs(shares[source] - ratio / 100) < 0.01, source


def test_automatic_target_repeats_no_source() -> None:
    docs = corpus()
    tokens = {s: sum(t for _, t in d) for s, d in docs.items()}
    shares, _ = quotas.target_shares(LLAMA_RATIOS, docs)
    plan = quotas.plan_quotas(tokens, {s: len(d) for s, d in docs.items()}, shares, 0, 64)
    assert all(q.quota <= q.tokens for q in plan.values())
    assert any(q.quota == q.tokens for q in plan.values())


def test_too_many_epochs_is_refused_with_the_source_named() -> None:
    with pytest.raises(
        quotas.InfeasibleMix,
        match=r"^shards\.token_target: 1,000 repeats source 'books' 100\.0 times \(1,000 tokens "
        r"wanted, 10 available\), more than shards\.max_epochs=64; lower shards\.token_target",
    ):
        quotas.plan_quotas({"books": 10}, {"books": 1}, {"books": 1.0}, 1000, max_epochs=64)


@settings(max_examples=150, deadline=None)
@given(
    lengths=st.lists(st.integers(3, 5000), min_size=1, max_size=300),
    fraction=st.floats(0.0, 1.0),
    bits=st.integers(1, 8),
)
def test_histogram_boundary_equals_sorting_everything(
    lengths: list[int], fraction: float, bits: int
) -> None:
    docs = [(f"doc/{i}", n) for i, n in enumerate(lengths)]
    remainder = round(fraction * sum(lengths))
    expected = quotas.remainder_threshold(docs, remainder)
    # The two-pass form the Beam stage runs, with coarse buckets so boundaries are shared.
    shift = quotas.HASH_BITS - bits
    histogram: dict[int, int] = {}
    for doc_id, n in docs:
        b = quotas.repeat_key(doc_id) >> shift
        histogram[b] = histogram.get(b, 0) + n
    boundary = quotas.find_boundary(histogram, remainder)
    if boundary is None:
        assert expected is None
        return
    candidates = [
        (quotas.repeat_key(i), i, n)
        for i, n in docs
        if quotas.repeat_key(i) >> shift == boundary.bucket
    ]
    assert quotas.find_threshold(candidates, boundary.needed) == expected


def test_remainder_copies_depend_only_on_ids() -> None:
    docs = corpus()["wikipedia"]
    threshold = quotas.remainder_threshold(docs, 5000)
    shuffled = list(reversed(docs))
    assert quotas.remainder_threshold(shuffled, 5000) == threshold
    extra = [i for i, _ in docs if quotas.copies(i, 2, threshold) == 3]
    assert extra and all(quotas.copies(i, 2, threshold) == 2 for i, _ in docs if i not in extra)


def test_validation_split_takes_its_fraction_and_at_least_the_minimum() -> None:
    ids = [f"c4/{i}" for i in range(20_000)]
    keys = sorted(quotas.validation_key(i, 0) for i in ids)
    threshold = quotas.validation_threshold(len(ids), keys[:4], fraction=0.01, min_documents=4)
    held = sum(k < threshold for k in keys)
    assert 150 < held < 250
    small = sorted(quotas.validation_key(f"books/{i}", 0) for i in range(16))
    threshold = quotas.validation_threshold(16, small, fraction=0.0005, min_documents=4)
    assert sum(k < threshold for k in small) == 4
    assert quotas.validation_threshold(3, keys[:3], 0.0, 4) == 0  # a quarter of 3 -> none
    assert quotas.validation_threshold(8, keys[:8], 0.0, 4) == keys[1] + 1  # a quarter of 8
    other_seed = sorted(quotas.validation_key(i, 1) for i in ids)
    assert other_seed != keys


def test_placement_depends_on_the_seed_and_copy() -> None:
    assert quotas.placement_key("a", 0, 0) != quotas.placement_key("a", 0, 1)
    assert quotas.placement_key("a", 0, 0) != quotas.placement_key("a", 1, 0)
    assert quotas.shard_count(1_000, 2, 1_000) == 2
    assert quotas.shard_count(0, 2, 1_000) == 1
