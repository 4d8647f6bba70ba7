"""The format reader of BigQuery github_repos exports: one JSON object per line (gzip or
not) with `repo_name`, `path`, `content` and `license`; other fields are kept."""

from __future__ import annotations

from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from pipeline.counters import utf8_size
from pipeline.readers.lines import json_objects
from pipeline.records import RecordError

REQUIRED = ("repo_name", "path", "content")


@dataclass(frozen=True)
class GithubRow:
    line: int
    repo_name: str
    path: str
    content: str
    license: str | None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"github/{self.repo_name}/{self.path}"

    @property
    def parsed_text_bytes(self) -> int:
        """bytes.read: the UTF-8 size of the file's content."""
        return utf8_size(self.content)


def read_github(
    stream: BinaryIO, name: str, max_record_bytes: int, only: Container[int] | None = None
) -> Iterator[object]:
    """A GithubRow or a RecordError per line of the file (blank lines are skipped); with
    `only`, just the rows of those line numbers are parsed (a second read of a file)."""
    for number, value in json_objects(stream, name, max_record_bytes, only):
        yield value if isinstance(value, RecordError) else github_row(name, number, value)


def github_row(name: str, number: int, row: dict[str, Any]) -> GithubRow | RecordError:
    """One export row as a GithubRow, or the RecordError saying what it lacks."""
    missing = [key for key in REQUIRED if not isinstance(row.get(key), str)]
    if missing:
        return RecordError(
            name, f"line {number}", "missing_field", f"no string {', '.join(missing)} in this row"
        )
    license_name = row.get("license")
    return GithubRow(
        line=number,
        repo_name=row["repo_name"],
        path=row["path"],
        content=row["content"],
        license=license_name if isinstance(license_name, str) else None,
        extra={k: v for k, v in row.items() if k not in (*REQUIRED, "license")},
    )
