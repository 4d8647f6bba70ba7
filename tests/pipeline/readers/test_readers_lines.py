"""Lines of plain and gzip files, with faults as values and the reading resumed after them."""

from __future__ import annotations

import gzip
import io
import random

from pipeline.readers.lines import LineFault, file_lines


def lines(data: bytes, name: str = "f.jsonl.gz", cap: int = 1 << 20) -> list[object]:
    return [line for _, line in file_lines(io.BytesIO(data), name, cap)]


def test_a_line_split_across_gzip_members_is_one_line() -> None:
    data = gzip.compress(b"first\nsec") + gzip.compress(b"ond\nthird")
    assert lines(data) == [b"first", b"second", b"third"]
    assert lines(b"a\n\nb", "f.jsonl") == [b"a", b"", b"b"]


def test_a_corrupt_member_is_one_fault_and_the_next_member_reads() -> None:
    bad = bytearray(gzip.compress(b"lost line\n" * 50))
    bad[len(bad) // 2] ^= 0xFF
    got = lines(gzip.compress(b"one\n") + bytes(bad) + gzip.compress(b"two\n"))
    assert got[0] == b"one" and got[-1] == b"two"
    assert [g.reason for g in got if isinstance(g, LineFault)] == ["corrupt_gzip"]


def test_a_file_cut_inside_a_member_ends_with_a_fault() -> None:
    noise = random.Random(0).randbytes(300_000).replace(b"\n", b" ")  # several deflate blocks
    data = gzip.compress(b"one\ntwo\n" + noise)
    got = lines(data[: len(data) - 100])
    assert got[:2] == [b"one", b"two"] and isinstance(got[-1], LineFault)
    assert got[-1].reason == "truncated_gzip"


def test_an_overlong_line_is_a_fault_and_never_held_whole() -> None:
    data = b"short\n" + b"y" * (5 << 20) + b"\nafter\n"
    got = lines(data, "f.jsonl", cap=1 << 20)
    assert got[0] == b"short" and got[2] == b"after"
    assert isinstance(got[1], LineFault) and got[1].reason == "record_too_large"
