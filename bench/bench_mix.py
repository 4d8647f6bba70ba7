"""Mix throughput: encoded documents of all seven sources -> train/val shards, on Beam's
DirectRunner.

    python -m bench.bench_mix [--million-tokens 20] [--mode in_memory|multi_processing]

Generates encoded parts (random ids, LLaMA-like document sizes per source), runs the real mix
stage (validation split, quotas, remainder copies, placement, shard writing, manifest) and
prints one JSON line: input and output tokens per second, documents per second, shards. The
DirectRunner is a test runner; the figure bounds the per-core cost, not cluster throughput.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import RunConfig, RunnerConfig
from pipeline.encode.config import encoded_schema
from pipeline.harness.beam import beam_args_for
from pipeline.harness.running import run_stage
from pipeline.registry import default_ratios
from pipeline.shards.config import ShardsConfig
from pipeline.shards.stage import ShardsStage
from tokenizer.config import TokenizerConfig
from tokenizer.sample_text import synthetic_documents
from tokenizer.train import train_model

# Mean ids per document (roughly the real sources' shapes).
MEAN_TOKENS = {"commoncrawl": 900, "c4": 450, "github": 1200, "wikipedia": 700, "books": 20000,
               "arxiv": 9000, "stackexchange": 500}  # fmt: skip
# A small tokenizer is trained for the shards' copy; ids stay below its size (uint16 as 32k).
VOCAB = 2000


def write_inputs(root: Path, million_tokens: float, model: bytes) -> tuple[int, int]:
    """Encoded parts whose token counts follow the LLaMA ratios; returns (documents, tokens)."""
    (root / "tokenizer").mkdir(parents=True)
    (root / "tokenizer" / "tokenizer.model").write_bytes(model)
    rng = np.random.default_rng(0)
    schema = encoded_schema(VOCAB)
    total_documents = total_tokens = 0
    for source, ratio in default_ratios().items():
        budget = int(million_tokens * 1e6 * ratio / 100)
        lengths: list[int] = []
        while sum(lengths) < budget:
            lengths.append(int(rng.integers(1, 2 * MEAN_TOKENS[source])))
        values = rng.integers(3, VOCAB, size=sum(lengths), dtype=np.uint16)
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        tokens = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values))
        ids = [f"{source}/{i:08d}" for i in range(len(lengths))]
        table = pa.table(
            {
                "id": ids,
                "source": [source] * len(ids),
                "tokens": tokens,
                "bytes": pa.array([3 * n for n in lengths], pa.int64()),
            },
            schema=schema,
        )
        out = root / "encode" / source
        out.mkdir(parents=True)
        parts = 4
        for part in range(parts):
            pq.write_table(
                table.slice(part * len(ids) // parts, len(ids) // parts + 1),
                out / f"part-{part:05d}.parquet",
            )
        total_documents += len(ids)
        total_tokens += sum(lengths)
    return total_documents, total_tokens


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.bench_mix", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--million-tokens", type=float, default=20.0, help="input tokens (millions)"
    )
    parser.add_argument("--mode", default="in_memory", choices=("in_memory", "multi_processing"))
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)

    texts = synthetic_documents(1500, seed=0)
    config = TokenizerConfig(vocab_size=VOCAB, num_threads=1)
    model, _ = train_model((("c4", t) for t in texts), config, seed=0)
    with tempfile.TemporaryDirectory(prefix="fleece-bench-mix-") as tmp:
        root = Path(tmp)
        documents, tokens = write_inputs(root, args.million_tokens, model)
        run = RunConfig(
            run_dir=str(root),
            runner=RunnerConfig(direct_num_workers=args.workers, direct_running_mode=args.mode),
            shards=ShardsConfig(shard_bytes=64_000_000, token_target=tokens),
        )
        start = time.perf_counter()
        counters = run_stage(ShardsStage(), run, beam_args=beam_args_for(run, []))
        seconds = time.perf_counter() - start
        manifest = json.loads((root / "shards" / "manifest.json").read_text())
    written = manifest["splits"]["train"]["tokens"] + manifest["splits"]["val"]["tokens"]
    print(
        json.dumps(
            {
                "bench": "mix",
                "runner": f"DirectRunner/{args.mode}",
                "workers": args.workers,
                "input_documents": documents,
                "input_tokens": tokens,
                "written_tokens": written,
                "shards": counters.get("train.shards", 0) + counters.get("val.shards", 0),
                "seconds": round(seconds, 2),
                "input_tokens_per_s": round(tokens / seconds),
                "written_tokens_per_s": round(written / seconds),
                "documents_per_s": round(documents / seconds),
            }
        ),
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
