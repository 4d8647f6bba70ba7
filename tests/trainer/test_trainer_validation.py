"""Validation per source: each source's own window stream, its loss and tokens in metrics."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from trainer_configs import nano_config
from trainer_corpus import markov_documents, write_shards

from trainer.config import load_config
from trainer.data import TokenStream
from trainer.loop import train
from trainer.metrics import read_metrics, scalar_tag
from trainer.validation import ValidationSet, source_streams

REPO = Path(__file__).resolve().parents[2]
SEQ_LEN = 32  # nano_config's windows
SAMPLES = 3


@pytest.fixture(scope="module")
def mixed_shards(tmp_path_factory) -> tuple[str, dict[str, list[list[int]]]]:
    """A val split where 30 long `books` documents come first, four short `c4` ones (about
    four windows in all) after them with one more `books` between, and one `stackexchange`
    document shorter than a window."""
    books = markov_documents(31, 256, seed=3, min_len=60, max_len=120)
    c4 = markov_documents(4, 256, seed=4, min_len=30, max_len=40)
    stackexchange = markov_documents(1, 256, seed=5, min_len=10, max_len=12)
    val = [*books[:30], c4[0], books[30], *c4[1:], *stackexchange]
    names = ["books"] * 30 + ["c4", "books", "c4", "c4", "c4", "stackexchange"]
    directory = write_shards(
        str(tmp_path_factory.mktemp("mixed") / "shards"),
        markov_documents(200, 256, seed=1),
        val,
        256,
        val_sources=names,
    )
    return directory, {"books": books, "c4": c4, "stackexchange": stackexchange}


def test_a_source_stream_is_its_documents_in_split_order(mixed_shards) -> None:
    directory, docs = mixed_shards
    streams = source_streams(TokenStream(directory, "val"))
    assert sorted(streams) == ["books", "c4", "stackexchange"]
    c4 = np.concatenate(docs["c4"])
    tokens, starts = streams["c4"].window(0, c4.size)
    assert np.array_equal(tokens, c4)
    assert starts.tolist() == np.cumsum([0] + [len(d) for d in docs["c4"][:-1]]).tolist()
    # A window that spans the `books` document between the first two c4 ones skips it.
    first = len(docs["c4"][0])
    tokens, starts = streams["c4"].window(first - 3, 6)
    assert np.array_equal(tokens, c4[first - 3 : first + 3]) and starts.tolist() == [3]


def test_a_single_source_stream_reads_across_shards_as_the_split_does(mixed_shards) -> None:
    directory, _ = mixed_shards
    split = TokenStream(directory, "train")  # two shards, one source
    boundary = int(split.shard_starts[1])
    tokens, starts = source_streams(split)["c4"].window(boundary - 7, 20)
    expected_tokens, expected_starts = split.window(boundary - 7, 20)
    assert np.array_equal(tokens, expected_tokens)
    assert np.array_equal(starts, expected_starts)


def test_ranks_share_each_sources_windows_evenly(mixed_shards) -> None:
    directory, _ = mixed_shards
    split = TokenStream(directory, "val")
    validation = ValidationSet(split, SEQ_LEN, samples=SAMPLES, dp_size=2)
    assert validation.counts["books"] == 2  # 3 rounded down: each rank runs as many forwards
    assert validation.counts["stackexchange"] == 0
    scored = {name: [] for name in validation.windows}
    for rank in range(2):
        for name, batch in validation.batches(micro_batch=4, dp_rank=rank):
            scored[name] += batch.samples
    assert {name: sorted(s) for name, s in scored.items()} == {
        name: list(range(validation.counts[name])) for name in validation.windows
    }


def test_no_source_with_a_window_is_one_error_when_evaluating(mixed_shards) -> None:
    directory, _ = mixed_shards
    validation = ValidationSet(TokenStream(directory, "val"), 100_000, samples=0, dp_size=1)
    assert validation.counts == {"books": 0, "c4": 0, "stackexchange": 0}
    assert len(validation.notes) == 3
    with pytest.raises(ValueError, match="too few validation windows for 1 ranks"):
        next(validation.batches(micro_batch=4, dp_rank=0))


def test_every_source_is_scored_in_its_own_windows(mixed_shards, tmp_path, caplog) -> None:
    directory, docs = mixed_shards
    run_dir = str(tmp_path / "run")
    overrides = {"eval.every": 2, "eval.samples": SAMPLES, "checkpoint.every": 0}
    with caplog.at_level("INFO", logger="fleece.trainer"):
        train(nano_config(directory, run_dir, steps=2, **overrides))
    validations = [r for r in read_metrics(run_dir) if r["kind"] == "val"]
    assert [r["step"] for r in validations] == [0, 2]
    c4_windows = (sum(len(d) for d in docs["c4"]) - 1) // SEQ_LEN
    assert c4_windows >= 1  # the corpus gives c4 windows, all behind the books in the shard
    for record in validations:
        assert record["val/tokens/books"] == SAMPLES * SEQ_LEN
        assert record["val/tokens/c4"] == min(SAMPLES, c4_windows) * SEQ_LEN
        assert record["val/tokens/stackexchange"] == 0  # fewer tokens than a window
        assert "val/loss/stackexchange" not in record
        losses = {name: record[f"val/loss/{name}"] for name in ("books", "c4")}
        assert all(np.isfinite(value) and value > 0 for value in losses.values())
        weighted = sum(losses[name] * record[f"val/tokens/{name}"] for name in losses)
        total = sum(record[f"val/tokens/{name}"] for name in losses)
        assert record["val_loss"] == pytest.approx(weighted / total, rel=1e-9)
    small = len(docs["stackexchange"][0])
    assert f"validation: stackexchange has {small} tokens in the val split" in caplog.text


def test_per_source_keys_are_their_own_tensorboard_tags() -> None:
    assert scalar_tag("val", "val/loss/c4") == "val/loss/c4"
    assert scalar_tag("val", "val_loss") == "val/val_loss"
    assert scalar_tag("train", "loss") == "train/loss"


def test_tensorboard_gets_the_per_source_losses(mixed_shards, tmp_path) -> None:
    event_accumulator = pytest.importorskip(
        "tensorboard.backend.event_processing.event_accumulator"
    )
    directory, _ = mixed_shards
    run_dir = str(tmp_path / "run")
    overrides = {"eval.every": 1, "eval.samples": SAMPLES, "metrics.tensorboard": True}
    train(nano_config(directory, run_dir, steps=1, **overrides))
    events = event_accumulator.EventAccumulator(os.path.join(run_dir, "tb"))
    events.Reload()
    tags = set(events.Tags()["scalars"])
    assert {"val/loss/books", "val/loss/c4", "val/val_loss"} <= tags
    assert [e.step for e in events.Scalars("val/loss/c4")] == [0, 1]


@pytest.mark.slow
def test_make_train_scores_every_source_of_the_sample(sample_run: Path, tmp_path) -> None:
    """`make train`'s config on the sample shards logs a loss for each mixed source (one
    step, two windows per source, to stay cheap)."""
    shards = sample_run / "shards"
    run_dir = str(tmp_path / "tiny")
    overrides = [f"data.shards={shards}", f"run_dir={run_dir}", "steps=1", "eval.every=1"]
    overrides += ["eval.samples=2", "checkpoint.every=0", "metrics.tensorboard=false"]
    train(load_config(str(REPO / "manifests" / "train-tiny.yaml"), overrides))
    mixture = json.loads((shards / "manifest.json").read_text())["mixture"]
    assert len(mixture) == 7
    last = [r for r in read_metrics(run_dir) if r["kind"] == "val"][-1]
    assert sorted(k for k in last if k.startswith("val/loss/")) == [
        f"val/loss/{name}" for name in sorted(mixture)
    ]
    assert all(last[f"val/tokens/{name}"] == 2 * 128 for name in mixture)
