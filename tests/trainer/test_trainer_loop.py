"""End to end through `fleece train` / `fleece generate`: learning, divergence, metrics."""

from __future__ import annotations

import os
import re

import pytest
import sentencepiece as spm
from click.testing import CliRunner
from trainer_configs import nano_overrides
from trainer_corpus import WORDS, sentence_documents, train_sentencepiece, write_shards

from trainer.cli import generate, train
from trainer.loop import Trainer
from trainer.metrics import mfu, peak_for_name, read_metrics

PROMPT = "The small sheep sees"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _train_cli(*args: str) -> str:
    result = CliRunner().invoke(train, list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


@pytest.mark.slow
def test_tiny_config_validation_loss_falls_40_percent(markov_shards: str, tmp_path) -> None:
    """manifests/train-tiny.yaml (what `make train` runs) learns a synthetic token stream."""
    run_dir = str(tmp_path / "tiny")
    config = os.path.join(REPO, "manifests", "train-tiny.yaml")
    output = _train_cli(
        "--config", config, "-o", f"data.shards={markov_shards}", "-o", f"run_dir={run_dir}"
    )
    line = re.search(
        r"validation loss ([\d.]+) at step 0 -> ([\d.]+) at step (\d+) \(([-+][\d.]+)%\)", output
    )
    assert line, output[-2000:]
    first, last, step = float(line[1]), float(line[2]), int(line[3])
    assert step == 200 and last <= 0.6 * first
    records = read_metrics(run_dir)
    train_records = [r for r in records if r["kind"] == "train"]
    assert [r["step"] for r in train_records] == list(range(1, 201))
    assert {"loss", "lr", "grad_norm", "tokens_per_s", "mfu", "tokens"} <= set(train_records[0])
    assert all(r["mfu"] is None for r in train_records)  # no peak is claimed for a CPU
    assert train_records[-1]["tokens"] == 200 * 2048
    assert [r["step"] for r in records if r["kind"] == "val"] == [0, 50, 100, 150, 200]


def test_generate_decodes_with_the_corpus_tokenizer(tmp_path) -> None:
    texts = sentence_documents(300, seed=4)
    tokenizer = train_sentencepiece(texts, str(tmp_path / "sp"), vocab_size=100)

    processor = spm.SentencePieceProcessor(model_file=tokenizer)
    docs = [[1, *processor.encode(t), 2] for t in texts]
    shards = write_shards(str(tmp_path / "shards"), docs[30:], docs[:30], 100, tokenizer=tokenizer)
    run_dir = str(tmp_path / "run")
    overrides = nano_overrides(
        shards, run_dir, steps=60, **{"optim.decay_steps": 60, "checkpoint.every": 0}
    )
    _train_cli("--config", os.devnull, *[arg for o in overrides for arg in ("-o", o)])
    assert os.path.exists(os.path.join(run_dir, "tokenizer.model"))

    result = CliRunner().invoke(
        generate,
        [
            "--checkpoint",
            run_dir,
            "--prompt",
            PROMPT,
            "--temperature",
            "0",
            "--max-new-tokens",
            "24",
        ],
    )
    assert result.exit_code == 0, result.output + repr(result.exception)
    text = result.output.strip()
    assert text.startswith(PROMPT) and len(text) > len(PROMPT) + 5
    continuation = re.findall(r"[a-z]+", text[len(PROMPT) :].lower())
    vocabulary = {w for words in WORDS.values() for w in words}
    assert sum(w in vocabulary for w in continuation) >= 2, text


def test_nan_loss_stops_the_run_naming_step_and_checkpoint(
    markov_shards: str, tmp_path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the loss turns NaN from the fourth step on, as a diverging run's would (a learning rate
    # large enough to get there is refused by the config's bounds)
    real_loss = Trainer._loss

    def diverging(self: Trainer, batch: object, reduction: str = "mean") -> object:
        loss = real_loss(self, batch, reduction)
        return loss * float("nan") if self.step >= 3 else loss

    monkeypatch.setattr(Trainer, "_loss", diverging)
    run_dir = str(tmp_path / "diverge")
    overrides = nano_overrides(
        markov_shards, run_dir, steps=10, **{"optim.warmup_steps": 1, "checkpoint.every": 1}
    )
    result = CliRunner().invoke(
        train, ["--config", os.devnull, *[a for o in overrides for a in ("-o", o)]]
    )
    assert result.exit_code == 1
    message = re.search(
        r"loss is (nan|inf) at step (\d+); last good checkpoint: (\S+)", result.output
    )
    assert message, result.output[-1500:]
    step = int(message[2])
    assert message[3] == os.path.join(run_dir, "checkpoints", f"step-{step - 1:08d}")


def test_config_errors_name_the_key(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("optim:\n  lr: 3e-4\n")
    result = CliRunner().invoke(train, ["--config", str(bad)])
    assert result.exit_code == 1
    assert "optim.lr: expected a number, got string '3e-4'" in result.output


def test_mfu_uses_the_dense_bf16_peak_of_the_named_gpu() -> None:
    assert peak_for_name("NVIDIA H100 80GB HBM3") == 989e12
    assert peak_for_name("NVIDIA H100 PCIe") == 756e12
    assert peak_for_name("NVIDIA A100-SXM4-80GB") == 312e12
    assert peak_for_name("NVIDIA H200") == 989e12
    assert peak_for_name("NVIDIA A10G") == 70e12
    assert peak_for_name("Some CPU") is None
    assert mfu(1000.0, 1e9, 1, None) is None
    # 380 tokens/s/GPU for LLaMA-65B (407.3 GFLOP/token) on A100s is ~49.6% MFU.
    assert mfu(380.0 * 8, 407.3e9, 8, 312e12) == pytest.approx(0.496, abs=0.001)


def test_missing_shards_are_named_with_a_hint(tmp_path) -> None:
    result = CliRunner().invoke(
        train,
        [
            "--config",
            os.devnull,
            "-o",
            f"data.shards={tmp_path}/none",
            "-o",
            f"run_dir={tmp_path}/r",
        ],
    )
    assert result.exit_code == 1
    assert f"{tmp_path}/none/manifest.json: no shard manifest here" in result.output
    assert "make corpus" in result.output
