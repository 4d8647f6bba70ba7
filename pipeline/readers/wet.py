"""Common Crawl WET files: a format reader under the record-reader contract (records.py).

A WET file is gzip with one member per WARC record: a `warcinfo` record (whose `isPartOf`
names the crawl, `CC-MAIN-2019-30`), then one `conversion` record per page with
WARC-Target-URI, WARC-Date, WARC-Record-ID, WARC-Block-Digest and the page's text. Dumps
since 2020 add WARC-Identified-Content-Language; both kinds are read alike.

The reader splits the gzip members itself (zlib, one member at a time) and hands each to
warcio: a member cut short or damaged is one error, and reading resumes at the next gzip
member header, so the good pages after a fault are kept. warcio alone reads the members as
one stream and stops at the first damaged one. Uncompressed files go to warcio whole.
"""

from __future__ import annotations

import io
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from warcio.archiveiterator import ArchiveIterator

from pipeline.counters import utf8_size
from pipeline.records import Header, RecordError

GZIP_MAGIC = b"\x1f\x8b\x08"
READ_BYTES = 1 << 20
FEED_BYTES = 1 << 16  # given to zlib at a time, so its unused_data copy stays small
# the crawl's name in a path (crawl-data/CC-MAIN-2019-30/...) or in warcinfo's isPartOf;
# the segment files' own names (CC-MAIN-20190715175205-...) do not match
_DUMP = re.compile(r"CC-MAIN-(\d{4}-\d{2})(?!\d)")
_UUID = re.compile(r"<urn:uuid:([0-9a-fA-F-]{36})>")
PAGE_TYPES = ("conversion",)
NOT_WET_TYPES = ("response", "request", "revisit", "resource", "metadata")


@dataclass(frozen=True)
class WetInfo(Header):
    """The file's warcinfo record."""

    dump: str | None  # "2019-30"
    filename: str | None


@dataclass(frozen=True)
class WetPage:
    """One conversion record: a page's text and where it came from."""

    record_id: str  # the uuid of WARC-Record-ID
    url: str
    date: str
    digest: str  # WARC-Block-Digest: sha1 of the payload, base32 ("sha1:...")
    languages: str | None  # WARC-Identified-Content-Language (2020 on), else None
    text: str
    dump: str | None  # from warcinfo, else from the file's path
    ordinal: int  # index of the record in the file (warcinfo is 0)
    offset: int  # byte offset of its gzip member (of the record, uncompressed)

    @property
    def parsed_text_bytes(self) -> int:
        """bytes.read: the UTF-8 size of the page's text."""
        return utf8_size(self.text)


def dump_of(path: str) -> str | None:
    """ "2019-30" for a path or isPartOf value naming CC-MAIN-2019-30, else None."""
    match = _DUMP.search(path)
    return match.group(1) if match else None


