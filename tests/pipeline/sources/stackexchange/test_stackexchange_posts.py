"""Reading Posts.xml: rows one by one, faults as RecordErrors with their line, byte ranges
that give the same rows whatever their size, and .7z archives read by py7zr's push API."""

from __future__ import annotations

import io

import py7zr
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import RecordError
from pipeline.sources.stackexchange.posts import (
    Line,
    Post,
    count_newlines,
    parse_row,
    read_archive,
    read_range,
    split_lines,
)

HEAD = b'<?xml version="1.0" encoding="utf-8"?>\r\n<posts>\r\n'
TAIL = b"</posts>\r\n"
CAP = 1 << 20


def row(
    post_id: int, kind: int = 1, parent: int | None = None, body: str = "&lt;p&gt;x&lt;/p&gt;"
) -> bytes:
    extra = f' ParentId="{parent}"' if parent is not None else ' Title="T"'
    return f'  <row Id="{post_id}" PostTypeId="{kind}"{extra} Score="{post_id - 5}" Body="{body}" />\r\n'.encode()


def posts_xml(rows: list[bytes]) -> bytes:
    return HEAD + b"".join(rows) + TAIL


def read_all(data: bytes, range_bytes: int | None = None) -> list:
    """Every item of the file read in ranges of `range_bytes` (one range: None)."""
    size = len(data)
    step = range_bytes or max(size, 1)
    starts = list(range(0, size, step)) or [0]
    items, newlines = [], 0
    for k, start in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else size
        stream = io.BytesIO(data)
        items += list(read_range(stream, "Posts.xml", CAP, start, end, newlines))
        if k + 1 < len(starts):
            newlines += count_newlines(io.BytesIO(data), max(start - 1, 0), end - 1)
    return items


def test_a_row_parses_into_a_post_with_its_line_and_offset() -> None:
    post = parse_row("P", Line(7, 123, row(3).rstrip()))
    assert isinstance(post, Post)
    assert (post.id, post.type, post.score, post.title, post.body, post.line, post.offset) == (
        3, 1, -2, "T", "<p>x</p>", 7, 123)  # fmt: skip


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'<row Id="1" PostTypeId="1" Body="a " b" />', "malformed_row"),
        (b'<row Id="1" PostTypeId="1" Body="&lol9;" />', "malformed_row"),  # undefined entity
        (b'<!ENTITY lol "lol">', "malformed_row"),
        (b'<row Id="1" PostTypeId="1" Body="caf\xe9" />', "invalid_utf8"),
        (b'<row Id="x" PostTypeId="1" />', "missing_field"),
        (b'<row Id="4" PostTypeId="2" Body="" />', "missing_field"),
        (None, "record_too_large"),
    ],
)
def test_a_bad_row_is_an_error_naming_its_line(line: bytes | None, reason: str) -> None:
    error = parse_row("P", Line(12, 0, line))
    assert isinstance(error, RecordError)
    assert (error.record, error.reason) == ("line 12", reason)


def test_the_documents_own_lines_are_not_rows() -> None:
    for line in (b'<?xml version="1.0"?>', b"<posts>", b"</posts>", b"  \r"):
        assert parse_row("P", Line(1, 0, line)) is None


def test_lines_carry_their_number_and_offset_and_a_long_one_is_never_held() -> None:
    data = [b"ab\ncd", b"e\n", b"x" * 50 + b"\nlast"]
    assert list(split_lines(iter(data), 0, 1, cap=10)) == [
        Line(1, 0, b"ab"), Line(2, 3, b"cde"), Line(3, 7, None), Line(4, 58, b"last")]  # fmt: skip


def test_a_malformed_row_mid_file_keeps_its_neighbours() -> None:
    rows = [
        row(1),
        row(2, 2, 1),
        b'  <row Id="3" PostTypeId="1" Body="a " b" />\r\n',
        row(4),
        row(5, 2, 4),
    ]
    items = read_all(posts_xml(rows))
    errors = [i for i in items if isinstance(i, RecordError)]
    assert [(e.record, e.reason) for e in errors] == [("line 5", "malformed_row")]
    assert [p.id for p in items if isinstance(p, Post)] == [1, 2, 4, 5]


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 400), st.lists(st.integers(0, 3), min_size=1, max_size=30))
def test_byte_ranges_give_the_same_rows_and_lines_whatever_their_size(
    range_bytes: int, kinds: list[int]
) -> None:
    rows = [row(i + 1, 2, 1) if k == 2 else b"  <row broken\r\n" if k == 3 else row(i + 1)
            for i, k in enumerate(kinds)]  # fmt: skip
    data = posts_xml(rows)
    assert read_all(data, range_bytes) == read_all(data)


def test_a_doctype_at_the_head_refuses_the_file_and_no_entity_is_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?>\n<!DOCTYPE posts [\n <!ENTITY lol "lol">\n'
        + b"".join(
            f' <!ENTITY lol{i} "{"&lol" + str(i - 1) + ";" if i > 1 else "&lol;"}'.encode() * 1
            + b'">\n'
            for i in range(1, 10)
        )
        + b"]>\n<posts>\n"
        + row(1).replace(b'Title="T"', b'Title="&lol9;"')
        + TAIL
    )
    items = read_all(bomb)
    assert [(i.record, i.reason) for i in items] == [("line 2", "doctype")]
    assert read_all(bomb, 40)[:1] == items  # only the first range reports it
    assert len(read_all(bomb, 40)) == 1


def test_an_empty_file_is_one_error() -> None:
    assert [(e.record, e.reason) for e in read_all(b"")] == [("file", "empty_file")]


def seven_zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with py7zr.SevenZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(data, name)
    return out.getvalue()


def test_an_archive_gives_what_its_extracted_posts_xml_gives() -> None:
    data = posts_xml([row(i) for i in range(1, 2000)] + [b"  <row broken\r\n", row(2001)])
    archive = seven_zip({"Users.xml": b"<users/>", "Posts.xml": data})
    assert list(read_archive(io.BytesIO(archive), "Posts.xml", CAP)) == read_all(data)


def test_a_truncated_or_corrupt_archive_is_an_error_and_what_came_before_stays() -> None:
    data = posts_xml([row(i) for i in range(1, 3000)])
    archive = seven_zip({"Posts.xml": data})
    truncated = list(read_archive(io.BytesIO(archive[: len(archive) // 2]), "t.7z", CAP))
    assert [(e.record, e.reason) for e in truncated] == [("archive", "bad_archive")]
    corrupt = bytearray(archive)
    corrupt[len(corrupt) // 2] ^= 0xFF
    items = list(read_archive(io.BytesIO(bytes(corrupt)), "c.7z", CAP))
    assert isinstance(items[-1], RecordError) and items[-1].reason == "bad_archive"
    assert all(isinstance(i, Post) for i in items[:-1])


def test_an_archive_without_posts_xml_is_an_error() -> None:
    items = list(read_archive(io.BytesIO(seven_zip({"Users.xml": b"<users/>"})), "u.7z", CAP))
    assert [(e.record, e.reason) for e in items] == [("archive", "no_posts_xml")]


def test_stopping_early_stops_the_extraction_thread() -> None:
    import threading

    data = posts_xml([row(i) for i in range(1, 20000)])
    items = read_archive(io.BytesIO(seven_zip({"Posts.xml": data})), "s.7z", CAP)
    assert isinstance(next(items), Post)
    items.close()
    assert not [t for t in threading.enumerate() if t.name.startswith("7z ")]
