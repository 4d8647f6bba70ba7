"""The WET files parse with warcio and agree with the CommonCrawl ground truth."""

from __future__ import annotations

import unicodedata
import zlib

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

GZIP_MAGIC = b"\x1f\x8b\x08"


def warcio_records(path: str) -> list:
    """(headers, payload) of each record warcio reads before a fault (if any)."""
    records = []
    with open(path, "rb") as f:
        try:
            for record in ArchiveIterator(f, check_digests=True):
                records.append((record.rec_headers, record.content_stream().read()))
        except (ArchiveLoadFailed, zlib.error, EOFError):
            pass
    return records


def members(path: str) -> list[bytes]:
    """Every gzip member that decompresses, resyncing on the magic bytes after a bad one."""
    with open(path, "rb") as f:
        data = f.read()
    out, position = [], 0
    while position < len(data):
        decompressor = zlib.decompressobj(31)
        try:
            out.append(decompressor.decompress(data[position:]))
            if not decompressor.eof:
                raise zlib.error("truncated member")
            position = len(data) - len(decompressor.unused_data)
        except zlib.error:
            position = data.find(GZIP_MAGIC, position + 1)
            if position < 0:
                break
    return out


def normalize_line(line: str) -> str:
    """cc_net's dedup normalisation as DESIGN.md states it."""
    line = "".join("0" if ch.isdigit() else ch for ch in line.strip().lower())
    return "".join(ch for ch in line if not unicodedata.category(ch).startswith(("P", "C")))


def normalize_url(url: str) -> str:
    url = url.split("#", 1)[0].split("://", 1)[1]
    host, _, path = url.partition("/")
    host = host.lower().removeprefix("www.")
    return f"{host}/{path}".rstrip("/")


def test_records_match_the_truth(sample_dir, ground_truth):
    truth = ground_truth["commoncrawl"]
    by_location = {(p["file"], p["record"]): (doc_id, p) for doc_id, p in truth["pages"].items()}
    corrupt = {c["file"]: c for c in truth["corrupt_records"]}
    assert len(truth["files"]) >= 4 and len({f["dump"] for f in truth["files"]}) >= 2
    for info in truth["files"]:
        records = warcio_records(f"{sample_dir}/{info['file']}")
        expected = corrupt[info["file"]]["record"] if info["file"] in corrupt else info["records"]
        assert len(records) == expected
        assert records[0][0].get_header("WARC-Type") == "warcinfo"
        for index, (headers, payload) in enumerate(records[1:], start=1):
            doc_id, page = by_location[(info["file"], index)]
            assert headers.get_header("WARC-Type") == "conversion"
            assert headers.get_header("WARC-Record-ID") == f"<urn:uuid:{doc_id.rsplit('/', 1)[1]}>"
            assert headers.get_header("WARC-Target-URI") == page["url"]
            assert headers.get_header("WARC-Block-Digest") == page["digest"]
            assert headers.get_header("Content-Type") == "text/plain"
            assert int(headers.get_header("Content-Length")) == len(payload)
            assert headers.get_header("WARC-Refers-To")
            has_language = headers.get_header("WARC-Identified-Content-Language") is not None
            if not info["post_2020_headers"]:
                assert not has_language
            elif page["language"]:
                assert has_language


def test_resync_after_the_corrupt_record(sample_dir, ground_truth):
    truth = ground_truth["commoncrawl"]
    (corrupt,) = truth["corrupt_records"]
    info = next(f for f in truth["files"] if f["file"] == corrupt["file"])
    good = members(f"{sample_dir}/{corrupt['file']}")
    assert len(good) == info["records"] - 1  # every record but the truncated one
    assert 0 < corrupt["record"] < info["records"] - 1


