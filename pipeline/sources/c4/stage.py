"""`fleece c4`: raw Common Crawl WET cleaned as C4 was, and an already-built C4 read as is.

  raw WET ─► pass 1 (per file): length bounds, line and page rules (rules.py), English
        (lid.176) ─► the file's cleaned pages staged (staging.py), and per page
        (normalised URL, id, key, line or span hashes), no text
        └─► URL dedup (smallest id per URL) ─► line (or span) dedup: one owner per
            line, the first page in input order ─► per file: survivors + duplicates ─►
            pass 2 (per file, its staged pages): duplicates removed, ≥ min_sentences
            left? ─► generic rules ─► part-<file index>.parquet, in record order
  built c4-*.json.gz ─► per file ─► generic rules ─► part-<raw files + file index>.parquet

C4's Beam graph grouped whole pages by URL and lines by page; here only hashes and keys
are grouped (the line dedup of pipeline/dedup/lines.py), so a worker holds one page at
a time whatever the crawl's size. URL dedup runs on the pages that pass the rules (C4 kept
an arbitrary copy of a URL before cleaning, so a clean copy could lose to a junk one).
Language ID runs before dedup, so a page dropped for its language owns no line. The
generic rules the manifest switches on (`sources.c4.rules`) judge each final document,
raw or built, just before it is written.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator
from typing import Any

import apache_beam as beam

from pipeline import counters, io
from pipeline.config import RunConfig
from pipeline.counters import BeamCounters, Count
from pipeline.dedup.lines import (
    LineDedup,
    PageHashes,
    PageKey,
    distinct_line_hashes,
    file_notices,
    remove_lines,
)
from pipeline.documents import Document, part_name, part_writers
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.source import SourceStage, WriteErrors
from pipeline.harness.stage import StageCannotRun, StageContext
from pipeline.readers.wet import WetPage, read_wet
from pipeline.records import ReadOptions, RecordError, read_records
from pipeline.rules.document import configured_rules
from pipeline.signals.language import LanguageIdentifier
from pipeline.sources.c4.built import BuiltRow, read_built
from pipeline.sources.c4.config import C4Config
from pipeline.sources.c4.rules import (
    CleanedPage,
    badwords_pattern,
    clean_page,
    page_sentences,
    read_badwords,
)
from pipeline.sources.c4.spans import distinct_span_hashes, remove_spans
from pipeline.sources.c4.staging import FOLDER as STAGING
from pipeline.sources.c4.staging import StagedPage, StagedWriter, read_staged, staged_path
from pipeline.steps import run_steps
from pipeline.text.urls import normalize_url

NAME = "c4"
ENGLISH = "en"
DEDUP_REASONS = {"lines": "line_dedup", "spans": "span_dedup"}


def page_id(page: WetPage | StagedPage) -> str:
    """`c4/<dump>/<record uuid>`."""
    return f"c4/{page.dump or 'unknown'}/{page.record_id}"


def raw_document(page: StagedPage, text: str) -> Document:
    """A raw page as a row: its language is the one lid.176 found (None: not reached) and its
    meta holds the signals computed before a rule judged it, so a dropped row shows them."""
    return Document(
        id=page_id(page),
        source=NAME,
        text=text,
        url=page.url,
        language=page.language,
        meta={"dump": page.dump, "date": page.date, "digest": page.digest, **page_signals(page)},
    )


def page_signals(page: StagedPage) -> dict[str, Any]:
    """`lang_score` (of the language found) and `lines_removed` (by the line rules), each
    where its step was reached."""
    signals = {"lang_score": page.score, "lines_removed": page.lines_removed}
    return {name: value for name, value in signals.items() if value is not None}


def built_document(row: BuiltRow) -> Document:
    return Document(
        id=row.id, source=NAME, text=row.text, url=row.url, language=ENGLISH,
        meta={"timestamp": row.timestamp},
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class Judged:
    """A raw page through the rules: what is left of it, the language lid.176 found and its
    score (None: not reached), and the reason it goes (None: it reaches dedup)."""

    cleaned: CleanedPage | None
    language: str | None
    score: float | None
    dropped: str | None


class PageRules:
    """C4's rules on one raw page, with the bad words and language model loaded once."""

    def __init__(self, config: C4Config, badwords: list[str], local_dir: str) -> None:
        self.config = config
        self.badwords: re.Pattern[str] | None = badwords_pattern(badwords)
        model = io.local_copy(config.lid_model, local_dir) if config.lid_model else None
        self.identifier = LanguageIdentifier(model)

    def clean(self, page: WetPage) -> CleanedPage:
        return clean_page(page.text, self.config, self.badwords)

    def judge(self, page: WetPage, count: Count) -> Judged:
        config = self.config
        if not config.min_page_chars <= len(page.text) <= config.max_page_chars:
            return Judged(None, None, None, "length")
        cleaned = self.clean(page)
        for reason, n in cleaned.lines_removed.items():
            count(f"lines.{reason}", n)
        if cleaned.dropped is not None:
            return Judged(cleaned, None, None, cleaned.dropped)
        language, score = self.identifier.identify(cleaned.text)
        english = score if language == ENGLISH else 0.0
        dropped = "language" if english < config.min_english_score else None
        return Judged(cleaned, language, score, dropped)


