"""Settings that make no sense are refused before anything is written, naming the key path;
a full or read-only disk under the pipeline is one line naming the path."""

from __future__ import annotations

import dataclasses
import types
import typing
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.config import RunConfig
from settings import ConfigError, from_mapping
from tests.faults.conftest import fleece, sample_manifest
from trainer.cli import train
from trainer.config import TrainConfig


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sample": {"scale": -3}}, "sample.scale: must be at least 1, got -3"),
        ({"runner": {"direct_running_mode": "bogus"}}, "runner.direct_running_mode: 'bogus' is"),
        ({"runner": {"direct_num_workers": -1}}, "runner.direct_num_workers: must be at least 0"),
        ({"shards": {"shard_bytes": 0}}, "shards.shard_bytes: must be at least 1024, got 0"),
        ({"shards": {"token_target": -5}}, "shards.token_target: must be at least 0, got -5"),
        ({"tokenizer": {"vocab_size": 0}}, "tokenizer.vocab_size: must be at least 300, got 0"),
        ({"seed": "zero"}, "seed: expected an integer"),
    ],
)
def test_a_bad_run_manifest_value_is_refused_before_anything_is_written(
    tmp_path: Path, changes: dict, message: str
) -> None:
    run_dir = tmp_path / "run"
    manifest = sample_manifest(tmp_path / "m.yaml", run_dir, **changes)
    result = fleece("corpus", "--manifest", str(manifest))
    assert result.returncode != 0
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert not run_dir.exists()


def test_a_file_where_the_run_dir_should_be_is_one_line(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.write_text("not a folder")
    result = fleece("corpus", "--manifest", str(sample_manifest(tmp_path / "m.yaml", run_dir)))
    assert result.returncode == 1
    assert (
        result.stderr.strip().splitlines()[-1]
        == f"Error: {run_dir}: a file is in the way (File exists)"
    )


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("steps=-1", "steps: must be at least 1, got -1"),
        ("steps=0", "steps: must be at least 1, got 0"),
        ("batch.global_tokens=0", "batch.global_tokens: must be at least 1, got 0"),
        ("batch.micro_batch_size=0", "batch.micro_batch_size: must be at least 1, got 0"),
        ("data.seq_len=0", "data.seq_len: must be at least 1, got 0"),
        ("parallel.precision=fp7", "parallel.precision: 'fp7' is not one of"),
    ],
)
def test_a_bad_training_setting_is_refused_before_anything_is_written(
    tmp_path: Path, override: str, message: str
) -> None:
    run_dir = tmp_path / "run"
    result = CliRunner().invoke(
        train,
        ["--config", "manifests/train-tiny.yaml", "-o", f"run_dir={run_dir}", "-o", override],
    )
    assert result.exit_code != 0
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not run_dir.exists()


def test_the_pipeline_on_a_full_disk_is_one_line(tmp_path: Path, small_disk: Path) -> None:
    run_dir = small_disk / "run"
    result = fleece("corpus", "--manifest", str(sample_manifest(tmp_path / "m.yaml", run_dir)))
    assert result.returncode == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"Error: sample: {run_dir}"), last
    assert last.endswith(": no space left on the device (No space left on device)"), last
    assert len(result.stderr.splitlines()) < 20, result.stderr


def test_the_pipeline_on_a_read_only_disk_is_one_line(tmp_path: Path, read_only_disk: Path) -> None:
    run_dir = read_only_disk / "run"
    result = fleece("corpus", "--manifest", str(sample_manifest(tmp_path / "m.yaml", run_dir)))
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {run_dir}: the filesystem is read-only (Read-only file system)"
    )


def _scalar(kind: object) -> object:
    """int for `int | None`, and so on."""
    if isinstance(kind, types.UnionType):
        kinds = [k for k in kind.__args__ if k is not type(None)]
        return kinds[0] if len(kinds) == 1 else kind
    return kind


def _scalar_fields(cls: type, prefix: str = "") -> list[tuple[str, object, dict]]:
    """(key path, type, field metadata) of every scalar field of a config, nested ones too."""
    out = []
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        key, kind = f"{prefix}{field.name}", _scalar(hints[field.name])
        if dataclasses.is_dataclass(kind):
            out += _scalar_fields(kind, f"{key}.")
        else:
            out.append((key, kind, dict(field.metadata)))
    return out


def _bounded_fields(cls: type) -> list[tuple[str, object, str]]:
    """(key path, a value just outside its bounds, the start of the message) for every
    scalar field of a config with declared bounds or choices."""
    out = []
    for key, kind, meta in _scalar_fields(cls):
        # a list's bounds hold for each item: the bad value goes in as a list's one item
        wrap = typing.get_origin(kind) is list
        if wrap:
            (kind,) = typing.get_args(kind)
        cases = []
        step = 1 if kind is int else 0.5
        if "choices" in meta and kind is str:
            cases.append(("bogus", f"{key}: 'bogus' is not one of"))
        if "min" in meta:
            cases.append((meta["min"] - step, f"{key}: must be at least {meta['min']}"))
        if "max" in meta:
            cases.append((meta["max"] + step, f"{key}: must be at most {meta['max']}"))
        if "above" in meta:
            cases.append((meta["above"], f"{key}: must be above {meta['above']}"))
        if "below" in meta:
            cases.append((meta["below"], f"{key}: must be below {meta['below']}"))
        out += [(key, [value] if wrap else value, message) for value, message in cases]
    return out


def _nested(key: str, value: object) -> dict:
    out: dict = {}
    node = out
    *parents, last = key.split(".")
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value
    return out


def _cases() -> list[tuple[str, str, object, str]]:
    return [("run", *case) for case in _bounded_fields(RunConfig)] + [
        ("train", *case) for case in _bounded_fields(TrainConfig)
    ]


@pytest.mark.parametrize(("manifest", "key", "value", "message"), _cases())
def test_every_bounded_field_of_both_manifests_refuses_a_value_outside(
    manifest: str, key: str, value: object, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        from_mapping(RunConfig if manifest == "run" else TrainConfig, _nested(key, value))
    assert str(error.value).startswith(message), str(error.value)


def test_the_bounded_fields_cover_every_count_size_and_step() -> None:
    # a numeric field without bounds must be a seed (any integer is a seed)
    found = [
        key
        for cls in (RunConfig, TrainConfig)
        for key, kind, meta in _scalar_fields(cls)
        if kind in (int, float) and not set(meta) - {"help"}
    ]
    assert all(key.endswith("seed") for key in found), found
