"""The `tokenizer` stage: train SentencePiece on a seeded sample drawn at the mixture ratios.

Plain Python, no Beam: the sample is bounded (tokenizer.sample_bytes) and SentencePiece
trains on one machine. Document parts are read in a seeded order; since the source stages
assign documents to parts by a hash of their id, each part is already a random subset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

from pipeline import io
from pipeline.config import SOURCES, RunConfig
from pipeline.documents import read_documents, stable_hash
from pipeline.harness import Stage, StageContext, parameters_help, stage_command
from pipeline.mix.quotas import target_shares
from pipeline.present import present_sources, warn_missing
from pipeline.shards import TOKENIZER_NAME
from tokenizer.config import TokenizerConfig
from tokenizer.train import byte_budgets, draw_sample, model_sha256, train_model

SHA256_NAME = TOKENIZER_NAME + ".sha256"


@dataclasses.dataclass
class TokenizerParameters:
    """What the trained model depends on besides the documents."""

    tokenizer: TokenizerConfig
    ratios: dict[str, float]
    seed: int


def tokenizer_path(run: RunConfig) -> str:
    return io.join(run.resolve(run.run_dir), "tokenizer", TOKENIZER_NAME)


def seeded_texts(parts: list[str], seed: int, salt: str) -> Iterator[str]:
    """Document texts, parts in a seeded order, rows in file order."""
    for part in sorted(
        parts, key=lambda p: (stable_hash(p.rsplit("/", 1)[-1], f"{salt}{seed}"), p)
    ):
        for document in read_documents(part):
            yield document["text"]


class TokenizerStage(Stage):
    name = "tokenizer"
    requires = SOURCES
    help = (
        "Train the SentencePiece BPE tokenizer (LLaMA settings) on a sample at the mixture ratios."
    )

    def parameters(self, run: RunConfig) -> TokenizerParameters:
        return TokenizerParameters(run.tokenizer, dict(run.mix.ratios), run.seed)

    def run(self, ctx: StageContext) -> dict[str, int]:
        run = ctx.run
        present = present_sources(run)
        if not present:
            raise FileNotFoundError(
                f"no source documents under {run.run_dir}: run the source stages first"
            )
        shares, missing = target_shares(run.mix.ratios, present)
        warn_missing(self.name, missing)
        budgets = byte_budgets(
            {s: x for s, x in shares.items() if x > 0}, run.tokenizer.sample_bytes
        )
        streams = {s: seeded_texts(present[s], run.seed, "tokenizer") for s in budgets}
        model, stats = train_model(draw_sample(streams, budgets), run.tokenizer, run.seed)
        io.write_bytes(io.join(ctx.out_dir, TOKENIZER_NAME), model)
        sha256 = model_sha256(model)
        io.write_bytes(io.join(ctx.out_dir, SHA256_NAME), f"{sha256}  {TOKENIZER_NAME}\n".encode())
        counters = {"sample_lines": stats.lines, "vocab_size": run.tokenizer.vocab_size}
        for source in stats.documents:
            counters[f"sample_documents_{source}"] = stats.documents[source]
            counters[f"sample_bytes_{source}"] = stats.bytes[source]
        return counters


STAGE = TokenizerStage()
command = stage_command(STAGE, "tokenizer")
command.epilog = parameters_help(TokenizerConfig(), "tokenizer")
