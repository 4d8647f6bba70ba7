"""Line dedup, and the exact page dedup that must precede it, at any scale, without ever
grouping page text (CCNet's two deduplications; c4 runs the line dedup after its URL dedup).

A page is named by a small key, (file index, record ordinal), that travels with its hashes
(PageHashes: the caller fills `digest` with what makes two pages the same page: the WARC
block digest for ccnet, the normalised URL for c4); the text stays in the input files, which
are read twice: once for the hashes, once to write the pages that survive. Between the two
passes only hashes and keys are grouped.

Which copy survives:
1. Digest dedup (DigestDedup): per digest the page with the smallest id survives (a
   combiner keeps it, with its key and line hashes, a few hundred bytes); every other page
   with that digest goes. Before line dedup, or identical pages would erase each other's
   lines.
2. Line dedup over the survivors (LineDedup): per (scope, line hash) a combiner keeps the
   first two pages that hold the line (in input order, as packed keys: 8 bytes per line
   shuffled) and the set of files they are in; a line held by two pages or more is a
   duplicate. With `keep="none"` (cc_net, the ccnet default) no copy survives: the line
   goes from every page; with `keep="first"` (C4's code) the copy in the first page in
   input order survives. No key's values are ever materialised: a boilerplate line held by
   10^8 pages costs one accumulator. The scope is `global` (default), `dump` or
   cc_net-style groups of `group_files` files. Inside one page the first copy of a
   repeated line survives (remove_lines); lines whose dedup form is empty (blank, only
   marks) are kept as separators and never hashed (the ccnet stage removes the non-blank
   ones first: pipeline/sources/commoncrawl/rules.py).
3. Per file, the survivors' ordinals and the duplicate lines found in that file are grouped
   by file index (FileVerdicts, or the caller's own grouping), and the file is read again
   to write its pages without those lines (the ccnet and c4 stages' pass 2).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import apache_beam as beam

from pipeline.text.hashing import line_hash

PageKey = tuple[int, int]  # (file index, record ordinal)
SCOPES = ("global", "dump", "groups")
KEEP = ("none", "first")


@dataclass(frozen=True)
class PageHashes:
    """What pass 1 keeps of a page: its id, key, dump, digest and distinct line hashes."""

    id: str
    key: PageKey
    dump: str
    digest: str
    hashes: tuple[int, ...]


def distinct_line_hashes(text: str) -> tuple[int, ...]:
    """The hashes of the page's lines, each once, in order of first appearance."""
    seen: dict[int, None] = {}
    for line in text.split("\n"):
        value = line_hash(line)
        if value is not None:
            seen.setdefault(value, None)
    return tuple(seen)


def remove_lines(
    text: str, duplicates: Mapping[int, PageKey | None], key: PageKey | None = None
) -> tuple[str, int]:
    """(text without its duplicate lines, number of lines removed). `duplicates` maps a
    duplicate line's hash to the page that keeps it (None: no page does); later copies of a
    line inside the page go too. Lines that hash to nothing stay."""
    kept, removed = [], 0
    seen: set[int] = set()
    for line in text.split("\n"):
        value = line_hash(line)
        if value is not None and (
            value in seen
            or (value in duplicates and (duplicates[value] is None or duplicates[value] != key))
        ):
            removed += 1
            continue
        if value is not None:
            seen.add(value)
        kept.append(line)
    return "\n".join(kept).strip("\n"), removed


