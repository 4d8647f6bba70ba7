"""The `ccnet` stage: WET files -> every page that passes language ID, with its signals.

  WET files ─► pass 1 (per file): errors, pages ≥ min_chars, lines with no letter or
        digit out (rules.py) ─► PageHashes (no text)
        └─► digest dedup (smallest id) ─► line dedup (global, combiners) ─► per file:
            survivors + duplicate lines ─► pass 2 (per file, the file read again):
            lines with no letter or digit, then duplicate lines removed ─► short? ─►
            language ID ─► perplexity ─► part-<file>.parquet

Pass 2 writes each file's documents straight into that file's own part, in record order,
so no page text is ever shuffled (pipeline/dedup/lines.py). Scores only: which perplexity
bucket a page falls in, and whether it is kept, is the `commoncrawl` stage's decision.

Resume (harness/groups.py), as cc_net commits per shard: over more than `commit_files`
WET files, pass 1 and pass 2 commit per group of files, and a rerun reads only the groups
not yet committed. Both dedups depend on every file's hashes: they are redone from the
hashes the committed groups stored (no WET file is read for them) unless they were committed
too; language ID and perplexity run in pass 2, per group.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Iterator
from typing import Any

import apache_beam as beam

from pipeline import counters, io
from pipeline.config import RunConfig
from pipeline.counters import BeamCounters
from pipeline.dedup.lines import (
    FileVerdicts,
    PageHashes,
    distinct_line_hashes,
    file_notices,
    remove_lines,
)
from pipeline.documents import Document, part_name, part_writers
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.groups import GroupedRun
from pipeline.harness.source import SourceStage, WriteErrors
from pipeline.harness.stage import StageCannotRun, StageContext
from pipeline.readers.wet import WetPage, read_wet
from pipeline.records import ReadOptions, RecordError, read_records
from pipeline.signals.language import LanguageIdentifier, language_verdict
from pipeline.signals.perplexity import PerplexityModel
from pipeline.sources.commoncrawl import SOURCE
from pipeline.sources.commoncrawl.config import CCNetConfig
from pipeline.sources.commoncrawl.lm_stage import model_paths
from pipeline.sources.commoncrawl.rules import REASON, without_punctuation_lines

NAME = "ccnet"


@dataclasses.dataclass
class CCNetParameters:
    languages: list[str]
    ccnet: CCNetConfig


def page_id(page: WetPage) -> str:
    """`commoncrawl/<dump>/<record uuid>`."""
    return f"commoncrawl/{page.dump or 'unknown'}/{page.record_id}"


def page_hashes(page: WetPage, file_index: int) -> PageHashes:
    """What pass 1 keeps of a page for the dedup: two pages are the same page when their
    WARC-Block-Digest is; its lines with no letter or digit are not lines of the dedup."""
    text, _ = without_punctuation_lines(page.text)
    return PageHashes(
        id=page_id(page),
        key=(file_index, page.ordinal),
        dump=page.dump or "unknown",
        digest=page.digest,
        hashes=distinct_line_hashes(text),
    )


def wet_document(page: WetPage, text: str, language: str | None, meta: dict[str, Any]) -> Document:
    return Document(
        id=page_id(page),
        source=SOURCE.name,
        text=text,
        url=page.url,
        language=language,
        meta={"digest": page.digest, "dump": page.dump, "date": page.date, **meta},
    )


def load_models(
    config: CCNetConfig, languages: list[str], lm_dir: str, local_dir: str
) -> tuple[LanguageIdentifier, dict[str, PerplexityModel]]:
    """The language identifier and each language's perplexity model that the lm stage made.
    Files on gs:// or s3:// are copied to `local_dir` first (the libraries need local paths)."""
    lid = io.local_copy(config.lid_model, local_dir) if config.lid_model else None
    identifier = LanguageIdentifier(lid)
    models: dict[str, PerplexityModel] = {}
    for language in languages:
        sentencepiece, kenlm = model_paths(lm_dir, language)
        if io.exists(sentencepiece) and io.exists(kenlm):
            models[language] = PerplexityModel(
                io.local_copy(sentencepiece, local_dir), io.local_copy(kenlm, local_dir)
            )
    return identifier, models


class HashPagesFn(io.StoreFn):
    """Pass 1 over one file: its errors (as rows, to the errors output) and the PageHashes
    of its pages long enough to keep."""

    def __init__(self, config: CCNetConfig, options: ReadOptions) -> None:
        super().__init__()
        self.config, self.options = config, options
        self.count = BeamCounters(NAME)

    def process(self, element: tuple[int, io.InputFile]) -> Iterator[Any]:
        index, file = element
        for item in read_records(file, read_wet, self.options, self.count):
            if isinstance(item, RecordError):
                yield beam.pvalue.TaggedOutput("errors", item.row())
            elif isinstance(item, WetPage) and len(item.text) >= self.config.min_chars:
                yield page_hashes(item, index)


