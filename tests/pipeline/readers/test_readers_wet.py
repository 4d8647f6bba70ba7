"""The WET reader on gzip WET files with real WARC headers (old and post-2020), and on the
faults real crawls have: a gzip member cut short in the middle of a file, a record without
headers, a wrong Content-Length, invalid UTF-8, an empty file, a WARC file that is not WET.
Every fault is one error naming its record and byte offset; the good records after it stay."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from pipeline import io
from pipeline.readers import wet
from pipeline.readers.wet import WetInfo, WetPage, dump_of, read_wet
from pipeline.records import ReadOptions, RecordError, read_records
from pipeline.sample import write_sample
from pipeline.sample.wet import WetWriter, member, record_bytes

TEXT = "A page of text long enough to be a page.\nWith a second line.\n"


def read(path: Path, max_bytes: int = 64 << 20) -> list[object]:
    with open(path, "rb") as stream:
        return list(read_wet(stream, str(path), max_bytes))


def pages(items: list[object]) -> list[WetPage]:
    return [i for i in items if isinstance(i, WetPage)]


def errors(items: list[object]) -> list[RecordError]:
    return [i for i in items if isinstance(i, RecordError)]


def wet_file(path: Path, dump: str = "2019-30", post_2020: bool = False) -> WetWriter:
    return WetWriter(str(path), path.name, dump, random.Random(0), post_2020)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("sample")
    write_sample(str(root), scale=1, seed=0)
    truth = json.loads((root / "ground_truth.json").read_text())["commoncrawl"]
    return root, truth


def test_the_sample_reads_with_its_planted_fault_reported_and_later_pages_kept(
    sample: tuple[Path, dict],
) -> None:
    root, truth = sample
    seen: dict[str, WetPage] = {}
    for entry in truth["files"]:
        items = read(root / entry["file"])
        info = items[0]
        assert isinstance(info, WetInfo) and info.dump == entry["dump"].removeprefix("CC-MAIN-")
        assert len(items) - 1 == entry["records"] - 1  # every record but warcinfo, once
        for page in pages(items):
            seen[f"commoncrawl/{page.dump}/{page.record_id}"] = page
            assert page.dump == info.dump
            if not entry["post_2020_headers"]:
                assert page.languages is None
        languages = [p.languages for p in pages(items)]
        assert any(languages) == entry["post_2020_headers"]
    corrupt = truth["corrupt_records"][0]
    faults = errors(read(root / corrupt["file"]))
    assert [(f.record, f.reason) for f in faults] == [
        (f"record #{corrupt['record']} at byte {corrupt['offset']}", "corrupt_member")
    ]
    assert set(seen) == set(truth["pages"]), "every page of the ground truth, none lost"
    for page_id, expected in truth["pages"].items():
        assert seen[page_id].url == expected["url"] and seen[page_id].digest == expected["digest"]


def test_post_2020_headers_carry_the_identified_languages(tmp_path: Path) -> None:
    path = tmp_path / "CC-MAIN-2023-06-00000.warc.wet.gz"
    writer = wet_file(path, "2023-06", post_2020=True)
    writer.conversion("http://example.com/a", TEXT, "eng,fra")
    writer.close()
    (page,) = pages(read(path))
    assert (page.languages, page.dump, page.text) == ("eng,fra", "2023-06", TEXT)


def _with_bad_record(tmp_path: Path, bad: bytes) -> Path:
    path = tmp_path / "CC-MAIN-2019-30-00000.warc.wet.gz"
    writer = wet_file(path)
    writer.conversion("http://example.com/before", TEXT, None)
    writer.write_member(member(bad))
    writer.conversion("http://example.com/after", TEXT, None)
    writer.close()
    return path


def _headers(length: int, **extra: str) -> list[tuple[str, str]]:
    headers = [
        ("WARC-Type", "conversion"),
        ("WARC-Target-URI", "http://example.com/bad"),
        ("WARC-Date", "2019-07-15T17:52:05Z"),
        ("WARC-Record-ID", "<urn:uuid:0b9ed8b6-7dbc-4a3e-9d29-0dd8d61a3d2b>"),
        ("WARC-Block-Digest", "sha1:AAAA"),
        ("Content-Type", "text/plain"),
        ("Content-Length", str(length)),
    ]
    return [(k, extra.get(k, v)) for k, v in headers if extra.get(k, v) is not None]


@pytest.mark.parametrize(
    ("bad", "reason"),
    [
        (b"WARC/1.0\r\n\r\n" + TEXT.encode(), "malformed_record"),  # no headers at all
        (b"not a warc record at all\r\n\r\n", "malformed_record"),
        (record_bytes(_headers(len(TEXT) + 50), TEXT.encode()), "content_length_mismatch"),
        (record_bytes(_headers(10), TEXT.encode()), "malformed_record"),  # the rest: no record
        (record_bytes(_headers(6), b"caf\xc3\x28!"), "invalid_encoding"),
        (
            record_bytes(
                [h for h in _headers(len(TEXT)) if h[0] != "WARC-Target-URI"], TEXT.encode()
            ),
            "missing_header",
        ),
    ],
    ids=["no-headers", "not-warc", "length-too-long", "length-too-short", "utf8", "no-uri"],
)
def test_a_bad_record_is_one_error_and_the_next_record_is_kept(
    tmp_path: Path, bad: bytes, reason: str
) -> None:
    items = read(_with_bad_record(tmp_path, bad))
    assert [p.url for p in pages(items)] == [
        "http://example.com/before",
        "http://example.com/after",
    ]
    (fault,) = errors(items)
    assert fault.reason == reason
    assert fault.record.startswith("record #2 at byte ")


def test_a_gzip_member_cut_short_mid_file_and_at_the_end(tmp_path: Path) -> None:
    path = tmp_path / "CC-MAIN-2019-30-00000.warc.wet.gz"
    writer = wet_file(path)
    writer.conversion("http://example.com/1", TEXT, None)
    writer.truncated_conversion("http://example.com/cut", TEXT * 20)
    writer.conversion("http://example.com/2", TEXT, None)
    writer.close()
    whole = path.read_bytes()
    items = read(path)
    assert [p.url for p in pages(items)] == ["http://example.com/1", "http://example.com/2"]
    assert [e.reason for e in errors(items)] == ["corrupt_member"]
    path.write_bytes(whole[:-40])  # now the last member is cut too
    items = read(path)
    assert [p.url for p in pages(items)] == ["http://example.com/1"]
    assert [e.reason for e in errors(items)] == ["corrupt_member", "truncated_member"]


def test_an_empty_file_and_a_warc_that_is_not_wet(tmp_path: Path) -> None:
    empty = tmp_path / "CC-MAIN-2019-30-00009.warc.wet.gz"
    empty.write_bytes(b"")
    assert [(e.record, e.reason) for e in errors(read(empty))] == [("file", "empty_file")]
    warc = tmp_path / "CC-MAIN-2019-30-00010.warc.gz"
    response = [("WARC-Type", "response"), ("WARC-Record-ID", "<urn:uuid:%s>" % ("1" * 36)),
                ("WARC-Target-URI", "http://example.com/"),
                ("Content-Type", "application/http; msgtype=response"), ("Content-Length", "4")]  # fmt: skip
    warc.write_bytes(b"".join(member(record_bytes(response, b"abcd")) for _ in range(50)))
    (fault,) = errors(read(warc))
    assert fault.reason == "not_wet" and fault.record == "record #0 at byte 0"


def test_a_record_over_the_cap_is_an_error_and_memory_stays_bounded(tmp_path: Path) -> None:
    path = tmp_path / "CC-MAIN-2019-30-00000.warc.wet.gz"
    writer = wet_file(path)
    writer.conversion("http://example.com/huge", "x" * 200_000, None)
    writer.conversion("http://example.com/small", TEXT, None)
    writer.close()
    items = read(path, max_bytes=100_000)
    assert [p.url for p in pages(items)] == ["http://example.com/small"]
    assert [e.reason for e in errors(items)] == ["record_too_large"]


def test_an_uncompressed_wet_file_reads_too(tmp_path: Path) -> None:
    path = tmp_path / "CC-MAIN-2019-30-00000.warc.wet.gz"
    writer = wet_file(path)
    writer.conversion("http://example.com/a", TEXT, None)
    writer.close()
    plain = tmp_path / "CC-MAIN-2019-30-00000.warc.wet"
    with gzip.open(path) as stream:
        plain.write_bytes(stream.read())
    assert [p.url for p in pages(read(plain))] == ["http://example.com/a"]


def test_the_dump_comes_from_warcinfo_or_the_crawl_path() -> None:
    assert dump_of("s3://commoncrawl/crawl-data/CC-MAIN-2019-30/segments/1/wet/"
                   "CC-MAIN-20190715175205-20190715201205-00000.warc.wet.gz") == "2019-30"  # fmt: skip
    assert dump_of("CC-MAIN-20190715175205-20190715201205-00000.warc.wet.gz") is None


def test_through_the_record_contract_errors_are_counted(sample: tuple[Path, dict]) -> None:
    root, truth = sample
    corrupt = truth["corrupt_records"][0]
    path = str(root / corrupt["file"])
    counts: dict[str, int] = {}

    def count(name: str, value: int) -> None:
        counts[name] = counts.get(name, 0) + value

    (file,) = io.match_files([path])
    list(read_records(file, read_wet, ReadOptions(), count))
    assert counts["errors.corrupt_member"] == 1
    # every page of the file, and the record that could not be read
    assert counts["read"] == 1 + len(
        [p for p in truth["pages"].values() if p["file"] == corrupt["file"]]
    )
    with pytest.raises(Exception, match="corrupt_member"):
        list(read_records(file, read_wet, ReadOptions(strict=True), count))


def test_plain_members_read_by_hand_give_what_warcio_gives(
    sample: tuple[Path, dict], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every sample WET file (pre- and post-2020 headers, the planted faults) reads to the
    same pages and errors whether its plain records are split by hand or go to warcio."""
    root, truth = sample
    files = [root / entry["file"] for entry in truth["files"]]
    by_hand = [read(path) for path in files]
    monkeypatch.setattr(wet, "_plain_record", lambda data: None)
    by_warcio = [read(path) for path in files]
    assert sum(len(pages(items)) for items in by_hand) > 100
    assert by_hand == by_warcio


def test_members_are_found_alike_whatever_the_read_and_feed_sizes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file with a damaged member in the middle, read through buffers smaller than a
    member and fed to zlib a few bytes at a time: the same members, offsets and fault."""
    path = tmp_path / "CC-MAIN-2019-30-00000.warc.wet.gz"
    writer = wet_file(path)
    for k in range(40):
        writer.conversion(f"https://example.com/{k}", TEXT * (k + 1), None)
    writer.close()
    data = bytearray(path.read_bytes())
    data[len(data) // 2 : len(data) // 2 + 40] = b"\x00" * 40
    path.write_bytes(bytes(data))
    expected = read(path)
    assert len(errors(expected)) == 1 and len(pages(expected)) == 39
    monkeypatch.setattr(wet, "READ_BYTES", 97)
    monkeypatch.setattr(wet, "FEED_BYTES", 13)
    assert read(path) == expected
