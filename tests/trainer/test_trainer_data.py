"""The loader: packing across documents and shards, a stateless order, rank slices."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trainer_corpus import markov_documents, write_shards

from pipeline.shards.format import ShardReader
from trainer.data import TokenStream, TrainLoader, Windows, permute, validation_batches


@settings(max_examples=60, deadline=None)
@given(size=st.integers(1, 5000), seed=st.integers(0, 2**40), epoch=st.integers(0, 50))
def test_permute_is_a_bijection(size: int, seed: int, epoch: int) -> None:
    out = permute(np.arange(size), size, seed, epoch)
    assert sorted(out.tolist()) == list(range(size))


def test_permute_depends_on_seed_and_epoch_only() -> None:
    a = permute(np.arange(1000), 1000, seed=3, epoch=0)
    assert np.array_equal(a, permute(np.arange(1000), 1000, seed=3, epoch=0))
    assert not np.array_equal(a, permute(np.arange(1000), 1000, seed=4, epoch=0))
    assert not np.array_equal(a, permute(np.arange(1000), 1000, seed=3, epoch=1))
    assert not np.array_equal(a, np.arange(1000))  # it does shuffle
    # Any subset of indices maps as it does inside the whole array.
    assert np.array_equal(permute(np.array([999, 5]), 1000, 3, 0), a[[999, 5]])


@pytest.fixture(scope="module")
def small_shards(tmp_path_factory) -> tuple[str, list[list[int]]]:
    docs = markov_documents(60, 97, seed=5, min_len=3, max_len=40)
    directory = write_shards(
        str(tmp_path_factory.mktemp("data") / "shards"), docs, docs[:10], 97, train_shards=3
    )
    return directory, docs


def test_stream_is_the_concatenation_of_the_train_shards(small_shards) -> None:
    directory, _ = small_shards
    stream = TokenStream(directory, "train")
    expected = np.concatenate(
        [ShardReader(f"{directory}/train-{i:05d}.arrow").tokens for i in range(3)]
    )
    assert stream.num_tokens == expected.size
    boundary = int(stream.shard_starts[1])
    tokens, starts = stream.window(boundary - 7, 20)  # spans the first shard boundary
    assert np.array_equal(tokens, expected[boundary - 7 : boundary + 13])
    assert 7 in starts.tolist()  # the second shard begins with a document
    assert all(tokens[s] == 1 for s in starts)  # every document starts with BOS


def test_windows_overlap_by_one_token_and_carry_document_ids(small_shards) -> None:
    directory, _ = small_shards
    windows = Windows(TokenStream(directory, "train"), seq_len=16)
    batch = windows.batch(np.array([0, 1]), [0, 1])
    assert batch.inputs.shape == batch.targets.shape == batch.document_ids.shape == (2, 16)
    assert np.array_equal(batch.inputs[0, 1:], batch.targets[0, :-1])
    assert batch.targets[0, -1] == batch.inputs[1, 0]  # sample 1 starts where sample 0's inputs end
    for row in range(2):
        bos = (batch.inputs[row] == 1).nonzero().flatten().tolist()
        changes = [0] + [
            i for i in range(1, 16) if batch.document_ids[row, i] != batch.document_ids[row, i - 1]
        ]
        assert set(bos) <= set(changes) and set(changes) - {0} <= set(bos)


def test_rank_slices_partition_each_step_and_do_not_depend_on_world_size(small_shards) -> None:
    directory, _ = small_shards
    windows = Windows(TokenStream(directory, "train"), seq_len=8)
    single = TrainLoader(windows, seed=9, global_batch=8, micro_batch=2)
    ranks = [
        TrainLoader(windows, seed=9, global_batch=8, micro_batch=2, dp_rank=r, dp_size=2)
        for r in range(2)
    ]
    for _ in range(windows.num_samples // 8 * 2 + 3):  # crosses epoch boundaries
        whole = single.next_step()
        parts = [loader.next_step() for loader in ranks]
        assert len(whole) == 4 and all(len(p) == 2 for p in parts)  # accumulation 4 vs 2
        assert [s for b in whole for s in b.samples] == [
            s for p in parts for b in p for s in b.samples
        ]
        whole_inputs = np.concatenate([b.inputs.numpy() for b in whole])
        assert np.array_equal(
            whole_inputs, np.concatenate([b.inputs.numpy() for p in parts for b in p])
        )


def test_an_epoch_visits_every_window_once(small_shards) -> None:
    directory, _ = small_shards
    windows = Windows(TokenStream(directory, "train"), seq_len=8)
    loader = TrainLoader(windows, seed=1, global_batch=1, micro_batch=1)
    n = windows.num_samples
    first = loader.sample_ids(np.arange(n)).tolist()
    second = loader.sample_ids(np.arange(n, 2 * n)).tolist()
    assert sorted(first) == sorted(second) == list(range(n))
    assert first != second  # each epoch has its own order


def test_loader_state_resumes_and_rejects_changed_data(small_shards) -> None:
    directory, _ = small_shards
    windows = Windows(TokenStream(directory, "train"), seq_len=8)
    first = TrainLoader(windows, seed=2, global_batch=4, micro_batch=4)
    for _ in range(3):
        first.next_step()
    state = first.state_dict()
    expected = first.next_step()[0].samples
    second = TrainLoader(windows, seed=2, global_batch=4, micro_batch=2, dp_rank=1, dp_size=2)
    second.load_state_dict(state)
    assert second.next_step()[0].samples == expected[2:]
    other = TrainLoader(Windows(windows.stream, seq_len=16), seed=2, global_batch=4, micro_batch=4)
    with pytest.raises(ValueError, match="seq_len=8 but this run has 16"):
        other.load_state_dict(state)


def test_validation_batches_split_across_ranks(small_shards) -> None:
    directory, _ = small_shards
    windows = Windows(TokenStream(directory, "val"), seq_len=8)
    alone = [s for b in validation_batches(windows, 6, 4, 0, 1) for s in b.samples]
    split = [
        s for r in range(2) for b in validation_batches(windows, 6, 4, r, 2) for s in b.samples
    ]
    assert alone == list(range(6)) and sorted(split) == alone


def test_bad_inputs_are_named(small_shards, tmp_path) -> None:
    directory, _ = small_shards
    with pytest.raises(ValueError, match="lists no 'test' shards"):
        TokenStream(directory, "test")
    with pytest.raises(ValueError, match="not divisible by micro_batch_size"):
        TrainLoader(Windows(TokenStream(directory, "train"), 8), 0, global_batch=6, micro_batch=4)
    with pytest.raises(FileNotFoundError, match="no shard manifest"):
        TokenStream(str(tmp_path), "train")
