"""arXiv bulk source tarballs: the members of a tar, and each paper's files, all in memory.

A bulk tarball (`arXiv_src_2101_001.tar`) holds one member per paper: `<yymm>/<id>.gz`
(a gzipped single .tex, or a gzipped tar of the paper's project) or `<id>.pdf` for a paper
submitted as PDF only. Old-style ids drop their slash in member names (`hep-th9901001.gz` is
hep-th/9901001); a version suffix (`v2`) may follow.

Nothing is ever extracted to disk: the outer tar is read as a stream (`tarfile` mode `r|`,
so any Beam filesystem works and a truncated tar keeps the members before the fault), a
member is inflated in memory with a cap on its decompressed size (a decompression bomb is
read in chunks and abandoned at the cap, never held beyond `hold` bytes), and an inner tar
is read from that buffer. Inner entries with an absolute path or a `..` component are
refused (`path_traversal`), links are never followed, and only .tex/.ltx files (the text)
and .sty files (the paper's own packages, for their macro definitions) are read.
"""

from __future__ import annotations

import io
import posixpath
import re
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from pipeline.records import RecordError
from pipeline.sources.arxiv.latex import LATEX_EXTENSIONS

NEW_STYLE = re.compile(r"(\d{4}\.\d{4,5})(?:v(\d+))?")
OLD_STYLE = re.compile(r"([a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?(\d{7})(?:v(\d+))?")
CHUNK = 1 << 16
GZIP_MAGIC = b"\x1f\x8b"
STYLE_EXTENSION = ".sty"


@dataclass(frozen=True)
class Fault:
    """Something wrong with one member or one of its entries (a RecordError without its
    file, which the caller knows)."""

    reason: str
    message: str
    entry: str | None = None  # the inner tar entry, when the fault is one entry's


@dataclass(frozen=True)
class ArxivMember:
    index: int  # 1-based, among the tar's regular files
    name: str
    paper: str  # the native id: 2101.00001, hep-th/9901001
    version: int  # 0 when the name carries none
    data: bytes = b""  # the member's bytes (compressed), when read

    @property
    def id(self) -> str:
        return f"arxiv/{self.paper}"

    @property
    def where(self) -> str:
        return f"member {self.index} {self.name!r}"


def paper_id(member_name: str) -> tuple[str, int] | None:
    """(native id, version) from a member name, or None when it names no paper."""
    stem = posixpath.basename(member_name)
    for suffix in (".gz", ".pdf", ".tar", ".tex"):
        stem = stem.removesuffix(suffix)
    new = NEW_STYLE.fullmatch(stem)
    if new:
        return new.group(1), int(new.group(2) or 0)
    old = OLD_STYLE.fullmatch(stem)
    if old:
        return f"{old.group(1)}/{old.group(2)}", int(old.group(3) or 0)
    return None


def read_tarball(
    stream: BinaryIO, name: str, max_record_bytes: int, with_data: bool = True
) -> Iterator[ArxivMember | RecordError]:
    """An ArxivMember or RecordError per regular file of the tar, in tar order; a tar that
    ends early yields `truncated_tar` after the members before the fault."""
    stream = TailStream(stream)
    try:
        tar = tarfile.open(fileobj=stream, mode="r|")
    except tarfile.ReadError as exc:
        empty = stream.position == 0
        reason, message = ("empty_file", "no bytes") if empty else ("not_a_tar", str(exc))
        yield RecordError(name, "file", reason, message)
        return
    index = 0
    while True:
        try:
            info = tar.next()
        except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
            # a damaged header: stream mode cannot resynchronise, so the file ends here
            yield RecordError(name, f"after member {index}", "truncated_tar", str(exc))
            return
        if info is None:
            if not stream.ends_cleanly(tar.offset):
                # tarfile's stream mode takes a short or damaged header for the end
                message = f"no end-of-archive block at byte {tar.offset}: cut or damaged here"
                yield RecordError(name, f"after member {index}", "truncated_tar", message)
            return
        if not info.isfile():
            continue  # the yymm/ directory entries
        index += 1
        where = f"member {index} {info.name!r}"
        parsed = paper_id(info.name)
        if parsed is None:
            yield RecordError(name, where, "unknown_member", "the name holds no arXiv id")
            continue
        if info.size > max_record_bytes:
            yield RecordError(
                name, where, "record_too_large", f"{info.size} bytes > {max_record_bytes}"
            )
            continue
        data = b""
        if with_data:
            try:
                source = tar.extractfile(info)
                assert source is not None  # a regular file
                data = source.read()
            except (tarfile.TarError, EOFError, OSError) as exc:
                yield RecordError(name, where, "truncated_tar", str(exc))
                return
            if len(data) < info.size:
                yield RecordError(name, where, "truncated_tar", "the tar ends inside it")
                return
        yield ArxivMember(index, info.name, parsed[0], parsed[1], data)


