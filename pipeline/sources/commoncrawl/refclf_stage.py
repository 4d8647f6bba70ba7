"""The `refclf` stage: a fastText classifier of pages Wikipedia cites, trained on the run.

Positives: `ccnet` pages whose normalised URL is among the Wikipedia stage's cited URLs
(plus any documents the manifest adds); negatives: as many other `ccnet` pages, the seeded
sample of smallest rank. A seeded tenth of both is held out; the model's precision, recall
and AUC on it go to `_stats.json` (`figures`). Too few positives stops the stage with the
keys to set, instead of training a useless model.

Plain Python: the training set is small (twice the positives); the pages are streamed and
only the positives and a bounded heap of negatives are held. The cited URLs are held as a
set: for a full English Wikipedia (~tens of millions of URLs) that is several GB.
"""

from __future__ import annotations

import dataclasses
import heapq
import os
import posixpath
import tempfile

from pipeline import io
from pipeline.config import RunConfig
from pipeline.documents import read_documents
from pipeline.harness.commands import stage_command
from pipeline.harness.read_back import read_back
from pipeline.harness.stage import Stage, StageCannotRun, StageContext
from pipeline.progress import note_phase
from pipeline.sources.commoncrawl import REFERENCE_SOURCE, SOURCE
from pipeline.sources.commoncrawl.config import ReferenceClassifierConfig
from pipeline.sources.commoncrawl.reference import (
    NEGATIVE,
    POSITIVE,
    ReferenceClassifier,
    auc,
    is_held_out,
    negative_rank,
    precision_recall,
    train_classifier,
)
from pipeline.text.urls import normalize_url

NAME = "refclf"
KEY = "sources.commoncrawl.reference_classifier"


@dataclasses.dataclass
class ReferenceParameters:
    reference_classifier: ReferenceClassifierConfig


def external_positives(paths: list[str]) -> list[tuple[str, str]]:
    """(id, text) for each non-empty line of the manifest's positive files."""
    out = []
    for path in paths:
        for number, line in enumerate(io.read_text(path).split("\n"), start=1):
            if line.strip():
                out.append((f"positives/{path}:{number}", line))
    return out


class ReferenceClassifierStage(Stage):
    name = NAME
    requires = SOURCE.stage(NAME).requires  # declared in the package's SOURCE
    outputs = {"model": "model.bin"}
    loaded_whole = ("model",)
    config_key = KEY
    help = (
        "A fastText classifier of the pages Wikipedia cites against other pages (LLaMA's "
        "reference filter), measured on a held-out part."
    )

    def enabled(self, run: RunConfig) -> bool:
        config = run.sources.commoncrawl
        return bool(config.inputs) and config.reference_classifier.enabled

    def parameters(self, run: RunConfig) -> ReferenceParameters:
        return ReferenceParameters(run.sources.commoncrawl.reference_classifier)

    def input_patterns(self, run: RunConfig) -> list[str]:
        return list(run.sources.commoncrawl.reference_classifier.positives)

    def run(self, ctx: StageContext) -> dict[str, int]:
        config = ctx.run.sources.commoncrawl.reference_classifier
        cited = {
            row["normalized_url"]
            for part in io.match_files([ctx.input(REFERENCE_SOURCE, "cited_urls")])
            for row in read_documents(part.path)
        }
        pages = sorted(f.path for f in io.match_files([ctx.input("ccnet", "documents")]))
        positives: list[tuple[str, str]] = []
        others = 0
        for part in pages:  # pass 1: the positives
            for row in read_documents(part):
                if row["url"] and normalize_url(row["url"]) in cited:
                    positives.append((row["id"], row["text"]))
                else:
                    others += 1
        cited_found = len(positives)
        positives += external_positives([ctx.run.resolve(p) for p in config.positives])
        if len(positives) < config.min_positives:
            raise StageCannotRun(
                f"{cited_found} pages cited by Wikipedia among the ccnet pages (plus "
                f"{len(positives) - cited_found} from {KEY}.positives), fewer than "
                f"{KEY}.min_positives={config.min_positives}: add positives with {KEY}.positives "
                f"(text files, one document per line), or set {KEY}.enabled: false"
            )
        positive_ids = {i for i, _ in positives}
        negatives: list[tuple[int, str, str]] = []  # max-heap (negated rank): the smallest
        for part in pages:  # pass 2: as many negatives, the smallest seeded ranks
            for row in read_documents(part):
                if row["id"] in positive_ids:
                    continue
                heapq.heappush(
                    negatives, (-negative_rank(row["id"], config.seed), row["id"], row["text"])
                )
                if len(negatives) > len(positives):
                    heapq.heappop(negatives)
        chosen = sorted(negatives, reverse=True)[: len(positives)]  # smallest ranks
        examples = [(POSITIVE, i, t) for i, t in positives] + [
            (NEGATIVE, i, t) for _, i, t in chosen
        ]
        training = [e for e in examples if not is_held_out(e[1], config.seed, config.held_out)]
        held = [e for e in examples if is_held_out(e[1], config.seed, config.held_out)]
        # a seeded, stable order, so that the model's bytes depend on nothing else
        training.sort(key=lambda e: negative_rank(e[1], config.seed + 1))
        note_phase("training the fastText classifier")
        # fastText writes local files: in the stage's temporary folder (harness/scratch.py),
        # the model then copied to its place, which may be an object store
        with tempfile.TemporaryDirectory() as work:
            local = os.path.join(work, posixpath.basename(ctx.output("model")))
            size = train_classifier(
                ((label, text) for label, _, text in training), local,
                epoch=config.epoch, lr=config.lr, word_ngrams=config.word_ngrams,
                dim=config.dim, bucket=config.bucket, seed=config.seed, work_dir=work,
            )  # fmt: skip
            io.copy_file(local, ctx.output("model"))
        # fastText does not report a short write (a full disk): the model is read back whole
        model = read_back(ctx.output("model"), ReferenceClassifier, size)
        held_positive = [model.probability(t) for label, _, t in held if label == POSITIVE]
        held_negative = [model.probability(t) for label, _, t in held if label == NEGATIVE]
        precision, recall = precision_recall(held_positive, held_negative, 0.5)
        ctx.figures.update(
            {"held_out.auc": round(auc(held_positive, held_negative), 4),
             "held_out.precision": round(precision, 4), "held_out.recall": round(recall, 4)}
        )  # fmt: skip
        return {
            "positives.cited": cited_found,
            "positives.external": len(positives) - cited_found,
            "negatives": len(chosen),
            "pages.other": others,
            "train.examples": len(training),
            "held_out.positives": len(held_positive),
            "held_out.negatives": len(held_negative),
        }


STAGE = ReferenceClassifierStage()
command = stage_command(STAGE)
