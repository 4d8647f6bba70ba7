"""Gutenberg blocks, ids, the signature against datasketch, and the components: no Beam."""

from __future__ import annotations

import numpy as np
from datasketch import MinHash
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.sample.books import jaccard as truth_jaccard
from pipeline.sources.books.dedup import bucket_pairs, components
from pipeline.sources.books.gutenberg import normalise, strip_gutenberg
from pipeline.sources.books.minhash import (
    jaccard,
    shingle_hashes,
    shingle_set,
    shingles,
    signature,
)
from pipeline.sources.books.rules import MaxReplacementShare, NotEmpty, book_document
from pipeline.sources.books.texts import BookText

BODY = "CHAPTER I.\n\nIt was a dark night and the sea was calm.\n\nThe end came soon."


def test_current_markers_go_and_the_body_stays() -> None:
    text = ("The Project Gutenberg eBook of X\n\nTitle: X\n\nAuthor: A B\n\n"
            "Release date: May 1, 2001 [eBook #123]\n\nLanguage: English\n\n"
            "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\n" + BODY +
            "\n\n*** END OF THE PROJECT GUTENBERG EBOOK X ***\n\nSTART: FULL LICENSE\n")  # fmt: skip
    out = strip_gutenberg(text)
    assert out.body == BODY and out.ebook == 123 and out.title == "X" and out.author == "A B"
    assert (out.start_marker, out.end_marker, out.language) == ("start", "end", "English")


def test_old_variants_no_space_wrapped_title_and_end_of_lines() -> None:
    text = ("Project Gutenberg's X, by Y\n[EBook #9]\n"
            "***START OF THIS PROJECT GUTENBERG EBOOK A VERY LONG\nTITLE OF A BOOK ***\n\n"
            + BODY + "\n\nEnd of Project Gutenberg's X, by Y\n"
            "*** END OF THIS PROJECT GUTENBERG EBOOK X ***\n")  # fmt: skip
    assert strip_gutenberg(text).body == BODY
    text = ("**The Project Gutenberg Etext of X**\n[Etext #7]\n"
            "*END*THE SMALL PRINT! FOR PUBLIC DOMAIN ETEXTS*Ver.04.29.93*END*\n\n" + BODY +
            "\n\nEnd of the Project Gutenberg EBook of X\n")  # fmt: skip
    out = strip_gutenberg(text)
    assert out.body == BODY and out.start_marker == "small_print" and out.ebook == 7


def test_credits_go_but_a_file_without_blank_lines_keeps_its_book() -> None:
    lines = BODY.replace("\n\n", "\n")
    text = normalise(
        "\ufeffX\r\n*** START OF THIS PROJECT GUTENBERG EBOOK X ***\r\n"
        "Produced by D. S. and the Online Distributed Proofreading Team\r\n"
        + lines.replace("\n", "\r\n")
        + "\r\n*** END OF THIS PROJECT GUTENBERG EBOOK X ***\r\n"
    )
    assert strip_gutenberg(text).body == lines  # only the credits line went (Botchan)
    text = (
        "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nE-text prepared by A\nand B\n\n" + BODY
    )
    assert strip_gutenberg(text).body == BODY


def test_ids_by_collection_number_and_suffix() -> None:
    gutenberg = "*** START OF THE PROJECT GUTENBERG EBOOK X ***\n\nHello there.\n"
    book = BookText(0, "file", gutenberg)
    assert book_document("/in/2701-8.txt", book, False).id == "books/gutenberg/2701-8"
    assert book_document("/in/pg2701.txt", book, False).id == "books/gutenberg/2701"
    headed = BookText(0, "file", "[eBook #55]\n" + gutenberg)
    assert book_document("/in/botchan.txt", headed, False).id == "books/gutenberg/55"
    assert book_document("/in/2701.txt", BookText(0, "file", "Plain."), False).id == (
        "books/books3/2701"
    )
    assert book_document("/in/2701.txt", book, True).id == "books/books3/2701"
    row = BookText(4, "line 4", "Text.", title="The Hobbit: Or There")
    assert book_document("/in/b3.jsonl", row, False).id == "books/books3/the-hobbit-or-there"
    untitled = BookText(4, "line 4", "Text.")
    assert book_document("/in/b3.jsonl.gz", untitled, False).id == "books/books3/b3-4"


def test_rules_give_their_reason() -> None:
    empty = book_document("/a/1.txt", BookText(0, "file", "  \n"), False)
    assert NotEmpty()(empty).reason == "empty"
    noisy = book_document("/a/b.txt", BookText(0, "file", "x\ufffd", replacement_share=0.5), False)
    assert MaxReplacementShare(0.001)(noisy).reason == "replacement_chars"


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


def test_components_keep_the_smallest_id_and_name_the_best_partner() -> None:
    a, b, c, d = ("b/a", 0, 0), ("b/b", 1, 0), ("b/c", 2, 3), ("b/d", 3, 0)
    drops = dict(components([(b, c, 0.95), (a, b, 0.91), (a, c, 0.92)]))
    assert drops == {
        1: (0, {"near_duplicate_of": "b/a", "partner": "b/c", "jaccard": 0.95}),
        2: (3, {"near_duplicate_of": "b/a", "partner": "b/b", "jaccard": 0.95}),
    }
    assert d not in {x for x, _ in drops.items()}


def test_a_large_bucket_pairs_linearly_and_stays_connected() -> None:
    books = [(f"b/{i:03d}", i, 0) for i in range(100)]
    pairs = list(bucket_pairs(books, 64))
    assert len(pairs) < 2 * len(books)
    assert {p[1] for p in pairs} == set(books[1:])
    assert len(list(bucket_pairs(books[:5], 64))) == 10
