"""The format reader of StackExchange Posts.xml, extracted or inside a per-site .7z archive.

The dumps write one `<row .../>` element per line between `<posts>` and `</posts>`, so a
file is read as lines and each row is parsed on its own with expat: a malformed row is a
`RecordError` naming its line (`malformed_row`) and the rows after it are kept, where one
parser over the whole document would stop at the first fault. A row parsed alone cannot
declare entities, so an entity bomb cannot expand; a file whose head carries a DOCTYPE
(which could declare them) is refused whole (`doctype`). Invalid UTF-8 in a row is
`invalid_utf8`; a line over `max_row_bytes` is `record_too_large`, skipped without being
held; an empty file is `empty_file`.

An extracted Posts.xml is split into byte ranges, read in parallel: a range owns the lines
that start inside it, so it begins after the first newline at or past its start - 1 and
ends with the line that crosses its end. Line numbers across ranges come from a cheap
newline count of the ranges before (`count_newlines`).

A .7z archive is decompressed by py7zr, which pushes its output into a writer; a thread runs
the extraction and hands chunks through a small queue to the line reader, so only a few
chunks are in memory whatever the archive's size (never `readall()`).
"""

from __future__ import annotations

import itertools
import posixpath
import queue
import threading
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any, BinaryIO, NamedTuple

import py7zr
import py7zr.io

from pipeline import counters
from pipeline.records import RecordError

CHUNK = 1 << 20
HEAD_BYTES = 64 << 10  # where a DOCTYPE would be: before the first row
STRUCTURE = (b"<?xml", b"<posts", b"</posts")
QUESTION, ANSWER = 1, 2


class Post(NamedTuple):
    """One row of Posts.xml, its body still HTML."""

    id: int
    type: int  # PostTypeId: 1 question, 2 answer, 4/5 tag wiki, ...
    parent: int | None  # ParentId of an answer
    score: int
    title: str
    body: str
    tags: str
    license: str
    accepted: int | None  # AcceptedAnswerId of a question
    line: int
    offset: int  # of the row's first byte in the (decompressed) Posts.xml

    @property
    def parsed_text_bytes(self) -> int:
        """bytes.read: the title and body as stored (HTML)."""
        return counters.utf8_size(self.title) + counters.utf8_size(self.body)


class Line(NamedTuple):
    number: int
    offset: int
    data: bytes | None  # None: the line was longer than the cap


def split_lines(chunks: Iterator[bytes], offset: int, number: int, cap: int) -> Iterator[Line]:
    """The lines of the bytes `chunks` yields, the first starting at `offset` with number
    `number`; a line over `cap` bytes comes as data None and is never held whole."""
    parts: list[bytes] = []
    size, start = 0, offset
    for chunk in chunks:
        at = 0
        while at < len(chunk):
            end = chunk.find(b"\n", at)
            stop = len(chunk) if end < 0 else end
            size += stop - at
            if size <= cap:
                parts.append(chunk[at:stop])
            else:
                parts = []
            if end < 0:
                break
            yield Line(number, start, b"".join(parts) if size <= cap else None)
            start += size + 1
            number += 1
            parts, size = [], 0
            at = end + 1
    if size:
        yield Line(number, start, b"".join(parts) if size <= cap else None)


def read_chunks(stream: BinaryIO, stop: int | None = None) -> Iterator[bytes]:
    """The stream's bytes in chunks; `stop` bytes at most when given."""
    left = stop
    while left is None or left > 0:
        chunk = stream.read(CHUNK if left is None else min(CHUNK, left))
        if not chunk:
            return
        if left is not None:
            left -= len(chunk)
        yield chunk


def count_newlines(stream: BinaryIO, start: int, end: int) -> int:
    stream.seek(start)
    return sum(chunk.count(b"\n") for chunk in read_chunks(stream, end - start))


def has_doctype(head: bytes) -> bool:
    """Whether the part of a file before its first row declares a DOCTYPE."""
    first_row = head.find(b"<row")
    return b"<!DOCTYPE" in (head if first_row < 0 else head[:first_row]).upper()


def _attribute_int(attrs: dict[str, str], key: str) -> int | None:
    value = attrs.get(key)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def parse_row(name: str, line: Line) -> Post | RecordError | None:
    """The Post of one line, its RecordError, or None for the document's own lines
    (`<?xml ...?>`, `<posts>`, `</posts>`, blank)."""
    where = f"line {line.number}"
    if line.data is None:
        return RecordError(name, where, "record_too_large", "a row longer than max_row_bytes")
    data = line.data.strip()
    if not data or data.startswith(STRUCTURE):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        return RecordError(name, where, "invalid_utf8", str(error))
    if not text.startswith("<row"):
        return RecordError(name, where, "malformed_row", f"not a <row> element: {text[:60]!r}")
    try:
        element = ET.fromstring(text)
    except ET.ParseError as error:
        return RecordError(name, where, "malformed_row", str(error))
    attrs = element.attrib
    post_id, post_type = _attribute_int(attrs, "Id"), _attribute_int(attrs, "PostTypeId")
    if post_id is None or post_type is None:
        return RecordError(name, where, "missing_field", "no integer Id or PostTypeId")
    parent = _attribute_int(attrs, "ParentId")
    if post_type == ANSWER and parent is None:
        return RecordError(name, where, "missing_field", "an answer without a ParentId")
    return Post(
        id=post_id,
        type=post_type,
        parent=parent,
        score=_attribute_int(attrs, "Score") or 0,
        title=attrs.get("Title", ""),
        body=attrs.get("Body", ""),
        tags=attrs.get("Tags", ""),
        license=attrs.get("ContentLicense", ""),
        accepted=_attribute_int(attrs, "AcceptedAnswerId"),
        line=line.number,
        offset=line.offset,
    )


