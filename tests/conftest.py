"""Session fixtures shared by the suite: tiny tokenizers trained once on generated text, and
the sample corpus built once per test worker."""

from __future__ import annotations

from pathlib import Path

import pytest

from tokenizer.config import TokenizerConfig
from tokenizer.sample_text import synthetic_documents
from tokenizer.train import train_model


@pytest.fixture(scope="session")
def tiny_config() -> TokenizerConfig:
    return TokenizerConfig(vocab_size=2000, character_coverage=0.9995, num_threads=2)


@pytest.fixture(scope="session")
def training_documents() -> list[str]:
    return synthetic_documents(2500, seed=11)


@pytest.fixture(scope="session")
def llama_model(training_documents: list[str], tiny_config: TokenizerConfig) -> bytes:
    """A 2000-piece tokenizer with LLaMA's settings."""
    model, _ = train_model((("wikipedia", d) for d in training_documents), tiny_config, seed=0)
    return model


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample corpus built by `fleece corpus` (about a minute on two cores), once per test
    worker. Tests only read it: one that damages a run builds its own."""
    # lazy: Beam and tests/faults' helpers, only for a session that builds the sample
    from tests.faults.stage_runs import build

    _, run_dir = build(tmp_path_factory.mktemp("sample-run"), "run")
    return run_dir
