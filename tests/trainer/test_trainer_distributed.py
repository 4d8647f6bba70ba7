"""Two CPU processes (gloo, launched by torchrun through `fleece train`) give the losses of
one process with the same global batch — DDP, FSDP2 and tensor parallel — and resume
exactly, also onto a single process, which then sees exactly the same samples. Their
checkpoints export to Hugging Face's layout like a one-process checkpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
import torch
import yaml
from safetensors.torch import load_file
from trainer_configs import nano_config, nano_overrides

from model import ModelConfig, Transformer
from model.hf_convert import to_hf_state_dict
from trainer.checkpoint import load_model_weights, read_trainer_state
from trainer.checkpoint_checksums import checkpoint_files
from trainer.hf_export import export_hf
from trainer.loop import train
from trainer.metrics import read_metrics

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RTOL = 1e-5  # measured: DDP and FSDP match bit for bit, TP within 1e-7


def as_yaml(overrides: list[str]) -> dict:
    data: dict = {}
    for item in overrides:
        key, value = item.split("=", 1)
        node = data
        *parents, leaf = key.split(".")
        for parent in parents:
            node = node.setdefault(parent, {})
        node[leaf] = yaml.safe_load(value)
    return data


def torchrun(tmp_path, name: str, shards: str, **extra: object) -> str:
    """Run `fleece train` on 2 processes; returns the run directory."""
    run_dir = str(tmp_path / name)
    config = tmp_path / f"{name}.yaml"
    config.write_text(yaml.safe_dump(as_yaml(nano_overrides(shards, run_dir, **extra))))
    env = dict(os.environ, PYTHONPATH=REPO, OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node=2"]
    command += ["-m", "pipeline.cli", "train", "--config", str(config)]
    done = subprocess.run(command, cwd=REPO, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-5000:]
    return run_dir


def trainer_state(run_dir: str, step: int) -> dict:
    return read_trainer_state(os.path.join(run_dir, "checkpoints", f"step-{step:08d}"))


def assert_every_file_is_recorded(checkpoint: str) -> None:
    """COMPLETE lists each rank's files (hashed by that rank) and the main rank's others."""
    with open(os.path.join(checkpoint, "COMPLETE"), encoding="utf-8") as handle:
        recorded = json.load(handle)["files"]
    assert sorted(recorded) == [f for f in checkpoint_files(checkpoint) if f != "COMPLETE"]
    assert {"rng-00000.pt", "rng-00001.pt", "state/.metadata"} <= set(recorded)
    assert {f for f in recorded if f.endswith(".distcp")} == {
        "state/__0_0.distcp",
        "state/__1_0.distcp",
    }


def train_records(run_dir: str) -> dict[int, dict]:
    return {r["step"]: r for r in read_metrics(run_dir) if r["kind"] == "train"}


def assert_same_run(actual: dict[int, dict], expected: dict[int, dict], steps: range) -> None:
    assert sorted(actual) == list(steps)
    for step in steps:
        assert actual[step]["samples"] == expected[step]["samples"], (
            f"step {step} saw other samples"
        )
        assert actual[step]["loss"] == pytest.approx(expected[step]["loss"], rel=RTOL), (
            f"step {step}"
        )


def exported_weights(run_dir: str, out: str) -> dict[str, torch.Tensor]:
    """`fleece export hf` of the run's step-20 checkpoint, as the safetensors file holds it."""
    export_hf(os.path.join(run_dir, "checkpoints", "step-00000020"), out)
    return load_file(os.path.join(out, "model.safetensors"))


def assert_export_is_the_checkpoint(
    run_dir: str, reference_dir: str, tmp_path, same_bytes: bool
) -> None:
    """The export of a 2-process checkpoint holds exactly the weights a 1-process model loads
    from it (the resume path, not the export's), and the one-process run's weights: the very
    same file where training was bit-identical (DDP, FSDP), within rounding (TP: measured
    2e-6 at most, from its other order of summation)."""
    checkpoint = os.path.join(run_dir, "checkpoints", "step-00000020")
    config = ModelConfig(**read_trainer_state(checkpoint)["model"])
    model = Transformer(config)
    load_model_weights(checkpoint, model)
    expected = to_hf_state_dict(model.state_dict(), config)
    actual = exported_weights(run_dir, str(tmp_path / "export"))
    reference = exported_weights(reference_dir, str(tmp_path / "reference-export"))
    assert sorted(actual) == sorted(expected) == sorted(reference)
    for name, tensor in expected.items():
        assert torch.equal(actual[name], tensor), name
        torch.testing.assert_close(actual[name], reference[name], rtol=RTOL, atol=1e-5)
    if same_bytes:
        files = [
            os.path.join(tmp_path, out, "model.safetensors")
            for out in ("export", "reference-export")
        ]
        with open(files[0], "rb") as first, open(files[1], "rb") as second:
            assert first.read() == second.read()


