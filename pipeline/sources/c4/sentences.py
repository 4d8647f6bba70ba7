"""English sentence boundaries, by a stated rule instead of nltk's punkt (which C4 used, and
which downloads its model at run time).

A sentence ends at `.`, `!` or `?` (repeated or not), with any closing quotes or brackets
after it, when whitespace follows and the next word starts with a capital letter, a digit,
or an opening quote or bracket. A full stop does not end a sentence after a single letter
(initials: "J. R. Tolkien") or after one of the abbreviations below ("Dr. Smith", "e.g.
This"). punkt learns such abbreviations from text; on web text both disagree mostly on
lines that C4's rules drop anyway (no end mark, under 5 words). It is a regular expression:
fast, and the same on every machine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof sr jr st mt ft vs etc e.g i.e cf al inc ltd co corp no nos vol pp "
    "fig figs approx dept est jan feb mar apr jun jul aug sep sept oct nov dec gen gov rep "
    "sen rev u.s u.k a.m p.m".split()
)
# the end mark with its closing quotes/brackets, the gap, and the start of the next sentence
_BOUNDARY = re.compile(r"""([.!?]+)["'”’)\]]*\s+(?=["'“‘(\[]*[A-Z0-9\u00c0-\u00de])""")


def _boundaries(text: str) -> Iterator[re.Match[str]]:
    """The matches of _BOUNDARY that end a sentence (not an initial or an abbreviation)."""
    for match in _BOUNDARY.finditer(text):
        if match.group(1) != "." or not _ends_with_abbreviation(text, match.start()):
            yield match


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, whitespace between them left out."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _boundaries(text):
        spans.append((start, match.start() + len(match.group(0).rstrip())))
        start = match.end()
    tail = text[start:].strip()
    if tail:
        spans.append((start, start + len(text[start:].rstrip())))
    return spans


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


def sentence_count(text: str) -> int:
    """len(sentence_spans(text)), without building the spans (C4 counts every line's)."""
    count, start = 0, 0
    for match in _boundaries(text):
        count, start = count + 1, match.end()
    return count + (not text[start:].isspace() and start < len(text))


def _ends_with_abbreviation(text: str, stop: int) -> bool:
    """Whether the word before the full stop at `stop` is an initial or an abbreviation."""
    begin = stop
    while begin > 0 and not text[begin - 1].isspace() and text[begin - 1] not in "(\"'“‘[":
        begin -= 1
    word = text[begin:stop].lower()
    return (len(word) == 1 and word.isalpha()) or word in ABBREVIATIONS
