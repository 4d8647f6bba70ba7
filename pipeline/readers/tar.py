"""Tar archives read safely and in memory: the members of a tar streamed from any file
system, a gzip member inflated under a cap, and the files of a tar held in memory with
the entries that point outside it refused. Nothing is ever extracted to disk.

- `stream_members`: the outer tar is read as a stream (`tarfile` mode `r|`), so any Beam
  filesystem works and a truncated tar keeps the members before the fault. Stream mode
  takes a cut or damaged header for the end of the archive; the last bytes read are kept
  (TailStream) to tell a real end-of-archive block from a cut (`truncated_tar`).
- `inflate`: a decompression bomb is read in chunks and abandoned at the cap, never held
  beyond `hold` bytes.
- `safe_files`: an inner tar read from a buffer; entries with an absolute path, a `..`
  component or a drive letter are refused (`path_traversal`), links are never followed,
  and only the files the caller wants are read.

Faults are values (`Fault`: a RecordError without its file, which the caller knows).
"""

from __future__ import annotations

import io
import posixpath
import re
import tarfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from pipeline.records import RecordError, RecordWarning

CHUNK = 1 << 16
GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class Fault:
    """Something wrong with one member or one of its entries (a RecordError without its
    file, which the caller knows)."""

    reason: str
    message: str
    entry: str | None = None  # the inner tar entry, when the fault is one entry's


@dataclass(frozen=True)
class TarMember:
    """A regular file of a tar being streamed. Its data can be read (`read`) only before the
    stream moves on to the next member; a member not read is skipped unread."""

    index: int  # 1-based, among the tar's regular files
    name: str
    size: int  # as its header declares
    tar: tarfile.TarFile
    info: tarfile.TarInfo

    @property
    def where(self) -> str:
        return f"member {self.index} {self.name!r}"

    def read(self) -> bytes | Fault:
        """The member's bytes, or `truncated_tar` when the tar ends inside them (the stream
        is then over)."""
        try:
            source = self.tar.extractfile(self.info)
            assert source is not None  # a regular file
            data = source.read()
        except (tarfile.TarError, EOFError, OSError) as exc:
            return Fault("truncated_tar", str(exc))
        if len(data) < self.size:
            return Fault("truncated_tar", "the tar ends inside it")
        return data


def stream_members(
    stream: BinaryIO, name: str
) -> Iterator[TarMember | RecordError | RecordWarning]:
    """A TarMember per regular file of the tar in `stream`, in tar order, then what ends the
    file early: the RecordError `empty_file` or `not_a_tar`, or, when a header is cut or
    damaged after whole members (stream mode cannot resynchronise), the RecordWarning
    `truncated_tar`: every member before it was read. A cut inside a member's data is that
    member's error (TarMember.read)."""
    stream = TailStream(stream)
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")
    except tarfile.ReadError as exc:
        empty = stream.position == 0
        reason, message = ("empty_file", "no bytes") if empty else ("not_a_tar", str(exc))
        yield RecordError(name, "file", reason, message)
        return
    index = 0
    while True:
        try:
            info = tar.next()
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            # a damaged header: stream mode cannot resynchronise, so the file ends here
            yield RecordWarning(name, f"after member {index}", "truncated_tar", str(exc))
            return
        if info is None:
            if not stream.ends_cleanly(tar.offset):
                # tarfile's stream mode takes a short or damaged header for the end
                message = f"no end-of-archive block at byte {tar.offset}: cut or damaged here"
                yield RecordWarning(name, f"after member {index}", "truncated_tar", message)
            return
        if not info.isfile():
            continue  # directory entries
        index += 1
        yield TarMember(index, info.name, info.size, tar, info)


