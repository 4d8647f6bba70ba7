"""Book-level near-dedup (LLaMA §2: books sharing more than 90% of their content): MinHash
LSH finds candidate pairs, the exact word 5-gram Jaccard confirms them, and of each
connected component of confirmed pairs one copy is kept, by the preference of keep.py (the
most central copy, then the one with more common words, then the smallest id).

  (id, file, ordinal, signature) per book
    ─► (band index, band digest) -> books   [Beam grouping: no worker holds every signature]
    ─► candidate pairs of each bucket, distinct
    ─► each pair's two ends keyed by (file, ordinal) ─► the stage re-reads just those books
       and hashes their shingle sets (minhash.shingle_set) ─► joined to the pairs by place
    ─► exact Jaccard >= min_jaccard: confirmed pairs (edges) ─► all in one list
    ─► connected components in one place (keep.py), with the candidates' word shares
       ─► (file, (ordinal, why)) for every book but the one kept of its component:
       `near_duplicate`, with the copy kept, both files and the reason in its meta.

Groupings carry ids, places, signatures (num_perm x 4 bytes) and, for candidates only, the
shingle-hash sets; never book text. The components are computed in one worker over all
confirmed pairs at once: near-duplicate pairs are few (thousands among the 10^5 books of
Books3 plus PG-19), so the edge list is small whatever the corpus size, and one place keeps
the union-find plain and its result deterministic.

A bucket of more than `max_bucket` books (many copies of one book share every band) does
not give all its pairs: each book is paired with the bucket's smallest id and with its
neighbour in id order, enough to connect copies that are all alike, linear in the bucket.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam
import numpy as np

from pipeline.counters import BeamCounters
from pipeline.dedup.minhash import bands, jaccard
from pipeline.sources.books.keep import Book, Edge, Place

Pair = tuple[Book, Book]  # ordered by id


def bucket_pairs(books: Iterable[Book], max_bucket: int) -> Iterator[Pair]:
    """The candidate pairs of one LSH bucket (see the module doc for large buckets)."""
    members = sorted(set(books))
    if len(members) <= max_bucket:
        yield from itertools.combinations(members, 2)
        return
    first = members[0]
    for previous, book in itertools.pairwise(members):
        yield previous, book
        if previous != first:
            yield first, book


class BandKeysFn(beam.DoFn):
    """(band key, book) per band of each signed book; a book with no shingle has none."""

    def __init__(self, b: int, r: int) -> None:
        self.b, self.r = b, r

    def process(self, signed: tuple[str, int, int, bytes]) -> Iterator[tuple[Any, Book]]:
        doc_id, file, ordinal, sig = signed
        if not sig:
            return
        for key in bands(np.frombuffer(sig, dtype=np.uint32), self.b, self.r):
            yield key, (doc_id, file, ordinal)


class CandidatePairs(beam.PTransform):
    """Signed books (id, file, ordinal, signature bytes) -> distinct candidate pairs."""

    def __init__(self, b: int, r: int, max_bucket: int) -> None:
        super().__init__()
        self.b, self.r, self.max_bucket = b, r, max_bucket

    def expand(self, signed: beam.PCollection) -> beam.PCollection:
        max_bucket = self.max_bucket
        return (
            signed
            | "Band keys" >> beam.ParDo(BandKeysFn(self.b, self.r))
            | "Group bands" >> beam.GroupByKey()
            | "Bucket pairs" >> beam.FlatMap(lambda kv: bucket_pairs(kv[1], max_bucket))
            | "Distinct pairs" >> beam.Distinct()
        )


def pair_ends(pair: Pair) -> Iterator[tuple[Place, Pair]]:
    for book in pair:
        yield (book[1], book[2]), pair


class ExactJaccardFn(beam.DoFn):
    """(pair, [(place, shingle set bytes)] of its two books) -> the Edge when the exact
    Jaccard reaches `min_jaccard`. Counts `pairs.candidate` and `pairs.confirmed`."""

    def __init__(self, stage: str, min_jaccard: float) -> None:
        self.min_jaccard = min_jaccard
        self.count = BeamCounters(stage)

    def process(self, element: tuple[Pair, Iterable[tuple[Place, bytes]]]) -> Iterator[Edge]:
        pair, ends = element
        sets = dict(ends)
        self.count("pairs.candidate", 1)
        first, second = ((book[1], book[2]) for book in pair)
        if first not in sets or second not in sets:
            return  # a book the second read did not find again; cannot happen unless the
            # input changed under the run, and then no drop is safer than a wrong one
        score = jaccard(
            np.frombuffer(sets[first], dtype=np.uint64),
            np.frombuffer(sets[second], dtype=np.uint64),
        )
        if score >= self.min_jaccard:
            self.count("pairs.confirmed", 1)
            yield pair[0], pair[1], score


def ends_with_sets(element: tuple[Place, dict[str, list]]) -> Iterator[tuple[Pair, Any]]:
    place, joined = element
    for shingle_set in joined["set"][:1]:
        for pair in joined["ends"]:
            yield pair, (place, shingle_set)


class ConfirmedPairs(beam.PTransform):
    """(candidate pairs, shingle sets keyed by place) -> one list of every confirmed pair
    (Edge), for keep.py to group and choose from."""

    def __init__(self, stage: str, min_jaccard: float) -> None:
        super().__init__()
        self.stage, self.min_jaccard = stage, min_jaccard

    # `inputs` is a pair of PCollections; Beam logs a warning at every run for a tuple hint
    def expand(self, inputs: Any) -> beam.PCollection:
        ends, shingle_sets = inputs
        return (
            {"set": shingle_sets, "ends": ends}
            | "Join sets to pairs" >> beam.CoGroupByKey()
            | "Pair sets" >> beam.FlatMap(ends_with_sets)
            | "Group pair sets" >> beam.GroupByKey()
            | "Exact Jaccard" >> beam.ParDo(ExactJaccardFn(self.stage, self.min_jaccard))
            | "All confirmed pairs" >> beam.combiners.ToList()
        )
