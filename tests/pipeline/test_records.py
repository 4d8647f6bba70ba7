"""The record-reader contract on a small JSON-lines format: what read_records adds to any
format reader (counting, --limit, --strict, the record cap, progress), checked on a file
with a bad record in the middle and good records after it."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pytest

from pipeline import io
from pipeline.counters import Tally
from pipeline.progress import channel
from pipeline.readers.wet import WetPage, read_wet
from pipeline.records import (
    BadInputError,
    Header,
    ReadOptions,
    RecordError,
    read_records,
)
from pipeline.sample.wet import WetWriter


class Preamble(Header):
    pass


def json_lines(stream: BinaryIO, name: str, max_record_bytes: int) -> Iterator[object]:
    """One record per line; a bad line is an error and reading goes on at the next line."""
    yield Preamble()
    for number, line in enumerate(stream, start=1):
        where = f"line {number}"
        if len(line) > max_record_bytes:
            yield RecordError(name, where, "record_too_large", f"{len(line)} bytes")
            continue
        try:
            yield json.loads(line)
        except ValueError as exc:
            yield RecordError(name, where, "invalid_json", str(exc))


@pytest.fixture
def jsonl(tmp_path: Path) -> io.InputFile:
    lines = [json.dumps({"n": 1}), "{not json", json.dumps({"n": 3, "pad": "x" * 500}),
             json.dumps({"n": 4})]  # fmt: skip
    path = tmp_path / "records.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return io.match_files([str(path)])[0]


def test_bad_record_is_counted_and_reading_resumes_after_it(jsonl: io.InputFile) -> None:
    tally = Tally()
    items = list(read_records(jsonl, json_lines, ReadOptions(max_record_bytes=100), tally))
    assert isinstance(items[0], Preamble)
    records = items[1:]
    assert [r["n"] for r in records if isinstance(r, dict)] == [1, 4]
    errors = [r for r in records if isinstance(r, RecordError)]
    assert [(e.record, e.reason) for e in errors] == [
        ("line 2", "invalid_json"),
        ("line 3", "record_too_large"),
    ]
    assert str(errors[0]).startswith(f"{jsonl.path}: line 2: invalid_json: ")
    # read counts every record, the bad ones too: the funnel read = kept + dropped + errors
    assert tally == {"files.read": 1, "bytes.stored": jsonl.size, "read": 4,
                     "errors.invalid_json": 1, "errors.record_too_large": 1}  # fmt: skip


def test_limit_counts_positions_and_the_header_is_free(jsonl: io.InputFile) -> None:
    items = list(read_records(jsonl, json_lines, ReadOptions(limit=2), Tally()))
    assert isinstance(items[0], Preamble) and len(items) == 3
    assert isinstance(items[2], RecordError)


def test_strict_fails_on_the_first_bad_record_naming_it(jsonl: io.InputFile) -> None:
    seen = []
    with pytest.raises(BadInputError, match=r"records\.jsonl: line 2: invalid_json"):
        for item in read_records(jsonl, json_lines, ReadOptions(strict=True), Tally()):
            seen.append(item)
    assert seen[1] == {"n": 1}  # the good record before the fault was delivered


def test_progress_notes_the_bytes_consumed_and_the_end_of_the_file(
    jsonl: io.InputFile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    channel_dir = tmp_path / "progress"
    channel_dir.mkdir()
    monkeypatch.setenv(channel.ENV, str(channel_dir))
    monkeypatch.setattr(channel, "_channel", channel._Channel())
    options = ReadOptions(max_record_bytes=1000)
    list(read_records(jsonl, json_lines, options, Tally()))
    list(read_records(jsonl, json_lines, ReadOptions(limit=1), Tally(), report=False))
    (worker,) = channel_dir.iterdir()
    notes = [json.loads(line) for line in worker.read_text().splitlines()]
    read = [n for n in notes if n["pass"] == "read"]
    assert 0 < read[0]["pos"] < jsonl.size and not read[0]["end"]  # after the first record
    assert read[-1] == {"t": "file", "pass": "read", "path": jsonl.path, "size": jsonl.size,
                        "pos": jsonl.size, "end": True}  # fmt: skip
    reread = [n for n in notes if n["pass"] == "reread"]
    assert reread[-1]["end"] and reread[-1]["pos"] < jsonl.size  # --limit 1 stopped it early


def test_bytes_read_is_the_utf8_text_of_each_record_and_stored_the_file(tmp_path: Path) -> None:
    """A gzip WET: bytes.stored is the compressed file, bytes.read the pages' UTF-8 text."""
    texts = ["Grüße aus Köln, zweimal.\nZweite Zeile.", "日本語のページです。" * 40]
    path = tmp_path / "CC-MAIN-2023-06-00000.warc.wet.gz"
    writer = WetWriter(str(path), "f0", "2023-06", random.Random(0), True)
    for n, text in enumerate(texts):
        writer.conversion(f"https://example.org/{n}", text, "deu")
    writer.close()
    tally = Tally()
    (file,) = io.match_files([str(path)])
    pages = [
        p for p in read_records(file, read_wet, ReadOptions(), tally) if isinstance(p, WetPage)
    ]
    assert [p.text for p in pages] == texts
    assert tally["bytes.read"] == sum(len(t.encode("utf-8")) for t in texts)
    assert tally["bytes.stored"] == path.stat().st_size != tally["bytes.read"]
