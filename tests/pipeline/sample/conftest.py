"""One scale-1 sample shared by the sample tests (writing it takes a few seconds)."""

from __future__ import annotations

import json

import pytest

from pipeline.sample import write_sample


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory: pytest.TempPathFactory) -> str:
    out = tmp_path_factory.mktemp("sample")
    write_sample(str(out), scale=1, seed=0)
    return str(out)


@pytest.fixture(scope="session")
def ground_truth(sample_dir: str) -> dict:
    with open(f"{sample_dir}/ground_truth.json", encoding="utf-8") as f:
        return json.load(f)
