"""Token shards: the corpus format the trainer reads.

A shard is an Arrow IPC *stream* file, uncompressed, one row per document:

    tokens: large_list<uint16>   (uint32 when the vocabulary exceeds 65,536 ids)
    source: dictionary<int32, string>
    id:     string

Each row holds BOS + ids + EOS. The writer emits one record batch per shard, so all token
values of a shard are one contiguous buffer: a reader memory-maps the file and serves any
window of tokens, with the document starts inside it, without copying. The same files open
with `datasets.Dataset.from_file` and with `pyarrow.ipc.open_stream(pyarrow.memory_map(p))`.

This module imports only numpy and pyarrow (the trainer depends on it); paths may be local
or any URI pyarrow's filesystems understand, and the writer also accepts an open sink.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

import numpy as np
import pyarrow as pa
import pyarrow.fs as pafs

FORMAT = "fleece-shards/1"
MANIFEST_NAME = "manifest.json"
TOKENIZER_NAME = "tokenizer.model"
# The Hugging Face tokenizer the export builds from TOKENIZER_NAME (tokenizer/hf.py), written
# beside the shards so that they decode with the `tokenizers` library alone.
HF_TOKENIZER_NAME = "tokenizer.json"
BOS_ID = 1
EOS_ID = 2
SPLITS = ("train", "val")

_HASH_CHUNK = 8 << 20


def token_dtype(vocab_size: int) -> np.dtype:
    """uint16 while every id fits in it, else uint32."""
    if vocab_size <= 0:
        raise ValueError(f"vocab_size must be positive, got {vocab_size}")
    return np.dtype(np.uint16) if vocab_size <= 1 << 16 else np.dtype(np.uint32)


def shard_schema(vocab_size: int) -> pa.Schema:
    """The Arrow schema of a shard for this vocabulary size."""
    value_type = pa.uint16() if token_dtype(vocab_size) == np.uint16 else pa.uint32()
    return pa.schema(
        [
            pa.field("tokens", pa.large_list(pa.field("item", value_type, nullable=False))),
            pa.field("source", pa.dictionary(pa.int32(), pa.string())),
            pa.field("id", pa.string()),
        ]
    )


def shard_name(split: str, index: int) -> str:
    """`train-00000.arrow`, `val-00003.arrow`, ..."""
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    return f"{split}-{index:05d}.arrow"


def join(directory: str, name: str) -> str:
    """Join a directory (local or URI) and a file name."""
    return directory.rstrip("/") + "/" + name


# The S3 filesystem of s3:// paths when a run names its endpoint or credentials (an S3 API
# server of one's own); None: pyarrow's default (AWS, credentials from the environment).
_s3: pafs.S3FileSystem | None = None


def use_s3(
    *,
    endpoint_url: str | None = None,
    access_key: str | None = None,
    secret_key: str | None = None,
    region: str | None = None,
) -> None:
    """Read and write s3:// paths through this endpoint with these credentials (the values
    of Beam's --s3_* flags, which the pipeline's own file access uses)."""
    global _s3
    if not any((endpoint_url, access_key, secret_key, region)):
        _s3 = None
        return
    scheme, _, endpoint = (endpoint_url or "").rpartition("://")
    _s3 = pafs.S3FileSystem(
        access_key=access_key,
        secret_key=secret_key,
        region=region,
        endpoint_override=endpoint or None,
        scheme=scheme or "https",
    )


def _filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    if path.startswith("s3://") and _s3 is not None:
        return _s3, path.removeprefix("s3://")
    if "://" in path:
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), path


def _is_local(path: str) -> bool:
    return "://" not in path or path.startswith("file://")


def _local_path(path: str) -> str:
    return path[len("file://") :] if path.startswith("file://") else path


def read_bytes(path: str) -> bytes:
    """The whole content of a (small) file, local or remote."""
    fs, inner = _filesystem(path)
    with fs.open_input_stream(inner) as stream:
        return stream.read()


def write_bytes(path: str, data: bytes) -> None:
    """Write a (small) file, local or remote, creating local parent directories."""
    fs, inner = _filesystem(path)
    parent = inner.rsplit("/", 1)[0] if "/" in inner else ""
    if parent:
        fs.create_dir(parent, recursive=True)
    with fs.open_output_stream(inner) as stream:
        stream.write(data)


def file_sha256(path: str) -> str:
    """sha256 of a file, read in chunks (shards are large)."""
    digest = hashlib.sha256()
    fs, inner = _filesystem(path)
    with fs.open_input_stream(inner) as stream:
        while chunk := stream.read(_HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


@dataclasses.dataclass(frozen=True)
class ShardInfo:
    """What the manifest records about one written shard."""

    path: str
    sha256: str
    documents: int
    tokens: int
    tokens_per_source: dict[str, int]
    bytes: int = 0
    documents_per_source: dict[str, int] = dataclasses.field(default_factory=dict)
    max_id: int = 0


class _HashingSink:
    """A write-only file object that hashes and counts what passes through it."""

    def __init__(self, raw: Any) -> None:
        self._raw = raw
        self.digest = hashlib.sha256()
        self.size = 0
        self.closed = False

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self.digest.update(view)
        self.size += view.nbytes
        self._raw.write(view)
        return view.nbytes

    def tell(self) -> int:
        return self.size

    def flush(self) -> None:
        self._raw.flush()

    def writable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readable(self) -> bool:
        return False

    def close(self) -> None:
        self.closed = True


class ShardWriter:
    """Buffers documents in memory and writes them as one record batch on close().

    Memory: one contiguous token buffer (grown by 1.5x) plus the ids, so a shard should be
    sized to fit a worker comfortably (the default target is about 1 GB).
    """

    def __init__(self, path: str, vocab_size: int, sink: BinaryIO | None = None) -> None:
        self.path = path
        self.vocab_size = vocab_size
        self._dtype = token_dtype(vocab_size)
        self._schema = shard_schema(vocab_size)
        self._sink = sink
        self._buffer = np.empty(1 << 16, dtype=self._dtype)
        self._used = 0
        self._offsets: list[int] = [0]
        self._source_index: dict[str, int] = {}
        self._source_codes: list[int] = []
        self._ids: list[str] = []
        self._tokens_per_source: dict[str, int] = {}
        self._documents_per_source: dict[str, int] = {}
        self._max_id = 0
        self._info: ShardInfo | None = None

    def write(self, tokens: Sequence[int] | np.ndarray, source: str, id: str) -> None:  # noqa: A002
        """Append one document (its tokens already include BOS and EOS)."""
        if self._info is not None:
            raise ValueError(f"{self.path}: write() after close()")
        values = np.asarray(tokens)
        if values.ndim != 1:
            raise ValueError(f"{self.path}: document {id!r}: tokens must be one-dimensional")
        if values.size:
            if values.dtype.kind not in "iu":
                raise ValueError(
                    f"{self.path}: document {id!r}: tokens are {values.dtype}, not ints"
                )
            low, high = int(values.min()), int(values.max())
            if low < 0 or high >= self.vocab_size:
                raise ValueError(
                    f"{self.path}: document {id!r}: token id {low if low < 0 else high} outside "
                    f"[0, {self.vocab_size})"
                )
            self._max_id = max(self._max_id, high)
        end = self._used + values.size
        if end > self._buffer.size:
            grown = np.empty(max(end, self._buffer.size * 3 // 2), dtype=self._dtype)
            grown[: self._used] = self._buffer[: self._used]
            self._buffer = grown
        self._buffer[self._used : end] = values
        self._used = end
        self._offsets.append(end)
        code = self._source_index.setdefault(source, len(self._source_index))
        self._source_codes.append(code)
        self._ids.append(id)
        self._tokens_per_source[source] = self._tokens_per_source.get(source, 0) + values.size
        self._documents_per_source[source] = self._documents_per_source.get(source, 0) + 1

    def _batch(self) -> pa.RecordBatch:
        value_type = self._schema.field("tokens").type.value_type
        values = pa.array(self._buffer[: self._used], type=value_type)
        offsets = pa.array(np.asarray(self._offsets, dtype=np.int64), type=pa.int64())
        tokens = pa.LargeListArray.from_arrays(
            offsets, values, type=self._schema.field("tokens").type
        )
        sources = pa.DictionaryArray.from_arrays(
            pa.array(self._source_codes, type=pa.int32()),
            pa.array(list(self._source_index), type=pa.string()),
        )
        ids = pa.array(self._ids, type=pa.string())
        return pa.RecordBatch.from_arrays([tokens, sources, ids], schema=self._schema)

    def close(self) -> ShardInfo:
        """Write the shard and return what the manifest records about it (idempotent)."""
        if self._info is not None:
            return self._info
        batch = self._batch()
        if self._sink is not None:
            hashing = _HashingSink(self._sink)
            self._write_stream(hashing, batch)
        else:
            fs, inner = _filesystem(self.path)
            parent = inner.rsplit("/", 1)[0] if "/" in inner else ""
            if parent:
                fs.create_dir(parent, recursive=True)
            with fs.open_output_stream(inner) as raw:
                hashing = _HashingSink(raw)
                self._write_stream(hashing, batch)
        self._info = ShardInfo(
            path=self.path,
            sha256=hashing.digest.hexdigest(),
            documents=len(self._ids),
            tokens=self._used,
            tokens_per_source=dict(sorted(self._tokens_per_source.items())),
            bytes=hashing.size,
            documents_per_source=dict(sorted(self._documents_per_source.items())),
            max_id=self._max_id,
        )
        self._buffer = np.empty(0, dtype=self._dtype)
        return self._info

    def _write_stream(self, sink: _HashingSink, batch: pa.RecordBatch) -> None:
        with pa.ipc.new_stream(sink, self._schema) as writer:
            writer.write_batch(batch)

    def __enter__(self) -> ShardWriter:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.close()


class ShardReader:
    """A shard opened for reading: memory-mapped when local, the token buffer never copied.

    Nothing in the file is trusted before it is checked: Arrow validates the whole stream
    (offsets monotone and inside their buffers, dictionary indices in range, UTF-8) before any
    value is read, so a corrupt or truncated file is a ValueError naming it, never a crash.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        try:
            if _is_local(path):
                self._source: pa.NativeFile = pa.memory_map(_local_path(path), "r")
            else:
                fs, inner = _filesystem(path)
                with fs.open_input_file(inner) as stream:
                    self._source = pa.BufferReader(stream.read_buffer())
        except pa.ArrowException as error:
            raise ValueError(f"{path}: cannot be opened: {error}") from error
        try:
            table = pa.ipc.open_stream(self._source).read_all()
            table.validate(full=True)
        except (pa.ArrowException, OSError, MemoryError) as error:
            # pyarrow raises OSError (its ArrowIOError) for a stream cut short.
            self._source.close()
            raise ValueError(f"{path}: not a valid Arrow IPC stream shard: {error}") from error
        try:
            self._check_schema(table.schema)
            self._load(table)
        except ValueError:
            self._source.close()
            raise
        self._table = table

    def _load(self, table: pa.Table) -> None:
        self.zero_copy = table.column("tokens").num_chunks <= 1
        for name in ("tokens", "source", "id"):
            nulls = table.column(name).null_count
            if nulls:
                raise ValueError(f"{self.path}: {nulls} rows have a null {name}")
        if table.num_rows == 0:
            self._tokens = np.empty(0, dtype=self._value_dtype(table.schema))
            self._offsets = np.zeros(1, dtype=np.int64)
            return
        # Several batches (not written by ShardWriter) are combined: a copy.
        column = table.column("tokens")
        tokens = column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()
        offsets = tokens.offsets.to_numpy()
        values = tokens.values.to_numpy(zero_copy_only=True)
        if offsets[-1] > values.size or (np.diff(offsets) < 0).any():
            raise ValueError(f"{self.path}: token offsets are not monotone inside the buffer")
        if offsets[0] != 0:
            values = values[offsets[0] : offsets[-1]]
            offsets = offsets - offsets[0]
        self._tokens = values
        self._offsets = offsets

    def _check_schema(self, schema: pa.Schema) -> None:
        names = schema.names
        if names != ["tokens", "source", "id"]:
            raise ValueError(f"{self.path}: columns {names}, expected ['tokens', 'source', 'id']")
        tokens_type = schema.field("tokens").type
        if not pa.types.is_large_list(tokens_type) or tokens_type.value_type not in (
            pa.uint16(),
            pa.uint32(),
        ):
            raise ValueError(
                f"{self.path}: tokens column is {tokens_type}, expected large_list<uint16|uint32>"
            )
        source_type = schema.field("source").type
        if not (pa.types.is_dictionary(source_type) and pa.types.is_string(source_type.value_type)):
            raise ValueError(
                f"{self.path}: source column is {source_type}, expected dictionary<string>"
            )
        if not pa.types.is_string(schema.field("id").type):
            raise ValueError(
                f"{self.path}: id column is {schema.field('id').type}, expected string"
            )

    @staticmethod
    def _value_dtype(schema: pa.Schema) -> np.dtype:
        return np.dtype(schema.field("tokens").type.value_type.to_pandas_dtype())

    @property
    def num_documents(self) -> int:
        return self._offsets.size - 1

    @property
    def num_tokens(self) -> int:
        return int(self._tokens.size)

    @property
    def tokens(self) -> np.ndarray:
        """All token values of the shard, concatenated (a read-only view of the file)."""
        return self._tokens

    @property
    def offsets(self) -> np.ndarray:
        """int64, num_documents + 1 entries: document d is tokens[offsets[d]:offsets[d + 1]]."""
        return self._offsets

    def document(self, index: int) -> np.ndarray:
        """The tokens of one document (a view)."""
        return self._tokens[self._offsets[index] : self._offsets[index + 1]]

    def window(self, start: int, length: int) -> tuple[np.ndarray, np.ndarray]:
        """tokens[start:start+length] (a view) and the positions, relative to start, where a
        document begins inside that window."""
        if start < 0 or length < 0 or start + length > self.num_tokens:
            raise ValueError(
                f"{self.path}: window [{start}, {start + length}) outside [0, {self.num_tokens})"
            )
        first = np.searchsorted(self._offsets[:-1], start, side="left")
        last = np.searchsorted(self._offsets[:-1], start + length, side="left")
        return self._tokens[start : start + length], self._offsets[first:last] - start

    def sources(self) -> list[str]:
        return self._table.column("source").to_pylist()

    def ids(self) -> list[str]:
        return self._table.column("id").to_pylist()

    def rows(self) -> Iterator[tuple[str, str, np.ndarray]]:
        """(id, source, tokens) for each document, in file order."""
        for index, (doc_id, source) in enumerate(zip(self.ids(), self.sources(), strict=True)):
            yield doc_id, source, self.document(index)

    def close(self) -> None:
        self._table = None  # type: ignore[assignment]
        self._source.close()

    def __len__(self) -> int:
        return self.num_documents

    def __enter__(self) -> ShardReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def load_manifest(directory: str) -> dict[str, Any]:
    """The manifest.json of a shard directory, checked for its format tag."""
    path = join(directory, MANIFEST_NAME)
    try:
        manifest = json.loads(read_bytes(path))
    except FileNotFoundError as error:
        raise FileNotFoundError(f"{path}: no shard manifest here") from error
    except ValueError as error:  # not JSON, or not UTF-8
        raise ValueError(f"{path}: not valid JSON ({error})") from None
    if not isinstance(manifest, dict):
        raise ValueError(f"{path}: expected a JSON object, got {type(manifest).__name__}")
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: format {manifest.get('format')!r}, expected {FORMAT!r}")
    return manifest
