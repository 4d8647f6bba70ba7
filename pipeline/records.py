"""The record-reader contract: every source reads its input files through `read_records`.

A format reader is a function `(stream, name, max_record_bytes) -> iterator` that yields, in
file order, an optional `Header` (a dump's <siteinfo>, a WARC file's warcinfo record), then
one record or `RecordError` per record of the file (and a `RecordWarning` where it notes
something that loses no record): a WET record, a JSON line, a tar
member, a <page>, a row of Posts.xml. It never raises for bad input: a malformed record
becomes a `RecordError` and the reader resumes at the next record boundary; where the format
has none (a truncated bz2 stream) it reports the fault and ends, keeping what came before.
A record larger than `max_record_bytes` is an error (`record_too_large`), which bounds a
worker's memory whatever the input.

`read_records` adds what is the same for every format: it opens the file through Beam's
FileSystems, counts `files.read`, `bytes.stored`, `read`, `bytes.read` (the UTF-8 size of
each record's `parsed_text_bytes` where its type has one: a record whose text is parsed
later, an arXiv paper, is counted by its stage) and `errors.<reason>` (a bad record is
read too: `read` counts every record position, the funnel's top), logs each
error with its file and position, fails on the first one under `--strict`, stops after
`--limit` records, and notes the bytes consumed so far on the progress channel
(pipeline/progress), which the launcher shows while the stage runs.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from pipeline import counters, io
from pipeline.counters import Count
from pipeline.progress import note_file

log = logging.getLogger("fleece")


class BadInputError(RuntimeError):
    """A corrupt file or record met under --strict."""


class Header:
    """Base of what a format yields before its records; passed through, not counted."""


@dataclass(frozen=True)
class RecordError:
    """A record (or a whole file) that could not be read, and where it is."""

    file: str
    record: str  # where in the file: "page #12 'Title' at character 345", "line 17", ...
    reason: str  # a short identifier, counted as errors.<reason>
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.reason}: {self.message}"

    def row(self) -> dict[str, str]:
        """The row of the stage's errors/ table (documents.ERROR_SCHEMA)."""
        return {
            "file": self.file,
            "record": self.record,
            "reason": self.reason,
            "message": self.message,
        }


@dataclass(frozen=True)
class RecordWarning:
    """Something noted that loses no record read: a container cut after its last whole
    record (a tar whose next header is missing), a text read with a fallback encoding.
    Counted as warnings.<reason> and logged with its place; no error row, and --strict
    does not stop on it."""

    file: str
    record: str
    reason: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record}: {self.reason}: {self.message}"


FormatReader = Callable[[BinaryIO, str, int], Iterator[Any]]


@dataclass(frozen=True)
class ReadOptions:
    """How a stage reads its inputs: the --limit and --strict flags and the record cap."""

    limit: int | None = None
    strict: bool = False
    max_record_bytes: int = 64 << 20


def report_error(error: RecordError, strict: bool, count: Count) -> RecordError:
    """Count and log a bad record (one a reader or a stage's rules met); raise under strict."""
    count(counters.errors(error.reason), 1)
    log.warning("%s", error)
    if strict:
        raise BadInputError(str(error))
    return error


def report_warning(warning: RecordWarning, count: Count) -> None:
    count(counters.warnings(warning.reason), 1)
    log.warning("%s", warning)


def count_parsed_text(record: Any, count: Count) -> None:
    """bytes.read of a record whose type says how much text it holds (`parsed_text_bytes`)."""
    size = getattr(record, "parsed_text_bytes", None)
    if size is not None:
        count(counters.BYTES_READ, size)


def count_record(item: Any, strict: bool, count: Count) -> None:
    """`read` for every record, a bad one too (so that read = kept + dropped.* + errors.* +
    merged.*, the funnel the harness checks), then its error or its parsed text's bytes."""
    count(counters.READ, 1)
    if isinstance(item, RecordError):
        report_error(item, strict, count)
    else:
        count_parsed_text(item, count)


class CountingStream:
    """A read-only binary stream that counts the bytes taken from the one it wraps."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.position = 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.position += len(data)
        return data

    def readline(self, size: int = -1) -> bytes:
        data = self.stream.readline(size)
        self.position += len(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        while line := self.readline():
            yield line

    def readable(self) -> bool:
        return True


def read_records(
    file: io.InputFile,
    reader: FormatReader,
    options: ReadOptions,
    count: Count,
    *,
    report: bool = True,
) -> Iterator[Any]:
    """The header, records and (counted, logged) RecordErrors of one input file, in order.

    `--limit` counts records and errors alike: N records means N positions of the file.
    `report=False` is for a second read of a file (a pass over keys before the real one):
    it counts, logs and raises nothing, so each fault is reported once."""
    if report:
        count(counters.FILES_READ, 1)
        count(counters.BYTES_STORED, file.size)
    records = 0
    reread = not report
    with io.open_read(file.path) as raw:
        stream = CountingStream(raw)
        try:
            for item in reader(stream, file.path, options.max_record_bytes):
                if isinstance(item, Header):
                    yield item
                    continue
                if isinstance(item, RecordWarning):
                    if report:
                        report_warning(item, count)
                    continue
                records += 1
                if report:
                    count_record(item, options.strict, count)
                yield item
                note_file(file.path, file.size, stream.position, reread)
                if options.limit is not None and records >= options.limit:
                    return
        finally:  # also when the caller stops early: the file is done either way
            note_file(file.path, file.size, stream.position, reread, end=True)
