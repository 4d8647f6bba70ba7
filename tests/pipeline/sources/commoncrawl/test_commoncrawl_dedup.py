"""Digest dedup, then line dedup over the whole input, on WET files read by Beam workers as
the ccnet stage reads them: a line shared by pages in two files is removed from both,
whichever worker read them. The dedup's pure parts: tests/pipeline/dedup/."""

from __future__ import annotations

import json
import random
from pathlib import Path

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions

from pipeline.dedup.lines import FileVerdicts, file_notices, remove_lines
from pipeline.readers.wet import WetPage, read_wet
from pipeline.sample.wet import WetWriter
from pipeline.sources.commoncrawl.ccnet_stage import page_hashes, page_id

FILLER = "A sentence that makes this page long enough to keep, about the weather. " * 5
SHARED = "Subscribe to our newsletter for weekly deals!"


def write_wet(path: Path, dump: str, pages: list[str], seed: int) -> list[str]:
    writer = WetWriter(str(path), path.name, dump, random.Random(seed), post_2020=False)
    ids = [writer.conversion(f"http://site{i}.example/", text, None)["record_id"] for i, text in enumerate(pages)]  # fmt: skip
    writer.close()
    return [f"commoncrawl/{dump}/{i}" for i in ids]


def run(paths: list[Path], out: Path, **options: object) -> dict[str, str]:
    # defined here, so that Beam's workers get them by value (they cannot import this file)
    def read_pages(path: str) -> list[WetPage]:
        with open(path, "rb") as stream:
            return [p for p in read_wet(stream, path, 64 << 20) if isinstance(p, WetPage)]

    def rewrite(item: tuple[int, dict]) -> list[str]:
        """Pass 2 as the ccnet stage does it: the file read again, the survivors without
        their duplicate lines."""
        index, grouped = item
        (path,) = grouped["file"]
        keep, notices = set(grouped["keep"]), file_notices(grouped["lines"])
        return [
            json.dumps([page_id(p), remove_lines(p.text, notices, (index, p.ordinal))[0]])
            for p in read_pages(path)
            if p.ordinal in keep
        ]

    indexed = sorted((i, str(p)) for i, p in enumerate(paths))
    beam_options = PipelineOptions(direct_num_workers=2, direct_running_mode="multi_processing")
    with beam.Pipeline(options=beam_options) as pipeline:
        listed = pipeline | beam.Create(indexed)
        hashed = (
            listed
            | beam.Reshuffle()
            | beam.FlatMap(
                lambda f: [page_hashes(p, f[0]) for p in read_pages(f[1]) if len(p.text) >= 300]
            )
        )
        _ = (
            (listed, hashed)
            | FileVerdicts(**options)
            | beam.FlatMap(rewrite)
            | beam.io.WriteToText(str(out / "pages"))
        )
    rows = [json.loads(line) for f in sorted(out.glob("pages*")) for line in f.read_text().splitlines()]  # fmt: skip
    return dict(rows)


@pytest.fixture
def crawl(tmp_path: Path) -> tuple[list[Path], dict[str, str]]:
    first = tmp_path / "CC-MAIN-2019-30-00000.warc.wet.gz"
    second = tmp_path / "CC-MAIN-2023-06-00000.warc.wet.gz"
    one = f"Page one\n{FILLER}\n{SHARED}\nOne's own closing line."
    two = f"Page two\n{FILLER.replace('weather', 'tides')}\nSUBSCRIBE to our newsletter for weekly deals.\nTwo ends."
    alone = f"Page three\n{FILLER.replace('weather', 'stars')}\nRepeat me.\nRepeat me.\nThree ends."
    a = write_wet(first, "2019-30", [one, alone, "too short"], seed=1)
    b = write_wet(second, "2023-06", [two, one], seed=2)  # `one` again: a digest duplicate
    return [first, second], {"one": a[0], "alone": a[1], "short": a[2], "two": b[0], "copy": b[1]}


def test_a_line_in_two_files_read_by_different_workers_goes_from_both(
    crawl, tmp_path: Path
) -> None:
    paths, ids = crawl
    pages = run(paths, tmp_path / "out")
    one_id = min(ids["one"], ids["copy"])  # of two identical pages the smallest id stays
    assert set(pages) == {one_id, ids["alone"], ids["two"]}
    assert SHARED not in pages[one_id] and "One's own closing line." in pages[one_id]
    assert "newsletter" not in pages[ids["two"]] and "Two ends." in pages[ids["two"]]
    # the identical copy did not make page one's own lines duplicates
    assert "Page one" in pages[one_id]
    assert pages[ids["alone"]].count("Repeat me.") == 1


def test_keep_first_leaves_the_line_in_the_first_page(crawl, tmp_path: Path) -> None:
    paths, ids = crawl
    pages = run(paths, tmp_path / "out", keep="first")
    one_id = min(ids["one"], ids["copy"])  # the digest dedup keeps the smallest id
    # input order: page one is record 0 of file 0, page two record 0 of file 1, the copy of
    # page one record 1 of file 1; the first of the two survivors keeps the shared line
    first, second = (one_id, ids["two"]) if one_id == ids["one"] else (ids["two"], one_id)
    assert "ewsletter" in pages[first] and "ewsletter" not in pages[second]


def test_a_dump_scope_keeps_lines_shared_only_across_dumps(crawl, tmp_path: Path) -> None:
    paths, ids = crawl
    pages = run(paths, tmp_path / "out", scope="dump")
    # page one (2019-30) and page two (2023-06) share the line across dumps only; the digest
    # dedup stays global, so the 2023-06 copy of page one still goes
    assert set(pages) == {ids["one"], ids["alone"], ids["two"]}
    assert SHARED in pages[ids["one"]]
    assert "newsletter" in pages[ids["two"]]
