"""The ccnet stage's line rule: a line with no letter or digit goes before line dedup."""

from __future__ import annotations

from pipeline.readers.wet import WetPage
from pipeline.sources.commoncrawl.ccnet_stage import page_hashes
from pipeline.sources.commoncrawl.rules import has_letter_or_digit, without_punctuation_lines
from pipeline.text.hashing import line_hash

# seen on real sites: the Python docs' sidebar toggle "«", link bars, bullets, pagers
NAVIGATION = ["«", "»", "|", "•", "·", "–", ">>", "« | »", "‹ ›", "* * *", "—", "…", "→"]


def test_lines_of_marks_and_symbols_have_no_letter_or_digit() -> None:
    assert not any(has_letter_or_digit(line) for line in NAVIGATION)
    assert not has_letter_or_digit("___")  # the underscore is no letter
    for line in ("previous |", "» Home", "3.", "© 2019", "Ελλάδα", "東京", "፩", "x²"):
        assert has_letter_or_digit(line), line


def test_every_navigation_line_goes_and_the_words_stay_in_order() -> None:
    text = "Kettles and teapots\n«\nA steel kettle boils in four minutes.\n|\n•\n»"
    assert without_punctuation_lines(text) == (
        "Kettles and teapots\nA steel kettle boils in four minutes.",
        4,
    )


def test_blank_lines_are_not_counted_and_a_page_without_navigation_is_unchanged() -> None:
    text = "First paragraph here.\n\nSecond one, after a blank line."
    assert without_punctuation_lines(text) == (text, 0)
    assert without_punctuation_lines("Words.\n \n·") == ("Words.\n ", 1)


def test_pass_one_hashes_no_navigation_line() -> None:
    # "|" and ">>" have a dedup form of their own; "«" none: neither kind is a line of
    # the dedup, so no page holds one for another
    body = "A steel kettle boils in four minutes.\nThe handle stays cool."
    page = WetPage(
        record_id="u", url="http://example.com/", date="2019-07-01T00:00:00Z", digest="d",
        languages=None, text=f"{body}\n|\n>>\n«", dump="2019-30", ordinal=1, offset=0,
    )  # fmt: skip
    hashes = page_hashes(page, 0).hashes
    assert hashes == tuple(line_hash(line) for line in body.split("\n"))
