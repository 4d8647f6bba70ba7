"""Gutenberg blocks, ids, the rules and the components: no Beam (the MinHash signature is
tested in tests/pipeline/dedup/test_dedup_minhash.py)."""

from __future__ import annotations

from pipeline.counters import Tally
from pipeline.rules.config import MinCharsRule, RulesConfig
from pipeline.sources.books.config import BooksConfig
from pipeline.sources.books.dedup import bucket_pairs
from pipeline.sources.books.document import book_document
from pipeline.sources.books.gutenberg import normalise, strip_gutenberg
from pipeline.sources.books.stage import book_steps
from pipeline.sources.books.texts import BookText
from pipeline.steps import Dropped, run_steps

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
    assert book_document("/in/botchan.txt", headed, False).id == "books/gutenberg/55-botchan"
    assert book_document("/in/2701.txt", BookText(0, "file", "Plain."), False).id == (
        "books/books3/2701"
    )
    assert book_document("/in/2701.txt", book, True).id == "books/books3/2701"
    row = BookText(4, "line 4", "Text.", title="The Hobbit: Or There")
    assert book_document("/in/b3.jsonl", row, False).id == "books/books3/the-hobbit-or-there"
    untitled = BookText(4, "line 4", "Text.")
    assert book_document("/in/b3.jsonl.gz", untitled, False).id == "books/books3/b3-4"
    titled = BookText(2, "line 2", "[eBook #9]\n" + gutenberg, title="1984")
    assert book_document("/in/pg.jsonl", titled, False).id == "books/gutenberg/9-1984"


def test_one_id_rule_whatever_the_file_name_shape() -> None:
    """Issue 25: `pg8868-botchan-alt-edition.txt` fell back to its header number (8868)
    while `pg8868-botchan.txt` got `8868-botchan`, so the altered edition had the smaller id.
    Every name now gives its number and the rest of its name, whatever its punctuation."""
    header = "[EBook #8868]\n*** START OF THIS PROJECT GUTENBERG EBOOK BOTCHAN ***\nText.\n"
    book = BookText(0, "file", header)
    ids = {
        name: book_document(f"/mirror/{name}", book, False).id.removeprefix("books/gutenberg/")
        for name in ("pg8868-botchan.txt", "pg8868-botchan-alt-edition.txt", "8868.txt",
                     "8868-0.txt", "PG8868_Botchan.txt", "pg8868.botchan.alt.edition.txt",
                     "botchan.txt", "botchan-alt-edition.txt")
    }  # fmt: skip
    assert ids == {
        "pg8868-botchan.txt": "8868-botchan",
        "pg8868-botchan-alt-edition.txt": "8868-botchan-alt-edition",
        "8868.txt": "8868",
        "8868-0.txt": "8868-0",
        "PG8868_Botchan.txt": "8868-botchan",
        "pg8868.botchan.alt.edition.txt": "8868-botchan-alt-edition",
        "botchan.txt": "8868-botchan",
        "botchan-alt-edition.txt": "8868-botchan-alt-edition",
    }
    documents = [book_document(f"/m/{n}", book, False) for n in ("pg8868-x-y.txt", "x-y.txt")]
    assert {d.meta["ebook"] for d in documents} == {8868}
    assert {d.url for d in documents} == {"https://www.gutenberg.org/ebooks/8868"}


def test_rules_give_their_reason() -> None:
    tally = Tally()
    steps = book_steps(BooksConfig())
    empty = book_document("/a/1.txt", BookText(0, "file", "  \n"), False)
    assert run_steps(empty, steps, tally)[1] == Dropped("empty")
    # the share the reader measured over the whole file, not the U+FFFD left in the body
    noisy = book_document("/a/b.txt", BookText(0, "file", "xy", replacement_share=0.5), False)
    assert run_steps(noisy, steps, tally)[1] == Dropped("replacement_chars")
    assert tally == {"dropped.empty": 1, "dropped.replacement_chars": 1}
    # a generic rule switched on in the config comes after the books' own
    config = BooksConfig(rules=RulesConfig(min_chars=MinCharsRule(chars=10)))
    short = book_document("/a/c.txt", BookText(0, "file", "Too short"), False)
    assert run_steps(short, book_steps(config), tally)[1] == Dropped("short")
    assert run_steps(short, steps, tally)[1] is None


def test_a_large_bucket_pairs_linearly_and_stays_connected() -> None:
    books = [(f"b/{i:03d}", i, 0) for i in range(100)]
    pairs = list(bucket_pairs(books, 64))
    assert len(pairs) < 2 * len(books)
    assert {p[1] for p in pairs} == set(books[1:])
    assert len(list(bucket_pairs(books[:5], 64))) == 10
