"""File access through Beam's FileSystems, so every path may be local, gs:// or s3://.

Compression is always handled by the caller (bz2/gzip streams are decoded where their
faults can be reported with a position), so files are opened UNCOMPRESSED here.
"""

from __future__ import annotations

import contextlib
import hashlib
import io as io_module
import json
import os
import pickle
import posixpath
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import apache_beam as beam
import pyarrow as pa
import pyarrow.parquet as pq
from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline import fault_switch

# The options this process's FileSystems reach object stores with (S3's endpoint and
# credentials, GCS's project), as the launcher set them (harness/beam.py).
_store_options: dict[str, Any] = {}


def use_store_options(options: dict[str, Any]) -> None:
    """Make this process's FileSystems reach object stores with `options` (Beam option names
    to values, as `PipelineOptions.get_all_options` gives them)."""
    global _store_options
    _store_options = dict(options)
    FileSystems.set_options(PipelineOptions(**_store_options))


def store_options() -> dict[str, Any]:
    """The object-store options this process's FileSystems use (empty for local files)."""
    return dict(_store_options)


class StoreFn(beam.DoFn):
    """Base of every DoFn that reads or writes files. Workers of a portable runner's external
    pool receive no pipeline options, so Beam's S3 or GCS filesystem there would not know the
    endpoint or credentials: the DoFn carries the launcher's, taken when it is built, and
    applies them in `setup()`. It carries the fault a test may arm the same way
    (pipeline/fault_switch.py). A subclass calls `super().__init__()` and, if it defines
    `setup` or `start_bundle`, the base's first."""

    def __init__(self) -> None:
        super().__init__()
        self.store_options = store_options()
        self.fault = fault_switch.armed_for(type(self).__name__)  # tests only
        self.bundles = 0

    def setup(self) -> None:
        use_store_options(self.store_options)

    def start_bundle(self) -> None:
        if self.fault is not None:
            self.bundles += 1
            self.fault.fire_at(self.bundles)


class FlatMapFiles(StoreFn):
    """`beam.FlatMap(fn, *args)` for a function that opens files (see StoreFn); `fn` may
    return None (a write)."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        super().__init__()
        self.fn, self.args = fn, args

    def process(self, element: Any) -> Iterator[Any]:
        yield from self.fn(element, *self.args) or ()


@dataclass(frozen=True, order=True)
class InputFile:
    path: str
    size: int
    mtime: float


def join(base: str, *parts: str) -> str:
    """Path components joined; for URLs as Beam's gs:// and s3:// filesystems join them, but
    without needing that filesystem installed (a plan only prints paths)."""
    if "://" not in base:
        return posixpath.join(base, *parts)
    path = base
    for part in parts:
        path = path.rstrip("/") + "/" + part.lstrip("/")
    return path


def match_files(patterns: list[str]) -> list[InputFile]:
    """Every file matching any of `patterns` (globs), sorted by path, each listed once.

    A pattern that matches nothing is an error: a typo in a manifest must not silently
    produce an empty corpus."""
    found: dict[str, InputFile] = {}
    for pattern in patterns:
        results = FileSystems.match([pattern])[0].metadata_list
        if not results:
            raise FileNotFoundError(f"no input file matches {pattern!r}")
        for meta in results:
            if "://" not in meta.path and os.path.isdir(meta.path):  # globs match files only
                raise FileNotFoundError(
                    f"{pattern!r} is a folder, not a file: name its files, e.g. {pattern}/*"
                )
            found[meta.path] = InputFile(
                meta.path, meta.size_in_bytes, meta.last_updated_in_seconds
            )
    return sorted(found.values())


def list_tree(path: str) -> list[tuple[str, int, int]]:
    """(path relative to `path`, size, modification time in ns) of every file below it,
    sorted. Local files give their exact mtime_ns; object stores their listing's time."""
    if "://" not in path:
        found = []
        for root, _, files in os.walk(path):
            for name in files:
                stat = os.stat(os.path.join(root, name))
                rel = os.path.relpath(os.path.join(root, name), path)
                found.append((rel, stat.st_size, stat.st_mtime_ns))
        return sorted(found)
    prefix = path.rstrip("/") + "/"
    listed = FileSystems.match([prefix + "**"])[0].metadata_list
    return sorted(
        (m.path[len(prefix) :], m.size_in_bytes, int(m.last_updated_in_seconds * 1e9))
        for m in listed
    )


# The checksum an object store keeps of each object, by scheme: read from the object's
# metadata (Beam's FileSystems.checksum), not its bytes. S3's ETag is the MD5 of a
# single-part upload but not of a multipart one, so it is named as what it is.
_STORE_CHECKSUMS = {"gs": "crc32c", "s3": "etag"}


def checksum(path: str) -> str:
    """The checksum of a file's content, named by its kind: "sha256:<hex>" of its bytes, or
    on gs:// and s3:// the store's own ("crc32c:<base64>", "etag:<etag>"), which the store
    computed when the object was written and costs no read."""
    kind = _STORE_CHECKSUMS.get(path.split("://", 1)[0]) if "://" in path else None
    if kind is not None:
        value = str(FileSystems.checksum(path) or "").strip('"')
        if value:
            return f"{kind}:{value}"
    local = "://" not in path or path.startswith("file://")
    with open(path.removeprefix("file://"), "rb") if local else open_read(path) as f:
        return "sha256:" + hashlib.file_digest(f, "sha256").hexdigest()


def file_size(path: str) -> int:
    """The size of one file, local or in an object store."""
    if "://" not in path or path.startswith("file://"):
        return os.path.getsize(path.removeprefix("file://"))
    return FileSystems.match([path])[0].metadata_list[0].size_in_bytes


