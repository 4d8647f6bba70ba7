"""Shared, generated shard directories (built once per session), and one torch thread
(subprocesses get OMP_NUM_THREADS=1 for the reason tests/torch_threads.py gives)."""

import pytest
from trainer_corpus import markov_corpus

from tests.torch_threads import one_torch_thread  # noqa: F401 - autouse fixture


@pytest.fixture(scope="session")
def markov_shards(tmp_path_factory: pytest.TempPathFactory) -> str:
    return markov_corpus(str(tmp_path_factory.mktemp("markov") / "shards"))
