"""The `tokenizer` stage: train SentencePiece on a seeded sample drawn at the mixture ratios.

Plain Python, no Beam: the sample is bounded (tokenizer.sample_bytes) and SentencePiece
trains on one machine. Document parts are read in a seeded order; since the source stages
assign documents to parts by a hash of their id, each part is already a random subset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from pipeline import io
from pipeline.config import RunConfig
from pipeline.counters import per_source
from pipeline.documents import read_documents, stable_hash
from pipeline.harness import Stage, StageContext, stage_command
from pipeline.present import present_sources, warn_missing
from pipeline.shards.format import TOKENIZER_NAME
from pipeline.shards.quotas import target_shares
from pipeline.stages import source_stages
from tokenizer.config import TokenizerConfig
from tokenizer.train import byte_budgets, draw_sample, model_sha256, train_model

SHA256_NAME = TOKENIZER_NAME + ".sha256"


@dataclasses.dataclass
class TokenizerParameters:
    """What the trained model depends on besides the documents."""

    tokenizer: TokenizerConfig
    ratios: dict[str, float]
    seed: int


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


def sampling_rate(budget: int, total: int | None) -> float:
    """Share of a source to draw for `budget` bytes; a margin so that hashing's variance
    rarely leaves the budget short (the draw stops at the budget anyway)."""
    return 1.0 if not total else min(1.0, 1.25 * budget / total)


class TokenizerStage(Stage):
    name = "tokenizer"
    outputs = {"model": TOKENIZER_NAME, "sha256": SHA256_NAME}
    config_key = "tokenizer"
    help = (
        "Train the SentencePiece BPE tokenizer (LLaMA settings) on a sample at the mixture ratios."
    )

    @property
    def requires(self) -> tuple[str, ...]:  # type: ignore[override]
        return source_stages()

    def parameters(self, run: RunConfig) -> TokenizerParameters:
        return TokenizerParameters(run.tokenizer, dict(run.shards.ratios), run.seed)

    def run(self, ctx: StageContext) -> dict[str, int]:
        run = ctx.run
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
        model, stats = train_model(draw_sample(streams, budgets), run.tokenizer, run.seed)
        io.write_bytes(ctx.output("model"), model)
        sha256 = model_sha256(model)
        io.write_bytes(ctx.output("sha256"), f"{sha256}  {TOKENIZER_NAME}\n".encode())
        counters = {"sample.lines": stats.lines, "vocab_size": run.tokenizer.vocab_size}
        for source in stats.documents:
            counters[per_source("sample.documents", source)] = stats.documents[source]
            counters[per_source("sample.bytes", source)] = stats.bytes[source]
        return counters


STAGE = TokenizerStage()
command = stage_command(STAGE)