class _MemberFault(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def gzip_members(stream: BinaryIO, max_bytes: int) -> Iterator[tuple[int, bytes | _MemberFault]]:
    """(byte offset, decompressed bytes or the fault) of each gzip member, in order. After a
    fault the next member is found by its header magic; memory is bounded by max_bytes.

    The buffer is read through an index, not sliced per member: a slice copies the rest of
    the buffer, and a WET file has some 40,000 members."""
    buffer = b""
    base = 0  # file offset of buffer[0]
    mark = 0  # buffer index where the current member starts; fill() keeps from here
    pos = 0  # buffer index of the next byte to decompress
    at_end = False

    def fill() -> bool:
        nonlocal buffer, base, mark, pos, at_end
        if at_end:
            return False
        chunk = stream.read(READ_BYTES)
        if not chunk:
            at_end = True
            return False
        buffer, base, pos, mark = buffer[mark:] + chunk, base + mark, pos - mark, 0
        return True

    fill()
    while pos < len(buffer) or fill():
        mark = pos
        start = base + pos
        decompressor = zlib.decompressobj(wbits=31)
        out: list[bytes] = []
        size = 0
        fault: _MemberFault | None = None
        while True:
            fed = memoryview(buffer)[pos : pos + FEED_BYTES]
            try:
                piece = decompressor.decompress(fed, max_bytes + 1 - size)
            except zlib.error as error:
                fault = _MemberFault("corrupt_member", f"gzip member unreadable: {error}")
                break
            size += len(piece)
            out.append(piece)
            if size > max_bytes:
                fault = _MemberFault("record_too_large", f"record over {max_bytes} bytes")
                break
            if decompressor.eof:
                pos += len(fed) - len(decompressor.unused_data)
                break
            if decompressor.unconsumed_tail:
                pos += len(fed) - len(decompressor.unconsumed_tail)
                continue
            pos += len(fed)
            if pos >= len(buffer) and not fill():
                fault = _MemberFault("truncated_member", "the file ends inside a gzip member")
                break
        if fault is None:
            mark = pos
            yield start, b"".join(out)
            continue
        yield start, fault
        # resume at the next member header after this one's start
        search_from = mark + 1
        while True:
            found = buffer.find(GZIP_MAGIC, search_from)
            if found >= 0:
                pos = mark = found
                break
            keep = len(GZIP_MAGIC) - 1  # a header split across reads
            pos = mark = max(0, len(buffer) - keep)
            search_from = 0
            if not fill():
                return


def _page(headers: object, payload: bytes, dump: str | None, ordinal: int, offset: int) -> WetPage:
    """A conversion record's headers and content as a WetPage (a _MemberFault if bad)."""
    missing = [
        h for h in ("WARC-Record-ID", "WARC-Target-URI", "WARC-Block-Digest")
        if not headers.get_header(h)
    ]  # fmt: skip
    if missing:
        raise _MemberFault("missing_header", f"no {', '.join(missing)}")
    uuid = _UUID.fullmatch(headers.get_header("WARC-Record-ID").strip())
    if uuid is None:
        raise _MemberFault("malformed_header", "WARC-Record-ID is not <urn:uuid:...>")
    declared = headers.get_header("Content-Length")
    if declared is None or not declared.strip().isdigit() or int(declared) != len(payload):
        raise _MemberFault(
            "content_length_mismatch",
            f"Content-Length {declared} but {len(payload)} bytes of content",
        )
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError as error:
        raise _MemberFault("invalid_encoding", f"content is not UTF-8: {error}") from None
    return WetPage(
        record_id=uuid.group(1).lower(),
        url=headers.get_header("WARC-Target-URI").strip(),
        date=(headers.get_header("WARC-Date") or "").strip(),
        digest=headers.get_header("WARC-Block-Digest").strip(),
        languages=headers.get_header("WARC-Identified-Content-Language"),
        text=text,
        dump=dump,
        ordinal=ordinal,
        offset=offset,
    )


Member = list[tuple[object, bytes]]  # the (record, content) pairs of one gzip member


class _Headers:
    """WARC headers as warcio gives them: get_header by name, any case, first one wins."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields

    def get_header(self, name: str, default: str | None = None) -> str | None:
        return self.fields.get(name.lower(), default)


@dataclass(frozen=True)
class _Record:
    rec_type: str
    rec_headers: _Headers
    format: str = "warc"


# Warcio read a member in 5x the time of unzipping it (its buffered readers go line by line
# through Python), a fifth of the c4 stage's time; a WET member is nearly always one plain
# record, which this reads by splitting bytes. Anything else goes to warcio.
_PLAIN_TYPES = ("warcinfo", "conversion")


def _plain_record(data: bytes) -> tuple[_Record, bytes] | None:
    """The record of a member that holds exactly one well-formed warcinfo or conversion
    record with plain UTF-8 headers, and its content; None for any other member."""
    if not data.startswith(b"WARC/1."):
        return None
    end = data.find(b"\r\n\r\n")
    if end < 0:
        return None
    try:
        head = data[:end].decode("utf-8")
    except UnicodeDecodeError:
        return None
    fields: dict[str, str] = {}
    for line in head.split("\r\n")[1:]:
        name, colon, value = line.partition(":")
        if not colon or line[:1] in (" ", "\t") or "\n" in line or "\r" in line:
            return None  # continuation lines, bare LFs: warcio's rules
        fields.setdefault(name.rstrip(" \t").lower(), value.lstrip())
    length = fields.get("content-length", "")
    kind = fields.get("warc-type")
    if not length.isdigit() or kind not in _PLAIN_TYPES:
        return None
    start = end + 4
    stop = start + int(length)
    if data[stop:] != b"\r\n\r\n":
        return None
    return _Record(kind, _Headers(fields)), data[start:stop]


def _member_records(data: bytes) -> Member:
    """The WARC records of one member's bytes, each with its content read in full."""
    plain = _plain_record(data)
    if plain is not None:
        return [plain]
    records = []
    try:
        for record in ArchiveIterator(io.BytesIO(data), arc2warc=False, check_digests=False):
            if record.format != "warc":  # warcio takes any text for an ARC record
                raise _MemberFault("malformed_record", "not a WARC/1.x record")
            records.append((record, record.content_stream().read()))
    except _MemberFault:
        raise
    except Exception as error:  # noqa: BLE001 - warcio parsing foreign bytes fails in many ways
        raise _MemberFault("malformed_record", f"not a WARC record: {error!r}") from None
    if not records:
        raise _MemberFault("malformed_record", "no WARC record in this gzip member")
    return records


def _members(
    stream: BinaryIO, name: str, max_bytes: int
) -> Iterator[tuple[int, Member | _MemberFault]]:
    """(offset, records or fault) per gzip member; an uncompressed file is read by warcio
    as one stream (no resync after a fault there: it has no member boundaries)."""
    if name.endswith(".gz"):
        for offset, data in gzip_members(stream, max_bytes):
            if isinstance(data, _MemberFault):
                yield offset, data
                continue
            try:
                yield offset, _member_records(data)
            except _MemberFault as fault:
                yield offset, fault
        return
    iterator = ArchiveIterator(stream, arc2warc=False, check_digests=False)
    offset = 0
    try:
        for record in iterator:
            payload = record.content_stream().read(max_bytes + 1)
            offset = iterator.get_record_offset()
            if record.format != "warc":
                raise _MemberFault("malformed_record", "not a WARC/1.x record")
            yield offset, [(record, payload)]
    except _MemberFault as fault:
        yield offset, fault
    except Exception as error:  # noqa: BLE001 - as in _member_records
        yield offset, _MemberFault("malformed_record", f"not a WARC record: {error!r}")


def read_wet(stream: BinaryIO, name: str, max_record_bytes: int) -> Iterator[object]:
    """The format reader: WetInfo, then a WetPage or RecordError per record of the file."""
    dump = dump_of(name)
    ordinal = 0
    empty = True
    for offset, member in _members(stream, name, max_record_bytes):
        empty = False
        if isinstance(member, _MemberFault):
            yield RecordError(
                name, f"record #{ordinal} at byte {offset}", member.reason, str(member)
            )
            ordinal += 1
            continue
        for record, payload in member:
            where = f"record #{ordinal} at byte {offset}"
            kind = record.rec_type  # type: ignore[attr-defined]
            ordinal += 1
            if kind == "warcinfo":
                fields = payload.decode("utf-8", "replace")
                part_of = re.search(r"^isPartOf:\s*(\S+)", fields, re.MULTILINE)
                dump = (dump_of(part_of.group(1)) if part_of else None) or dump
                filename = record.rec_headers.get_header("WARC-Filename")  # type: ignore[attr-defined]
                yield WetInfo(dump, filename)
                continue
            if kind in NOT_WET_TYPES:
                yield RecordError(
                    name, where, "not_wet",
                    f"a WARC {kind} record: this is a WARC file, not WET; the rest is skipped",
                )  # fmt: skip
                return
            if kind not in PAGE_TYPES:
                yield RecordError(name, where, "malformed_record", f"WARC-Type {kind!r}")
                continue
            if len(payload) > max_record_bytes:
                yield RecordError(name, where, "record_too_large", f"over {max_record_bytes} bytes")
                continue
            try:
                yield _page(record.rec_headers, payload, dump, ordinal - 1, offset)  # type: ignore[attr-defined]
            except _MemberFault as fault:
                yield RecordError(name, where, fault.reason, str(fault))
    if empty:
        yield RecordError(name, "file", "empty_file", "the file is empty")