@pytest.fixture(scope="module")
def reference_dir(markov_shards: str, tmp_path_factory) -> str:
    """One process, 20 steps, document masking on (two micro-batches per step)."""
    run_dir = str(tmp_path_factory.mktemp("reference") / "run")
    train(nano_config(markov_shards, run_dir, **{"data.document_mask": True}))
    return run_dir


@pytest.fixture(scope="module")
def reference(reference_dir: str) -> dict[int, dict]:
    return train_records(reference_dir)


@pytest.mark.slow
@pytest.mark.parametrize("data_parallel", ["ddp", "fsdp"])
def test_two_process_data_parallel_matches_one_process_and_resumes(
    data_parallel: str, markov_shards: str, reference, reference_dir: str, tmp_path
) -> None:
    common = {"data.document_mask": True, "parallel.data_parallel": data_parallel}
    straight_dir = torchrun(tmp_path, "straight", markov_shards, **common)
    state = trainer_state(straight_dir, 20)
    assert (state["world_size"], state["data_parallel"]) == (2, data_parallel)
    assert_every_file_is_recorded(os.path.join(straight_dir, "checkpoints", "step-00000020"))
    straight = train_records(straight_dir)
    assert_same_run(straight, reference, range(1, 21))
    assert_export_is_the_checkpoint(straight_dir, reference_dir, tmp_path, same_bytes=True)

    # 10 steps + resume + 10 steps, on 2 processes (the first 10 are the straight run's).
    step10 = os.path.join(straight_dir, "checkpoints", "step-00000010")
    resumed_dir = torchrun(
        tmp_path, "resumed", markov_shards, **common, **{"checkpoint.resume": step10}
    )
    assert_same_run(train_records(resumed_dir), straight, range(11, 21))

    # The same 2-process checkpoint resumed on 1 process sees exactly the same samples.
    single_dir = str(tmp_path / "single")
    train(nano_config(markov_shards, single_dir, **common, **{"checkpoint.resume": step10}))
    assert_same_run(train_records(single_dir), straight, range(11, 21))


@pytest.mark.slow
def test_two_process_tensor_parallel_matches_one_process(
    markov_shards: str, reference, reference_dir: str, tmp_path
) -> None:
    run_dir = torchrun(
        tmp_path,
        "tp",
        markov_shards,
        **{
            "data.document_mask": True,
            "parallel.tensor_parallel": 2,
            "parallel.activation_checkpointing": "selective",
        },
    )
    state = trainer_state(run_dir, 20)
    assert (state["world_size"], state["data_parallel"], state["tensor_parallel"]) == (2, "none", 2)
    assert_same_run(train_records(run_dir), reference, range(1, 21))
    assert_export_is_the_checkpoint(run_dir, reference_dir, tmp_path, same_bytes=False)


@pytest.mark.slow
@pytest.mark.parametrize("parallel", ["fsdp", "tp"])
def test_init_from_loads_a_one_process_checkpoint_into_shards(
    parallel: str, markov_shards: str, reference_dir: str, tmp_path
) -> None:
    """Two processes start from the one-process run's last weights: their step-0 validation
    loss is the one that run measured at its end."""
    layout = (
        {"parallel.data_parallel": "fsdp"}
        if parallel == "fsdp"
        else {"parallel.tensor_parallel": 2}
    )
    step20 = os.path.join(reference_dir, "checkpoints", "step-00000020")
    run_dir = torchrun(
        tmp_path, "init", markov_shards, steps=2,
        **{"data.document_mask": True, "init_from": step20, "eval.every": 2}, **layout,
    )  # fmt: skip
    start = next(r for r in read_metrics(run_dir) if r["kind"] == "val")
    expected = read_trainer_state(step20)["history"]["val"][-1]
    assert (start["step"], expected[0]) == (0, 20)
    assert start["val_loss"] == pytest.approx(expected[1], rel=RTOL)
    assert trainer_state(run_dir, 2)["init_from"] == step20
