"""The format reader of BigQuery github_repos exports: one JSON object per line (gzip or
not) with `repo_name`, `path`, `content` and `license`; other fields are kept."""

from __future__ import annotations

import json
from collections.abc import Container, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from pipeline.lines import LineFault, file_lines
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


def read_github(
    stream: BinaryIO, name: str, max_record_bytes: int, only: Container[int] | None = None
) -> Iterator[object]:
    """A GithubRow or a RecordError per line of the file (blank lines are skipped); with
    `only`, just the rows of those line numbers are parsed (a second read of a file)."""
    empty = True
    for number, line in file_lines(stream, name, max_record_bytes):
        empty = False
        if only is not None and number not in only:
            continue
        if isinstance(line, LineFault):
            yield RecordError(name, f"line {number}", line.reason, line.message)
        elif line.strip():
            yield parse_row(name, number, line)
    if empty:
        yield RecordError(name, "file", "empty_file", "the file is empty")


def parse_row(name: str, number: int, line: bytes) -> GithubRow | RecordError:
    """One line of an export as a GithubRow, or the RecordError saying what is wrong."""
    where = f"line {number}"
    try:
        row = json.loads(line.decode("utf-8"))
    except UnicodeDecodeError as error:
        return RecordError(name, where, "invalid_utf8", str(error))
    except json.JSONDecodeError as error:
        return RecordError(name, where, "malformed_json", str(error))
    if not isinstance(row, dict):
        return RecordError(name, where, "malformed_json", "not a JSON object")
    missing = [key for key in REQUIRED if not isinstance(row.get(key), str)]
    if missing:
        return RecordError(
            name, where, "missing_field", f"no string {', '.join(missing)} in this row"
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