def exists(path: str) -> bool:
    return FileSystems.exists(path)


def open_read(path: str) -> IO[bytes]:
    return FileSystems.open(path, compression_type=CompressionTypes.UNCOMPRESSED)


# Parquet is read on the calling thread, never with `pq.read_table` or Arrow's pools: the
# dataset scanner behind `read_table` leaves threads that abort the process at exit
# ("terminate called without an active exception", apache/arrow#34314; 49 of 300 short
# scripts died so on 2 busy cores), and pre-buffering reads a Python file object from
# Arrow's IO threads. Without them no Arrow thread is started at all.


def _parquet_file(f: IO[bytes]) -> pq.ParquetFile:
    return pq.ParquetFile(f, pre_buffer=False)


def read_parquet(
    path: str,
    columns: list[str] | None = None,
    row_groups: Callable[[pq.RowGroupMetaData], bool] | None = None,
) -> pa.Table:
    """The Parquet file's `columns` (all by default), of the row groups `row_groups` accepts
    (all by default)."""
    with open_read(path) as f:
        parquet = _parquet_file(f)
        kept = [
            i
            for i in range(parquet.num_row_groups)
            if row_groups is None or row_groups(parquet.metadata.row_group(i))
        ]
        return parquet.read_row_groups(kept, columns=columns, use_threads=False)


def parquet_batches(
    path: str, columns: list[str] | None = None, batch_size: int = 1024
) -> Iterator[pa.RecordBatch]:
    """The Parquet file's `columns` (all by default), `batch_size` rows at a time, so a file
    of any size is read in bounded memory."""
    with open_read(path) as f:
        yield from _parquet_file(f).iter_batches(
            batch_size=batch_size, columns=columns, use_threads=False
        )


# Prefix of a file being written: hidden, so no output glob (`part-*.parquet`) matches it.
IN_PROGRESS = ".inprogress-"


class _CommitOnClose(io_module.BufferedWriter):
    """A local file written under a hidden temporary name in its folder and renamed to its
    own name by close(): a killed writer leaves no file a reader could take for output, only
    a hidden one that the next run of the stage clears with the rest of its folder."""

    def __init__(self, path: str) -> None:
        folder, name = os.path.split(os.path.abspath(path))
        os.makedirs(folder, exist_ok=True)
        self.final_path = os.path.join(folder, name)
        self.temporary_path = os.path.join(folder, f"{IN_PROGRESS}{os.getpid()}-{name}")
        self._failed = False
        super().__init__(io_module.FileIO(self.temporary_path, "w"), buffer_size=1 << 20)

    def close(self) -> None:
        if self.closed:
            return
        try:
            super().close()
        except BaseException:
            self._failed = True
            raise
        finally:
            if self._failed:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.temporary_path)
            else:
                os.replace(self.temporary_path, self.final_path)

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._failed = self._failed or exc_type is not None
        self.close()


def open_write(path: str) -> IO[bytes]:
    """A file to write. Local files are committed by rename when closed (see _CommitOnClose);
    on object stores, where a rename is a copy, the stage's _SUCCESS listing, written last,
    is what commits its files."""
    if "://" not in path or path.startswith("file://"):
        return _CommitOnClose(path.removeprefix("file://"))
    return FileSystems.create(path, compression_type=CompressionTypes.UNCOMPRESSED)


def read_pickles(path: str) -> Iterator[Any]:
    """The objects of a file its writer pickled one after another, in order. A fresh
    unpickler per object, as writers clear their memo per object: one unpickler's memo would
    grow on, and a back-reference would fetch an object of an earlier record."""
    with open_read(path) as f:
        while True:
            try:
                yield pickle.load(f)
            except EOFError:
                return


def read_bytes(path: str) -> bytes:
    """The whole content of a (small) file, local or in an object store."""
    with open_read(path) as f:
        return f.read()


def read_text(path: str) -> str:
    if not FileSystems.exists(path):
        raise FileNotFoundError(path)
    with open_read(path) as f:
        return f.read().decode("utf-8")


def write_bytes(path: str, data: bytes) -> None:
    with open_write(path) as f:
        f.write(data)


def write_json(path: str, obj: Any) -> None:
    write_bytes(path, (json.dumps(obj, indent=1, sort_keys=True) + "\n").encode("utf-8"))


def read_json(path: str) -> Any:
    return json.loads(read_text(path))


def remove_tree(path: str) -> None:
    """Delete every file under `path` (a directory locally, a prefix on object stores)."""
    if "://" not in path:
        shutil.rmtree(path, ignore_errors=True)
        return
    listed = FileSystems.match([join(path, "**")])[0].metadata_list
    if listed:
        FileSystems.delete([m.path for m in listed])


def make_dirs(path: str) -> None:
    if "://" not in path:
        os.makedirs(path, exist_ok=True)


def copy_file(source: str, target: str) -> None:
    """Copy between any two paths (local, gs://, s3://)."""
    with open_read(source) as src, open_write(target) as dst:
        shutil.copyfileobj(src, dst, 16 << 20)


def local_copy(path: str, directory: str) -> str:
    """A local path to the file at `path`: the path itself when it is local, else a copy made
    under `directory` (fastText, KenLM and SentencePiece open models by local path only)."""
    if "://" not in path or path.startswith("file://"):
        return path.removeprefix("file://")
    target = os.path.join(directory, posixpath.basename(path.rstrip("/")))
    if not os.path.exists(target):
        partial = target + ".partial"
        with open_read(path) as source, open(partial, "wb") as out:
            while chunk := source.read(16 << 20):
                out.write(chunk)
        os.replace(partial, target)
    return target
