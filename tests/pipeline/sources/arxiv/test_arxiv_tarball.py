"""Paper members of a bulk tarball, paper ids, and the paper's files, all in memory (the tar
handling itself: tests/pipeline/readers/test_readers_tar.py)."""

from __future__ import annotations

import gzip
import io

import pytest

from pipeline.readers.tar import Fault
from pipeline.records import RecordError, RecordWarning
from pipeline.sources.arxiv.tarball import ArxivMember, paper_files, paper_id, read_tarball
from tests.helpers import tar_of


@pytest.mark.parametrize(
    ("member", "expected"),
    [
        ("2101/2101.00001.gz", ("2101.00001", 0)),
        ("2101.00001v2.gz", ("2101.00001", 2)),
        ("0704.0001.pdf", ("0704.0001", 0)),
        ("9901/hep-th9901001.gz", ("hep-th/9901001", 0)),
        ("math.AG0101001v3.gz", ("math/0101001", 3)),
        ("cond-mat0001001.gz", ("cond-mat/0001001", 0)),
        ("README.txt", None),
    ],
)
def test_paper_ids_from_member_names(member: str, expected: tuple[str, int] | None) -> None:
    assert paper_id(member) == expected


def members(data: bytes, limit: int = 1 << 30) -> list[ArxivMember | RecordError | RecordWarning]:
    return list(read_tarball(io.BytesIO(data), "t.tar", limit))


def test_members_in_order_and_a_truncated_tar_keeps_the_ones_before() -> None:
    data = tar_of([(f"2101/2101.0000{i}.gz", gzip.compress(b"x" * 5000)) for i in range(1, 4)])
    got = members(data)
    assert [m.id for m in got if isinstance(m, ArxivMember)] == [
        "arxiv/2101.00001", "arxiv/2101.00002", "arxiv/2101.00003"]  # fmt: skip
    # the tar ends inside the second member's data (its header sits at byte 1024)
    # (the member comes with its fault as data: the stage counts it read, then lost)
    cut = members(data[: 1024 + 512 + 10])
    assert [type(m) for m in cut] == [ArxivMember, ArxivMember]
    assert cut[1].where == "member 2 '2101/2101.00002.gz'"
    assert isinstance(cut[1].data, Fault) and cut[1].data.reason == "truncated_tar"
    header_cut = members(data[: 1024 + 100])
    # a header cut after whole members loses none of them: a warning
    assert [type(m) for m in header_cut] == [ArxivMember, RecordWarning]
    assert (header_cut[1].record, header_cut[1].reason) == ("after member 1", "truncated_tar")


def test_bad_names_large_members_and_empty_files_are_errors() -> None:
    data = tar_of([("notes.txt", b"x"), ("2101.00001.gz", b"y" * 100), ("2101.00002.gz", b"z")])
    got = members(data, limit=50)
    assert [(g.record, g.reason) for g in got if isinstance(g, RecordError)] == [
        ("member 1 'notes.txt'", "unknown_member"),
        ("member 2 '2101.00001.gz'", "record_too_large"),
    ]
    assert isinstance(got[-1], ArxivMember) and got[-1].data == b"z"
    assert members(b"")[0].reason in ("empty_file", "not_a_tar")


def test_unsafe_entries_are_refused_links_ignored_and_only_latex_and_styles_read() -> None:
    inner = tar_of(
        [("main.tex", b"\\documentclass{article}"), ("../evil.tex", b"evil"), ("/etc/x", b"x"),
         ("./sec/a.TEX", b"a"), ("fig.png", b"\x89PNG"), ("style.sty", b"s"), ("r.bib", b"@")],
        links=("link.tex",),
    )  # fmt: skip
    paper = paper_files(inner, "2101.00001.gz")
    assert paper.layout == "tar.gz"
    assert sorted(paper.files) == ["main.tex", "sec/a.TEX"]
    assert [(f.reason, f.entry) for f in paper.faults] == [
        ("path_traversal", "../evil.tex"), ("path_traversal", "/etc/x")]  # fmt: skip
    assert paper.styles == {"style.sty": b"s"} and paper.skipped == 2  # the png and the bib


def test_single_files_pdfs_and_postscript() -> None:
    assert paper_files(b"\\documentclass{article}", "2101.00001.gz").files == {
        "2101.00001.tex": b"\\documentclass{article}"}  # fmt: skip
    assert paper_files(b"%PDF-1.5 ...", "x.gz").layout == "pdf"
    assert paper_files(b"%!PS-Adobe", "x.gz").layout == "postscript"
