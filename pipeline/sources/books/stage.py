"""`fleece books`: Gutenberg and Books3 texts -> books without the Gutenberg licence blocks,
near-duplicate books collapsed into the smallest id.

  files ─► pass 1 (per file): books read (texts.py), Gutenberg blocks removed (document.py),
        the rules applied (book_steps), shingles hashed, MinHash signature
        (pipeline/dedup/minhash.py)
      ─► (id, file, ordinal, signature) ─► grouped by id: a second book with an id already
        taken becomes `<id>~2`, `~3`... in (file, ordinal) order
      ─► LSH bands ─► candidate pairs ─► the candidates' files read again for their
        shingle sets and words ─► exact Jaccard ─► components (dedup.py) ─► the copy kept
        of each, by centrality, then the share of its words other books use, then id
        (keep.py; the words' document frequencies come from pass 1) ─► drops by file
      ─► pass 2 (per file, read again): each book cleaned again, written unless a rule or
        the dedup drops it ─► part-<file index>.parquet, in file order

Only ids, places, signatures, the candidates' shingle-hash sets and words (with their
counts) are grouped, never the text of a book; a worker holds one book at a time. Pass 1 counts what was read, the errors
and the rules' drops; pass 2 counts `kept` and `dropped.near_duplicate`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from pipeline import counters, io
from pipeline.config import RunConfig
from pipeline.counters import BeamCounters, Count
from pipeline.dedup.minhash import lsh_shape, shingle_hashes, shingle_set, signature
from pipeline.documents import Document, part_name, part_writers
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.source import SourceStage, WriteErrors
from pipeline.harness.stage import StageContext
from pipeline.records import (
    ReadOptions,
    RecordError,
    RecordWarning,
    read_records,
    report_warning,
)
from pipeline.rules.document import MaxReplacementShare, NotEmpty, configured_rules
from pipeline.sources.books.config import BooksConfig
from pipeline.sources.books.dedup import CandidatePairs, ConfirmedPairs, pair_ends
from pipeline.sources.books.document import NAME, book_document
from pipeline.sources.books.keep import (
    add_counts,
    choose_kept,
    found_tokens,
    group_places,
    share,
    words,
)
from pipeline.sources.books.texts import BookText, read_books
from pipeline.steps import Dropped, Step, run_steps

# Books run to megabytes: row groups of a few books keep a part writer's buffer small.
BOOKS_PER_ROW_GROUP = 16


def book_steps(config: BooksConfig) -> list[Step]:
    """A book's rules, before the near-dedup (a dropped book takes no part in it): some text
    once the licence blocks went; few U+FFFD in the file as decoded (the reader's measure,
    Gutenberg blocks included); then the generic rules its manifest section switches on."""
    return [
        NotEmpty(),
        MaxReplacementShare(config.max_replacement_share, meta_key="replacement_share"),
        *configured_rules(config.rules),
    ]


def _ignore(name: str, n: int = 1) -> None:
    """Counts of a second read, which pass 1 already made."""


def fallback_warning(file: str, book: BookText) -> RecordWarning:
    """A book kept, read as cp1252 from its first byte that is not UTF-8."""
    where = f"byte {book.first_invalid_byte}" if book.where == "file" else book.where
    return RecordWarning(file, where, "decoded_fallback", "not UTF-8 from here on; read as cp1252")


def file_books(
    file: io.InputFile,
    books3: bool,
    steps: list[Step],
    options: ReadOptions,
    count: Count,
    report: bool = True,
) -> Iterator[RecordError | tuple[BookText, Document, Dropped | None]]:
    """Per book of one file: its errors, and (the book, its Document after the rules, the
    Dropped or None). `report=False` for a second read: nothing counted, logged or raised."""
    for item in read_records(file, read_books, options, count, report=report):
        if isinstance(item, RecordError):
            yield item
        elif isinstance(item, BookText):
            if item.fallback and report:
                report_warning(fallback_warning(file.path, item), count)
            doc, dropped = run_steps(book_document(file.path, item, books3), steps, count)
            yield item, doc, dropped


class SignBooksFn(io.StoreFn):
    """Pass 1 over one file: its errors, (id, file index, ordinal, signature bytes) of each
    book the rules keep (an empty signature for a book of fewer than five words), and each
    distinct word of those books once ("words": their document frequencies, keep.py)."""

    def __init__(self, config: BooksConfig, books3: frozenset[str], options: ReadOptions) -> None:
        super().__init__()
        self.steps, self.books3, self.options = book_steps(config), books3, options
        self.num_perm, self.seed = config.num_perm, config.seed
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[int, io.InputFile]) -> Iterator[Any]:
        index, file = element
        books3 = file.path in self.books3
        for item in file_books(file, books3, self.steps, self.options, self.count):
            if isinstance(item, RecordError):
                yield beam.pvalue.TaggedOutput("errors", item.row())
                continue
            book, doc, dropped = item
            if dropped is None:
                for word in words(doc.text):
                    yield beam.pvalue.TaggedOutput("words", word)
                hashes = shingle_hashes(doc.text)
                sig = signature(hashes, self.num_perm, self.seed).tobytes() if len(hashes) else b""
                yield doc.id, index, book.ordinal, sig


def unique_ids(element: tuple[str, Iterable[tuple[int, int, bytes]]]) -> Iterator[Any]:
    """Books sharing an id: the first in (file, ordinal) order keeps it, the others become
    `<id>~2`, `<id>~3`... ("~" occurs in no id the rules make from a number or a slug). The
    renames also go to pass 2, by file."""
    doc_id, books = element
    for number, (file, ordinal, sig) in enumerate(sorted(books), start=1):
        name = doc_id if number == 1 else f"{doc_id}~{number}"
        if number > 1:
            yield beam.pvalue.TaggedOutput("renames", (file, (ordinal, name)))
        yield name, file, ordinal, sig


class ShingleSetsFn(io.StoreFn):
    """A file read again for the books that are in a candidate pair: ((file, ordinal),
    their shingle-hash set as bytes), and ("uses") (word, ((file, ordinal), its tokens))
    per distinct word of those books."""

    def __init__(self, config: BooksConfig, books3: frozenset[str], options: ReadOptions) -> None:
        super().__init__()
        self.steps, self.books3, self.options = book_steps(config), books3, options

    def process(self, element: tuple[int, dict[str, list]]) -> Iterator[Any]:
        index, grouped = element
        wanted = set(grouped["want"])
        if not wanted or not grouped["file"]:
            return
        (file,) = grouped["file"]
        books3 = file.path in self.books3
        for item in file_books(file, books3, self.steps, self.options, _ignore, report=False):
            if isinstance(item, tuple) and item[0].ordinal in wanted:
                place = (index, item[0].ordinal)
                hashes = shingle_hashes(item[1].text)
                yield place, shingle_set(hashes).tobytes()
                for word, tokens in sorted(words(item[1].text).items()):
                    yield beam.pvalue.TaggedOutput("uses", (word, (place, tokens)))


def word_shares(
    words: beam.PCollection, uses: beam.PCollection, edges: beam.PCollection
) -> beam.PCollection:
    """(place, share of its word tokens found in books outside its group) per candidate
    book (keep.py): the words' document frequencies joined to the candidates' words."""
    df = words | "Document frequencies" >> beam.combiners.Count.PerElement()
    group_of = beam.pvalue.AsDict(edges | "Groups" >> beam.FlatMap(group_places))
    return (
        {"df": df, "uses": uses}
        | "Join words" >> beam.CoGroupByKey()
        | "Found tokens" >> beam.FlatMap(found_tokens, group_of=group_of)
        | "Add tokens" >> beam.CombinePerKey(add_counts)
        | "Word shares" >> beam.Map(share)
    )


class WriteBooksFn(io.StoreFn):
    """Pass 2 over one file: its books in file order, kept or (with --keep-dropped) in
    dropped/ with their reason; near duplicates carry their partner and Jaccard in meta."""

    def __init__(
        self,
        config: BooksConfig,
        books3: frozenset[str],
        out_dir: str,
        options: ReadOptions,
        keep_dropped: bool,
    ) -> None:
        super().__init__()
        self.steps, self.books3, self.options = book_steps(config), books3, options
        self.out_dir, self.keep_dropped = out_dir, keep_dropped
        self.count = BeamCounters(NAME)

    # writes parts and emits nothing; no return hint, as Beam 2.78 rejects `-> None` here
    def process(self, element: tuple[int, dict[str, list]]):
        index, grouped = element
        (file,) = grouped["file"]
        drops = dict(grouped["drops"])
        renames = dict(grouped["renames"])
        books3 = file.path in self.books3
        items = file_books(file, books3, self.steps, self.options, _ignore, report=False)
        with part_writers(
            self.out_dir, part_name(index), self.keep_dropped, BOOKS_PER_ROW_GROUP
        ) as (kept, lost):
            for item in items:
                if isinstance(item, RecordError):
                    continue
                book, doc, dropped = item
                if book.ordinal in renames:
                    doc = dataclasses.replace(doc, id=renames[book.ordinal])
                reason = dropped.reason if dropped else None
                if reason is None and book.ordinal in drops:
                    reason = "near_duplicate"
                    doc = doc.with_meta(**drops[book.ordinal])
                    self.count(counters.dropped(reason), 1)
                if reason is None:
                    counters.count_kept(doc.text, self.count, doc.language)
                    kept.write(doc.row())
                elif lost is not None:
                    lost.write(doc.dropped_row(reason))


class BooksStage(SourceStage):
    name = NAME
    help = (
        "Gutenberg and Books3 texts -> books without the Gutenberg licence blocks, "
        "near-duplicate books (word 5-gram Jaccard >= 0.9) collapsed into the smallest id."
    )

    def enabled(self, run: RunConfig) -> bool:
        config = self.source_config(run)
        return bool(config.inputs or config.books3_inputs)

    def input_patterns(self, run: RunConfig) -> list[str]:
        config = self.source_config(run)
        return [*config.inputs, *config.books3_inputs]

    def run(self, ctx: StageContext) -> dict[str, int]:
        config: BooksConfig = self.source_config(ctx.run)
        files = self.input_files(ctx)
        books3 = frozenset(
            f.path for f in io.match_files([ctx.run.resolve(p) for p in config.books3_inputs])
        )
        options = dataclasses.replace(ctx.read_options, max_record_bytes=config.max_book_bytes)
        b, r = lsh_shape(config.lsh_threshold, config.num_perm)
        ctx.figures.update({"lsh_bands": b, "lsh_rows": r, "min_jaccard": config.min_jaccard})

        def build(p: beam.Pipeline) -> None:
            listed = p | "List files" >> beam.Create(list(enumerate(files)))
            signed = (
                listed
                | "Spread files" >> beam.Reshuffle()
                | "Sign books"
                >> beam.ParDo(SignBooksFn(config, books3, options)).with_outputs(
                    "errors", "words", main="signed"
                )
            )
            named = (
                signed.signed
                | "Key by id" >> beam.Map(lambda s: (s[0], s[1:]))
                | "Group ids" >> beam.GroupByKey()
                | "Unique ids" >> beam.FlatMap(unique_ids).with_outputs("renames", main="books")
            )
            ends = (
                named.books
                | "Candidate pairs" >> CandidatePairs(b, r, config.max_bucket_pairs)
                | "Pair ends" >> beam.FlatMap(pair_ends)
            )
            # a place (file index, ordinal) is keyed by its file as it is
            wanted = ends | "Places" >> beam.Keys() | "Distinct places" >> beam.Distinct()
            candidates = (
                {"file": listed, "want": wanted}
                | "Group wanted by file" >> beam.CoGroupByKey()
                | "Hash shingle sets"
                >> beam.ParDo(ShingleSetsFn(config, books3, options)).with_outputs(
                    "uses", main="sets"
                )
            )
            edges = (ends, candidates.sets) | "Near duplicates" >> ConfirmedPairs(
                NAME, config.min_jaccard
            )
            shares = word_shares(signed.words, candidates.uses, edges)
            paths = listed | "File paths" >> beam.Map(lambda e: (e[0], e[1].path))
            drops = edges | "Choose the copies kept" >> beam.FlatMap(
                choose_kept, shares=beam.pvalue.AsDict(shares), paths=beam.pvalue.AsDict(paths)
            )
            _ = (
                {"file": listed, "drops": drops, "renames": named.renames}
                | "Group by file" >> beam.CoGroupByKey()
                | "Write books"
                >> beam.ParDo(WriteBooksFn(config, books3, ctx.out_dir, options, ctx.keep_dropped))
            )
            _ = signed.errors | "Write errors" >> WriteErrors(ctx.out_dir)

        return run_beam(ctx, build)


STAGE = BooksStage()
command = stage_command(STAGE)
