"""Session fixtures shared by the suite: tiny tokenizers trained once on generated text, and
the sample corpus built once per test session (with and without --keep-dropped)."""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from pipeline.harness.funnel import STRICT_ENV
from tokenizer.config import TokenizerConfig
from tokenizer.sample_text import synthetic_documents
from tokenizer.train import train_model

# a stage whose counters do not add up (pipeline/harness/funnel.py) fails in every test,
# the stages run by the CLI in a subprocess included; in a user's run it is a warning
os.environ[STRICT_ENV] = "fail"


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


def shared_build(
    tmp_path_factory: pytest.TempPathFactory, worker_id: str, name: str, *flags: str
) -> Path:
    """`fleece corpus` of the sample (about a minute on two cores) into a folder of its own,
    built once per test session: the workers of `pytest -n` share it, the first to ask
    building it while the others wait on a lock. Tests only read it: one that damages a run
    builds or copies its own."""
    # lazy: Beam and tests/faults' helpers, only for a session that builds the sample
    from tests.faults.stage_runs import build

    base = tmp_path_factory.getbasetemp()
    root = base if worker_id == "master" else base.parent  # the workers' common folder
    folder, done = root / f"shared-{name}", root / f"shared-{name}.done"
    with open(root / f"shared-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a build a failed worker left
            folder.mkdir()
            build(folder, "run", *flags)
            done.touch()
    return folder / "run"


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The sample corpus as `make corpus` builds it."""
    return shared_build(tmp_path_factory, worker_id, "sample")


@pytest.fixture(scope="session")
def sample_run_kept(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Path:
    """The sample corpus built with --keep-dropped: every stage also writes its dropped
    documents, with their reasons."""
    return shared_build(tmp_path_factory, worker_id, "sample-kept", "--keep-dropped")
