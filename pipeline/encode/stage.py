"""The `encode` stage: each present source's documents -> token ids, counted per source.

Output: <run>/encode/<source>/part-*.parquet with id, source, tokens (SentencePiece ids,
exactly SentencePieceProcessor.encode(text)), bytes (UTF-8 length of the text). Counters
documents.<source>, tokens.<source> and bytes.<source> go to _stats.json.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import numpy as np
import pyarrow as pa

from pipeline import io
from pipeline.config import RunConfig
from pipeline.counters import BeamCounters, per_source
from pipeline.documents import ReadDocuments, WriteParts
from pipeline.encode.config import EncodeConfig, encoded_schema
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.stage import Stage, StageContext
from pipeline.present import present_sources
from pipeline.stages import source_stages
from tokenizer.encoder import FastEncoder
from tokenizer.model_proto import parse


class EncodeDocumentFn(io.StoreFn):
    """Loads the tokenizer once per worker; one encoded row per non-empty document."""

    def __init__(self, stage: str, model_path: str, cache_entries: int) -> None:
        super().__init__()
        self.model_path, self.cache_entries = model_path, cache_entries
        self.count = BeamCounters(stage)

    def setup(self) -> None:
        super().setup()
        self.encoder = FastEncoder(io.read_bytes(self.model_path), cache_entries=self.cache_entries)

    def process(self, document: dict[str, Any]) -> Iterator[dict[str, Any]]:
        source, text = document["source"], document["text"]
        if not text:
            self.count(per_source("dropped.empty", source))
            return
        ids = self.encoder.encode_array(text)
        size = len(text.encode("utf-8", "replace"))
        self.count(per_source("documents", source))
        self.count(per_source("tokens", source), int(ids.size))
        self.count(per_source("bytes", source), size)
        yield {"id": document["id"], "source": source, "tokens": ids, "bytes": size}


def encoded_table(rows: list[dict[str, Any]], schema: pa.Schema, key: str = "id") -> pa.Table:
    """Rows (tokens as arrays) as one Arrow table, sorted by id; token lists built from one
    concatenated buffer rather than Python ints."""
    ordered = sorted(rows, key=lambda r: (r[key], r["tokens"].tobytes()))
    id_type = schema.field("tokens").type.value_type
    dtype = np.uint16 if id_type == pa.uint16() else np.uint32
    lengths = [r["tokens"].size for r in ordered]
    offsets = np.zeros(len(ordered) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    values = (
        np.concatenate([r["tokens"] for r in ordered]).astype(dtype, copy=False)
        if ordered
        else np.empty(0, dtype=dtype)
    )
    tokens = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, type=id_type))
    return pa.table(
        {
            "id": pa.array([r["id"] for r in ordered], pa.string()),
            "source": pa.array([r["source"] for r in ordered], pa.string()),
            "tokens": tokens.cast(schema.field("tokens").type),
            "bytes": pa.array([r["bytes"] for r in ordered], pa.int64()),
        },
        schema=schema,
    )


class EncodeStage(Stage):
    name = "encode"
    config_key = "encode"
    help = "Encode every present source's documents to token ids (exactly SentencePiece's)."

    @property
    def outputs(self) -> dict[str, str]:  # type: ignore[override]
        """One folder of encoded parts per source."""
        return {source: f"{source}/part-*.parquet" for source in source_stages()}

    @property
    def requires(self) -> tuple[str, ...]:  # type: ignore[override]
        return ("tokenizer", *source_stages())

    def parameters(self, run: RunConfig) -> EncodeConfig:
        return run.encode

    def run(self, ctx: StageContext) -> dict[str, int]:
        run = ctx.run
        present = present_sources(ctx)
        if not present:
            raise FileNotFoundError(f"no source documents under {run.run_dir}")
        model_path = ctx.input("tokenizer", "model")
        vocab_size = len(parse(io.read_bytes(model_path)).pieces)
        schema = encoded_schema(vocab_size)

        def build(pipeline: beam.Pipeline) -> None:
            for source, parts in present.items():
                out_dir = io.join(ctx.out_dir, source)
                io.make_dirs(out_dir)
                _ = (
                    pipeline
                    | f"Read {source}" >> ReadDocuments(ctx.input(source, "documents"))
                    | f"Encode {source}"
                    >> beam.ParDo(EncodeDocumentFn(self.name, model_path, run.encode.cache_entries))
                    | f"Write {source}"
                    >> WriteParts(
                        out_dir, schema, run.encode.parts or len(parts), table=encoded_table
                    )
                )

        counters = run_beam(ctx, build)
        counters["vocab_size"] = vocab_size
        return counters


STAGE = EncodeStage()
command = stage_command(STAGE)
