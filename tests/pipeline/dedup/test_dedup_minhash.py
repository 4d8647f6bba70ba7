"""MinHash signatures against datasketch, the exact Jaccard against the sample's truth, and
the LSH bands (pipeline/dedup/minhash.py): no Beam."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash, MinHashLSH
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dedup.minhash import (
    bands,
    jaccard,
    lsh_shape,
    shingle_hashes,
    shingle_set,
    shingles,
    signature,
)
from pipeline.sample.books import jaccard as truth_jaccard


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from("a b c dé e f g h".split()), min_size=0, max_size=80))
def test_signature_equals_datasketch_and_jaccard_equals_the_truth(words: list[str]) -> None:
    text = " ".join(words)
    expected = MinHash(num_perm=64, seed=3)
    for shingle in shingles(text):
        expected.update(shingle.encode())
    assert np.array_equal(signature(shingle_hashes(text), 64, 3), expected.hashvalues)
    other = " ".join(words[::-1])
    if len(words) >= 5:
        mine = jaccard(shingle_set(shingle_hashes(text)), shingle_set(shingle_hashes(other)))
        assert abs(mine - truth_jaccard(text, other)) < 1e-12


def test_bands_are_the_lsh_shape_datasketch_picks_and_equal_signatures_share_them() -> None:
    lsh = MinHashLSH(threshold=0.7, num_perm=128)
    assert lsh_shape(0.7, 128) == (lsh.b, lsh.r)
    b, r = lsh_shape(0.7, 128)
    sig = signature(shingle_hashes("one two three four five six seven"), 128, 1)
    keys = list(bands(sig, b, r))
    assert [index for index, _ in keys] == list(range(b)) and keys == list(bands(sig.copy(), b, r))
    other = sig.copy()
    other[0] += 1  # only the first band differs
    assert [x == y for x, y in zip(keys, bands(other, b, r), strict=True)] == [False] + [True] * (
        b - 1
    )


def test_jaccard_of_two_empty_sets_is_one() -> None:
    empty = shingle_set(shingle_hashes("too short"))
    assert len(empty) == 0 and jaccard(empty, empty) == 1.0
