"""The Document contract shared by every stage, and deterministic Parquet parts.

Rows go to part `stable_hash(key) % parts` and are sorted by key inside a part, so the
same documents always give byte-identical files whatever the runner's parallelism.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import io
from pipeline.progress import note_documents_read, note_part, note_rows_written

DOCUMENT_SCHEMA = pa.schema(
    [
        pa.field("id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("text", pa.string(), nullable=False),
        pa.field("url", pa.string()),
        pa.field("language", pa.string()),
        pa.field("meta", pa.string(), nullable=False),
    ]
)

# Dropped documents keep the Document columns and say why they were dropped.
DROPPED_SCHEMA = DOCUMENT_SCHEMA.append(pa.field("reason", pa.string(), nullable=False))

ERROR_SCHEMA = pa.schema(
    [
        pa.field("file", pa.string(), nullable=False),
        pa.field("record", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("message", pa.string(), nullable=False),
    ]
)


@dataclass(frozen=True)
class Document:
    """One document of the contract. `meta` holds the source's own fields and the signals
    steps computed on it; it is stored as a JSON object with sorted keys."""

    id: str
    source: str
    text: str
    url: str | None = None
    language: str | None = None
    meta: Mapping[str, Any] = field(default_factory=dict)

    def with_text(self, text: str) -> Document:
        return replace(self, text=text)

    def with_meta(self, **signals: Any) -> Document:
        """The document with `signals` added to (or replacing keys of) its meta."""
        return replace(self, meta={**self.meta, **signals})

    def row(self) -> dict[str, Any]:
        """The Parquet row (DOCUMENT_SCHEMA)."""
        return {
            "id": self.id,
            "source": self.source,
            "text": self.text,
            "url": self.url,
            "language": self.language,
            "meta": json.dumps(dict(self.meta), sort_keys=True, ensure_ascii=False),
        }

    def dropped_row(self, reason: str) -> dict[str, Any]:
        """The row of `<stage>/dropped/` (DROPPED_SCHEMA): the document and why it went."""
        return {**self.row(), "reason": reason}


def stable_hash(value: str, salt: str = "") -> int:
    """A 64-bit hash that is the same in every process and every run (unlike hash())."""
    digest = hashlib.blake2b(f"{salt}\x00{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


def part_name(index: int, prefix: str = "part") -> str:
    return f"{prefix}-{index:05d}.parquet"


def write_table(path: str, rows: list[dict[str, Any]], schema: pa.Schema) -> None:
    """Rows, in the order given, as one Parquet file."""
    with io.open_write(path) as f:
        pq.write_table(pa.Table.from_pylist(rows, schema=schema), f, compression="zstd")


class PartWriter:
    """Streams rows into one Parquet file, a row group at a time, so a stage can write a
    part of any size in bounded memory. The file is written even when no row comes."""

    def __init__(self, path: str, schema: pa.Schema, rows_per_group: int = 2048) -> None:
        self.path, self.schema, self.rows_per_group = path, schema, rows_per_group
        self.rows: list[dict[str, Any]] = []
        self.sink = io.open_write(path)
        self.writer = pq.ParquetWriter(self.sink, schema, compression="zstd")

    def write(self, row: dict[str, Any]) -> None:
        self.rows.append(row)
        note_rows_written()
        if len(self.rows) >= self.rows_per_group:
            self._flush()

    def _flush(self) -> None:
        if self.rows:
            self.writer.write_table(pa.Table.from_pylist(self.rows, schema=self.schema))
            self.rows = []

    def close(self) -> None:
        self._flush()
        self.writer.close()
        self.sink.close()
        note_part()


@contextlib.contextmanager
def part_writers(
    out_dir: str, name: str, keep_dropped: bool, rows_per_group: int = 2048
) -> Iterator[tuple[PartWriter, PartWriter | None]]:
    """A source stage's writers for one part: `<out_dir>/<name>` for its documents and, with
    --keep-dropped, `<out_dir>/dropped/<name>` for the rows it dropped. Both are closed.
    Stages whose rows run to megabytes (books) pass a smaller `rows_per_group`."""
    documents = PartWriter(io.join(out_dir, name), DOCUMENT_SCHEMA, rows_per_group)
    dropped = (
        PartWriter(io.join(out_dir, "dropped", name), DROPPED_SCHEMA, rows_per_group)
        if keep_dropped
        else None
    )
    try:
        yield documents, dropped
    finally:
        documents.close()
        if dropped is not None:
            dropped.close()


def sorted_table(rows: list[dict[str, Any]], schema: pa.Schema, key: str) -> pa.Table:
    """Rows sorted by `key` as a table; the whole row breaks ties, so equal keys (one URL
    cited twice) still come out in one order."""
    ordered = sorted(rows, key=lambda r: (r[key], json.dumps(r, sort_keys=True)))
    return pa.Table.from_pylist(ordered, schema=schema)


class _WritePartFn(io.StoreFn):
    def __init__(
        self,
        out_dir: str,
        schema: pa.Schema,
        key: str,
        prefix: str,
        parts: int,
    ) -> None:
        super().__init__()
        self.out_dir, self.schema, self.key, self.prefix = out_dir, schema, key, prefix
        self.parts = parts

    def process(self, element: tuple[int, Any]) -> Iterator[str]:
        index, rows = element
        rows = list(rows)
        path = io.join(self.out_dir, part_name(index, self.prefix))
        with io.open_write(path) as f:
            pq.write_table(sorted_table(rows, self.schema, self.key), f, compression="zstd")
        note_rows_written(len(rows))
        note_part(of=self.parts)
        yield path


class WriteParts(beam.PTransform):
    """Write dict rows as `part-NNNNN.parquet` under `out_dir`, deterministically: a row goes
    to part `stable_hash(row[key]) % parts`, sorted there by key (sorted_table).

    A part is grouped in one worker and sorted there, so `parts` must be large enough for
    a part to fit in a worker's memory (about 1 GB of text per part is comfortable)."""

    def __init__(
        self,
        out_dir: str,
        schema: pa.Schema,
        parts: int,
        key: str = "id",
        prefix: str = "part",
    ) -> None:
        super().__init__()
        self.out_dir, self.schema, self.parts, self.key = out_dir, schema, parts, key
        self.prefix = prefix

    def expand(self, pcoll: beam.PCollection) -> beam.PCollection:
        parts, key = self.parts, self.key
        return (
            pcoll
            | "Assign part" >> beam.Map(lambda row: (stable_hash(str(row[key])) % parts, row))
            | "Group part" >> beam.GroupByKey()
            | "Write part"
            >> beam.ParDo(_WritePartFn(self.out_dir, self.schema, key, self.prefix, parts))
        )


