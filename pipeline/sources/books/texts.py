"""The format reader of book files: a `.txt` file is one book (Gutenberg or Books3), a
`.jsonl` file one Books3 book per line (`text` and, optionally, `title`); either may be
gzip-compressed (`.gz`).

A `.txt` is read whole up to the size cap (a longer one is `record_too_large`, and is never
held whole) and decoded with `decode_text`: UTF-8, else cp1252, the first invalid byte's
offset kept so the stage can report where the file stopped being UTF-8. An empty file is
`empty_file`. JSON lines go through `pipeline.readers.lines.json_objects`, so a bad row
(`malformed_json`, `invalid_utf8`, `record_too_large`, `missing_field`) is an error and
the rows after it are read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

from pipeline.counters import utf8_size
from pipeline.readers.lines import LineFault, gzip_data, json_objects, plain_data
from pipeline.records import RecordError
from pipeline.text.decode import REPLACEMENT, decode_text

JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".json", ".json.gz")


@dataclass(frozen=True)
class BookText:
    """One book as read: where it is in its file, its text, and how it was decoded."""

    ordinal: int  # 0 for a .txt; the line number in a JSONL file
    where: str  # "file" or "line N": the position an error row names
    text: str
    title: str | None = None
    fallback: bool = False  # the bytes were not UTF-8 and were read as cp1252
    first_invalid_byte: int | None = None  # where the UTF-8 stopped, when fallback
    replacement_share: float = 0.0

    @property
    def parsed_text_bytes(self) -> int:
        """bytes.read: the UTF-8 size of the book's text as decoded."""
        return utf8_size(self.text)


def is_jsonl(name: str) -> bool:
    return name.endswith(JSONL_SUFFIXES)


def file_stem(name: str) -> str:
    """The file name without its folder and its .gz/.txt/.jsonl/.json extensions."""
    base = name.rstrip("/").rsplit("/", 1)[-1]
    base = base.removesuffix(".gz")
    for suffix in (".txt", ".jsonl", ".json"):
        if base.endswith(suffix) and len(base) > len(suffix):
            return base.removesuffix(suffix)
    return base


def read_books(stream: BinaryIO, name: str, max_record_bytes: int) -> Iterator[object]:
    """The BookTexts and RecordErrors of one book file, in file order."""
    if is_jsonl(name):
        yield from _jsonl_books(stream, name, max_record_bytes)
    else:
        yield _txt_book(stream, name, max_record_bytes)


def _txt_book(stream: BinaryIO, name: str, cap: int) -> BookText | RecordError:
    chunks = gzip_data(stream) if name.endswith(".gz") else plain_data(stream)
    parts, size = [], 0
    for chunk in chunks:
        if isinstance(chunk, LineFault):
            return RecordError(name, "file", chunk.reason, chunk.message)
        size += len(chunk)
        if size > cap:
            return RecordError(name, "file", "record_too_large", f"a book over {cap} bytes")
        parts.append(chunk)
    data = b"".join(parts)
    if not data:
        return RecordError(name, "file", "empty_file", "the file is empty")
    decoded = decode_text(data)
    first_invalid = None
    if decoded.fallback:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as error:
            first_invalid = error.start
    return BookText(
        ordinal=0,
        where="file",
        text=decoded.text,
        fallback=decoded.fallback,
        first_invalid_byte=first_invalid,
        replacement_share=decoded.replacement_share,
    )


def _jsonl_books(stream: BinaryIO, name: str, cap: int) -> Iterator[BookText | RecordError]:
    for number, row in json_objects(stream, name, cap):
        if isinstance(row, RecordError):
            yield row
            continue
        yield _jsonl_book(name, number, row)


def _jsonl_book(name: str, number: int, row: dict[str, Any]) -> BookText | RecordError:
    text = row.get("text")
    if not isinstance(text, str):
        return RecordError(name, f"line {number}", "missing_field", "no string text in this row")
    title = row.get("title")
    meta = row.get("meta")
    if not isinstance(title, str) and isinstance(meta, dict):
        # the Pile's Books3 rows keep the title in meta
        title = meta.get("title", meta.get("short_book_title"))
    share = text.count(REPLACEMENT) / len(text) if text else 0.0
    return BookText(
        ordinal=number,
        where=f"line {number}",
        text=text,
        title=title if isinstance(title, str) and title.strip() else None,
        replacement_share=share,
    )
