"""Lines of a file that may be gzip-compressed, with faults as values: the base of every
line-oriented reader (JSONL exports, C4's json.gz).

A corrupt gzip member is reported where it was met (`corrupt_gzip`) and reading resumes at
the next member's header, so the good lines after it are kept; a stream that ends inside a
member is `truncated_gzip`. A line longer than `max_line_bytes` is `record_too_large`, and
is skipped to its newline without ever being held in memory. Python's gzip module stops at
the first fault, and reads a long line whole, so the stream is decompressed here with zlib.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Container, Iterator
from dataclasses import dataclass
from typing import BinaryIO

from pipeline.records import RecordError

CHUNK = 1 << 20
GZIP_MAGIC = b"\x1f\x8b\x08"


@dataclass(frozen=True)
class LineFault:
    reason: str  # corrupt_gzip, truncated_gzip, record_too_large
    message: str


def gzip_data(stream: BinaryIO) -> Iterator[bytes | LineFault]:
    """The decompressed bytes of every gzip member in turn; a fault in place of the rest of
    a corrupt member, then the members after it."""
    pending = stream.read(CHUNK)
    while pending:
        decompressor = zlib.decompressobj(wbits=31)
        started = False
        while True:
            try:
                data = decompressor.decompress(pending)
            except zlib.error as error:
                yield LineFault("corrupt_gzip", f"gzip member unreadable: {error}")
                pending = _next_member(stream, pending[1:])
                break
            started = True
            if data:
                yield data
            if decompressor.eof:
                pending = decompressor.unused_data or stream.read(CHUNK)
                break
            pending = stream.read(CHUNK)
            if not pending:
                if started:
                    yield LineFault("truncated_gzip", "the file ends inside a gzip member")
                return


def _next_member(stream: BinaryIO, data: bytes) -> bytes:
    """The input from the next gzip header on (b"" if none is left)."""
    while True:
        found = data.find(GZIP_MAGIC)
        if found >= 0:
            return data[found:] + (stream.read(CHUNK) if len(data) - found < 64 else b"")
        more = stream.read(CHUNK)
        if not more:
            return b""
        data = data[-(len(GZIP_MAGIC) - 1) :] + more


def plain_data(stream: BinaryIO) -> Iterator[bytes]:
    while chunk := stream.read(CHUNK):
        yield chunk


def file_lines(
    stream: BinaryIO, name: str, max_line_bytes: int
) -> Iterator[tuple[int, bytes | LineFault]]:
    """(line number from 1, the line without its newline, or a fault) for `name`'s lines;
    `.gz` files are decompressed. A fault inside the data counts as the line it broke."""
    data = gzip_data(stream) if name.endswith(".gz") else plain_data(stream)
    number, parts, size, skipping = 0, [], 0, False
    for piece in data:
        if isinstance(piece, LineFault):
            number += 1
            yield number, piece
            parts, size, skipping = [], 0, False  # what came before the fault is lost
            continue
        start = 0
        while start < len(piece):
            end = piece.find(b"\n", start)
            stop = len(piece) if end < 0 else end
            if not skipping:
                size += stop - start
                if size > max_line_bytes:
                    skipping, parts = True, []
                else:
                    parts.append(piece[start:stop])
            if end < 0:
                break
            number += 1
            if skipping:
                yield number, LineFault("record_too_large", f"a line over {max_line_bytes} bytes")
            else:
                yield number, b"".join(parts)
            parts, size, skipping = [], 0, False
            start = end + 1
    if parts or skipping:
        number += 1
        if skipping:
            yield number, LineFault("record_too_large", f"a line over {max_line_bytes} bytes")
        else:
            yield number, b"".join(parts)


def json_objects(
    stream: BinaryIO, name: str, max_line_bytes: int, only: Container[int] | None = None
) -> Iterator[tuple[int, dict | RecordError]]:
    """(line number, the JSON object or the RecordError saying what is wrong) for each
    non-blank line of a JSON-lines file (gzip or not); an empty file is one error. With
    `only`, just those line numbers are parsed (a second read of a file)."""
    empty = True
    for number, line in file_lines(stream, name, max_line_bytes):
        empty = False
        if only is not None and number not in only:
            continue
        where = f"line {number}"
        if isinstance(line, LineFault):
            yield number, RecordError(name, where, line.reason, line.message)
            continue
        if not line.strip():
            continue
        try:
            value = json.loads(line.decode("utf-8"))
        except UnicodeDecodeError as error:
            yield number, RecordError(name, where, "invalid_utf8", str(error))
            continue
        except json.JSONDecodeError as error:
            yield number, RecordError(name, where, "malformed_json", str(error))
            continue
        if isinstance(value, dict):
            yield number, value
        else:
            yield number, RecordError(name, where, "malformed_json", "not a JSON object")
    if empty:
        yield 0, RecordError(name, "file", "empty_file", "the file is empty")
