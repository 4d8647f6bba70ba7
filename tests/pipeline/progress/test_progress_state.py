"""The progress channel: what workers append, how the launcher folds it into a phase and
totals, and the line a user reads."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.progress import channel
from pipeline.progress.display import describe, duration
from pipeline.progress.state import ChannelReader, ProgressState, Snapshot


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv(channel.ENV, str(tmp_path))
    monkeypatch.setattr(channel, "_channel", channel._Channel())
    return tmp_path


def records(folder: Path) -> list[dict]:
    return [json.loads(line) for f in sorted(folder.iterdir()) for line in f.read_text().split("\n") if line]  # fmt: skip


def test_without_the_variable_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(channel.ENV, raising=False)
    monkeypatch.setattr(channel, "_channel", channel._Channel())
    channel.note_file("a.gz", 10, 5, reread=False)
    channel.note_rows_written(3)
    channel.note_part(4)
    assert list(tmp_path.iterdir()) == []


def test_records_about_one_file_are_throttled_but_its_end_is_always_written(folder: Path) -> None:
    for position in range(1, 1001):
        channel.note_file("a.gz", 1000, position, reread=False)
    channel.note_file("a.gz", 1000, 1000, reread=False, end=True)
    written = records(folder)
    assert 2 <= len(written) < 10  # a thousand records within half a second: one, then the end
    assert written[0] == {"t": "file", "pass": "read", "path": "a.gz", "size": 1000, "pos": 1,
                          "end": False}  # fmt: skip
    assert written[-1]["end"] and written[-1]["pos"] == 1000


def test_counts_are_cumulative_and_a_part_carries_the_last_count(folder: Path) -> None:
    for _ in range(500):
        channel.note_rows_written()
    channel.note_documents_read(7)
    channel.note_part(of=3)
    written = records(folder)
    rows = [r for r in written if r["t"] == "rows"]
    assert rows[-1] == {"t": "rows", "read": 7, "written": 500}
    assert written[-1] == {"t": "part", "done": 1, "of": 3}


def test_the_reader_skips_torn_lines_and_waits_for_unfinished_ones(tmp_path: Path) -> None:
    worker = tmp_path / "1-1.jsonl"
    worker.write_text('{"t": "part", "done": 1, "of": 2}\n{"t": "pa\n{"t": "part", "do')
    reader = ChannelReader(str(tmp_path))
    assert reader.read() == [("1-1.jsonl", {"t": "part", "done": 1, "of": 2})]
    with worker.open("a") as handle:
        handle.write('ne": 2, "of": 2}\n')
    assert reader.read() == [("1-1.jsonl", {"t": "part", "done": 2, "of": 2})]
    assert reader.read() == []


def file_record(path: str, size: int, pos: int, end: bool = False, kind: str = "read") -> dict:
    return {"t": "file", "pass": kind, "path": path, "size": size, "pos": pos, "end": end}


def test_phases_follow_the_records() -> None:
    state = ProgressState(files_total=2, bytes_total=300)
    assert state.snapshot().phase == "starting"
    state.feed("w1", file_record("a", 100, 40))
    state.feed("w2", file_record("b", 200, 50))
    snap = state.snapshot()
    assert (snap.phase, snap.files_done, snap.bytes_done) == ("reading", 0, 90)
    state.feed("w1", file_record("a", 100, 100, end=True))
    assert state.snapshot().phase == "reading"  # b is still open
    state.feed("w2", file_record("b", 200, 150, end=True))  # --limit: stopped early
    snap = state.snapshot()
    assert (snap.phase, snap.files_done, snap.bytes_done) == ("grouping", 2, 300)
    state.feed("w1", {"t": "rows", "read": 0, "written": 5})
    state.feed("w1", {"t": "part", "done": 1, "of": 4})
    state.feed("w2", {"t": "part", "done": 2, "of": 4})
    snap = state.snapshot()
    assert (snap.phase, snap.parts_done, snap.parts_total, snap.rows_written) == (
        "writing",
        3,
        4,
        5,
    )


def test_between_two_files_of_a_pass_the_stage_is_still_reading() -> None:
    state = ProgressState(files_total=3, bytes_total=30)
    state.feed("w1", file_record("a", 10, 10, end=True))
    assert state.snapshot().phase == "reading"


def test_a_second_pass_reads_again_and_counts_its_own_bytes() -> None:
    state = ProgressState(files_total=1, bytes_total=100)
    state.feed("w1", file_record("a", 100, 100, end=True))
    state.feed("w1", file_record("a", 100, 30, kind="reread"))
    state.feed("w1", {"t": "rows", "read": 0, "written": 2})
    snap = state.snapshot()
    assert (snap.phase, snap.bytes_done, snap.files_done) == ("reading again", 30, 0)


def test_a_named_phase_wins_until_other_records_come() -> None:
    state = ProgressState()
    state.feed("w1", {"t": "rows", "read": 10, "written": 0})
    assert state.snapshot().phase == "reading documents"
    state.feed("w1", {"t": "phase", "name": "training SentencePiece"})
    assert state.snapshot().phase == "training SentencePiece"


def test_the_line_says_what_is_done_of_the_total_and_the_time_left() -> None:
    snap = Snapshot("reading", files_done=3, files_total=16, bytes_done=12_000_000,
                    bytes_total=50_000_000, rows_written=1234)  # fmt: skip
    line = describe("ccnet", snap, elapsed=75, rate=2_000_000)
    assert line == (
        "ccnet: reading, 3/16 files, 12.0/50.0 MB, 2.0 MB/s, 19s left, 1,234 rows written [1m15s]"
    )
    grouping = Snapshot("grouping", files_done=16, files_total=16, bytes_done=50_000_000,
                        bytes_total=50_000_000)  # fmt: skip
    assert (
        describe("ccnet", grouping, 3700, None)
        == "ccnet: grouping, 16 files (50.0 MB) read [1h01m]"
    )
    writing = Snapshot("writing", parts_done=3, parts_total=8, documents_read=10)
    assert (
        describe("encode", writing, 5, None) == "encode: writing, 3/8 parts, 10 documents read [5s]"
    )
    assert describe("c4", writing, 5, None, runner="DataflowRunner") == (
        "c4: running on DataflowRunner (its workers send no progress) [5s]"
    )
    assert [duration(s) for s in (0, 59.9, 60, 187, 7500)] == [
        "0s",
        "59s",
        "1m00s",
        "3m07s",
        "2h05m",
    ]


def test_a_process_that_outlives_a_stage_writes_the_next_one_to_its_own_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The in-memory runner runs every stage in the launcher's process."""
    monkeypatch.setattr(channel, "_channel", channel._Channel())
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    monkeypatch.setenv(channel.ENV, str(first))
    channel.note_part(of=2)
    earlier = channel._channel.writer
    monkeypatch.setenv(channel.ENV, str(second))
    channel.note_part(of=5)
    assert earlier.handle is None  # closed, not leaked
    assert records(first)[-1] == {"t": "part", "done": 1, "of": 2}
    assert records(second)[-1] == {"t": "part", "done": 1, "of": 5}