class _ReadTablesFn(io.StoreFn):
    def __init__(self, columns: list[str] | None) -> None:
        super().__init__()
        self.columns = columns

    def process(self, path: str) -> Iterator[pa.Table]:
        for batch in io.parquet_batches(path, self.columns):
            yield pa.Table.from_batches([batch])


class ReadParquetTables(beam.PTransform):
    """Arrow tables of up to 1024 rows (of `columns`, all by default) from the Parquet files
    matching `patterns` (one or several, listed now: a pattern matching nothing is an
    error), one file per element, spread over the workers. Not Beam's ReadFromParquet: its reads run in workers with Beam's
    own filesystem options, which a portable runner's pool workers do not get (io.StoreFn).
    Several patterns are one read, not reads joined by a Flatten: the FnApiRunner holds a
    Flatten's inputs in its workers, which grew with the input (shards, issue 27)."""

    def __init__(self, patterns: str | list[str], columns: list[str] | None = None) -> None:
        super().__init__()
        self.patterns = [patterns] if isinstance(patterns, str) else list(patterns)
        self.columns = columns

    def expand(self, pbegin: beam.pvalue.PBegin) -> beam.PCollection:
        paths = [f.path for f in io.match_files(self.patterns)]
        return (
            pbegin
            | "List parquet" >> beam.Create(paths)
            | "Spread files" >> beam.Reshuffle()
            | "Read parquet" >> beam.ParDo(_ReadTablesFn(self.columns))
        )


def read_documents(pattern: str) -> Iterator[dict[str, Any]]:
    """Rows of every Parquet file matching `pattern`, file by file in path order (no Beam)."""
    for entry in io.match_files([pattern]):
        for batch in io.parquet_batches(entry.path):
            note_documents_read(batch.num_rows)
            yield from batch.to_pylist()