def dedup_hashes(lines: tuple[str, ...], dedup: str) -> tuple[int, ...]:
    if dedup == "lines":
        return distinct_line_hashes("\n".join(lines))
    if dedup == "spans":
        return distinct_span_hashes(lines)
    return ()


class HashPagesFn(io.StoreFn):
    """Pass 1 over one WET file: its errors, the PageHashes of each page the rules keep (its
    `digest` field holds the normalised URL: URL dedup is C4's page dedup), and the file's
    StagedPages for pass 2."""

    def __init__(
        self, config: C4Config, badwords: list[str], out_dir: str, options: ReadOptions,
        keep_dropped: bool,
    ) -> None:  # fmt: skip
        super().__init__()
        self.config, self.badwords, self.out_dir = config, badwords, out_dir
        self.options, self.keep_dropped = options, keep_dropped
        self.count = BeamCounters(NAME)

    def setup(self) -> None:
        super().setup()
        self.local = tempfile.mkdtemp(prefix="fleece-c4-")
        self.rules = PageRules(self.config, self.badwords, self.local)

    def teardown(self) -> None:
        # in the stage's temporary folder on local disk; a remote worker's system temp
        shutil.rmtree(self.local, ignore_errors=True)

    def process(self, element: tuple[int, io.InputFile]) -> Iterator[Any]:
        index, file = element
        with StagedWriter(staged_path(self.out_dir, index)) as staged:
            for item in read_records(file, read_wet, self.options, self.count):
                if isinstance(item, RecordError):
                    yield beam.pvalue.TaggedOutput("errors", item.row())
                    continue
                if not isinstance(item, WetPage):
                    continue
                judged = self.rules.judge(item, self.count)
                if judged.dropped is None or self.keep_dropped:
                    staged.write(staged_page(item, judged))
                if judged.dropped is not None:
                    self.count(counters.dropped(judged.dropped), 1)
                    continue
                assert judged.cleaned is not None
                yield PageHashes(
                    id=page_id(item),
                    key=(index, item.ordinal),
                    dump=item.dump or "unknown",
                    digest=normalize_url(item.url),
                    hashes=dedup_hashes(judged.cleaned.lines, self.config.dedup),
                )


def staged_page(page: WetPage, judged: Judged) -> StagedPage:
    cleaned = judged.cleaned
    lines = cleaned.lines if cleaned is not None else ()
    if judged.dropped is not None and not lines:  # the row of a page with nothing kept
        lines = (page.text,)
    return StagedPage(
        ordinal=page.ordinal, record_id=page.record_id, url=page.url, date=page.date,
        digest=page.digest, dump=page.dump, lines=lines, language=judged.language,
        score=judged.score,
        lines_removed=sum(cleaned.lines_removed.values()) if cleaned is not None else None,
        dropped=judged.dropped,
    )  # fmt: skip


