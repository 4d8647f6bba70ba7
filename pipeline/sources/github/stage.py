"""`fleece github`: BigQuery github_repos JSONL exports -> source files as Documents.

  files ─► pass 1 (per file): rows ─► rules ─► (content hash, id, key) ─► smallest id per
        hash ─► survivors by file ─► pass 2 (per file, read again): the survivors' lines
        parsed, their licence header removed ─► part-<file index>.parquet, in row order

Per row: licence, extension, licence files (LICENSE.md), the leading licence comment
removed, empty, line lengths, the alphanumeric share and alphabetic characters per token
(rules.py), then exact dedup on the content as kept (after the header went) across all
input files, the smallest id kept. Only hashes and keys are grouped, never file contents;
each part holds one input file's rows.
Pass 2 runs the rules again only under --keep-dropped, to give each dropped row its reason.

Resume (harness/groups.py): over more than `commit_files` input files, pass 1 and pass 2
commit per group of files; a rerun reads only the groups not yet committed. The dedup
depends on every file's hashes: it is redone from the hashes pass 1 stored (no input file is
read) unless it was committed too.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from pipeline import counters, io
from pipeline.counters import BeamCounters, Count
from pipeline.documents import Document, part_name, part_writers
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.groups import GroupedRun
from pipeline.harness.source import SourceStage, WriteErrors
from pipeline.harness.stage import StageContext
from pipeline.records import ReadOptions, RecordError, read_records
from pipeline.rules.document import NotEmpty, configured_rules
from pipeline.sources.github.config import GithubConfig
from pipeline.sources.github.jsonl import GithubRow, read_github
from pipeline.sources.github.rules import (
    DropLicenceFiles,
    KeepExtensions,
    KeepLicenses,
    MaxLineLength,
    MeanLineLength,
    MinAlphanumericFraction,
    MinAlphaPerToken,
    StripLicenceHeader,
    file_language,
)
from pipeline.steps import Dropped, Step, run_steps

NAME = "github"
RowKey = tuple[str, tuple[int, int, bool]]  # (id, (file index, line, header stripped))


def row_steps(config: GithubConfig) -> list[Step]:
    steps: list[Step] = [
        KeepLicenses(frozenset(config.licenses)),
        KeepExtensions(frozenset(config.extensions), frozenset(config.filenames)),
        DropLicenceFiles(frozenset(stem.lower() for stem in config.licence_files)),
    ]
    if config.strip_licence_headers:
        steps.append(StripLicenceHeader())
    return steps + [
        # a file that was only its licence header: `empty`, not a misleading `alnum`
        NotEmpty(),
        MaxLineLength(config.max_line_length),
        MeanLineLength(config.max_mean_line_length),
        MinAlphanumericFraction(config.min_alphanumeric_fraction),
        MinAlphaPerToken(config.min_alpha_per_token),
        # last: the text is final once the header went, and the dedup compares only the
        # rows that pass them
        *configured_rules(config.rules),
    ]


def row_document(row: GithubRow) -> Document:
    return Document(
        id=row.id,
        source=NAME,
        text=row.content,
        meta={
            **row.extra,
            "license": row.license,
            "repo_name": row.repo_name,
            "path": row.path,
            "language": file_language(row.path),
        },
    )


def content_hash(text: str) -> bytes:
    """128 bits: at GitHub's 10^8 files a 64-bit hash would likely merge two files somewhere."""
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def file_rows(
    file: io.InputFile, steps: list[Step], options: ReadOptions, count: Count
) -> Iterator[RecordError | tuple[GithubRow, Document, Dropped | None]]:
    """Per line: its error, or (the row, its document after the rules, the Dropped or None)."""
    for item in read_records(file, read_github, options, count):
        if isinstance(item, RecordError):
            yield item
        elif isinstance(item, GithubRow):
            doc, dropped = run_steps(row_document(item), steps, count)
            yield item, doc, dropped


def _ignore(name: str, n: int = 1) -> None:
    """Counts of a second read, which pass 1 already made."""


class HashRowsFn(io.StoreFn):
    """Pass 1 over one file: its errors, and (content hash, (id, key)) of each row the rules
    keep. The key is (file index, line, whether a licence header went): pass 2 looks for a
    header only where pass 1 found one."""

    def __init__(self, config: GithubConfig, options: ReadOptions) -> None:
        super().__init__()
        self.steps, self.options = row_steps(config), options
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[int, io.InputFile]) -> Iterator[Any]:
        index, file = element
        for item in file_rows(file, self.steps, self.options, self.count):
            if isinstance(item, RecordError):
                yield beam.pvalue.TaggedOutput("errors", item.row())
                continue
            row, doc, dropped = item
            if dropped is None:
                header = doc.meta.get("licence_header", False)
                yield content_hash(doc.text), (doc.id, (index, row.line, header))


