"""Fixtures: a run directory holding a tokenizer and encoded documents of all seven sources."""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.config import RunConfig, RunnerConfig
from pipeline.encode.config import encoded_schema
from pipeline.harness.beam import beam_args_for
from pipeline.harness.running import run_stage
from pipeline.shards.config import ShardsConfig
from pipeline.shards.stage import ShardsStage
from tokenizer.config import TokenizerConfig
from tokenizer.sample_text import synthetic_documents
from tokenizer.train import train_model

VOCAB = 600
# Documents per source and mean ids per document: books and wikipedia are small next to
# their LLaMA share, so they repeat (as in LLaMA, ~2 epochs); commoncrawl is large.
SIZES = {
    "commoncrawl": (700, 300),
    "c4": (300, 200),
    "github": (80, 250),
    "wikipedia": (60, 150),
    "books": (10, 800),
    "arxiv": (25, 600),
    "stackexchange": (60, 150),
}


@pytest.fixture(scope="session")
def source_sizes() -> dict[str, tuple[int, int]]:
    return dict(SIZES)


@pytest.fixture(scope="session")
def tiny_model() -> bytes:
    config = TokenizerConfig(vocab_size=VOCAB, character_coverage=0.9995, num_threads=2)
    ascii_documents = (
        "".join(c for c in d if c.isascii()) for d in synthetic_documents(300, seed=4)
    )
    model, _ = train_model((("c4", d) for d in ascii_documents), config, seed=0)
    return model


def write_encoded_run(
    root: Path, model: bytes, sources: dict[str, tuple[int, int]], seed: int = 0
) -> None:
    """<root>/tokenizer/tokenizer.model and <root>/encode/<source>/part-0000k.parquet."""
    (root / "tokenizer").mkdir(parents=True)
    (root / "tokenizer" / "tokenizer.model").write_bytes(model)
    rng = random.Random(seed)
    schema = encoded_schema(VOCAB)
    for source, (count, mean) in sources.items():
        rows = []
        for index in range(count):
            n = rng.randint(1, 2 * mean)
            rows.append(
                {
                    "id": f"{source}/{index}",
                    "source": source,
                    "tokens": [rng.randrange(3, VOCAB) for _ in range(n)],
                    "bytes": 3 * n,
                }
            )
        out = root / "encode" / source
        out.mkdir(parents=True)
        for part in range(2):
            chunk = sorted(rows[part::2], key=lambda r: r["id"])
            pq.write_table(
                pa.Table.from_pylist(chunk, schema=schema), out / f"part-{part:05d}.parquet"
            )


MixRunner = Callable[..., tuple[RunConfig, Path]]


@pytest.fixture
def mix_run(tmp_path: Path, tiny_model: bytes) -> MixRunner:
    """Runs the mix stage over generated encoded documents; returns (run, shards dir)."""

    def run(
        name: str = "run", seed: int = 0, sources: dict | None = None, **mix: object
    ) -> tuple[RunConfig, Path]:
        root = tmp_path / name
        write_encoded_run(root, tiny_model, sources or SIZES)
        config = RunConfig(
            run_dir=str(root),
            seed=seed,
            runner=RunnerConfig(direct_num_workers=1, direct_running_mode="in_memory"),
            shards=ShardsConfig(**{"shard_bytes": 40_000, "val_fraction": 0.02, **mix}),
        )
        run_stage(ShardsStage(), config, beam_args=beam_args_for(config, []))
        return config, root / "shards"

    return run