class ScorePagesFn(io.StoreFn):
    """Pass 2 over one file: its surviving pages without their duplicate lines, language ID
    and perplexity, written to the file's own part (and its dropped part)."""

    def __init__(
        self,
        config: CCNetConfig,
        languages: list[str],
        lm_dir: str,
        out_dir: str,
        options: ReadOptions,
        keep_dropped: bool,
    ) -> None:
        super().__init__()
        self.config, self.languages, self.lm_dir = config, languages, lm_dir
        self.out_dir, self.options, self.keep_dropped = out_dir, options, keep_dropped
        self.count = BeamCounters(NAME)

    def setup(self) -> None:
        super().setup()
        self.local = tempfile.mkdtemp(prefix="fleece-ccnet-")
        self.identifier, self.models = load_models(
            self.config, self.languages, self.lm_dir, self.local
        )

    def teardown(self) -> None:
        # in the stage's temporary folder on local disk; a remote worker's system temp
        shutil.rmtree(self.local, ignore_errors=True)

    # writes parts and emits nothing; no return hint, as Beam 2.78 rejects `-> None` here
    def process(self, element: tuple[int, dict[str, list]]):
        index, grouped = element
        (file,) = grouped["file"]
        keep = set(grouped["keep"])
        notices = file_notices(grouped["lines"])
        writers = part_writers(self.out_dir, part_name(index), self.keep_dropped)
        with writers as (documents, dropped):
            for item in read_records(file, read_wet, self.options, self.count, report=False):
                if not isinstance(item, WetPage):
                    continue
                outcome = self.score(item, index, keep, notices)
                if isinstance(outcome, Document):
                    counters.count_kept(outcome.text, self.count, outcome.language)
                    documents.write(outcome.row())
                else:
                    document, reason = outcome
                    self.count(counters.dropped(reason), 1)
                    if dropped is not None:
                        dropped.write(document.dropped_row(reason))

    def score(
        self, page: WetPage, index: int, keep: set[int], notices: dict
    ) -> Document | tuple[Document, str]:
        if page.ordinal not in keep:
            reason = "short" if len(page.text) < self.config.min_chars else "duplicate"
            return wet_document(page, page.text, None, {}), reason
        text, marks_only = without_punctuation_lines(page.text)
        self.count(f"lines.{REASON}", marks_only)
        text, removed = remove_lines(text, notices, (index, page.ordinal))
        self.count("lines.removed", removed)
        meta: dict[str, Any] = {"lines_removed": removed, f"lines_{REASON}": marks_only}
        if len(text) < self.config.min_chars:
            return wet_document(page, text, None, meta), "short"
        language, score = self.identifier.identify(text)
        meta["lang_score"] = score
        verdict = language_verdict(
            language, score, self.languages, self.config.lid_threshold, self.config.lid_thresholds
        )
        if verdict is not None:
            return wet_document(page, text, language, meta), verdict
        model = self.models.get(language)
        meta["perplexity"] = model.perplexity(text) if model is not None else None
        return wet_document(page, text, language, meta)


class CCNetStage(SourceStage):
    name = NAME
    resumable = True
    requires = SOURCE.stage(NAME).requires  # declared in the package's SOURCE
    help = (
        "Common Crawl WET files -> pages deduplicated (digest, then lines across the whole "
        "input), language-identified (lid.176) and scored (perplexity), as cc_net."
    )

    @property
    def config_key(self) -> str:  # type: ignore[override]
        return "sources.commoncrawl.ccnet"

    def source_config(self, run: RunConfig) -> Any:
        return run.sources.commoncrawl

    def parameters(self, run: RunConfig) -> CCNetParameters:
        config = run.sources.commoncrawl
        return CCNetParameters(list(config.languages), config.ccnet)

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = ctx.run.sources.commoncrawl
        files = self.input_files(ctx)
        lm_dir = ctx.input("lm", "kenlm").rsplit("/", 1)[0]
        with tempfile.TemporaryDirectory() as local:  # a bad model stops us before any page
            try:
                load_models(config.ccnet, list(config.languages), lm_dir, local)
            except (OSError, ValueError) as error:
                raise StageCannotRun(f"ccnet: {error}") from None

        ctx.figures["min_chars"] = config.ccnet.min_chars
        for language in config.languages:
            threshold = config.ccnet.lid_thresholds.get(language, config.ccnet.lid_threshold)
            ctx.figures[f"lid_threshold.{language}"] = threshold

        verdicts = FileVerdicts(
            config.ccnet.line_dedup_scope, config.ccnet.line_dedup_keep, config.ccnet.group_files
        )
        score = ScorePagesFn(
            config.ccnet, list(config.languages), lm_dir, ctx.out_dir, ctx.read_options,
            ctx.keep_dropped,
        )  # fmt: skip
        if len(files) > config.ccnet.commit_files:
            grouped = GroupedRun(ctx, files, config.ccnet.commit_files)
            counts = grouped.run(
                HashPagesFn(config.ccnet, ctx.read_options),
                lambda pages, listed: (listed, pages) | "File verdicts" >> verdicts,
                score,
            )
            ctx.resumed = grouped.summary()
            return counts

        def build(p: beam.Pipeline) -> None:
            listed = p | "List WET files" >> beam.Create(list(enumerate(files)))
            spread = listed | "Spread files" >> beam.Reshuffle()
            hashed = spread | "Hash pages" >> beam.ParDo(
                HashPagesFn(config.ccnet, ctx.read_options)
            ).with_outputs("errors", main="pages")
            _ = (
                (listed, hashed.pages)
                | "File verdicts" >> verdicts
                | "Score and write" >> beam.ParDo(score)
            )
            _ = hashed.errors | "Write errors" >> WriteErrors(ctx.out_dir)

        return run_beam(ctx, build)


STAGE = CCNetStage()
command = stage_command(STAGE)
