"""The format reader of an already-built C4: `c4-*.json.gz`, one JSON object per line with
`text`, `url` and `timestamp` (allenai/c4's layout)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from pipeline.counters import utf8_size
from pipeline.readers.lines import json_objects
from pipeline.records import RecordError


@dataclass(frozen=True)
class BuiltRow:
    id: str  # c4/<file stem>/<line>
    text: str
    url: str | None
    timestamp: str | None

    @property
    def parsed_text_bytes(self) -> int:
        """bytes.read: the UTF-8 size of the row's text."""
        return utf8_size(self.text)


def file_stem(name: str) -> str:
    """`c4-train.00000-of-01024` for `.../c4-train.00000-of-01024.json.gz`."""
    base = os.path.basename(name)
    for suffix in (".gz", ".json", ".jsonl"):
        base = base.removesuffix(suffix)
    return base


def read_built(stream: BinaryIO, name: str, max_record_bytes: int) -> Iterator[object]:
    """A BuiltRow or a RecordError per non-blank line."""
    stem = file_stem(name)
    for number, row in json_objects(stream, name, max_record_bytes):
        if isinstance(row, RecordError):
            yield row
        elif not isinstance(row.get("text"), str):
            yield RecordError(name, f"line {number}", "missing_field", "no string text")
        else:
            url, timestamp = row.get("url"), row.get("timestamp")
            yield BuiltRow(
                id=f"c4/{stem}/{number}",
                text=row["text"],
                url=url if isinstance(url, str) else None,
                timestamp=timestamp if isinstance(timestamp, str) else None,
            )