class WritePagesFn(io.StoreFn):
    """Pass 2 over one WET file's StagedPages: the pages that survive URL dedup, without the
    lines (or spans) another page owns, if they keep min_sentences and pass the generic
    rules; in record order."""

    def __init__(self, config: C4Config, out_dir: str, keep_dropped: bool) -> None:
        super().__init__()
        self.config, self.out_dir, self.keep_dropped = config, out_dir, keep_dropped
        self.rules = configured_rules(config.rules)
        self.count = BeamCounters(NAME)

    # writes parts and emits nothing; no return hint, as Beam 2.78 rejects `-> None` here
    def process(self, element: tuple[int, dict[str, list]]):
        index, grouped = element
        survivors = set(grouped["keep"])  # ordinals of the pages URL dedup kept
        notices = file_notices(grouped["lines"])
        path = staged_path(self.out_dir, index)
        with part_writers(self.out_dir, part_name(index), self.keep_dropped) as (docs, lost):
            for page in read_staged(path):
                if page.dropped is not None or page.ordinal not in survivors:
                    if lost is not None:
                        doc = raw_document(page, "\n".join(page.lines))
                        lost.write(doc.dropped_row(page.dropped or "duplicate"))
                    continue
                doc, reason = self.deduplicated(page, (index, page.ordinal), notices)
                if reason is not None:
                    self.count(counters.dropped(reason), 1)
                else:  # the rules count their own drops
                    doc, dropped = run_steps(doc, self.rules, self.count)
                    reason = dropped.reason if dropped is not None else None
                if reason is None:
                    counters.count_kept(doc.text, self.count, doc.language)
                    docs.write(doc.row())
                elif lost is not None:
                    lost.write(doc.dropped_row(reason))

    def deduplicated(
        self, page: StagedPage, key: PageKey, notices: dict[int, PageKey | None]
    ) -> tuple[Document, str | None]:
        """The page without what other pages own, and the reason it goes (None: kept)."""
        lines = list(page.lines)
        if self.config.dedup == "lines":
            text, removed = remove_lines("\n".join(lines), notices, key)
            lines = text.split("\n") if text else []
            doc = raw_document(page, text).with_meta(duplicate_lines=removed)
        elif self.config.dedup == "spans":
            lines, removed = remove_spans(lines, notices, key)
            doc = raw_document(page, "\n".join(lines)).with_meta(duplicate_sentences=removed)
        else:
            removed, doc = 0, raw_document(page, "\n".join(lines))
        if removed and (not lines or page_sentences(lines) < self.config.min_sentences):
            return doc, DEDUP_REASONS[self.config.dedup]
        return doc, None


class WriteBuiltFn(io.StoreFn):
    """One already-built C4 file as it is: its rows as Documents in its own part, errors
    out; the generic rules the manifest switches on are the only ones that drop a row."""

    def __init__(
        self, config: C4Config, out_dir: str, options: ReadOptions, keep_dropped: bool
    ) -> None:
        super().__init__()
        self.out_dir, self.options = out_dir, options
        self.rules = configured_rules(config.rules)
        # with no rule nothing is dropped: no dropped/ part for a built file
        self.keep_dropped = keep_dropped and bool(self.rules)
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[int, io.InputFile]) -> Iterator[Any]:
        index, file = element
        with part_writers(self.out_dir, part_name(index), self.keep_dropped) as (documents, lost):
            for item in read_records(file, read_built, self.options, self.count):
                if isinstance(item, RecordError):
                    yield item.row()
                elif isinstance(item, BuiltRow):
                    doc, dropped = run_steps(built_document(item), self.rules, self.count)
                    if dropped is None:
                        counters.count_kept(doc.text, self.count, doc.language)
                        documents.write(doc.row())
                    elif lost is not None:
                        lost.write(doc.dropped_row(dropped.reason))


class SmallestPerUrl(beam.CombineFn):
    """Per URL: the PageHashes with the smallest id, and how many pages had the URL."""

    def create_accumulator(self) -> tuple[PageHashes | None, int]:
        return None, 0

    def add_input(self, acc: tuple[PageHashes | None, int], page: PageHashes) -> Any:
        best, n = acc
        return (page if best is None or page.id < best.id else best), n + 1

    def merge_accumulators(self, accumulators: Iterable[tuple[PageHashes | None, int]]) -> Any:
        best, total = None, 0
        for page, n in accumulators:
            total += n
            if page is not None and (best is None or page.id < best.id):
                best = page
        return best, total

    def extract_output(self, acc: tuple[PageHashes | None, int]) -> Any:
        return acc