def scope_of(page: PageHashes, scope: str, group_files: int) -> str:
    """The part of the input a line is deduplicated within."""
    if scope == "global":
        return ""
    if scope == "dump":
        return page.dump
    return str(page.key[0] // group_files)


class SmallestPage(beam.CombineFn):
    """Per digest: the PageHashes with the smallest id (constant memory per key)."""

    def create_accumulator(self) -> PageHashes | None:
        return None

    def add_input(self, best: PageHashes | None, page: PageHashes) -> PageHashes:
        return page if best is None or page.id < best.id else best

    def merge_accumulators(self, accumulators: Iterable[PageHashes | None]) -> PageHashes | None:
        best = None
        for candidate in accumulators:
            if candidate is not None:
                best = self.add_input(best, candidate)
        return best

    def extract_output(self, best: PageHashes | None) -> PageHashes | None:
        return best


# A page as line dedup names it: its key packed in one integer, file index in the high bits,
# so integer order is input order (files in path order, records in file order) and each
# line of the crawl shuffles 8 bytes of holder instead of a page id of ~60.
ORDINAL_BITS = 32


def packed_key(key: PageKey) -> int:
    return (key[0] << ORDINAL_BITS) | key[1]


def unpacked_key(value: int) -> PageKey:
    return value >> ORDINAL_BITS, value & ((1 << ORDINAL_BITS) - 1)


# Accumulator of a line: the (at most) two first pages holding it, packed, and the files
# holding it (bounded by the number of input files, not of pages).
LineAccumulator = tuple[tuple[int, ...], frozenset[int]]


class LineHolders(beam.CombineFn):
    """Per line hash: who holds it, in constant memory per key (see LineAccumulator)."""

    def create_accumulator(self) -> LineAccumulator:
        return (), frozenset()

    def add_input(self, acc: LineAccumulator, holder: int) -> LineAccumulator:
        # called once per line of the crawl: only build what changes
        pages, files = acc
        if holder not in pages and (len(pages) < 2 or holder < pages[-1]):
            pages = tuple(sorted((*pages, holder))[:2])
        file = holder >> ORDINAL_BITS
        return pages, files if file in files else files | {file}

    def merge_accumulators(self, accumulators: Iterable[LineAccumulator]) -> LineAccumulator:
        holders: set[int] = set()
        files: set[int] = set()
        for pages, in_files in accumulators:
            holders.update(pages)
            files.update(in_files)
        return tuple(sorted(holders)[:2]), frozenset(files)

    def extract_output(self, acc: LineAccumulator) -> LineAccumulator:
        return acc


def duplicate_line_notices(
    item: tuple[tuple[str, int], LineAccumulator], keep: str
) -> Iterator[tuple[int, tuple[int, PageKey | None]]]:
    """(file index, (hash, the page that keeps the line or None)) for every file that holds
    a line held by two pages or more."""
    (_, value), (holders, files) = item
    if len(holders) < 2:
        return
    keeper = unpacked_key(holders[0]) if keep == "first" else None
    for file_index in sorted(files):
        yield file_index, (value, keeper)


class LineDedup(beam.PTransform):
    """Surviving PageHashes -> (file index, (duplicate line hash, keeper or None))."""

    def __init__(self, scope: str = "global", keep: str = "none", group_files: int = 50):
        super().__init__()
        if scope not in SCOPES:
            raise ValueError(f"line dedup scope {scope!r}: expected one of {SCOPES}")
        if keep not in KEEP:
            raise ValueError(f"line dedup keep {keep!r}: expected one of {KEEP}")
        self.scope, self.keep, self.group_files = scope, keep, group_files

    def expand(self, pages: beam.PCollection) -> beam.PCollection:
        scope, keep, group_files = self.scope, self.keep, self.group_files
        return (
            pages
            | "Line holders"
            >> beam.FlatMap(
                lambda p: (
                    ((scope_of(p, scope, group_files), h), packed_key(p.key)) for h in p.hashes
                )
            )
            | "Combine holders" >> beam.CombinePerKey(LineHolders())
            | "Duplicate lines" >> beam.FlatMap(duplicate_line_notices, keep)
        )


class DigestDedup(beam.PTransform):
    """PageHashes -> the PageHashes of the smallest id per digest."""

    def expand(self, pages: beam.PCollection) -> beam.PCollection:
        return (
            pages
            | "By digest" >> beam.Map(lambda p: (p.digest, p))
            | "Smallest id" >> beam.CombinePerKey(SmallestPage())
            | "Survivor" >> beam.Values()
        )


def file_notices(notices: Iterable[tuple[int, PageKey | None]]) -> dict[int, PageKey | None]:
    """A file's duplicate-line notices as {hash: keeper}; a file lies in one scope, so a
    hash has one keeper there."""
    return dict(notices)


class FileVerdicts(beam.PTransform):
    """(listed files, PageHashes of pass 1) -> per file index {"file": [its element],
    "keep": [ordinals of the pages that survive digest dedup], "lines": [(duplicate line
    hash, the page that keeps it or None)]}: what pass 2 needs to rewrite the file. Only
    keys and hashes are grouped."""

    def __init__(self, scope: str = "global", keep: str = "none", group_files: int = 50):
        super().__init__()
        self.line_dedup = LineDedup(scope, keep, group_files)

    # `inputs` is a pair of PCollections; Beam logs a warning at every run for a tuple hint
    def expand(self, inputs: Any) -> beam.PCollection:
        files, pages = inputs
        survivors = pages | "Digest dedup" >> DigestDedup()
        return {
            "file": files,
            "keep": survivors | "Survivors by file" >> beam.Map(lambda p: (p.key[0], p.key[1])),
            "lines": survivors | "Line dedup" >> self.line_dedup,
        } | "By file" >> beam.CoGroupByKey()
