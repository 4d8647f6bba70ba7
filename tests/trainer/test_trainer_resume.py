"""Resume is exact in one process: 20 steps straight == 10 + resume + 10, bit for bit."""

import os

import torch
from trainer_configs import nano_config

from model import ModelConfig, Transformer
from trainer.checkpoint import complete_checkpoints, load_model_weights
from trainer.loop import train
from trainer.metrics import read_metrics


def test_resume_reproduces_every_loss_bitwise(markov_shards: str, tmp_path) -> None:
    straight = train(
        nano_config(markov_shards, str(tmp_path / "straight"), **{"data.document_mask": True})
    )
    assert sorted(straight.losses) == list(range(1, 21))

    resumed_dir = str(tmp_path / "resumed")
    first = train(nano_config(markov_shards, resumed_dir, steps=10, **{"data.document_mask": True}))
    second = train(
        nano_config(
            markov_shards,
            resumed_dir,
            steps=20,
            **{"data.document_mask": True, "checkpoint.resume": "auto"},
        )
    )
    assert sorted(second.losses) == list(range(11, 21))  # it resumed, it did not restart
    combined = first.losses | second.losses
    assert combined == straight.losses  # exact float equality at every step
    assert second.val_losses == straight.val_losses

    # The final weights are identical too.
    config = ModelConfig(dim=64, n_heads=4, n_layers=2, vocab_size=256, max_seq_len=32)
    weights = []
    for run in ("straight", "resumed"):
        model = Transformer(config)
        load_model_weights(complete_checkpoints(str(tmp_path / run))[-1], model)
        weights.append(model.state_dict())
    for name, tensor in weights[0].items():
        assert torch.equal(tensor, weights[1][name]), name

    # The resumed run's metrics log reads like one uninterrupted run, same samples per step.
    logs = {run: read_metrics(str(tmp_path / run)) for run in ("straight", "resumed")}
    steps = [r["step"] for r in logs["resumed"] if r["kind"] == "train"]
    assert steps == list(range(1, 21))
    samples = {
        run: [r["samples"] for r in log if r["kind"] == "train"] for run, log in logs.items()
    }
    assert samples["straight"] == samples["resumed"]


def test_checkpoints_keep_the_newest_k(markov_shards: str, tmp_path) -> None:
    run_dir = str(tmp_path / "keep")
    train(
        nano_config(
            markov_shards, run_dir, steps=8, **{"checkpoint.every": 2, "checkpoint.keep": 2}
        )
    )
    names = [os.path.basename(p) for p in complete_checkpoints(run_dir)]
    assert names == ["step-00000006", "step-00000008"]
    newest = complete_checkpoints(run_dir)[-1]
    assert {"trainer.json", "COMPLETE", "rng-00000.pt", "state"} <= set(os.listdir(newest))


def test_a_finished_run_resumed_again_trains_nothing(markov_shards: str, tmp_path) -> None:
    run_dir = str(tmp_path / "done")
    done = train(nano_config(markov_shards, run_dir, steps=4))
    again = train(nano_config(markov_shards, run_dir, steps=4, **{"checkpoint.resume": "auto"}))
    assert again.losses == {} and again.step == 4 and again.val_losses == done.val_losses


def test_meta_device_initialisation_matches_cpu_in_one_process(
    markov_shards: str, tmp_path
) -> None:
    runs = {}
    for device in ("cpu", "meta"):
        config = nano_config(
            markov_shards, str(tmp_path / device), steps=3, **{"model.init_device": device}
        )
        runs[device] = train(config).losses
    assert runs["meta"] == runs["cpu"]