class CountUrlDuplicatesFn(beam.DoFn):
    def __init__(self) -> None:
        self.count = BeamCounters(NAME)

    def process(self, item: tuple[str, tuple[PageHashes, int]]) -> Iterator[PageHashes]:
        best, n = item[1]
        if n > 1:
            self.count(counters.dropped("duplicate"), n - 1)
        yield best


class C4Stage(SourceStage):
    name = NAME
    help = (
        "Raw Common Crawl WET -> pages cleaned with the rules of the code that built C4 "
        "(terminal punctuation, 5 words, 3 sentences, lorem ipsum, {, policy lines, bad "
        "words), English by lid.176, URL and line dedup; or an already-built C4 (json.gz)."
    )

    def enabled(self, run: RunConfig) -> bool:
        config = run.sources.c4
        return bool(config.inputs or config.built_inputs)

    def input_patterns(self, run: RunConfig) -> list[str]:
        config = run.sources.c4
        words = [config.badwords_file] if config.badwords_file else []
        return [*config.inputs, *config.built_inputs, *words]

    def run(self, ctx: StageContext) -> dict[str, int]:
        config: C4Config = ctx.run.sources.c4
        raw = io.match_files([ctx.run.resolve(p) for p in config.inputs]) if config.inputs else []
        built = (
            io.match_files([ctx.run.resolve(p) for p in config.built_inputs])
            if config.built_inputs
            else []
        )
        badwords = self.badwords(ctx.run, config)
        ctx.figures["min_english_score"] = config.min_english_score
        with tempfile.TemporaryDirectory() as local:  # a bad model stops us before any page
            try:
                PageRules(config, badwords, local)
            except (OSError, ValueError) as error:
                raise StageCannotRun(f"c4: {error}") from None
        options = dataclasses.replace(ctx.read_options, max_record_bytes=config.max_record_bytes)

        def build(p: beam.Pipeline) -> None:
            errors = []
            if raw:
                listed = p | "List WET files" >> beam.Create(list(enumerate(raw)))
                hashed = (
                    listed
                    | "Spread files" >> beam.Reshuffle()
                    | "Clean and hash"
                    >> beam.ParDo(
                        HashPagesFn(config, badwords, ctx.out_dir, options, ctx.keep_dropped)
                    ).with_outputs("errors", main="pages")
                )
                survivors = (
                    hashed.pages
                    | "By URL" >> beam.Map(lambda page: (page.digest, page))
                    | "Smallest id per URL" >> beam.CombinePerKey(SmallestPerUrl())
                    | "URL duplicates" >> beam.ParDo(CountUrlDuplicatesFn())
                )
                _ = (
                    {
                        "file": listed,
                        "keep": survivors | "Keys" >> beam.Map(lambda page: page.key),
                        "lines": survivors | "Dedup" >> LineDedup("global", "first"),
                    }
                    | "By file" >> beam.CoGroupByKey()
                    | "Write pages"
                    >> beam.ParDo(WritePagesFn(config, ctx.out_dir, ctx.keep_dropped))
                )
                errors.append(hashed.errors)
            if built:
                numbered = [(len(raw) + k, file) for k, file in enumerate(built)]
                errors.append(
                    p
                    | "List built files" >> beam.Create(numbered)
                    | "Spread built files" >> beam.Reshuffle()
                    | "Write built"
                    >> beam.ParDo(WriteBuiltFn(config, ctx.out_dir, options, ctx.keep_dropped))
                )
            _ = errors | "All errors" >> beam.Flatten() | "Write errors" >> WriteErrors(ctx.out_dir)

        counts = run_beam(ctx, build)
        io.remove_tree(io.join(ctx.out_dir, STAGING))
        return counts

    @staticmethod
    def badwords(run: RunConfig, config: C4Config) -> list[str]:
        if not config.badwords_file:
            return []
        path = run.resolve(config.badwords_file)
        try:
            return read_badwords(io.read_text(path))
        except FileNotFoundError:
            raise StageCannotRun(
                f"c4: {path}: the bad-words file (sources.c4.badwords_file) does not exist"
            ) from None


STAGE = C4Stage()
command = stage_command(STAGE)
