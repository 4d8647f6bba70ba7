"""The `commoncrawl` stage: the scored `ccnet` pages that enter the mix.

  ccnet parts ─► per part: histogram of log-perplexity per language ─► summed ─► cutoffs
        └─► per part (cutoffs as side input): bucket ─► keep buckets ─► wiki_prob ─►
            keep min_wiki_prob ─► generic rules ─► part-<same index>.parquet

Deciding only: the scores were computed by `ccnet` (perplexity) and `refclf` (the model),
so new cutoffs or thresholds rerun this stage alone. Cutoffs come from the manifest
(`keep.cutoffs`) or from each language's own perplexities (buckets.py); the ones used are
in `cutoffs.json` and in `_stats.json`'s figures. Each part is read twice and written in
its row order, so no page text is shuffled. With --keep-dropped, `dropped/` holds this
stage's drops (tail, not_reference, no_language_model, and those of the generic rules
`sources.commoncrawl.rules` switches on) and the ones `ccnet` recorded
(duplicate, short, language, language_score), so one folder shows why every page went.
Every page judged is counted into the report's histograms of perplexity (per language) and
of wiki_prob (pipeline/histograms.py).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from typing import Any

import apache_beam as beam

from pipeline import counters, histograms, io
from pipeline.config import RunConfig
from pipeline.counters import BeamCounters
from pipeline.documents import Document, part_writers
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.source import SourceStage
from pipeline.harness.stage import StageCannotRun, StageContext
from pipeline.rules.config import RulesConfig
from pipeline.rules.document import configured_rules
from pipeline.sources.commoncrawl import SOURCE
from pipeline.sources.commoncrawl.buckets import (
    SumHistograms,
    histogram,
    percentile_cutoffs,
    perplexity_bucket,
)
from pipeline.sources.commoncrawl.config import KeepConfig
from pipeline.sources.commoncrawl.reference import ReferenceClassifier
from pipeline.steps import Dropped, Step, run_steps, setup_steps

log = logging.getLogger("fleece")
NAME = "commoncrawl"


@dataclasses.dataclass
class CommonCrawlParameters:
    languages: list[str]
    reference_classifier: bool
    keep: KeepConfig
    rules: RulesConfig  # the generic rules of `sources.commoncrawl.rules`, applied here


def document_of(row: Mapping[str, Any]) -> Document:
    return Document(
        id=row["id"], source=row["source"], text=row["text"], url=row["url"],
        language=row["language"], meta=json.loads(row["meta"]),
    )  # fmt: skip


@dataclasses.dataclass(frozen=True)
class AssignBucket:
    """Writes `bucket` (head, middle, tail; None without a perplexity) and `language`."""

    cutoffs: Mapping[str, tuple[float, float]]

    def __call__(self, doc: Document) -> Document:
        perplexity, cutoffs = doc.meta.get("perplexity"), self.cutoffs.get(doc.language or "")
        bucket = None
        if perplexity is not None and cutoffs is not None:
            bucket = perplexity_bucket(perplexity, cutoffs)
        return doc.with_meta(bucket=bucket, language=doc.language)


@dataclasses.dataclass(frozen=True)
class KeepBuckets:
    """Drops a page outside the kept buckets (the reason is its bucket), and one without a
    bucket unless its language's pages are kept without a model."""

    buckets: tuple[str, ...]
    without_language_model: bool

    def __call__(self, doc: Document) -> Document | Dropped:
        bucket = doc.meta.get("bucket")
        if bucket is None:
            return doc if self.without_language_model else Dropped("no_language_model")
        return doc if bucket in self.buckets else Dropped(bucket)


@dataclasses.dataclass(frozen=True)
class ReferenceScore:
    """Writes `wiki_prob`: the reference classifier's probability that Wikipedia would cite
    the page. The model is a local path (staged in `setup` when the stage reads it)."""

    model_path: str

    def setup(self) -> None:
        object.__setattr__(self, "_model", ReferenceClassifier(self.model_path))

    def __call__(self, doc: Document) -> Document:
        return doc.with_meta(wiki_prob=self._model.probability(doc.text))


@dataclasses.dataclass(frozen=True)
class MinWikiProb:
    threshold: float

    def __call__(self, doc: Document) -> Document | Dropped:
        return doc if doc.meta["wiki_prob"] >= self.threshold else Dropped("not_reference")