class TailStream:
    """A read-only stream that keeps the last bytes read from the one it wraps, so that once
    tarfile reports the end, the block where it stopped can be checked."""

    KEEP = 1 << 16

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.position = stream, 0
        self.tail, self.tail_start = b"", 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.position += len(data)
        if len(data) >= self.KEEP:  # a whole member read at once: only its end is kept
            self.tail, self.tail_start = data[-self.KEEP :], self.position - self.KEEP
            return data
        self.tail += data
        if len(self.tail) > 2 * self.KEEP:
            drop = len(self.tail) - self.KEEP
            self.tail, self.tail_start = self.tail[drop:], self.tail_start + drop
        return data

    def ends_cleanly(self, offset: int) -> bool:
        """Whether the 512-byte block at `offset` (where tarfile stopped) is all zeros: the
        end-of-archive marker, rather than a cut or damaged header."""
        self.read(1024)
        start = offset - self.tail_start
        block = self.tail[start : start + 512] if start >= 0 else b""
        return len(block) == 512 and not block.strip(b"\0")


def inflate(data: bytes, cap: int, hold: int = 32 << 20) -> bytes | Fault:
    """A gzip member's content, or the Fault: `corrupt_gzip`, or `too_large` once it
    reaches `cap` bytes decompressed. Past `hold` bytes the output is only counted, and a
    member that ends under the cap is inflated a second time: rare, and a bomb then costs
    time, not memory."""
    if not data.startswith(GZIP_MAGIC):
        return Fault("corrupt_gzip", "not a gzip stream")
    too_large = Fault("too_large", f"inflates to {cap} bytes or more (the cap)")
    total = 0
    kept: list[bytes] | None = []
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = memoryview(data)
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                out = inflater.decompress(inflater.unconsumed_tail, CHUNK)
            elif pending:
                out = inflater.decompress(pending[:CHUNK], CHUNK)
                pending = pending[CHUNK:]
            else:
                out = inflater.flush()
                if not out:
                    break
            total += len(out)
            if total >= cap:
                return too_large
            if kept is not None:
                kept.append(out)
                if total > hold:
                    kept = None  # from here on only counted
    except zlib.error as exc:
        return Fault("corrupt_gzip", str(exc))
    if not inflater.eof:
        return Fault("corrupt_gzip", "the gzip stream ends early")
    if kept is None:
        return inflate(data, cap, hold=cap)
    return b"".join(kept)


def unsafe_entry(name: str) -> bool:
    """An absolute path, a `..` component or a Windows drive: outside the archive's folder."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"[A-Za-z]:", name))


def is_tar(content: bytes) -> bool:
    """A ustar/gnu tar: its first header's magic, or a valid header checksum (v7 tars)."""
    if len(content) < 512:
        return False
    if content[257:262] == b"ustar":
        return True
    try:
        tarfile.TarInfo.frombuf(content[:512], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True


@dataclass(frozen=True)
class TarFile:
    """A regular file of a tar held in memory: its normalised path and, when the caller
    wanted it, its bytes (None: not read)."""

    path: str
    data: bytes | None


def safe_files(
    content: bytes, wanted: Callable[[str], bool], what: str = "the tar"
) -> Iterator[TarFile | Fault]:
    """The regular files of the tar `content` in archive order, those `wanted(path)` with
    their bytes; a `path_traversal` Fault for each entry outside the archive's folder
    (never read), and last a `corrupt_tar` Fault ("<what>: <error>") if the tar breaks."""
    try:
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:") as inner:
            for entry in inner:
                if unsafe_entry(entry.name):
                    message = "an absolute path or a '..' component: refused"
                    yield Fault("path_traversal", message, entry.name)
                    continue
                if not entry.isfile():  # links are never followed; folders hold nothing
                    continue
                path = posixpath.normpath(entry.name)
                if not wanted(path):
                    yield TarFile(path, None)
                    continue
                source = inner.extractfile(entry)
                assert source is not None  # a regular file
                yield TarFile(path, source.read())
    except (tarfile.TarError, EOFError, OSError) as exc:
        yield Fault("corrupt_tar", f"{what}: {exc}")
