"""Shared, generated shard directories (built once per session), and one torch thread.

These models are tiny: a second intra-op thread gains little, and when another process
holds the other core (pytest-xdist, or anything else running) OpenMP's spinning threads
slow training down many times over. Subprocesses get OMP_NUM_THREADS=1 for the same reason.
"""

from collections.abc import Iterator

import pytest
import torch
from trainer_corpus import markov_corpus


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)


@pytest.fixture(scope="session")
def markov_shards(tmp_path_factory: pytest.TempPathFactory) -> str:
    return markov_corpus(str(tmp_path_factory.mktemp("markov") / "shards"))
