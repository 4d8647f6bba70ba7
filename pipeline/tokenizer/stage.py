"""The `tokenizer` stage: train SentencePiece on a seeded sample drawn at the mixture ratios,
or take an existing model (`tokenizer.model_path`, e.g. an imported LLaMA's) after checking it.

Plain Python, no Beam: the sample is bounded (tokenizer.sample_bytes) and SentencePiece
trains on one machine. Document parts are read in a seeded order; since the source stages
assign documents to parts by a hash of their id, each part is already a random subset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import TypeVar

import sentencepiece as spm

from pipeline import io
from pipeline.config import RunConfig
from pipeline.counters import per_source
from pipeline.documents import read_documents, stable_hash
from pipeline.harness.commands import stage_command
from pipeline.harness.read_back import read_back
from pipeline.harness.stage import Stage, StageCannotRun, StageContext
from pipeline.present import present_sources, warn_missing
from pipeline.progress import note_phase
from pipeline.shards.format import BOS_ID, EOS_ID, TOKENIZER_NAME
from pipeline.shards.quotas import target_shares
from pipeline.stages import source_stages
from tokenizer.config import TokenizerConfig
from tokenizer.train import (
    TrainingRefused,
    byte_budgets,
    draw_sample,
    model_sha256,
    train_model,
)

SHA256_NAME = TOKENIZER_NAME + ".sha256"
T = TypeVar("T")


@dataclasses.dataclass
class TokenizerParameters:
    """What the trained model depends on besides the documents."""

    tokenizer: TokenizerConfig
    ratios: dict[str, float]
    seed: int
    # sha256 of tokenizer.model_path's bytes, so that a changed file reruns the stage
    existing_model_sha256: str = ""


def seeded_texts(parts: list[str], seed: int, salt: str, rate: float = 1.0) -> Iterator[str]:
    """Document texts drawn across all parts: a document is taken when a seeded hash of its
    id falls under `rate` (the share of the source the budget needs), so the sample spreads
    over every part (a part may hold one language or one input file) instead of emptying
    the first parts. Parts are visited in a seeded order."""
    threshold = int(min(1.0, rate) * (1 << 64))
    for part in sorted(
        parts, key=lambda p: (stable_hash(p.rsplit("/", 1)[-1], f"{salt}{seed}"), p)
    ):
        for document in read_documents(part):
            if rate >= 1.0 or stable_hash(document["id"], f"{salt}{seed}") < threshold:
                yield document["text"]


def then_note(items: Iterator[T], phase: str) -> Iterator[T]:
    """`items`, then a progress note that `phase` begins (SentencePiece reads its whole
    sample before it trains, and says nothing while it does)."""
    yield from items
    note_phase(phase)


def sampling_rate(budget: int, total: int | None) -> float:
    """Share of a source to draw for `budget` bytes; a margin so that hashing's variance
    rarely leaves the budget short (the draw stops at the budget anyway)."""
    return 1.0 if not total else min(1.0, 1.25 * budget / total)


class TokenizerStage(Stage):
    name = "tokenizer"
    outputs = {"model": TOKENIZER_NAME, "sha256": SHA256_NAME}
    loaded_whole = ("model", "sha256")
    config_key = "tokenizer"
    help = (
        "Train the SentencePiece BPE tokenizer (LLaMA settings) on a sample at the mixture ratios."
    )

    @property
    def requires(self) -> tuple[str, ...]:  # type: ignore[override]
        return source_stages()

    def parameters(self, run: RunConfig) -> TokenizerParameters:
        existing = ""
        if run.tokenizer.model_path:
            path = run.resolve(run.tokenizer.model_path)
            # a missing file is reported by run(), with the key to set
            existing = model_sha256(io.read_bytes(path)) if io.exists(path) else "missing"
        return TokenizerParameters(run.tokenizer, dict(run.shards.ratios), run.seed, existing)

    def run(self, ctx: StageContext) -> dict[str, int]:
        run = ctx.run
        if run.tokenizer.model_path:
            return self._existing(ctx, run.resolve(run.tokenizer.model_path))
        present = present_sources(ctx)
        if not present:
            raise FileNotFoundError(
                f"no source documents under {run.run_dir}: run the source stages first"
            )
        shares, missing = target_shares(run.shards.ratios, present)
        warn_missing(self.name, missing)
        budgets = byte_budgets(
            {s: x for s, x in shares.items() if x > 0}, run.tokenizer.sample_bytes
        )
        streams = {
            s: seeded_texts(
                present[s],
                run.seed,
                "tokenizer",
                sampling_rate(budgets[s], ctx.counters(s).get("bytes.kept")),
            )
            for s in budgets
        }
        sample = then_note(draw_sample(streams, budgets), "training SentencePiece")
        try:
            model, stats = train_model(sample, run.tokenizer, run.seed)
        except TrainingRefused as exc:  # the text cannot support these settings
            raise StageCannotRun(str(exc)) from exc
        write_model(ctx, model)
        counters = {"sample.lines": stats.lines, "vocab_size": run.tokenizer.vocab_size}
        for source in stats.documents:
            counters[per_source("sample.documents", source)] = stats.documents[source]
            counters[per_source("sample.bytes", source)] = stats.bytes[source]
        return counters

    def _existing(self, ctx: StageContext, path: str) -> dict[str, int]:
        """Copy an existing model in as the stage's output, once it is known to load and to
        give BOS/EOS the ids the shards and the trainer use."""
        if not io.exists(path):
            raise FileNotFoundError(f"tokenizer.model_path: {path} does not exist")
        model = io.read_bytes(path)
        problem = existing_model_problem(model)
        if problem:
            raise StageCannotRun(f"tokenizer.model_path: {path}: {problem}")
        write_model(ctx, model)
        return {
            "existing_model": 1,
            "vocab_size": spm.SentencePieceProcessor(model_proto=model).get_piece_size(),
        }


def write_model(ctx: StageContext, model: bytes) -> None:
    """The model and its sha256 file; the model is read back and loaded first, so that one a
    full disk cut short is never marked complete."""
    io.write_bytes(ctx.output("model"), model)
    read_back(ctx.output("model"), load_model, len(model))
    sha256 = model_sha256(model)
    io.write_bytes(ctx.output("sha256"), f"{sha256}  {TOKENIZER_NAME}\n".encode())


def load_model(path: str) -> spm.SentencePieceProcessor:
    return spm.SentencePieceProcessor(model_proto=io.read_bytes(path))


def existing_model_problem(model: bytes) -> str:
    """Why a SentencePiece model cannot encode this corpus ('' when it can): it must load,
    and <s>/</s> must be ids 1/2 (every shard row is BOS + ids + EOS with those ids)."""
    try:
        processor = spm.SentencePieceProcessor(model_proto=model)
    except (RuntimeError, TypeError) as error:
        return (
            f"not a SentencePiece model ({str(error).splitlines()[0] if str(error) else error!r})"
        )
    if (processor.bos_id(), processor.eos_id()) != (BOS_ID, EOS_ID):
        return (
            f"bos_id {processor.bos_id()} and eos_id {processor.eos_id()}; fleece's shards "
            f"need {BOS_ID} and {EOS_ID} (LLaMA's)"
        )
    return ""


STAGE = TokenizerStage()
command = stage_command(STAGE)
