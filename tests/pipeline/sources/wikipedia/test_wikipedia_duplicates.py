"""Overlapping dumps give one document per page: the latest revision, ties broken by the
later timestamp and then by the earlier file; the copies it replaces are counted as
dropped.duplicate_page and cite nothing."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from pipeline import io
from pipeline.sources.wikipedia.duplicates import PageKey, Superseded
from tests.helpers import run_fleece, write_manifest
from tests.pipeline.sources.wikipedia.dumps import dump_xml, page_xml


def key(revision: int, timestamp: str, file: int, ordinal: int) -> PageKey:
    return PageKey(revision, timestamp, -file, -ordinal)


def winner_and_losers(keys: list[PageKey], split: int) -> tuple[PageKey, list[PageKey]]:
    combine = Superseded()
    parts = []
    for chunk in (keys[:split], keys[split:]):
        accumulator = combine.create_accumulator()
        for k in chunk:
            accumulator = combine.add_input(accumulator, k)
        parts.append(accumulator)
    merged = combine.merge_accumulators(parts)
    return merged[0], combine.extract_output(merged)


@pytest.mark.parametrize("split", [0, 1, 2, 3])
def test_the_latest_revision_wins_in_any_grouping(split: int) -> None:
    keys = [key(10, "2023-01-01", 0, 5), key(12, "2023-01-01", 1, 2), key(12, "2023-02-01", 2, 9)]
    best, losers = winner_and_losers(keys, split)
    assert best == keys[2] and set(losers) == set(keys[:2])


def test_a_tie_goes_to_the_earlier_file_then_the_earlier_page() -> None:
    same = [key(12, "2023-01-01", 2, 1), key(12, "2023-01-01", 0, 7), key(12, "2023-01-01", 0, 3)]
    best, losers = winner_and_losers(same, 1)
    assert (best.file, best.ordinal) == (0, 3)
    assert sorted((k.file, k.ordinal) for k in losers) == [(0, 7), (2, 1)]


@pytest.mark.slow
def test_overlapping_dumps_through_the_stage(tmp_path, write_dump):
    old_text = "Old text of the page [http://old.example.org/a source]."
    new_text = "New text of the page [http://new.example.org/b source]."
    write_dump("enwiki-a.xml.bz2", dump_xml("en", [
        page_xml(1, "One", old_text, revision=100),
        page_xml(2, "Two", "Two, first copy.", revision=200),
        page_xml(3, "Three", "Three, the newest.", revision=310),
    ]))  # fmt: skip
    write_dump("enwiki-b.xml.bz2", dump_xml("en", [
        page_xml(1, "One", new_text, revision=101),
        page_xml(2, "Two", "Two, second copy.", revision=200),
        page_xml(3, "Three", "Three, an older one.", revision=300),
        page_xml(4, "Four", "Four only here.", revision=400),
    ]))  # fmt: skip
    manifest = write_manifest(tmp_path / "m.yaml", {
        "run_dir": str(tmp_path / "run"),
        "runner": {"direct_num_workers": 1, "direct_running_mode": "in_memory"},
        "sources": {"wikipedia": {"inputs": [str(tmp_path / "enwiki-*.xml.bz2")]}},
    })  # fmt: skip
    run_fleece("wikipedia", "--manifest", str(manifest), "--keep-dropped")
    out = tmp_path / "run" / "wikipedia"
    docs = {r["id"]: r["text"] for p in out.glob("part-*.parquet") for r in io.read_parquet(str(p)).to_pylist()}  # fmt: skip
    assert docs == {
        "wikipedia/en/1": "One\n\nNew text of the page source.",
        "wikipedia/en/2": "Two\n\nTwo, first copy.",
        "wikipedia/en/3": "Three\n\nThree, the newest.",
        "wikipedia/en/4": "Four\n\nFour only here.",
    }
    cited = [r["url"] for p in (out / "cited_urls").glob("*.parquet") for r in io.read_parquet(str(p)).to_pylist()]  # fmt: skip
    assert cited == ["http://new.example.org/b"]
    dropped = Counter(
        (r["id"], r["reason"]) for p in (out / "dropped").glob("*.parquet")
        for r in io.read_parquet(str(p)).to_pylist()
    )  # fmt: skip
    assert dropped == Counter({(f"wikipedia/en/{i}", "duplicate_page"): 1 for i in (1, 2, 3)})
    counters = json.loads((out / "_stats.json").read_text())["counters"]
    assert counters["dropped.duplicate_page"] == 3 and counters["kept"] == 4
    assert counters["read"] == 7 and counters["files.read"] == 2
