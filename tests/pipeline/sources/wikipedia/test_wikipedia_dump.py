"""The streaming dump reader: every bad-input case costs only the bad page (or, for a cut
bz2 stream, only what follows the cut), with the fault in the middle of the file."""

from __future__ import annotations

import bz2
import io

from pipeline.records import RecordError
from pipeline.sources.wikipedia.dump import Page, SiteInfo, iter_dump
from tests.pipeline.sources.wikipedia.dumps import BOMB_DOCTYPE, article, dump_xml, page_xml


def read(data: bytes, name: str = "x.xml", **kwargs):
    items = list(iter_dump(io.BytesIO(data), name, **kwargs))
    info = [i for i in items if isinstance(i, SiteInfo)]
    pages = [i for i in items if isinstance(i, Page)]
    errors = [i for i in items if isinstance(i, RecordError)]
    return info, pages, errors


def titles(pages):
    return [p.title for p in pages]


def test_reads_siteinfo_pages_redirects_and_namespaces():
    xml = dump_xml(
        "de",
        [
            article(1),
            page_xml(2, "Umleitung", "#WEITERLEITUNG [[Good 1]]", redirect="Good 1"),
            page_xml(3, "Diskussion:Good 1", "talk", ns=1),
            article(4),
        ],
    )
    info, pages, errors = read(xml.encode())
    assert errors == []
    assert info[0].language == "de" and info[0].dbname == "dewiki"
    assert info[0].namespaces[6] == "Datei" and info[0].namespaces[14] == "Kategorie"
    assert titles(pages) == ["Good 1", "Umleitung", "Diskussion:Good 1", "Good 4"]
    assert [p.redirect for p in pages] == [False, True, False, False]
    assert [p.namespace for p in pages] == [0, 0, 1, 0]
    assert pages[0].text.startswith("'''Good 1'''") and pages[0].revision_id == 10


def test_malformed_page_in_the_middle_loses_only_that_page():
    broken = page_xml(2, "Broken", "text").replace("</revision>", "")
    xml = dump_xml("en", [article(1), broken, article(3), article(4)])
    _, pages, errors = read(xml.encode(), "enwiki.xml")
    assert titles(pages) == ["Good 1", "Good 3", "Good 4"]
    assert [e.reason for e in errors] == ["malformed_page"]
    assert errors[0].file == "enwiki.xml" and "'Broken'" in errors[0].record
    assert "page #2" in errors[0].record


def test_unclosed_page_followed_by_a_good_one():
    cut = page_xml(2, "Cut", "text").replace("  </page>\n", "")
    xml = dump_xml("en", [article(1), cut, article(3)])
    _, pages, errors = read(xml.encode())
    assert titles(pages) == ["Good 1", "Good 3"]
    assert [e.reason for e in errors] == ["malformed_page"] and "'Cut'" in errors[0].record


def test_invalid_utf8_inside_a_page_loses_only_that_page():
    xml = dump_xml("en", [article(1), page_xml(2, "Bytes", "BADBYTES here"), article(3)])
    data = xml.encode().replace(b"BADBYTES", b"bad \xff\xfe\xc3 bytes")
    _, pages, errors = read(data)
    assert titles(pages) == ["Good 1", "Good 3"]
    assert [e.reason for e in errors] == ["invalid_encoding"] and "'Bytes'" in errors[0].record


def test_xml_bomb_is_never_expanded():
    bomb = page_xml(2, "Bomb", "PLACEHOLDER").replace("PLACEHOLDER", "&lol3;&lol3;&lol3;")
    xml = dump_xml("en", [article(1), bomb, article(3)], doctype=BOMB_DOCTYPE)
    info, pages, errors = read(xml.encode())
    assert titles(pages) == ["Good 1", "Good 3"]
    assert [e.reason for e in errors] == ["entity_expansion"]
    assert "lol3" in errors[0].message and "'Bomb'" in errors[0].record
    assert set(info[0].entities) == {"lol", "lol2", "lol3"}
    assert all("lol" not in p.text for p in pages)


def test_truncated_bz2_keeps_every_page_before_the_cut():
    # level 1 = 100 kB blocks: the cut lands after several complete blocks
    xml = dump_xml("en", [article(i) for i in range(1, 3000)])
    compressed = bz2.compress(xml.encode(), compresslevel=1)
    info, pages, errors = read(compressed[: len(compressed) * 2 // 3], "enwiki.xml.bz2")
    assert info and 1000 < len(pages) < 2999
    assert titles(pages) == [f"Good {i}" for i in range(1, len(pages) + 1)]
    assert [e.reason for e in errors] == ["truncated_stream"]
    assert errors[0].file == "enwiki.xml.bz2"


def test_corrupt_bz2_block_keeps_pages_before_it():
    xml = dump_xml("en", [article(i) for i in range(1, 3000)])
    compressed = bytearray(bz2.compress(xml.encode(), compresslevel=1))
    middle = len(compressed) // 2
    compressed[middle : middle + 64] = bytes(64)
    _, pages, errors = read(bytes(compressed), "enwiki.xml.bz2")
    assert 1000 < len(pages) < 2999
    assert titles(pages) == [f"Good {i}" for i in range(1, len(pages) + 1)]
    assert len(errors) == 1 and errors[0].reason in {"corrupt_stream", "truncated_stream"}


def test_multistream_bz2_is_read_to_the_end():
    xml = dump_xml("en", [article(i) for i in range(1, 50)]).encode()
    cut = xml.index(b"  <page>", len(xml) // 2)
    data = bz2.compress(xml[:cut]) + bz2.compress(xml[cut:])
    _, pages, errors = read(data, "enwiki-multistream.xml.bz2")
    assert errors == [] and len(pages) == 49


def test_utf16_dump_with_declared_encoding():
    text = "Ünïcödé [[Ссылка]] 日本語 — 🙂"
    xml = dump_xml("ru", [article(1), page_xml(2, "Юникод", text), article(3)], encoding="UTF-16")
    info, pages, errors = read(xml.encode("utf-16"))
    assert errors == [] and info[0].language == "ru"
    assert titles(pages) == ["Good 1", "Юникод", "Good 3"] and pages[1].text == text


def test_latin1_dump_with_declared_encoding():
    xml = dump_xml("fr", [page_xml(1, "Été", "Le café à Noël")], encoding="ISO-8859-1")
    _, pages, errors = read(xml.encode("latin-1"))
    assert errors == [] and pages[0].title == "Été" and pages[0].text == "Le café à Noël"


def test_oversized_page_is_skipped_without_buffering_it():
    big = page_xml(2, "Huge", "x" * 300_000)
    xml = dump_xml("en", [article(1), big, article(3)])
    _, pages, errors = read(xml.encode(), max_record_bytes=100_000)
    assert titles(pages) == ["Good 1", "Good 3"]
    assert [e.reason for e in errors] == ["page_too_large"]
