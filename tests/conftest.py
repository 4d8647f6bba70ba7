"""Session fixtures shared by the suite: tiny tokenizers trained once on generated text."""

from __future__ import annotations

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
