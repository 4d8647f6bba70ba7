"""The report's records from inline statistics: a stage's funnel, its histograms and cutoffs,
a training run's curves, and sampled documents that depend on the seed and ids alone."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline import counters, histograms
from pipeline.counters import Tally
from pipeline.documents import DOCUMENT_SCHEMA, DROPPED_SCHEMA, Document
from pipeline.histograms import Bin
from pipeline.report.samples import sample_documents
from pipeline.report.statistics import (
    Funnel,
    StageStatistics,
    Timing,
    stage_statistics,
    training,
)


def test_the_funnel_goes_from_read_to_kept_with_each_reason_largest_first() -> None:
    stats = stage_statistics(
        "c4",
        {
            "counters": {
                "read": 100, "kept": 80, "bytes.read": 5000, "dropped.lorem": 3,
                "dropped.language": 12, "dropped.bad_words": 3, "errors.malformed_json": 2,
                "lines.policy": 7,
            }
        },
    )  # fmt: skip
    assert stats.funnel == Funnel(
        read=100,
        kept=80,
        dropped={"language": 12, "bad_words": 3, "lorem": 3},
        errors={"malformed_json": 2},
    )
    assert stats.funnel.steps() == [
        ("read", 100), ("dropped: language", 12), ("dropped: bad_words", 3),
        ("dropped: lorem", 3), ("error: malformed_json", 2), ("kept", 80),
    ]  # fmt: skip


def test_a_stage_without_read_shows_its_drops_and_kept() -> None:
    steps = stage_statistics("commoncrawl", {"counters": {"kept": 5, "dropped.tail": 4}}).funnel
    assert steps.steps() == [("dropped: tail", 4), ("kept", 5)]


def test_histograms_and_cutoffs_of_a_stage() -> None:
    tally = Tally()
    for text, language in [("a" * 700, "en"), ("b" * 600, "en"), ("c" * 90, "de")]:
        counters.count_kept(text, tally, language)
    for perplexity in (100.0, 1000.0, 1001.0):
        histograms.count_perplexity("en", perplexity, tally)
    histograms.count_wiki_prob(0.73, tally)
    plain, bins = histograms.split(tally)
    stats = StageStatistics(
        "commoncrawl",
        plain,
        bins,
        {"cutoffs.en.head": 150.5, "cutoffs.en.middle": 900.25, "cutoffs.count": 1.0},
    )
    assert stats.lengths == [Bin(64, 1), Bin(512, 2)]
    assert stats.languages == {"de": 1, "en": 2}
    assert stats.perplexities == {"en": [Bin(2.0, 1), Bin(3.0, 2)]}
    assert stats.wiki_probs == [Bin(0.7, 1)]
    assert stats.cutoffs == {"en": (150.5, 900.25)}


def test_training_curves_come_in_step_order_with_mfu_only_where_measured() -> None:
    records = [
        {"kind": "val", "step": 10, "val_loss": 5.5},
        {"kind": "train", "step": 2, "loss": 7.0, "tokens_per_s": 900.0, "mfu": None},
        {"kind": "train", "step": 1, "loss": 8.0, "tokens_per_s": 800.0, "mfu": None},
        {"kind": "val", "step": 0, "val_loss": 8.5},
    ]
    curves = training(records)
    assert (curves.steps, curves.loss, curves.tokens_per_s) == ([1, 2], [8.0, 7.0], [800.0, 900.0])
    assert (curves.val_steps, curves.val_loss) == ([0, 10], [8.5, 5.5])
    assert not curves.measured_mfu
    records[1]["mfu"] = 0.41
    assert training(records).mfu == [None, 0.41] and training(records).measured_mfu


def write_parts(
    stage_dir: Path, ids_per_part: list[list[str]], row_group_size: int | None = None
) -> None:
    stage_dir.mkdir(parents=True)
    for index, ids in enumerate(ids_per_part):
        rows = [Document(id=i, source="c4", text=f"text of {i}", language="en").row() for i in ids]
        pq.write_table(
            pa.Table.from_pylist(rows, schema=DOCUMENT_SCHEMA),
            stage_dir / f"part-{index:05d}.parquet",
            row_group_size=row_group_size,
        )


def test_samples_depend_on_the_seed_and_ids_not_on_file_order(tmp_path: Path) -> None:
    ids = [[f"c4/{p}-{i}" for i in range(20)] for p in range(5)]
    write_parts(tmp_path / "a", ids)
    write_parts(tmp_path / "b", [list(reversed(part)) for part in ids])
    first = sample_documents(str(tmp_path / "a"), seed=0)
    again = sample_documents(str(tmp_path / "b"), seed=0)
    other_seed = sample_documents(str(tmp_path / "a"), seed=1)
    assert len(first) == 3 and [s.id for s in first] == [s.id for s in again]
    assert [s.id for s in first] != [s.id for s in other_seed]
    sample = first[0]
    assert sample.text == f"text of {sample.id}" and sample.language == "en"
    assert sample.part.startswith(str(tmp_path / "a")) and sample.part.endswith(".parquet")
    assert sample.show_command == f"fleece show {sample.part} --id {sample.id} --chars 0"


def test_parts_of_many_row_groups_give_the_same_samples_as_parts_of_one(tmp_path: Path) -> None:
    # stages write parts sorted by id, a row group every few thousand rows: the sampler reads
    # only the row groups whose id range holds a chosen document
    ids = [sorted(f"c4/{p}-{i:03d}" for i in range(100)) for p in range(4)]
    write_parts(tmp_path / "one", ids)
    write_parts(tmp_path / "many", ids, row_group_size=7)
    assert pq.ParquetFile(tmp_path / "many" / "part-00000.parquet").num_row_groups == 15
    for seed in range(5):
        one = sample_documents(str(tmp_path / "one"), seed=seed)
        many = sample_documents(str(tmp_path / "many"), seed=seed)
        assert len(many) == 3
        assert [(s.id, s.text) for s in many] == [(s.id, s.text) for s in one]


def test_a_stage_with_fewer_documents_gives_them_all(tmp_path: Path) -> None:
    write_parts(tmp_path / "books", [["books/gutenberg/1"], [], ["books/gutenberg/'2 x'"]])
    samples = sample_documents(str(tmp_path / "books"), seed=0)
    assert [s.id for s in samples] == ["books/gutenberg/'2 x'", "books/gutenberg/1"]
    assert samples[0].show_command.endswith(" --id 'books/gutenberg/'\"'\"'2 x'\"'\"'' --chars 0")
    assert sample_documents(str(tmp_path / "none"), seed=0) == []
    assert json.dumps(samples[1].meta) == "{}"


def test_merged_records_are_a_step_of_the_funnel_and_timing_is_read_when_recorded() -> None:
    stats = {"counters": {"read": 10, "kept": 3, "dropped.post_type": 2, "merged.answer": 5}}
    success = {"timing": {"wall_seconds": 1.5, "core_seconds": 2.25}}  # from its _SUCCESS
    stage = stage_statistics("stackexchange", stats, success)
    assert stage.funnel.steps() == [
        ("read", 10), ("dropped: post_type", 2), ("merged: answer", 5), ("kept", 3),
    ]  # fmt: skip
    assert stage.timing == Timing(wall_seconds=1.5, core_seconds=2.25)
    assert stage_statistics("stackexchange", {"counters": {}}).timing is None


def test_validation_loss_per_source_with_its_tokens() -> None:
    records = [
        {"kind": "val", "step": 20, "val_loss": 5.0, "val/loss/c4": 4.5, "val/tokens/c4": 900,
         "val/loss/arxiv": 6.0, "val/tokens/arxiv": 120},
        {"kind": "val", "step": 10, "val_loss": 6.0, "val/loss/c4": 5.5, "val/tokens/c4": 900},
    ]  # fmt: skip
    curves = training(records)
    assert curves.val_sources == {"arxiv": [(20, 6.0)], "c4": [(10, 5.5), (20, 4.5)]}
    assert curves.val_tokens == {"arxiv": 120, "c4": 900}
    assert training([{"kind": "val", "step": 0, "val_loss": 1.0}]).val_sources == {}


def write_dropped(stage_dir: Path, rows: list[tuple[str, str]]) -> None:
    (stage_dir / "dropped").mkdir(parents=True)
    documents = [
        Document(id=i, source="c4", text=f"text of {i}", language="en").dropped_row(reason)
        for i, reason in rows
    ]
    pq.write_table(
        pa.Table.from_pylist(documents, schema=DROPPED_SCHEMA),
        stage_dir / "dropped" / "part-00000.parquet",
    )


def test_dropped_documents_are_drawn_per_reason(tmp_path: Path) -> None:
    rows = [(f"c4/{i:02d}", "lorem" if i % 3 else "curly") for i in range(30)]
    write_dropped(tmp_path / "c4", rows)
    lorem = sample_documents(str(tmp_path / "c4"), seed=0, reason="lorem")
    curly = sample_documents(str(tmp_path / "c4"), seed=0, reason="curly")
    assert len(lorem) == len(curly) == 3
    assert {s.id for s in lorem} <= {i for i, r in rows if r == "lorem"}
    assert {s.id for s in curly} <= {i for i, r in rows if r == "curly"}
    assert lorem[0].part.endswith("/c4/dropped/part-00000.parquet")
    assert [s.id for s in sample_documents(str(tmp_path / "c4"), 1, reason="lorem")] != [
        s.id for s in lorem
    ]
    assert sample_documents(str(tmp_path / "c4"), seed=0, reason="bad_words") == []
