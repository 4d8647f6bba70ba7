"""The T5 paper's dedup unit: every span of three consecutive sentences of a page.

A page's sentences are taken line by line, in order; span k is sentences k, k+1, k+2, and
its hash is that of their dedup form joined (text/hashing.py, as line dedup hashes a line).
The shared line-dedup transform takes span hashes as it takes line hashes and names one
owner per span (the first page in input order); every other page loses the sentences of
that span. A span repeated inside a page keeps its first copy.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pipeline.sources.c4.sentences import sentence_spans
from pipeline.text.hashing import line_hash

SPAN = 3
Sentence = tuple[int, int, int]  # (line index, start, end)


def sentence_positions(lines: Sequence[str]) -> list[Sentence]:
    return [(i, a, b) for i, line in enumerate(lines) for a, b in sentence_spans(line)]


def _span_hashes(lines: Sequence[str], sentences: list[Sentence]) -> list[int | None]:
    texts = [lines[i][a:b] for i, a, b in sentences]
    return [line_hash(" ".join(texts[k : k + SPAN])) for k in range(len(texts) - SPAN + 1)]


def distinct_span_hashes(lines: Sequence[str]) -> tuple[int, ...]:
    """The hashes of the page's 3-sentence spans, each once, in order."""
    seen: dict[int, None] = {}
    for value in _span_hashes(lines, sentence_positions(lines)):
        if value is not None:
            seen.setdefault(value, None)
    return tuple(seen)


def remove_spans(
    lines: Sequence[str], owners: Mapping[int, object], key: object
) -> tuple[list[str], int]:
    """(the lines without the sentences of spans another page owns, sentences removed).
    `owners` maps a duplicate span's hash to the page that keeps it."""
    sentences = sentence_positions(lines)
    gone: set[int] = set()
    seen: set[int] = set()
    for k, value in enumerate(_span_hashes(lines, sentences)):
        if value is None:
            continue
        if value in seen or (value in owners and owners[value] != key):
            gone.update(range(k, k + SPAN))
        seen.add(value)
    if not gone:
        return list(lines), 0
    kept: dict[int, list[str]] = {}
    for k, (i, a, b) in enumerate(sentences):
        if k not in gone:
            kept.setdefault(i, []).append(lines[i][a:b])
    return [" ".join(kept[i]) for i in sorted(kept)], len(gone)
