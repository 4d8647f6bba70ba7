"""`fleece arxiv`: arXiv bulk source tarballs -> one cleaned LaTeX paper per Document.

  tarballs ─► pass 1 (per tarball): member names only ─► (paper id, (version, tarball name,
        tarball index, member index)) ─► the latest per id ─► winners by tarball ─► pass 2
        (per tarball, read again): each winner inflated in memory and cleaned (paper.py) ─►
        part-<tarball index>.parquet, in member order

The same paper in several tarballs (or twice in one) keeps its latest copy: the highest
version its member name carries, then the tarball whose file name sorts last, then the
later member. Only ids and positions are grouped, never paper contents; pass 1 reads tar
headers and skips member data unread. Errors of the tar itself (truncation, unknown names,
members over the size limit) are reported by pass 1; those of a member's content (corrupt
gzip, over the decompressed cap, refused entries) by pass 2, for the members it cleans.
Nothing is extracted to disk: papers live in memory, capped (tarball.py).
"""

from __future__ import annotations

import dataclasses
import functools
import posixpath
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from pipeline import counters, io
from pipeline.counters import BeamCounters
from pipeline.documents import part_name, part_writers
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.source import SourceStage, WriteErrors
from pipeline.harness.stage import StageContext
from pipeline.readers.tar import Fault
from pipeline.records import (
    ReadOptions,
    RecordError,
    RecordWarning,
    read_records,
    report_error,
    report_warning,
)
from pipeline.sources.arxiv.config import ArxivConfig
from pipeline.sources.arxiv.paper import NAME, Outcome, paper_steps, process_member
from pipeline.sources.arxiv.tarball import ArxivMember, read_tarball

# (version, tarball file name, tarball index, member index): the largest is the latest
Copy = tuple[int, str, int, int]


def _ignore(name: str, n: int = 1) -> None:
    """Counts of a second read, which pass 1 already made."""


def fault_error(tarball: str, member: ArxivMember, fault: Fault) -> RecordError:
    where = member.where + (f" entry {fault.entry!r}" if fault.entry is not None else "")
    return RecordError(tarball, where, fault.reason, fault.message)


class ListMembersFn(io.StoreFn):
    """Pass 1 over one tarball: its errors, and (id, copy) of each paper member."""

    def __init__(self, options: ReadOptions) -> None:
        super().__init__()
        self.options = options
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[int, io.InputFile]) -> Iterator[Any]:
        index, file = element
        tarball = posixpath.basename(file.path)
        reader = functools.partial(read_tarball, with_data=False)
        for item in read_records(file, reader, self.options, self.count):
            if isinstance(item, RecordError):
                yield beam.pvalue.TaggedOutput("errors", item.row())
            elif isinstance(item, ArxivMember):
                yield item.id, (item.version, tarball, index, item.index)


class WritePapersFn(io.StoreFn):
    """Pass 2 over one tarball: the latest copy of each paper in it, cleaned, in member
    order; with --keep-dropped the others too, with their reason."""

    def __init__(
        self, config: ArxivConfig, out_dir: str, options: ReadOptions, keep_dropped: bool
    ) -> None:
        super().__init__()
        self.config, self.out_dir, self.options = config, out_dir, options
        self.keep_dropped = keep_dropped
        self.steps = paper_steps(config)
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[int, dict[str, list]]) -> Iterator[Any]:
        index, grouped = element
        (file,) = grouped["file"]
        latest = set(grouped["keep"])  # member indexes
        tarball = posixpath.basename(file.path)
        members = read_records(file, read_tarball, self.options, _ignore, report=False)
        with part_writers(self.out_dir, part_name(index), self.keep_dropped) as (documents, lost):
            for member in members:
                if not isinstance(member, ArxivMember):
                    continue
                if member.index not in latest:
                    self.count(counters.dropped("duplicate"), 1)
                    if lost is not None:  # cleaned only to show what went
                        outcome = process_member(member, tarball, self.config, self.steps, _ignore)
                        if outcome.document is not None:
                            lost.write(outcome.document.dropped_row("duplicate"))
                    continue
                outcome = process_member(member, tarball, self.config, self.steps, self.count)
                yield from self.report(file.path, member, outcome)
                if outcome.document is None:
                    continue
                if outcome.dropped is None:
                    counters.count_kept(
                        outcome.document.text, self.count, outcome.document.language
                    )
                    documents.write(outcome.document.row())
                elif lost is not None:
                    lost.write(outcome.document.dropped_row(outcome.dropped.reason))

    def report(self, path: str, member: ArxivMember, outcome: Outcome) -> Iterator[Any]:
        """A member that could not be read is an error (a row of errors/); faults of some of
        its entries, the paper read without them, are warnings: the record is not lost."""
        for fault in outcome.faults:
            error = fault_error(path, member, fault)
            if outcome.document is not None:
                warning = RecordWarning(error.file, error.record, error.reason, error.message)
                report_warning(warning, self.count)
                continue
            report_error(error, self.options.strict, self.count)
            yield beam.pvalue.TaggedOutput("errors", error.row())


class LatestCopy(beam.CombineFn):
    """Per paper id: the latest copy, in constant memory per id."""

    def create_accumulator(self) -> Copy | None:
        return None

    def add_input(self, best: Copy | None, copy: Copy) -> Copy:
        return copy if best is None else max(best, copy)

    def merge_accumulators(self, accumulators: Iterable[Copy | None]) -> Copy | None:
        present = [a for a in accumulators if a is not None]
        return max(present) if present else None

    def extract_output(self, best: Copy | None) -> Copy | None:
        return best


class ArxivStage(SourceStage):
    name = NAME
    help = (
        "arXiv bulk source tarballs -> one document per paper: its main LaTeX file with "
        "includes inlined, user macros expanded, comments, preamble, bibliography and "
        "appendix removed (RedPajama v1's cleaner, its bugs fixed)."
    )

    def run(self, ctx: StageContext) -> dict[str, int]:
        config: ArxivConfig = self.source_config(ctx.run)
        files = self.input_files(ctx)
        options = dataclasses.replace(ctx.read_options, max_record_bytes=config.max_member_bytes)

        def build(p: beam.Pipeline) -> None:
            listed = p | "List tarballs" >> beam.Create(list(enumerate(files)))
            members = (
                listed
                | "Spread tarballs" >> beam.Reshuffle()
                | "List members"
                >> beam.ParDo(ListMembersFn(options)).with_outputs("errors", main="members")
            )
            latest = (
                members.members
                | "Latest copy per paper" >> beam.CombinePerKey(LatestCopy())
                # (tarball index, member index) of each paper's latest copy
                | "By tarball" >> beam.Map(lambda kv: (kv[1][2], kv[1][3]))
            )
            written = (
                {"file": listed, "keep": latest}
                | "Group by tarball" >> beam.CoGroupByKey()
                | "Spread groups" >> beam.Reshuffle()
                | "Write papers"
                >> beam.ParDo(
                    WritePapersFn(config, ctx.out_dir, options, ctx.keep_dropped)
                ).with_outputs("errors", main="done")
            )
            _ = (
                (members.errors, written.errors)
                | "All errors" >> beam.Flatten()
                | "Write errors" >> WriteErrors(ctx.out_dir)
            )

        return run_beam(ctx, build)


STAGE = ArxivStage()
command = stage_command(STAGE)