class WriteRowsFn(io.StoreFn):
    """Pass 2 over one file: the rows that survive the rules and the dedup, in file order."""

    def __init__(
        self, config: GithubConfig, out_dir: str, options: ReadOptions, keep_dropped: bool
    ) -> None:
        super().__init__()
        self.steps, self.out_dir, self.options = row_steps(config), out_dir, options
        self.keep_dropped, self.strip_headers = keep_dropped, config.strip_licence_headers
        self.count = BeamCounters(NAME)

    # writes parts and emits nothing; no return hint, as Beam 2.78 rejects `-> None` here
    def process(self, element: tuple[int, dict[str, list]]):
        index, grouped = element
        (file,) = grouped["file"]
        keep = dict(grouped["keep"])  # line -> whether its licence header goes
        # pass 1 judged every row: only the survivors are parsed again (and, for
        # --keep-dropped, the others, to give their reasons); a survivor needs its header gone
        reader = read_github if self.keep_dropped else functools.partial(read_github, only=keep)
        rows = read_records(file, reader, self.options, _ignore, report=False)
        with part_writers(self.out_dir, part_name(index), self.keep_dropped) as (documents, lost):
            for row in rows:
                if not isinstance(row, GithubRow):
                    continue
                if row.line in keep:
                    doc = kept_document(row, self.strip_headers and keep[row.line])
                    counters.count_kept(doc.text, self.count, doc.language)
                    documents.write(doc.row())
                    continue
                doc, dropped = run_steps(row_document(row), self.steps, _ignore)
                assert lost is not None  # only --keep-dropped parses the other rows
                # a row that passed the rules has another's content: counted by CountDuplicatesFn
                lost.write(doc.dropped_row(dropped.reason if dropped else "duplicate"))


def kept_document(row: GithubRow, strip_headers: bool) -> Document:
    """The document of a row that passed every rule: the filters leave it as it is, so only
    the header removal acts."""
    doc = row_document(row)
    return StripLicenceHeader()(doc) if strip_headers else doc


def file_verdicts(rows: beam.PCollection, listed: beam.PCollection) -> beam.PCollection:
    """(content hash, (id, key)) of pass 1 and the listed (index, file) -> per file index
    {"file": [file], "keep": [(line, header stripped) of its rows kept]}."""
    survivors = (
        rows
        | "Smallest id per content" >> beam.CombinePerKey(SmallestRow())
        | "Count duplicates" >> beam.ParDo(CountDuplicatesFn())
    )
    return {"file": listed, "keep": survivors} | "Group by file" >> beam.CoGroupByKey()


class GithubStage(SourceStage):
    name = NAME
    resumable = True
    help = (
        "BigQuery github_repos JSONL exports -> source files under MIT, BSD or Apache licences, "
        "of code extensions, without licence headers, quality-filtered and deduplicated "
        "(RedPajama v1's rules)."
    )

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = self.source_config(ctx.run)
        files = self.input_files(ctx)
        options = dataclasses.replace(ctx.read_options, max_record_bytes=config.max_row_bytes)
        if len(files) > config.commit_files:
            grouped = GroupedRun(ctx, files, config.commit_files)
            counts = grouped.run(
                HashRowsFn(config, options),
                file_verdicts,
                WriteRowsFn(config, ctx.out_dir, options, ctx.keep_dropped),
            )
            ctx.resumed = grouped.summary()
            return counts

        def build(p: beam.Pipeline) -> None:
            listed = p | "List files" >> beam.Create(list(enumerate(files)))
            hashed = (
                listed
                | "Spread files" >> beam.Reshuffle()
                | "Hash rows"
                >> beam.ParDo(HashRowsFn(config, options)).with_outputs("errors", main="rows")
            )
            _ = file_verdicts(hashed.rows, listed) | "Write rows" >> beam.ParDo(
                WriteRowsFn(config, ctx.out_dir, options, ctx.keep_dropped)
            )
            _ = hashed.errors | "Write errors" >> WriteErrors(ctx.out_dir)

        return run_beam(ctx, build)


Smallest = tuple[RowKey | None, int]  # the smallest (id, key) of a content, and its rows


class SmallestRow(beam.CombineFn):
    """Per content hash: the smallest (id, key) and how many rows have that content, in
    constant memory per hash."""

    def create_accumulator(self) -> Smallest:
        return None, 0

    def add_input(self, acc: Smallest, row: RowKey) -> Smallest:
        best, n = acc
        return (row if best is None else min(best, row)), n + 1

    def merge_accumulators(self, accumulators: Iterable[Smallest]) -> Smallest:
        accumulators = list(accumulators)
        present = [best for best, _ in accumulators if best is not None]
        return (min(present) if present else None), sum(n for _, n in accumulators)

    def extract_output(self, acc: Smallest) -> Smallest:
        return acc


class CountDuplicatesFn(beam.DoFn):
    """Counts dropped.duplicate (every row of a content but its smallest), whether or not
    the dropped rows are written, and passes on (file index, (line, header stripped)) of the
    row kept."""

    def __init__(self) -> None:
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[bytes, Smallest]) -> Iterator[tuple[int, tuple]]:
        _, (best, rows) = element
        if rows > 1:
            self.count(counters.dropped("duplicate"), rows - 1)
        _, key = best
        yield key[0], key[1:]


STAGE = GithubStage()
command = stage_command(STAGE)