def perplexities(path: str) -> Iterator[tuple[str, float]]:
    """(language, perplexity) of each page of a ccnet part that has one (no text read)."""
    table = io.read_parquet(path, ["language", "meta"])
    for language, meta in zip(
        table.column("language").to_pylist(), table.column("meta").to_pylist(), strict=True
    ):
        perplexity = json.loads(meta).get("perplexity")
        if language is not None and perplexity is not None:
            yield language, perplexity


def part_histograms(path: str) -> Iterator[tuple[str, dict[int, int]]]:
    by_language: dict[str, list[float]] = {}
    for language, perplexity in perplexities(path):
        by_language.setdefault(language, []).append(perplexity)
    for language, values in sorted(by_language.items()):
        yield language, histogram(values)


class SelectPartFn(io.StoreFn):
    """One ccnet part, with the cutoffs, through the steps (bucket first, wiki_prob before
    its threshold, the generic `rules` last), written to this stage's part of the same name;
    with keep_dropped, the dropped rows of both stages to `dropped/`, this stage's with the
    signals it computed."""

    def __init__(
        self, steps: list[Step], rules: list[Step], out_dir: str, ccnet_dropped: str | None,
        keep_dropped: bool, model_path: str | None,
    ) -> None:  # fmt: skip
        super().__init__()
        self.steps, self.rules, self.out_dir = steps, rules, out_dir
        self.ccnet_dropped, self.keep_dropped = ccnet_dropped, keep_dropped
        self.model_path = model_path
        self.count = BeamCounters(NAME)

    def setup(self) -> None:
        super().setup()
        self.local = tempfile.mkdtemp(prefix="fleece-refclf-")
        steps = list(self.steps)
        if self.model_path is not None:
            scorer = ReferenceScore(io.local_copy(self.model_path, self.local))
            steps.insert(len(steps) - 1, scorer)  # after the buckets, before its threshold
        self.chain = [*steps, *self.rules]
        setup_steps(self.chain)

    def teardown(self) -> None:
        # in the stage's temporary folder on local disk; a remote worker's system temp
        shutil.rmtree(self.local, ignore_errors=True)

    # writes parts and emits nothing; no return hint, as Beam 2.78 rejects `-> None` here
    def process(self, element: tuple[str, Mapping[str, tuple[float, float]]]):
        path, cutoffs = element
        chain = [AssignBucket(dict(cutoffs)), *self.chain]
        name = os.path.basename(path)
        with part_writers(self.out_dir, name, self.keep_dropped) as (documents, dropped):
            for row in read_rows(path):
                page = document_of(row)
                self.count(counters.READ, 1)  # a ccnet page: this stage's funnel starts here
                self.count(counters.BYTES_READ, counters.utf8_size(page.text))
                doc, drop = run_steps(page, chain, self.count)
                count_signals(doc, self.count)
                if drop is not None:
                    if dropped is not None:
                        dropped.write(doc.dropped_row(drop.reason))
                    continue
                counters.count_kept(doc.text, self.count, doc.language)
                documents.write(doc.row())
            if dropped is not None and self.ccnet_dropped is not None:
                earlier = io.join(self.ccnet_dropped, name)
                if io.exists(earlier):
                    for row in read_rows(earlier):
                        dropped.write(row)


def count_signals(doc: Document, count: counters.Count) -> None:
    """A judged page into the report's histograms: its perplexity (by language), and its
    wiki_prob when the classifier scored it (pages its bucket kept)."""
    perplexity, wiki_prob = doc.meta.get("perplexity"), doc.meta.get("wiki_prob")
    if perplexity is not None and doc.language:
        histograms.count_perplexity(doc.language, perplexity, count)
    if wiki_prob is not None:
        histograms.count_wiki_prob(wiki_prob, count)


def read_rows(path: str) -> Iterator[dict[str, Any]]:
    for batch in io.parquet_batches(path):
        yield from batch.to_pylist()


