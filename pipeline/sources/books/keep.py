"""Which copy of a group of near-duplicate books is kept, and why.

A group is a connected component of confirmed pairs (word 5-gram Jaccard >= min_jaccard,
dedup.py). Its copies are ranked by one preference, each criterion deciding only where the
ones before it tie:

  1. the highest sum of the Jaccards of the copy's confirmed pairs (`jaccard_sum`): in a
     group of three or more, the most central copy, the one the others are copies of,
     rather than a copy at the group's edge; the sums are the Jaccards dedup.py computed,
     rounded to 9 places so that copies alike up to float rounding tie;
  2. the highest share of the copy's words found in the run's books outside its group
     (`word_share`): in a pair both sums are the one Jaccard, and the copy whose words the
     rest of the run also uses is preferred over one with OCR slips, garbled or unusual
     words ("tbe", "aud");
  3. the smallest id (`id`), so that copies alike in both are decided the same way in
     every run.

Words are the maximal runs of letters, lower-cased (`words`). The share counts word
tokens: the share of the copy's tokens whose word occurs in at least one book of the run
that is not in the copy's group. Its inputs: the document frequency of every word over all
books the rules keep (one (word, 1) per distinct word of each book, summed with a
combiner, so the shuffle is the run's vocabulary per bundle, never text), joined by word
to the words of the candidate books and their token counts.

A dropped copy's meta says which copy was kept and why: `near_duplicate_of` (the id kept),
`file` and `kept_file` (the file of each, with ` line <n>` for a JSONL row), `kept_by`
(the first criterion on which the kept copy beats this one), `group_size`, both copies'
`jaccard_sum` and `word_share`, and, as before, `partner` and `jaccard` (this copy's
confirmed neighbour of highest Jaccard, the smaller id on a tie).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from pipeline.sources.books.texts import is_jsonl

Book = tuple[str, int, int]  # (id, file index, ordinal in the file)
Edge = tuple[Book, Book, float]  # a confirmed pair and its Jaccard
Place = tuple[int, int]  # (file index, ordinal)

WORD = re.compile(r"[^\W\d_]+")
SUM_PLACES = 9  # a Jaccard sum's rounding (see the module doc)
SHOWN_PLACES = 4  # the rounding of the Jaccards in a drop's meta
SHARE_PLACES = 6  # and of the word shares, which differ by little


def words(text: str) -> Counter[str]:
    """The words of `text` (runs of letters, lower-cased) and their token counts."""
    return Counter(WORD.findall(text.lower()))


class Rank(NamedTuple):
    """A copy's standing in its group, its fields the criteria in order: the smallest
    Rank is kept (ids are unique, so two Ranks always differ)."""

    jaccard_sum: float  # negated: the highest sum ranks first
    word_share: float  # negated, likewise
    id: str


def groups(edges: Iterable[Edge]) -> list[list[Book]]:
    """The connected components of the confirmed pairs, each sorted, in order of their
    smallest book."""
    parent: dict[Book, Book] = {}

    def root(book: Book) -> Book:
        while parent.setdefault(book, book) != book:
            parent[book] = parent[parent[book]]
            book = parent[book]
        return book

    for first, second, _ in edges:
        a, b = root(first), root(second)
        if a != b:
            parent[max(a, b)] = min(a, b)
    members: dict[Book, list[Book]] = {}
    for book in sorted(parent):
        members.setdefault(root(book), []).append(book)
    return list(members.values())


def group_places(edges: list[Edge]) -> Iterator[tuple[Place, Place]]:
    """(place, place of its group's smallest book) for every book of a confirmed pair."""
    for group in groups(edges):
        first = group[0][1:]
        for book in group:
            yield book[1:], first


def found_tokens(
    element: tuple[str, dict[str, list]], group_of: dict[Place, Place]
) -> Iterator[tuple[Place, tuple[int, int]]]:
    """For one word: (place, (its tokens, its tokens found outside the place's group)) per
    candidate book using it. `df` is the number of kept books holding the word."""
    _, joined = element
    uses: list[tuple[Place, int]] = joined["uses"]
    if not uses:
        return
    df = sum(joined["df"])
    in_group = Counter(group_of.get(place, place) for place, _ in uses)
    for place, tokens in uses:
        outside = df - in_group[group_of.get(place, place)]
        yield place, (tokens, tokens if outside > 0 else 0)


def add_counts(counts: Iterable[tuple[int, int]]) -> tuple[int, int]:
    """(tokens, found) summed: a combiner, so it also adds partial sums."""
    tokens = found = 0
    for a, b in counts:
        tokens, found = tokens + a, found + b
    return tokens, found


def share(element: tuple[Place, tuple[int, int]]) -> tuple[Place, float]:
    place, (tokens, found) = element
    return place, found / tokens if tokens else 0.0


def place_name(path: str, ordinal: int) -> str:
    """Where a book is: its file, with the line for a JSONL row."""
    return f"{path} line {ordinal}" if is_jsonl(path) else path


def choose_kept(
    edges: list[Edge], shares: dict[Place, float], paths: dict[int, str]
) -> Iterator[tuple[int, tuple[int, dict[str, Any]]]]:
    """(file index, (ordinal, meta of its drop)) of every book but the one kept of its group
    (see the module doc for the preference and the meta)."""
    edges = sorted(edges)
    sums: dict[Book, float] = {}
    best: dict[Book, tuple[float, str]] = {}
    for first, second, score in edges:
        for book, other in ((first, second), (second, first)):
            sums[book] = sums.get(book, 0.0) + score
            mine = best.get(book)
            if mine is None or (-score, other[0]) < (-mine[0], mine[1]):
                best[book] = (score, other[0])
    for group in groups(edges):
        ranks = {
            book: Rank(-round(sums[book], SUM_PLACES), -shares.get(book[1:], 0.0), book[0])
            for book in group
        }
        kept = min(group, key=ranks.__getitem__)
        for book in group:
            if book == kept:
                continue
            score, partner = best[book]
            why = next(
                c for c, a, b in zip(Rank._fields, ranks[kept], ranks[book], strict=True) if a != b
            )
            yield book[1], (book[2], {
                "near_duplicate_of": kept[0],
                "file": place_name(paths[book[1]], book[2]),
                "kept_file": place_name(paths[kept[1]], kept[2]),
                "kept_by": why,
                "group_size": len(group),
                "jaccard_sum": round(-ranks[book].jaccard_sum, SHOWN_PLACES),
                "kept_jaccard_sum": round(-ranks[kept].jaccard_sum, SHOWN_PLACES),
                "word_share": round(-ranks[book].word_share, SHARE_PLACES),
                "kept_word_share": round(-ranks[kept].word_share, SHARE_PLACES),
                "partner": partner,
                "jaccard": round(score, SHOWN_PLACES),
            })  # fmt: skip
