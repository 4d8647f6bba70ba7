"""Streaming reader of MediaWiki XML exports (plain or bz2, any declared encoding).

The dump is cut into `<page>` records on the decoded text and each record is parsed on
its own, so
- memory is bounded by one page, whatever the size of the dump;
- a malformed page, a page with invalid bytes or an entity reference costs that page
  only: the reader resumes at the next `<page>`;
- no entity is ever expanded: the DOCTYPE is never given to the XML parser, so a page
  that uses a declared entity (an XML bomb) fails as `entity_expansion`;
- a truncated or corrupt bz2 stream keeps every page of the bz2 blocks before the fault
  (a block is checked as a whole, so the pages of the damaged block itself are lost).
The split is safe because `<` cannot occur unescaped inside well-formed element text.
"""

from __future__ import annotations

import bz2
import codecs
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from pipeline.counters import utf8_size
from pipeline.records import Header, RecordError

CHUNK_BYTES = 1 << 20
# Compressed bytes given to the bz2 decompressor at a time: when a block is corrupt, the
# output of the call that meets it is lost, so small feeds keep the blocks before it.
BZ2_FEED_BYTES = 4096
PAGE_OPEN = "<page>"
PAGE_CLOSE = "</page>"


@dataclass(frozen=True)
class SiteInfo(Header):
    language: str | None
    dbname: str | None
    namespaces: dict[int, str] = field(default_factory=dict)
    entities: tuple[str, ...] = ()


@dataclass(frozen=True)
class Page:
    page_id: int
    title: str
    namespace: int
    redirect: bool
    revision_id: int | None
    timestamp: str | None
    model: str | None
    text: str
    ordinal: int

    @property
    def parsed_text_bytes(self) -> int:
        """bytes.read: the UTF-8 size of the wikitext."""
        return utf8_size(self.text)


class _StreamFault(Exception):
    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


def decompressed_chunks(stream: BinaryIO, compressed: bool) -> Iterator[bytes]:
    """Raw bytes of the dump; bz2 may be multi-stream (as Wikipedia's multistream dumps).

    Raises _StreamFault after the last good byte when the compressed data is cut or bad."""
    if not compressed:
        while chunk := stream.read(CHUNK_BYTES):
            yield chunk
        return
    decompressor = bz2.BZ2Decompressor()
    while True:
        chunk = stream.read(BZ2_FEED_BYTES)
        if not chunk:
            break
        while chunk:
            try:
                out = decompressor.decompress(chunk)
            except OSError as exc:
                raise _StreamFault("corrupt_stream", f"bz2 data is corrupt: {exc}") from exc
            if out:
                yield out
            if decompressor.eof:
                chunk = decompressor.unused_data
                decompressor = bz2.BZ2Decompressor()
                if not chunk:
                    # the next stream starts in the next read, or the file ends here
                    nxt = stream.read(BZ2_FEED_BYTES)
                    if not nxt:
                        return
                    chunk = nxt
            else:
                chunk = b""
    if not decompressor.eof:
        raise _StreamFault("truncated_stream", "bz2 stream ends before its end-of-stream marker")


_DECL_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")