class CommonCrawlStage(SourceStage):
    name = NAME
    requires = SOURCE.stage(NAME).requires  # declared in the package's SOURCE
    outputs = {
        "documents": "part-*.parquet",
        "dropped": "dropped/part-*.parquet",
        "cutoffs": "cutoffs.json",
    }
    loaded_whole = ("cutoffs",)
    help = (
        "The ccnet pages that enter the mix: perplexity buckets (head and middle, cut at the "
        "30th/60th percentile per language) and the Wikipedia-reference classifier's wiki_prob."
    )

    @property
    def config_key(self) -> str:  # type: ignore[override]
        return "sources.commoncrawl.keep"

    def input_patterns(self, run: RunConfig) -> list[str]:
        return []  # the WET files are ccnet's inputs; this stage reads ccnet and refclf

    def parameters(self, run: RunConfig) -> CommonCrawlParameters:
        config = run.sources.commoncrawl
        return CommonCrawlParameters(
            list(config.languages), config.reference_classifier.enabled, config.keep, config.rules
        )

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = ctx.run.sources.commoncrawl
        keep = config.keep
        parts = sorted(f.path for f in io.match_files([ctx.input("ccnet", "documents")]))
        model = ctx.input("refclf", "model") if config.reference_classifier.enabled else None
        if model is not None:  # a bad model stops the stage before any page is read
            with tempfile.TemporaryDirectory() as local:
                try:
                    ReferenceClassifier(io.local_copy(model, local))
                except (OSError, ValueError) as error:
                    raise StageCannotRun(f"commoncrawl: {error}") from None
        fixed = {language: tuple(pair) for language, pair in keep.cutoffs.items()}
        steps: list[Step] = [KeepBuckets(tuple(keep.buckets), keep.without_language_model)]
        if model is not None:
            steps.append(MinWikiProb(keep.min_wiki_prob))
        rules = configured_rules(config.rules)
        ccnet_dropped = ctx.input("ccnet", "dropped").rsplit("/", 1)[0]
        cutoffs_path = ctx.output("cutoffs")

        def build(p: beam.Pipeline) -> None:
            listed = p | "List ccnet parts" >> beam.Create(parts)
            spread = listed | "Spread parts" >> beam.Reshuffle()
            cutoffs = (
                spread
                | "Histograms" >> beam.ParDo(io.FlatMapFiles(part_histograms))
                | "Sum histograms" >> beam.CombinePerKey(SumHistograms())
                | "Cutoffs" >> beam.Map(
                    lambda kv: (kv[0], tuple(percentile_cutoffs(kv[1], keep.percentiles)))
                )
            )  # fmt: skip
            merged = (
                cutoffs
                | "All languages" >> beam.combiners.ToDict()
                | "Fixed win" >> beam.Map(lambda computed: {**computed, **fixed})
            )
            _ = merged | "Write cutoffs" >> beam.ParDo(io.FlatMapFiles(write_cutoffs, cutoffs_path))
            _ = (
                spread
                | "Pair with cutoffs"
                >> beam.Map(lambda path, c: (path, c), beam.pvalue.AsSingleton(merged))
                | "Select and write"
                >> beam.ParDo(
                    SelectPartFn(steps, rules, ctx.out_dir, ccnet_dropped, ctx.keep_dropped, model)
                )
            )

        if not parts:
            raise StageCannotRun("ccnet wrote no document part")
        result = run_beam(ctx, build)
        used = io.read_json(cutoffs_path)
        if config.reference_classifier.enabled:
            ctx.figures["min_wiki_prob"] = keep.min_wiki_prob
        for language, pair in sorted(used.items()):
            ctx.figures[f"cutoffs.{language}.head"] = round(pair[0], 4)
            ctx.figures[f"cutoffs.{language}.middle"] = round(pair[1], 4)
        missing = sorted(set(config.languages) - set(used))
        if missing:
            log.warning(
                "commoncrawl: no perplexity, so no bucket, for the pages of %s (no language "
                "model); they are %s (sources.commoncrawl.keep.without_language_model)",
                ", ".join(missing), "kept" if keep.without_language_model else "dropped",
            )  # fmt: skip
        return result


def write_cutoffs(cutoffs: Mapping[str, tuple[float, float]], path: str) -> None:
    io.write_json(path, {language: list(pair) for language, pair in sorted(cutoffs.items())})


STAGE = CommonCrawlStage()
command = stage_command(STAGE)
