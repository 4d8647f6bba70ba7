"""One torch thread for the tiny models of the model and trainer tests.

A second intra-op thread gains little on such models, and when another process holds the
other core (pytest-xdist, or anything else running) OpenMP's spinning threads slow them
down many times over. Each conftest that wants it imports the autouse fixture.
"""

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(scope="module", autouse=True)
def one_torch_thread() -> Iterator[None]:
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(previous)
