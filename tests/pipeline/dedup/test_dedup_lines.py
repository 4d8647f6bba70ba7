"""The pure parts of the line dedup (pipeline/dedup/lines.py) on inline strings and keys; the
Beam transforms run on WET files in tests/pipeline/sources/commoncrawl/test_commoncrawl_dedup.py."""

from __future__ import annotations

from pipeline.dedup.lines import (
    LineHolders,
    PageHashes,
    SmallestPage,
    distinct_line_hashes,
    duplicate_line_notices,
    packed_key,
    remove_lines,
    unpacked_key,
)
from pipeline.text.hashing import line_hash


def test_remove_lines_keeps_separators_and_the_first_copy_inside_a_page() -> None:
    text = "Title\n\nSubscribe NOW 2019\nBody line.\n\nBody line.\n---\nEnd"
    duplicates = {line_hash("subscribe now 0000"): None}
    cleaned, removed = remove_lines(text, duplicates)
    assert cleaned == "Title\n\nBody line.\n\n---\nEnd"
    assert removed == 2  # the subscribe line, and the second "Body line."
    assert remove_lines(text, duplicates, key=(0, 1)) == (cleaned, 2)
    keeper = {line_hash("subscribe now 0000"): (0, 1)}
    assert remove_lines(text, keeper, key=(0, 1))[0].startswith("Title\n\nSubscribe NOW 2019")


def test_distinct_line_hashes_skip_empty_forms_and_repeats() -> None:
    hashes = distinct_line_hashes("a\n\n...\nA!\nb")
    assert hashes == (line_hash("a"), line_hash("b"))


def test_line_holders_keep_the_first_two_pages_and_every_file() -> None:
    combine = LineHolders()
    acc = combine.create_accumulator()
    for key in [(2, 0), (0, 5), (1, 3), (0, 5)]:
        acc = combine.add_input(acc, packed_key(key))
    other = combine.add_input(combine.create_accumulator(), packed_key((7, 1)))
    pages, files = combine.merge_accumulators([acc, other])
    assert [unpacked_key(p) for p in pages] == [(0, 5), (1, 3)] and files == {0, 1, 2, 7}
    assert unpacked_key(packed_key((399, 2**32 - 1))) == (399, 2**32 - 1)


def test_a_line_held_by_one_page_is_no_duplicate_and_keep_first_names_the_first() -> None:
    first, second = packed_key((0, 3)), packed_key((2, 1))
    assert list(duplicate_line_notices((("", 7), ((first,), frozenset({0}))), "none")) == []
    held = (("", 7), ((first, second), frozenset({0, 2})))
    assert list(duplicate_line_notices(held, "none")) == [(0, (7, None)), (2, (7, None))]
    assert list(duplicate_line_notices(held, "first")) == [(0, (7, (0, 3))), (2, (7, (0, 3)))]


def test_digest_dedup_keeps_the_smallest_id() -> None:
    pages = [PageHashes(name, (0, i), "d", "same", ()) for i, name in enumerate("bca")]
    combine = SmallestPage()
    acc = combine.create_accumulator()
    for page in pages[:2]:
        acc = combine.add_input(acc, page)
    other = combine.add_input(combine.create_accumulator(), pages[2])
    assert combine.extract_output(combine.merge_accumulators([acc, other, None])).id == "a"