class TailStream:
    """A read-only stream that keeps the last bytes read from the one it wraps, so that once
    tarfile reports the end, the block where it stopped can be checked."""

    KEEP = 1 << 16

    def __init__(self, stream: BinaryIO) -> None:
        self.stream, self.position = stream, 0
        self.tail, self.tail_start = b"", 0

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.position += len(data)
        if len(data) >= self.KEEP:  # a whole member read at once: only its end is kept
            self.tail, self.tail_start = data[-self.KEEP :], self.position - self.KEEP
            return data
        self.tail += data
        if len(self.tail) > 2 * self.KEEP:
            drop = len(self.tail) - self.KEEP
            self.tail, self.tail_start = self.tail[drop:], self.tail_start + drop
        return data

    def ends_cleanly(self, offset: int) -> bool:
        """Whether the 512-byte block at `offset` (where tarfile stopped) is all zeros: the
        end-of-archive marker, rather than a cut or damaged header."""
        self.read(1024)
        start = offset - self.tail_start
        block = self.tail[start : start + 512] if start >= 0 else b""
        return len(block) == 512 and not block.strip(b"\0")


def inflate(data: bytes, cap: int, hold: int = 32 << 20) -> bytes | Fault:
    """A gzip member's content, or the Fault: `corrupt_gzip`, or `too_large` once it
    reaches `cap` bytes decompressed. Past `hold` bytes the output is only counted, and a
    member that ends under the cap is inflated a second time: rare, and a bomb then costs
    time, not memory."""
    if not data.startswith(GZIP_MAGIC):
        return Fault("corrupt_gzip", "not a gzip stream")
    too_large = Fault("too_large", f"inflates to {cap} bytes or more (the cap)")
    total = 0
    kept: list[bytes] | None = []
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    pending = memoryview(data)
    try:
        while not inflater.eof:
            if inflater.unconsumed_tail:
                out = inflater.decompress(inflater.unconsumed_tail, CHUNK)
            elif pending:
                out = inflater.decompress(pending[:CHUNK], CHUNK)
                pending = pending[CHUNK:]
            else:
                out = inflater.flush()
                if not out:
                    break
            total += len(out)
            if total >= cap:
                return too_large
            if kept is not None:
                kept.append(out)
                if total > hold:
                    kept = None  # from here on only counted
    except zlib.error as exc:
        return Fault("corrupt_gzip", str(exc))
    if not inflater.eof:
        return Fault("corrupt_gzip", "the gzip stream ends early")
    if kept is None:
        return inflate(data, cap, hold=cap)
    return b"".join(kept)


def unsafe_entry(name: str) -> bool:
    """An absolute path, a `..` component or a Windows drive: outside the paper's folder."""
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or bool(re.match(r"[A-Za-z]:", name))


@dataclass
class PaperFiles:
    """What a member holds: its LaTeX files (path -> bytes) and what was refused or skipped."""

    layout: str  # "tex.gz", "tar.gz", "pdf", "postscript"
    files: dict[str, bytes] = field(default_factory=dict)
    # the paper's own packages (.sty): read for their macro definitions only, never as text
    styles: dict[str, bytes] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    skipped: int = 0  # entries that are not LaTeX (figures, .cls, .bib, ...)


def paper_files(content: bytes, member_name: str) -> PaperFiles:
    """A member's inflated content as the paper's files."""
    if content.startswith(b"%PDF"):
        return PaperFiles("pdf")
    if content.startswith(b"%!PS"):
        return PaperFiles("postscript")
    if not is_tar(content):
        stem = posixpath.basename(member_name).removesuffix(".gz")
        return PaperFiles("tex.gz", {f"{stem}.tex": content})
    paper = PaperFiles("tar.gz")
    try:
        with tarfile.open(fileobj=io.BytesIO(content), mode="r:") as inner:
            for entry in inner:
                if unsafe_entry(entry.name):
                    message = "an absolute path or a '..' component: refused"
                    paper.faults.append(Fault("path_traversal", message, entry.name))
                    continue
                if not entry.isfile():  # links are never followed; folders hold nothing
                    continue
                path = posixpath.normpath(entry.name)
                wanted = paper.files if path.lower().endswith(LATEX_EXTENSIONS) else None
                if path.lower().endswith(STYLE_EXTENSION):
                    wanted = paper.styles
                if wanted is None:
                    paper.skipped += 1
                    continue
                source = inner.extractfile(entry)
                assert source is not None  # a regular file
                wanted[path] = source.read()
    except (tarfile.TarError, EOFError, OSError) as exc:
        paper.faults.append(Fault("corrupt_tar", f"the paper's tar: {exc}"))
    return paper


def is_tar(content: bytes) -> bool:
    """A ustar/gnu tar: its first header's magic, or a valid header checksum (v7 tars)."""
    if len(content) < 512:
        return False
    if content[257:262] == b"ustar":
        return True
    try:
        tarfile.TarInfo.frombuf(content[:512], "utf-8", "surrogateescape")
    except tarfile.HeaderError:
        return False
    return True
