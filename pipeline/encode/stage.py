"""The `encode` stage: each present source's documents -> token ids, counted per source.

Output: <run>/encode/<source>/part-*.parquet with id, source, tokens (SentencePiece ids,
exactly SentencePieceProcessor.encode(text)), bytes (UTF-8 length of the text). Counters
documents.<source>, tokens.<source> and bytes.<source> go to _stats.json.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import apache_beam as beam
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import io
from pipeline.config import RunConfig
from pipeline.counters import BeamCounters, per_source
from pipeline.encode.config import EncodeConfig, encoded_schema
from pipeline.harness.beam import run_beam
from pipeline.harness.commands import stage_command
from pipeline.harness.stage import Stage, StageContext
from pipeline.present import present_sources
from pipeline.progress import note_documents_read, note_part, note_rows_written
from pipeline.stages import source_stages
from tokenizer.encoder import FastEncoder
from tokenizer.model_proto import parse

# Rows encoded before their tokens are written as one row group: a part of any size (a
# Wikipedia dump file's documents, say) is encoded in memory bounded by this, not by the part.
ROW_GROUP_TOKENS = 4_000_000
# Upstream rows read at a time: few, since one book can be a megabyte of text.
READ_ROWS = 64


class EncodePartFn(io.StoreFn):
    """One upstream document part -> the encoded part of the same name under `out_dir`, its
    rows in the upstream part's order (that part is already deterministic), streamed row
    group by row group. Loads the tokenizer once per worker."""

    def __init__(
        self, stage: str, model_path: str, cache_entries: int, out_dir: str, schema: pa.Schema,
        parts: int,
    ) -> None:  # fmt: skip
        super().__init__()
        self.model_path, self.cache_entries = model_path, cache_entries
        self.out_dir, self.schema, self.parts = out_dir, schema, parts
        self.count = BeamCounters(stage)

    def setup(self) -> None:
        super().setup()
        self.encoder = FastEncoder(io.read_bytes(self.model_path), cache_entries=self.cache_entries)

    def process(self, path: str) -> Iterator[str]:
        groups = self.encoded_groups(path)
        first = next(groups, None)
        if first is None:  # no part for a part with no text: a source with none is absent
            return
        target = io.join(self.out_dir, path.rsplit("/", 1)[-1])
        with (
            io.open_write(target) as sink,
            pq.ParquetWriter(sink, self.schema, compression="zstd") as writer,
        ):
            for rows in itertools.chain([first], groups):
                writer.write_table(encoded_table(rows, self.schema))
                note_rows_written(len(rows))
        note_part(of=self.parts)
        yield target

    def encoded_groups(self, path: str) -> Iterator[list[dict[str, Any]]]:
        """The part's encoded rows, in lists of about ROW_GROUP_TOKENS tokens."""
        rows: list[dict[str, Any]] = []
        tokens = 0
        for batch in io.parquet_batches(path, ["id", "source", "text"], batch_size=READ_ROWS):
            note_documents_read(batch.num_rows)
            for document in batch.to_pylist():
                row = self.encoded(document)
                if row is None:
                    continue
                rows.append(row)
                tokens += row["tokens"].size
                if tokens >= ROW_GROUP_TOKENS:
                    yield rows
                    rows, tokens = [], 0
        if rows:
            yield rows

    def encoded(self, document: dict[str, Any]) -> dict[str, Any] | None:
        source, text = document["source"], document["text"]
        if not text:
            self.count(per_source("dropped.empty", source))
            return None
        ids = self.encoder.encode_array(text)
        size = len(text.encode("utf-8", "replace"))
        self.count(per_source("documents", source))
        self.count(per_source("tokens", source), int(ids.size))
        self.count(per_source("bytes", source), size)
        return {"id": document["id"], "source": source, "tokens": ids, "bytes": size}


def encoded_table(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.Table:
    """Rows (tokens as arrays), in their order, as one Arrow table; token lists built from
    one concatenated buffer rather than Python ints."""
    id_type = schema.field("tokens").type.value_type
    dtype = np.uint16 if id_type == pa.uint16() else np.uint32
    lengths = [r["tokens"].size for r in rows]
    offsets = np.zeros(len(rows) + 1, dtype=np.int32)
    np.cumsum(lengths, out=offsets[1:])
    values = (
        np.concatenate([r["tokens"] for r in rows]).astype(dtype, copy=False)
        if rows
        else np.empty(0, dtype=dtype)
    )
    tokens = pa.ListArray.from_arrays(pa.array(offsets), pa.array(values, type=id_type))
    return pa.table(
        {
            "id": pa.array([r["id"] for r in rows], pa.string()),
            "source": pa.array([r["source"] for r in rows], pa.string()),
            "tokens": tokens.cast(schema.field("tokens").type),
            "bytes": pa.array([r["bytes"] for r in rows], pa.int64()),
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
            # a pure map, part by part: no grouping, so no worker ever holds a whole part
            for source, parts in present.items():
                out_dir = io.join(ctx.out_dir, source)
                io.make_dirs(out_dir)
                encode = EncodePartFn(
                    self.name, model_path, run.encode.cache_entries, out_dir, schema, len(parts)
                )
                _ = (
                    pipeline
                    | f"List {source}" >> beam.Create(parts)
                    | f"Spread {source}" >> beam.Reshuffle()
                    | f"Encode {source}" >> beam.ParDo(encode)
                )

        counters = run_beam(ctx, build)
        counters["vocab_size"] = vocab_size
        return counters


STAGE = EncodeStage()
command = stage_command(STAGE)
