"""The pages pass 1 stages for pass 2 come back as they were written."""

from __future__ import annotations

from pathlib import Path

from pipeline.sources.c4.staging import StagedPage, StagedWriter, read_staged


def staged(ordinal: int, lines: tuple[str, ...], language: str | None) -> StagedPage:
    return StagedPage(
        ordinal=ordinal, record_id=f"id-{ordinal}", url=f"http://x.org/{ordinal}",
        date="2019-04-20T10:00:00Z", digest=f"sha1:{ordinal}", dump="2019-18", lines=lines,
        language=language, score=0.9 if language else None, lines_removed=ordinal,
        dropped=None if language == "en" else "language",
    )  # fmt: skip


def test_pages_that_hold_one_object_twice_read_back_as_written(tmp_path: Path) -> None:
    # a page holding one string object twice is pickled with a back-reference to it: read
    # with the memo of an earlier page, it fetched that page's object instead
    repeated = "The same line, twice in one page."
    pages = [
        staged(1, ("A first page line.", "And its second line."), "en"),
        staged(2, (repeated, repeated), "fr"),
        staged(3, ("Ein dritter Satz.",), None),
    ]
    path = str(tmp_path / "00000.pickle")
    with StagedWriter(path) as writer:
        for page in pages:
            writer.write(page)
    assert list(read_staged(path)) == pages
