"""`fleece stackexchange`: per-site Posts.xml dumps -> one Document per question.

  files ─► units (a .7z whole; a Posts.xml in byte ranges, their newlines counted first)
        ─► rows (posts.py) ─► post text (markup.py) staged per unit under _posts/ (staging.py);
           (site, question id) -> a ref to it (type, id, score, where), posts per site
        ─► sites chosen from the counts (a side input) ─► group by question (refs)
        ─► the plan: the question, then its answers by numeric score (rules.py)
        ─► group by part (plans) ─► the texts read back by ref
        ─► part-<file index>-<chunk>.parquet, in row order; _posts/ deleted

The groupings carry no text: the one by question holds a ref of a few numbers per post of
one question, keyed by (site, question id); the one by part holds the plans (refs in the
order written) of the documents whose question row starts in one `part_bytes` chunk of its
file, and the part's writer reads their texts back from the staged streams, so no worker
holds a site, or a grouped input's share of all the text. The site counts are one number
per unit. A part is named by the file and the byte offset of its questions, not by how the
file was split for reading, so any `range_bytes` gives the same files, and an archive gives
what its extracted Posts.xml gives. Rows of other post types (tag wikis, ...) are
dropped.post_type, answers whose question is not in the input dropped.orphan_answer,
posts of sites not kept dropped.site, and an answer folded into its question's document
merged.answer (read = kept + dropped.* + errors.* + merged.*: one row, one of them).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import apache_beam as beam

from pipeline import counters, io
from pipeline.counters import BeamCounters, Count
from pipeline.documents import part_name, part_writers
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.source import SourceStage, WriteErrors
from pipeline.harness.stage import StageContext
from pipeline.records import ReadOptions, RecordError, count_record
from pipeline.rules.document import configured_rules
from pipeline.sources.stackexchange import posts as posts_format
from pipeline.sources.stackexchange.config import StackExchangeConfig
from pipeline.sources.stackexchange.posts import ANSWER, QUESTION, Post
from pipeline.sources.stackexchange.rules import (
    document_of,
    entry_of,
    plan_question,
    post_document,
    question_key,
)
from pipeline.sources.stackexchange.sites import Site, choose_sites, site_of
from pipeline.sources.stackexchange.staging import FOLDER as STAGING
from pipeline.sources.stackexchange.staging import Ref, StagedReader, StagedWriter
from pipeline.steps import Dropped, Step, apply_steps

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
    count(counters.BYTES_STORED, unit.end - unit.start)
    records = 0
    with io.open_read(unit.path) as stream:
        if unit.archive:
            items = posts_format.read_archive(stream, unit.path, cap)
        else:
            items = posts_format.read_range(stream, unit.path, cap, unit.start, unit.end, before)
        for item in items:
            records += 1
            count_record(item, options.strict, count)
            yield item
            if options.limit is not None and records >= options.limit:
                return


PartKey = tuple[int, int]  # (file index, chunk of part_bytes)
RefTuple = tuple  # a staging.Ref as a plain tuple: Beam codes it without pickling
# (offset of the row, post id, dropped?, plan): a document's plan is (question, answers),
# a dropped row's (reason, post), each post a RefTuple
PartRow = tuple[int, int, bool, tuple]


def part_of(where: tuple[int, int], part_bytes: int) -> PartKey:
    return where[0], where[1] // part_bytes


class CountNewlinesFn(io.StoreFn):
    def process(self, element: tuple[Unit, int, int]) -> Iterator[tuple[tuple[int, int], int]]:
        unit, start, end = element
        with io.open_read(unit.path) as stream:
            yield (
                (unit.file_index, unit.range_index),
                posts_format.count_newlines(stream, start, end),
            )


class ReadPostsFn(io.StoreFn):
    """One unit's rows, their entries (text, not HTML) staged in the unit's stream:
    ((site, question id), ref) of questions and answers, and tagged outputs: errors,
    (site, posts) once per unit, the plans of dropped rows of other types.

    Text is staged, not grouped: on the DirectRunner a grouped input reaches each worker
    as one bundle of about its share of everything, so text through a GroupByKey made a
    worker's peak RSS grow with the input (staging.py has the figures)."""

    def __init__(
        self, config: StackExchangeConfig, options: ReadOptions, keep: bool, out_dir: str
    ) -> None:
        super().__init__()
        self.config, self.options, self.keep_dropped = config, options, keep
        self.out_dir = out_dir
        self.count = BeamCounters(NAME)

    def process(self, unit: Unit, counts: dict[tuple[int, int], int]) -> Iterator[Any]:
        site = site_of(unit.path)
        if self.config.sites and site.name not in self.config.sites:
            if unit.range_index == 0:
                self.count("files.skipped", 1)
            return
        posts = 0
        before = newlines_before(unit, counts)
        cap = self.config.max_row_bytes
        with StagedWriter(self.out_dir, unit.file_index, unit.range_index) as staged:
            for item in unit_posts(unit, before, cap, self.options, self.count):
                if isinstance(item, RecordError):
                    yield beam.pvalue.TaggedOutput("errors", item.row())
                    continue
                posts += 1
                if item.type in (QUESTION, ANSWER):
                    ref = staged.write(entry_of(item, unit.file_index, self.config.link_urls))
                    yield (site.name, question_key(item)), tuple(ref)
                    continue
                self.count(counters.dropped("post_type"), 1)
                if self.keep_dropped:
                    ref = staged.write(entry_of(item, unit.file_index, self.config.link_urls))
                    part = part_of(ref.where, self.config.part_bytes)
                    plan = ("post_type", tuple(ref))
                    yield beam.pvalue.TaggedOutput(
                        "dropped", (part, (ref.where[1], ref.id, True, plan))
                    )
        yield beam.pvalue.TaggedOutput("posts", (site.name, posts))


