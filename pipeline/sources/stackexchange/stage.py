"""`fleece stackexchange`: per-site Posts.xml dumps -> one Document per question.

  files ─► units (a .7z whole; a Posts.xml in byte ranges, their newlines counted first)
        ─► rows (posts.py) ─► (site, question id) -> post text (markup.py), posts per site
        ─► sites chosen from the counts (a side input) ─► group by question
        ─► the question, then its answers by numeric score (rules.py)
        ─► part-<file index>-<chunk>.parquet, in row order

The grouping carries the text of one question and its answers, keyed by (site, question
id); the site counts are one number per unit; a part holds the documents whose question
row starts in one `part_bytes` chunk of its file, so no worker holds a whole site. A part
is named by the file and the byte offset of its questions, not by how the file was split
for reading, so any `range_bytes` gives the same files, and an archive gives what its
extracted Posts.xml gives. Rows of other post types (tag wikis, ...) are dropped.post_type,
answers whose question is not in the input dropped.orphan_answer, questions of sites not
kept dropped.site.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import apache_beam as beam

from pipeline import counters, io
from pipeline.counters import BeamCounters, Count
from pipeline.documents import part_name, part_writers
from pipeline.harness import StageContext, run_beam, stage_command
from pipeline.records import ReadOptions, RecordError, report_error
from pipeline.sources.stackexchange import posts as posts_format
from pipeline.sources.stackexchange.config import StackExchangeConfig
from pipeline.sources.stackexchange.posts import ANSWER, QUESTION, Post
from pipeline.sources.stackexchange.rules import (
    Entry,
    entry_of,
    post_document,
    question_document,
    question_key,
)
from pipeline.sources.stackexchange.sites import Site, choose_sites, site_of
from pipeline.sources.stage import SourceStage, WriteErrors

NAME = "stackexchange"


class Unit(NamedTuple):
    """One reader's share of an input: a whole archive or a byte range of a Posts.xml."""

    file_index: int
    path: str
    archive: bool
    range_index: int
    start: int
    end: int


def plan_units(files: list[io.InputFile], range_bytes: int, split: bool) -> list[Unit]:
    """The units of every file: archives whole, Posts.xml in `range_bytes` ranges (whole
    when not `split`: --limit counts records from a file's start)."""
    units = []
    for index, file in enumerate(files):
        archive = file.path.lower().endswith(".7z")
        step = file.size if archive or not split else range_bytes
        starts = list(range(0, file.size, max(step, 1))) or [0]
        for r, start in enumerate(starts):
            end = starts[r + 1] if r + 1 < len(starts) else file.size
            units.append(Unit(index, file.path, archive, r, start, end))
    return units


def count_spans(units: list[Unit]) -> list[tuple[Unit, int, int]]:
    """(unit, start, end) of the bytes whose newlines give the line numbers of the ranges
    after it: range k reads from its start - 1, so the spans end there."""
    spans = []
    by_file: dict[int, list[Unit]] = {}
    for unit in units:
        if not unit.archive:
            by_file.setdefault(unit.file_index, []).append(unit)
    for ranges in by_file.values():
        for unit, following in zip(ranges, ranges[1:], strict=False):
            spans.append((unit, max(unit.start - 1, 0), following.start - 1))
    return spans


def newlines_before(unit: Unit, counts: dict[tuple[int, int], int]) -> int:
    return sum(counts[(unit.file_index, r)] for r in range(unit.range_index))


def unit_posts(
    unit: Unit, before: int, cap: int, options: ReadOptions, count: Count
) -> Iterator[Post | RecordError]:
    """The posts and (counted, logged; raised under --strict) errors of one unit."""
    if unit.range_index == 0:
        count(counters.FILES_READ, 1)
    count(counters.BYTES_READ, unit.end - unit.start)
    records = 0
    with io.open_read(unit.path) as stream:
        if unit.archive:
            items = posts_format.read_archive(stream, unit.path, cap)
        else:
            items = posts_format.read_range(stream, unit.path, cap, unit.start, unit.end, before)
        for item in items:
            records += 1
            if isinstance(item, RecordError):
                report_error(item, options.strict, count)
            else:
                count(counters.READ, 1)
            yield item
            if options.limit is not None and records >= options.limit:
                return


PartKey = tuple[int, int]  # (file index, chunk of part_bytes)
PartRow = tuple[int, int, bool, dict]  # (offset, post id, dropped?, row)


def part_of(where: tuple[int, int], part_bytes: int) -> PartKey:
    return where[0], where[1] // part_bytes


class CountNewlinesFn(beam.DoFn):
    def process(self, element: tuple[Unit, int, int]) -> Iterator[tuple[tuple[int, int], int]]:
        unit, start, end = element
        with io.open_read(unit.path) as stream:
            yield (
                (unit.file_index, unit.range_index),
                posts_format.count_newlines(stream, start, end),
            )