def sniff_encoding(head: bytes) -> str:
    """The document's encoding from its byte-order mark or XML declaration (XML 1.0 F.1)."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(b"<\x00?\x00"):
        return "utf-16-le"
    if head.startswith(b"\x00<\x00?"):
        return "utf-16-be"
    match = _DECL_ENCODING.match(head)
    return match.group(1).decode("ascii").lower() if match else "utf-8"


_XML_DECL = re.compile(r"^\ufeff?<\?xml[^>]*\?>")
_DOCTYPE = re.compile(r"<!DOCTYPE\s[^\[>]*(\[.*?\]\s*)?>", re.S)
_ENTITY_DECL = re.compile(r"<!ENTITY\s+%?\s*([^\s>]+)")


def parse_header(header: str) -> SiteInfo:
    """Site information from the text before the first <page> (root tag and <siteinfo>)."""
    entities = tuple(_ENTITY_DECL.findall(header))
    body = _DOCTYPE.sub("", _XML_DECL.sub("", header, count=1), count=1).strip()
    root = ET.fromstring(body + "</mediawiki>")
    lang = root.get("{http://www.w3.org/XML/1998/namespace}lang")
    namespaces: dict[int, str] = {}
    dbname = None
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "dbname":
            dbname = (element.text or "").strip() or None
        elif tag == "namespace" and element.get("key") is not None:
            namespaces[int(element.get("key"))] = (element.text or "").strip()
    if lang is None and dbname and dbname.endswith("wiki"):
        lang = dbname[: -len("wiki")]
    return SiteInfo(language=lang, dbname=dbname, namespaces=namespaces, entities=entities)


_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_SURROGATE = re.compile("[\udc80-\udcff]")


def _record_name(ordinal: int, raw: str, offset: int) -> str:
    title = _TITLE.search(raw)
    shown = f" {title.group(1)[:80]!r}" if title else ""
    return f"page #{ordinal}{shown} at character {offset}"


def _entity_at(raw: str, error: ET.ParseError) -> str | None:
    """The name of the entity reference where expat stopped (its message omits it)."""
    line, column = error.position
    lines = raw.split("\n")
    if line - 1 >= len(lines):
        return None
    match = re.match(r"&([^;\s&<]+);", lines[line - 1][column:])
    return match.group(1) if match else None


def parse_page(raw: str, ordinal: int) -> Page:
    """One <page> element. Raises ET.ParseError or ValueError on a malformed page."""
    element = ET.fromstring(raw)
    revision = element.find("revision")

    def child_text(parent: ET.Element | None, tag: str) -> str | None:
        node = parent.find(tag) if parent is not None else None
        return node.text if node is not None else None

    page_id = child_text(element, "id")
    namespace = child_text(element, "ns")
    title = child_text(element, "title")
    if page_id is None or namespace is None or title is None:
        raise ValueError("page lacks <id>, <ns> or <title>")
    revision_id = child_text(revision, "id")
    return Page(
        page_id=int(page_id),
        title=title,
        namespace=int(namespace),
        redirect=element.find("redirect") is not None,
        revision_id=int(revision_id) if revision_id else None,
        timestamp=child_text(revision, "timestamp"),
        model=child_text(revision, "model"),
        text=child_text(revision, "text") or "",
        ordinal=ordinal,
    )


def iter_dump(
    stream: BinaryIO,
    name: str,
    max_record_bytes: int = 64 << 20,
    *,
    compressed: bool | None = None,
) -> Iterator[SiteInfo | Page | RecordError]:
    """SiteInfo first (when the header parses), then every Page or RecordError in file order
    (the record-reader contract of pipeline.records). A page longer than `max_record_bytes`
    characters once decoded is an error (`page_too_large`)."""
    if compressed is None:
        compressed = name.endswith(".bz2")
    chunks = decompressed_chunks(stream, compressed)
    buffer = ""
    decoder = None
    header_done = False
    entities: tuple[str, ...] = ()
    ordinal = 0
    consumed = 0  # characters of the decoded dump before `buffer`
    skipping = False  # inside an oversized page, dropping text until its </page>

    def fault(record: str, reason: str, message: str) -> RecordError:
        return RecordError(name, record, reason, message)

    def handle_page(raw: str, offset: int) -> Page | RecordError:
        record = _record_name(ordinal, raw, offset)
        if _SURROGATE.search(raw):
            return fault(
                record, "invalid_encoding", "bytes that are not valid in the declared encoding"
            )
        try:
            return parse_page(raw, ordinal)
        except ET.ParseError as exc:
            entity = _entity_at(raw, exc) if "undefined entity" in str(exc) else None
            if entity is not None and entity in entities:
                return fault(
                    record,
                    "entity_expansion",
                    f"reference to the DTD entity &{entity}; refused ({exc})",
                )
            return fault(record, "malformed_page", str(exc))
        except ValueError as exc:
            return fault(record, "malformed_page", str(exc))

    try:
        for chunk in chunks:
            if decoder is None:
                encoding = sniff_encoding(chunk[:200])
                try:
                    decoder = codecs.getincrementaldecoder(encoding)(errors="surrogateescape")
                except LookupError:
                    yield fault(
                        "header", "unknown_encoding", f"declared encoding {encoding!r} is unknown"
                    )
                    return
            buffer += decoder.decode(chunk)
            while True:
                if not header_done:
                    start = buffer.find(PAGE_OPEN)
                    if start < 0:
                        if len(buffer) > max_record_bytes:
                            yield fault("header", "malformed_header", "no <page> found")
                            return
                        break
                    try:
                        info = parse_header(buffer[:start])
                        entities = info.entities
                        yield info
                    except (ET.ParseError, ValueError) as exc:
                        yield fault("header", "malformed_header", str(exc))
                    header_done = True
                    consumed += start
                    buffer = buffer[start:]
                    continue
                if skipping:
                    end = buffer.find(PAGE_CLOSE)
                    if end < 0:
                        keep = len(PAGE_CLOSE)
                        consumed += max(0, len(buffer) - keep)
                        buffer = buffer[-keep:]
                        break
                    skipping = False
                    consumed += end + len(PAGE_CLOSE)
                    buffer = buffer[end + len(PAGE_CLOSE) :]
                    continue
                start = buffer.find(PAGE_OPEN)
                if start < 0:
                    # nothing but whitespace and the closing root tag belongs between pages
                    keep = len(PAGE_OPEN)
                    consumed += max(0, len(buffer) - keep)
                    buffer = buffer[-keep:] if len(buffer) > keep else buffer
                    break
                end = buffer.find(PAGE_CLOSE, start)
                next_open = buffer.find(PAGE_OPEN, start + len(PAGE_OPEN))
                if 0 <= next_open and (end < 0 or next_open < end):
                    # a page cut short: the next one starts before this one closes
                    ordinal += 1
                    raw = buffer[start:next_open]
                    yield fault(
                        _record_name(ordinal, raw, consumed + start),
                        "malformed_page",
                        "page is not closed before the next <page>",
                    )
                    consumed += next_open
                    buffer = buffer[next_open:]
                    continue
                if end < 0:
                    if len(buffer) - start > max_record_bytes:
                        ordinal += 1
                        yield fault(
                            _record_name(ordinal, buffer[start:], consumed + start),
                            "page_too_large",
                            f"page exceeds {max_record_bytes} characters",
                        )
                        skipping = True
                        consumed += len(buffer)
                        buffer = ""
                    break
                ordinal += 1
                stop = end + len(PAGE_CLOSE)
                if stop - start > max_record_bytes:
                    yield fault(
                        _record_name(ordinal, buffer[start:stop], consumed + start),
                        "page_too_large",
                        f"page exceeds {max_record_bytes} characters",
                    )
                else:
                    yield handle_page(buffer[start:stop], consumed + start)
                consumed += stop
                buffer = buffer[stop:]
    except _StreamFault as exc:
        pending = buffer.find(PAGE_OPEN)
        lost = (
            f"; the page being read when it ended (at character {consumed + pending}) is lost"
            if pending >= 0
            else ""
        )
        yield fault("stream", exc.reason, f"{exc}{lost}")
        return
    if decoder is None:
        yield fault("header", "empty_file", "the file is empty")
        return
    if not header_done:
        yield fault("header", "malformed_header", "no <page> found")
        return
    rest = buffer.strip()
    if PAGE_OPEN in rest:
        ordinal += 1
        yield fault(
            _record_name(ordinal, rest, consumed), "truncated_stream", "the dump ends inside a page"
        )
