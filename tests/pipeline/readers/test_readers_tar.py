"""Tars read safely in memory (pipeline/readers/tar.py): members streamed, a truncated tar
keeping the members before the fault, capped inflation of a bomb, and the files of an inner
tar with entries outside it refused and links ignored."""

from __future__ import annotations

import gzip
import io
import zlib

from pipeline.readers.tar import (
    Fault,
    TarFile,
    TarMember,
    inflate,
    is_tar,
    safe_files,
    stream_members,
    unsafe_entry,
)
from pipeline.records import RecordWarning
from tests.helpers import tar_of as plain_tar


def tar_of(entries: list[tuple[str, bytes]], links: tuple[str, ...] = ()) -> bytes:
    return plain_tar(entries, links, folder=True)  # a directory entry, which is skipped


def gzip_of_zeros(size: int) -> bytes:
    """A gzip stream inflating to `size` zero bytes, built in 1 MiB steps (small on disk)."""
    compressor = zlib.compressobj(1, zlib.DEFLATED, 31)  # level 1: 1 GiB in under 2 s
    chunk, parts = bytes(1 << 20), []
    for _ in range(size >> 20):
        parts.append(compressor.compress(chunk))
    return b"".join(parts) + compressor.flush()


def test_members_stream_in_order_read_or_skipped_and_a_cut_keeps_the_ones_before() -> None:
    data = tar_of([("a.txt", b"a" * 700), ("b.txt", b"b" * 5000), ("c.txt", b"c")])
    got = list(stream_members(io.BytesIO(data), "t.tar"))
    assert [(m.index, m.name, m.size) for m in got] == [
        (1, "a.txt", 700), (2, "b.txt", 5000), (3, "c.txt", 1)]  # fmt: skip
    read = []
    for member in stream_members(io.BytesIO(data), "t.tar"):
        assert isinstance(member, TarMember)
        if member.name != "b.txt":  # skipped unread: the stream still finds c.txt
            read.append(member.read())
    assert read == [b"a" * 700, b"c"]
    # the tar ends inside b.txt's data (a.txt takes bytes 0-1535, b.txt's header 1536)
    cut = stream_members(io.BytesIO(data[: 1536 + 512 + 10]), "t.tar")
    assert next(cut).read() == b"a" * 700  # read before the stream moves on
    assert next(cut).read() == Fault("truncated_tar", "unexpected end of data")
    header_cut = list(stream_members(io.BytesIO(data[: 1536 + 100]), "t.tar"))
    assert isinstance(header_cut[-1], RecordWarning)  # the members before it are whole
    assert (header_cut[-1].record, header_cut[-1].reason) == ("after member 1", "truncated_tar")
    assert next(stream_members(io.BytesIO(b""), "e.tar")).reason == "empty_file"
    assert next(stream_members(io.BytesIO(b"x" * 1024), "x.tar")).reason == "not_a_tar"


def test_inflate_stops_a_bomb_at_the_cap_without_holding_it() -> None:
    bomb = gzip_of_zeros(1 << 30)  # 1 GiB of zeros, about 1 MB compressed
    assert len(bomb) < 5 << 20
    assert inflate(bomb, 256 << 20) == Fault(
        "too_large", f"inflates to {256 << 20} bytes or more (the cap)"
    )
    # past `hold` it only counts, then inflates again: the same bytes
    assert inflate(gzip.compress(b"abc" * 1000), 1 << 20, hold=10) == b"abc" * 1000
    assert inflate(b"not gzip", 100).reason == "corrupt_gzip"
    assert inflate(gzip.compress(b"abc" * 1000)[:-30], 1 << 20).reason == "corrupt_gzip"


def test_inner_files_refuse_traversal_ignore_links_and_read_only_what_is_wanted() -> None:
    inner = tar_of(
        [("a.txt", b"a"), ("../evil.txt", b"evil"), ("/etc/x", b"x"), ("./sub/b.TXT", b"b"),
         ("fig.png", b"\x89PNG")],
        links=("link.txt",),
    )  # fmt: skip
    got = list(safe_files(inner, lambda path: path.lower().endswith(".txt")))
    assert got == [
        TarFile("a.txt", b"a"),
        Fault("path_traversal", "an absolute path or a '..' component: refused", "../evil.txt"),
        Fault("path_traversal", "an absolute path or a '..' component: refused", "/etc/x"),
        TarFile("sub/b.TXT", b"b"),
        TarFile("fig.png", None),
    ]
    assert is_tar(inner) and not is_tar(b"\\documentclass{article}" * 40)
    broken = list(safe_files(inner[:700], lambda path: True, "the paper's tar"))
    assert broken[-1].reason == "corrupt_tar" and broken[-1].message.startswith("the paper's tar: ")
    assert all(unsafe_entry(n) for n in ("../a", "a/../../b", "/x", "C:\\x", "a\\..\\b"))
    assert not unsafe_entry("a/b..c.tex")
