"""Which copy of a near-duplicate group is kept (keep.py): no Beam."""

from __future__ import annotations

from pipeline.sources.books.keep import choose_kept, found_tokens, group_places, groups, words

PATHS = {0: "/in/100.txt", 1: "/in/200.txt", 2: "/in/300.txt", 3: "/in/b3.jsonl"}


def test_a_group_of_three_keeps_its_most_central_copy_not_the_smallest_id() -> None:
    """A and C are each an edited copy of B: B has the highest Jaccard sum, and its id is
    the largest of the three (issue 25: "smallest id kept" kept an edge copy)."""
    a, c, b = ("b/1", 0, 0), ("b/2", 1, 0), ("b/3", 2, 0)
    edges = [(a, b, 0.95), (c, b, 0.94), (a, c, 0.90)]
    shares = {(0, 0): 0.99, (1, 0): 0.99, (2, 0): 0.5}  # B's words: no say over centrality
    drops = dict(choose_kept(edges, shares, PATHS))
    assert set(drops) == {0, 1}
    for index in (0, 1):
        ordinal, meta = drops[index]
        assert ordinal == 0 and meta["near_duplicate_of"] == "b/3"
        assert meta["kept_by"] == "jaccard_sum" and meta["kept_jaccard_sum"] == 1.89
        assert meta["file"] == PATHS[index] and meta["kept_file"] == "/in/300.txt"
        assert meta["group_size"] == 3
    assert drops[0][1]["jaccard_sum"] == 1.85 and drops[0][1]["partner"] == "b/3"
    assert drops[1][1]["jaccard"] == 0.94


def test_a_pair_keeps_the_copy_whose_words_other_books_use_then_the_smaller_id() -> None:
    original, garbled = ("b/8868-botchan", 0, 0), ("b/8868-alt", 3, 7)
    edges = [(garbled, original, 0.93)]
    drops = dict(choose_kept(edges, {(0, 0): 0.97, (3, 7): 0.95}, PATHS))
    ((index, (ordinal, meta)),) = drops.items()
    assert (index, ordinal) == (3, 7)  # the smaller id, but fewer common words
    assert meta["near_duplicate_of"] == "b/8868-botchan" and meta["kept_by"] == "word_share"
    assert meta["file"] == "/in/b3.jsonl line 7" and meta["kept_file"] == "/in/100.txt"
    assert (meta["word_share"], meta["kept_word_share"]) == (0.95, 0.97)
    assert meta["jaccard_sum"] == meta["kept_jaccard_sum"] == 0.93
    tied = dict(choose_kept(edges, {(0, 0): 0.97, (3, 7): 0.97}, PATHS))
    assert tied[0][1]["near_duplicate_of"] == "b/8868-alt" and tied[0][1]["kept_by"] == "id"


def test_sums_equal_up_to_float_rounding_tie() -> None:
    """p and q have the same three Jaccards, added in another order (the edges' order):
    0.913 + 0.985 + 0.976 != 0.976 + 0.985 + 0.913 in floats. They tie on the sum, and the
    word share decides, not a rounding error."""
    a1, a2, a3 = ("b/a1", 0, 0), ("b/a2", 1, 0), ("b/a3", 2, 0)
    p, q = ("b/p", 3, 0), ("b/q", 4, 0)
    edges = [(a1, p, 0.913), (a2, p, 0.985), (a3, p, 0.976)]
    edges += [(a1, q, 0.976), (a2, q, 0.985), (a3, q, 0.913)]
    assert 0.913 + 0.985 + 0.976 != 0.976 + 0.985 + 0.913
    drops = dict(choose_kept(edges, {(4, 0): 0.9, (3, 0): 0.8}, PATHS | {4: "/in/q.txt"}))
    assert {meta["near_duplicate_of"] for _, meta in drops.values()} == {"b/q"}
    assert drops[3][1]["kept_by"] == "word_share"


def test_groups_are_connected_components() -> None:
    a, b, c, d, e = (("b/" + n, i, 0) for i, n in enumerate("abcde"))
    assert groups([(b, c, 0.9), (d, e, 0.95), (a, c, 0.91)]) == [[a, b, c], [d, e]]
    assert dict(group_places([(b, c, 0.9), (d, e, 0.95)])) == {
        (1, 0): (1, 0), (2, 0): (1, 0), (3, 0): (3, 0), (4, 0): (3, 0),
    }  # fmt: skip


def test_a_word_counts_as_found_only_in_books_outside_the_group() -> None:
    group_of = {(0, 0): (0, 0), (1, 0): (0, 0)}  # two copies of one book
    # "tbe": in both copies and nowhere else (df 2): found for neither
    assert list(found_tokens(("tbe", {"df": [2], "uses": [((0, 0), 3), ((1, 0), 1)]}), group_of)) == [
        ((0, 0), (3, 0)), ((1, 0), (1, 0)),
    ]  # fmt: skip
    # "the": in a third book too; a candidate outside any group counts itself out only
    element = ("the", {"df": [3], "uses": [((0, 0), 9), ((2, 0), 4)]})
    assert list(found_tokens(element, group_of)) == [((0, 0), (9, 9)), ((2, 0), (4, 4))]
    assert list(found_tokens(("only", {"df": [1], "uses": [((2, 0), 2)]}), {})) == [
        ((2, 0), (2, 0))
    ]
    assert list(found_tokens(("unused", {"df": [5], "uses": []}), {})) == []


def test_words_are_runs_of_letters_lower_cased() -> None:
    text = 'Botchan\'s father--an old man of 60--said: "Tbe end." Café!'
    assert words(text) == {
        "botchan": 1, "s": 1, "father": 1, "an": 1, "old": 1, "man": 1, "of": 1, "said": 1,
        "tbe": 1, "end": 1, "café": 1,
    }  # fmt: skip