class ReadPostsFn(beam.DoFn):
    """One unit's rows: ((site, question id), (site, entry)) of questions and answers, and
    tagged outputs: errors, (site, posts) once per unit, dropped rows of other types."""

    def __init__(self, config: StackExchangeConfig, options: ReadOptions, keep: bool) -> None:
        self.config, self.options, self.keep_dropped = config, options, keep
        self.count = BeamCounters(NAME)

    def process(self, unit: Unit, counts: dict[tuple[int, int], int]) -> Iterator[Any]:
        site = site_of(unit.path)
        if self.config.sites and site.name not in self.config.sites:
            if unit.range_index == 0:
                self.count("files.skipped", 1)
            return
        posts = 0
        before = newlines_before(unit, counts)
        for item in unit_posts(unit, before, self.config.max_row_bytes, self.options, self.count):
            if isinstance(item, RecordError):
                yield beam.pvalue.TaggedOutput("errors", item.row())
                continue
            posts += 1
            entry = entry_of(item, unit.file_index, self.config.link_urls)
            if item.type in (QUESTION, ANSWER):
                yield (site.name, question_key(item)), (site, entry)
                continue
            self.count(counters.dropped("post_type"), 1)
            if self.keep_dropped:
                part = part_of(entry.where, self.config.part_bytes)
                row = post_document(site, entry).dropped_row("post_type")
                yield beam.pvalue.TaggedOutput(
                    "dropped", (part, (entry.where[1], entry.id, True, row))
                )
        yield beam.pvalue.TaggedOutput("posts", (site.name, posts))


class KeepSitesFn(beam.DoFn):
    """Posts of the chosen sites go on; a question of another site is dropped.site."""

    def __init__(self, part_bytes: int, keep_dropped: bool) -> None:
        self.part_bytes, self.keep_dropped = part_bytes, keep_dropped
        self.count = BeamCounters(NAME)

    def process(self, element: tuple, chosen: frozenset) -> Iterator[Any]:
        (name, _), (site, entry) = element
        if name in chosen:
            yield element
        elif entry.type == QUESTION:
            self.count(counters.dropped("site"), 1)
            if self.keep_dropped:
                row = post_document(site, entry).dropped_row("site")
                part = part_of(entry.where, self.part_bytes)
                yield beam.pvalue.TaggedOutput(
                    "dropped", (part, (entry.where[1], entry.id, True, row))
                )


class BuildDocumentsFn(beam.DoFn):
    def __init__(self, part_bytes: int, keep_dropped: bool) -> None:
        self.part_bytes, self.keep_dropped = part_bytes, keep_dropped
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[Any, Iterable[tuple[Site, Entry]]]) -> Iterator[Any]:
        _, grouped = element
        grouped = list(grouped)
        site = grouped[0][0]
        entries = [entry for _, entry in grouped]
        doc, dropped = question_document(site, entries, self.count)
        where = {e.id: e.where for e in entries}
        if doc is not None:
            at = where[doc.meta["question_id"]]
            yield part_of(at, self.part_bytes), (at[1], doc.meta["question_id"], False, doc.row())
        if self.keep_dropped:
            for lost, reason in dropped:
                at = where[lost.meta["post_id"]]
                row = lost.dropped_row(reason)
                yield part_of(at, self.part_bytes), (at[1], lost.meta["post_id"], True, row)


class WritePartFn(beam.DoFn):
    """One part: its documents (and dropped rows) in the order of their rows in the file."""

    def __init__(self, out_dir: str, keep_dropped: bool) -> None:
        self.out_dir, self.keep_dropped = out_dir, keep_dropped
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[PartKey, Iterable[PartRow]]) -> None:
        (file_index, chunk), rows = element
        name = part_name(chunk, prefix=f"part-{file_index:05d}")
        with part_writers(self.out_dir, name, self.keep_dropped) as (documents, lost):
            for _, _, dropped, row in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
                if not dropped:
                    counters.count_kept(row["text"], self.count)
                    documents.write(row)
                elif lost is not None:
                    lost.write(row)


class StackExchangeStage(SourceStage):
    name = NAME
    help = (
        "StackExchange Posts.xml dumps (.7z or extracted) -> each question with its answers "
        "by score as text, from the largest sites (LLaMA's recipe)."
    )

    def run(self, ctx: StageContext) -> dict[str, int]:
        config: StackExchangeConfig = self.source_config(ctx.run)
        files = self.input_files(ctx)
        units = plan_units(files, config.range_bytes, split=ctx.limit is None)
        options = ctx.read_options
        keep = ctx.keep_dropped

        def build(p: beam.Pipeline) -> None:
            counted = (
                p
                | "List spans" >> beam.Create(count_spans(units))
                | "Spread spans" >> beam.Reshuffle()
                | "Count newlines" >> beam.ParDo(CountNewlinesFn())
            )
            read = (
                p
                | "List units" >> beam.Create(units)
                | "Spread units" >> beam.Reshuffle()
                | "Read posts"
                >> beam.ParDo(
                    ReadPostsFn(config, options, keep), beam.pvalue.AsDict(counted)
                ).with_outputs("errors", "posts", "dropped", main="entries")
            )
            chosen = (
                read.posts
                | "Posts per site" >> beam.CombinePerKey(sum)
                | "All sites" >> beam.combiners.ToList()
                | "Choose sites"
                >> beam.Map(lambda sizes: choose_sites(dict(sizes), config.sites, config.max_sites))
            )
            kept = read.entries | "Keep chosen sites" >> beam.ParDo(
                KeepSitesFn(config.part_bytes, keep), beam.pvalue.AsSingleton(chosen)
            ).with_outputs("dropped", main="kept")
            documents = (
                kept.kept
                | "Group by question" >> beam.GroupByKey()
                | "Build documents" >> beam.ParDo(BuildDocumentsFn(config.part_bytes, keep))
            )
            _ = (
                (documents, read.dropped, kept.dropped)
                | "All rows" >> beam.Flatten()
                | "Group by part" >> beam.GroupByKey()
                | "Write parts" >> beam.ParDo(WritePartFn(ctx.out_dir, keep))
            )
            _ = read.errors | "Write errors" >> WriteErrors(ctx.out_dir)

        return run_beam(ctx, build)


STAGE = StackExchangeStage()
command = stage_command(STAGE)