class KeepSitesFn(beam.DoFn):
    """Posts of the chosen sites go on; a question or answer of another site is
    dropped.site."""

    def __init__(self, part_bytes: int, keep_dropped: bool) -> None:
        self.part_bytes, self.keep_dropped = part_bytes, keep_dropped
        self.count = BeamCounters(NAME)

    def process(
        self, element: tuple[tuple[str, int], RefTuple], chosen: frozenset
    ) -> Iterator[Any]:
        (name, _), ref = element
        if name in chosen:
            yield element
        else:  # every row of the site, its answers too: each is a record read
            self.count(counters.dropped("site"), 1)
            if self.keep_dropped:
                post = Ref(*ref)
                part = part_of(post.where, self.part_bytes)
                yield beam.pvalue.TaggedOutput(
                    "dropped", (part, (post.where[1], post.id, True, ("site", ref)))
                )


class PlanDocumentsFn(beam.DoFn):
    """The refs of one question -> the plan of its document (or of its orphans' rows)."""

    def __init__(self, part_bytes: int, keep_dropped: bool) -> None:
        self.part_bytes, self.keep_dropped = part_bytes, keep_dropped
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[Any, Iterable[RefTuple]]) -> Iterator[Any]:
        _, grouped = element
        question, answers = plan_question((Ref(*r) for r in grouped), self.count)
        if question is not None:
            plan = (tuple(question), tuple(tuple(a) for a in answers))
            at = question.where
            yield part_of(at, self.part_bytes), (at[1], question.id, False, plan)
        elif self.keep_dropped:
            for lost in answers:
                at = lost.where
                plan = ("orphan_answer", tuple(lost))
                yield part_of(at, self.part_bytes), (at[1], lost.id, True, plan)


class WritePartFn(io.StoreFn):
    """One part: its documents (and dropped rows) in the order of their rows in the file,
    their texts read back from the staged streams; each document through `rules` (the
    generic ones the manifest switches on) just before it is written."""

    def __init__(
        self, out_dir: str, keep_dropped: bool, sites: dict[int, Site], rules: list[Step]
    ) -> None:
        super().__init__()
        self.out_dir, self.keep_dropped, self.sites = out_dir, keep_dropped, sites
        self.rules = rules
        self.count = BeamCounters(NAME)

    # writes parts and emits nothing; no return hint, as Beam 2.78 rejects `-> None` here
    def process(self, element: tuple[PartKey, Iterable[PartRow]]):
        (file_index, chunk), rows = element
        name = part_name(chunk, prefix=f"part-{file_index:05d}")
        with (
            StagedReader(self.out_dir) as staged,
            part_writers(self.out_dir, name, self.keep_dropped) as (documents, lost),
        ):
            for _, _, dropped, plan in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
                if not dropped:
                    question = staged.entry(Ref(*plan[0]))
                    answers = [staged.entry(Ref(*a)) for a in plan[1]]
                    doc = document_of(self.sites[question.where[0]], question, answers)
                    final = apply_steps(doc, self.rules, self.count)
                    if isinstance(final, Dropped):
                        if lost is not None:
                            lost.write(doc.dropped_row(final.reason))
                        continue
                    counters.count_kept(final.text, self.count, final.language)
                    documents.write(final.row())
                elif lost is not None:
                    reason, ref = plan
                    entry = staged.entry(Ref(*ref))
                    site = self.sites[entry.where[0]]
                    lost.write(post_document(site, entry).dropped_row(reason))


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
        sites = {unit.file_index: site_of(unit.path) for unit in units}
        rules = configured_rules(config.rules)

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
                    ReadPostsFn(config, options, keep, ctx.out_dir), beam.pvalue.AsDict(counted)
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
                | "Plan documents" >> beam.ParDo(PlanDocumentsFn(config.part_bytes, keep))
            )
            _ = (
                (documents, read.dropped, kept.dropped)
                | "All rows" >> beam.Flatten()
                | "Group by part" >> beam.GroupByKey()
                | "Write parts" >> beam.ParDo(WritePartFn(ctx.out_dir, keep, sites, rules))
            )
            _ = read.errors | "Write errors" >> WriteErrors(ctx.out_dir)

        counts = run_beam(ctx, build)
        io.remove_tree(io.join(ctx.out_dir, STAGING))
        return counts


STAGE = StackExchangeStage()
command = stage_command(STAGE)