def posts_of_lines(name: str, lines: Iterator[Line], head: bool) -> Iterator[Any]:
    """Posts and RecordErrors of lines; `head`: these are the file's first lines, where a
    DOCTYPE refuses the file and no line at all is an empty file."""
    empty = True
    for line in lines:
        empty = False
        if head and line.data is not None and line.data.lstrip().startswith(b"<row"):
            head = False
        if head and line.data is not None and has_doctype(line.data):
            yield RecordError(
                name,
                f"line {line.number}",
                "doctype",
                "a DOCTYPE can declare entities (an entity bomb); the file is refused",
            )
            return
        post = parse_row(name, line)
        if post is not None:
            yield post
    if empty and head:
        yield RecordError(name, "file", "empty_file", "the file is empty")


def read_range(
    stream: BinaryIO, name: str, cap: int, start: int, end: int, newlines_before: int
) -> Iterator[Any]:
    """The posts of the lines starting in [start, end) of a seekable Posts.xml stream;
    `newlines_before` counts the newlines in [0, start - 1)."""
    if start == 0:
        lines = split_lines(read_chunks(stream), 0, 1, cap)
        owned = itertools.takewhile(lambda line: line.offset < max(end, 1), lines)
        yield from posts_of_lines(name, owned, head=True)
        return
    stream.seek(0)
    if has_doctype(stream.read(HEAD_BYTES)):
        return  # the range at 0 reports the file once
    stream.seek(start - 1)
    lines = split_lines(read_chunks(stream), start - 1, newlines_before + 1, cap)
    next(lines, None)  # the end of a line owned by the range before
    for line in lines:
        if line.offset >= end:
            return  # the range after owns it
        post = parse_row(name, line)
        if post is not None:
            yield post


class _QueueWriter(py7zr.io.Py7zIO):
    """Where py7zr writes Posts.xml: each chunk goes to the reading thread's queue."""

    def __init__(self, chunks: queue.Queue, stop: threading.Event) -> None:
        self.chunks, self.stop, self.length = chunks, stop, 0

    def write(self, s: bytes | bytearray) -> int:
        while not self.stop.is_set():
            try:
                self.chunks.put(bytes(s), timeout=0.1)
                break
            except queue.Full:
                continue
        if self.stop.is_set():
            raise _Stopped
        self.length += len(s)
        return len(s)

    def read(self, size: int | None = None) -> bytes:
        return b""

    def seek(self, offset: int, whence: int = 0) -> int:
        return 0

    def flush(self) -> None:
        pass

    def size(self) -> int:
        return self.length


class _Stopped(Exception):
    """Raised into py7zr's extraction when the reader stops early (--limit)."""


class _Factory(py7zr.io.WriterFactory):
    def __init__(self, writer: _QueueWriter) -> None:
        self.writer = writer

    def create(self, filename: str) -> py7zr.io.Py7zIO:
        return self.writer


_DONE = object()


def archive_chunks(stream: BinaryIO, name: str) -> Iterator[bytes | RecordError]:
    """The bytes of the archive's Posts.xml, in chunks as py7zr decompresses them; a
    RecordError where the archive cannot be read (what came before it is kept)."""
    try:
        archive = py7zr.SevenZipFile(stream, mode="r")
        members = [n for n in archive.getnames() if posixpath.basename(n).lower() == "posts.xml"]
    except Exception as error:  # py7zr raises many types for a damaged archive
        yield RecordError(name, "archive", "bad_archive", f"{type(error).__name__}: {error}")
        return
    if not members:
        yield RecordError(name, "archive", "no_posts_xml", "the archive holds no Posts.xml")
        return
    chunks: queue.Queue = queue.Queue(maxsize=4)
    stop = threading.Event()
    failure: list[BaseException] = []

    def extract() -> None:
        try:
            archive.extract(targets=members[:1], factory=_Factory(_QueueWriter(chunks, stop)))
        except _Stopped:
            pass
        except Exception as error:  # a corrupt stream: reported after the good chunks
            failure.append(error)
        finally:
            while not stop.is_set():
                try:
                    chunks.put(_DONE, timeout=0.1)
                    break
                except queue.Full:
                    continue

    thread = threading.Thread(target=extract, name=f"7z {name}", daemon=True)
    thread.start()
    try:
        while (chunk := chunks.get()) is not _DONE:
            yield chunk
        thread.join()
        if failure:
            error = failure[0]
            yield RecordError(name, "archive", "bad_archive", f"{type(error).__name__}: {error}")
    finally:
        stop.set()
        thread.join()
        archive.close()


def read_archive(stream: BinaryIO, name: str, cap: int) -> Iterator[Any]:
    """The posts of a .7z archive's Posts.xml, with their lines as in the extracted file."""
    faults: list[RecordError] = []

    def data() -> Iterator[bytes]:
        for chunk in archive_chunks(stream, name):
            if isinstance(chunk, RecordError):
                faults.append(chunk)
                return
            yield chunk

    posts = posts_of_lines(name, split_lines(data(), 0, 1, cap), head=True)
    for item in posts:
        if faults and isinstance(item, RecordError) and item.reason == "empty_file":
            break  # the archive's fault says more than "empty"
        yield item
    yield from faults
