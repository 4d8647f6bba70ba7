"""arXiv bulk source tarballs: the paper members of a tar, and each paper's files.

A bulk tarball (`arXiv_src_2101_001.tar`) holds one member per paper: `<yymm>/<id>.gz`
(a gzipped single .tex, or a gzipped tar of the paper's project) or `<id>.pdf` for a paper
submitted as PDF only. Old-style ids drop their slash in member names (`hep-th9901001.gz` is
hep-th/9901001); a version suffix (`v2`) may follow.

Nothing is ever extracted to disk; the tar handling is pipeline/readers/tar.py's: the outer
tar streamed (a truncated tar keeps the members before the fault), a member inflated in
memory under a cap, an inner tar read from that buffer with entries outside the paper's
folder refused (`path_traversal`) and links never followed. What is arXiv's own is here:
which member is which paper, and which files of a paper are read: .tex/.ltx files (the
text) and .sty files (the paper's own packages, for their macro definitions).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from pipeline.readers.tar import Fault, is_tar, safe_files, stream_members
from pipeline.records import RecordError, RecordWarning
from pipeline.sources.arxiv.latex import LATEX_EXTENSIONS

NEW_STYLE = re.compile(r"(\d{4}\.\d{4,5})(?:v(\d+))?")
OLD_STYLE = re.compile(r"([a-z]+(?:-[a-z]+)*)(?:\.[A-Z]{2})?(\d{7})(?:v(\d+))?")
STYLE_EXTENSION = ".sty"


@dataclass(frozen=True)
class ArxivMember:
    index: int  # 1-based, among the tar's regular files
    name: str
    paper: str  # the native id: 2101.00001, hep-th/9901001
    version: int  # 0 when the name carries none
    # the member's bytes (compressed), when read; `truncated_tar` when the tar ends inside
    # them: the paper is lost, an error its pass over the data reports
    data: bytes | Fault = b""

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
) -> Iterator[ArxivMember | RecordError | RecordWarning]:
    """An ArxivMember or RecordError per regular file of the tar, in tar order; a tar whose
    header is cut after whole members yields the warning `truncated_tar` after them."""
    for member in stream_members(stream, name):
        if isinstance(member, RecordError | RecordWarning):
            yield member
            continue
        parsed = paper_id(member.name)
        if parsed is None:
            yield RecordError(name, member.where, "unknown_member", "the name holds no arXiv id")
            continue
        if member.size > max_record_bytes:
            message = f"{member.size} bytes > {max_record_bytes}"
            yield RecordError(name, member.where, "record_too_large", message)
            continue
        data = member.read() if with_data else b""
        yield ArxivMember(member.index, member.name, parsed[0], parsed[1], data)
        if isinstance(data, Fault):
            return  # the stream ends inside this member


@dataclass
class PaperFiles:
    """What a member holds: its LaTeX files (path -> bytes) and what was refused or skipped."""

    layout: str  # "tex.gz", "tar.gz", "pdf", "postscript"
    files: dict[str, bytes] = field(default_factory=dict)
    # the paper's own packages (.sty): read for their macro definitions only, never as text
    styles: dict[str, bytes] = field(default_factory=dict)
    faults: list[Fault] = field(default_factory=list)
    skipped: int = 0  # entries that are not LaTeX (figures, .cls, .bib, ...)


def is_paper_file(path: str) -> bool:
    """A file of the paper that is read: its LaTeX, or its own packages."""
    return path.lower().endswith((*LATEX_EXTENSIONS, STYLE_EXTENSION))


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
    for item in safe_files(content, is_paper_file, "the paper's tar"):
        if isinstance(item, Fault):
            paper.faults.append(item)
        elif item.data is None:
            paper.skipped += 1
        elif item.path.lower().endswith(STYLE_EXTENSION):
            paper.styles[item.path] = item.data
        else:
            paper.files[item.path] = item.data
    return paper