def page_texts(sample_dir, truth) -> dict[str, str]:
    """{page id: its WET payload} of every readable page."""
    payloads = {}
    for info in truth["files"]:
        dump = info["dump"].removeprefix("CC-MAIN-")
        for member in members(f"{sample_dir}/{info['file']}"):
            head, _, body = member.partition(b"\r\n\r\n")
            if b"WARC-Type: conversion" not in head:
                continue
            for line in head.split(b"\r\n"):
                if line.startswith(b"WARC-Record-ID: <urn:uuid:"):
                    doc_id = f"commoncrawl/{dump}/{line[26:-1].decode()}"
                    payloads[doc_id] = body[:-4].decode("utf-8")
    return payloads


def test_planted_pages(sample_dir, ground_truth):
    truth = ground_truth["commoncrawl"]
    pages = truth["pages"]
    payloads = page_texts(sample_dir, truth)
    assert set(payloads) == set(pages)
    for doc_id in truth["short"]:
        assert len(payloads[doc_id]) < 300
    for doc_id in truth["gibberish"] + truth["word_salad"] + list(truth["non_english"]):
        assert len(payloads[doc_id]) >= 300
    english = set(
        " ".join(payloads[d] for d, p in pages.items() if p["kind"] in ("reference", "web")).split()
    )
    for doc_id in truth["word_salad"]:  # English words, in an order no English text has
        words = payloads[doc_id].split()
        assert sum(w in english for w in words) / len(words) > 0.5
    assert len(truth["word_salad"]) >= 5
    for group in truth["duplicate_groups"]:
        assert len({pages[d]["digest"] for d in group}) == 1
        assert len({payloads[d] for d in group}) == 1
        assert len({pages[d]["file"] for d in group}) >= 1
    assert sorted(d for g in truth["duplicate_groups"] for d in g[1:]) == truth["duplicate_pages"]
    dumps_of_duplicates = {
        pages[d]["file"].split("-")[2] for g in truth["duplicate_groups"] for d in g
    }
    assert len(dumps_of_duplicates) == 2
    assert set(truth["non_english"].values()) >= {"de", "fr", "es", "it", "fi"}


def test_boilerplate_families_normalise_to_one_line(sample_dir, ground_truth):
    for family in ground_truth["commoncrawl"]["boilerplate_lines"]:
        assert len({normalize_line(v) for v in family["variants"]}) == 1, family["family"]
        assert len(set(family["variants"])) == len(family["variants"])
        assert family["documents"] >= 2


def test_cited_pages_are_cited_by_wikipedia(ground_truth):
    pages = ground_truth["commoncrawl"]["pages"]
    cited_by_wiki = {
        url for urls in ground_truth["wikipedia"]["cited_urls"].values() for url in urls
    }
    cited = ground_truth["commoncrawl"]["cited_by_wikipedia"]
    assert len(cited) >= 20
    for doc_id in cited:
        page = pages[doc_id]
        assert page["cited_as"] in cited_by_wiki
        assert normalize_url(page["cited_as"]) == normalize_url(page["url"])
    crawled = {normalize_url(p["url"]) for d, p in pages.items() if d not in set(cited)}
    assert not crawled & {normalize_url(pages[d]["url"]) for d in cited}


def test_navigation_site_pages_carry_lines_without_letter_or_digit(sample_dir, ground_truth):
    truth = ground_truth["commoncrawl"]
    site = truth["navigation_site"]
    assert not any(ch.isalnum() for line in site["lines"] for ch in line)
    payloads = page_texts(sample_dir, truth)
    assert len(site["pages"]) >= 10
    for doc_id in site["pages"]:
        page = truth["pages"][doc_id]
        assert page["kind"] == "web" and normalize_url(page["url"]).startswith(
            site["host"].removeprefix("www.") + "/"
        )
        first, *ends = page["navigation_lines"]
        lines = payloads[doc_id].split("\n")
        assert lines[1] == first and lines[-len(ends) :] == ends  # under the title, at the end
        assert set(page["navigation_lines"]) <= set(site["lines"])
